r"""Dynamic inoperability input-output model (DIIM) helpers, for validation.

The DIIM (Haimes et al. 2005; Lian & Haimes 2006) describes the inoperability
:math:`q_k \in [0, 1]^n` (the fraction of normal output lost) of :math:`n` sectors on
steps :math:`k`:

.. math:: q_{k+1} = q_k + K\,(A^* q_k + c^*_k - q_k),

with interdependency matrix :math:`A^*`, resilience matrix :math:`K` (diagonal) and
demand-side perturbation :math:`c^*_k`. With :math:`c^*_k = 0` the inoperability decays as
:math:`q(t) = e^{-K(I-A^*)t} q(0)`. These functions give chainsim's metrics and engine an
independent, closed-form check; they are not the simulation model.

Arrays follow the metrics convention: time on the last axis, so a trajectory is shaped
``(n, steps + 1)``.

References
----------
.. [1] Lian, C. & Haimes, Y. Y. (2006). Managing the risk of terrorism to interdependent
   infrastructure systems through the dynamic inoperability input-output model. *Systems
   Engineering* 9(3), 241–258.
.. [2] Haimes, Y. Y., Horowitz, B. M., Lambert, J. H., Santos, J. R., Lian, C. & Crowther,
   K. G. (2005). Inoperability input-output model for interdependent infrastructure
   sectors. I: Theory and methodology. *J. Infrastructure Systems* 11(2), 67–79.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
from scipy.linalg import expm

__all__ = [
    "cstar_pulse",
    "cumulative_inoperability",
    "diim_recovery",
    "diim_simulate",
    "resilience_coefficient",
]


def _square(a: Any, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"{name}: expected a square matrix, found shape {a.shape}")
    return a


def _kmatrix(K: Any, n: int) -> np.ndarray:
    K = np.asarray(K, dtype=float)
    if K.ndim == 0:
        return K * np.eye(n)
    if K.shape == (n,):
        return np.diag(K)
    if K.shape == (n, n):
        return K
    raise ValueError(f"K: expected a scalar, a diagonal ({n},) or a ({n}, {n}) matrix, found shape {K.shape}")


def cstar_pulse(cstar: Any, steps: int, active: Iterable[tuple[int, int]]) -> np.ndarray:
    r"""A perturbation schedule equal to ``cstar`` on the given steps and 0 elsewhere.

    Parameters
    ----------
    cstar : array_like (n,)
        Perturbation while active.
    steps : int
        Number of steps :math:`k = 0, \dots, \text{steps}-1`.
    active : iterable of (first, last)
        Inclusive step ranges on which the perturbation is on.

    Returns
    -------
    ndarray (n, steps)
        Column ``k`` is :math:`c^*_k`.

    Examples
    --------
    >>> cstar_pulse([0.0, 0.1], 5, [(1, 2)]).tolist()
    [[0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.1, 0.1, 0.0, 0.0]]
    """
    c = np.asarray(cstar, dtype=float)
    on = np.zeros(steps, dtype=bool)
    for first, last in active:
        if not 0 <= first <= last:
            raise ValueError(f"active: expected 0 <= first <= last, found ({first}, {last})")
        on[first : last + 1] = True
    return c[:, None] * on[None, :]


def diim_simulate(
    astar: Any,
    K: Any,
    cstar_schedule: Any | Callable[[int], Any],
    q0: Any,
    steps: int,
    *,
    clip: bool = True,
) -> np.ndarray:
    r"""Iterate the DIIM :math:`q_{k+1} = q_k + K(A^* q_k + c^*_k - q_k)` for ``steps`` steps.

    The perturbation acts only on the steps where the schedule is non-zero: an event's
    effect ends when the event ends (a regression test against a known bug in which the
    perturbation was mutated in place and never switched off).

    Parameters
    ----------
    astar : array_like (n, n)
        Interdependency matrix :math:`A^*`.
    K : float, array_like (n,) or (n, n)
        Resilience coefficients (a scalar or a diagonal gives :math:`K = \mathrm{diag}(k)`).
    cstar_schedule : array_like (n,) or (n, steps), or callable
        :math:`c^*_k`: constant (n,), one column per step, or a function ``k -> c*_k``.
    q0 : array_like (n,)
        Initial inoperability.
    steps : int
        Number of updates.
    clip : bool
        Keep :math:`q` in :math:`[0, 1]` after each step (inoperability cannot exceed 1).

    Returns
    -------
    ndarray (n, steps + 1)
        :math:`q_0, \dots, q_{\text{steps}}` (time on the last axis).

    Examples
    --------
    Lian & Haimes (2006): with :math:`c^* = (0, 0.1)` held on, :math:`q` converges to the
    static solution :math:`(I - A^*)^{-1} c^*`:

    >>> A = [[0.15, 0.50], [0.10, 0.05]]
    >>> diim_simulate(A, 0.2, [0.0, 0.1], [0.0, 0.0], 100)[:, -1].round(4).tolist()
    [0.066, 0.1122]
    """
    astar = _square(astar, "astar")
    n = astar.shape[0]
    Kmat = _kmatrix(K, n)
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise ValueError(f"steps: expected a non-negative integer, found {steps!r}")
    if callable(cstar_schedule):
        schedule = np.column_stack([np.asarray(cstar_schedule(k), dtype=float) for k in range(steps)]) if steps else (
            np.zeros((n, 0))
        )
    else:
        schedule = np.asarray(cstar_schedule, dtype=float)
        if schedule.shape == (n,):
            schedule = np.repeat(schedule[:, None], steps, axis=1)
    if schedule.shape != (n, steps):
        raise ValueError(f"cstar_schedule: expected shape ({n},) or ({n}, {steps}), found {schedule.shape}")
    q = np.empty((n, steps + 1))
    q[:, 0] = np.asarray(q0, dtype=float)
    for k in range(steps):
        qk = q[:, k]
        nxt = qk + Kmat @ (astar @ qk + schedule[:, k] - qk)
        q[:, k + 1] = np.clip(nxt, 0.0, 1.0) if clip else nxt
    return q


def diim_recovery(astar: Any, K: Any, q0: Any, times: Any) -> np.ndarray:
    r"""Closed-form DIIM recovery without perturbation, :math:`q(t) = e^{-K(I-A^*)t} q(0)`.

    Returns
    -------
    ndarray (n, len(times))

    Examples
    --------
    >>> diim_recovery([[0.0]], 0.1, [1.0], [0, 10]).round(4).tolist()
    [[1.0, 0.3679]]
    """
    astar = _square(astar, "astar")
    n = astar.shape[0]
    M = _kmatrix(K, n) @ (np.eye(n) - astar)
    q0 = np.asarray(q0, dtype=float)
    return np.column_stack([expm(-M * float(t)) @ q0 for t in np.atleast_1d(times)])


def cumulative_inoperability(q: Any, *, dt: float = 1.0) -> Any:
    r"""Trapezoid integral of inoperability over time, :math:`\int q\,dt` (last axis = time).

    Examples
    --------
    >>> cumulative_inoperability([0.0, 0.2, 0.2, 0.0])
    0.4
    """
    out = np.trapezoid(np.asarray(q, dtype=float), dx=dt, axis=-1)
    return out.item() if np.ndim(out) == 0 else out


def resilience_coefficient(q0: Any, qT: Any, T: Any, astar_ii: Any = 0.0) -> Any:
    r"""DIIM resilience coefficient :math:`k_i = \ln(q_i(0)/q_i(T_i)) / (T_i (1 - a^*_{ii}))`.

    Lian & Haimes (2006): the recovery speed that takes sector :math:`i` from inoperability
    :math:`q_i(0)` to :math:`q_i(T_i)` in :math:`T_i` steps (e.g. :math:`q(T)/q(0) = 0.01`
    for 99 % recovery). Not clipped (diimpy clips :math:`K` to :math:`[0, 1]`).

    Examples
    --------
    >>> round(resilience_coefficient(1.0, 0.01, 30), 4)
    0.1535
    """
    q0, qT, T, a = (np.asarray(v, dtype=float) for v in (q0, qT, T, astar_ii))
    if np.any(q0 <= 0) or np.any(qT <= 0):
        raise ValueError("resilience_coefficient: expected positive inoperabilities q0 and qT")
    if np.any(T <= 0) or np.any(a >= 1):
        raise ValueError("resilience_coefficient: expected T > 0 and a*_ii < 1")
    out = np.log(q0 / qT) / (T * (1.0 - a))
    return out.item() if out.ndim == 0 else out
