"""Non-competitive imports (default model): imported and domestic p are separate inputs; pathway levers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chainsim.engine import Engine, build_model, simulate
from chainsim.engine.params import resolve_params
from tests.test_engine_helpers import make_table


def loss(res) -> float:
    return float((res.baseline - res.output).sum().sum())


def test_model_has_two_input_classes_and_ario_one():
    t = make_table(2, 3, seed=5, origins=("USA", "JPN"), import_share=0.25)
    nc = build_model(t, resolve_params(None))
    comp = build_model(t, resolve_params({"import_substitutability": "competitive"}))
    ario = build_model(t, resolve_params("ario"))
    assert (nc.n_classes, nc.n_inputs, nc.class_blocks) == (2, 6, ((0, 2), (2, 4)))
    assert (comp.n_classes, ario.n_classes) == (1, 1)
    # the two classes add up to the competitive requirement; imports are the second class
    np.testing.assert_allclose(nc.AC[:3] + nc.AC[3:], comp.AC, rtol=1e-14)
    np.testing.assert_allclose(nc.AC[3:] * t.x[None, :], t.imports_Z.sum(axis=0), rtol=1e-12)
    assert (nc.bind_weight[:3][nc.AC[:3] > 1e-5] == nc.bind_weight[3:][nc.AC[3:] > 1e-5].max()).all()


@pytest.mark.parametrize("sub", ["noncompetitive", "competitive"])
def test_no_shock_baseline_is_stationary_both_import_models(sub):
    t = make_table(3, 3, seed=2, origins=("USA", "JPN"), import_share=0.3)
    for extra in ({}, {"import_headroom": 1.7, "lead_days_imports": 5}):
        res = simulate(t, [], days=3 * 365, params={"import_substitutability": sub, **extra})
        assert np.abs(res.output.to_numpy() / res.baseline.to_numpy() - 1).max() < 1e-9


def _cliff_run(share: float, s: float, psi: float, t0: int, tau: float = 1e12):
    t = make_table(1, 2, seed=3, origins=("USA",), import_share=0.3)
    m = build_model(t, resolve_params({"criticality": "none", "inventory_days": s, "psi": psi,
                                       "inventory_tau": tau, "resourcing": False}))
    cut = [{"type": "import_cut", "product": "S0", "origin": "USA", "region": "R0", "share": share, "start": t0,
            "duration": 400}]
    eng = Engine(m, [cut])
    stock = []
    eng.run(t0 + 60, progress=lambda d, T: stock.append(eng.state.inventory[0, 2, :].copy()))
    return m, eng, np.array(stock)


def test_import_cut_binds_after_the_closed_form_number_of_days():
    share, s, psi, t0 = 0.3, 10.0, 0.8, 5
    m, eng, stock = _cliff_run(share, s, psi, t0)
    use = m.AC[2] * m.xbar[:2]  # daily use of imported S0 by each buyer
    # orders placed before the cut arrive on day t0; from t0 + 1 the stock falls by share x use per day
    k = np.arange(1, 8)
    np.testing.assert_allclose(stock[t0 + k - 1], s * use - (k[:, None] - 1) * share * use, rtol=1e-9)
    # production on day t sees the stock after day t-1: the ψ cliff (1-ψ)s/share days of decline later
    expected = t0 + 1 + math.floor((1 - psi) * s / share) + 1
    shortage = [e for e in eng.log if e[2] == "shortage"]
    assert shortage and min(e[0] for e in shortage) == expected
    assert all("S0 (imported) binds" in e[4] for e in shortage if e[0] == expected)


def test_import_cut_binds_later_with_inventory_restoration_closed_form():
    # with the τ_inv gap term the stock gap g (in days of use) follows g' = share - (1-share) g / τ
    share, s, psi, t0, tau = 0.4, 10.0, 0.8, 5, 20.0
    _, eng, _ = _cliff_run(share, s, psi, t0, tau)
    g, k = 0.0, 0
    while g <= (1 - psi) * s:
        g = g + share - (1 - share) * g / tau
        k += 1
    first = min(e[0] for e in eng.log if e[2] == "shortage")
    assert first == t0 + 1 + k


def test_competitive_imports_pool_the_stock_and_non_competitive_bind():
    t = make_table(2, 3, seed=5, origins=("USA", "JPN"), import_share=0.25)
    cut = [{"type": "import_cut", "product": "all", "origin": "USA", "region": "R1", "share": 0.8, "start": 5,
            "duration": 60}]
    base = {"inventory_days": 10, "resourcing": False, "criticality": "none"}
    nc = simulate(t, cut, days=120, params={**base, "import_substitutability": "noncompetitive"})
    comp = simulate(t, cut, days=120, params={**base, "import_substitutability": "competitive"})
    first = lambda r: r.events[r.events.kind == "shortage"]["day"].min()  # noqa: E731
    assert loss(nc) > loss(comp) >= 0
    assert first(nc) < first(comp) or np.isnan(first(comp))


def _ic_table():
    return make_table(2, 3, seed=5, origins=("USA", "JPN"), import_share=0.25)


IMPORT_CUT = [{"type": "import_cut", "product": "all", "origin": "USA", "share": 0.8, "start": 5, "duration": 80}]
REGIONAL_CUT = [{"type": "import_cut", "product": "all", "origin": "USA", "region": "R1", "share": 0.8, "start": 5,
                 "duration": 80}]
SMALL = {"inventory_days": 10, "criticality": "none"}


@pytest.mark.parametrize("cut", [IMPORT_CUT, REGIONAL_CUT])
def test_lever_import_headroom_other_origins_fill_in(cut):
    t = _ic_table()
    prm = {**SMALL, "detection_lag_days": 2, "search_days": 5, "ramp_days": 5}
    lo = simulate(t, cut, days=150, params={**prm, "import_headroom": 1.0})
    hi = simulate(t, cut, days=150, params={**prm, "import_headroom": 1.5})
    assert 0 < loss(hi) < loss(lo)


def test_lever_substitution_share_and_lag():
    t = _ic_table()
    none = simulate(t, REGIONAL_CUT, days=150, params=SMALL)
    some = simulate(t, REGIONAL_CUT, days=150, params={**SMALL, "substitution_share": 0.5,
                                                        "substitution_lag_days": 5, "ramp_days": 5})
    late = simulate(t, REGIONAL_CUT, days=150, params={**SMALL, "substitution_share": 0.5,
                                                        "substitution_lag_days": 40, "ramp_days": 5})
    assert loss(some) < loss(late) < loss(none)
    ev = some.events[some.events.target == "USA->R1|all"].set_index("kind")["day"]
    assert ev["substitution_ramp_start"] == 10 and ev["substitution_revert_start"] == 85


def test_substitutes_are_credited_to_the_imported_stock():
    t = make_table(1, 2, seed=3, origins=("USA",), import_share=0.3)
    prm = {"criticality": "none", "inventory_days": 10, "resourcing": False, "substitution_share": 1.0,
           "substitution_lag_days": 0, "ramp_days": 1}
    cut = [{"type": "import_cut", "product": "S0", "origin": "USA", "region": "R0", "share": 1.0, "start": 3,
            "duration": 100}]
    m = build_model(t, resolve_params(prm))
    eng = Engine(m, [cut])
    seen = []

    def watch(day, days):
        st, ws = eng.state, eng.ws
        seen.append((st.inventory[0, 2].copy(), ws.U[0, 2].copy(), ws.phi[0, 0],
                     None if st.sub is None else st.sub.placed[:, 0].copy()))

    eng.run(30, progress=watch)
    for d in range(6, 20):  # imports are cut: the imported-S0 stock moves by substitutes delivered - use
        inv, use, phi, _ = seen[d]
        placed = seen[d - 1][3]
        np.testing.assert_allclose(inv - seen[d - 1][0], placed * phi - use, rtol=1e-9, atol=1e-15)
    # with surge capacity at the domestic producer the substitutes cover the whole cut: no imported shortage
    surge = {**prm, "sector_alpha_max": {"S0": 3.0}, "sector_alpha_tau": {"S0": 1.0}}
    res = simulate(t, cut, days=60, params=surge)
    assert not (res.events.detail == "input S0 (imported) binds").any()
    res0 = simulate(t, cut, days=60, params={**surge, "substitution_share": 0.0})
    assert (res0.events.detail == "input S0 (imported) binds").any()


def test_lever_inventory_days():
    t = _ic_table()
    lo = simulate(t, REGIONAL_CUT, days=150, params={**SMALL, "inventory_days": 10})
    hi = simulate(t, REGIONAL_CUT, days=150, params={**SMALL, "inventory_days": 14})
    assert 0 <= loss(hi) < loss(lo)


def test_lever_criticality_relief():
    t = _ic_table()
    crit = {"inventory_days": 10, "criticality": [[1, 1, 1]] * 3}
    lo = simulate(t, REGIONAL_CUT, days=150, params=crit)
    hi = simulate(t, REGIONAL_CUT, days=150, params={**crit, "criticality_relief": 1.0})
    assert 0 < loss(hi) < loss(lo)


CAPACITY = [{"type": "capacity_loss", "region": "R0", "sector": "S1", "basis": "capacity", "share": 0.6, "start": 5,
             "duration": 30, "recovery": {"curve": "linear", "days": 30}}]


def _recovery_day(res, tol=0.01) -> int:
    rel = res.output.sum(axis=1).to_numpy() / res.baseline.sum()
    bad = np.flatnonzero(rel < 1 - tol)
    return int(bad.max()) + 1 if len(bad) else 0


@pytest.mark.parametrize("field,lo,hi", [("sector_alpha_max", {"S1": 1.25}, {"S1": 1.6}),
                                         ("sector_alpha_tau", {"S1": 365.0}, {"S1": 60.0})])
def test_lever_overproduction_speeds_recovery(field, lo, hi):
    t = make_table(2, 3, seed=8)
    prm = {"inventory_days": 10}
    a = simulate(t, CAPACITY, days=300, params={**prm, field: lo})
    b = simulate(t, CAPACITY, days=300, params={**prm, field: hi})
    assert loss(b) < loss(a)
    assert _recovery_day(b) <= _recovery_day(a)


LINK_CUT = [{"type": "link_cut", "product": "S0", "from_region": ["R0", "R1"], "to_region": "R2", "start": 5,
             "duration": 200}]


@pytest.mark.parametrize("field,slow,fast", [("detection_lag_days", 30.0, 2.0), ("search_days", 45.0, 10.0),
                                             ("ramp_days", 45.0, 10.0)])
def test_lever_resourcing_speed_under_a_link_cut(field, slow, fast):
    t = make_table(3, 3, seed=3, origins=("USA",))
    prm = {"inventory_days": 10, "detection_lag_days": 5, "search_days": 10, "ramp_days": 10}
    a = simulate(t, LINK_CUT, days=250, params={**prm, field: slow})
    b = simulate(t, LINK_CUT, days=250, params={**prm, field: fast})
    assert loss(b) < loss(a)


def test_lever_rebuild_tau_speeds_capacity_recovery():
    # τ_R of the model applies to rebuild events that do not set their own days; a shorter τ_R
    # restores the damaged capacity sooner (the front-loaded rebuilding demand competes with
    # other customers of the rebuilding sector, so the output loss need not fall)
    t = make_table(2, 3, seed=8)
    ev = [{"type": "capacity_loss", "region": "R0", "sector": "S1", "share": 0.3, "start": 5, "duration": 5,
           "recovery": {"curve": "rebuild", "sectors": {"S2": 1.0}}}]
    out = {}
    for tau in (60, 40):
        r = simulate(t, ev, days=400, params={"rebuild_tau": tau})
        rel = r.capacity.to_numpy()[:, 1] / r.baseline.to_numpy()[1]
        out[tau] = (int(np.flatnonzero(rel < 0.99).max()) + 1, float((1 - rel).sum()))
    assert out[40][0] < out[60][0] and out[40][1] < out[60][1]
    explicit = [{**ev[0], "recovery": {**ev[0]["recovery"], "days": 90}}]
    a = simulate(t, explicit, days=100, params={"rebuild_tau": 60})
    b = simulate(t, explicit, days=100, params={"rebuild_tau": 40})
    np.testing.assert_array_equal(a.output.to_numpy(), b.output.to_numpy())  # the event's own τ_R wins


@pytest.mark.parametrize("factor", [0.7, 0.4])
def test_disruption_levers_smaller_cut_and_faster_recovery(factor):
    # fossil_import_exposure scales the cut share; recovery_speedup scales the recovery days
    t = _ic_table()
    rec = [{**REGIONAL_CUT[0], "recovery": {"curve": "linear", "days": 60}}]
    full = simulate(t, rec, days=250, params=SMALL)
    smaller = simulate(t, [{**rec[0], "share": 0.8 * factor}], days=250, params=SMALL)
    faster = simulate(t, [{**rec[0], "recovery": {"curve": "linear", "days": 60 * factor}}], days=250, params=SMALL)
    assert loss(smaller) < loss(full) and loss(faster) < loss(full)


def test_import_cut_into_named_regions_follows_its_recovery_curve():
    t = _ic_table()
    cut = [{**REGIONAL_CUT[0], "start": 5, "duration": 20, "recovery": {"curve": "linear", "days": 10}}]
    m = build_model(t, resolve_params(SMALL))
    eng = Engine(m, [cut])
    open_ = []

    def watch(day, days):
        ov = eng.state.ov
        k = None if ov is None else ov.index.get((0, 0, 3))  # product S0 to buyer R1|S0
        open_.append(1.0 if k is None else ov.K[k, 2])  # the USA block

    arr = eng.run(45, progress=watch)
    assert open_[4] == 1.0 and open_[5] == pytest.approx(0.2) and open_[24] == pytest.approx(0.2)
    for e in range(1, 10):  # day 25 + e - 1: share 0.8 (1 - e/10)
        assert open_[24 + e] == pytest.approx(1 - 0.8 * (1 - e / 10), rel=1e-12)
    assert open_[34] == 1.0
    days = {e[2]: e[0] for e in arr.events}
    assert days["import_cut_end"] == 25 and days["import_cut_recovered"] == 34
    instant = simulate(t, [{**cut[0], "recovery": None}], days=150, params=SMALL)
    slow = simulate(t, cut, days=150, params=SMALL)
    assert loss(slow) >= loss(instant)


def test_factored_equals_explicit_with_substitution_orders():
    from chainsim.engine.links import densify

    t = make_table(3, 3, seed=3, origins=("USA", "JPN"), import_share=0.3)
    dis = [{"type": "import_cut", "product": ["S1", "S2"], "origin": "USA", "region": "R0", "share": 0.9,
            "start": 4, "duration": 50},
           {"type": "import_cut", "product": "S0", "origin": "all", "share": 0.6, "start": 6, "duration": 40},
           {"type": "link_cut", "product": "S0", "from_region": ["R0", "R1"], "to_region": "R2", "start": 5,
            "duration": 60, "share": 0.8}]
    m = build_model(t, resolve_params({"inventory_days": 8, "search_days": 5, "substitution_share": 0.6,
                                       "substitution_lag_days": 10, "ramp_days": 6, "import_headroom": 1.3}))
    fact = Engine(m, [dis, dis[:1]])
    dense = Engine(m, [dis, dis[:1]])
    densify(m, dense.state)
    a, b = fact.run(120), dense.run(120)
    assert fact.state.orders is None and dense.state.orders is not None
    assert any(e[2] == "substitution_ramp_start" for e in a.events)
    np.testing.assert_allclose(a.output, b.output, rtol=1e-10, atol=0)
    single = Engine(m, [dis[:1]]).run(120)
    np.testing.assert_allclose(a.output[:, 1], single.output[:, 0], rtol=1e-12)


def test_domestic_supply_pools_are_in_the_domestic_class():
    import dataclasses

    t = dataclasses.replace(make_table(2, 3, seed=5, origins=("DOM", "USA"), import_share=0.25),
                            domestic_origins=("DOM",))
    m = build_model(t, resolve_params({"import_headroom": 2.0}))
    assert m.class_blocks == ((0, 3), (3, 4)) and list(m.origin_block) == [2, 3]
    S, N = 3, 6
    np.testing.assert_allclose(m.AC[:S] * t.x[None, :], t.Z.reshape(2, S, N).sum(axis=0) + t.imports_Z[0])
    assert (m.cap_ref[N:N + S] == m.xbar[N:N + S]).all() and (m.cap_ref[N + S:] == 2 * m.xbar[N + S:]).all()
    # an import cut from "all" origins cuts the countries only
    cut = [{"type": "import_cut", "product": "S0", "share": 1.0, "start": 3, "duration": 20}]
    eng = Engine(m, [cut])
    caps = []
    eng.run(10, progress=lambda d, T: caps.append(eng.ws.capacity[0, N:].copy()))
    assert caps[5][0] == pytest.approx(m.xbar[N]) and caps[5][S] == 0.0


def test_imported_stocks_are_rebuilt_once_the_cut_is_over():
    # while p is cut, origins deliver at most h x̄; afterwards they serve the restocking orders too,
    # so the imported stock returns to its target and output to baseline
    t = make_table(1, 2, seed=3, origins=("USA",), import_share=0.3)
    m = build_model(t, resolve_params({"criticality": "none", "inventory_days": 10, "inventory_tau": 20,
                                       "resourcing": False}))
    cut = [{"type": "import_cut", "product": "S0", "origin": "USA", "region": "R0", "share": 0.3, "start": 5,
            "duration": 20}]
    eng = Engine(m, [cut])
    seen = []
    usa_s0 = 2  # supplier node: block 1 (USA) x 2 products + product 0
    arr = eng.run(200, progress=lambda d, T: seen.append((eng.state.inventory[0, 2].copy(), eng.ws.x[0, usa_s0],
                                                          eng.ws.demand[0, usa_s0])))
    target = 10 * m.AC[2] * m.xbar[:2]
    assert (seen[22][0] < 0.8 * target).all() and (arr.output[22, 0] < 0.9 * m.xbar[:2]).all()  # bound in the cut
    assert all(x == pytest.approx(d, rel=1e-12) for _, x, d in seen[26:])  # every order served, restocking too
    assert max(x for _, x, _ in seen[26:]) > 1.05 * m.xbar[usa_s0]  # beyond h x̄ = x̄
    np.testing.assert_allclose(arr.output[-1, 0], m.xbar[:2], rtol=1e-3)
    np.testing.assert_allclose(seen[-1][0], target, rtol=1e-2)
