"""The scenario calendar: simulation days as dates, and the periods NBS publishes.

``calendar: {start: 2020-01-01}`` in a scenario makes day ``t`` the date ``start + t`` (day 0
is the start date). Shocks may then give ``start``, ``end`` and profile points as dates;
outputs are aggregated over calendar months.

Periods are labelled as in NBS releases and in ``observed_2020_calibration.csv``:

========== ============== ===============================================================
kind       label          days
========== ============== ===============================================================
month      ``2020-03``    the calendar month
jan_feb    ``2020-01/02`` January and February together: NBS publishes no February alone
                          (the Spring Festival moves between the two months)
ytd        ``2020-01/05`` year to date, 1 January to the end of the month (1—5月)
quarter    ``2020Q1``     the quarter
year       ``2020``       the year
========== ============== ===============================================================

Examples
--------
>>> cal = Calendar(start="2020-01-01")
>>> to_day("2020-03-01", cal)            # 31 + 29 days: 2020 is a leap year
60
>>> to_date(59, cal)
datetime.date(2020, 2, 29)
>>> [(p.label, p.first, p.stop, p.days_previous_year) for p in calendar_periods(cal, 91, kinds=("jan_feb",))]
[('2020-01/02', 0, 60, 59)]
"""

from __future__ import annotations

import calendar as _stdcal
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from chainsim.errors import ScenarioError

__all__ = [
    "Calendar", "CalendarError", "DayOrDate", "Period", "calendar_periods", "day_dates", "parse_date",
    "parse_period", "resolve_disruption_dates", "to_date", "to_day",
]

DayOrDate = float | date
PERIOD_KINDS = ("month", "jan_feb", "ytd", "quarter", "year")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CalendarError(ScenarioError):
    """A date problem at a field path ``loc`` (the loader adds file and line)."""

    def __init__(self, loc: tuple[Any, ...], message: str) -> None:
        self.loc = tuple(loc)
        self.message = message
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.loc).lstrip(".")
        super().__init__(f"{path}: {message}" if path else message)


class Calendar(BaseModel):
    """Maps simulation days to dates: day ``t`` is ``start + t`` days."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    start: date


def parse_date(value: Any) -> date | None:
    """A date from a ``date``, a ``datetime`` or an ISO ``YYYY-MM-DD`` string; ``None`` for anything else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def to_day(value: Any, calendar: Calendar | None, *, loc: tuple[Any, ...] = ()) -> float | int:
    """The simulation day of a date (or a day number, returned as is).

    Raises
    ------
    CalendarError
        A date without a calendar, or a value that is neither a number nor a date.
    """
    if _is_number(value):
        return value
    d = parse_date(value)
    if d is None:
        raise CalendarError(loc, f"expected a day number or a date YYYY-MM-DD; found {value!r}")
    if calendar is None:
        raise CalendarError(loc, f"a date ({d.isoformat()}) needs a calendar: add 'calendar: {{start: YYYY-MM-DD}}' "
                                 "to the scenario, or give the day number")
    return (d - calendar.start).days


def to_date(day: int, calendar: Calendar) -> date:
    """The date of simulation day ``day``."""
    return calendar.start + timedelta(days=int(day))


def day_dates(calendar: Calendar, days: int) -> np.ndarray:
    """Dates of days ``0 .. days-1`` as ``datetime64[D]``."""
    return np.datetime64(calendar.start, "D") + np.arange(int(days))


@dataclass(frozen=True)
class Period:
    """A reporting period: its NBS-style label and its days ``first .. stop-1`` in the simulation.

    ``days_previous_year`` is the length of the same period one year earlier (59 for
    ``2020-01/02``, 60 for ``2021-01/02``): NBS compares period totals, so a leap day counts.
    """

    label: str
    kind: str
    start: date
    end: date  # exclusive
    first: int
    stop: int
    days_previous_year: int

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return self.stop - self.first


def _shift_year(d: date, years: int) -> date:
    y = d.year + years
    return date(y, d.month, min(d.day, _stdcal.monthrange(y, d.month)[1]))


