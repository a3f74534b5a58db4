"""Exact, deterministic on-disk forms of a built :class:`IOTable`.

Two forms:

* **CSV bundle** (the shipped ``northeast-2017``): the ``boario_reference.py`` CSV layout
  written by :func:`chainsim.data.csv_layout.write_csv_layout` (``industries.csv``,
  ``Z.csv``, ``imports.csv``, ``meta.json``) plus the arrays that layout cannot hold —
  ``vectors.csv`` (exports, value added, output), ``final_demand.csv`` (Y by destination
  region and category) and ``imports_final.csv`` (imports for final demand by origin) —
  and ``SHA256SUMS``. Numbers are written with 17 significant digits and read back with
  NumPy's correctly rounded parser, so the table is restored bit for bit.
* **Array bundle** (the cache of ``china31-2017``): one ``.npy`` per array, ``meta.json``
  with labels and provenance, ``SHA256SUMS``.

Both are written into a temporary sibling folder and renamed into place (atomic on POSIX).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.data.csv_layout import write_csv_layout
from chainsim.data.iotable import IOTable, Region, Sector
from chainsim.errors import DataError

__all__ = ["read_array_bundle", "read_csv_bundle", "sha256sums", "write_array_bundle", "write_csv_bundle"]

_ARRAYS = ("Z", "Y", "exports", "value_added", "x", "imports_Z", "imports_Y")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sha256sums(folder: str | Path) -> dict[str, str]:
    """SHA-256 of every file in ``folder`` except ``SHA256SUMS`` itself, by file name (sorted)."""
    folder = Path(folder)
    return {p.name: _sha(p) for p in sorted(folder.iterdir()) if p.is_file() and p.name != "SHA256SUMS"}


def _write_sums(folder: Path) -> dict[str, str]:
    sums = sha256sums(folder)
    (folder / "SHA256SUMS").write_text("".join(f"{h}  {n}\n" for n, h in sums.items()), encoding="utf-8")
    return sums


def _atomic(target: Path, fill) -> dict[str, str]:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        fill(tmp)
        sums = _write_sums(tmp)
        if target.exists():
            old = target.with_name(f".{target.name}.old.{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return sums


def _meta(table: IOTable) -> dict:
    return {
        "name": table.name, "unit": table.unit, "cny_per_unit": table.cny_per_unit, "tolerance": table.tolerance,
        "regions": {r.code: [r.name_en, r.name_zh] for r in table.regions},  # as csv_layout's meta.json
        "sectors": [[s.code, s.name_en, s.name_zh] for s in table.sectors],
        "fd_columns": [list(c) for c in table.fd_columns], "origins": list(table.origins),
        "domestic_origins": list(table.domestic_origins),
        "checksum": table.checksum, "provenance": dict(table.provenance),
    }


def _dump(obj: dict, path: Path) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=False, allow_nan=False) + "\n",
                    encoding="utf-8")


def _from_meta(meta: dict, arrays: dict[str, np.ndarray], source: Path) -> IOTable:
    table = IOTable(
        name=meta["name"], regions=tuple(Region(c, *names) for c, names in meta["regions"].items()),
        sectors=tuple(Sector(*s) for s in meta["sectors"]), fd_columns=tuple(tuple(c) for c in meta["fd_columns"]),
        origins=tuple(meta["origins"]), domestic_origins=tuple(meta.get("domestic_origins", ())),
        unit=meta["unit"], cny_per_unit=float(meta["cny_per_unit"]),
        tolerance=float(meta["tolerance"]), provenance=meta["provenance"], **arrays,
    )
    if table.checksum != meta["checksum"]:
        raise DataError(f"{source}: the arrays read do not match the checksum recorded in meta.json "
                        f"({table.checksum[:12]} != {meta['checksum'][:12]}); the files are damaged")
    return table


# ------------------------------------------------------------------------------------------ CSV
def write_csv_bundle(table: IOTable, folder: str | Path) -> dict[str, str]:
    """Write ``table`` as a CSV bundle into ``folder`` (replaced atomically); return the files' SHA-256."""

    def fill(tmp: Path) -> None:
        write_csv_layout(table, tmp)
        lab = table.labels
        reg, sec = lab.get_level_values(0), lab.get_level_values(1)
        pd.DataFrame({"region": reg, "sector": sec, "exports": table.exports, "value_added": table.value_added,
                      "output": table.x}).to_csv(tmp / "vectors.csv", index=False, float_format="%.17g")
        y = pd.DataFrame(table.Y, columns=[f"{r}|{c}" for r, c in table.fd_columns])
        y.insert(0, "sector", sec)
        y.insert(0, "region", reg)
        y.to_csv(tmp / "final_demand.csv", index=False, float_format="%.17g")
        o, p, c = np.nonzero(table.imports_Y)
        pd.DataFrame({
            "origin": np.array(table.origins, dtype=object)[o], "product": np.array(table.sector_codes)[p],
            "region": [table.fd_columns[k][0] for k in c], "category": [table.fd_columns[k][1] for k in c],
            "value": table.imports_Y[o, p, c],
        }).to_csv(tmp / "imports_final.csv", index=False, float_format="%.17g")
        _dump(_meta(table), tmp / "meta.json")

    return _atomic(Path(folder), fill)


