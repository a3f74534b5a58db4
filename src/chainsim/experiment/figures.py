"""A run's PNG figures, drawn in forked processes while this one writes the tables.

Drawing the four figures of the README scenario costs about 2 s of CPU (matplotlib's
constrained layout and Agg rendering, the CJK font's glyphs; ``docs/performance.md``), as
much as the summary table, the band sensitivity and ``trajectories.parquet`` together. They
need nothing from one another, so :func:`start_figures` forks two child processes that
inherit the run (no copy, no pickling: the fork shares its memory) and draw two figures each
into the output folder, while the caller goes on with the tables;
:meth:`PendingFigures.result` waits for them and returns the paths, or raises what the drawing
raised. Where forking is not safe (another Python thread alive, macOS, Windows:
:func:`chainsim.sweeps.runner.pool_start_method`) the figures are drawn in this process when
the result is asked for. Either way the PNG files are the same: the same function draws them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["FIGURES", "PendingFigures", "figure_keys", "render_figures", "start_figures"]


def _recovery_curves(run: Any, plt: Any) -> Any:
    from chainsim.plots import recovery_curves

    fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    recovery_curves(run, run.loaded.scenario.metrics.scope[0], ax=ax)
    return fig


def _recovery_panels(run: Any, plt: Any) -> Any:
    from chainsim.plots import recovery_panels

    return recovery_panels(run, run.loaded.scenario.metrics.scope[0])


def _loss_heatmap(run: Any, plt: Any) -> Any:
    from chainsim.plots import loss_heatmap

    fig, ax = plt.subplots(figsize=(4.5 + 1.0 * run.loaded.table.n_regions, 7.6), layout="constrained")
    loss_heatmap(run, "baseline", ax=ax)
    return fig


def _attribution(run: Any, plt: Any) -> Any:
    from chainsim.plots import attribution_bars

    fig, ax = plt.subplots(figsize=(9, 0.6 * len(run.pathways) + 2.2), layout="constrained")
    attribution_bars(run, run.loaded.scenario.metrics.scope[0], ax=ax)
    return fig


def _has_attribution(run: Any) -> bool:
    return run.attribution is not None and not run.attribution.frame.empty


#: key in the returned paths -> (PNG file stem, draw(run, plt) -> Figure, whether the run has it)
FIGURES: dict[str, tuple[str, Callable[[Any, Any], Any], Callable[[Any], bool]]] = {
    "recovery_curves": ("recovery_curves", _recovery_curves, lambda run: True),
    "recovery_panels": ("recovery_panels", _recovery_panels, lambda run: True),
    "loss_heatmap": ("loss_heatmap", _loss_heatmap, lambda run: True),
    "attribution_figure": ("attribution", _attribution, _has_attribution),
}


def figure_keys(run: Any) -> list[str]:
    """The figures this run has, in :data:`FIGURES` order (``attribution_figure`` only with an attribution)."""
    return [k for k, (_, _, has) in FIGURES.items() if has(run)]


def render_figures(run: Any, out: str | Path, keys: Sequence[str] | None = None) -> dict[str, Path]:
    """Draw the run's figures (or those named by ``keys``) into ``out``; return their paths (key -> path).

    ``recovery_curves``, ``recovery_panels``, ``loss_heatmap`` and, with an attribution,
    ``attribution_figure`` (``attribution.png``): :mod:`chainsim.plots`, 130 dpi.
    """
    from chainsim.plots import _plt, figure_style

    out = Path(out)
    plt = _plt()
    paths = {}
    with figure_style():  # the bundled CJK font, also for tick labels made at save time
        for key in figure_keys(run) if keys is None else keys:
            stem, draw, _ = FIGURES[key]
            fig = draw(run, plt)
            paths[key] = out / f"{stem}.png"
            fig.savefig(paths[key], dpi=130, format="png")
            plt.close(fig)
    return paths


def _draw_in_child(run: Any, out: Path, keys: list[str], conn: Any, parent_pid: int) -> None:
    """A forked child: draw ``keys``, send ``(True, paths)`` or ``(False, exception)``, exit (with its parent too)."""
    from chainsim.procs import exit_with_parent

    exit_with_parent(parent_pid)
    try:
        result: tuple[bool, Any] = (True, render_figures(run, out, keys))
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
    children: list[tuple[Any, Any]] = field(default_factory=list)
    _paths: dict[str, Path] | None = field(default=None, repr=False)

    @property
    def forked(self) -> bool:
        """Whether the figures are being drawn in forked processes."""
        return bool(self.children)

    def result(self) -> dict[str, Path]:
        """The figures' paths once drawn (in :data:`FIGURES` order); raises what drawing them raised."""
        if self._paths is not None:
            return self._paths
        if not self.children:
            self._paths = render_figures(self.run, self.out)
            return self._paths
        drawn: dict[str, Path] = {}
        failure: BaseException | None = None
        for process, conn in self.children:
            try:
                ok, value = conn.recv()
            except EOFError:
                ok, value = False, RuntimeError(f"drawing the figures: the drawing process ended without a "
                                                f"result (exit code {process.exitcode})")
            finally:
                conn.close()
            process.join()
            if ok:
                drawn.update(value)
            elif failure is None:
                failure = value
        self.children = []
        if failure is not None:
            raise failure
        self._paths = {k: drawn[k] for k in figure_keys(self.run)}
        return self._paths

    def cancel(self) -> None:
        """Stop drawing processes still running (the caller is failing or interrupted)."""
        for process, conn in self.children:
            if process.is_alive():
                process.terminate()
            process.join()
            conn.close()
        self.children = []


def start_figures(run: Any, out: str | Path, *, background: bool = True, processes: int = 2) -> PendingFigures:
    """Start drawing the run's figures into ``out``: in forked children when safe, else when asked for.

    Parameters
    ----------
    run : ScenarioRun
    out : path
        The (staging) folder the PNG files go to.
    background : bool
        ``False`` draws them in this process when :meth:`PendingFigures.result` is called.
    processes : int
        Forked children sharing the figures (round robin in :data:`FIGURES` order: on the README
        scenario curves + heat map and panels + attribution, about 1 s of CPU each).
    """
    import multiprocessing

    from chainsim.sweeps.runner import pool_start_method

    pending = PendingFigures(run=run, out=Path(out))
    keys = figure_keys(run)
    if not background or not keys or pool_start_method() != "fork":
        return pending
    ctx = multiprocessing.get_context("fork")
    sys.stdout.flush()
    sys.stderr.flush()
    n = max(1, min(int(processes), len(keys)))
    for group in (keys[k::n] for k in range(n)):
        parent, child = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_draw_in_child, args=(run, pending.out, group, child, os.getpid()),
                              name="chainsim-figures", daemon=True)
        process.start()
        child.close()
        pending.children.append((process, parent))
    return pending
