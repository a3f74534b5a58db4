"""Where the loss falls: a sector x region heat map of cumulative output loss."""

from __future__ import annotations

from typing import Any

import numpy as np

from chainsim.plots.labels import sector_label
from chainsim.plots.style import _plt, font_families

__all__ = ["loss_heatmap", "loss_scale"]


def loss_scale(lo: float, hi: float) -> tuple[str, Any]:
    """Colour map and norm of the loss map for values from ``lo`` to ``hi`` (% of annual output).

    Losses alone: a sequential scale from 0 to the largest loss; gains alone, from the largest
    gain to 0; losses and gains together: a diverging scale centred on 0 and symmetric, from
    minus to plus the largest magnitude, so that equal colours are equal amounts and a small gain
    next to a large loss looks small (a scale whose halves each spanned their own extreme drew a
    0.44 % gain as dark as a 6.6 % loss).
    """
    from matplotlib.colors import Normalize

    span = max(abs(lo), abs(hi), 1e-12)
    if lo >= 0 or hi <= 0:
        return ("Reds", Normalize(0.0, span)) if hi > 0 else ("Blues_r", Normalize(-span, 0.0))
    return "RdBu_r", Normalize(-span, span)


def loss_heatmap(run: Any, pathway: str = "baseline", *, ax: Any = None, top: int = 20) -> Any:
    """Sector x region heat map of cumulative output loss (% of a year's baseline output, median run).

    Only the ``top`` sectors with the largest total loss are shown, one per row with its full
    Chinese name and a shortened English one. The colour scale is :func:`loss_scale`'s. Cells
    carry their values.
    """
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
    cmap, norm = loss_scale(lo, hi)
    im = ax.imshow(data, aspect="auto", cmap=cmap, norm=norm)
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
