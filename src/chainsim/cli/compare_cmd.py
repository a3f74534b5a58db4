"""``chainsim compare RUN_DIR [OBSERVED.csv]``: a run's monthly value added against official figures."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["register"]


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser] | None = None) -> None:
    """Add the ``compare`` command."""
    p = sub.add_parser("compare", parents=parents or [],
                       help="compare a run's monthly.csv with observed growth rates (error table)",
                       description="Compare a run's monthly.csv with observed growth rates and print the error "
                                   "table. Exit 0 when at least one row was compared; exit 2, with one message, "
                                   "when an input is bad or no observed row matches the run.")
    p.add_argument("run_dir", type=Path, help="output folder of 'chainsim run' (holds monthly.csv)")
    p.add_argument("observed", type=Path, nargs="?", default=None,
                   help="observed table in the layout of observed_2020_calibration.csv (default: the shipped "
                        "2020 calibration figures)")
    p.add_argument("--pathway", default=None, help="pathway to compare (default: baseline)")
    p.add_argument("--out", type=Path, default=None, help="also write the matched rows to this CSV")
    p.set_defaults(func=_compare)


def _compare(args: argparse.Namespace) -> int:
    from chainsim.errors import ChainsimError, DataError
    from chainsim.experiment.compare import (
        OBSERVED_2020,
        compare_monthly,
        format_comparison,
        monthly_path,
        no_match_reason,
        read_monthly,
        read_observed,
    )

    monthly = read_monthly(args.run_dir)
    observed_path = args.observed or OBSERVED_2020
    observed = read_observed(observed_path)
    try:
        cmp = compare_monthly(monthly, observed, pathway=args.pathway)
    except DataError as exc:  # an unknown --pathway: name the file it is missing from
        raise DataError(f"{monthly_path(args.run_dir)}: --pathway: {exc}") from None
    if cmp.matched.empty:  # a comparison of nothing is not a result: exit 2, like any input that cannot be used
        raise DataError(f"{monthly_path(args.run_dir)} against {observed_path}: "
                        f"{no_match_reason(monthly, cmp, pathway=args.pathway)}")
    print(format_comparison(cmp))
    if args.out is not None:
        if args.out.exists():
            raise ChainsimError(f"{args.out}: already exists; not overwritten (choose another --out)")
        cmp.matched.to_csv(args.out, index=False, float_format="%.6g")
        print(f"wrote {args.out}")
    return 0
