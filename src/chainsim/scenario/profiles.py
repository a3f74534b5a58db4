"""Time profiles: a value that varies in time, given as (day or date, value) points — one schema, one evaluator.

Wherever a quantity can vary in time — a disruption's strength (``capacity_loss``,
``import_cut``, ``final_demand``: the ``share`` times the profile), the share of the workforce
absent in a lockdown, a change of final demand by category — a scenario may give a profile::

    profile:
      interpolation: linear       # or step
      points:
        - [2020-02-03, 0.90]
        - [2020-02-23, 0.48]
        - [2020-03-28, 0.10]

or, as a mapping, ``points: {2020-02-03: 0.90, 2020-02-23: 0.48}``. A point's time is a date
(with the scenario's ``calendar``) or a number of days counted from the profile's *origin*:
the ``start`` of the disruption it belongs to, or day 0 of the simulation for an item that
has no start (a lockdown's ``absent``, a demand change by category). So ``[[0, 0.5], [2,
1.0]]`` in a disruption starting on day 20 reaches 1.0 on day 22; a date is the same day
whatever the start.

The value of day ``t`` is the profile at the start of that day:

* before the first point: ``before`` (default 0, no shock yet);
* between points: linear interpolation, or (``step``) the value of the last point reached;
* from the last point on: the last value, held. A disruption whose profile ends at 0 ends
  there (:func:`profile_stop`).

Points must be strictly increasing in time once dates are turned into days (numbers are
checked when the profile is read, dates when they meet the calendar).

:func:`profile_at` is the one evaluator; :func:`evaluate_profile` (simulation days ``0 ..
days-1``) and a disruption's compilation from its start
(:meth:`chainsim.disruptions.base.Episode.follow`) are views of it.

Examples
--------
>>> p = Profile(points=[[2, 0.0], [6, 1.0]])
>>> evaluate_profile(p, 8).tolist()
[0.0, 0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
>>> evaluate_profile(Profile(points=[[2, 0.4], [5, 0.1]], interpolation="step"), 7).tolist()
[0.0, 0.0, 0.4, 0.4, 0.4, 0.1, 0.1]
>>> profile_at(Profile(points=[[0, 1.0], [4, 0.0]]), [20, 21, 26], origin=20).tolist()  # from a start on day 20
[1.0, 0.75, 0.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chainsim.scenario.calendar import Calendar, CalendarError, DayOrDate, to_day

__all__ = ["Profile", "ProfileLike", "evaluate_profile", "profile_at", "profile_days", "profile_stop",
           "profile_values"]


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


class Profile(BaseModel):
    """A piecewise-linear or step function of time given by (day or date, value) points (see the module)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
    points: list[tuple[DayOrDate, float]] = Field(min_length=1)
    interpolation: Literal["linear", "step"] = "linear"
    before: float = Field(0.0, description="value before the first point")
    source: str = Field("", description="where the points come from")

    @field_validator("points", mode="before")
    @classmethod
    def _mapping_to_pairs(cls, v: Any) -> Any:
        if isinstance(v, Mapping):
            return [[k, val] for k, val in v.items()]
        return v

    @model_validator(mode="after")
    def _numbers_increase(self) -> Profile:
        """Points given as day numbers must be strictly increasing (dates are checked against the calendar)."""
        days = [d for d, _ in self.points]
        if all(_is_number(d) for d in days) and any(b <= a for a, b in pairwise(days)):
            raise ValueError(f"points: expected days strictly increasing; found {days}")
        return self

    @property
    def has_dates(self) -> bool:
        """Whether some point is a date (it needs a calendar)."""
        return not all(_is_number(d) for d, _ in self.points)

    def ends_at_zero(self) -> bool:
        """Whether the last point's value is 0 (a disruption following the profile ends there)."""
        return self.points[-1][1] == 0.0


ProfileLike = float | Profile


