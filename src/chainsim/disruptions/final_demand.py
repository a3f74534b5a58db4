r"""``final_demand``: final demand of consumers in regions for sectors changes by ``share``.

The change applies to the final demand of the consumers in ``region`` (and, with ``region:
all``, exports) for the products of ``sector``, from ``start`` until ``start + duration`` or,
with ``permanent: true``, for good. Final demand on day t is the baseline plus every change in
force, and never below zero: :math:`y_t = \bar y + \max(\sum_k a_k f_k(t), -\bar y^+)`, so
overlapping cuts add up, stop at zero, and leave demand exactly at baseline once they end. A
cut of more than all of the demand (``share`` < -1) is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import AliasChoices, Field, model_validator

from chainsim.disruptions.base import Disruption, Episode, Names, Profile, names, resolve
from chainsim.disruptions.plan import DemandChange, Steps
from chainsim.disruptions.registry import register
from chainsim.disruptions.sampling import Value, lowest
from chainsim.errors import ScenarioError
from chainsim.scenario.profiles import profile_values

__all__ = ["FinalDemand", "final_demand_at_stake"]


def final_demand_at_stake(table: Any, regions: np.ndarray, sectors: np.ndarray, all_regions: bool,
                          positive_only: bool) -> np.ndarray:
    """Annual final demand of the consumers in ``regions`` (plus exports if ``all_regions``) for ``sectors``, (N,)."""
    cons = np.array([table.region_index(c) for c, _ in table.fd_columns], dtype=int)
    Yd = np.asarray(table.Y)[:, np.isin(cons, regions)].sum(axis=1)
    if all_regions:
        Yd = Yd + np.asarray(table.exports)
    if positive_only:
        Yd = np.clip(Yd, 0.0, None)  # negative final demand is exogenous supply there
    return np.where(np.isin(table.sector_of, sectors), Yd, 0.0)


@register
class FinalDemand(Disruption):
    """Final demand for products in regions changes by ``share`` (e.g. -0.1), optionally for good."""

    type: Literal["final_demand"]
    region: Names = Field("all", validation_alias=AliasChoices("region", "regions"))
    sector: Names = Field("all", validation_alias=AliasChoices("sector", "sectors"))
    share: Value
    permanent: bool = False
    profile: Profile | None = Field(None, description="the change over time: share x profile (no duration)")

    share_range: ClassVar[tuple[float, float]] = (-1.0, 1.0)

    @model_validator(mode="after")
    def _not_below_minus_one(self) -> FinalDemand:
        low = lowest(self.share)
        if low is not None and low < -1.0:
            raise ValueError(f"share: a change of final demand is at least -1 (all of it lost); found {low:g}")
        return self

    def _amount(self, table: Any, path: str, positive_only: bool) -> np.ndarray:
        r = resolve("region", names(self.region), table, f"{path}.region")
        s = resolve("sector", names(self.sector), table, f"{path}.sector")
        return final_demand_at_stake(table, r, s, names(self.region) == ["all"], positive_only)

    def compile(self, ep: Episode) -> None:
        """A demand change of ``share`` x the demand at stake, from ``start`` to ``end`` (or for good)."""
        m, share = ep.model, ep.values["share"]
        if share < -1.0:
            raise ScenarioError(f"{ep.path}.share: expected a change of at least -1 (all of the demand); found {share}")
        amount = np.zeros(m.n_sup)
        positive = m.quirks.negative_final_demand == "exogenous_supply"
        amount[: m.n] = self._amount(m.table, ep.path, positive) / m.params.year_days
        target = f"{','.join(names(self.region))}|{','.join(names(self.sector))}"
        ep.log(ep.start, "final_demand_change", target, f"{ep.name}: {share:+.4g}")
        if self.profile is not None:
            factor = ep.steps(ep.follow(self.profile), self.profile)
        else:
            factor = Steps.hold(ep.start, None if self.permanent else ep.end, share)
        if factor.stop < ep.days:
            ep.log(int(factor.stop), "final_demand_restore", target, f"{ep.name}: restored")
        ep.plan.demand.append(DemandChange(ep.batch, amount, factor))

    def direct_shock(self, table: Any, sample: Mapping[str, Any]) -> float:
        """Demand removed or added: |share| x the demand at stake x days (a year if permanent)."""
        days = 365.0 if self.permanent else float(sample.get("duration", 0.0))
        if self.profile is not None:
            days = float(np.abs(profile_values(self.profile, int(sample.get("duration", 0.0)))).sum())
        # the consumers' final demand, without exports (as the metrics have always counted it)
        r = resolve("region", names(self.region), table, "disruption.region")
        s = resolve("sector", names(self.sector), table, "disruption.sector")
        fd = final_demand_at_stake(table, r, s, False, False)
        return abs(float(sample.get("share", 0.0) or 0.0)) * float(fd.sum()) / 365.0 * days
