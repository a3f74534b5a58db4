"""Reference check of a scan's imported products: the 35 卡脖子 technologies of 2018 and national import dependence.

No published ranking of Northeast chokepoints with numbers exists (LEVER_EVIDENCE §E). Two
published references say which *imported products* China depends on:

1. the 35 technologies of the Science and Technology Daily (科技日报) series of 2018
   (``raw/reference_lists/std2018_35_technologies.csv``), mapped to the product of the NBS
   2017 149-sector table that makes each one; a product's weight is the number of items it
   makes (092 electronic components: six);
2. the import dependence of each product in the national 2017 table, imports over use in
   China, ``IM / (TIU + TFU - EX)`` (149 sectors, aggregated to the scanned table's products).

The scan's ranking of imported products is the worst *ranked* single-origin cut of each
product (named origins, storable goods, measurable loss: :mod:`chainsim.scan.screen`); a
product without one scores 0. :func:`reference_check` reports the rank agreement over the
imported goods of the table (Spearman and Kendall's tau-b, :mod:`scipy.stats`) and precision
at k (the share of the scan's top k products that the 35-item list names, and the same for a
screen by import dependence alone). Services and technologies that are no traded good
(operating systems, software, standards) are left out: the scan screens service products.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import kendalltau, spearmanr

from chainsim.data.iotable import IOTable
from chainsim.data.nbs import SECTOR_CODES
from chainsim.data.nbs149 import national_detail, sector_parents
from chainsim.data.provinces import RAW_DIR
from chainsim.errors import DataError
from chainsim.scan.screen import product_classes

__all__ = ["REFERENCE_LIST", "load_reference_list", "reference_check"]

REFERENCE_LIST = RAW_DIR / "reference_lists" / "std2018_35_technologies.csv"
_KS = (5, 10)


@cache
def load_reference_list(path: Path = REFERENCE_LIST) -> pd.DataFrame:
    """The 35 technologies: ``item, name_zh, name_en, nbs149, nbs42, kind, note`` (codes as strings, "" if none).

    Raises
    ------
    DataError
        Not 35 distinct items, or a ``good`` without an NBS-42 code.
    """
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    if sorted(df["item"].astype(int)) != list(range(1, 36)):
        raise DataError(f"{path}: expected items 1..35 once each")
    bad = df[(df["kind"] == "good") & ~df["nbs42"].isin(SECTOR_CODES)]
    if len(bad):
        raise DataError(f"{path}: item {bad['item'].iloc[0]} is a good without an NBS-42 code (nbs42)")
    return df


def _national_dependence(table: IOTable) -> pd.Series:
    """National import dependence (2017, IM / use in China) on the table's products (NBS-42 codes or 149 components)."""
    parents = sector_parents(table)
    split = tuple(sorted({p for c, p in parents.items() if c != p}))
    nat = national_detail(split)
    share = pd.Series(nat.import_share, index=list(nat.codes))
    return share.reindex(list(table.sector_codes))


def _list_products(table: IOTable) -> pd.Series:
    """The 35-list items (comma-separated) made by each product of the table, for the goods."""
    ref = load_reference_list()
    codes = set(table.sector_codes)
    items: dict[str, list[str]] = {c: [] for c in table.sector_codes}
    for r in ref[ref["kind"] == "good"].itertuples():
        code = r.nbs149 if r.nbs149 in codes else r.nbs42
        if code in items:
            items[code].append(str(r.item))
    return pd.Series({c: ", ".join(v) for c, v in items.items()})


def _precision(order: list[str], on_list: set[str], k: int) -> tuple[float, int]:
    top = order[:k]
    return (len(set(top) & on_list) / len(top) if top else float("nan")), len(top)


