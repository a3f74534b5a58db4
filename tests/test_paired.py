"""Paired comparison: bootstrap intervals, effects, honest ranks (ties, no effect), no measurable effect, P(best).

Known answers on hand-made replication tables, so the rules are checked without a simulation.
"""

import numpy as np
import pandas as pd
import pytest

from chainsim.experiment.paired import (
    COMPARE_COLUMNS,
    NO_MEASURABLE_EFFECT,
    bootstrap_mean,
    compare_pathways,
)

R = 12


def _per_rep(losses: dict[str, np.ndarray], *, ttr=None, left=None, scope="s") -> pd.DataFrame:
    rows = []
    for e, v in losses.items():
        for k in range(len(v)):
            rows.append({"pathway": e, "scope": scope, "replication": k, "loss_cny": float(v[k]),
                         "ttr_days": np.nan if ttr is None else ttr[e][k],
                         "left_band": True if left is None else left[e][k], "recovered": True})
    return pd.DataFrame(rows)


def _compare(losses, identical=(), floor=0.0, **kw):
    df = compare_pathways(_per_rep(losses, **kw), {(e, "s"): True for e in identical}, seed=3,
                          loss_floor={"s": floor}, tie={"s": 1e-6})
    return df.set_index("pathway")


rng = np.random.default_rng(0)
BASE = 100 + 30 * rng.standard_normal(R)  # large shock-to-shock spread, shared by every pathway (paired)


def test_bootstrap_interval_is_seeded_and_paired():
    d = rng.standard_normal(20)
    assert bootstrap_mean(d, 1) == bootstrap_mean(d, 1)
    m, lo, hi = bootstrap_mean(d, 1)
    assert lo < m < hi and m == pytest.approx(d.mean())
    # same seed, same resamples: shifting the data shifts the interval exactly
    m2, lo2, hi2 = bootstrap_mean(d + 5.0, 1)
    assert (m2 - m, lo2 - lo, hi2 - hi) == pytest.approx((5.0, 5.0, 5.0))
    assert bootstrap_mean(np.array([2.0]), 1) == (2.0, 2.0, 2.0)


def test_paired_differences_see_a_small_effect_through_large_shock_noise():
    # a pathway saving 1 in every replication is 'better' although the losses spread by ±30
    df = _compare({"baseline": BASE, "a": BASE - 1.0})
    assert df.loc["a", "effect"] == "better"
    assert df.loc["a", ["loss_diff_cny", "loss_diff_lo", "loss_diff_hi"]].tolist() == pytest.approx([-1, -1, -1])
    assert list(df.columns) == ["scope", *COMPARE_COLUMNS]


def test_identical_pathway_shares_the_baseline_rank_and_says_no_effect():
    # listed before and after the baseline: never ranked below it, whatever the order
    for order in (["baseline", "same", "a"], ["same", "a", "baseline"]):
        losses = {"baseline": BASE, "same": BASE.copy(), "a": BASE - 2.0}
        df = _compare({k: losses[k] for k in order}, identical=["same"])
        assert df.loc["same", "effect"] == "no effect"
        assert df.loc["same", "rank"] == df.loc["baseline", "rank"] == 2
        assert df.loc["a", "rank"] == 1


