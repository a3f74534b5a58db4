"""Time profiles: a share that varies in time, given as (date or day, value) points.

Wherever a share can vary in time (a capacity loss, an import cut, a demand change, the
share of the workforce absent), a scenario may give a profile instead of a number::

    absent:
      interpolation: linear       # or step
      points:
        - [2020-02-03, 0.90]
        - [2020-02-23, 0.48]
        - [2020-03-28, 0.10]

or, as a mapping, ``points: {2020-02-03: 0.90, 2020-02-23: 0.48}``. The value of day ``t``
is the profile at the start of that day:

* before the first point: ``before`` (default 0, no shock yet);
* between points: linear interpolation, or (``step``) the value of the last point reached;
* from the last point on: the last value, held.

Points must be strictly increasing in time once dates are turned into days.

Examples
--------
>>> p = Profile(points=[[2, 0.0], [6, 1.0]])
>>> evaluate_profile(p, 8).tolist()
[0.0, 0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
>>> evaluate_profile(Profile(points=[[2, 0.4], [5, 0.1]], interpolation="step"), 7).tolist()
[0.0, 0.0, 0.4, 0.4, 0.4, 0.1, 0.1]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from chainsim.scenario.calendar import Calendar, CalendarError, DayOrDate, to_day

__all__ = ["Profile", "ProfileLike", "evaluate_profile", "profile_days"]


class Profile(BaseModel):
    """A piecewise-linear or step function of time given by (date or day, value) points."""

    model_config = ConfigDict(frozen=True, extra="forbid")
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


ProfileLike = float | Profile


def profile_days(profile: Profile, calendar: Calendar | None = None, *, loc: tuple[Any, ...] = ()) -> np.ndarray:
    """The points' days (dates turned into days), checked to be strictly increasing.

    Raises
    ------
    CalendarError
        A date without a calendar, or a point not after the one before it.
    """
    days = np.array([float(to_day(p[0], calendar, loc=(*loc, "points", i, 0))) for i, p in enumerate(profile.points)])
    for i in range(1, len(days)):
        if days[i] <= days[i - 1]:
            raise CalendarError((*loc, "points", i, 0), f"points must be strictly increasing in time; day {days[i]:g} "
                                                        f"does not come after day {days[i - 1]:g} of the point before")
    return days


def evaluate_profile(profile: ProfileLike, days: int, calendar: Calendar | None = None, *,
                     loc: tuple[Any, ...] = ()) -> np.ndarray:
    """The profile's value on each day ``0 .. days-1`` (a number is a constant profile).

    Parameters
    ----------
    profile : Profile or float
        The profile.
    days : int
        Number of simulated days.
    calendar : Calendar, optional
        Needed when points are dates.
    loc : tuple
        Field path of the profile, for error messages.

    Returns
    -------
    ndarray (days,)
    """
    t = np.arange(int(days), dtype=float)
    if not isinstance(profile, Profile):
        return np.full(int(days), float(profile))
    x = profile_days(profile, calendar, loc=loc)
    y = np.array([float(p[1]) for p in profile.points])
    if profile.interpolation == "linear":
        return np.interp(t, x, y, left=profile.before, right=y[-1])
    idx = np.searchsorted(x, t, side="right") - 1
    return np.where(idx >= 0, y[np.clip(idx, 0, None)], profile.before)
