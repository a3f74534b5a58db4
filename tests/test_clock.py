"""The clock's rounding rule: an event due at real time τ acts on the step of day ⌈τ - 1/2⌉, and is logged there.

Supplier searches keep real (fractional) time from the mid-day step where their shortage was
seen; each of their actions acts on the first daily step at or after its due time, ties (an
action due at a step's time) before the step. So a detection lag d after a shortage on day t
acts on day t + ⌈d⌉: lags of 14.01, 14.49 and 14.99 days give the same run, 14.0 and 15.01
another one each (the issue's "14.01–14.49 are identical" is this rule, documented).
"""

from __future__ import annotations

import numpy as np
import pytest

from chainsim.disruptions.plan import day_of
from chainsim.engine import Engine, build_model
from chainsim.engine.params import resolve_params
from tests.test_engine_helpers import make_table

CUT = [{"type": "link_cut", "product": "S0", "from_region": ["R0", "R1"], "to_region": "R2", "start": 5,
        "duration": 80, "share": 0.9}]
BASE = {"inventory_days": 6, "resourcing": True, "search_days": 3, "ramp_days": 5}


def _run(lag: float, executor: str = "auto"):
    m = build_model(make_table(3, 3, seed=3, origins=("USA",)), resolve_params({**BASE, "detection_lag_days": lag}))
    return Engine(m, [CUT], executor=executor).run(80)


def _first(arr, kind):
    return {e[3]: e[0] for e in sorted(arr.events, reverse=True) if e[2] == kind}


@pytest.mark.parametrize("executor", ["auto", "reference"])
def test_delays_act_on_the_first_step_at_or_after_their_due_time(executor):
    runs = {lag: _run(lag, executor) for lag in (14.0, 14.01, 14.49, 14.99, 15.0, 15.01)}
    same = [runs[lag] for lag in (14.01, 14.49, 14.99, 15.0)]  # due in (t + 14.5, t + 15.5]: day t + 15
    for other in same[1:]:
        assert np.array_equal(other.output, same[0].output) and other.events == same[0].events
    assert not np.array_equal(runs[14.0].output, same[0].output)  # due at t + 14.5, a step's time: day t + 14
    assert not np.array_equal(runs[15.01].output, same[0].output)  # due after t + 15.5: day t + 16
    for lag, arr in runs.items():  # the log names the day the search acts: shortage day + ceil(lag)
        shortage = _first(arr, "shortage")  # (later shortages depend on when earlier searches acted)
        start = _first(arr, "supplier_search_start")
        assert start and all(day == shortage[k] + int(np.ceil(lag)) for k, day in start.items())


def test_an_action_due_at_a_step_precedes_it():
    """A one-day lag is due exactly at the next step's time and acts there, as a lag just under a day does."""
    a, b, c = _run(1.0), _run(0.99), _run(1.01)
    assert np.array_equal(a.output, b.output) and not np.array_equal(a.output, c.output)


def test_day_of():
    assert [day_of(x) for x in (0.0, 0.5, 0.51, 1.0, 1.5, 14.49, 14.51)] == [0, 0, 1, 1, 1, 14, 15]