def reference_check(table: IOTable, ranking: pd.DataFrame, *, ks: tuple[int, ...] = _KS) -> tuple[pd.DataFrame, dict]:
    """Compare the scan's ranking of imported products with the 35-item list and national import dependence.

    Parameters
    ----------
    table : IOTable
        The scanned table; it must have NBS-42 codes (or 149 components of them).
    ranking : DataFrame
        :attr:`chainsim.scan.ScanResult.ranking` with import targets.
    ks : tuple of int
        The k of precision at k.

    Returns
    -------
    (DataFrame, dict)
        One row per imported good of the table (``product, name_zh, name_en, parent,
        list_items, n_items, import_dependence``, ``scan_loss_days`` (worst ranked
        single-origin cut), ``scan_origin``, ``scan_rank`` (empty at 0), ``dependence_rank``,
        ``all_origins_loss_days`` (sum over every origin's cut, ROW and unranked ones
        included)), sorted by scan rank; and the statistics: ``n_products``,
        ``n_scan_positive``, ``spearman`` and ``kendall`` of the scan score against the
        item count and against import dependence (and of the two references against each
        other), ``precision_at_k`` of the scan and of import dependence against the list,
        ``overlap_at_k`` of the two rankings.

    Raises
    ------
    DataError
        A table whose sectors are not NBS codes (nothing to map the list to).
    """
    parents = sector_parents(table)
    if not set(parents.values()) <= set(SECTOR_CODES):
        raise DataError(f"reference check: table '{table.name}' does not use NBS sector codes; the 35-item list "
                        "and the national table cannot be mapped to it")
    classes = product_classes(table)
    dep = _national_dependence(table)
    items = _list_products(table)
    goods = [c for c in table.sector_codes if classes.get(c) == "storable" and dep.get(c, 0) > 0]
    imp = ranking[ranking["kind"] == "imports"]
    ranked = imp[(imp["effect"] == "ranked") if "effect" in imp else np.isfinite(imp["loss_days"])]
    ranked = ranked[ranked["loss_days"] > 0]
    best = ranked.sort_values("loss_days", ascending=False).drop_duplicates("product").set_index("product")
    total = imp.groupby("product")["loss_days"].sum(min_count=1)
    names = {s.code: s for s in table.sectors}
    rows = []
    for c in goods:
        loss = float(best.loc[c, "loss_days"]) if c in best.index else 0.0
        rows.append({"product": c, "name_zh": names[c].name_zh, "name_en": names[c].name_en, "parent": parents[c],
                     "list_items": items[c], "n_items": len(items[c].split(", ")) if items[c] else 0,
                     "import_dependence": float(dep[c]), "scan_loss_days": loss,
                     "scan_origin": str(best.loc[c, "origin"]) if c in best.index else "",
                     "all_origins_loss_days": float(total.get(c, np.nan))})
    df = pd.DataFrame(rows)
    if df.empty:
        return df, {"n_products": 0}
    pos = df["scan_loss_days"] > 0
    df["scan_rank"] = pd.array(np.where(pos, df["scan_loss_days"].rank(ascending=False, method="min"), 0),
                               dtype="Int64")
    df.loc[~pos, "scan_rank"] = pd.NA
    df["dependence_rank"] = df["import_dependence"].rank(ascending=False, method="min").astype(int)
    df = df.sort_values(["scan_rank", "dependence_rank"], na_position="last", kind="stable").reset_index(drop=True)
    on_list = set(df.loc[df["n_items"] > 0, "product"])
    scan_order = list(df.loc[df["scan_loss_days"] > 0, "product"])  # df is in scan order
    dep_order = list(df.sort_values("import_dependence", ascending=False, kind="stable")["product"])

    def agree(a: pd.Series, b: pd.Series) -> dict:
        return {"spearman": float(spearmanr(a, b).statistic), "kendall": float(kendalltau(a, b).statistic)}

    stats: dict = {"n_products": len(df), "n_on_list": len(on_list), "n_scan_positive": int(pos.sum()),
                   "scan_vs_list": agree(df["scan_loss_days"], df["n_items"]),
                   "scan_vs_dependence": agree(df["scan_loss_days"], df["import_dependence"]),
                   "dependence_vs_list": agree(df["import_dependence"], df["n_items"]),
                   "precision_at_k": {}, "overlap_at_k": {}}
    for k in ks:
        p_scan, k_scan = _precision(scan_order, on_list, k)
        p_dep, _ = _precision(dep_order, on_list, k)
        stats["precision_at_k"][str(k)] = {"scan": p_scan, "scan_k": k_scan, "dependence": p_dep,
                                           "base_rate": len(on_list) / len(df)}
        stats["overlap_at_k"][str(k)] = len(set(scan_order[:k]) & set(dep_order[:k]))
    return df, stats