def test_not_significant_pathways_tie_with_the_baseline_and_worse_ones_follow():
    noise = np.tile([1.0, -1.0], R // 2)
    df = _compare({"baseline": BASE, "noisy": BASE + noise, "better": BASE - 5.0, "worse": BASE + 5.0})
    assert df.loc["noisy", "effect"] == "not significant"
    assert df.loc["noisy", "loss_diff_lo"] <= 0 <= df.loc["noisy", "loss_diff_hi"]
    assert df.loc["noisy", "rank"] == df.loc["baseline", "rank"] == 2
    assert df.loc["better", "rank"] == 1 and df.loc["worse", ["rank", "effect"]].tolist() == [4, "worse"]


def test_better_pathways_that_cannot_be_told_apart_share_a_rank():
    jitter = 3.0 * rng.standard_normal(R)
    df = _compare({"baseline": BASE, "a": BASE - 10.0, "b": BASE - 10.0 + jitter - jitter.mean() + 0.1,
                   "c": BASE - 4.0})
    assert df.loc["a", "rank"] == df.loc["b", "rank"] == 1  # their own paired difference contains zero
    assert df.loc["c", "rank"] == 3 and df.loc["baseline", "rank"] == 4  # competition ranks: 1, 1, 3, 4


def test_a_shock_below_the_threshold_has_no_measurable_effect_and_no_ranking():
    small = np.full(R, 0.5)
    df = _compare({"baseline": small, "a": small - 0.4}, floor=1.0)
    assert (df.effect == NO_MEASURABLE_EFFECT).all() and df["rank"].isna().all()


def test_probability_of_being_best_splits_ties():
    base = np.array([10.0, 10.0, 10.0, 10.0])
    df = _compare({"baseline": base, "a": np.array([9.0, 9.0, 11.0, 10.0]), "b": base.copy()}, identical=["b"])
    # a wins twice; the baseline and b tie for best once, and all three tie once
    assert df.loc["a", "p_best"] == pytest.approx((1 + 1 + 0 + 1 / 3) / 4)
    assert df.loc["baseline", "p_best"] == df.loc["b", "p_best"] == pytest.approx((0.5 + 1 / 3) / 4)
    assert df.p_best.sum() == pytest.approx(1.0)


def test_ttr_difference_counts_staying_in_the_band_as_zero_days_and_skips_censored_pairs():
    ttr = {"baseline": np.array([90.0, 80.0, np.nan, 70.0]), "a": np.array([0.0, 60.0, 50.0, 70.0])}
    left = {"baseline": [True, True, True, True], "a": [False, True, True, True]}
    df = _compare({"baseline": np.full(4, 10.0), "a": np.full(4, 9.0)}, ttr=ttr, left=left)
    assert df.loc["a", "ttr_diff_n"] == 3  # the pair with a censored baseline run is left out
    assert df.loc["a", "ttr_diff_days"] == pytest.approx(np.mean([0 - 90, 60 - 80, 0]))


def test_loss_columns_follow_the_tables_currency():
    # the same comparison on a table in USD reads loss_usd and writes loss_diff_usd; the interval columns keep their
    # names; a table without a currency gives loss_diff_units
    from chainsim.data.units import parse_unit

    per = _per_rep({"baseline": BASE, "a": BASE - 1.0}).rename(columns={"loss_cny": "loss_usd"})
    df = compare_pathways(per, {}, seed=3, loss_floor={"s": 0.0}, tie={"s": 1e-6}, money=parse_unit("Mill USD"))
    assert list(df.columns) == ["pathway", "scope", *[c.replace("_cny", "_usd") for c in COMPARE_COLUMNS]]
    assert df.set_index("pathway").loc["a", "loss_diff_usd"] == pytest.approx(-1.0)
    units = per.rename(columns={"loss_usd": "loss_units"})
    assert "loss_diff_units" in compare_pathways(units, {}, seed=3, loss_floor={"s": 0.0}, tie={"s": 0.0},
                                                 money=parse_unit("currency unit")).columns


def test_identical_to_baseline_is_within_a_billionth_of_the_daily_baseline():
    """``identical_to_baseline``: a pathway whose scope output is off by rounding (1e-11 of the scope's daily
    baseline output) counts as identical; one off by 1e-7 of it on one day does not (IDENTICAL_RTOL 1e-9)."""
    from types import SimpleNamespace

    from chainsim.data.scopes import scope_mask
    from chainsim.data.toy import load_toy
    from chainsim.experiment.paired import IDENTICAL_RTOL
    from chainsim.experiment.pathway_tables import identical_to_baseline
    from chainsim.experiment.run import PathwayRun

    table = load_toy()
    base = np.asarray(table.x, dtype=float) / 365.0 * 1e4  # a scope of some 10^5 a day: the tolerance is relative
    mask = scope_mask(table, "R1")
    daily = float(base[mask].sum())
    k = int(np.flatnonzero(mask)[0])
    out = np.broadcast_to(base, (2, 30, base.size)).copy()

    def pathway(delta: float) -> PathwayRun:
        o = out.copy()
        o[1, 12, k] += delta * daily
        return PathwayRun(plan=None, output=o, baseline=base, onset=np.full(2, -1), events=[], samples=[],
                          params={}, crash_day=np.full(2, -1), seconds=0.0)

    assert IDENTICAL_RTOL == 1e-9 and daily > 1e4
    run = SimpleNamespace(loaded=SimpleNamespace(table=table),
                          pathways={"baseline": pathway(0.0), "rounding": pathway(1e-11), "moved": pathway(1e-7)})
    assert identical_to_baseline(run, "R1") == ["rounding"]
