"""The disruption type: schema, compilation into the plan, direct shock, levers and scan targets.

A disruption type is a frozen pydantic model (its fields are the keys of a scenario file; the
``type`` field is its name) with the behaviour the rest of chainsim asks of it:

* :meth:`Disruption.compile` — enact one sampled episode as items of the engine's
  :class:`~chainsim.disruptions.plan.Plan`;
* :meth:`Disruption.direct_shock` — the value it removes before any propagation (metrics);
* :attr:`Disruption.param_levers` and :meth:`Disruption.rewrite` — which pathway levers act on it,
  and :meth:`Disruption.scarce_products` — which products it makes scarce (the levers' evidence class);
* :meth:`Disruption.scan_targets` — what a chokepoint scan disrupts with it (if anything).

Types register with :func:`chainsim.disruptions.registry.register`; the registry refuses a type
that does not define :meth:`~Disruption.compile` and :meth:`~Disruption.direct_shock`.

The engine's model is seen through :class:`ModelView` (the attributes compiling reads), so this
package does not import the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal, Protocol

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from chainsim.data.classification import expand_region_groups
from chainsim.disruptions.curves import CURVES, curve_code, evaluate
from chainsim.disruptions.plan import LogEntry, Plan, Steps
from chainsim.disruptions.sampling import Value, sample_value
from chainsim.errors import ChainsimError, ScenarioError, did_you_mean
from chainsim.scenario.profiles import Profile, profile_stop, profile_values

__all__ = [
    "Disruption",
    "Episode",
    "ModelView",
    "Names",
    "NumericField",
    "Profile",
    "Recovery",
    "Recurrence",
    "ScanTarget",
    "closure",
    "industries",
    "markov_episodes",
    "names",
    "resolve",
    "source_block",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")



def _codes_as_text(v: Any) -> Any:
    """Numbers as YAML reads unquoted codes (``20``; ``03`` is octal 3 in YAML 1.1) become text; the rest as is."""
    def text(x: Any) -> Any:
        return str(x) if isinstance(x, int) and not isinstance(x, bool) else x

    return [text(x) for x in v] if isinstance(v, list | tuple) else text(v)


#: A name or a list of names (regions, sectors, origins); unquoted numbers are read as codes.
Names = Annotated[str | list[str], BeforeValidator(_codes_as_text)]


class ModelView(Protocol):
    """What compiling a disruption reads of the engine's model (``chainsim.engine.EconomyModel``)."""

    table: Any
    params: Any
    quirks: Any
    n: int
    n_sup: int
    n_sectors: int
    n_foreign: int
    xbar: np.ndarray
    capital: np.ndarray
    origin_block: np.ndarray
    import_row: np.ndarray
    AC: np.ndarray


class Recovery(BaseModel):
    """How a loss recovers: a curve of :data:`~chainsim.disruptions.curves.CURVES` over ``days`` (τ), or rebuilding."""

    model_config = _FROZEN
    curve: str = "linear"
    days: Value = 180.0
    sectors: dict[str, float] | None = Field(None, description="rebuild only: sector -> share (sum 1)")

    @model_validator(mode="after")
    def _check(self) -> Recovery:
        if self.curve not in CURVES and self.curve != "rebuild":
            raise ValueError(f"unknown curve {self.curve!r}; expected one of {[*CURVES, 'rebuild']}"
                             f"{did_you_mean(self.curve, [*CURVES, 'rebuild'])}")
        if self.curve == "rebuild":
            if not self.sectors:
                raise ValueError("curve 'rebuild' needs 'sectors' (rebuilding sector -> share)")
            if abs(sum(self.sectors.values()) - 1.0) > 1e-9:
                raise ValueError(f"rebuilding sector shares must sum to 1; found {sum(self.sectors.values())}")
        return self


class Recurrence(BaseModel):
    """A Markov on/off outage process (stockpyl convention; REFERENCE R12).

    From ``start`` on, an up day is followed by a disrupted one with probability ``p_disrupt``
    and a disrupted day by an up one with probability ``p_recover``: the disrupted share of days
    tends to ``p_disrupt / (p_disrupt + p_recover)``, outages last ``1 / p_recover`` days on
    average. Each outage enacts the disruption with that duration.
    """

    model_config = _FROZEN
    p_disrupt: float = Field(gt=0, le=1)
    p_recover: float = Field(gt=0, le=1)


