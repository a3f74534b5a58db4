"""A scenario's disruptions in plain words, in English and Chinese (pure functions of the scenario body).

Each disruption type has one describer in :data:`DESCRIBERS`; names come from the labels a
run writes into ``run.json`` (sector and region names), so no table is needed.

Examples
--------
>>> names = Names({"20": {"en": "Electronics", "zh": "电子设备"}}, {"LN": {"en": "Liaoning", "zh": "辽宁"}})
>>> d = {"type": "import_cut", "product": "20", "origins": ["KOR"], "regions": ["LN"], "share": 0.6,
...      "start": 30, "duration": {"distribution": "lognormal", "median": 90, "sigma": 0.3}}
>>> en, zh = describe(d, names)
>>> print(en)  # doctest: +NORMALIZE_WHITESPACE
卡链 chokepoint: imports of 20 Electronics 电子设备 from KOR into LN Liaoning 辽宁 fall by 60 %
from day 30 for about 90 days (lognormal, median 90, σ 0.3).
>>> zh
'卡链：自KOR进口至辽宁的电子设备减少60%，自第30天起持续约90天。'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from chainsim.scenario.calendar import parse_date
from chainsim.scenario.sector_groups import SECTOR_GROUPS

__all__ = ["CATEGORY_NAMES", "DESCRIBERS", "Names", "describe", "value_words"]

#: Final-demand categories of :data:`chainsim.shocks.demand.CATEGORIES` in words. Source: the NBS
#: final-use columns they stand for (``data/raw/nbs_provincial_io_42/codes_final_demand_and_value_added.csv``:
#: THC 居民消费, FU103 政府消费, FU201 固定资本形成总额, FU202 存货变动, EX 出口) and, for
#: ``unallocated_outflow``, chainsim's own category (``data/reconcile.py``; 未匹配调出 as in
#: ``shocks/demand.py``).
CATEGORY_NAMES: Mapping[str, Mapping[str, str]] = {
    "household": {"en": "household consumption", "zh": "居民消费"},
    "government": {"en": "government consumption", "zh": "政府消费"},
    "gfcf": {"en": "gross fixed capital formation", "zh": "固定资本形成"},
    "inventory": {"en": "changes in inventories", "zh": "存货变动"},
    "unallocated_outflow": {"en": "unallocated outflow to other provinces", "zh": "未匹配调出"},
    "exports": {"en": "exports", "zh": "出口"},
}


@dataclass(frozen=True)
class Names:
    """The words for a scenario's codes, and its calendar.

    ``sectors`` and ``regions`` by code (``{"20": {"en": ..., "zh": ...}}``), as written in
    ``run.json``; ``origins`` the import origins' names (``data/raw/origins/countries.csv``);
    ``places`` the sub-regions an ``area`` names (``changchun``: the shipped province and
    capital names, ``data/raw/geo/province_capitals.csv``); ``start`` the first day of the
    scenario's calendar, so that day ``t`` is written as the date ``start + t``.
    """

    sectors: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    regions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    origins: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    places: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    start: date | None = None

    def _many(self, value: Any, book: Mapping[str, Mapping[str, str]], lang: str, every: tuple[str, str],
              sep_en: str = ", ") -> str:
        vals = [value] if isinstance(value, str | int) else list(value or [])
        if not vals or [str(v) for v in vals] == ["all"]:
            return every[0] if lang == "en" else every[1]
        out = []
        for v in map(str, vals):
            entry = book.get(v, {})
            if lang == "en":
                out.append(entry.get("label_en") or " ".join(p for p in (v, entry.get("en", ""), entry.get("zh", ""))
                                                             if p))
            else:
                out.append(entry.get("zh") or v)
        return sep_en.join(out) if lang == "en" else "、".join(out)

    def sectors_of(self, value: Any, lang: str = "en") -> str:
        """Sector codes or groups as words (``"20 Electronics 电子设备"``, ``"industry 工业 (NBS 02–26)"``)."""
        book = dict(self.sectors)
        for name, g in SECTOR_GROUPS.items():
            span = g.codes[0] if len(g.codes) == 1 else f"{g.codes[0]}–{g.codes[-1]}"
            book.setdefault(name, {"label_en": f"{name} {g.name_zh} (NBS {span})", "zh": g.name_zh})
        return self._many(value, book, lang, ("every sector", "所有行业"))

    def regions_of(self, value: Any, lang: str = "en") -> str:
        """Region codes as words; ``all`` is every region."""
        if isinstance(value, str) and value.lower() == "northeast":
            return "the Northeast (LN, JL, HLJ)" if lang == "en" else "东北三省"
        return self._many(value, self.regions, lang, ("every region", "所有地区"))

    def scope_of(self, scope: Any, lang: str = "en") -> str:
        """A metrics scope as words: a region or region group, a sector, or ``region|sector``."""
        text = str(scope)
        if "|" in text:
            region, sector = text.split("|", 1)
            if lang == "en":
                return f"{self.sectors_of(sector)} in {self.regions_of(region)}"
            return f"{self.regions_of(region, 'zh')}{self.sectors_of(sector, 'zh')}"
        if text in self.sectors and text not in self.regions:
            return self.sectors_of(text, lang)
        return self.regions_of(text, lang)

    def origins_of(self, value: Any, lang: str = "en") -> str:
        """Import origins as words; ``all`` (the schema's default) is every foreign origin.

        Names with a comma (``Korea, Republic of``) are separated by semicolons in English.
        """
        vals = [value] if isinstance(value, str) else list(value or [])
        comma = any("," in self.origins.get(str(v), {}).get("en", "") for v in vals)
        return self._many(value, self.origins, lang, ("every foreign origin", "所有境外来源地"),
                          "; " if comma else ", ")

    def sources_of(self, value: Any, lang: str = "en") -> str:
        """Where goods come from: regions and import origins as words; every foreign origin when all are listed."""
        from chainsim.data.origins import DOMESTIC_POOL

        vals = [value] if isinstance(value, str) else list(value or [])
        foreign = {k for k in self.origins if k != DOMESTIC_POOL}
        if foreign and {str(v) for v in vals} == foreign:
            return "every foreign origin" if lang == "en" else "所有境外来源地"
        book = {**self.origins, **self.regions}
        comma = any("," in book.get(str(v), {}).get("en", "") for v in vals)
        return self._many(vals, book, lang, ("every region", "所有地区"), "; " if comma else ", ")

    def place_of(self, key: Any, lang: str = "en") -> str:
        """A sub-region id as words (``changchun`` -> ``Changchun 长春`` / ``长春``); the id if unnamed."""
        entry = self.places.get(str(key), {})
        if lang == "en":
            return " ".join(p for p in (entry.get("en", ""), entry.get("zh", "")) if p) or str(key)
        return entry.get("zh") or str(key)

    def day(self, value: Any, lang: str = "en") -> str:
        """A day of the run as a date where the scenario has a calendar (or the value is a date), else a day number.

        Examples
        --------
        >>> Names(start=date(2022, 3, 1)).day(10), Names(start=date(2022, 3, 1)).day(10, "zh")
        ('2022-03-11', '2022年3月11日')
        >>> Names().day(10), Names().day(10, "zh"), Names().day("2020-03-24")
        ('day 10', '第10天', '2020-03-24')
        """
        d = parse_date(value)
        if d is None and self.start is not None and isinstance(value, int | float) and float(value).is_integer():
            d = self.start + timedelta(days=int(value))
        if d is not None:
            return d.isoformat() if lang == "en" else f"{d.year}年{d.month}月{d.day}日"
        return f"day {value_words(value)}" if lang == "en" else f"第{value_words(value, '', 'zh')}天"


def value_words(v: Any, unit: str = "", lang: str = "en") -> str:
    """A number or a distribution of the scenario schema in words.

    Examples
    --------
    >>> value_words({"distribution": "uniform", "low": 20, "high": 40}, " days")
    '20–40 days (uniform)'
    >>> value_words({"distribution": "uniform", "low": 20, "high": 40}, "天", "zh")
    '20–40天'
    >>> value_words(0.6, "", "en")
    '0.6'
    """
    if not isinstance(v, Mapping):
        return f"{v:g}{unit}" if isinstance(v, int | float) else f"{v}{unit}"
    d = str(v.get("distribution", ""))
    if d == "lognormal":
        core = f"about {v['median']:g}{unit}" if lang == "en" else f"约{v['median']:g}{unit}"
        return core + (f" (lognormal, median {v['median']:g}, σ {v.get('sigma', 0):g})" if lang == "en" else "")
    if d in ("uniform", "triangular"):
        core = f"{v['low']:g}–{v['high']:g}{unit}"
        extra = f", mode {v['mode']:g}" if d == "triangular" else ""
        return core + (f" ({d}{extra})" if lang == "en" else "")
    if d == "normal":
        core = f"about {v['mean']:g}{unit}" if lang == "en" else f"约{v['mean']:g}{unit}"
        return core + (f" (normal, sd {v.get('sd', 0):g})" if lang == "en" else "")
    return str(dict(v))


def _share(v: Any, lang: str) -> str:
    """A share in per cent: whole per cent, but two significant digits below 10 % (4.3 %, not 4 %)."""
    if isinstance(v, int | float):
        pct = 100 * v
        text = f"{pct:.2g}" if 0 < abs(pct) < 9.5 and not float(pct).is_integer() else f"{pct:.0f}"
        return f"{text} %" if lang == "en" else f"{text}%"
    return value_words(v, "", lang) + (" (share)" if lang == "en" else "（比例）")


def _start(d: Mapping[str, Any]) -> Any:
    """The disruption's start as the engine reads it: as written, else its type's default (day 1 for most)."""
    if d.get("start") is not None:
        return d["start"]
    from chainsim.disruptions import DISRUPTIONS

    field = getattr(DISRUPTIONS.get(str(d.get("type"))), "model_fields", {}).get("start")
    return 0 if field is None or field.default is None else field.default


def _when(d: Mapping[str, Any], n: Names, lang: str) -> str:
    start, dur = _start(d), d.get("duration")
    fixed = not isinstance(start, Mapping)
    if lang == "en":
        s = f"from {n.day(start)}" if fixed else f"from day {value_words(start)}"
        return s + (f" for {value_words(dur, ' days')}" if dur is not None else "")
    s = f"自{n.day(start, 'zh')}起" if fixed else f"自第{value_words(start, '', 'zh')}天起"
    return s + (f"持续{value_words(dur, '天', 'zh')}" if dur is not None else "")


def _get(d: Mapping[str, Any], key: str, default: Any = "all") -> Any:
    return d.get(key, d.get(key + "s", default))


def _import_cut(d: Mapping[str, Any], n: Names) -> tuple[str, str]:
    o = _get(d, "origin")
    en = (f"卡链 chokepoint: imports of {n.sectors_of(_get(d, 'product'))} from {n.origins_of(o)} into "
          f"{n.regions_of(_get(d, 'region'))} fall by {_share(d.get('share', 1.0), 'en')} {_when(d, n, 'en')}.")
    zh = (f"卡链：自{n.origins_of(o, 'zh')}进口至{n.regions_of(_get(d, 'region'), 'zh')}的"
          f"{n.sectors_of(_get(d, 'product'), 'zh')}减少{_share(d.get('share', 1.0), 'zh')}，{_when(d, n, 'zh')}。")
    return en, zh


def _capacity_loss(d: Mapping[str, Any], n: Names) -> tuple[str, str]:
    basis = d.get("basis", "capital")
    profile = d.get("profile")
    if isinstance(profile, Mapping) and profile.get("points"):  # share x profile, no duration or recovery
        share = d.get("share", 1)
        scaled = {**profile, "points": [[p[0], p[1] * share if isinstance(p[1], int | float)
                                         and isinstance(share, int | float) else p[1]] for p in profile["points"]]}
        origin = _start(d)  # a disruption's own profile counts from its start
        en = (f"Capacity loss: the {basis} of {n.sectors_of(_get(d, 'sector'))} in {n.regions_of(_get(d, 'region'))} "
              f"is lost along a profile, {_profile_words(scaled, n, 'en', origin=origin)}.")
        zh = (f"产能损失：{n.regions_of(_get(d, 'region'), 'zh')}{n.sectors_of(_get(d, 'sector'), 'zh')}的"
              f"{'资本' if basis == 'capital' else '产能'}按时间曲线损失，"
              f"{_profile_words(scaled, n, 'zh', origin=origin)}。")
        return en, zh
    rec = d.get("recovery") or {}
    how_en = (f", then recovers ({rec.get('curve', 'linear')}) over {value_words(rec['days'], ' days')}"
              if rec.get("days") is not None else "")
    how_zh = f"，随后在{value_words(rec['days'], '天', 'zh')}内恢复" if rec.get("days") is not None else ""
    en = (f"Capacity loss: {_share(d.get('share', 0), 'en')} of the {basis} of "
          f"{n.sectors_of(_get(d, 'sector'))} in {n.regions_of(_get(d, 'region'))} is lost "
          f"{_when(d, n, 'en')}{how_en}.")
    zh = (f"产能损失：{n.regions_of(_get(d, 'region'), 'zh')}{n.sectors_of(_get(d, 'sector'), 'zh')}的"
          f"{'资本' if basis == 'capital' else '产能'}损失{_share(d.get('share', 0), 'zh')}，"
          f"{_when(d, n, 'zh')}{how_zh}。")
    return en, zh


def _link_cut(d: Mapping[str, Any], n: Names) -> tuple[str, str]:
    to_sector = _get(d, "to_sector")
    users_en = "every user" if to_sector == "all" else n.sectors_of(to_sector)
    users_zh = "所有用户" if to_sector == "all" else n.sectors_of(to_sector, "zh")
    en = (f"断链 broken link: deliveries of {n.sectors_of(_get(d, 'product'))} from "
          f"{n.regions_of(d.get('from_region'))} to {users_en} in {n.regions_of(_get(d, 'to_region'))} fall by "
          f"{_share(d.get('share', 1.0), 'en')} {_when(d, n, 'en')}.")
    zh = (f"断链：{n.regions_of(d.get('from_region'), 'zh')}向{n.regions_of(_get(d, 'to_region'), 'zh')}{users_zh}"
          f"供应的{n.sectors_of(_get(d, 'product'), 'zh')}减少{_share(d.get('share', 1.0), 'zh')}，"
          f"{_when(d, n, 'zh')}。")
    return en, zh


def _congestion(d: Mapping[str, Any], n: Names) -> tuple[str, str]:
    src = d.get("from_region", "all")
    extra = d.get("extra_lead_days", 0)
    en = (f"堵链 congestion: the route from {n.sources_of(src)} into {n.regions_of(_get(d, 'to_region'))} loses "
          f"{_share(d.get('throughput_loss', 0.5), 'en')} of its throughput and takes "
          f"{value_words(extra, ' more days')} {_when(d, n, 'en')}; the backlog then clears.")
    zh = (f"堵链：自{n.sources_of(src, 'zh')}至{n.regions_of(_get(d, 'to_region'), 'zh')}的通道运力下降"
          f"{_share(d.get('throughput_loss', 0.5), 'zh')}，运输时间增加{value_words(extra, '天', 'zh')}，"
          f"{_when(d, n, 'zh')}。")
    return en, zh


def _final_demand(d: Mapping[str, Any], n: Names) -> tuple[str, str]:
    share = d.get("share", 0)
    number = isinstance(share, int | float)
    verb_en = ("falls" if share < 0 else "rises") if number and share else "changes"
    verb_zh = ("下降" if share < 0 else "增加") if number and share else "变化"
    if d.get("permanent"):
        when_en = f"permanently from {n.day(_start(d))}"
        when_zh = f"自{n.day(_start(d), 'zh')}起永久"
    else:
        when_en, when_zh = _when(d, n, "en"), _when(d, n, "zh")
    size = abs(share) if number else share
    en = (f"Final demand for {n.sectors_of(_get(d, 'sector'))} in {n.regions_of(_get(d, 'region'))} {verb_en} by "
          f"{_share(size, 'en')} {when_en}.")
    zh = (f"最终需求：{n.regions_of(_get(d, 'region'), 'zh')}对{n.sectors_of(_get(d, 'sector'), 'zh')}的最终需求"
          f"{verb_zh}{_share(size, 'zh')}，{when_zh}。")
    return en, zh


def _points(profile: Any) -> list:
    """A profile's (date or day, value) points; none for anything else."""
    return profile.get("points") or [] if isinstance(profile, Mapping) else []


def _peak(profile: Any) -> Any:
    """The profile's value of largest magnitude (its first value if none is a number); None without points."""
    pts = _points(profile)
    values = [p[1] for p in pts if isinstance(p[1], int | float)]
    return max(values, key=abs) if values else (pts[0][1] if pts else None)


def _profile_words(profile: Any, n: Names, lang: str, signed: bool = False, origin: Any = 0) -> str:
    """A (date or day, value) profile as its peak and its first and last points.

    ``signed``: the values are changes (−0.28 = 28 % less), said as a fall or a rise by up to the peak.
    ``origin``: the day numbered points count from (a disruption's start for its own ``profile``; day 0 for a
    lockdown's ``absent`` and a demand ``change``, :mod:`chainsim.scenario.profiles`).
    """
    pts = _points(profile)
    if not pts:
        return ""
    peak = _peak(profile)

    def when(t: Any) -> str:
        shift = isinstance(t, int | float) and isinstance(origin, int | float)
        return n.day(t + origin if shift else t, lang)

    first, last = when(pts[0][0]), when(pts[-1][0])
    number = isinstance(peak, int | float)
    if signed and number and peak:
        size = _share(abs(peak), lang)
        if lang == "en":
            return f"{'falls' if peak < 0 else 'rises'} by up to {size} between {first} and {last}"
        return f"{first}至{last}间最多{'下降' if peak < 0 else '上升'}{size}"
    if lang == "en":
        return f"peaking at {_share(peak, 'en')} between {first} and {last}"
    return f"{first}至{last}间最高{_share(peak, 'zh')}"


def _area(d: Mapping[str, Any], n: Names, lang: str) -> str:
    """Where a lockdown or demand shock applies: its regions, a named sub-region (or the rest of it), a share.

    ``area.complement`` is the rest of the region: "JL Jilin 吉林 outside Changchun 长春" (吉林长春以外地区).
    """
    where = n.regions_of(_get(d, "region"), lang)
    area = d.get("area") if isinstance(d.get("area"), Mapping) else {}
    sub, share, rest = area.get("subregion"), area.get("share"), bool(area.get("complement"))
    if sub:
        place = n.place_of(sub, lang)
        if lang == "en":
            return f"{where} outside {place}" if rest else f"{place} ({where})"
        return f"{where}{place}以外地区" if rest else f"{place}（{where}）"
    if isinstance(share, int | float):
        if lang == "en":
            return f"{where} outside {_share(share, 'en')} of it" if rest else f"{_share(share, 'en')} of {where}"
        return f"{where}（{_share(share, 'zh')}以外的范围）" if rest else f"{where}（{_share(share, 'zh')}的范围）"
    return where


def _lockdown(d: Mapping[str, Any], n: Names) -> tuple[str, str]:
    sectors_en, sectors_zh = n.sectors_of(d.get("sectors", "all")), n.sectors_of(d.get("sectors", "all"), "zh")
    if d.get("except_sectors"):
        sectors_en += f" except {n.sectors_of(d['except_sectors'])}"
        sectors_zh += f"（{n.sectors_of(d['except_sectors'], 'zh')}除外）"
    en = (f"Lockdown: workers of {sectors_en} in {_area(d, n, 'en')} absent, "
          f"{_profile_words(d.get('absent'), n, 'en')}.")
    zh = f"封控：{_area(d, n, 'zh')}{sectors_zh}劳动力缺勤，{_profile_words(d.get('absent'), n, 'zh')}。"
    return en, zh


def _categories(v: Any, lang: str) -> str:
    cats = [v] if isinstance(v, str) else list(v or [])
    words = [CATEGORY_NAMES.get(str(c), {}).get(lang) or str(c) for c in cats]
    if lang == "zh":
        return "、".join(words)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _final_demand_by_category(d: Mapping[str, Any], n: Names) -> tuple[str, str]:
    cats = d.get("categories", [])
    change = d.get("change")
    peak = _peak(change)
    number = isinstance(peak, int | float)
    verb_zh = "下降" if number and peak < 0 else "上升" if number and peak > 0 else "变化"
    en = (f"Final demand of {_categories(cats, 'en')} for {n.sectors_of(d.get('sectors', 'all'))} in "
          f"{_area(d, n, 'en')} {_profile_words(change, n, 'en', signed=True)}.")
    zh = (f"最终需求（{_categories(cats, 'zh')}）：{_area(d, n, 'zh')}对"
          f"{n.sectors_of(d.get('sectors', 'all'), 'zh')}的需求{verb_zh}，"
          f"{_profile_words(change, n, 'zh', signed=True)}。")
    return en, zh


#: One describer per disruption type: ``(disruption, names) -> (English, Chinese)``.
DESCRIBERS: Mapping[str, Callable[[Mapping[str, Any], Names], tuple[str, str]]] = {
    "import_cut": _import_cut, "capacity_loss": _capacity_loss, "link_cut": _link_cut,
    "congestion": _congestion, "final_demand": _final_demand, "lockdown": _lockdown,
    "final_demand_by_category": _final_demand_by_category,
}


def describe(disruption: Mapping[str, Any], names: Names) -> tuple[str, str]:
    """``(English, Chinese)`` sentences for one disruption as written in the scenario."""
    fn = DESCRIBERS.get(str(disruption.get("type")))
    if fn is None:
        return f"{disruption.get('type')}: {dict(disruption)}", str(disruption.get("type"))
    en, zh = fn(disruption, names)
    if disruption.get("name"):
        en = f"{disruption['name']} — {en}"
    return en, zh
