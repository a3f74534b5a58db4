r"""Loss metrics: cumulative output loss, amplification ratio and the resilience triangle.

Conventions (see ``docs/metrics.md``):

- The **cumulative loss** is the plain daily sum :math:`\sum_t (b(t) - y(t))` over every day
  given (daily output is a flow; the sum is exact). Overshoot (:math:`y > b`) enters with
  a negative sign, so the loss is net of catch-up production. Slice the arrays for another
  window. It does not depend on the onset or on :math:`\varepsilon`.
- The **resilience-triangle area** follows Bruneau et al. (2003):
  :math:`R = \int_{t_0}^{T} (100 - Q(t))\,dt` with :math:`Q = 100\,q` in percent, integrated
  with the trapezoid rule on the daily grid from the onset :math:`t_0` to the last day
  :math:`T = N-1`. The drop at :math:`t_0` is vertical (as in Bruneau's figure), so a drop
  of :math:`d` % recovering linearly over :math:`T_r` days has area exactly :math:`d T_r/2`.

References
----------
.. [1] Bruneau, M., Chang, S. E., Eguchi, R. T., Lee, G. C., O'Rourke, T. D.,
   Reinhorn, A. M., Shinozuka, M., Tierney, K., Wallace, W. A. & von Winterfeldt, D.
   (2003). A framework to quantitatively assess and enhance the seismic resilience of
   communities. *Earthquake Spectra* 19(4), 733–752.
.. [2] Hallegatte, S. (2008). An adaptive regional input-output model and its application
   to the assessment of the economic cost of Katrina. *Risk Analysis* 28(3), 779–799.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainsim.metrics._arrays import (
    output_and_baseline,
    prepare,
    wrap,
)

__all__ = [
    "amplification_ratio",
    "cumulative_loss",
    "loss_in_days_of_output",
    "resilience_triangle_area",
]


def cumulative_loss(output: Any, baseline: Any, *, money_per_unit: float = 1.0) -> Any:
    r"""Cumulative output loss :math:`L = m \sum_t \big(b(t) - y(t)\big)`, in money when :math:`m` is given.

    Parameters
    ----------
    output, baseline : array_like (..., days), Series or DataFrame
        Daily output and counterfactual, in the model's unit.
    money_per_unit : float
        Money factor :math:`m`: currency units per unit of output (``IOTable.money.per_unit``,
        e.g. ``1e4`` yuan for tables in 10k CNY). With the default 1 the loss is in the
        output's own unit.

    Returns
    -------
    float, ndarray or Series
        Net loss (negative when output exceeds the baseline overall).

    Examples
    --------
    >>> cumulative_loss([100, 60, 80, 110], 100, money_per_unit=1e4)
    500000.0
    """
    y, b, labels = output_and_baseline(output, baseline)
    if not np.isfinite(money_per_unit):
        raise ValueError(f"money_per_unit: expected a finite money factor, found {money_per_unit}")
    return wrap((b - y).sum(axis=-1) * float(money_per_unit), labels, "loss")


def loss_in_days_of_output(output: Any, baseline: Any) -> Any:
    r"""Cumulative loss in days of output, :math:`\sum_t (b - y) / \bar b` with :math:`\bar b` the mean daily baseline.

    Unit-free: the loss equals this many days of the scope's normal (counterfactual)
    output.

    Examples
    --------
    >>> loss_in_days_of_output([100, 60, 80, 100], 100)
    0.6
    """
    y, b, labels = output_and_baseline(output, baseline)
    mean_b = b.mean(axis=-1)
    if np.any(mean_b <= 0):
        raise ValueError("baseline: expected a positive mean daily output to express the loss in days of output")
    return wrap((b - y).sum(axis=-1) / mean_b, labels, "loss_days")


def amplification_ratio(total_loss: Any, direct_loss: Any) -> Any:
    r"""Economic amplification ratio :math:`\mathrm{EAR} = L_{\text{total}} / L_{\text{direct}}`.

    Hallegatte (2008) finds about 1.39 for Katrina (107 bn USD direct, 149 bn total) and a
    ratio that grows with event size. Both losses must be in the same unit (e.g. yuan, as
    returned by :func:`cumulative_loss` with the same ``money_per_unit``).

    Parameters
    ----------
    total_loss : float or array_like
    direct_loss : float or array_like
        Must be positive.

    Raises
    ------
    ValueError
        If a direct loss is not positive (the ratio is undefined).

    Examples
    --------
    >>> round(amplification_ratio(149.0, 107.0), 2)
    1.39
    """
    total = np.asarray(total_loss, dtype=float)
    direct = np.asarray(direct_loss, dtype=float)
    if np.any(~np.isfinite(direct)) or np.any(direct <= 0):
        raise ValueError(f"direct_loss: expected a positive, finite loss, found {direct_loss!r}")
    ratio = total / direct
    return ratio.item() if ratio.ndim == 0 else ratio


def resilience_triangle_area(output: Any, baseline: Any, *, onset: int | None = None, epsilon: float = 0.01) -> Any:
    r"""Resilience-triangle area (Bruneau et al. 2003) in percent-days.

    .. math::

        R = 100 \int_{t_0}^{N-1} \big(1 - q(t)\big)\,dt
          \approx 100 \sum_{t=t_0}^{N-2} \frac{(1-q(t)) + (1-q(t+1))}{2}

    (trapezoid rule, unit day steps) from the onset :math:`t_0` (given, detected as the
    first day with :math:`|q-1|>\varepsilon`, or day 0 when no shock is felt) to the last
    day. Days before the onset are not part of the event; overshoot above the baseline
    enters negatively.

    Returns
    -------
    float, ndarray or Series
        Area in %·days (a 30 % drop recovering linearly over 20 days gives 300).

    Examples
    --------
    >>> round(resilience_triangle_area([100, 70, 80, 90, 100, 100], 100), 9)
    45.0
    """
    q, start, _, labels, n = prepare(output, baseline, epsilon, onset)
    t = np.arange(n)
    s = start[..., None]
    # trapezoid weights on [s, n-1]: each interval [t, t+1] with t >= s gives 1/2 to both ends
    w = 0.5 * ((t >= s) & (t <= n - 2)) + 0.5 * ((t >= s + 1) & (t <= n - 1))
    return wrap(100.0 * ((1.0 - q) * w).sum(axis=-1), labels, "triangle_area")