def markov_episodes(rec: Recurrence, start: int, days: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """Outages ``(first day, length)`` of the on/off chain on days ``start .. days-1`` (up on ``start - 1``)."""
    u = rng.random(max(days - start, 0))
    out, down, first = [], False, 0
    for k, r in enumerate(u):
        t = start + k
        if not down and r < rec.p_disrupt:
            down, first = True, t
        elif down and r < rec.p_recover:
            down = False
            out.append((first, t - first))
    if down:
        out.append((first, days - first))
    return out


@dataclass(frozen=True)
class NumericField:
    """A number (or distribution) of a disruption type, checked before the schema parses it.

    ``path`` is the field's path in the scenario keys (``("recovery", "days")``); ``unit`` says
    its range: ``start`` a day in ``[0, horizon_days)``, ``days`` a number of days in ``[0,
    MAX_DAYS]``, ``share`` a value in ``[low, high]`` (:mod:`chainsim.scenario.values` checks
    them, parameter by parameter for a distribution).
    """

    path: tuple[str, ...]
    unit: Literal["start", "days", "share"]
    low: float = 0.0
    high: float = 1.0


@dataclass(frozen=True)
class ScanTarget:
    """One disruption a chokepoint scan runs (see :mod:`chainsim.scan.targets`).

    ``kind`` is the scan kind of the type (``imports``, ``links``, ``nodes``), ``target`` an
    identifier (``JPN->all|20``, ``LN->JL|20``, ``LN|20``), ``flow`` the annual flow it carries
    in table units, ``disruption`` the disruption as scenario-file keys.
    """

    kind: str
    target: str
    product: str
    origin: str = ""
    from_region: str = ""
    to_region: str = ""
    region: str = ""
    name_zh: str = ""
    name_en: str = ""
    flow: float = 0.0
    disruption: dict[str, Any] = field(default_factory=dict)


@dataclass
class Episode:
    """One sampled episode of a disruption of batch member ``batch``, with what compiling it needs.

    ``values`` holds the sampled ``start``, ``duration``, ``share`` (types with a share) and, with
    a recovery, ``tau`` and ``curve``; a type may draw more from ``rng`` (in a fixed order) and
    record them in ``values``, which is the episode's entry of ``plan.samples``.
    """

    model: ModelView
    params: Any
    plan: Plan
    batch: int
    name: str
    path: str
    days: int
    rng: np.random.Generator
    values: dict[str, Any]

    @property
    def start(self) -> int:
        """First day."""
        return int(self.values["start"])

    @property
    def end(self) -> int:
        """First day after the full-strength period (``start + duration``)."""
        return int(self.values["start"] + self.values["duration"])

    def draw_shared(self, name: str, value: Any) -> float:
        """Draw ``value`` (a number or a distribution) once per batch member for every item that gives it alike.

        A parameter shared by several items (a lockdown's ``leontief_weight`` written once with a
        YAML anchor) is one number in a replication: the first item to draw it draws from
        ``rng``, the items after it with the same distribution take that draw.
        """
        if isinstance(value, int | float):
            return float(value)
        key = ("shared", self.batch, name, value.model_dump_json() if isinstance(value, BaseModel) else repr(value))
        if key not in self.plan.combined:
            self.plan.combined[key] = sample_value(value, self.rng)
        return float(self.plan.combined[key])

    def follow(self, profile: Profile) -> np.ndarray:
        """The profile's values, one a day from the start (its origin), within the horizon.

        The episode's duration becomes the days the profile is in force (until it ends at 0:
        :func:`~chainsim.scenario.profiles.profile_stop`).
        """
        daily = profile_values(profile, profile_stop(profile, self.days - self.start))
        self.values["duration"] = len(daily)
        return daily

    def steps(self, daily: np.ndarray, profile: Profile) -> Steps:
        """``share`` x ``daily`` as steps from the start, ending after the table if the profile ends at 0."""
        after = 0.0 if profile.ends_at_zero() else self.values["share"] * float(daily[-1] if len(daily) else 0)
        return Steps.daily(self.start, self.values["share"] * daily, after=after)

    def tabulated_rows(self, nodes: np.ndarray, daily: np.ndarray, amount: np.ndarray, unit: np.ndarray,
                       additive: bool) -> None:
        """Loss rows on ``nodes`` of ``amount`` x ``daily`` (a daily table from the start), as a new event.

        ``daily`` is one table for every node, (T,), or one per node, (T, len(nodes)) (e.g. a
        lockdown's capacity loss of each industry by day).
        """
        daily = np.asarray(daily, dtype=float)
        n, k = len(nodes), len(self.plan.series)
        if daily.ndim == 2:
            self.plan.series.extend(daily.T)
            series = k + np.arange(n)
        else:
            self.plan.series.append(daily)
            series = np.full(n, k)
        ev = self.plan.new_event(self.batch, self.name)
        self.plan.loss_rows.append(dict(
            batch=np.full(n, self.batch), node=nodes, amount=amount, unit=unit, additive=np.full(n, additive),
            t_full=np.full(n, self.start), t_rec=np.full(n, self.start + len(daily)), e0=np.zeros(n),
            tau=np.ones(n), curve=np.zeros(n, dtype=int), decimals=np.full(n, -1), event=np.full(n, ev),
            series=series))

    def log(self, day: int, kind: str, target: str, detail: str) -> None:
        """Add a log entry on ``day`` if it falls within the horizon."""
        if day < self.days:
            self.plan.log.append(LogEntry(int(day), self.batch, kind, target, detail))


def closure(ep: Episode, kind: str, target: str, share: float, curve: str | None = None,
            tau: float = 1.0) -> Steps:
    """A share of something closed from the episode's start to its end, then reopened or faded out.

    Without a ``curve`` the share is back to 0 on day ``start + duration``. With one, the share
    closed on day ``start + duration + e - 1`` is ``share x g(e)`` (e = 1, 2, ...) until the curve
    falls below 1e-6, when it is 0. Logs ``<kind>_start``, ``<kind>_end`` and, after a fade,
    ``<kind>_recovered`` (within the horizon).
    """
    start, end = ep.start, ep.end
    ep.log(start, f"{kind}_start", target, f"{ep.name}: share {share:.4g}")
    change = {start: share}
    if curve is None:
        change[end] = 0.0
        ep.log(end, f"{kind}_end", target, f"{ep.name}: restored")
        return Steps.changes(change)
    ep.log(end, f"{kind}_end", target, f"{ep.name}: recovery begins")
    e = np.arange(1.0, max(ep.days - end, 0) + 2.0)
    g = np.empty_like(e)
    evaluate(np.full(len(e), curve_code(curve)), e, np.full(len(e), float(tau)), g)
    below = ~(g >= 1e-6)
    m = int(np.argmax(below)) + 1 if below.any() else len(e) + 1  # first e with g below 1e-6
    for k in range(1, m):
        change[end + k - 1] = share * min(float(g[k - 1]), 1.0)
    change[end + m - 1] = 0.0
    ep.log(end + m - 1, f"{kind}_recovered", target, f"{ep.name}: restored")
    return Steps.changes(change)


def names(v: Any) -> list[str]:
    """A name or a list of names as a list of strings (numbers, as YAML reads unquoted codes, too)."""
    return [str(v)] if isinstance(v, str | int) else [str(x) for x in v]


def resolve(kind: str, values: Sequence[str], table: Any, path: str) -> np.ndarray:
    """Indices of region, sector or origin names (``all`` for every one; region groups expanded).

    Raises
    ------
    ScenarioError
        An unknown name, with ``path`` and a did-you-mean.
    """
    lookup: dict[str, tuple[Callable[[str], int], int]] = {
        "region": (table.region_index, table.n_regions), "sector": (table.sector_index, table.n_sectors),
        "origin": (table.origin_index, len(table.origins))}
    fn, n_all = lookup[kind]
    values = list(values)
    if values == ["all"]:
        return np.arange(n_all)
    if kind == "region":
        values = expand_region_groups(values)
    try:
        return np.array([fn(v) for v in values], dtype=int)
    except ChainsimError as exc:
        raise ScenarioError(f"{path}: {exc}") from None


def industries(table: Any, regions: np.ndarray, sectors: np.ndarray) -> np.ndarray:
    """Flat (region-major) indices of the industries ``regions x sectors``."""
    return (np.asarray(regions)[:, None] * table.n_sectors + np.asarray(sectors)[None, :]).ravel()


def source_block(model: ModelView, name: str, path: str) -> int:
    """Supplier block of a region code or, with foreign supply nodes, of an origin."""
    tab = model.table
    if name in tab.region_codes or not (model.n_foreign and name in tab.origins):
        return int(resolve("region", [name], tab, path)[0])
    return int(model.origin_block[tab.origins.index(name)])


class Disruption(BaseModel):
    """Base of every disruption type: when it happens, and the behaviour the registry requires.

    Subclasses add a ``type: Literal["<name>"]`` field and their own fields, and override
    :meth:`compile` and :meth:`direct_shock` (required) and the optional hooks.
    """

    model_config = _FROZEN
    name: str | None = None
    start: Value = Field(1.0, description="day the disruption starts")
    duration: Value = Field(1.0, description="days at full strength before recovery or restore")
    recurrence: Recurrence | None = Field(None, description="repeat as a Markov on/off outage process")

    #: scan kind this type provides targets for (``None``: not scanned), and the kinds' order
    scan_kind: ClassVar[str | None] = None
    scan_rank: ClassVar[int] = 100
    #: model parameters (pathway levers) that act only through disruptions of this type
    param_levers: ClassVar[frozenset[str]] = frozenset()
    #: fields sampled for every episode besides start and duration (in this order)
    has_share: ClassVar[bool] = True
    #: the range of ``share`` (types with a share)
    share_range: ClassVar[tuple[float, float]] = (0.0, 1.0)
    #: the key naming the products this type makes scarce (``None``: it names none), which choose
    #: the evidence class of the pathway levers (:func:`chainsim.pathways.evidence.disrupted_products`)
    scarce_key: ClassVar[str | None] = None
    #: profile fields whose day numbers count from day 0 of the simulation, not from ``start``
    #: (their dated points become simulation days when the scenario is loaded)
    day0_profiles: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _profile_or_timing(self) -> Disruption:
        """A ``profile`` gives the disruption's course itself: no ``duration`` or ``recovery`` with it.

        A type whose course is a profile dated from day 0 (:attr:`day0_profiles`) takes no
        ``start``, ``duration`` or ``recurrence`` at all.
        """
        if self.day0_profiles:
            given = [k for k in ("start", "duration", "recurrence") if k in self.model_fields_set]
            if given:
                kind, field = getattr(self, "type", "disruption"), self.day0_profiles[0]
                raise ValueError(f"{given}: a {kind} takes its course from its '{field}' profile (dated from day 0 or "
                                 "with the scenario's calendar); give the dates there")
        if getattr(self, "profile", None) is not None:
            both = sorted({"duration", "recovery"} & self.model_fields_set)
            if both:
                raise ValueError(f"{both}: a disruption with a 'profile' takes its course from the profile's points; "
                                 "give one or the other")
        return self

    @classmethod
    def numeric_fields(cls) -> tuple[NumericField, ...]:
        """The numbers (or distributions) of this type and their ranges, for ``chainsim validate``.

        Every type has ``start`` and ``duration``; a type with a share its ``share`` (in
        :attr:`share_range`); a type with a ``recovery`` its ``recovery.days``. A type with
        numbers of its own adds them (``congestion``: ``throughput_loss``, ``extra_lead_days``).
        """
        out = [NumericField(("start",), "start"), NumericField(("duration",), "days")]
        if cls.has_share:
            out.append(NumericField(("share",), "share", *cls.share_range))
        if "recovery" in cls.model_fields:
            out.append(NumericField(("recovery", "days"), "days"))
        return tuple(out)

    def compile(self, ep: Episode) -> None:
        """Add the items that enact one sampled episode to ``ep.plan`` (required)."""
        raise NotImplementedError

    def direct_shock(self, table: Any, sample: Mapping[str, Any]) -> float:
        """Value (table units) the episode with sampled values ``sample`` removes before propagation (required)."""
        raise NotImplementedError

    @classmethod
    def scan_targets(cls, table: Any, *, share: float, duration: float, start: int,
                     import_regions: Sequence[str] | None) -> list[ScanTarget]:
        """The targets of this type's scan kind, in table order (none by default)."""
        return []

    @classmethod
    def rewrite(cls, d: dict[str, Any], transform: str, value: float, sectors: Sequence[str]) -> bool:
        """Apply a disruption lever ``disruptions.<transform>`` to ``d`` (scenario keys) in place; whether it acted.

        The base class knows ``recovery_days_factor``: the recovery time of an explicit
        ``recovery`` (not rebuilding) is multiplied by ``value``.
        """
        if transform != "recovery_days_factor" or not isinstance(d.get("recovery"), Mapping):
            return False
        rec = dict(d["recovery"])
        new = scaled(rec.get("days", 180.0), value)
        if new is None or rec.get("curve") == "rebuild":
            return False
        rec["days"] = new
        d["recovery"] = rec
        return value != 1.0

    @classmethod
    def scarce_products(cls, d: Mapping[str, Any]) -> list[str]:
        """Codes of the products a disruption (scenario keys) makes scarce: its :attr:`scarce_key` (or plural)."""
        if cls.scarce_key is None:
            return []
        v = d.get(cls.scarce_key, d.get(cls.scarce_key + "s"))
        return [] if v is None else names(v)

    @staticmethod
    def touches(d: Mapping[str, Any], sectors: Sequence[str]) -> bool:
        """Whether a disruption (scenario keys) involves any of ``sectors`` (always, if none are given)."""
        if not sectors:
            return True
        keys = [d.get(k) for k in ("product", "products", "sector", "sectors") if d.get(k) is not None]
        return any(s == "all" or s in sectors for v in keys for s in names(v))


_SCALE_KEYS = ("median", "low", "mode", "high", "mean", "sd")


def scaled(v: Any, factor: float) -> Any:
    """A fixed value or a distribution (scenario keys) multiplied by ``factor``; None if neither."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v) * factor
    if isinstance(v, Mapping) and "distribution" in v:
        return {k: (float(x) * factor if k in _SCALE_KEYS else x) for k, x in v.items()}
    return None
