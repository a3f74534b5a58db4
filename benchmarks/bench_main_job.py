"""Where the main job's time goes: a timeline of ``chainsim run SCENARIO`` across its processes.

Wraps the functions of each phase (in this process, the pool's workers and the figures'
process: a fork inherits the wrappers) so that each appends ``phase, pid, start, end, CPU``
to a log, then runs ``chainsim.cli.main(["run", ...])`` as the command line does. Prints one
row per phase (wall seconds from the start of ``main``, CPU seconds of the process that ran
it) and, per process, its busy time. ``import chainsim.cli`` is timed first in a fresh
interpreter. Works on any checkout whose phases have these names (``PYTHONPATH=<tree>/src``);
phases a checkout does not have are left out.

Usage::

    python benchmarks/bench_main_job.py [SCENARIO] [--workers 2] [--out DIR]

Numbers and how to read them: ``docs/performance.md``, "The main job".
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "scenarios" / "electronics_import_cut.yaml"

#: (module, function, phase name)
PHASES = [
    ("chainsim.scenario.load", "load_scenario", "load scenario and table"),
    ("chainsim.experiment.preflight", "preflight", "preflight"),
    ("chainsim.experiment.pool", "load_engine_loops", "pre-load the engine loops (before the fork)"),
    ("chainsim.experiment.run", "_pathway_task", "pathway (engine, in a worker)"),
    ("chainsim.experiment.attribution", "_chunk_task", "attribution batch (engine, in a worker)"),
    ("chainsim.experiment.run", "run_scenario", "run_scenario (pathways + attribution)"),
    ("chainsim.experiment.pathway_tables", "summary_table", "summary table"),
    ("chainsim.experiment.bands", "band_sensitivity", "band sensitivity"),
    ("chainsim.experiment.outputs", "write_trajectories", "trajectories.parquet"),
    ("chainsim.experiment.outputs", "_figures", "figures (4 PNG)"),
    ("chainsim.experiment.figures", "render_figures", "figures (PNG; per drawing process)"),
    ("chainsim.experiment.outputs", "write_run_files", "write_run_files (tables, run.json; waits for figures)"),
    ("chainsim.report", "write_report", "report.html"),
]


def _wrap(log: Path, name: str, fn):
    @functools.wraps(fn)
    def timed(*a, **k):
        w0, c0 = time.perf_counter(), time.process_time()
        try:
            return fn(*a, **k)
        finally:
            with open(log, "a", encoding="utf-8") as f:
                f.write(f"{name}\t{os.getpid()}\t{w0:.6f}\t{time.perf_counter():.6f}\t{time.process_time() - c0:.6f}\n")
    return timed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", type=Path, default=SCENARIO)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None, help="output folder (default: a temporary one)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import chainsim.cli"], check=True, env=os.environ)
    import_fresh = time.perf_counter() - t0

    log = Path(tempfile.mkdtemp(prefix="bench_main_job_")) / "phases.tsv"
    t0 = time.perf_counter()
    from chainsim.cli import main as cli_main

    import_here = time.perf_counter() - t0
    for module, func, name in PHASES:
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        if hasattr(mod, func):
            setattr(mod, func, _wrap(log, name, getattr(mod, func)))
    # the CLI imports run_scenario etc. inside _run, from the (now wrapped) modules
    out = args.out or log.parent / "out"
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the run's tables are not the point here
        code = cli_main(["run", str(args.scenario), "--out", str(out), "--force", "-q", "--no-progress",
                         "--workers", str(args.workers)])
    end = time.perf_counter()
    assert code == 0, code
    rows = [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines()]
    main_pid = str(os.getpid())
    print(f"import chainsim.cli: {import_fresh:.2f} s in a fresh interpreter, {import_here:.2f} s here")
    print(f"{'phase':58s} {'process':>8s} {'from s':>7s} {'to s':>7s} {'wall s':>7s} {'CPU s':>6s}")
    for name, pid, w0, w1, cpu in sorted(rows, key=lambda r: float(r[2])):
        who = "main" if pid == main_pid else pid
        print(f"{name:58s} {who:>8s} {float(w0) - start:7.2f} {float(w1) - start:7.2f} "
              f"{float(w1) - float(w0):7.2f} {float(cpu):6.2f}")
    print(f"chainsim run (from main's start to its end): {end - start:.2f} s wall; "
          f"load average {os.getloadavg()[0]:.2f}; output in {out}")


if __name__ == "__main__":
    main()
