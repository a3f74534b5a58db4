"""The shipped tables behind labour and demand shocks, read once and looked up per industry.

Files in ``chainsim/shocks/data`` (sources in its ``PROVENANCE.md``; the derived ones are
rebuilt by :mod:`chainsim.shocks.build_tables`):

* ``labour_nbs42.csv``: employment 2017 per NBS-42 sector, and the remote-labour index
  (RLI) and essential score (ESS) of Pichler et al. (2022, Table 5), employment-weighted;
* ``labour_share_2017.csv``: compensation of employees / value added per region and sector
  (NBS 2017 provincial tables);
* ``subregion_shares.csv``: share of a region's sector in a sub-region (Changchun in Jilin,
  Shanghai and Hubei in the rest of China) with a low / high range and its derivation;
* ``deferrable_demand.csv``: which final-demand categories and products are postponed, not
  cancelled, when demand falls (durables and investment goods).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from chainsim.data.iotable import IOTable
from chainsim.errors import ScenarioError, did_you_mean

__all__ = ["DATA_DIR", "LabourTable", "deferrable_cells", "industry_labour_share", "load_labour_table",
           "load_subregions", "sector_values", "subregion_share"]

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, eq=False)
class LabourTable:
    """Labour data per NBS-42 sector (national) and labour shares per region and sector."""

    sectors: tuple[str, ...]
    employment: np.ndarray
    rli: np.ndarray
    ess: np.ndarray
    labour_share: Mapping[str, np.ndarray]

    def lookup(self, field: str, sector_codes: tuple[str, ...]) -> np.ndarray:
        """``employment``, ``rli`` or ``ess`` for each of ``sector_codes``.

        Raises
        ------
        ScenarioError
            A sector code that is not an NBS-42 code (give the value explicitly instead).
        """
        pos = {s: i for i, s in enumerate(self.sectors)}
        missing = [s for s in sector_codes if s not in pos]
        if missing:
            raise ScenarioError(f"no {field} for sector(s) {missing}: the shipped labour table covers the NBS-42 "
                                f"codes 01-42; give the values per sector in the scenario")
        return np.asarray(getattr(self, field))[[pos[s] for s in sector_codes]]


@cache
def load_labour_table(data_dir: Path = DATA_DIR) -> LabourTable:
    """Read ``labour_nbs42.csv`` and ``labour_share_2017.csv`` (cached, read-only arrays)."""
    lab = pd.read_csv(data_dir / "labour_nbs42.csv", dtype={"sector": str})
    share = pd.read_csv(data_dir / "labour_share_2017.csv", dtype={"sector": str, "region": str})
    sectors = tuple(lab.sector)
    by_region = {}
    for region, g in share.groupby("region"):
        g = g.set_index("sector").reindex(sectors)
        by_region[str(region)] = _frozen(g.labour_share.to_numpy(float))
    return LabourTable(sectors=sectors, employment=_frozen(lab.employment_10k.to_numpy(float)),
                       rli=_frozen(lab.rli.to_numpy(float)), ess=_frozen(lab.ess.to_numpy(float)),
                       labour_share=MappingProxyType(by_region))


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


def industry_labour_share(table: IOTable, labour: LabourTable | None = None) -> np.ndarray:
    """Labour share of value added of each industry: its region's, else the national (``CN``) one.

    Returns
    -------
    ndarray (N,)
    """
    labour = labour or load_labour_table()
    codes = table.sector_codes
    labour.lookup("employment", codes)  # raises for codes outside NBS-42
    national = _by_sector(labour.labour_share["CN"], labour.sectors, codes)
    out = np.empty(table.n_industries)
    for r, region in enumerate(table.region_codes):
        row = labour.labour_share.get(region)
        out[r * len(codes):(r + 1) * len(codes)] = national if row is None else _by_sector(row, labour.sectors, codes)
    return out


def _by_sector(values: np.ndarray, sectors: tuple[str, ...], codes: tuple[str, ...]) -> np.ndarray:
    pos = {s: i for i, s in enumerate(sectors)}
    return np.array([values[pos[c]] for c in codes], dtype=float)


def sector_values(spec: float | Mapping[str, float] | str, field: str, sector_codes: tuple[str, ...],
                  labour: LabourTable | None = None) -> np.ndarray:
    """A per-sector value: a number, ``{sector: value}`` (others 0), or ``"pichler2022"`` (the table's).

    Raises
    ------
    ScenarioError
        An unknown sector in the mapping, or ``"pichler2022"`` for a table without NBS-42 codes.
    """
    if isinstance(spec, str):
        return (labour or load_labour_table()).lookup(field, sector_codes)
    if isinstance(spec, Mapping):
        unknown = [k for k in spec if str(k) not in sector_codes]
        if unknown:
            raise ScenarioError(f"{field}: unknown sector(s) {unknown}; expected codes such as '{sector_codes[0]}'")
        return np.array([float(spec.get(c, 0.0)) for c in sector_codes])
    return np.full(len(sector_codes), float(spec))


@cache
def load_subregions(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """``subregion_shares.csv`` as a frame (subregion, region, sector, share, low, high, method, source)."""
    return pd.read_csv(data_dir / "subregion_shares.csv", dtype={"sector": str})


def subregion_share(name: str, region: str, table: IOTable, *, bound: str = "share") -> np.ndarray:
    """Share of each of ``region``'s sectors that lies in sub-region ``name`` (``share``, ``low`` or ``high``).

    Returns
    -------
    ndarray (S,)

    Raises
    ------
    ScenarioError
        An unknown sub-region, a sub-region of another region, or a sector it does not cover.
    """
    df = load_subregions()
    names = sorted(df.subregion.unique())
    if name not in names:
        raise ScenarioError(f"unknown sub-region '{name}'; expected one of {names}{did_you_mean(name, names)}")
    rows = df[df.subregion == name]
    regions = sorted(rows.region.unique())
    if region not in regions:
        raise ScenarioError(f"sub-region '{name}' lies in region {regions}, not in '{region}'")
    vals = rows.set_index("sector")[bound]
    missing = [c for c in table.sector_codes if c not in vals.index]
    if missing:
        raise ScenarioError(f"sub-region '{name}' has no share for sector(s) {missing}; give area.share instead")
    return vals.reindex(list(table.sector_codes)).to_numpy(float)


@cache
def _deferrable(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    return pd.read_csv(data_dir / "deferrable_demand.csv", dtype={"sector": str, "category": str})


def deferrable_cells(category: str, sector_codes: tuple[str, ...]) -> np.ndarray:
    """Boolean mask over ``sector_codes``: products whose ``category`` demand is postponed when it falls."""
    df = _deferrable()
    rows = df[df.category == category]
    if (rows.sector == "all").any():
        return np.ones(len(sector_codes), dtype=bool)
    return np.isin(np.asarray(sector_codes), rows.sector.to_numpy())
