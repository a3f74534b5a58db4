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


@pytest.mark.parametrize("rule", ["proportional", "excess"])
def test_netting_preserves_every_provincial_row_and_caps_outflows(provinces, rule):
    arr, resid = provinces
    assert resid < 1.0  # sub-unit rounding of the published tables (10k CNY)
    tr = netting.net_reexports(arr.GO, arr.EX, arr.OF, arr.IM, arr.IF, rule=rule)
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
    jl = tr.netted[6].sum(axis=1)
    assert {f"{p + 1:02d}" for p in np.flatnonzero(jl)} >= {"08", "09", "10", "11", "13", "14", "17", "18", "23", "26"}
    assert tr.netted[7, 2].sum() > 0  # Heilongjiang crude oil and gas: pipeline imports passed on
    local = arr.GO - tr.EX - tr.OF
    produced_and_used = (arr.GO > 0) & (arr.Z.sum(axis=2) > 0)
    if rule == "excess":  # builder 1.x: Liaoning is never netted, and Jilin keeps none of its transport equipment
        assert tr.netted[5].sum() == 0
        assert local[6, 17] == 0 and (produced_and_used & (local <= 0)).sum() >= 14
    else:  # transit through every province; every producing and using province keeps local supply
        assert tr.netted[5, :, 0].sum() > 0
        assert not (produced_and_used & (local <= 0)).any()
        assert (tr.netted[..., 0].sum() > tr.netted[..., 1:].sum())  # mostly inter-provincial transit


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


@pytest.mark.parametrize(("rule", "match"), [("excess", "re-exports exceed the inflows and imports"),
                                             ("proportional", r"domestic use GO \+ IM \+ IF - EX - OF is -2")])
def test_netting_impossible_when_domestic_use_negative(rule, match):
    with pytest.raises(DataError, match=match):
        netting.net_reexports(np.array([10.0]), np.array([2.0]), np.array([15.0]), np.array([1.0]), np.array([4.0]),
                              rule=rule)


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


def test_source_shares_with_unmatched_inflow_add_up():
    """The pseudo-origin DOM supplies IF_u / P of the positive uses; negative entries stay L : IF."""
    Z = np.array([[6.0]])
    F = np.array([[6.0, -2.0]])
    s = netting.source_shares(Z, F, go=np.array([5.0]), ex=np.array([1.0]), of=np.array([1.0]), im=np.array([2.0]),
                              inflow=np.array([3.0]), unmatched_inflow=np.array([2.0]))
    assert s.unallocated[0] == pytest.approx(2.0 / 12.0) and s.abroad[0] == pytest.approx(2.0 / 12.0)
    assert (s.local + s.other + s.abroad + s.unallocated)[0] == pytest.approx(1.0)
    assert s.negative_local[0] == pytest.approx(3.0 / 6.0)  # L = 3, matched IF = 3
    plain = netting.source_shares(Z, F, go=np.array([5.0]), ex=np.array([1.0]), of=np.array([1.0]),
                                  im=np.array([2.0]), inflow=np.array([5.0]))
    assert plain.unallocated[0] == 0.0


def _pieces_balance(arr, tr, rec):
    """Provincial rows with unmatched outflows sold to final demand and unmatched inflows from DOM."""
    return (arr.Z.sum(axis=2) + arr.F.sum(axis=2) + rec.OF_unmatched + tr.EX + rec.OF - tr.IM - rec.IF
            - rec.IF_unmatched - arr.GO)


