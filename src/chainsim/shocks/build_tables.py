"""Build the shipped labour and sub-region tables of :mod:`chainsim.shocks` from their raw files.

Run ``python -m chainsim.shocks.build_tables`` after changing a file in ``shocks/data/raw``;
it rewrites ``shocks/data/*.csv`` and ``SHA256SUMS``. It reads only files inside the
package: the raw files of ``shocks/data/raw`` (see ``shocks/data/PROVENANCE.md``) and the NBS
2017 provincial tables of ``chainsim/data/raw/nbs_provincial_io_42/2017``.
``tests/test_shocks_tables.py`` rebuilds into a temporary folder and checks that the shipped
files are what this script writes.

Outputs
-------
``labour_nbs42.csv``
    Per NBS-42 sector: employment 2017 (10k persons, Wang, Jia & Wang 2021), and the
    employment-weighted remote-labour index ``rli`` and essential score ``ess`` of Pichler
    et al. (2022, Table 5) through ``raw/employment_concordance.csv``.
``labour_share_2017.csv``
    Per region (31 provinces by chainsim code, ``ROC`` = the 28 outside the Northeast,
    ``CN`` = all) and sector: compensation of employees (VA001) over value added (TVA) in
    the NBS 2017 provincial tables.
``subregion_shares.csv``
    Share of a region's sector in a sub-region: Shanghai and Hubei within ROC (gross output,
    2017 tables) and Changchun within Jilin (``raw/changchun_2017.csv``, derivation in the
    ``method`` column).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.data.nbs import read_nbs_table
from chainsim.data.provinces import RAW_DIR as DATA_RAW_DIR
from chainsim.data.provinces import SHORT_CODES
from chainsim.errors import DataError

__all__ = ["DATA_DIR", "RAW", "build_all", "labour_nbs42", "labour_share_2017", "subregion_shares"]

DATA_DIR = Path(__file__).resolve().parent / "data"
RAW = DATA_DIR / "raw"
PROVINCIAL_2017 = DATA_RAW_DIR / "nbs_provincial_io_42" / "2017"
NORTHEAST = ("LN", "JL", "HLJ")
SECTORS = tuple(f"{k:02d}" for k in range(1, 43))
EMPLOYMENT_YEAR = "2017"
#: share drift allowed for a 2017 structure used in another year (assumption, ±20 %)
DRIFT = 0.2


def labour_nbs42(raw: Path = RAW) -> pd.DataFrame:
    """Employment, RLI and ESS per NBS-42 sector (employment-weighted over the source codes)."""
    emp = pd.read_csv(raw / "china_employment.csv", dtype={"Code": str}).set_index("Code")
    conc = pd.read_csv(raw / "employment_concordance.csv", dtype=str)
    idx = pd.read_csv(raw / "pichler2022_rli_ess_nace64.csv", dtype={"sector": str}).set_index("sector")
    leaves = [c for c in emp.index if c != "TOT" and not any(o != c and o.startswith(c) for o in emp.index)]
    missing = sorted(set(leaves) - set(conc.emp_code))
    if missing:
        raise DataError(f"{raw / 'employment_concordance.csv'}: employment code(s) {missing} have no NBS-42 sector")
    rows = []
    for _, r in conc.iterrows():
        nace = r.nace64.split(";")
        unknown = [n for n in nace if n not in idx.index]
        if unknown:
            raise DataError(f"{raw / 'employment_concordance.csv'}: {r.emp_code}: unknown NACE-64 row(s) {unknown}")
        e = float(emp.loc[r.emp_code, EMPLOYMENT_YEAR])
        for n in nace:  # equal split of a code's employment over its NACE rows
            rows.append({"sector": r.nbs42, "emp": e / len(nace), "rli": idx.loc[n, "remote_labor_index"],
                         "ess": idx.loc[n, "essentiality_score"]})
    df = pd.DataFrame(rows)
    out = []
    for s, g in df.groupby("sector", sort=True):
        w = g.emp.to_numpy()
        total = w.sum()
        rli = float(np.average(g.rli, weights=w)) if total > 0 else float(g.rli.mean())
        ess = float(np.average(g.ess, weights=w)) if total > 0 else float(g.ess.mean())
        out.append({"sector": s, "employment_10k": round(float(total), 3), "rli": round(rli, 4), "ess": round(ess, 4)})
    return pd.DataFrame(out)


def _provincial() -> dict[str, object]:
    tables = {}
    for path in sorted(PROVINCIAL_2017.glob("*.csv")):
        code = path.stem.split("_")[0]
        tables[SHORT_CODES[code]] = read_nbs_table(path, year=2017)
    if len(tables) != 31:
        raise DataError(f"{PROVINCIAL_2017}: expected 31 provincial tables; found {len(tables)}")
    return tables


def labour_share_2017(tables: Mapping[str, object] | None = None) -> pd.DataFrame:
    """Compensation of employees over value added per region and sector (2017 provincial tables).

    A sector with no positive value added takes the national share (``note = national``); a
    share above 1 (negative operating surplus) is set to 1, Leontief in labour (``capped``).
    """
    tables = _provincial() if tables is None else tables
    groups = {**{r: (r,) for r in tables}, "ROC": tuple(r for r in tables if r not in NORTHEAST),
              "CN": tuple(tables)}
    comp = {g: sum(tables[r].VA[0] for r in members) for g, members in groups.items()}
    va = {g: sum(tables[r].value_added for r in members) for g, members in groups.items()}
    national = comp["CN"] / va["CN"]
    rows = []
    for g in groups:
        for k, s in enumerate(SECTORS):
            c, v = float(comp[g][k]), float(va[g][k])
            note = ""
            if v <= 0:
                share, note = float(national[k]), "national"
            else:
                share = c / v
                if share > 1.0:
                    share, note = 1.0, "capped"
            rows.append({"region": g, "sector": s, "compensation_10k": round(c, 2), "value_added_10k": round(v, 2),
                         "labour_share": round(share, 4), "note": note})
    return pd.DataFrame(rows)


def _expand(spec: str) -> list[str]:
    out: list[str] = []
    for part in str(spec).split(";"):
        if "-" in part:
            a, b = part.split("-")
            out += [f"{k:02d}" for k in range(int(a), int(b) + 1)]
        elif part:
            out.append(f"{int(part):02d}")
    return out


def subregion_shares(tables: Mapping[str, object] | None = None, raw: Path = RAW) -> pd.DataFrame:
    """Sub-region shares of a region's sectors (see the module docstring)."""
    tables = _provincial() if tables is None else tables
    roc = sum(t.GO for r, t in tables.items() if r not in NORTHEAST)
    rows = []
    names = {"SH": ("shanghai", "Shanghai 上海"), "HUB": ("hubei", "Hubei 湖北")}
    for code, (name, label) in names.items():
        share = np.divide(tables[code].GO, roc, out=np.zeros(len(SECTORS)), where=roc > 0)
        for k, s in enumerate(SECTORS):
            v = float(share[k])
            rows.append({"subregion": name, "region": "ROC", "sector": s, "share": round(v, 4),
                         "low": round(v * (1 - DRIFT), 4), "high": round(min(1.0, v * (1 + DRIFT)), 4),
                         "method": f"{label} gross output / ROC gross output, NBS 2017 provincial tables; "
                                   f"low/high ±{DRIFT:.0%} for structural change since 2017 (assumption)",
                         "source": "NBS 中国地区投入产出表 2017"})
    rows += _changchun(tables["JL"], raw)
    return pd.DataFrame(rows)


