"""Which inputs a buyer holds and how hard each binds: non-competitive imports and input criticality.

*Non-competitive imports* (Armington 1969; Lau et al. 2007): the products of
``params.noncompetitive_products`` (by default the differentiated goods of Rauch 1999, listed
in :data:`chainsim.data.classification.NONCOMPETITIVE_NBS42`) have a separate imported input.
*Criticality* (Pichler et al. 2022): 1 critical (binds fully), 0.5 important (binds half),
0 never binds; from the dataset's matrix (``criticality="auto"``) or given.

References
----------
.. [1] Pichler, A. et al. (2022). Forecasting the propagation of pandemic shocks with a dynamic
   input-output model. *J. Economic Dynamics and Control* 144, 104527.
.. [2] Rauch, J. E. (1999). Networks versus markets in international trade. *J. International
   Economics* 48(1), 7-35.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import numpy as np

from chainsim.data.classification import NONCOMPETITIVE_NBS42
from chainsim.data.iotable import IOTable
from chainsim.data.nbs149 import nbs42_parents
from chainsim.engine.params import ModelParams
from chainsim.errors import ChainsimError, ModelBuildError

__all__ = ["criticality", "import_sigma", "noncompetitive_products", "read_only"]

log = logging.getLogger(__name__)


def read_only(a: np.ndarray) -> np.ndarray:
    """A contiguous, read-only copy (or view) of ``a``."""
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def noncompetitive_products(table: IOTable, params: ModelParams) -> np.ndarray:
    """Indices of the products whose imports are a separate input (``params.noncompetitive_products``)."""
    v, S = params.noncompetitive_products, table.n_sectors
    if v == "none":
        return np.zeros(0, dtype=int)
    if v == "all":
        return np.arange(S)
    if v == "auto":
        parents = nbs42_parents(table)  # a split table's components take their NBS-42 sector's rule
        if parents is None:
            log.info("noncompetitive_products='auto' needs the NBS-42 sector codes; table '%s' has other codes, "
                     "so every import is competitive", table.name)
            return np.zeros(0, dtype=int)
        return np.array([k for k, p in enumerate(parents) if p in NONCOMPETITIVE_NBS42], dtype=int)
    numeric = {int(c): k for k, c in enumerate(table.sector_codes) if c.isdigit()}
    out = []
    for c in v:
        try:
            out.append(table.sector_index(c))
        except ChainsimError as exc:
            if c.isdigit() and int(c) in numeric:  # 8 for "08" (an unquoted YAML number)
                out.append(numeric[int(c)])
                continue
            raise ModelBuildError(f"params.noncompetitive_products: {exc}") from None
    return np.unique(np.array(out, dtype=int))


def import_sigma(table: IOTable, params: ModelParams, import_share: np.ndarray) -> np.ndarray:
    r"""Substitutable share :math:`\sigma_p` of each product's imports (S,), by ``params.import_substitutability``.

    ``"evidence"`` on a table with NBS-42 codes (or components of them, which take their sector's
    row): the ``import_substitutability_level`` column of ``import_substitutability.csv``.
    ``"competitive"``: 1 for every product. ``"noncompetitive"``, and ``"evidence"`` on another
    table: 0 for :func:`noncompetitive_products`, 1 elsewhere. Then
    ``sector_import_substitutability`` overrides products and ``import_dependence_scale`` k maps
    :math:`1-\sigma` to :math:`\min(1, k(1-\sigma))`. Last, with the table's values, a product
    whose non-substitutable imports :math:`(1-\sigma_p) m_p` (``import_share`` m, (S,): the
    foreign share of its intermediate use) are below ``import_row_min_share`` keeps σ = 1 (no
    imported-only row; logged), unless its σ was given.
    """
    from chainsim.data.classification import NBS42_CODES
    from chainsim.data.dynamics_evidence import import_substitutability

    S = table.n_sectors
    sigma = np.ones(S)
    mode = params.import_substitutability
    parents = nbs42_parents(table) if mode == "evidence" else None
    if mode == "evidence" and parents is None:
        log.info("import_substitutability='evidence' needs the NBS-42 sector codes; table '%s' has other codes, "
                 "so noncompetitive_products decides (σ 0 or 1)", table.name)
    if parents is not None:
        row = {c: k for k, c in enumerate(NBS42_CODES)}
        sigma = import_substitutability(params.import_substitutability_level)[[row[p] for p in parents]]
    elif mode != "competitive":
        sigma[noncompetitive_products(table, params)] = 0.0
    given = np.zeros(S, dtype=bool)
    for code, v in params.sector_import_substitutability.items():
        try:
            k = table.sector_index(code)
        except ChainsimError as exc:
            raise ModelBuildError(f"params.sector_import_substitutability: {exc}") from None
        sigma[k], given[k] = v, True
    k = params.import_dependence_scale
    if k != 1.0:
        sigma = 1.0 - np.minimum(1.0, k * (1.0 - sigma))
    if parents is not None:  # materiality of the table's values (a value given explicitly is kept)
        small = (sigma < 1.0) & ((1.0 - sigma) * np.asarray(import_share) < params.import_row_min_share) & ~given
        if small.any():
            log.info("%d products' non-substitutable imports are below %g of their intermediate use: they are "
                     "treated as competitive (σ = 1; import_row_min_share)", int(small.sum()),
                     params.import_row_min_share)
        sigma[small] = 1.0
    return sigma


@lru_cache(maxsize=8)
def _auto_criticality(codes: tuple[str, ...], aggregation: str = "max") -> np.ndarray | None:
    """The shipped criticality matrix (``aggregation`` of the WIOD pairs) on these codes (read once; read-only)."""
    try:
        from chainsim.data.datasets import load_criticality  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        df = load_criticality(aggregation)
    except Exception as exc:  # the dataset is optional: fall back to all-critical
        log.warning("criticality dataset unavailable (%s); all inputs treated as critical", exc)
        return None
    if df.shape[0] != len(set(codes)):
        log.info("criticality matrix shape %s does not match %d sectors; ignored", df.shape, len(codes))
        return None
    # matched by code, never by position: a 42-sector table with other codes is not the NBS classification
    nbs = [c.zfill(2) if c.isdigit() else c for c in codes]
    missing = [c for c, n in zip(codes, nbs, strict=True) if n not in df.index]
    if missing:
        log.warning("criticality 'auto' is the NBS 42-sector matrix, and this table's sector codes are not NBS "
                    "codes 01..42 (e.g. %r): it is not applied, every input is treated as critical; set "
                    "params.criticality to a matrix for this table (or 'none' to silence this)", missing[0])
        return None
    return read_only(df.loc[nbs, nbs].to_numpy(dtype=float, copy=True))


def criticality(table: IOTable, params: ModelParams) -> np.ndarray | None:
    """The S x S criticality matrix (input rows x user columns), or None (every input critical)."""
    crit = params.criticality
    if crit == "none":
        return None
    if crit == "auto":
        parents = nbs42_parents(table)  # a split table's components take their NBS-42 sector's rows and columns
        return _auto_criticality(tuple(table.sector_codes) if parents is None else parents,
                                 params.criticality_aggregation)
    arr = np.asarray(crit, dtype=float)
    if arr.shape != (table.n_sectors, table.n_sectors):
        raise ModelBuildError(f"params.criticality: expected a {table.n_sectors}x{table.n_sectors} matrix "
                              f"(input products x user sectors); found shape {arr.shape}")
    return arr
