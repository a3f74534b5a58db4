#!/usr/bin/env python3
"""One pathway's engine batch of the README scenario as a `chainsim run` worker runs it: CPU s, µs a member-day.

usage: PYTHONPATH=<tree>/src python benchmarks/bench_pathway_batch.py [ENTRY] [--scenario FILE] [--repeat 3] [--profile]

Runs ``chainsim.experiment.run.run_pathway`` for pathway ``ENTRY`` (default ``dual_wheel``: levers
drawn per replication, so one member model per replication) with the scenario's seeds and lever
quantiles, one BLAS thread, after a 2-replication warm-up that loads the compiled loops; prints the
process CPU seconds of each repeat, the best, and the best per member-day. Alternate trees (the code
before and after a change) in fresh processes: the machine's load moves CPU seconds too
(docs/performance.md, "The main job"). ``--profile`` prints cProfile's top stages of one more run.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import time
from pathlib import Path

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "electronics_import_cut.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("entry", nargs="?", default="dual_wheel")
    ap.add_argument("--scenario", type=Path, default=SCENARIO)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args()
    from threadpoolctl import threadpool_limits

    from chainsim.experiment.run import replication_seeds, run_pathway
    from chainsim.pathways.draws import lever_quantiles
    from chainsim.scenario.load import load_scenario

    loaded = load_scenario(a.scenario)
    sc = loaded.scenario
    seeds = replication_seeds(sc.seed, sc.replications)
    q = lever_quantiles(sc.seed, sc.replications) if sc.levers == "drawn" else None
    with threadpool_limits(1, "blas"):
        run_pathway(loaded, a.entry, seeds=seeds[:2], quantiles=None if q is None else q[:2])
        cpu = []
        for _ in range(a.repeat):
            t0 = time.process_time()
            run_pathway(loaded, a.entry, seeds=seeds, quantiles=q)
            cpu.append(time.process_time() - t0)
        member_days = len(seeds) * sc.horizon_days
        print(json.dumps({"entry": a.entry, "members": len(seeds), "days": sc.horizon_days,
                          "cpu_s": [round(c, 3) for c in cpu], "best_s": round(min(cpu), 3),
                          "us_per_member_day": round(min(cpu) / member_days * 1e6, 1)}))
        if a.profile:
            prof = cProfile.Profile()
            prof.runcall(run_pathway, loaded, a.entry, seeds=seeds, quantiles=q)
            pstats.Stats(prof).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()
