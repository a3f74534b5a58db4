"""The built northeast-2017 table: balance, NBS totals, focus provinces' trade, exposure facts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chainsim.data import netting
from chainsim.data.build import NORTHEAST, _raw_files, build_northeast_2017, provincial_build
from chainsim.data.mrio import stack_tables
from chainsim.data.nbs import read_nbs_table
from chainsim.data.origins import ORIGINS
from chainsim.data.provinces import RAW_DIR, load_provinces

TOTALS = pd.read_csv(RAW_DIR / "nbs_provincial_io_42" / "province_totals_10k_cny.csv", dtype={"code": str})
FOCUS = {"LN": "06", "JL": "07", "HLJ": "08"}


@pytest.fixture(scope="module")
def built():
    return build_northeast_2017()


@pytest.fixture(scope="module")
def parsed():
    return {c: read_nbs_table(f) for c, f in zip([f"{i:02d}" for i in range(1, 32)], _raw_files(2017), strict=True)}


@pytest.fixture(scope="module")
def raw_fd(parsed):
    """Final demand of the raw provincial tables by category (ERR and rounding in inventory), (31, 42, 4)."""
    return stack_tables(list(parsed.values()))[0].F


def test_layout(built):
    t = built.table
    assert t.name == "northeast-2017" and t.region_codes == ("LN", "JL", "HLJ", "ROC")
    assert [r.name_zh for r in t.regions] == ["辽宁", "吉林", "黑龙江", "中国其他地区"]
    assert t.regions[3].name_en == "Rest of China"
    assert t.sector_codes == tuple(f"{i:02d}" for i in range(1, 43))
    assert t.sectors[19].name_en.startswith("Manufacture of communication equipment")
    assert t.origins == (*ORIGINS, "DOM") and t.origins[:9] == ("JPN", "KOR", "TWN", "USA", "DEU", "RUS", "AUS", "BRA",
                                                                "FRA")
    assert {"SAU", "AUS", "BRA", "IND", "FRA", "GBR", "ITA", "NLD"} <= set(t.origins)
    assert t.domestic_origins == ("DOM",) and t.foreign_origins == ORIGINS
    assert t.unit == "10k CNY" and t.cny_per_unit == 1e4
    assert t.fd_columns[:5] == (("LN", "household"), ("LN", "government"), ("LN", "gfcf"), ("LN", "inventory"),
                                ("LN", "unallocated_outflow"))
    assert len(t.fd_columns) == 4 * 5
    assert t.provenance["origin_names"]["DOM"] == ["unallocated domestic inflows (national OF/IF gap)",
                                                   "国内未匹配调入"]
    assert t.provenance["origin_names"]["SAU"] == ["Saudi Arabia", "沙特阿拉伯"]
    assert set(t.provenance["origin_names"]) == set(t.origins)
    assert len(t.provenance["regions"]["ROC"]) == 28


def test_balances_every_row_and_column_to_1e_6(built):
    t = built.table
    rows = t.Z.sum(axis=1) + t.Y.sum(axis=1) + t.exports
    cols = t.Z.sum(axis=0) + t.imports_Z.sum(axis=(0, 1)) + t.value_added
    assert (np.abs(rows - t.x) <= 1e-6 * t.x).all()
    assert (np.abs(cols - t.x) <= 1e-6 * t.x).all()
    assert (t.Z >= 0).all() and (t.imports_Z >= 0).all() and (t.imports_Y >= 0).all()


@pytest.mark.parametrize(("region", "go_trn", "va_trn"), [("LN", 6.11, 2.34), ("JL", 4.58, 1.48), ("HLJ", 3.57, 1.59)])
def test_focus_totals_equal_nbs(built, region, go_trn, va_trn):
    t = built.table
    m = t.region_of == t.region_index(region)
    pub = TOTALS[(TOTALS["year"] == 2017) & (TOTALS["code"] == FOCUS[region])].iloc[0]
    go, va = t.x[m].sum(), t.value_added[m].sum()
    assert go == pytest.approx(pub["GO"], rel=0.005) and va == pytest.approx(pub["VA"], rel=0.005)
    assert abs(go - pub["GO"]) < 1.0 and abs(va - pub["VA"]) < 1.0  # exact to the source's rounding (10k CNY)
    assert go * 1e4 / 1e12 == pytest.approx(go_trn, abs=0.005)
    assert va * 1e4 / 1e12 == pytest.approx(va_trn, abs=0.005)


def test_all_31_provinces_sum_to_national_totals(built):
    t = built.table
    pub = TOTALS[TOTALS["year"] == 2017]
    assert t.x.sum() == pytest.approx(pub["GO"].sum(), rel=1e-9)
    assert t.value_added.sum() == pytest.approx(pub["VA"].sum(), rel=1e-8)


def _trade(t, region):
    """Region's outflows (matched to other regions, unmatched to its unallocated_outflow), inflows, imports."""
    S = t.n_sectors
    r = t.region_index(region)
    own = slice(r * S, (r + 1) * S)
    other_cols = np.flatnonzero(t.region_of != r)
    other_fd = [k for k, (reg, _) in enumerate(t.fd_columns) if reg != region]
    own_fd = [k for k, (reg, _) in enumerate(t.fd_columns) if reg == region]
    unalloc = t.fd_columns.index((region, netting.UNALLOCATED_OUTFLOW))
    matched_out = t.Z[own][:, other_cols].sum(axis=1) + t.Y[own][:, other_fd].sum(axis=1)
    matched_in = np.zeros(S)
    for o in range(t.n_regions):
        if o != r:
            rows = slice(o * S, (o + 1) * S)
            matched_in += t.Z[rows][:, own].sum(axis=1) + t.Y[rows][:, own_fd].sum(axis=1)
    dom = t.origin_index("DOM")
    ab = [t.origin_index(o) for o in t.foreign_origins]
    return {"matched_out": matched_out, "unmatched_out": t.Y[own, unalloc], "matched_in": matched_in,
            "unmatched_in": t.imports_Z[dom][:, own].sum(axis=1) + t.imports_Y[dom][:, own_fd].sum(axis=1),
            "imports": t.imports_Z[ab][:, :, own].sum(axis=(0, 2)) + t.imports_Y[ab][:, :, own_fd].sum(axis=(0, 2)),
            "exports": t.exports[own]}