def _changchun(jl: object, raw: Path) -> list[dict]:
    facts = pd.read_csv(raw / "changchun_2017.csv").set_index("item")
    f = {k: float(v) for k, v in facts["value"].items()}
    annual = 12.0 / 10.0  # Jan–Oct to the year (assumption: even months)
    go = dict(zip(SECTORS, jl.GO / 1e5, strict=True))  # 10k CNY -> bn CNY
    va = dict(zip(SECTORS, jl.value_added / 1e5, strict=True))
    industry = _expand("02-26")
    other_ind = [s for s in industry if s not in ("06", "18")]
    transport = (f["auto_output"] + f["rail_equipment_output"]) * annual
    food = f["agri_processing_output"] * annual
    named = f["auto_output"] + f["rail_equipment_output"] + f["agri_processing_output"]
    rest = (f["above_size_output"] - named) * annual
    tertiary = f["gdp_2015"] * f["tertiary_share_2015"]
    jl_tertiary = sum(va[s] for s in _expand("28-42"))
    pop_share = f["population_2015"] / f["jilin_population_2019"]
    src = str(facts.loc["above_size_output", "source"])
    groups = [
        (["18"], transport / go["18"], 0.70, 0.95,
         f"(auto {f['auto_output']:g} + railway vehicles {f['rail_equipment_output']:g} bn CNY, Jan–Oct 2017) x 12/10 "
         f"/ Jilin 18 gross output {go['18']:.2f} bn CNY (NBS 2017); low: coverage of 规上 output value vs IO gross "
         "output; high: year-end months above the Jan–Oct average (assumption)", src),
        (["06"], food / go["06"], 0.20, 0.35,
         f"agricultural processing {f['agri_processing_output']:g} bn CNY (Jan–Oct 2017) x 12/10 / Jilin 06 gross "
         f"output {go['06']:.2f} bn CNY; range: 农产品加工业 is wider than NBS 06 (assumption)", src),
        (other_ind, rest / sum(go[s] for s in other_ind), 0.12, 0.25,
         f"rest of above-size output ({f['above_size_output']:g} - auto - railway - agricultural processing, Jan–Oct "
         f"2017) x 12/10 / Jilin 02-26 gross output without 06 and 18 ({sum(go[s] for s in other_ind):.2f} bn CNY); "
         "one share for all these sectors (assumption), range assumption", src),
        (["01", *_expand("27-42")], tertiary / jl_tertiary, round(pop_share, 4), 0.50,
         f"Changchun tertiary value added 2015 ({f['gdp_2015']:g} x {f['tertiary_share_2015']:g} bn CNY) / Jilin "
         f"28-42 value added 2017 ({jl_tertiary:.2f} bn CNY), years differ; low: population share "
         f"{f['population_2015']:g} / {f['jilin_population_2019']:g} million; high: assumption; applied to "
         "agriculture and construction too (assumption)", str(facts.loc["gdp_2015", "source"])),
    ]
    rows = []
    for sectors, share, low, high, method, source in groups:
        for s in sectors:
            rows.append({"subregion": "changchun", "region": "JL", "sector": s, "share": round(float(share), 4),
                         "low": low, "high": high, "method": method, "source": source})
    return sorted(rows, key=lambda r: r["sector"])


def build_all(out_dir: Path = DATA_DIR) -> dict[str, Path]:
    """Write the three derived tables and ``SHA256SUMS`` into ``out_dir``; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = _provincial()
    frames = {"labour_nbs42.csv": labour_nbs42(), "labour_share_2017.csv": labour_share_2017(tables),
              "subregion_shares.csv": subregion_shares(tables)}
    paths = {}
    for name, frame in frames.items():
        paths[name] = out_dir / name
        frame.to_csv(paths[name], index=False, lineterminator="\n")
    sums = []
    for p in sorted([*out_dir.glob("*.csv"), *(out_dir / "raw").glob("*.csv")] if out_dir == DATA_DIR else
                    out_dir.glob("*.csv")):
        rel = p.relative_to(out_dir).as_posix()
        sums.append(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {rel}")
    (out_dir / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    return paths


if __name__ == "__main__":  # pragma: no cover
    for name, path in build_all().items():
        print(f"wrote {path} ({name})")
