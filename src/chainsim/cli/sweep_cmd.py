"""``chainsim sweep SWEEP``: a sensitivity sweep on local cores or a Dask cluster (see docs/sweeps.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["register"]


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser] | None = None) -> None:
    """Add the ``sweep`` command."""
    p = sub.add_parser("sweep", parents=parents or [],
                       help="sensitivity sweep over pathway intensities, shocks and parameters (SALib)")
    p.add_argument("sweep", type=Path, help="sweep YAML file (see sweeps/ and docs/sweeps.md)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: runs/sweeps/<sweep file name>)")
    p.add_argument("--workers", type=int, default=None,
                   help="processes (1 = serial; default: all CPUs; 0 or less is refused)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS|local",
                   help="run on Dask distributed: a scheduler address, or 'local' for a LocalCluster on loopback")
    p.add_argument("--resume", action="store_true", help="continue an interrupted sweep in --out")
    p.add_argument("--chunk-size", type=int, default=None, help="runs per chunk file (default 32)")
    p.add_argument("--samples", type=int, default=None, help="override the design's samples")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (none either when stderr is not a "
                                                              "terminal)")
    p.set_defaults(func=_sweep)


def _sweep(args: argparse.Namespace) -> int:
    import sys

    import pandas as pd

    from chainsim.cli.progress import show_progress
    from chainsim.sweeps import load_sweep, run_sweep
    from chainsim.sweeps.runner import load_sweep_with_samples

    spec = load_sweep(args.sweep)
    if args.samples is not None:
        spec = load_sweep_with_samples(spec, args.samples)
    out = args.out or Path("runs") / "sweeps" / args.sweep.stem
    where = f"Dask ({args.scheduler})" if args.scheduler else (
        "serial" if args.workers == 1 else f"{args.workers or 'all'} local processes")
    if not args.quiet:
        print(f"{spec.name}: {spec.design.method} design, {len(spec.factors)} factors (seed included), "
              f"{spec.design.samples} samples; {where}; output {out}", file=sys.stderr)
    try:
        res = run_sweep(spec, out_dir=out, workers=args.workers, scheduler=args.scheduler, resume=args.resume,
                        progress=show_progress(args), chunk_size=args.chunk_size, figures=not args.no_figures)
    except KeyboardInterrupt:
        print(f"\nfinished chunks are kept in {out}/chunks; continue with --resume", file=sys.stderr)
        raise
    sens = res.sensitivity
    cols = [c for c in ("S1", "S1_conf", "ST", "ST_conf", "mu_star", "sigma") if sens[c].notna().any()]
    with pd.option_context("display.width", 160, "display.max_rows", 200):
        for output, d in sens.groupby("output", sort=False):
            cens = d["censored_share"].iloc[0]
            note = f" ({cens:.0%} of runs censored at the horizon)" if pd.notna(cens) and cens > 0 else ""
            print(f"\n== {output}{note} ==")
            print(d.set_index("factor")[cols].round(3).to_string())
        if res.ranking is not None:
            print(f"\n== fastest pathway to recover (share of {int(res.ranking['samples'].iloc[0])} samples) ==")
            print(res.ranking[["pathway", "share_fastest", "share_se", "recovered_share", "ttr_median"]]
                  .round(3).to_string(index=False))
    print(f"\n{len(res.runs)} runs; wrote {', '.join(sorted(res.paths))} to {out}")
    return 0
