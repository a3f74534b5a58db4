"""Process-pool helpers of the run, sweep and scan pools: how many workers; workers end when their coordinator dies.

A ``ProcessPoolExecutor`` worker waits on its call queue; if the coordinating process is
killed (``kill -9``, the OOM killer, a closed terminal), nothing tells the worker, and it
idles on with its primed scenario and table (about 300 MB each on the Northeast table).
:func:`exit_with_parent`, called from a pool initializer, asks Linux to send the worker
SIGTERM when its parent dies (``prctl(PR_SET_PDEATHSIG)``); where that is not available a
daemon thread polls the parent's pid once a second and ends the worker when it changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

__all__ = ["available_cpus", "exit_with_parent"]

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
