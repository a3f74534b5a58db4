"""The built china31-2017 table: 31 provinces, balanced, no province privileged."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from chainsim.data.build import _raw_files, build_china31_2017
from chainsim.data.mrio import stack_tables
from chainsim.data.nbs import read_nbs_table
from chainsim.data.provinces import RAW_DIR
from chainsim.data.reexports import net_reexports

TOTALS = pd.read_csv(RAW_DIR / "nbs_provincial_io_42" / "province_totals_10k_cny.csv", dtype={"code": str})


@pytest.fixture(scope="module")
def built():
    t0 = time.perf_counter()
    res = build_china31_2017()
    return res, time.perf_counter() - t0


def test_builds_fast_and_balances(built):
    res, seconds = built
    t = res.table
    assert seconds < 30
    assert t.n_regions == 31 and t.n_industries == 1302 and t.Z.shape == (1302, 1302)
    assert t.region_codes[:8] == ("BJ", "TJ", "HEB", "SX", "NM", "LN", "JL", "HLJ") and t.region_codes[-1] == "XJ"
    rows = t.Z.sum(axis=1) + t.Y.sum(axis=1) + t.exports
    cols = t.Z.sum(axis=0) + t.imports_Z.sum(axis=(0, 1)) + t.value_added
    pos = t.x > 0
    assert (np.abs(rows - t.x)[pos] <= 1e-6 * t.x[pos]).all() and (rows[~pos] == 0).all()
    assert (np.abs(cols - t.x)[pos] <= 1e-6 * t.x[pos]).all()


def test_every_province_matches_its_nbs_totals(built):
    t = built[0].table
    pub = TOTALS[TOTALS["year"] == 2017].set_index("code")
    for i in range(31):
        m = t.region_of == i
        code = f"{i + 1:02d}"
        assert t.x[m].sum() == pytest.approx(pub.loc[code, "GO"], abs=1.0)
        assert t.value_added[m].sum() == pytest.approx(pub.loc[code, "VA"], abs=1.0)


def test_only_the_northeast_is_matched_in_full(built):
    """The same provincial build as northeast-2017: LN, JL, HLJ are matched in full wherever the data allow; the
    other 28 provinces carry each product's national gap by one common factor."""
    res = built[0]
    inc = res.report["inconsistency"]
    assert inc["fixed_provinces"] == ["LN", "JL", "HLJ"]
    assert {r["product"] for r in inc["per_product"] if r["capped_for_fixed"]} == {"23", "26", "33"}
    t = res.table
    S = t.n_sectors
    # inter-provincial trade adds up nationally: sum of outflows = sum of inflows, per product
    out = np.zeros(S)
    for r in range(31):
        own = slice(r * S, (r + 1) * S)
        others = np.flatnonzero(t.region_of != r)
        fd = [k for k, (reg, _) in enumerate(t.fd_columns) if reg != t.region_codes[r]]
        out += t.Z[own][:, others].sum(axis=1) + t.Y[own][:, fd].sum(axis=1)
    totals = np.array([p["total"] for p in inc["per_product"]])
    np.testing.assert_allclose(out, totals, rtol=1e-8)
    # the unmatched rest: DOM supplies unmatched inflows, 'unallocated_outflow' takes unmatched outflows
    assert t.domestic_origins == ("DOM",) and t.origins[-1] == "DOM"
    unalloc = [k for k, (_, c) in enumerate(t.fd_columns) if c == "unallocated_outflow"]
    assert len(unalloc) == 31 and (t.Y[:, unalloc] >= 0).all()
    out_u = t.Y[:, unalloc].sum(axis=1).reshape(31, S).sum(axis=0)
    in_u = t.imports_Z[t.origin_index("DOM")].sum(axis=1) + t.imports_Y[t.origin_index("DOM")].sum(axis=1)
    np.testing.assert_allclose(out_u, [p["unmatched_OF"] for p in inc["per_product"]], rtol=1e-9, atol=1e-3)
    np.testing.assert_allclose(in_u, [p["unmatched_IF"] for p in inc["per_product"]], rtol=1e-9, atol=1e-3)
    assert ((out_u < 1e-3) | (in_u < 1e-3)).all()  # one side per product
    # the 28 others: every province keeps the same matched fraction of its outflows where OF is the larger side
    arr = stack_tables([read_nbs_table(f) for f in _raw_files(2017)])[0]
    tr = net_reexports(arr.GO, arr.EX, arr.OF, arr.IM, arr.IF)
    others = np.array([c not in ("LN", "JL", "HLJ") for c in t.region_codes])
    unalloc_of = t.Y[:, unalloc].reshape(31, S, 31).sum(axis=2)  # (province, product): own unmatched outflow
    for p, rec in enumerate(inc["per_product"]):
        if rec["larger_side"] == "OF":
            has = others & (tr.OF[:, p] > 0)
            np.testing.assert_allclose(unalloc_of[has, p] / tr.OF[has, p], 1 - rec["OF_factor"], rtol=1e-9, atol=1e-12)
            assert (unalloc_of[~others, p] == 0).all()


def test_no_negative_final_demand_beyond_the_raw_tables(built):
    """Negative final-demand cells are inventory draw-downs of the raw tables only, never larger than them."""
    t = built[0].table
    inv = [k for k, (_, c) in enumerate(t.fd_columns) if c == "inventory"]
    others = [k for k in range(len(t.fd_columns)) if k not in inv]
    assert (t.Y[:, others] >= 0).all()
    arr = stack_tables([read_nbs_table(f) for f in _raw_files(2017)])[0]
    # per destination province and product, deliveries + imports into inventories = the raw inventory change
    delivered = t.Y[:, inv].reshape(31, t.n_sectors, 31).sum(axis=0).T + t.imports_Y[:, :, inv].sum(axis=0).T
    np.testing.assert_allclose(delivered, arr.F[..., 3], rtol=1e-9, atol=1e-3)
    # a negative cell sits where the destination province's raw inventory change of that product is negative
    o, d = np.nonzero(t.Y[:, inv] < 0)
    assert (arr.F[d, t.sector_of[o], 3] < 0).all()
    # so a negative total final demand is bounded by the raw negative entries of its product
    fd = t.Y.sum(axis=1) + t.exports
    raw_neg = np.clip(arr.F, None, 0).sum(axis=(0, 2))
    k = np.flatnonzero(fd < 0)
    assert (raw_neg[t.sector_of[k]] < 0).all() and (fd[k] >= raw_neg[t.sector_of[k]]).all()


def test_zero_output_industries_have_no_flows(built):
    t = built[0].table
    zero = t.x == 0
    assert zero.any()  # e.g. provinces without coal or crude-oil production
    assert (t.Z[zero] == 0).all() and (t.Y[zero] == 0).all() and (t.exports[zero] == 0).all()
