"""Figures: matplotlib functions that take results and an optional ``ax`` and return the axes.

Chinese text is drawn with the bundled font (:mod:`chainsim.fonts`, a subset of Noto Sans
CJK SC), registered when the first figure is drawn: no system font is needed and no glyph
is dropped. Functions that write files draw inside :func:`figure_style`, so tick labels
created at save time use the same fonts. matplotlib is imported lazily and the
non-interactive backend is used when none is set.

The modules, by what they draw:

- :mod:`~chainsim.plots.style`: matplotlib's backend and the fonts (:func:`figure_style`,
  :func:`use_cjk_font`, :func:`font_families`);
- :mod:`~chainsim.plots.labels`: the text on figures, sector and pathway names
  (:func:`sector_label`, :func:`short_name_en`, :func:`shorten`, :func:`text`);
- :mod:`~chainsim.plots.recovery`: output relative to baseline over the days
  (:func:`recovery_curves`, :func:`recovery_panels`, :func:`shock_windows`);
- :mod:`~chainsim.plots.losses`: where the loss falls (:func:`loss_heatmap`);
- :mod:`~chainsim.plots.attribution`: what each lever contributes (:func:`attribution_bars`).

Every name is importable from ``chainsim.plots`` itself, as before the split.
"""

from __future__ import annotations

from chainsim.plots.attribution import attribution_bars
from chainsim.plots.labels import sector_label, short_name_en, shorten, text
from chainsim.plots.losses import loss_heatmap
from chainsim.plots.recovery import recovery_curves, recovery_panels, shock_windows
from chainsim.plots.style import _plt as _plt  # the lazily imported pyplot, for the package's figure writers
from chainsim.plots.style import figure_style, font_families, use_cjk_font

__all__ = [
    "attribution_bars", "figure_style", "font_families", "loss_heatmap", "recovery_curves", "recovery_panels",
    "sector_label", "shock_windows", "short_name_en", "shorten", "text", "use_cjk_font",
]

