"""Numbers in a scenario's disruptions: real, finite, in range; distributions checked parameter by parameter.

The disruption schema (:mod:`chainsim.disruptions`) accepts a number or a distribution for
the numeric fields each type lists (:meth:`~chainsim.disruptions.Disruption.numeric_fields`:
``start``, ``duration``, ``share``, ``recovery.days``, a congestion's ``throughput_loss`` and
``extra_lead_days``). This module checks each such value before the schema parses it, so
that every message names the parameter at fault (``sigma``, ``sd``, ``median``, ``low``,
``high``, ``mode``) and every value the engine would refuse or silently bend (a NaN
duration, a negative recovery time taken as instant, ``true`` read as 1) is refused here,
where ``chainsim validate`` sees it.

A distribution whose support leaves the field's range (a share above 1, a start at or
beyond the horizon, a duration beyond :data:`MAX_DAYS`) is refused when it does so with
more than :data:`MAX_TAIL` probability; rarer draws are caught with the run's own seeds by
:func:`chainsim.experiment.preflight.preflight`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from chainsim.errors import ScenarioError, did_you_mean

__all__ = ["DISTRIBUTIONS", "MAX_DAYS", "MAX_DISRUPTIONS", "MAX_TAIL", "check_disruption_values"]

#: longest duration, recovery time or extra lead time accepted (days). The longest horizon is
#: 3,650 days, so any value beyond it acts as "until the end"; 100,000 days (274 years) leaves
#: room for that while refusing typos such as 1e9 (and the engine's integer day counters overflow
#: near 9.2e18).
MAX_DAYS = 100_000
#: largest probability that a distribution draws outside its field's range
MAX_TAIL = 1e-3
#: most disruptions in one scenario. Link and import cuts into named regions cost time quadratic in
#: their number (every change re-applies the cuts in force: 400 link cuts take ~4 s a replication,
#: 20,000 would take hours); one disruption can list many regions, sectors and products.
MAX_DISRUPTIONS = 1_000

#: distribution -> its parameters (the schema of chainsim.disruptions.sampling)
DISTRIBUTIONS: Mapping[str, tuple[str, ...]] = {
    "lognormal": ("median", "sigma"), "uniform": ("low", "high"), "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
}
_Z = 3.090232306167813  # standard normal quantile of 1 - MAX_TAIL

Fail = Callable[[tuple[Any, ...], str], ScenarioError]


def _phi(z: float) -> float:
    """Standard normal CDF."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def _real(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _fields(item: Mapping[str, Any], horizon: int) -> list[tuple[tuple[str, ...], str, float, float]]:
    """``(path, unit, low, high)`` of every numeric field of one disruption (high exclusive for ``start``).

    Each disruption type says which numbers it has (:meth:`chainsim.disruptions.Disruption.numeric_fields`);
    an unknown type (the schema reports it) is checked for the fields every type has.
    """
    from chainsim.disruptions import DISRUPTIONS, Disruption

    name = item.get("type")
    kind = DISRUPTIONS.get(name, Disruption) if isinstance(name, str) else Disruption
    bounds = {"start": (0.0, float(horizon)), "days": (0.0, float(MAX_DAYS))}
    return [(f.path, f.unit, *bounds.get(f.unit, (f.low, f.high))) for f in kind.numeric_fields()]


def _expect(unit: str, lo: float, hi: float, horizon: int) -> str:
    if unit == "start":
        return f"a day in [0, horizon_days={horizon})"
    if unit == "share":
        return f"a share in [{lo:g}, {hi:g}]"
    return f"a number of days in [0, {MAX_DAYS:,}]"


def _check_fixed(v: Any, loc: tuple[Any, ...], unit: str, lo: float, hi: float, horizon: int, fail: Fail) -> None:
    if isinstance(v, bool) or not _real(v):
        raise fail(loc, f"expected a number or a distribution ({{distribution: lognormal, median: ..., sigma: ...}}); "
                        f"found {v!r}")
    ok = math.isfinite(v) and lo <= v and (v < hi if unit == "start" else v <= hi)
    if not ok:
        raise fail(loc, f"expected {_expect(unit, lo, hi, horizon)}; found {v:g}")


def _tail(dist: str, p: Mapping[str, float], lo: float, hi: float) -> float:
    """Probability that a draw falls outside ``[lo, hi]`` (sampling as in ``disruptions.sample_value``)."""
    if dist == "lognormal":
        if p["sigma"] == 0:
            return 0.0 if lo <= p["median"] <= hi else 1.0
        below = _phi((math.log(lo) - math.log(p["median"])) / p["sigma"]) if lo > 0 else 0.0
        above = 1.0 - _phi((math.log(hi) - math.log(p["median"])) / p["sigma"])
        return below + above
    # normal: redrawn until non-negative
    if p["sd"] == 0:
        return 0.0 if lo <= max(p["mean"], 0.0) <= hi else 1.0
    keep = 1.0 - _phi(-p["mean"] / p["sd"])
    if keep <= 0:
        return 1.0
    above = (1.0 - _phi((hi - p["mean"]) / p["sd"])) / keep
    below = max(_phi((lo - p["mean"]) / p["sd"]) - _phi(-p["mean"] / p["sd"]), 0.0) / keep if lo > 0 else 0.0
    return above + below


