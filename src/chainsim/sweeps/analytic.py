"""Analytic test functions with known sensitivity indices, for checking the sweep harness.

They take the design's factor columns ``X`` (runs x factors, the seed excluded) and are
top-level functions so that process pools and Dask workers can pickle them.

References
----------
.. [1] Ishigami, T. & Homma, T. (1990). An importance quantification technique in
   uncertainty analysis for computer models. *Proc. ISUMA '90*, 398-403.
.. [2] Saltelli, A. et al. (2008). *Global Sensitivity Analysis: The Primer*. Wiley.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ISHIGAMI_S1", "ISHIGAMI_ST", "ishigami", "linear"]

#: analytic first-order and total indices of Ishigami with a = 7, b = 0.1 (REFERENCE R15)
ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def ishigami(X: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    r"""Ishigami function :math:`\sin x_1 + a \sin^2 x_2 + b x_3^4 \sin x_1` on :math:`[-\pi, \pi]^3`.

    Examples
    --------
    >>> float(ishigami(np.array([[np.pi / 2, 0.0, 1.0]]))[0])
    1.1
    """
    X = np.asarray(X, dtype=float)
    return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])


def linear(X: np.ndarray, coefficients: tuple[float, ...] = (1.0, -2.0, 0.5, 0.0)) -> np.ndarray:
    r"""Linear function :math:`\sum_i a_i x_i` (Morris: :math:`\mu^*_i = |a_i|` on [0, 1], :math:`\sigma_i = 0`).

    Examples
    --------
    >>> linear(np.array([[1.0, 1.0, 1.0, 1.0]])).tolist()
    [-0.5]
    """
    X = np.asarray(X, dtype=float)
    a = np.asarray(coefficients[: X.shape[1]], dtype=float)
    return X @ a
