"""Re-sourcing (supplier search, ramp, revert): the vectorised book against one-by-one enactment."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainsim.engine import Engine, build_model
from chainsim.engine.params import resolve_params
from chainsim.engine.resourcing import Searches
from tests.test_engine_helpers import make_table

CUTS = [{"type": "link_cut", "product": "S0", "from_region": ["R0", "R1"], "to_region": "R2", "start": 5,
         "duration": 40, "share": 0.9},
        {"type": "import_cut", "product": ["S1", "S2"], "region": ["R0", "R2"], "share": 0.8, "start": 7,
         "duration": 45, "recovery": {"curve": "linear", "days": 9}}]


def _run(params: dict, sets: list, eager: bool, days: int = 140, members: list | None = None):
    t = make_table(3, 3, seed=3, origins=("USA", "JPN"))
    m = build_model(t, resolve_params(params))
    eng = Engine(m, sets, member_params=members)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Searches, "eager", eager)
        return eng.run(days)


BASE = {"inventory_days": 6, "noncompetitive_products": ("S1",), "resourcing": True}


@pytest.mark.parametrize("timing", [
    {"detection_lag_days": 0, "search_days": 0, "ramp_days": 1},  # everything at the shortage's mid-day
    {"detection_lag_days": 1, "search_days": 1, "ramp_days": 2},  # one-day delays: after the step
    {"detection_lag_days": 3, "search_days": 7, "ramp_days": 5},  # longer delays: before the step
    {"detection_lag_days": 2.5, "search_days": 4.5, "ramp_days": 3},  # whole days off mid-day: ties with cuts
    {"detection_lag_days": 0.3, "search_days": 2.9, "ramp_days": 4.4},
], ids=["zero", "one", "integer", "half", "fractional"])
def test_barrier_enactment_equals_one_by_one(timing):
    params = {**BASE, **timing}
    sets = [CUTS, CUTS[:1], CUTS[1:]]
    batched, eager = _run(params, sets, eager=False), _run(params, sets, eager=True)
    assert any(e[2] == "substitution_revert_start" for e in batched.events)
    np.testing.assert_allclose(batched.output, eager.output, rtol=1e-12, atol=0)
    assert sorted(batched.events) == sorted(eager.events)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lags=st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.25, 6.0]), min_size=3, max_size=3),
       searches=st.lists(st.sampled_from([0.0, 1.0, 2.5, 4.0, 7.75]), min_size=3, max_size=3),
       ramps=st.lists(st.sampled_from([1.0, 2.0, 3.6, 8.0]), min_size=3, max_size=3))
def test_mixed_member_timings_barrier_equals_one_by_one(lags, searches, ramps):
    members = [resolve_params({**BASE, "detection_lag_days": a, "search_days": s, "ramp_days": r})
               for a, s, r in zip(lags, searches, ramps, strict=True)]
    sets = [CUTS] * 3
    batched = _run(BASE, sets, eager=False, days=100, members=members)
    eager = _run(BASE, sets, eager=True, days=100, members=members)
    np.testing.assert_allclose(batched.output, eager.output, rtol=1e-12, atol=0)
    assert sorted(batched.events) == sorted(eager.events)


def test_search_timeline_days():
    """Shortage on day t: search starts on t + lag, completes on t + lag + search, ramp over n days, then revert."""
    arr = _run({**BASE, "detection_lag_days": 3, "search_days": 7, "ramp_days": 5}, [CUTS[:1]], eager=False)
    ev = {}
    for day, _, kind, target, _ in arr.events:
        ev.setdefault((kind, target), day)
    completed = [t for k, t in ev if k == "substitution_ramp_start"]
    assert completed
    for target in completed:
        t0 = ev[("shortage", target)]
        assert ev[("supplier_search_start", target)] == t0 + 3
        assert ev[("supplier_search_complete", target)] == t0 + 10
        revert = ev.get(("substitution_revert_start", target))
        assert revert is None or revert >= t0 + 10 + 5 + 1  # checks start the day after the ramp ends


def test_events_stop_at_the_horizon():
    days = 30
    arr = _run({**BASE, "detection_lag_days": 0.25, "search_days": 0.5, "ramp_days": 2}, [CUTS], eager=False,
               days=days)
    assert arr.events and max(e[0] for e in arr.events) < days
