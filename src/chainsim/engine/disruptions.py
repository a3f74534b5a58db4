"""Disruption schema (frozen pydantic models, ``type`` discriminator) and random sampling.

A disruption says what, where, when and how much; the engine enacts it. Numbers that may be
uncertain (``start``, ``duration``, ``share``, recovery ``days``) accept a fixed value or a
distribution, sampled from one ``numpy.random.Generator`` in a fixed order, so a seed
reproduces a scenario exactly::

    {"type": "capacity_loss", "region": "LN", "sector": "14", "share": 0.5, "start": 10,
     "recovery": {"curve": "linear", "days": {"distribution": "lognormal", "median": 90, "sigma": 0.3}}}

Kinds: ``capacity_loss`` (capital or capacity of region-sectors), ``import_cut`` (卡链),
``link_cut`` (断链), ``congestion`` (堵链), ``final_demand``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from chainsim.engine.curves import CURVES
from chainsim.engine.params import format_validation_error
from chainsim.errors import ScenarioError

__all__ = [
    "CapacityLoss", "Congestion", "Disruption", "FinalDemand", "ImportCut", "LinkCut", "Recovery",
    "Recurrence", "markov_episodes", "parse_disruptions", "sample_value",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Lognormal(BaseModel):
    """Lognormal with the given median and log-standard deviation ``sigma``."""

    model_config = _FROZEN
    distribution: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(ge=0)


class Uniform(BaseModel):
    """Uniform on ``[low, high]``."""

    model_config = _FROZEN
    distribution: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self


class Triangular(BaseModel):
    """Triangular on ``[low, high]`` with the given mode."""

    model_config = _FROZEN
    distribution: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"expected low <= mode <= high; found {self.low}, {self.mode}, {self.high}")
        return self


class Normal(BaseModel):
    """Normal truncated at 0 (redrawn until non-negative)."""

    model_config = _FROZEN
    distribution: Literal["normal"]
    mean: float
    sd: float = Field(ge=0)


Distribution = Annotated[Lognormal | Uniform | Triangular | Normal, Field(discriminator="distribution")]
Value = float | Distribution


def sample_value(v: Value, rng: np.random.Generator) -> float:
    """Draw one value (a fixed number is returned as is and consumes no randomness)."""
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, Lognormal):
        return float(v.median * np.exp(v.sigma * rng.standard_normal()))
    if isinstance(v, Uniform):
        return float(rng.uniform(v.low, v.high))
    if isinstance(v, Triangular):
        return float(v.mode if v.low == v.high else rng.triangular(v.low, v.mode, v.high))
    for _ in range(10_000):
        d = float(rng.normal(v.mean, v.sd))
        if d >= 0:
            return d
    return 0.0


Names = str | list[str]


class Recovery(BaseModel):
    """How a capacity loss recovers: a named curve over ``days`` (τ), or rebuilding demand."""

    model_config = _FROZEN
    curve: str = "linear"
    days: Value = 180.0
    sectors: dict[str, float] | None = Field(None, description="rebuild only: sector -> share (sum 1)")

    @model_validator(mode="after")
    def _check(self) -> Recovery:
        if self.curve not in CURVES and self.curve != "rebuild":
            from chainsim.errors import did_you_mean

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

    From ``start`` on, an up day is followed by a disrupted one with probability
    ``p_disrupt`` and a disrupted day by an up one with probability ``p_recover``: the
    disrupted share of days tends to ``p_disrupt / (p_disrupt + p_recover)``, outages last
    ``1 / p_recover`` days on average. Each outage enacts the disruption with that duration.
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


class _Base(BaseModel):
    model_config = _FROZEN
    name: str | None = None
    start: Value = Field(1.0, description="day the disruption starts")
    duration: Value = Field(1.0, description="days at full strength before recovery or restore")
    recurrence: Recurrence | None = Field(None, description="repeat as a Markov on/off outage process")


class CapacityLoss(_Base):
    """Share of a region-sector's capital (``basis="capital"``) or capacity lost, then recovery."""

    type: Literal["capacity_loss"]
    region: Names = Field(validation_alias=AliasChoices("region", "regions"))
    sector: Names = Field(validation_alias=AliasChoices("sector", "sectors"))
    share: Value
    basis: Literal["capital", "capacity"] = "capital"
    recovery: Recovery = Recovery()


class ImportCut(_Base):
    """卡链: imports of products from origins (or all) into regions (or all) drop by ``share``."""

    type: Literal["import_cut"]
    product: Names = Field(validation_alias=AliasChoices("product", "products"))
    origin: Names = Field("all", validation_alias=AliasChoices("origin", "origins"))
    region: Names = Field("all", validation_alias=AliasChoices("region", "regions"))
    share: Value = 1.0
    recovery: Recovery | None = None


class LinkCut(_Base):
    """断链: deliveries of a product from a supplier region(-sector) to a customer region(-sector) stop."""

    type: Literal["link_cut"]
    product: Names = Field(validation_alias=AliasChoices("product", "products"))
    from_region: Names
    to_region: Names
    to_sector: Names = "all"
    share: Value = 1.0


class Congestion(_Base):
    """堵链: a route (region or origin -> region) loses throughput and gains lead time."""

    type: Literal["congestion"]
    from_region: Names
    to_region: Names
    throughput_loss: Value = 0.5
    extra_lead_days: Value = 0.0


class FinalDemand(_Base):
    """Final demand for products in regions changes by ``share`` (e.g. -0.1), optionally for good."""

    type: Literal["final_demand"]
    region: Names = Field("all", validation_alias=AliasChoices("region", "regions"))
    sector: Names = Field("all", validation_alias=AliasChoices("sector", "sectors"))
    share: Value
    permanent: bool = False


Disruption = Annotated[CapacityLoss | ImportCut | LinkCut | Congestion | FinalDemand, Field(discriminator="type")]
_ADAPTER: TypeAdapter[Any] = TypeAdapter(Disruption)


def parse_disruptions(items: Sequence[Mapping[str, Any] | BaseModel] | None) -> list[Any]:
    """Validate a list of disruptions given as dicts (scenario-file keys) or models.

    Raises
    ------
    ScenarioError
        With the path of the bad field, e.g. ``disruptions[0].share: ...``.
    """
    out = []
    for k, item in enumerate(items or ()):
        if isinstance(item, BaseModel):
            out.append(item)
            continue
        try:
            out.append(_ADAPTER.validate_python(dict(item)))
        except ValidationError as exc:
            raise ScenarioError("invalid disruption: " + format_validation_error(exc, f"disruptions[{k}]")) from None
        except TypeError:
            raise ScenarioError(f"disruptions[{k}]: expected a mapping with a 'type' key; found {item!r}") from None
    return out
