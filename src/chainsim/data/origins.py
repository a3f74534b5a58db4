"""Origin countries of China's imports, by product: WIOD 2011, split with 2017 customs figures.

China's imports of product ``c`` from country ``k`` are read from the WIOD world table
(release 2013, year 2011, USD millions; Timmer et al. 2015): the intermediate imports are
the row ``k_c`` summed over China's 35 using industries, the final imports the row summed
over China's five final-demand columns (negative inventory entries set to zero). The named
origins are :data:`ORIGINS` (``raw/origins/countries.csv``, with their Chinese names); every
other country (and WIOD's own rest of the world) forms ``ROW``.

The shares are mapped to the NBS 42 sectors with ``raw/wiod2013_release/
concordance_wiod35_nbs42.csv`` (one row per NBS sector, with the fit and a note). Where an
NBS sector draws on several WIOD industries, their imports are added before the shares are
taken, i.e. the industries are weighted by China's import value.

WIOD lumps all mining into one industry (c2), so crude oil would take the origin mix of
mining as a whole (22.6 % Australia). Where cited 2017 customs figures exist, they replace
the WIOD mix of the NBS sector (``raw/origins/customs_2017_mining.csv``, same mix for
intermediate and final use): crude oil for 03 (2017 volumes), iron ore for 04 (September
2017 volumes). Coal (02) and non-metal ores (05) keep the WIOD mining mix: no 2017 total by
origin was found to turn the coal figures into shares. Assumption: every province, and every
user within it, shares China's origin mix of the product.

References
----------
Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. & de Vries, G. J. (2015). An
Illustrated User Guide to the World Input-Output Database: the Case of Global Automotive
Production. *Review of International Economics* 23(3): 575-605.
U.S. EIA (2018). Today in Energy: China surpassed the U.S. in annual gross crude oil imports
in 2017 (customs data). Argus (2017-10-25): China's iron ore imports by origin, September.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.data.provinces import RAW_DIR
from chainsim.errors import DataError

__all__ = ["DOMESTIC_POOL", "DOMESTIC_POOL_NAMES", "IMPORTER", "ORIGINS", "china_imports_wiod", "customs_origin_shares",
           "load_concordance", "nbs42_origin_shares", "origin_names", "wiod_origin_shares"]

IMPORTER = "CHN"
#: Named foreign origins (``raw/origins/countries.csv``); every other country (and WIOD's RoW) is "ROW".
#: The WIOD countries with at least 1.3 % of China's 2011 imports, and the customs-named SAU (crude oil)
#: and ZAF (iron ore). Not in WIOD 2013, so inside ROW except where customs figures name them: SAU, ZAF
#: (named), MYS, SGP, VNM, CHE, MNG, AGO, IRQ, OMN, CHL, PER.
ORIGINS = ("JPN", "KOR", "TWN", "USA", "DEU", "RUS", "AUS", "BRA", "FRA", "GBR", "ITA", "NLD", "IND", "IDN", "CAN",
           "SAU", "ZAF", "ROW")
#: Pseudo-origin of the built tables (not a country; ``IOTable.domestic_origins``): the inflows
#: that the national OF/IF reconciliation cannot match to any province's outflow
#: (:func:`chainsim.data.netting.reconcile_interprovincial`).
DOMESTIC_POOL = "DOM"
DOMESTIC_POOL_NAMES = ("unallocated domestic inflows (national OF/IF gap)", "国内未匹配调入")
USES = ("intermediate", "final", "total")
_WIOD = RAW_DIR / "wiod2013_release"
_ORIGINS_DIR = RAW_DIR / "origins"


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


@cache
def origin_names(path: Path = _ORIGINS_DIR / "countries.csv") -> dict[str, tuple[str, str]]:
    """English and Chinese names of the named origins, ``{iso3: (name_en, name_zh)}``, in :data:`ORIGINS` order.

    Raises
    ------
    DataError
        If the file does not list exactly :data:`ORIGINS`.

    Examples
    --------
    >>> origin_names()["SAU"]
    ('Saudi Arabia', '沙特阿拉伯')
    """
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if tuple(df["iso3"]) != ORIGINS:
        raise DataError(f"{path}: column iso3 must list {list(ORIGINS)} in order; found {list(df['iso3'])}")
    return {r.iso3: (r.name_en, r.name_zh) for r in df.itertuples()}


@cache
def customs_origin_shares(path: Path = _ORIGINS_DIR / "customs_2017_mining.csv") -> pd.DataFrame:
    """Origin shares of the NBS sectors that cited 2017 customs figures split (rows sum to 1).

    Each row of the file gives a quantity from one origin and the total of the same
    period and unit; the share is ``quantity / total``. Origins that are not in
    :data:`ORIGINS`, and the rest of the total, go to ``ROW``.

    Returns
    -------
    DataFrame
        Index the NBS codes covered (``"03"`` crude oil, ``"04"`` iron ore), columns
        :data:`ORIGINS`.

    Raises
    ------
    DataError
        A product whose rows disagree on the total, or whose quantities exceed it.

    Examples
    --------
    >>> s = customs_origin_shares()
    >>> round(float(s.loc["03", "RUS"]), 4), round(float(s.loc["04", "AUS"]), 4)
    (0.1429, 0.6331)
    """
    df = pd.read_csv(path, dtype={"nbs42": str})
    out = pd.DataFrame(0.0, index=sorted(df["nbs42"].unique()), columns=list(ORIGINS))
    for code, rows in df.groupby("nbs42"):
        totals = rows["total"].unique()
        if len(totals) != 1 or totals[0] <= 0:
            raise DataError(f"{path}: product {code}: rows must share one positive total; found {list(totals)}")
        shares = rows["quantity"].to_numpy(dtype=float) / float(totals[0])
        if (shares < 0).any() or shares.sum() > 1 + 1e-12:
            raise DataError(f"{path}: product {code}: quantities must be non-negative and add up to at most the "
                            f"total; they add up to {shares.sum():.6g} of it")
        for origin, v in zip(rows["origin"], shares, strict=True):
            out.loc[code, origin if origin in ORIGINS else "ROW"] += v
        out.loc[code, "ROW"] += 1.0 - shares.sum()
    out.index.name = "nbs42"
    return out


def nbs42_origin_shares(use: str = "total") -> pd.DataFrame:
    """Origin shares of China's imports for each NBS 42 sector (42 x len(ORIGINS), rows sum to 1).

    The imports of all WIOD industries mapped to a sector are added before dividing
    (weights = China's import values). A sector whose mapped industries show no imports of
    this ``use`` falls back to the shares of total (intermediate + final) imports, and then
    to China's overall origin mix. The sectors of :func:`customs_origin_shares` (03 crude
    oil and gas, 04 metal ores) take the 2017 customs mix instead, for every ``use``.

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
    customs = customs_origin_shares()
    out.loc[customs.index] = customs.to_numpy()
    out.index.name = "nbs42"
    return out