def _check_distribution(v: Mapping[str, Any], loc: tuple[Any, ...], unit: str, lo: float, hi: float, horizon: int,
                        fail: Fail) -> None:
    dist = v.get("distribution")
    names = list(DISTRIBUTIONS)
    if dist not in DISTRIBUTIONS:
        raise fail((*loc, "distribution"), f"unknown distribution {dist!r}; expected one of {names}"
                                           f"{did_you_mean(str(dist), names)}")
    params = DISTRIBUTIONS[dist]
    for key in v:
        if key != "distribution" and key not in params:
            raise fail((*loc, key), f"a {dist} distribution has no parameter '{key}'; expected {list(params)}"
                                    f"{did_you_mean(str(key), params)}")
    for key in params:
        if key not in v:
            raise fail(loc, f"a {dist} distribution needs {' and '.join(params)}; '{key}' is missing")
        if not _real(v[key]) or not math.isfinite(v[key]):
            raise fail((*loc, key), f"{dist} {key}: expected a finite number; found {v[key]!r}")
    p = {k: float(v[k]) for k in params}
    if dist == "lognormal" and p["median"] <= 0:
        raise fail((*loc, "median"), f"lognormal median: expected a positive number; found {p['median']:g}")
    for key in ("sigma", "sd"):
        if key in p and p[key] < 0:
            raise fail((*loc, key), f"{dist} {key}: expected a non-negative spread; found {p[key]:g}")
    if "high" in p and p["high"] < p["low"]:
        raise fail((*loc, "high"), f"{dist} high ({p['high']:g}) must be >= low ({p['low']:g})")
    if dist == "triangular" and not p["low"] <= p["mode"] <= p["high"]:
        raise fail((*loc, "mode"), f"triangular mode ({p['mode']:g}) must lie in [low, high] = "
                                   f"[{p['low']:g}, {p['high']:g}]")
    expect = _expect(unit, lo, hi, horizon)
    if dist in ("uniform", "triangular"):
        top = p["high"] if unit != "start" else round(p["high"])
        inside = lo <= p["low"] and (top < hi if unit == "start" else top <= hi)
        if not inside:
            raise fail(loc, f"{dist} on [{p['low']:g}, {p['high']:g}] draws values outside {expect}")
        return
    top = hi - 0.5 if unit == "start" else hi  # a start is rounded to a day
    tail = _tail(dist, p, lo, top)
    if tail > MAX_TAIL:
        spread = "sigma" if dist == "lognormal" else "sd"
        centre = "median" if dist == "lognormal" else "mean"
        raise fail((*loc, spread), f"{dist} with {centre} {p[centre]:g} and {spread} {p[spread]:g} draws values "
                                   f"outside {expect} with probability {tail:.2g}; expected at most {MAX_TAIL:g} "
                                   f"(lower {spread} or use a uniform or triangular distribution within the range)")


def check_disruption_values(disruptions: list[Any], horizon: int, fail: Fail) -> None:
    """Check every number and distribution of the disruptions (raises via ``fail(loc, message)``).

    Parameters
    ----------
    disruptions : list
        The scenario's disruptions as written (dicts).
    horizon : int
        ``horizon_days`` (a start lies in ``[0, horizon)``).
    fail : callable
        ``fail(loc, message) -> ScenarioError``, ``loc`` a field path such as
        ``("disruptions", 0, "duration", "sigma")``.

    Raises
    ------
    ScenarioError
        More disruptions than :data:`MAX_DISRUPTIONS`, a value that is not a real number
        (``true``, ``'2x'``), not finite, or out of range; a distribution with an unknown name
        or parameter, a bad parameter, or a tail beyond the range with probability above
        :data:`MAX_TAIL`.
    """
    if len(disruptions) > MAX_DISRUPTIONS:
        raise fail(("disruptions",), f"{len(disruptions):,} disruptions; at most {MAX_DISRUPTIONS:,} per scenario "
                                     "(link and import cuts cost time quadratic in their number): list several "
                                     "regions, sectors or products in one disruption, or use 'chainsim scan' to "
                                     "try many targets one at a time")
    for k, item in enumerate(disruptions):
        if not isinstance(item, Mapping):
            continue  # the schema reports it
        for path, unit, lo, hi in _fields(item, horizon):
            parent = item
            for part in path[:-1]:
                parent = parent.get(part, {}) if isinstance(parent, Mapping) else {}
            if not isinstance(parent, Mapping) or path[-1] not in parent:
                continue  # the schema's default, or the schema reports the missing field
            v = parent[path[-1]]
            loc = ("disruptions", k, *path)
            if isinstance(v, Mapping):
                _check_distribution(v, loc, unit, lo, hi, horizon, fail)
            else:
                _check_fixed(v, loc, unit, lo, hi, horizon, fail)
        rec = item.get("recurrence")
        if isinstance(rec, Mapping):
            for key in ("p_disrupt", "p_recover"):
                v = rec.get(key)
                if v is not None and (not _real(v) or not (math.isfinite(v) and 0 < v <= 1)):
                    raise fail(("disruptions", k, "recurrence", key), f"expected a probability in (0, 1]; found {v!r}")
