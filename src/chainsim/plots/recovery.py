"""Recovery figures: a scope's output relative to baseline over the days, per policy pathway.

:func:`recovery_curves` draws every pathway's median on one axes; :func:`recovery_panels`
one small panel per pathway with its band. Both shade the shock window
(:func:`shock_windows`) and the band that counts as recovered (``metrics.recovery_band``).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np

from chainsim.plots.labels import pathway_label
from chainsim.plots.style import _plt, font_families

__all__ = ["recovery_curves", "recovery_panels", "shock_windows"]


def shock_windows(run: Any) -> np.ndarray:
    """Per replication, the first day any disruption starts and the last day one is at full strength.

    Returns
    -------
    ndarray (replications, 2) of float
        ``[start, end)`` in simulation days; NaN for a replication with no disruption.
    """
    pr = next(iter(run.pathways.values()))
    R = pr.output.shape[0]
    win = np.full((R, 2), np.nan)
    for s in pr.samples:
        b = int(s["batch"])
        start = float(s.get("start", np.nan))
        end = start + float(s.get("duration", 0.0) or 0.0)
        win[b, 0] = start if np.isnan(win[b, 0]) else min(win[b, 0], start)
        win[b, 1] = end if np.isnan(win[b, 1]) else max(win[b, 1], end)
    return win


def _shade_shock(ax: Any, run: Any) -> None:
    win = shock_windows(run)
    ok = ~np.isnan(win).any(axis=1)
    if not ok.any():
        return
    lo, hi = np.median(win[ok, 0]), np.median(win[ok, 1])
    label = f"shock window 冲击期 (day {lo:.0f}–{hi:.0f}"
    label += ", median of replications)" if ok.sum() > 1 else ")"
    ax.axvspan(lo, hi, color="tab:orange", alpha=0.12, lw=0, zorder=0, label=label)
    if ok.sum() > 1:
        e10, e90 = np.percentile(win[ok, 1], [10, 90])
        if e90 > e10:
            ax.axvspan(e10, e90, color="tab:orange", alpha=0.07, lw=0, zorder=0, hatch="//",
                       label="shock end, 10–90 % of replications")


def _recovered_band(ax: Any, sc: Any, *, label: bool = True) -> float:
    """Shade what counts as recovered (``metrics.recovery_band``); returns the band's half-width in %."""
    eps = 100.0 * sc.metrics.recovery_tolerance
    if sc.metrics.recovery_band == "below":  # one-sided: catch-up above baseline is recovered
        ax.axhspan(100 - eps, 100, color="grey", alpha=0.12, lw=0,
                   label=f"recovered 恢复: above −{eps:g} %" if label else None)
    else:
        ax.axhspan(100 - eps, 100 + eps, color="grey", alpha=0.12, lw=0,
                   label=f"recovered band 恢复区间 (±{eps:g} %)" if label else None)
    return eps


def _ylim(ax: Any, arrays: Sequence[np.ndarray], eps: float) -> None:
    lo = min(float(np.nanmin(a)) for a in arrays)
    hi = max(float(np.nanmax(a)) for a in arrays)
    lo, hi = min(lo, 100 - 2 * eps), max(hi, 100 + 2 * eps)
    pad = 0.06 * (hi - lo)
    ax.set_ylim(lo - pad, hi + pad)


def _day_axis(ax: Any, sc: Any) -> None:
    """Label the x axis in simulation days, or in dates when the scenario has a calendar."""
    fams = font_families()
    if getattr(sc, "calendar", None) is None:
        ax.set_xlabel("day since start of simulation 模拟天数", fontfamily=fams)
        return
    from matplotlib.ticker import FuncFormatter

    from chainsim.scenario.calendar import to_date

    start = sc.calendar.start
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: to_date(round(x), sc.calendar).isoformat()))
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    ax.set_xlabel(f"date 日期 (day 0 = {start.isoformat()})", fontfamily=fams)


