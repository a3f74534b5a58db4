"""One-trajectory summary and replication summaries with censored times to recover."""

import numpy as np
import pytest

from chainsim.metrics import (
    RecoveryTime,
    recovery_time,
    summarize,
    summarize_recovery_times,
    summarize_replications,
    summarize_runs,
)

B = 200.0


def linear_dip(d, T, t0, n):
    k = np.arange(n) - t0
    return B * np.where(k < 0, 1.0, 1.0 - d * np.clip(1.0 - k / T, 0.0, 1.0))


# --- summarize ------------------------------------------------------------------------------


def test_summarize_linear_dip_all_metrics():
    d, T, t0, n = 0.4, 20, 10, 60
    s = summarize(linear_dip(d, T, t0, n), B, money_per_unit=1e4, direct_loss=0.5 * d * B * (T + 1) / 2 * 1e4)
    assert s["onset_day"] == t0
    assert s["ttr_days"] == T
    assert s["recovered"] is True
    assert s["ttr_censored_at"] == n - 1 - t0
    assert s["depth"] == pytest.approx(d)
    assert s["time_to_trough_days"] == 0
    assert s["loss"] == pytest.approx(1e4 * d * B * (T + 1) / 2)
    assert s["loss_days_of_output"] == pytest.approx(d * (T + 1) / 2)
    assert s["amplification_ratio"] == pytest.approx(2.0)
    assert s["triangle_area_pct_days"] == pytest.approx(100 * d * T / 2)
    assert s["level_at_horizon"] == pytest.approx(1.0)
    assert s["tts_observed_days"] is None  # needs the event day
    assert s["epsilon"] == 0.01


def test_summarize_with_event_day_reports_observed_tts():
    s = summarize(linear_dip(0.4, 20, 10, 60), B, onset=4)
    assert s["tts_observed_days"] == 6
    assert s["ttr_days"] == 26
    assert s["time_to_trough_days"] == 6


def test_summarize_censored_has_no_fake_numbers():
    y = np.r_[np.full(5, B), np.full(20, 0.5 * B)]
    s = summarize(y, B)
    assert s["ttr_days"] is None
    assert s["recovered"] is False
    assert s["ttr_censored_at"] == 19
    assert s["amplification_ratio"] is None
    assert s["level_at_horizon"] == pytest.approx(0.5)


def test_summarize_no_shock():
    s = summarize(np.full(30, B), B)
    assert (s["ttr_days"], s["recovered"], s["depth"], s["loss"], s["triangle_area_pct_days"]) == (
        0.0, True, 0.0, 0.0, 0.0,
    )
    assert s["onset_day"] is None
    assert s["time_to_trough_days"] is None


def test_summarize_rejects_a_batch():
    with pytest.raises(ValueError, match="one trajectory"):
        summarize(np.full((2, 10), B), B)


# --- replication summaries ------------------------------------------------------------------


def test_known_percentiles():
    s = summarize_replications(np.arange(1, 101))
    assert s == {"n": 100, "mean": 50.5, "median": 50.5, "p10": pytest.approx(10.9), "p90": pytest.approx(90.1)}


@pytest.mark.parametrize("seed", range(5))
def test_percentiles_match_numpy_linear(seed):
    x = np.random.default_rng(seed).lognormal(size=37)
    s = summarize_replications(x, percentiles=(5, 25, 75, 95))
    assert s["median"] == pytest.approx(np.median(x))
    for p in (5, 25, 75, 95):
        assert s[f"p{p}"] == pytest.approx(np.percentile(x, p))


def test_replication_summary_validation():
    with pytest.raises(ValueError, match="finite"):
        summarize_replications([1.0, np.nan])
    with pytest.raises(ValueError, match="at least one"):
        summarize_replications([])
    with pytest.raises(ValueError, match="percentiles"):
        summarize_replications([1.0], percentiles=(120,))


def test_ttr_all_recovered_matches_plain_summary():
    d = [5.0, 9.0, 12.0, 20.0, 31.0]
    s = summarize_recovery_times(d)
    plain = summarize_replications(d)
    assert s["share_recovered"] == 1.0
    for key in ("mean", "median", "p10", "p90"):
        assert s[key] == pytest.approx(plain[key])
    assert s["mean_recovered"] == s["mean"]


def test_ttr_censored_majority_median_not_recovered():
    s = summarize_recovery_times([10.0, 20.0, None, None, None])
    assert s["share_recovered"] == pytest.approx(0.4)
    assert s["median"] is None
    assert s["mean"] is None
    assert s["mean_recovered"] == pytest.approx(15.0)
    assert s["p10"] == pytest.approx(14.0)
    assert s["p90"] is None


def test_ttr_censored_minority_median_is_a_number():
    s = summarize_recovery_times([10.0, 20.0, 30.0, np.nan, np.nan])
    assert s["median"] == 30.0
    assert s["p90"] is None  # the top decile reaches the censored runs
    assert s["mean"] is None


def test_ttr_exactly_half_censored_even_count():
    # the median interpolates between the largest recovered run and a censored one: +inf
    assert summarize_recovery_times([10.0, 20.0, None, None])["median"] is None
    assert summarize_recovery_times([10.0, 20.0, 30.0, None])["median"] == 25.0


def test_ttr_all_censored():
    s = summarize_recovery_times([None, None])
    assert s["share_recovered"] == 0.0
    assert s["mean_recovered"] is None
    assert s["median"] is None
    assert s["p10"] is None


def test_ttr_summary_accepts_recovery_time_objects():
    rows = np.stack([linear_dip(0.4, 20, 10, 60), linear_dip(0.4, 10, 10, 60), np.full(60, 0.5 * B)])
    batch = recovery_time(rows, B)
    from_batch = summarize_recovery_times(batch)
    from_list = summarize_recovery_times(batch.to_list())
    assert from_batch == from_list
    assert from_batch["median"] == 20.0
    assert from_batch["share_recovered"] == pytest.approx(2 / 3)
    assert summarize_recovery_times(RecoveryTime(3.0, True, 10, 0))["median"] == 3.0


def test_ttr_summary_rejects_negative_or_infinite_days():
    with pytest.raises(ValueError, match="non-negative finite"):
        summarize_recovery_times([1.0, -2.0])
    with pytest.raises(ValueError, match="non-negative finite"):
        summarize_recovery_times([1.0, np.inf])


def test_summarize_runs_over_replications():
    runs = [summarize(linear_dip(0.4, T, 10, 60), B) for T in (10, 20, 30)]
    runs.append(summarize(np.r_[np.full(10, B), np.full(50, 0.5 * B)], B))
    out = summarize_runs(runs)
    assert out["ttr_days"]["share_recovered"] == 0.75
    assert out["ttr_days"]["median"] == 25.0
    assert out["recovered"] == {"n": 4, "share": 0.75}
    assert out["depth"]["mean"] == pytest.approx((0.4 * 3 + 0.5) / 4)
    assert "amplification_ratio" not in out  # None in every run
    with pytest.raises(ValueError, match="at least one"):
        summarize_runs([])
