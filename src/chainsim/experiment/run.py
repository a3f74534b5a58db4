"""Run a scenario: every pathway x replication through the engine, with shared random draws.

Replication ``k`` of every pathway uses the same seed (``SeedSequence(seed).spawn``), so the
sampled disruption start, duration and size are the same across pathways and a difference
between pathways is the pathway's. Each pathway's replications run as one batch through the
engine's arrays; with ``workers > 1`` the pathways run in parallel processes, each computing
exactly the batch it would compute alone, so the results are identical to a serial run.
Nothing here writes files (see :mod:`chainsim.experiment.outputs`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainsim.engine import Engine, build_model
from chainsim.engine.params import resolve_params
from chainsim.errors import ScenarioError
from chainsim.pathways.apply import PathwayPlan, plan_pathway
from chainsim.scenario.load import LoadedScenario

__all__ = ["PathwayRun", "ScenarioRun", "replication_seeds", "run_scenario"]

Progress = Callable[[str, int, int], None]
DayProgress = Callable[[int], None]


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """One independent seed per replication, derived from the scenario seed (``SeedSequence.spawn``)."""
    return np.random.SeedSequence(int(seed)).spawn(int(replications))


@dataclass(frozen=True, eq=False)
class PathwayRun:
    """All replications of one pathway entry.

    Attributes
    ----------
    plan : PathwayPlan
        Levers, parameter overrides and rewritten disruptions.
    output : ndarray (replications, days, N)
        Daily output of every domestic industry (table units per day).
    baseline : ndarray (N,)
        No-shock daily output.
    onset : ndarray (replications,) of int
        First sampled disruption start of each replication.
    events : list of tuple
        Engine event log ``(day, replication, kind, target, detail)``.
    samples : list of dict
        Sampled disruption values.
    params : dict
        The model parameters in force.
    seconds : float
        Wall time of the batch.
    """

    plan: PathwayPlan
    output: np.ndarray
    baseline: np.ndarray
    onset: np.ndarray
    events: list[tuple[int, int, str, str, str]]
    samples: list[dict[str, Any]]
    params: dict[str, Any]
    crash_day: np.ndarray
    seconds: float


@dataclass(frozen=True, eq=False)
class ScenarioRun:
    """The result of :func:`run_scenario`: one :class:`PathwayRun` per pathway entry, plus provenance."""

    loaded: LoadedScenario
    pathways: Mapping[str, PathwayRun]
    provenance: Mapping[str, Any] = field(default_factory=dict)

    @property
    def table(self) -> Any:
        """The table the scenario ran on."""
        return self.loaded.table

    def result(self, pathway: str = "baseline", replication: int = 0) -> Any:
        """One replication of one pathway as a labelled :class:`~chainsim.engine.SimulationResult`.

        The same type :func:`chainsim.simulate` returns, with the same views
        (``scope_output``, ``relative_output``, ``region_output``, ``summary``); ``capacity``
        and ``unmet_demand`` are ``None`` (a scenario run keeps output only).
        """
        import pandas as pd

        from chainsim.engine.result import SimulationResult
        from chainsim.errors import did_you_mean

        if pathway not in self.pathways:
            raise ScenarioError(f"unknown pathway '{pathway}' in this run; expected one of {list(self.pathways)}"
                                f"{did_you_mean(pathway, self.pathways)}")
        pr = self.pathways[pathway]
        R = pr.output.shape[0]
        if not 0 <= replication < R:
            raise ScenarioError(f"replication: expected 0 … {R - 1}; found {replication}")
        table = self.loaded.table
        cols = table.labels
        days = pd.RangeIndex(pr.output.shape[1], name="day")
        events = [(d, k, t, s) for (d, b, k, t, s) in pr.events if b == replication]
        prov = {**self.provenance, "pathway": pathway, "replication": replication,
                "seed": self.provenance.get("replication_seeds", [None] * R)[replication],
                "samples": [s for s in pr.samples if s["batch"] == replication],
                "crash_day": int(pr.crash_day[replication])}
        return SimulationResult(
            output=pd.DataFrame(pr.output[replication], index=days, columns=cols), capacity=None, unmet_demand=None,
            baseline=pd.Series(pr.baseline, index=cols, name="baseline"),
            events=pd.DataFrame(events, columns=["day", "kind", "target", "detail"]), provenance=prov,
            money=table.money)

    def inert_pathways(self) -> list[str]:
        """Pathway entries whose trajectories equal the baseline's exactly: they change nothing here.

        Replications share their random draws, so equality is exact, not statistical.
        """
        base = self.pathways.get("baseline")
        if base is None:
            return []
        return [e for e, pr in self.pathways.items()
                if e != "baseline" and pr.output.shape == base.output.shape and np.array_equal(pr.output, base.output)]


def run_pathway(loaded: LoadedScenario, entry: str, *, seeds: Sequence[Any] | None = None,
                day_progress: DayProgress | None = None) -> PathwayRun:
    """Run all replications of one pathway entry as one engine batch.

    ``day_progress(1)`` is called after every simulated day (for a progress bar).
    """
    sc = loaded.scenario
    pw = sc.pathways
    plan = plan_pathway(entry, sc.disruptions, intensity=pw.intensity, intensities=pw.intensities,
                        overrides=pw.levers, costs=pw.costs, sector_codes=loaded.table.sector_codes,
                        base_params=sc.params)
    params = resolve_params(plan.params)
    model = build_model(loaded.table, params)
    seeds = list(seeds) if seeds is not None else replication_seeds(sc.seed, sc.replications)
    t0 = time.perf_counter()
    tick = None if day_progress is None else (lambda done, total: day_progress(1))
    arrays = Engine(model, [list(plan.disruptions)] * len(seeds), seeds=seeds).run(sc.horizon_days, progress=tick)
    seconds = time.perf_counter() - t0
    onset = np.full(len(seeds), -1)
    for s in arrays.samples:
        b = s["batch"]
        onset[b] = s["start"] if onset[b] < 0 else min(onset[b], s["start"])
    return PathwayRun(plan=plan, output=np.ascontiguousarray(arrays.output.transpose(1, 0, 2)),
                      baseline=np.asarray(model.xbar[: model.n]).copy(), onset=onset, events=arrays.events,
                      samples=arrays.samples, params=params.model_dump(mode="json"),
                      crash_day=arrays.crash_day.copy(), seconds=seconds)


def _pathway_task(loaded: LoadedScenario, entry: str, seeds: Sequence[Any]) -> PathwayRun:
    """Pool worker: one pathway with one BLAS thread (the processes are the parallelism)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return run_pathway(loaded, entry, seeds=seeds)