@pytest.mark.parametrize("fixed_codes", [("06", "07", "08"), ()])
def test_reconciliation_matches_national_totals_and_keeps_the_rest(provinces, fixed_codes):
    """With fixed provinces (an option no shipped dataset uses since builder 2.0) on the trade netted by the
    excess rule, the case it was written for; without, on the shipped netting."""
    arr, _ = provinces
    tr = netting.net_reexports(arr.GO, arr.EX, arr.OF, arr.IM, arr.IF, rule="excess" if fixed_codes else "proportional")
    fixed = np.array([f"{i + 1:02d}" in fixed_codes for i in range(31)])
    rec = netting.reconcile_interprovincial(tr.OF, tr.IF, fixed)
    matched = np.minimum(tr.OF.sum(axis=0), tr.IF.sum(axis=0))
    np.testing.assert_allclose(rec.OF.sum(axis=0), matched, rtol=1e-12)
    np.testing.assert_allclose(rec.IF.sum(axis=0), matched, rtol=1e-12)
    # matched + unmatched = the netted flows (to the last bits); nothing negative
    np.testing.assert_allclose(rec.OF + rec.OF_unmatched, tr.OF, rtol=1e-14, atol=0)
    np.testing.assert_allclose(rec.IF + rec.IF_unmatched, tr.IF, rtol=1e-14, atol=0)
    for a in (rec.OF, rec.IF, rec.OF_unmatched, rec.IF_unmatched):
        assert (a >= 0).all()
    # unmatched on one side only, and nationally exactly the gap
    assert ((rec.OF_unmatched.sum(axis=0) == 0) | (rec.IF_unmatched.sum(axis=0) == 0)).all()
    gap = tr.OF.sum(axis=0) - tr.IF.sum(axis=0)
    np.testing.assert_allclose(rec.OF_unmatched.sum(axis=0) - rec.IF_unmatched.sum(axis=0), gap, rtol=1e-9, atol=1e-3)
    # every provincial row still balances, with no inventory edit
    np.testing.assert_allclose(_pieces_balance(arr, tr, rec), 0, atol=1e-5)
    assert len(rec.report) == 42
    if fixed_codes:  # the Northeast is matched in full except its repair inflows (product 23)
        um = rec.OF_unmatched[fixed] + rec.IF_unmatched[fixed]
        assert set(np.flatnonzero(um.sum(axis=0) > 0)) == {22}
        assert (rec.OF_unmatched[fixed] == 0).all()
        assert [k for k, r in enumerate(rec.report) if r["capped_for_fixed"]] == [22]
        r23 = rec.report[22]
        # the three provinces' repair inflows are matched at a common factor, as far as the rest can supply
        np.testing.assert_allclose(rec.IF[fixed, 22], r23["fixed_factor"] * tr.IF[fixed, 22], rtol=1e-12)
        head = r23["matched"] / 1.05
        assert rec.IF[fixed, 22].sum() <= head * (1 + 1e-12)
        assert ((rec.IF + rec.OF)[fixed, 22] <= head * (1 + 1e-12)).all()
    else:  # no province privileged: only the larger side is scaled, and uniformly
        for r in rec.report:
            assert min(r["OF_factor"], r["IF_factor"]) <= 1.0 and max(r["OF_factor"], r["IF_factor"]) == 1.0
            assert not r["capped_for_fixed"]
        share_of = np.divide(rec.OF_unmatched, tr.OF, out=np.zeros_like(tr.OF), where=tr.OF > 0)
        for p in range(42):
            vals = share_of[tr.OF[:, p] > 0, p]
            assert np.ptp(vals) < 1e-12


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e3), st.floats(0, 1e3), st.booleans()), min_size=3, max_size=7))
def test_property_reconciliation(rows):
    OF = np.array([[r[0]] for r in rows])
    IF = np.array([[r[1]] for r in rows])
    fixed = np.array([r[2] for r in rows])
    fixed[0] = False  # at least one adjustable province
    try:
        rec = netting.reconcile_interprovincial(OF, IF, fixed)
    except DataError:
        return  # the adjustable provinces cannot fill the matched total: reported, never silently wrong
    total = min(OF.sum(), IF.sum())
    assert rec.OF.sum() == pytest.approx(total, rel=1e-9, abs=1e-9)
    assert rec.IF.sum() == pytest.approx(total, rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(rec.OF + rec.OF_unmatched, OF, rtol=1e-14, atol=0)
    np.testing.assert_allclose(rec.IF + rec.IF_unmatched, IF, rtol=1e-14, atol=0)
    assert min(a.min() for a in (rec.OF, rec.IF, rec.OF_unmatched, rec.IF_unmatched)) >= 0
    r = rec.report[0]
    if r["capped_for_fixed"]:  # the fixed provinces were cut only as far as needed to fit
        big = rec.OF if r["larger_side"] == "OF" else rec.IF
        assert big[fixed].sum() <= total / 1.05 * (1 + 1e-9) or \
            ((rec.OF + rec.IF)[fixed & (big[:, 0] > 0)] <= total / 1.05 * (1 + 1e-9)).all()
    else:
        assert (rec.OF_unmatched[fixed] == 0).all() and (rec.IF_unmatched[fixed] == 0).all()


def test_reconciliation_reports_when_the_adjustable_provinces_cannot_fill():
    OF = np.array([[0.0], [5.0], [5.1]])
    IF = np.array([[10.0], [0.0], [0.2]])  # the fixed province 0 takes nearly all inflows and must be cut
    with pytest.raises(DataError, match=r"product 0: the adjustable provinces' IF total 0\.2 but 0\.48"):
        netting.reconcile_interprovincial(OF, IF, np.array([True, True, False]))
