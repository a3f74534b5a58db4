"""Registry of recovery curves ``g(e, τ)``: the share of a loss still in force after ``e`` days.

Every curve is a pure, vectorised function of elapsed days ``e`` and time constant ``τ``
(arrays of equal shape) with ``g(0, τ) = 1``. The names follow BoARIO's (``convexe``,
``concave``, ``linear``) so that the ``ario`` configuration reproduces it
(``ARIO_SPEC.md`` §6.1); chainsim adds ``exponential`` and the English spelling ``convex``.

Examples
--------
>>> import numpy as np
>>> float(CURVES["linear"](np.array([45.0]), np.array([180.0]))[0])
0.75
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

import numpy as np

__all__ = ["CURVES", "CURVE_CODES", "Curve", "curve_code"]

Curve = Callable[[np.ndarray, np.ndarray], np.ndarray]


def linear(e: np.ndarray, tau: np.ndarray) -> np.ndarray:
    r"""Linear recovery :math:`g = 1 - e/\tau` (zero at :math:`e=\tau`, negative after)."""
    return 1.0 - e / tau


def convexe(e: np.ndarray, tau: np.ndarray) -> np.ndarray:
    r"""BoARIO's convex curve :math:`g = (1 - 1/\tau)^{4e}`: fast early recovery, long tail."""
    return (1.0 - 1.0 / tau) ** (4.0 * e)


def convexe_noscale(e: np.ndarray, tau: np.ndarray) -> np.ndarray:
    r"""Unscaled convex curve :math:`g = (1 - 1/\tau)^{e}`."""
    return (1.0 - 1.0 / tau) ** e


def concave(e: np.ndarray, tau: np.ndarray) -> np.ndarray:
    r"""S-shaped curve :math:`g = \tau / (\tau + 10^{-6} e^{k})`, :math:`k = \ln(\tau/10^{-6}) / \ln(\tau/2)`.

    Slow at first, half-way near :math:`e = \tau/2` (BoARIO's ``concave``).
    """
    k = (np.log(tau) - np.log(1e-6)) / (np.log(tau) - np.log(2.0))
    return tau / (tau + 1e-6 * e**k)


def exponential(e: np.ndarray, tau: np.ndarray) -> np.ndarray:
    r"""Exponential recovery :math:`g = \exp(-e/\tau)` (Hallegatte 2008's reconstruction decay)."""
    return np.exp(-e / tau)


CURVES: MappingProxyType[str, Curve] = MappingProxyType({
    "linear": linear,
    "convexe": convexe,
    "convex": convexe,
    "convexe noscale": convexe_noscale,
    "concave": concave,
    "exponential": exponential,
})
"""Recovery-curve registry keyed by name."""

CURVE_CODES: MappingProxyType[str, int] = MappingProxyType({name: k for k, name in enumerate(CURVES)})
_BY_CODE = tuple(CURVES.values())


def curve_code(name: str) -> int:
    """Integer code of a curve name (used in the vectorised loss table)."""
    return CURVE_CODES[name]


def evaluate(codes: np.ndarray, e: np.ndarray, tau: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Evaluate the curve of each row (``codes``) at ``e`` with ``tau`` into ``out``."""
    if len(codes) and (codes == codes[0]).all():  # one curve for every row (the common case)
        out[:] = _BY_CODE[int(codes[0])](e, tau)
        return out
    for code in np.unique(codes):
        sel = codes == code
        out[sel] = _BY_CODE[int(code)](e[sel], tau[sel])
    return out
