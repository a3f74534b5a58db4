"""The build report and provenance of a multi-regional dataset (JSON-serialisable dicts; no arithmetic on tables).

Split from :mod:`chainsim.data.build` so that the builder reads as the recipe; everything
here records what a build did: the raw files and their checksums, the netting per province
and product, the matched and unmatched inter-provincial trade, RAS, the import split and the
sources and assumptions of every step.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from chainsim.data import netting
from chainsim.data.import_use import NATIONAL_TABLE
from chainsim.data.origins import DOMESTIC_POOL, DOMESTIC_POOL_NAMES, customs_origin_shares, origin_names
from chainsim.data.provinces import RAW_DIR, load_provinces

__all__ = ["ASSUMPTION_SPLIT", "SOURCES", "SPLIT_FILES", "SPLIT_SOURCES", "input_files",
           "netting_report", "provenance", "raw_files", "unmatched_report"]

#: Every source a build reads, with where it is shipped.
SOURCES = (
    "NBS 国家统计局国民经济核算司, 中国地区投入产出表2017 (provincial 42-sector tables of the 31 provinces), China "
    "Statistics Press; raw/nbs_provincial_io_42",
    "NBS, 中国投入产出表2017, national 42-sector table with non-competitive imports (imports by using sector), via "
    "the R package ionet; raw/nbs_national_io",
    "WIOD release 2013, world input-output table 2011 (Timmer et al. 2015, Review of International Economics 23: "
    "575-605); raw/wiod2013_release",
    "China's 2017 crude-oil imports by origin (U.S. EIA, Today in Energy, Feb 2018; Reuters) and September-2017 "
    "iron-ore imports by origin (Argus, 2017-10-25), from China's customs data; raw/origins/customs_2017_mining.csv",
    "Provincial capitals' coordinates (WGS84, 0.01 deg); raw/geo/province_capitals.csv",
    "GTAP, 'About Re-Exports' (Purdue University; re-export proxy PROP = M / (M + P)), for the netting rule",
)


def raw_files(year: int) -> list[Path]:
    """The 31 provincial tables of ``year`` in NBS province order."""
    folder = RAW_DIR / "nbs_provincial_io_42" / str(year)
    return [folder / f"{prov.nbs_code}_{prov.pinyin}.csv" for prov in load_provinces()]


def input_files(year: int) -> list[Path]:
    """Every raw file a build of ``year`` reads (for the checksums in the provenance)."""
    wiod, origins = RAW_DIR / "wiod2013_release", RAW_DIR / "origins"
    return [*raw_files(year), RAW_DIR / "nbs_provincial_io_42" / f"sectors_42_{year}.csv",
            RAW_DIR / "geo" / "province_capitals.csv", RAW_DIR / "nbs_provincial_io_42" / "province_totals_10k_cny.csv",
            wiod / "wiot2011_Z_intermediate.csv.gz", wiod / "wiot2011_Y_final.csv.gz", wiod / "countries_41.csv",
            wiod / "industries_35.csv", wiod / "concordance_wiod35_nbs42.csv", NATIONAL_TABLE,
            origins / "countries.csv", origins / "customs_2017_mining.csv"]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def netting_report(trade: netting.Trade, rule: str, codes: tuple[str, ...], sectors: tuple[str, ...]) -> dict:
    """Amounts netted per province (by pair) and per province-product (where not zero), 10k CNY."""
    netted = trade.netted
    totals = {c: dict(zip(netting.PAIR_NAMES, map(float, netted[r].sum(axis=0)), strict=True))
              for r, c in enumerate(codes)}
    entries = [{"province": codes[r], "sector": sectors[s],
                **dict(zip(netting.PAIR_NAMES, map(float, netted[r, s]), strict=True))}
               for r, s in zip(*np.nonzero(netted.sum(axis=2) > 0), strict=True)]
    return {"rule": rule, "unit": "10k CNY", "total": float(netted.sum()),
            "by_pair": dict(zip(netting.PAIR_NAMES, map(float, netted.sum(axis=(0, 1))), strict=True)),
            "by_province": totals, "entries": entries}


def unmatched_report(rec: netting.Reconciled, tr: netting.Trade, codes: tuple[str, ...], sectors: tuple[str, ...],
                     fixed: np.ndarray) -> dict:
    """Matched and unmatched volumes: national per product, and per fixed province where not zero."""
    pct = lambda a, b: 100.0 * a / b if b > 0 else 0.0  # noqa: E731
    per_product = [{**r,
                    "unmatched_OF_pct_of_OF": pct(r["unmatched_OF"], r["sum_OF"]),
                    "unmatched_IF_pct_of_IF": pct(r["unmatched_IF"], r["sum_IF"])} for r in rec.report]
    fixed_rows = [{"province": codes[i], "sector": sectors[p], "OF": float(tr.OF[i, p]), "IF": float(tr.IF[i, p]),
                   "unmatched_OF": float(rec.OF_unmatched[i, p]), "unmatched_IF": float(rec.IF_unmatched[i, p])}
                  for i in np.flatnonzero(fixed) for p in range(len(sectors))
                  if rec.OF_unmatched[i, p] > 0 or rec.IF_unmatched[i, p] > 0]
    sum_of, sum_if = float(tr.OF.sum()), float(tr.IF.sum())
    abs_gap = float(sum(abs(r["gap"]) for r in rec.report))
    return {
        "unit": "10k CNY", "sum_OF": sum_of, "sum_IF": sum_if, "gap": sum_of - sum_if,
        "gap_pct_of_IF": pct(sum_of - sum_if, sum_if), "sum_abs_product_gaps": abs_gap,
        "sum_abs_product_gaps_pct_of_IF": pct(abs_gap, sum_if),
        "gap_cny": (sum_of - sum_if) * 1e4, "sum_abs_product_gaps_cny": abs_gap * 1e4,
        "rule": "matched = min(sum OF, sum IF) per product; unmatched inflows from the pseudo-origin DOM, unmatched "
                "outflows to final demand 'unallocated_outflow'; nothing absorbed in inventories",
        "matched": float(rec.OF.sum()),
        "unmatched_OF": float(rec.OF_unmatched.sum()), "unmatched_IF": float(rec.IF_unmatched.sum()),
        "unmatched_OF_cny": float(rec.OF_unmatched.sum()) * 1e4,
        "unmatched_IF_cny": float(rec.IF_unmatched.sum()) * 1e4,
        "unmatched_OF_pct_of_OF": pct(float(rec.OF_unmatched.sum()), sum_of),
        "unmatched_IF_pct_of_IF": pct(float(rec.IF_unmatched.sum()), sum_if),
        "fixed_unmatched": fixed_rows,
        "per_product": per_product,
    }


#: Sources and raw files added by the split into 149-sector components (``northeast-2017-fine``).
SPLIT_SOURCES = (
    "NBS, 中国投入产出表2017, national 149-sector table (competitive imports), via the R package ionet, and the NBS "
    "2017 42 <-> 149 concordance (GitHub common2016/CHNIO); raw/nbs_national_io",
    "China's 2017 integrated-circuit imports by origin (customs statistics quoted by 芯思想 / 电子技术应用, "
    "2018-04-18; National Information Center, Belt and Road Trade Cooperation Big Data Report 2018); "
    "raw/origins/customs_2017_149.csv",
)
SPLIT_FILES = ("nbs_national_io/china_2017_149.csv", "nbs_national_io/concordance_2017_42_149.csv",
               "origins/customs_2017_149.csv")
ASSUMPTION_SPLIT = (
    "Finer products (northeast-2017-fine): every province makes the national product mix of a split NBS-42 sector "
    "(output shares of the national 2017 149-sector table); each flow of the sector divides among its components "
    "with the national table's weights (sales by user, imports by user, inputs by input), balanced by RAS to the "
    "province's own 42-sector flows, so the components sum exactly to the sector; value added follows the national "
    "value-added ratios of the components. Components take their sector's origin mix, except where cited customs "
    "figures exist (092 electronic components: 2017 integrated-circuit imports by origin).")


def provenance(*, name: str, description: str, builder_version: str, year: int, regions: dict[str, list[str]],
               gravity: dict, rule: str, report: dict, split: bool = False) -> dict:
    """The provenance dict of a built table: sources, checksums, every recipe parameter and assumption.

    With ``split`` (a table split into 149-sector components, ``report["split"]``), also the
    national 149 table's sources and checksums, the split assumption and
    ``sector_parents`` (fine product code -> NBS-42 code).
    """
    customs = customs_origin_shares()
    names = {k: list(v) for k, v in origin_names().items()}
    extra: dict = {}
    if split:
        extra = {"sector_parents": dict(report["split"]["parents"]),
                 "raw_sha256_split": {f: _sha256(RAW_DIR / f) for f in SPLIT_FILES},
                 "sources_split": list(SPLIT_SOURCES), "assumption_split": ASSUMPTION_SPLIT}
    return {
        "dataset": name, "description": description,
        "builder": "chainsim.data.build.build_mrio", "builder_version": builder_version,
        "year": year, "unit": "10k CNY (万元), current producers' prices",
        "sources": list(SOURCES),
        "raw_sha256": {str(p.relative_to(RAW_DIR)): _sha256(p) for p in input_files(year)},
        "regions": regions,
        "recipe": {"reexport_rule": rule,
                   "reconciliation": "larger side matched in full for the fixed provinces "
                                     f"{report['inconsistency']['fixed_provinces']}, uniform over the others",
                   "gravity_beta": gravity["beta"], "import_split": "national non-competitive table 2017 as prior",
                   "origins": "WIOD 2011 mix per product; customs 2017 for " + ", ".join(customs.index)},
        "gravity": gravity,
        "origins": {"source": "WIOD 2011, China's imports by origin, per product (NBS-42 via the concordance); "
                              "2017 customs figures for " + ", ".join(customs.index),
                    "intermediate_shares": "Z columns", "final_shares": "final-demand columns",
                    "other": "ROW = all other countries (WIOD's other countries and its RoW)",
                    "customs_2017": {code: {k: float(v) for k, v in row.items() if v > 0}
                                     for code, row in customs.iterrows()},
                    DOMESTIC_POOL: f"{DOMESTIC_POOL_NAMES[0]} ({DOMESTIC_POOL_NAMES[1]}): not a country but a "
                                   "domestic pseudo-origin (IOTable.domestic_origins) supplying each province's "
                                   "inflows that no province's outflow matches nationally; exogenous supply"},
        "origin_names": {**names, DOMESTIC_POOL: list(DOMESTIC_POOL_NAMES)},
        "final_demand": {"household": "FU101 + FU102", "government": "FU103", "gfcf": "FU201",
                         "inventory": "FU202 + ERR + row rounding residual (raw data only)",
                         netting.UNALLOCATED_OUTFLOW: "the producing region's outflows to other provinces that no "
                                                      "province's inflow matches nationally (non-negative; "
                                                      "exogenous demand from an unidentified domestic "
                                                      "destination)"},
        "assumptions": [
            netting.ASSUMPTION_ERR, netting.ASSUMPTION_NETTING, netting.ASSUMPTION_RECONCILE,
            "Domestic supply: the domestic part of every use of a product in a province (its use minus its imports) "
            "takes the same shares from local production, other provinces (matched inflows) and DOM (unmatched "
            "inflows); negative entries N (inventory draw-downs, negative ERR) are domestic stocks split between "
            "local production and other provinces in the proportion L : IF (L = GO - EX - OF).",
            "Imports by user: a province's imports of a product are spread over its users (and final-demand "
            "categories) in proportion to the national 2017 non-competitive table's import share of that user, "
            "scaled per province and product to the province's imports, never above a user's own use.",
            f"Inter-provincial flows: gravity prior with capital-to-capital great-circle distances, beta = "
            f"{gravity['beta']}, balanced by RAS to each province's OF (rows) and IF (columns). {gravity['reason']}",
            "Foreign origins: every province and user shares China's origin mix of the product: WIOD 2011 "
            "(intermediate-use shares for industries, final-use shares for final demand; NBS sectors mapped by "
            "raw/wiod2013_release/concordance_wiod35_nbs42.csv and weighted by China's import value), replaced for "
            "03 (crude oil and gas: China's 2017 crude-oil imports by origin; natural gas takes the crude mix) and "
            "04 (metal ores: September-2017 iron-ore imports by origin; non-ferrous ores take the iron-ore mix) by "
            "customs figures.",
            "Regions other than single provinces are sums of their provinces (built at provincial level first, so "
            "distances are always between provincial capitals); northeast-2017 is the exact aggregation of "
            "china31-2017.", *([ASSUMPTION_SPLIT] if split else [])],
        **extra,
        **report,
    }
