r"""Paired comparison of pathways with baseline: loss and TTR differences with bootstrap intervals, honest ranks.

Every pathway runs on the same random draws as ``baseline`` (replication *k* shares the shock
draws and the lever draws, :mod:`chainsim.experiment.run`), so the per-replication difference

.. math:: d_k = L_k^{\text{pathway}} - L_k^{\text{baseline}}

removes the luck of the draw; its mean is the pathway's effect (negative = the pathway loses
less) and a percentile bootstrap of the mean over replications (seeded, the same resamples for
every pathway) gives a 90 % interval (Efron & Tibshirani 1993, ch. 13). Then

- ``effect``: ``no effect`` when the pathway's trajectories equal the baseline's in every
  replication (within :data:`IDENTICAL_RTOL` of the scope's baseline output per day — levers
  that act only through rounding change nothing), ``better`` when the whole interval is below
  zero, ``worse`` when it is above, ``not significant`` otherwise;
- ``rank`` (1 = best): pathways that are ``better`` come first, ordered by their mean
  difference; one that cannot be told apart from the pathway leading its group (paired
  interval of their own difference contains zero) shares that rank. ``baseline``, the
  pathways with ``no effect`` and the ``not significant`` ones share one rank — a pathway
  identical to the baseline is never ranked below it — and ``worse`` pathways follow,
  grouped the same way. Ranks are competition ranks (1, 1, 3);
- a scope whose baseline loss is below ``metrics.min_loss_days`` days of its output has
  ``no measurable effect``: no pathway is ranked there;
- ``p_best``: the share of replications in which the pathway loses least (ties split).

The paired difference in time to recover counts a replication that never left the band as 0
days and leaves out pairs with a censored (not recovered) run; ``ttr_diff_n`` says how many
pairs remain.

References
----------
.. [1] Efron, B. & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
.. [2] Law, A. M. (2015). *Simulation Modeling and Analysis*, 5th ed., §11.2 (common random
   numbers and paired comparisons).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from chainsim.data.units import MoneyUnit, money_column, money_columns

__all__ = ["BOOTSTRAP_STREAM", "COMPARE_COLUMNS", "CONFIDENCE", "EFFECTS", "IDENTICAL_RTOL", "NO_MEASURABLE_EFFECT",
           "N_RESAMPLES", "bootstrap_mean", "compare_columns", "compare_pathways"]

#: confidence level of the intervals
CONFIDENCE = 0.9
#: bootstrap resamples per interval
N_RESAMPLES = 2000
#: spawn key of the bootstrap's seed stream (see :mod:`chainsim.pathways.draws` for the lever draws)
BOOTSTRAP_STREAM = 0xB007
#: trajectories closer than this, relative to the scope's daily baseline output, are identical
IDENTICAL_RTOL = 1e-9
EFFECTS = ("no effect", "not significant", "better", "worse")
NO_MEASURABLE_EFFECT = "no measurable effect"

#: columns of :func:`compare_pathways` for a table in CNY (``loss_diff_usd`` for one in USD: :func:`compare_columns`);
#: ``loss_diff_lo`` and ``loss_diff_hi`` are in the same money as ``loss_diff_<currency>``
COMPARE_COLUMNS = ["rank", "effect", "loss_diff_cny", "loss_diff_lo", "loss_diff_hi", "ttr_diff_days",
                   "ttr_diff_lo", "ttr_diff_hi", "ttr_diff_n", "p_best"]


def compare_columns(money: MoneyUnit | str) -> list[str]:
    """:data:`COMPARE_COLUMNS` with the money column named after ``money``'s currency."""
    return money_columns(COMPARE_COLUMNS, money)


def bootstrap_mean(d: np.ndarray, seed: int) -> tuple[float, float, float]:
    """Mean of paired differences and its percentile-bootstrap interval (:data:`CONFIDENCE`).

    The resamples come from ``seed`` on the bootstrap stream, so two calls with the same
    seed and the same number of replications resample the same replications (the intervals
    of different pathways are paired too). With one replication the interval is the point.

    The interval is Efron & Tibshirani's (1993, §13.3) percentile interval of
    :data:`N_RESAMPLES` resampled means, computed as ``scipy.stats.bootstrap(method="percentile")``
    computes it (scipy 1.17: one ``Generator.integers`` draw of the resample indices, the
    resampled means, the linear quantile of Hyndman & Fan 1996, type 7) and equal to it bit
    for bit (``tests/test_bootstrap_numpy.py``), without importing ``scipy.stats`` (0.6-0.7 s)
    or paying its per-call checks.

    Examples
    --------
    >>> bootstrap_mean(np.zeros(5), 1)
    (0.0, 0.0, 0.0)
    >>> m, lo, hi = bootstrap_mean(np.arange(10.0), 1)
    >>> m, lo < m < hi
    (4.5, True)
    """
    d = np.asarray(d, dtype=float)
    m = float(d.mean())
    if d.size < 2 or np.all(d == d[0]):
        return m, m, m
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(BOOTSTRAP_STREAM,)))
    means = np.mean(d[rng.integers(0, d.size, (N_RESAMPLES, d.size), dtype="int64")], axis=-1)
    lo, hi = _linear_quantiles(np.sort(means), (1.0 - CONFIDENCE) / 2)
    return m, lo, hi


