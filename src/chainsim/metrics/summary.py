r"""One-call summaries: all metrics of a trajectory, and distributions over replications.

Replication summaries report the mean, the median and the 10th and 90th percentiles
(numpy's default linear interpolation between order statistics, Hyndman & Fan type 7).
Times to recover are right-censored: a replication that has not recovered by the horizon
counts as :math:`+\infty`. So

- a quantile is ``None`` ("not recovered") when it falls on or interpolates towards a
  censored replication: the median is not recovered as soon as the middle order
  statistic(s) are censored — more than half of the replications censored for an odd
  count, at least half for an even count;
- the mean over all replications is ``None`` unless every replication recovered;
  ``mean_recovered`` is the mean over the recovered ones only (a conditional mean, biased
  low, reported with ``share_recovered``).

References
----------
.. [1] Hyndman, R. J. & Fan, Y. (1996). Sample quantiles in statistical packages.
   *The American Statistician* 50(4), 361–365.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from chainsim.metrics._arrays import output_and_baseline
from chainsim.metrics.losses import (
    amplification_ratio,
    cumulative_loss,
    loss_in_days_of_output,
    resilience_triangle_area,
)
from chainsim.metrics.recovery import (
    RecoveryTime,
    RecoveryTimes,
    depth,
    level_at_horizon,
    recovery_time,
    time_to_trough,
)
from chainsim.metrics.survival import observed_time_to_survive

__all__ = ["summarize", "summarize_recovery_times", "summarize_replications", "summarize_runs"]

#: Keys of :func:`summarize` that hold times to recover (summarised with censoring).
TTR_KEY = "ttr_days"


def summarize(
    output: Any,
    baseline: Any,
    *,
    onset: int | None = None,
    epsilon: float = 0.01,
    money_per_unit: float = 1.0,
    direct_loss: float | None = None,
    hold: int | None = None,
    last: int = 1,
    band: str = "two_sided",
) -> dict[str, Any]:
    r"""All recovery metrics of one trajectory against its baseline, as a flat dict.

    Parameters
    ----------
    output, baseline : array_like (days,) or Series
        One scope's daily output and its no-shock counterfactual.
    onset : int, optional
        Event day; default: the first day with :math:`|q-1|>\varepsilon`. The observed time
        to survive is only reported when it is given.
    epsilon : float
        Recovery band half-width (relative).
    money_per_unit : float
        Currency units per unit of output (``IOTable.money.per_unit``: 1e4 yuan for tables in
        10k CNY); with the default 1, ``loss`` is in the output's own unit.
    direct_loss : float, optional
        Direct loss in the same money as ``loss``, for the amplification ratio.
    hold : int, optional
        In-band window for the TTR (default: to the horizon).
    last : int
        Days averaged for the level at the horizon.
    band : {"two_sided", "below"}
        Recovery band of the TTR (see :func:`recovery_time`).

    Returns
    -------
    dict
        ``onset_day`` (int or None), ``ttr_days`` (float, None when censored),
        ``recovered`` (bool), ``left_band`` (bool: False when output never left the band after
        the onset, so that ``ttr_days`` is 0 with nothing to recover from),
        ``ttr_censored_at`` (days from onset to the horizon),
        ``depth`` (fraction), ``time_to_trough_days``, ``loss`` (output units x ``money_per_unit``),
        ``loss_days_of_output``,
        ``amplification_ratio`` (None without ``direct_loss``), ``triangle_area_pct_days``,
        ``level_at_horizon``, ``tts_observed_days`` (None without ``onset`` or when output
        never fell), ``epsilon``.

    Examples
    --------
    >>> s = summarize([100, 100, 60, 70, 80, 90, 100, 100], 100.0, money_per_unit=1e4)
    >>> s["ttr_days"], s["depth"], s["loss"], s["triangle_area_pct_days"]
    (4.0, 0.4, 1000000.0, 80.0)
    """
    if not isinstance(output, pd.Series | pd.DataFrame):  # validated once: the metrics below get plain arrays
        output, baseline, _ = output_and_baseline(output, baseline)
    ttr = recovery_time(output, baseline, epsilon=epsilon, onset=onset, hold=hold, band=band)
    if not isinstance(ttr, RecoveryTime):
        raise ValueError("summarize: expected one trajectory (a 1-D array or a Series), found a batch")
    loss = cumulative_loss(output, baseline, money_per_unit=money_per_unit)
    tts = None
    if onset is not None:
        obs = observed_time_to_survive(output, baseline, onset=onset, epsilon=epsilon)
        tts = obs.days
    return {
        "onset_day": ttr.onset,
        "ttr_days": ttr.days,
        "recovered": ttr.recovered,
        "left_band": ttr.left_band,
        "ttr_censored_at": ttr.censored_at,
        "depth": float(depth(output, baseline, onset=onset, epsilon=epsilon)),
        "time_to_trough_days": time_to_trough(output, baseline, onset=onset, epsilon=epsilon),
        "loss": float(loss),
        "loss_days_of_output": float(loss_in_days_of_output(output, baseline)),
        "amplification_ratio": None if direct_loss is None else float(amplification_ratio(loss, direct_loss)),
        "triangle_area_pct_days": float(resilience_triangle_area(output, baseline, onset=onset, epsilon=epsilon)),
        "level_at_horizon": float(level_at_horizon(output, baseline, last=last)),
        "tts_observed_days": tts,
        "epsilon": float(epsilon),
    }


def _quantile_sorted(x: np.ndarray, p: float) -> float | None:
    """Type-7 quantile of ascending ``x`` (may end in +inf); None if it involves +inf."""
    h = (x.size - 1) * p / 100.0
    lo, hi = int(np.floor(h)), int(np.ceil(h))
    frac = h - lo
    if np.isinf(x[lo]) or (frac > 0 and np.isinf(x[hi])):
        return None
    return float(x[lo] + frac * (x[hi] - x[lo]))


def _check_percentiles(percentiles: Sequence[float]) -> tuple[float, ...]:
    ps = tuple(float(p) for p in percentiles)
    if any(not 0 <= p <= 100 for p in ps):
        raise ValueError(f"percentiles: expected values in [0, 100], found {ps}")
    return ps


def summarize_replications(values: Any, *, percentiles: Sequence[float] = (10, 90)) -> dict[str, Any]:
    """Mean, median and percentiles of one metric over replications.

    Parameters
    ----------
    values : array_like (replications,)
        Finite per-replication values (use :func:`summarize_recovery_times` for TTRs).
    percentiles : sequence of float
        Reported as ``p10``, ``p90``, … (linear interpolation, numpy's default).

    Examples
    --------
    >>> summarize_replications([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    {'n': 10, 'mean': 5.5, 'median': 5.5, 'p10': 1.9, 'p90': 9.1}
    """
    x = np.asarray(values, dtype=float).ravel()
    if x.size == 0:
        raise ValueError("values: expected at least one replication, found none")
    if not np.all(np.isfinite(x)):
        raise ValueError("values: expected finite values (censored TTRs go through summarize_recovery_times)")
    xs = np.sort(x)
    out: dict[str, Any] = {"n": int(x.size), "mean": float(x.mean()), "median": _quantile_sorted(xs, 50.0)}
    for p in _check_percentiles(percentiles):
        out[f"p{p:g}"] = _quantile_sorted(xs, p)
    return out


def _ttr_days(times: Any) -> np.ndarray:
    if isinstance(times, RecoveryTimes):
        return times.days.ravel().astype(float)
    if isinstance(times, RecoveryTime):
        times = [times]
    vals = []
    for t in times:
        if isinstance(t, RecoveryTime):
            vals.append(np.nan if t.days is None else t.days)
        else:
            vals.append(np.nan if t is None else float(t))
    return np.asarray(vals, dtype=float)


def summarize_recovery_times(times: Any, *, percentiles: Sequence[float] = (10, 90)) -> dict[str, Any]:
    r"""Distribution of times to recover over replications, with censoring handled honestly.

    Censored replications (not recovered by the horizon) count as :math:`+\infty`: a
    quantile that reaches them is ``None`` (not recovered), and so is the mean unless all
    replications recovered.

    Parameters
    ----------
    times : RecoveryTimes, sequence of RecoveryTime, or array_like
        Days per replication; ``None`` or NaN marks a censored replication.
    percentiles : sequence of float

    Returns
    -------
    dict
        ``n``, ``share_recovered``, ``mean`` (None unless all recovered),
        ``mean_recovered`` (None if none recovered), ``median``, ``p10``, ``p90``.

    Examples
    --------
    >>> summarize_recovery_times([10, 20, None, None, None])
    {'n': 5, 'share_recovered': 0.4, 'mean': None, 'mean_recovered': 15.0, 'median': None, 'p10': 14.0, 'p90': None}
    """
    d = _ttr_days(times)
    if d.size == 0:
        raise ValueError("times: expected at least one replication, found none")
    rec = ~np.isnan(d)
    if np.any(d[rec] < 0) or np.any(np.isinf(d)):
        raise ValueError("times: expected non-negative finite days (None/NaN for censored)")
    xs = np.sort(np.where(rec, d, np.inf))
    out: dict[str, Any] = {
        "n": int(d.size),
        "share_recovered": float(rec.mean()),
        "mean": float(d.mean()) if rec.all() else None,
        "mean_recovered": float(d[rec].mean()) if rec.any() else None,
        "median": _quantile_sorted(xs, 50.0),
    }
    for p in _check_percentiles(percentiles):
        out[f"p{p:g}"] = _quantile_sorted(xs, p)
    return out


def summarize_runs(
    summaries: Iterable[Mapping[str, Any]], *, percentiles: Sequence[float] = (10, 90)
) -> dict[str, dict[str, Any]]:
    """Summarise a list of :func:`summarize` dicts (one per replication) metric by metric.

    ``ttr_days`` goes through :func:`summarize_recovery_times`; other numeric metrics through
    :func:`summarize_replications`, skipping ``None`` values (their count is in ``n``);
    ``recovered`` becomes a share. Non-numeric keys are left out.

    Examples
    --------
    >>> runs = [summarize([100, 50, 100], 100.0), summarize([100, 50, 60], 100.0)]
    >>> s = summarize_runs(runs)
    >>> s["ttr_days"]["share_recovered"], s["depth"]["mean"]
    (0.5, 0.5)
    """
    rows = list(summaries)
    if not rows:
        raise ValueError("summaries: expected at least one replication, found none")
    out: dict[str, dict[str, Any]] = {}
    for key in rows[0]:
        col = [r.get(key) for r in rows]
        if key == TTR_KEY:
            out[key] = summarize_recovery_times(col, percentiles=percentiles)
        elif key in ("recovered", "left_band"):
            out[key] = {"n": len(col), "share": float(np.mean([bool(v) for v in col]))}
        else:
            nums = [v for v in col if isinstance(v, int | float | np.number) and not isinstance(v, bool)]
            if nums:
                out[key] = summarize_replications(nums, percentiles=percentiles)
    return out
