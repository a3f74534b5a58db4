"""Ctrl-C during ``chainsim run`` with worker processes ends the process, promptly, every time.

End to end, as a user at a terminal: the run starts in its own process group (a terminal's
foreground job), and SIGINT goes to the whole group, workers included, as a Ctrl-C does. The
cases come from a new-user pass on main at 9f75d8a (two workers, the README scenario): a
second Ctrl-C 1-2 s after the first left the coordinator joining workers that were never told
to stop (it hung after ``chainsim: interrupted`` until killed); a second press 0.01 s after the
first printed a worker's ``KeyboardInterrupt`` traceback; a single press waited 3-5 s for the
running batches, whose results are not written anyway.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "electronics_import_cut.yaml"  # the README's scenario: about 20 s on 2 workers

#: seconds from the first Ctrl-C to the end of the process that count as "ends" (the old code hung for minutes)
EXIT_WITHIN = 15.0


def _group(pgid: int) -> list[int]:
    """Pids of the live (not zombie) processes in process group ``pgid``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state, ppid, pgrp, ...
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


def _interrupt(tmp_path: Path, presses: list[float], command: tuple[str, ...] = ("run", str(SCENARIO))
               ) -> tuple[int | None, str, float, list[int]]:
    """Start a 2-worker ``chainsim`` command, Ctrl-C its process group once its workers run, after each of ``presses``.

    Returns the exit code (``None``: still running after :data:`EXIT_WITHIN` s, then killed), stderr,
    the seconds from the first press to the exit, and the group's processes left after it.
    """
    out = tmp_path / "out"
    err = tmp_path / "stderr.txt"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    with err.open("w") as stderr:
        proc = subprocess.Popen([sys.executable, "-c", "import sys; from chainsim.cli import main; sys.exit(main())",
                                 *command, "--workers", "2", "--out", str(out)],
                                cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
                                start_new_session=True)  # its own process group, as a terminal's foreground job
    pgid = proc.pid
    try:
        deadline = time.monotonic() + 120
        while len(_group(pgid)) < 3:  # the coordinator and its two workers
            assert proc.poll() is None, f"the run ended before its workers started:\n{err.read_text()}"
            assert time.monotonic() < deadline, "the run's workers never started"
            time.sleep(0.05)
        time.sleep(1.0)  # the workers are into their first tasks
        first = time.monotonic()
        for delay in presses:
            time.sleep(delay)
            try:
                os.killpg(pgid, signal.SIGINT)  # what a terminal sends on Ctrl-C
            except ProcessLookupError:  # everything has ended already
                break
        try:
            rc: int | None = proc.wait(timeout=EXIT_WITHIN)
        except subprocess.TimeoutExpired:
            rc = None
        took = time.monotonic() - first
        time.sleep(0.2)  # workers told to end by the coordinator's death (pdeathsig) take a moment
        left = _group(pgid)
    finally:
        if proc.poll() is None or _group(pgid):
            os.killpg(pgid, signal.SIGKILL)
            proc.wait()
    return rc, err.read_text(), took, left


@pytest.mark.timeout(240)
@pytest.mark.parametrize("presses", [[0.0], [0.0, 1.0], [0.0, 0.01], [0.0, 0.1, 0.1, 0.1]],
                         ids=["once", "twice-1s", "twice-10ms", "four-times"])
def test_ctrl_c_during_a_run_with_workers_ends_it(tmp_path, presses):
    rc, stderr, took, left = _interrupt(tmp_path, presses)
    assert rc is not None, f"still running {EXIT_WITHIN:.0f} s after Ctrl-C (killed):\n{stderr}"
    assert rc == 130, stderr
    assert stderr.count("chainsim: interrupted") == 1, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert not left, f"processes of the run left after it ended: {left}"
    assert not (tmp_path / "out").exists()  # nothing written: the files are staged and moved in at the end
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # the staging folder is gone
    # 0.4-1.0 s on a loaded 2-core machine (5.7-15 s or never on 9f75d8a, which waited for the running batches)
    assert took < 4.0, f"the run took {took:.1f} s to end after Ctrl-C; its workers were not stopped at once"


@pytest.mark.timeout(240)
@pytest.mark.parametrize("command", [("scan", "--kinds", "links"),
                                     ("sweep", str(ROOT / "sweeps" / "electronics_pathway_sensitivity.yaml"))],
                         ids=["scan", "sweep"])
def test_ctrl_c_twice_during_a_scan_or_sweep_with_workers_ends_it(tmp_path, command):
    # on 9f75d8a both hung as the run did (a scan 1 of 1 try, a sweep 1 of 1, with a traceback)
    rc, stderr, took, left = _interrupt(tmp_path, [0.0, 1.0], command)
    assert rc is not None, f"still running {EXIT_WITHIN:.0f} s after Ctrl-C (killed):\n{stderr}"
    assert rc == 130, stderr
    assert stderr.count("chainsim: interrupted") == 1, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert not left, f"processes left after it ended: {left}"
    assert took < 4.0, f"it took {took:.1f} s to end after Ctrl-C"


def test_main_called_from_python_restores_the_callers_sigint_handler(tmp_path):
    from chainsim.cli import main

    before = signal.getsignal(signal.SIGINT)
    assert main(["run", str(tmp_path / "missing.yaml")]) == 2
    assert signal.getsignal(signal.SIGINT) is before
