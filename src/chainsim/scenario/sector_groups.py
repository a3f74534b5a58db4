"""Named groups of NBS-42 sectors: the coverage of China's official industrial statistics.

NBS reports the value added of *industry above designated size* (规模以上工业) for the
divisions of mining (B, NBS-42 02–05), manufacturing (C, 06–23) and electricity, heat, gas and
water (D, 24–26): together "industry" (工业, 02–26). The groups here follow that coverage so
that model numbers can be laid next to the releases (``observed_2020_calibration.csv``).
The table covers all firms, not only those above the size threshold: a model group is the
whole sector, an NBS figure its larger firms.

Examples
--------
>>> SECTOR_GROUPS["utilities"].codes
('24', '25', '26')
>>> sector_mask(["manufacturing", "27"], ("01", "06", "23", "24", "27")).tolist()
[False, True, True, False, True]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from chainsim.errors import ScenarioError, did_you_mean

__all__ = ["OUTPUT_GROUPS", "SECTOR_GROUPS", "SectorGroup", "group_codes", "sector_mask"]


def _codes(first: int, last: int) -> tuple[str, ...]:
    return tuple(f"{k:02d}" for k in range(first, last + 1))


@dataclass(frozen=True)
class SectorGroup:
    """A named set of NBS-42 sector codes, with its Chinese name and what it stands for."""

    name: str
    name_zh: str
    codes: tuple[str, ...]
    note: str = ""


SECTOR_GROUPS = MappingProxyType({g.name: g for g in (
    SectorGroup("industry", "工业", _codes(2, 26),
                "NBS 02–26: mining, manufacturing, utilities (规模以上工业 coverage)"),
    SectorGroup("mining", "采矿业", _codes(2, 5), "NBS 02–05 (division B)"),
    SectorGroup("manufacturing", "制造业", _codes(6, 23), "NBS 06–23 (division C)"),
    SectorGroup("utilities", "电力、热力、燃气及水生产和供应业", _codes(24, 26), "NBS 24–26 (division D)"),
    SectorGroup("agriculture", "农林牧渔业", _codes(1, 1), "NBS 01"),
    SectorGroup("construction", "建筑业", _codes(27, 27), "NBS 27"),
    SectorGroup("services", "服务业", _codes(28, 42), "NBS 28–42 (tertiary industry)"),
)})

#: the groups written to ``monthly.csv`` (the issue's list), before the single sector codes
OUTPUT_GROUPS = ("industry", "manufacturing", "mining", "utilities")


def group_codes(name: str, sector_codes: Sequence[str]) -> tuple[str, ...]:
    """The table's sector codes that a group name, ``"all"`` or a single sector code stands for.

    Raises
    ------
    ScenarioError
        An unknown name (with the nearest valid one).
    """
    codes = tuple(str(c) for c in sector_codes)
    if name == "all":
        return codes
    if name in SECTOR_GROUPS:
        return tuple(c for c in SECTOR_GROUPS[name].codes if c in codes)
    if str(name) in codes:
        return (str(name),)
    choices = ["all", *SECTOR_GROUPS, *codes]
    raise ScenarioError(f"unknown sector or sector group '{name}'; expected one of {['all', *SECTOR_GROUPS]} or a "
                        f"sector code such as '{codes[0]}'{did_you_mean(str(name), choices)}")


def sector_mask(names: str | Iterable[str], sector_codes: Sequence[str]) -> np.ndarray:
    """Boolean mask over ``sector_codes`` of the union of groups / codes in ``names``."""
    names = [names] if isinstance(names, str) else [str(n) for n in names]
    codes = tuple(str(c) for c in sector_codes)
    chosen = {c for n in names for c in group_codes(n, codes)}
    return np.array([c in chosen for c in codes], dtype=bool)
