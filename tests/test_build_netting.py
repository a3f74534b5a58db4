"""Re-export netting, final-demand folding, supply shares and the national OF/IF reconciliation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.data import netting
from chainsim.data.build import _raw_files
from chainsim.data.mrio import stack_tables
from chainsim.data.nbs import read_nbs_table
from chainsim.errors import DataError


@pytest.fixture(scope="module")
def provinces():
    arr, resid = stack_tables([read_nbs_table(f) for f in _raw_files(2017)])
    return arr, resid


def _row_balance(arr, tr, F=None):
    F = arr.F if F is None else F
    return arr.Z.sum(axis=2) + F.sum(axis=2) + tr.EX + tr.OF - tr.IM - tr.IF - arr.GO


def test_netting_preserves_every_provincial_row_and_caps_outflows(provinces):
    arr, resid = provinces
    assert resid < 1.0  # sub-unit rounding of the published tables (10k CNY)
    tr = netting.net_reexports(arr.GO, arr.EX, arr.OF, arr.IM, arr.IF)
    before = arr.Z.sum(axis=2) + arr.F.sum(axis=2) + arr.EX + arr.OF - arr.IM - arr.IF - arr.GO
    np.testing.assert_allclose(_row_balance(arr, tr), before, atol=1e-6)
    assert np.abs(before).max() < 1e-6  # ERR and the rounding residual are folded into inventories
    assert (tr.EX + tr.OF <= arr.GO * (1 + 1e-12) + 1e-9).all()
    for a in (tr.EX, tr.OF, tr.IM, tr.IF, tr.netted):
        assert (a >= 0).all()
    # what is netted is exactly what left the trade columns, pair by pair
    np.testing.assert_allclose(arr.OF - tr.OF, tr.netted[..., 0] + tr.netted[..., 2], atol=1e-6)
    np.testing.assert_allclose(arr.IF - tr.IF, tr.netted[..., 0] + tr.netted[..., 3], atol=1e-6)
    np.testing.assert_allclose(arr.EX - tr.EX, tr.netted[..., 1] + tr.netted[..., 3], atol=1e-6)
    np.testing.assert_allclose(arr.IM - tr.IM, tr.netted[..., 1] + tr.netted[..., 2], atol=1e-6)
    # known re-exporters (PROVENANCE caveat): Jilin and Heilongjiang net out, Liaoning does not
    assert tr.netted[5].sum() == 0
    jl = tr.netted[6].sum(axis=1)
    assert {f"{p + 1:02d}" for p in np.flatnonzero(jl)} >= {"08", "09", "10", "11", "13", "14", "17", "18", "23", "26"}
    assert tr.netted[7, 2].sum() > 0  # Heilongjiang crude oil and gas


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1e6), min_size=5, max_size=5), st.floats(0, 1e6))
def test_property_netting_is_balance_preserving(v, use):
    go, ex, of, im = v[:4]
    inflow = use + ex + of - go - im  # so that domestic use GO + IM + IF - EX - OF = use >= 0
    if inflow < 0:
        im, inflow = im + inflow, 0.0
        if im < 0:
            return
    t = netting.net_reexports(np.array([go]), np.array([ex]), np.array([of]), np.array([im]), np.array([inflow]))
    assert t.EX[0] + t.OF[0] <= go * (1 + 1e-12) + 1e-6
    assert (t.EX + t.OF - t.IM - t.IF)[0] == pytest.approx(ex + of - im - inflow, abs=1e-6)
    assert min(t.EX[0], t.OF[0], t.IM[0], t.IF[0]) >= 0


def test_netting_impossible_when_domestic_use_negative():
    with pytest.raises(DataError, match="re-exports exceed the inflows and imports"):
        netting.net_reexports(np.array([10.0]), np.array([2.0]), np.array([15.0]), np.array([1.0]), np.array([4.0]))


def test_source_shares_sum_to_one_and_match_domestic_use_without_negatives(provinces):
    arr, _ = provinces
    tr = netting.net_reexports(arr.GO, arr.EX, arr.OF, arr.IM, arr.IF)
    for negatives in ("domestic", "local"):
        sh = netting.source_shares(arr.Z, arr.F, arr.GO, tr.EX, tr.OF, tr.IM, tr.IF, negatives=negatives)
        used = sh.positive_use > 0
        np.testing.assert_allclose((sh.local + sh.other + sh.abroad)[used], 1.0, atol=1e-9)
        for a in (sh.local, sh.other, sh.abroad, sh.negative_local):
            assert (a >= 0).all()
    plain = used & (sh.negative_use == 0)
    U = arr.Z.sum(axis=2) + arr.F.sum(axis=2)
    np.testing.assert_allclose(sh.abroad[plain], (tr.IM / np.where(U > 0, U, 1))[plain], rtol=1e-9)
    np.testing.assert_allclose(sh.other[plain], (tr.IF / np.where(U > 0, U, 1))[plain], rtol=1e-9)


@pytest.mark.parametrize("fixed_codes", [("06", "07", "08"), ()])
def test_reconciliation_equalises_national_totals_and_keeps_fixed_provinces(provinces, fixed_codes):
    arr, _ = provinces
    tr = netting.net_reexports(arr.GO, arr.EX, arr.OF, arr.IM, arr.IF)
    fixed = np.array([f"{i + 1:02d}" in fixed_codes for i in range(31)])
    rec = netting.reconcile_interprovincial(tr.OF, tr.IF, arr.GO - tr.EX - tr.OF, fixed)
    np.testing.assert_allclose(rec.OF.sum(axis=0), rec.IF.sum(axis=0), rtol=1e-12)
    assert (rec.OF[fixed] == tr.OF[fixed]).all() and (rec.IF[fixed] == tr.IF[fixed]).all()
    assert (rec.inventory_delta[fixed] == 0).all()
    # balance-preserving: the edit of OF and IF is exactly absorbed by the inventory change
    F = arr.F.copy()
    F[..., 3] += rec.inventory_delta
    np.testing.assert_allclose(_row_balance(arr, tr._replace(OF=rec.OF, IF=rec.IF), F), 0, atol=1e-5)
    assert (rec.OF <= arr.GO - tr.EX + 1e-6).all()  # never ship more than local output
    assert len(rec.report) == 42
    if not fixed_codes:  # no province privileged: only the larger side is scaled, and uniformly
        for r in rec.report:
            assert min(r["OF_factor"], r["IF_factor"]) <= 1.0 and max(r["OF_factor"], r["IF_factor"]) == 1.0
            assert not r["raised_for_fixed"]
