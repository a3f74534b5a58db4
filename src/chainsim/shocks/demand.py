r"""Final-demand shocks by category, with time profiles and deferred demand for durables.

The table's final demand ``Y`` has one column per destination region and category
(``household`` 居民消费, ``government`` 政府消费, ``gfcf`` 固定资本形成, ``inventory`` 存货变动,
``unallocated_outflow`` 未匹配调出); ``exports`` abroad are a vector per producing industry. A
shock names one or several categories (``consumption`` and ``investment`` are accepted for
``household`` and ``gfcf``), the destination regions (for ``exports``: the exporting regions),
the products and a profile of the relative change::

    - type: final_demand_by_category
      name: Hubei and national consumption, Feb-Mar 2020
      region: all
      categories: [household]
      change: {points: [[2020-01-24, -0.3], [2020-03-31, -0.05], [2020-05-01, 0.0]]}
      deferral: {share: 0.6, catch_up_days: 45}

Each shock gives a multiplier :math:`m(t) = \max(0, 1 + w\,c(t))` for its cells (``w`` the
covered share of the region, ``area``). Several shocks multiply.

**Sticky household demand** (``docs/dynamics_design.md`` §3.7). Households confined at home do
not cut their use of electricity, heat, gas and water: a household cut :math:`c < 0` applies to
product :math:`p` as :math:`c\,(1 - \eta_p)`, with the stickiness :math:`\eta` of the evidence
table (:func:`chainsim.data.dynamics_evidence.household_stickiness`: 1 for 24–26, range 0.8–1,
after the NEA's release of 2021-04-14 on residential use in March 2020; 0 elsewhere). Rises and
the other categories are not touched. A shock may override η by product or sector group
(``stickiness: {utilities: 0.8}``; ``{all: 0}`` switches it off). Tables without NBS-42 codes
take η = 0.

**Deferred demand.** Purchases of durables and investment goods that a lockdown prevents are
postponed rather than cancelled (Beraja & Wolf 2021 on the pent-up demand of durables and
investment). For the deferrable cells (``deferrable_demand.csv``: household durables 09,
18–21; all of ``gfcf``) a share :math:`\phi` of the shortfall joins a backlog :math:`B` (in
days of baseline demand) that is spent at rate :math:`1/\tau` while shops are open:

.. math::

    s_t = B_t \min(1, m_t / \tau), \qquad B_{t+1} = B_t - s_t + \phi\,\max(0, 1 - m_t), \qquad
    m'_t = m_t + s_t.

Over a long enough horizon the deferred demand is all spent: :math:`\sum_t m'_t = \sum_t m_t
+ \phi \sum_t \max(0, 1 - m_t)`. This is demand catch-up; the supply-side backlog of
unfilled orders is the engine's (issue 16).

References
----------
Beraja, M. & Wolf, C. K. (2021). Demand composition and the strength of recoveries. NBER
Working Paper 29304.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

from chainsim.data.classification import NBS42_CODES
from chainsim.data.iotable import IOTable
from chainsim.errors import ScenarioError, did_you_mean
from chainsim.scenario.calendar import Calendar
from chainsim.scenario.profiles import ProfileLike, evaluate_profile
from chainsim.scenario.sector_groups import sector_mask
from chainsim.shocks.areas import AreaShare, field_path, region_indices
from chainsim.shocks.labour import check_share_profile
from chainsim.shocks.tables import deferrable_cells

__all__ = ["CATEGORIES", "Deferral", "DemandMultipliers", "FinalDemandByCategory", "defer", "demand_multipliers",
           "final_demand_path", "household_stickiness", "shock_multipliers"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")
Names = str | list[str]
#: table categories plus exports, and the names users may write for them
CATEGORIES = ("household", "government", "gfcf", "inventory", "unallocated_outflow", "exports")
_ALIASES = {"consumption": "household", "households": "household", "investment": "gfcf",
            "export": "exports", "inventories": "inventory"}


class Deferral(BaseModel):
    """Postponed demand: the share ``share`` of the shortfall is spent later, over ``catch_up_days``.

    ``products`` ``deferrable`` (default) uses the shipped list of durables and investment
    goods per category; ``all`` defers every product of the shock.
    """

    model_config = _FROZEN
    share: float = Field(ge=0.0, le=1.0)
    catch_up_days: float = Field(gt=0.0)
    products: Literal["deferrable", "all"] = "deferrable"


class FinalDemandByCategory(BaseModel):
    """Final demand of categories in regions for products changes along a profile (−0.3 = 30 % less)."""

    model_config = _FROZEN
    type: Literal["final_demand_by_category"]
    name: str | None = None
    region: Names = Field("all", validation_alias=AliasChoices("region", "regions"))
    sector: Names = Field("all", validation_alias=AliasChoices("sector", "sectors", "products"))
    categories: list[str] = Field(min_length=1, validation_alias=AliasChoices("categories", "category"))
    change: ProfileLike
    area: AreaShare | None = None
    deferral: Deferral | None = None
    stickiness: dict[str, float] | None = Field(
        None, description="η by product or sector group, overriding the evidence table (household cuts only)")
    source: str = ""

    @field_validator("categories", mode="before")
    @classmethod
    def _one_or_list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("stickiness")
    @classmethod
    def _shares(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        bad = {k: x for k, x in (v or {}).items() if not 0.0 <= float(x) <= 1.0}
        if bad:
            k = next(iter(bad))
            raise ValueError(f"'{k}': expected a share in [0, 1]; found {bad[k]:g}")
        return v

    @model_validator(mode="after")
    def _check(self) -> FinalDemandByCategory:
        check_share_profile(self.change, "change", lo=-1.0, hi=10.0)
        for c in self.categories:
            if _ALIASES.get(c, c) not in CATEGORIES:
                names = [*CATEGORIES, *_ALIASES]
                raise ValueError(f"categories: unknown category '{c}'; expected some of {list(CATEGORIES)}"
                                 f"{did_you_mean(c, names)}")
        if self.area is not None and self.area.subregion is not None:
            raise ValueError("area: a demand shock takes 'share' (with its 'source'), not a sub-region of producers")
        return self

    @property
    def canonical_categories(self) -> list[str]:
        """The categories with aliases resolved (``consumption`` -> ``household``)."""
        return list(dict.fromkeys(_ALIASES.get(c, c) for c in self.categories))


@dataclass(frozen=True, eq=False)
class DemandMultipliers:
    """Daily multipliers of final demand.

    Attributes
    ----------
    domestic : ndarray (T, S, C)
        Multiplier of final demand for product ``s`` in column ``c`` of ``table.Y`` (a
        destination region and category), whichever region supplies it.
    exports : ndarray (T, N)
        Multiplier of each industry's exports abroad.
    """

    domestic: np.ndarray
    exports: np.ndarray


def defer(m: np.ndarray, share: float, catch_up_days: float) -> np.ndarray:
    """Add the spending of deferred demand to a multiplier path (time on axis 0).

    Examples
    --------
    Demand stops for two days and half of it is spent later, at a rate of 1/2 of the
    backlog a day: backlog 0.5, 1.0, then 0.5, 0.25, ... is spent.

    >>> defer(np.array([0.0, 0.0, 1.0, 1.0, 1.0]), 0.5, 2.0).tolist()
    [0.0, 0.0, 1.5, 1.25, 1.125]
    """
    m = np.asarray(m, dtype=float)
    out = m.copy()
    backlog = np.zeros(m.shape[1:])
    for t in range(m.shape[0]):
        spend = backlog * np.minimum(1.0, m[t] / catch_up_days)
        backlog = backlog - spend + share * np.maximum(0.0, 1.0 - m[t])
        out[t] = m[t] + spend
    return out


def household_stickiness(shock: FinalDemandByCategory, table: IOTable, loc: tuple[Any, ...] = ()) -> np.ndarray:
    """Stickiness η of household demand for each sector of ``table`` (S,): the evidence, then the shock's overrides.

    The evidence table is keyed by NBS-42 code: a table of NBS-42 codes (all 42 or some) takes
    its rows, a split table's components take their sector's, a table of other codes none.
    Overrides apply in the order written.

    Raises
    ------
    ScenarioError
        An unknown sector or group in ``stickiness``, named with the field path ``loc``.
    """
    from chainsim.data.dynamics_evidence import household_stickiness as evidence
    from chainsim.data.nbs149 import nbs42_parents

    codes = tuple(table.sector_codes)
    parents = codes if set(codes) <= set(NBS42_CODES) else nbs42_parents(table)
    if parents is None:
        eta = np.zeros(table.n_sectors)
    else:
        by_code = dict(zip(NBS42_CODES, evidence("central"), strict=True))
        eta = np.array([by_code[p] for p in parents])
    for key, value in (shock.stickiness or {}).items():
        try:
            eta[sector_mask(key, table.sector_codes)] = float(value)
        except ScenarioError as exc:
            raise ScenarioError(f"{field_path(loc, 'stickiness')}: {exc}") from None
    return eta


def shock_multipliers(shock: FinalDemandByCategory, table: IOTable, days: int, calendar: Calendar | None = None,
                      loc: tuple[Any, ...] = ()) -> DemandMultipliers:
    """One shock's own multipliers (domestic (T, S, C), exports (T, N)), deferral applied.

    Raises
    ------
    ScenarioError
        An unknown sector or region, named with the field path ``loc``.
    """
    S, N = table.n_sectors, table.n_industries
    C = len(table.fd_columns)
    try:
        products = sector_mask(shock.sector, table.sector_codes)
    except ScenarioError as exc:
        raise ScenarioError(f"{field_path(loc, 'sector')}: {exc}") from None
    regions = region_indices(shock.region, table, loc=loc)
    change = evaluate_profile(shock.change, days, calendar, loc=(*loc, "change"))
    dom = np.ones((int(days), S, C))
    exp = np.ones((int(days), N))
    cats = shock.canonical_categories
    eta = household_stickiness(shock, table, loc) if "household" in cats else None
    for r in regions:
        try:
            w = shock.area.weights(table.region_codes[r], table) if shock.area is not None else np.ones(S)
        except ScenarioError as exc:
            raise ScenarioError(f"{field_path(loc, 'area')}: {exc}") from None
        rel = w[None, :] * change[:, None]  # (T, S)
        m = np.maximum(0.0, 1.0 + rel)
        for cat in cats:
            deferrable = (np.ones(S, dtype=bool) if shock.deferral and shock.deferral.products == "all"
                          else deferrable_cells(cat, table.sector_codes))
            mm = m.copy() if cat != "household" else np.maximum(0.0, 1.0 + np.where(rel < 0, rel * (1.0 - eta), rel))
            if shock.deferral is not None and (deferrable & products).any():
                cols = products & deferrable
                mm[:, cols] = defer(mm[:, cols], shock.deferral.share, shock.deferral.catch_up_days)
            if cat == "exports":
                k = slice(r * S, (r + 1) * S)
                exp[:, k] = np.where(products[None, :], mm, 1.0)
                continue
            cols_c = [c for c, (reg, kind) in enumerate(table.fd_columns)
                      if kind == cat and reg == table.region_codes[r]]
            for c in cols_c:
                dom[:, :, c] = np.where(products[None, :], mm, 1.0)
    return DemandMultipliers(domestic=dom, exports=exp)


def demand_multipliers(shocks: Sequence[FinalDemandByCategory], table: IOTable, days: int,
                       calendar: Calendar | None = None) -> DemandMultipliers:
    """Daily final-demand multipliers of several shocks together (they multiply).

    Parameters
    ----------
    shocks : sequence of FinalDemandByCategory
        Validated shocks.
    table : IOTable
        Provides ``fd_columns``, regions and sectors.
    days : int
        Horizon.
    calendar : Calendar, optional
        Needed when profiles use dates.

    Returns
    -------
    DemandMultipliers
    """
    dom = np.ones((int(days), table.n_sectors, len(table.fd_columns)))
    exp = np.ones((int(days), table.n_industries))
    for k, shock in enumerate(shocks):
        mult = shock_multipliers(shock, table, days, calendar, ("disruptions", k))
        dom *= mult.domestic
        exp *= mult.exports
    return DemandMultipliers(domestic=dom, exports=exp)


def final_demand_path(table: IOTable, mult: DemandMultipliers) -> np.ndarray:
    r"""Final demand for each industry's product on each day, :math:`\sum_c Y_{kc} m_{t,s(k),c} + e_k m^x_{t,k}`.

    In table units per year (divide by the year's days for a daily flow), shape (T, N).
    """
    Y = np.asarray(table.Y)  # (N, C)
    s_of = table.sector_of
    out = np.asarray(table.exports)[None, :] * mult.exports
    for s in range(table.n_sectors):  # per product: its supplying industries share the multipliers
        ks = np.flatnonzero(s_of == s)
        out[:, ks] += mult.domestic[:, s, :] @ Y[ks, :].T
    return out
