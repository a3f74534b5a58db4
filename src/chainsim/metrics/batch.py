"""The metrics of many replications at once: :func:`~chainsim.metrics.summary.summarize` row by row, batched.

A scenario's summary and its band sensitivity read every pathway x scope x replication
(480 and 1,920 one-trajectory calls on the README run). The replications of a pathway mostly
share their onset (the disruption's sampled start), and the trajectory metrics take a batch
with one onset (:mod:`chainsim.metrics.recovery`, :mod:`chainsim.metrics.losses`), so the rows
that share an onset go through them together. Each row's values are those the row gives alone,
to the last bit and of the same types (``tests/test_summarize_batch.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from chainsim.metrics._arrays import output_and_baseline
from chainsim.metrics.losses import (
    amplification_ratio,
    cumulative_loss,
    loss_in_days_of_output,
    resilience_triangle_area,
)
from chainsim.metrics.recovery import depth, level_at_horizon, recovery_time, time_to_trough
from chainsim.metrics.survival import observed_time_to_survive

__all__ = ["recovery_times_batch", "summarize_batch"]


def _onset_groups(n_rows: int, onsets: Sequence[int | None]) -> dict[int | None, np.ndarray]:
    """Rows sharing an onset (``None``: detected per row), in order of first appearance."""
    if len(onsets) != n_rows:
        raise ValueError(f"onsets: expected one per row ({n_rows}); found {len(onsets)}")
    keys = [None if o is None else int(o) for o in onsets]
    return {key: np.array([k for k in range(n_rows) if keys[k] == key]) for key in dict.fromkeys(keys)}


def _rows(outputs: Any) -> np.ndarray:
    y = np.asarray(outputs, dtype=float)
    if y.ndim != 2:
        raise ValueError(f"outputs: expected a (rows, days) array; found shape {y.shape}")
    return y


def _opt(v: float, kind: type) -> Any:
    """A batched metric's value as :func:`summarize` gives it alone: NaN -> None, else ``kind``."""
    return None if np.isnan(v) else kind(v)


def summarize_batch(outputs: Any, baseline: float, *, onsets: Sequence[int | None], epsilon: float = 0.01,
                    money_per_unit: float = 1.0, direct_losses: Sequence[float | None] | None = None,
                    hold: int | None = None, last: int = 1, band: str = "two_sided") -> list[dict[str, Any]]:
    """:func:`summarize` of every row of ``outputs`` with its own onset and direct loss, in one pass per onset.

    Each returned dict equals ``summarize(outputs[k], baseline, onset=onsets[k],
    direct_loss=direct_losses[k], ...)`` value for value and type for type
    (``tests/test_summarize_batch.py``): the rows that share an onset go through the batched
    metrics together (a scenario's replications mostly do), so the metrics of 20 replications
    cost about one call instead of 20.

    Parameters
    ----------
    outputs : array_like (rows, days)
        One scope's daily output per replication.
    baseline : float
        The scope's no-shock daily output.
    onsets : sequence of int or None
        Per row, as ``onset`` of :func:`summarize`.
    direct_losses : sequence of float or None, optional
        Per row, as ``direct_loss`` of :func:`summarize`.
    epsilon, money_per_unit, hold, last, band
        As for :func:`summarize`.
    """
    y = _rows(outputs)
    direct = [None] * len(y) if direct_losses is None else list(direct_losses)
    out: list[dict[str, Any]] = [{} for _ in range(len(y))]
    for onset, rows in _onset_groups(len(y), onsets).items():
        g = np.ascontiguousarray(y[rows])
        yg, bg, _ = output_and_baseline(g, baseline)
        ttr = recovery_time(yg, bg, epsilon=epsilon, onset=onset, hold=hold, band=band)
        loss = cumulative_loss(yg, bg, money_per_unit=money_per_unit)
        tts = observed_time_to_survive(yg, bg, onset=onset, epsilon=epsilon) if onset is not None else None
        dep = depth(yg, bg, onset=onset, epsilon=epsilon)
        trough = time_to_trough(yg, bg, onset=onset, epsilon=epsilon)
        days = loss_in_days_of_output(yg, bg)
        area = resilience_triangle_area(yg, bg, onset=onset, epsilon=epsilon)
        level = level_at_horizon(yg, bg, last=last)
        for i, k in enumerate(rows):
            lk = float(loss[i])
            out[k] = {
                "onset_day": _opt(ttr.onset[i], int),
                "ttr_days": float(ttr.days[i]) if ttr.recovered[i] else None,
                "recovered": bool(ttr.recovered[i]),
                "left_band": bool(ttr.left_band[i]),
                "ttr_censored_at": int(ttr.censored_at[i]),
                "depth": float(dep[i]),
                "time_to_trough_days": _opt(trough[i], int),
                "loss": lk,
                "loss_days_of_output": float(days[i]),
                "amplification_ratio": None if direct[k] is None else float(amplification_ratio(lk, direct[k])),
                "triangle_area_pct_days": float(area[i]),
                "level_at_horizon": float(level[i]),
                "tts_observed_days": None if tts is None else _opt(tts[i], float),
                "epsilon": float(epsilon),
            }
    return out


def recovery_times_batch(outputs: Any, baseline: float, *, onsets: Sequence[int | None], epsilon: float = 0.01,
                         hold: int | None = None, band: str = "two_sided"
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`~chainsim.metrics.recovery_time` of every row with its own onset: ``(days, left_band, recovered)``.

    ``days`` is NaN where the row did not recover; each row's values are those
    ``recovery_time(outputs[k], baseline, onset=onsets[k], ...)`` gives it alone.
    """
    y = _rows(outputs)
    days, left, recovered = np.full(len(y), np.nan), np.zeros(len(y), dtype=bool), np.zeros(len(y), dtype=bool)
    for onset, rows in _onset_groups(len(y), onsets).items():
        r = recovery_time(np.ascontiguousarray(y[rows]), baseline, epsilon=epsilon, onset=onset, hold=hold, band=band)
        days[rows], left[rows], recovered[rows] = r.days, r.left_band, r.recovered
    return days, left, recovered
