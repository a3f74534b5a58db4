"""The scenario file schema (stage 1: types and ranges), as frozen pydantic models.

A scenario names a table (a bundled ``dataset`` or a user's ``table`` path), a horizon, a
seed, a number of replications, the disruptions (schema in
:mod:`chainsim.disruptions`), the pathways to compare and the metrics to report;
optionally a ``calendar`` (day 0's date, :mod:`chainsim.scenario.calendar`) and the ``trend``
growth per scope that turns value added into year-on-year rates (``monthly.csv``).
Stage 2 (names and times checked against the table) lives in :mod:`chainsim.scenario.load`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from chainsim.scenario.calendar import Calendar

__all__ = ["AttributionSettings", "MetricsSettings", "PathwaySettings", "Scenario", "Trend"]

# numbers must be finite (NaN and inf fail every range check silently)
_FROZEN = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


def _no_booleans(value: Any) -> Any:
    """``replications: true`` is not 1: a boolean is refused where a number is expected (also as a dict's value)."""
    found = [value] if not isinstance(value, dict) else list(value.values())
    found += [v for d in found if isinstance(d, dict) for v in d.values()]
    if any(isinstance(v, bool) for v in found):
        raise ValueError(f"expected a number, not a boolean ({value!r})")
    return value


class AttributionSettings(BaseModel):
    """How each pathway's effect is split over its levers (``attribution.csv``).

    ``method``: ``shapley`` (every subset of a pathway's acting levers: the one-at-a-time
    effects and an exact Shapley split), ``one_at_a_time`` (each lever alone), or ``off``.
    ``replications``: the first N replications of the scenario are used (default 4; attribution
    multiplies runs: 2^k − 2 extra lever subsets for a pathway with k acting levers).
    """

    model_config = _FROZEN
    method: Literal["shapley", "one_at_a_time", "off"] = "shapley"
    replications: int = Field(4, ge=1)


class PathwaySettings(BaseModel):
    """Which policy pathways to compare, at which intensity, with which lever overrides and costs.

    ``compare`` lists pathway names (see :mod:`chainsim.pathways`); ``a+b`` combines pathways.
    ``intensity`` is the common intensity θ ∈ [0, 1]; ``intensities`` overrides it per pathway.
    ``levers`` overrides a lever's value at full intensity (``{pathway: {lever: value}}``).
    ``costs`` gives the cost of each pathway per unit intensity, in billion CNY (亿元 x 10), and
    ``cost_basis`` where each cost comes from (reported next to it).
    """

    model_config = _FROZEN
    compare: list[str] = Field(default_factory=lambda: ["baseline"], min_length=1)
    intensity: float = Field(0.5, ge=0.0, le=1.0)
    intensities: dict[str, float] = Field(default_factory=dict)
    levers: dict[str, dict[str, float]] = Field(default_factory=dict)
    costs: dict[str, float] = Field(default_factory=dict)
    cost_basis: dict[str, str] = Field(default_factory=dict)
    attribution: AttributionSettings = Field(default_factory=AttributionSettings)

    @field_validator("intensity", "intensities", "levers", "costs", mode="before")
    @classmethod
    def _numbers(cls, value: Any) -> Any:
        return _no_booleans(value)

    @model_validator(mode="after")
    def _ranges(self) -> PathwaySettings:
        for name, value in self.intensities.items():
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"intensities.{name}: expected a value in [0, 1]; found {value}")
        for name, value in self.costs.items():
            if value < 0:
                raise ValueError(f"costs.{name}: expected a non-negative cost; found {value}")
        return self


class MetricsSettings(BaseModel):
    """Scopes to report (``northeast``, region codes, ``REGION|SECTOR``, sector codes), ε and the band.

    ``recovery_band``: ``below`` (default: only shortfalls count, so catch-up production
    above baseline, e.g. while stocks are rebuilt, counts as recovered) or ``two_sided``
    (output back *within* ε of baseline on both sides). ``band_sensitivity``: the ε at which
    the time to recover is also reported. ``min_loss_days``: a shock whose baseline loss is
    smaller (in days of the scope's output) has no measurable effect and the pathways are not
    ranked; the default, 0.0304 days, is 0.1 % of a month's output — the resolution of NBS
    monthly growth rates, published to one decimal of a percent.
    """

    model_config = _FROZEN
    scope: list[str] = Field(default_factory=lambda: ["northeast"], min_length=1)
    recovery_tolerance: float = Field(0.01, gt=0.0, lt=1.0)
    recovery_band: Literal["two_sided", "below"] = "below"
    hold_days: int | None = Field(None, ge=1)
    band_sensitivity: list[float] = Field(default_factory=lambda: [0.005, 0.01, 0.02])
    min_loss_days: float = Field(0.0304, ge=0.0)

    @model_validator(mode="after")
    def _bands(self) -> MetricsSettings:
        for eps in self.band_sensitivity:
            if not 0.0 < eps < 1.0:
                raise ValueError(f"band_sensitivity: expected values in (0, 1); found {eps}")
        return self

    @field_validator("recovery_tolerance", "hold_days", "band_sensitivity", "min_loss_days", mode="before")
    @classmethod
    def _numbers(cls, value: Any) -> Any:
        return _no_booleans(value)


class Trend(BaseModel):
    """Counterfactual growth of value added (% a year) of a scope, with its source and range."""

    model_config = _FROZEN
    value: float = Field(ge=-50.0, le=50.0)
    source: str = ""
    low: float | None = None
    high: float | None = None

    @field_validator("value", "low", "high", mode="before")
    @classmethod
    def _numbers(cls, value: Any) -> Any:
        return _no_booleans(value)


class Scenario(BaseModel):
    """A validated scenario file.

    Examples
    --------
    >>> Scenario(name="x", horizon_days=30).pathways.compare
    ['baseline']
    """

    model_config = _FROZEN
    name: str = Field(min_length=1)
    description: str = ""
    dataset: str | None = None
    table: str | None = Field(None, description="path to a user's table (folder or NBS CSV), relative to the file")
    horizon_days: int = Field(gt=0, le=3650)
    seed: int = Field(0, ge=0)
    replications: int = Field(1, ge=1, le=10_000)
    disruptions: list[dict[str, Any]] = Field(default_factory=list)
    pathways: PathwaySettings = Field(default_factory=PathwaySettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    params: dict[str, Any] = Field(default_factory=dict)
    calendar: Calendar | None = Field(None, description="day 0's date: shocks and outputs in dates, monthly.csv")
    trend: dict[str, float | Trend] = Field(
        default_factory=dict, description="% a year per scope (or 'scope|sector'): monthly.csv's year-on-year growth")
    levers: Literal["drawn", "fixed"] = Field(
        "drawn", description="lever full values drawn from their evidence ranges per replication, or fixed "
                             "at their central values")

    @field_validator("horizon_days", "seed", "replications", "trend", mode="before")
    @classmethod
    def _numbers(cls, value: Any) -> Any:
        return _no_booleans(value)

    @model_validator(mode="after")
    def _one_table(self) -> Scenario:
        if self.dataset is not None and self.table is not None:
            raise ValueError("give either 'dataset' or 'table', not both")
        return self

    @property
    def table_source(self) -> str:
        """The dataset name or table path (``northeast-2017`` when neither is given)."""
        return self.table or self.dataset or "northeast-2017"
