"""The part of a region a shock covers, and how lockdowns of overlapping and disjoint areas combine.

A shock may cover a named sub-region (Changchun within Jilin, Shanghai or Hubei within the
rest of China: ``subregion_shares.csv``), a stated share, or the rest of the region
(``complement``). :class:`AreaLosses` keeps the capacity left in each part of a region so
that lockdowns of the same firms multiply capacities and lockdowns of disjoint areas add.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from chainsim.data.classification import expand_region_groups
from chainsim.data.iotable import IOTable
from chainsim.errors import ScenarioError
from chainsim.shocks.tables import sector_values, subregion_share

__all__ = ["AreaLosses", "AreaShare", "area_key", "area_weights", "field_path", "names_of", "region_indices",
           "triangular_quantile"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")
Names = str | list[str]
PerSector = float | dict[str, float]


def field_path(loc: tuple[Any, ...], field: str) -> str:
    """``disruptions[2].area`` from a location tuple and a field name."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in (*loc, field)).lstrip(".")


class AreaShare(BaseModel):
    """The part of a region that a shock covers: a named sub-region of the shipped table, or shares.

    ``subregion`` names a row set of ``subregion_shares.csv`` (``changchun``, ``shanghai``,
    ``hubei``) and ``bound`` picks its central value or its low / high end, or (``drawn``) a value
    of the triangular distribution (low, central, high) at the ``quantile`` a run draws for
    the sub-region (every sector at the same quantile; the central value without a draw). ``share`` gives the
    share directly (one number, or ``{sector: share}`` with the others 0) and then needs a
    ``source``. ``complement: true`` covers the rest of the region (``1 - share``), e.g. Jilin
    outside Changchun.
    """

    model_config = _FROZEN
    subregion: str | None = None
    bound: Literal["share", "low", "high", "drawn"] = "share"
    quantile: float | None = Field(None, ge=0.0, le=1.0, description="bound 'drawn': the run's draw in [0, 1]")
    share: PerSector | None = None
    complement: bool = Field(False, description="the rest of the region instead: 1 - share")
    source: str = ""

    @model_validator(mode="after")
    def _one(self) -> AreaShare:
        if (self.subregion is None) == (self.share is None):
            raise ValueError("give either 'subregion' (a name in subregion_shares.csv) or 'share', not both")
        if self.share is not None:
            values = self.share.values() if isinstance(self.share, dict) else [self.share]
            if any(not 0.0 <= float(v) <= 1.0 for v in values):
                raise ValueError(f"share: expected values in [0, 1]; found {self.share}")
            if not self.source.strip():
                raise ValueError("share: give its 'source' (where the sub-regional share comes from)")
        return self

    def weights(self, region: str, table: IOTable) -> np.ndarray:
        """Share of each of the region's sectors covered, shape (S,)."""
        if self.subregion is not None and self.bound == "drawn":
            mode = subregion_share(self.subregion, region, table, bound="share")
            if self.quantile is None:
                w = mode
            else:
                low, high = (subregion_share(self.subregion, region, table, bound=b) for b in ("low", "high"))
                w = triangular_quantile(self.quantile, low, mode, high)
        elif self.subregion is not None:
            w = subregion_share(self.subregion, region, table, bound=self.bound)
        else:
            w = sector_values(self.share, "area.share", table.sector_codes)
        return 1.0 - w if self.complement else w


