"""Builder of the multi-regional datasets ``northeast-2017`` and ``china31-2017`` from NBS tables.

Recipe (every step is a pure function; the result is deterministic). Both datasets come out of
one provincial build (31 provinces x 42 products) and differ only in how provinces are summed
into regions, so ``northeast-2017`` is the exact aggregation of ``china31-2017``:

1. **Parse** the 31 NBS 2017 provincial 42-sector tables (:func:`chainsim.data.nbs.read_nbs_table`),
   checking their identities. ERR (statistical discrepancy) and the sub-unit rounding
   residual of each row are folded into the inventory-change category.
2. **Net re-exports** by the proportional rule (:mod:`chainsim.data.reexports`; GTAP's
   proxy PROP = M / (M + P)): a province's outflows to other provinces are drawn from its
   output and its inflows in proportion, and where sales outside the province still reach its
   output, from output, inflows and imports. Balance-preserving; every province that makes
   and uses a product keeps local supply.
3. **Match** national outflows and inflows per product (sum OF != sum IF in the published
   tables): the matched volume is the smaller national total; on the larger side Liaoning,
   Jilin and Heilongjiang (the tool's focus) are matched in full wherever the data allow and
   the other 28 provinces are scaled alike to fill it. The unmatched rest is kept, not absorbed: unmatched
   inflows are supplied by the pseudo-origin ``DOM`` (unallocated domestic inflows, a domestic
   pool listed in ``IOTable.domestic_origins``), unmatched outflows are sold to the
   final-demand category ``unallocated_outflow``
   (:func:`chainsim.data.netting.reconcile_interprovincial`).
4. **Imports by user**: each province's imports of a product are spread over its users by the
   import shares of the national 2017 non-competitive table (:mod:`chainsim.data.import_use`).
5. **Domestic shares** per province and product: the domestic part of every use is supplied
   by local output, other provinces (matched) and DOM (unmatched inflows) in common
   proportions; negative entries (inventory draw-downs, all from the raw tables) are split
   between local production and other provinces (:func:`chainsim.data.netting.domestic_shares`).
6. **Inter-provincial flows** per product: gravity prior ``OF_o IF_d / dist_od^beta``
   (great-circle distance between provincial capitals, :data:`GRAVITY_BETA`, zero diagonal)
   balanced by RAS to row sums OF and column sums IF
   (:func:`chainsim.data.mrio.interprovincial_flows`).
7. **Foreign origins**: imports split by China's origin mix of the product (WIOD 2011; 2017
   customs figures for crude oil and metal ores; :func:`chainsim.data.origins.nbs42_origin_shares`).
8. **Assemble** the 31-province MRIO (1302 x 1302) and **aggregate** provinces into the
   dataset's regions (sums).
9. Optionally (``split=``, dataset ``northeast-2017-fine``), **split** NBS-42 sectors into
   their 149-sector components before aggregating: the national 2017 149-sector table as
   prior, RAS to each province's own flows (:mod:`chainsim.data.disaggregate`), origins of
   the components from :mod:`chainsim.data.origins_149`. The split table aggregates back to
   the unsplit one exactly (to rounding), except the origin mix of a component with cited
   customs figures (092 electronic components), whose total over origins still does.

Units: 10k CNY (万元), current producers' prices of 2017.

References
----------
NBS (国家统计局国民经济核算司), 中国地区投入产出表2017, China Statistics Press.
Timmer et al. (2015), Review of International Economics 23: 575-605 (WIOD).
Miller & Blair (2009), Input-Output Analysis, 2nd ed., ch. 3 and §7.4.
GTAP, About Re-Exports (https://www.gtap.agecon.purdue.edu/databases/contribute/reexports.asp).
Disdier, A.-C. & Head, K. (2008). The puzzling persistence of the distance effect on bilateral
trade. *Review of Economics and Statistics* 90(1): 37-48.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from chainsim.data import netting
from chainsim.data.build_report import netting_report, provenance, raw_files, unmatched_report
from chainsim.data.disaggregate import split_mrio
from chainsim.data.import_use import national_import_shares, split_imports
from chainsim.data.iotable import IOTable, Region
from chainsim.data.mrio import MRIOArrays, aggregate, assemble, interprovincial_flows, stack_tables
from chainsim.data.nbs import load_sectors, read_nbs_table
from chainsim.data.nbs149 import CHOKEPOINT_SPLIT, national_detail
from chainsim.data.origins import DOMESTIC_POOL, ORIGINS, nbs42_origin_shares
from chainsim.data.origins_149 import fine_origin_shares
from chainsim.data.provinces import PROVINCES, distance_matrix_km, load_provinces
from chainsim.data.reexports import DEFAULT_RULE
from chainsim.errors import DataError

__all__ = ["BUILDER_VERSION", "GRAVITY_BETA", "GRAVITY_REASON", "NORTHEAST", "BuildResult", "ProvincialBuild",
           "RegionSpec", "build_china31_2017", "build_mrio", "build_northeast_2017", "build_northeast_2017_fine",
           "fine_provincial_build", "provincial_build"]

BUILDER_VERSION = "2.0.0"
NORTHEAST = ("06", "07", "08")  # Liaoning, Jilin, Heilongjiang
#: Distance exponent of the gravity prior (see :data:`GRAVITY_REASON` and docs/data.md).
GRAVITY_BETA = 1.0
GRAVITY_REASON = (
    "beta = 1: no openly readable 2012/2015/2017 province-to-province trade table was found to calibrate it (the "
    "CEADs/IGSNRR tables are released on request only); 1 is the classic gravity prior (Leontief & Strout 1963; "
    "Isard 1960) and close to the mean distance effect of 0.9 over 1,467 published estimates (Disdier & Head "
    "2008). docs/data.md reports how the key Northeast flows move for beta in [0.5, 2].")

_raw_files = raw_files  # the name the tests and builder 1.x used


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


class ProvincialBuild(NamedTuple):
    """The 31-province MRIO blocks (read-only arrays) and the build report shared by every aggregation."""

    mrio: MRIOArrays
    report: dict


def _read_only(m: MRIOArrays) -> MRIOArrays:
    for a in m:
        a.flags.writeable = False
    return m


@lru_cache(maxsize=4)
def provincial_build(year: int = 2017, beta: float = GRAVITY_BETA, rule: str = DEFAULT_RULE,
                     fixed: tuple[str, ...] = NORTHEAST, slack: float = 0.05) -> ProvincialBuild:
    """Build the 31-province MRIO once (steps 1-8 of the module docstring; cached per parameter set).

    Parameters
    ----------
    year : int
        NBS table year (2017).
    beta : float
        Distance-decay exponent of the gravity prior.
    rule : str
        Re-export netting rule (:data:`chainsim.data.reexports.REEXPORT_RULES`).
    fixed : tuple of str
        NBS codes of provinces matched in full wherever the data allow in the national
        reconciliation (default :data:`NORTHEAST`, in both shipped datasets).
    slack : float
        Head-room of fixed provinces (:func:`chainsim.data.netting.reconcile_interprovincial`).

    Returns
    -------
    ProvincialBuild
        Arrays are read-only; the report is a JSON-serialisable dict.

    Raises
    ------
    DataError
        Malformed raw tables, or data that the netting, reconciliation or RAS cannot balance.
    """
    provinces = load_provinces()
    nbs = [p.nbs_code for p in provinces]
    short = tuple(p.code for p in provinces)
    scodes = tuple(s.code for s in load_sectors(year))
    arr, resid_max = stack_tables([read_nbs_table(f, year=year) for f in raw_files(year)])
    tr = netting.net_reexports(arr.GO, arr.EX, arr.OF, arr.IM, arr.IF, rule=rule, where=f"NBS {year}")
    is_fixed = np.array([c in fixed for c in nbs])
    rec = netting.reconcile_interprovincial(tr.OF, tr.IF, is_fixed, slack=slack, labels=scodes)
    Fpos = np.clip(arr.F, 0, None)
    uses = np.concatenate([arr.Z, Fpos], axis=2)  # (R, S, users + categories)
    split = split_imports(tr.IM, uses, national_import_shares(categories=netting.FD_CATEGORIES))
    S = len(scodes)
    dom = netting.domestic_shares(arr.GO, tr.EX, tr.OF, rec.IF, rec.IF_unmatched, uses.sum(axis=2),
                                  np.clip(arr.F, None, 0).sum(axis=2), tr.IM, where=f"NBS {year}")
    arr = arr._replace(EX=tr.EX, OF=rec.OF, IM=tr.IM, IF=rec.IF)  # matched OF and IF; F as in the raw tables
    T, ras_info = interprovincial_flows(arr.OF, arr.IF, distance_matrix_km(provinces), beta=beta, labels=scodes)
    w_int = nbs42_origin_shares("intermediate").to_numpy()
    w_fin = nbs42_origin_shares("final").to_numpy()
    m = assemble(arr, dom, split.shares[..., :S], split.shares[..., S:], T, w_int, w_fin,
                 unmatched_outflow=rec.OF_unmatched)
    report = {
        "row_rounding_residual_max_10k_cny": resid_max,
        "netting": netting_report(tr, rule, short, scodes),
        "inconsistency": {"fixed_provinces": [short[nbs.index(c)] for c in fixed], "slack": slack,
                          **unmatched_report(rec, tr, short, scodes, is_fixed)},
        "ras": {"tolerance": 1e-10, "max_iterations": max(i["iterations"] for i in ras_info),
                "max_gap": max(i["gap"] for i in ras_info), "per_product": ras_info},
        "import_split": {"prior": "national 2017 non-competitive table, import share of each user's use",
                         "fallback_rows": split.fallback_rows,
                         "rows": int((tr.IM > 0).sum())},
    }
    return ProvincialBuild(_read_only(m), report)


@lru_cache(maxsize=2)
def fine_provincial_build(split: tuple[str, ...], year: int = 2017, beta: float = GRAVITY_BETA,
                          rule: str = DEFAULT_RULE, fixed: tuple[str, ...] = NORTHEAST,
                          slack: float = 0.05) -> ProvincialBuild:
    """The 31-province MRIO of :func:`provincial_build` with the sectors ``split`` split into their 149 components.

    Step 9 of the module docstring (:func:`chainsim.data.disaggregate.split_mrio`); the
    report gains ``"split"`` (RAS problems, iterations, gaps, fallbacks) and
    ``"fine_origins"`` (the components that took cited customs origin figures).
    """
    if year != 2017:
        raise DataError(f"split: the national 149-sector detail is for 2017; found year {year}")
    pb = provincial_build(year, beta, rule, fixed, slack)
    nat = national_detail(tuple(split))
    w_int = fine_origin_shares(nat, "intermediate")
    w_fin = fine_origin_shares(nat, "final")
    m, rep = split_mrio(pb.mrio, nat, w_int.to_numpy(), w_fin.to_numpy(), n_pools=1,
                        labels=tuple(p.code for p in load_provinces()))
    report = {**pb.report, "split": {**rep, "parents": dict(zip(nat.codes, nat.parent, strict=True))},
              "fine_origins": {"customs_2017": w_int.attrs["customs"],
                               "others": "the origin mix of their NBS-42 sector"}}
    return ProvincialBuild(_read_only(m), report)


def build_mrio(*, name: str, regions: tuple[RegionSpec, ...], year: int = 2017, beta: float = GRAVITY_BETA,
               rule: str = DEFAULT_RULE, fixed: tuple[str, ...] = NORTHEAST, slack: float = 0.05,
               description: str = "", split: tuple[str, ...] = ()) -> BuildResult:
    """Build a multi-regional table of China's provinces aggregated into ``regions``.

    Parameters
    ----------
    name : str
        Dataset name.
    regions : tuple of RegionSpec
        The regions; together they must cover the 31 provinces exactly once.
    year : int
        NBS table year (2017).
    beta : float
        Distance-decay exponent of the gravity prior (default :data:`GRAVITY_BETA`).
    rule : str
        Re-export netting rule (default ``"proportional"``).
    fixed : tuple of str
        Provinces matched in full wherever the data allow in the national reconciliation
        (default :data:`NORTHEAST`; every dataset built with the same value is an exact
        aggregation of the same provincial build).
    slack : float
        Head-room of the fixed provinces in the reconciliation.
    description : str
        Stored in the provenance.
    split : tuple of str
        NBS-42 sectors to split into their 149-sector components (step 9; default none). The
        fine products keep the 42 codes of the unsplit sectors and take the three-digit 149
        codes of the components (``"092"``); ``provenance["sector_parents"]`` maps each to
        its NBS-42 sector.

    Returns
    -------
    BuildResult

    Raises
    ------
    DataError
        Regions that do not partition the provinces, malformed raw tables, or data that the
        reconciliation or RAS cannot balance.
    """
    provinces = load_provinces()
    nbs = [p.nbs_code for p in provinces]
    members = [c for r in regions for c in r.provinces]
    if sorted(members) != sorted(nbs):
        raise DataError(f"{name}: regions must cover the 31 provinces exactly once; found {sorted(members)}")
    short = tuple(p.code for p in provinces)
    if split:
        pb = fine_provincial_build(tuple(sorted(split)), year, float(beta), rule, tuple(fixed), float(slack))
        sectors = national_detail(tuple(sorted(split))).sectors
    else:
        pb = provincial_build(year, float(beta), rule, tuple(fixed), float(slack))
        sectors = load_sectors(year)
    g = aggregate(pb.mrio, [np.array([nbs.index(c) for c in r.provinces]) for r in regions])
    origins = (*ORIGINS, DOMESTIC_POOL)
    G, S, C, K = len(regions), len(sectors), len(netting.MRIO_FD_CATEGORIES), len(origins)
    report = {"dataset": name, **pb.report}
    gravity = {"beta": float(beta), "distance": "great-circle between provincial capitals, km",
               "prior": "OF_o * IF_d / distance_od**beta, zero diagonal", "balancing": "RAS",
               "reason": GRAVITY_REASON if beta == GRAVITY_BETA else "set by the caller"}
    prov = provenance(name=name, description=description, builder_version=BUILDER_VERSION, year=year,
                      regions={r.code: [short[nbs.index(c)] for c in r.provinces] for r in regions},
                      gravity=gravity, rule=rule, report=report, split=bool(split))
    table = IOTable(
        name=name, regions=tuple(Region(r.code, r.name_en, r.name_zh) for r in regions), sectors=sectors,
        Z=g.Z.reshape(G * S, G * S), Y=g.Y.reshape(G * S, G * C),
        fd_columns=tuple((r.code, c) for r in regions for c in netting.MRIO_FD_CATEGORIES),
        exports=g.exports.reshape(-1), value_added=g.value_added.reshape(-1), x=g.x.reshape(-1),
        origins=origins, imports_Z=g.imports_Z.reshape(K, S, G * S), imports_Y=g.imports_Y.reshape(K, S, G * C),
        unit="10k CNY", cny_per_unit=1e4, provenance=prov, domestic_origins=(DOMESTIC_POOL,),
    )
    return BuildResult(table, report)


def _province_region(nbs_code: str) -> RegionSpec:
    p = next(p for p in load_provinces() if p.nbs_code == nbs_code)
    return RegionSpec(p.code, p.name_en, p.name_zh, (nbs_code,))


def build_northeast_2017() -> BuildResult:
    """``northeast-2017``: Liaoning (LN), Jilin (JL), Heilongjiang (HLJ) and the rest of China (ROC).

    The exact aggregation of ``china31-2017``: the same provincial build, with ROC the sum of
    the other 28 provinces. LN, JL and HLJ rows and columns equal china31-2017's.
    """
    rest = tuple(c for c in PROVINCES if c not in NORTHEAST)
    regions = (*(_province_region(c) for c in NORTHEAST),
               RegionSpec("ROC", "Rest of China", "中国其他地区", rest))
    return build_mrio(name="northeast-2017", regions=regions,
                      description="Northeast China 2017: Liaoning, Jilin, Heilongjiang and the rest of China, "
                                  "42 NBS sectors, from the NBS 2017 provincial IO tables")


def build_northeast_2017_fine(split: tuple[str, ...] = CHOKEPOINT_SPLIT) -> BuildResult:
    """``northeast-2017-fine``: ``northeast-2017`` with the chokepoint sectors split into their 149 components.

    By default NBS 16 general equipment, 17 special equipment and 20 electronics
    (:data:`chainsim.data.nbs149.CHOKEPOINT_SPLIT`): integrated circuits sit in
    092 electronic components, CNC machine tools in 068 metal-processing machinery,
    industrial robots in 072 other general equipment, semiconductor equipment in 076 other
    special equipment. Every province is assumed to make the national product mix of a split
    sector (docs/data.md, "Finer products"). Summing the components gives ``northeast-2017``.
    """
    rest = tuple(c for c in PROVINCES if c not in NORTHEAST)
    regions = (*(_province_region(c) for c in NORTHEAST),
               RegionSpec("ROC", "Rest of China", "中国其他地区", rest))
    codes = ", ".join(split)
    return build_mrio(name="northeast-2017-fine", regions=regions, split=tuple(split),
                      description=f"northeast-2017 with NBS sectors {codes} split into their components of the "
                                  "national 2017 149-sector table (proportional assumption: every province makes the "
                                  "national product mix)")


def build_china31_2017() -> BuildResult:
    """``china31-2017``: the 31 provinces as regions, from the same provincial build as ``northeast-2017``.

    Liaoning, Jilin and Heilongjiang are matched in full in the national reconciliation
    wherever the data allow (the Northeast focus); the other 28 provinces carry the national
    OF/IF gap, each by the same factor per product.
    """
    return build_mrio(name="china31-2017", regions=tuple(_province_region(c) for c in PROVINCES),
                      description="China's 31 provinces 2017, 42 NBS sectors (1302 region-sectors), from the NBS "
                                  "2017 provincial IO tables")
