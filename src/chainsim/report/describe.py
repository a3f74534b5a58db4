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
from typing import Any

__all__ = ["DESCRIBERS", "Names", "describe", "value_words"]


@dataclass(frozen=True)
class Names:
    """Sector and region names by code (``{"20": {"en": ..., "zh": ...}}``), as written in ``run.json``."""

    sectors: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    regions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def _many(self, value: Any, book: Mapping[str, Mapping[str, str]], lang: str, every: tuple[str, str]) -> str:
        vals = [value] if isinstance(value, str | int) else list(value or [])
        if not vals or [str(v) for v in vals] == ["all"]:
            return every[0] if lang == "en" else every[1]
        out = []
        for v in map(str, vals):
            entry = book.get(v, {})
            if lang == "en":
                out.append(" ".join(p for p in (v, entry.get("en", ""), entry.get("zh", "")) if p))
            else:
                out.append(entry.get("zh") or v)
        return ", ".join(out) if lang == "en" else "、".join(out)

    def sectors_of(self, value: Any, lang: str = "en") -> str:
        """Sector codes as words (``"20 Electronics 电子设备"``; Chinese names only for ``lang="zh"``)."""
        return self._many(value, self.sectors, lang, ("every sector", "所有行业"))

    def regions_of(self, value: Any, lang: str = "en") -> str:
        """Region codes as words; ``all`` is every region."""
        if isinstance(value, str) and value.lower() == "northeast":
            return "the Northeast (LN, JL, HLJ)" if lang == "en" else "东北三省"
        return self._many(value, self.regions, lang, ("every region", "所有地区"))


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
    if isinstance(v, int | float):
        return f"{100 * v:.0f} %" if lang == "en" else f"{100 * v:.0f}%"
    return value_words(v, "", lang) + (" (share)" if lang == "en" else "（比例）")


def _when(d: Mapping[str, Any], lang: str) -> str:
    start, dur = d.get("start", 0), d.get("duration")
    if lang == "en":
        s = f"from day {value_words(start)}"
        return s + (f" for {value_words(dur, ' days')}" if dur is not None else "")
    s = f"自第{value_words(start, '', 'zh')}天起"
    return s + (f"持续{value_words(dur, '天', 'zh')}" if dur is not None else "")


def _get(d: Mapping[str, Any], key: str, default: Any = "all") -> Any:
    return d.get(key, d.get(key + "s", default))


def _codes(v: Any, sep: str = ", ") -> str:
    """Origin or region codes as written (``KOR, JPN``; ``all``)."""
    return sep.join(map(str, v)) if isinstance(v, list) else str(v)


def _origins(v: Any, lang: str) -> str:
    """Import origins as written, or every foreign origin for ``all`` (the schema's default)."""
    if v == "all" or v == ["all"]:
        return "every foreign origin" if lang == "en" else "所有境外来源地"
    return _codes(v, ", " if lang == "en" else "、")


def _import_cut(d: Mapping[str, Any], n: Names) -> tuple[str, str]:
    o = _get(d, "origin")
    en = (f"卡链 chokepoint: imports of {n.sectors_of(_get(d, 'product'))} from {_origins(o, 'en')} into "
          f"{n.regions_of(_get(d, 'region'))} fall by {_share(d.get('share', 1.0), 'en')} {_when(d, 'en')}.")
    zh = (f"卡链：自{_origins(o, 'zh')}进口至{n.regions_of(_get(d, 'region'), 'zh')}的"
          f"{n.sectors_of(_get(d, 'product'), 'zh')}减少{_share(d.get('share', 1.0), 'zh')}，{_when(d, 'zh')}。")
    return en, zh


def _capacity_loss(d: Mapping[str, Any], n: Names) -> tuple[str, str]:
    basis = d.get("basis", "capital")
    profile = d.get("profile")
    if isinstance(profile, Mapping) and profile.get("points"):  # share x profile, no duration or recovery
        share = d.get("share", 1)
        scaled = {**profile, "points": [[p[0], p[1] * share if isinstance(p[1], int | float)
                                         and isinstance(share, int | float) else p[1]] for p in profile["points"]]}
        en = (f"Capacity loss: the {basis} of {n.sectors_of(_get(d, 'sector'))} in {n.regions_of(_get(d, 'region'))} "
              f"is lost along a profile, {_profile_words(scaled, 'en')}.")
        zh = (f"产能损失：{n.regions_of(_get(d, 'region'), 'zh')}{n.sectors_of(_get(d, 'sector'), 'zh')}的"
              f"{'资本' if basis == 'capital' else '产能'}按时间曲线损失，{_profile_words(scaled, 'zh')}。")
        return en, zh
    rec = d.get("recovery") or {}
    how_en = (f", then recovers ({rec.get('curve', 'linear')}) over {value_words(rec['days'], ' days')}"
              if rec.get("days") is not None else "")
    how_zh = f"，随后在{value_words(rec['days'], '天', 'zh')}内恢复" if rec.get("days") is not None else ""
    en = (f"Capacity loss: {_share(d.get('share', 0), 'en')} of the {basis} of "
          f"{n.sectors_of(_get(d, 'sector'))} in {n.regions_of(_get(d, 'region'))} is lost {_when(d, 'en')}{how_en}.")
    zh = (f"产能损失：{n.regions_of(_get(d, 'region'), 'zh')}{n.sectors_of(_get(d, 'sector'), 'zh')}的"
          f"{'资本' if basis == 'capital' else '产能'}损失{_share(d.get('share', 0), 'zh')}，"
          f"{_when(d, 'zh')}{how_zh}。")
    return en, zh