def test_focus_interprovincial_trade_matches_netted_tables(built, parsed):
    """LN, JL, HLJ: matched + unmatched OF and IF are the netted table values, per product, and they are matched
    in full except their inflows of repair (23), water (26) and real estate (33), which the rest of China's
    outflows of these products cannot supply (there the three are matched at one common factor)."""
    t = built.table
    capped = {int(r["product"]) - 1 for r in built.report["inconsistency"]["per_product"] if r["capped_for_fixed"]}
    assert capped == {22, 25, 32}
    for region, code in FOCUS.items():
        pt = parsed[code]
        tr = netting.net_reexports(pt.GO, pt.EX, pt.OF, pt.IM, pt.IF)
        got = _trade(t, region)
        np.testing.assert_allclose(got["matched_out"] + got["unmatched_out"], tr.OF, rtol=1e-8, atol=1e-4)
        np.testing.assert_allclose(got["matched_in"] + got["unmatched_in"], tr.IF, rtol=1e-8, atol=1e-4)
        np.testing.assert_allclose(got["exports"], tr.EX, rtol=1e-12)
        np.testing.assert_allclose(got["imports"], tr.IM, rtol=1e-9, atol=1e-4)
        assert (got["unmatched_out"] == 0).all()
        assert set(np.flatnonzero(got["unmatched_in"] > 1e-6)) <= capped


