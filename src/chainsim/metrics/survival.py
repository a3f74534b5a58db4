r"""Time to survive (TTS) after Simchi-Levi et al. (2014, 2015).

The *time to recover* TTR of a node is how long it takes to restore full function; its
*time to survive* TTS is how long the system can keep matching supply to demand while the
node is down. Simchi-Levi et al. compute TTS with a linear programme over the network; for
one input with inventory :math:`I`, daily usage :math:`u` and alternative supply
:math:`c` it reduces to

.. math::

    \mathrm{TTS} = \frac{I}{u - c} \quad (c < u), \qquad \mathrm{TTS} = \infty \quad (c \ge u).

If :math:`\mathrm{TTS} \ge \mathrm{TTR}` the disruption costs nothing; otherwise the lost
output is about :math:`(\mathrm{TTR} - \mathrm{TTS})(u - c)` times the downstream margin.

An *observed* TTS can also be read off a simulated trajectory: the days from the event
until output first falls below :math:`1 - \varepsilon` of its baseline.

References
----------
.. [1] Simchi-Levi, D., Schmidt, W. & Wei, Y. (2014). From superstorms to factory fires:
   managing unpredictable supply-chain disruptions. *Harvard Business Review* 92(1–2), 96–101.
.. [2] Simchi-Levi, D., Schmidt, W., Wei, Y., Zhang, P. Y., Combs, K., Ge, Y., Gusikhin, O.,
   Sanders, M. & Zhang, D. (2015). Identifying risks and mitigating disruptions in the
   automotive supply chain. *Interfaces* 45(5), 375–390.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from chainsim.metrics._arrays import (
    BAND_SLACK,
    check_epsilon,
    check_onset,
    first_true,
    output_and_baseline,
    relative,
    wrap,
)

__all__ = ["SurvivalTime", "observed_time_to_survive", "time_to_survive", "tts_loss"]


def _nonneg(x: Any, name: str) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if np.any(np.isnan(arr)) or np.any(arr < 0):
        raise ValueError(f"{name}: expected non-negative values, found {x!r}")
    return arr


def _out(a: np.ndarray) -> Any:
    return a.item() if a.ndim == 0 else a


def time_to_survive(inventory: Any, usage: Any, alternative: Any = 0.0) -> Any:
    r"""Closed-form time to survive :math:`\mathrm{TTS} = I/(u - c)`, infinite when :math:`c \ge u`.

    Parameters
    ----------
    inventory : float or array_like
        Stock :math:`I` of the input on hand when the supplier fails (units of the input).
    usage : float or array_like
        Daily usage :math:`u` (units per day).
    alternative : float or array_like
        Daily supply :math:`c` still available from alternative sources (units per day).

    Returns
    -------
    float or ndarray
        Days; ``inf`` when the alternative covers usage.

    Examples
    --------
    >>> time_to_survive(30, 10), time_to_survive(30, 10, 4), time_to_survive(30, 10, 10)
    (3.0, 5.0, inf)
    """
    inventory = _nonneg(inventory, "inventory")
    usage = _nonneg(usage, "usage")
    alternative = _nonneg(alternative, "alternative")
    gap = usage - alternative
    with np.errstate(divide="ignore", invalid="ignore"):
        tts = np.where(gap > 0, inventory / np.where(gap > 0, gap, 1.0), np.inf)
    return _out(np.asarray(tts, dtype=float))


def tts_loss(ttr: Any, tts: Any, usage: Any, alternative: Any = 0.0, *, margin: float = 1.0) -> Any:
    r"""Lost output when a node is down longer than the system can survive (Simchi-Levi rule).

    .. math::

        \text{loss} = m \,\max(0, \mathrm{TTR} - \mathrm{TTS})\,(u - c)^+

    zero when :math:`\mathrm{TTS} \ge \mathrm{TTR}` (including :math:`\mathrm{TTS} = \infty`).

    Parameters
    ----------
    ttr : float or array_like
        Days the node needs to recover.
    tts : float or array_like
        Days the system survives (:func:`time_to_survive`).
    usage, alternative : float or array_like
        Daily usage and alternative supply of the input.
    margin : float
        Downstream output (or margin) per unit of the input, :math:`m`.

    Examples
    --------
    >>> tts_loss(10, time_to_survive(30, 10, 4), 10, 4)
    30.0
    >>> tts_loss(4, 5.0, 10, 4)
    0.0
    """
    ttr = _nonneg(ttr, "ttr")
    tts = _nonneg(tts, "tts")
    gap = np.maximum(_nonneg(usage, "usage") - _nonneg(alternative, "alternative"), 0.0)
    short = (ttr > tts) & (gap > 0)
    loss = np.where(short, np.where(short, ttr - tts, 0.0) * gap * float(margin), 0.0)
    return _out(np.asarray(loss, dtype=float))


@dataclass(frozen=True)
class SurvivalTime:
    """Observed time to survive of one trajectory, right-censored at the horizon.

    Attributes
    ----------
    days : float or None
        Days from the event to the first day output is below ``1 - epsilon`` of baseline;
        ``None`` when it never falls within the horizon (the system survived the horizon).
    fell : bool
        Whether output fell below the band within the horizon.
    censored_at : int
        Days from the event to the last simulated day.
    """

    days: float | None
    fell: bool
    censored_at: int

    def __str__(self) -> str:
        return f"{self.days:g} days" if self.fell else f"survived the horizon (> {self.censored_at} days)"


def observed_time_to_survive(output: Any, baseline: Any, *, onset: int, epsilon: float = 0.01) -> Any:
    r"""Observed TTS: days from the event day until output first falls below :math:`1-\varepsilon`.

    .. math:: \mathrm{TTS}_{\text{obs}} = \min\{t \ge t_0 : q(t) < 1 - \varepsilon\} - t_0

    The event day :math:`t_0` must be given: the buffer (inventories, alternative
    supply) works *before* output moves, so the onset cannot be detected from output.

    Returns
    -------
    SurvivalTime
        For one trajectory.
    ndarray or Series of float
        For a batch, NaN where output never fell (censored at ``N - 1 - onset``).

    Examples
    --------
    >>> observed_time_to_survive([100, 100, 100, 99.5, 90, 80], 100, onset=1)
    SurvivalTime(days=3.0, fell=True, censored_at=4)
    """
    y, b, labels = output_and_baseline(output, baseline)
    epsilon = check_epsilon(epsilon)
    n = y.shape[-1]
    if onset is None:
        raise ValueError("onset: the observed time to survive needs the event day, found None")
    onset = check_onset(onset, n)
    below = relative(y, b)[..., onset:] < 1.0 - epsilon - BAND_SLACK
    first = first_true(below)
    if first.ndim == 0 and labels is None:
        fell = bool(first >= 0)
        return SurvivalTime(days=float(first) if fell else None, fell=fell, censored_at=n - 1 - onset)
    return wrap(np.where(first >= 0, first, np.nan).astype(float), labels, "tts_observed")
