#!/usr/bin/env python3
"""Side-by-side benchmark: chainsim's engine vs BoARIO 0.7.2 (DESIGN §8). Prints ratios.

usage: python benchmarks/bench_engine.py [--regions 30] [--days 365] [--boario-days 60]
                                         [--sweep-runs 512] [--batch 8] [--workers 2] [--skip-boario]
                                         [--params '{"noncompetitive_products": "all"}']

1. ARIO configuration on a synthetic balanced table of REGIONS x 42 industries (30 x 42 =
   1,260): seconds per simulated day and peak memory of chainsim (``params="ario"``) and of
   BoARIO ``ARIOPsiModel`` (same shock: half of one industry's capital, linear recovery).
   Each engine runs in its own subprocess, so peak RSS is measured separately.
2. Sweep on the default Northeast model (``northeast-2017`` when the dataset is available,
   else a synthetic 4 x 42 table; ``--params`` overrides its fields): runs/s of 365-day runs
   through the batch axis, on ``--workers`` processes, and runs per CPU-second (process time,
   robust to other load), vs BoARIO's runs/s on the same table in the ARIO configuration.

Machines are noisy: read the ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np


def synthetic_table(n_regions: int, n_sectors: int = 42, seed: int = 0):
    """A balanced MRIO in the spirit of the shared synth generator (home bias, sparse sector mix)."""
    from chainsim.data.iotable import IOTable

    rng = np.random.default_rng(seed)
    A_sec = rng.gamma(0.35, 1.0, (n_sectors, n_sectors))
    A_sec[rng.random((n_sectors, n_sectors)) < 0.35] = 0.0
    np.fill_diagonal(A_sec, A_sec.diagonal() + rng.uniform(0.5, 2.0, n_sectors))
    A_sec *= rng.uniform(0.45, 0.75, n_sectors) / A_sec.sum(axis=0)
    sizes = rng.lognormal(0.0, 1.0, n_regions)
    m = rng.uniform(0.1, 0.4, n_regions)
    w = sizes**0.8
    src = np.zeros((n_regions, n_regions))
    for r in range(n_regions):
        o = np.arange(n_regions) != r
        src[o, r] = m[r] * w[o] / w[o].sum() if n_regions > 1 else 0.0
        src[r, r] = 1.0 - (m[r] if n_regions > 1 else 0.0)
    A = np.kron(src, np.ones((n_sectors, n_sectors))) * np.tile(A_sec, (n_regions, n_regions))
    fd = rng.dirichlet(np.full(n_sectors, 0.8))
    Y = np.zeros((n_regions * n_sectors, n_regions))
    for r in range(n_regions):
        for s in range(n_regions):
            Y[s * n_sectors:(s + 1) * n_sectors, r] = src[s, r] * sizes[r] * fd * 1e5
    x = np.linalg.solve(np.eye(len(A)) - A, Y.sum(axis=1))
    Z = A * x[None, :]
    regions = [f"R{i:02d}" for i in range(1, n_regions + 1)]
    return IOTable(name=f"bench_{n_regions}x{n_sectors}", regions=regions,
                   sectors=[f"S{i:02d}" for i in range(1, n_sectors + 1)], Z=Z, Y=Y,
                   fd_columns=[(r, "final_demand") for r in regions], exports=np.zeros(len(x)),
                   value_added=x - Z.sum(axis=0), x=x)


def northeast_or_synthetic():
    try:
        from chainsim.data.datasets import load_dataset

        return load_dataset("northeast-2017")
    except Exception as exc:  # dataset not built here
        print(f"(northeast-2017 unavailable: {exc}; using a synthetic 4 x 42 table)", file=sys.stderr)
        return synthetic_table(4, seed=1)


def _shock(table, k: int = 0) -> dict:
    return {"type": "capacity_loss", "region": table.region_codes[0], "sector": table.sector_codes[13 + k % 20],
            "share": 0.5, "start": 10, "duration": 1, "recovery": {"curve": "linear", "days": 180}}


def run_chainsim_ario(table, days: int) -> float:
    from chainsim.engine import simulate

    t0 = time.perf_counter()
    simulate(table, [_shock(table)], days=days, params="ario")
    return time.perf_counter() - t0


def run_boario(table, days: int) -> tuple[float, int]:
    """BoARIO ARIOPsiModel through its public API (the GPL oracle, never imported by chainsim)."""
    import pandas as pd
    import pymrio
    from boario.event import from_series
    from boario.extended_models import ARIOPsiModel
    from boario.simulation import Simulation

    idx = table.labels
    Z = pd.DataFrame(np.asarray(table.Z), index=idx, columns=idx)
    regions = list(table.region_codes)
    Y = pd.DataFrame(0.0, index=idx, columns=pd.MultiIndex.from_product([regions, ["final_demand"]]))
    for r in regions:
        mask = idx.get_level_values(0) == r
        Y.loc[mask, (r, "final_demand")] = table.final_demand[mask]
    io = pymrio.IOSystem(Z=Z, Y=Y, x=pd.DataFrame({"indout": np.asarray(table.x)}, index=idx))
    io.A = pymrio.calc_A(io.Z, io.x)
    va = np.asarray(table.x) - np.asarray(table.Z).sum(axis=0)
    K = pd.Series(table.capital if table.capital is not None else 4 * np.clip(va, 0, None), index=idx)
    sh = _shock(table)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ARIOPsiModel(io, order_type="alt", productive_capital_vector=K.sort_index())
        sim = Simulation(model, n_temporal_units_to_sim=days)
        mi = pd.MultiIndex.from_tuples([(sh["region"], sh["sector"])], names=["region", "sector"])
        sim.add_events([from_series(pd.Series([0.5 * K.loc[(sh["region"], sh["sector"])]], index=mi),
                                    event_type="recovery", occurrence=10, duration=1, recovery_tau=180,
                                    event_monetary_factor=model.monetary_factor)])
        sim.loop()
    return time.perf_counter() - t0, int(sim.n_temporal_units_simulated)


def _sweep_chunk(args) -> tuple[int, float, float]:
    n_runs, batch, first_seed, config, overrides = args
    from chainsim.engine import Engine, ModelParams, build_model

    table = northeast_or_synthetic()
    model = build_model(table, ModelParams.ario(**overrides) if config == "ario" else ModelParams(**overrides))
    done = 0
    t0, c0 = time.perf_counter(), time.process_time()
    while done < n_runs:
        b = min(batch, n_runs - done)
        seeds = [first_seed * 10_000 + done + k for k in range(b)]
        Engine(model, [[_shock(table, done + k)] for k in range(b)], seeds=seeds).run(365)
        done += b
    return done, time.perf_counter() - t0, time.process_time() - c0


def worker(kind: str, regions: int, days: int) -> None:
    table = synthetic_table(regions) if regions else northeast_or_synthetic()
    secs, done = (run_chainsim_ario(table, days), days) if kind == "chainsim" else run_boario(table, days)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"kind": kind, "n": table.n_industries, "days": done, "seconds": secs, "rss_mb": rss_mb}))


def _sub(kind: str, regions: int, days: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", kind, "--regions", str(regions), "--days", str(days)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", type=int, default=30)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--boario-days", type=int, default=60)
    ap.add_argument("--sweep-runs", type=int, default=512)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-boario", action="store_true")
    ap.add_argument("--params", default="{}", help="JSON overrides of the default model, e.g. "
                    '\'{"noncompetitive_products": "all"}\'')
    ap.add_argument("--worker", choices=["chainsim", "boario"], help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.worker:
        worker(a.worker, a.regions, a.days)
        return
    print(f"== 1. ARIO configuration, {a.regions} x 42 table ==")
    c = _sub("chainsim", a.regions, a.days)
    print(f"chainsim: {c['n']} industries, {c['days']} days in {c['seconds']:.2f} s "
          f"({1e3 * c['seconds'] / c['days']:.2f} ms/day), peak RSS {c['rss_mb']:.0f} MB")
    if not a.skip_boario:
        b = _sub("boario", a.regions, a.boario_days)
        print(f"BoARIO:   {b['n']} industries, {b['days']} days in {b['seconds']:.2f} s "
              f"({1e3 * b['seconds'] / b['days']:.2f} ms/day), peak RSS {b['rss_mb']:.0f} MB")
        ratio = (b["seconds"] / b["days"]) / (c["seconds"] / c["days"])
        print(f"speed ratio per simulated day: {ratio:.1f}x (target >= 10x); memory ratio "
              f"{b['rss_mb'] / c['rss_mb']:.2f}x")
    per = [a.sweep_runs // a.workers + (k < a.sweep_runs % a.workers) for k in range(a.workers)]
    # one BLAS thread per worker process: the workers are the parallelism
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    steady = {}
    for config in ("default", "ario"):
        print(f"== 2. sweep, {config} model, {a.sweep_runs} runs x 365 days, batch {a.batch}, {a.workers} workers ==")
        t0 = time.perf_counter()
        overrides = json.loads(a.params) if config == "default" else {}
        with ProcessPoolExecutor(a.workers, mp_context=multiprocessing.get_context("spawn")) as ex:
            res = list(ex.map(_sweep_chunk, [(p, a.batch, k, config, overrides) for k, p in enumerate(per)]))
        dt = time.perf_counter() - t0
        n = sum(r[0] for r in res)
        steady[config] = n / max(r[1] for r in res)
        print(f"chainsim: {steady[config]:.1f} runs/s in the workers (target >= 50); {n / dt:.1f} runs/s wall clock "
              f"including process start-up and table loading; {n / sum(r[2] for r in res):.1f} runs per CPU-second "
              f"(process time: compare this one on a loaded machine)")
    if not a.skip_boario:
        b = _sub("boario", 0, 365)
        per_run = b["seconds"] * 365 / max(b["days"], 1)  # BoARIO stops early if a stock goes negative
        crash = "" if b["days"] == 365 else f" (it stopped on day {b['days']}; scaled to 365 days)"
        boario = a.workers / per_run  # the same cores: BoARIO on a.workers processes, perfect scaling assumed
        print(f"BoARIO (ARIO, same table): {1 / per_run:.2f} runs/s on 1 process{crash}, {boario:.2f} runs/s on "
              f"{a.workers} (perfect scaling); on the same cores chainsim runs {steady['ario'] / boario:.1f}x as many "
              f"runs for the same ARIO work, {steady['default'] / boario:.1f}x in the default model (target >= 20x)")


if __name__ == "__main__":
    main()