def triangular_quantile(q: float, low: np.ndarray, mode: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The ``q`` quantile of triangular distributions (low, mode, high), elementwise (a point where low = high).

    Examples
    --------
    >>> triangular_quantile(0.5, np.array([0.0, 1.0]), np.array([0.5, 1.0]), np.array([1.0, 1.0])).tolist()
    [0.5, 1.0]
    >>> float(triangular_quantile(0.125, np.array([0.0]), np.array([1.0]), np.array([1.0]))[0])  # F(x) = x^2
    0.3535533905932738
    """
    low, mode, high = (np.asarray(a, dtype=float) for a in (low, mode, high))
    width = high - low
    safe = np.where(width > 0, width, 1.0)
    split = np.where(width > 0, (mode - low) / safe, 0.0)
    left = low + np.sqrt(q * safe * (mode - low))
    right = high - np.sqrt((1.0 - q) * safe * (high - mode))
    return np.where(width > 0, np.where(q < split, left, right), mode)


def area_key(shock: Any) -> tuple[Any, ...] | None:
    """What identifies the area a lockdown covers (``None``: its whole regions), whatever ``complement`` says."""
    if shock.area is None:
        return None
    regions = tuple(names_of(shock.region))
    a = shock.area
    if a.subregion is not None:
        return ("subregion", a.subregion, a.bound, a.quantile, regions)
    share = tuple(sorted(a.share.items())) if isinstance(a.share, dict) else a.share
    return ("share", share, regions)


def names_of(v: Names) -> list[str]:
    """A name or a list of names as a list."""
    return [v] if isinstance(v, str) else [str(x) for x in v]


def region_indices(region: Names, table: IOTable, *, loc: tuple[Any, ...] = ()) -> list[int]:
    """Indices of a shock's regions: codes, ``all`` (every region) or groups (``northeast``).

    Raises
    ------
    ScenarioError
        An unknown region, with the field path and the near name.
    """
    names = names_of(region)
    if names == ["all"]:
        return list(range(table.n_regions))
    out = []
    for name in expand_region_groups(names):
        try:
            out.append(table.region_index(str(name)))
        except Exception as exc:  # DataError with the near name
            raise ScenarioError(f"{field_path(loc, 'region')}: {exc}") from None
    return out


def area_weights(shock: Any, table: IOTable, *, loc: tuple[Any, ...] = ()) -> np.ndarray:
    """Share of each industry inside the lockdown's named area (not its complement), shape (N,).

    1 on the shock's regions without an ``area``; 0 outside its regions.
    """
    S = table.n_sectors
    out = np.zeros(table.n_industries)
    for r in region_indices(shock.region, table, loc=loc):
        if shock.area is None:
            out[r * S:(r + 1) * S] = 1.0
            continue
        try:
            out[r * S:(r + 1) * S] = shock.area.model_copy(update={"complement": False}).weights(
                table.region_codes[r], table)
        except ScenarioError as exc:
            raise ScenarioError(f"{field_path(loc, 'area')}: {exc}") from None
    return out


class AreaLosses:
    r"""Capacity kept in each part of a region that lockdowns cover, and the loss they make together.

    A region-sector is split into parts: the named areas the lockdowns use (a sub-region such
    as Changchun, with the share :math:`w_a` of the sector inside it) and the rest,
    :math:`1 - \sum_a w_a`. A lockdown of the whole region multiplies the capacity kept in
    every part by :math:`1 - \lambda` (its loss inside its area), a lockdown of area ``a``
    only part ``a``'s, the complement of ``a`` every part but ``a``. The loss of the
    region-sector is :math:`\sum_p w_p (1 - k_p)`: shocks on the same firms multiply
    capacities (a plant stop inside a city lockdown), shocks on disjoint areas add (Changchun
    and the rest of Jilin), whatever their order.

    Raises
    ------
    ScenarioError
        Named areas whose shares add to more than the whole region (they overlap).
    """

    def __init__(self, days: int, n: int) -> None:
        self.weights: dict[Any, np.ndarray] = {"rest": np.ones(n)}
        self.kept: dict[Any, np.ndarray] = {"rest": np.ones((days, n))}

    def total(self) -> np.ndarray:
        """Loss of each industry on each day, (days, N)."""
        return sum((w[None, :] * (1.0 - self.kept[k]) for k, w in self.weights.items()),
                   np.zeros_like(self.kept["rest"]))

    def _part(self, key: Any, w: np.ndarray, loc: tuple[Any, ...]) -> None:
        if key in self.weights:
            return
        rest = self.weights["rest"] - w
        if (rest < -1e-9).any():
            raise ScenarioError(f"{field_path(loc, 'area')}: the named areas of the lockdowns add up to more than "
                                f"their region ({1 - rest.min():.3g} of a sector): they overlap; write one as an extra "
                                "absence on top of the other")
        self.weights["rest"] = np.clip(rest, 0.0, None)
        self.weights[key] = w
        self.kept[key] = self.kept["rest"].copy()  # the part has had what the whole-region shocks did

    def add(self, shock: Any, table: IOTable, local: np.ndarray, *, loc: tuple[Any, ...] = ()) -> np.ndarray:
        """Apply a lockdown whose loss inside its area is ``local`` (days, N); return the loss it adds, (days, N)."""
        before = self.total()
        key = area_key(shock)
        parts = list(self.weights)
        if key is not None:
            self._part(key, area_weights(shock, table, loc=loc), loc)
            parts = [key] if not shock.area.complement else [p for p in self.weights if p != key]
        for p in parts:
            self.kept[p] = self.kept[p] * (1.0 - local)
        return self.total() - before