def recovery_curves(run: Any, scope: str = "northeast", *, ax: Any = None, band: tuple[float, float] | None = None,
                    view: str = "auto") -> Any:
    """Output of a scope relative to baseline, one median line per pathway, the shock window shaded.

    Parameters
    ----------
    run : ScenarioRun
        From :func:`chainsim.experiment.run.run_scenario`.
    scope : str
        Scope to plot (``northeast``, a region code, ``REGION|SECTOR``).
    ax : matplotlib Axes, optional
    band : (low, high), optional
        Percentiles of the shaded band across replications (default 10–90).
    view : {"auto", "median", "bands"}
        ``"median"``: medians only (readable when pathways overlap); ``"bands"``: medians and
        bands; ``"auto"``: bands for at most two pathways, medians otherwise (use
        :func:`recovery_panels` for every band side by side).

    Returns
    -------
    matplotlib Axes
    """
    from chainsim.experiment.pathway_tables import scope_trajectories

    if view not in ("auto", "median", "bands"):
        raise ValueError(f"view: expected 'auto', 'median' or 'bands'; found {view!r}")
    band = band or (10.0, 90.0)
    plt = _plt()
    fams = font_families()
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 5))
    traj = 100.0 * scope_trajectories(run, scope)
    sc = run.loaded.scenario
    show_bands = sc.replications > 1 and (view == "bands" or (view == "auto" and len(run.pathways) <= 2))
    styles = ("-", "--", "-.", ":")
    drawn = []
    for k, entry in enumerate(run.pathways):
        rel = traj[entry].to_numpy().T  # (replications, days)
        days = np.arange(rel.shape[1])
        med = np.median(rel, axis=0)
        drawn.append(med)
        # distinct dashes keep pathways that coincide (e.g. one that changes nothing) visible
        (line,) = ax.plot(days, med, lw=1.8, ls=styles[k % len(styles)], label=pathway_label(entry), zorder=3)
        if show_bands:
            lo, hi = np.percentile(rel, band, axis=0)
            ax.fill_between(days, lo, hi, color=line.get_color(), alpha=0.10, lw=0, zorder=1)
            drawn += [lo, hi]
    _shade_shock(ax, run)
    eps = _recovered_band(ax, sc)
    ax.axhline(100.0, color="grey", lw=0.8)
    _ylim(ax, drawn, eps)
    ax.set_xlim(0, traj.shape[0] - 1)
    _day_axis(ax, sc)
    ax.set_ylabel(f"output of {scope}, % of no-shock baseline")
    title = (f"{sc.name}: recovery by policy pathway 各政策路径的恢复" if len(run.pathways) > 1
             else f"{sc.name}: recovery 恢复过程")
    if sc.replications > 1:
        title += (f"\nmedian (lines) and {band[0]:g}–{band[1]:g} % of {sc.replications} replications (shaded)"
                  if show_bands else f"\nmedian of {sc.replications} replications")
    ax.set_title(title, fontfamily=fams)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, prop={"family": fams, "size": 7},
              frameon=False)
    return ax


def recovery_panels(run: Any, scope: str = "northeast", *, band: tuple[float, float] = (10, 90),
                    ncols: int = 3) -> Any:
    """Small multiples: one panel per pathway with its median and band, the baseline median in grey.

    Returns
    -------
    matplotlib Figure
    """
    from chainsim.experiment.pathway_tables import scope_trajectories

    plt = _plt()
    fams = font_families()
    traj = 100.0 * scope_trajectories(run, scope)
    entries = list(run.pathways)
    ncols = max(1, min(ncols, len(entries)))
    nrows = -(-len(entries) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 2.6 * nrows + 0.6), sharex=True, sharey=True,
                             squeeze=False, layout="constrained")
    sc = run.loaded.scenario
    eps = 100.0 * sc.metrics.recovery_tolerance
    ref = np.median(traj[entries[0]].to_numpy().T, axis=0)
    everything = []
    for k, entry in enumerate(entries):
        ax = axes[k // ncols, k % ncols]
        rel = traj[entry].to_numpy().T
        days = np.arange(rel.shape[1])
        med = np.median(rel, axis=0)
        _shade_shock(ax, run)
        _recovered_band(ax, sc, label=False)
        if k:
            ax.plot(days, ref, color="0.55", lw=1.0, ls="--", label=f"{entries[0]} (median)")
        if rel.shape[0] > 1:
            lo, hi = np.percentile(rel, band, axis=0)
            ax.fill_between(days, lo, hi, color=f"C{k}", alpha=0.25, lw=0)
            everything += [lo, hi]
        ax.plot(days, med, color=f"C{k}", lw=1.6)
        everything.append(med)
        ax.set_title(pathway_label(entry), fontfamily=fams, fontsize=9)
    for k in range(len(entries), nrows * ncols):
        axes[k // ncols, k % ncols].set_visible(False)
    handles, labels = axes[0, min(1, len(entries) - 1)].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, prop={"family": fams, "size": 7}, frameon=False)
    _ylim(axes[0, 0], everything, eps)
    for k in range(len(entries)):  # on the lowest panel of each column: a figure-level label collided with the legend
        if k + ncols >= len(entries):
            ax = axes[k // ncols, k % ncols]
            _day_axis(ax, sc)
            ax.xaxis.label.set_fontsize(9)
            ax.tick_params(labelbottom=True)
    fig.supylabel(f"output of {scope}, % of baseline", fontsize=9)
    what = f"median and {band[0]:g}–{band[1]:g} % of {sc.replications} replications" if sc.replications > 1 \
        else "one replication"
    title = f"{sc.name}: each pathway on its own 分路径 ({what}; shaded: shock window)"
    # wrapped to the figure's width (about 12 characters an inch at 10 pt): one panel is 3.6 inches wide
    fig.suptitle("\n".join(textwrap.wrap(title, width=int(12 * fig.get_figwidth()))), fontfamily=fams, fontsize=10)
    return fig
