"""The CSV folder layout shared with ``tools/boario_reference.py`` (read and write).

A folder holds::

    industries.csv  region,sector,final_demand,value_added,output[,capital][,name_en,name_zh]
    Z.csv           region,sector,<REGION|SECTOR>,...   supplier rows x user columns (annual flows)
    imports.csv     optional: origin,product,region,sector,value  (foreign imports used by
                    each industry; when present, ``value_added`` in industries.csv includes
                    them, as BoARIO's balance check requires, and they are split back out)
    meta.json       optional: {"name", "unit", "cny_per_unit", "domestic_origins", ...}
                    (``domestic_origins``: origins of imports.csv that are domestic supply
                    pools, e.g. ``DOM``, not foreign countries)

Rows may come in any order but must cover the full grid regions x sectors; the table is
re-ordered region-major (regions and sectors in order of first appearance).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.data.iotable import IOTable, Region, Sector
from chainsim.errors import DataError

__all__ = ["read_csv_layout", "write_csv_layout"]

_REQUIRED = ("region", "sector", "final_demand", "value_added", "output")


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"{path}: file not found (expected the CSV layout of boario_reference.py)")
    try:
        return pd.read_csv(path, dtype={"region": str, "sector": str, "origin": str, "product": str},
                           keep_default_na=False, na_values=[])
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"{path}: cannot parse as CSV ({exc})") from None


def _read_meta(path: Path) -> dict:
    """``meta.json``, checked field by field (each problem names the field, what it should be and what it is)."""
    if not path.is_file():
        return {}
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: invalid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise DataError(f"{path}: expected a JSON object of fields (name, unit, cny_per_unit, ...); "
                        f"found {type(meta).__name__}")
    for key in ("name", "unit"):
        if key in meta and not isinstance(meta[key], str):
            raise DataError(f"{path}: {key}: expected a string; found {meta[key]!r}")
    if "cny_per_unit" in meta:
        v = meta["cny_per_unit"]
        if isinstance(v, bool) or not isinstance(v, int | float) or not np.isfinite(v) or v <= 0:
            raise DataError(f"{path}: cny_per_unit: expected a positive number (CNY per table unit); found {v!r}")
    regions = meta.get("regions", {})
    if not isinstance(regions, dict):
        raise DataError(f"{path}: regions: expected an object code -> [name_en, name_zh]; found {regions!r}")
    for code, names in regions.items():
        if not isinstance(names, list) or len(names) > 2 or not all(isinstance(n, str) for n in names):
            raise DataError(f"{path}: regions.{code}: expected [name_en, name_zh] (strings); found {names!r}")
    dom = meta.get("domestic_origins", [])
    if not isinstance(dom, list) or not all(isinstance(o, str) for o in dom):
        raise DataError(f"{path}: domestic_origins: expected a list of origin codes; found {dom!r}")
    if not isinstance(meta.get("provenance", {}), dict):
        raise DataError(f"{path}: provenance: expected an object; found {meta['provenance']!r}")
    return meta


def _numeric(df: pd.DataFrame, col: str, path: Path) -> np.ndarray:
    vals = pd.to_numeric(df[col], errors="coerce")
    bad = vals.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{path}: row {row + 2}, column '{col}': expected a number, found {df[col].iloc[row]!r}")
    return vals.to_numpy(dtype=float)


def read_csv_layout(folder: str | Path, *, name: str | None = None, tolerance: float = 1e-6) -> IOTable:
    """Read a table in the ``boario_reference.py`` CSV layout.

    Parameters
    ----------
    folder : path
        Folder with ``industries.csv`` and ``Z.csv`` (and optionally ``imports.csv``, ``meta.json``).
    name : str, optional
        Table name; defaults to ``meta.json``'s name or the folder name.
    tolerance : float
        Relative balance tolerance passed to :class:`IOTable`.

    Returns
    -------
    IOTable

    Raises
    ------
    DataError
        Missing file or column, non-numeric cell (with row and column), labels of ``Z.csv``
        that do not match ``industries.csv``, an incomplete region x sector grid, or an
        unbalanced table.
    """
    folder = Path(folder)
    meta = _read_meta(folder / "meta.json")
    ipath = folder / "industries.csv"
    ind = _read_csv(ipath)
    for col in _REQUIRED:
        if col not in ind.columns:
            raise DataError(f"{ipath}: missing column '{col}'; expected columns {list(_REQUIRED)} (+ optional capital)")
    ind["region"] = ind["region"].astype(str)
    ind["sector"] = ind["sector"].astype(str)
    keys = list(zip(ind["region"], ind["sector"], strict=True))
    if len(set(keys)) != len(keys):
        dup = pd.Index(keys)[pd.Index(keys).duplicated()][0]
        raise DataError(f"{ipath}: duplicate row for region '{dup[0]}', sector '{dup[1]}'")
    regions = list(dict.fromkeys(ind["region"]))
    sectors = list(dict.fromkeys(ind["sector"]))
    grid = [(r, s) for r in regions for s in sectors]
    missing = sorted(set(grid) - set(keys))
    if missing:
        raise DataError(f"{ipath}: the industries must form the full grid regions x sectors; "
                        f"missing {len(missing)} pair(s), e.g. region '{missing[0][0]}', sector '{missing[0][1]}'")
    order = np.array([keys.index(k) for k in grid])

    zpath = folder / "Z.csv"
    zraw = _read_csv(zpath)
    if list(zraw.columns[:2]) != ["region", "sector"]:
        raise DataError(f"{zpath}: the first two columns must be 'region,sector'; found {list(zraw.columns[:2])}")
    zkeys = list(zip(zraw["region"].astype(str), zraw["sector"].astype(str), strict=True))
    zcols = [tuple(c.split("|", 1)) for c in zraw.columns[2:]]
    if zkeys != keys:
        raise DataError(f"{zpath}: row labels must list the industries in the order of industries.csv")
    if len(zcols) != len(keys):
        raise DataError(f"{zpath}: {len(zcols)} value columns; expected {len(keys)} (one REGION|SECTOR column per "
                        "industry of industries.csv)")
    if zcols != keys:
        bad = next((i for i, (a, b) in enumerate(zip(zcols, keys, strict=False)) if a != b), len(keys))
        found = "|".join(zcols[bad]) if bad < len(zcols) else "(none)"
        raise DataError(f"{zpath}: column {bad + 3} header must be '{keys[bad][0]}|{keys[bad][1]}' "
                        f"(REGION|SECTOR in the order of industries.csv); found '{found}'")
    Z = np.column_stack([_numeric(zraw, c, zpath) for c in zraw.columns[2:]]) if len(keys) else np.zeros((0, 0))
    Z = Z[np.ix_(order, order)]
    fd = _numeric(ind, "final_demand", ipath)[order]
    va = _numeric(ind, "value_added", ipath)[order]
    x = _numeric(ind, "output", ipath)[order]
    capital = _numeric(ind, "capital", ipath)[order] if "capital" in ind.columns else None

    origins: list[str] = []
    imports_Z = None
    if (folder / "imports.csv").is_file():
        mpath = folder / "imports.csv"
        imp = _read_csv(mpath)
        for col in ("origin", "product", "region", "sector", "value"):
            if col not in imp.columns:
                raise DataError(f"{mpath}: missing column '{col}'")
        origins = list(dict.fromkeys(imp["origin"].astype(str)))
        imports_Z = np.zeros((len(origins), len(sectors), len(grid)))
        vals = _numeric(imp, "value", mpath)
        pos = {k: i for i, k in enumerate(grid)}
        cols = (imp[c].astype(str) for c in ("origin", "product", "region", "sector"))
        for row, (o, p, r, s) in enumerate(zip(*cols, strict=True)):
            if p not in sectors or (r, s) not in pos:
                raise DataError(f"{mpath}: row {row + 2}: unknown product '{p}' or industry '{r}|{s}'")
            imports_Z[origins.index(o), sectors.index(p), pos[(r, s)]] += vals[row]
        va = va - imports_Z.sum(axis=(0, 1))

    def _names(col: str) -> dict[str, str]:
        if col not in ind.columns:
            return {}
        return {s: str(n) for s, n in zip(ind["sector"], ind[col], strict=True)}

    en, zh = _names("name_en"), _names("name_zh")
    rnames = meta.get("regions", {})
    Y = np.zeros((len(grid), len(regions)))
    Y[np.arange(len(grid)), np.repeat(np.arange(len(regions)), len(sectors))] = fd
    return IOTable(
        name=name or meta.get("name", folder.name),
        regions=tuple(Region(r, *rnames.get(r, ["", ""])) for r in regions),
        sectors=tuple(Sector(s, en.get(s, ""), zh.get(s, "")) for s in sectors),
        Z=Z, Y=Y, fd_columns=tuple((r, "final_demand") for r in regions), exports=np.zeros(len(grid)),
        value_added=va, x=x, origins=tuple(origins), imports_Z=imports_Z, capital=capital,
        unit=meta.get("unit", "currency unit"), cny_per_unit=float(meta.get("cny_per_unit", 1.0)),
        tolerance=tolerance, provenance={"source": str(folder), "reader": "csv_layout", **meta.get("provenance", {})},
        domestic_origins=tuple(o for o in meta.get("domestic_origins", ()) if o in origins),
    )


def write_csv_layout(table: IOTable, folder: str | Path, *, capital_to_va: float = 4.0) -> Path:
    """Write ``table`` in the ``boario_reference.py`` CSV layout (plus ``imports.csv`` and ``meta.json``).

    ``final_demand`` is the row total of domestic final demand plus exports abroad.
    ``value_added`` includes foreign imports (BoARIO has no import block, so imports act as
    a primary input); they are listed separately in ``imports.csv``. ``capital`` is the
    table's own capital or ``capital_to_va`` x max(value added excluding imports, 0)
    (Hallegatte 2008's ratio of 4).

    Returns
    -------
    Path
        The folder written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    labels = table.labels
    capital = table.capital if table.capital is not None else capital_to_va * np.clip(table.value_added, 0, None)
    sec = {s.code: s for s in table.sectors}
    ind = pd.DataFrame({
        "region": labels.get_level_values(0), "sector": labels.get_level_values(1),
        "final_demand": table.final_demand, "value_added": table.value_added + table.imports_total,
        "output": table.x, "capital": capital,
    })
    ind["name_en"] = [sec[s].name_en for s in ind["sector"]]
    ind["name_zh"] = [sec[s].name_zh for s in ind["sector"]]
    ind.to_csv(folder / "industries.csv", index=False, float_format="%.17g")
    cols = [f"{r}|{s}" for r, s in labels]
    z = pd.DataFrame(table.Z, columns=cols)
    z.insert(0, "sector", labels.get_level_values(1))
    z.insert(0, "region", labels.get_level_values(0))
    z.to_csv(folder / "Z.csv", index=False, float_format="%.17g")
    if table.origins:
        o, p, j = np.nonzero(table.imports_Z)
        pd.DataFrame({
            "origin": np.array(table.origins)[o], "product": np.array(table.sector_codes)[p],
            "region": labels.get_level_values(0)[j], "sector": labels.get_level_values(1)[j],
            "value": table.imports_Z[o, p, j],
        }).to_csv(folder / "imports.csv", index=False, float_format="%.17g")
    meta = {"name": table.name, "unit": table.unit, "cny_per_unit": table.cny_per_unit,
            "regions": {r.code: [r.name_en, r.name_zh] for r in table.regions},
            "checksum": table.checksum, "provenance": dict(table.provenance)}
    if table.domestic_origins:  # only then, so tables without domestic pools write what they always wrote
        meta["domestic_origins"] = list(table.domestic_origins)
    (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return folder
