#!/usr/bin/env python3
"""A pathway's engine cost per member-day against the batch size: what is fixed per batch-day, what per member.

usage: PYTHONPATH=<tree>/src python benchmarks/bench_batch_size.py [ENTRY] [--sizes 1 2 5 10 20] [--repeat 2]

Runs the README scenario's first 20 replications of pathway ``ENTRY`` (default ``dual_wheel``)
with ``chainsim.experiment.run.run_pathway``, one BLAS thread, in batches of B members (20 / B
batches: the same 20 members at every B), and prints the best process CPU time per member-day
of ``--repeat`` passes. Then it fits ``cost(B) = fixed / B + marginal`` by least squares: ``fixed``
is what a batch-day costs whatever its size (Python, call and dispatch overheads, and the
batch's model build spread over its days), ``marginal``
what each member adds (the arithmetic and memory traffic of its state). A faster day has to cut
the part that dominates at the batch sizes ``chainsim run`` uses (20 members a pathway,
14 an attribution batch; docs/performance.md, "The main job").
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "electronics_import_cut.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("entry", nargs="?", default="dual_wheel")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 2, 5, 10, 20])
    ap.add_argument("--repeat", type=int, default=2)
    a = ap.parse_args()
    from threadpoolctl import threadpool_limits

    from chainsim.experiment.run import replication_seeds, run_pathway
    from chainsim.pathways.draws import lever_quantiles
    from chainsim.scenario.load import load_scenario

    loaded = load_scenario(SCENARIO)
    sc = loaded.scenario
    members, days = 20, sc.horizon_days
    seeds = replication_seeds(sc.seed, members)
    q = lever_quantiles(sc.seed, members) if sc.levers == "drawn" else None

    def part(k: int, B: int) -> np.ndarray | None:
        return None if q is None else q[k:k + B]

    costs = {}
    with threadpool_limits(1, "blas"):
        run_pathway(loaded, a.entry, seeds=seeds[:2], quantiles=part(0, 2))  # loads the compiled loops
        for B in a.sizes:
            best = float("inf")
            for _ in range(a.repeat):
                t0 = time.process_time()
                for k in range(0, members, B):
                    run_pathway(loaded, a.entry, seeds=seeds[k:k + B], quantiles=part(k, B))
                best = min(best, time.process_time() - t0)
            costs[B] = best / (members * days) * 1e6
            print(json.dumps({"batch": B, "us_per_member_day": round(costs[B], 1)}), flush=True)
    B = np.array(list(costs), dtype=float)
    X = np.column_stack([1 / B, np.ones_like(B)])
    (fixed, marginal), *_ = np.linalg.lstsq(X, np.array(list(costs.values())), rcond=None)
    print(json.dumps({"entry": a.entry, "fixed_us_per_batch_day": round(float(fixed), 1),
                      "marginal_us_per_member_day": round(float(marginal), 1)}))


if __name__ == "__main__":
    main()
