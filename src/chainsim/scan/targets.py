"""What a chokepoint scan disrupts: one target per imported product x origin, link and node.

Three kinds of target, each a single disruption of the engine's schema:

``imports``
    every (imported product, foreign origin) with a non-zero flow (origins that are domestic
    supply pools, ``IOTable.domestic_origins``, are not imports and are left out), cut (``import_cut``,
    卡链) into every region of the table (``import_regions="all"``, the default: an export
    control or embargo hits the whole country, and most of the Northeast's exposure arrives
    through what the rest of China makes from imports) or only into the scope's regions
    (``import_regions="scope"``: what the Northeast buys from abroad directly);
``links``
    every (product, region -> region) flow between two different regions of the table with a
    non-zero flow, cut for every buying sector (``link_cut``, 断链);
``nodes``
    every region-sector with output, losing ``share`` of its production capacity
    (``capacity_loss`` on the ``capacity`` basis) and back to full capacity the day the
    disruption ends, so that every kind of target has the same shape in time.

All targets of a scan share one size (``share``), start day and duration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainsim.data.iotable import IOTable
from chainsim.errors import ScenarioError, did_you_mean

__all__ = ["KINDS", "Target", "enumerate_targets", "parse_kinds"]

#: The kinds of target, in scan order.
KINDS: tuple[str, ...] = ("imports", "links", "nodes")


@dataclass(frozen=True)
class Target:
    """One scanned disruption.

    Attributes
    ----------
    kind : str
        ``imports``, ``links`` or ``nodes``.
    target : str
        Identifier: ``JPN->all|20`` (origin -> regions | product), ``LN->JL|20``
        (from -> to | product) or ``LN|20`` (region | sector).
    product : str
        Sector code of the product cut (for nodes: the sector that loses capacity).
    origin, from_region, to_region, region : str
        The origin of an import; the supplying and buying region of a link; the region(s)
        an import is cut into, or the region of a node ("" where it does not apply).
    name_zh, name_en : str
        Chinese and English name of the product or sector.
    flow : float
        Annual flow the target carries in table units (imports or link deliveries to
        industries; a node's gross output): the "spend" a cut takes away.
    disruption : dict
        The engine disruption (scenario-file keys).
    """

    kind: str
    target: str
    product: str
    origin: str = ""
    from_region: str = ""
    to_region: str = ""
    region: str = ""
    name_zh: str = ""
    name_en: str = ""
    flow: float = 0.0
    disruption: dict[str, Any] = field(default_factory=dict)


def parse_kinds(kinds: str | Sequence[str]) -> tuple[str, ...]:
    """Validate target kinds given as a list or a comma-separated string.

    Raises
    ------
    ScenarioError
        Unknown kind (with a did-you-mean suggestion) or none given.

    Examples
    --------
    >>> parse_kinds("imports,nodes")
    ('imports', 'nodes')
    """
    items = [k.strip() for k in (kinds.split(",") if isinstance(kinds, str) else kinds) if str(k).strip()]
    if not items:
        raise ScenarioError(f"kinds: expected one or more of {list(KINDS)}; found none")
    for k in items:
        if k not in KINDS:
            raise ScenarioError(f"kinds: unknown kind {k!r}; expected one of {list(KINDS)}{did_you_mean(k, KINDS)}")
    return tuple(k for k in KINDS if k in items)


def enumerate_targets(table: IOTable, kinds: Sequence[str] = KINDS, *, share: float = 1.0, duration: float = 90.0,
                      start: int = 10, import_regions: Sequence[str] | None = None) -> list[Target]:
    """List the scan's targets in a fixed order (kind, then table order).

    Parameters
    ----------
    table : IOTable
    kinds : sequence of str
        Subset of :data:`KINDS`.
    share, duration, start
        Size (share of the flow or capacity lost), days at full strength, first day.
    import_regions : sequence of str, optional
        Regions imports are cut into; ``None`` cuts them into every region (``"all"``).

    Returns
    -------
    list of Target
    """
    kinds = parse_kinds(kinds)
    S, R = table.n_sectors, table.n_regions
    sec, reg = table.sectors, table.region_codes
    common = {"share": float(share), "start": int(start), "duration": float(duration)}
    out: list[Target] = []
    if "imports" in kinds:
        if import_regions is None:
            cols, into = np.arange(table.n_industries), "all"
        else:
            idx = np.array([table.region_index(r) for r in import_regions], dtype=int)
            cols = (idx[:, None] * S + np.arange(S)[None, :]).ravel()
            into = ",".join(import_regions)
        flows = table.imports_Z[:, :, cols].sum(axis=2)  # (O, S)
        domestic = set(table.domestic_origins)
        for o, oc in enumerate(table.origins):
            if oc in domestic:  # a domestic supply pool (e.g. DOM), not a country
                continue
            for p in np.flatnonzero(flows[o] > 0):
                s = sec[p]
                d = {"type": "import_cut", "product": s.code, "origin": oc,
                     "region": "all" if import_regions is None else list(import_regions), **common}
                out.append(Target("imports", f"{oc}->{into}|{s.code}", s.code, origin=oc, region=into,
                                  name_zh=s.name_zh, name_en=s.name_en, flow=float(flows[o, p]), disruption=d))
    if "links" in kinds:
        for a in range(R):
            for b in range(R):
                if a == b:
                    continue
                block = table.Z[a * S:(a + 1) * S, b * S:(b + 1) * S].sum(axis=1)
                for p in np.flatnonzero(block > 0):
                    s = sec[p]
                    d = {"type": "link_cut", "product": s.code, "from_region": reg[a], "to_region": reg[b], **common}
                    out.append(Target("links", f"{reg[a]}->{reg[b]}|{s.code}", s.code, from_region=reg[a],
                                      to_region=reg[b], name_zh=s.name_zh, name_en=s.name_en,
                                      flow=float(block[p]), disruption=d))
    if "nodes" in kinds:
        for k in np.flatnonzero(np.asarray(table.x) > 0):
            a, p = divmod(int(k), S)
            s = sec[p]
            d = {"type": "capacity_loss", "region": reg[a], "sector": s.code, "basis": "capacity",
                 "recovery": {"curve": "linear", "days": 1.0}, **common}
            out.append(Target("nodes", f"{reg[a]}|{s.code}", s.code, region=reg[a], name_zh=s.name_zh,
                              name_en=s.name_en, flow=float(table.x[k]), disruption=d))
    return out
