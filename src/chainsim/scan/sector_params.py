"""Model parameters on a table that splits NBS-42 sectors (``northeast-2017-fine``): each component as its sector.

The default model's ``"auto"`` criticality (the IHS Markit survey mapped to NBS-42) and
``"auto"`` non-competitive imports (Rauch's differentiated goods, NBS-42 codes) are defined
on the 42 sectors; the engine applies them only to a table with exactly those codes. On a
table split into 149-sector components (``provenance["sector_parents"]``) every component
takes its sector's values: 092 electronic components is as critical to a user, and as
non-substitutable when imported, as NBS 20 is. Sector-keyed parameters given with a
parent's code (``sector_alpha_max: {"20": 1.1}``, ``infinite_inventory_sectors: ["24"]``,
a pathway's ``sector_criticality_relief``) apply to all of its components.

This is an assumption of the same kind as the split itself (no survey rates the criticality
of ICs apart from other electronics). It is applied by :func:`chainsim.scan.scan`; the engine's
``"auto"`` resolution and evidence tables apply the same parents (:func:`chainsim.data.nbs149.nbs42_parents`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from chainsim.data.classification import NONCOMPETITIVE_NBS42
from chainsim.data.iotable import IOTable
from chainsim.data.nbs149 import sector_parents
from chainsim.engine import ModelParams

__all__ = ["expand_params", "is_split_table", "parent_codes"]

_SECTOR_LISTS = ("infinite_inventory_sectors", "priority_sectors")
_SECTOR_DICTS = ("sector_criticality_relief", "sector_alpha_max", "sector_alpha_tau", "sector_import_substitutability",
                 "sector_min_run")


def is_split_table(table: IOTable) -> bool:
    """True if some sector of ``table`` is a component of an NBS-42 sector (its parent differs from its code)."""
    return any(c != p for c, p in sector_parents(table).items())


def _children(parents: Mapping[str, str], code: str) -> list[str]:
    kids = [c for c, p in parents.items() if p == code and c != code]
    return kids or [code]


def expand_params(table: IOTable, params: ModelParams) -> ModelParams:
    """``params`` with the NBS-42 rules and sector-keyed values carried to the components of a split table.

    Parameters
    ----------
    table : IOTable
        A table; unless it is split (:func:`is_split_table`), ``params`` is returned unchanged.
    params : ModelParams

    Returns
    -------
    ModelParams
        ``criticality="auto"`` becomes the explicit matrix (each component takes its
        sector's row and column), ``noncompetitive_products="auto"`` the components of
        :data:`~chainsim.data.classification.NONCOMPETITIVE_NBS42`, and sector codes that are
        parents in lists and dicts their components.
    """
    if not is_split_table(table):
        return params
    parents = sector_parents(table)
    codes = list(table.sector_codes)
    update: dict[str, Any] = {}
    if params.criticality == "auto":
        from chainsim.data.datasets import load_criticality

        crit = load_criticality(params.criticality_aggregation)
        p = [parents[c] for c in codes]
        update["criticality"] = tuple(tuple(float(v) for v in row) for row in crit.loc[p, p].to_numpy(dtype=float))
    nc = params.noncompetitive_products
    if nc == "auto" and params.import_substitutability == "noncompetitive":
        update["noncompetitive_products"] = tuple(c for c in codes if parents[c] in NONCOMPETITIVE_NBS42)
    elif isinstance(nc, tuple):
        update["noncompetitive_products"] = tuple(dict.fromkeys(k for c in nc for k in _children(parents, c)))
    for name in _SECTOR_LISTS:
        v = getattr(params, name)
        if v:
            update[name] = tuple(dict.fromkeys(k for c in v for k in _children(parents, c)))
    for name in _SECTOR_DICTS:
        v = getattr(params, name)
        if v:
            out: dict[str, float] = {}
            for c, val in v.items():
                for k in _children(parents, c):
                    if k == c or k not in v:  # a component's own value wins over its sector's
                        out[k] = val
            update[name] = out
    # from the fields the user set (not a full dump), so the model still tells given values from defaults
    return ModelParams(**{**params.model_dump(exclude_unset=True), **update}) if update else params


def parent_codes(table: IOTable) -> list[str]:
    """The table's sector codes and the NBS-42 codes of its split sectors (for pathway levers keyed by sector)."""
    return list(dict.fromkeys([*table.sector_codes, *np.unique(list(sector_parents(table).values()))]))
