"""Figures: matplotlib functions that take results and an optional ``ax`` and return the axes.

Chinese names are drawn when a CJK font is installed (Noto Sans CJK, WenQuanYi, SimHei,
…); otherwise labels fall back to codes and English names so no glyph is lost.
matplotlib is imported lazily and the non-interactive backend is used when none is set.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

__all__ = ["cjk_font", "loss_heatmap", "recovery_curves", "text"]

_CJK = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
        "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN")


def _plt() -> Any:
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        try:
            import IPython  # noqa: F401  (inside a notebook keep the inline backend)
        except ImportError:
            matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@cache
def cjk_font() -> str | None:
    """Name of an installed font with Chinese glyphs, or ``None``."""
    from matplotlib import font_manager

    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in _CJK if n in names), None)


def text(s: str) -> str:
    """``s`` as it can be drawn: unchanged with a CJK font, else with Chinese characters removed."""
    if cjk_font():
        return s
    kept = "".join(ch for ch in s if ord(ch) < 0x2E80).replace("()", "").replace("（）", "")
    return "\n".join(" ".join(line.split()).replace(" :", ":") for line in kept.split("\n"))


def recovery_curves(run: Any, scope: str = "northeast", *, ax: Any = None, band: tuple[float, float] = (10, 90)) -> Any:
    """Output of a scope relative to baseline, one line per pathway (median) with a replication band.

    Parameters
    ----------
    run : ScenarioRun
        From :func:`chainsim.experiment.run.run_scenario`.
    scope : str
        Scope to plot (``northeast``, a region code, ``REGION|SECTOR``).
    ax : matplotlib Axes, optional
    band : (low, high)
        Percentiles of the shaded band across replications.

    Returns
    -------
    matplotlib Axes
    """
    from chainsim.experiment.pathway_tables import scope_trajectories
    from chainsim.pathways.registry import PATHWAYS

    plt = _plt()
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 5))
    traj = 100.0 * scope_trajectories(run, scope)
    font = cjk_font()
    styles = ("-", "--", "-.", ":")
    for k, entry in enumerate(run.pathways):
        rel = traj[entry].to_numpy().T  # (replications, days)
        days = np.arange(rel.shape[1])
        med = np.median(rel, axis=0)
        zh = "+".join(PATHWAYS[p].name_zh for p in entry.split("+") if p in PATHWAYS)
        label = f"{entry} {zh}" if font else entry
        # distinct dashes keep pathways that coincide (e.g. one that changes nothing) visible
        (line,) = ax.plot(days, med, lw=1.8, ls=styles[k % len(styles)], label=label, zorder=3)
        if rel.shape[0] > 1:
            lo, hi = np.percentile(rel, band, axis=0)
            ax.fill_between(days, lo, hi, color=line.get_color(), alpha=0.08, lw=0, zorder=1)
    eps = 100.0 * run.loaded.scenario.metrics.recovery_tolerance
    ax.axhspan(100 - eps, 100 + eps, color="grey", alpha=0.12, lw=0, label=f"recovered band (±{eps:g} %)")
    ax.axhline(100.0, color="grey", lw=0.8)
    ax.set_xlabel("day since start of simulation")
    ax.set_ylabel(f"output of {scope}, % of no-shock baseline")
    title = f"{run.loaded.scenario.name}: recovery by policy pathway"
    if run.loaded.scenario.replications > 1:
        title += (f"\nmedian (lines) and {band[0]:g}–{band[1]:g} % of {run.loaded.scenario.replications} "
                  "replications (shaded)")
    ax.set_title(text(title), fontfamily=font)
    ax.legend(loc="lower right", fontsize=8, prop={"family": font} if font else None)
    return ax


def loss_heatmap(run: Any, pathway: str = "baseline", *, ax: Any = None, top: int = 20) -> Any:
    """Region x sector heat map of cumulative output loss (% of a year's baseline output, median run).

    Only the ``top`` sectors with the largest total loss are shown.
    """
    plt = _plt()
    pr = run.pathways[pathway] if pathway in run.pathways else next(iter(run.pathways.values()))
    table = run.loaded.table
    R, S = table.n_regions, table.n_sectors
    loss = (pr.baseline[None, None, :] - pr.output).sum(axis=1)  # (replications, N)
    med = np.median(loss, axis=0).reshape(R, S)
    annual = table.x.reshape(R, S)
    pct = 100.0 * med / np.where(annual > 0, annual, np.inf)
    order = np.argsort(-np.abs(pct).sum(axis=0))[:top]
    if ax is None:
        _, ax = plt.subplots(figsize=(max(8, 0.45 * len(order) + 3), 0.6 * R + 2.5))
    data = pct[:, order]
    vmax = max(float(np.abs(data).max()), 1e-9)
    im = ax.imshow(data, aspect="auto", cmap="RdBu_r", vmin=-vmax, vmax=vmax)
    font = cjk_font()
    secs = [table.sectors[k] for k in order]
    labels = [f"{s.code} {s.name_zh}" if font else f"{s.code} {s.name_en[:28]}" for s in secs]
    ax.set_xticks(range(len(order)), labels, rotation=60, ha="right", fontsize=7, fontfamily=font)
    ax.set_yticks(range(R), [f"{r.code} {r.name_zh}" if font else f"{r.code} {r.name_en}" for r in table.regions],
                  fontfamily=font)
    ax.set_xlabel("sector (NBS 42, largest losses)")
    ax.set_ylabel("region")
    ax.set_title(text(f"{run.loaded.scenario.name}: cumulative output loss by region and sector ({pathway})"),
                 fontfamily=font)
    ax.figure.colorbar(im, ax=ax, label="loss, % of annual baseline output")
    return ax
