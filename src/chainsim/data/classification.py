"""Classifications of the shipped datasets' codes: NBS-42 product groups and named region groups.

Generic code (the engine, the pathway levers, the metrics) names no sector or region; what an
NBS-42 code or a Northeast region code *is* lives here, next to the data it classifies.

Sector groups are NBS 2017 42-sector codes (``sectors_42_2017.csv`` in ``data/raw``); region
groups are region codes of the ``northeast-2017`` dataset.

References
----------
.. [1] Rauch, J. E. (1999). Networks versus markets in international trade. *J. International
   Economics* 48(1), 7-35.
.. [2] National Bureau of Statistics of China (2019). 2017 年中国投入产出表 (42 部门).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["FOSSIL_ENERGY", "HIGH_TECH", "MANUFACTURING", "NBS42_CODES", "NONCOMPETITIVE_NBS42", "NORTHEAST",
           "REGION_GROUPS", "expand_region_groups"]

#: The 42 NBS sector codes ``01`` .. ``42`` (a table with exactly these is an NBS-42 table).
NBS42_CODES: tuple[str, ...] = tuple(f"{k:02d}" for k in range(1, 43))

#: ``noncompetitive_products="auto"`` on an NBS-42 table: the products that Rauch (1999,
#: "conservative" classification) counts as *differentiated* (neither traded on an organized
#: exchange nor reference-priced), mapped to NBS-42 by the predominant kind of good — apparel and
#: leather 08, metal products 15, general and special equipment 16, 17, transport equipment 18,
#: electrical machinery 19, electronics 20, instruments 21. Every other product is homogeneous or
#: reference-priced (farm goods, coal, ores, crude, metals, most chemicals, sawn wood and panels,
#: electricity, services): a domestic tonne or kWh replaces an imported one. A modelling
#: assumption of chainsim (docs/model.md §5.3), not a table of Rauch's.
NONCOMPETITIVE_NBS42: tuple[str, ...] = ("08", "15", "16", "17", "18", "19", "20", "21")

#: Manufacturing 制造业: NBS 06 food … 23 repair of machinery.
MANUFACTURING: tuple[str, ...] = tuple(f"{k:02d}" for k in range(6, 24))

#: High-tech manufacturing (高技术制造业 in the NBS-42 aggregation): general 16 and special 17 equipment,
#: electrical machinery 19, communication equipment and electronics 20, instruments 21.
HIGH_TECH: tuple[str, ...] = ("16", "17", "19", "20", "21")

#: Fossil energy: coal 02, crude oil and natural gas 03, refined petroleum and coke 11.
FOSSIL_ENERGY: tuple[str, ...] = ("02", "03", "11")

#: The three Northeast provinces: Liaoning 辽宁 LN, Jilin 吉林 JL, Heilongjiang 黑龙江 HLJ.
NORTHEAST: tuple[str, ...] = ("LN", "JL", "HLJ")

#: Named groups of region codes (lower-case names), usable wherever a region or a scope is named.
REGION_GROUPS: Mapping[str, tuple[str, ...]] = MappingProxyType({"northeast": NORTHEAST})


def expand_region_groups(names: list[str]) -> list[str]:
    """Region names with every group name replaced by its regions, in order.

    Examples
    --------
    >>> expand_region_groups(["northeast", "ROC"])
    ['LN', 'JL', 'HLJ', 'ROC']
    """
    return [r for n in names for r in REGION_GROUPS.get(str(n).lower(), (n,))]
