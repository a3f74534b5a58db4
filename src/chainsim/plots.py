"""Figures: matplotlib functions that take results and an optional ``ax`` and return the axes.

Chinese text is drawn with the bundled font (:mod:`chainsim.fonts`, a subset of Noto Sans
CJK SC), registered when the first figure is drawn: no system font is needed and no glyph
is dropped. Functions that write files draw inside :func:`figure_style`, so tick labels
created at save time use the same fonts. matplotlib is imported lazily and the
non-interactive backend is used when none is set.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

__all__ = [
    "attribution_bars", "figure_style", "font_families", "loss_heatmap", "recovery_curves", "recovery_panels",
    "sector_label", "shock_windows", "short_name_en", "shorten", "text", "use_cjk_font",
]

_EN_PREFIXES = ("Manufacture of ", "Production and supply of ", "Processing of ", "Mining and processing of ",
                "Mining and washing of ", "Exploitation of ", "Smelting and processing of ")


def _plt() -> Any:
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        try:
            import IPython  # noqa: F401  (inside a notebook keep the inline backend)
        except ImportError:
            matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def font_families() -> list[str]:
    """Family list for mixed Latin/Chinese text (matplotlib's default, then the bundled CJK font)."""
    from chainsim.fonts import font_families as families

    return families()


@contextlib.contextmanager
def figure_style() -> Iterator[None]:
    """Draw (and save) figures with Chinese-capable fonts; restores matplotlib's settings on exit."""
    plt = _plt()
    with plt.rc_context({**_font_rc(), "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8}):
        yield


def _font_rc() -> dict[str, Any]:
    """The rcParams for text created from now on: the configured sans-serif font, then the bundled CJK font.

    matplotlib falls back glyph by glyph along ``font.family`` (a generic name stands for one
    font), so the CJK family must be an entry of its own. Text objects keep the families
    they were created with: the plotting functions here pass theirs explicitly.
    """
    return {"font.family": ["sans-serif", font_families()[-1]]}


def use_cjk_font() -> list[str]:
    """Make every later figure of the session Chinese-capable (for notebooks); returns the families set.

    This changes ``matplotlib.rcParams`` on purpose, as a user's explicit call; the library
    itself never does (it draws inside :func:`figure_style`).
    """
    import matplotlib

    matplotlib.rcParams.update(_font_rc())
    return font_families()


def text(s: str) -> str:
    """``s`` as drawn: unchanged (kept for notebooks; Chinese no longer needs stripping)."""
    return s


def shorten(s: str, width: int) -> str:
    """``s`` cut at a word boundary to at most ``width`` characters, with an ellipsis when cut.

    Examples
    --------
    >>> shorten("communication equipment, computers and other electronic equipment", 30)
    'communication equipment…'
    >>> shorten("Finance", 30)
    'Finance'
    """
    s = " ".join(s.split())
    if len(s) <= width:
        return s
    cut = s[: width - 1]
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return head.rstrip(" ,;:") + "…"


def short_name_en(name_en: str, width: int = 34) -> str:
    """An English sector name without its "Manufacture of"-style prefix, shortened at a word boundary.

    Examples
    --------
    >>> short_name_en("Manufacture of instruments and meters", 30)
    'instruments and meters'
    """
    for p in _EN_PREFIXES:
        if name_en.startswith(p):
            name_en = name_en[len(p):]
            break
    return shorten(name_en, width) if name_en else ""


def sector_label(sector: Any, width: int = 34) -> str:
    """``"20 通信设备、计算机和其他电子设备 · communication equipment, computers…"`` (never cut mid-word).

    English names lose their "Manufacture of"-style prefix before shortening.
    """
    en = short_name_en(sector.name_en, width)
    parts = [sector.code, sector.name_zh, "·" if sector.name_zh and en else "", en]
    return re.sub(r"\s+", " ", " ".join(p for p in parts if p)).strip()


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


def _pathway_label(entry: str) -> str:
    from chainsim.pathways.registry import PATHWAYS

    zh = "+".join(PATHWAYS[p].name_zh for p in entry.split("+") if p in PATHWAYS)
    return f"{entry} {zh}".strip()


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
        (line,) = ax.plot(days, med, lw=1.8, ls=styles[k % len(styles)], label=_pathway_label(entry), zorder=3)
        if show_bands:
            lo, hi = np.percentile(rel, band, axis=0)
            ax.fill_between(days, lo, hi, color=line.get_color(), alpha=0.10, lw=0, zorder=1)
            drawn += [lo, hi]
    _shade_shock(ax, run)
    eps = _recovered_band(ax, sc)
    ax.axhline(100.0, color="grey", lw=0.8)
    _ylim(ax, drawn, eps)
    ax.set_xlim(0, traj.shape[0] - 1)
    ax.set_xlabel("day since start of simulation 模拟天数")
    ax.set_ylabel(f"output of {scope}, % of no-shock baseline")
    title = f"{sc.name}: recovery by policy pathway 各政策路径的恢复"
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
        ax.set_title(_pathway_label(entry), fontfamily=fams, fontsize=9)
    for k in range(len(entries), nrows * ncols):
        axes[k // ncols, k % ncols].set_visible(False)
    handles, labels = axes[0, min(1, len(entries) - 1)].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, prop={"family": fams, "size": 7}, frameon=False)
    _ylim(axes[0, 0], everything, eps)
    for k in range(len(entries)):  # on the lowest panel of each column: a figure-level label collided with the legend
        if k + ncols >= len(entries):
            ax = axes[k // ncols, k % ncols]
            ax.set_xlabel("day since start of simulation 模拟天数", fontfamily=fams, fontsize=9)
            ax.tick_params(labelbottom=True)
    fig.supylabel(f"output of {scope}, % of baseline", fontsize=9)
    what = f"median and {band[0]:g}–{band[1]:g} % of {sc.replications} replications" if sc.replications > 1 \
        else "one replication"
    fig.suptitle(f"{sc.name}: each pathway on its own 分路径 ({what}; shaded: shock window)", fontfamily=fams,
                 fontsize=10)
    return fig


def loss_heatmap(run: Any, pathway: str = "baseline", *, ax: Any = None, top: int = 20) -> Any:
    """Sector x region heat map of cumulative output loss (% of a year's baseline output, median run).

    Only the ``top`` sectors with the largest total loss are shown, one per row with its full
    Chinese name and a shortened English one. Losses alone use a sequential scale from 0 to
    the largest loss; losses and gains together a diverging scale centred on 0 whose two
    halves each span their own extreme, so the whole colour scale is used. Cells carry
    their values.
    """
    from matplotlib.colors import TwoSlopeNorm

    plt = _plt()
    fams = font_families()
    pr = run.pathways[pathway] if pathway in run.pathways else next(iter(run.pathways.values()))
    table = run.loaded.table
    R, S = table.n_regions, table.n_sectors
    loss = (pr.baseline[None, None, :] - pr.output).sum(axis=1)  # (replications, N)
    med = np.median(loss, axis=0).reshape(R, S)
    annual = table.x.reshape(R, S)
    pct = 100.0 * med / np.where(annual > 0, annual, np.inf)
    order = np.argsort(-np.abs(pct).sum(axis=0))[:top]
    data = pct[:, order].T  # sectors x regions
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5 + 1.0 * R, 1.2 + 0.32 * len(order)))
    lo, hi = float(data.min()), float(data.max())
    if lo >= 0 or hi <= 0:
        top_abs = max(abs(lo), abs(hi), 1e-12)
        cmap, vmin, vmax = ("Reds", 0.0, top_abs) if hi > 0 else ("Blues_r", -top_abs, 0.0)
        im = ax.imshow(data, aspect="auto", cmap=cmap, vmin=vmin, vmax=vmax)
    else:
        im = ax.imshow(data, aspect="auto", cmap="RdBu_r", norm=TwoSlopeNorm(0.0, vmin=lo, vmax=hi))
    span = max(abs(lo), abs(hi), 1e-12)
    for (i, j), v in np.ndenumerate(data):
        ax.text(j, i, f"{v:.2f}" if abs(v) >= 0.005 else "0", ha="center", va="center", fontsize=6,
                color="white" if abs(v) > 0.6 * span else "black")
    ax.set_yticks(range(len(order)), [sector_label(table.sectors[k], 30) for k in order], fontsize=7,
                  fontfamily=fams)
    ax.set_xticks(range(R), [f"{r.code}\n{r.name_zh}" for r in table.regions], fontsize=8, fontfamily=fams)
    ax.set_ylabel("sector (NBS 42, largest losses first)")
    ax.set_xlabel("region 地区", fontfamily=fams)
    ax.set_title(f"{run.loaded.scenario.name}\ncumulative output loss by sector and region 分行业损失 ({pathway})",
                 fontfamily=fams)
    ax.figure.colorbar(im, ax=ax, label="loss, % of annual baseline output (negative: gain)")
    return ax


def attribution_bars(run: Any, scope: str = "northeast", *, ax: Any = None) -> Any:
    """Each pathway's paired loss difference with baseline, split over its levers (Shapley), in billions.

    Billions of the table's currency (``bn CNY`` for the shipped tables), read from the money
    columns of ``attribution.csv`` (:func:`~chainsim.data.units.money_column`).

    Bars left of zero are output loss avoided. Levers that change nothing are left out; the
    black diamond is the pathway's whole difference on the same replications (the bars add
    up to it). Needs a run with attribution (``run.attribution``).
    """
    from chainsim.data.units import find_money_column
    from chainsim.pathways.registry import LEVERS

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
    fams = font_families()
    money = att.money_label()
    total_col = find_money_column(f.columns, "shapley_loss_diff")
    shown: set[str] = set()
    for k, e in enumerate(entries):
        g = f[f.pathway == e]
        col = find_money_column(g.columns, "shapley_loss_diff" if (g.method == "shapley").all() else "alone_loss_diff")
        left = {True: 0.0, False: 0.0}
        for _, r in g[(g.lever != "(total)") & g.acts.astype(bool)].iterrows():
            v = float(r[col]) / 1e9
            neg = v < 0
            ax.barh(k, v, left=left[neg], color=colour[r.lever], edgecolor="white", lw=0.5,
                    label=None if r.lever in shown else r.lever)
            left[neg] += v
            shown.add(r.lever)
        total = float(g.loc[g.lever == "(total)", total_col].iloc[0]) / 1e9
        ax.plot([total], [k], marker="D", color="black", ms=5, ls="none",
                label=None if "(total)" in shown else "pathway total (same replications)")
        shown.add("(total)")
    ax.set_yticks(range(len(entries)), [_pathway_label(e) for e in entries], fontfamily=fams)
    ax.invert_yaxis()
    ax.axvline(0.0, color="grey", lw=0.8)
    n = int(f.replications.iloc[0]) if len(f) else 0
    method = "Shapley split" if len(f) and (f.method == "shapley").all() else "one lever at a time"
    ax.set_xlabel(f"paired loss difference with baseline, {money} (negative = less loss)")
    ax.set_ylabel("pathway 路径", fontfamily=fams)
    ax.set_title(f"{run.loaded.scenario.name}: what each lever contributes 杠杆归因 ({scope})\n"
                 f"{method} over the first {n} replications", fontfamily=fams)
    ax.legend(loc="best", fontsize=7)
    return ax
