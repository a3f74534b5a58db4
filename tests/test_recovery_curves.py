"""The recovery curves g(e, τ) on hand-computed values (ARIO_SPEC.md §6.1, BoARIO's formulas).

Before these tests the quick suite (``-m "not slow"``) passed with ``exponential`` computing
exp(-e τ), ``concave`` computing e·k instead of e^k or ``convexe noscale`` the exponent 2e: only
``linear`` and ``convexe`` met a known answer (the doctest, the BoARIO oracle).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from chainsim.disruptions.curves import CURVE_CODES, CURVES, evaluate

E = np.array([0.0, 1.0, 5.0, 10.0, 20.0])
TAU = np.full(E.shape, 20.0)


def test_every_curve_starts_at_the_full_loss_and_decreases():
    for name, g in CURVES.items():
        v = g(E, TAU)
        assert v[0] == 1.0, name
        assert (np.diff(v) < 0).all(), (name, v)


def test_linear_is_zero_at_tau():
    np.testing.assert_allclose(CURVES["linear"](E, TAU), [1.0, 0.95, 0.75, 0.5, 0.0], rtol=0, atol=1e-15)


def test_exponential_is_one_over_e_at_tau():
    """Hallegatte (2008): g = exp(-e / τ); e = τ leaves 1/e of the loss, e = τ/2 its square root."""
    np.testing.assert_allclose(CURVES["exponential"](E, TAU),
                               [1.0, math.exp(-0.05), math.exp(-0.25), math.exp(-0.5), math.exp(-1.0)], rtol=1e-15)


@pytest.mark.parametrize("tau", [4.0, 30.0, 365.0])
def test_concave_is_half_way_at_half_tau(tau):
    """g = τ / (τ + 10⁻⁶ e^k) with k = ln(τ/10⁻⁶) / ln(τ/2): at e = τ/2, 10⁻⁶ (τ/2)^k = τ, so g = 1/2 exactly.

    At e = τ/4, (τ/4)^k = (τ/2)^k 2^-k, so g = 1 / (1 + 2^-k): slow at first (above 1/2, S-shaped).
    """
    k = math.log(tau / 1e-6) / math.log(tau / 2.0)
    g = CURVES["concave"](np.array([tau / 4, tau / 2]), np.array([tau, tau]))
    np.testing.assert_allclose(g, [1.0 / (1.0 + 2.0**-k), 0.5], rtol=1e-12)


def test_convex_curves_on_hand_values():
    """BoARIO: ``convexe`` (1 - 1/τ)^{4e}, ``convexe noscale`` (1 - 1/τ)^e; τ = 2, e = 1: 1/16 and 1/2."""
    one, two = np.array([1.0, 3.0]), np.array([2.0, 2.0])
    np.testing.assert_allclose(CURVES["convexe"](one, two), [2.0**-4, 2.0**-12], rtol=1e-15)
    np.testing.assert_allclose(CURVES["convexe noscale"](one, two), [0.5, 0.125], rtol=1e-15)
    assert CURVES["convex"] is CURVES["convexe"]


def test_evaluate_applies_each_rows_curve():
    names = ["linear", "exponential", "concave", "convexe noscale", "linear"]
    codes = np.array([CURVE_CODES[n] for n in names])
    e, tau = np.array([5.0, 20.0, 10.0, 1.0, 15.0]), np.array([20.0, 20.0, 20.0, 2.0, 20.0])
    out = evaluate(codes, e, tau, np.empty(5))
    np.testing.assert_allclose(out, [0.75, math.exp(-1.0), 0.5, 0.5, 0.25], rtol=1e-12)
    same = evaluate(np.full(3, CURVE_CODES["exponential"]), e[:3], tau[:3], np.empty(3))
    np.testing.assert_allclose(same, np.exp(-e[:3] / tau[:3]), rtol=1e-15)