def _month_end(y: int, m: int) -> date:
    return date(y + 1, 1, 1) if m == 12 else date(y, m + 1, 1)


def parse_period(label: str) -> tuple[str, date, date]:
    """Kind, first date and end date (exclusive) of a period label.

    Examples
    --------
    >>> parse_period("2020-01/02")
    ('jan_feb', datetime.date(2020, 1, 1), datetime.date(2020, 3, 1))
    >>> parse_period("2020Q2")[1:]
    (datetime.date(2020, 4, 1), datetime.date(2020, 7, 1))

    Raises
    ------
    ScenarioError
        A label in none of the forms ``YYYY-MM``, ``YYYY-01/MM``, ``YYYYQn``, ``YYYY``.
    """
    s = str(label).strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})", s):
        y, mo = int(m[1]), int(m[2])
        if 1 <= mo <= 12:
            return "month", date(y, mo, 1), _month_end(y, mo)
    elif m := re.fullmatch(r"(\d{4})-01/(\d{2})", s):
        y, mo = int(m[1]), int(m[2])
        if 2 <= mo <= 12:
            return ("jan_feb" if mo == 2 else "ytd"), date(y, 1, 1), _month_end(y, mo)
    elif m := re.fullmatch(r"(\d{4})Q([1-4])", s):
        y, q = int(m[1]), int(m[2])
        return "quarter", date(y, 3 * q - 2, 1), _month_end(y, 3 * q)
    elif re.fullmatch(r"\d{4}", s):
        return "year", date(int(s), 1, 1), date(int(s) + 1, 1, 1)
    raise ScenarioError(f"period '{label}': expected YYYY-MM, YYYY-01/MM (Jan to month MM), YYYYQn or YYYY")


def _make(label: str, calendar: Calendar) -> Period:
    kind, start, end = parse_period(label)
    prev = (_shift_year(end, -1) - _shift_year(start, -1)).days if kind != "year" else (
        date(start.year, 1, 1) - date(start.year - 1, 1, 1)).days
    return Period(label=label, kind=kind, start=start, end=end, first=(start - calendar.start).days,
                  stop=(end - calendar.start).days, days_previous_year=prev)