def test_final_demand_is_the_raw_tables_plus_non_negative_unallocated_outflows(built, raw_fd):
    """No final demand is created or edited by the reconciliation: per destination region, product and raw
    category, domestic deliveries plus imports (foreign and DOM) add up to the raw provincial tables."""
    t = built.table
    S = t.n_sectors
    order = [p.code for p in load_provinces()]  # row order of raw_fd
    for r, reg in enumerate(t.region_codes):
        prov = [order.index(p) for p in t.provenance["regions"][reg]]
        for c, cat in enumerate(netting.FD_CATEGORIES):
            col = t.fd_columns.index((reg, cat))
            delivered = t.Y[:, col].reshape(t.n_regions, S).sum(axis=0) + t.imports_Y[:, :, col].sum(axis=0)
            np.testing.assert_allclose(delivered, raw_fd[prov, :, c].sum(axis=0), rtol=1e-9, atol=1e-3)
        col = t.fd_columns.index((reg, netting.UNALLOCATED_OUTFLOW))
        assert (t.Y[:, col] >= 0).all() and (t.imports_Y[:, :, col] == 0).all()
        assert (t.Y[np.flatnonzero(t.region_of != r), col] == 0).all()  # only the region's own products
    neg_cols = sorted({t.fd_columns[k][1] for k in np.unique(np.nonzero(t.Y < 0)[1])})
    assert neg_cols == ["inventory"]


def test_no_negative_final_demand_created_by_the_build(built, raw_fd):
    """A negative total final demand (Y row + exports) must come from negative raw entries (FU202, ERR) of that
    product, and be no larger than them; ROC|23 (-5.6 x output under inventory absorption) is positive."""
    t = built.table
    fd = t.Y.sum(axis=1) + t.exports
    raw_neg = np.clip(raw_fd, None, 0).sum(axis=(0, 2))  # per product, all provinces
    for k in np.flatnonzero(fd < 0):
        p = t.sector_of[k]
        assert raw_neg[p] < 0, t.labels[k]
        assert fd[k] >= raw_neg[p] and np.clip(t.Y[k], None, 0).sum() >= raw_neg[p]
    # 5 small ones: JL|03, JL|04, HLJ|04, HLJ|05 (< 0.8 % of output) and HLJ|14 (-2.1 %), the provinces' shares
    # of other provinces' raw inventory draw-downs of mining products and metals
    assert (fd < 0).sum() <= 5
    assert (fd >= -0.025 * t.x).all()
    roc23 = t.industry_index("ROC", "23")
    assert fd[roc23] > 0 and t.Z[roc23].sum() < t.x[roc23]


def test_exposure_facts_in_the_parsed_tables(parsed):
    """DESIGN §2: shares of each province's own use U = TIU + TC + GCF + ERR (raw NBS tables)."""
    ln, jl, hlj = (parsed[c] for c in NORTHEAST)
    e = 19  # sector 20, electronics
    u_ln = ln.domestic_use
    assert ln.IM[e] / u_ln[e] == pytest.approx(0.10, abs=0.005)
    assert ln.IF[e] / u_ln[e] == pytest.approx(0.54, abs=0.005)
    assert hlj.IF[e] / hlj.domestic_use[e] == pytest.approx(1.0, abs=0.01)
    assert hlj.IM[2] > hlj.domestic_use[2]  # crude oil and gas (03): imports exceed use
    assert jl.IF[17] > jl.domestic_use[17]  # transport equipment (18): inflow exceeds use


def test_exposure_carried_into_the_built_table(built, parsed):
    t = built.table
    S = t.n_sectors
    r = t.region_index("LN")
    own = slice(r * S, (r + 1) * S)
    own_fd = [k for k, (reg, _) in enumerate(t.fd_columns) if reg == "LN"]
    p = 19
    rows = [o * S + p for o in range(t.n_regions)]
    uses = t.Z[rows][:, own].sum() + np.clip(t.Y[rows][:, own_fd], 0, None).sum()
    abroad = [t.origin_index(o) for o in t.foreign_origins]
    foreign = t.imports_Z[abroad][:, p, own].sum() + t.imports_Y[abroad][:, p, own_fd].sum()
    share_abroad = foreign / (uses + foreign)
    assert share_abroad == pytest.approx(0.10, abs=0.005)
    # the rest of China carries its own import dependence (indirect exposure of the Northeast)
    roc = t.region_index("ROC")
    assert t.imports_Z[:, p, roc * S:(roc + 1) * S].sum() > 50 * t.imports_Z[:, p, own].sum()


