"""The ``ario`` day as one compiled call and the lazy clock (issue 22: per-run overhead at small N).

The fused day must give the generic fast day's trajectories (to rounding: its sums run in
another order) and the same events; the lazy clock the same results bit for bit. BoARIO
itself is the oracle of both in ``tests/test_ario_oracle.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from chainsim.data.datasets import load_dataset
from chainsim.engine import Engine, ModelParams, build_model
from chainsim.engine.executor import FastEconomy, ario_day

LOSS = {"type": "capacity_loss", "region": "LN", "sector": "14", "share": 0.5, "start": 10, "duration": 1,
        "recovery": {"curve": "linear", "days": 180}}
REBUILD = {"type": "capacity_loss", "region": "JL", "sector": "18", "share": 0.2, "start": 4, "duration": 1,
           "recovery": {"curve": "rebuild", "days": 60, "sectors": {"27": 1.0}}}
CUT = {"type": "link_cut", "product": "14", "from_region": "LN", "to_region": "JL", "share": 0.7, "start": 15,
       "duration": 40}
SETS = [[LOSS], [REBUILD, LOSS], [CUT, LOSS], []]


@pytest.fixture(scope="module")
def table():
    return load_dataset("northeast-2017")


def _run(model, fused: bool, monkeypatch=None, days: int = 200, members=None):
    eng = Engine(model, SETS, member_params=members)
    if not fused:
        real = FastEconomy.__init__

        def generic(self, *a, **k):
            real(self, *a, **k)
            self._fused = False

        monkeypatch.setattr(FastEconomy, "__init__", generic)
    out = eng.run(days)
    if not fused:
        monkeypatch.undo()
    return out


def test_fused_ario_day_matches_the_generic_day(table, monkeypatch):
    """Four members (a loss, a rebuild, a link cut that puts a member on the generic day, none): 1e-12, same events."""
    m = build_model(table, ModelParams.ario())
    assert ario_day.supports(m)
    fused, generic = _run(m, True), _run(m, False, monkeypatch)
    assert (fused.output.min(axis=0) < 0.9 * fused.output[0]).any()  # the shocks bite
    np.testing.assert_allclose(fused.output, generic.output, rtol=1e-12, atol=0)
    np.testing.assert_allclose(fused.capacity, generic.capacity, rtol=1e-12, atol=0)
    np.testing.assert_allclose(fused.unmet, generic.unmet, rtol=1e-10, atol=1e-9 * float(m.ybar.sum()))
    assert fused.events == generic.events and len(fused.events) > 4
    quiet = fused.output[:, 3]  # the member without a disruption stays at baseline (ARIO drifts by ~1e-11)
    np.testing.assert_allclose(quiet, np.broadcast_to(m.xbar, quiet.shape), rtol=1e-9)


def test_fused_day_with_members_own_parameters(table, monkeypatch):
    """Members with their own α_max, inventory days and ψ-relevant stocks (per-member arrays) on the fused day."""
    m = build_model(table, ModelParams.ario())
    members = [ModelParams.ario(alpha_max=1.1), ModelParams.ario(inventory_days=30.0),
               ModelParams.ario(alpha_tau=100.0, inventory_days=120.0), ModelParams.ario()]
    fused, generic = _run(m, True, members=members), _run(m, False, monkeypatch, members=members)
    np.testing.assert_allclose(fused.output, generic.output, rtol=1e-12, atol=0)
    assert fused.events == generic.events
    alone = Engine(build_model(table, members[1]), [SETS[1]]).run(200)  # a member is as if run alone
    np.testing.assert_allclose(fused.output[:, 1], alone.output[:, 0], rtol=1e-12, atol=0)


def test_fused_day_only_where_it_applies(table, monkeypatch):
    assert ario_day.supports(build_model(table, ModelParams.ario(psi=0.6, inventory_days=30.0)))
    assert not ario_day.supports(build_model(table, ModelParams()))  # the default model
    assert not ario_day.supports(build_model(table, ModelParams.ario(order_type="noalt")))
    assert not ario_day.supports(build_model(table, ModelParams.ario(ario_quirks=False)))
    assert not ario_day.supports(build_model(table, ModelParams.ario(), layout="sparse"))
    monkeypatch.setattr(ario_day, "FUSED_MAX_INDUSTRIES", 100)
    assert not ario_day.supports(build_model(table, ModelParams.ario()))  # 168 industries: the BLAS day


@pytest.mark.parametrize("params", ["ario", "default"])
def test_lazy_clock_gives_the_same_results_bit_for_bit(table, params, monkeypatch):
    """The clock running on between steps when no event falls between them changes nothing (searches on or off)."""
    m = build_model(table, ModelParams.ario() if params == "ario" else ModelParams())
    sets = SETS[:3] if params == "ario" else [[LOSS], [CUT]]
    lazy = Engine(m, sets, seeds=[1] * len(sets)).run(120)
    monkeypatch.setattr(Engine, "lazy_clock", False)
    eager = Engine(m, sets, seeds=[1] * len(sets)).run(120)
    assert np.array_equal(lazy.output, eager.output) and np.array_equal(lazy.capacity, eager.capacity)
    assert lazy.events == eager.events
