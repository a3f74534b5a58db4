"""Bi-proportional (RAS) balancing and the gravity prior of inter-regional trade.

References
----------
Stone, R. (1961). *Input-Output and National Accounts*. OEEC, Paris.
Bacharach, M. (1970). *Biproportional Matrices and Input-Output Change*. Cambridge
University Press.
Miller, R. E. & Blair, P. D. (2009). *Input-Output Analysis: Foundations and Extensions*,
2nd ed., Cambridge University Press, §7.4 (the RAS technique) and ch. 3 (multiregional
models; gravity-type estimates of interregional trade).
Leontief, W. & Strout, A. (1963). Multiregional input-output analysis. In T. Barna (ed.),
*Structural Interdependence and Economic Development*, Macmillan, 119-150.
Isard, W. (1960). *Methods of Regional Analysis*. MIT Press (gravity models of trade).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from chainsim.errors import ConvergenceError, DataError

__all__ = ["RASResult", "gravity_prior", "ras", "ras_with_info"]


class RASResult(NamedTuple):
    """A balanced matrix, the iterations used and the largest relative margin gap left."""

    matrix: np.ndarray
    iterations: int
    gap: float


def _margin_gap(sums: np.ndarray, targets: np.ndarray) -> float:
    pos = targets > 0
    if not pos.any():
        return float(np.abs(sums).max(initial=0.0))
    rel = np.abs(sums[pos] - targets[pos]) / targets[pos]
    return float(max(rel.max(), np.abs(sums[~pos]).max(initial=0.0) / targets[pos].max()))


def ras_with_info(prior: np.ndarray, row_targets: np.ndarray, col_targets: np.ndarray, *, tol: float = 1e-10,
                  max_iter: int = 10_000) -> RASResult:
    """:func:`ras`, also returning the number of iterations and the achieved gap."""
    A = np.array(prior, dtype=float, copy=True)
    u = np.asarray(row_targets, dtype=float)
    v = np.asarray(col_targets, dtype=float)
    if A.ndim != 2 or u.shape != (A.shape[0],) or v.shape != (A.shape[1],):
        raise DataError(f"ras: prior of shape {A.shape} needs row targets of shape ({A.shape[0]},) and column "
                        f"targets of shape ({A.shape[1] if A.ndim == 2 else '?'},); found {u.shape} and {v.shape}")
    for what, a in (("prior", A), ("row targets", u), ("column targets", v)):
        if not np.isfinite(a).all():
            raise DataError(f"ras: {what} hold NaN or infinite values")
        if (a < 0).any():
            raise DataError(f"ras: {what} must be non-negative; found {a.min():.6g}")
    su, sv = u.sum(), v.sum()
    if abs(su - sv) > 1e-9 * max(su, sv, 1e-300):
        raise DataError(f"ras: row targets sum to {su:.12g} but column targets to {sv:.12g}; the margins "
                        f"must have the same total")
    for axis, t, what in ((1, u, "row"), (0, v, "column")):
        empty = (A.sum(axis=axis) == 0) & (t > 0)
        if empty.any():
            k = int(np.flatnonzero(empty)[0])
            raise DataError(f"ras: {what} {k} of the prior is all zero but its target is {t[k]:.6g}; a zero "
                            f"{what} can only be scaled to zero")
    gap = np.inf
    for it in range(1, max_iter + 1):
        rs = A.sum(axis=1)
        A *= (np.divide(u, rs, out=np.zeros_like(u), where=rs > 0))[:, None]
        cs = A.sum(axis=0)
        A *= np.divide(v, cs, out=np.zeros_like(v), where=cs > 0)[None, :]
        gap = _margin_gap(A.sum(axis=1), u)
        if gap <= tol:
            return RASResult(A, it, gap)
    raise ConvergenceError(f"ras: no convergence in {max_iter} iterations; largest relative row-margin gap "
                           f"{gap:.3e} (tolerance {tol:.0e}); the margins may be infeasible for the prior's "
                           f"zero pattern")


def ras(prior: np.ndarray, row_targets: np.ndarray, col_targets: np.ndarray, *, tol: float = 1e-10,
        max_iter: int = 10_000) -> np.ndarray:
    r"""Scale ``prior`` bi-proportionally to the given row and column sums (RAS).

    Finds ``X = diag(r) A diag(s)`` with ``X 1 = u`` and ``1' X = v`` by alternately
    scaling rows and columns (Stone 1961; Bacharach 1970; Miller & Blair 2009, §7.4). The
    solution, when it exists, is the matrix closest to the prior in the information
    (Kullback-Leibler) sense among those with the required margins and zero pattern.

    Each iteration scales the rows, then the columns; so the column sums hold to rounding
    and convergence is judged on the rows: ``max_i |X_i. - u_i| / u_i <= tol``. Convergence
    is linear; it slows down when the solution is close to the boundary of the feasible set
    (a nearly decomposable prior, or a margin that almost exhausts its counterpart).

    Parameters
    ----------
    prior : array (m, n)
        Non-negative prior; its zeros stay zero.
    row_targets, col_targets : array (m,), array (n,)
        Non-negative margins with equal totals. Where a prior row (column) is all zero the
        target must be zero.
    tol : float
        Relative tolerance on the row margins.
    max_iter : int
        Iteration limit.

    Returns
    -------
    array (m, n)

    Raises
    ------
    DataError
        Wrong shapes, negative or non-finite values, totals that differ, or a zero prior
        row / column with a positive target.
    ConvergenceError
        If the margins are not reached within ``max_iter`` iterations (e.g. infeasible for
        the zero pattern); the message gives the gap achieved.

    Examples
    --------
    >>> X = ras(np.ones((2, 2)), np.array([3.0, 1.0]), np.array([2.0, 2.0]))
    >>> np.round(X, 12)
    array([[1.5, 1.5],
           [0.5, 0.5]])
    """
    return ras_with_info(prior, row_targets, col_targets, tol=tol, max_iter=max_iter).matrix


def gravity_prior(out: np.ndarray, inflow: np.ndarray, distance_km: np.ndarray, beta: float = 1.0) -> np.ndarray:
    r"""Gravity prior of trade from origin ``o`` to destination ``d``: ``out_o * in_d / dist_od^beta``.

    The classic gravity form of interregional trade (Leontief & Strout 1963; Isard 1960):
    flows grow with the origin's supply and the destination's demand and fall with
    distance. The diagonal (a region's trade with itself) is zero.

    Parameters
    ----------
    out : array (R,)
        Outflow of each origin (non-negative).
    inflow : array (R,)
        Inflow of each destination (non-negative).
    distance_km : array (R, R)
        Distances; off-diagonal entries must be positive.
    beta : float
        Distance-decay exponent (> 0).

    Returns
    -------
    array (R, R)

    Raises
    ------
    DataError
        On wrong shapes, negative flows, non-positive off-diagonal distances or ``beta <= 0``.

    Examples
    --------
    >>> gravity_prior(np.array([1.0, 2.0]), np.array([3.0, 4.0]), np.array([[0.0, 2.0], [2.0, 0.0]]))
    array([[0., 2.],
           [3., 0.]])
    """
    out = np.asarray(out, dtype=float)
    inflow = np.asarray(inflow, dtype=float)
    d = np.asarray(distance_km, dtype=float)
    n = out.shape[0]
    if out.ndim != 1 or inflow.shape != (n,) or d.shape != (n, n):
        raise DataError(f"gravity_prior: expected out (R,), inflow (R,), distance (R, R); found {out.shape}, "
                        f"{inflow.shape}, {d.shape}")
    if (out < 0).any() or (inflow < 0).any():
        raise DataError("gravity_prior: outflows and inflows must be non-negative")
    if not beta > 0:
        raise DataError(f"gravity_prior: beta must be positive, found {beta!r}")
    off = ~np.eye(n, dtype=bool)
    if not (d[off] > 0).all():
        raise DataError("gravity_prior: distances between different regions must be positive")
    decay = np.where(off, d, 1.0) if beta == 1.0 else np.where(off, d, 1.0) ** beta
    return np.where(off, np.outer(out, inflow) / decay, 0.0)
