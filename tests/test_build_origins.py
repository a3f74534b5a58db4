"""Import origins from WIOD 2011: shares, concordance, and an independent recomputation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chainsim.data.origins import ORIGINS, china_imports_wiod, load_concordance, nbs42_origin_shares, wiod_origin_shares
from chainsim.data.provinces import RAW_DIR
from chainsim.errors import DataError

WIOD = RAW_DIR / "wiod2013_release"


@pytest.mark.parametrize("use", ["intermediate", "final", "total"])
def test_shares_sum_to_one_per_product(use):
    s = nbs42_origin_shares(use)
    assert list(s.index) == [f"{i:02d}" for i in range(1, 43)] and tuple(s.columns) == ORIGINS
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-12)
    assert (s.to_numpy() >= 0).all()
    w = wiod_origin_shares(use)
    ok = china_imports_wiod().loc["intermediate" if use == "intermediate" else "final"].sum(axis=1) > 0
    if use == "total":
        ok = w.sum(axis=1) > 0
    np.testing.assert_allclose(w[ok].sum(axis=1), 1.0, rtol=1e-12)


def test_concordance_covers_all_nbs_sectors_with_notes():
    c = load_concordance()
    assert len(c) == 42 and set(c["fit"]) <= {"exact", "coarse", "partial", "weak"}
    assert (c["note"].str.len() > 0).all()
    assert c.set_index("nbs42").loc["20", "wiod35"] == ["c14"]


def test_independent_recomputation_electrical_and_optical_equipment():
    z = pd.read_csv(WIOD / "wiot2011_Z_intermediate.csv.gz", index_col=0)
    chn = [c for c in z.columns if c.startswith("CHN_")]
    row = {k: float(z.loc[f"{k}_c14", chn].sum()) for k in ("JPN", "KOR", "TWN", "USA", "DEU")}
    foreign = float(z.loc[[i for i in z.index if i.endswith("_c14") and not i.startswith("CHN")], chn].to_numpy().sum())
    s = nbs42_origin_shares("intermediate").loc["20"]
    for k, v in row.items():
        assert s[k] == pytest.approx(v / foreign, rel=1e-12)
    # East Asia supplies most of China's imported electronics in WIOD 2011
    assert s["JPN"] + s["KOR"] + s["TWN"] > 0.5


def test_multi_industry_sector_weighted_by_import_value():
    m = china_imports_wiod().loc["intermediate"]
    expected = (m.loc["c9"] + m.loc["c10"]) / (m.loc["c9"] + m.loc["c10"]).sum()
    np.testing.assert_allclose(nbs42_origin_shares("intermediate").loc["12"], expected, rtol=1e-12)


def test_bad_use():
    with pytest.raises(DataError, match="use must be one of"):
        nbs42_origin_shares("both")


def test_customs_2017_replace_the_mining_mix_for_crude_oil_and_metal_ores():
    """Issue 14: crude oil (03) no longer takes the origin mix of all mining (22.6 % AUS, 6.8 % RUS)."""
    from chainsim.data.origins import customs_origin_shares

    c = customs_origin_shares()
    assert list(c.index) == ["03", "04"]
    np.testing.assert_allclose(c.sum(axis=1), 1.0, rtol=1e-12)
    # EIA (2018): 8.4 mb/d in 2017, Russia 1.2, Saudi Arabia 1.0, Brazil 5 %; Reuters: US 153 kb/d
    assert c.loc["03", "RUS"] == pytest.approx(1.2 / 8.4) and c.loc["03", "SAU"] == pytest.approx(1.0 / 8.4)
    assert c.loc["03", "BRA"] == pytest.approx(0.05) and c.loc["03", "USA"] == pytest.approx(0.153 / 8.4)
    assert c.loc["03", "AUS"] == 0
    # Argus: September 2017 iron ore, 102.83 Mt in all; Iran and Ukraine are not named and go to ROW
    assert c.loc["04", "AUS"] == pytest.approx(65.1 / 102.83) and c.loc["04", "ZAF"] == pytest.approx(5.09 / 102.83)
    assert c.loc["04", "ROW"] == pytest.approx(1 - (65.1 + 21.8 + 5.09 + 1.11) / 102.83)
    for use in ("intermediate", "final"):
        s = nbs42_origin_shares(use)
        np.testing.assert_allclose(s.loc[["03", "04"]].to_numpy(), c.to_numpy(), rtol=1e-12)
    # coal (02) keeps WIOD's mining mix (no 2017 total by origin was found)
    m = china_imports_wiod().loc["intermediate"]
    np.testing.assert_allclose(nbs42_origin_shares("intermediate").loc["02"], m.loc["c2"] / m.loc["c2"].sum())


def test_named_origins_carry_english_and_chinese_names_and_wiod_countries_exist():
    from chainsim.data.origins import origin_names

    names = origin_names()
    assert tuple(names) == ORIGINS and all(en and zh for en, zh in names.values())
    countries = set(pd.read_csv(WIOD / "countries_41.csv")["iso3"])
    wiod_named = [o for o in ORIGINS if o in countries]
    assert set(ORIGINS) - set(wiod_named) == {"SAU", "ZAF", "ROW"}  # named from customs figures only
    assert {"FRA", "GBR", "ITA", "NLD", "IND", "AUS", "BRA"} <= set(wiod_named)
    assert not {"SAU", "MYS", "SGP", "VNM", "CHE"} & countries  # not in WIOD 2013: inside its RoW


def test_named_origins_leave_row_small_for_machinery_and_vehicles():
    s = nbs42_origin_shares("intermediate")
    assert s.loc["18", "ROW"] < 0.15 and s.loc["16", "ROW"] < 0.2 and s.loc["04", "ROW"] < 0.1
    assert s.loc["20", "ROW"] < 0.31  # Malaysia, Singapore, the Philippines, Thailand, Vietnam: not in WIOD
