"""Did-you-mean for sector and region names: codes, English and Chinese names, and common words.

A user who writes ``product: electronics`` means NBS sector 20 (通信设备、计算机和其他电子设备,
"Manufacture of communication equipment, computers and other electronic equipment"), not
"Education", which is merely the closest spelling. Suggestions therefore weigh, in order:

1. the words of the English names, matched as words (``electronics`` ~ ``electronic``:
   one word a prefix of the other, or a close spelling);
2. the characters of the Chinese names (``电子`` is in ``…其他电子设备``);
3. a short list of everyday words for NBS-42 sectors (:data:`COMMON_WORDS`: ``cars`` →
   18 transport equipment, ``steel`` → 14, ``chips`` → 20), used only when the table has
   that NBS sector under its NBS name;
4. the codes' spelling (``HJL`` → ``HLJ``, ``LM`` → ``LN``).

These are suggestions in an error message only: a name is never resolved by guessing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["COMMON_WORDS", "suggest", "suggest_regions", "suggest_sectors"]

#: Everyday words for NBS-42 sectors -> (NBS code, a word of that sector's English NBS name).
#: The word check keeps a suggestion off a table whose code means something else. These are
#: this lookup's own choices (what a reader would call the sector), not a classification.
COMMON_WORDS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("chips", "chip", "semiconductors", "semiconductor", "phones", "smartphones", "laptops",
                     "integrated circuits", "ic", "芯片", "半导体", "手机", "电脑"), ("20", "electronic")),
    **dict.fromkeys(("cars", "car", "auto", "autos", "automotive", "automobiles", "vehicles", "trucks", "railway",
                     "ships", "aircraft", "汽车", "整车", "汽车零部件"), ("18", "transport equipment")),
    **dict.fromkeys(("steel", "iron", "aluminium", "aluminum", "copper", "钢铁", "钢材"), ("14", "metals")),
    **dict.fromkeys(("oil", "crude", "crude oil", "natural gas"), ("03", "petroleum")),
    **dict.fromkeys(("gasoline", "petrol", "diesel", "refining", "refinery", "refined oil"), ("11", "petroleum")),
    **dict.fromkeys(("electricity", "power", "heat"), ("24", "electric power")),
    **dict.fromkeys(("chemicals", "plastics", "fertilizer", "fertiliser", "pharmaceuticals", "drugs", "medicines"),
                    ("12", "chemical")),
    **dict.fromkeys(("machine tools", "cnc", "engines", "pumps", "bearings", "机床"),
                    ("16", "general purpose machinery")),
    **dict.fromkeys(("mining machinery", "agricultural machinery", "medical devices"),
                    ("17", "special purpose machinery")),
    **dict.fromkeys(("batteries", "motors", "cables", "appliances"), ("19", "electrical")),
    **dict.fromkeys(("cement", "glass", "ceramics"), ("13", "non-metallic mineral")),
    **dict.fromkeys(("clothing", "apparel", "garments", "shoes", "leather"), ("08", "apparel")),
    **dict.fromkeys(("food", "tobacco", "beverages"), ("06", "foods")),
    **dict.fromkeys(("software", "internet", "it", "telecom", "telecommunications"), ("31", "software")),
    **dict.fromkeys(("banks", "banking", "insurance"), ("32", "finance")),
    **dict.fromkeys(("housing", "property"), ("33", "real estate")),
    **dict.fromkeys(("logistics", "shipping", "freight", "ports", "railways"), ("29", "transport, storage")),
    **dict.fromkeys(("retail", "wholesale", "trade"), ("28", "wholesale")),
    **dict.fromkeys(("hotels", "restaurants", "catering"), ("30", "accommodation")),
    **dict.fromkeys(("building",), ("27", "construction")),
    **dict.fromkeys(("farming", "grain", "crops", "livestock", "agri"), ("01", "agriculture")),
    **dict.fromkeys(("sensors", "meters"), ("21", "instruments")),
    **dict.fromkeys(("r&d", "research"), ("35", "research")),
    **dict.fromkeys(("hospitals", "healthcare", "health"), ("40", "health")),
}

_STOP = {"and", "of", "the", "other", "products", "product", "manufacture", "services", "service", "related",
         "production", "supply", "processing", "articles", "for", "in", "its"}
_CJK = re.compile(r"[\u3400-\u9fff]")


def _words(s: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9&]+", s.lower()) if w not in _STOP]


def _word_score(q: str, w: str) -> float:
    if q == w:
        return 1.0
    if min(len(q), len(w)) >= 4 and (q.startswith(w) or w.startswith(q)):
        return 0.9
    r = difflib.SequenceMatcher(None, q, w).ratio()
    return 0.8 * r if r >= 0.8 else 0.0


def _score(query: str, code: str, name_en: str, name_zh: str) -> float:
    q = query.strip()
    if _CJK.search(q):
        chars = [c for c in q if _CJK.match(c)]
        if not name_zh or not chars:
            return 0.0
        if q in name_zh:
            return 1.0
        return sum(c in name_zh for c in chars) / len(chars) * 0.9
    qw = _words(q)
    nw = _words(name_en)
    if not qw or not nw:
        return 0.0
    base = sum(max(_word_score(a, b) for b in nw) for a in qw) / len(qw)
    covered = sum(any(_word_score(a, b) > 0 for a in qw) for b in nw) / len(nw)
    return base + 0.1 * covered  # ties go to the name the query covers best ("Education" over "…education…")


def suggest(query: str, entries: Sequence[Any], *, n: int = 2, common: dict[str, tuple[str, str]] | None = None,
            cutoff: float = 0.6) -> list[Any]:
    """The entries (with ``code``, ``name_en``, ``name_zh``) a misspelt or everyday name most likely means.

    Parameters
    ----------
    query : str
        What the user wrote.
    entries : sequence
        :class:`~chainsim.data.iotable.Sector` or :class:`~chainsim.data.iotable.Region` objects.
    n : int
        At most this many suggestions, best first.
    common : mapping, optional
        Everyday words -> (code, word of the English name), e.g. :data:`COMMON_WORDS`.
    cutoff : float
        Minimum score in [0, 1] of a name match.
    """
    q = str(query).strip()
    scored: dict[str, tuple[float, Any]] = {}

    def add(entry: Any, score: float) -> None:
        if score > scored.get(entry.code, (0.0, None))[0]:
            scored[entry.code] = (score, entry)

    by_code = {e.code: e for e in entries}
    for e in entries:  # a numeric code without its leading zeros (3 -> 03; YAML reads an unquoted 03 as 3)
        if q.isdigit() and e.code.isdigit() and e.code != q and int(e.code) == int(q):
            add(e, 2.0)
    for e in entries:  # a code with its letters swapped (HJL -> HLJ)
        if e.code != q and len(q) > 1 and sorted(e.code.lower()) == sorted(q.lower()):
            add(e, 1.4)
    hit = (common or {}).get(q.lower())
    if hit and hit[0] in by_code and hit[1] in by_code[hit[0]].name_en.lower():
        add(by_code[hit[0]], 1.5)
    for e in entries:
        s = _score(q, e.code, e.name_en, e.name_zh)
        if s >= cutoff:
            add(e, s)
    if not scored:  # codes and whole names by spelling (LM -> LN)
        pool = {e.code: e for e in entries}
        pool.update({e.name_en.lower(): e for e in entries if e.name_en})
        for m in difflib.get_close_matches(q.lower(), [k.lower() for k in pool], n=n, cutoff=0.5):
            key = next(k for k in pool if k.lower() == m)
            add(pool[key], 0.5)
    ranked = sorted(scored.values(), key=lambda t: -t[0])
    best = ranked[0][0] if ranked else 0.0
    return [e for s, e in ranked if s >= best - 0.15][:n]


def _phrase(entries: Iterable[Any]) -> str:
    items = [f"'{e.code}' ({' '.join(p for p in (e.name_zh, e.name_en) if p)})" for e in entries]
    return " (did you mean " + " or ".join(items) + "?)" if items else ""


def suggest_sectors(query: str, sectors: Sequence[Any]) -> str:
    """A ``" (did you mean '20' (通信设备… Manufacture of …)?)"`` suffix for an unknown sector, or ``""``.

    Examples
    --------
    >>> from chainsim.data.iotable import Sector
    >>> secs = [Sector("20", "Manufacture of communication equipment, computers and other electronic equipment",
    ...                "通信设备、计算机和其他电子设备"), Sector("39", "Education", "教育")]
    >>> suggest_sectors("electronics", secs)[:22]
    " (did you mean '20' (通"
    >>> suggest_sectors("电子", secs)[:22]
    " (did you mean '20' (通"
    >>> suggest_sectors("educaton", secs)
    " (did you mean '39' (教育 Education)?)"
    >>> suggest_sectors("3", [Sector("03", "Exploitation of petroleum and natural gas", "石油和天然气开采产品")] + secs)
    " (did you mean '03' (石油和天然气开采产品 Exploitation of petroleum and natural gas)?)"
    """
    return _phrase(suggest(query, sectors, common=COMMON_WORDS))


def suggest_regions(query: str, regions: Sequence[Any]) -> str:
    """A did-you-mean suffix for an unknown region (codes, English and Chinese names, any case).

    Examples
    --------
    >>> from chainsim.data.iotable import Region
    >>> regs = [Region("LN", "Liaoning", "辽宁"), Region("JL", "Jilin", "吉林")]
    >>> suggest_regions("liaoning", regs)
    " (did you mean 'LN' (辽宁 Liaoning)?)"
    >>> suggest_regions("LM", regs)
    " (did you mean 'LN' (辽宁 Liaoning)?)"
    >>> suggest_regions("LJ", regs)
    " (did you mean 'JL' (吉林 Jilin)?)"
    """
    return _phrase(suggest(query, regions, n=1))
