"""``summarize_batch`` gives every row exactly the dict ``summarize`` gives it alone (issue 22's tail).

The summary table and the band sensitivity used to call the one-trajectory metrics once per
pathway x scope x replication (480 + 1,920 calls on the README run); they now compute a group
of replications sharing an onset at once through the batched metrics. Every value must be the
one ``summarize`` / ``recovery_time`` gives the row alone, to the last bit, with the same types.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.metrics import recovery_time, summarize
from chainsim.metrics.batch import recovery_times_batch, summarize_batch


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _check(Y: np.ndarray, base: float, onsets: list, **kw) -> None:
    direct = kw.pop("direct", [None] * len(Y))
    batch = summarize_batch(Y, base, onsets=onsets, direct_losses=direct, **kw)
    assert len(batch) == len(Y)
    for k, row in enumerate(batch):
        alone = summarize(Y[k], base, onset=onsets[k], direct_loss=direct[k], **kw)
        assert list(row) == list(alone)
        for key in alone:
            assert _same(row[key], alone[key]), (k, key, row[key], alone[key])


def _shocks(rng: np.random.Generator, R: int, T: int, base: float) -> np.ndarray:
    t = np.arange(T)
    Y = np.full((R, T), base)
    for k in range(R):
        s, d, depth = rng.integers(0, T // 2), rng.integers(1, T), rng.uniform(0, 0.3)
        dip = depth * np.exp(-np.maximum(t - s, 0) / max(d, 1) * 3) * (t >= s)
        Y[k] = base * (1 - dip + rng.normal(0, 1e-3, T) * (k % 3 == 0) + 0.02 * (k % 5 == 1) * (t > T - 5))
    return Y


@pytest.mark.parametrize("last", [1, 30])
@pytest.mark.parametrize("hold", [None, 7, 400])
@pytest.mark.parametrize("band", ["two_sided", "below"])
def test_each_row_is_its_own_summary(hold, band, last):
    rng = np.random.default_rng(22)
    base = 2.7e6
    Y = _shocks(rng, 20, 365, base)
    Y[3] = base  # never leaves the band
    onsets = [30] * 8 + [None] * 4 + [int(v) for v in rng.integers(0, 300, 8)]
    direct = [None if k % 4 == 0 else float(rng.uniform(1e9, 1e10)) for k in range(20)]
    _check(Y, base, onsets, epsilon=0.01, hold=hold, band=band, money_per_unit=1e4, direct=direct, last=last)


@st.composite
def cases(draw):
    """Random shocked rows, onsets (some detected), band, hold, ε and the horizon's window ``last``."""
    rng = np.random.default_rng(draw(st.integers(0, 2**31)))
    R, T = draw(st.integers(1, 9)), draw(st.integers(2, 60))
    base = float(rng.uniform(1, 1e7))
    onsets = [None if rng.random() < 0.3 else int(rng.integers(0, T)) for _ in range(R)]
    kw = {"epsilon": draw(st.sampled_from([0.005, 0.01, 0.02, 0.2])), "hold": draw(st.sampled_from([None, 1, 3])),
          "band": draw(st.sampled_from(["two_sided", "below"]))}
    return _shocks(rng, R, T, base), base, onsets, kw


@st.composite
def summary_cases(draw):
    """:func:`cases` with ``last`` (days averaged at the horizon), which only ``summarize`` takes."""
    Y, base, onsets, kw = draw(cases())
    return Y, base, onsets, {**kw, "last": draw(st.integers(1, Y.shape[1]))}


@settings(max_examples=60, deadline=None)
@given(case=summary_cases())
def test_property_rows_equal_summarize(case):
    Y, base, onsets, kw = case
    _check(Y, base, onsets, **kw)


@settings(max_examples=60, deadline=None)
@given(case=cases())
def test_recovery_times_batch_equals_recovery_time(case):
    Y, base, onsets, kw = case
    days, left, recovered = recovery_times_batch(Y, base, onsets=onsets, **kw)
    for k in range(len(Y)):
        r = recovery_time(Y[k], base, onset=onsets[k], **kw)
        assert (r.days is None and np.isnan(days[k])) or r.days == days[k]
        assert r.left_band == left[k] and r.recovered == recovered[k]


def test_refuses_a_row_count_mismatch():
    with pytest.raises(ValueError, match="onsets"):
        summarize_batch(np.ones((3, 10)), 1.0, onsets=[None, 2])


def test_scope_sum_is_the_masked_sum_computed_once():
    from chainsim.experiment.run import PathwayRun

    out = np.random.default_rng(5).random((3, 11, 6))
    pr = PathwayRun(plan=None, output=out, baseline=np.ones(6), onset=np.zeros(3, dtype=int), events=[], samples=[],
                    params={}, crash_day=np.full(3, -1), seconds=0.0)
    mask = np.array([True, False, True, True, False, False])
    y = pr.scope_sum(mask)
    assert np.array_equal(y, out[:, :, mask].sum(axis=2)) and pr.scope_sum(mask.copy()) is y
    assert not y.flags.writeable
    idx = np.array([1, 4])  # an index array is another key than a boolean mask with the same bytes' length
    assert np.array_equal(pr.scope_sum(idx), out[:, :, idx].sum(axis=2))
    assert np.array_equal(pr.scope_sum(~mask), out[:, :, ~mask].sum(axis=2))
