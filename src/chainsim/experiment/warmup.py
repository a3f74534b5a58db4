"""Compile the engine's loops ahead of the first real run (``chainsim warmup``).

The fast executor's loops are compiled by numba on first use and cached on disk
(:mod:`chainsim.engine.executor.jit`, ``cache=True``): a fresh install pays the compilation
(4–18 s on the shared 2-core machine, ``docs/performance.md``) in its first run, every later
process only loads the cache (about 1–2 s: numba's import and its typing context, paid once
per process). :func:`warm_up` runs the paths a scenario run, a scan and the ``ario``
configuration take — a short import cut with every pathway (searches, substitution, link
overrides, batch members with their own parameters), a capacity loss in the ``ario``
configuration (its fused day, and its day over links on the sparse layout, which uses the
generic loops of larger ``ario`` tables too), and a batch into a reused output buffer — on the
Northeast table for a few days, so that the compilation happens at install time instead.
"""

from __future__ import annotations

import time
from typing import Any

__all__ = ["warm_up"]

_SCENARIO: dict[str, Any] = {
    "name": "warm-up (compiles the engine's loops)", "dataset": "northeast-2017", "horizon_days": 12, "seed": 1,
    "replications": 2,
    "disruptions": [{"type": "import_cut", "product": "20", "origins": ["KOR", "JPN"], "regions": ["LN"],
                     "share": 0.6, "start": 2, "duration": 6}],
    "pathways": {"compare": ["baseline", "tech_self_reliance", "opening_up", "dual_wheel", "digital_green",
                             "environment"], "intensity": 0.5},
}


def warm_up(dataset: str = "northeast-2017") -> dict[str, float]:
    """Run the engine's paths briefly so that numba compiles (or loads) every loop; returns seconds per step.

    Parameters
    ----------
    dataset : str
        Bundled dataset to run on.

    Returns
    -------
    dict
        ``{"scenario": s, "ario": s, "batch": s}``: wall seconds of each step (compilation
        included on a cold cache).
    """
    import numpy as np

    from chainsim.data.datasets import load_dataset
    from chainsim.engine import Engine, ModelParams, build_model, simulate
    from chainsim.experiment.run import run_scenario
    from chainsim.scenario.load import load_scenario

    table = load_dataset(dataset)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    run_scenario(load_scenario({**_SCENARIO, "dataset": dataset}, table=table), workers=1)
    seconds["scenario"] = time.perf_counter() - t0
    shock = {"type": "capacity_loss", "region": table.region_codes[0], "sector": table.sector_codes[0],
             "share": 0.5, "start": 1, "duration": 2, "recovery": {"curve": "linear", "days": 5}}
    t0 = time.perf_counter()
    simulate(table, [shock], days=12, params="ario")  # the fused ario day
    simulate(table, [shock], days=12, params="ario", layout="sparse")  # the day over links, with the generic loops
    seconds["ario"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = build_model(table, ModelParams())
    Engine(model, [[shock], [shock]]).run(12, record=(), out=np.empty((12, 2, model.n)))
    seconds["batch"] = time.perf_counter() - t0
    return seconds
