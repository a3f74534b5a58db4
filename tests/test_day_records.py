"""The clock's end-of-day bookkeeping as one loop gives what its NumPy formulation gave (issue 22).

:func:`chainsim.engine.executor.day_records.day_records` copies the day's output and capacity
rows, flags the industries back within the milestone share and counts the members newly crashed;
it replaced eight NumPy calls a day in :meth:`chainsim.engine.Engine._economy`. Compared here with
those calls on random days (NaN capacities, per-member thresholds, no capacity record, no crash
quirk), compiled and as plain Python (the path without numba).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.engine.executor import AVAILABLE
from chainsim.engine.executor.day_records import day_records, day_records_plain

IMPLEMENTATIONS = [pytest.param(False, id="plain")]
if AVAILABLE:
    IMPLEMENTATIONS.append(pytest.param(True, id="compiled"))


def _numpy_day(t, n, x, capacity, out, cap, low, below, crashed, was):
    """The clock's former NumPy calls (session 6)."""
    out[t] = x[:, :n]
    if cap is not None:
        cap[t] = capacity[:, :n]
    now = np.less(capacity[:, :n], low)
    back = np.logical_and(below, np.logical_not(now))
    new_crash = 0 if crashed is None else int((crashed & ~was).sum())
    return back, now, new_crash


@pytest.mark.parametrize("compiled", IMPLEMENTATIONS)
@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), B=st.integers(1, 4), n=st.integers(1, 7), extra=st.integers(0, 3),
       per_member=st.booleans(), keep_cap=st.booleans(), crash=st.booleans())
def test_same_as_the_numpy_calls(compiled, seed, B, n, extra, per_member, keep_cap, crash):
    rng = np.random.default_rng(seed)
    T, t = 3, int(rng.integers(0, 3))
    x = rng.random((B, n + extra))
    capacity = rng.random((B, n + extra))
    capacity[rng.random((B, n + extra)) < 0.15] = np.nan
    low = rng.random((B if per_member else 1, n))
    ties = rng.random((B, n)) < 0.2  # capacity exactly at the threshold: not below (np.less)
    capacity[:, :n][ties] = np.broadcast_to(low, (B, n))[ties]
    below0 = rng.random((B, n)) < 0.5
    crashed = rng.random(B) < 0.5 if crash else None
    was = rng.random(B) < 0.5
    want_out, want_cap = np.zeros((T, B, n)), np.zeros((T, B, n))
    back_np, below_np, crash_np = _numpy_day(t, n, x, capacity, want_out, want_cap if keep_cap else None, low,
                                             below0, crashed, was)
    out, cap = np.zeros((T, B, n)), np.zeros((T, B, n))
    below, back = below0.copy(), np.zeros((B, n), dtype=bool)
    fn = day_records if compiled else day_records_plain
    n_back, n_crash = fn(t, n, x, capacity, out, cap if keep_cap else None, low, below, back, crashed, was)
    assert np.array_equal(out, want_out)
    assert np.array_equal(cap, want_cap if keep_cap else np.zeros_like(cap), equal_nan=True)
    assert np.array_equal(back, back_np) and n_back == back_np.sum()
    assert np.array_equal(below, below_np)
    assert n_crash == crash_np
