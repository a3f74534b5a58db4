"""Hypothesis properties of the recovery metrics."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from chainsim.metrics import (
    cumulative_loss,
    depth,
    level_at_horizon,
    loss_in_days_of_output,
    recovery_time,
    relative_level,
    resilience_triangle_area,
    time_to_trough,
)

N_DAYS = st.integers(2, 80)
levels = st.floats(0.0, 2.0, allow_nan=False, allow_subnormal=False)
positive = st.floats(1e-3, 1e6, allow_nan=False)


@st.composite
def trajectories(draw):
    n = draw(N_DAYS)
    q = draw(hnp.arrays(float, n, elements=levels))
    b = draw(hnp.arrays(float, n, elements=st.floats(0.5, 1e4)))
    return q * b, b


@st.composite
def dips(draw):
    """A non-negative dip profile g(t) in [0, 1] (0 before onset) for q = 1 - s g."""
    n = draw(N_DAYS)
    g = draw(hnp.arrays(float, n, elements=st.floats(0.0, 1.0)))
    return g


@given(dips(), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(1.0, 1e4))
def test_loss_is_monotone_in_a_uniform_deepening(g, s1, s2, b):
    lo, hi = sorted((s1, s2))
    assert cumulative_loss(b * (1 - hi * g), b) >= cumulative_loss(b * (1 - lo * g), b) - 1e-9 * b * g.size
    assert depth(b * (1 - hi * g), b, onset=0) >= depth(b * (1 - lo * g), b, onset=0) - 1e-12
    assert resilience_triangle_area(b * (1 - hi * g), b, onset=0) >= (
        resilience_triangle_area(b * (1 - lo * g), b, onset=0) - 1e-9 * g.size
    )


@given(trajectories())
def test_depth_in_unit_interval_for_nonnegative_output(yb):
    y, b = yb
    d = depth(y, b)
    assert 0.0 <= d <= 1.0


@given(trajectories(), positive, st.sampled_from([0.01, 0.05]))
@settings(max_examples=200)
def test_scaling_output_and_baseline_leaves_relative_metrics_unchanged(yb, lam, eps):
    y, b = yb
    q = relative_level(y, b)
    q_scaled = relative_level(lam * y, lam * b)
    # keep the band test away from rounding at its edge
    assume(np.all(np.abs(np.abs(q - 1) - eps) > 1e-9))
    # ... and the trough's tie tolerance (1e-12) away from its edge
    gap = q - q.min()
    assume(np.all((gap < 1e-14) | (gap > 1e-10)))
    assert recovery_time(lam * y, lam * b, epsilon=eps) == recovery_time(y, b, epsilon=eps)
    np.testing.assert_allclose(q_scaled, q, rtol=1e-12, atol=1e-15)
    assert depth(lam * y, lam * b, epsilon=eps) == pytest.approx(depth(y, b, epsilon=eps), abs=1e-12)
    assert time_to_trough(lam * y, lam * b, epsilon=eps) == time_to_trough(y, b, epsilon=eps)
    assert resilience_triangle_area(lam * y, lam * b, epsilon=eps) == pytest.approx(
        resilience_triangle_area(y, b, epsilon=eps), rel=1e-9, abs=1e-9
    )
    assert level_at_horizon(lam * y, lam * b) == pytest.approx(level_at_horizon(y, b), rel=1e-12)
    assert loss_in_days_of_output(lam * y, lam * b) == pytest.approx(loss_in_days_of_output(y, b), rel=1e-9, abs=1e-9)
    # the money loss scales with the units
    assert cumulative_loss(lam * y, lam * b) == pytest.approx(lam * cumulative_loss(y, b), rel=1e-9, abs=1e-6 * lam)


@given(trajectories(), st.sampled_from([0.0, 0.01, 0.1]))
def test_ttr_definition_holds(yb, eps):
    y, b = yb
    q = y / b
    out = np.abs(q - 1) > eps + 1e-12
    res = recovery_time(y, b, epsilon=eps)
    if res.onset is None:
        assert res.days == 0 and not out.any()
        return
    assert out[res.onset] and not out[: res.onset].any()
    if res.recovered:
        r = res.recovery_day
        assert not out[r:].any()  # in band from the recovery day to the horizon
        assert r == res.onset or out[r - 1]  # and not a day earlier
    else:
        assert out[-1]


@given(trajectories(), st.integers(1, 10))
def test_hold_recovery_is_never_later_than_recovery_to_horizon(yb, hold):
    y, b = yb
    full = recovery_time(y, b)
    held = recovery_time(y, b, hold=hold)
    if held.recovered and full.recovered:
        assert held.days <= full.days
    if full.recovered and full.censored_at - full.days + 1 >= hold:
        assert held.recovered


@given(st.integers(2, 60), st.floats(1.0, 1e4))
def test_no_shock_gives_flat_metrics(n, b):
    y = np.full(n, b)
    assert recovery_time(y, b).days == 0
    assert depth(y, b) == 0
    assert cumulative_loss(y, b) == 0
    assert resilience_triangle_area(y, b) == 0


@given(hnp.arrays(float, (3, 25), elements=levels))
def test_batch_equals_rows(q):
    b = 50.0
    y = b * q
    batch = recovery_time(y, b)
    assert batch.to_list() == [recovery_time(row, b) for row in y]
    np.testing.assert_allclose(cumulative_loss(y, b), [cumulative_loss(row, b) for row in y])
    np.testing.assert_allclose(resilience_triangle_area(y, b), [resilience_triangle_area(row, b) for row in y])
