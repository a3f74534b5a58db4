"""Reader of the NBS provincial 42-sector input-output tables (2017 and 2012 layouts).

Source: National Bureau of Statistics of China (国家统计局国民经济核算司), 中国地区投入产出表
2017 / 2012 (China Statistics Press): one competitive-import table per province, current
producers' prices, 10,000 CNY (万元). The CSV layout (one row per code) is described in
``raw/nbs_provincial_io_42/PROVENANCE.md``:

* rows ``01``–``42`` (products), ``TII``, ``VA001``–``VA004``, ``TVA``, ``TI``;
* columns ``01``–``42`` (using sectors), ``TIU``, ``FU101`` rural and ``FU102`` urban
  households, ``THC``, ``FU103`` government, ``TC``, ``FU201`` GFCF, ``FU202`` inventory
  change, ``GCF``, ``EX`` exports abroad, ``OF`` outflow to other provinces, ``TFU``,
  ``IM`` imports from abroad, ``IF`` inflow from other provinces (both positive), ``ERR``
  statistical discrepancy, ``GO`` gross output.

The 2012 and 2017 sector lists differ (2012 has 22 其他制造产品 and 23 废品废料 separately and a
single 36 科学研究和技术服务); the layout is detected from the sector names.

References
----------
Miller, R. E. & Blair, P. D. (2009). *Input-Output Analysis: Foundations and Extensions*,
2nd ed., Cambridge University Press, ch. 2 (competitive-import tables) and ch. 3 (regional
tables).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.data import netting
from chainsim.data.iotable import IOTable, Region, Sector
from chainsim.data.provinces import RAW_DIR, province_by_nbs_code
from chainsim.errors import DataError

__all__ = ["COLUMN_CODES", "FD_CODES", "ROW_CODES", "SECTOR_CODES", "ProvincialTable", "load_sectors",
           "read_nbs_provincial", "read_nbs_table"]

SECTOR_CODES = tuple(f"{i:02d}" for i in range(1, 43))
VA_CODES = ("VA001", "VA002", "VA003", "VA004")
ROW_CODES = (*SECTOR_CODES, "TII", *VA_CODES, "TVA", "TI")
COLUMN_CODES = (*SECTOR_CODES, "TIU", "FU101", "FU102", "THC", "FU103", "TC", "FU201", "FU202", "GCF",
                "EX", "OF", "TFU", "IM", "IF", "ERR", "GO")
#: Final-demand columns kept by the parser (the others are subtotals).
FD_CODES = ("FU101", "FU102", "FU103", "FU201", "FU202")
_NONNEGATIVE = ("EX", "OF", "IM", "IF", "GO")


def load_sectors(year: int) -> tuple[Sector, ...]:
    """The 42 NBS sectors of ``year``'s list (2017 or 2012) with Chinese and English names."""
    if year not in (2012, 2017):
        raise DataError(f"NBS 42-sector list: year must be 2012 or 2017, found {year!r}")
    df = pd.read_csv(RAW_DIR / "nbs_provincial_io_42" / f"sectors_42_{year}.csv", dtype=str)
    return tuple(Sector(r.code, r.name_en, r.name_zh) for r in df.itertuples())


@dataclass(frozen=True, eq=False)
class ProvincialTable:
    """One parsed NBS provincial table (competitive imports, 10k CNY), identities checked.

    Attributes
    ----------
    source : str
        The file read.
    region : str
        NBS province code from the file name (``"06"``), else the file stem.
    year : int
        Sector list of the table (2017 or 2012).
    sectors : tuple of Sector
        The 42 products in row order.
    Z : array (42, 42)
        Intermediate use of each product (rows; local, other-province and foreign origin
        mixed) by each using sector (columns).
    final_demand : array (42, 5)
        Final use by category, columns :data:`FD_CODES` (rural, urban households, government,
        GFCF, inventory change).
    EX, OF, IM, IF, ERR, GO : array (42,)
        Exports abroad, outflow to other provinces, imports from abroad, inflow from other
        provinces, statistical discrepancy and gross output of each product.
    VA : array (4, 42)
        Value-added components ``VA001``–``VA004`` of each sector.
    """

    source: str
    region: str
    year: int
    sectors: tuple[Sector, ...]
    Z: np.ndarray
    final_demand: np.ndarray
    EX: np.ndarray
    OF: np.ndarray
    IM: np.ndarray
    IF: np.ndarray
    ERR: np.ndarray
    GO: np.ndarray
    VA: np.ndarray

    def __post_init__(self) -> None:
        for f in ("Z", "final_demand", "EX", "OF", "IM", "IF", "ERR", "GO", "VA"):
            getattr(self, f).setflags(write=False)

    @property
    def value_added(self) -> np.ndarray:
        """Total value added of each sector (sum of ``VA001``–``VA004``)."""
        return self.VA.sum(axis=0)

    @property
    def domestic_use(self) -> np.ndarray:
        """Use of each product in the province: ``TIU + TC + GCF + ERR``."""
        return self.Z.sum(axis=1) + self.final_demand.sum(axis=1) + self.ERR

    @property
    def row_residual(self) -> np.ndarray:
        """``GO - (TIU + TFU - IM - IF + ERR)`` recomputed from the parts (rounding only)."""
        supply_use = self.domestic_use + self.EX + self.OF - self.IM - self.IF
        return self.GO - supply_use


