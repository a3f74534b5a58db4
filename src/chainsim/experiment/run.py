"""Run a scenario: every pathway x replication through the engine, with common random numbers.

Replication ``k`` of every pathway uses the same seed (``SeedSequence(seed).spawn``), so the
sampled disruption start, duration and size are the same across pathways, and — with
``levers: drawn``, the default — the same draw of each lever's full value from its evidence
range (:mod:`chainsim.pathways.draws`): a difference between pathways is the pathway's, not
luck. Each pathway's replications run as one batch through the engine (members that differ
in their drawn levers through ``member_params``). ``baseline`` is always run: it is the
reference of the paired comparison. With ``workers > 1`` the pathways run in parallel
processes, each computing exactly the batch it would compute alone, so the results are
identical to a serial run. When ``pathways.attribution`` is on, the lever subsets of every
pathway are run too, after the pathways (:mod:`chainsim.experiment.attribution`; with workers
queued behind them in the same pool, :mod:`chainsim.experiment.pool`). Nothing
here writes files (see :mod:`chainsim.experiment.outputs`); the result types are in
:mod:`chainsim.experiment.scenario_run`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from chainsim.engine import Engine, build_model
from chainsim.engine.clock import reusable_output
from chainsim.engine.params import resolve_params
from chainsim.errors import ScenarioError
from chainsim.experiment.scenario_run import PathwayRun, ScenarioRun
from chainsim.experiment.seeds import replication_seeds
from chainsim.pathways.apply import PathwayPlan, plan_pathway
from chainsim.pathways.draws import drawn_overrides, lever_draw_seeds, lever_quantiles
from chainsim.pathways.evidence import disrupted_products
from chainsim.pathways.registry import LEVERS, PATHWAYS
from chainsim.scenario.load import LoadedScenario

if TYPE_CHECKING:
    from chainsim.experiment.attribution import Attribution

__all__ = ["PathwayRun", "ScenarioRun", "central_fulls", "replication_seeds", "run_pathway", "run_scenario"]

Progress = Callable[[str, int, int], None]
DayProgress = Callable[[int], None]


def central_fulls(entry: str, products: Sequence[str], overrides: Mapping[str, Mapping[str, float]]
                  ) -> dict[str, dict[str, float]]:
    """Every lever's full value at the centre of its evidence range (or the scenario's own), per pathway."""
    out = {}
    for p in (q.strip() for q in entry.split("+")):
        own = dict(overrides.get(p, {}))
        out[p] = {lv: own.get(lv, LEVERS[lv].range_for(products)[0].full) for lv in PATHWAYS[p].levers}
    return out


def _entry_plans(loaded: LoadedScenario, entry: str, replications: int, quantiles: np.ndarray | None
                 ) -> tuple[PathwayPlan, list[PathwayPlan], list[dict[str, dict[str, float]]]]:
    """An entry's plan at central values, and per replication its plan and lever full values (drawn or central)."""
    sc = loaded.scenario
    pw = sc.pathways
    kw = dict(intensity=pw.intensity, intensities=pw.intensities, costs=pw.costs,
              sector_codes=loaded.table.sector_codes, base_params=sc.params)
    plan = plan_pathway(entry, sc.disruptions, overrides=pw.levers, **kw)
    products = disrupted_products(sc.disruptions)
    if quantiles is None or not plan.levers:
        return plan, [plan] * replications, [central_fulls(entry, products, pw.levers)] * replications
    if len(quantiles) != replications:
        raise ScenarioError(f"quantiles: expected {replications} rows (one per replication); found {len(quantiles)}")
    fulls = [drawn_overrides(entry, q, products, pw.levers) for q in quantiles]
    return plan, [plan_pathway(entry, sc.disruptions, overrides=f, **kw) for f in fulls], fulls


