"""Known answers from Miller & Blair (2009) and the inoperability literature (REFERENCE_RESULTS R1–R4, R6, R7)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from chainsim.data import leontief as io

Z_MB = np.array([[150.0, 500.0], [200.0, 100.0]])
X_MB = np.array([1000.0, 2000.0])


def test_r1_miller_blair_coefficients_and_inverse():
    A = io.calc_A(Z_MB, X_MB)
    np.testing.assert_allclose(A, [[0.15, 0.25], [0.20, 0.05]], rtol=1e-12)
    L = io.calc_L(A)
    np.testing.assert_allclose(L, [[1.25412541, 0.330033], [0.2640264, 1.12211221]], rtol=1e-5)
    x = io.calc_x(L, [600, 1500])
    np.testing.assert_allclose(x, [1247.5, 1841.6], rtol=1e-4)
    labour = np.array([0.3, 0.25]) * x
    np.testing.assert_allclose(labour, [374.25, 460.4], rtol=1e-4)


def test_r1_original_final_demand_reproduces_output():
    L = io.calc_L(io.calc_A(Z_MB, X_MB))
    np.testing.assert_allclose(io.calc_x(L, [350, 1700]), X_MB, rtol=1e-12)
    np.testing.assert_allclose(io.output_multipliers(L), L.sum(axis=0))


def test_calc_Z_inverts_calc_A_and_zero_output_gives_zero_column():
    A = io.calc_A(Z_MB, X_MB)
    np.testing.assert_allclose(io.calc_Z(A, X_MB), Z_MB)
    A0 = io.calc_A([[1.0, 0.0], [2.0, 0.0]], [10.0, 0.0])
    assert A0[:, 1].tolist() == [0.0, 0.0]


def test_ghosh_supply_model_reproduces_output_from_value_added():
    B = io.calc_B(Z_MB, X_MB)
    np.testing.assert_allclose(B, [[0.15, 0.5], [0.1, 0.05]])
    va = X_MB - Z_MB.sum(axis=0)
    np.testing.assert_allclose(io.calc_x_ghosh(io.calc_G(B), va), X_MB, rtol=1e-12)


def test_r2_iim_two_sectors():
    q = io.calc_inoperability([[0, 0.8], [0.2, 0]], [0, 0.6])
    np.testing.assert_allclose(q, [0.5714, 0.7143], atol=1e-3)


def test_r3_iim_saturates_at_one():
    A = [[0, 0.9, 0, 0], [0.4, 0, 0, 0], [1, 0.8, 0, 0], [1, 0.9, 0, 0]]
    raw = io.calc_inoperability(A, [0, 0.5, 0, 0], clip=False)
    np.testing.assert_allclose(raw, [0.703, 0.781, 1.328, 1.406], atol=1e-2)
    np.testing.assert_allclose(io.calc_inoperability(A, [0, 0.5, 0, 0]), [0.70, 0.78, 1.0, 1.0], atol=1e-2)


def test_r4_lian_haimes_static_and_dynamic():
    A = np.array([[0.15, 0.50], [0.10, 0.05]])
    c = np.array([0.0, 0.1])
    q = io.calc_inoperability(A, c)
    np.testing.assert_allclose(q, [0.0660, 0.1122], atol=1e-3)
    K = np.diag([0.2, 0.2])
    qk = np.zeros(2)
    for _ in range(100):
        qk = qk + K @ (A @ qk + c - qk)
    np.testing.assert_allclose(qk, [0.0660065, 0.1122112], atol=1e-6)


def test_r6_xu_coefficients_and_interdependency():
    Z = np.array([[175, 280, 280, 140], [140, 315, 350, 280], [245, 140, 280, 140], [175, 280, 105, 280]], float)
    x = np.array([1225, 1610, 1085, 1015], float)
    A = io.calc_A(Z, x)
    expected = [[0.14, 0.17, 0.26, 0.14], [0.11, 0.20, 0.32, 0.28], [0.20, 0.10, 0.26, 0.14], [0.14, 0.17, 0.10, 0.28]]
    np.testing.assert_allclose(A, expected, atol=0.015)
    # Xu et al.'s supply-side interdependency matrix is the transpose of A
    astar = [[0.14, 0.11, 0.20, 0.14], [0.17, 0.20, 0.10, 0.17], [0.26, 0.32, 0.26, 0.10], [0.14, 0.28, 0.14, 0.28]]
    np.testing.assert_allclose(A.T, astar, atol=0.015)


def test_r7_interdependency_index():
    A = [[0, 0.9, 0, 0], [0.4, 0, 0, 0], [1, 0.8, 0, 0], [1, 0.9, 0, 0]]
    assert io.interdependency_index(A, 2)[2, 1] == pytest.approx(0.9)
    A3 = io.interdependency_index(A, 3)
    assert A3[2, 1] == pytest.approx(0.288)
    assert A3[0, 1] == pytest.approx(0.324)
    assert A3[3, 3] == pytest.approx(0.0)
    np.testing.assert_allclose(A3.max(axis=1), [0.324, 0.144, 0.36, 0.36])
    with pytest.raises(ValueError, match="order"):
        io.interdependency_index(A, 0)


@settings(max_examples=50, deadline=None)
@given(arrays(float, (4, 4), elements=st.floats(0, 50)), arrays(float, 4, elements=st.floats(1, 100)))
def test_leontief_identity_on_random_tables(Z, y):
    x = Z.sum(axis=1) + y  # a balanced table by construction
    A = io.calc_A(Z, x)
    np.testing.assert_allclose(io.calc_x(io.calc_L(A), y), x, rtol=1e-8)
