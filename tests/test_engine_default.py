"""chainsim's default model beyond ARIO: criticality, foreign supply nodes, routes, re-sourcing, rationing."""

from __future__ import annotations

import numpy as np
import pytest

from chainsim.engine import Engine, build_model, simulate
from chainsim.engine.params import resolve_params
from tests.test_engine_helpers import make_table
from tests.test_executor_vs_reference import assert_matches

SHOCK = [{"type": "capacity_loss", "region": "R0", "sector": "S0", "basis": "capacity", "share": 0.9, "start": 2,
          "duration": 100}]


def test_non_critical_inputs_never_bind():
    t = make_table(1, 2, seed=3)
    crit = simulate(t, SHOCK, days=80, params={"criticality": [[1, 1], [1, 1]], "inventory_days": 5})
    noncrit = simulate(t, SHOCK, days=80, params={"criticality": [[1, 0], [1, 1]], "inventory_days": 5})
    rel_c = crit.output.iloc[60] / crit.baseline
    rel_n = noncrit.output.iloc[60] / noncrit.baseline
    assert rel_c.iloc[1] < 0.1 < 0.5 < rel_n.iloc[1]
    assert np.isfinite(noncrit.output.to_numpy()).all()  # no crash: a missing input is done without


def test_important_inputs_bind_half():
    from chainsim.engine import reference
    from chainsim.engine.reference_state import DenseState

    t = make_table(1, 2, seed=3)
    m = build_model(t, resolve_params({"criticality": [[1, 0.5], [1, 1]]}))
    st = DenseState.equilibrium(m, 1)
    st.inventory[0, 0, 1] = 0.0  # sector 1 has none of input 0 (important): output halves
    x, _ = reference.input_limits(m, st.inventory, m.xbar[None].copy())
    assert x[0, 1] == pytest.approx(0.5 * m.xbar[1], rel=1e-12)


def test_overproduction_decays_in_default_but_not_in_ario():
    t = make_table(2, 2, seed=8)
    ev = [{"type": "capacity_loss", "region": "R0", "sector": "S1", "share": 0.5, "start": 2, "duration": 1,
           "recovery": {"curve": "linear", "days": 20}}]
    out = {}
    for p in ("ario", None):
        m = build_model(t, resolve_params(p))
        eng = Engine(m, [ev])
        eng.run(700)
        out[p] = eng.economy.state.alpha[0, : m.n].max()
    assert out["ario"] > 1.0 + 1e-4  # spec §5: decay only at exactly zero scarcity
    assert out[None] - 1.0 < 0.25 * (out["ario"] - 1.0)  # decays with tau_alpha = 365 days


def test_import_cut_bites_and_scales():
    t = make_table(2, 3, seed=5, origins=("USA", "JPN"), import_share=0.25)
    losses = []
    for share in (0.3, 0.9):
        res = simulate(t, [{"type": "import_cut", "product": "all", "origin": "all", "share": share, "start": 2,
                            "duration": 120}], days=150, params={"inventory_days": 10,
                                                                  "noncompetitive_products": "all"})
        losses.append((res.baseline - res.output).sum().sum())
    assert 0 < losses[0] < losses[1]


def test_import_cut_into_one_region_hits_that_region_first():
    t = make_table(2, 3, seed=5, origins=("USA",), import_share=0.3)
    res = simulate(t, [{"type": "import_cut", "product": "all", "region": "R1", "share": 1.0, "start": 2,
                        "duration": 200}], days=60, params={"inventory_days": 10, "resourcing": False,
                                                            "noncompetitive_products": "all"})
    rel = (res.region_output().iloc[30] / res.baseline.groupby(level="region").sum())
    assert rel["R1"] < rel["R0"] < 1.0 + 1e-9


def test_congestion_backlog_clears_and_goods_are_conserved():
    t = make_table(2, 3, seed=6)
    m = build_model(t, resolve_params(None))
    ev = [{"type": "congestion", "from_region": "R0", "to_region": "R1", "throughput_loss": 0.6,
           "extra_lead_days": 4, "start": 5, "duration": 20}]
    eng = Engine(m, [ev], executor="reference")
    seen = {"backlog": 0.0, "transit": 0.0, "flow": []}

    def watch(day, days):
        st, r = eng.economy.state, eng.economy.day
        seen["backlog"] = max(seen["backlog"], st.backlog.sum())
        seen["transit"] = max(seen["transit"], st.transit.sum())
        stock = st.backlog.sum() + st.transit.sum()
        y = m.ybar  # no final-demand change here
        seen["flow"].append((r.x.sum(), 0.0, r.deliveries.sum(), (r.phi_y * y).sum(), stock))

    arr = eng.run(200, progress=watch)
    assert seen["backlog"] > 0 and seen["transit"] > 0
    assert eng.economy.state.backlog.sum() < 1e-9 * m.xbar.sum()  # cleared after the congestion ended
    f = np.array(seen["flow"])
    # goods conserved: produced = delivered + change of goods waiting or on the road
    pipeline = np.diff(np.concatenate([[0.0], f[:, 4]]))
    np.testing.assert_allclose(f[:, 0], f[:, 2] + f[:, 3] + pipeline, rtol=1e-9)
    assert np.abs(arr.output[-1, 0] / m.xbar[: m.n] - 1).max() < 1e-2


