"""Origin countries of China's imports, by product, from the World Input-Output Table 2011.

China's imports of product ``c`` from country ``k`` are read from the WIOD world table
(release 2013, year 2011, USD millions; Timmer et al. 2015): the intermediate imports are
the row ``k_c`` summed over China's 35 using industries, the final imports the row summed
over China's five final-demand columns (negative inventory entries set to zero). Countries
other than :data:`ORIGINS` (and WIOD's own rest of the world) form ``ROW``.

The shares are mapped to the NBS 42 sectors with ``raw/wiod2013_release/
concordance_wiod35_nbs42.csv`` (one row per NBS sector, with the fit and a note). Where an
NBS sector draws on several WIOD industries, their imports are added before the shares are
taken, i.e. the industries are weighted by China's import value. Assumption: every
province, and every user within it, shares China's 2011 origin mix of the product.

References
----------
Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. & de Vries, G. J. (2015). An
Illustrated User Guide to the World Input-Output Database: the Case of Global Automotive
Production. *Review of International Economics* 23(3): 575-605.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.data.provinces import RAW_DIR
from chainsim.errors import DataError

__all__ = ["DOMESTIC_POOL", "DOMESTIC_POOL_NAMES", "IMPORTER", "ORIGINS", "china_imports_wiod", "load_concordance",
           "nbs42_origin_shares", "wiod_origin_shares"]

IMPORTER = "CHN"
#: Named foreign origins; every other country (and WIOD's RoW) is "ROW".
ORIGINS = ("JPN", "KOR", "TWN", "USA", "DEU", "RUS", "AUS", "BRA", "ROW")
#: Pseudo-origin of the built tables (not a country; ``IOTable.domestic_origins``): the inflows
#: that the national OF/IF reconciliation cannot match to any province's outflow
#: (:func:`chainsim.data.netting.reconcile_interprovincial`).
DOMESTIC_POOL = "DOM"
DOMESTIC_POOL_NAMES = ("unallocated domestic inflows (national OF/IF gap)", "国内未匹配调入")
USES = ("intermediate", "final", "total")
_WIOD = RAW_DIR / "wiod2013_release"


@cache
def china_imports_wiod(raw_dir: Path = _WIOD) -> pd.DataFrame:
    """China's 2011 imports by WIOD industry and origin (USD mn).

    Returns
    -------
    DataFrame
        Index: MultiIndex (use in {"intermediate", "final"}, industry ``c1``..``c35``);
        columns :data:`ORIGINS`.
    """
    Z = pd.read_csv(raw_dir / "wiot2011_Z_intermediate.csv.gz", index_col=0)
    Y = pd.read_csv(raw_dir / "wiot2011_Y_final.csv.gz", index_col=0)
    industries = pd.read_csv(raw_dir / "industries_35.csv", dtype=str)["code"].tolist()
    countries = pd.read_csv(raw_dir / "countries_41.csv", dtype=str)["iso3"].tolist()
    if IMPORTER not in countries:
        raise DataError(f"{raw_dir / 'countries_41.csv'}: importer {IMPORTER} not listed")
    parts = {}
    for use, frame in (("intermediate", Z), ("final", Y)):
        cols = [c for c in frame.columns if c.startswith(IMPORTER + "_")]
        if not cols:
            raise DataError(f"{raw_dir}: no {use} columns for {IMPORTER}")
        block = frame[cols].to_numpy(dtype=float)
        summed = np.clip(block, 0, None).sum(axis=1)
        parts[use] = pd.Series(summed, index=frame.index)
    rows = []
    for use, s in parts.items():
        table = pd.DataFrame(0.0, index=industries, columns=list(ORIGINS))
        for k in countries:
            if k == IMPORTER:
                continue
            origin = k if k in ORIGINS else "ROW"
            labels = [f"{k}_{c}" for c in industries]
            missing = [lab for lab in labels if lab not in s.index]
            if missing:
                raise DataError(f"{raw_dir}: WIOD row '{missing[0]}' missing from the {use} table")
            table[origin] += s.loc[labels].to_numpy()
        table.index = pd.MultiIndex.from_product([[use], industries], names=["use", "industry"])
        rows.append(table)
    return pd.concat(rows)


def wiod_origin_shares(use: str = "total") -> pd.DataFrame:
    """Share of each origin in China's imports of each WIOD industry (rows sum to 1; 0 if no imports).

    Parameters
    ----------
    use : {"intermediate", "final", "total"}
        Which imports: used by industries, by final demand, or both.
    """
    if use not in USES:
        raise DataError(f"use must be one of {USES}, found {use!r}")
    m = _imports(use)
    tot = m.sum(axis=1)
    return m.div(tot.where(tot > 0, 1.0), axis=0)


def _imports(use: str) -> pd.DataFrame:
    imp = china_imports_wiod()
    if use == "total":
        return imp.loc["intermediate"] + imp.loc["final"]
    return imp.loc[use].copy()


@cache
def load_concordance(path: Path = _WIOD / "concordance_wiod35_nbs42.csv") -> pd.DataFrame:
    """The NBS-42 -> WIOD-35 concordance (columns nbs42, nbs42_name_en, wiod35 list, fit, note)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    expected = [f"{i:02d}" for i in range(1, 43)]
    if df["nbs42"].tolist() != expected:
        raise DataError(f"{path}: column nbs42 must list 01..42 in order")
    df["wiod35"] = df["wiod35"].str.split(";")
    valid = {f"c{i}" for i in range(1, 36)}
    for code, lst in zip(df["nbs42"], df["wiod35"], strict=True):
        if not lst or not set(lst) <= valid:
            raise DataError(f"{path}: NBS sector {code}: unknown WIOD industry in {lst}")
    return df


def nbs42_origin_shares(use: str = "total") -> pd.DataFrame:
    """Origin shares of China's imports for each NBS 42 sector (42 x 9, rows sum to 1).

    The imports of all WIOD industries mapped to a sector are added before dividing
    (weights = China's import values). A sector whose mapped industries show no imports of
    this ``use`` falls back to the shares of total (intermediate + final) imports, and then
    to China's overall origin mix.

    Parameters
    ----------
    use : {"intermediate", "final", "total"}

    Returns
    -------
    DataFrame
        Index NBS codes ``"01"``..``"42"``, columns :data:`ORIGINS`.

    Examples
    --------
    >>> s = nbs42_origin_shares("intermediate")
    >>> bool(np.allclose(s.sum(axis=1), 1.0))
    True
    """
    if use not in USES:
        raise DataError(f"use must be one of {USES}, found {use!r}")
    conc = load_concordance()
    fallbacks = [_imports(use), _imports("total")]
    overall = _imports("total").sum(axis=0)
    out = pd.DataFrame(0.0, index=conc["nbs42"].tolist(), columns=list(ORIGINS))
    for code, lst in zip(conc["nbs42"], conc["wiod35"], strict=True):
        row = overall
        for m in fallbacks:
            summed = m.loc[lst].sum(axis=0)
            if summed.sum() > 0:
                row = summed
                break
        out.loc[code] = (row / row.sum()).to_numpy()
    out.index.name = "nbs42"
    return out
