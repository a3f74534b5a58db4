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

__all__ = ["NAMED_SCOPES", "Scope", "scope_columns", "scope_mask", "table_aliases"]

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


def _codes(value: Any, known: pd.Index, what: str, aliases: Mapping[str, str]) -> list[str]:
    values = [_alias(v, aliases) for v in ([value] if isinstance(value, str) else [str(v) for v in value])]
    for v in values:
        if v not in known:
            raise ScenarioError(f"scope: unknown {what} '{v}'"
                                + did_you_mean(v, [*dict.fromkeys(known), *_names(aliases, known)]))
    return values


def _alias(value: str, aliases: Mapping[str, str]) -> str:
    """A region's or sector's name, in any case, as its code (``aliases``: name -> code); anything else unchanged."""
    low = value.lower()
    return next((code for name, code in aliases.items() if name.lower() == low), value)


def _names(aliases: Mapping[str, str], codes: Iterable[str]) -> list[str]:
    """The names of ``codes`` among ``aliases`` (for a did-you-mean)."""
    wanted = set(codes)
    return [name for name, code in aliases.items() if code in wanted]


def table_aliases(table: IOTable) -> dict[str, str]:
    """English and Chinese names of the table's regions and sectors -> their codes.

    Scopes accept names as disruptions do (``regions: Liaoning``), in any case; a name that is
    also a code, or that two items share (ignoring case), is left out.
    """
    names: dict[str, str] = {}
    owners: dict[str, set[str]] = {}
    for item in (*table.regions, *table.sectors):
        for name in (item.name_en, item.name_zh):
            if name:
                names.setdefault(str(name), item.code)
                owners.setdefault(str(name).lower(), set()).add(item.code)
    codes = {c.lower() for c in (*table.region_codes, *table.sector_codes)}
    return {n: c for n, c in names.items() if len(owners[n.lower()]) == 1 and n.lower() not in codes}


def scope_columns(columns: pd.Index, scope: Scope, aliases: Mapping[str, str] | None = None) -> np.ndarray:
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
    aliases : mapping, optional
        Region and sector names -> codes (:func:`table_aliases`): names, in any case, may stand for codes.

    Raises
    ------
    ScenarioError
        An unknown or ambiguous code, or a scope matching no column.
    """
    regions, sectors = _levels(columns)
    aliases = aliases or {}
    if isinstance(scope, str):
        key = scope.lower()
        if key == "all":
            return np.ones(len(columns), dtype=bool)
        if key in NAMED_SCOPES:
            return np.asarray(regions.isin(_codes(NAMED_SCOPES[key], regions, "region", aliases)))
        given, scope = scope, _alias(scope, aliases)
        in_r, in_s = scope in regions, scope in sectors
        if in_r and in_s:
            raise ScenarioError(f"scope: '{scope}' is both a region and a sector code; use {{'regions': ['{scope}']}}")
        if in_r:
            return np.asarray(regions == scope)
        if in_s:
            return np.asarray(sectors == scope)
        choices = [*NAMED_SCOPES, "all", *dict.fromkeys(regions), *dict.fromkeys(sectors), *_names(aliases, regions)]
        raise ScenarioError(f"scope: unknown region, sector or named scope '{given}'" + did_you_mean(given, choices))
    if isinstance(scope, Mapping):
        extra = set(scope) - {"regions", "sectors"}
        if extra:
            raise ScenarioError(f"scope: expected keys 'regions' and/or 'sectors', found {sorted(extra)}")
        mask = np.ones(len(columns), dtype=bool)
        if "regions" in scope:
            mask &= np.asarray(regions.isin(_codes(scope["regions"], regions, "region", aliases)))
        if "sectors" in scope:
            mask &= np.asarray(sectors.isin(_codes(scope["sectors"], sectors, "sector", aliases)))
        return mask
    if isinstance(scope, tuple) and len(scope) == 2 and all(isinstance(v, str) for v in scope):
        r, s = _alias(scope[0], aliases), _alias(scope[1], aliases)
        if r in regions and s in sectors:
            return np.asarray((regions == r) & (sectors == s))
    mask = np.zeros(len(columns), dtype=bool)
    for part in scope:
        mask |= scope_columns(columns, part, aliases)
    return mask


def scope_mask(table: IOTable, scope: str) -> np.ndarray:
    """Boolean mask over the industries of ``table`` for a scope string (``northeast``, ``LN``, ``20``, ``LN|20``).

    Region and sector names stand for their codes (``Jilin``, ``吉林``, ``Jilin|20``), as in disruptions.

    Raises
    ------
    ScenarioError
        An unknown or ambiguous code (see :func:`scope_columns`).
    """
    aliases = table_aliases(table)
    if "|" in scope:
        r, s = scope.split("|", 1)
        return scope_columns(table.labels, (r, s), aliases)
    return scope_columns(table.labels, scope, aliases)
