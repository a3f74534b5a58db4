"""The ``chainsim`` command line: a thin layer that parses, calls the library API and writes.

Every :class:`~chainsim.errors.ChainsimError` becomes one message on stderr and exit code 2,
without a traceback. Logging is configured here, never in the library.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from chainsim.errors import ChainsimError

__all__ = ["build_parser", "main"]

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level argument parser with every sub-command registered."""
    from chainsim import __version__
    from chainsim.cli import compare_cmd, data_cmd, run_cmd, scan_cmd, sweep_cmd

    parser = argparse.ArgumentParser(
        prog="chainsim",
        description="Supply-chain shock simulation on the Northeast China input-output network "
                    "(卡链 / 断链 / 堵链 disruptions, policy-pathway comparison).")
    parser.add_argument("--version", action="version", version=f"chainsim {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    data_cmd.register(sub)
    run_cmd.register(sub)
    sweep_cmd.register(sub)
    scan_cmd.register(sub)
    compare_cmd.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except ChainsimError as exc:
        print(f"chainsim: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("chainsim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
