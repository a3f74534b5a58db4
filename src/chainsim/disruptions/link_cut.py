"""``link_cut`` (断链): deliveries of a product from supplier regions to buyer regions (and sectors) drop by ``share``.

The share of the links (supplier region, product) -> (buyer region, buyer sector) that stays
open falls to ``1 - share`` from ``start`` and reopens on ``start + duration``. The order split
does not see a closed link: what its buyers do not receive they reorder (restocking) and,
after a shortage, look for elsewhere (re-sourcing).

Scan kind ``links``: every (product, region -> other region) flow of the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import AliasChoices, Field

from chainsim.disruptions.base import Disruption, Episode, Names, ScanTarget, closure, industries, names, resolve
from chainsim.disruptions.plan import LinkChange
from chainsim.disruptions.registry import register
from chainsim.disruptions.sampling import Value
from chainsim.errors import ScenarioError

__all__ = ["LinkCut"]


@register
class LinkCut(Disruption):
    """断链: deliveries of a product from a supplier region(-sector) to a customer region(-sector) stop."""

    type: Literal["link_cut"]
    product: Names = Field(validation_alias=AliasChoices("product", "products"))
    from_region: Names
    to_region: Names
    to_sector: Names = "all"
    share: Value = 1.0

    scan_kind: ClassVar[str | None] = "links"
    scan_rank: ClassVar[int] = 20
    scarce_key: ClassVar[str | None] = "product"

    def _links(self, table: Any, path: str) -> tuple[np.ndarray, np.ndarray]:
        """Supply nodes (supplier region, product) and buyers (region, sector) of the cut links."""
        prods = resolve("sector", names(self.product), table, f"{path}.product")
        fr = resolve("region", names(self.from_region), table, f"{path}.from_region")
        tr = resolve("region", names(self.to_region), table, f"{path}.to_region")
        ts = resolve("sector", names(self.to_sector), table, f"{path}.to_sector")
        return industries(table, fr, prods), industries(table, tr, ts)

    def compile(self, ep: Episode) -> None:
        """A link change closing ``share`` of the links from ``start`` to ``start + duration``."""
        share = ep.values["share"]
        if not 0 <= share <= 1:
            raise ScenarioError(f"{ep.path}.share: expected a share in [0, 1]; found {share}")
        rows, cols = self._links(ep.model.table, ep.path)
        target = (f"{','.join(names(self.from_region))}->{','.join(names(self.to_region))}"
                  f"|{','.join(names(self.product))}")
        ep.plan.links.append(LinkChange(ep.batch, "link_cut", rows, cols, closure(ep, "link_cut", target, share)))

    def direct_shock(self, table: Any, sample: Mapping[str, Any]) -> float:
        """Cut deliveries: share x the links' baseline flow x days."""
        rows, cols = self._links(table, "disruption")
        share = float(sample.get("share", 0.0) or 0.0)
        return share * float(table.Z[np.ix_(rows, cols)].sum()) / 365.0 * float(sample.get("duration", 0.0))

    @classmethod
    def scan_targets(cls, table: Any, *, share: float, duration: float, start: int,
                     import_regions: Sequence[str] | None) -> list[ScanTarget]:
        """Every (product, region -> other region) flow, cut for every buying sector."""
        S, R, reg = table.n_sectors, table.n_regions, table.region_codes
        out = []
        for a in range(R):
            for b in range(R):
                if a == b:
                    continue
                block = table.Z[a * S:(a + 1) * S, b * S:(b + 1) * S].sum(axis=1)
                for p in np.flatnonzero(block > 0):
                    s = table.sectors[p]
                    d = {"type": "link_cut", "product": s.code, "from_region": reg[a], "to_region": reg[b],
                         "share": float(share), "start": int(start), "duration": float(duration)}
                    out.append(ScanTarget("links", f"{reg[a]}->{reg[b]}|{s.code}", s.code, from_region=reg[a],
                                          to_region=reg[b], name_zh=s.name_zh, name_en=s.name_en,
                                          flow=float(block[p]), disruption=d))
        return out
