"""Uncertain numbers of a disruption: a fixed value or a distribution, drawn from an explicit generator.

``start``, ``duration``, ``share``, recovery ``days`` (and a congestion's throughput loss and
extra lead days) accept a number or ``{distribution: ..., ...}``. Every draw comes from the
batch member's ``numpy.random.Generator`` in a fixed order, so a seed reproduces a scenario::

    {"distribution": "lognormal", "median": 90, "sigma": 0.3}
    {"distribution": "uniform", "low": 10, "high": 30}
    {"distribution": "triangular", "low": 10, "mode": 21, "high": 35}
    {"distribution": "normal", "mean": 0.5, "sd": 0.1}       # truncated at 0
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Distribution", "Lognormal", "Normal", "Triangular", "Uniform", "Value", "lowest", "sample_value"]

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
    """Draw one value (a fixed number is returned as is and consumes no randomness).

    Examples
    --------
    >>> sample_value(3.0, np.random.default_rng(0))
    3.0
    >>> 10 <= sample_value(Uniform(distribution="uniform", low=10, high=30), np.random.default_rng(0)) <= 30
    True
    """
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


def lowest(v: Value) -> float | None:
    """The smallest value ``v`` can take, if known (a fixed number, or the low end of a bounded distribution)."""
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, Uniform | Triangular):
        return float(v.low)
    return None
