"""The lever draws' triangular quantile agrees bit for bit with ``scipy.stats.triang.ppf``.

``chainsim.pathways.evidence.triangular_ppf`` replaced the ``scipy.stats`` call so that a
run does not import ``scipy.stats`` (0.6-0.7 s) before its workers start; the lever draws,
and so every drawn-lever result, must not move by one bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import triang

from chainsim.pathways.evidence import EvidenceRange, triangular_ppf
from chainsim.pathways.registry import LEVERS

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_subnormal=False)


def _scipy(u: float, low: float, mode: float, high: float) -> float:
    c = (mode - low) / (high - low)
    return float(triang.ppf(u, c, loc=low, scale=high - low))


@settings(max_examples=400, deadline=None)
@given(u=st.floats(min_value=0.0, max_value=1.0), a=finite, w=st.floats(min_value=1e-6, max_value=1e6),
       f=st.floats(min_value=0.0, max_value=1.0))
def test_equals_scipy_bit_for_bit(u: float, a: float, w: float, f: float) -> None:
    low, high = a, a + w
    mode = min(max(low + f * (high - low), low), high)
    if not low < high:
        return
    assert triangular_ppf(u, low, mode, high) == _scipy(u, low, mode, high)


def test_every_lever_range_draws_as_before() -> None:
    us = np.concatenate([[0.0, 1.0, 0.5], np.random.default_rng(7).random(200)])
    checked = 0
    for lever in LEVERS.values():
        for r in lever.evidence:
            if r.high == r.low:
                continue
            for u in us:
                assert r.quantile(float(u)) == _scipy(float(u), r.low, r.full, r.high), (lever.name, u)
            checked += 1
    assert checked > 5


@pytest.mark.parametrize("u", [-0.1, 1.5])
def test_refuses_a_quantile_outside_0_1(u: float) -> None:
    with pytest.raises(ValueError, match="quantile"):
        triangular_ppf(u, 0.0, 1.0, 2.0)


def test_degenerate_range_is_its_value() -> None:
    assert EvidenceRange(2.0, 2.0, 2.0, "", ()).quantile(0.3) == 2.0
