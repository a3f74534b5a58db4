"""Progress bars for long commands: tqdm on stderr with time left, off when stderr is not a terminal.

A bar is shown only when the user did not ask for ``--quiet`` and stderr is a terminal, so
piped output and CI logs carry no control characters. tqdm's monitor thread is off: a
thread alive at a fork would make the worker pools fall back to spawning.
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["make_bar", "show_progress"]


def show_progress(args: Any) -> bool:
    """Whether a command should draw progress: not ``--quiet``, not ``--no-progress``, stderr a terminal."""
    if getattr(args, "quiet", False) or getattr(args, "no_progress", False):
        return False
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def make_bar(total: int, *, desc: str, unit: str, enabled: bool) -> Any:
    """A tqdm bar on stderr (``disable=not enabled``), its ETA from the rate so far."""
    from tqdm import tqdm

    class _Bar(tqdm):
        monitor_interval = 0

    return _Bar(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not enabled, dynamic_ncols=True,
                leave=False, bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {unit} "
                                        "[{elapsed} elapsed, {remaining} left]")
