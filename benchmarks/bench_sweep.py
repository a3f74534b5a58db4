#!/usr/bin/env python3
"""Sweep benchmark: ARIO against ARIO on the same cores (chainsim's ``ario`` sweep vs BoARIO 0.7.2), and the
default model's own sweep speed (no BoARIO ratio: BoARIO does not run that model).

usage: python benchmarks/bench_sweep.py [--workers 2] [--runs 1000] [--boario-runs 1000] [--repeat 2]
                                        [--skip-boario] [--skip-default]

1. **ARIO vs ARIO.** A 1,000-run LHS sweep of a capacity loss on the Northeast table (half of
   Liaoning's metal smelting capital on day 10 in the scenario; the share drawn in [0.3, 0.7]
   and the linear recovery's days in [90, 270]), 365 days a run, on ``--workers`` processes:

   * chainsim: ``chainsim.sweeps.run_sweep`` in the ``ario`` configuration (``params: {base:
     ario}``), in a fresh process: its pool, the design, every run's metrics and the Parquet
     chunks included (ranking off);
   * BoARIO ``ARIOPsiModel``: the same number of runs over the same factor ranges (an LHS of
     the same size, ``scipy.stats.qmc``), split over ``--workers`` processes started from a
     fresh process; each process reads the table once (``pymrio.IOSystem``, as a chainsim
     worker loads its table once), then builds ``ARIOPsiModel`` + ``Simulation`` + the event
     and loops, for every run (BoARIO has no batch mode). Driven by ``bench_ario.py``'s runner.

   Both are timed end to end (wall clock of the fresh process's work: pool start-up, imports in
   the workers, the runs) and in the workers (runs/s while executing). One BLAS thread per
   process on both sides; the repetitions alternate chainsim and BoARIO.
2. **The default model's own speed** (no BoARIO ratio): the shipped electronics sweep
   (``sweeps/electronics_pathway_sensitivity.yaml``'s factors, LHS ``--runs`` runs; peak memory
   measured) and the capacity-loss sweep in the default configuration.

Machines are noisy (and this one is shared): read the ratios, every repetition is printed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "sweeps" / "electronics_pathway_sensitivity.yaml"
CAPACITY_SCENARIO = """name: capacity loss, Liaoning metal smelting (BoARIO-comparable shock)
dataset: northeast-2017
horizon_days: 365
seed: 1
disruptions:
  - type: capacity_loss
    region: LN
    sector: "14"
    share: 0.5
    start: 10
    duration: 1
    recovery: {curve: linear, days: 180}
"""


def _bench_ario():
    spec = importlib.util.spec_from_file_location("bench_ario", Path(__file__).with_name("bench_ario.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _sweep_dict(kind: str, runs: int, folder: Path) -> dict:
    import yaml

    if kind == "electronics":
        data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
        data["scenario"] = str((SHIPPED.parent / data["scenario"]).resolve())
    else:
        text = CAPACITY_SCENARIO + ("params: {base: ario}\n" if kind == "capacity-ario" else "")
        (folder / "capacity.yaml").write_text(text, encoding="utf-8")
        data = {"name": "capacity-loss sweep", "scenario": str(folder / "capacity.yaml"),
                "factors": {"disruptions[0].share": [0.3, 0.7], "disruptions[0].recovery.days": [90, 270]},
                "outputs": ["ttr_days", "loss_cny", "depth"], "scope": "northeast"}
    data["design"] = {"method": "lhs", "samples": runs}
    data["ranking"] = {"enabled": False}
    return data


def child(kind: str, runs: int, workers: int) -> None:
    """Run one sweep in this (fresh) process and print runs/s and peak memory as JSON."""
    from chainsim.sweeps import load_sweep, run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        spec = load_sweep(_sweep_dict(kind, runs, Path(tmp)), base_dir=tmp)
        t0 = time.perf_counter()
        res = run_sweep(spec, out_dir=Path(tmp) / "out", workers=workers, progress=False, figures=False)
        wall = time.perf_counter() - t0
        runs_done = len(res.runs)
        in_workers = res.provenance["seconds_this_call"]
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"runs": runs_done, "wall_s": wall, "exec_s": in_workers, "rss_coordinator_mb": me,
                      "rss_worker_max_mb": kids}))


def _child(kind: str, runs: int, workers: int, repeat: int = 1) -> dict:
    """Best of ``repeat`` fresh-process sweeps (as for BoARIO: the machine is shared), with every figure kept."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    tries = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--child", kind, "--runs", str(runs), "--workers",
                              str(workers)], capture_output=True, text=True, check=True, env=env)
        tries.append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = min(tries, key=lambda r: r["exec_s"] / r["runs"])
    best["all_runs_per_s"] = [round(r["runs"] / r["exec_s"], 1) for r in tries]
    best["rss_worker_max_mb"] = max(r["rss_worker_max_mb"] for r in tries)
    best["rss_coordinator_mb"] = max(r["rss_coordinator_mb"] for r in tries)
    return best