def test_resourcing_search_completes_after_delay_and_helps():
    t = make_table(3, 3, seed=3, origins=("USA",))
    cut = [{"type": "link_cut", "product": "S0", "from_region": ["R0", "R1"], "to_region": "R2", "start": 5,
            "duration": 300}]
    on = simulate(t, cut, days=250, params={"resourcing": True, "inventory_days": 10, "search_days": 20,
                                            "detection_lag_days": 3, "ramp_days": 30})
    off = simulate(t, cut, days=250, params={"resourcing": False, "inventory_days": 10})
    ev = on.events
    first = ev[ev.kind == "shortage"].groupby("target")["day"].min()
    start = ev[ev.kind == "supplier_search_start"].groupby("target")["day"].min()
    done = ev[ev.kind == "supplier_search_complete"].groupby("target")["day"].min()
    assert len(done) > 0
    for target, day in done.items():
        assert start[target] == first[target] + 3
        assert day == first[target] + 3 + 20
    assert (ev.kind == "substitution_ramp_start").any()
    assert on.output.sum().sum() > off.output.sum().sum()
    assert not (off.events.kind == "supplier_search_complete").any()


def test_final_demand_first_serves_households_first():
    t = make_table(1, 2, seed=3)
    prop = simulate(t, SHOCK, days=5, params={"rationing": "proportional"})
    fdf = simulate(t, SHOCK, days=5, params={"rationing": "final_demand_first"})
    assert fdf.unmet_demand.iloc[2] < prop.unmet_demand.iloc[2]


def _table_with_negative_final_demand():
    from chainsim.data.iotable import IOTable

    t = make_table(2, 2, seed=11)
    Z, Y, va = t.Z.copy(), t.Y.copy(), t.value_added.copy()
    k = 1
    delta = Y[k].sum() + 0.3 * t.x[k]  # final demand of industry 1 becomes -30 % of its output
    w = va / va.sum()
    Z[k] += delta * w
    Y[k] -= delta / Y.shape[1]
    va -= delta * w
    assert (va > 0).all()
    return IOTable(name="negfd", regions=t.regions, sectors=t.sectors, Z=Z, Y=Y, fd_columns=t.fd_columns,
                   exports=t.exports, value_added=va, x=t.x)


@pytest.mark.parametrize("params", ["ario", None])
def test_negative_final_demand_baseline_is_flat(params):
    t = _table_with_negative_final_demand()
    assert t.final_demand[1] < 0
    res = simulate(t, [], days=400, params=params)
    assert np.abs(res.output.to_numpy() / res.baseline.to_numpy() - 1).max() < 1e-9


def test_negative_final_demand_is_exogenous_supply_in_default_model():
    t = _table_with_negative_final_demand()
    m = build_model(t, resolve_params(None))
    assert m.exo_supply[1] == pytest.approx(-t.final_demand[1] / 365)
    assert (m.ybar >= 0).all()
    eng = Engine(m, [SHOCK], executor="reference")
    bad = []

    def watch(day, days):
        r = eng.economy.day
        delivered = r.deliveries.sum() + (r.phi_y * m.ybar).sum()
        supplied = r.x.sum() + m.exo_supply.sum()
        if (r.phi >= 1).all():
            bad.append(abs(delivered - supplied) / supplied)
        assert (r.phi <= 1 + 1e-12).all()

    arr = eng.run(150, progress=watch)
    assert np.isfinite(arr.output).all()
    assert max(bad) < 1e-9


@pytest.mark.parametrize("nc", ["all", "none", ("S1", "S2")], ids=str)
@pytest.mark.parametrize("resourcing", [True, False])
def test_factored_orders_with_overrides_equal_explicit_orders(resourcing, nc):
    """The fast executor (factored orders, link overrides) against the reference's explicit order matrices."""
    t = make_table(3, 3, seed=3, origins=("USA",))
    dis = [{"type": "link_cut", "product": "S0", "from_region": ["R0", "R1"], "to_region": "R2", "start": 5,
            "duration": 60, "share": 0.8},
           {"type": "import_cut", "product": ["S1", "S2"], "region": "R0", "share": 0.7, "start": 8, "duration": 50},
           {"type": "link_cut", "product": "S1", "from_region": "R2", "to_region": "R0", "to_sector": "S2",
            "start": 9, "duration": 30}]
    m = build_model(t, resolve_params({"resourcing": resourcing, "inventory_days": 10, "search_days": 5,
                                       "noncompetitive_products": nc}))
    a = Engine(m, [dis, dis[:1]]).run(150)
    b = Engine(m, [dis, dis[:1]], executor="reference").run(150)
    assert any(e[2] == "supplier_search_complete" for e in a.events) == resourcing
    assert_matches(a, b, m)


