r"""``final_demand_by_category``: final demand of named categories changes along a profile, deferred demand spent later.

The schema and the mathematics are :class:`chainsim.shocks.demand.FinalDemandByCategory`
(``docs/episodes.md``): categories (``household``/``consumption``, ``government``,
``gfcf``/``investment``, ``inventory``, ``exports``; one or several), destination regions
(for exports the exporting regions), products, a profile of the relative change dated from
day 0 of the simulation, an optional covered share of the region (``area``) and the deferral
of durables and investment goods, :math:`s_t = B_t \min(1, m_t/\tau)`,
:math:`B_{t+1} = B_t - s_t + \varphi \max(0, 1 - m_t)` (Beraja & Wolf 2021). A shock has no
``start``, ``duration`` or ``recurrence``: its course is its ``change`` profile.

**Several shocks multiply**, as in :func:`chainsim.shocks.demand.demand_multipliers`: item ``i``
of a batch member adds the change of final demand its multipliers make on top of those of the
earlier items, :math:`Y(\prod_{j \le i} m_j) - Y(\prod_{j<i} m_j)`, so the items of a member sum to
the demand of the product of their multipliers exactly. The change (one daily path per supply
node) is handed to the engine as final-demand changes (:class:`~chainsim.disruptions.plan.DemandChange`),
one per distinct relative path: the nodes whose change is the same path up to a scale share one item.

``deferral.share`` (φ) and ``deferral.catch_up_days`` (τ) may be distributions: each
replication draws its own, one for every shock that gives the same distribution
(:meth:`~chainsim.disruptions.base.Episode.draw_shared`).

References
----------
Beraja, M. & Wolf, C. K. (2021). Demand composition and the strength of recoveries. NBER
Working Paper 29304.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from chainsim.disruptions.base import Disruption, Episode, NumericField, names
from chainsim.disruptions.plan import DemandChange, Steps
from chainsim.disruptions.registry import register
from chainsim.disruptions.sampling import Value
from chainsim.errors import ScenarioError
from chainsim.shocks.demand import (
    Deferral,
    DemandMultipliers,
    FinalDemandByCategory,
    final_demand_path,
    shock_multipliers,
)

__all__ = ["DemandByCategory", "DrawnDeferral", "change_items"]



class DrawnDeferral(BaseModel):
    """:class:`~chainsim.shocks.demand.Deferral` whose share φ and catch-up time τ may be distributions."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    share: Value
    catch_up_days: Value
    products: Literal["deferrable", "all"] = "deferrable"

    def draw(self, ep: Episode, path: str) -> Deferral:
        """A fixed :class:`Deferral` drawn for the episode's member (share, then catch-up days; shared draws)."""
        phi, tau = ep.draw_shared("deferral.share", self.share), ep.draw_shared("deferral.catch_up_days",
                                                                              self.catch_up_days)
        if not 0.0 <= phi <= 1.0:
            raise ScenarioError(f"{path}.deferral.share: expected a share in [0, 1]; found {phi:g}")
        if not tau > 0.0:
            raise ScenarioError(f"{path}.deferral.catch_up_days: expected a positive number of days; found {tau:g}")
        return Deferral(share=phi, catch_up_days=tau, products=self.products)


def change_items(batch: int, change: np.ndarray, n_sup: int, *, tol: float = 1e-12) -> list[DemandChange]:
    """Final-demand changes ``(days, N)`` (daily amounts) as few :class:`DemandChange` items.

    Nodes whose change is the same daily path up to a scale (``change[:, k] = a_k f(t)``) share
    one item with ``amount = a`` and ``factor = f`` (steps on the days ``f`` changes), so a
    shock of one profile on many products is one item.

    Examples
    --------
    >>> c = np.array([[0.0, 0.0, 0.0], [-1.0, -2.0, 0.5], [0.0, 0.0, 0.5]])
    >>> [(i.amount.tolist(), i.factor.days.tolist(), i.factor.values.tolist()) for i in change_items(0, c, 4)]
    [([-1.0, -2.0, 0.0, 0.0], [0, 1, 2], [0.0, 1.0, 0.0]), ([0.0, 0.0, 0.5, 0.0], [0, 1], [0.0, 1.0])]
    """
    change = np.asarray(change, dtype=float)
    peak = np.abs(change).max(axis=0) if len(change) else np.zeros(change.shape[1])
    groups: dict[bytes, tuple[np.ndarray, list[int], list[float]]] = {}
    for k in np.flatnonzero(peak > tol * max(float(peak.max(initial=0.0)), 1e-300)):
        ref = change[int(np.argmax(np.abs(change[:, k]))), k]
        f = change[:, k] / ref + 0.0  # no -0.0 where the change is zero
        key = np.round(f, 10).tobytes()
        if key not in groups:
            groups[key] = (f, [], [])
        groups[key][1].append(int(k))
        groups[key][2].append(float(ref))
    out = []
    for f, ks, refs in groups.values():
        amount = np.zeros(n_sup)
        amount[ks] = refs
        moves = np.r_[0, np.flatnonzero(np.diff(f) != 0) + 1]
        out.append(DemandChange(batch, amount, Steps(moves, f[moves])))
    return out


