r"""Value added from gross output, aggregated over periods, as deviations and year-on-year growth.

With inputs in fixed proportions (the Leontief technology of the IO model), an industry's value
added moves with its output: :math:`v_{k}(t) = x_k(t)\,\bar v_k / \bar x_k`, the table's
value-added-to-output ratio. Over a period :math:`P` and a set of industries :math:`K`:

.. math::

    \mathrm{dev}_P = 100\left(\frac{\sum_{t\in P}\sum_{k\in K} v_k(t)}
                             {|P| \sum_{k\in K} \bar v_k} - 1\right)

against the flat no-shock baseline. NBS publishes real growth over the same period a year
earlier; with the counterfactual growing at the stated trend :math:`g` (% a year) and NBS
comparing period totals (a leap day counts, ``days_ratio`` = days this year / days last year),

.. math::

    \mathrm{yoy}_P = 100\left((1 + \mathrm{dev}_P/100)(1 + g/100)\,\mathrm{days\_ratio} - 1\right).

Examples
--------
>>> round(float(yoy_from_deviation(-20.0, 5.7, 60 / 59)), 5)
-14.00678
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["aggregate_periods", "deviation_pct", "period_matrix", "value_added", "value_added_ratio",
           "yoy_from_deviation"]


def value_added_ratio(value_added: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Value added per unit of gross output, ``v / x`` (0 where ``x = 0``).

    Examples
    --------
    >>> value_added_ratio(np.array([30.0, 5.0, 0.0]), np.array([100.0, 10.0, 0.0])).tolist()
    [0.3, 0.5, 0.0]
    """
    v, x = np.asarray(value_added, dtype=float), np.asarray(x, dtype=float)
    return np.divide(v, x, out=np.zeros_like(v), where=x != 0)


def value_added(output: np.ndarray, ratio: np.ndarray) -> np.ndarray:
    """Value added of each industry on each day: ``output * ratio`` over the last axis (industries)."""
    return np.asarray(output, dtype=float) * np.asarray(ratio, dtype=float)


def period_matrix(periods: Sequence[tuple[int, int]], days: int) -> np.ndarray:
    """A (P, days) 0/1 matrix: row ``p`` selects days ``first .. stop-1`` of period ``p``.

    Examples
    --------
    >>> period_matrix([(0, 2), (1, 3)], 4).astype(int).tolist()
    [[1, 1, 0, 0], [0, 1, 1, 0]]
    """
    M = np.zeros((len(periods), int(days)))
    for p, (first, stop) in enumerate(periods):
        M[p, int(first):int(stop)] = 1.0
    return M


def aggregate_periods(va: np.ndarray, periods: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """Sum value added over the days of each period and the industries of each cell.

    Parameters
    ----------
    va : ndarray (R, T, N)
        Value added per replication, day and industry.
    periods : ndarray (P, T)
        From :func:`period_matrix`.
    cells : ndarray (N, C) of bool or float
        Column ``c`` selects the industries of a (scope, sector group) cell.

    Returns
    -------
    ndarray (R, P, C)
    """
    va = np.asarray(va, dtype=float)
    per_period = np.einsum("pt,rtn->rpn", periods, va, optimize=True)
    return per_period @ np.asarray(cells, dtype=float)


def deviation_pct(model: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """``100 (model / baseline - 1)``; NaN where the baseline is 0."""
    model, baseline = np.asarray(model, dtype=float), np.asarray(baseline, dtype=float)
    ratio = np.divide(model, baseline, out=np.full(np.broadcast(model, baseline).shape, np.nan),
                      where=baseline != 0)
    return 100.0 * (ratio - 1.0)


def yoy_from_deviation(dev_pct: np.ndarray | float, trend_pct: np.ndarray | float,
                       days_ratio: np.ndarray | float = 1.0) -> np.ndarray:
    """Year-on-year growth (%) from the deviation from baseline (%) and the trend growth (% a year)."""
    dev, g = np.asarray(dev_pct, dtype=float), np.asarray(trend_pct, dtype=float)
    return 100.0 * ((1.0 + dev / 100.0) * (1.0 + g / 100.0) * np.asarray(days_ratio, dtype=float) - 1.0)
