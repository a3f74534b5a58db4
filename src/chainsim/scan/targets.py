"""What a chokepoint scan disrupts: one target per imported product x origin, link and node.

Each kind of target is the scan kind of a disruption type (:meth:`chainsim.disruptions.Disruption.scan_targets`),
so a new type can bring its own. The shipped kinds, each a single disruption:

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

from chainsim.data.iotable import IOTable
from chainsim.disruptions import ScanTarget, scan_kinds
from chainsim.errors import ScenarioError, did_you_mean

__all__ = ["KINDS", "Target", "enumerate_targets", "parse_kinds"]

#: The kinds of target of the shipped disruption types, in scan order.
KINDS: tuple[str, ...] = ("imports", "links", "nodes")


#: One scanned disruption (kind, identifier, product, places, names, flow, the disruption itself).
Target = ScanTarget


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
    known = tuple(scan_kinds())
    items = [k.strip() for k in (kinds.split(",") if isinstance(kinds, str) else kinds) if str(k).strip()]
    if not items:
        raise ScenarioError(f"kinds: expected one or more of {list(known)}; found none")
    for k in items:
        if k not in known:
            raise ScenarioError(f"kinds: unknown kind {k!r}; expected one of {list(known)}{did_you_mean(k, known)}")
    return tuple(k for k in known if k in items)


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
    types = scan_kinds()
    out: list[Target] = []
    for kind in parse_kinds(kinds):
        out.extend(types[kind].scan_targets(table, share=share, duration=duration, start=start,
                                            import_regions=import_regions))
    return out
