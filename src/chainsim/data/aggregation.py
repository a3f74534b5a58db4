"""Sum the regions of an :class:`~chainsim.data.iotable.IOTable` into coarser regions (a pure function).

Aggregating a multi-regional table sums the rows and columns of the merged regions (Miller &
Blair 2009, ch. 4 on sectoral and spatial aggregation): flows between two merged regions become flows inside the
new region, final-demand columns of the same category are added, and imports keep their
origins. Balance is preserved exactly up to float rounding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from chainsim.data.iotable import IOTable, Region
from chainsim.errors import DataError

__all__ = ["aggregate_regions"]


def aggregate_regions(table: IOTable, groups: Mapping[str, Sequence[str]], *, name: str | None = None,
                      names: Mapping[str, tuple[str, str]] | None = None) -> IOTable:
    """A table whose regions are sums of ``table``'s regions.

    Parameters
    ----------
    table : IOTable
        The table to aggregate.
    groups : mapping of new region code -> region codes of ``table``
        In the order of the new table; together they must list every region exactly once.
        A new region keeps the names of its only member, or takes them from ``names``.
    name : str, optional
        Name of the new table (default ``table.name + "-aggregated"``).
    names : mapping of new code -> (name_en, name_zh), optional
        Names of merged regions.

    Returns
    -------
    IOTable
        Same sectors, origins, final-demand categories and provenance (plus a note of the
        aggregation).

    Raises
    ------
    DataError
        A region missing, listed twice or unknown.

    Examples
    --------
    >>> from chainsim.data.toy import load_toy
    >>> t = load_toy()
    >>> a = aggregate_regions(t, {"ALL": list(t.region_codes)}, names={"ALL": ("All", "全部")})
    >>> a.region_codes, bool(np.isclose(a.x.sum(), t.x.sum()))
    (('ALL',), True)
    """
    listed = [c for members in groups.values() for c in members]
    unknown = sorted(set(listed) - set(table.region_codes))
    if unknown or sorted(listed) != sorted(table.region_codes):
        raise DataError(f"aggregate_regions: groups must list each of {list(table.region_codes)} exactly once; "
                        f"found {listed}" + (f" (unknown {unknown})" if unknown else ""))
    S, R = table.n_sectors, table.n_regions
    idx = [np.array([table.region_codes.index(c) for c in members]) for members in groups.values()]
    cats = list(dict.fromkeys(c for _, c in table.fd_columns))
    fd_of = {col: k for k, col in enumerate(table.fd_columns)}
    missing = [(r, c) for r in table.region_codes for c in cats if (r, c) not in fd_of]
    if missing:
        raise DataError(f"aggregate_regions: every region needs every final-demand category; missing {missing[:3]}")
    C = len(cats)
    Z = table.Z.reshape(R, S, R, S)
    Yc = np.stack([table.Y[:, [fd_of[(r, c)] for c in cats]] for r in table.region_codes], axis=1)  # (N, R, C)
    Yc = Yc.reshape(R, S, R, C)
    Iy = np.stack([table.imports_Y[:, :, [fd_of[(r, c)] for c in cats]] for r in table.region_codes], axis=2)

    def _sum(a: np.ndarray, axis: int) -> np.ndarray:
        return np.stack([np.take(a, g, axis=axis).sum(axis=axis) for g in idx], axis=axis)

    G = len(idx)
    Zg = _sum(_sum(Z, 0), 2).reshape(G * S, G * S)
    Yg = _sum(_sum(Yc, 0), 2).reshape(G * S, G * C)
    vec = {f: _sum(getattr(table, f).reshape(R, S), 0).reshape(-1) for f in ("exports", "value_added", "x")}
    K = len(table.origins)
    Iz = _sum(table.imports_Z.reshape(K, S, R, S), 2).reshape(K, S, G * S)
    Iyg = _sum(Iy, 2).reshape(K, S, G * C)
    regions = []
    for code, g in zip(groups, idx, strict=True):
        if names and code in names:
            regions.append(Region(code, *names[code]))
        elif len(g) == 1:
            old = table.regions[g[0]]
            regions.append(Region(code, old.name_en, old.name_zh))
        else:
            regions.append(Region(code))
    prov = {**dict(table.provenance), "aggregated_from": table.name,
            "aggregation": {code: list(members) for code, members in groups.items()}}
    return IOTable(
        name=name or f"{table.name}-aggregated", regions=tuple(regions), sectors=table.sectors, Z=Zg, Y=Yg,
        fd_columns=tuple((code, c) for code in groups for c in cats), origins=table.origins,
        imports_Z=Iz, imports_Y=Iyg, domestic_origins=table.domestic_origins, unit=table.unit,
        cny_per_unit=table.cny_per_unit, tolerance=table.tolerance, provenance=prov, **vec,
    )
