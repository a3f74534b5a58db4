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
