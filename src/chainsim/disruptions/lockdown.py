r"""``lockdown``: a share of the workforce absent by region, sector class and time; capacity lost not one for one.

The schema and the mathematics are :class:`chainsim.shocks.labour.Lockdown` (``docs/episodes.md``):
the absent share :math:`\varepsilon_s(t)` of the sectors covered (observed, or ordered home minus
the essential, remote and closed-loop workers of Pichler et al. 2022), mapped to capacity as
:math:`\ell = w\,(1 - (1 - \varepsilon)^{\beta})` with the output elasticity
:math:`\beta = \alpha + \theta(1 - \alpha)` (α the labour share of value added of the
region-sector, NBS 2017; θ ``leontief_weight``, the calibrated parameter; ``w`` the covered
share of a sub-region). The absent profile counts its days from day 0 of the simulation (its
dates are simulation dates): a lockdown has no ``start``, ``duration`` or ``recurrence``.

**Several lockdowns** combine by area (:class:`chainsim.shocks.areas.AreaLosses`): on the same
firms they multiply capacities, :math:`1 - \prod_i (1 - \lambda_i)` (a plant stop inside a city
lockdown, the extra absence of a sub-region on top of the region's), on disjoint areas they add
(Changchun and the rest of Jilin, ``complement: true``). Item ``i`` of a batch member compiles
into additive capacity-loss rows (one daily table per industry) of the loss it adds to what the
earlier items left, so the rows of all items sum to the combined loss exactly, in any order.
Against other capacity losses the rows add, as capital destroyed does (the engine's rule for
additive rows).

``leontief_weight`` may be a distribution: each replication draws its own θ, one for every lockdown
that gives the same distribution (:meth:`~chainsim.disruptions.base.Episode.draw_shared`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from chainsim.disruptions.base import Disruption, Episode, NumericField, names
from chainsim.disruptions.registry import register
from chainsim.disruptions.sampling import Uniform, Value
from chainsim.errors import ScenarioError
from chainsim.scenario.sector_groups import group_codes
from chainsim.shocks.areas import AreaLosses
from chainsim.shocks.labour import Lockdown, local_capacity_loss, lockdown_capacity_loss

__all__ = ["NBS42_CODES", "LockdownDisruption"]

#: the NBS-42 sector codes (which products a lockdown of a sector group makes scarce)
NBS42_CODES = tuple(f"{k:02d}" for k in range(1, 43))
_UNIT = Uniform(distribution="uniform", low=0.0, high=1.0)


@register
class LockdownDisruption(Lockdown, Disruption):
    """A labour-supply shock (:class:`chainsim.shocks.labour.Lockdown`) as a disruption of the engine's plan."""

    type: Literal["lockdown"]
    start: Value = Field(0.0, description="not used: the absent profile is dated from day 0")
    leontief_weight: Value = Field(0.0, description="theta in beta = alpha + theta (1 - alpha), in [0, 1]")

    has_share: ClassVar[bool] = False
    day0_profiles: ClassVar[tuple[str, ...]] = ("absent",)

    @classmethod
    def numeric_fields(cls) -> tuple[NumericField, ...]:
        """``leontief_weight`` is a share in [0, 1] (a number or a distribution)."""
        return (*super().numeric_fields(), NumericField(("leontief_weight",), "share", 0.0, 1.0))

    @classmethod
    def scarce_products(cls, d: Mapping[str, Any]) -> list[str]:
        """The NBS-42 codes of the sectors covered (groups expanded), minus ``except_sectors``."""
        covered = d.get("sectors", d.get("sector", "industry"))
        out: list[str] = []
        try:
            for n in names(covered):
                out += [c for c in group_codes(n, NBS42_CODES) if c not in out]
            drop = {c for n in names(d.get("except_sectors", [])) for c in group_codes(n, NBS42_CODES)}
        except ScenarioError:
            return []  # an unknown name: the compile step reports it
        return [c for c in out if c not in drop]

    @staticmethod
    def touches(d: Mapping[str, Any], sectors: Any) -> bool:
        """Whether the lockdown covers any of ``sectors`` (groups expanded)."""
        if not sectors:
            return True
        return bool(set(LockdownDisruption.scarce_products(d)) & set(sectors))

    def fixed(self, theta: float) -> LockdownDisruption:
        """The lockdown with ``leontief_weight`` fixed to ``theta`` (a draw)."""
        return self.model_copy(update={"leontief_weight": float(theta)})

    def compile(self, ep: Episode) -> None:
        """Additive daily loss rows of the capacity this lockdown removes on top of the earlier ones."""
        theta = ep.draw_shared("leontief_weight", self.leontief_weight)
        if not 0.0 <= theta <= 1.0:
            raise ScenarioError(f"{ep.path}.leontief_weight: expected a share in [0, 1]; found {theta:g}")
        ep.values["leontief_weight"] = theta
        m = ep.model
        shock = self.fixed(theta)
        if shock.area is not None and shock.area.bound == "drawn":  # one quantile per sub-region and replication
            q = ep.draw_shared(f"area.{shock.area.subregion}", _UNIT)
            ep.values["area_quantile"] = q
            shock = shock.model_copy(update={"area": shock.area.model_copy(update={"quantile": q})})
        local = local_capacity_loss(shock, m.table, ep.days, loc=(ep.path,))
        areas = ep.plan.combined.setdefault(("lockdown", ep.batch), AreaLosses(ep.days, m.n))
        added = areas.add(shock, m.table, local, loc=(ep.path,))
        loss = lockdown_capacity_loss(shock, m.table, ep.days, loc=(ep.path,))
        active = np.flatnonzero(loss.any(axis=1))
        ep.values["duration"] = int(active[-1]) + 1 if len(active) else 0
        nodes = np.flatnonzero(added.any(axis=0))
        target = f"{','.join(names(self.region))}|{','.join(names(self.sectors))}"
        if not len(nodes):
            ep.log(0, "lockdown_start", target, f"{ep.name}: no capacity lost within the horizon")
            return
        ep.tabulated_rows(nodes, added[:, nodes], np.ones(len(nodes)), np.ones(len(nodes)), additive=True)
        first = int(active[0])
        ep.log(first, "lockdown_start", target,
               f"{ep.name}: up to {loss.max():.3g} of capacity lost (theta {theta:.3g})")
        if ep.values["duration"] < ep.days:
            ep.log(ep.values["duration"], "lockdown_end", target, f"{ep.name}: every worker back")

    def direct_shock(self, table: Any, sample: Mapping[str, Any]) -> float:
        """Output lost before propagation: the sum over days of capacity lost x baseline daily output."""
        days = int(sample.get("duration", 0))
        if days <= 0:
            return 0.0
        theta = sample.get("leontief_weight", self.leontief_weight)
        if not isinstance(theta, int | float):
            raise ScenarioError("lockdown.direct_shock: needs the sampled 'leontief_weight' (a distribution is given)")
        shock = self.fixed(float(theta))
        if "area_quantile" in sample and shock.area is not None:
            area = shock.area.model_copy(update={"quantile": sample["area_quantile"]})
            shock = shock.model_copy(update={"area": area})
        loss = lockdown_capacity_loss(shock, table, days)
        return float((loss @ np.asarray(table.x, dtype=float)).sum() / 365.0)
