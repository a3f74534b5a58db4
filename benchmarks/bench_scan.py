#!/usr/bin/env python3
"""Benchmark: the full chokepoint scan of the default Northeast model (DESIGN §8: < 2 minutes on 2 cores).

usage: python benchmarks/bench_scan.py [--dataset northeast-2017] [--workers 2] [--chunk 32]
                                       [--duration 90] [--days 365] [--per-kind] [--out DIR]

Runs :func:`chainsim.scan.scan` once with all three kinds (imports, links, nodes) at the
default settings and prints the wall time in total and, per kind, the engine seconds and CPU
seconds summed over that kind's chunks (with ``--workers 2`` these add up to about twice the
wall time of the simulation). On a shared machine the CPU time tells what the scan costs; the
wall time what it took. ``--per-kind`` also times each kind in a scan of its own (wall time). Machines
are noisy (and shared): read the figure as an order of magnitude.
"""

from __future__ import annotations

import argparse
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns an exit code."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="northeast-2017")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--chunk", type=int, default=32)
    p.add_argument("--duration", type=float, default=90.0)
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--per-kind", action="store_true", help="also time each kind in a scan of its own")
    p.add_argument("--out", default=None, help="also write the scan outputs here")
    args = p.parse_args(argv)

    from chainsim.data.datasets import load_dataset
    from chainsim.scan import KINDS, scan, write_scan

    table = load_dataset(args.dataset)
    print(f"chokepoint scan of {table.name} ({table.n_regions} regions x {table.n_sectors} sectors), "
          f"{args.days} days, {args.duration:g}-day cuts, {args.workers} worker(s), chunk {args.chunk}, "
          f"{os.cpu_count()} CPU(s) visible")
    t0 = time.perf_counter()
    result = scan(table, workers=args.workers, chunk=args.chunk, duration=args.duration, days=args.days)
    wall = time.perf_counter() - t0
    secs = result.provenance["seconds"]
    counts = result.provenance["targets"]
    print(f"\nfull scan: {sum(counts.values())} targets in {wall:.1f} s wall "
          f"({'under' if wall < 120 else 'OVER'} the 2-minute target)")
    print(f"  simulation wall {secs['simulation_wall']:.1f} s, pre-screen {secs['prescreen']:.2f} s")
    cpu = sum(secs[f"{k}_cpu"] for k in KINDS)
    for kind in KINDS:
        print(f"  {kind:<8} {counts[kind]:>4} targets, engine time {secs[kind]:6.1f} s, "
              f"CPU {secs[f'{kind}_cpu']:6.1f} s "
              f"({1e3 * secs[f'{kind}_cpu'] / max(counts[kind], 1):.0f} ms CPU per {args.days}-day run)")
    print(f"  engine CPU time {cpu:.1f} s in all: {cpu / max(args.workers, 1):.1f} s of wall time on {args.workers} "
          f"idle core(s); wall / (CPU / workers) = {secs['simulation_wall'] / max(cpu / args.workers, 1e-9):.2f} "
          f"(> 1: overhead or a loaded machine)")
    if args.per_kind:
        print("\neach kind in a scan of its own (wall):")
        for kind in KINDS:
            t0 = time.perf_counter()
            scan(table, kinds=[kind], workers=args.workers, chunk=args.chunk, duration=args.duration, days=args.days)
            print(f"  {kind:<8} {time.perf_counter() - t0:6.1f} s")
    if args.out:
        write_scan(result, args.out)
        print(f"\nwrote the scan to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
