"""``chainsim warmup``: compile the engine's loops once, after installing (see :mod:`chainsim.experiment.warmup`)."""

from __future__ import annotations

import argparse

__all__ = ["register"]


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser] | None = None) -> None:
    """Add the ``warmup`` command."""
    p = sub.add_parser("warmup", parents=parents or [],
                       help="compile the engine's loops now (numba's cache), so the first run does not pay for it")
    p.add_argument("--dataset", default="northeast-2017", help="bundled dataset to run on (default northeast-2017)")
    p.set_defaults(func=_warmup)


def _warmup(args: argparse.Namespace) -> int:
    import time

    from chainsim.experiment.warmup import warm_up

    t0 = time.perf_counter()
    seconds = warm_up(args.dataset)
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items())
    print(f"engine loops compiled or loaded from numba's cache in {time.perf_counter() - t0:.1f} s ({steps})")
    return 0
