"""Non-competitive imports: imported and domestic p are separate inputs for the non-competitive products.

The toy tables have sector codes S0, S1, ..., so ``noncompetitive_products="auto"`` (the
differentiated NBS-42 products of Rauch 1999) makes every import competitive there; the tests
name the non-competitive products explicitly (``"all"`` is the two-class model of every product).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from chainsim.data.classification import NONCOMPETITIVE_NBS42
from chainsim.data.iotable import IOTable
from chainsim.engine import Engine, build_model, simulate
from chainsim.engine.params import resolve_params
from chainsim.errors import ModelBuildError
from tests.test_engine_helpers import make_table
from tests.test_executor_vs_reference import assert_matches

ALL = {"noncompetitive_products": "all"}
#: The closed forms and known answers below are those of ARIO's inventory rule (ψ threshold, orders
#: on realised output, moving target) and of the legacy foreign nodes: they run the ``legacy``
#: configuration, which keeps those equations. The default model's inventory rules are tested in
#: tests/test_dynamics.py, its non-competitive rows against the reference in test_executor_vs_reference.
LEGACY = {"base": "legacy"}
#: the yes/no rule (σ 0 or 1 by noncompetitive_products) on an NBS-42 table; toy tables use it under "evidence" too
NC = {"import_substitutability": "noncompetitive", "origin_row_min_share": None}  # the yes/no rule, one row a product


def loss(res) -> float:
    return float((res.baseline - res.output).sum().sum())


def nbs_table(n_regions: int = 1, *, seed: int = 4, import_share: float = 0.1) -> IOTable:
    """A toy table with the 42 NBS sector codes (so that ``"auto"`` applies); every buyer buys every product."""
    t = make_table(n_regions, 42, seed=seed, origins=("USA", "JPN"), import_share=import_share, density=1.0)
    return dataclasses.replace(t, sectors=tuple(dataclasses.replace(sec, code=f"{k + 1:02d}")
                                                for k, sec in enumerate(t.sectors)))


def test_input_rows_domestic_and_imported_for_the_noncompetitive_products_only():
    t = make_table(2, 3, seed=5, origins=("USA", "JPN"), import_share=0.25)
    allm = build_model(t, resolve_params(ALL))
    comp = build_model(t, resolve_params({"noncompetitive_products": "none"}))
    one = build_model(t, resolve_params({"noncompetitive_products": ["S1"]}))
    assert (allm.n_classes, allm.n_inputs, comp.n_classes, comp.n_inputs) == (2, 6, 1, 3)
    assert (one.n_classes, one.n_inputs, list(one.nc_products), list(one.import_row)) == (2, 4, [1], [0, 3, 2])
    assert build_model(t, resolve_params("ario")).n_classes == 1
    assert build_model(t, resolve_params({"import_substitutability": "competitive", **ALL})).n_inputs == 3
    # toy sector codes: "auto" finds no differentiated NBS product, every import is competitive
    assert build_model(t, resolve_params(None)).n_inputs == 3
    # the rows add up to the competitive requirement; imports of S1 are the extra row
    np.testing.assert_allclose(allm.AC[:3] + allm.AC[3:], comp.AC, rtol=1e-14)
    np.testing.assert_allclose(allm.AC[3:] * t.x[None, :], t.imports_Z.sum(axis=0), rtol=1e-12)
    np.testing.assert_allclose(one.AC[[0, 2]], comp.AC[[0, 2]], rtol=1e-14)
    np.testing.assert_allclose(one.AC[[1, 3]], allm.AC[[1, 4]], rtol=1e-14)
    assert (allm.bind_weight[:3][allm.AC[:3] > 1e-5] == allm.bind_weight[3:][allm.AC[3:] > 1e-5].max()).all()
    assert one.input_blocks(0) == (0, 4) and one.input_blocks(1) == (0, 2) and one.input_blocks(3) == (2, 4)
    assert (one.input_name(1), one.input_name(3)) == ("S1", "S1 (imported)")
    with pytest.raises(ModelBuildError, match=r"noncompetitive_products.*S9"):
        build_model(t, resolve_params({"noncompetitive_products": ["S9"]}))


def test_auto_is_the_differentiated_nbs_products():
    """The yes/no rule kept as the σ = 0/1 limit (``import_substitutability="noncompetitive"``)."""
    t = nbs_table()
    m = build_model(t, resolve_params(NC))
    assert [t.sector_codes[p] for p in m.nc_products] == list(NONCOMPETITIVE_NBS42)
    assert NONCOMPETITIVE_NBS42 == ("08", "15", "16", "17", "18", "19", "20", "21")
    assert m.n_inputs == 42 + 8 and m.import_row[t.sector_index("20")] == 42 + 6
    assert m.import_row[t.sector_index("24")] == t.sector_index("24")  # electricity: competitive
    # codes as YAML may give them: one code, numbers, numbers without the leading zero
    for v in ("20", [20, 16], ["16", 20], [8]):
        m = build_model(t, resolve_params({**NC, "noncompetitive_products": v}))
        expected = {"20"} if v == "20" else ({"08"} if v == [8] else {"16", "20"})
        assert {t.sector_codes[p] for p in m.nc_products} == expected
    with pytest.raises(ModelBuildError, match=r"noncompetitive_products: unknown sector 'some'"):
        build_model(t, resolve_params({**NC, "noncompetitive_products": "some"}))


SETTINGS = ["auto", "all", "none", ("S1",), ("S0", "S2")]


@pytest.mark.parametrize("nc", SETTINGS, ids=str)
def test_no_shock_baseline_is_stationary_for_every_setting(nc):
    t = make_table(3, 3, seed=2, origins=("USA", "JPN"), import_share=0.3)
    for extra in ({}, {"import_headroom": 1.7, "lead_days_imports": 5}):
        res = simulate(t, [], days=3 * 365, params={"noncompetitive_products": nc, **extra})
        assert np.abs(res.output.to_numpy() / res.baseline.to_numpy() - 1).max() < 1e-9


def test_no_shock_baseline_is_stationary_with_auto_on_an_nbs_table():
    t = nbs_table(2)
    res = simulate(t, [], days=3 * 365, params={"lead_days_imports": 3})
    assert np.abs(res.output.to_numpy() / res.baseline.to_numpy() - 1).max() < 1e-9


def _cliff_run(share: float, s: float, psi: float, t0: int, tau: float = 1e12):
    t = make_table(1, 2, seed=3, origins=("USA",), import_share=0.3)
    m = build_model(t, resolve_params({**LEGACY, "criticality": "none", "inventory_days": s, "psi": psi,
                                       "inventory_tau": tau, "resourcing": False,
                                       "noncompetitive_products": ["S0"]}))
    cut = [{"type": "import_cut", "product": "S0", "origin": "USA", "region": "R0", "share": share, "start": t0,
            "duration": 400}]
    eng = Engine(m, [cut])
    stock = []
    eng.run(t0 + 60, progress=lambda d, T: stock.append(eng.economy.inventory[0, 2, :].copy()))
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
    base = {**LEGACY, "inventory_days": 10, "resourcing": False, "criticality": "none"}
    nc = simulate(t, cut, days=120, params={**base, **ALL})
    comp = simulate(t, cut, days=120, params={**base, "import_substitutability": "competitive"})
    first = lambda r: r.events[r.events.kind == "shortage"]["day"].min()  # noqa: E731
    assert loss(nc) > loss(comp) >= 0
    assert first(nc) < first(comp) or np.isnan(first(comp))


@pytest.mark.parametrize("region", ["all", "R0"])
def test_full_cut_of_a_competitive_import_barely_moves_output_a_noncompetitive_one_binds(region):
    # one region, two products, 4 % of inputs imported; a 90-day full cut of the imports of S0. (A
    # buyer with no domestic supplier of S0 in the table could not turn to one before re-sourcing:
    # every link is present here.)
    t = make_table(1, 2, seed=3, origins=("USA", "JPN"), import_share=0.04, density=1.0)
    s, psi = 88.0, 0.8  # (1 - psi) s = 17.6 days of use: not on a day boundary
    prm = {**LEGACY, "criticality": "none", "resourcing": False, "inventory_days": s, "psi": psi}
    cut = [{"type": "import_cut", "product": "S0", "origin": "all", "region": region, "share": 1.0, "start": 5,
            "duration": 90}]
    comp = simulate(t, cut, days=365, params={**prm, "noncompetitive_products": ["S1"]})
    nc = simulate(t, cut, days=365, params={**prm, "noncompetitive_products": ["S0"]})
    # competitive S0: the "alt" split moves the cut origins' orders to the domestic producer, the
    # pooled stock covers what it cannot make: output does not move, no input binds
    assert loss(comp) < 1e-6 * float(comp.baseline.sum()) * 365
    assert not (comp.events.kind == "shortage").any()
    # non-competitive S0: the imported stock runs down by one day of use per day (from day 5 for a
    # cut of the origins' capacity, from day 6 for a cut of the links into R0: orders placed the day
    # before arrive) and binds below psi s, after floor((1 - psi) s) + 1 days of decline
    first = int(nc.events[nc.events.kind == "shortage"]["day"].min())
    assert first == 5 + (region != "all") + math.floor((1 - psi) * s / 1.0) + 1
    assert set(nc.events[nc.events.day == first].detail) == {"input S0 (imported) binds"}
    assert loss(nc) > 0.05 * float(nc.baseline.sum()) * 90


def test_auto_electricity_cut_barely_moves_output_electronics_cut_binds():
    t = nbs_table(import_share=0.03)
    cut = lambda p: [{"type": "import_cut", "product": p, "origin": "all", "share": 1.0, "start": 5,  # noqa: E731
                      "duration": 90}]
    prm = {"criticality": "none", "resourcing": False}
    elec = simulate(t, cut("24"), days=200, params=prm)
    chips = simulate(t, cut("20"), days=200, params=prm)
    base = float(elec.baseline.sum()) * 200
    assert loss(elec) < 1e-6 * base and not (elec.events.kind == "shortage").any()
    assert loss(chips) > 0.01 * base
    assert (chips.events[chips.events.kind == "shortage"].detail == "input 20 (imported) binds").any()


# Outputs of the two-class engine (every product non-competitive) at commit e7df819, before
# noncompetitive_products existed: total loss, the loss on days 10, 20, 40, 80 and 119, and the
# number of shortage events. noncompetitive_products="all" reproduces them.
TWO_CLASS_REFERENCE = {
    "all_regions_headroom": (46.474372153756256, [1.7763568394002505e-15, 1.1637468828466009, 0.9953127501261623,
        -0.030652330631642855, -0.0002608312866314577], 9),
    "named_recovery_substitution": (311.44468992611087, [0.5768288601793952, 1.7987582790340433, 4.2496797958079195,
        3.853061332217214, -0.20155858794349513], 9),
    "congestion_leads": (106.01963534032974, [0.170516580072972, 5.270324179839289, 0.08467092793333997,
        -0.0718223067442505, -0.00010023071497577973], 9),
    "priority_noalt": (39.74052971045214, [0.22414443903300274, 1.408996945346198, 0.5876934301577101,
        -0.022902048121801855, -0.0002720015386348251], 5),
    "priority_factored": (98.5742637316983, [1.0850991296616108, 3.5856726297262984, 1.0405315994590048,
        -0.052546259295578324, -0.0004638867829953597], 6),
}
SHORT = {**LEGACY, "inventory_days": 15, "inventory_tau": 10}
TWO_CLASS_CASES = {
    "all_regions_headroom": ([{"type": "import_cut", "product": ["S0", "S2"], "origin": "USA", "share": 0.5,
                               "start": 5, "duration": 30}],
                             {**SHORT, "import_headroom": 1.3, "search_days": 5, "detection_lag_days": 2}),
    "named_recovery_substitution": ([{"type": "import_cut", "product": ["S1", "S2"], "origin": "USA", "region": "R0",
                                      "share": 0.6, "start": 4, "duration": 30,
                                      "recovery": {"curve": "linear", "days": 10}},
                                     {"type": "link_cut", "product": "S0", "from_region": ["R0", "R1"],
                                      "to_region": "R2", "start": 5, "duration": 60, "share": 0.8}],
                                    {**SHORT, "search_days": 5, "substitution_share": 0.6,
                                     "substitution_lag_days": 10, "ramp_days": 6, "import_headroom": 1.3}),
    "congestion_leads": ([{"type": "import_cut", "product": "S1", "origin": "all", "share": 0.5, "start": 3,
                           "duration": 25},
                          {"type": "congestion", "from_region": "USA", "to_region": "all", "throughput_loss": 0.5,
                           "extra_lead_days": 3, "start": 6, "duration": 20}],
                         {**SHORT, "lead_days_imports": 2, "lead_days_interregional": 1}),
    "priority_noalt": ([{"type": "import_cut", "product": "S0", "origin": "JPN", "region": ["R1", "R2"], "share": 0.7,
                         "start": 2, "duration": 30}],
                       {**SHORT, "order_type": "noalt", "rationing": "priority_sectors", "priority_sectors": ["S2"]}),
    "priority_factored": ([{"type": "import_cut", "product": "S0", "origin": "JPN", "share": 0.7, "start": 2,
                            "duration": 30}],
                          {**SHORT, "rationing": "priority_sectors", "priority_sectors": ["S1"],
                           "criticality": [[1, 0.5, 1], [1, 1, 0], [0.5, 1, 1]]}),
}


@pytest.mark.parametrize("case", sorted(TWO_CLASS_CASES))
def test_all_reproduces_the_two_class_model(case):
    t = make_table(3, 3, seed=3, origins=("USA", "JPN"), import_share=0.3)
    dis, prm = TWO_CLASS_CASES[case]
    ref_loss, ref_days, ref_short = TWO_CLASS_REFERENCE[case]
    for nc in ("all", ("S0", "S1", "S2")):
        r = simulate(t, dis, days=120, params={**prm, "noncompetitive_products": nc})
        o = r.output.to_numpy()
        base = r.baseline.to_numpy().sum()
        assert loss(r) == pytest.approx(ref_loss, rel=1e-11)
        np.testing.assert_allclose([base - o[d].sum() for d in (10, 20, 40, 80, 119)], ref_days,
                                   rtol=1e-9, atol=1e-12 * base)
        assert int((r.events.kind == "shortage").sum()) == ref_short


@pytest.mark.parametrize("case", sorted(TWO_CLASS_CASES))
def test_none_is_the_competitive_model(case):
    t = make_table(3, 3, seed=3, origins=("USA", "JPN"), import_share=0.3)
    dis, prm = TWO_CLASS_CASES[case]
    a = simulate(t, dis, days=120, params={**prm, "noncompetitive_products": "none"})
    b = simulate(t, dis, days=120, params={**prm, "import_substitutability": "competitive"})
    c = simulate(t, dis, days=120, params={**prm, "noncompetitive_products": []})
    np.testing.assert_array_equal(a.output.to_numpy(), b.output.to_numpy())
    np.testing.assert_array_equal(a.output.to_numpy(), c.output.to_numpy())
    # domestic substitution orders exist for non-competitive products only
    assert not a.events.detail.str.contains("domestic producers take over").any()


SUB = {"inventory_days": 8, "search_days": 5, "substitution_share": 0.6, "substitution_lag_days": 10, "ramp_days": 6,
       "import_headroom": 1.3}


def _cuts(second_product: str) -> list[dict]:
    """A regional import cut of S1, S2; an import cut of ``second_product`` from every origin; a link cut of S0."""
    return [{"type": "import_cut", "product": ["S1", "S2"], "origin": "USA", "region": "R0", "share": 0.9,
             "start": 4, "duration": 50},
            {"type": "import_cut", "product": second_product, "origin": "all", "share": 0.6, "start": 6,
             "duration": 40},
            {"type": "link_cut", "product": "S0", "from_region": ["R0", "R1"], "to_region": "R2", "start": 5,
             "duration": 60, "share": 0.8}]


def _factored_vs_explicit(m, dis: list[dict]) -> tuple[Engine, object]:
    """Run [dis, dis[:1]] on the fast executor and the reference: equal, and member 1 equals its single run."""
    fact = Engine(m, [dis, dis[:1]])
    a, b = fact.run(120), Engine(m, [dis, dis[:1]], executor="reference").run(120)
    assert_matches(a, b, m)
    single = Engine(m, [dis[:1]]).run(120)
    np.testing.assert_allclose(a.output[:, 1], single.output[:, 0], rtol=1e-12, atol=1e-12 * m.xbar.max())
    return fact, a


@pytest.mark.parametrize("nc", [("S1",), ("S0", "S2")], ids=str)
def test_mixed_factored_equals_explicit(nc):
    t = make_table(3, 3, seed=3, origins=("USA", "JPN"), import_share=0.3)
    for extra in ({}, {"rationing": "priority_sectors", "priority_sectors": ["S1"]}):
        m = build_model(t, resolve_params({**SUB, "noncompetitive_products": nc, **extra}))
        fact, _ = _factored_vs_explicit(m, _cuts("all"))
        # substitution orders only for the non-competitive cut products
        assert set(fact.economy.state.sub.p.tolist()) == {t.sector_index(c) for c in nc}


def _ic_table():
    return make_table(2, 3, seed=5, origins=("USA", "JPN"), import_share=0.25)


IMPORT_CUT = [{"type": "import_cut", "product": "all", "origin": "USA", "share": 0.8, "start": 5, "duration": 80}]
REGIONAL_CUT = [{"type": "import_cut", "product": "all", "origin": "USA", "region": "R1", "share": 0.8, "start": 5,
                 "duration": 80}]
SMALL = {"inventory_days": 10, "criticality": "none", **ALL}


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
           "substitution_lag_days": 0, "ramp_days": 1, **ALL}
    cut = [{"type": "import_cut", "product": "S0", "origin": "USA", "region": "R0", "share": 1.0, "start": 3,
            "duration": 100}]
    m = build_model(t, resolve_params(prm))
    eng = Engine(m, [cut], executor="reference")
    seen = []

    def watch(day, days):
        st, r = eng.economy.state, eng.economy.day
        use = m.AC[2] * r.x[0, : m.n]
        seen.append((st.inventory[0, 2].copy(), use, r.phi[0, 0], st.substitution_orders[0, 0].copy()))

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
    crit = {**LEGACY, "inventory_days": 10, "criticality": [[1, 1, 1]] * 3}
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
        open_.append(eng.economy.columns(np.array([0]), np.array([0]), np.array([3]))[1][0, 2])  # S0 to R1|S0, USA

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
    t = make_table(3, 3, seed=3, origins=("USA", "JPN"), import_share=0.3)
    m = build_model(t, resolve_params({**SUB, **ALL}))
    _, a = _factored_vs_explicit(m, _cuts("S0"))
    assert any(e[2] == "substitution_ramp_start" for e in a.events)


def test_domestic_supply_pools_are_in_the_domestic_class():
    import dataclasses

    t = dataclasses.replace(make_table(2, 3, seed=5, origins=("DOM", "USA"), import_share=0.25),
                            domestic_origins=("DOM",))
    m = build_model(t, resolve_params({"import_headroom": 2.0, **ALL}))
    assert (m.n_dom_blocks, m.n_blocks) == (3, 4) and list(m.origin_block) == [2, 3]
    S, N = 3, 6
    np.testing.assert_allclose(m.AC[:S] * t.x[None, :], t.Z.reshape(2, S, N).sum(axis=0) + t.imports_Z[0])
    assert (m.cap_ref[N:N + S] == m.xbar[N:N + S]).all() and (m.cap_ref[N + S:] == 2 * m.xbar[N + S:]).all()
    # an import cut from "all" origins cuts the countries only
    cut = [{"type": "import_cut", "product": "S0", "share": 1.0, "start": 3, "duration": 20}]
    eng = Engine(m, [cut])
    caps = []
    eng.run(10, progress=lambda d, T: caps.append(eng.economy.capacity[0, N:].copy()))
    assert caps[5][0] == pytest.approx(m.xbar[N]) and caps[5][S] == 0.0


def test_imported_stocks_are_rebuilt_once_the_cut_is_over():
    # while p is cut, origins deliver at most h x̄; afterwards they serve the restocking orders too,
    # so the imported stock returns to its target and output to baseline
    t = make_table(1, 2, seed=3, origins=("USA",), import_share=0.3)
    m = build_model(t, resolve_params({**LEGACY, "criticality": "none", "inventory_days": 10, "inventory_tau": 20,
                                       "resourcing": False, **ALL}))
    cut = [{"type": "import_cut", "product": "S0", "origin": "USA", "region": "R0", "share": 0.3, "start": 5,
            "duration": 20}]
    eng = Engine(m, [cut])
    seen = []
    usa_s0 = 2  # supplier node: block 1 (USA) x 2 products + product 0
    arr = eng.run(200, progress=lambda d, T: seen.append((eng.economy.inventory[0, 2].copy(), eng.economy.x[0, usa_s0],
                                                          eng.economy.ws.demand[0, usa_s0])))
    target = 10 * m.AC[2] * m.xbar[:2]
    assert (seen[22][0] < 0.8 * target).all() and (arr.output[22, 0] < 0.9 * m.xbar[:2]).all()  # bound in the cut
    assert all(x == pytest.approx(d, rel=1e-12) for _, x, d in seen[26:])  # every order served, restocking too
    assert max(x for _, x, _ in seen[26:]) > 1.05 * m.xbar[usa_s0]  # beyond h x̄ = x̄
    np.testing.assert_allclose(arr.output[-1, 0], m.xbar[:2], rtol=1e-3)
    np.testing.assert_allclose(seen[-1][0], target, rtol=1e-2)
