#!/usr/bin/env python3
"""Sweep benchmark (DESIGN §8): runs/s of ``chainsim sweep`` on the default Northeast model, peak memory
of a 1,000-run sweep, and BoARIO 0.7.2's runs/s on the same table and shock, side by side.

usage: python benchmarks/bench_sweep.py [--workers 2] [--runs 1000] [--repeat 2] [--boario-runs 2] [--skip-boario]

1. The shipped sweep's factors (five pathway intensities, the electronics cut's share and
   duration, inventory days, the seed) on an LHS design of ``--runs`` runs, 365 days each,
   through :func:`chainsim.sweeps.run_sweep` on ``--workers`` local processes (ranking off, so
   every simulation is a design run). Every run has its own pathway intensities, hence its
   own model parameters: this is the sweep as users run it, not the engine's batch ceiling.
   Peak memory: the coordinating process and the largest worker (``ru_maxrss``), measured in
   a fresh subprocess; the total is bounded by coordinator + workers x largest worker.
2. The same sweep machinery on the shock BoARIO can express (half of Liaoning's metal
   smelting capital, day 10, linear recovery over 180 days; BoARIO has no import cut), with
   the shock share and recovery days as factors, default model; then (2b) the same sweep in
   the ``ario`` configuration, the model BoARIO runs.
3. The engine's batch ceiling: runs that share one model (differing only in shock values and
   seeds) through the batch axis, 16 a batch into a reused output buffer, as a sweep batches
   them but without its design, metrics and files, after numba's start-up: the engine's
   steady-state rate on the cores.
4. BoARIO ``ARIOPsiModel`` on the same table and capacity shock (driven through its public API
   by ``bench_engine.run_boario``; BoARIO is GPL and only a benchmark peer): (a) one process
   alone, its runs/s times ``--workers`` being BoARIO's throughput if it scaled perfectly;
   (b) ``--workers`` BoARIO processes at once on the same cores, as a user would run it (it has
   no parallel mode), each process's best run counted. Ratios are given against both; (a) is
   the stricter for chainsim, whose own figures are measured with every worker busy.

Each sweep runs ``--repeat`` times in fresh processes and the best is reported, as BoARIO's
best of ``--boario-runs`` is; every repetition's figure is printed. Machines are noisy: read
the ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
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


def _bench_engine():
    spec = importlib.util.spec_from_file_location("bench_engine", Path(__file__).with_name("bench_engine.py"))
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


def _ceiling_chunk(args: tuple[int, int]) -> tuple[int, float]:
    """Runs sharing one default model through the batch axis (shock share and seed vary), as a sweep batches them.

    16 a batch, output only, into one reused buffer (what ``evaluate`` does for runs that share
    their params), with no design, metrics or chunk files around them, and numba's start-up
    (about 0.4 s a process) paid before the clock starts: the steady-state rate.
    """
    import numpy as np

    from chainsim.data.datasets import load_dataset
    from chainsim.engine import Engine, ModelParams, build_model
    from chainsim.sweeps.evaluate import WIDE_BATCH

    n_runs, worker = args
    model = build_model(load_dataset("northeast-2017"), ModelParams())
    rng = np.random.default_rng(worker)
    buffers: dict[int, np.ndarray] = {}
    warm = [{"type": "capacity_loss", "region": "LN", "sector": "14", "share": 0.5, "start": 1, "duration": 1}]
    Engine(model, [warm]).run(3)  # loads the compiled loops
    done, t0 = 0, time.perf_counter()
    while done < n_runs:
        b = min(WIDE_BATCH, n_runs - done)
        shocks = [[{"type": "capacity_loss", "region": "LN", "sector": "14", "share": float(rng.uniform(0.3, 0.7)),
                    "start": 10, "duration": 1, "recovery": {"curve": "linear", "days": 180}}] for _ in range(b)]
        out = buffers.setdefault(b, np.empty((365, b, model.n)))
        Engine(model, shocks, seeds=[worker * 100_000 + done + k for k in range(b)]).run(365, record=(), out=out)
        done += b
    return done, time.perf_counter() - t0


def batch_ceiling(runs: int, workers: int) -> float:
    """Runs/s when runs share one model (engine batch axis), default model, 365 days."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    per = [runs // workers + (k < runs % workers) for k in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as ex:
        res = list(ex.map(_ceiling_chunk, [(p, k) for k, p in enumerate(per)]))
    return sum(r[0] for r in res) / max(r[1] for r in res)


def _boario_process(args: tuple[int, int]) -> list[float]:
    """Seconds per 365-day BoARIO run, ``runs`` runs in this process (imports and table set-up untimed)."""
    runs, days = args
    be = _bench_engine()
    table = be.northeast_or_synthetic()
    out = []
    for _ in range(runs):
        secs, done = be.run_boario(table, days)
        out.append(secs * days / max(done, 1))  # BoARIO stops early if a stock goes negative
    return out


