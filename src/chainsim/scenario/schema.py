"""The scenario file schema (stage 1: types and ranges), as frozen pydantic models.

A scenario names a table (a bundled ``dataset`` or a user's ``table`` path), a horizon, a
seed, a number of replications, the disruptions (schema in
:mod:`chainsim.disruptions`), the pathways to compare and the metrics to report.
Stage 2 (names and times checked against the table) lives in :mod:`chainsim.scenario.load`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["MetricsSettings", "PathwaySettings", "Scenario"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class PathwaySettings(BaseModel):
    """Which policy pathways to compare, at which intensity, with which lever overrides and costs.

    ``compare`` lists pathway names (see :mod:`chainsim.pathways`); ``a+b`` combines pathways.
    ``intensity`` is the common intensity θ ∈ [0, 1]; ``intensities`` overrides it per pathway.
    ``levers`` overrides a lever's value at full intensity (``{pathway: {lever: value}}``).
    ``costs`` gives the cost of each pathway per unit intensity, in billion CNY (亿元 x 10).
    """

    model_config = _FROZEN
    compare: list[str] = Field(default_factory=lambda: ["baseline"], min_length=1)
    intensity: float = Field(0.5, ge=0.0, le=1.0)
    intensities: dict[str, float] = Field(default_factory=dict)
    levers: dict[str, dict[str, float]] = Field(default_factory=dict)
    costs: dict[str, float] = Field(default_factory=dict)

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

    ``recovery_band``: ``two_sided`` (default, DESIGN §5: output back *within* ε of
    baseline) or ``below`` (only shortfalls count: lasting catch-up production above
    baseline, e.g. while stocks are rebuilt, counts as recovered).
    """

    model_config = _FROZEN
    scope: list[str] = Field(default_factory=lambda: ["northeast"], min_length=1)
    recovery_tolerance: float = Field(0.01, gt=0.0, lt=1.0)
    recovery_band: Literal["two_sided", "below"] = "two_sided"
    hold_days: int | None = Field(None, ge=1)


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

    @model_validator(mode="after")
    def _one_table(self) -> Scenario:
        if self.dataset is not None and self.table is not None:
            raise ValueError("give either 'dataset' or 'table', not both")
        return self

    @property
    def table_source(self) -> str:
        """The dataset name or table path (``northeast-2017`` when neither is given)."""
        return self.table or self.dataset or "northeast-2017"
