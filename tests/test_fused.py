"""The compiled daily loops (``engine.fused``) give bitwise the results of the numpy reference path."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainsim.engine import Engine, build_model, fused
from chainsim.engine.kernel import Workspace, init_state, step
from chainsim.engine.params import resolve_params
from tests.test_engine_helpers import make_table

pytestmark = pytest.mark.skipif(not fused.ENABLED, reason="numba not importable: only the numpy path runs")

PARTIAL = ((1.0, 0.5, 0.0), (0.5, 1.0, 0.5), (0.0, 0.5, 1.0))  # critical, important and never-binding inputs
CUTS = [{"type": "link_cut", "product": "S0", "from_region": ["R0", "R1"], "to_region": "R2", "start": 5,
         "duration": 40, "share": 0.9},
        {"type": "import_cut", "product": ["S1", "S2"], "region": ["R0", "R2"], "share": 0.8, "start": 7,
         "duration": 45, "recovery": {"curve": "linear", "days": 9}},
        {"type": "capacity_loss", "region": "R1", "sector": "S2", "share": 0.4, "start": 3, "duration": 1,
         "recovery": {"curve": "exponential", "days": 30}}]


def _both(fn):
    """``fn()`` with the numpy reference path, then with the compiled loops."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fused, "ENABLED", False)
        ref = fn()
    return ref, fn()


@pytest.mark.parametrize("params", [
    {"inventory_days": 6, "noncompetitive_products": ("S1",), "resourcing": True, "substitution_share": 0.5,
     "substitution_lag_days": 10, "criticality": PARTIAL},
    {"inventory_days": 4, "criticality": "none"},  # every input binds fully: the Leontief loop
    {"inventory_days": 5, "rationing": "priority_sectors", "priority_sectors": ("S0",), "criticality": PARTIAL},
    {"inventory_days": 5, "rationing": "final_demand_first", "import_headroom": 1.2},
], ids=["noncompetitive-resourcing", "leontief", "priority", "final-demand-first"])
def test_engine_runs_are_bitwise_equal(params):
    t = make_table(3, 3, seed=3, origins=("USA", "JPN"))
    m = build_model(t, resolve_params(params))
    sets = [CUTS, CUTS[:1], CUTS[1:], CUTS[2:]]
    ref, new = _both(lambda: Engine(m, sets, seeds=[1, 2, 3, 4]).run(120))
    assert np.array_equal(ref.output, new.output)
    assert np.array_equal(ref.unmet, new.unmet)
    assert sorted(ref.events) == sorted(new.events)
    assert ref.output.min() < 0.99 * ref.output[0].min()  # the shocks bite: the loops were exercised


def test_member_arrays_with_a_batch_axis_are_indexed_per_member():
    """Members differing in inventory days, criticality relief and overproduction get their own arrays."""
    t = make_table(3, 3, seed=5, origins=("USA",))
    base = resolve_params({"inventory_days": 6, "criticality": PARTIAL})
    members = [base.model_copy(update={"inventory_days": d, "criticality_relief": r, "alpha_max": a, "alpha_tau": tau})
               for d, r, a, tau in ((3.0, 0.0, 1.25, 365.0), (9.0, 0.5, 1.5, 60.0), (6.0, 1.0, 1.1, 30.0))]
    m = build_model(t, base)
    ref, new = _both(lambda: Engine(m, [CUTS] * 3, member_params=members).run(90))
    assert np.array_equal(ref.output, new.output)
    assert not np.array_equal(new.output[:, 0], new.output[:, 1])  # the members really differ


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), partial=st.booleans(), drop=st.sampled_from([0.0, 0.3, 1.0]),
       headroom=st.sampled_from([1.0, 1.3]))
def test_one_step_from_random_states_is_bitwise_equal(seed, partial, drop, headroom):
    """Random stocks (some empty, some negative after use), orders and capacity losses (foreign too), one day."""
    t = make_table(2, 3, seed=seed % 97, origins=("USA",))
    m = build_model(t, resolve_params({"inventory_days": 5, "criticality": PARTIAL if partial else "none",
                                       "import_headroom": headroom}))
    B = 3

    def one_day():
        st_, ws = init_state(m, B), Workspace(m, B)
        r = np.random.default_rng(seed)
        st_.inventory *= r.uniform(0.0, 1.5, st_.inventory.shape) * (r.random(st_.inventory.shape) > 0.1)
        tied = r.integers(0, m.n_inputs, 2)  # two inputs equally short (a tie to resolve to the lower row)
        st_.inventory[:, tied[1]] = st_.inventory[:, tied[0]] * m.AC[tied[1]] / np.where(m.AC[tied[0]] > 0,
                                                                                          m.AC[tied[0]], 1.0)
        ws.reported[:] = r.random(ws.reported.shape) < 0.3  # shortages reported on earlier days
        st_.ratio *= r.uniform(0.5, 2.0, st_.ratio.shape)
        st_.lam_prev *= r.uniform(0.0, 1.0, st_.lam_prev.shape) * (r.random(st_.lam_prev.shape) > drop * 0.2)
        st_.x_prev *= r.uniform(0.8, 1.2, st_.x_prev.shape)
        delta = r.uniform(0.0, drop, (B, m.n_sup)) * (r.random((B, m.n_sup)) < 0.3)
        if drop == 1.0:  # every supplier of S0 destroyed: zero capacity ratios, zero denominators
            delta[0, ::m.n_sectors] = 1.0
        step(m, st_, ws, 3, delta)
        return st_, ws

    (s0, w0), (s1, w1) = _both(one_day)
    for name in ("inventory", "ratio", "alpha", "x_prev", "lam_prev"):
        assert np.array_equal(getattr(s0, name), getattr(s1, name), equal_nan=True), name
    # U and OC are kept only for substitution orders (none here): scratch for the compiled loop
    for name in ("x", "x_opt", "capacity", "lam", "min_rho", "phi", "phi_y", "unmet", "V"):
        assert np.array_equal(getattr(w0, name), getattr(w1, name), equal_nan=True), name
    # new shortages: the compiled limits name the inputs Workspace.binding_inputs names from ws.rho
    bs, js = np.nonzero((w0.min_rho < 1.0) & ~w0.reported)
    assert w0.n_new_binding == w1.n_new_binding == len(bs)
    assert np.array_equal(w1.bind_row[bs, js], w0.binding_inputs(bs, js))
    assert np.array_equal(w0.bind_row, w1.bind_row)
    assert (np.count_nonzero(w1.bind_row >= 0) == len(bs)) and (w1.bind_row[w1.reported] == -1).all()


