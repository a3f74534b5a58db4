"""Write a chokepoint scan: ``ranking.csv``, ``prescreen.csv``, ``scan.json`` and the figures.

Figures: ``heatmap_imports.png`` (loss of the scope by imported product x origin) and
``top20.png`` (the 20 most harmful targets of each kind). Sector names are drawn in Chinese
and English with the bundled CJK font (:mod:`chainsim.fonts`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from chainsim.data.units import MoneyUnit
from chainsim.plots import _plt, figure_style, font_families, short_name_en
from chainsim.scan.rank import pathway_effect
from chainsim.scan.run import ScanResult

__all__ = ["bar_top", "heatmap_imports", "heatmap_rows", "write_pathway_effect", "write_scan", "write_scan_files"]

_COLORS = {"imports": "tab:red", "links": "tab:blue", "nodes": "tab:green"}
_KIND_ZH = {"imports": "进口", "links": "省际链接", "nodes": "产能"}


def _name(zh: str, en: str, width: int = 34) -> str:
    en = short_name_en(en, width)
    return f"{zh} ({en})" if zh else en


def _two_sided_log_norm(lo: float, hi: float) -> Any:
    """Colour norm for values in [lo, hi] with lo < 0 < hi: log-like on each side, 0 in the middle.

    Each side is stretched to its own extreme (lo to the darkest blue, hi to the darkest red),
    so a small gain next to a large loss still uses its whole half of the colour scale.
    """
    from matplotlib.colors import FuncNorm

    c = 1e-3 * max(-lo, hi)
    neg, pos = float(np.arcsinh(-lo / c)), float(np.arcsinh(hi / c))

    def forward(x: Any) -> Any:
        x = np.asarray(x, dtype=float)
        return np.where(x < 0, 0.5 - 0.5 * np.arcsinh(-x / c) / neg, 0.5 + 0.5 * np.arcsinh(x / c) / pos)

    def inverse(y: Any) -> Any:
        y = np.asarray(y, dtype=float)
        return np.where(y < 0.5, -c * np.sinh((0.5 - y) * 2 * neg), c * np.sinh((y - 0.5) * 2 * pos))

    return FuncNorm((forward, inverse), vmin=lo, vmax=hi)


def _short(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 10 else f"{v:.2g}"


def _money(result: ScanResult) -> MoneyUnit:
    m = result.provenance.get("money") or {}
    return MoneyUnit(m.get("currency", "CNY"), float(m.get("per_unit", 1.0)), str(m.get("unit", "")))


def heatmap_rows(imports: pd.DataFrame, top: int = 25) -> pd.Index:
    """The products of the import heat map's rows: the ``top`` with the largest simulated effect, largest first.

    A product's size is the magnitude of its simulated effect summed over origins,
    ``sum |loss_cny|``, so a cut that brings the scope a gain (buyers turn to its producers)
    ranks by its size as a loss does. Products without any simulated loss (screened products
    the scan did not simulate, crashed runs: NaN losses) are left out rather than read as zero;
    ties keep the ranking's order.

    Parameters
    ----------
    imports : DataFrame
        The ``imports`` rows of a scan's ranking (columns ``product``, ``loss_cny``).
    top : int
        Most rows returned.

    Examples
    --------
    >>> df = pd.DataFrame({"product": ["01", "12", "30", "03"], "loss_cny": [5.0, -2.6, float("nan"), 1.2]})
    >>> list(heatmap_rows(df))
    ['01', '12', '03']
    """
    size = imports["loss_cny"].abs().groupby(imports["product"], sort=False).sum(min_count=1).dropna()
    return size.sort_values(ascending=False, kind="stable").index[:top]


def heatmap_imports(result: ScanResult, *, ax: Any = None, top: int = 25) -> Any:
    """Heat map of the scope's cumulative loss (bn, table currency) by imported product (rows) x origin (columns).

    Only the ``top`` products with the largest simulated effect are shown (:func:`heatmap_rows`);
    products the scan did not simulate are left out and counted under the axis. ``None`` when
    the scan has no import targets. Losses span orders of magnitude (ROW dwarfs single
    countries), so the scale is logarithmic and spans exactly the values shown: with losses
    only, a sequential scale from the smallest to the largest loss; with gains too (buyers turn
    to the scope's producers), a symmetric-log diverging scale whose two halves each reach their
    own extreme, so no part of the colour scale is left unused. Cells carry their values; grey
    cells are products not imported from that origin, hatched grey cells targets without a loss
    (not simulated or crashed).
    """
    df = result.ranking[result.ranking.kind == "imports"]
    if df.empty:
        return None
    import matplotlib as mpl
    from matplotlib.colors import LogNorm
    from matplotlib.patches import Patch, Rectangle

    plt = _plt()
    fams = font_families()
    money = _money(result)
    origins = list(dict.fromkeys(t.origin for t in result.targets if t.kind == "imports"))
    simulated = heatmap_rows(df, top=df["product"].nunique())
    order, left_out = simulated[:top], df["product"].nunique() - len(simulated)
    cells = df.groupby(["product", "origin"], sort=False)["loss_cny"]
    pivot = (cells.sum(min_count=1) / 1e9).unstack().reindex(index=order, columns=origins)
    exists = cells.size().unstack().reindex(index=order, columns=origins).notna().to_numpy()
    names = df.drop_duplicates("product").set_index("product")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.8 + 0.75 * len(origins), 2.0 + 0.3 * len(order)))
    data = pivot.to_numpy(dtype=float)
    finite = data[np.isfinite(data)]
    hi = float(finite.max()) if finite.size else 0.0
    lo = float(finite.min()) if finite.size else 0.0
    span = max(abs(hi), abs(lo), 1e-12)
    if lo >= 0:
        pos = finite[finite > 0]
        vmin = max(float(pos.min()) if pos.size else span * 1e-4, span * 1e-4)
        norm, cmap = LogNorm(vmin=vmin, vmax=max(hi, vmin * 10)), mpl.colormaps["YlOrRd"]
        scale_note = "log scale"
        shown = np.where(np.isfinite(data), np.maximum(data, vmin), np.nan)
    else:
        norm, cmap = _two_sided_log_norm(lo, max(hi, 1e-12)), mpl.colormaps["RdBu_r"]
        scale_note = "red: loss, blue: gain; log-like scale on each side"
        shown = data
    im = ax.imshow(np.ma.masked_invalid(shown), aspect="auto", cmap=cmap.with_extremes(bad="0.85"), norm=norm)
    for (i, j), v in np.ndenumerate(data):
        if np.isfinite(v) and abs(v) >= 0.005:
            rgba = im.cmap(im.norm(shown[i, j]))
            dark = 0.299 * rgba[0] + 0.587 * rgba[1] + 0.114 * rgba[2] < 0.5
            ax.text(j, i, _short(v), ha="center", va="center", fontsize=6, color="white" if dark else "black")
        elif exists[i, j] and not np.isfinite(v):  # a target without a loss: not simulated or crashed
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="none", edgecolor="0.45", hatch="////",
                                   linewidth=0))
    ax.set_xticks(range(len(origins)), origins)
    ax.set_yticks(range(len(order)), [f"{p} {_name(names.name_zh[p], names.name_en[p], 30)}" for p in order],
                  fontsize=7, fontfamily=fams)
    xlabel = "origin of the cut imports"
    if left_out:
        xlabel += (f"\n{left_out} imported products not simulated (screened: services, utilities) "
                   "are not shown; see ranking.csv")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("imported product (NBS 42 sector or its 149-sector component)")
    ax.legend(handles=[Patch(facecolor="0.85", edgecolor="0.6", label="not imported from this origin"),
                       Patch(facecolor="0.85", edgecolor="0.45", hatch="////",
                             label="no loss: not simulated or crashed")],
              loc="upper left", bbox_to_anchor=(0.0, -0.14 - 0.5 / max(len(order), 1)), ncols=2, fontsize=7,
              frameon=False)
    s = result.settings
    ax.set_title(f"Chokepoint scan 卡脖子: output loss of {s['scope']} when one import is cut\n"
                 f"({s['share']:.0%} cut for {s['duration']:g} days into {s['import_regions']} regions)",
                 fontfamily=fams, fontsize=10)
    cb = ax.figure.colorbar(im, ax=ax, label=f"cumulative output loss of {s['scope']}, {money.label()}\n({scale_note})")
    if lo < 0:  # the two-sided scale: name both ends, zero and the powers of ten between
        powers = [10.0 ** k for k in range(-3, 5) if 1e-2 * hi <= 10.0 ** k <= hi]
        ticks = [lo, *(-p for p in powers if p <= -lo and p >= -1e-1 * lo), 0.0, *powers, hi]
        cb.set_ticks(sorted(set(ticks)), labels=[_short(t) for t in sorted(set(ticks))])
    return ax


def bar_top(result: ScanResult, *, n: int = 20) -> Any:
    """Horizontal bars of the ``n`` ranked targets with the largest loss, one panel per kind; returns the figure.

    Only ranked chokepoints are drawn (``effect == "ranked"``): screened products, aggregate
    origins and targets without a measurable effect are listed in ``ranking.csv``.
    """
    from matplotlib.patches import Patch

    plt = _plt()
    fams = font_families()
    money = _money(result)
    r = result.ranking
    harm = r[np.isfinite(r.loss_cny) & (r.loss_cny > 0) & (r.effect == "ranked" if "effect" in r else True)]
    kinds = [k for k in result.settings["kinds"] if (result.ranking.kind == k).any()]
    sizes = [min(n, int((harm.kind == k).sum())) for k in kinds]
    fig, axes = plt.subplots(len(kinds), 1, figsize=(10, 1.2 + 0.3 * sum(sizes) + 0.9 * len(kinds)),
                             gridspec_kw={"height_ratios": [max(s, 1) for s in sizes]}, squeeze=False,
                             layout="constrained")
    s = result.settings
    for ax, kind in zip(axes[:, 0], kinds, strict=True):
        df = harm[harm.kind == kind].nlargest(n, "loss_cny").iloc[::-1]
        if df.empty:
            ax.text(0.5, 0.5, "no target of this kind costs anything", ha="center", va="center",
                    transform=ax.transAxes)
        labels = [f"{r.target}  {_name(r.name_zh, r.name_en)}" for r in df.itertuples()]
        ax.barh(range(len(df)), df.loss_cny / 1e9, color=_COLORS[kind])
        ax.set_yticks(range(len(df)), labels, fontsize=7, fontfamily=fams)
        ax.set_xlabel(f"cumulative output loss of {s['scope']}, {money.label()}")
        ax.set_ylabel("target")
        ax.set_title(f"{kind} {_KIND_ZH[kind]}: top {len(df)}", fontfamily=fams, fontsize=9)
        ax.legend(handles=[Patch(color=_COLORS[kind], label=f"{kind} {_KIND_ZH[kind]}")], loc="lower right",
                  prop={"family": fams, "size": 8})
    fig.suptitle(f"Chokepoint list 卡脖子清单 for {s['scope']}: {s['share']:.0%} cut for {s['duration']:g} days "
                 f"(origin/region -> region | product)", fontfamily=fams, fontsize=10)
    return fig


def write_scan_files(result: ScanResult, out: str | Path, *, figures: bool = True) -> dict[str, Path]:
    """Write the files of a scan into a folder (``scan.json`` last); not atomic by itself (see :func:`write_scan`)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"ranking": out / "ranking.csv", "prescreen": out / "prescreen.csv",
             "correlations": out / "correlations.csv"}
    result.ranking.to_csv(paths["ranking"], index=False, encoding="utf-8")
    pre = result.prescreen.merge(result.ranking[["kind", "target", "rank", "loss_cny"]], on=["kind", "target"])
    pre.rename(columns={"rank": "dynamic_rank", "loss_cny": "dynamic_loss_cny"}).to_csv(
        paths["prescreen"], index=False, encoding="utf-8")
    result.correlations.to_csv(paths["correlations"], index=False)
    if result.reference is not None:
        paths["reference"] = out / "reference.csv"
        result.reference.to_csv(paths["reference"], index=False, encoding="utf-8")
    if figures:
        with figure_style():
            _write_figures(result, out, paths)
    doc = {**result.provenance, "rank_correlations": json.loads(result.correlations.to_json(orient="records"))}
    paths["scan"] = out / "scan.json"
    paths["scan"].write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    return paths