def _boario_chunk(args: tuple[str, list[tuple[float, int]]]) -> tuple[int, float]:
    """One BoARIO worker: read the table once, then one ``ARIOPsiModel`` run per (share, recovery days)."""
    case, points = args
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    run = _bench_ario()._boario_runner(Path(case), 365)
    t0 = time.perf_counter()
    for share, tau in points:
        run(share, tau)
    return len(points), time.perf_counter() - t0


def boario_child(runs: int, workers: int) -> None:
    """A BoARIO sweep of ``runs`` LHS points on ``workers`` processes, from this fresh process; prints JSON."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from scipy.stats import qmc

    pts = qmc.LatinHypercube(d=2, seed=1).random(runs)
    design = [(0.3 + 0.4 * a, round(90 + 180 * b)) for a, b in pts]
    with tempfile.TemporaryDirectory() as tmp:
        case = _bench_ario().write_case("northeast", Path(tmp) / "ne")
        t0 = time.perf_counter()
        chunks = [(str(case), design[k::workers]) for k in range(workers)]
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as ex:
            res = list(ex.map(_boario_chunk, chunks))
        wall = time.perf_counter() - t0
    print(json.dumps({"runs": sum(r[0] for r in res), "wall_s": wall, "exec_s": max(r[1] for r in res)}))


def _boario(runs: int, workers: int) -> dict:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run([sys.executable, __file__, "--boario-child", "--boario-runs", str(runs), "--workers",
                          str(workers)], capture_output=True, text=True, env=env)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", type=int, default=1000, help="runs of each chainsim sweep")
    ap.add_argument("--boario-runs", type=int, default=1000, help="runs of the BoARIO sweep")
    ap.add_argument("--repeat", type=int, default=2, help="fresh-process repetitions, chainsim and BoARIO alternating")
    ap.add_argument("--skip-boario", action="store_true")
    ap.add_argument("--skip-default", action="store_true", help="skip the default model's sweeps (part 2)")
    ap.add_argument("--child", choices=["electronics", "capacity", "capacity-ario"], help=argparse.SUPPRESS)
    ap.add_argument("--boario-child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.child, a.runs, a.workers)
        return
    if a.boario_child:
        boario_child(a.boario_runs, a.workers)
        return
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    print(f"cores {sorted(os.sched_getaffinity(0))}, {a.workers} workers, one BLAS thread per process; load average "
          f"at start {os.getloadavg()}")
    print(f"== 1. ARIO vs ARIO: capacity-loss sweep, Northeast table, {a.runs} (chainsim) and {a.boario_runs} "
          f"(BoARIO) runs x 365 days, {a.workers} processes ==")
    cs, bs = [], []
    for rep in range(a.repeat):
        order = ("chainsim", "boario") if rep % 2 == 0 else ("boario", "chainsim")
        for eng in order:
            if eng == "chainsim":
                cs.append(_child("capacity-ario", a.runs, a.workers))
            elif not a.skip_boario:
                bs.append(_boario(a.boario_runs, a.workers))
    rate = lambda r, k: r["runs"] / r[k]  # noqa: E731
    print(f"{'':34s}{'wall (end to end)':>20s}{'in the workers':>17s}")
    for k, r in enumerate(cs):
        print(f"{'chainsim ario, repeat ' + str(k + 1):34s}{rate(r, 'wall_s'):14.1f} runs/s"
              f"{rate(r, 'exec_s'):11.1f} runs/s")
    for k, r in enumerate(bs):
        print(f"{'BoARIO ARIOPsiModel, repeat ' + str(k + 1):34s}{rate(r, 'wall_s'):14.2f} runs/s"
              f"{rate(r, 'exec_s'):11.2f} runs/s")
    if bs:
        for key, label in (("wall_s", "end to end"), ("exec_s", "in the workers")):
            ratios = [rate(c, key) / rate(b, key) for c, b in zip(cs, bs, strict=False)]
            med = statistics.median(rate(c, key) for c in cs) / statistics.median(rate(b, key) for b in bs)
            print(f"chainsim / BoARIO, {label}: {[round(x, 1) for x in ratios]} (repeat by repeat); median of the "
                  f"rates: {med:.1f}x")
    if a.skip_default:
        return
    print(f"== 2. the default model on its own (no BoARIO ratio), {a.runs} runs x 365 days, {a.workers} workers ==")
    e = _child("electronics", a.runs, a.workers, a.repeat)
    print(f"shipped electronics sweep: {e['runs'] / e['exec_s']:.1f} runs/s executing ({e['runs'] / e['wall_s']:.1f} "
          f"runs/s end to end); each repetition: {e['all_runs_per_s']}")
    total = e["rss_coordinator_mb"] + a.workers * e["rss_worker_max_mb"]
    print(f"peak memory: coordinator {e['rss_coordinator_mb']:.0f} MB, largest worker {e['rss_worker_max_mb']:.0f} MB; "
          f"total <= {total:.0f} MB")
    c = _child("capacity", a.runs, a.workers, a.repeat)
    print(f"capacity-loss sweep, default model: {c['runs'] / c['exec_s']:.1f} runs/s executing "
          f"({c['runs'] / c['wall_s']:.1f} end to end); each repetition: {c['all_runs_per_s']}")
    print(f"load average at end {os.getloadavg()}")


if __name__ == "__main__":
    main()
