r"""Recovery metrics of one or many daily output trajectories against their baseline.

All functions compare an output trajectory :math:`y(t)` with the no-shock counterfactual
:math:`b(t)` of the same scope through the relative level :math:`q(t) = y(t)/b(t)`, on
days :math:`t = 0, \dots, N-1`. The *onset* :math:`t_0` is the first day the shock is felt,
:math:`|q(t) - 1| > \varepsilon`, unless the caller gives it (e.g. the day of the event).
Windows for depth and trough start at the onset; without a given or detected onset they
start at day 0.

Arrays are shaped ``(..., days)``; leading axes are a batch (replications, scopes). A
pandas Series is one trajectory, a DataFrame (rows = days) a batch labelled by its columns.

References
----------
.. [1] Bruneau, M. et al. (2003). A framework to quantitatively assess and enhance the
   seismic resilience of communities. *Earthquake Spectra* 19(4), 733–752.
.. [2] Martin, R. (2012). Regional economic resilience, hysteresis and recessionary
   shocks. *J. Economic Geography* 12(1), 1–32 (resistance, recovery, re-orientation).
.. [3] Hallegatte, S. (2008). An adaptive regional input-output model and its application
   to the assessment of the economic cost of Katrina. *Risk Analysis* 28(3), 779–799.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from chainsim.metrics._arrays import (
    BAND_SLACK,
    check_epsilon,
    first_true,
    from_onset,
    last_true,
    output_and_baseline,
    outside_band,
    prepare,
    relative,
    wrap,
)

__all__ = [
    "RecoveryTime",
    "RecoveryTimes",
    "depth",
    "detect_onset",
    "level_at_horizon",
    "recovery_time",
    "relative_level",
    "time_to_trough",
]


@dataclass(frozen=True)
class RecoveryTime:
    """Time to recover (TTR) of one trajectory, right-censored at the horizon.

    Attributes
    ----------
    days : float or None
        Days from onset to the recovery day; ``None`` when output had not recovered by the
        end of the horizon (censored). ``0.0`` when no shock was felt.
    recovered : bool
        Whether recovery was observed within the horizon.
    censored_at : int
        Days from onset to the last simulated day, the longest TTR the run can observe: a
        censored TTR is known only to exceed it.
    onset : int or None
        The onset day used (given or detected); ``None`` when no shock was felt.
    left_band : bool
        Whether output left the band after the onset. ``False`` means ``days`` is 0 because
        there was nothing to recover from: report it as "did not leave the band", not as an
        instant recovery.
    """

    days: float | None
    recovered: bool
    censored_at: int
    onset: int | None
    left_band: bool = True

    @property
    def recovery_day(self) -> int | None:
        """Simulation day of recovery (``onset + days``), or ``None``."""
        if self.days is None:
            return None
        return int((self.onset or 0) + self.days)

    def __str__(self) -> str:
        if not self.left_band:
            return "did not leave the band"
        if self.recovered:
            return f"{self.days:g} days"
        return f"not recovered (> {self.censored_at} days)"


@dataclass(frozen=True)
class RecoveryTimes:
    """Times to recover of a batch of trajectories (arrays shaped like the batch).

    Attributes
    ----------
    days : ndarray of float
        Days from onset to recovery; NaN where censored (not recovered).
    recovered : ndarray of bool
    censored_at : ndarray of int
    onset : ndarray of float
        Onset day; NaN where no shock was felt.
    labels : pandas.Index or None
        Column labels when the input was a DataFrame.
    left_band : ndarray of bool or None
        Whether output left the band after the onset (``days`` is 0 where it did not).
    """

    days: np.ndarray
    recovered: np.ndarray
    censored_at: np.ndarray
    onset: np.ndarray
    labels: pd.Index | None = None
    left_band: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.days.size)

    def to_list(self) -> list[RecoveryTime]:
        """The batch, flattened in C order, as a list of :class:`RecoveryTime`."""
        left = np.ones(self.days.shape, dtype=bool) if self.left_band is None else self.left_band
        return [
            RecoveryTime(
                days=None if np.isnan(d) else float(d), recovered=bool(r), censored_at=int(c),
                onset=None if np.isnan(o) else int(o), left_band=bool(lb),
            )
            for d, r, c, o, lb in zip(
                self.days.ravel(), self.recovered.ravel(), self.censored_at.ravel(), self.onset.ravel(),
                left.ravel(), strict=True
            )
        ]

    def to_frame(self) -> pd.DataFrame:
        """A tidy table with one row per series (columns ``days, recovered, censored_at, onset, left_band``)."""
        index = self.labels if self.labels is not None and self.days.ndim == 1 else None
        left = np.ones(self.days.shape, dtype=bool) if self.left_band is None else self.left_band
        return pd.DataFrame(
            {"days": self.days.ravel(), "recovered": self.recovered.ravel(),
             "censored_at": self.censored_at.ravel(), "onset": self.onset.ravel(), "left_band": left.ravel()},
            index=index,
        )


def relative_level(output: Any, baseline: Any) -> Any:
    r"""Relative level :math:`q(t) = y(t)/b(t)` of output against the no-shock baseline.

    Where both the baseline and the output are 0 (an industry that does not exist in a
    region), the level is 1: nothing is produced and nothing is lost.

    Parameters
    ----------
    output, baseline : array_like (..., days), Series or DataFrame
        Output and counterfactual; they must broadcast. The baseline must be non-negative.

    Returns
    -------
    ndarray, Series or DataFrame
        Same shape and labels as ``output``.

    Raises
    ------
    ValueError
        Non-finite values, a negative baseline, or output where the baseline is 0.

    Examples
    --------
    >>> relative_level([90.0, 95.0, 100.0], 100.0).tolist()
    [0.9, 0.95, 1.0]
    """
    y, b, _ = output_and_baseline(output, baseline)
    q = relative(y, b)
    if isinstance(output, pd.DataFrame):
        return pd.DataFrame(q.T, index=output.index, columns=output.columns)
    if isinstance(output, pd.Series):
        return pd.Series(q, index=output.index, name=output.name)
    return q


def detect_onset(output: Any, baseline: Any, *, epsilon: float = 0.01) -> Any:
    r"""First day the shock is felt, :math:`\min\{t : |q(t) - 1| > \varepsilon\}`.

    Parameters
    ----------
    output, baseline : array_like (..., days), Series or DataFrame
    epsilon : float
        Relative band half-width (default 1 %).

    Returns
    -------
    int or None, or float array / Series for a batch
        ``None`` (NaN in a batch) when output never leaves the band.

    Examples
    --------
    >>> detect_onset([100, 100, 80, 90, 100], 100)
    2
    >>> detect_onset([100, 99.5, 100], 100) is None
    True
    """
    y, b, labels = output_and_baseline(output, baseline)
    first = first_true(outside_band(relative(y, b), check_epsilon(epsilon)))
    if first.ndim == 0 and labels is None:
        return None if first < 0 else int(first)
    return wrap(np.where(first >= 0, first, np.nan), labels, "onset")


def recovery_time(
    output: Any, baseline: Any, *, epsilon: float = 0.01, onset: int | None = None, hold: int | None = None,
    band: str = "two_sided",
) -> RecoveryTime | RecoveryTimes:
    r"""Time to recover (TTR): days from onset until output is back within ε of baseline.

    The recovery day :math:`t_R` is the first day at or after the onset :math:`t_0` from
    which :math:`|q(t) - 1| \le \varepsilon` holds

    - for the rest of the horizon (``hold=None``): :math:`t_R` is the day after the last
      day outside the band, so a trajectory that recovers and falls again recovers only
      after its last exit; or
    - for ``hold`` consecutive days (``hold=h``): :math:`t_R` is the first day starting
      an in-band run of ``h`` days that fits inside the horizon.

    :math:`\mathrm{TTR} = t_R - t_0`. When no such day exists the TTR is right-censored:
    ``days=None`` (NaN in a batch), ``recovered=False`` — never a fake number. The band
    is two-sided, so a lasting overshoot above :math:`1+\varepsilon` is not "recovered"
    either. When output never leaves the band after the onset (no shock felt) the TTR is
    0, with or without ``hold``, and ``left_band`` is False: report such a run as "did not
    leave the band", never as an instant recovery.

    Parameters
    ----------
    output, baseline : array_like (..., days), Series or DataFrame
    epsilon : float
        Relative band half-width (default 0.01, i.e. within 1 % of baseline).
    onset : int, optional
        Day the shock starts (e.g. the event day). Default: the first day outside the band.
    hold : int, optional
        Length of the in-band window that counts as recovered. Default: to the horizon.
    band : {"two_sided", "below"}
        ``"below"`` counts only shortfalls: output at or above :math:`(1-\varepsilon)` of
        baseline is recovered, so lasting catch-up production (restocking after the shock)
        does not censor the TTR.

    Returns
    -------
    RecoveryTime
        For one trajectory.
    RecoveryTimes
        For a batch (arrays shaped like the batch).

    Examples
    --------
    A 40 % drop on day 2 recovering linearly over 4 days:

    >>> y = [100, 100, 60, 70, 80, 90, 100, 100]
    >>> recovery_time(y, 100)
    RecoveryTime(days=4.0, recovered=True, censored_at=5, onset=2, left_band=True)
    >>> print(recovery_time(y[:5], 100))
    not recovered (> 2 days)
    >>> print(recovery_time([100, 99.5, 100], 100, onset=1))
    did not leave the band
    """
    q, start, felt, labels, n = prepare(output, baseline, epsilon, onset)
    out = outside_band(q, epsilon, band) & from_onset(n, start)
    left = out.any(axis=-1)
    if hold is None:
        last = last_true(out)
        rec_day = np.where(last < 0, start, last + 1)
        recovered = rec_day <= n - 1  # False only when output is outside the band on the last day
    else:
        if isinstance(hold, bool) or not isinstance(hold, int | np.integer) or hold < 1:
            raise ValueError(f"hold: expected a positive whole number of days or None, found {hold!r}")
        if hold > n:
            rec_day = np.full(start.shape, n, dtype=np.int64)
            recovered = np.zeros(start.shape, dtype=bool)
        else:
            cs = np.concatenate([np.zeros((*out.shape[:-1], 1), dtype=np.int64), np.cumsum(out, axis=-1)], axis=-1)
            clean = (cs[..., hold:] - cs[..., :-hold]) == 0  # window [t, t + hold) has no exit, t <= n - hold
            clean &= np.arange(n - hold + 1) >= start[..., None]
            first = first_true(clean)
            recovered = first >= 0
            rec_day = np.where(recovered, first, n)
        # never outside the band after onset: nothing to recover from, whatever the hold
        calm = ~out.any(axis=-1)
        recovered = recovered | calm
        rec_day = np.where(calm, start, rec_day)
    days = np.where(recovered, rec_day - start, np.nan).astype(float)
    censored_at = (n - 1 - start).astype(np.int64)
    onset_arr = np.where(felt, start, np.nan).astype(float)
    if days.ndim == 0 and labels is None:
        return RecoveryTime(
            days=float(days) if recovered else None, recovered=bool(recovered), censored_at=int(censored_at),
            onset=int(start) if felt else None, left_band=bool(left),
        )
    return RecoveryTimes(days=days, recovered=recovered, censored_at=censored_at, onset=onset_arr, labels=labels,
                         left_band=left)


def _window_q(output: Any, baseline: Any, epsilon: float, onset: int | None):
    q, start, felt, labels, n = prepare(output, baseline, epsilon, onset)
    return np.where(from_onset(n, start), q, np.inf), start, felt, labels


def depth(output: Any, baseline: Any, *, onset: int | None = None, epsilon: float = 0.01) -> Any:
    r"""Depth of the fall (resistance): the maximum relative drop :math:`1 - \min_{t \ge t_0} q(t)`.

    Clipped below at 0 (an overshoot-only trajectory has depth 0), so depth lies in
    :math:`[0, 1]` for non-negative output. The window starts at the onset (given or
    detected; day 0 when no shock is felt). ``epsilon`` only serves onset detection.

    Parameters
    ----------
    output, baseline : array_like (..., days), Series or DataFrame
    onset : int, optional
    epsilon : float

    Returns
    -------
    float, ndarray or Series
        Fraction of baseline (0.25 = output fell 25 % below the counterfactual).

    Examples
    --------
    >>> depth([100, 100, 60, 80, 100], 100)
    0.4
    """
    qw, _, _, labels = _window_q(output, baseline, epsilon, onset)
    return wrap(np.maximum(0.0, 1.0 - qw.min(axis=-1)), labels, "depth")


def time_to_trough(output: Any, baseline: Any, *, onset: int | None = None, epsilon: float = 0.01) -> Any:
    r"""Days from the onset to the (first) minimum of :math:`q`, :math:`\arg\min_{t\ge t_0} q(t) - t_0`.

    The trough is the first day within 1e-12 of the minimum level, so ties are resolved
    towards the earliest day whatever the units. NaN (``None`` for one trajectory) when no
    onset is given and no shock is felt.

    Examples
    --------
    >>> time_to_trough([100, 100, 90, 70, 80, 100], 100)
    1
    >>> time_to_trough([100, 100, 100], 100) is None
    True
    """
    qw, start, felt, labels = _window_q(output, baseline, epsilon, onset)
    # first day within rounding of the minimum, so that ties do not depend on the units
    ttt = first_true(qw <= qw.min(axis=-1, keepdims=True) + BAND_SLACK) - start
    if ttt.ndim == 0 and labels is None:
        return int(ttt) if felt else None
    return wrap(np.where(felt, ttt, np.nan), labels, "time_to_trough")


def level_at_horizon(output: Any, baseline: Any, *, last: int = 1) -> Any:
    r"""Level reached at the horizon (re-orientation): mean of :math:`q` over the last ``last`` days.

    1 means back at the counterfactual; below 1 a lasting loss (a new, lower equilibrium);
    above 1 a gain.

    Examples
    --------
    >>> level_at_horizon([100, 60, 90, 96, 98], 100, last=2)
    0.97
    """
    y, b, labels = output_and_baseline(output, baseline)
    if isinstance(last, bool) or not isinstance(last, int | np.integer) or not 1 <= last <= y.shape[-1]:
        raise ValueError(f"last: expected a number of days in [1, {y.shape[-1]}], found {last!r}")
    return wrap(relative(y, b)[..., -last:].mean(axis=-1), labels, "level_at_horizon")
