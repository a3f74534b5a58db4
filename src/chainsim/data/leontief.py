"""Pure input-output maths in Miller & Blair notation.

Demand-driven (Leontief) and supply-driven (Ghosh) models, multipliers and the
inoperability input-output model (IIM).

Every function takes and returns numpy arrays and keeps no state. Division by a zero
output gives a zero coefficient (an industry with no output buys and sells nothing).

References
----------
.. [1] Miller, R. E. & Blair, P. D. (2009). *Input-Output Analysis: Foundations and
   Extensions*, 2nd ed. Cambridge University Press, ch. 2 and 12.
.. [2] Haimes, Y. Y. & Jiang, P. (2001). Leontief-based model of risk in complex
   interconnected infrastructures. *J. Infrastructure Systems* 7(1), 1–12.
.. [3] Santos, J. R. & Haimes, Y. Y. (2004). Modeling the demand reduction input-output
   (I-O) inoperability due to terrorism of interconnected infrastructures. *Risk Analysis*
   24(6), 1437–1451.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "calc_A",
    "calc_B",
    "calc_G",
    "calc_L",
    "calc_Z",
    "calc_astar",
    "calc_inoperability",
    "calc_x",
    "calc_x_ghosh",
    "interdependency_index",
    "output_multipliers",
]


def _safe_inverse(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    np.divide(1.0, x, out=out, where=x != 0)
    return out


def calc_A(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    r"""Technical coefficients :math:`A = Z \hat{x}^{-1}` (input per unit of the user's output).

    Parameters
    ----------
    Z : array (N, N)
        Intermediate flows, supplier rows x user columns.
    x : array (N,)
        Gross output.

    Returns
    -------
    array (N, N)

    Examples
    --------
    >>> calc_A([[150, 500], [200, 100]], [1000, 2000]).tolist()
    [[0.15, 0.25], [0.2, 0.05]]
    """
    return np.asarray(Z, dtype=float) * _safe_inverse(x)[None, :]


def calc_Z(A: np.ndarray, x: np.ndarray) -> np.ndarray:
    r"""Intermediate flows from coefficients, :math:`Z = A \hat{x}`."""
    return np.asarray(A, dtype=float) * np.asarray(x, dtype=float)[None, :]


def calc_L(A: np.ndarray) -> np.ndarray:
    r"""Leontief inverse :math:`L = (I - A)^{-1}`.

    Examples
    --------
    >>> calc_L([[0.15, 0.25], [0.2, 0.05]]).round(6).tolist()
    [[1.254125, 0.330033], [0.264026, 1.122112]]
    """
    A = np.asarray(A, dtype=float)
    return np.linalg.inv(np.eye(A.shape[0]) - A)


def calc_x(L: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""Gross output that meets final demand ``y``: :math:`x = L y`.

    Examples
    --------
    >>> calc_x(calc_L([[0.15, 0.25], [0.2, 0.05]]), [600, 1500]).round(1).tolist()
    [1247.5, 1841.6]
    """
    return np.asarray(L, dtype=float) @ np.asarray(y, dtype=float)


def output_multipliers(L: np.ndarray) -> np.ndarray:
    """Simple output multipliers: column sums of the Leontief inverse (M&B eq. 6.3)."""
    return np.asarray(L, dtype=float).sum(axis=0)


def calc_B(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    r"""Allocation (output) coefficients :math:`B = \hat{x}^{-1} Z` (share of a supplier's output sold to each user)."""
    return _safe_inverse(x)[:, None] * np.asarray(Z, dtype=float)


def calc_G(B: np.ndarray) -> np.ndarray:
    r"""Ghosh inverse :math:`G = (I - B)^{-1}`."""
    B = np.asarray(B, dtype=float)
    return np.linalg.inv(np.eye(B.shape[0]) - B)


def calc_x_ghosh(G: np.ndarray, v: np.ndarray) -> np.ndarray:
    r"""Supply-driven output :math:`x' = v' G` for primary inputs ``v`` (M&B eq. 12.6)."""
    return np.asarray(v, dtype=float) @ np.asarray(G, dtype=float)


def calc_astar(A: np.ndarray, x: np.ndarray) -> np.ndarray:
    r"""Interdependency matrix of the inoperability model, :math:`A^* = \hat{x}^{-1} A \hat{x}`.

    Entry :math:`a^*_{ij}` is the inoperability of ``i`` caused by a unit inoperability of
    ``j`` (Santos & Haimes 2004).
    """
    x = np.asarray(x, dtype=float)
    return _safe_inverse(x)[:, None] * np.asarray(A, dtype=float) * x[None, :]


def calc_inoperability(astar: np.ndarray, cstar: np.ndarray, *, clip: bool = True) -> np.ndarray:
    r"""Equilibrium inoperability :math:`q = (I - A^*)^{-1} c^*` (Haimes & Jiang 2001).

    Parameters
    ----------
    astar : array (N, N)
        Interdependency matrix.
    cstar : array (N,)
        Demand-side perturbation (normalised).
    clip : bool
        Clip to [0, 1]: an industry cannot be more than fully inoperable.

    Examples
    --------
    >>> calc_inoperability([[0, 0.8], [0.2, 0]], [0, 0.6]).round(4).tolist()
    [0.5714, 0.7143]
    """
    astar = np.asarray(astar, dtype=float)
    q = np.linalg.solve(np.eye(astar.shape[0]) - astar, np.asarray(cstar, dtype=float))
    return np.clip(q, 0.0, 1.0) if clip else q


def interdependency_index(astar: np.ndarray, order: int) -> np.ndarray:
    r"""n-th order interdependency index :math:`(A^{*})^n` (Haimes & Jiang 2001; Santos 2006).

    Examples
    --------
    >>> A = [[0, .9, 0, 0], [.4, 0, 0, 0], [1, .8, 0, 0], [1, .9, 0, 0]]
    >>> round(float(interdependency_index(A, 3)[2, 1]), 3)
    0.288
    """
    if order < 1:
        raise ValueError(f"order must be >= 1, found {order}")
    return np.linalg.matrix_power(np.asarray(astar, dtype=float), order)
