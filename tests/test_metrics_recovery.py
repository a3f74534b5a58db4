"""Time to recover, onset, depth, trough and level at the horizon on closed-form trajectories."""

import math

import numpy as np
import pandas as pd
import pytest

from chainsim.metrics import (
    RecoveryTime,
    RecoveryTimes,
    depth,
    detect_onset,
    level_at_horizon,
    recovery_time,
    relative_level,
    time_to_trough,
)

B = 200.0  # baseline daily output of the synthetic scope


def linear_dip(d, T, t0, n):
    """q = 1 before t0, 1 - d at t0, back to 1 linearly over T days (R10), returned as output."""
    k = np.arange(n) - t0
    q = np.where(k < 0, 1.0, 1.0 - d * np.clip(1.0 - k / T, 0.0, 1.0))
    return B * q


def exp_dip(d, tau, t0, n):
    k = np.arange(n) - t0
    q = np.where(k < 0, 1.0, 1.0 - d * np.exp(-np.maximum(k, 0) / tau))
    return B * q


# --- R10: linear recovery -------------------------------------------------------------------


@pytest.mark.parametrize(("d", "T", "t0"), [(0.5, 20, 10), (0.3, 25, 0), (0.9, 60, 5), (0.05, 3, 7)])
def test_linear_recovery_ttr_equals_T(d, T, t0):
    # eps * T / d < 1 in every case, so the first in-band day is the last day of the ramp
    assert 0.01 * T / d < 1
    ttr = recovery_time(linear_dip(d, T, t0, t0 + T + 30), B)
    assert ttr == RecoveryTime(days=float(T), recovered=True, censored_at=T + 29, onset=t0)
    assert ttr.recovery_day == t0 + T


@pytest.mark.parametrize(("d", "T", "eps"), [(0.1, 10, 0.01), (0.2, 50, 0.01), (0.4, 100, 0.05), (0.3, 7, 0.001)])
def test_linear_recovery_ttr_general_band(d, T, eps):
    # |q - 1| = d (1 - k/T) <= eps  <=>  k >= T (1 - eps/d): TTR is its ceiling (boundary counts as in)
    expected = math.ceil(T * (1 - eps / d) - 1e-9)
    assert recovery_time(linear_dip(d, T, 3, T + 10), B, epsilon=eps).days == expected


# --- R10: exponential recovery --------------------------------------------------------------


@pytest.mark.parametrize("tau", [3.0, 12.5, 30.0, 47.3])
@pytest.mark.parametrize("eps", [0.01, 0.002])
def test_exponential_recovery_ttr(tau, eps):
    d = 0.35
    ttr = recovery_time(exp_dip(d, tau, 4, 600), B, epsilon=eps)
    exact = tau * math.log(d / eps)
    assert ttr.recovered
    assert exact <= ttr.days < exact + 1  # one day of discretisation, never early


# --- censoring ------------------------------------------------------------------------------


def test_never_recovers_is_censored_not_a_number():
    y = np.r_[np.full(5, B), np.full(45, 0.8 * B)]
    ttr = recovery_time(y, B)
    assert ttr.days is None
    assert not ttr.recovered
    assert ttr.censored_at == 50 - 1 - 5
    assert ttr.recovery_day is None
    assert str(ttr) == "not recovered (> 44 days)"


def test_partial_recovery_is_censored_and_level_reports_where_it_got():
    k = np.arange(100)
    q = np.where(k < 10, 1.0, 0.95 - 0.25 * np.exp(-(k - 10) / 5.0))  # settles 5 % below baseline
    y = B * q
    assert not recovery_time(y, B).recovered
    assert recovery_time(y, B, epsilon=0.06).recovered
    assert level_at_horizon(y, B) == pytest.approx(0.95, abs=1e-6)
    assert level_at_horizon(y, B, last=10) == pytest.approx(0.95, abs=1e-6)


def test_lasting_overshoot_is_not_recovered():
    y = np.r_[np.full(3, B), np.full(3, 0.7 * B), np.full(20, 1.05 * B)]
    assert not recovery_time(y, B).recovered
    assert depth(y, B) == pytest.approx(0.3)


def test_out_of_band_on_last_day_only_is_censored():
    y = np.r_[np.full(3, B), np.full(3, 0.7 * B), np.full(5, B), [0.9 * B]]
    assert recovery_time(y, B).days is None


def test_in_band_on_last_day_counts_without_hold():
    y = np.r_[np.full(3, B), np.full(3, 0.7 * B), [B]]
    assert recovery_time(y, B).days == 3
    assert recovery_time(y, B, hold=2).days is None


# --- relapse and hold windows ---------------------------------------------------------------


