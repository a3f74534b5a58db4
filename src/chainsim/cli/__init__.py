"""The ``chainsim`` command line: a thin layer that parses, calls the library API and writes.

Every :class:`~chainsim.errors.ChainsimError` becomes one message on stderr and exit code 2,
without a traceback. Ctrl-C becomes ``chainsim: interrupted`` and exit code 130; once pressed,
further presses are ignored while the command cleans up (its staging folder, its worker
processes: :class:`chainsim.procs.WorkerPool`) and exits, so that a second press cannot leave
them half done or turn the exit into a traceback. Logging is configured here, never in the
library.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence

from chainsim.errors import ChainsimError

__all__ = ["build_parser", "main"]

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level argument parser with every sub-command registered."""
    from chainsim import __version__
    from chainsim.cli import compare_cmd, data_cmd, run_cmd, scan_cmd, sweep_cmd, warmup_cmd

    parser = argparse.ArgumentParser(
        prog="chainsim",
        description="Supply-chain shock simulation on the Northeast China input-output network "
                    "(卡链 / 断链 / 堵链 disruptions, policy-pathway comparison).")
    parser.add_argument("--version", action="version", version=f"chainsim {__version__}")
    _add_verbosity(parser, argparse.SUPPRESS)
    # the same options after the sub-command (chainsim run x.yaml -q); SUPPRESS keeps the top-level value
    common = argparse.ArgumentParser(add_help=False)
    _add_verbosity(common, argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    data_cmd.register(sub)
    run_cmd.register(sub, parents=[common])
    sweep_cmd.register(sub, parents=[common])
    scan_cmd.register(sub, parents=[common])
    compare_cmd.register(sub, parents=[common])
    warmup_cmd.register(sub, parents=[common])
    return parser


def _add_verbosity(parser: argparse.ArgumentParser, default: object) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-v", "--verbose", action="count", default=default,
                       help="more log output (-vv for debug)")
    group.add_argument("-q", "--quiet", action="store_true", default=default,
                       help="no progress bars, status lines or warnings on stderr (results and errors only)")


def _interrupt_once(signum: int, frame: object) -> None:
    """SIGINT handler while a command runs: the first Ctrl-C raises ``KeyboardInterrupt``, later ones are ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code.

    With ``argv`` given (a caller in Python), the caller's SIGINT handler is restored on return;
    without (the ``chainsim`` program), a Ctrl-C leaves SIGINT ignored until the process ends.
    """
    installed = threading.current_thread() is threading.main_thread()  # Python handles signals there only
    previous = signal.signal(signal.SIGINT, _interrupt_once) if installed else None
    try:
        return _main(argv)
    finally:
        if installed and (argv is not None or signal.getsignal(signal.SIGINT) is _interrupt_once):
            signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.verbose = getattr(args, "verbose", 0)
    args.quiet = getattr(args, "quiet", False)
    level = logging.ERROR if args.quiet else logging.WARNING - 10 * min(args.verbose, 2)
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
