r"""Lever attribution: how much of a pathway's effect each of its levers brings.

A pathway moves several levers at once. For a pathway with acting levers :math:`N` (those its
plan can apply in the scenario), let :math:`v(S)` be the mean paired loss difference with
baseline when only the levers in :math:`S \subseteq N` are on (the others at their baseline),
over the same replications, shock draws and lever draws as the main run. Then

- **one at a time**: :math:`v(\{i\})`, lever *i* alone;
- **Shapley** (Shapley 1953): :math:`\phi_i = \sum_{S \subseteq N \setminus \{i\}}
  \frac{|S|!\,(|N|-|S|-1)!}{|N|!}\,[v(S \cup \{i\}) - v(S)]`, which adds up exactly to the
  pathway's own difference :math:`v(N)` (efficiency) and gives a lever that changes nothing
  in every coalition exactly 0 (null player).

:math:`v(\varnothing)` is the baseline run and :math:`v(N)` the pathway's run; the other
:math:`2^{|N|} - 2` subsets (Shapley) or the :math:`|N|` singletons (one at a time) are
extra runs, batched through the engine ``member_params`` (balanced batches of at most
:data:`CHUNK` members, an even number of them when more than one: the pool's two workers end
together), and queued in the pathways' own pool behind them (:func:`plan_attribution`). A
member's series does not depend on the batch it runs in (the same draws, its own columns:
the README scenario's attribution is the same to the last bit with batches of 7, 14 or 19
members, the toy's with 2, 3 or all, ``tests/test_attribution.py``). Attribution uses the
first ``attribution.replications`` replications (default 4: on the README scenario 14 lever
subsets x 4 = 56 members, four engine batches of 14);
a pathway with more than :data:`MAX_SHAPLEY_LEVERS` acting levers falls back to one at a time.

The Shapley split and ``attribution.csv`` are computed in
:mod:`chainsim.experiment.attribution_table` (re-exported here).

References
----------
.. [1] Shapley, L. S. (1953). A value for n-person games. In *Contributions to the Theory of
   Games II*, Annals of Mathematics Studies 28, 307-317.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainsim.experiment.attribution_table import (
    ATTRIBUTION_COLUMNS,
    Attribution,
    attribution_columns,
    attribution_frame,
    shapley,
)

__all__ = ["ATTRIBUTION_COLUMNS", "CHUNK", "MAX_SHAPLEY_LEVERS", "Attribution", "AttributionPlan",
           "attribution_columns", "attribution_from_chunks", "plan_attribution", "run_attribution", "shapley"]

#: largest number of acting levers for an exact Shapley split (2^k − 2 extra lever subsets)
MAX_SHAPLEY_LEVERS = 4
#: engine batch size of the attribution runs (the engine's cost per member grows past ~20)
CHUNK = 20

Progress = Callable[[str, int, int], None]


def _subsets(players: Sequence[str], method: str) -> list[frozenset[str]]:
    """The coalitions that need a run of their own (not the empty set, not all players)."""
    k = len(players)
    sizes = range(1, k) if method == "shapley" else ([1] if k > 1 else [])
    return [frozenset(c) for s in sizes for c in itertools.combinations(players, s)]


def _chunk_series(table: Any, params: Any, days: int, chunk: Sequence[tuple], seeds: Sequence[Any],
                  masks: Mapping[str, np.ndarray]) -> list[dict[str, np.ndarray]]:
    """One engine batch of attribution members: each member's daily output summed over each scope's mask.

    The same function runs in this process or in a pool worker (one BLAS thread there, the
    processes being the parallelism), so the series do not depend on where it ran.
    """
    from chainsim.engine import Engine, build_model
    from chainsim.engine.clock import reusable_output
    from chainsim.engine.params import resolve_params

    model = build_model(table, resolve_params(params))
    out = reusable_output((days, len(chunk), model.n))  # reduced to scope sums below, before the next batch
    arrays = Engine(model, [m[4] for m in chunk], seeds=[seeds[m[2]] for m in chunk],
                    member_params=[m[3] for m in chunk]).run(days, record=(), out=out)
    return [{s: arrays.output[:, b, mask].sum(axis=1) for s, mask in masks.items()} for b in range(len(chunk))]


def _chunk_task(*args: Any) -> list[dict[str, np.ndarray]]:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _chunk_series(*args)


@dataclass(frozen=True, eq=False)
class AttributionPlan:
    """The engine batches of a lever attribution, known before any pathway has run.

    Attributes
    ----------
    chunks : list of tuple
        One argument tuple of :func:`_chunk_series` per engine batch (run them anywhere, in
        any order: :func:`attribution_from_chunks` takes the results by batch number).
    members : list of list of tuple
        Per batch, its members ``(entry, lever subset, replication, params, disruptions)``.
    players, methods, notes, masks, replications
        What :func:`attribution_from_chunks` needs to split each pathway's effect.
    """

    chunks: list[tuple]
    members: list[list[tuple]]
    players: Mapping[str, tuple[str, ...]]
    methods: Mapping[str, str]
    notes: Mapping[str, str]
    masks: Mapping[str, np.ndarray]
    replications: int


def plan_attribution(loaded: Any, plans: Mapping[str, Any], seeds: Sequence[Any], fulls: Mapping[str, Any]
                     ) -> AttributionPlan:
    """The lever subsets of every pathway as engine batches (:class:`AttributionPlan`).

    Needs only each entry's central plan (:func:`~chainsim.pathways.apply.plan_pathway`, for
    its acting levers) and its lever full values, not its run: the batches can run in the same
    pool as the pathways. The empty subset is the baseline's run and the full one the
    pathway's own (same seeds, same lever draws): neither is run again.

    Parameters
    ----------
    loaded : LoadedScenario
    plans : mapping
        Pathway entry -> its :class:`~chainsim.pathways.apply.PathwayPlan` at central values
        (``baseline`` included).
    seeds, fulls
        As for :func:`run_attribution`.
    """
    from chainsim.data.scopes import scope_mask
    from chainsim.pathways.apply import plan_pathway
    from chainsim.pathways.registry import LEVERS, PATHWAYS

    sc = loaded.scenario
    table = loaded.table
    pw = sc.pathways
    n = min(int(pw.attribution.replications), len(seeds))
    members: list[tuple[str, frozenset[str], int, dict[str, Any], list[dict]]] = []
    players: dict[str, tuple[str, ...]] = {}
    methods: dict[str, str] = {}
    notes: dict[str, str] = {}
    for entry, plan_ in plans.items():
        if entry == "baseline":
            continue
        players[entry] = tuple(plan_.changed)
        method = pw.attribution.method
        if method == "shapley" and len(players[entry]) > MAX_SHAPLEY_LEVERS:
            method = "one_at_a_time"
            notes[entry] = (f"{len(players[entry])} levers apply to this scenario: one at a time only "
                            f"(Shapley up to {MAX_SHAPLEY_LEVERS})")
        methods[entry] = method
        names = [p.strip() for p in entry.split("+")]
        for S in _subsets(players[entry], method):
            for r in range(n):
                full = fulls[entry][r]
                ov = {p: {lv: (full.get(p, {}).get(lv, LEVERS[lv].full) if lv in S else LEVERS[lv].baseline)
                          for lv in PATHWAYS[p].levers} for p in names}
                plan = plan_pathway(entry, sc.disruptions, intensity=pw.intensity, intensities=pw.intensities,
                                    overrides=ov, sector_codes=table.sector_codes, base_params=sc.params)
                members.append((entry, S, r, plan.params, list(plan.disruptions)))
    masks = {s: scope_mask(table, s) for s in sc.metrics.scope}
    batches: list[list[tuple]] = []
    if members:
        count = math.ceil(len(members) / CHUNK)
        count += count % 2 if count > 1 else 0  # an even number: two workers finish together
        size = math.ceil(len(members) / count)  # balanced: no small last batch
        batches = [members[k:k + size] for k in range(0, len(members), size)]
    chunks = [(table, plans["baseline"].params, sc.horizon_days, chunk, seeds, masks) for chunk in batches]
    return AttributionPlan(chunks=chunks, members=batches, players=players, methods=methods, notes=notes,
                           masks=masks, replications=n)


def attribution_from_chunks(loaded: Any, runs: Mapping[str, Any], plan: AttributionPlan,
                            sums: Sequence[list[dict[str, np.ndarray]]]) -> Attribution:
    """The :class:`Attribution` from the pathways' runs and the results of ``plan.chunks`` (in batch order)."""
    n = plan.replications
    series: dict[tuple[str, frozenset[str]], dict[str, np.ndarray]] = {}
    for chunk, by_member in zip(plan.members, sums, strict=True):
        for (entry, S, r, _, _), by_scope in zip(chunk, by_member, strict=True):
            per_scope = series.setdefault((entry, S), {})
            for s, y in by_scope.items():
                per_scope.setdefault(s, np.zeros((n, len(y))))[r] = y
    frame = attribution_frame(loaded, runs, plan.players, plan.methods, series, plan.masks, n)
    return Attribution(frame=frame, notes=dict(plan.notes))


