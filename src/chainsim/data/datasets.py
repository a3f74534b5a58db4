"""Registry of the bundled datasets: list, load, (re)build; and the default criticality matrix.

``northeast-2017`` ships inside the package (``built/northeast_2017/``, a CSV bundle, see
:mod:`chainsim.data.store`) and loads in a fraction of a second. ``china31-2017`` (1302
region-sectors) and ``northeast-2017-fine`` (the chokepoint sectors split into their
149-sector components, 220 region-sectors) are built from the shipped raw NBS tables on first
use, a few seconds, and cached in ``$CHAINSIM_CACHE`` or ``~/.cache/chainsim`` (written to a
temporary folder and renamed into place, so concurrent processes never see half a dataset).
All are built by :mod:`chainsim.data.build`; see ``docs/data.md`` for the recipe and its
assumptions.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.data.build import (
    BUILDER_VERSION,
    BuildResult,
    build_china31_2017,
    build_northeast_2017,
    build_northeast_2017_fine,
)
from chainsim.data.disaggregate import SPLIT_VERSION
from chainsim.data.iotable import IOTable
from chainsim.data.nbs149 import CHOKEPOINT_SPLIT, national_detail
from chainsim.data.provinces import RAW_DIR, SHORT_CODES
from chainsim.data.store import read_array_bundle, read_csv_bundle, write_array_bundle, write_csv_bundle
from chainsim.errors import DataError, did_you_mean

__all__ = ["BUILT_DIR", "DatasetInfo", "build_datasets", "cache_dir", "list_datasets", "load_criticality",
           "load_dataset", "open_table"]

BUILT_DIR = Path(__file__).resolve().parent / "built"
_CRITICALITY_DIR = RAW_DIR / "ihs_critical_inputs_wiod55"


@dataclass(frozen=True)
class DatasetInfo:
    """What :func:`list_datasets` reports about a dataset.

    Attributes
    ----------
    name, description : str
    regions : tuple of str
        Region codes in table order.
    n_sectors, n_industries : int
    shipped : bool
        True if the dataset ships inside the package; False if it is built on first use.
    available : bool
        True if it loads without building (shipped, or already in the cache).
    """

    name: str
    description: str
    regions: tuple[str, ...]
    n_sectors: int
    n_industries: int
    shipped: bool
    available: bool


@dataclass(frozen=True)
class _Spec:
    builder: Callable[[], BuildResult]
    shipped: bool
    folder: str
    regions: tuple[str, ...]
    description: str
    n_sectors: Callable[[], int] = lambda: 42


_REGISTRY: dict[str, _Spec] = {
    "northeast-2017": _Spec(
        build_northeast_2017, True, "northeast_2017", ("LN", "JL", "HLJ", "ROC"),
        "Northeast China 2017 MRIO: Liaoning, Jilin, Heilongjiang and the rest of China; 42 NBS sectors; "
        "imports by origin (17 named countries, e.g. JPN, KOR, TWN, USA, DEU, RUS, SAU, AUS, BRA, and ROW; plus DOM, "
        "unallocated domestic inflows); the exact aggregation of china31-2017; 10k CNY"),
    "china31-2017": _Spec(
        build_china31_2017, False, "china31_2017", tuple(SHORT_CODES.values()),
        "China's 31 provinces 2017 MRIO (1302 region-sectors); 42 NBS sectors; imports by origin; 10k CNY; "
        "built on first use"),
    "northeast-2017-fine": _Spec(
        build_northeast_2017_fine, False, f"northeast_2017_fine_{'-'.join(CHOKEPOINT_SPLIT)}_s{SPLIT_VERSION}",
        ("LN", "JL", "HLJ", "ROC"),
        "northeast-2017 with the chokepoint sectors 16, 17, 20 split into their components of the national "
        "2017 149-sector table (e.g. 068 metal-processing machinery, 076 other special equipment, 092 electronic "
        "components); every province assumed to make the national product mix; sums back to northeast-2017; "
        "built on first use",
        lambda: len(national_detail(CHOKEPOINT_SPLIT).sectors)),
}


def cache_dir() -> Path:
    """Cache root: ``$CHAINSIM_CACHE`` if set, else ``~/.cache/chainsim``."""
    env = os.environ.get("CHAINSIM_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "chainsim"


def _raw_digest() -> str:
    h = hashlib.sha256()
    for p in sorted(RAW_DIR.rglob("*")):
        if p.is_file() and p.suffix in (".csv", ".gz"):
            h.update(str(p.relative_to(RAW_DIR)).encode())
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:12]


def _cache_folder(spec: _Spec, root: Path) -> Path:
    return root / f"{spec.folder}-v{BUILDER_VERSION}-{_raw_digest()}"


def _spec(name: str) -> _Spec:
    if name not in _REGISTRY:
        raise DataError(f"unknown dataset '{name}'; available: {sorted(_REGISTRY)}{did_you_mean(name, _REGISTRY)}")
    return _REGISTRY[name]


def list_datasets() -> list[DatasetInfo]:
    """The datasets chainsim knows, in registry order."""
    out = []
    for name, spec in _REGISTRY.items():
        available = (BUILT_DIR / spec.folder / "meta.json").is_file() if spec.shipped else \
            (_cache_folder(spec, cache_dir()) / "meta.json").is_file()
        S = spec.n_sectors()
        out.append(DatasetInfo(name, spec.description, spec.regions, S, S * len(spec.regions), spec.shipped,
                               available))
    return out


@lru_cache(maxsize=4)
def _load(name: str, root: str) -> IOTable:
    spec = _spec(name)
    if spec.shipped:
        folder = BUILT_DIR / spec.folder
        if not (folder / "meta.json").is_file():
            raise DataError(f"dataset '{name}' is not in the package ({folder} missing); rebuild it with "
                            f"`chainsim data build` (chainsim.data.datasets.build_datasets())")
        return read_csv_bundle(folder)
    folder = _cache_folder(spec, Path(root))
    if (folder / "meta.json").is_file():
        try:
            return read_array_bundle(folder)
        except DataError:
            pass  # damaged cache: rebuild below
    table = spec.builder().table
    write_array_bundle(table, folder)
    return table


def load_dataset(name: str) -> IOTable:
    """Load a bundled dataset by name.

    Parameters
    ----------
    name : str
        ``"northeast-2017"`` (shipped), ``"china31-2017"`` or ``"northeast-2017-fine"``
        (built into the cache on first use, a few seconds).

    Returns
    -------
    IOTable
        Immutable; repeated calls return the same object.

    Raises
    ------
    DataError
        Unknown name (with a did-you-mean suggestion) or damaged shipped files.

    Examples
    --------
    >>> t = load_dataset("northeast-2017")
    >>> t.region_codes, t.n_sectors, t.unit
    (('LN', 'JL', 'HLJ', 'ROC'), 42, '10k CNY')
    """
    return _load(name, str(cache_dir()))


def open_table(name_or_path: str | Path) -> IOTable:
    """A dataset by name, or a built bundle by folder (CSV bundle or array bundle).

    Parameters
    ----------
    name_or_path : str or path
        A registered dataset name (``northeast-2017``), or a folder written by
        :func:`build_datasets` / ``chainsim data build --out`` (``meta.json`` with ``Z.csv``
        or ``Z.npy``), e.g. an older build kept for comparison.

    Returns
    -------
    IOTable

    Raises
    ------
    DataError
        Neither a known name nor a bundle folder (with a did-you-mean suggestion).
    """
    text = str(name_or_path)
    if text in _REGISTRY:
        return load_dataset(text)
    folder = Path(name_or_path)
    if (folder / "meta.json").is_file():
        return read_array_bundle(folder) if (folder / "Z.npy").is_file() else read_csv_bundle(folder)
    for sub in sorted(folder.glob("*/meta.json")) if folder.is_dir() else ():
        raise DataError(f"{folder}: not a dataset bundle, but it holds one in {sub.parent.name}/; pass that folder")
    raise DataError(f"'{text}' is neither a dataset ({sorted(_REGISTRY)}) nor a folder with a built bundle "
                    f"(meta.json){did_you_mean(text, _REGISTRY)}")


def build_datasets(out_dir: Path | None = None, names: Iterable[str] = ("northeast-2017",)) -> dict:
    """Rebuild datasets from the shipped raw tables and write them (deterministic, byte-identical).

    Parameters
    ----------
    out_dir : path, optional
        Where to write; each dataset goes to ``out_dir / <folder>`` (``northeast_2017`` as a
        CSV bundle, ``china31_2017`` as an array bundle). By default shipped datasets are
        written into the package (``chainsim/data/built/``, what the repository tracks) and
        the others into the cache.
    names : iterable of str
        Datasets to build.

    Returns
    -------
    dict
        ``{"builder_version", "datasets": {name: {"path", "files" (name -> sha256),
        "seconds", "n_industries", "checksum", "regions" (GO and VA per region, 10k CNY),
        "netting_total", "inconsistency", "ras"}}}``.

    Raises
    ------
    DataError
        Unknown name, or the build fails (see :func:`chainsim.data.build.build_mrio`).
    """
    names = list(names)
    for n in names:
        _spec(n)
    report: dict = {"builder_version": BUILDER_VERSION, "datasets": {}}
    for n in names:
        spec = _REGISTRY[n]
        t0 = time.perf_counter()
        result = spec.builder()
        seconds = time.perf_counter() - t0
        t = result.table
        if out_dir is not None:
            folder = Path(out_dir) / spec.folder
        else:
            folder = BUILT_DIR / spec.folder if spec.shipped else _cache_folder(spec, cache_dir())
        writer = write_csv_bundle if spec.shipped else write_array_bundle
        try:
            sums = writer(t, folder)
        except OSError as exc:
            raise DataError(f"cannot write dataset '{n}' to {folder} ({exc}); pass out_dir=") from None
        inc = result.report["inconsistency"]
        report["datasets"][n] = {
            "path": str(folder), "files": sums, "seconds": round(seconds, 3), "n_industries": t.n_industries,
            "checksum": t.checksum,
            "regions": {r.code: {"gross_output": float(t.x[t.region_of == i].sum()),
                                 "value_added": float(t.value_added[t.region_of == i].sum())}
                        for i, r in enumerate(t.regions)},
            "netting_total": result.report["netting"]["total"],
            "inconsistency": {k: inc[k] for k in ("sum_OF", "sum_IF", "gap", "gap_pct_of_IF", "gap_cny",
                                                   "sum_abs_product_gaps", "sum_abs_product_gaps_cny", "matched",
                                                   "unmatched_OF", "unmatched_IF", "unmatched_OF_cny",
                                                   "unmatched_IF_cny")},
            "ras": {k: result.report["ras"][k] for k in ("max_iterations", "max_gap")},
        }
    _load.cache_clear()
    return report


def load_criticality(aggregation: str = "max") -> pd.DataFrame:
    """The default 42 x 42 criticality matrix of NBS sectors (input rows, user columns).

    Derived from the IHS Markit survey used by Pichler et al. (2022): for each pair of NBS
    sectors, the max (or mean) of the survey's scores over the WIOD-55 pairs they map to
    (``raw/ihs_critical_inputs_wiod55``; 1 = critical, 0.5 = important, 0 = non-critical;
    the mean gives fractions). One cell has no rated source pair (13 -> 11, non-metallic
    mineral products into petroleum and coking; IHS C23 -> C19 is not rated); unrated
    cells are filled with the median of the rated cells of the same input row (the
    input's typical criticality), which is 0 for row 13.

    Parameters
    ----------
    aggregation : {"max", "mean"}

    Returns
    -------
    DataFrame
        Index ``input`` (``"01"``..``"42"``), columns ``user``; ``attrs["filled"]`` lists
        the filled cells, ``attrs["source"]`` the file.

    References
    ----------
    Pichler, A., Pangallo, M., del Rio-Chanona, R. M., Lafond, F. & Farmer, J. D. (2022).
    Forecasting the propagation of pandemic shocks with a dynamic input-output model.
    *Journal of Economic Dynamics and Control* 144: 104527.

    Examples
    --------
    >>> c = load_criticality()
    >>> c.shape, float(c.loc["24", "18"])
    ((42, 42), 1.0)
    """
    if aggregation not in ("max", "mean"):
        raise DataError(f"criticality aggregation must be 'max' or 'mean', found {aggregation!r}"
                        f"{did_you_mean(str(aggregation), ['max', 'mean'])}")
    path = _CRITICALITY_DIR / f"derived_nbs42_criticality_{aggregation}.csv"
    df = pd.read_csv(path, dtype={"input_nbs42": str}).set_index("input_nbs42")
    df.columns = [str(c).zfill(2) for c in df.columns]
    codes = [f"{i:02d}" for i in range(1, 43)]
    if list(df.index) != codes or list(df.columns) != codes:
        raise DataError(f"{path}: expected rows and columns 01..42")
    rated = df.to_numpy(dtype=float)
    values = rated.copy()
    filled = []
    for i, j in zip(*np.nonzero(np.isnan(rated)), strict=True):
        row = rated[i][~np.isnan(rated[i])]
        fill = float(np.median(row))
        filled.append({"input": codes[i], "user": codes[j], "value": fill, "rule": "median of the input's row"})
        values[i, j] = fill
    out = pd.DataFrame(values, index=pd.Index(codes, name="input"), columns=pd.Index(codes, name="user"))
    out.attrs = {"source": f"raw/ihs_critical_inputs_wiod55/{path.name}", "aggregation": aggregation,
                 "filled": filled}
    return out