def test_domestic_substitution_of_an_import_cut():
    t = make_table(2, 3, seed=5, origins=("USA",), import_share=0.3)
    cut = [{"type": "import_cut", "product": "all", "region": "R1", "share": 1.0, "start": 2, "duration": 150}]
    base = {"inventory_days": 10, "resourcing": False, "noncompetitive_products": "all"}
    none = simulate(t, cut, days=200, params=base)
    subst = simulate(t, cut, days=200, params={**base, "substitution_share": 0.5, "substitution_lag_days": 10,
                                                "ramp_days": 10})
    ev = subst.events.set_index("kind")["day"]
    assert ev["substitution_ramp_start"] == 12 and ev["substitution_revert_start"] == 152
    assert "substitution_ramp_start" not in set(none.events.kind)
    loss = lambda r: (r.baseline - r.output).sum().sum()  # noqa: E731
    assert loss(subst) < loss(none)


def test_sector_lever_params():
    t = make_table(2, 3, seed=5)
    m = build_model(t, resolve_params({"sector_alpha_max": {"S1": 1.5}, "sector_alpha_tau": {"S2": 100},
                                       "sector_criticality_relief": {"S0": 1.0}, "criticality": "none"}))
    assert m.alpha_max[1] == 1.5 and m.alpha_max[0] == 1.25 and m.alpha_max[3 + 1] == 1.5
    assert m.alpha_tau[2] == 100 and m.alpha_tau[0] == 30
    assert set(np.unique(m.bind_weight[0])) <= {0.0, 0.5} and (m.bind_weight[1][m.AC[1] > 1e-5] == 1).all()
    from chainsim.errors import ModelBuildError

    with pytest.raises(ModelBuildError, match=r"sector_alpha_max\['S1'\]"):
        resolve_params({"sector_alpha_max": {"S1": 0.5}})


@pytest.mark.parametrize("crit", [[[1, 1], [1, 1]], [[1, 0.5], [1, 1]]])
def test_shortage_event_names_the_binding_input(crit):
    t = make_table(1, 2, seed=3)
    res = simulate(t, SHOCK, days=40, params={"criticality": crit, "inventory_days": 5, "resourcing": False})
    first = res.events[res.events.kind == "shortage"].iloc[0]
    assert first["detail"] == "input S0 binds"


def test_priority_sectors_are_served_first_and_factored_equals_explicit():
    t = make_table(2, 3, seed=4)
    prm = resolve_params({"rationing": "priority_sectors", "priority_sectors": ("S2",), "inventory_days": 10,
                          "resourcing": False})
    m = build_model(t, prm)
    shock = [{"type": "capacity_loss", "region": ["R0", "R1"], "sector": "S0", "basis": "capacity", "share": 0.6,
              "start": 2, "duration": 60}]
    seen = []
    fact = Engine(m, [shock])

    def watch(day, days):
        ws = fact.economy.ws
        if day == 3:  # the day after the shock bites: priority buyers fully served
            seen.append((ws.phi_prio[0, :m.n].copy(), ws.phi[0, :m.n].copy()))

    a = fact.run(80, progress=watch)
    phi_prio, phi = seen[0]
    assert (phi_prio[[0, 3]] == 1.0).all() and (phi[[0, 3]] < phi_prio[[0, 3]]).all()
    b = Engine(m, [shock], executor="reference").run(80)
    assert_matches(a, b, m)
    prop = simulate(t, shock, days=80, params={"inventory_days": 10, "resourcing": False})
    j = [2, 5]  # the priority buyers (sector S2) lose less than under proportional rationing
    loss = lambda out: (m.xbar[j] - out[:, j]).sum()  # noqa: E731
    assert loss(a.output[:, 0]) < loss(prop.output.to_numpy())
    with pytest.raises(Exception, match="priority_sectors"):
        resolve_params({"rationing": "priority_sectors"})


