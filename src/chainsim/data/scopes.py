"""Scopes: which region-sectors a metric or a check counts (the Northeast, a province, a sector, ...).

One place for the scope language of scenario files, sweeps, scans and metrics:
:func:`scope_columns` reads a scope against (region, sector) columns, :func:`scope_mask`
against a table. Named scopes are the region groups of :mod:`chainsim.data.classification`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from chainsim.data.classification import REGION_GROUPS
from chainsim.errors import ScenarioError, did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from chainsim.data.iotable import IOTable

__all__ = ["NAMED_SCOPES", "Scope", "scope_columns", "scope_mask"]

#: Named scopes (lower-case names) and the region codes they stand for; ``"all"`` is every column.
NAMED_SCOPES: Mapping[str, tuple[str, ...]] = REGION_GROUPS

Scope = str | tuple[str, str] | Mapping[str, Any] | Iterable[Any]


def _levels(columns: pd.Index) -> tuple[pd.Index, pd.Index]:
    if not isinstance(columns, pd.MultiIndex) or columns.nlevels != 2:
        raise ValueError(
            f"output: expected columns as a (region, sector) MultiIndex, found {type(columns).__name__} "
            f"with {columns.nlevels} level(s)"
        )
    names = list(columns.names)
    r = names.index("region") if "region" in names else 0
    s = names.index("sector") if "sector" in names else 1 - r
    return columns.get_level_values(r).astype(str), columns.get_level_values(s).astype(str)


def _codes(value: Any, known: pd.Index, what: str) -> list[str]:
    values = [value] if isinstance(value, str) else [str(v) for v in value]
    for v in values:
        if v not in known:
            raise ScenarioError(f"scope: unknown {what} '{v}'" + did_you_mean(v, list(dict.fromkeys(known))))
    return values


def scope_columns(columns: pd.Index, scope: Scope) -> np.ndarray:
    """Boolean mask of the (region, sector) columns that belong to ``scope``.

    Parameters
    ----------
    columns : pandas.MultiIndex
        Two levels, region and sector (named ``region``/``sector``, else in that order).
    scope : str, tuple, mapping or iterable
        - ``"northeast"`` (LN + JL + HLJ) or ``"all"``;
        - a region code (``"LN"``) or a sector code (``"20"``); a code that names both is
          ambiguous and raises;
        - a ``(region, sector)`` pair;
        - a mapping ``{"regions": [...], "sectors": [...]}``: those sectors within those
          regions (a missing key means all);
        - an iterable of any of the above: their union.

    Raises
    ------
    ScenarioError
        An unknown or ambiguous code, or a scope matching no column.
    """
    regions, sectors = _levels(columns)
    if isinstance(scope, str):
        key = scope.lower()
        if key == "all":
            return np.ones(len(columns), dtype=bool)
        if key in NAMED_SCOPES:
            return np.asarray(regions.isin(_codes(NAMED_SCOPES[key], regions, "region")))
        in_r, in_s = scope in regions, scope in sectors
        if in_r and in_s:
            raise ScenarioError(f"scope: '{scope}' is both a region and a sector code; use {{'regions': ['{scope}']}}")
        if in_r:
            return np.asarray(regions == scope)
        if in_s:
            return np.asarray(sectors == scope)
        choices = [*NAMED_SCOPES, "all", *dict.fromkeys(regions), *dict.fromkeys(sectors)]
        raise ScenarioError(f"scope: unknown region, sector or named scope '{scope}'" + did_you_mean(scope, choices))
    if isinstance(scope, Mapping):
        extra = set(scope) - {"regions", "sectors"}
        if extra:
            raise ScenarioError(f"scope: expected keys 'regions' and/or 'sectors', found {sorted(extra)}")
        mask = np.ones(len(columns), dtype=bool)
        if "regions" in scope:
            mask &= np.asarray(regions.isin(_codes(scope["regions"], regions, "region")))
        if "sectors" in scope:
            mask &= np.asarray(sectors.isin(_codes(scope["sectors"], sectors, "sector")))
        return mask
    if isinstance(scope, tuple) and len(scope) == 2 and all(isinstance(v, str) for v in scope):
        r, s = scope
        if r in regions and s in sectors:
            return np.asarray((regions == r) & (sectors == s))
    mask = np.zeros(len(columns), dtype=bool)
    for part in scope:
        mask |= scope_columns(columns, part)
    return mask


def scope_mask(table: IOTable, scope: str) -> np.ndarray:
    """Boolean mask over the industries of ``table`` for a scope string (``northeast``, ``LN``, ``20``, ``LN|20``).

    Raises
    ------
    ScenarioError
        An unknown or ambiguous code (see :func:`scope_columns`).
    """
    if "|" in scope:
        r, s = scope.split("|", 1)
        return scope_columns(table.labels, (r, s))
    return scope_columns(table.labels, scope)
