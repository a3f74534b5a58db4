"""DIIM validation helpers: Lian & Haimes (2006) cases R4, R5 (event switches off) and R8."""

import math

import numpy as np
import pytest

from chainsim.data.leontief import calc_inoperability
from chainsim.metrics import (
    cstar_pulse,
    cumulative_inoperability,
    diim_recovery,
    diim_simulate,
    recovery_time,
    resilience_coefficient,
)

A = [[0.15, 0.50], [0.10, 0.05]]
C = [0.0, 0.1]
K = np.diag([0.2, 0.2])


def test_r4_static_inoperability():
    np.testing.assert_allclose(calc_inoperability(A, C), [0.0660, 0.1122], atol=1e-3)


def test_r4_dynamic_converges_to_static_after_100_steps():
    q = diim_simulate(A, K, C, [0.0, 0.0], 100)
    assert q.shape == (2, 101)
    np.testing.assert_allclose(q[:, 0], 0.0)
    np.testing.assert_allclose(q[:, -1], [0.0660065, 0.1122112], atol=1e-6)
    np.testing.assert_allclose(q[:, -1], calc_inoperability(A, C), atol=1e-6)


def test_r4_recovery_closed_form_goes_to_zero():
    q = diim_recovery(A, K, [0.0, 0.1], [0, 10, 200])
    np.testing.assert_allclose(q[:, 0], [0.0, 0.1])
    assert np.all(q[:, 1] > 0)
    np.testing.assert_allclose(q[:, -1], 0.0, atol=1e-6)


def test_r5_perturbation_switches_off_when_the_event_ends():
    steps = 100
    schedule = cstar_pulse(C, steps, [(1, 30)])
    q = diim_simulate(A, K, schedule, [0.0, 0.0], steps)
    total = cumulative_inoperability(q)
    np.testing.assert_allclose(total, [1.980144350, 3.366317449], atol=1e-6)
    # the diimpy bug (perturbation mutated in place, never switched off) gives this instead
    assert not np.allclose(total, [5.78342065, 10.49188014], atol=1e-2)
    # the effect ends: by step 100 the inoperability has decayed far below its plateau
    assert np.all(q[:, -1] < 1e-4)


def test_r5_the_buggy_number_is_what_a_shock_left_on_gives():
    """Documents the trap: leaving c* on for steps 1..99 reproduces diimpy's expected value."""
    q = diim_simulate(A, K, cstar_pulse(C, 100, [(1, 99)]), [0.0, 0.0], 100)
    np.testing.assert_allclose(cumulative_inoperability(q), [5.78342065, 10.49188014], atol=1e-6)


def test_schedule_forms_agree():
    steps = 40
    table = diim_simulate(A, K, cstar_pulse(C, steps, [(1, 30)]), [0.0, 0.0], steps)
    func = diim_simulate(A, [0.2, 0.2], lambda k: C if 1 <= k <= 30 else [0.0, 0.0], [0.0, 0.0], steps)
    np.testing.assert_allclose(table, func)


def test_clip_keeps_inoperability_in_unit_interval():
    # R3 saturating case: the raw equilibrium exceeds 1 for sectors 3 and 4
    A3 = [[0, 0.9, 0, 0], [0.4, 0, 0, 0], [1, 0.8, 0, 0], [1, 0.9, 0, 0]]
    q = diim_simulate(A3, 0.5, [0, 0.5, 0, 0], np.zeros(4), 400)
    assert q.max() <= 1.0
    np.testing.assert_allclose(q[:, -1], [0.70, 0.78, 1.0, 1.0], atol=1e-2)
    assert diim_simulate(A3, 0.5, [0, 0.5, 0, 0], np.zeros(4), 400, clip=False).max() > 1.0


def test_r8_resilience_coefficient():
    k = resilience_coefficient(1.0, 0.01, 30)
    assert k == pytest.approx(math.log(100) / 30)
    assert round(k, 4) == 0.1535
    assert resilience_coefficient(0.5, 0.005, 30, astar_ii=0.2) == pytest.approx(math.log(100) / (30 * 0.8))
    # q(t) = q0 exp(-k t) reaches 1 % of q0 at T = 30 ...
    q = diim_recovery([[0.0]], k, [1.0], np.arange(61))[0]
    assert q[30] == pytest.approx(0.01)
    # ... so the TTR at a 99 % threshold (output 1 - q within 1 % of full) is 30 days
    assert recovery_time(1.0 - q, 1.0, onset=0).days == 30


@pytest.mark.parametrize(("args", "match"), [((0.0, 0.01, 30), "positive"), ((1.0, 0.01, 0), "T > 0"),
                                             ((1.0, 0.01, 30, 1.0), "a\\*_ii < 1")])
def test_resilience_coefficient_validation(args, match):
    with pytest.raises(ValueError, match=match):
        resilience_coefficient(*args)


def test_diim_input_validation():
    with pytest.raises(ValueError, match="astar: expected a square"):
        diim_simulate([[0.1, 0.2]], 0.2, [0, 0], [0, 0], 5)
    with pytest.raises(ValueError, match="cstar_schedule"):
        diim_simulate(A, 0.2, np.zeros((2, 4)), [0, 0], 5)
    with pytest.raises(ValueError, match="K: expected"):
        diim_simulate(A, [0.2, 0.2, 0.2], C, [0, 0], 5)
    with pytest.raises(ValueError, match="steps"):
        diim_simulate(A, 0.2, C, [0, 0], -1)
    with pytest.raises(ValueError, match="active"):
        cstar_pulse(C, 10, [(5, 2)])