def calendar_periods(calendar: Calendar, days: int, *,
                     kinds: Sequence[str] = ("month", "jan_feb", "ytd")) -> list[Period]:
    """The periods of the given kinds that lie wholly inside simulation days ``0 .. days-1``.

    A period cut by the start or the end of the horizon is left out: a part-month is not
    the month NBS reports. Order: by end date, then month before Jan–Feb before
    year-to-date before quarter before year.

    Raises
    ------
    ScenarioError
        An unknown kind.
    """
    bad = [k for k in kinds if k not in PERIOD_KINDS]
    if bad:
        raise ScenarioError(f"period kinds {bad}: expected some of {list(PERIOD_KINDS)}")
    first_day, end_day = calendar.start, calendar.start + timedelta(days=int(days))
    labels: list[str] = []
    y, m = first_day.year, first_day.month
    while date(y, m, 1) < end_day:
        if "month" in kinds:
            labels.append(f"{y}-{m:02d}")
        if m == 2 and "jan_feb" in kinds:
            labels.append(f"{y}-01/02")
        if m >= 3 and "ytd" in kinds:
            labels.append(f"{y}-01/{m:02d}")
        if m % 3 == 0 and "quarter" in kinds:
            labels.append(f"{y}Q{m // 3}")
        if m == 12 and "year" in kinds:
            labels.append(f"{y}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    periods = [_make(lab, calendar) for lab in labels]
    return [p for p in periods if p.first >= 0 and p.stop <= int(days)]


def resolve_disruption_dates(items: Sequence[Mapping[str, Any]], calendar: Calendar | None,
                             *, key: str = "disruptions",
                             day0_profiles: Mapping[str, Sequence[str]] | None = None) -> list[dict[str, Any]]:
    """Disruptions with dates turned into days: ``start`` (a date) and ``end`` (a date or day).

    ``end`` is exclusive, the first day back to normal: it becomes ``duration = end - start``.
    A disruption's ``profile`` counts its day numbers from the disruption's start
    (:mod:`chainsim.scenario.profiles`), so its dated points become days after ``start``.
    ``day0_profiles`` names, per disruption type, the profiles that count from day 0 of the
    simulation instead (a lockdown's ``absent``, a demand change's ``change``): their dated
    points become simulation days. Items without dates are returned unchanged (as copies).

    Raises
    ------
    CalendarError
        A date without a calendar, ``end`` with ``duration``, ``end`` before ``start``, or
        ``end`` or a dated profile point with a randomly drawn ``start``.

    Examples
    --------
    >>> cal = Calendar(start="2022-03-01")
    >>> resolve_disruption_dates([{"type": "capacity_loss", "start": "2022-03-13", "end": "2022-04-16"}], cal)
    [{'type': 'capacity_loss', 'start': 12, 'duration': 34}]
    """
    day0_profiles = day0_profiles or {}
    out = []
    for k, item in enumerate(items):
        d = dict(item) if isinstance(item, Mapping) else item
        if not isinstance(d, dict):
            out.append(d)
            continue
        base = (key, k)
        if "start" in d and not _is_number(d["start"]) and parse_date(d["start"]) is not None:
            d["start"] = to_day(d["start"], calendar, loc=(*base, "start"))
        if "end" in d:
            if "duration" in d:
                raise CalendarError((*base, "end"), "give either 'end' or 'duration', not both")
            if not _is_number(d.get("start", 1.0)):
                raise CalendarError((*base, "end"), "'end' needs a fixed 'start' (a day or a date), not a distribution")
            end = to_day(d.pop("end"), calendar, loc=(*base, "end"))
            start = d.get("start", 1.0)
            if end < start:
                raise CalendarError((*base, "end"),
                                    f"expected a day on or after start (day {start:g}); found day {end:g}")
            d["duration"] = end - start
        if isinstance(d.get("profile"), Mapping):
            d["profile"] = _profile_from_start(d["profile"], d.get("start", 1.0), calendar, (*base, "profile"))
        for name in day0_profiles.get(str(d.get("type")), ()):  # profiles counted from day 0
            if isinstance(d.get(name), Mapping):
                d[name] = _profile_from_start(d[name], 0, calendar, (*base, name))
        out.append(d)
    return out


def _profile_from_start(profile: Mapping[str, Any], start: Any, calendar: Calendar | None,
                        loc: tuple[Any, ...]) -> Mapping[str, Any]:
    """A disruption's profile with its dated points turned into days after ``start`` (numbers already are)."""
    points = profile.get("points")
    pairs = list(points.items()) if isinstance(points, Mapping) else points
    if not isinstance(pairs, list) or not any(
            isinstance(p, list | tuple) and len(p) == 2 and not _is_number(p[0]) for p in pairs):
        return profile
    if not _is_number(start):
        raise CalendarError((*loc, "points"), "dated points need a fixed 'start' (a day or a date), not a "
                                              "distribution: a profile's days count from the start")
    out, prev = [], None  # prev: (simulation day, as written) of the point before
    for i, p in enumerate(pairs):
        if isinstance(p, list | tuple) and len(p) == 2:
            written = p[0]
            if _is_number(written):
                day = written + start
            else:
                day = to_day(written, calendar, loc=(*loc, "points", i, 0))
                if day < 0:  # a year typo would otherwise become a negative day and move the results
                    raise CalendarError((*loc, "points", i, 0),
                                        f"expected a date on or after the calendar's start ({calendar.start}); "
                                        f"found {_written(written)} (move calendar.start earlier, or drop the point)")
                p = [day - start, p[1]]
            if prev is not None and day <= prev[0]:
                raise CalendarError((*loc, "points", i, 0),
                                    f"expected points strictly increasing in time; found {_written(written)} "
                                    f"after {_written(prev[1])}")
            prev = (day, written)
        out.append(p)
    return {**profile, "points": out}


def _written(value: Any) -> str:
    """A point's time as the scenario wrote it: a date as YYYY-MM-DD, a day number as 'day N'."""
    if _is_number(value):
        return f"day {value:g}"
    d = parse_date(value)
    return d.isoformat() if d is not None else repr(value)
