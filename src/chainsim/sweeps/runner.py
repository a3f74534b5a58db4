"""Run a sweep: design → chunks → an injected executor → Parquet chunks → analysis → outputs.

Executors: serial (``workers=1``), local processes (default,
:class:`chainsim.procs.WorkerPool`, a ``ProcessPoolExecutor``; one BLAS thread per process, forked from the
coordinator where that is safe: :func:`pool_start_method`), or Dask
distributed (``scheduler="local"`` starts a ``LocalCluster`` on loopback, any other value is
a scheduler address). Every executor maps the same top-level
:func:`~chainsim.sweeps.evaluate.evaluate_chunk` over the same chunks, and a chunk's runs
depend only on the chunk, so results are identical for any executor and worker count.

Robustness: each finished chunk is written at once (atomically) by the coordinating
process. Ctrl-C cancels what is pending, stops the local workers at once
(:class:`chainsim.procs.WorkerPool`) and keeps what is written; a crashed process pool
is restarted and only unfinished chunks resubmitted; on Dask, tasks of a lost worker are
rescheduled by the scheduler, and a chunk that still fails with a lost worker is
resubmitted, while a cluster left without workers or stalled ends in a clear error
(:mod:`chainsim.sweeps.dask_run`). ``resume=True`` reruns only the missing chunks.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from chainsim.errors import ScenarioError, SimulationError
from chainsim.procs import WorkerPool, available_cpus
from chainsim.sweeps.analysis import ranking_table, sensitivity_table, write_figures
from chainsim.sweeps.dask_run import run_dask
from chainsim.sweeps.design import Design, make_design
from chainsim.sweeps.evaluate import evaluate_chunk, prime, scenario_of
from chainsim.sweeps.spec import SweepSpec, load_sweep
from chainsim.sweeps.store import (
    atomic_write,
    design_hash,
    finished_chunks,
    identity_changes,
    read_chunks,
    read_manifest,
    sweep_identity,
    verify_chunks,
    write_chunk,
    write_manifest,
)

__all__ = ["DEFAULT_CHUNK_SIZE", "SweepResult", "chunk_layout", "pool_start_method", "run_sweep"]

log = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 32  # runs per chunk: four engine batches; small enough to keep 2-8 workers evenly busy
MAX_RESTARTS = 3
Chunk = tuple[int, list[dict[str, Any]]]
OnDone = Callable[[int, list[dict[str, Any]]], None]


@dataclass(frozen=True, eq=False)
class SweepResult:
    """A finished sweep.

    Attributes
    ----------
    spec : SweepSpec
    design : Design
    runs : DataFrame
        One row per run (``runs.parquet``).
    sensitivity : DataFrame
        ``sensitivity.csv``.
    ranking : DataFrame or None
        ``ranking.csv`` (scenario sweeps with pathway factors).
    out_dir : Path
    provenance : dict
        ``sweep.json``.
    paths : dict
        Written files by name.
    """

    spec: SweepSpec
    design: Design
    runs: pd.DataFrame
    sensitivity: pd.DataFrame
    ranking: pd.DataFrame | None
    out_dir: Path
    provenance: Mapping[str, Any] = field(default_factory=dict)
    paths: Mapping[str, Path] = field(default_factory=dict)


def chunk_layout(design: Design, chunk_size: int) -> list[tuple[int, int]]:
    """``(first, stop)`` row ranges of the chunks: ``chunk_size`` rounded up to whole design blocks.

    Examples
    --------
    >>> import pandas as pd
    >>> d = Design(pd.DataFrame({"run_id": range(22)}), block=11, method="sobol")
    >>> chunk_layout(d, 16)
    [(0, 22)]
    >>> chunk_layout(d, 11)
    [(0, 11), (11, 22)]
    """
    if chunk_size < 1:
        raise ScenarioError(f"--chunk-size: expected a positive number of runs; found {chunk_size}")
    size = -(-int(chunk_size) // design.block) * design.block
    n = len(design)
    return [(lo, min(lo + size, n)) for lo in range(0, n, size)]


@contextmanager
def _single_blas_thread() -> Iterator[None]:
    """Child processes started inside get one BLAS thread each (the processes are the parallelism)."""
    names = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
    old = {n: os.environ.get(n) for n in names}
    os.environ.update(dict.fromkeys(names, "1"))
    try:
        yield
    finally:
        for n, v in old.items():
            if v is None:
                os.environ.pop(n, None)
            else:
                os.environ[n] = v


def pool_start_method() -> str:
    """How local pool workers start: ``"fork"`` where it is safe, ``"spawn"`` otherwise.

    A forked worker starts in milliseconds with the coordinator's modules already imported
    and its scenario and table already loaded; a spawned one first imports numpy, pandas,
    SALib and chainsim again (about 0.5 s each, 1 s or more when two start together on two
    cores: about a tenth of a 1,000-run sweep on 2 cores, ``docs/sweeps.md``). Forking is
    safe only on Linux and only while this process runs no other Python thread (a thread
    holding a lock at the fork leaves the child deadlocked; Python 3.12 warns of it): a
    notebook kernel, a Dask client or an earlier pool's manager thread means ``spawn``, as
    do macOS (fork is unsafe with its system libraries) and Windows (no fork). Native
    thread pools are not a hazard: OpenBLAS and Arrow reset theirs at a fork, and every
    worker is held to one BLAS thread (:func:`_init_worker`).

    Results do not depend on the start method: a chunk's runs depend only on the chunk.
    """
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


def _init_worker(spec: SweepSpec, loaded: Any) -> None:
    """Pool worker initializer: one BLAS thread (the processes are the parallelism), primed scenario.

    A spawned worker gets one BLAS thread from the environment (:func:`_single_blas_thread`);
    a forked one inherits the coordinator's BLAS, which may run several. In the pool of
    :func:`_run_pool` (a :class:`chainsim.procs.WorkerPool`) the worker has already been made
    to ignore Ctrl-C and to end when the coordinator dies.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    prime(spec, loaded)


