"""The fast day's shortcuts give the same bits as the full computation (issue 22).

With every supplier weight λ = 1 (no capacity loss) the order split's denominators are the
baseline's: :func:`chainsim.engine.executor.distribution._baseline_denominators` copies them in
instead of computing them, and keeps the overridden pairs' rows while the links do not change.
A member whose capacity loss comes and goes switches between the two paths; the results must
equal, bit for bit, a run where the shortcut is never taken.
"""

from __future__ import annotations

import numpy as np
import pytest

from chainsim.engine import Engine, build_model, resolve_params
from chainsim.engine.executor import AVAILABLE
from chainsim.engine.executor import distribution as dist

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="numba not installed")

CUT = {"type": "import_cut", "product": "20", "origins": ["KOR", "JPN"], "regions": "all", "share": 0.6,
       "start": 5, "duration": 90}
LOSS = {"type": "capacity_loss", "region": "LN", "sector": "14", "share": 0.4, "start": 20, "duration": 1,
        "recovery": {"curve": "linear", "days": 25}}


@pytest.fixture(scope="module")
def model():
    from chainsim.data.datasets import load_dataset

    return build_model(load_dataset("northeast-2017"), resolve_params(None))


def _run(model, sets, days=80):
    return Engine(model, sets).run(days).output.copy()  # (days, members, industries)


def test_denominator_shortcut_is_bit_for_bit(model, monkeypatch):
    sets = [[CUT], [CUT, LOSS], [LOSS], []]
    taken = {"unit": 0, "other": 0}
    real = dist.unit_split_weights

    def counting(ws):
        unit = real(ws)
        taken["unit" if unit else "other"] += 1
        return unit

    monkeypatch.setattr(dist, "unit_split_weights", counting)
    fast = _run(model, sets)
    assert taken["unit"] > 10 and taken["other"] > 10  # both paths, and the switch between them, were run
    monkeypatch.setattr(dist, "unit_split_weights", lambda ws: False)
    full = _run(model, sets)
    assert np.array_equal(fast, full)
    assert not np.array_equal(full[:, 0], full[:, 2])  # the members differ: the comparison is not vacuous