def _run_parallel(loaded: LoadedScenario, entries: list[str], seeds: Sequence[Any], workers: int,
                  done: Callable[[str], None]) -> dict[str, PathwayRun]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from chainsim.sweeps.runner import pool_start_method

    ctx = multiprocessing.get_context(pool_start_method())
    runs: dict[str, PathwayRun] = {}
    with ProcessPoolExecutor(max_workers=min(workers, len(entries)), mp_context=ctx) as pool:
        futures = {pool.submit(_pathway_task, loaded, e, seeds): e for e in entries}
        for fut in as_completed(futures):
            runs[futures[fut]] = fut.result()
            done(futures[fut])
    return {e: runs[e] for e in entries}


def run_scenario(loaded: LoadedScenario, *, progress: Progress | None = None, workers: int = 1,
                 day_progress: DayProgress | None = None) -> ScenarioRun:
    """Run every pathway entry of a scenario with shared random draws.

    Parameters
    ----------
    loaded : LoadedScenario
        From :func:`chainsim.scenario.load_scenario`.
    progress : callable, optional
        Called as ``progress(pathway, done, total)`` after each pathway.
    workers : int
        Processes running pathways in parallel (1: in this process). Results do not depend
        on it: each pathway is the same engine batch with the same seeds either way.
    day_progress : callable, optional
        Called as ``day_progress(n)`` with ``n`` simulated pathway-days done since the last
        call (``pathways x horizon_days`` in all): after every day when serial, after every
        pathway with workers.

    Returns
    -------
    ScenarioRun
    """
    from chainsim import __version__

    sc = loaded.scenario
    entries = list(dict.fromkeys(sc.pathways.compare))
    if not entries:
        raise ScenarioError("pathways.compare: expected at least one pathway")
    if int(workers) != workers or workers < 1:
        raise ScenarioError(f"workers: expected a positive integer; found {workers!r}")
    seeds = replication_seeds(sc.seed, sc.replications)
    finished: list[str] = []

    def done(entry: str) -> None:
        finished.append(entry)
        if progress is not None:
            progress(entry, len(finished), len(entries))

    if workers > 1 and len(entries) > 1:
        def done_parallel(entry: str) -> None:
            if day_progress is not None:
                day_progress(sc.horizon_days)
            done(entry)

        runs = _run_parallel(loaded, entries, seeds, int(workers), done_parallel)
    else:
        runs = {}
        for entry in entries:
            runs[entry] = run_pathway(loaded, entry, seeds=seeds, day_progress=day_progress)
            done(entry)
    prov = {
        "chainsim_version": __version__, "scenario": sc.name, "scenario_sha256": loaded.sha256,
        "scenario_file": None if loaded.path is None else str(loaded.path), "dataset": loaded.table.name,
        "dataset_checksum": loaded.table.checksum, "seed": sc.seed, "replications": sc.replications,
        "horizon_days": sc.horizon_days, "pathways": entries,
        "replication_seeds": [{"entropy": s.entropy, "spawn_key": list(s.spawn_key)} for s in seeds],
        "params": {e: r.params for e, r in runs.items()},
        "levers": {e: r.plan.levers for e, r in runs.items()},
    }
    return ScenarioRun(loaded=loaded, pathways=runs, provenance=prov)