def test_limits_propagate_nan_like_numpy():
    """A NaN stock gives NaN output in both paths (numpy's max/min propagate NaN; the loops must too)."""
    x_opt = np.array([[2.0, 3.0]])
    inv = np.array([[[1.0, np.nan], [5.0, 0.5]]])
    w = np.full((1, 2, 2), 0.5)
    x, rho, seen, row = np.empty((1, 2)), np.empty((1, 2)), np.zeros((1, 2), dtype=bool), np.empty((1, 2), dtype=int)
    fused.kernels().limits_partial(inv, w, w, x_opt, x, rho, seen, 1e-9, row)
    ref = x_opt - np.maximum(np.max(w * x_opt[:, None] - inv * w, axis=1), 0.0)
    assert np.array_equal(x, ref, equal_nan=True) and np.isnan(x[0, 1])
    fused.kernels().limits_leontief(inv, w, np.zeros_like(w), x_opt, x, rho, seen, 1e-9, row)
    ref = np.minimum(np.min(inv * w, axis=1), x_opt)
    assert np.array_equal(x, ref, equal_nan=True) and np.isnan(x[0, 1])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_supply_and_shares_with_exogenous_supply_match_numpy(seed):
    """Exogenous supply (negative final demand), per-member capacity references, cut origins without headroom."""
    r = np.random.default_rng(seed)
    B, ns, n = 3, 12, 8
    delta = r.uniform(0, 1, (B, ns)) * (r.random((B, ns)) < 0.4)
    cap_ref, alpha = r.uniform(0, 2, (B, ns)) * (r.random((B, ns)) < 0.9), r.uniform(1, 1.3, (B, ns))
    xbar, exo = r.uniform(0, 1, ns), r.uniform(0, 0.5, ns) * (r.random(ns) < 0.5)
    demand = r.uniform(0, 2, (B, ns)) * (r.random((B, ns)) < 0.9)
    cap, xo = np.empty((B, ns)), np.empty((B, ns))
    fused.kernels().supply(delta, cap_ref, alpha, xbar, n, demand, exo, True, cap, xo)
    c = (1.0 - delta) * cap_ref * alpha
    np.copyto(c[:, n:], (1.0 - delta[:, n:]) * xbar[n:], where=delta[:, n:] > 0)
    assert np.array_equal(cap, c)
    assert np.array_equal(xo, np.minimum(np.maximum(demand - exo, 0.0), c))
    x = np.minimum(xo, r.uniform(0, 2, (B, ns)))
    phi, phi_y, lam = (np.empty((B, ns)) for _ in range(3))
    fused.kernels().proportional_shares(x, exo, True, demand, phi, phi_y)
    fused.kernels().capacity_ratios(cap, cap_ref, n, lam)
    ref = np.zeros((B, ns))
    np.divide(x + exo, demand, out=ref, where=demand != 0)
    assert np.array_equal(phi, np.minimum(ref, 1.0)) and np.array_equal(phi_y, phi)
    ref = np.ones((B, ns))
    np.divide(cap, cap_ref, out=ref, where=cap_ref != 0)
    ref[:, n:] = np.minimum(ref[:, n:], 1.0)
    assert np.array_equal(lam, ref)


def test_northeast_electronics_cut_is_bitwise_equal():
    """The shipped table and main scenario's shock: non-competitive imports, overrides, searches, substitution."""
    from chainsim.data.datasets import load_dataset

    m = build_model(load_dataset("northeast-2017"), resolve_params(None))
    cut = {"type": "import_cut", "product": "20", "origins": ["KOR", "JPN", "TWN", "USA"],
           "regions": ["LN", "JL", "HLJ"], "start": 10}
    sets = [[{**cut, "share": s, "duration": d}] for s, d in ((0.6, 90), (0.9, 150), (0.3, 40))]
    members = [m.params.model_copy(update=u) for u in ({}, {"inventory_days": 30.0, "substitution_share": 0.5},
                                                      {"search_days": 10.0, "import_headroom": 1.3})]
    ref, new = _both(lambda: Engine(m, sets, seeds=[1, 2, 3], member_params=members).run(200))
    assert np.array_equal(ref.output, new.output)
    assert sorted(ref.events) == sorted(new.events)
    assert any(e[2] == "supplier_search_complete" for e in new.events)