def _detect_year(names: list[str], path: Path) -> int:
    scores = {y: sum(a == s.name_zh for a, s in zip(names, load_sectors(y), strict=True)) for y in (2017, 2012)}
    year = max(scores, key=lambda y: (scores[y], y))
    if scores[year] < 21:
        raise DataError(f"{path}: the names of rows 01-42 match neither the NBS 2017 nor the 2012 42-sector list "
                        f"(best: {scores[year]} of 42 names match the {year} list); pass year= explicitly")
    return year


def _cell(raw: str, path: Path, row: str, col: str) -> float:
    s = raw.strip()
    if s == "":
        raise DataError(f"{path}: row '{row}', column '{col}': expected a number, found an empty cell")
    try:
        v = float(s)
    except ValueError:
        raise DataError(f"{path}: row '{row}', column '{col}': expected a number, found {raw!r}") from None
    if not np.isfinite(v):
        raise DataError(f"{path}: row '{row}', column '{col}': expected a finite number, found {raw!r}")
    return v


def _block(df: pd.DataFrame, rows: tuple[str, ...], cols: tuple[str, ...], path: Path) -> np.ndarray:
    sub = df.loc[list(rows), list(cols)].to_numpy(dtype=object)
    return np.array([[_cell(sub[i, j], path, r, c) for j, c in enumerate(cols)] for i, r in enumerate(rows)])


def _check(lhs: np.ndarray, rhs: np.ndarray, *, path: Path, what: str, where: str, codes: tuple[str, ...],
           atol: float) -> None:
    gap = np.asarray(lhs) - np.asarray(rhs)
    tol = atol + 1e-9 * np.abs(rhs)
    bad = np.flatnonzero(np.abs(gap) > tol)
    if bad.size:
        k = int(bad[np.argmax(np.abs(gap[bad]))])
        raise DataError(f"{path}: {where} '{codes[k]}': identity {what} does not hold: expected "
                        f"{float(np.asarray(rhs)[k]):.10g}, found {float(np.asarray(lhs)[k]):.10g} "
                        f"(gap {float(gap[k]):.6g} 10k CNY; tolerance {atol:g}; {bad.size} {where}(s) affected)")


