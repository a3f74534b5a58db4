"""A bundled Chinese font for figures and reports, found without any system font.

``ChainsimSansSC-Regular.otf`` is a subset of Noto Sans CJK SC 2.004 (SIL Open Font
License 1.1, ``OFL.txt``; provenance and rebuild command in ``PROVENANCE.md``) holding every
GB 2312 character, Latin-1 and the punctuation of both scripts. It is registered with
matplotlib's font manager when a figure is drawn (:func:`register`), never at import.

Examples
--------
>>> family = register()
>>> family
'Chainsim Sans SC'
>>> font_families()[-1] == family
True
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

__all__ = ["CJK_FAMILY", "LATIN_FAMILY", "font_families", "font_path", "register"]

#: Family name of the bundled subset (renamed from Noto Sans CJK SC, as the OFL asks of a subset).
CJK_FAMILY = "Chainsim Sans SC"
#: matplotlib's own Latin font, drawn first; Chinese characters fall back to :data:`CJK_FAMILY`.
LATIN_FAMILY = "DejaVu Sans"

_FILE = "ChainsimSansSC-Regular.otf"


def font_path() -> Path:
    """Path of the bundled OpenType font file."""
    return Path(__file__).with_name(_FILE)


@cache
def register() -> str:
    """Add the bundled font to matplotlib's font manager (once) and return its family name."""
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(font_path()))
    return CJK_FAMILY


def font_families() -> list[str]:
    """The family list for text that may mix Latin and Chinese (registers the font first).

    matplotlib (≥ 3.6) draws each glyph with the first family that has it, so Latin text keeps
    matplotlib's default look and Chinese characters come from the bundled font.
    """
    return [LATIN_FAMILY, register()]
