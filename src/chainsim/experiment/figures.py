"""A run's PNG figures, drawn in a forked process while this one writes the tables.

Drawing the four figures of the README scenario costs about 2 s of CPU (matplotlib's
constrained layout and Agg rendering, the CJK font's glyphs; ``docs/performance.md``), as
much as the summary table, the band sensitivity and ``trajectories.parquet`` together. They
need nothing from one another, so :func:`start_figures` forks a child process that inherits
the run (no copy, no pickling: the fork shares its memory) and draws the figures into the
output folder, while the caller goes on with the tables on the other core;
:meth:`PendingFigures.result` waits for it and returns the paths, or raises what the drawing
raised. Where forking is not safe (another Python thread alive, macOS, Windows:
:func:`chainsim.sweeps.runner.pool_start_method`) the figures are drawn in this process when
the result is asked for. Either way the PNG files are the same: the same function draws them.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["PendingFigures", "render_figures", "start_figures"]


def render_figures(run: Any, out: str | Path) -> dict[str, Path]:
    """Draw the run's figures into ``out`` and return their paths (key -> path).

    ``recovery_curves``, ``recovery_panels``, ``loss_heatmap`` and, with an attribution,
    ``attribution_figure`` (``attribution.png``): :mod:`chainsim.plots`, 130 dpi.
    """
    from chainsim.plots import _plt, attribution_bars, figure_style, loss_heatmap, recovery_curves, recovery_panels

    out = Path(out)
    plt = _plt()
    paths = {}
    scope = run.loaded.scenario.metrics.scope[0]

    def save(name: str, fig: Any, key: str | None = None) -> None:
        paths[key or name] = out / f"{name}.png"
        fig.savefig(paths[key or name], dpi=130, format="png")
        plt.close(fig)

    with figure_style():  # the bundled CJK font, also for tick labels made at save time
        fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
        recovery_curves(run, scope, ax=ax)
        save("recovery_curves", fig)
        save("recovery_panels", recovery_panels(run, scope))
        table = run.loaded.table
        fig, ax = plt.subplots(figsize=(4.5 + 1.0 * table.n_regions, 7.6), layout="constrained")
        loss_heatmap(run, "baseline", ax=ax)
        save("loss_heatmap", fig)
        if run.attribution is not None and not run.attribution.frame.empty:
            fig, ax = plt.subplots(figsize=(9, 0.6 * len(run.pathways) + 2.2), layout="constrained")
            attribution_bars(run, scope, ax=ax)
            save("attribution", fig, "attribution_figure")
    return paths


def _draw_in_child(run: Any, out: Path, conn: Any, parent_pid: int) -> None:
    """The forked child: draw, send ``(True, paths)`` or ``(False, exception)``, exit (with its parent too)."""
    from chainsim.procs import exit_with_parent

    exit_with_parent(parent_pid)
    try:
        result: tuple[bool, Any] = (True, render_figures(run, out))
    except BaseException as exc:  # handed to the parent, which raises it
        result = (False, exc)
    try:
        conn.send(result)
    except Exception as exc:  # an exception that does not pickle
        conn.send((False, RuntimeError(f"drawing the figures failed: {exc!r}")))
    conn.close()


@dataclass(eq=False)
class PendingFigures:
    """Figures being drawn (:func:`start_figures`); :meth:`result` waits for them."""

    run: Any
    out: Path
    process: Any = None
    conn: Any = None
    _paths: dict[str, Path] | None = field(default=None, repr=False)

    def result(self) -> dict[str, Path]:
        """The figures' paths once drawn; raises what drawing them raised."""
        if self._paths is not None:
            return self._paths
        if self.process is None:
            self._paths = render_figures(self.run, self.out)
            return self._paths
        try:
            ok, value = self.conn.recv()
        except EOFError:
            self.process.join()
            raise RuntimeError(f"drawing the figures: the drawing process ended without a result "
                               f"(exit code {self.process.exitcode})") from None
        finally:
            self.conn.close()
        self.process.join()
        if not ok:
            raise value
        self._paths = value
        return value

    def cancel(self) -> None:
        """Stop a drawing process still running (the caller is failing or interrupted)."""
        if self.process is not None and self._paths is None and self.process.is_alive():
            self.process.terminate()
            self.process.join()


def start_figures(run: Any, out: str | Path, *, background: bool = True) -> PendingFigures:
    """Start drawing the run's figures into ``out``: in a forked child when safe, else when asked for.

    Parameters
    ----------
    run : ScenarioRun
    out : path
        The (staging) folder the PNG files go to.
    background : bool
        ``False`` draws them in this process when :meth:`PendingFigures.result` is called.
    """
    import multiprocessing

    from chainsim.sweeps.runner import pool_start_method

    pending = PendingFigures(run=run, out=Path(out))
    if not background or pool_start_method() != "fork":
        return pending
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    sys.stdout.flush()
    sys.stderr.flush()
    process = ctx.Process(target=_draw_in_child, args=(run, pending.out, child, os.getpid()), name="chainsim-figures",
                          daemon=True)
    process.start()
    child.close()
    pending.process, pending.conn = process, parent
    return pending
