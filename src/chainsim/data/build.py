"""Builder of the multi-regional datasets ``northeast-2017`` and ``china31-2017`` from NBS tables.

Recipe (every step is a pure function; the result is deterministic):

1. **Parse** the 31 NBS 2017 provincial 42-sector tables (:func:`chainsim.data.nbs.read_nbs_table`),
   checking their identities. ERR (statistical discrepancy) and the sub-unit rounding
   residual of each row are folded into the inventory-change category.
2. **Net re-exports**: ``max(0, EX + OF - GO)`` is removed from (OF, IF), then (EX, IM),
   then (OF, IM) and (EX, IF) (:func:`chainsim.data.netting.net_reexports`), balance-preserving.
3. **Match** national outflows and inflows per product (sum OF != sum IF in the published
   tables): the matched volume is the smaller national total; the larger side is scaled to
   it over the adjustable provinces (in ``northeast-2017`` Liaoning, Jilin and Heilongjiang
   are fixed and matched in full wherever the data allow; in ``china31-2017`` every
   province is adjustable). The unmatched rest is kept, not absorbed: unmatched inflows
   are supplied by the pseudo-origin ``DOM`` (unallocated domestic inflows, a domestic
   pool listed in ``IOTable.domestic_origins``), unmatched outflows are sold to the
   final-demand category ``unallocated_outflow``
   (:func:`chainsim.data.netting.reconcile_interprovincial`).
4. **Supply shares** per province and product: local, other provinces (matched), DOM
   (unmatched inflows), abroad, applied to every user (proportionality); negative entries
   (inventory draw-downs, all from the raw tables) are split between local production and
   other provinces in proportion to domestic supply, never imported or taken from DOM.
5. **Inter-provincial flows** per product: gravity prior ``OF_o IF_d / dist_od`` (great-circle
   distance between provincial capitals, beta = 1, zero diagonal) balanced by RAS to row
   sums OF and column sums IF (:func:`chainsim.data.mrio.interprovincial_flows`).
6. **Foreign origins**: imports split by China's 2011 origin mix of the product from WIOD
   (intermediate-use shares for industries, final-use shares for final demand;
   :func:`chainsim.data.origins.nbs42_origin_shares`).
7. **Assemble** the 31-province MRIO (1302 x 1302) and **aggregate** provinces into the
   dataset's regions (sums).

Units: 10k CNY (万元), current producers' prices of 2017.

References
----------
NBS (国家统计局国民经济核算司), 中国地区投入产出表2017, China Statistics Press.
Timmer et al. (2015), Review of International Economics 23: 575-605 (WIOD).
Miller & Blair (2009), Input-Output Analysis, 2nd ed., ch. 3 and §7.4.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from chainsim.data import netting
from chainsim.data.iotable import IOTable, Region
from chainsim.data.mrio import aggregate, assemble, interprovincial_flows, stack_tables
from chainsim.data.nbs import load_sectors, read_nbs_table
from chainsim.data.origins import DOMESTIC_POOL, DOMESTIC_POOL_NAMES, ORIGINS, nbs42_origin_shares
from chainsim.data.provinces import PROVINCES, RAW_DIR, distance_matrix_km, load_provinces
from chainsim.errors import DataError

__all__ = ["BUILDER_VERSION", "NORTHEAST", "BuildResult", "RegionSpec", "build_china31_2017", "build_mrio",
           "build_northeast_2017"]

BUILDER_VERSION = "1.1.0"
NORTHEAST = ("06", "07", "08")  # Liaoning, Jilin, Heilongjiang


@dataclass(frozen=True)
class RegionSpec:
    """A region of the built table: code, names and the NBS codes of its provinces."""

    code: str
    name_en: str
    name_zh: str
    provinces: tuple[str, ...]


@dataclass(frozen=True)
class BuildResult:
    """The built table and the build report (netting, inconsistency, RAS; JSON-serialisable)."""

    table: IOTable
    report: dict = field(default_factory=dict)


def _raw_files(year: int) -> list[Path]:
    folder = RAW_DIR / "nbs_provincial_io_42" / str(year)
    files = []
    for prov in load_provinces():
        path = folder / f"{prov.nbs_code}_{prov.pinyin}.csv"
        files.append(path)
    return files


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _inputs(year: int) -> list[Path]:
    wiod = RAW_DIR / "wiod2013_release"
    return [*_raw_files(year), RAW_DIR / "nbs_provincial_io_42" / f"sectors_42_{year}.csv",
            RAW_DIR / "geo" / "province_capitals.csv", RAW_DIR / "nbs_provincial_io_42" / "province_totals_10k_cny.csv",
            wiod / "wiot2011_Z_intermediate.csv.gz", wiod / "wiot2011_Y_final.csv.gz", wiod / "countries_41.csv",
            wiod / "industries_35.csv", wiod / "concordance_wiod35_nbs42.csv"]


def _netting_report(netted: np.ndarray, codes: tuple[str, ...], sectors: tuple[str, ...]) -> dict:
    totals = {c: dict(zip(netting.PAIR_NAMES, map(float, netted[r].sum(axis=0)), strict=True))
              for r, c in enumerate(codes)}
    entries = [{"province": codes[r], "sector": sectors[s],
                **dict(zip(netting.PAIR_NAMES, map(float, netted[r, s]), strict=True))}
               for r, s in zip(*np.nonzero(netted.sum(axis=2) > 0), strict=True)]
    return {"unit": "10k CNY", "total": float(netted.sum()), "by_province": totals, "entries": entries}


def _unmatched_report(rec: netting.Reconciled, tr: netting.Trade, codes: tuple[str, ...],
                      sectors: tuple[str, ...], fixed: np.ndarray) -> dict:
    """Matched and unmatched volumes: national per product, and per fixed province where not zero."""
    pct = lambda a, b: 100.0 * a / b if b > 0 else 0.0  # noqa: E731
    per_product = [{**r,
                    "unmatched_OF_pct_of_OF": pct(r["unmatched_OF"], r["sum_OF"]),
                    "unmatched_IF_pct_of_IF": pct(r["unmatched_IF"], r["sum_IF"])} for r in rec.report]
    fixed_rows = [{"province": codes[i], "sector": sectors[p], "OF": float(tr.OF[i, p]), "IF": float(tr.IF[i, p]),
                   "unmatched_OF": float(rec.OF_unmatched[i, p]), "unmatched_IF": float(rec.IF_unmatched[i, p]),
                   "unmatched_IF_pct_of_IF": pct(float(rec.IF_unmatched[i, p]), float(tr.IF[i, p])),
                   "unmatched_OF_pct_of_OF": pct(float(rec.OF_unmatched[i, p]), float(tr.OF[i, p]))}
                  for i in np.flatnonzero(fixed) for p in range(len(sectors))
                  if rec.OF_unmatched[i, p] > 0 or rec.IF_unmatched[i, p] > 0]
    return {
        "rule": "matched = min(sum OF, sum IF) per product; unmatched inflows from the pseudo-origin DOM, unmatched "
                "outflows to final demand 'unallocated_outflow'; nothing absorbed in inventories",
        "matched": float(rec.OF.sum()),
        "unmatched_OF": float(rec.OF_unmatched.sum()), "unmatched_IF": float(rec.IF_unmatched.sum()),
        "unmatched_OF_cny": float(rec.OF_unmatched.sum()) * 1e4,
        "unmatched_IF_cny": float(rec.IF_unmatched.sum()) * 1e4,
        "unmatched_OF_pct_of_OF": pct(float(rec.OF_unmatched.sum()), float(tr.OF.sum())),
        "unmatched_IF_pct_of_IF": pct(float(rec.IF_unmatched.sum()), float(tr.IF.sum())),
        "fixed_unmatched": fixed_rows,
        "per_product": per_product,
    }


def build_mrio(*, name: str, regions: tuple[RegionSpec, ...], fixed: tuple[str, ...] = (), year: int = 2017,
               beta: float = 1.0, slack: float = 0.05, description: str = "") -> BuildResult:
    """Build a multi-regional table of China's provinces aggregated into ``regions``.

    Parameters
    ----------
    name : str
        Dataset name.
    regions : tuple of RegionSpec
        The regions; together they must cover the 31 provinces exactly once.
    fixed : tuple of str
        NBS codes of provinces whose netted OF and IF are matched in full wherever the data
        allow in the national reconciliation (step 3; always exact as matched + unmatched).
    year : int
        NBS table year (2017).
    beta : float
        Distance-decay exponent of the gravity prior.
    slack : float
        Head-room of the fixed provinces in the reconciliation (their matched flows use at
        most ``1 / (1 + slack)`` of a product's matched volume).
    description : str
        Stored in the provenance.

    Returns
    -------
    BuildResult

    Raises
    ------
    DataError
        Malformed raw tables, regions that do not partition the provinces, or data that the
        reconciliation or RAS cannot balance.
    """
    provinces = load_provinces()
    nbs = [p.nbs_code for p in provinces]
    members = [c for r in regions for c in r.provinces]
    if sorted(members) != sorted(nbs):
        raise DataError(f"{name}: regions must cover the 31 provinces exactly once; found {sorted(members)}")
    short = tuple(p.code for p in provinces)
    sectors = load_sectors(year)
    scodes = tuple(s.code for s in sectors)

    tables = [read_nbs_table(f, year=year) for f in _raw_files(year)]
    arr, resid_max = stack_tables(tables)
    tr = netting.net_reexports(arr.GO, arr.EX, arr.OF, arr.IM, arr.IF, where=name)
    is_fixed = np.array([c in fixed for c in nbs])
    rec = netting.reconcile_interprovincial(tr.OF, tr.IF, is_fixed, slack=slack, labels=scodes)
    arr = arr._replace(EX=tr.EX, OF=rec.OF, IM=tr.IM, IF=rec.IF)  # matched OF and IF; F as in the raw tables
    shares = netting.source_shares(arr.Z, arr.F, arr.GO, arr.EX, tr.OF, arr.IM, arr.IF,
                                   unmatched_inflow=rec.IF_unmatched, where=name)
    T, ras_info = interprovincial_flows(arr.OF, arr.IF, distance_matrix_km(provinces), beta=beta, labels=scodes)
    w_int = nbs42_origin_shares("intermediate").to_numpy()
    w_fin = nbs42_origin_shares("final").to_numpy()
    m = assemble(arr, shares, T, w_int, w_fin, unmatched_outflow=rec.OF_unmatched)
    groups = [np.array([nbs.index(c) for c in r.provinces]) for r in regions]
    g = aggregate(m, groups)

    origins = (*ORIGINS, DOMESTIC_POOL)
    G, S, C, K = len(regions), len(sectors), len(netting.MRIO_FD_CATEGORIES), len(origins)
    sum_of, sum_if = float(tr.OF.sum()), float(tr.IF.sum())
    abs_gap = float(sum(abs(r["gap"]) for r in rec.report))
    report = {
        "dataset": name,
        "row_rounding_residual_max_10k_cny": resid_max,
        "netting": _netting_report(tr.netted, short, scodes),
        "inconsistency": {
            "unit": "10k CNY", "sum_OF": sum_of, "sum_IF": sum_if, "gap": sum_of - sum_if,
            "gap_pct_of_IF": 100.0 * (sum_of - sum_if) / sum_if, "sum_abs_product_gaps": abs_gap,
            "sum_abs_product_gaps_pct_of_IF": 100.0 * abs_gap / sum_if,
            "gap_cny": (sum_of - sum_if) * 1e4, "sum_abs_product_gaps_cny": abs_gap * 1e4,
            "fixed_provinces": [short[nbs.index(c)] for c in fixed], "slack": slack,
            **_unmatched_report(rec, tr, short, scodes, is_fixed),
        },
        "ras": {"tolerance": 1e-10, "max_iterations": max(i["iterations"] for i in ras_info),
                "max_gap": max(i["gap"] for i in ras_info), "per_product": ras_info},
    }
    provenance = {
        "dataset": name, "description": description,
        "builder": "chainsim.data.build.build_mrio", "builder_version": BUILDER_VERSION,
        "year": year, "unit": "10k CNY (万元), current producers' prices",
        "sources": [
            "NBS 国家统计局国民经济核算司, 中国地区投入产出表2017 (provincial 42-sector tables of the 31 provinces), "
            "China Statistics Press; raw/nbs_provincial_io_42",
            "WIOD release 2013, world input-output table 2011 (Timmer et al. 2015, Review of International "
            "Economics 23: 575-605); raw/wiod2013_release",
            "Provincial capitals' coordinates (WGS84, 0.01 deg); raw/geo/province_capitals.csv",
        ],
        "raw_sha256": {str(p.relative_to(RAW_DIR)): _sha256(p) for p in _inputs(year)},
        "regions": {r.code: [short[nbs.index(c)] for c in r.provinces] for r in regions},
        "gravity": {"beta": beta, "distance": "great-circle between provincial capitals, km",
                    "prior": "OF_o * IF_d / distance_od**beta, zero diagonal", "balancing": "RAS"},
        "origins": {"source": "WIOD 2011, China's imports by origin", "intermediate_shares": "Z columns",
                    "final_shares": "final-demand columns", "other": "ROW = all other WIOD countries and RoW",
                    DOMESTIC_POOL: f"{DOMESTIC_POOL_NAMES[0]} ({DOMESTIC_POOL_NAMES[1]}): not a country but a "
                                   "domestic pseudo-origin (IOTable.domestic_origins) supplying each province's "
                                   "inflows that no province's outflow matches nationally; exogenous supply"},
        "origin_names": {DOMESTIC_POOL: list(DOMESTIC_POOL_NAMES)},
        "final_demand": {"household": "FU101 + FU102", "government": "FU103", "gfcf": "FU201",
                         "inventory": "FU202 + ERR + row rounding residual (raw data only)",
                         netting.UNALLOCATED_OUTFLOW: "the producing region's outflows to other provinces that no "
                                                      "province's inflow matches nationally (non-negative; "
                                                      "exogenous demand from an unidentified domestic "
                                                      "destination)"},
        "assumptions": [netting.ASSUMPTION_ERR, netting.ASSUMPTION_NETTING, netting.ASSUMPTION_RECONCILE,
                        netting.ASSUMPTION_SHARES,
                        "Inter-provincial flows: gravity prior with capital-to-capital great-circle distances, "
                        f"beta = {beta}, balanced by RAS to each province's OF (rows) and IF (columns).",
                        "Foreign origins: every province and user shares China's 2011 (WIOD) origin mix of the "
                        "product; intermediate-use shares for industries, final-use shares for final demand; "
                        "NBS sectors mapped to WIOD industries by raw/wiod2013_release/concordance_wiod35_nbs42.csv "
                        "and weighted by China's import value.",
                        "Regions other than single provinces are sums of their provinces (built at provincial "
                        "level first, so distances are always between provincial capitals)."],
        **report,
    }
    table = IOTable(
        name=name, regions=tuple(Region(r.code, r.name_en, r.name_zh) for r in regions), sectors=sectors,
        Z=g.Z.reshape(G * S, G * S), Y=g.Y.reshape(G * S, G * C),
        fd_columns=tuple((r.code, c) for r in regions for c in netting.MRIO_FD_CATEGORIES),
        exports=g.exports.reshape(-1), value_added=g.value_added.reshape(-1), x=g.x.reshape(-1),
        origins=origins, imports_Z=g.imports_Z.reshape(K, S, G * S), imports_Y=g.imports_Y.reshape(K, S, G * C),
        unit="10k CNY", cny_per_unit=1e4, provenance=provenance, domestic_origins=(DOMESTIC_POOL,),
    )
    return BuildResult(table, report)


def _province_region(nbs_code: str) -> RegionSpec:
    p = next(p for p in load_provinces() if p.nbs_code == nbs_code)
    return RegionSpec(p.code, p.name_en, p.name_zh, (nbs_code,))


def build_northeast_2017() -> BuildResult:
    """``northeast-2017``: Liaoning (LN), Jilin (JL), Heilongjiang (HLJ) and the rest of China (ROC).

    LN, JL and HLJ keep their netted inter-provincial outflows and inflows exactly; ROC is
    the sum of the other 28 provinces (built at provincial level first).
    """
    rest = tuple(c for c in PROVINCES if c not in NORTHEAST)
    regions = (*(_province_region(c) for c in NORTHEAST),
               RegionSpec("ROC", "Rest of China", "中国其他地区", rest))
    return build_mrio(name="northeast-2017", regions=regions, fixed=NORTHEAST,
                      description="Northeast China 2017: Liaoning, Jilin, Heilongjiang and the rest of China, "
                                  "42 NBS sectors, from the NBS 2017 provincial IO tables")


def build_china31_2017() -> BuildResult:
    """``china31-2017``: the 31 provinces as regions, no province privileged in the reconciliation."""
    return build_mrio(name="china31-2017", regions=tuple(_province_region(c) for c in PROVINCES), fixed=(),
                      description="China's 31 provinces 2017, 42 NBS sectors (1302 region-sectors), from the NBS "
                                  "2017 provincial IO tables")
