"""What each lever contributes: a pathway's paired loss difference with baseline split over its levers."""

from __future__ import annotations

from typing import Any

from chainsim.plots.labels import pathway_label
from chainsim.plots.style import _plt, font_families

__all__ = ["attribution_bars"]


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
    ax.set_yticks(range(len(entries)), [pathway_label(e) for e in entries], fontfamily=fams)
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
