"""The paired comparison's percentile bootstrap agrees bit for bit with ``scipy.stats.bootstrap``.

``chainsim.experiment.paired.bootstrap_mean`` draws the resamples and takes the percentile
interval with numpy (the same generator calls, the same mean and the same linear quantile,
Hyndman & Fan type 7, as scipy 1.17's ``bootstrap(method="percentile")``) so that the band
sensitivity and the summary do not import ``scipy.stats`` (0.6-0.7 s of the main process) or
pay its per-call checks (132 calls a README run). Every interval, rank and effect of
``summary.csv`` and ``band_sensitivity.csv`` must not move by one bit.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import bootstrap

from chainsim.experiment.paired import BOOTSTRAP_STREAM, CONFIDENCE, N_RESAMPLES, bootstrap_mean


def _scipy(d: np.ndarray, seed: int) -> tuple[float, float, float]:
    """The code before issue 22's tail work: scipy's percentile bootstrap on the same stream."""
    m = float(d.mean())
    if d.size < 2 or np.all(d == d[0]):
        return m, m, m
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(BOOTSTRAP_STREAM,)))
    ci = bootstrap((d,), np.mean, n_resamples=N_RESAMPLES, confidence_level=CONFIDENCE, method="percentile",
                   random_state=rng).confidence_interval
    return m, float(ci.low), float(ci.high)


values = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_subnormal=False)


@settings(max_examples=150, deadline=None)
@given(d=st.lists(values, min_size=1, max_size=40), seed=st.integers(0, 2**32 - 1))
def test_equals_scipy_bit_for_bit(d: list[float], seed: int) -> None:
    a = np.asarray(d)
    assert bootstrap_mean(a, seed) == _scipy(a, seed)


@pytest.mark.parametrize("n", [2, 3, 7, 20, 100])
def test_equals_scipy_on_ties_and_sizes(n: int) -> None:
    rng = np.random.default_rng(n)
    for d in (rng.normal(size=n), np.round(rng.normal(size=n)), rng.integers(0, 3, n).astype(float) * 1e9):
        assert bootstrap_mean(d, 2026) == _scipy(d, 2026)


def test_paired_comparison_does_not_import_scipy_stats() -> None:
    code = ("import sys, numpy as np\n"
            "from chainsim.experiment.paired import bootstrap_mean\n"
            "bootstrap_mean(np.arange(20.0), 1)\n"
            "print('scipy.stats' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
