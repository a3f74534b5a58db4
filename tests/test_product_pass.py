"""The default model's evening as one pass per product equals the staged evening it replaces (issue 22).

:func:`chainsim.engine.executor.product_pass.product_pass` computes the deliveries, the stock
update, the need and tomorrow's orders received of each (member, product) at once; the staged
day (``Workspace.tables = None``) computes them as batched products and a stock loop over the
whole batch. They sum in different orders, so they are compared to 1e-12 of max(|x|, x̄) per
industry and day (their measured difference on these runs is below 1e-14), with identical event
logs. The runs have link overrides that change while a search ramps its weights (the pass must
deliver yesterday's orders over yesterday's links and place today's over today's), capacity
losses (λ < 1: the denominators computed, not the baseline's), named origins' own rows, split
imports (0 < σ < 1), and members with their own parameter arrays.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainsim.engine import Engine, build_model, resolve_params
from chainsim.engine.executor import AVAILABLE, FastEconomy
from chainsim.engine.executor import distribution as dist
from chainsim.engine.executor import state as state_mod
from chainsim.engine.executor.supplier_sums import by_product, orders_received, set_pair_orders
from tests.test_engine_helpers import make_table

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="numba not installed")

TOL = 1e-12

ECUT = {"type": "import_cut", "product": "20", "origins": ["KOR", "JPN", "TWN", "USA"], "share": 0.6,
        "start": 8, "duration": 70, "recovery": {"curve": "linear", "days": 20}}
NAMED = {**ECUT, "regions": ["LN", "JL"], "product": ["20", "16"], "share": 0.9}
LINK = {"type": "link_cut", "product": "14", "from_region": "LN", "to_region": "JL", "share": 0.8, "start": 12,
        "duration": 40}
LOSS = {"type": "capacity_loss", "region": "LN", "sector": "14", "share": 0.5, "start": 10, "duration": 1,
        "recovery": {"curve": "linear", "days": 60}}
CARS = {"type": "capacity_loss", "region": "JL", "sector": "18", "share": 0.8, "start": 5, "duration": 30,
        "basis": "capacity"}


def _staged(monkeypatch) -> None:
    """Every economy built from now on runs the staged evening."""
    real = state_mod.Workspace.__init__

    def init(self, m, batch):
        real(self, m, batch)
        self.tables = None

    monkeypatch.setattr(state_mod.Workspace, "__init__", init)


def _compare(model, sets, days, monkeypatch, **kw):
    calls = {"pass": 0}
    real = dist._product_pass

    def counting(*a):
        calls["pass"] += 1
        return real(*a)

    with monkeypatch.context() as mp:
        mp.setattr(dist, "_product_pass", counting)
        one = Engine(model, sets, **kw).run(days)
    assert calls["pass"] >= days // 2  # the pass ran (on the days without substitution orders)
    with monkeypatch.context() as mp:
        _staged(mp)
        mp.setattr(dist, "_product_pass", None)  # would fail if called
        staged = Engine(model, sets, **kw).run(days)
    scale = np.maximum(np.abs(staged.output), np.asarray(model.xbar)[: model.n])
    dev = np.abs(one.output - staged.output) / scale
    assert dev.max() <= TOL, f"output: max relative deviation {dev.max():.2e}"
    dev_c = np.abs(one.capacity - staged.capacity) / np.maximum(np.abs(staged.capacity), scale)
    assert dev_c.max() <= TOL
    assert sorted(one.events) == sorted(staged.events)
    return one, staged


@pytest.fixture(scope="module")
def northeast():
    from chainsim.data.datasets import load_dataset

    return load_dataset("northeast-2017")


def test_shipped_table_with_searches_cuts_and_losses(northeast, monkeypatch):
    base = resolve_params({"inventory_scale": 0.3})
    members = [base, base.model_copy(update={"detection_lag_days": 5.4, "search_days": 12.2, "ramp_days": 9}),
               base.model_copy(update={"inventory_scale": 0.6, "import_headroom": 1.3}), base]
    m = build_model(northeast, base)
    assert m.n_named > 0 and m.has_split  # named origins' rows and split imports are in the pass
    one, _ = _compare(m, [[ECUT], [NAMED, LINK], [ECUT, LOSS, CARS], []], 120, monkeypatch, seeds=[1, 2, 3, 4],
                      member_params=members)
    kinds = {e[2] for e in one.events}
    assert {"shortage", "supplier_search_complete", "substitution_ramp_start"} <= kinds  # links changed mid-run
    assert np.nanmin(one.output[:, 2] / m.xbar[: m.n]) < 0.9  # the shocks bite
    assert np.allclose(one.output[:, 3], m.xbar[: m.n], rtol=1e-9)  # and the undisturbed member stays put


def test_served_orders_travel_over_yesterdays_links(northeast, monkeypatch):
    """Deliveries over today's links instead of yesterday's (the orders served were placed over those) fail this.

    A search's ramp changes a pair's weights every day; the staged evening delivers with the
    snapshot taken when the orders were placed.
    """
    m = build_model(northeast, resolve_params({"ramp_days": 15, "detection_lag_days": 3, "search_days": 4}))
    _compare(m, [[NAMED], [ECUT, LINK]], 90, monkeypatch, seeds=[5, 6])


def test_substitutes_are_delivered_in_the_pass(northeast, monkeypatch):
    """Domestic substitutes for a cut import: delivered and ordered by the pass, never by the staged evening.

    A pathway whose substitution lever has no effect on output must give exactly the output of the
    pathway without it (a Shapley value of exactly 0, not rounding noise): so the days with
    substitution columns take the same path as the days without.
    """
    m = build_model(northeast, resolve_params({"substitution_share": 0.5, "substitution_lag_days": 10,
                                               "inventory_scale": 0.3}))
    calls = {"staged": 0, "substitutes": 0}
    real_deliveries, real_add = dist._deliveries, dist._add_substitutes

    def deliveries(*a, **k):
        calls["staged"] += 1
        return real_deliveries(*a, **k)

    def add(*a, **k):
        calls["substitutes"] += 1
        return real_add(*a, **k)

    monkeypatch.setattr(dist, "_deliveries", deliveries)
    monkeypatch.setattr(dist, "_add_substitutes", add)
    _compare(m, [[ECUT], [NAMED]], 100, monkeypatch, seeds=[7, 8])
    assert calls["staged"] > 0  # the staged comparison run used the staged deliveries ...
    calls.update(staged=0, substitutes=0)
    Engine(m, [[ECUT], [NAMED]], seeds=[7, 8]).run(100)
    assert calls["substitutes"] > 10  # substitutes were delivered on many days ...
    assert calls["staged"] == 0  # ... and the pass never handed a day to the staged evening


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), sigma=st.sampled_from([None, 0.4]), named=st.booleans(),
       inventory=st.sampled_from([3.0, 8.0]))
def test_synthetic_tables(seed, sigma, named, inventory, monkeypatch):
    """Random tables: competitive, non-competitive and split imports, named origins' rows or not."""
    t = make_table(3, 3, seed=seed, origins=("USA", "JPN"), import_share=0.25)
    p = {"inventory_days": inventory, "noncompetitive_products": ["S1", "S2"], "resourcing": True,
         "detection_lag_days": 2, "search_days": 3, "ramp_days": 4}
    if sigma is not None:
        p |= {"import_substitutability": "competitive", "sector_import_substitutability": {"S1": sigma, "S2": 0.0}}
    if named:
        p["origin_row_min_share"] = 0.2
    m = build_model(t, resolve_params(p))
    cut = {"type": "import_cut", "product": ["S1", "S2"], "origin": "USA", "share": 0.9, "start": 4, "duration": 30}
    link = {"type": "link_cut", "product": "S0", "from_region": ["R0", "R1"], "to_region": "R2", "start": 5,
            "duration": 25, "share": 0.9}
    loss = {"type": "capacity_loss", "region": "R1", "sector": "S1", "share": 0.4, "start": 3, "duration": 1,
            "recovery": {"curve": "linear", "days": 20}}
    _compare(m, [[cut], [link, loss], [cut, loss], []], 60, monkeypatch, seeds=[seed, 1, 2, 3])