def _link_cut(d: Mapping[str, Any], n: Names) -> tuple[str, str]:
    to_sector = _get(d, "to_sector")
    users_en = "every user" if to_sector == "all" else n.sectors_of(to_sector)
    users_zh = "所有用户" if to_sector == "all" else n.sectors_of(to_sector, "zh")
    en = (f"断链 broken link: deliveries of {n.sectors_of(_get(d, 'product'))} from "
          f"{n.regions_of(d.get('from_region'))} to {users_en} in {n.regions_of(_get(d, 'to_region'))} fall by "
          f"{_share(d.get('share', 1.0), 'en')} {_when(d, 'en')}.")
    zh = (f"断链：{n.regions_of(d.get('from_region'), 'zh')}向{n.regions_of(_get(d, 'to_region'), 'zh')}{users_zh}"
          f"供应的{n.sectors_of(_get(d, 'product'), 'zh')}减少{_share(d.get('share', 1.0), 'zh')}，{_when(d, 'zh')}。")
    return en, zh


def _congestion(d: Mapping[str, Any], n: Names) -> tuple[str, str]:
    src = d.get("from_region", "all")
    extra = d.get("extra_lead_days", 0)
    en = (f"堵链 congestion: the route from {_codes(src)} into {n.regions_of(_get(d, 'to_region'))} loses "
          f"{_share(d.get('throughput_loss', 0.5), 'en')} of its throughput and takes "
          f"{value_words(extra, ' more days')} {_when(d, 'en')}; the backlog then clears.")
    zh = (f"堵链：自{_codes(src, '、')}至{n.regions_of(_get(d, 'to_region'), 'zh')}的通道运力下降"
          f"{_share(d.get('throughput_loss', 0.5), 'zh')}，运输时间增加{value_words(extra, '天', 'zh')}，"
          f"{_when(d, 'zh')}。")
    return en, zh


def _final_demand(d: Mapping[str, Any], n: Names) -> tuple[str, str]:
    share = d.get("share", 0)
    verb_en = "falls" if isinstance(share, int | float) and share < 0 else "changes"
    when_en = "permanently from day " + value_words(d.get("start", 0)) if d.get("permanent") else _when(d, "en")
    en = (f"Final demand for {n.sectors_of(_get(d, 'sector'))} in {n.regions_of(_get(d, 'region'))} {verb_en} by "
          f"{_share(abs(share) if isinstance(share, int | float) else share, 'en')} {when_en}.")
    zh = (f"最终需求：{n.regions_of(_get(d, 'region'), 'zh')}对{n.sectors_of(_get(d, 'sector'), 'zh')}的最终需求变化"
          f"{_share(share, 'zh')}，{_when(d, 'zh')}。")
    return en, zh


def _profile_words(profile: Any, lang: str) -> str:
    """A (date or day, value) profile as its peak and its first and last points."""
    pts = profile.get("points") or [] if isinstance(profile, Mapping) else []
    if not pts:
        return ""
    values = [p[1] for p in pts if isinstance(p[1], int | float)]
    peak = max(values, key=abs) if values else pts[0][1]
    if lang == "en":
        return f"peaking at {_share(peak, 'en')} between {pts[0][0]} and {pts[-1][0]}"
    return f"{pts[0][0]}至{pts[-1][0]}间最高{_share(peak, 'zh')}"


def _lockdown(d: Mapping[str, Any], n: Names) -> tuple[str, str]:
    where_en, where_zh = n.regions_of(_get(d, "region")), n.regions_of(_get(d, "region"), "zh")
    area = d.get("area") or {}
    sub = area.get("subregion") if isinstance(area, Mapping) else None
    en = (f"Lockdown: workers of {n.sectors_of(d.get('sectors', 'all'))} in {where_en}"
          f"{f' ({sub})' if sub else ''} absent, {_profile_words(d.get('absent'), 'en')}.")
    zh = (f"封控：{where_zh}{f'（{sub}）' if sub else ''}{n.sectors_of(d.get('sectors', 'all'), 'zh')}"
          f"劳动力缺勤，{_profile_words(d.get('absent'), 'zh')}。")
    return en, zh


def _final_demand_by_category(d: Mapping[str, Any], n: Names) -> tuple[str, str]:
    cats = _codes(d.get("categories", []))
    en = (f"Final demand ({cats}) for {n.sectors_of(d.get('sectors', 'all'))} in "
          f"{n.regions_of(_get(d, 'region'))} changes, {_profile_words(d.get('change'), 'en')}.")
    zh = (f"最终需求（{_codes(d.get('categories', []), '、')}）：{n.regions_of(_get(d, 'region'), 'zh')}对"
          f"{n.sectors_of(d.get('sectors', 'all'), 'zh')}的需求变化，{_profile_words(d.get('change'), 'zh')}。")
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
