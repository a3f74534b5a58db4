"""Run a scenario: every pathway x replication through the engine, with common random numbers.

Replication ``k`` of every pathway uses the same seed (``SeedSequence(seed).spawn``), so the
sampled disruption start, duration and size are the same across pathways, and — with
``levers: drawn``, the default — the same draw of each lever's full value from its evidence
range (:mod:`chainsim.pathways.draws`): a difference between pathways is the pathway's, not
luck. Each pathway's replications run as one batch through the engine (members that differ
in their drawn levers through ``member_params``). ``baseline`` is always run: it is the
reference of the paired comparison. When ``pathways.attribution`` is on, the lever subsets of
every pathway are run too (:mod:`chainsim.experiment.attribution`). Nothing here writes
files (see :mod:`chainsim.experiment.outputs`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from chainsim.engine import Engine, build_model
from chainsim.engine.params import resolve_params
from chainsim.errors import ScenarioError
from chainsim.pathways.apply import PathwayPlan, plan_pathway
from chainsim.pathways.draws import drawn_overrides, lever_draw_seeds, lever_quantiles
from chainsim.pathways.evidence import disrupted_products
from chainsim.pathways.registry import LEVERS, PATHWAYS
from chainsim.scenario.load import LoadedScenario

if TYPE_CHECKING:
    from chainsim.experiment.attribution import Attribution

__all__ = ["PathwayRun", "ScenarioRun", "central_fulls", "replication_seeds", "run_pathway", "run_scenario"]

Progress = Callable[[str, int, int], None]


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """One independent seed per replication, derived from the scenario seed (``SeedSequence.spawn``)."""
    return np.random.SeedSequence(int(seed)).spawn(int(replications))


@dataclass(frozen=True, eq=False)
class PathwayRun:
    """All replications of one pathway entry.

    Attributes
    ----------
    plan : PathwayPlan
        Levers at their central values, parameter overrides and rewritten disruptions (the
        replications' drawn lever values are in ``lever_values``).
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
    lever_values : tuple of dict
        Per replication: lever name -> value in force (drawn or central).
    lever_fulls : tuple of dict
        Per replication: ``{pathway: {lever: full value}}`` behind ``lever_values``.
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
    lever_values: tuple[dict[str, float], ...] = ()
    lever_fulls: tuple[dict[str, dict[str, float]], ...] = ()


@dataclass(frozen=True, eq=False)
class ScenarioRun:
    """The result of :func:`run_scenario`: one :class:`PathwayRun` per pathway entry, provenance, attribution."""

    loaded: LoadedScenario
    pathways: Mapping[str, PathwayRun]
    provenance: Mapping[str, Any] = field(default_factory=dict)
    attribution: Attribution | None = None

    @property
    def table(self) -> Any:
        """The table the scenario ran on."""
        return self.loaded.table

    def inert_pathways(self) -> list[str]:
        """Pathway entries whose trajectories equal the baseline's: they change nothing here.

        Replications share their random draws, so equality is not statistical: every industry
        on every day within :data:`~chainsim.experiment.paired.IDENTICAL_RTOL` of the
        economy's daily output (levers that act only through rounding change nothing).
        """
        from chainsim.experiment.paired import IDENTICAL_RTOL

        base = self.pathways.get("baseline")
        if base is None:
            return []
        tol = IDENTICAL_RTOL * float(base.baseline.sum())
        return [e for e, pr in self.pathways.items()
                if e != "baseline" and pr.output.shape == base.output.shape
                and float(np.abs(pr.output - base.output).max(initial=0.0)) <= tol]


def central_fulls(entry: str, products: Sequence[str], overrides: Mapping[str, Mapping[str, float]]
                  ) -> dict[str, dict[str, float]]:
    """Every lever's full value at the centre of its evidence range (or the scenario's own), per pathway."""
    out = {}
    for p in (q.strip() for q in entry.split("+")):
        own = dict(overrides.get(p, {}))
        out[p] = {lv: own.get(lv, LEVERS[lv].range_for(products)[0].full) for lv in PATHWAYS[p].levers}
    return out


def run_pathway(loaded: LoadedScenario, entry: str, *, seeds: Sequence[Any] | None = None,
                quantiles: np.ndarray | None = None) -> PathwayRun:
    """Run all replications of one pathway entry as one engine batch.

    ``quantiles`` (replications x levers, :func:`~chainsim.pathways.draws.lever_quantiles`)
    draw each replication's lever full values from their evidence ranges; without them every
    lever takes its central value.
    """
    sc = loaded.scenario
    pw = sc.pathways
    kw = dict(intensity=pw.intensity, intensities=pw.intensities, costs=pw.costs,
              sector_codes=loaded.table.sector_codes, base_params=sc.params)
    plan = plan_pathway(entry, sc.disruptions, overrides=pw.levers, **kw)
    seeds = list(seeds) if seeds is not None else replication_seeds(sc.seed, sc.replications)
    products = disrupted_products(sc.disruptions)
    if quantiles is None or not plan.levers:
        fulls = [central_fulls(entry, products, pw.levers)] * len(seeds)
        plans = [plan] * len(seeds)
    else:
        if len(quantiles) != len(seeds):
            raise ScenarioError(f"quantiles: expected {len(seeds)} rows (one per replication); found {len(quantiles)}")
        fulls = [drawn_overrides(entry, q, products, pw.levers) for q in quantiles]
        plans = [plan_pathway(entry, sc.disruptions, overrides=f, **kw) for f in fulls]
    params = resolve_params(plan.params)
    model = build_model(loaded.table, params)
    members = None if all(p is plan for p in plans) else [resolve_params(p.params) for p in plans]
    t0 = time.perf_counter()
    arrays = Engine(model, [list(p.disruptions) for p in plans], seeds=seeds, member_params=members
                    ).run(sc.horizon_days)
    seconds = time.perf_counter() - t0
    onset = np.full(len(seeds), -1)
    for s in arrays.samples:
        b = s["batch"]
        onset[b] = s["start"] if onset[b] < 0 else min(onset[b], s["start"])
    return PathwayRun(plan=plan, output=np.ascontiguousarray(arrays.output.transpose(1, 0, 2)),
                      baseline=np.asarray(model.xbar[: model.n]).copy(), onset=onset, events=arrays.events,
                      samples=arrays.samples, params=params.model_dump(mode="json"),
                      crash_day=arrays.crash_day.copy(), seconds=seconds,
                      lever_values=tuple(dict(p.levers) for p in plans), lever_fulls=tuple(fulls))


def run_scenario(loaded: LoadedScenario, *, progress: Progress | None = None, checked: Any = None) -> ScenarioRun:
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
    if checked is None:
        preflight(loaded)  # everything the run would refuse, before any day is simulated
    if "baseline" not in entries:
        entries.insert(0, "baseline")
    seeds = replication_seeds(sc.seed, sc.replications)
    quantiles = lever_quantiles(sc.seed, sc.replications) if sc.levers == "drawn" else None
    runs: dict[str, PathwayRun] = {}
    for k, entry in enumerate(entries):
        runs[entry] = run_pathway(loaded, entry, seeds=seeds, quantiles=quantiles)
        if progress is not None:
            progress(entry, k + 1, len(entries))
    attribution = None
    if sc.pathways.attribution.method != "off" and len(entries) > 1:
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
