"""Figure style: matplotlib's backend and the fonts that draw mixed Latin and Chinese text.

Chinese text is drawn with the bundled font (:mod:`chainsim.fonts`, a subset of Noto Sans
CJK SC), registered when the first figure is drawn: no system font is needed and no glyph
is dropped. Functions that write files draw inside :func:`figure_style`, so tick labels
created at save time use the same fonts. matplotlib is imported lazily and the
non-interactive backend is used when none is set.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

__all__ = ["figure_style", "font_families", "use_cjk_font"]


def _plt() -> Any:
    """``matplotlib.pyplot``, imported on first use: the Agg backend unless a notebook's inline backend is set."""
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
