"""Batch members with their own behavioural parameters (``Engine(..., member_params=...)``).

A mixed-params batch must give each member exactly the trajectories of running it alone.
"""

from __future__ import annotations

import numpy as np
import pytest

from chainsim.engine import Engine, build_model
from chainsim.engine.params import resolve_params
from chainsim.errors import ModelBuildError
from tests.test_engine_noncompetitive import nbs_table

CUT = {"type": "import_cut", "product": ["19", "20"], "origin": "USA", "share": 0.7, "start": 3, "duration": 40}
LOSS = {"type": "capacity_loss", "region": "R0", "sector": "16", "share": 0.3, "start": 2, "duration": 20,
        "recovery": {"curve": "linear", "days": 15}}
REBUILD = {"type": "capacity_loss", "region": "R1", "sector": "05", "share": 0.2, "start": 4, "duration": 10,
           "recovery": {"curve": "rebuild", "sectors": {"05": 1.0}}}
BASE = {"inventory_scale": 0.5}  # NBS codes: stock days from the evidence table, times the scale
MEMBERS = [
    {**BASE},
    {**BASE, "inventory_scale": 0.8, "import_headroom": 1.5, "search_days": 5, "detection_lag_days": 2,
     "ramp_days": 6, "import_headroom_scale": 0.5},
    {**BASE, "alpha_tau": 100.0, "sector_alpha_max": {"16": 1.5}, "substitution_share": 0.5,
     "substitution_lag_days": 10, "criticality_relief": 0.5},
    {**BASE, "inventory_scale": 0.3, "sector_criticality_relief": {"19": 1.0}, "rebuild_tau": 30.0,
     "sector_alpha_tau": {"20": 50.0}},
]


def _close(a: np.ndarray, b: np.ndarray) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * float(np.nanmax(np.abs(b))), equal_nan=True)


@pytest.mark.parametrize("sets", [[CUT, LOSS], [CUT, REBUILD], [LOSS]], ids=["cut_loss", "cut_rebuild", "loss"])
def test_mixed_params_batch_equals_single_runs(sets):
    t = nbs_table(2, import_share=0.15)
    params = [resolve_params(p) for p in MEMBERS]
    base = build_model(t, params[0])
    days = 120
    seeds = [11, 12, 13, 14]
    batch = Engine(base, [sets] * len(params), seeds=seeds, member_params=params).run(days)
    for b, p in enumerate(params):
        alone = Engine(build_model(t, p), [sets], seeds=[seeds[b]]).run(days)
        _close(batch.output[:, b], alone.output[:, 0])
        _close(batch.capacity[:, b], alone.capacity[:, 0])
        _close(batch.unmet[:, b], alone.unmet[:, 0])
        assert batch.crash_day[b] == alone.crash_day[0]
        assert [e[:1] + e[2:] for e in batch.events if e[1] == b] == [e[:1] + e[2:] for e in alone.events]


def test_members_differ_and_shared_arrays_stay_shared():
    t = nbs_table(1)
    params = [resolve_params(MEMBERS[0]), resolve_params({**BASE, "sector_alpha_max": {"16": 1.45, "05": 1.45}})]
    eng = Engine(build_model(t, params[0]), [[CUT, LOSS], [CUT, LOSS]], member_params=params)
    assert eng.model.alpha_max.shape == (2, eng.model.n_sup)
    assert eng.model.bind_denom.ndim == 2 and eng.model.cap_ref.ndim == 1
    out = eng.run(60).output
    assert not np.allclose(out[:, 0], out[:, 1])


def test_structural_difference_is_an_error():
    t = nbs_table(1)
    base = build_model(t, resolve_params(BASE))
    with pytest.raises(ModelBuildError, match=r"structural field.*psi"):
        Engine(base, [[CUT], [CUT]], member_params=[resolve_params(BASE), resolve_params({**BASE, "psi": 0.5})])


def test_northeast_default_model_mixed_params_batch_equals_single_runs():
    from chainsim.data.datasets import load_dataset

    t = load_dataset("northeast-2017")
    sets = [{"type": "import_cut", "product": "20", "origins": ["KOR", "JPN", "TWN", "USA"],
             "regions": ["LN", "JL", "HLJ"], "share": 0.6, "start": 30, "duration": 90},
            {"type": "capacity_loss", "region": "LN", "sector": "16", "share": 0.3, "start": 20, "duration": 30,
             "recovery": {"curve": "linear", "days": 30}}]
    params = [resolve_params(p) for p in (
        {}, {"inventory_scale": 0.45, "import_headroom": 1.6, "search_days": 12, "detection_lag_days": 3},
        {"substitution_share": 0.4, "substitution_lag_days": 60, "ramp_days": 20, "inventory_scale": 0.4,
         "sector_criticality_relief": {c: 0.7 for c in ("16", "17", "19", "20", "21")}},
        {"sector_alpha_max": {"16": 1.45}, "sector_alpha_tau": {"16": 150.0}, "rebuild_tau": 45.0})]
    days = 365
    batch = Engine(build_model(t, params[0]), [sets] * len(params), seeds=[1, 2, 3, 4],
                   member_params=params).run(days)
    for b, p in enumerate(params):
        alone = Engine(build_model(t, p), [sets], seeds=[b + 1]).run(days)
        _close(batch.output[:, b], alone.output[:, 0])
        _close(batch.unmet[:, b], alone.unmet[:, 0])
        assert [e[:1] + e[2:] for e in batch.events if e[1] == b] == [e[:1] + e[2:] for e in alone.events]