def run_pathway(loaded: LoadedScenario, entry: str, *, seeds: Sequence[Any] | None = None,
                quantiles: np.ndarray | None = None, day_progress: DayProgress | None = None) -> PathwayRun:
    """Run all replications of one pathway entry as one engine batch.

    ``quantiles`` (replications x levers, :func:`~chainsim.pathways.draws.lever_quantiles`)
    draw each replication's lever full values from their evidence ranges; without them every
    lever takes its central value. ``day_progress(1)`` is called after every simulated day
    (for a progress bar).
    """
    sc = loaded.scenario
    seeds = list(seeds) if seeds is not None else replication_seeds(sc.seed, sc.replications)
    plan, plans, fulls = _entry_plans(loaded, entry, len(seeds), quantiles)
    params = resolve_params(plan.params)
    model = build_model(loaded.table, params)
    members = None if all(p is plan for p in plans) else [resolve_params(p.params) for p in plans]
    t0 = time.perf_counter()
    tick = None if day_progress is None else (lambda done, total: day_progress(1))
    # output only (a pathway keeps no capacity or unmet-demand series), written into this thread's
    # reused buffer: it is copied below (issue 22: the page faults of a fresh array and the capacity copy)
    out = reusable_output((sc.horizon_days, len(seeds), model.n))
    arrays = Engine(model, [list(p.disruptions) for p in plans], seeds=seeds, member_params=members
                    ).run(sc.horizon_days, progress=tick, record=(), out=out)
    seconds = time.perf_counter() - t0
    onset = np.full(len(seeds), -1)
    for s in arrays.samples:
        b = s["batch"]
        onset[b] = s["start"] if onset[b] < 0 else min(onset[b], s["start"])
    return PathwayRun(plan=plan, output=arrays.output.transpose(1, 0, 2).copy(),
                      baseline=np.asarray(model.xbar[: model.n]).copy(), onset=onset, events=arrays.events,
                      samples=arrays.samples, params=params.model_dump(mode="json"),
                      crash_day=arrays.crash_day.copy(), seconds=seconds,
                      lever_values=tuple(dict(p.levers) for p in plans), lever_fulls=tuple(fulls))


def _pathway_task(loaded: LoadedScenario, entry: str, seeds: Sequence[Any],
                  quantiles: np.ndarray | None) -> PathwayRun:
    """Pool worker: one pathway with one BLAS thread (the processes are the parallelism)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return run_pathway(loaded, entry, seeds=seeds, quantiles=quantiles)


def _run_parallel(loaded: LoadedScenario, entries: list[str], seeds: Sequence[Any], quantiles: np.ndarray | None,
                  workers: int, done: Callable[[str], None], attribution: bool, progress: Progress | None,
                  on_pathways: Callable[[dict[str, PathwayRun]], None] | None
                  ) -> tuple[dict[str, PathwayRun], Attribution | None]:
    """The pathways and, with ``attribution``, the attribution's batches in one pool (:mod:`.pool`)."""
    from chainsim.experiment.attribution import attribution_from_chunks, plan_attribution
    from chainsim.experiment.pool import run_in_pool

    plan = None
    if attribution:
        central, fulls = {}, {}
        for e in entries:
            central[e], _, fulls[e] = _entry_plans(loaded, e, len(seeds), quantiles)
        plan = plan_attribution(loaded, central, seeds, fulls)
    runs, sums = run_in_pool(loaded, {e: (_pathway_task, (loaded, e, seeds, quantiles)) for e in entries},
                             [] if plan is None else plan.chunks, workers, done=done, progress=progress,
                             on_pathways=on_pathways)
    return runs, None if plan is None else attribution_from_chunks(loaded, runs, plan, sums)