def _csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"{path}: file not found (incomplete dataset bundle)")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _num(frame: pd.DataFrame | pd.Series, path: Path) -> np.ndarray:
    """Strings to float64 with NumPy's correctly rounded parser (exact for 17-digit output)."""
    try:
        return np.asarray(frame.to_numpy(dtype=str), dtype=str).astype(np.float64)
    except ValueError as exc:
        raise DataError(f"{path}: non-numeric value ({exc})") from None


def read_csv_bundle(folder: str | Path) -> IOTable:
    """Read a CSV bundle written by :func:`write_csv_bundle` (bit-exact)."""
    folder = Path(folder)
    meta_path = folder / "meta.json"
    if not meta_path.is_file():
        raise DataError(f"{meta_path}: file not found (incomplete dataset bundle)")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    regions = list(meta["regions"])
    sectors = [s[0] for s in meta["sectors"]]
    fd = [tuple(c) for c in meta["fd_columns"]]
    n, S = len(regions) * len(sectors), len(sectors)
    keys = [f"{r}|{s}" for r in regions for s in sectors]
    vec = _csv(folder / "vectors.csv")
    z = _csv(folder / "Z.csv")
    y = _csv(folder / "final_demand.csv")
    for name, frame in (("vectors.csv", vec), ("Z.csv", z), ("final_demand.csv", y)):
        if [f"{a}|{b}" for a, b in zip(frame["region"], frame["sector"], strict=True)] != keys:
            raise DataError(f"{folder / name}: rows must list the industries region-major as in meta.json")
    if list(z.columns[2:]) != keys or list(y.columns[2:]) != [f"{r}|{c}" for r, c in fd]:
        raise DataError(f"{folder}: column headers of Z.csv / final_demand.csv do not match meta.json")
    vpath = folder / "vectors.csv"
    arrays = {"Z": _num(z.iloc[:, 2:], folder / "Z.csv"), "Y": _num(y.iloc[:, 2:], folder / "final_demand.csv"),
              "exports": _num(vec["exports"], vpath), "value_added": _num(vec["value_added"], vpath),
              "x": _num(vec["output"], vpath)}
    origins = meta["origins"]
    imz = np.zeros((len(origins), S, n))
    imy = np.zeros((len(origins), S, len(fd)))
    mz = _csv(folder / "imports.csv")
    my = _csv(folder / "imports_final.csv")

    def _positions(labels: list[str], values: pd.Series, what: str, path: Path) -> np.ndarray:
        pos = pd.Index(labels).get_indexer(values.to_numpy(dtype=object))
        if (pos < 0).any():
            bad = values.to_numpy(dtype=object)[pos < 0][0]
            raise DataError(f"{path}: unknown {what} {bad!r}; meta.json lists {labels[:5]}...")
        return pos

    pz, py = folder / "imports.csv", folder / "imports_final.csv"
    imz[_positions(origins, mz["origin"], "origin", pz), _positions(sectors, mz["product"], "product", pz),
        _positions(keys, mz["region"] + "|" + mz["sector"], "industry", pz)] = _num(mz["value"], pz)
    columns = [f"{r}|{c}" for r, c in fd]
    imy[_positions(origins, my["origin"], "origin", py), _positions(sectors, my["product"], "product", py),
        _positions(columns, my["region"] + "|" + my["category"], "column", py)] = _num(my["value"], py)
    arrays.update(imports_Z=imz, imports_Y=imy)
    return _from_meta(meta, arrays, folder)


# ---------------------------------------------------------------------------------------- arrays
def write_array_bundle(table: IOTable, folder: str | Path) -> dict[str, str]:
    """Write ``table`` as ``.npy`` arrays plus ``meta.json`` into ``folder`` (atomically)."""

    def fill(tmp: Path) -> None:
        for name in _ARRAYS:
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(getattr(table, name), dtype="<f8"), allow_pickle=False)
        _dump(_meta(table), tmp / "meta.json")

    return _atomic(Path(folder), fill)


def read_array_bundle(folder: str | Path) -> IOTable:
    """Read an array bundle written by :func:`write_array_bundle`."""
    folder = Path(folder)
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        arrays = {name: np.load(folder / f"{name}.npy", allow_pickle=False) for name in _ARRAYS}
    except (OSError, ValueError) as exc:
        raise DataError(f"{folder}: cannot read the dataset bundle ({exc})") from None
    return _from_meta(meta, arrays, folder)
