"""What the report's codes mean, from the shipped data: sub-regions, import origins, levers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["lever_glossary", "origin_words", "place_names"]


def place_names() -> dict[str, dict[str, str]]:
    """Words for the sub-region ids an ``area`` may name (``hubei``, ``changchun``).

    Every province by its pinyin and its capital by its name, from the shipped
    ``data/raw/geo/province_capitals.csv`` and NBS names (:func:`chainsim.data.provinces.load_provinces`).
    """
    from chainsim.data.provinces import load_provinces

    out: dict[str, dict[str, str]] = {}
    for p in load_provinces():
        out[p.pinyin] = {"en": p.name_en, "zh": p.name_zh}
        out.setdefault(p.capital_en.lower(), {"en": p.capital_en, "zh": p.capital_zh})
    return out


def origin_words() -> dict[str, dict[str, str]]:
    """English and Chinese names of the named import origins.

    The dataset's ``origin_names`` (:func:`chainsim.data.origins.origin_names`,
    ``data/raw/origins/countries.csv``), which the scan shows too.
    """
    from chainsim.data.origins import DOMESTIC_POOL, DOMESTIC_POOL_NAMES, origin_names

    out = {k: {"en": en, "zh": zh} for k, (en, zh) in origin_names().items()}
    out[DOMESTIC_POOL] = {"en": DOMESTIC_POOL_NAMES[0], "zh": DOMESTIC_POOL_NAMES[1]}
    return out


def lever_glossary(levers: Mapping[str, Mapping[str, Any]]) -> list[dict[str, str]]:
    """What each lever the run set means: its description, unit and pathway section (:data:`LEVERS`)."""
    from chainsim.pathways.registry import LEVERS

    used = sorted({k for lv in levers.values() for k in (lv or {})})
    return [{"lever": k, "words": f"{LEVERS[k].description.rstrip('.')}. Unit: {LEVERS[k].unit}; pathway section "
                                  f"{LEVERS[k].section}."} for k in used if k in LEVERS]
