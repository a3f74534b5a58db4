"""Known answers: a flat path without shocks, Leontief convergence, the R9 hand check, R5.

The end-to-end answers hold for both economies (the reference day and the fast executor); the
one-step hand checks read the reference day's equations directly.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from chainsim.data.csv_layout import read_csv_layout
from chainsim.data.leontief import calc_A, calc_L
from chainsim.data.toy import load_toy
from chainsim.engine import ModelParams, build_model, reference, simulate
from chainsim.engine.economy import DayInputs
from chainsim.engine.reference_state import DenseState
from tests.test_engine_helpers import make_table

FIX = Path(__file__).parent / "fixtures"
EXECUTORS = ["reference", "auto"]


def _day(m, delta, t=0):
    B = len(delta)
    return DayInputs(t, delta, np.zeros((B, m.n_sup)), np.broadcast_to(m.ybar, (B, m.n_sup)).copy(),
                     np.zeros((B, m.n_sectors), dtype=bool), np.zeros((B, m.n), dtype=bool))


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("params", ["ario", None])
def test_no_shock_stays_at_baseline_for_three_years(params, executor):
    table = read_csv_layout(FIX / "case_5x42")
    res = simulate(table, [], days=3 * 365, params=params, executor=executor)
    rel = res.output.to_numpy() / res.baseline.to_numpy()[None, :]
    assert np.abs(rel - 1).max() < 1e-9
    assert res.unmet_demand.abs().max() < 1e-9 * res.baseline.sum()
    assert res.events.empty


@pytest.mark.parametrize("executor", EXECUTORS)
def test_no_shock_baseline_with_foreign_supply_nodes(executor):
    table = make_table(3, 4, seed=2, origins=("USA", "JPN"))
    res = simulate(table, [], days=3 * 365, executor=executor)
    assert np.abs(res.output.to_numpy() / res.baseline.to_numpy() - 1).max() < 1e-9


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("params", ["ario", None])
@pytest.mark.parametrize("table", [load_toy(), make_table(3, 3, seed=5)], ids=["miller_blair", "toy_3x3"])
def test_permanent_final_demand_change_converges_to_leontief(table, params, executor):
    # A demand cut leaves capacity slack, stocks stay above target, so orders equal use:
    # x_{t+1} = A x_t + f, a contraction with rate rho(A) <= max column sum of A (< 0.8
    # here), so after 300 days the gap is below 0.8^300 ~ 1e-29: machine precision. The
    # tolerance 1e-9 leaves room for rounding in the daily sums.
    # The default model orders toward a fixed stock target with a signed gap: the stocks add a slow
    # mode of time constant τ_inv (60 d on these tables), (1 - 1/60)^2000 ~ 1e-15.
    share = -0.2
    days = 300 if params == "ario" else 2000
    res = simulate(table, [{"type": "final_demand", "sector": table.sector_codes[0], "share": share,
                            "start": 5, "permanent": True}], days=days, params=params, executor=executor)
    f = table.final_demand.copy()
    f[table.sector_of == 0] *= 1 + share
    x_new = calc_L(calc_A(table.Z, table.x)) @ f / 365
    got = res.output.iloc[-1].to_numpy()
    assert np.abs(got / x_new - 1).max() < 1e-9
    assert res.output.iloc[4].to_numpy() == pytest.approx(table.x / 365, rel=1e-12)


def _two_sector_model():
    return build_model(load_toy(), ModelParams.ario())


def test_r9_one_step_hand_check():
    m = _two_sector_model()
    x = np.array([1000.0, 2000.0]) / 365
    Z = np.array([[150.0, 500.0], [200.0, 100.0]]) / 365
    y = np.array([350.0, 1700.0]) / 365
    A = np.array([[0.15, 0.25], [0.2, 0.05]])
    st = DenseState.equilibrium(m, 1)
    np.testing.assert_allclose(st.inventory[0], 90 * A * x[None, :])
    delta = np.array([[0.5, 0.0]])  # half of sector 1's capacity lost
    day = reference.step(m, st, _day(m, delta))
    # capacity, optimal and actual production: demand is the baseline x
    np.testing.assert_allclose(day.capacity[0], [0.5 * x[0], x[1]])
    np.testing.assert_allclose(day.x[0], [0.5 * x[0], x[1]])
    # proportional rationing: everybody gets half of sector 1's output
    np.testing.assert_allclose(day.phi[0], [0.5, 1.0])
    np.testing.assert_allclose(day.unmet[0], 0.5 * y[0])
    # stocks: S - A x_t + deliveries
    use = A * day.x[0][None, :]
    got = np.array([[0.5 * Z[0, 0], 0.5 * Z[0, 1]], [Z[1, 0], Z[1, 1]]])
    np.testing.assert_allclose(st.inventory[0], 90 * A * x[None, :] - use + got)
    # orders: use + 1/60 of the gap to 90 days of optimal production
    goal = 90 * A * day.x_opt[0][None, :]
    gap = np.clip(goal - st.inventory[0], 0, None) / 60
    np.testing.assert_allclose(st.orders[0], use + gap)
    assert gap[0, 1] == pytest.approx(0.5 * Z[0, 1] / 60)


def test_r9_binding_input_cuts_output_by_the_same_share():
    m = _two_sector_model()
    st = DenseState.equilibrium(m, 1)
    # sector 2's stock of input 1 at 40 % of the psi level: output falls to 40 %
    level = m.params.psi * 90 * m.AC[0, 1] * m.xbar[1]
    st.inventory[0, 0, 1] = 0.4 * level
    D = reference.total_demand(m, st, m.ybar[None], np.zeros((1, 2)))
    x_opt = reference.optimal_production(m, D, reference.production_capacity(m, st.alpha, np.zeros((1, 2))))
    x, _ = reference.input_limits(m, st.inventory, x_opt)
    assert x[0, 1] == pytest.approx(0.4 * m.xbar[1], rel=1e-12)
    assert x[0, 0] == pytest.approx(m.xbar[0], rel=1e-12)


def test_r9_overproduction_closed_form():
    # constant scarcity zeta: alpha_t = amax - (amax - a0)(1 - zeta/tau)^t
    m = _two_sector_model()
    st = DenseState.equilibrium(m, 1)
    for _ in range(50):
        st.x_prev[:] = 1.5
        st.alpha = reference.overproduction(m, st, np.full((1, 2), 2.0))
    zeta = 0.25
    assert st.alpha[0, 0] == pytest.approx(1.25 - 0.25 * (1 - zeta / 365) ** 50, rel=1e-12)


@pytest.mark.parametrize("executor", EXECUTORS)
@pytest.mark.parametrize("params", ["ario", None])
def test_r5_effect_ends_when_the_event_ends(params, executor):
    table = make_table(2, 3, seed=4)
    temp = {"type": "final_demand", "region": "R0", "sector": "all", "share": -0.3, "start": 10, "duration": 30}
    perm = {**temp, "permanent": True}
    # the default model's fixed stock target adds a slow mode (τ_inv = 60 d): give it 700 days
    days = 200 if params == "ario" else 700
    r_temp = simulate(table, [temp], days=days, params=params, executor=executor)
    r_perm = simulate(table, [perm], days=days, params=params, executor=executor)
    base = r_temp.baseline.to_numpy()
    peak = np.abs(r_temp.output.to_numpy()[10:40] / base - 1).max()
    assert peak > 1e-2  # it bites
    # and is gone: after the restore only the inventory transient remains (it decays with
    # tau_inv = 60 days), so 160 days later the deviation is < 1e-4 of the peak
    assert np.abs(r_temp.output.to_numpy()[-1] / base - 1).max() < 1e-4 * peak
    assert np.abs(r_perm.output.to_numpy()[-1] / base - 1).max() > 1e-3  # the permanent one is not
    loss_t = (base - r_temp.output.to_numpy()).sum()
    loss_p = (base - r_perm.output.to_numpy()).sum()
    assert 0 < loss_t < loss_p
    kinds = r_temp.events.set_index("kind")["day"]
    assert kinds["final_demand_change"] == 10 and kinds["final_demand_restore"] == 40


def test_capital_loss_effect_ends_after_linear_recovery_ario():
    table = read_csv_layout(FIX / "case_5x42")
    ev = {"type": "capacity_loss", "region": "LN", "sector": "S14_metal_smelting", "share": 0.5, "start": 10,
          "duration": 1, "recovery": {"curve": "linear", "days": 30}}
    res = simulate(table, [ev], days=80, params="ario")
    j = list(res.capacity.columns).index(("LN", "S14_metal_smelting"))
    cap_ratio = res.capacity.iloc[:, j] / res.baseline.iloc[j]
    # spec §6.1: full loss on days t_o .. t_o+d+1, zero from t_o+d+1+tau (alpha may stay raised)
    assert cap_ratio.iloc[9] == pytest.approx(1.0)
    assert cap_ratio.iloc[10:13].max() < 0.51
    assert cap_ratio.iloc[42:].min() >= 1.0
    ev_days = res.events.set_index("kind")["day"]
    assert ev_days["disruption_start"] == 10
    assert ev_days["disruption_end"] == 11
    assert ev_days["disruption_recovered"] == 10 + 1 + 1 + 30