def _write_figures(result: ScanResult, out: Path, paths: dict[str, Path]) -> None:
    plt = _plt()
    ax = heatmap_imports(result)
    if ax is not None:
        paths["heatmap"] = out / "heatmap_imports.png"
        ax.figure.tight_layout()
        ax.figure.savefig(paths["heatmap"], dpi=130)
        plt.close(ax.figure)
    fig = bar_top(result)
    paths["top20"] = out / "top20.png"
    fig.savefig(paths["top20"], dpi=130)
    plt.close(fig)


def write_scan(result: ScanResult, out: str | Path, *, figures: bool = True, force: bool = False) -> dict[str, Path]:
    """Write ``ranking.csv``, ``prescreen.csv``, ``correlations.csv``, ``scan.json`` and the figures to ``out``.

    The folder changes whole or not at all (:func:`chainsim.experiment.folder.staged_output`):
    a folder holding an earlier scan is refused unless ``force``.

    Returns
    -------
    dict
        Name -> path of every file written.
    """
    from chainsim.experiment.folder import staged_output

    out = Path(out)
    with staged_output(out, force=force, what="scan") as stage:
        paths = write_scan_files(result, stage, figures=figures)
    return {k: out / p.name for k, p in paths.items()}


def write_pathway_effect(base: ScanResult, other: ScanResult, out: str | Path, *, top: int = 20) -> Path:
    """Write ``pathway_effect.csv``: rank changes and loss reduction under a pathway (:func:`pathway_effect`)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    df: pd.DataFrame = pathway_effect(base.ranking, other.ranking, top=top)
    df.insert(0, "pathway", other.settings.get("pathway"))
    path = out / "pathway_effect.csv"
    df.to_csv(path, index=False, encoding="utf-8")
    return path