def test_report_records_netting_inconsistency_and_ras(built):
    rep = built.report
    net = rep["netting"]
    assert net["rule"] == "proportional"
    assert net["by_province"]["LN"]["OF-IF"] > 0 and net["by_province"]["JL"]["OF-IF"] > 0
    assert net["by_province"]["HLJ"]["OF-IM"] > 0  # crude oil passed on
    inc = rep["inconsistency"]
    assert inc["fixed_provinces"] == ["LN", "JL", "HLJ"]
    assert {r["sector"] for r in inc["fixed_unmatched"]} == {"23", "26", "33"}
    assert inc["sum_IF"] > inc["sum_OF"]
    assert len(inc["per_product"]) == 42
    # matched + unmatched add up to each side; the unmatched parts are the national gaps
    assert inc["matched"] + inc["unmatched_OF"] == pytest.approx(inc["sum_OF"], rel=1e-12)
    assert inc["matched"] + inc["unmatched_IF"] == pytest.approx(inc["sum_IF"], rel=1e-12)
    assert inc["unmatched_OF"] + inc["unmatched_IF"] == pytest.approx(inc["sum_abs_product_gaps"], rel=1e-12)
    assert "inventory_change_absorbed" not in inc
    assert rep["ras"]["max_gap"] <= 1e-10
    assert rep["import_split"]["fallback_rows"] < 0.05 * rep["import_split"]["rows"]
    prov = built.table.provenance
    assert prov["builder_version"] and "raw_sha256" in prov and len(prov["assumptions"]) >= 7
    assert prov["recipe"]["reexport_rule"] == "proportional"
    assert prov["gravity"]["beta"] == prov["recipe"]["gravity_beta"]
    assert "nbs_national_io/china_2017_42_noncompetitive.csv" in prov["raw_sha256"]


def test_builder_is_deterministic(built):
    provincial_build.cache_clear()
    assert build_northeast_2017().table.checksum == built.table.checksum


def test_every_producing_and_using_province_keeps_own_province_supply(built, parsed):
    """Issue 14: where the raw table has output and own use of a product, the built table keeps some of that
    output for the province's own industries; Jilin's transport equipment (FAW's home) keeps at least a fifth
    of its raw 18 -> 18 use (builder 1.x: 0, as the re-export netting left Jilin no output of 18)."""
    t = built.table
    S = t.n_sectors
    for region, code in FOCUS.items():
        pt = parsed[code]
        r = t.region_index(region)
        own = slice(r * S, (r + 1) * S)
        supply = t.Z[own][:, own].sum(axis=1)  # own-province intermediate supply per product
        raw_own_use = pt.Z.sum(axis=1)
        expected = (pt.GO > 0) & (raw_own_use > 0)
        assert expected.sum() >= 35
        missing = [f"{region}|{p + 1:02d}" for p in np.flatnonzero(expected & (supply <= 0))]
        assert not missing, missing
    jl18 = t.industry_index("JL", "18")
    assert t.Z[jl18, jl18] >= 0.2 * parsed["07"].Z[17, 17]


def test_northeast_is_the_aggregation_of_china31(built):
    """Issue 14: one build, two views. LN, JL, HLJ rows and columns of northeast-2017 equal china31-2017's, and
    ROC is the sum of the other 28 provinces, to 1e-9 relative."""
    from chainsim.data.aggregation import aggregate_regions
    from chainsim.data.build import build_china31_2017

    ne = built.table
    c31 = build_china31_2017().table
    rest = [c for c in c31.region_codes if c not in FOCUS]
    agg = aggregate_regions(c31, {"LN": ["LN"], "JL": ["JL"], "HLJ": ["HLJ"], "ROC": rest})
    assert agg.region_codes == ne.region_codes and agg.fd_columns == ne.fd_columns and agg.origins == ne.origins
    for f in ("Z", "Y", "exports", "value_added", "x", "imports_Z", "imports_Y"):
        a, b = getattr(ne, f), getattr(agg, f)
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * np.abs(b).max(), err_msg=f)
    # the Northeast blocks themselves are china31's cells, not sums
    S = ne.n_sectors
    ln, jl = ne.region_index("LN"), ne.region_index("JL")
    c_ln, c_jl = c31.region_index("LN"), c31.region_index("JL")
    np.testing.assert_allclose(ne.Z[ln * S:(ln + 1) * S, jl * S:(jl + 1) * S],
                               c31.Z[c_ln * S:(c_ln + 1) * S, c_jl * S:(c_jl + 1) * S], rtol=1e-12)
