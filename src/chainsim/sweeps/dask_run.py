"""Run a sweep's chunks on Dask distributed: results written as they come, lost workers survived, no silent hang.

Dask semantics this relies on (distributed 2024-2026):

* a worker that dies (killed, out of memory, its machine gone) is removed by the scheduler
  at once when its connection closes; the tasks it was running go back to the queue and
  count one "suspicious" failure each, and a task suspected more than
  ``distributed.scheduler.allowed-failures`` times (default 3) errs with ``KilledWorker``.
  ``retries`` re-runs tasks that raised, not tasks that lost their worker;
* a result finished on a worker that died before it was fetched is computed again;
* ``as_completed(..., with_results=True, raise_errors=False)`` yields ``(future, result)``
  where a failed future's result is the ``(type, exception, traceback)`` triple of
  ``distributed.core.clean_exception``, and a cancelled one's a ``CancelledError``;
* a task waits for a worker for as long as none exists (a nanny restarts a killed worker
  process, a cluster whose workers never come back keeps its tasks pending forever).

So this coordinator resubmits a chunk whose task lost its worker or was cancelled (up to
:data:`MAX_RESUBMITS` times), stops on a chunk that raised (with the chunk's own error), and
never waits without bound: with no worker for :data:`NO_WORKER_SECONDS`, or with every
worker idle while chunks stay unfinished for :data:`IDLE_STALL_SECONDS` (a client and
scheduler that disagree on a task's state), it resubmits the stuck chunks and then gives up
with a :class:`~chainsim.errors.SimulationError`. Every finished chunk is already on disk by
then (``on_done`` writes it), so ``--resume`` continues.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from chainsim.errors import ScenarioError, SimulationError
from chainsim.sweeps.evaluate import evaluate_chunk
from chainsim.sweeps.spec import SweepSpec

__all__ = ["IDLE_STALL_SECONDS", "MAX_RESUBMITS", "NO_WORKER_SECONDS", "run_dask"]

log = logging.getLogger(__name__)

Chunk = tuple[int, list[dict[str, Any]]]
OnDone = Callable[[int, list[dict[str, Any]]], None]

#: times one chunk is resubmitted after losing its worker, being cancelled or stalling; one more stops the sweep
MAX_RESUBMITS = 3
#: a cluster with no worker this long is given up (a nanny restarts a killed worker in seconds;
#: an adaptive cluster scaling up from zero may take minutes: an assumption, 5 minutes)
NO_WORKER_SECONDS = 300.0
#: every worker idle this long while chunks are unfinished: those chunks are stuck (resubmitted once per try)
IDLE_STALL_SECONDS = 60.0
#: how often the coordinator looks for finished chunks, and how often it asks the scheduler about a stall
POLL_SECONDS = 0.1
CHECK_SECONDS = 2.0
#: limit on closing the client and the local cluster this module opened
CLOSE_SECONDS = 60.0


def _connect(scheduler: Any, workers: int) -> tuple[Any, Any]:
    """``(client, cluster or None)`` for ``"local"``, a scheduler address, or a client."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - optional extra
        raise ScenarioError("--scheduler needs Dask distributed: pip install 'chainsim[dask]'") from None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=logging.ERROR)
        return Client(cluster), cluster
    if hasattr(scheduler, "submit"):
        return scheduler, None
    try:
        return Client(str(scheduler), timeout="20s"), None
    except OSError as exc:
        raise ScenarioError(f"--scheduler {scheduler}: cannot connect ({exc})") from None


def _failure(fut: Any, result: Any) -> BaseException | None:
    """The exception of a failed or cancelled future (``None`` for a result)."""
    if fut.status == "finished":
        return None
    if isinstance(result, tuple) and len(result) == 3 and isinstance(result[1], BaseException):
        return result[1]  # clean_exception's (type, exception, traceback)
    if isinstance(result, BaseException):
        return result
    return RuntimeError(f"Dask future {fut.key} ended as {fut.status!r}")


def _is_lost(fut: Any, exc: BaseException) -> bool:
    """Whether a chunk failed for want of a worker (rerun it) rather than by its own error (stop)."""
    from distributed.scheduler import KilledWorker

    if fut.status in ("cancelled", "lost"):  # cancelled on the cluster (a restart), or lost with a scheduler
        return True
    return isinstance(exc, KilledWorker | OSError)  # CommClosedError is an OSError