def boario_concurrent(workers: int, runs: int) -> tuple[float, list[list[float]]]:
    """BoARIO's runs/s with ``workers`` processes running at once: the sum of each process's best rate."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as ex:
        per = list(ex.map(_boario_process, [(runs, 365)] * workers))
    return sum(1 / min(p) for p in per), per


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", type=int, default=1000, help="runs of the electronics sweep (peak memory measured)")
    ap.add_argument("--capacity-runs", type=int, default=1000)
    ap.add_argument("--boario-runs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2, help="fresh-process repetitions of each sweep (best is reported)")
    ap.add_argument("--skip-boario", action="store_true")
    ap.add_argument("--child", choices=["electronics", "capacity", "capacity-ario"], help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.child, a.runs, a.workers)
        return
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    print(f"== 1. chainsim sweep: shipped electronics factors, LHS {a.runs} runs x 365 days, {a.workers} workers ==")
    e = _child("electronics", a.runs, a.workers, a.repeat)
    print(f"chainsim: {e['runs'] / e['exec_s']:.1f} runs/s executing ({e['runs'] / e['wall_s']:.1f} runs/s wall clock "
          f"incl. start-up, analysis and writing; {e['runs']} runs in {e['wall_s']:.1f} s); "
          f"each repetition: {e['all_runs_per_s']}")
    total = e["rss_coordinator_mb"] + a.workers * e["rss_worker_max_mb"]
    print(f"peak memory: coordinator {e['rss_coordinator_mb']:.0f} MB, largest worker {e['rss_worker_max_mb']:.0f} MB; "
          f"total <= {total:.0f} MB (target < 2048 MB)")
    print(f"== 2. chainsim sweep: capacity loss (BoARIO-comparable shock), LHS {a.capacity_runs} runs, "
          f"{a.workers} workers ==")
    c = _child("capacity", a.capacity_runs, a.workers, a.repeat)
    print(f"chainsim: {c['runs'] / c['exec_s']:.1f} runs/s executing; each repetition: {c['all_runs_per_s']}")
    print(f"== 2b. the same capacity-loss sweep in the ARIO configuration (BoARIO's own model), LHS "
          f"{a.capacity_runs} runs, {a.workers} workers ==")
    ca = _child("capacity-ario", a.capacity_runs, a.workers, a.repeat)
    print(f"chainsim: {ca['runs'] / ca['exec_s']:.1f} runs/s executing; each repetition: {ca['all_runs_per_s']}")
    print(f"== 3. engine batch ceiling: runs sharing one model, default model, 16 a batch, {a.workers} workers ==")
    ceiling = batch_ceiling(256, a.workers)
    print(f"chainsim: {ceiling:.1f} runs/s (target >= 50)")
    if a.skip_boario:
        return
    print(f"== 4. BoARIO 0.7.2 ARIOPsiModel, same table and capacity shock, 1 process, {a.boario_runs} runs ==")
    be = _bench_engine()
    table = be.northeast_or_synthetic()
    per_run = []
    for _ in range(a.boario_runs):
        secs, days = be.run_boario(table, 365)
        per_run.append(secs * 365 / max(days, 1))  # BoARIO stops early if a stock goes negative
    boario = 1 / min(per_run)
    print(f"BoARIO: {boario:.2f} runs/s on 1 process ({boario * a.workers:.2f} runs/s if it scaled perfectly "
          f"to {a.workers}); each run: {[round(1 / t, 2) for t in per_run]} runs/s")
    print(f"== 4b. BoARIO, {a.workers} processes at once on the same cores, {a.boario_runs} runs each ==")
    together, per_proc = boario_concurrent(a.workers, a.boario_runs)
    print(f"BoARIO: {together:.2f} runs/s on {a.workers} processes (best run of each: "
          f"{[round(1 / min(p), 2) for p in per_proc]} runs/s)")
    ideal = boario * a.workers
    print(f"\n{'':34s}{'runs/s':>10s}{'x BoARIO scaled':>17s}{'x BoARIO measured':>19s}")
    print(f"{'':34s}{'':10s}{'perfectly (4a)':>17s}{'on the cores (4b)':>19s}")
    for name, v in (("sweep, electronics (shipped)", e["runs"] / e["exec_s"]),
                    ("sweep, capacity loss", c["runs"] / c["exec_s"]),
                    ("sweep, capacity loss, ARIO config", ca["runs"] / ca["exec_s"]),
                    ("engine batch ceiling", ceiling)):
        print(f"{name:34s}{v:10.1f}{v / ideal:17.1f}{v / together:19.1f}")
    print(f"{'BoARIO (ARIOPsiModel), 4a / 4b':34s}{ideal:5.2f}/{together:4.2f}")


if __name__ == "__main__":
    main()
