"""Where the main job's time goes: each phase of ``chainsim run`` timed, wall and CPU.

Runs the same steps as ``chainsim run SCENARIO`` (``chainsim.cli.run_cmd``), with a timer
around each, and prints one row per phase: wall seconds, CPU seconds of this process and
CPU seconds of the pool workers reaped during the phase (``RUSAGE_CHILDREN``). The import
of ``chainsim.cli`` is timed in a fresh interpreter first (``python -c "import chainsim.cli"``).

Usage::

    python benchmarks/bench_main_job.py [SCENARIO] [--workers 2] [--out DIR]

Numbers and how to read them: ``docs/performance.md``, "The main job".
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "scenarios" / "electronics_import_cut.yaml"


def _cpu() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, ch.ru_utime + ch.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", type=Path, default=SCENARIO)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None, help="output folder (default: a temporary one)")
    args = ap.parse_args()

    rows: list[tuple[str, float, float, float]] = []

    @contextmanager
    def phase(name: str):
        w0, (c0, k0) = time.perf_counter(), _cpu()
        yield
        w1, (c1, k1) = time.perf_counter(), _cpu()
        rows.append((name, w1 - w0, c1 - c0, k1 - k0))

    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import chainsim.cli"], check=True, env=os.environ)
    rows.append(("import chainsim.cli (fresh interpreter)", time.perf_counter() - t0, float("nan"), float("nan")))

    with phase("import chainsim.cli"):
        import chainsim.cli  # noqa: F401
        from chainsim.experiment.bands import band_sensitivity
        from chainsim.experiment.outputs import _figures, write_run_files, write_trajectories
        from chainsim.experiment.pathway_tables import summary_table
        from chainsim.experiment.preflight import preflight
        from chainsim.experiment.run import run_scenario
        from chainsim.scenario.load import load_scenario
    with phase("load scenario and table, preflight"):
        loaded = load_scenario(args.scenario)
        checked = preflight(loaded)
    with phase("run_scenario (pathways + attribution, engine)"):
        run = run_scenario(loaded, checked=checked, workers=args.workers)
    with phase("summary table, band sensitivity"):
        summary = summary_table(run)
        bands = band_sensitivity(run)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench_main_job_"))
    with phase("trajectories.parquet"):
        write_trajectories(run, out / "trajectories.parquet")
    with phase("figures (PNG)"):
        _figures(run, out)
    with phase("tables, run.json"):
        write_run_files(run, summary, out, bands=bands, figures=False, trajectories=False,
                        more_files=("report.html",))
    with phase("report.html"):
        from chainsim.report import write_report

        write_report(out)
    total = sum(r[1] for r in rows[1:])
    print(f"{'phase':52s} {'wall s':>7s} {'CPU s':>7s} {'workers CPU s':>14s}")
    for name, w, c, k in rows:
        print(f"{name:52s} {w:7.2f} {c:7.2f} {k:14.2f}")
    print(f"{'total (in process)':52s} {total:7.2f}")
    print(f"load average {os.getloadavg()}; output in {out}")


if __name__ == "__main__":
    main()