def read_nbs_table(path: str | Path, *, year: int | None = None, atol: float = 1.0) -> ProvincialTable:
    """Parse one NBS provincial 42-sector table and check its accounting identities.

    Parameters
    ----------
    path : path
        CSV in the layout of ``raw/nbs_provincial_io_42`` (columns ``code``, ``name_zh`` and
        the codes of :data:`COLUMN_CODES`; rows :data:`ROW_CODES`).
    year : {2017, 2012}, optional
        Sector list; detected from the row names when omitted.
    atol : float
        Absolute tolerance of the identities, in 10k CNY (the published tables hold to
        < 0.5; rounding in the source).

    Returns
    -------
    ProvincialTable

    Raises
    ------
    DataError
        Missing or duplicated row or column code, an empty or non-numeric cell, a negative
        flow, or a broken identity (row: ``sum(Z) = TIU``, ``THC = FU101 + FU102``,
        ``TC = THC + FU103``, ``GCF = FU201 + FU202``, ``TFU = TC + GCF + EX + OF``,
        ``TIU + TFU - IM - IF + ERR = GO``; column: ``sum(Z) = TII``, ``sum(VA) = TVA``,
        ``TII + TVA = TI``, ``TI = GO``); the message names the file, the row or column
        code, the expected and the found value.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: file not found (expected an NBS provincial 42-sector table as CSV)")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: cannot parse as a UTF-8 CSV ({exc})") from None
    if list(df.columns[:2]) != ["code", "name_zh"]:
        raise DataError(f"{path}: the first two columns must be 'code,name_zh'; found {list(df.columns[:2])}")
    missing = [c for c in COLUMN_CODES if c not in df.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; expected columns {list(COLUMN_CODES)}")
    df["code"] = df["code"].str.strip()
    dup = df["code"][df["code"].duplicated()]
    if len(dup):
        raise DataError(f"{path}: row code '{dup.iloc[0]}' appears more than once")
    df = df.set_index("code")
    missing = [r for r in ROW_CODES if r not in df.index]
    if missing:
        raise DataError(f"{path}: missing row(s) {missing}; expected rows 01-42, TII, VA001-VA004, TVA, TI")
    if year is None:
        year = _detect_year([str(df.loc[c, "name_zh"]).strip() for c in SECTOR_CODES], path)
    sectors = load_sectors(year)

    S = SECTOR_CODES
    main = _block(df, S, COLUMN_CODES, path)
    col = {c: main[:, i] for i, c in enumerate(COLUMN_CODES)}
    Z = main[:, : len(S)]
    lower = _block(df, ("TII", *VA_CODES, "TVA", "TI"), S, path)
    tii, va, tva, ti = lower[0], lower[1:5], lower[5], lower[6]

    for name in ("Z", *_NONNEGATIVE):
        arr = Z if name == "Z" else col[name]
        neg = np.argwhere(arr < 0)
        if neg.size:
            r = S[neg[0][0]]
            c = S[neg[0][1]] if name == "Z" else name
            raise DataError(f"{path}: row '{r}', column '{c}': expected a non-negative flow, "
                            f"found {arr[tuple(neg[0])]:.6g}")
    kw = {"path": path, "atol": atol}
    rows = {"where": "row", "codes": S}
    cols = {"where": "column", "codes": S}
    _check(Z.sum(axis=1), col["TIU"], what="sum of columns 01-42 = TIU", **kw, **rows)
    _check(col["FU101"] + col["FU102"], col["THC"], what="FU101 + FU102 = THC", **kw, **rows)
    _check(col["THC"] + col["FU103"], col["TC"], what="THC + FU103 = TC", **kw, **rows)
    _check(col["FU201"] + col["FU202"], col["GCF"], what="FU201 + FU202 = GCF", **kw, **rows)
    _check(col["TC"] + col["GCF"] + col["EX"] + col["OF"], col["TFU"], what="TC + GCF + EX + OF = TFU", **kw, **rows)
    _check(col["TIU"] + col["TFU"] - col["IM"] - col["IF"] + col["ERR"], col["GO"],
           what="TIU + TFU - IM - IF + ERR = GO", **kw, **rows)
    _check(Z.sum(axis=0), tii, what="sum of rows 01-42 = TII", **kw, **cols)
    _check(va.sum(axis=0), tva, what="VA001 + VA002 + VA003 + VA004 = TVA", **kw, **cols)
    _check(tii + tva, ti, what="TII + TVA = TI", **kw, **cols)
    _check(ti, col["GO"], what="TI (column total) = GO (row total)", **kw, **cols)

    prefix = path.stem.split("_", 1)[0]
    region = prefix if prefix.isdigit() else path.stem
    return ProvincialTable(
        source=str(path), region=region, year=year, sectors=sectors, Z=Z,
        final_demand=np.column_stack([col[c] for c in FD_CODES]),
        EX=col["EX"], OF=col["OF"], IM=col["IM"], IF=col["IF"], ERR=col["ERR"], GO=col["GO"], VA=va,
    )


def read_nbs_provincial(path: str | Path, *, year: int | None = None, name: str | None = None,
                        reexport_rule: str = "proportional") -> IOTable:
    """Read one NBS provincial table as a single-region :class:`IOTable`.

    The province is the only region. Its sources other than local production, the inflow
    from other provinces (IF) and the imports from abroad (IM), both become *imports* with
    origins ``"DOMESTIC"`` and ``"ABROAD"``; sales outside the province, exports abroad (EX)
    and the outflow to other provinces (OF), both become ``exports``. Before that:

    1. re-exports are netted out by ``reexport_rule`` (:mod:`chainsim.data.reexports`), so
       that ``EX + OF <= GO`` and local supply is non-negative;
    2. the statistical discrepancy ``ERR`` (and the sub-unit rounding residual of the row
       identity) is folded into the inventory-change category;
    3. each product's local / other-province / foreign shares are applied to every user
       (the proportionality assumption; :func:`chainsim.data.netting.source_shares`);
       negative entries (inventory draw-downs) are met from local stocks, since imports
       cannot be negative (``negatives="local"``), so a product the province does not
       produce can show local flows that its negative inventory entry cancels.

    Final-demand columns: ``household`` (FU101 + FU102), ``government`` (FU103), ``gfcf``
    (FU201), ``inventory`` (FU202 + ERR). Units: 10k CNY.

    Parameters
    ----------
    path : path
        The provincial CSV (see :func:`read_nbs_table`).
    year : {2017, 2012}, optional
        Sector list; detected when omitted.
    name : str, optional
        Table name; default ``"nbs-<year>-<region>"``.
    reexport_rule : {"proportional", "excess"}
        Re-export netting rule (:data:`chainsim.data.reexports.REEXPORT_RULES`).

    Returns
    -------
    IOTable
        One region, 42 sectors, origins ``("ABROAD", "DOMESTIC")``; ``DOMESTIC`` (the other
        provinces) is listed in ``domestic_origins``.

    Raises
    ------
    DataError
        See :func:`read_nbs_table`.
    """
    pt = read_nbs_table(path, year=year)
    prov = province_by_nbs_code(pt.region)
    region = Region(prov.code, prov.name_en, prov.name_zh) if prov else Region(pt.region)
    F = netting.final_demand_categories(pt.final_demand, pt.ERR + pt.row_residual)
    tr = netting.net_reexports(pt.GO, pt.EX, pt.OF, pt.IM, pt.IF, rule=reexport_rule, where=str(path))
    sh = netting.source_shares(pt.Z, F, pt.GO, tr.EX, tr.OF, tr.IM, tr.IF, negatives="local", where=str(path))
    Fpos, Fneg = np.clip(F, 0, None), np.clip(F, None, 0)
    Z = pt.Z * sh.local[:, None]
    Y = Fpos * sh.local[:, None] + Fneg
    # closure: float rounding of the local row goes to its inventory entry (the row's residual use)
    Y[:, -1] += (pt.GO - tr.EX - tr.OF) - (Z.sum(axis=1) + Y.sum(axis=1))
    imports_Z = np.stack([pt.Z * sh.abroad[:, None], pt.Z * sh.other[:, None]])
    imports_Y = np.stack([Fpos * sh.abroad[:, None], Fpos * sh.other[:, None]])
    return IOTable(
        name=name or f"nbs-{pt.year}-{region.code}", regions=(region,), sectors=pt.sectors,
        Z=Z, Y=Y, fd_columns=tuple((region.code, c) for c in netting.FD_CATEGORIES),
        exports=tr.EX + tr.OF, value_added=pt.GO - pt.Z.sum(axis=0), x=pt.GO,
        origins=("ABROAD", "DOMESTIC"), imports_Z=imports_Z, imports_Y=imports_Y, domestic_origins=("DOMESTIC",),
        unit="10k CNY", cny_per_unit=1e4,
        provenance={
            "source": "NBS 中国地区投入产出表 (provincial 42-sector table)", "file": Path(path).name, "year": pt.year,
            "reader": "chainsim.data.nbs.read_nbs_provincial",
            "exports": "EX (abroad) + OF (to other provinces), after re-export netting",
            "imports": "origin ABROAD = IM, origin DOMESTIC = IF (inflow from other provinces), after netting",
            "reexport_rule": reexport_rule,
            "netted_10k_cny": dict(zip(netting.PAIR_NAMES, map(float, tr.netted.sum(axis=0)), strict=True)),
            "value_added": "GO - sum of intermediate inputs (equals TVA up to the source's rounding)",
            "assumptions": [netting.ASSUMPTION_NETTING, netting.ASSUMPTION_ERR,
                            "Proportionality: every user of a product takes the same shares from local production, "
                            "other provinces (IF) and abroad (IM); negative entries (inventory draw-downs) are met "
                            "from local stocks: local (L - N)/P, other provinces IF/P, abroad IM/P of the positive "
                            "uses P, with L = GO - EX - OF and N <= 0 the negative entries."],
        },
    )