def run_scenario(loaded: LoadedScenario, *, progress: Progress | None = None, checked: Any = None,
                 workers: int = 1, day_progress: DayProgress | None = None,
                 on_pathways: Callable[[Mapping[str, PathwayRun]], None] | None = None) -> ScenarioRun:
    """Run every pathway entry of a scenario (and ``baseline``) with common random numbers.

    Parameters
    ----------
    loaded : LoadedScenario
        From :func:`chainsim.scenario.load_scenario`.
    progress : callable, optional
        Called as ``progress(pathway, done, total)`` after each pathway, and as
        ``progress("attribution", done, total)`` after each batch of attribution runs.
    checked : Preflight, optional
        The result of :func:`chainsim.experiment.preflight.preflight` on ``loaded`` when the
        caller already ran it (the check is not repeated).
    workers : int
        Processes running pathways in parallel (1: in this process). Results do not depend
        on it: each pathway is the same engine batch with the same seeds and lever draws
        either way. The attribution's engine batches follow on as many processes.
    day_progress : callable, optional
        Called as ``day_progress(n)`` with ``n`` simulated pathway-days done since the last
        call (``pathways x horizon_days`` in all, attribution runs not included): after every
        day when serial, after every pathway with workers.
    on_pathways : callable, optional
        Called once as ``on_pathways(runs)`` (entry -> :class:`PathwayRun`, in the scenario's
        order) as soon as every pathway has run, before the attribution has finished: with
        workers the attribution's batches are still running in the pool then, so work that
        needs only the pathways (``trajectories.parquet``, the band sensitivity) overlaps them.

    Returns
    -------
    ScenarioRun

    Raises
    ------
    ScenarioError
        What :func:`chainsim.experiment.preflight.preflight` finds, before any day is run.
    """
    from chainsim import __version__
    from chainsim.experiment.preflight import preflight

    sc = loaded.scenario
    entries = list(dict.fromkeys(sc.pathways.compare))
    if not entries:
        raise ScenarioError("pathways.compare: expected at least one pathway")
    if isinstance(workers, bool) or int(workers) != workers or workers < 1:
        raise ScenarioError(f"workers: expected a positive integer; found {workers!r}")
    if checked is None:
        preflight(loaded)  # everything the run would refuse, before any day is simulated
    if "baseline" not in entries:
        entries.insert(0, "baseline")
    seeds = replication_seeds(sc.seed, sc.replications)
    quantiles = lever_quantiles(sc.seed, sc.replications) if sc.levers == "drawn" else None
    finished: list[str] = []

    def done(entry: str) -> None:
        finished.append(entry)
        if progress is not None:
            progress(entry, len(finished), len(entries))

    attribute = sc.pathways.attribution.method != "off" and len(entries) > 1
    attribution = None
    if workers > 1 and len(entries) > 1:
        def done_parallel(entry: str) -> None:
            if day_progress is not None:
                day_progress(sc.horizon_days)
            done(entry)

        runs, attribution = _run_parallel(loaded, entries, seeds, quantiles, int(workers), done_parallel,
                                          attribute, progress, on_pathways)
    else:
        runs = {}
        for entry in entries:
            runs[entry] = run_pathway(loaded, entry, seeds=seeds, quantiles=quantiles, day_progress=day_progress)
            done(entry)
        if on_pathways is not None:
            on_pathways(dict(runs))
        if attribute:
            from chainsim.experiment.attribution import run_attribution

            attribution = run_attribution(loaded, runs, seeds, {e: r.lever_fulls for e, r in runs.items()},
                                          progress=progress)
    prov = {
        "chainsim_version": __version__, "scenario": sc.name, "scenario_sha256": loaded.sha256,
        "scenario_file": None if loaded.path is None else str(loaded.path), "dataset": loaded.table.name,
        "dataset_checksum": loaded.table.checksum, "seed": sc.seed, "replications": sc.replications,
        "horizon_days": sc.horizon_days, "pathways": entries,
        "replication_seeds": [{"entropy": s.entropy, "spawn_key": list(s.spawn_key)} for s in seeds],
        "levers_mode": sc.levers,
        "lever_draw_seeds": ([{"entropy": s.entropy, "spawn_key": list(s.spawn_key)}
                              for s in lever_draw_seeds(sc.seed, sc.replications)] if quantiles is not None else None),
        "params": {e: r.params for e, r in runs.items()},
        "levers": {e: r.plan.levers for e, r in runs.items()},
        "lever_values": {e: list(r.lever_values) for e, r in runs.items()},
        "evidence_classes": {e: r.plan.evidence for e, r in runs.items()},
    }
    return ScenarioRun(loaded=loaded, pathways=runs, provenance=prov, attribution=attribution)
