"""Time to survive (Simchi-Levi et al.) closed forms and the TTR/TTS loss rule (R11)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chainsim.metrics import SurvivalTime, observed_time_to_survive, time_to_survive, tts_loss


@pytest.mark.parametrize(
    ("inv", "u", "c", "expected"),
    [
        (30, 10, 0, 3.0),
        (30, 10, 4, 5.0),
        (0, 10, 0, 0.0),
        (45, 9, 6, 15.0),
        (30, 10, 10, math.inf),
        (30, 10, 12, math.inf),
        (0, 0, 0, math.inf),
    ],
)
def test_tts_closed_form(inv, u, c, expected):
    assert time_to_survive(inv, u, c) == expected


def test_tts_vectorised():
    np.testing.assert_array_equal(time_to_survive([30, 30, 30], [10, 10, 10], [0, 4, 10]), [3.0, 5.0, np.inf])


@pytest.mark.parametrize("args", [(-1, 10, 0), (10, -1, 0), (10, 10, -1), (float("nan"), 1, 0)])
def test_tts_rejects_negative_inputs(args):
    with pytest.raises(ValueError, match="expected non-negative"):
        time_to_survive(*args)


@pytest.mark.parametrize(
    ("ttr", "inv", "u", "c", "expected"),
    [
        (10, 30, 10, 4, (10 - 5) * 6),  # TTS 5 < TTR 10
        (5, 30, 10, 4, 0.0),  # TTS = TTR: no impact
        (3, 30, 10, 4, 0.0),  # TTS > TTR
        (100, 30, 10, 10, 0.0),  # alternative covers usage: TTS infinite
        (math.inf, 30, 10, 4, math.inf),  # never recovers
    ],
)
def test_tts_loss_rule(ttr, inv, u, c, expected):
    tts = time_to_survive(inv, u, c)
    assert tts_loss(ttr, tts, u, c) == expected
    assert tts_loss(ttr, tts, u, c, margin=2.5) == 2.5 * expected


def simulate_shortfall(inventory, usage, alternative, down_days):
    """Day by day: the node is down for `down_days`; the gap u - c is drawn from the stock until it is empty."""
    stock, lost = float(inventory), 0.0
    for _ in range(down_days):
        need = usage - min(alternative, usage)
        draw = min(stock, need)
        stock -= draw
        lost += need - draw
    return lost


@given(
    inventory=st.floats(0, 500),
    usage=st.floats(0.1, 50),
    alt_share=st.floats(0, 1.5),
    ttr=st.integers(0, 120),
)
def test_tts_loss_equals_a_daily_inventory_simulation(inventory, usage, alt_share, ttr):
    alternative = alt_share * usage
    tts = time_to_survive(inventory, usage, alternative)
    expected = simulate_shortfall(inventory, usage, alternative, ttr)
    assert tts_loss(ttr, tts, usage, alternative) == pytest.approx(expected, rel=1e-9, abs=1e-9)
    if tts >= ttr:
        assert expected == 0.0


def test_observed_tts_from_a_buffered_trajectory():
    # event on day 3; inventories of 5 days carry output, then it falls
    q = np.ones(30)
    q[8:20] = 0.7
    res = observed_time_to_survive(100 * q, 100.0, onset=3)
    assert res == SurvivalTime(days=5.0, fell=True, censored_at=26)
    assert str(res) == "5 days"


def test_observed_tts_censored_when_output_never_falls():
    res = observed_time_to_survive(np.full(10, 100.0), 100.0, onset=2)
    assert res == SurvivalTime(days=None, fell=False, censored_at=7)
    assert "survived the horizon" in str(res)
    # a rise above baseline is not a fall
    assert not observed_time_to_survive(np.full(10, 120.0), 100.0, onset=2).fell


def test_observed_tts_needs_the_event_day():
    with pytest.raises(ValueError, match="onset"):
        observed_time_to_survive(np.full(10, 100.0), 100.0, onset=None)


def test_observed_tts_batch():
    y = np.full((2, 10), 100.0)
    y[0, 6:] = 50.0
    res = observed_time_to_survive(y, 100.0, onset=1)
    assert res[0] == 5
    assert np.isnan(res[1])