def profile_days(profile: Profile, calendar: Calendar | None = None, *, origin: float = 0.0,
                 loc: tuple[Any, ...] = ()) -> np.ndarray:
    """The points' simulation days: dates through the calendar, numbers counted from ``origin``; strictly increasing.

    Raises
    ------
    CalendarError
        A date without a calendar, or a point not after the one before it.
    """
    days = np.array([float(p[0]) + origin if _is_number(p[0]) else float(to_day(p[0], calendar,
                                                                                 loc=(*loc, "points", i, 0)))
                     for i, p in enumerate(profile.points)])
    for i in range(1, len(days)):
        if days[i] <= days[i - 1]:
            raise CalendarError((*loc, "points", i, 0), f"points must be strictly increasing in time; day {days[i]:g} "
                                                        f"does not come after day {days[i - 1]:g} of the point before")
    return days


def profile_at(profile: ProfileLike, t: Sequence[float] | np.ndarray, calendar: Calendar | None = None, *,
               origin: float = 0.0, loc: tuple[Any, ...] = ()) -> np.ndarray:
    """The profile's value on simulation days ``t`` (the one evaluator; a number is a constant profile).

    Parameters
    ----------
    profile : Profile or float
        The profile.
    t : array of float
        Simulation days.
    calendar : Calendar, optional
        Needed when points are dates.
    origin : float
        The day a point's day number counts from (a disruption's start; 0 for the simulation).
    loc : tuple
        Field path of the profile, for error messages.

    Returns
    -------
    ndarray, shaped like ``t``
    """
    t = np.asarray(t, dtype=float)
    if not isinstance(profile, Profile):
        return np.full(t.shape, float(profile))
    x = profile_days(profile, calendar, origin=origin, loc=loc)
    y = np.array([float(p[1]) for p in profile.points])
    if profile.interpolation == "linear":
        return np.interp(t, x, y, left=profile.before, right=y[-1])
    idx = np.searchsorted(x, t, side="right") - 1
    return np.where(idx >= 0, y[np.clip(idx, 0, None)], profile.before)


def evaluate_profile(profile: ProfileLike, days: int, calendar: Calendar | None = None, *,
                     loc: tuple[Any, ...] = ()) -> np.ndarray:
    """The profile's value on each simulation day ``0 .. days-1`` (numbers count from day 0).

    Returns
    -------
    ndarray (days,)
    """
    return profile_at(profile, np.arange(int(days), dtype=float), calendar, loc=loc)


def profile_values(profile: Profile, days: int) -> np.ndarray:
    """The values on the ``days`` days from the origin on (days ``0 .. days-1`` after a disruption's start).

    Examples
    --------
    >>> profile_values(Profile(points=[(0, 1.0), (4, 0.0)]), 6).tolist()
    [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    >>> profile_values(Profile(points=[(0, 1.0), (2, 0.5)], interpolation="step"), 4).tolist()
    [1.0, 1.0, 0.5, 0.5]
    """
    return profile_at(profile, np.arange(max(int(days), 0), dtype=float))


def profile_stop(profile: Profile, horizon: int) -> int:
    """Days from the origin a disruption following ``profile`` lasts, at most ``horizon``.

    A profile that ends at 0 ends the disruption the day after its last point; otherwise the
    last value holds to the horizon. Day numbers only (a disruption's dated points are turned
    into days after its start when the scenario is loaded).

    Examples
    --------
    >>> profile_stop(Profile(points=[(0, 1.0), (4, 0.0)]), 100), profile_stop(Profile(points=[(0, 1.0)]), 100)
    (5, 100)
    """
    if profile.has_dates:
        raise CalendarError(("points",), "a disruption's profile points must be days after its start here; dates are "
                                         "turned into days when the scenario (with its calendar) is loaded")
    last_day = float(profile.points[-1][0])
    return horizon if not profile.ends_at_zero() else max(0, min(horizon, int(np.floor(last_day)) + 1))