def test_baseline_route_lead_times_keep_the_equilibrium_and_delay_effects():
    t = make_table(3, 3, seed=2, origins=("USA",))
    lead = {"lead_days_interregional": 3, "lead_days_imports": 20}
    flat = simulate(t, [], days=400, params=lead)
    assert np.abs(flat.output.to_numpy() / flat.baseline.to_numpy() - 1).max() < 1e-9
    m = build_model(t, resolve_params(lead))
    assert m.base_lead[0, 0] == 0 and m.base_lead[0, 1] == 3 and (m.base_lead[3] == 20).all()
    # a link cut on a route with a 3-day lead: deliveries already on the road still arrive
    cut = [{"type": "link_cut", "product": "S0", "from_region": "R0", "to_region": "R1", "start": 10, "duration": 30,
            "share": 1.0}]
    eng = Engine(m, [cut])
    got = []
    eng.run(20, progress=lambda d, T: got.append(eng.economy.day.deliveries[0, 0, 3:6].sum()))
    base = got[5]
    assert got[10] == pytest.approx(base, rel=1e-9)  # the day of the cut: shipped 3 days ago
    assert got[14] < 0.99 * base  # then the gap reaches the buyers


@pytest.mark.parametrize("config", ["default", "ario"])
def test_recording_only_output_changes_nothing_else(config):
    """``record=()`` (sweeps) skips capacity and unmet demand; output and events are bitwise the same."""
    from chainsim.errors import ScenarioError

    t = make_table(2, 3, seed=4, origins=("USA",) if config == "default" else ())
    m = build_model(t, resolve_params({"base": config} if config == "ario" else {"inventory_days": 5}))
    sets = [[{"type": "capacity_loss", "region": "R0", "sector": "S1", "share": 0.6, "start": 3, "duration": 4,
              "recovery": {"curve": "linear", "days": 20}}], []]
    full = Engine(m, sets).run(40)
    lean = Engine(m, sets).run(40, record=())
    assert np.array_equal(full.output, lean.output) and full.events == lean.events
    assert lean.capacity is None and lean.unmet is None
    assert full.unmet[5:, 0].max() > 0.0 and full.capacity[5, 0].min() < full.capacity[0, 0].min()
    with pytest.raises(ScenarioError, match="record"):
        Engine(m, sets).run(5, record=("capcity",))


def test_output_written_into_a_reused_buffer():
    """``run(out=buf)`` (sweep workers reuse one buffer) returns ``buf``, with every day overwritten."""
    from chainsim.errors import ScenarioError

    t = make_table(2, 3, seed=4, origins=("USA",))
    m = build_model(t, resolve_params({"inventory_days": 5}))
    sets = [[{"type": "capacity_loss", "region": "R0", "sector": "S1", "share": 0.6, "start": 3, "duration": 4,
              "recovery": {"curve": "linear", "days": 20}}], []]
    fresh = Engine(m, sets).run(40)
    buf = np.full((40, 2, m.n), np.nan)  # stale contents must not survive
    got = Engine(m, sets).run(40, record=(), out=buf)
    assert got.output is buf and np.array_equal(buf, fresh.output) and got.events == fresh.events
    again = Engine(m, sets[::-1]).run(40, record=(), out=buf)  # the next batch overwrites it all
    assert np.array_equal(again.output, fresh.output[:, ::-1])
    for bad in (np.empty((39, 2, m.n)), np.empty((40, 2, m.n), dtype=np.float32)):
        with pytest.raises(ScenarioError, match="out: expected"):
            Engine(m, sets).run(40, out=bad)


def test_a_finished_engine_is_freed_without_the_garbage_collector():
    """After ``run`` no reference cycle keeps an engine (and its buffers) alive: sweep memory stays flat."""
    import gc
    import weakref

    t = make_table(2, 3, seed=4, origins=("USA",))
    m = build_model(t, resolve_params({"base": "legacy", "inventory_days": 5, "detection_lag_days": 1,
                                       "search_days": 30}))  # the ψ rule binds within the 10 days
    sets = [[{"type": "import_cut", "product": "S1", "origins": ["USA"], "regions": "all", "share": 0.9,
              "start": 2, "duration": 60}]]  # searches still running when the clock stops
    gc.disable()
    try:
        eng = Engine(m, sets)
        arr = eng.run(10)
        assert any(e[2] == "shortage" for e in arr.events)  # a search started and is pending
        assert eng.economy.inventory.shape[0] == 1  # state stays readable after the run
        ref = weakref.ref(eng)
        del eng
        assert ref() is None
    finally:
        gc.enable()


def test_without_numba_every_run_is_on_the_reference(monkeypatch):
    """The fast executor needs numba; without it the engine runs the reference economy (same results)."""
    from chainsim.engine import executor

    t = make_table(2, 3, seed=4, origins=("USA",))
    m = build_model(t, resolve_params({"inventory_days": 5}))
    monkeypatch.setattr(executor, "AVAILABLE", False)
    eng = Engine(m, [SHOCK])
    arr = eng.run(20)
    assert type(eng.economy).__name__ == "ReferenceEconomy"
    ref = Engine(m, [SHOCK], executor="reference").run(20)
    assert np.array_equal(arr.output, ref.output)
