"""National detail inside the NBS-42 sectors: the 2017 national 149-sector table and the 42 <-> 149 concordance.

The NBS 2017 provincial tables have 42 sectors; the national table of the same year has 149
(中国投入产出表2017, 149 部门, competitive imports, 10k CNY, producers' prices). The
products of the chokepoint debate sit inside a few NBS-42 sectors: integrated circuits in
092 电子元器件 (inside 20), CNC machine tools in 068 金属加工机械 (inside 16), industrial robots
in 072 其他通用设备 (16), semiconductor equipment in 076 其他专用设备 (17)
(``shared/reference/LEVER_EVIDENCE.md`` §C). :func:`national_detail` aggregates the 149
table to a *fine* classification: the 42 sectors, with the sectors named in ``split``
replaced by their 149-sector components. Its arrays are the national weights by which
:mod:`chainsim.data.disaggregate` splits a provincial table.

Fine product codes: an unsplit sector keeps its NBS-42 code (``"01"`` .. ``"42"``); a
component of a split sector takes its three-digit 149 code (``"092"``), which never
coincides with a 42 code. :attr:`NationalDetail.parent` gives the 42 code of every fine
product.

References
----------
NBS 国家统计局国民经济核算司 (2019). 中国投入产出表2017. China Statistics Press (149 sectors);
republished in the R package ionet (Xiao, Yan & Zhang), raw/nbs_national_io/PROVENANCE.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.data.iotable import IOTable, Sector
from chainsim.data.nbs import SECTOR_CODES, load_sectors
from chainsim.data.netting import FD_CATEGORIES
from chainsim.data.provinces import RAW_DIR
from chainsim.errors import DataError, did_you_mean

__all__ = ["CHOKEPOINT_SPLIT", "CONCORDANCE_149", "NATIONAL_149", "NationalDetail", "concordance_149",
           "national_detail", "sector_parents"]

NATIONAL_149 = RAW_DIR / "nbs_national_io" / "china_2017_149.csv"
CONCORDANCE_149 = RAW_DIR / "nbs_national_io" / "concordance_2017_42_149.csv"
#: NBS-42 sectors split in ``northeast-2017-fine``: 16 general equipment (metal-processing machinery
#: with CNC machine tools, other general equipment with industrial robots), 17 special equipment
#: (other special equipment with semiconductor equipment) and 20 electronics (computers,
#: communication equipment, electronic components with ICs). 21 instruments is a single 149
#: sector (094) already. Any other sector can be split with ``build_northeast_2017_fine(split=)``
#: (19 electrical machinery adds five products and about 30 % to the scan's run time).
CHOKEPOINT_SPLIT: tuple[str, ...] = ("16", "17", "20")
#: National final-use columns of each final-demand category (:data:`chainsim.data.netting.FD_CATEGORIES`).
_FD_COLUMNS = {"household": ("FU101", "FU102"), "government": ("FU103",), "gfcf": ("FU201",), "inventory": ("FU202",)}


@cache
def concordance_149(path: Path = CONCORDANCE_149) -> pd.DataFrame:
    """The NBS 2017 42 <-> 149 concordance: columns ``code42, name42_zh, code149`` (three digits), ``name149_zh``.

    Raises
    ------
    DataError
        A 42 code outside 01..42, a 149 code listed twice, or 149 codes not 001..149.
    """
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    need = {"code42", "name42_zh", "code149", "name149_zh"}
    if not need <= set(df.columns):
        raise DataError(f"{path}: expected columns {sorted(need)}; found {list(df.columns)}")
    df["code149"] = df["code149"].str[-3:]  # '39092' (class + serial) -> '092'
    if sorted(df["code149"]) != [f"{i:03d}" for i in range(1, 150)]:
        raise DataError(f"{path}: column code149 must list each 149 sector 001..149 once")
    bad = sorted(set(df["code42"]) - set(SECTOR_CODES))
    if bad or sorted(set(df["code42"])) != list(SECTOR_CODES):
        raise DataError(f"{path}: column code42 must cover the NBS-42 codes 01..42 exactly; found extra {bad}")
    return df


@dataclass(frozen=True, eq=False)
class NationalDetail:
    """China's 2017 national table on a fine classification (read-only arrays, 10k CNY).

    Attributes
    ----------
    split : tuple of str
        The NBS-42 sectors replaced by their 149 components.
    sectors : tuple of Sector
        The fine products in NBS order (a split sector's components where the sector was).
    parent : tuple of str
        The NBS-42 code of every fine product.
    Z : array (S', S')
        Intermediate use (competitive: domestic and imported), product rows x user columns.
    F : array (S', 4)
        Final use by :data:`~chainsim.data.netting.FD_CATEGORIES` (households, government,
        GFCF, inventory change; the last may be negative).
    exports, imports, output, value_added : array (S',)
    """

    split: tuple[str, ...]
    sectors: tuple[Sector, ...]
    parent: tuple[str, ...]
    Z: np.ndarray
    F: np.ndarray
    exports: np.ndarray
    imports: np.ndarray
    output: np.ndarray
    value_added: np.ndarray

    @property
    def codes(self) -> tuple[str, ...]:
        """Fine product codes."""
        return tuple(s.code for s in self.sectors)

    @property
    def domestic_use(self) -> np.ndarray:
        """Use in China (intermediate and final, inventory change included), domestic and imported.

        ``TIU + TFU - EX``: the denominator of the import dependence of LEVER_EVIDENCE §C.
        """
        return self.Z.sum(axis=1) + self.F.sum(axis=1)

    @property
    def import_share(self) -> np.ndarray:
        """Imports / use in China of every fine product (``IM / (TIU + TFU - EX)``; 0 where unused)."""
        use = self.domestic_use
        return np.where(use > 0, self.imports / np.where(use > 0, use, 1.0), 0.0)

    def children(self, code42: str) -> np.ndarray:
        """Indices of the fine products of NBS-42 sector ``code42``."""
        return np.flatnonzero(np.array(self.parent) == code42)


def _read_149(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, dtype={"Code": str})
    codes = [f"{i:03d}" for i in range(1, 150)]
    cols = [*codes, "TIU", "FU101", "FU102", "FU103", "FU201", "FU202", "EX", "IM", "GO"]
    missing = [c for c in [*codes, "TVA"] if c not in set(df["Code"])] + [c for c in cols if c not in df.columns]
    if missing:
        raise DataError(f"{path}: rows or columns missing: {missing[:5]}")
    return df.set_index("Code")


@cache
def national_detail(split: tuple[str, ...] = CHOKEPOINT_SPLIT, path: Path = NATIONAL_149) -> NationalDetail:
    """The national 2017 table on the 42 sectors with ``split`` replaced by their 149-sector components.

    Parameters
    ----------
    split : tuple of str
        NBS-42 codes to split; each must have at least two 149-sector components.
    path : path
        The national 149-sector table (``raw/nbs_national_io/china_2017_149.csv``).

    Returns
    -------
    NationalDetail

    Raises
    ------
    DataError
        Unknown code (with a did-you-mean), a sector with a single component, or a table
        whose identities do not hold (rows ``TIU + TFU - IM = GO``, columns ``TII + TVA = GO``,
        to 1e-3 of 10k CNY).

    Examples
    --------
    >>> d = national_detail(("20",))
    >>> [s.code for s in d.sectors if d.parent[d.codes.index(s.code)] == "20"]
    ['088', '089', '090', '091', '092', '093']
    >>> round(float(d.import_share[d.codes.index("092")]), 3)  # ICs sit here: 41.7 % imported
    0.417
    """
    conc = concordance_149()
    counts = conc["code42"].value_counts()
    for c in split:
        if c not in SECTOR_CODES:
            raise DataError(f"split: unknown NBS-42 sector {c!r}; expected codes 01..42{did_you_mean(c, SECTOR_CODES)}")
        if counts[c] < 2:
            only = conc.loc[conc["code42"] == c, ["code149", "name149_zh"]].iloc[0]
            raise DataError(f"split: NBS-42 sector {c} is a single 149 sector ({only.code149} {only.name149_zh}); "
                            f"there is nothing to split")
    split = tuple(c for c in SECTOR_CODES if c in split)
    df = _read_149(path)
    codes149 = [f"{i:03d}" for i in range(1, 150)]
    Z149 = df.loc[codes149, codes149].to_numpy(dtype=float)
    rows = df.loc[codes149]
    go = rows["GO"].to_numpy(dtype=float)
    va = df.loc["TVA", codes149].to_numpy(dtype=float)
    fd = rows[["FU101", "FU102", "FU103", "FU201", "FU202"]].to_numpy(dtype=float)
    ex, im = rows["EX"].to_numpy(dtype=float), rows["IM"].to_numpy(dtype=float)
    gap_r = np.abs(Z149.sum(axis=1) + fd.sum(axis=1) + ex - im - go).max()
    gap_c = np.abs(Z149.sum(axis=0) + va - go).max()
    if max(gap_r, gap_c) > 1e-3:
        raise DataError(f"{path}: identities do not hold (rows {gap_r:.3g}, columns {gap_c:.3g} of 10k CNY)")
    names42 = {s.code: s for s in load_sectors(2017)}
    by149 = dict(zip(conc["code149"], conc["code42"], strict=True))
    fine: list[Sector] = []
    parent: list[str] = []
    member = np.zeros(149, dtype=int)
    for c42 in SECTOR_CODES:
        if c42 in split:
            for c149 in [c for c in codes149 if by149[c] == c42]:
                r = rows.loc[c149]
                fine.append(Sector(c149, str(r["Description"]).strip(), str(r["DescriptionInChinese"]).strip()))
                parent.append(c42)
                member[codes149.index(c149)] = len(fine) - 1
        else:
            fine.append(names42[c42])
            parent.append(c42)
            for c149 in [c for c in codes149 if by149[c] == c42]:
                member[codes149.index(c149)] = len(fine) - 1
    agg = np.zeros((len(fine), 149))
    agg[member, np.arange(149)] = 1.0
    F = np.stack([fd[:, [("FU101", "FU102", "FU103", "FU201", "FU202").index(c) for c in _FD_COLUMNS[k]]].sum(axis=1)
                  for k in FD_CATEGORIES], axis=1)
    out = NationalDetail(split=split, sectors=tuple(fine), parent=tuple(parent), Z=agg @ Z149 @ agg.T, F=agg @ F,
                         exports=agg @ ex, imports=agg @ im, output=agg @ go, value_added=agg @ va)
    for a in (out.Z, out.F, out.exports, out.imports, out.output, out.value_added):
        a.flags.writeable = False
    return out


def sector_parents(table: IOTable) -> dict[str, str]:
    """The NBS-42 sector of every sector of ``table``: ``provenance["sector_parents"]`` of a split table, else itself.

    Examples
    --------
    >>> from chainsim.data.toy import load_toy
    >>> sector_parents(load_toy())
    {'A': 'A', 'B': 'B'}
    """
    given = dict(table.provenance.get("sector_parents", {}) or {})
    return {c: str(given.get(c, c)) for c in table.sector_codes}


def nbs42_parents(table: IOTable) -> tuple[str, ...] | None:
    """The NBS-42 sector of each sector of ``table`` if the table is NBS-42 or splits it, else None.

    The evidence tables (stock days, finished goods, backlog, utilisation), the criticality survey
    and the non-competitive list are keyed by NBS-42 code; a split table's components take their
    sector's row (the split's own assumption). A table whose sectors do not cover the 42 codes is
    not the NBS classification.

    Examples
    --------
    >>> from chainsim.data.toy import load_toy
    >>> nbs42_parents(load_toy()) is None
    True
    """
    from chainsim.data.classification import NBS42_CODES

    parents = sector_parents(table)
    if set(parents.values()) != set(NBS42_CODES):
        return None
    return tuple(parents[c] for c in table.sector_codes)
