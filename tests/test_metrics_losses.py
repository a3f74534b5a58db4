"""Cumulative loss, loss in days of output, amplification ratio and the resilience triangle (R10, R19)."""

import numpy as np
import pandas as pd
import pytest

from chainsim.metrics import (
    amplification_ratio,
    cumulative_loss,
    loss_in_days_of_output,
    resilience_triangle_area,
)

B = 200.0


def linear_dip(d, T, t0, n):
    k = np.arange(n) - t0
    return B * np.where(k < 0, 1.0, 1.0 - d * np.clip(1.0 - k / T, 0.0, 1.0))


# --- R10: Bruneau triangle ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "T", "t0", "n"), [(0.3, 20, 10, 60), (0.5, 1, 0, 5), (0.9, 90, 3, 94), (0.05, 7, 30, 38)]
)
def test_triangle_area_is_d_T_over_2_exactly(d, T, t0, n):
    # drop of d (100 d %) at t0, linear back over T days: area = (100 d) T / 2 %-days exactly
    assert resilience_triangle_area(linear_dip(d, T, t0, n), B) == pytest.approx(100 * d * T / 2, rel=1e-12)


def test_triangle_area_starts_at_given_onset():
    y = linear_dip(0.4, 10, 5, 30)
    # an onset before the drop adds the ramp segment from the last pre-onset day (d/2 = 20 %-days)
    assert resilience_triangle_area(y, B, onset=4) == pytest.approx(100 * 0.4 * 10 / 2 + 20.0)
    assert resilience_triangle_area(y, B, onset=5) == pytest.approx(200.0)


def test_triangle_area_until_horizon_if_not_recovered():
    y = np.r_[np.full(2, B), np.full(11, 0.9 * B)]  # 10 % down from day 2 to day 12: 10 intervals
    assert resilience_triangle_area(y, B) == pytest.approx(100.0)


def test_triangle_area_overshoot_counts_negatively():
    q = np.array([1.0, 0.8, 1.0, 1.2, 1.0])
    # (0.2 + 0)/2 + (0 - 0.2)/2 + (-0.2 + 0)/2 = -0.1
    assert resilience_triangle_area(B * q, B) == pytest.approx(-10.0)


def test_triangle_area_single_day_after_onset_is_zero():
    assert resilience_triangle_area([B, B, 0.5 * B], B) == 0.0


def test_triangle_area_no_shock_is_zero():
    assert resilience_triangle_area(np.full(10, B), B) == 0.0


# --- cumulative loss ------------------------------------------------------------------------


@pytest.mark.parametrize(("d", "T"), [(0.3, 20), (0.5, 1), (0.8, 45)])
def test_cumulative_loss_of_linear_dip_is_the_daily_sum(d, T):
    # sum_{k=0}^{T} d B (1 - k/T) = d B (T + 1) / 2: the daily sum includes the onset day
    y = linear_dip(d, T, 4, T + 20)
    assert cumulative_loss(y, B) == pytest.approx(d * B * (T + 1) / 2, rel=1e-12)
    assert cumulative_loss(y, B, money_per_unit=1e4) == pytest.approx(1e4 * d * B * (T + 1) / 2, rel=1e-12)
    assert loss_in_days_of_output(y, B) == pytest.approx(d * (T + 1) / 2, rel=1e-12)


def test_overshoot_is_netted_in_the_loss():
    q = np.array([1.0, 0.6, 0.8, 1.1, 1.1, 1.0])  # lose 0.4 + 0.2, regain 0.1 + 0.1
    assert cumulative_loss(B * q, B) == pytest.approx(0.4 * B)
    assert loss_in_days_of_output(B * q, B) == pytest.approx(0.4)
    # pure catch-up output: a negative loss, not clipped
    assert cumulative_loss(B * np.array([1.0, 1.2, 1.0]), B) == pytest.approx(-0.2 * B)


def test_loss_in_days_uses_the_mean_daily_baseline():
    b = np.array([100.0, 200.0, 300.0])
    y = np.array([100.0, 100.0, 300.0])
    assert loss_in_days_of_output(y, b) == pytest.approx(100.0 / 200.0)


def test_loss_is_zero_without_shock_and_does_not_depend_on_epsilon():
    assert cumulative_loss(np.full(30, B), B) == 0.0
    y = np.full(30, 0.995 * B)  # a lasting 0.5 % drop, inside the 1 % band: still a real loss
    assert cumulative_loss(y, B) == pytest.approx(30 * 0.005 * B)


def test_loss_batch_and_dataframe():
    y = np.stack([linear_dip(0.3, 20, 0, 40), np.full(40, B)])
    np.testing.assert_allclose(cumulative_loss(y, B), [0.3 * B * 21 / 2, 0.0])
    df = pd.DataFrame(y.T, columns=["hit", "calm"])
    s = cumulative_loss(df, B)
    assert isinstance(s, pd.Series)
    assert s["calm"] == 0.0


def test_loss_money_factor_validated():
    with pytest.raises(ValueError, match="money_per_unit"):
        cumulative_loss([1.0], 1.0, money_per_unit=float("nan"))


# --- amplification ratio (R19) --------------------------------------------------------------


def test_amplification_ratio_katrina():
    # Hallegatte (2008): direct 107 bn USD, total 149 bn USD
    assert amplification_ratio(149.0, 107.0) == pytest.approx(1.3925, abs=1e-4)


def test_amplification_ratio_vectorised_and_from_losses():
    total = cumulative_loss(linear_dip(0.3, 20, 0, 40), B, money_per_unit=1e4)
    assert amplification_ratio(total, total / 2) == pytest.approx(2.0)
    np.testing.assert_allclose(amplification_ratio([2.0, 3.0], [1.0, 2.0]), [2.0, 1.5])


@pytest.mark.parametrize("direct", [0.0, -1.0, float("nan"), [1.0, 0.0]])
def test_amplification_ratio_undefined_without_positive_direct_loss(direct):
    with pytest.raises(ValueError, match="direct_loss"):
        amplification_ratio(10.0, direct)