def _run_serial(spec: SweepSpec, chunks: Sequence[Chunk], on_done: OnDone) -> None:
    for cid, rows in chunks:
        on_done(cid, evaluate_chunk(spec, rows))


def _run_pool(spec: SweepSpec, chunks: Sequence[Chunk], on_done: OnDone, workers: int) -> None:
    pending = dict(chunks)
    restarts = 0
    loaded = scenario_of(spec) if spec.model is None else None  # handed to the workers, not re-read
    while pending:
        ctx = multiprocessing.get_context(pool_start_method())  # a restart may find threads left running
        try:
            # leaving the block by an exception (Ctrl-C, a broken pool) cancels the queued chunks and terminates
            # the workers: a running chunk's rows are not stored anyway (procs.WorkerPool)
            with WorkerPool(workers, mp_context=ctx, initializer=_init_worker, initargs=(spec, loaded)) as ex:
                with _single_blas_thread():  # the workers start in submit
                    futs: dict[Future, int] = {ex.submit(evaluate_chunk, spec, rows): cid
                                               for cid, rows in pending.items()}
                while futs:
                    done, _ = wait(futs, return_when=FIRST_COMPLETED)
                    for fut in done:
                        cid = futs.pop(fut)
                        on_done(cid, fut.result())
                        del pending[cid]
        except BrokenProcessPool:
            restarts += 1
            if restarts > MAX_RESTARTS:
                raise SimulationError(f"the process pool crashed {restarts} times; {len(pending)} chunk(s) left "
                                      "unfinished (finished chunks are saved: rerun with --resume)") from None
            log.warning("a worker process died; restarting the pool for %d unfinished chunk(s)", len(pending))


def _provenance(spec: SweepSpec, design: Design, layout: list[tuple[int, int]], chunk_size: int) -> dict[str, Any]:
    import hashlib
    from importlib.metadata import version

    import numpy as np

    from chainsim import __version__

    prov: dict[str, Any] = {
        "chainsim_version": __version__, "salib_version": version("SALib"), "numpy_version": np.__version__,
        "python": sys.version.split()[0], "sweep": spec.name, "sweep_sha256": spec.sha256,
        "sweep_file": None if spec.path is None else str(spec.path),
        "sweep_file_sha256": None if spec.path is None else hashlib.sha256(spec.path.read_bytes()).hexdigest(),
        "seed": spec.seed, "seed_pool": spec.seed_pool,
        "seed_rule": "run seed = SeedSequence(seed).spawn(seed_pool)[seed_index], "
                     "seed_index = floor(seed factor x seed_pool)",
        "design": {**spec.design.model_dump(), "runs": len(design), "block": design.block,
                   "design_sha256": design_hash(design.matrix)},
        "factors": [{"key": f.key, "low": f.low, "high": f.high, "kind": f.kind} for f in spec.factors],
        "outputs": list(spec.outputs), "scope": spec.scope, "ranking": spec.ranking.model_dump(),
        "chunk_size": chunk_size, "chunks": len(layout),
    }
    if spec.model is not None:
        prov["model"] = f"{spec.model.__module__}.{spec.model.__qualname__}"
    else:
        loaded = scenario_of(spec)
        prov.update({"scenario": loaded.scenario.name, "scenario_file": str(spec.scenario_path),
                     "scenario_sha256": spec.scenario_sha256, "horizon_days": loaded.scenario.horizon_days,
                     "dataset": loaded.table.name, "dataset_checksum": loaded.table.checksum})
    return prov


