"""Entry point for user tables: ``read_table`` dispatches on what it is given.

Supported inputs
----------------
* a folder in the CSV layout of ``boario_reference.py`` (``industries.csv`` + ``Z.csv``);
* an NBS provincial 42-sector table (a ``.csv`` file as parsed by :mod:`chainsim.data.nbs`);
* a pymrio ``IOSystem`` object (optional extra ``chainsim[pymrio]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from chainsim.data.csv_layout import read_csv_layout
from chainsim.data.iotable import IOTable, Region, Sector
from chainsim.errors import DataError

__all__ = ["from_pymrio", "read_table"]


def read_table(source: str | Path | Any, *, name: str | None = None) -> IOTable:
    """Read a user's input-output table into an :class:`IOTable`.

    Parameters
    ----------
    source : path or pymrio.IOSystem
        A folder in the CSV layout, an NBS provincial table CSV, or a pymrio ``IOSystem``.
    name : str, optional
        Name for the table (defaults to the folder/file name or the IOSystem's name).

    Returns
    -------
    IOTable

    Raises
    ------
    DataError
        If the source does not exist, is of an unknown kind, or is malformed.

    Examples
    --------
    >>> read_table("no/such/folder")
    Traceback (most recent call last):
    ...
    chainsim.errors.DataError: no/such/folder: no such file or folder
    """
    if hasattr(source, "Z") and hasattr(source, "Y") and not isinstance(source, (str, Path)):
        return from_pymrio(source, name=name)
    path = Path(source)
    if path.is_dir():
        if (path / "industries.csv").is_file():
            return read_csv_layout(path, name=name)
        raise DataError(f"{path}: folder has no industries.csv; expected the CSV layout "
                        "(industries.csv + Z.csv, see docs/data.md)")
    if path.is_file():
        if path.suffix.lower() == ".csv":
            from chainsim.data.nbs import read_nbs_provincial

            table = read_nbs_provincial(path)
            return table if name is None else _renamed(table, name)
        raise DataError(f"{path}: unsupported file type '{path.suffix}'; expected a folder in the CSV layout "
                        "or an NBS provincial table (.csv)")
    raise DataError(f"{path}: no such file or folder")


def _renamed(table: IOTable, name: str) -> IOTable:
    from dataclasses import replace

    return replace(table, name=name)


def from_pymrio(io: Any, *, name: str | None = None, tolerance: float = 1e-6) -> IOTable:
    """Convert a pymrio ``IOSystem`` into an :class:`IOTable`.

    The IOSystem's ``Z`` and ``Y`` are used as they are (``calc_all`` is called first when
    ``Z`` is missing). pymrio systems are closed (the world), so exports abroad are zero and
    value added is the column residual ``x - colsum(Z)``; gross output is ``rowsum(Z) +
    rowsum(Y)`` when ``x`` is absent.

    Raises
    ------
    DataError
        If the system has no ``Z``/``Y`` or is not a full regions x sectors grid.
    """
    label = f"pymrio IOSystem '{getattr(io, 'name', '?')}'"
    if getattr(io, "Z", None) is None:
        try:
            io.calc_all()
        except Exception as exc:  # pymrio raises many kinds
            raise DataError(f"{label}: cannot compute Z ({exc})") from None
    Z, Y = io.Z, io.Y
    if Z is None or Y is None:
        raise DataError(f"{label}: Z and Y are required")
    for what, df in (("Z", Z), ("Y", Y)):
        if not isinstance(df, pd.DataFrame) or df.index.nlevels != 2:
            levels = getattr(getattr(df, "index", None), "nlevels", 0)
            raise DataError(f"{label}: {what} must be a DataFrame with (region, sector) rows; found "
                            f"{type(df).__name__} with {levels} index level(s)")
    if Y.columns.nlevels != 2:
        raise DataError(f"{label}: Y must have (region, final demand category) columns; found "
                        f"{Y.columns.nlevels} column level(s)")
    regions = list(dict.fromkeys(Z.index.get_level_values(0)))
    sectors = list(dict.fromkeys(Z.index.get_level_values(1)))
    grid = [(r, s) for r in regions for s in sectors]
    try:
        Zg = Z.loc[grid, grid].to_numpy(dtype=float)
        Yg = Y.loc[grid].to_numpy(dtype=float)
        x = Zg.sum(axis=1) + Yg.sum(axis=1)
        if getattr(io, "x", None) is not None:
            x = io.x.loc[grid].to_numpy(dtype=float).ravel()
    except KeyError as exc:
        raise DataError(f"{label}: not a full regions x sectors grid in Z, Y and x ({exc})") from None
    except (ValueError, TypeError) as exc:
        raise DataError(f"{label}: Z, Y and x must hold numbers ({exc})") from None
    return IOTable(
        name=name or str(getattr(io, "name", "pymrio")),
        regions=tuple(Region(str(r)) for r in regions), sectors=tuple(Sector(str(s)) for s in sectors),
        Z=Zg, Y=Yg, fd_columns=tuple((str(r), str(c)) for r, c in Y.columns), exports=np.zeros(len(grid)),
        value_added=x - Zg.sum(axis=0), x=x, unit=_pymrio_unit(io),
        tolerance=tolerance, provenance={"source": "pymrio.IOSystem", "name": str(getattr(io, "name", ""))},
    )


def _pymrio_unit(io: Any) -> str:
    unit = getattr(io, "unit", None)
    try:
        values = sorted({str(u) for u in unit.to_numpy().ravel()}) if unit is not None else []
    except AttributeError:
        values = [str(unit)]
    return ", ".join(values) or "pymrio unit"