def test_recovers_then_falls_again_ttr_is_after_last_exit():
    q = np.ones(60)
    q[5:10] = 0.7  # first dip, onset 5
    q[10:20] = 1.0  # back in band for 10 days
    q[20:25] = 0.9  # relapse
    ttr = recovery_time(B * q, B)
    assert ttr.onset == 5
    assert ttr.days == 25 - 5
    # with a hold window shorter than the interlude the first recovery counts ...
    assert recovery_time(B * q, B, hold=10).days == 10 - 5
    # ... and with a longer one only the final recovery does
    assert recovery_time(B * q, B, hold=11).days == 25 - 5


def test_hold_longer_than_horizon_is_censored():
    y = np.r_[np.full(3, B), np.full(3, 0.7 * B), np.full(5, B)]
    assert recovery_time(y, B, hold=100).recovered is False


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_hold_must_be_positive_int(bad):
    with pytest.raises(ValueError, match="hold"):
        recovery_time(np.full(5, B), B, hold=bad)


# --- no shock and noise ---------------------------------------------------------------------


def test_no_shock_recovered_at_day_zero_with_zero_depth():
    y = np.full(30, B)
    ttr = recovery_time(y, B)
    assert ttr == RecoveryTime(days=0.0, recovered=True, censored_at=29, onset=None, left_band=False)
    assert str(ttr) == "did not leave the band"
    assert depth(y, B) == 0.0
    assert time_to_trough(y, B) is None
    assert detect_onset(y, B) is None
    assert level_at_horizon(y, B) == 1.0


def test_noise_within_epsilon_is_recovered_on_day_zero():
    rng = np.random.default_rng(7)
    y = B * (1 + rng.uniform(-0.0099, 0.0099, 365))
    ttr = recovery_time(y, B)
    assert ttr.days == 0.0
    assert ttr.recovered
    assert ttr.onset is None
    assert 0 <= depth(y, B) < 0.01


def test_given_onset_counts_from_the_event_day():
    # event on day 2, inventories carry output until day 6, recovered on day 12
    q = np.ones(30)
    q[6:12] = 0.8
    assert recovery_time(B * q, B).days == 12 - 6
    assert recovery_time(B * q, B, onset=2).days == 12 - 2
    assert recovery_time(B * q, B, onset=2).onset == 2
    assert time_to_trough(B * q, B, onset=2) == 4
    assert recovery_time(B * q, B, onset=20).days == 0.0


def test_onset_detection_is_two_sided():
    q = np.ones(10)
    q[4] = 1.02
    q[6] = 0.5
    assert detect_onset(B * q, B) == 4
    assert detect_onset(B * q, B, epsilon=0.03) == 6


# --- depth and trough -----------------------------------------------------------------------


def test_depth_and_time_to_trough_of_a_v_with_overshoot():
    q = np.array([1, 1, 0.9, 0.75, 0.6, 0.8, 1.0, 1.1, 1.05, 1.0, 1.0])
    assert depth(B * q, B) == pytest.approx(0.4)
    assert time_to_trough(B * q, B) == 4 - 2
    assert recovery_time(B * q, B).days == 9 - 2


def test_depth_ignores_days_before_a_given_onset():
    q = np.array([0.5, 1, 1, 0.9, 0.95, 1])
    assert depth(B * q, B) == pytest.approx(0.5)
    assert depth(B * q, B, onset=2) == pytest.approx(0.1)


def test_depth_of_total_collapse_is_one():
    assert depth([B, 0.0, 0.0, B], B) == 1.0


# --- batch and pandas -----------------------------------------------------------------------


def test_batch_matches_row_by_row():
    rows = np.stack([linear_dip(0.5, 20, 10, 80), exp_dip(0.3, 10.0, 3, 80), np.full(80, B), np.full(80, 0.5 * B)])
    res = recovery_time(rows, B)
    assert isinstance(res, RecoveryTimes)
    assert len(res) == 4
    singles = [recovery_time(r, B) for r in rows]
    assert res.to_list() == singles
    np.testing.assert_array_equal(res.recovered, [True, True, True, False])
    assert np.isnan(res.days[3])
    assert np.isnan(res.onset[2])
    np.testing.assert_allclose(depth(rows, B), [depth(r, B) for r in rows])
    tt = time_to_trough(rows, B)
    assert tt[0] == 0
    assert np.isnan(tt[2])


def test_batch_with_leading_axes_and_per_series_baseline():
    base = np.array([[100.0], [50.0]])
    y = np.broadcast_to(base, (3, 2, 20)).copy()
    y[1, 0, 5:9] = 80.0
    res = recovery_time(y, base)
    assert res.days.shape == (3, 2)
    assert res.days[1, 0] == 4
    assert np.all(res.days[[0, 2]] == 0)