def _progress_bar(progress: bool | Callable[[int, int], None], total: int, initial: int) -> Callable[[int], None]:
    done = [initial]
    if callable(progress):
        progress(initial, total)

        def step(n: int) -> None:
            done[0] += n
            progress(done[0], total)

        return step
    from tqdm import tqdm

    class _Bar(tqdm):
        monitor_interval = 0  # no monitor thread: it would keep pool workers from being forked

    bar = _Bar(total=total, initial=initial, unit="run", file=sys.stderr, disable=not progress, dynamic_ncols=True,
               desc="sweep")
    if initial >= total:
        bar.close()

    def update(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    return update


def run_sweep(spec_or_path: SweepSpec | str | Path | Mapping[str, Any], *, out_dir: str | Path,
              workers: int | None = None, scheduler: str | Any | None = None, resume: bool = False,
              progress: bool | Callable[[int, int], None] = True, chunk_size: int | None = None,
              samples: int | None = None, figures: bool = True) -> SweepResult:
    """Run a sensitivity sweep and write its outputs.

    Parameters
    ----------
    spec_or_path : SweepSpec, path or mapping
        A loaded sweep, a sweep file, or its content.
    out_dir : path
        Output folder (``chunks/``, ``runs.parquet``, ``sensitivity.csv``, ``ranking.csv``,
        ``sweep.json``, figures).
    workers : int, optional
        Processes (or Dask workers for ``scheduler="local"``); ``1`` runs serially in this
        process. Default: the number of CPUs.
    scheduler : str or distributed.Client, optional
        ``"local"`` (a ``LocalCluster`` on loopback), a scheduler address, or a client.
    resume : bool
        Continue an interrupted sweep in ``out_dir`` (only missing chunks run).
    progress : bool or callable
        A tqdm bar on stderr, or ``progress(done_runs, total_runs)``.
    chunk_size : int, optional
        Runs per chunk (rounded up to whole design blocks); fixed for a sweep folder.
    samples : int, optional
        Override the design's ``samples``.
    figures : bool
        Write the PNG figures.

    Returns
    -------
    SweepResult

    Raises
    ------
    ScenarioError
        Invalid sweep, or ``out_dir`` holds another sweep (or results without ``resume``).
    SimulationError
        Workers kept failing.
    """
    spec = spec_or_path if isinstance(spec_or_path, SweepSpec) else load_sweep(spec_or_path)
    if samples is not None:
        spec = load_sweep_with_samples(spec, samples)
    if workers is not None and (isinstance(workers, bool) or int(workers) != workers or workers < 1):
        raise ScenarioError(f"--workers: expected a positive number of processes (1 = serial; leave it out for "
                            f"all {available_cpus()} CPUs); found {workers}")
    workers = int(workers or available_cpus())
    out = Path(out_dir)
    design = make_design(spec)
    dh = design_hash(design.matrix)
    old = read_manifest(out)
    if chunk_size is None:
        chunk_size = int(old.get("chunk_size", DEFAULT_CHUNK_SIZE)) if (resume and old) else DEFAULT_CHUNK_SIZE
    layout = chunk_layout(design, chunk_size)
    identity = _identity(spec, dh, chunk_size)
    manifest = {"sweep": spec.name, "identity": identity, "sweep_sha256": spec.sha256, "design_sha256": dh,
                "runs": len(design), "chunk_size": chunk_size, "chunks": len(layout), "status": "running"}
    present = finished_chunks(out)
    if old is not None or present:
        if not resume:
            raise ScenarioError(f"{out}: already holds a sweep; pass --resume to continue it or choose another --out")
        if old is not None:
            before = old.get("identity") or {k: old.get(k) for k in ("sweep_sha256", "design_sha256", "chunk_size")}
            changes = identity_changes(before, identity)
            if changes:
                raise ScenarioError(f"{out}: holds a different sweep, so its runs cannot be resumed: "
                                    f"{'; '.join(changes)}. Choose another --out (or delete the folder)")
    out.mkdir(parents=True, exist_ok=True)
    rejected: dict[str, str] = {}
    done_ids: set[int] = set()
    if resume:
        check = verify_chunks(out, layout, identity["sha256"])
        done_ids, rejected = set(check.good), dict(check.rejected)
        for name, why in rejected.items():
            log.warning("%s: %s; moved to chunks/rejected/, its runs run again", out / "chunks" / name, why)
    write_manifest(out, {**manifest, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    records = design.matrix.to_dict("records")
    todo = [(cid, records[lo:hi]) for cid, (lo, hi) in enumerate(layout) if cid not in done_ids]
    initial = sum(hi - lo for cid, (lo, hi) in enumerate(layout) if cid in done_ids)
    step = _progress_bar(progress, len(design), initial)

    def on_done(cid: int, rows: list[dict[str, Any]]) -> None:
        write_chunk(out, cid, rows, sweep_sha256=identity["sha256"])
        step(len(rows))

    t0 = time.perf_counter()
    if todo:
        if scheduler is not None:
            run_dask(spec, todo, on_done, workers, scheduler)
        elif workers == 1 or len(todo) == 1:
            _run_serial(spec, todo, on_done)
        else:
            _run_pool(spec, todo, on_done, min(workers, len(todo)))
    seconds = time.perf_counter() - t0
    return _finish(spec, design, out, layout, chunk_size, seconds, len(todo), figures, identity, rejected)


def load_sweep_with_samples(spec: SweepSpec, samples: int) -> SweepSpec:
    """``spec`` with another number of samples (validated like the file's ``design.samples``)."""
    from chainsim.sweeps.spec import _design

    design = _design(None, {**spec.design.model_dump(), "samples": samples})
    return spec.with_samples(design.samples)


def _identity(spec: SweepSpec, design_sha256: str, chunk_size: int) -> dict[str, Any]:
    """What the sweep's results depend on (:func:`~chainsim.sweeps.store.sweep_identity`), with its full hash."""
    from chainsim import __version__

    dataset = None if spec.model is not None else scenario_of(spec).table.checksum
    return sweep_identity({"sweep_sha256": spec.sha256, "design_sha256": design_sha256,
                           "scenario_sha256": spec.scenario_sha256 or None, "dataset_checksum": dataset,
                           "chainsim_version": __version__, "chunk_size": chunk_size})


def _finish(spec: SweepSpec, design: Design, out: Path, layout: list[tuple[int, int]], chunk_size: int,
            seconds: float, n_run: int, figures: bool, identity: Mapping[str, Any],
            rejected: Mapping[str, str]) -> SweepResult:
    runs = read_chunks(out, range(len(layout)), layout, identity["sha256"])
    if len(runs) != len(design) or not (runs["run_id"].to_numpy() == design.matrix["run_id"].to_numpy()).all():
        raise SimulationError(f"{out}: {len(runs)} of {len(design)} runs present after the sweep")
    paths: dict[str, Path] = {}
    paths["runs.parquet"] = atomic_write(out / "runs.parquet", lambda tmp: runs.to_parquet(tmp, index=False))
    sens = sensitivity_table(spec, design, runs)
    paths["sensitivity.csv"] = atomic_write(out / "sensitivity.csv", lambda tmp: sens.to_csv(tmp, index=False))
    ranking = None
    if spec.model is None and spec.ranking.enabled:
        ranking = ranking_table(spec, runs)
        paths["ranking.csv"] = atomic_write(out / "ranking.csv", lambda tmp: ranking.to_csv(tmp, index=False))
    if figures:
        for p in write_figures(out, spec, design, runs, sens):
            paths[p.name] = p
    prov = _provenance(spec, design, layout, chunk_size)
    runs_total = len(runs) + (int(runs["ranked"].sum()) * len(spec.pathways) if spec.model is None else 0)
    prov.update({
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "simulations": runs_total, "chunks_run_this_call": n_run, "seconds_this_call": round(seconds, 3),
        "sweep_identity": dict(identity), "chunks_rejected_this_call": dict(rejected),
        "censored_share": {o: float(1 - runs["recovered"].mean()) for o in spec.outputs
                           if o == "ttr_days" and "recovered" in runs},
        "ttr_censoring": "censored TTR is NaN in runs.parquet; the indices use ttr_cap (days from onset to "
                         "the end of the horizon) for censored runs",
    })
    import json

    text = json.dumps(prov, indent=2, ensure_ascii=False, default=str)
    paths["sweep.json"] = atomic_write(out / "sweep.json", lambda tmp: tmp.write_text(text, encoding="utf-8"))
    manifest = read_manifest(out) or {}
    write_manifest(out, {**manifest, "status": "complete", "finished": prov["finished"]})
    return SweepResult(spec=spec, design=design, runs=runs, sensitivity=sens, ranking=ranking, out_dir=out,
                       provenance=prov, paths=paths)