def _linear_quantiles(y: np.ndarray, alpha: float) -> tuple[float, float]:
    r"""The ``alpha`` and ``1 - alpha`` quantiles of sorted ``y``, linear interpolation (Hyndman & Fan type 7).

    With :math:`n` values, :math:`h = pn + (1 - p)` (1-based), :math:`j = \lfloor h \rfloor`,
    :math:`g = h - j`: :math:`(1 - g) y_j + g y_{j+1}`, the arithmetic of
    ``scipy.stats.quantile(method="linear")`` step by step.
    """
    p = np.array([alpha, 1.0 - alpha])
    n = float(y.size)
    jg = p * n + (1 - p)
    jp1 = jg // 1
    j = jp1 - 1
    g = jg % 1
    g[j < 0] = 0.0
    j, jp1 = np.clip(j, 0.0, n - 1).astype(np.int64), np.clip(jp1, 0.0, n - 1).astype(np.int64)
    q = (1 - g) * y[j] + g * y[jp1]
    return float(q[0]), float(q[1])


def _effect(lo: float, hi: float) -> str:
    if hi < 0:
        return "better"
    if lo > 0:
        return "worse"
    return "not significant"


def _group_ranks(order: list[str], losses: Mapping[str, np.ndarray], seed: int, start: int) -> dict[str, int]:
    """Competition ranks from ``start``.

    A pathway shares the rank of its group's leader unless their paired difference's interval
    excludes zero.
    """
    ranks: dict[str, int] = {}
    leader = None
    for k, e in enumerate(order):
        if leader is not None:
            _, lo, hi = bootstrap_mean(losses[e] - losses[leader], seed)
            if lo <= 0 <= hi:
                ranks[e] = ranks[leader]
                continue
        leader = e
        ranks[e] = start + k
    return ranks


def compare_pathways(per_rep: pd.DataFrame, identical: Mapping[tuple[str, str], bool], *, seed: int,
                     loss_floor: Mapping[str, float], tie: Mapping[str, float],
                     money: MoneyUnit | str = "cny") -> pd.DataFrame:
    """Paired differences with baseline, effects, ranks and the probability of being best, per pathway x scope.

    Parameters
    ----------
    per_rep : DataFrame
        One row per pathway x scope x replication with ``loss_<currency>`` (``loss_cny``;
        :func:`~chainsim.data.units.money_column`), ``ttr_days`` (NaN when
        censored), ``left_band`` and ``recovered`` (:func:`chainsim.experiment.pathway_tables.replication_table`).
    identical : mapping
        ``(pathway, scope) -> True`` when the pathway's trajectories equal the baseline's.
    seed : int
        Seed of the bootstrap (the scenario seed).
    loss_floor : mapping
        Scope -> smallest baseline loss (in the same money) that counts as a measurable shock.
    tie : mapping
        Scope -> losses closer than this are a tie when finding the best pathway.
    money : MoneyUnit or str
        The table's money unit (or its code, ``"cny"``): names the loss columns read and written.

    Returns
    -------
    DataFrame
        ``pathway, scope`` and the columns of :func:`compare_columns` (:data:`COMPARE_COLUMNS` for CNY).
    """
    loss_col, diff_col = money_column("loss", money), money_column("loss_diff", money)
    rows = []
    for scope, g in per_rep.groupby("scope", sort=False):
        wide = g.pivot(index="replication", columns="pathway", values=loss_col)
        entries = list(dict.fromkeys(g.pathway))
        losses = {e: wide[e].to_numpy(float) for e in entries}
        base = losses["baseline"]
        ttr = g.pivot(index="replication", columns="pathway", values="ttr_days")
        left = g.pivot(index="replication", columns="pathway", values="left_band").astype(bool)
        outside = {e: np.where(left[e].to_numpy(), ttr[e].to_numpy(float), 0.0) for e in entries}
        stats: dict[str, dict] = {}
        for e in entries:
            m, lo, hi = bootstrap_mean(losses[e] - base, seed)
            ok = np.isfinite(outside[e]) & np.isfinite(outside["baseline"])
            dt = outside[e][ok] - outside["baseline"][ok]
            tm, tlo, thi = bootstrap_mean(dt, seed) if dt.size else (np.nan, np.nan, np.nan)
            same = e == "baseline" or bool(identical.get((e, scope), False))
            stats[e] = {"pathway": e, "scope": scope, diff_col: 0.0 if same else m,
                        "loss_diff_lo": 0.0 if same else lo, "loss_diff_hi": 0.0 if same else hi,
                        "ttr_diff_days": 0.0 if same else tm, "ttr_diff_lo": 0.0 if same else tlo,
                        "ttr_diff_hi": 0.0 if same else thi, "ttr_diff_n": int(ok.sum()),
                        "effect": "no effect" if same else _effect(lo, hi)}
        # probability of being best: the share of replications in which the entry loses least (ties split)
        L = np.column_stack([losses[e] for e in entries])
        best = L <= L.min(axis=1, keepdims=True) + float(tie.get(scope, 0.0))
        p_best = (best / best.sum(axis=1, keepdims=True)).mean(axis=0)
        for e, p in zip(entries, p_best, strict=True):
            stats[e]["p_best"] = float(p)
        if abs(float(np.mean(base))) < float(loss_floor.get(scope, 0.0)):
            for s in stats.values():
                s["effect"], s["rank"] = NO_MEASURABLE_EFFECT, np.nan
        else:
            mean = {e: stats[e][diff_col] for e in entries}
            better = sorted((e for e in entries if stats[e]["effect"] == "better"), key=mean.get)
            worse = sorted((e for e in entries if stats[e]["effect"] == "worse"), key=mean.get)
            ranks = _group_ranks(better, losses, seed, 1)
            tied = [e for e in entries if e not in ranks and e not in worse]
            ranks.update({e: len(better) + 1 for e in tied})
            ranks.update(_group_ranks(worse, losses, seed, len(better) + len(tied) + 1))
            for e in entries:
                stats[e]["rank"] = ranks[e]
        rows.extend(stats.values())
    return pd.DataFrame(rows, columns=["pathway", "scope", *compare_columns(money)])