def _economy_after(model, sets, days):
    eng = Engine(model, sets, seeds=list(range(len(sets))))
    eng.run(days)
    assert isinstance(eng.economy, FastEconomy)
    return eng.economy


def test_tomorrows_orders_equal_the_batched_orders_received(northeast):
    """``d_next`` left by the pass equals what the morning's batched products compute from the same ratios."""
    m = build_model(northeast, resolve_params(None))
    econ = _economy_after(m, [[ECUT], [NAMED, LINK], [LOSS]], 40)
    st, ws = econ.state, econ.ws
    assert ws.orders_ready and st.placed is not None
    B, nb, S = 3, m.n_blocks, m.n_sectors
    want = np.empty_like(ws.d_next)
    orders_received(m, st.ratio, m.ZbarT_D, m.ZbarT_M, want.reshape(B, nb, S))
    b, p, _, wk = st.placed
    set_pair_orders(m, want.reshape(B, nb, S), st.ratio, b, p, wk)
    scale = np.maximum(np.abs(want), 1e-300)
    assert (np.abs(ws.d_next - want) <= 1e-13 * np.maximum(scale, np.abs(want).max(axis=1, keepdims=True))).all()
    assert (np.abs(want) > 0).mean() > 0.5  # not vacuous


def test_baseline_denominators_equal_the_batched_products(northeast):
    m = build_model(northeast, resolve_params(None))
    ws = state_mod.Workspace(m, 2)
    den = dist.baseline_denominators(m, ws)
    full = np.empty_like(ws.V_denom)
    by_product(m, np.empty_like(ws.v_nc), np.ones_like(ws.tmp_lam), full)
    want = full[0]
    assert np.allclose(den, want, rtol=1e-14, atol=0.0)
    assert (want > 0).mean() > 0.5
