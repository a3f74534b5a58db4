#!/usr/bin/env python3
"""ARIO against ARIO: chainsim's ``ario`` configuration vs BoARIO 0.7.2 ``ARIOPsiModel``, one run at a time.

usage: python benchmarks/bench_ario.py [--sizes northeast,5x42,30x42] [--repeats 3] [--days 365]
                                       [--json FILE] [--no-empty-cache] [--also-src DIR]

Like with like:

* **the same model and work**: both engines read the same table from the same CSV layout
  (``chainsim.data.csv_layout``; the Northeast table as ``write_csv_layout`` writes it, the
  synthetic tables from ``synth_mrio.py``) and the same shock (half of one industry's capital
  destroyed on day 10, linear recovery over 180 days, ``validation/boario_crosscheck.py``'s
  reading of the shock file for chainsim). Each process returns its total daily output, and
  the largest relative difference between the two engines' trajectories is printed: it is
  the check that they did the same work (≤ 1e-12 expected);
* **the same cores and one BLAS thread**: every process inherits this process's CPU affinity
  and runs with ``OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = MKL_NUM_THREADS = NUMBA_NUM_THREADS
  = 1`` (and ``threadpoolctl.threadpool_limits(1)`` where installed);
* **construction timed on both sides**: a run is, for chainsim, ``chainsim.engine.simulate``
  (the model built from the table, the engine, 365 days, the labelled result) and, for BoARIO,
  ``ARIOPsiModel`` + ``Simulation`` + its events + ``loop()``. Reading the table (CSV to
  ``IOTable`` / ``pymrio.IOSystem``) is outside the timing on both sides;
* **steady state and cold reported apart**: every measurement is a fresh process (chainsim
  and BoARIO alternating, ``--repeats`` times). In it, imports are timed, then the first run
  (**cold**: a fresh process's first call, numba's cache warm as after any earlier run of the
  installed package), then three more runs whose median is the **steady state** (the first
  run being the warm-up). ``--no-empty-cache`` skips a third kind of process, chainsim with an
  empty numba cache (``NUMBA_CACHE_DIR`` a new folder): the first call of a fresh install.

Ratios are BoARIO's seconds over chainsim's, medians over the repeats (each repeat's ratio
is printed too). The machine is shared: compare ratios, not absolute figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ONE_THREAD = {v: "1" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")}
SHOCK_SECTOR = {"northeast": "14", "5x42": "S14_metal_smelting", "30x42": "S14_metal_smelting"}
SHOCK_REGION = {"northeast": "LN", "5x42": "LN", "30x42": "R01"}


# ----------------------------------------------------------------------------- cases (CSV layout)
def write_case(size: str, folder: Path) -> Path:
    """Write the table ``size`` and its shock in the CSV layout of ``boario_reference.py``."""
    import numpy as np
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    if size == "northeast":
        from chainsim.data.csv_layout import write_csv_layout
        from chainsim.data.datasets import load_dataset

        write_csv_layout(load_dataset("northeast-2017"), folder)
    else:
        sys.path.insert(0, str(HERE))
        from synth_mrio import make_tables

        n_regions = int(size.split("x")[0])
        Z, Y, x = make_tables(n_regions, 42, seed=42)
        xv = x["indout"].to_numpy()
        va = xv - Z.to_numpy().sum(axis=0)
        idx = Z.index
        ind = pd.DataFrame({"region": idx.get_level_values(0), "sector": idx.get_level_values(1),
                            "final_demand": Y.to_numpy().sum(axis=1), "value_added": va, "output": xv,
                            "capital": 4.0 * np.clip(va, 0.0, None)})
        ind.to_csv(folder / "industries.csv", index=False)
        zc = pd.DataFrame(Z.to_numpy(), columns=[f"{r}|{s}" for r, s in idx])
        zc.insert(0, "sector", idx.get_level_values(1))
        zc.insert(0, "region", idx.get_level_values(0))
        zc.to_csv(folder / "Z.csv", index=False)
    (folder / "shock.csv").write_text(
        "event_id,event_type,region,sector,share,occurrence,duration,tau,recovery_function,rebuilding_sectors\n"
        f"k,recovery,{SHOCK_REGION[size]},{SHOCK_SECTOR[size]},0.5,10,1,180,linear,\n", encoding="utf-8")
    return folder


# ----------------------------------------------------------------------------- one process
def _limit_threads() -> str:
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
        return "threadpoolctl"
    except ImportError:
        return "env"


def _crosscheck():
    """``validation/boario_crosscheck.py`` as a module (the shock reader and BoARIO's view of a case)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("boario_crosscheck", ROOT / "validation" / "boario_crosscheck.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _chainsim_runner(case: Path, days: int):
    from chainsim.data.csv_layout import read_csv_layout
    from chainsim.engine import simulate

    table = read_csv_layout(case)
    shocks = _crosscheck().shock_to_disruptions(case / "shock.csv")

    def run():
        res = simulate(table, shocks, days=days, params="ario")
        return res.output.to_numpy().sum(axis=1)

    return run


def _boario_runner(case: Path, days: int):
    import warnings

    import numpy as np
    import pandas as pd
    from boario.event import from_series
    from boario.extended_models import ARIOPsiModel
    from boario.simulation import Simulation

    io, K = _crosscheck().boario_iosystem(case)
    K = K.sort_index()  # BoARIO orders industries lexicographically
    sh = pd.read_csv(case / "shock.csv", dtype={"region": str, "sector": str}).iloc[0]
    mi = pd.MultiIndex.from_tuples([(sh["region"], sh["sector"])], names=["region", "sector"])

    import logging

    boario_log = logging.getLogger("boario")

    def run(share: float | None = None, tau: int | None = None):
        share = float(sh["share"]) if share is None else share
        tau = int(sh["tau"]) if tau is None else tau
        handlers = list(boario_log.handlers)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = ARIOPsiModel(io, order_type="alt", alpha_base=1.0, alpha_max=1.25, alpha_tau=365,
                                 rebuild_tau=60, main_inv_dur=90, psi_param=0.8, inventory_restoration_tau=60,
                                 productive_capital_vector=K)
            sim = Simulation(model, n_temporal_units_to_sim=days)
            ev = from_series(pd.Series([share * K.loc[mi].to_numpy()[0]], index=mi),
                             event_type="recovery", occurrence=int(sh["occurrence"]), duration=int(sh["duration"]),
                             recovery_tau=tau, recovery_function=str(sh["recovery_function"]),
                             event_monetary_factor=model.monetary_factor)
            sim.add_events([ev])
            sim.loop()
        for h in set(boario_log.handlers) - set(handlers):  # each Simulation adds a log file handler: a later
            boario_log.removeHandler(h)  # run would write every line once per earlier run (unfair to BoARIO)
            h.close()
        return np.asarray(sim.production_realised).sum(axis=1)[:days]

    return run


def worker(engine: str, case: Path, days: int, steady_runs: int) -> None:
    """One fresh process: import time, first (cold) run, then the median of ``steady_runs`` more."""
    threads = _limit_threads()
    t0 = time.perf_counter()
    make = _chainsim_runner if engine.startswith("chainsim") else _boario_runner
    run = make(case, days)
    t_setup = time.perf_counter() - t0  # imports and reading the table (untimed in the comparison)
    t0 = time.perf_counter()
    total = run()
    cold = time.perf_counter() - t0
    steady = []
    for _ in range(steady_runs):
        t0 = time.perf_counter()
        run()
        steady.append(time.perf_counter() - t0)
    import resource

    print(json.dumps({"engine": engine, "setup_s": t_setup, "cold_s": cold, "steady_s": steady,
                      "steady_median_s": statistics.median(steady) if steady else None,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "threads": threads, "cores": sorted(os.sched_getaffinity(0)),
                      "total_output": [float(v) for v in total]}))


def _spawn(engine: str, case: Path, days: int, steady_runs: int, extra_env: dict | None = None) -> dict:
    env = dict(os.environ, **ONE_THREAD, **(extra_env or {}))
    kind = "boario" if engine == "boario" else "chainsim"
    out = subprocess.run([sys.executable, __file__, "--worker", kind, "--case", str(case), "--days", str(days),
                          "--steady-runs", str(steady_runs)], capture_output=True, text=True, env=env)
    if out.returncode:
        raise RuntimeError(f"{engine} worker failed:\n{out.stderr[-3000:]}")
    rec = json.loads(out.stdout.strip().splitlines()[-1])
    rec["engine"] = engine
    return rec


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="northeast,5x42,30x42")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--steady-runs", type=int, default=3)
    ap.add_argument("--no-empty-cache", action="store_true", help="skip chainsim with an empty numba cache")
    ap.add_argument("--json", default=None, help="also write every measurement here")
    ap.add_argument("--also-src", default=None, metavar="DIR",
                    help="also time the chainsim of another checkout's src folder (e.g. a worktree of an earlier "
                         "commit), alternating with the other two: chainsim before/after on the same machine")
    ap.add_argument("--worker", choices=["chainsim", "boario"], help=argparse.SUPPRESS)
    ap.add_argument("--case", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker(a.worker, Path(a.case), a.days, a.steady_runs)
        return
    import numpy as np

    print(f"cores {sorted(os.sched_getaffinity(0))}, one BLAS/numba thread per process, {a.days} days, "
          f"{a.repeats} repeats alternating fresh processes; load average at start {os.getloadavg()}")
    everything = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in a.sizes.split(","):
            case = write_case(size, Path(tmp) / size)
            recs: dict[str, list[dict]] = {"chainsim": [], "boario": [], "chainsim_empty_cache": []}
            engines = ["chainsim", "boario"]
            if a.also_src:
                recs["chainsim_other"] = []
                engines.append("chainsim_other")
            other = {"PYTHONPATH": str(Path(a.also_src).resolve())} if a.also_src else None
            for rep in range(a.repeats):
                order = engines[rep % len(engines):] + engines[:rep % len(engines)]  # rotate who goes first
                for eng in order:
                    recs[eng].append(_spawn(eng, case, a.days, a.steady_runs,
                                            other if eng == "chainsim_other" else None))
                if not a.no_empty_cache:
                    with tempfile.TemporaryDirectory() as cache:
                        recs["chainsim_empty_cache"].append(
                            _spawn("chainsim_empty_cache", case, a.days, 0, {"NUMBA_CACHE_DIR": cache}))
            c, b = recs["chainsim"], recs["boario"]
            tc, tb = np.asarray(c[0]["total_output"]), np.asarray(b[0]["total_output"])
            dev = float(np.max(np.abs(tc - tb) / np.abs(tb)))
            n = len(np.loadtxt(case / "industries.csv", delimiter=",", skiprows=1, usecols=2))
            steady = [x["steady_median_s"] / y["steady_median_s"] for x, y in zip(b, c, strict=True)]
            cold = [x["cold_s"] / y["cold_s"] for x, y in zip(b, c, strict=True)]
            med = lambda rs, k: statistics.median(r[k] for r in rs)  # noqa: E731
            print(f"\n== {size}: {n} industries; the two engines' total output differs by at most {dev:.1e} "
                  "(relative) ==")
            print(f"{'':28s}{'chainsim ario':>15s}{'BoARIO':>10s}{'ratio':>8s}  (each repeat)")
            print(f"{'steady state, s per run':28s}{med(c, 'steady_median_s'):15.3f}{med(b, 'steady_median_s'):10.3f}"
                  f"{statistics.median(steady):8.1f}  {[round(r, 1) for r in steady]}")
            print(f"{'cold (first call), s':28s}{med(c, 'cold_s'):15.3f}{med(b, 'cold_s'):10.3f}"
                  f"{statistics.median(cold):8.1f}  {[round(r, 1) for r in cold]}")
            print(f"{'imports + table, s':28s}{med(c, 'setup_s'):15.3f}{med(b, 'setup_s'):10.3f}")
            print(f"{'peak RSS, MB':28s}{med(c, 'rss_mb'):15.0f}{med(b, 'rss_mb'):10.0f}")
            if a.also_src:
                o = recs["chainsim_other"]
                speedup = [x["steady_median_s"] / y["steady_median_s"] for x, y in zip(o, c, strict=True)]
                vs = [y["steady_median_s"] / x["steady_median_s"] for x, y in zip(o, b, strict=True)]
                print(f"{'other src, steady, s':28s}{med(o, 'steady_median_s'):15.3f}{'':10s}"
                      f"{statistics.median(vs):8.1f}  {[round(r, 1) for r in vs]} (BoARIO / other)")
                print(f"{'this chainsim / other':28s}{statistics.median(speedup):15.2f}x faster in the steady state "
                      f"{[round(r, 2) for r in speedup]}")
            if recs["chainsim_empty_cache"]:
                e = recs["chainsim_empty_cache"]
                print(f"{'cold, empty numba cache, s':28s}{med(e, 'cold_s'):15.3f}{'':10s}"
                      f"{med(b, 'cold_s') / med(e, 'cold_s'):8.1f}  (a fresh install's first call: numba compiles)")
            for r in (*c, *b, *recs["chainsim_empty_cache"], *recs.get("chainsim_other", [])):
                r.pop("total_output")
            everything[size] = {"industries": n, "max_rel_dev_total_output": dev, "steady_ratio": steady,
                                "cold_ratio": cold, **recs}
    print(f"\nload average at end {os.getloadavg()}")
    if a.json:
        Path(a.json).write_text(json.dumps(everything, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
