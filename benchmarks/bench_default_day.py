#!/usr/bin/env python3
"""The default model's day on the Northeast table: seconds a day of a batch, best of repeats, in one process.

usage: PYTHONPATH=<tree>/src python benchmarks/bench_default_day.py [--batch 8] [--days 365] [--repeat 3] [--profile]

A batch of ``--batch`` capacity losses (Liaoning metal smelting, shares in [0.3, 0.7] and linear
recoveries over [90, 270] days drawn from seed 0: the capacity-loss sweep's factors, whose
sweep runs batches of 8; 16 before sweep16, docs/performance.md) runs ``--days`` days through
``chainsim.engine.Engine`` (fast executor, default model); the best of ``--repeat`` runs is
printed in ms a day and ms a member.
The numba loops are loaded (or compiled) by a short run first. ``--profile`` prints cProfile's
top stages of one more run. Run it for the code before and after a change alternately, with
``OPENBLAS_NUM_THREADS=1`` (docs/performance.md, "The default model on its own").
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args()
    from chainsim.data.datasets import load_dataset
    from chainsim.engine import Engine, build_model, resolve_params

    m = build_model(load_dataset("northeast-2017"), resolve_params(None))
    rng = np.random.default_rng(0)
    sets = [[{"type": "capacity_loss", "region": "LN", "sector": "14", "share": float(s), "start": 10, "duration": 1,
              "recovery": {"curve": "linear", "days": int(d)}}]
            for s, d in zip(rng.uniform(0.3, 0.7, a.batch), rng.uniform(90, 270, a.batch), strict=True)]
    Engine(m, sets[:2]).run(15)  # load or compile the loops
    best = float("inf")
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        Engine(m, sets).run(a.days)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({"batch": a.batch, "days": a.days, "best_s": round(best, 4),
                      "ms_per_day": round(best / a.days * 1e3, 3), "ms_per_member": round(best / a.batch * 1e3, 2)}))
    if a.profile:
        prof = cProfile.Profile()
        prof.runcall(Engine(m, sets).run, a.days)
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
