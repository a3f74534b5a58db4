"""Figures: matplotlib functions that take results and an optional ``ax`` and return the axes.

Chinese names are drawn when a CJK font is installed (Noto Sans CJK, WenQuanYi, SimHei,
…); otherwise labels fall back to codes and English names so no glyph is lost.
matplotlib is imported lazily and the non-interactive backend is used when none is set.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np

__all__ = ["attribution_bars", "cjk_font", "loss_heatmap", "recovery_curves", "text"]

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
    from chainsim.experiment.summary import scope_trajectories
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
    if run.loaded.scenario.metrics.recovery_band == "below":  # one-sided: catch-up above baseline is recovered
        ax.axhspan(100 - eps, 100, color="grey", alpha=0.12, lw=0, label=f"recovered: above −{eps:g} %")
    else:
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


def attribution_bars(run: Any, scope: str = "northeast", *, ax: Any = None) -> Any:
    """Each pathway's paired loss difference with baseline, split over its levers (Shapley), bn CNY.

    Bars left of zero are output loss avoided. Levers that change nothing are left out; the
    black diamond is the pathway's whole difference on the same replications (the bars add
    up to it). Needs a run with attribution (``run.attribution``).
    """
    from chainsim.pathways.registry import LEVERS, PATHWAYS

    plt = _plt()
    att = run.attribution
    if att is None:
        raise ValueError("attribution_bars: the run has no attribution (pathways.attribution.method is 'off')")
    f = att.frame[att.frame.scope == scope]
    entries = [e for e in run.pathways if e != "baseline" and e in set(f.pathway)]
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 0.6 * len(entries) + 2.2))
    cmap = plt.get_cmap("tab20")
    colour = {lv: cmap(k % 20) for k, lv in enumerate(LEVERS)}
    font = cjk_font()
    shown: set[str] = set()
    for k, e in enumerate(entries):
        g = f[f.pathway == e]
        col = "shapley_loss_diff_cny" if (g.method == "shapley").all() else "alone_loss_diff_cny"
        left = {True: 0.0, False: 0.0}
        for r in g[(g.lever != "(total)") & g.acts.astype(bool)].itertuples():
            v = float(getattr(r, col)) / 1e9
            neg = v < 0
            ax.barh(k, v, left=left[neg], color=colour[r.lever], edgecolor="white", lw=0.5,
                    label=None if r.lever in shown else r.lever)
            left[neg] += v
            shown.add(r.lever)
        total = float(g.loc[g.lever == "(total)", "shapley_loss_diff_cny"].iloc[0]) / 1e9
        ax.plot([total], [k], marker="D", color="black", ms=5, ls="none",
                label=None if "(total)" in shown else "pathway total (same replications)")
        shown.add("(total)")
    labels = []
    for e in entries:
        zh = "+".join(PATHWAYS[p].name_zh for p in e.split("+") if p in PATHWAYS)
        labels.append(f"{e} {zh}" if font else e)
    ax.set_yticks(range(len(entries)), labels, fontfamily=font)
    ax.invert_yaxis()
    ax.axvline(0.0, color="grey", lw=0.8)
    n = int(f.replications.iloc[0]) if len(f) else 0
    method = "Shapley split" if len(f) and (f.method == "shapley").all() else "one lever at a time"
    ax.set_xlabel("paired loss difference with baseline, bn CNY (negative = less loss)")
    ax.set_ylabel("pathway")
    ax.set_title(text(f"{run.loaded.scenario.name}: what each lever contributes ({scope})\n"
                      f"{method} over the first {n} replications"), fontfamily=font)
    ax.legend(loc="best", fontsize=7)
    return ax