def test_dataframe_in_labelled_results_out():
    days = pd.RangeIndex(40, name="day")
    df = pd.DataFrame({"LN": linear_dip(0.5, 20, 5, 40), "JL": np.full(40, B)}, index=days)
    res = recovery_time(df, B)
    frame = res.to_frame()
    assert frame.loc["LN", "days"] == 20
    assert frame.loc["JL", "days"] == 0
    d = depth(df, B)
    assert isinstance(d, pd.Series)
    assert d["LN"] == pytest.approx(0.5)
    q = relative_level(df, B)
    assert isinstance(q, pd.DataFrame)
    assert q.index.equals(days)
    assert q.loc[5, "LN"] == pytest.approx(0.5)


def test_series_input():
    s = pd.Series(linear_dip(0.5, 20, 5, 40))
    assert recovery_time(s, pd.Series(np.full(40, B))).days == 20
    assert isinstance(relative_level(s, B), pd.Series)


# --- validation -----------------------------------------------------------------------------


def test_relative_level_zero_baseline():
    np.testing.assert_array_equal(relative_level([0.0, 0.0], [0.0, 0.0]), [1.0, 1.0])
    with pytest.raises(ValueError, match="baseline is 0"):
        relative_level([0.0, 1.0], [0.0, 0.0])


@pytest.mark.parametrize(
    ("output", "baseline", "kwargs", "match"),
    [
        ([1.0, np.nan], 1.0, {}, "output: expected finite"),
        ([1.0, 1.0], [1.0, -1.0], {}, "baseline: expected non-negative"),
        ([1.0, 1.0], [1.0, 1.0, 1.0], {}, "broadcast"),
        ([1.0, 1.0], 1.0, {"onset": 2}, r"onset: expected a day in \[0, 1\], found 2"),
        ([1.0, 1.0], 1.0, {"onset": 1.5}, "onset: expected an integer"),
        ([1.0, 1.0], 1.0, {"epsilon": 1.5}, "epsilon"),
        (5.0, 1.0, {}, "found a scalar"),
        ([], 1.0, {}, "empty time axis"),
    ],
)
def test_bad_inputs_name_the_field(output, baseline, kwargs, match):
    with pytest.raises(ValueError, match=match):
        recovery_time(output, baseline, **kwargs)


def test_level_at_horizon_window_validated():
    with pytest.raises(ValueError, match="last"):
        level_at_horizon([1.0, 1.0], 1.0, last=3)


def test_pandas_baseline_is_aligned_by_label_not_position():
    y = pd.DataFrame({"LN": [B, 0.5 * B, B], "JL": [B, B, B]})
    b = pd.DataFrame({"JL": [B, B, B], "LN": [B, B, B]})
    assert depth(y, b).to_dict() == {"LN": 0.5, "JL": 0.0}
    with pytest.raises(ValueError, match="no column for output column"):
        depth(y, b[["JL"]])
    with pytest.raises(ValueError, match="baseline: expected finite"):
        depth(pd.Series([B, B, B]), pd.Series([B, B], index=[0, 1]))


def test_dataframe_output_with_series_baseline():
    cols = pd.MultiIndex.from_tuples([("LN", "01"), ("LN", "20")], names=["region", "sector"])
    y = pd.DataFrame([[10.0, 20.0], [5.0, 20.0], [10.0, 10.0]], columns=cols)
    per_industry = pd.Series([20.0, 10.0], index=cols[::-1])  # constant baseline per column, any order
    assert depth(y, per_industry).tolist() == [0.5, 0.5]
    daily = pd.Series([10.0, 10.0, 10.0], index=y.index)  # one daily baseline for every column
    assert level_at_horizon(y, daily).tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="indexed by the output's days or its columns"):
        depth(y, pd.Series([1.0], index=["x"]))


def test_no_shock_is_recovered_even_with_a_hold_longer_than_the_horizon():
    assert recovery_time(np.full(10, B), B, hold=30).days == 0
    assert recovery_time(np.full(10, B), B, hold=30, onset=4).days == 0


def test_one_sided_band_counts_catch_up_above_baseline_as_recovered():
    y = [100, 100, 60, 80, 101.5, 101.5, 101.5]
    assert not recovery_time(y, 100).recovered  # two-sided: a lasting +1.5 % is outside ±1 %
    r = recovery_time(y, 100, band="below")
    assert r.recovered and r.days == 2.0
    with pytest.raises(ValueError, match="band"):
        recovery_time(y, 100, band="above")
