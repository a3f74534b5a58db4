"""The built china31-2017 table: 31 provinces, balanced, no province privileged."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from chainsim.data.build import build_china31_2017
from chainsim.data.provinces import RAW_DIR

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


def test_no_province_privileged(built):
    res = built[0]
    inc = res.report["inconsistency"]
    assert inc["fixed_provinces"] == []
    assert not any(r["raised_for_fixed"] for r in inc["per_product"])
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


def test_zero_output_industries_have_no_flows(built):
    t = built[0].table
    zero = t.x == 0
    assert zero.any()  # e.g. provinces without coal or crude-oil production
    assert (t.Z[zero] == 0).all() and (t.Y[zero] == 0).all() and (t.exports[zero] == 0).all()
