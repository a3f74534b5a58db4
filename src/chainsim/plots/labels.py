"""Labels drawn on figures: sector names in Chinese and shortened English, pathway names with their Chinese.

Pure string functions (no matplotlib): what a tick, a legend entry or a title says.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["pathway_label", "sector_label", "short_name_en", "shorten", "text"]

_EN_PREFIXES = ("Manufacture of ", "Production and supply of ", "Processing of ", "Mining and processing of ",
                "Mining and washing of ", "Exploitation of ", "Smelting and processing of ")


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


def pathway_label(entry: str) -> str:
    """A pathway entry (one pathway or several joined by ``+``) followed by their Chinese names.

    Names not in :data:`chainsim.pathways.registry.PATHWAYS` add no Chinese.

    Examples
    --------
    >>> pathway_label("tech_self_reliance+opening_up")
    'tech_self_reliance+opening_up 科技自立自强+高水平对外开放'
    >>> pathway_label("my_pathway")
    'my_pathway'
    """
    from chainsim.pathways.registry import PATHWAYS

    zh = "+".join(PATHWAYS[p].name_zh for p in entry.split("+") if p in PATHWAYS)
    return f"{entry} {zh}".strip()
