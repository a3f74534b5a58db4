"""The default model's fast day against the reference day on the shipped table, at B = 1 and B > 1.

Tolerance of the fast executor against :mod:`chainsim.engine.reference` (``RTOL`` = 1e-10 per
industry and day of ``|x_fast - x_ref| / max(|x_ref|, x̄)``; capacity the same; unmet final
demand and input done without relative to total final demand; identical event logs): the fast
day sums over suppliers and buyers in another order than the reference (batched products,
compiled loops whose reductions the compiler reassociates), so it matches to rounding, not bit
for bit. The shocks bind inputs (shortages), move buyers away from suppliers that lost capacity
and keep them on differentiated ones (λ = 1 - sΔ, s = 0 for JL cars, docs/model.md §2.7), and cut
imports of products whose foreign origins have two slots (0 < σ < 1). Resourcing is off, so no
link overrides appear and every day runs the fast stages without corrections; the mixed batch of
``test_executor_vs_reference.py`` covers overrides and substitution.
"""

from __future__ import annotations

import numpy as np
import pytest

from chainsim.data.datasets import load_dataset
from chainsim.engine import Engine, build_model
from chainsim.engine.economy import RTOL
from chainsim.engine.executor import AVAILABLE, FastEconomy
from chainsim.engine.params import resolve_params
from tests.test_executor_vs_reference import assert_matches

pytestmark = pytest.mark.skipif(not AVAILABLE, reason="numba not importable: only the reference runs")

CHIPS = {"type": "import_cut", "product": "20", "origin": ["KOR", "JPN", "TWN", "USA"], "share": 0.7, "start": 5,
         "duration": 60, "recovery": {"curve": "linear", "days": 20}}
SMELTING = {"type": "capacity_loss", "region": "LN", "sector": "14", "share": 0.6, "start": 3, "duration": 1,
            "recovery": {"curve": "linear", "days": 90}}
CARS = {"type": "capacity_loss", "region": "JL", "sector": "18", "share": 0.8, "start": 4, "duration": 30,
        "basis": "capacity"}


@pytest.fixture(scope="module")
def model():
    m = build_model(load_dataset("northeast-2017"), resolve_params({"resourcing": False, "inventory_scale": 0.3}))
    assert m.has_split and m.params.order_basis == "planned" and m.params.exact_stocks  # the default model's day
    assert (m.switch_share == 0.0).any()  # some buyers keep ordering from suppliers that lost capacity
    return m


@pytest.mark.parametrize("sets", [[[CHIPS, SMELTING, CARS]], [[CHIPS], [SMELTING, CARS], [CHIPS, CARS], []]],
                         ids=["B=1", "B=4"])
def test_fast_day_matches_the_reference(model, sets):
    runs = {ex: Engine(model, sets, executor=ex).run(120) for ex in ("auto", "reference")}
    fast, ref = runs["auto"], runs["reference"]
    assert_matches(fast, ref, model)
    total_y = np.asarray(model.ybar).sum()
    assert np.abs(fast.done_without - ref.done_without).max() <= RTOL * total_y
    assert ref.done_without.max() > 0.0  # some use went without a stock (the exact-stocks branch ran)
    assert any(e[2] == "shortage" for e in ref.events)  # inputs bound


def test_the_fast_executor_ran(model):
    """The comparison above is between two executors: the default model runs on the fast one."""
    engine = Engine(model, [[CHIPS]])
    engine.run(10)
    assert isinstance(engine.economy, FastEconomy)