def run_attribution(loaded: Any, runs: Mapping[str, Any], seeds: Sequence[Any], fulls: Mapping[str, Any],
                    *, progress: Progress | None = None, workers: int = 1) -> Attribution:
    """Run the lever subsets of every pathway and split each pathway's effect over its levers.

    :func:`plan_attribution`, its batches run here or on a pool, then
    :func:`attribution_from_chunks`. (``run_scenario`` with workers runs the batches in the
    pathways' own pool instead.)

    Parameters
    ----------
    loaded : LoadedScenario
    runs : mapping
        Pathway entry -> :class:`~chainsim.experiment.run.PathwayRun` of the main run
        (``baseline`` included).
    seeds : sequence
        The replications' shock seeds (the first ``attribution.replications`` are used).
    fulls : mapping
        Pathway entry -> per replication ``{pathway: {lever: full value}}`` as run (drawn,
        central or the scenario's own).
    progress : callable, optional
        ``progress("attribution", done, total)`` after each engine batch.
    workers : int
        Processes running the engine batches (1: in this process); the batches are the same
        either way, so the attribution does not depend on it.
    """
    plan = plan_attribution(loaded, {e: r.plan for e, r in runs.items()}, seeds, fulls)
    sums: list[Any] = [None] * len(plan.chunks)

    def store(c: int, result: list[dict[str, np.ndarray]], done: int) -> None:
        sums[c] = result
        if progress is not None:
            progress("attribution", done, len(plan.chunks))

    if workers > 1 and len(plan.chunks) > 1:
        import multiprocessing
        from concurrent.futures import as_completed

        from chainsim.procs import WorkerPool
        from chainsim.sweeps.runner import pool_start_method

        ctx = multiprocessing.get_context(pool_start_method())
        with WorkerPool(min(int(workers), len(plan.chunks)), mp_context=ctx) as pool:
            futures = {pool.submit(_chunk_task, *a): c for c, a in enumerate(plan.chunks)}
            for done, fut in enumerate(as_completed(futures), start=1):
                store(futures[fut], fut.result(), done)
    else:
        for c, a in enumerate(plan.chunks):
            store(c, _chunk_series(*a), c + 1)
    return attribution_from_chunks(loaded, runs, plan, sums)
