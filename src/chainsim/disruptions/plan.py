r"""What disruptions compile into: the engine's plan, plain data indexed by day.

Every disruption type (:mod:`chainsim.disruptions`) turns a sampled episode into items of a
:class:`Plan`; the engine enacts the plan and knows nothing of the types. An item says *what*
changes (which supply nodes, links, routes, final demands or substitution columns), for which
batch member, and *how much on which day*:

* :class:`LossRows` — capacity losses that follow a recovery curve (evaluated day by day by
  the engine's capacity schedule, which also ends an event when its losses are back at zero),
  and tabulated losses (a daily value per row, e.g. from a profile);
* :class:`RebuildSpec` — capital destroyed and rebuilt through rebuilding demand;
* :class:`LinkChange` — a share of some links closed (link cuts, import cuts into named regions);
* :class:`RouteChange` — a route's throughput loss and extra lead time (congestion);
* :class:`DemandChange` — final demand moved by an amount times a daily factor;
* :class:`Substitution` — domestic substitution orders for imported inputs, share σ by day;
* :class:`LogEntry` — an entry of the event log on a given day.

Time-varying amounts are :class:`Steps`: a value that changes on given days (a daily table is a
step on every day), so a curve, a constant over an interval and a profile of ``(day, value)``
points are the same kind of data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np

__all__ = [
    "DemandChange",
    "LinkChange",
    "LogEntry",
    "LossRows",
    "Plan",
    "RebuildSpec",
    "RouteChange",
    "Steps",
    "Substitution",
    "day_of",
]


def day_of(time: float) -> int:
    r"""The day whose step first sees an event due at real ``time`` (days since the start of day 0).

    The daily step of day t runs at mid-day, ``t + 0.5``; an event due at or before a step's time
    is seen by that step: day :math:`\lceil time - 1/2 \rceil` (the engine's clock rule,
    :mod:`chainsim.engine.clock`).

    Examples
    --------
    >>> [day_of(x) for x in (10.0, 10.5, 10.51, 24.49)]
    [10, 10, 11, 24]
    """
    return math.ceil(time - 0.5)


@dataclass(frozen=True)
class Steps:
    """A quantity that changes on given days: ``values[k]`` holds on days ``days[k] .. days[k+1] - 1``.

    Before ``days[0]`` the quantity is 0; after the last day it keeps its last value. An item
    whose last value is 0 *ends* on its last day (:attr:`stop`).

    Examples
    --------
    >>> s = Steps.hold(5, 8, 0.5)
    >>> [s.at(t) for t in (4, 5, 7, 8)]
    [0.0, 0.5, 0.5, 0.0]
    >>> s.stop
    8.0
    """

    days: np.ndarray
    values: np.ndarray

    def __post_init__(self) -> None:
        d = np.asarray(self.days, dtype=int)
        v = np.asarray(self.values, dtype=float)
        if d.ndim != 1 or d.shape != v.shape or not len(d) or (np.diff(d) <= 0).any():
            raise ValueError(f"Steps: expected strictly increasing days and one value each; found {d}, {v}")
        object.__setattr__(self, "days", d)
        object.__setattr__(self, "values", v)

    @classmethod
    def hold(cls, start: int, stop: int | None, value: float) -> Steps:
        """``value`` on days ``start .. stop - 1`` (for good if ``stop`` is None), else 0."""
        if stop is None:
            return cls(np.array([start]), np.array([value]))
        if stop <= start:
            return cls(np.array([start]), np.array([0.0]))
        return cls(np.array([start, stop]), np.array([value, 0.0]))

    @classmethod
    def changes(cls, changes: dict[int, float]) -> Steps:
        """From ``{day: value}`` (the value from that day on)."""
        days = sorted(changes)
        return cls(np.array(days), np.array([changes[d] for d in days]))

    @classmethod
    def daily(cls, start: int, values: Sequence[float] | np.ndarray, after: float = 0.0) -> Steps:
        """One value a day from ``start`` (a tabulated series), then ``after``."""
        v = np.r_[np.asarray(values, dtype=float), after]
        return cls(start + np.arange(len(v)), v)

    def at(self, t: int) -> float:
        """The value on day ``t``."""
        k = int(np.searchsorted(self.days, t, side="right")) - 1
        return 0.0 if k < 0 else float(self.values[k])

    @property
    def start(self) -> int:
        """First day the item is in force."""
        return int(self.days[0])

    @property
    def stop(self) -> float:
        """Day the item ends (its last value is 0), or infinity."""
        return float(self.days[-1]) if self.values[-1] == 0.0 else float("inf")

    def active(self, t: int) -> bool:
        """Whether day ``t`` lies between the first day and the end."""
        return self.start <= t < self.stop


@dataclass(frozen=True)
class LossRows:
    """Capacity-loss rows, as column arrays of equal length (one row per batch member and supply node).

    A curve row holds ``amount`` from day ``t_full``, then follows recovery curve ``curve`` from
    day ``t_rec`` at elapsed time ``e = t - t_rec + e0`` with time constant ``tau``, rounded to
    ``decimals`` (-1: none). A tabulated row (``series >= 0``) holds ``amount`` times the
    ``series``-th daily table of :attr:`Plan.series` from day ``t_full`` (its ``t_rec`` is the
    first day after the table). Additive rows (capital destroyed) add up and are divided by
    ``unit`` (capital K); the others (shares of capacity) combine by max. ``event`` numbers the
    disruption episode the row belongs to.
    """

    batch: np.ndarray
    node: np.ndarray
    amount: np.ndarray
    unit: np.ndarray
    additive: np.ndarray
    t_full: np.ndarray
    t_rec: np.ndarray
    e0: np.ndarray
    tau: np.ndarray
    curve: np.ndarray
    decimals: np.ndarray
    event: np.ndarray
    series: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.series is None:  # curve rows only
            object.__setattr__(self, "series", np.full(len(self.node), -1))

    _DTYPES: ClassVar[dict[str, type]] = {"batch": int, "node": int, "additive": bool, "t_full": int, "t_rec": int,
                                          "curve": int, "decimals": int, "event": int, "series": int}

    @classmethod
    def concat(cls, rows: list[dict]) -> LossRows:
        """Build from a list of dicts of equal-length arrays (``series`` defaults to -1: curve rows)."""
        names = [n for n in cls.__dataclass_fields__ if not n.startswith("_")]
        if not rows:
            return cls(**{n: np.zeros(0, dtype=cls._DTYPES.get(n, float)) for n in names})
        full = [{"series": np.full(len(np.atleast_1d(r["node"])), -1), **r} for r in rows]
        return cls(**{n: np.concatenate([np.atleast_1d(np.asarray(r[n], dtype=cls._DTYPES.get(n, float)))
                                         for r in full]) for n in names})


@dataclass(frozen=True)
class RebuildSpec:
    r"""Capital destroyed and rebuilt through demand addressed to rebuilding sectors (ARIO_SPEC §6.3).

    ``stock`` (n_sup, k) is the initial rebuilding demand R, supplier nodes x damaged industries
    ``targets``; ``damage`` the destroyed capital L, ``unit`` the capital K of the targets.
    Rebuilding starts on day ``start + duration``; R shrinks by :math:`(R/\tau_R)\varphi` a day,
    rounded to ``decimals`` (-1: none).
    """

    batch: int
    targets: np.ndarray
    damage: np.ndarray
    stock: np.ndarray
    start: int
    duration: int
    tau: float
    unit: np.ndarray
    decimals: int


@dataclass(frozen=True)
class LinkChange:
    """A share ``closed`` of the links from supply nodes ``rows`` to buyers ``cols`` of member ``batch`` is shut.

    ``kind`` is ``link_cut`` or ``import_cut`` (an import cut into named regions: while it is
    active, foreign origins of its products serve only up to their headroom).
    """

    batch: int
    kind: Literal["link_cut", "import_cut"]
    rows: np.ndarray
    cols: np.ndarray
    closed: Steps


@dataclass(frozen=True)
class RouteChange:
    """Routes from supplier ``blocks`` to buyer ``regions`` of member ``batch`` lose throughput and gain lead time.

    ``loss`` is the share of the route's baseline daily flow it cannot carry; goods take
    ``extra_lead`` more days while the loss is in force.
    """

    batch: int
    blocks: np.ndarray
    regions: np.ndarray
    loss: Steps
    extra_lead: int


@dataclass(frozen=True)
class DemandChange:
    r"""Final demand of member ``batch`` moves by ``amount`` times ``factor``: :math:`y_t = \bar y + a\,f(t)`.

    ``amount`` (n_sup,) is daily final demand at stake (e.g. the households' demand for a
    sector in a region); ``factor`` its relative change by day (-0.3 for a 30 % cut).
    """

    batch: int
    amount: np.ndarray
    factor: Steps


@dataclass(frozen=True)
class Substitution:
    r"""Domestic substitution of imported inputs: buyers ``buyers`` of products ``products`` (member ``batch``).

    Each day, a share :math:`\sigma_t` (``sigma``) of the imported need the foreign suppliers are
    not expected to deliver is ordered from the domestic producers of the product (docs/model.md
    §5.5).
    """

    batch: int
    products: np.ndarray
    buyers: np.ndarray
    sigma: Steps


@dataclass(frozen=True, order=True)
class LogEntry:
    """One entry of the event log: ``(day, batch, kind, target, detail)``."""

    day: int
    batch: int
    kind: str
    target: str
    detail: str = ""


@dataclass
class Plan:
    """Everything the engine enacts for the disruptions of a batch (filled by the disruption types).

    Attributes
    ----------
    loss_rows : list of dict
        Column arrays of :class:`LossRows`, one dict per disruption episode.
    series : list of ndarray
        Daily tables of tabulated loss rows.
    rebuilds, links, routes, demand, substitutions, log
        The items above.
    event_names : list of (batch, name)
        The capacity-loss events (their number is :attr:`LossRows.event`), for the log.
    samples : list of dict
        Every episode's sampled values (recorded in results).
    combined : dict
        State of types whose items combine with each other rather than add, keyed by (type
        name, batch member): what the items compiled so far leave (a lockdown's capacity kept
        by day and industry, a demand shock's multipliers), so that the next item adds its own
        effect on top of it.
    """

    loss_rows: list[dict] = field(default_factory=list)
    series: list[np.ndarray] = field(default_factory=list)
    rebuilds: list[RebuildSpec] = field(default_factory=list)
    links: list[LinkChange] = field(default_factory=list)
    routes: list[RouteChange] = field(default_factory=list)
    demand: list[DemandChange] = field(default_factory=list)
    substitutions: list[Substitution] = field(default_factory=list)
    log: list[LogEntry] = field(default_factory=list)
    event_names: list[tuple[int, str]] = field(default_factory=list)
    samples: list[dict] = field(default_factory=list)
    combined: dict[tuple[str, int], Any] = field(default_factory=dict)

    def new_event(self, batch: int, name: str) -> int:
        """Number a capacity-loss event (for its rows and the log)."""
        self.event_names.append((batch, name))
        return len(self.event_names) - 1

    def rows(self) -> LossRows:
        """All loss rows as column arrays."""
        return LossRows.concat(self.loss_rows)

    def max_extra_lead(self) -> int:
        """Longest extra lead time of any route change (0 if none)."""
        return max((r.extra_lead for r in self.routes), default=0)
