"""The run's process pool: the pathways' engine batches, then the attribution's, in one pool.

A forked worker inherits the coordinator's modules, its scenario and table and (after
:func:`load_engine_loops`) the engine's compiled loops. The attribution's batches need only
each entry's plan and lever full values, known before any run
(:func:`chainsim.experiment.attribution.plan_attribution`), so they queue behind the pathways
in the same pool: no second pool, no core idle while the last pathway finishes, and the
coordinator can work on what needs the pathways only (``on_pathways``) while the workers run
the attribution. Each task computes exactly what it would compute alone, so results do not
depend on the number of workers (``docs/performance.md``, "The main job").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["load_engine_loops", "run_in_pool"]


def load_engine_loops(loaded: Any) -> None:
    """Load numba and the engine's compiled loops in this process (a three-day run of the scenario's model).

    Called before a pool forks: every forked worker inherits the loaded loops instead of
    importing numba and reading its cache again — about 1.5 s of CPU per worker
    (``docs/performance.md``). No result depends on it.
    """
    from chainsim.engine import Engine, build_model
    from chainsim.engine.params import resolve_params

    model = build_model(loaded.table, resolve_params(loaded.scenario.params))
    Engine(model, [[]]).run(3, record=())


def run_in_pool(loaded: Any, pathways: Mapping[str, tuple[Callable[..., Any], tuple]], chunks: Sequence[tuple],
                workers: int, *, done: Callable[[str], None],
                progress: Callable[[str, int, int], None] | None = None,
                on_pathways: Callable[[dict[str, Any]], None] | None = None) -> tuple[dict[str, Any], list[Any]]:
    """Run every pathway task, then every attribution batch, on ``workers`` processes.

    Parameters
    ----------
    loaded : LoadedScenario
        Its engine loops are loaded before the fork.
    pathways : mapping
        Entry -> ``(task, args)``: ``task(*args)`` returns the entry's
        :class:`~chainsim.experiment.run.PathwayRun`.
    chunks : sequence of tuple
        Arguments of :func:`chainsim.experiment.attribution._chunk_task`, one per batch.
    workers : int
    done : callable
        ``done(entry)`` when an entry's run is in.
    progress : callable, optional
        ``progress("attribution", done, total)`` per batch, reported once every pathway is in.
    on_pathways : callable, optional
        ``on_pathways(runs)`` (entry -> run, in ``pathways`` order), in this process, as soon as
        every pathway is in, while the workers may still run batches.

    Returns
    -------
    runs : dict
        Entry -> its run, in ``pathways`` order.
    sums : list
        Per batch (in ``chunks`` order), its members' series.
    """
    import multiprocessing
    from concurrent.futures import wait

    from chainsim.experiment.attribution import _chunk_task
    from chainsim.procs import WorkerPool
    from chainsim.sweeps.runner import pool_start_method

    method = pool_start_method()
    if method == "fork":
        load_engine_loops(loaded)
    ctx = multiprocessing.get_context(method)
    entries = list(pathways)
    runs: dict[str, Any] = {}
    sums: list[Any] = [None] * len(chunks)
    chunks_done: list[int] = []
    reported = 0
    # the workers end with this process and leave Ctrl-C to it; Ctrl-C here terminates them (procs.WorkerPool)
    with WorkerPool(max(1, min(workers, len(entries) + len(chunks))), mp_context=ctx) as pool:
        todo = {pool.submit(task, *args): ("pathway", e) for e, (task, args) in pathways.items()}
        todo.update({pool.submit(_chunk_task, *a): ("chunk", c) for c, a in enumerate(chunks)})
        while todo:
            finished, _ = wait(todo, return_when="FIRST_COMPLETED")
            for fut in finished:
                kind, key = todo.pop(fut)
                if kind == "pathway":
                    runs[key] = fut.result()
                    done(key)
                    if len(runs) == len(entries) and on_pathways is not None:
                        on_pathways({e: runs[e] for e in entries})
                else:
                    sums[key] = fut.result()
                    chunks_done.append(key)
            if len(runs) == len(entries) and progress is not None:  # attribution progress after the pathways'
                while reported < len(chunks_done):
                    reported += 1
                    progress("attribution", reported, len(chunks))
    return {e: runs[e] for e in entries}, sums
