"""RAS balancing and the gravity prior: known answers, margins, errors, random priors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from chainsim.data.provinces import distance_matrix_km, great_circle_km, load_provinces
from chainsim.data.ras import gravity_prior, ras, ras_with_info
from chainsim.errors import ConvergenceError, DataError


def test_known_answer_rank_one_prior():
    # a uniform prior balances to the outer product of the margins over the total
    u, v = np.array([3.0, 1.0]), np.array([1.0, 3.0])
    X = ras(np.ones((2, 2)), u, v)
    np.testing.assert_allclose(X, np.outer(u, v) / 4.0, rtol=1e-12)


def test_miller_blair_style_update_hits_margins():
    prior = np.array([[120.0, 40.0, 80.0], [60.0, 90.0, 20.0], [30.0, 50.0, 110.0]])
    u = np.array([260.0, 180.0, 200.0])
    v = np.array([230.0, 190.0, 220.0])
    res = ras_with_info(prior, u, v, tol=1e-12)
    np.testing.assert_allclose(res.matrix.sum(axis=1), u, rtol=1e-12)
    np.testing.assert_allclose(res.matrix.sum(axis=0), v, rtol=1e-12)
    assert res.iterations > 1 and res.gap <= 1e-12
    # bi-proportional: X = diag(r) A diag(s)  <=>  X_ij A_kl / (X_il A_kj) = 1 for all i,j,k,l
    ratio = res.matrix / prior
    np.testing.assert_allclose(ratio[0, 1] * ratio[1, 0], ratio[0, 0] * ratio[1, 1], rtol=1e-10)


def test_zeros_stay_zero_and_zero_margins_are_allowed():
    prior = np.array([[0.0, 2.0, 1.0], [3.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    X = ras(prior, np.array([3.0, 4.0, 0.0]), np.array([3.0, 2.0, 2.0]))
    assert X[0, 0] == 0 and X[1, 1] == 0 and (X[2] == 0).all()
    np.testing.assert_allclose(X.sum(axis=0), [3.0, 2.0, 2.0], rtol=1e-10)


def test_infeasible_zero_pattern_raises_convergence_error_with_gap():
    with pytest.raises(ConvergenceError, match=r"no convergence in 200 iterations; largest relative row-margin gap"):
        ras(np.eye(2), np.array([1.0, 2.0]), np.array([2.0, 1.0]), max_iter=200)


def test_input_errors():
    with pytest.raises(DataError, match="same total"):
        ras(np.ones((2, 2)), np.array([1.0, 1.0]), np.array([1.0, 2.0]))
    with pytest.raises(DataError, match="row 1 of the prior is all zero but its target is 2"):
        ras(np.array([[1.0, 1.0], [0.0, 0.0]]), np.array([1.0, 2.0]), np.array([1.5, 1.5]))
    with pytest.raises(DataError, match="must be non-negative"):
        ras(-np.ones((2, 2)), np.ones(2), np.ones(2))
    with pytest.raises(DataError, match="shape"):
        ras(np.ones((2, 3)), np.ones(2), np.ones(2))


@settings(max_examples=60, deadline=None)
@given(
    prior=arrays(np.float64, st.tuples(st.integers(2, 7), st.integers(2, 7)),
                 elements=st.floats(1.0, 100.0, allow_nan=False, allow_infinity=False)),
    data=st.data(),
)
def test_property_random_positive_priors_converge_to_margins(prior, data):
    m, n = prior.shape
    u = np.array(data.draw(st.lists(st.floats(0.1, 1e4), min_size=m, max_size=m)))
    v = np.array(data.draw(st.lists(st.floats(0.1, 1e4), min_size=n, max_size=n)))
    v = v * (u.sum() / v.sum())  # equal totals
    X = ras(prior, u, v, tol=1e-10)
    assert (X > 0).all()
    np.testing.assert_allclose(X.sum(axis=1), u, rtol=1e-9)
    np.testing.assert_allclose(X.sum(axis=0), v, rtol=1e-9)
    # scale invariance of the prior
    np.testing.assert_allclose(ras(prior * 7.0, u, v, tol=1e-10), X, rtol=1e-8)


def test_nearly_diagonal_prior_converges_slowly_but_converges():
    # cross-ratio 12 * 56 / 0.01**2: RAS converges linearly with a rate close to 1 here
    prior = np.array([[12.0, 0.01], [0.01, 56.0]])
    res = ras_with_info(prior, np.ones(2), np.ones(2), max_iter=100_000)
    assert res.iterations > 1000 and res.gap <= 1e-10
    with pytest.raises(ConvergenceError, match="gap"):
        ras(prior, np.ones(2), np.ones(2), max_iter=1000)


def test_gravity_prior_formula_and_zero_diagonal():
    d = np.array([[0.0, 100.0, 200.0], [100.0, 0.0, 50.0], [200.0, 50.0, 0.0]])
    out, inflow = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
    g = gravity_prior(out, inflow, d)
    assert np.all(np.diag(g) == 0)
    assert g[0, 2] == pytest.approx(1.0 * 6.0 / 200.0)
    g2 = gravity_prior(out, inflow, d, beta=2.0)
    assert g2[1, 2] == pytest.approx(2.0 * 6.0 / 50.0**2)
    with pytest.raises(DataError, match="positive"):
        gravity_prior(out, inflow, np.zeros((3, 3)))
    with pytest.raises(DataError, match="beta"):
        gravity_prior(out, inflow, d, beta=0.0)


def test_capital_distances():
    provs = load_provinces()
    assert len(provs) == 31 and provs[5].code == "LN" and provs[5].capital_en == "Shenyang"
    D = distance_matrix_km()
    assert D.shape == (31, 31) and np.all(np.diag(D) == 0) and np.allclose(D, D.T)
    # Shenyang - Changchun - Harbin are each a few hundred km apart; Harbin - Urumqi is far
    assert 250 < D[5, 6] < 300 and 200 < D[6, 7] < 260 and D[7, 30] > 2500
    assert great_circle_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(np.pi * 6371.0088, abs=1e-3)