@register
class DemandByCategory(FinalDemandByCategory, Disruption):
    """A change of final demand by category (:class:`chainsim.shocks.demand.FinalDemandByCategory`) in the plan."""

    type: Literal["final_demand_by_category"]
    start: Value = Field(0.0, description="not used: the change profile is dated from day 0")
    deferral: DrawnDeferral | None = None

    has_share: ClassVar[bool] = False
    day0_profiles: ClassVar[tuple[str, ...]] = ("change",)

    @classmethod
    def numeric_fields(cls) -> tuple[NumericField, ...]:
        """``deferral.share`` in [0, 1] and ``deferral.catch_up_days`` (numbers or distributions)."""
        return (*super().numeric_fields(), NumericField(("deferral", "share"), "share", 0.0, 1.0),
                NumericField(("deferral", "catch_up_days"), "days"))

    def fixed(self, deferral: Deferral | None) -> FinalDemandByCategory:
        """The shock with its deferral drawn (a :class:`FinalDemandByCategory` the shock functions take)."""
        data = self.model_dump(exclude={"start", "duration", "recurrence", "deferral"}, by_alias=False)
        return FinalDemandByCategory.model_validate({**data, "deferral": deferral})

    def _draw(self, ep: Episode) -> Deferral | None:
        return None if self.deferral is None else self.deferral.draw(ep, ep.path)

    def compile(self, ep: Episode) -> None:
        """Final-demand changes: this shock's multipliers applied on top of the earlier shocks' of the member."""
        m = ep.model
        deferral = self._draw(ep)
        if deferral is not None:
            ep.values["deferral_share"], ep.values["catch_up_days"] = deferral.share, deferral.catch_up_days
        own = shock_multipliers(self.fixed(deferral), m.table, ep.days, loc=(ep.path,))
        key = ("final_demand_by_category", ep.batch)
        prev = ep.plan.combined.get(key)
        if prev is None:
            prev = DemandMultipliers(np.ones_like(own.domestic), np.ones_like(own.exports))
        new = DemandMultipliers(prev.domestic * own.domestic, prev.exports * own.exports)
        ep.plan.combined[key] = new
        change = (final_demand_path(m.table, new) - final_demand_path(m.table, prev)) / m.params.year_days
        moving = np.flatnonzero((own.domestic != 1.0).any(axis=(1, 2)) | (own.exports != 1.0).any(axis=1))
        ep.values["duration"] = int(moving[-1]) + 1 if len(moving) else 0
        items = change_items(ep.batch, change, m.n_sup)
        ep.plan.demand.extend(items)
        target = f"{','.join(names(self.region))}|{','.join(self.canonical_categories)}"
        if len(moving):
            low = min(own.domestic.min(), own.exports.min())
            ep.log(int(moving[0]), "final_demand_change", target,
                   f"{ep.name}: {len(items)} path(s), lowest multiplier {low:.3g}")
        if len(moving) and ep.values["duration"] < ep.days:
            ep.log(ep.values["duration"], "final_demand_restore", target, f"{ep.name}: back to the baseline")

    def direct_shock(self, table: Any, sample: Mapping[str, Any]) -> float:
        """Demand moved before propagation: the sum over days of |change of final demand| (deferred spending too)."""
        days = int(sample.get("duration", 0))
        if days <= 0:
            return 0.0
        deferral = None
        if self.deferral is not None:
            if "deferral_share" not in sample and not isinstance(self.deferral.share, int | float):
                raise ScenarioError("final_demand_by_category.direct_shock: needs the sampled deferral share")
            deferral = Deferral(share=float(sample.get("deferral_share", self.deferral.share)),
                                catch_up_days=float(sample.get("catch_up_days", self.deferral.catch_up_days)),
                                products=self.deferral.products)
        own = shock_multipliers(self.fixed(deferral), table, days)
        ones = DemandMultipliers(np.ones_like(own.domestic), np.ones_like(own.exports))
        return float(np.abs(final_demand_path(table, own) - final_demand_path(table, ones)).sum() / 365.0)
