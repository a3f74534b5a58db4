"""Process-pool helpers of the run, sweep and scan pools: how many workers; workers end when their coordinator dies.

A ``ProcessPoolExecutor`` worker waits on its call queue; if the coordinating process is
killed (``kill -9``, the OOM killer, a closed terminal), nothing tells the worker, and it
idles on with its primed scenario and table (about 300 MB each on the Northeast table).
:func:`exit_with_parent`, called from a pool initializer, asks Linux to send the worker
SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)``); where that is not available a
daemon thread polls the parent's pid once a second and ends the worker when it changes.

:class:`WorkerPool` is the pool the run, the attribution, the scan and the sweep use: its
workers ignore Ctrl-C (SIGINT, which a terminal sends to the whole foreground process group)
and end with their coordinator; the coordinator alone handles Ctrl-C, and leaving the pool's
``with`` block by an exception (``KeyboardInterrupt`` among them) cancels the queued tasks and
terminates the workers at once, instead of waiting for the running tasks, whose results
nobody would use. A second Ctrl-C during that clean-up is ignored: cut short, it left workers
waiting on their queue and the coordinator joining them for ever at exit.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

__all__ = ["WorkerPool", "available_cpus", "exit_with_parent"]

_PR_SET_PDEATHSIG = 1


def available_cpus() -> int:
    """CPUs this process may run on: its affinity mask (a container's or ``taskset``'s share), else ``os.cpu_count()``.

    The default number of worker processes of ``chainsim run``, ``scan`` and ``sweep``:
    ``os.cpu_count()`` counts the machine's CPUs even when the process is confined to fewer.
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS, Windows: no affinity mask
        return max(1, os.cpu_count() or 1)


def _watch(parent_pid: int, every: float) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(1)
        time.sleep(every)


def exit_with_parent(parent_pid: int, *, every: float = 1.0) -> str:
    """Make this process end when the process ``parent_pid`` (its parent) ends; returns the mechanism used.

    Parameters
    ----------
    parent_pid : int
        ``os.getpid()`` of the coordinator, taken when it created the pool.
    every : float
        Seconds between checks of the fallback thread.

    Returns
    -------
    str
        ``"pdeathsig"`` (Linux) or ``"thread"``.
    """
    how = "thread"
    if sys.platform.startswith("linux"):
        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name, use_errno=True) if name else None
            if libc is not None and libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0:
                how = "pdeathsig"
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the request above took effect
        os._exit(1)
    if how == "thread":
        threading.Thread(target=_watch, args=(parent_pid, every), daemon=True, name="chainsim-parent-watch").start()
    return how


@contextmanager
def _sigint_blocked() -> Iterator[None]:
    """Block SIGINT in this thread: a Ctrl-C meanwhile waits (or goes to another thread); a forked child inherits it."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore Ctrl-C (in the main thread, where Python handles signals), then restore the handler."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old if old is not None else signal.default_int_handler)


def _start_worker(parent_pid: int, initializer: Callable[..., Any] | None, initargs: tuple) -> None:
    """A :class:`WorkerPool` worker's first step: ignore Ctrl-C, end with the coordinator, then ``initializer``."""
    # ignored before unblocked: a Ctrl-C that arrived between the fork and here is discarded, not raised
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    exit_with_parent(parent_pid)
    if initializer is not None:
        initializer(*initargs)


class WorkerPool(ProcessPoolExecutor):
    """A process pool whose workers leave Ctrl-C to the coordinator and end with it; an exception stops them at once.

    A :class:`~concurrent.futures.ProcessPoolExecutor` with three changes:

    - each worker ignores SIGINT and ends when the coordinator ends (:func:`exit_with_parent`)
      before it runs ``initializer``; its processes are started (inside :meth:`submit`) with
      SIGINT blocked, so that a Ctrl-C at that moment is neither lost by the coordinator nor
      raised in a new worker;
    - leaving the ``with`` block by an exception (Ctrl-C's ``KeyboardInterrupt``, a failed
      task) calls :meth:`stop`: queued tasks are cancelled and the workers terminated, not
      awaited; a normal exit waits for them as the executor does;
    - a Ctrl-C during :meth:`stop` is ignored.

    Parameters
    ----------
    max_workers : int
    mp_context : multiprocessing context, optional
    initializer : callable, optional
        Run in each worker after the two steps above, with ``initargs``.
    initargs : tuple
    """

    def __init__(self, max_workers: int, *, mp_context: Any = None,
                 initializer: Callable[..., Any] | None = None, initargs: tuple = ()) -> None:
        super().__init__(max_workers=max_workers, mp_context=mp_context, initializer=_start_worker,
                         initargs=(os.getpid(), initializer, initargs))

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Queue ``fn(*args, **kwargs)``; the pool's processes start here, with SIGINT blocked."""
        with _sigint_blocked():
            return super().submit(fn, *args, **kwargs)

    def stop(self) -> None:
        """Cancel the queued tasks, terminate the workers (SIGTERM) and wait for them and the pool's thread.

        The running tasks' results are lost. A Ctrl-C meanwhile is ignored (in the main thread).
        """
        with _sigint_ignored():
            # ProcessPoolExecutor has no public way to end busy workers before Python 3.14 (terminate_workers)
            processes = list((getattr(self, "_processes", None) or {}).values())
            for process in processes:
                process.terminate()
            # a worker killed while sending its result leaves half a message in the result pipe, and the pool's
            # thread reading it would wait for the rest for ever (shutdown below with it): closing this
            # process's unused write end gives that read an end of file once the workers are gone
            results = getattr(self, "_result_queue", None)
            if results is not None:
                results._writer.close()
            self.shutdown(wait=True, cancel_futures=True)  # the pool's thread sees the workers gone and ends
            for process in processes:
                process.join()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc_type is not None:
            self.stop()
            return False
        try:
            self.shutdown(wait=True)
        except BaseException:  # Ctrl-C while waiting for the last tasks
            self.stop()
            raise
        return False