class _Coordinator:
    """Submit chunks, write each as it finishes, resubmit the lost, and time out a stalled cluster."""

    def __init__(self, client: Any, spec: SweepSpec, chunks: Sequence[Chunk], on_done: OnDone) -> None:
        from distributed import as_completed

        self.client, self.spec, self.on_done = client, spec, on_done
        self.rows_of = dict(chunks)
        self.tries: dict[int, int] = {}
        self.futs: dict[Any, int] = {}
        self.ac = as_completed([], with_results=True, raise_errors=False)

    def submit(self, cid: int) -> None:
        n = self.tries.get(cid, 0)
        fut = self.client.submit(evaluate_chunk, self.spec, self.rows_of[cid], pure=False, retries=2,
                                 key=f"chainsim-sweep-{self.spec.sha256[:8]}-{cid:05d}-{n}")
        self.futs[fut] = cid
        self.ac.add(fut)

    def retry(self, cid: int, why: str) -> None:
        """Submit ``cid`` again under a new key, or stop after :data:`MAX_RESUBMITS` resubmissions."""
        self.tries[cid] = self.tries.get(cid, 0) + 1
        if self.tries[cid] > MAX_RESUBMITS:
            raise SimulationError(f"chunk {cid}: {why}, {self.tries[cid]} times; {len(self.rows_of)} chunk(s) "
                                  "left unfinished (finished chunks are saved: rerun with --resume)")
        log.warning("chunk %d: %s; resubmitting", cid, why)
        self.submit(cid)

    def run(self) -> None:
        for cid in self.rows_of:
            self.submit(cid)
        next_check = time.monotonic() + CHECK_SECONDS  # the cluster is looked at only while no chunk finishes
        no_worker_since: float | None = None
        idle_since: float | None = None
        while self.futs:
            batch = self.ac.next_batch(block=False)
            if batch:
                for fut, result in batch:
                    self.collect(fut, result)
                no_worker_since = idle_since = None
                next_check = time.monotonic() + CHECK_SECONDS
                continue
            time.sleep(POLL_SECONDS)
            now = time.monotonic()
            if now < next_check:
                continue
            next_check = now + CHECK_SECONDS
            workers, busy = self.cluster_state()
            no_worker_since = (no_worker_since or now) if workers == 0 else None
            idle_since = (idle_since or now) if workers > 0 and not busy else None
            if no_worker_since is not None and now - no_worker_since >= NO_WORKER_SECONDS:
                raise SimulationError(
                    f"the Dask cluster has had no worker for {now - no_worker_since:.0f} s; {len(self.rows_of)} "
                    "chunk(s) left unfinished (finished chunks are saved: start workers and rerun with --resume)")
            if idle_since is not None and now - idle_since >= IDLE_STALL_SECONDS:
                stuck = sorted(set(self.futs.values()))
                log.warning("every Dask worker has been idle for %.0f s while chunk(s) %s are unfinished",
                            now - idle_since, stuck)
                for fut, cid in list(self.futs.items()):
                    del self.futs[fut]
                    fut.cancel()
                    self.retry(cid, f"no worker ran it for {now - idle_since:.0f} s while every worker was idle")
                idle_since = None

    def collect(self, fut: Any, result: Any) -> None:
        cid = self.futs.pop(fut, None)
        if cid is None:  # a future given up on (resubmitted after a stall) that ended after all
            return
        exc = _failure(fut, result)
        if exc is None:
            self.on_done(cid, result)
            del self.rows_of[cid]
            fut.release()
        elif _is_lost(fut, exc):
            self.retry(cid, f"its worker was lost ({type(exc).__name__}: {exc})" if fut.status == "error"
                       else f"its task was {fut.status} on the cluster")
        else:
            raise SimulationError(f"chunk {cid} failed on a Dask worker: {type(exc).__name__}: {exc} (finished "
                                  "chunks are saved: rerun with --resume once the cause is fixed)") from exc

    def cluster_state(self) -> tuple[int, bool]:
        """``(workers, any worker processing a task)``; ``(0, False)`` while the scheduler cannot be reached."""
        try:
            processing = self.client.processing()
        except OSError as exc:
            log.warning("cannot reach the Dask scheduler: %s", exc)
            return 0, False
        return len(processing), any(len(keys) for keys in processing.values())

    def cancel_all(self) -> None:
        for fut in list(self.futs):
            fut.cancel()


def run_dask(spec: SweepSpec, chunks: Sequence[Chunk], on_done: OnDone, workers: int, scheduler: Any) -> None:
    """Evaluate ``chunks`` on Dask and hand each result to ``on_done`` as it finishes.

    Parameters
    ----------
    spec : SweepSpec
    chunks : sequence of (chunk id, design rows)
    on_done : callable
        ``on_done(chunk_id, rows)``, called in this thread (it writes the chunk).
    workers : int
        Worker processes of a ``"local"`` cluster.
    scheduler : str or distributed.Client
        ``"local"``, a scheduler address, or a client (left open).

    Raises
    ------
    SimulationError
        A chunk raised on its worker; a chunk lost its worker (or stalled) once more after
        :data:`MAX_RESUBMITS` resubmissions; or the cluster had no worker for
        :data:`NO_WORKER_SECONDS`. Finished chunks are saved.
    """
    client, cluster = _connect(scheduler, workers)
    coordinator = None
    try:
        coordinator = _Coordinator(client, spec, chunks, on_done)
        coordinator.run()
    finally:
        if coordinator is not None:
            coordinator.cancel_all()
        _close(client if client is not scheduler else None, cluster)


def _close(client: Any, cluster: Any) -> None:
    """Close what this call opened, within :data:`CLOSE_SECONDS` each (a cluster's close has no limit of its own)."""
    for what, thing in (("client", client), ("local cluster", cluster)):
        if thing is None:
            continue
        try:
            thing.close(timeout=CLOSE_SECONDS)
        except (TimeoutError, OSError) as exc:  # the sweep's outcome stands; its written chunks are kept
            log.warning("the Dask %s did not close within %.0f s: %s", what, CLOSE_SECONDS, exc)
