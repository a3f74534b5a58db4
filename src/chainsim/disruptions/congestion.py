"""``congestion`` (堵链): routes from supplier regions or origins into buyer regions lose throughput and gain lead time.

While in force, a congested route (supplier block -> buyer region) ships at most
``(1 - throughput_loss)`` times its baseline daily flow (the same share of every pending
consignment; the rest waits in a backlog), and goods take ``extra_lead_days`` more days on the
road. The backlog clears after the congestion ends. A route is between *different* places:
a region congested into itself is refused (within a region there is no route to congest).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import model_validator

from chainsim.data.classification import expand_region_groups
from chainsim.disruptions.base import (
    Disruption,
    Episode,
    Names,
    NumericField,
    closure,
    industries,
    names,
    resolve,
    source_block,
)
from chainsim.disruptions.plan import RouteChange
from chainsim.disruptions.registry import register
from chainsim.disruptions.sampling import Value, sample_value
from chainsim.errors import ScenarioError

__all__ = ["Congestion"]

_SAME = ("from_region and to_region both name {}: a congestion is on a route between different places (within a "
         "region there is no route to congest); name the origins or other regions the goods come from")


@register
class Congestion(Disruption):
    """堵链: a route (region or origin -> region) loses throughput and gains lead time."""

    type: Literal["congestion"]
    from_region: Names
    to_region: Names
    throughput_loss: Value = 0.5
    extra_lead_days: Value = 0.0

    has_share: ClassVar[bool] = False
    param_levers: ClassVar[frozenset[str]] = frozenset({"import_headroom"})

    @classmethod
    def numeric_fields(cls) -> tuple[NumericField, ...]:
        """``start``, ``duration``, ``throughput_loss`` (a share) and ``extra_lead_days``."""
        return (*super().numeric_fields(), NumericField(("throughput_loss",), "share"),
                NumericField(("extra_lead_days",), "days"))

    @model_validator(mode="after")
    def _distinct_places(self) -> Congestion:
        src = set(expand_region_groups(names(self.from_region)))
        dst = set(expand_region_groups(names(self.to_region)))
        if "all" in src:
            raise ValueError("from_region: name the regions or origins the goods come from ('all' would include "
                             "routes within a region)")
        if src & dst:
            raise ValueError(_SAME.format(sorted(src & dst)))
        return self

    def compile(self, ep: Episode) -> None:
        """A route change: throughput loss and extra lead days (drawn in this order) from ``start`` to ``end``."""
        m, tab = ep.model, ep.model.table
        loss = sample_value(self.throughput_loss, ep.rng)
        lead = max(0, round(sample_value(self.extra_lead_days, ep.rng)))
        ep.values.update(throughput_loss=loss, extra_lead_days=lead)
        if not 0 <= loss <= 1:
            raise ScenarioError(f"{ep.path}.throughput_loss: expected a share in [0, 1]; found {loss}")
        blocks = np.array([source_block(m, n, f"{ep.path}.from_region") for n in names(self.from_region)],
                          dtype=int)
        regions = resolve("region", names(self.to_region), tab, f"{ep.path}.to_region")
        same = np.intersect1d(blocks[blocks < tab.n_regions], regions)
        if len(same):
            raise ScenarioError(f"{ep.path}: " + _SAME.format([tab.region_codes[r] for r in same]))
        target = f"{','.join(names(self.from_region))}->{','.join(names(self.to_region))}"
        ep.plan.routes.append(RouteChange(ep.batch, blocks, regions, closure(ep, "congestion", target, loss), lead))

    def direct_shock(self, table: Any, sample: Mapping[str, Any]) -> float:
        """Lost throughput: loss x the routes' baseline flows into the buyer regions x days."""
        loss = float(sample.get("throughput_loss", self.throughput_loss if isinstance(self.throughput_loss, float)
                                else 0.5))
        cols = industries(table, resolve("region", names(self.to_region), table, "disruption.to_region"),
                          np.arange(table.n_sectors))
        S, total = table.n_sectors, 0.0
        for src in names(self.from_region):
            if src in table.origins:
                total += float(table.imports_Z[table.origin_index(src)][:, cols].sum())
            else:
                for r0 in resolve("region", [src], table, "disruption.from_region"):
                    total += float(table.Z[r0 * S:(r0 + 1) * S][:, cols].sum())
        return loss * total / 365.0 * float(sample.get("duration", 0.0))
