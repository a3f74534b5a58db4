"""The immutable, labelled, self-checking multi-regional input-output table.

Notation follows Miller & Blair (2009): ``Z`` intermediate flows (supplier rows, user
columns), ``Y`` final demand, ``x`` gross output, ``v`` value added. Industries
(region-sector pairs) are ordered region-major over the full grid regions x sectors:
industry ``k = r * n_sectors + s``.

Foreign imports are carried explicitly, by origin country and product, so that an import
cut (卡链) can name its origins: ``imports_Z[o, p, j]`` is the import of product ``p`` from
origin ``o`` used by industry ``j``; ``imports_Y[o, p, c]`` the same for final-demand
column ``c``. An origin listed in ``domestic_origins`` is not a country but an exogenous
domestic supply pool carried in the same blocks (e.g. ``DOM``, the unallocated domestic
inflows of the NBS-built tables): it is domestic, and foreign-import totals leave it out.

Balance identities checked on construction (relative tolerance ``tolerance``)::

    rows:    x_i = sum_j Z_ij + sum_c Y_ic + e_i                    (e = exports abroad)
    columns: x_j = sum_i Z_ij + sum_{o,p} imports_Z[o, p, j] + v_j
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from chainsim.errors import DataError, did_you_mean

__all__ = ["IOTable", "Region", "Sector"]


@dataclass(frozen=True)
class Sector:
    """A product / industry classification entry (code with English and Chinese names)."""

    code: str
    name_en: str = ""
    name_zh: str = ""

    @property
    def label(self) -> str:
        """``"20 通信设备、计算机和其他电子设备 (Manufacture of ...)"``-style display label."""
        names = " ".join(n for n in (self.name_zh, f"({self.name_en})" if self.name_en else "") if n)
        return f"{self.code} {names}".strip()


@dataclass(frozen=True)
class Region:
    """A region of the table (code, e.g. ``LN``, with English and Chinese names)."""

    code: str
    name_en: str = ""
    name_zh: str = ""

    @property
    def label(self) -> str:
        """Display label, e.g. ``"LN 辽宁 (Liaoning)"``."""
        names = " ".join(n for n in (self.name_zh, f"({self.name_en})" if self.name_en else "") if n)
        return f"{self.code} {names}".strip()


def _frozen_sparse(a: Any, *, name: str, shape: tuple[int, ...]) -> Any:
    """A read-only CSR copy of a scipy.sparse array or matrix (float64, sorted, no explicit zeros kept)."""
    from scipy import sparse

    arr = sparse.csr_array(a, dtype=float, copy=True)
    if arr.shape != shape:
        raise DataError(f"IOTable field '{name}': expected shape {shape}, found {arr.shape}")
    arr.eliminate_zeros()
    arr.sort_indices()
    for part in (arr.data, arr.indices, arr.indptr):
        part.setflags(write=False)
    return arr


def is_sparse(a: Any) -> bool:
    """Whether ``a`` is a scipy.sparse array or matrix (scipy is imported only if the object comes from it)."""
    return type(a).__module__.startswith("scipy.sparse")


def _frozen(a: Any, *, name: str, shape: tuple[int, ...]) -> np.ndarray:
    if name == "Z" and is_sparse(a):
        return _frozen_sparse(a, name=name, shape=shape)
    arr = np.array(a, dtype=float, copy=True)
    if arr.shape != shape:
        raise DataError(f"IOTable field '{name}': expected shape {shape}, found {arr.shape}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class IOTable:
    """A balanced multi-regional input-output table; validated and read-only once built.

    Parameters
    ----------
    name : str
        Identifier, e.g. ``"northeast-2017"``.
    regions, sectors : tuple of Region, tuple of Sector
        The grid; industries are ordered region-major.
    Z : array (N, N) or scipy.sparse array
        Intermediate flows, supplier industry rows x user industry columns. A scipy.sparse
        ``Z`` is kept as a read-only CSR array (:attr:`is_sparse`): for large tables whose memory
        must grow with the number of links, not N² (``docs/performance.md``, "Large tables").
        Such a table runs the ``ario`` configuration only
        (:func:`chainsim.engine.sparse.build_sparse_model`).
    Y : array (N, C)
        Final demand for domestic products; columns are ``fd_columns``.
    fd_columns : tuple of (region code, category)
        Destination region and category of each final-demand column.
    exports : array (N,)
        Exports abroad (to the rest of the world).
    value_added : array (N,)
        Value added of each industry.
    x : array (N,)
        Gross output.
    origins : tuple of str
        ISO codes of foreign origins of imports (may be empty).
    imports_Z : array (O, S, N)
        Imports by origin and product used by each industry (zeros when no origin detail).
    imports_Y : array (O, S, C)
        Imports by origin and product for each final-demand column.
    domestic_origins : tuple of str
        The origins (a subset of ``origins``) that are domestic supply pools, not foreign
        countries (default none). They are exogenous supply like imports but domestic:
        :meth:`summary` does not count them as foreign imports.
    capital : array (N,) or None
        Productive capital stock, when the source provides it.
    unit : str
        Currency unit of every flow, e.g. ``"10k CNY"``.
    cny_per_unit : float
        Yuan per table unit (``1e4`` for 万元), used to report money in CNY.
    tolerance : float
        Relative tolerance of the balance checks.
    provenance : mapping
        Source, build steps and assumptions (free-form, JSON-serialisable).

    Raises
    ------
    DataError
        If a shape is wrong, a value is NaN or infinite, a flow that must be non-negative
        is negative, or a row or column does not balance; the message names the
        region-sector and the size of the gap.
    """

    name: str
    regions: tuple[Region, ...]
    sectors: tuple[Sector, ...]
    Z: np.ndarray
    Y: np.ndarray
    fd_columns: tuple[tuple[str, str], ...]
    exports: np.ndarray
    value_added: np.ndarray
    x: np.ndarray
    origins: tuple[str, ...] = ()
    imports_Z: np.ndarray | None = None
    imports_Y: np.ndarray | None = None
    capital: np.ndarray | None = None
    unit: str = "CNY"
    cny_per_unit: float = 1.0
    tolerance: float = 1e-6
    provenance: Mapping[str, Any] = field(default_factory=dict)
    domestic_origins: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        regions = tuple(r if isinstance(r, Region) else Region(str(r)) for r in self.regions)
        sectors = tuple(s if isinstance(s, Sector) else Sector(str(s)) for s in self.sectors)
        object.__setattr__(self, "regions", regions)
        object.__setattr__(self, "sectors", sectors)
        for kind, items in (("region", [r.code for r in regions]), ("sector", [s.code for s in sectors])):
            if not items:
                raise DataError(f"IOTable '{self.name}': at least one {kind} is required")
            dup = pd.Index(items)[pd.Index(items).duplicated()]
            if len(dup):
                raise DataError(f"IOTable '{self.name}': duplicate {kind} code(s) {list(dup)}")
        n = len(regions) * len(sectors)
        fd_columns = tuple((str(r), str(c)) for r, c in self.fd_columns)
        object.__setattr__(self, "fd_columns", fd_columns)
        n_fd, n_o, n_s = len(fd_columns), len(self.origins), len(sectors)
        object.__setattr__(self, "origins", tuple(str(o) for o in self.origins))
        domestic = tuple(str(o) for o in self.domestic_origins)
        unknown = [o for o in domestic if o not in self.origins]
        if unknown or len(set(domestic)) != len(domestic):
            raise DataError(f"IOTable '{self.name}': domestic_origins must be distinct entries of origins "
                            f"{list(self.origins)}; found {list(domestic)}")
        object.__setattr__(self, "domestic_origins", domestic)
        object.__setattr__(self, "Z", _frozen(self.Z, name="Z", shape=(n, n)))
        object.__setattr__(self, "Y", _frozen(self.Y, name="Y", shape=(n, n_fd)))
        for f in ("exports", "value_added", "x"):
            object.__setattr__(self, f, _frozen(getattr(self, f), name=f, shape=(n,)))
        imz = np.zeros((n_o, n_s, n)) if self.imports_Z is None else self.imports_Z
        imy = np.zeros((n_o, n_s, n_fd)) if self.imports_Y is None else self.imports_Y
        object.__setattr__(self, "imports_Z", _frozen(imz, name="imports_Z", shape=(n_o, n_s, n)))
        object.__setattr__(self, "imports_Y", _frozen(imy, name="imports_Y", shape=(n_o, n_s, n_fd)))
        if self.capital is not None:
            object.__setattr__(self, "capital", _frozen(self.capital, name="capital", shape=(n,)))
        object.__setattr__(self, "provenance", MappingProxyType(dict(self.provenance)))
        self._check()

    # ---------------------------------------------------------------- pickling
    def __getstate__(self) -> dict[str, Any]:
        """State for pickling (process pools, Dask): the provenance as a plain dict."""
        state = dict(self.__dict__)
        state["provenance"] = dict(self.provenance)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled table read-only, as it was built."""
        state = dict(state)
        state["provenance"] = MappingProxyType(dict(state["provenance"]))
        for v in state.values():
            for a in ((v.data, v.indices, v.indptr) if is_sparse(v) else (v,)):
                if isinstance(a, np.ndarray):
                    a.flags.writeable = False
        self.__dict__.update(state)

    # ------------------------------------------------------------------ checks
    def _label(self, k: int) -> str:
        r, s = divmod(int(k), self.n_sectors)
        return f"{self.regions[r].code}|{self.sectors[s].code}"

    def _cell(self, name: str, where: tuple[int, ...]) -> tuple[int, ...]:
        """The (row, column) of Z for position ``where`` of a sparse Z's stored links; ``where`` otherwise."""
        if name != "Z" or not self.is_sparse:
            return where
        k = where[0]
        return int(np.searchsorted(self.Z.indptr, k, side="right")) - 1, int(self.Z.indices[k])

    def _check(self) -> None:
        arrays = {"Z": self.Z, "Y": self.Y, "exports": self.exports, "value_added": self.value_added,
                  "x": self.x, "imports_Z": self.imports_Z, "imports_Y": self.imports_Y}
        if self.capital is not None:
            arrays["capital"] = self.capital
        if self.is_sparse:  # the checks below read the stored links (the rest of Z is zero)
            arrays["Z"] = self.Z.data
        for name, a in arrays.items():
            bad = ~np.isfinite(a)
            if bad.any():
                where = self._cell(name, tuple(int(i) for i in np.argwhere(bad)[0]))
                raise DataError(f"IOTable '{self.name}': field '{name}' holds NaN or infinite values "
                                f"({int(bad.sum())} cells; first at index {where})")
        for name in ("Z", "exports", "x", "imports_Z", "imports_Y", "capital"):
            a = arrays.get(name)
            if a is not None and (a < 0).any():
                where = tuple(int(i) for i in np.argwhere(a < 0)[0])
                value = a[where]
                lab = self._label(where[0]) if name in ("exports", "x", "capital") else str(self._cell(name, where))
                raise DataError(f"IOTable '{self.name}': field '{name}' must be non-negative; "
                                f"found {value:.6g} at {lab}")
        rows = np.asarray(self.Z.sum(axis=1)).ravel() + self.Y.sum(axis=1) + self.exports
        cols = np.asarray(self.Z.sum(axis=0)).ravel() + self.imports_Z.sum(axis=(0, 1)) + self.value_added
        scale = np.maximum(np.abs(self.x), 1e-12 * max(float(np.abs(self.x).max()), 1.0))
        checks = (("row (uses: Z + Y + exports)", rows), ("column (inputs: Z + imports + value added)", cols))
        for what, total in checks:
            gap = (total - self.x) / scale
            k = int(np.argmax(np.abs(gap)))
            if abs(gap[k]) > self.tolerance:
                raise DataError(
                    f"IOTable '{self.name}' is unbalanced: {what} of {self._label(k)} sums to "
                    f"{total[k]:.6g} but gross output x is {self.x[k]:.6g} {self.unit} "
                    f"(gap {total[k] - self.x[k]:.6g}, {gap[k]:.2e} relative; tolerance {self.tolerance:.0e})")

    # --------------------------------------------------------------- structure
    @property
    def is_sparse(self) -> bool:
        """Whether ``Z`` is held as a scipy.sparse CSR array (a large table; ``docs/performance.md``)."""
        return is_sparse(self.Z)

    @property
    def n_regions(self) -> int:
        """Number of regions R."""
        return len(self.regions)

    @property
    def n_sectors(self) -> int:
        """Number of sectors (products) S."""
        return len(self.sectors)

    @property
    def n_industries(self) -> int:
        """Number of industries N = R x S."""
        return self.n_regions * self.n_sectors

    @cached_property
    def region_codes(self) -> tuple[str, ...]:
        """Region codes in table order."""
        return tuple(r.code for r in self.regions)

    @cached_property
    def sector_codes(self) -> tuple[str, ...]:
        """Sector codes in table order."""
        return tuple(s.code for s in self.sectors)

    @cached_property
    def labels(self) -> pd.MultiIndex:
        """Industry labels as a ``(region, sector)`` MultiIndex in table order (built once: the table is read-only)."""
        return pd.MultiIndex.from_product([self.region_codes, self.sector_codes], names=["region", "sector"])

    @property
    def money(self) -> Any:
        """The money unit of the flows (currency and scale), read from ``unit`` and ``cny_per_unit``."""
        from chainsim.data.units import money_unit

        return money_unit(self)

    @property
    def region_of(self) -> np.ndarray:
        """Region index of each industry, shape (N,)."""
        return np.repeat(np.arange(self.n_regions), self.n_sectors)

    @property
    def sector_of(self) -> np.ndarray:
        """Sector (product) index of each industry, shape (N,)."""
        return np.tile(np.arange(self.n_sectors), self.n_regions)

    def region_index(self, code: str) -> int:
        """Index of a region given its code (or English / Chinese name)."""
        for i, r in enumerate(self.regions):
            if code in (r.code, r.name_en, r.name_zh):
                return i
        from chainsim.data.names import suggest_regions

        raise DataError(f"unknown region '{code}' in table '{self.name}'; expected one of "
                        f"{list(self.region_codes)}{suggest_regions(code, self.regions)}")

    def sector_index(self, code: str) -> int:
        """Index of a sector given its code (or English / Chinese name)."""
        code = str(code)
        for i, s in enumerate(self.sectors):
            if code in (s.code, s.name_en, s.name_zh):
                return i
        from chainsim.data.names import suggest_sectors

        raise DataError(f"unknown sector '{code}' in table '{self.name}'; expected a code such as "
                        f"'{self.sectors[0].code}' or an English/Chinese name{suggest_sectors(code, self.sectors)}")

    @property
    def foreign_origins(self) -> tuple[str, ...]:
        """The origins that are foreign countries (``origins`` minus ``domestic_origins``)."""
        return tuple(o for o in self.origins if o not in self.domestic_origins)

    def origin_index(self, code: str) -> int:
        """Index of an import origin (a foreign ISO code or a domestic pool such as ``DOM``)."""
        if code in self.origins:
            return self.origins.index(code)
        raise DataError(f"unknown import origin '{code}' in table '{self.name}'; expected one of "
                        f"{list(self.origins)}{did_you_mean(code, self.origins)}")

    def industry_index(self, region: str, sector: str) -> int:
        """Flat industry index of a (region, sector) pair."""
        return self.region_index(region) * self.n_sectors + self.sector_index(sector)

    # ----------------------------------------------------------------- derived
    @property
    def final_demand(self) -> np.ndarray:
        """Total final demand for each industry's product (domestic uses + exports), shape (N,)."""
        return self.Y.sum(axis=1) + self.exports

    @property
    def imports_total(self) -> np.ndarray:
        """Total imports used by each industry (all origins, domestic pools included, and products), shape (N,)."""
        return self.imports_Z.sum(axis=(0, 1))

    @cached_property
    def checksum(self) -> str:
        """SHA-256 of labels and every array: the dataset checksum recorded in results.

        Computed once (the table and its arrays are read-only): every result records it, and
        hashing the arrays took about 2 ms a run on the Northeast table (issue 22).

        ``domestic_origins`` enters only when non-empty, so tables without domestic pools
        keep the checksum they had before the field existed.
        """
        h = hashlib.sha256()
        h.update(repr((self.region_codes, self.sector_codes, self.fd_columns, self.origins)).encode())
        if self.domestic_origins:
            h.update(repr(("domestic_origins", self.domestic_origins)).encode())
        Z: tuple[np.ndarray, ...] = (self.Z,)
        if self.is_sparse:  # a sparse Z is hashed as its CSR arrays (never densified)
            h.update(b"csr")
            Z = (self.Z.indptr.astype("<i8"), self.Z.indices.astype("<i8"), self.Z.data)
        for a in (*Z, self.Y, self.exports, self.value_added, self.x, self.imports_Z, self.imports_Y):
            h.update(np.ascontiguousarray(a, dtype=a.dtype if a.dtype.kind == "i" else "<f8").tobytes())
        if self.capital is not None:
            h.update(np.ascontiguousarray(self.capital, dtype="<f8").tobytes())
        return h.hexdigest()

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Labelled pandas views of the main blocks (``Z``, ``Y``, ``x``, ``va``, ``exports``)."""
        idx = self.labels
        ycols = pd.MultiIndex.from_tuples(self.fd_columns, names=["region", "category"])
        return {
            "Z": pd.DataFrame(self.Z, index=idx, columns=idx),
            "Y": pd.DataFrame(self.Y, index=idx, columns=ycols),
            "x": pd.Series(self.x, index=idx, name="x"),
            "va": pd.Series(self.value_added, index=idx, name="value_added"),
            "exports": pd.Series(self.exports, index=idx, name="exports"),
        }

    def summary(self) -> pd.DataFrame:
        """Per-region totals in CNY: gross output, value added, exports, foreign intermediate imports.

        ``imports_cny`` counts foreign origins only; a table with ``domestic_origins`` gets a
        column ``domestic_pool_inputs_cny`` with the intermediate inputs from those pools.
        """
        r = self.region_of
        dom = np.array([o in self.domestic_origins for o in self.origins], dtype=bool)
        rows = []
        for i, reg in enumerate(self.regions):
            m = r == i
            row = {
                "region": reg.code, "name_en": reg.name_en, "name_zh": reg.name_zh,
                "gross_output_cny": self.x[m].sum() * self.cny_per_unit,
                "value_added_cny": self.value_added[m].sum() * self.cny_per_unit,
                "exports_cny": self.exports[m].sum() * self.cny_per_unit,
                "imports_cny": self.imports_Z[~dom][:, :, m].sum() * self.cny_per_unit,
            }
            if dom.any():
                row["domestic_pool_inputs_cny"] = self.imports_Z[dom][:, :, m].sum() * self.cny_per_unit
            rows.append(row)
        return pd.DataFrame(rows).set_index("region")

    def __repr__(self) -> str:
        return (f"IOTable(name={self.name!r}, regions={list(self.region_codes)}, sectors={self.n_sectors}, "
                f"origins={list(self.origins)}, unit={self.unit!r})")
