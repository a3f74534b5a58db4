"""The fast executor reproduces the reference day to the stated tolerance, with identical event logs.

Tolerance (``chainsim.engine.economy.RTOL``): per industry and day,
``|x_fast - x_ref| <= RTOL * max(|x_ref|, x̄)``; the same for capacity; unmet final demand to
``RTOL`` x total final demand; event logs identical (shortages named under the tie rule
``BIND_TIE``). Checked on synthetic tables in every configuration the engine has (non-competitive
imports with re-sourcing and substitution, partly substitutable imports, 0 < σ < 1, Leontief and
partial binding, the rationing rules, infinite inventories, fractional search delays, batch members
with their own parameters, the ``ario`` configuration with rebuilding), on a congestion the fast
executor hands over to the reference mid-run, on the BoARIO fixtures, on the shipped table, and on
random one-day states.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainsim.data.csv_layout import read_csv_layout
from chainsim.engine import Engine, build_model
from chainsim.engine.economy import RTOL, DayInputs
from chainsim.engine.executor import AVAILABLE, FastEconomy
from chainsim.engine.inputs import read_only
from chainsim.engine.params import resolve_params
from tests.test_engine_helpers import make_table

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="numba not importable: only the reference runs")

FIX = Path(__file__).parent / "fixtures"
PARTIAL = ((1.0, 0.5, 0.0), (0.5, 1.0, 0.5), (0.0, 0.5, 1.0))  # critical, important and never-binding inputs
CUTS = [{"type": "link_cut", "product": "S0", "from_region": ["R0", "R1"], "to_region": "R2", "start": 5,
         "duration": 40, "share": 0.9},
        {"type": "import_cut", "product": ["S1", "S2"], "region": ["R0", "R2"], "share": 0.8, "start": 7,
         "duration": 45, "recovery": {"curve": "linear", "days": 9}},
        {"type": "capacity_loss", "region": "R1", "sector": "S2", "share": 0.4, "start": 3, "duration": 1,
         "recovery": {"curve": "exponential", "days": 30}}]
ALL_ORIGINS = {"type": "import_cut", "product": "S1", "origin": "USA", "share": 0.7, "start": 4, "duration": 20,
               "recovery": {"curve": "convexe", "days": 15}}
DEMAND = {"type": "final_demand", "region": "R1", "sector": "S0", "share": -0.3, "start": 6, "duration": 30}
REBUILD = {"type": "capacity_loss", "region": "R0", "sector": ["S0", "S1"], "share": 0.3, "start": 2, "duration": 3,
           "recovery": {"curve": "rebuild", "sectors": {"S2": 0.6, "S0": 0.4}}}
SETS = [CUTS, CUTS[:1], CUTS[1:], [ALL_ORIGINS, DEMAND], [REBUILD, DEMAND, CUTS[0]],
        [DEMAND, {**DEMAND, "share": -0.5, "start": 10}]]


def assert_matches(fast, ref, model):
    """Output and capacity to RTOL x max(|ref|, x̄), unmet to RTOL x total final demand, identical events."""
    scale = np.maximum(np.abs(ref.output), np.asarray(model.xbar)[: model.n])
    assert np.array_equal(np.isnan(fast.output), np.isnan(ref.output))
    dev = np.nan_to_num(np.abs(fast.output - ref.output)) / scale
    assert dev.max() <= RTOL, f"output: max relative deviation {dev.max():.2e}"
    if ref.capacity is not None:
        dev = np.nan_to_num(np.abs(fast.capacity - ref.capacity)) / np.maximum(np.abs(ref.capacity), scale)
        assert dev.max() <= RTOL, f"capacity: max relative deviation {dev.max():.2e}"
    if ref.unmet is not None:
        dev = np.nan_to_num(np.abs(fast.unmet - ref.unmet)) / np.asarray(model.ybar).sum()
        assert dev.max() <= RTOL, f"unmet: max relative deviation {dev.max():.2e}"
    assert sorted(fast.events) == sorted(ref.events)
    assert np.array_equal(fast.crash_day, ref.crash_day)
    return dev


def _runs(model, sets, days, **kw):
    return {ex: Engine(model, sets, executor=ex, **kw).run(days) for ex in ("auto", "reference")}


@pytest.mark.parametrize("params", [
    {"inventory_days": 6, "noncompetitive_products": ("S1",), "resourcing": True, "substitution_share": 0.5,
     "substitution_lag_days": 10, "criticality": PARTIAL},
    {"inventory_days": 4, "criticality": "none"},
    {"inventory_days": 5, "rationing": "priority_sectors", "priority_sectors": ("S0",), "criticality": PARTIAL},
    {"inventory_days": 5, "rationing": "final_demand_first", "import_headroom": 1.2},
    {"inventory_days": 5, "rationing": "intermediate_first", "noncompetitive_products": "all"},
    {"inventory_days": 5, "infinite_inventory_sectors": ("S2",), "criticality": "none"},
    {"inventory_days": 5, "detection_lag_days": 2.3, "search_days": 4.6, "ramp_days": 3,
     "noncompetitive_products": "all", "substitution_share": 0.4, "substitution_lag_days": 5.5},
    {"inventory_days": 6, "import_substitutability": "competitive", "resourcing": True, "criticality": PARTIAL,
     "sector_import_substitutability": {"S1": 0.4, "S2": 0.7}, "substitution_share": 0.5,
     "substitution_lag_days": 10},
    {"inventory_days": 5, "rationing": "priority_sectors", "priority_sectors": ("S0",),
     "import_substitutability": "competitive", "sector_import_substitutability": {"S0": 0.0, "S1": 0.5}},
], ids=["noncompetitive-resourcing", "leontief", "priority", "final-demand-first", "intermediate-first",
        "infinite-inventory", "fractional-delays", "split-sigma", "split-priority"])
def test_default_model_configurations(params):
    m = build_model(make_table(3, 3, seed=3, origins=("USA", "JPN")), resolve_params(params))
    runs = _runs(m, SETS, 120, seeds=list(range(len(SETS))))
    assert_matches(runs["auto"], runs["reference"], m)
    assert np.nanmin(runs["reference"].output) < 0.9 * m.xbar[: m.n].min()  # the shocks bite


def test_closed_links_in_a_batch_leave_no_rounding_residue():
    """A 100 % cut of one origin in a batch of three: each member equals the reference.

    Before the overridden pairs' sums were recomputed instead of corrected, the demand on the cut
    origin was ±1e-15 instead of 0 depending on the batch's shape, its served share x/D jumped to
    1, and the substitution orders of members 0 and 2 moved output by up to 4 % of x̄.
    """
    cut = {"type": "import_cut", "product": ["S1", "S2"], "origin": "USA", "share": 1.0, "start": 5, "duration": 60}
    loss = {"type": "capacity_loss", "region": "R1", "sector": "S1", "share": 0.5, "start": 3, "duration": 20}
    m = build_model(make_table(3, 3, seed=3, origins=("USA", "JPN"), import_share=0.3),
                    resolve_params({"inventory_days": 6, "resourcing": False, "substitution_share": 0.4,
                                    "substitution_lag_days": 10, "noncompetitive_products": ["S1", "S2"]}))
    runs = _runs(m, [[cut], [{**cut, "share": 0.7, "origin": "JPN"}, loss], [cut, loss]], 120, seeds=[0, 1, 2])
    assert_matches(runs["auto"], runs["reference"], m)


def test_batch_members_with_their_own_parameter_arrays():
    t = make_table(3, 3, seed=5, origins=("USA",))
    base = resolve_params({"inventory_days": 6, "criticality": PARTIAL})
    members = [base.model_copy(update={"inventory_days": d, "criticality_relief": r, "alpha_max": a, "alpha_tau": tau})
               for d, r, a, tau in ((3.0, 0.0, 1.25, 365.0), (9.0, 0.5, 1.5, 60.0), (6.0, 1.0, 1.1, 30.0))]
    m = build_model(t, base)
    runs = _runs(m, [CUTS] * 3, 90, member_params=members)
    assert_matches(runs["auto"], runs["reference"], m)
    assert not np.allclose(runs["auto"].output[:, 0], runs["auto"].output[:, 1])  # the members really differ


@pytest.mark.parametrize("params", [{"inventory_days": 6},
                                    {"inventory_days": 6, "sector_import_substitutability": {"S1": 0.3, "S2": 0.0}}],
                         ids=["competitive", "split-sigma"])
def test_congestion_hands_the_run_over_to_the_reference(params):
    """The fast executor runs until the congestion starts, then the reference with the same state."""
    m = build_model(make_table(3, 3, seed=3, origins=("USA", "JPN")), resolve_params(params))
    cong = {"type": "congestion", "from_region": ["USA", "R0"], "to_region": "R2", "throughput_loss": 0.6,
            "extra_lead_days": 4, "start": 8, "duration": 15}
    sets = [[cong, CUTS[2]], [cong, CUTS[0], ALL_ORIGINS], [CUTS[1], {**cong, "start": 30}]]
    eng = Engine(m, sets)
    fast = eng.run(80)
    assert type(eng.economy).__name__ == "ReferenceEconomy"  # handed over
    ref = Engine(m, sets, executor="reference").run(80)
    assert_matches(fast, ref, m)


@pytest.mark.parametrize("params", ["ario", {"base": "ario", "infinite_inventory_sectors": ("S1",)}])
def test_ario_configuration_with_rebuilding(params):
    m = build_model(make_table(3, 4, seed=11), resolve_params(params))
    cap = [{"type": "capacity_loss", "region": "R0", "sector": "S1", "share": 0.3, "start": 3, "duration": 5,
            "recovery": {"curve": "linear", "days": 40}},
           {"type": "capacity_loss", "region": "R2", "sector": ["S0", "S3"], "share": 0.5, "basis": "capacity",
            "start": 1, "duration": 2, "recovery": {"curve": "concave", "days": 20}},
           {"type": "capacity_loss", "region": "R1", "sector": "S2", "share": 0.2, "start": 4, "duration": 2,
            "recovery": {"curve": "rebuild", "sectors": {"S0": 1.0}}}]
    runs = _runs(m, [cap, cap[:1], cap[2:]], 150)
    assert_matches(runs["auto"], runs["reference"], m)


@pytest.mark.parametrize(("case", "shock"), [("case_5x42", "shock.csv"), ("case_5x42", "shock_ln_rebuild.csv"),
                                             ("synth_3x30", "shock.csv")])
@pytest.mark.parametrize("params", ["ario", None])
def test_boario_fixture_cases(case, shock, params):
    import importlib.util

    spec = importlib.util.spec_from_file_location("crosscheck", Path(__file__).parents[1] / "validation"
                                                  / "boario_crosscheck.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    shock_to_disruptions = mod.shock_to_disruptions
    m = build_model(read_csv_layout(FIX / case), resolve_params(params))
    runs = _runs(m, [shock_to_disruptions(FIX / case / shock)], 365)
    assert_matches(runs["auto"], runs["reference"], m)


def test_shipped_table_mixed_batch():
    """Import cuts (into all and into named regions), a link cut, a capacity loss, substitution, re-sourcing."""
    from chainsim.data.datasets import load_dataset

    ecut = {"type": "import_cut", "product": "20", "origin": ["KOR", "JPN", "TWN", "USA"], "share": 0.6,
            "start": 10, "duration": 90, "recovery": {"curve": "linear", "days": 30}}
    named = {**ecut, "region": ["LN", "JL"], "product": ["20", "16"]}
    link = {"type": "link_cut", "product": "14", "from_region": "LN", "to_region": "JL", "share": 0.8, "start": 15,
            "duration": 40}
    cap = {"type": "capacity_loss", "region": "LN", "sector": "14", "share": 0.5, "start": 10, "duration": 1,
           "recovery": {"curve": "linear", "days": 180}}
    base = resolve_params({"substitution_share": 0.3, "substitution_lag_days": 30, "inventory_scale": 0.2})
    members = [base, base.model_copy(update={"detection_lag_days": 7.4, "search_days": 20.2, "inventory_scale": 0.5}),
               base.model_copy(update={"import_headroom": 1.3, "import_headroom_scale": 0.5, "alpha_max": 1.4})]
    m = build_model(load_dataset("northeast-2017"), base)
    cars = {"type": "capacity_loss", "region": "JL", "sector": "18", "share": 0.8, "start": 5, "duration": 42,
            "basis": "capacity"}  # a differentiated product: its buyers keep their orders until they re-source
    runs = _runs(m, [[ecut], [named, link], [ecut, cap, cars]], 200, seeds=[1, 2, 3], member_params=members)
    assert_matches(runs["auto"], runs["reference"], m)
    kinds = {e[2] for e in runs["reference"].events}
    assert {"shortage", "supplier_search_complete", "substitution_ramp_start"} <= kinds


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), partial=st.booleans(), drop=st.sampled_from([0.0, 0.3, 1.0]),
       headroom=st.sampled_from([1.0, 1.3]), rationing=st.sampled_from(["proportional", "final_demand_first"]))
def test_one_day_from_random_states(seed, partial, drop, headroom, rationing):
    """Random stocks (some empty), orders, link overrides, capacity losses (foreign too) and reported shortages."""
    t = make_table(2, 3, seed=seed % 97, origins=("USA",))
    m = build_model(t, resolve_params({"inventory_days": 5, "criticality": PARTIAL if partial else "none",
                                       "import_headroom": headroom, "rationing": rationing,
                                       "noncompetitive_products": ("S1",)}))
    B, r = 3, np.random.default_rng(seed)
    # some domestic makers keep their buyers' orders when they lose capacity (supplier_switching="search")
    m = dataclasses.replace(m, switch_share=read_only(np.where(r.random(m.n_sup) < 0.3, 0.0, 1.0)))
    fast = FastEconomy(m, B)
    s = fast.state
    s.inventory *= r.uniform(0.0, 1.5, s.inventory.shape) * (r.random(s.inventory.shape) > 0.1)
    tied = r.integers(0, m.n_inputs, 2)  # two inputs equally short (a tie to resolve to the lower row)
    s.inventory[:, tied[1]] = s.inventory[:, tied[0]] * m.AC[tied[1]] / np.where(m.AC[tied[0]] > 0, m.AC[tied[0]], 1)
    s.ratio *= r.uniform(0.5, 2.0, s.ratio.shape)
    s.lam_prev *= r.uniform(0.0, 1.0, s.lam_prev.shape) * (r.random(s.lam_prev.shape) > drop * 0.2)
    s.x_prev *= r.uniform(0.8, 1.2, s.x_prev.shape)
    s.alpha *= r.uniform(1.0, 1.2, s.alpha.shape)
    fast.set_closures(1, [(np.array([0, 4]), np.arange(m.n), 0.7)])  # link overrides
    fast.set_weights(np.array([2]), np.array([1]), np.array([3]), r.uniform(0.0, 2.0, (1, m.n_blocks)))
    fast.set_substitution(0, 0, np.array([1, 1]), np.array([0, 4]), 0.5)
    ref = fast.to_reference(1)
    delta = r.uniform(0.0, drop, (B, m.n_sup)) * (r.random((B, m.n_sup)) < 0.3)
    if drop == 1.0:  # every supplier of S0 destroyed: zero capacity ratios, zero denominators
        delta[0, ::m.n_sectors] = 1.0
    day = DayInputs(3, delta, np.zeros((B, m.n_sup)), np.broadcast_to(m.ybar, (B, m.n_sup)).copy(),
                    r.random((B, m.n_sectors)) < 0.3, r.random((B, m.n)) < 0.3)
    new_f, new_r = fast.step(day), ref.step(day)
    scale = np.maximum(np.abs(ref.x), m.xbar)
    for name in ("x", "capacity", "x_opt", "phi"):
        dev = np.abs(getattr(fast, name) - getattr(ref, name)) / (scale if name != "phi" else 1.0)
        assert dev.max() <= RTOL, (name, dev.max())
    stock_scale = np.maximum(np.abs(ref.inventory), (m.goal_coef * m.xbar[: m.n]))
    assert (np.abs(fast.inventory - ref.inventory) <= RTOL * np.where(stock_scale > 0, stock_scale, 1)).all()
    orders = fast.to_reference(1).state.orders  # tomorrow's orders, made explicit
    assert np.allclose(orders, ref.state.orders, rtol=RTOL, atol=RTOL * m.Zbar.max())
    assert np.array_equal(new_f.b, new_r.b) and np.array_equal(new_f.j, new_r.j)
    assert np.array_equal(new_f.row, new_r.row)
