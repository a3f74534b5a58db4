"""The tabulated loss schedule equals the day-by-day one, bit for bit.

:meth:`CapacitySchedule.tabulate` computes every day's capacity loss up front when no rebuilding
event makes the losses state-dependent; the per-day path (:meth:`CapacitySchedule.values`) is
the reference. Both must give the same loss, end disruption events on the same day and
raise the same error on the same day.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.disruptions.curves import CURVE_CODES
from chainsim.disruptions.plan import LossRows
from chainsim.engine.capacity_schedule import CapacitySchedule
from chainsim.errors import SimulationError

B, NS, DAYS = 3, 5, 60


def _rows(seed: int, n_rows: int, n_events: int, decimals: int, additive_share: float,
          tabulated: float = 0.0) -> LossRows:
    """Random loss rows; a share ``tabulated`` of them follow a daily table of :data:`SERIES` instead of a curve."""
    rng = np.random.default_rng(seed)
    t_full = rng.integers(0, 20, n_rows)
    unit = rng.choice([1.0, 100.0], n_rows)  # shares, or capital destroyed out of a stock of 100
    return LossRows(
        batch=rng.integers(0, B, n_rows), node=rng.integers(0, NS, n_rows),
        amount=rng.uniform(0.05, 0.9, n_rows) * unit * rng.choice([1.0, 1.0, 1.0, 3.0], n_rows),
        unit=unit, additive=rng.random(n_rows) < additive_share,
        t_full=t_full, t_rec=t_full + rng.integers(0, 15, n_rows), e0=rng.choice([0.0, 1.0, 2.5], n_rows),
        tau=rng.uniform(3.0, 40.0, n_rows), curve=rng.integers(0, len(CURVE_CODES), n_rows),
        decimals=np.full(n_rows, decimals) if decimals != 99 else rng.choice([-1, 6, 7], n_rows),
        event=rng.integers(0, n_events, n_rows),
        series=np.where(rng.random(n_rows) < tabulated, rng.integers(0, len(SERIES), n_rows), -1))


#: daily tables of tabulated rows (a profile: ramp up, hold, linear way back; a short pulse)
SERIES = [np.r_[np.linspace(0.2, 1.0, 5), np.ones(10), np.linspace(0.9, 0.0, 10)], np.array([0.5, 1.0, 0.25])]


def _trace(sched: CapacitySchedule, days: int) -> list:
    out, trace = np.zeros((B, NS)), []
    for t in range(days):
        try:
            sched.delta(t, out)
        except SimulationError as exc:
            trace.append(("error", str(exc)))
            break
        trace.append((out.copy(), sched.ended.copy(), sched.newly_ended.copy()))
    return trace


def _same(a: list, b: list) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        if isinstance(x[0], str) or isinstance(y[0], str):
            assert x == y
            continue
        for a, b in zip(x, y, strict=True):
            np.testing.assert_array_equal(a, b)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_rows=st.integers(1, 12), n_events=st.integers(1, 4),
       decimals=st.sampled_from([-1, 6, 7, 99]), additive_share=st.sampled_from([0.0, 0.5, 1.0]),
       strict=st.booleans(), tabulated=st.sampled_from([0.0, 0.5]))
def test_tabulated_equals_daily(seed, n_rows, n_events, decimals, additive_share, strict, tabulated):
    rows = _rows(seed, n_rows, n_events, decimals, additive_share, tabulated)
    daily = CapacitySchedule(rows, n_events, B, NS, strict=strict, series=SERIES)
    table = CapacitySchedule(rows, n_events, B, NS, strict=strict, series=SERIES)
    table.tabulate(DAYS)
    assert table._table is not None
    _same(_trace(daily, DAYS), _trace(table, DAYS))


def test_events_end_and_errors_are_exercised():
    """The random cases above do reach ended events, negative linear losses and the strict error."""
    ended = errors = 0
    for seed in range(40):
        for strict, decimals, n_rows in ((False, -1, 8), (True, 99, 3)):
            sched = CapacitySchedule(_rows(seed, n_rows, 3, decimals, 0.5), 3, B, NS, strict=strict)
            sched.tabulate(DAYS)
            tr = _trace(sched, DAYS)
            errors += isinstance(tr[-1][0], str)
            ended += any(not isinstance(x[0], str) and x[1].any() for x in tr)
    assert ended >= 5 and 5 <= errors < 40, (ended, errors)


def test_a_linear_loss_ends_on_its_zero_day():
    """Loss 0.4 from day 2, linear recovery over 10 days from day 5: zero (and ended) on day 15."""
    rows = LossRows(batch=np.array([1]), node=np.array([3]), amount=np.array([0.4]), unit=np.array([1.0]),
                    additive=np.array([False]), t_full=np.array([2]), t_rec=np.array([5]), e0=np.array([0.0]),
                    tau=np.array([10.0]), curve=np.array([CURVE_CODES["linear"]]), decimals=np.array([-1]),
                    event=np.array([0]))
    sched = CapacitySchedule(rows, 1, B, NS, strict=False)
    sched.tabulate(20)
    out, seen = np.zeros((B, NS)), []
    for t in range(20):
        sched.delta(t, out)
        seen.append((out[1, 3], bool(sched.ended[0])))
        assert list(sched.newly_ended) == ([0] if t == 15 else [])
    assert seen[1] == (0.0, False) and seen[2] == (0.4, False) and seen[5] == (0.4, False)
    assert seen[10] == pytest.approx((0.4 * 0.5, False))
    assert seen[14][1] is False and seen[15] == (0.0, True) and seen[19] == (0.0, True)
    assert out.sum() == 0.0


def test_a_tabulated_row_follows_its_table_and_then_ends():
    """A profile row: amount x table[t - t_full] on its days, zero (and the event ended) after the table."""
    rows = LossRows(batch=np.array([0]), node=np.array([2]), amount=np.array([0.5]), unit=np.array([1.0]),
                    additive=np.array([False]), t_full=np.array([4]), t_rec=np.array([4 + len(SERIES[1])]),
                    e0=np.array([0.0]), tau=np.array([1.0]), curve=np.array([0]), decimals=np.array([-1]),
                    event=np.array([0]), series=np.array([1]))
    sched = CapacitySchedule(rows, 1, B, NS, strict=False, series=SERIES)
    out, seen = np.zeros((B, NS)), []
    for t in range(10):
        sched.delta(t, out)
        seen.append(out[0, 2])
    assert seen == [0.0] * 4 + [0.25, 0.5, 0.125] + [0.0] * 3
    assert sched.ended[0]
