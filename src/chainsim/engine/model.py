"""Build the immutable structural arrays of the economy from an :class:`IOTable`.

Supplier nodes are ordered in blocks of S products: the R domestic regions (region-major,
as in the table), then, when foreign imports are supply nodes, one block per foreign
origin. Buyers are the N = R x S domestic industries. Because of the block layout,
"sum over the suppliers of product p" is a reshape ``(blocks, S, N)`` and a sum over the
first axis, with no index arrays.

Input classes: with competitive imports (and in the ARIO configuration) every supplier of
product p delivers the same input p (one class, S input rows). With non-competitive imports
(the default model with foreign supply nodes; NBS non-competitive IO tables, Armington 1969)
the domestic blocks and the foreign blocks deliver two different inputs, domestic p and
imported p: C = 2 classes, C x S input rows (row ``c * S + p``), each with its own
requirement, inventory, ψ constraint and order split. A class is a contiguous range of
blocks, so "sum over the suppliers of input (c, p)" is the same reshape on a block slice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from chainsim.data.iotable import IOTable
from chainsim.engine.params import ModelParams
from chainsim.errors import ModelBuildError

__all__ = ["EconomyModel", "build_model"]

log = logging.getLogger(__name__)


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class EconomyModel:
    """Structural arrays (daily flows) and parameters; read-only once built.

    Attributes
    ----------
    table : IOTable
        The source table.
    params : ModelParams
        Behavioural parameters.
    n, n_sup, n_sectors, n_blocks : int
        Buyers N, supplier nodes, products S, supplier blocks (``n_sup = n_blocks * S``).
    xbar : (n_sup,)
        Baseline daily output (foreign nodes: baseline daily imports).
    cap_ref : (n_sup,)
        Baseline capacity (``xbar``; foreign nodes ``xbar * import_headroom``).
    Zbar : (n_sup, N)
        Baseline daily deliveries, supplier nodes x buyers.
    ybar : (n_sup,)
        Daily final demand (row totals of Y plus exports; zero for foreign nodes).
    n_classes : int
        Input classes C: 1 (competitive imports, or none), 2 (non-competitive: domestic, imported).
    n_inputs : int
        Input rows C x S (row ``c * S + p``: product p of class c).
    block_class : (blocks,) int
        Class of each supplier block.
    class_blocks : tuple of (start, stop)
        Block range of each class.
    AC : (C S, N)
        Requirement of input (c, p) per unit of output of j (all supplying nodes of the class).
    bind_weight : (C S, N)
        How much a shortage of the input binds j: 1 critical (Leontief), 0.5 important, 0 never
        (the same criticality for domestic and imported p).
    bind_denom : (C S, N)
        ψ s_p A^C_pj where the input can bind, else 0.
    goal_coef : (C S, N)
        s_p A^C_pj for finite inventories (0 on infinite rows).
    inv_days, infinite_rows : (C S,)
        Inventory target s and infinite-inventory flag of each input row.
    capital : (N,)
        Productive capital K.
    w_fixed : (n_sup, N) or None
        Fixed supplier shares for ``order_type="noalt"``.
    base_lead : (blocks, R) int
        Baseline days goods travel on each route (supplier block -> buyer region).
    alpha_max, alpha_tau : (n_sup,)
        Maximum overproduction and its time constant per supplier node (sector overrides).
    ZbarT : (S, blocks, N)
        ``Zbar`` regrouped by product, for the factored order representation.
    ZbarT_cls : tuple of (S, blocks_c, N)
        ``ZbarT`` restricted to the blocks of each class (contiguous copies).
    origin_block : (origins,) int
        Supplier block of each origin of the table: the domestic supply pools of
        ``table.domestic_origins`` (e.g. ``DOM``) come right after the regions and belong to
        the domestic class (no import headroom, domestic lead times); the foreign countries
        follow.
    n_pool_blocks : int
        Number of domestic-pool origin blocks.
    exo_supply : (n_sup,)
        Default model only: negative final demand (net inflows, stock draw-downs) turned into
        an exogenous, undisrupted daily supply of the product; ``ybar`` keeps the positive part.
    """

    table: IOTable
    params: ModelParams
    n: int
    n_sup: int
    n_sectors: int
    n_blocks: int
    xbar: np.ndarray
    cap_ref: np.ndarray
    Zbar: np.ndarray
    ybar: np.ndarray
    AC: np.ndarray
    bind_weight: np.ndarray
    bind_denom: np.ndarray
    goal_coef: np.ndarray
    inv_days: np.ndarray
    infinite_rows: np.ndarray
    gap_gate_never: bool
    capital: np.ndarray
    w_fixed: np.ndarray | None
    n_foreign: int
    exo_supply: np.ndarray
    ZbarT: np.ndarray
    alpha_max: np.ndarray
    alpha_tau: np.ndarray
    base_lead: np.ndarray
    n_classes: int = 1
    n_inputs: int = 0
    block_class: np.ndarray | None = None
    class_blocks: tuple[tuple[int, int], ...] = ()
    ZbarT_cls: tuple[np.ndarray, ...] = ()
    origin_block: np.ndarray | None = None
    n_pool_blocks: int = 0

    def input_row(self, block: np.ndarray | int, p: np.ndarray | int) -> np.ndarray:
        """Input row ``c * S + p`` that supplier block ``block`` of product ``p`` delivers."""
        return np.asarray(self.block_class)[block] * self.n_sectors + p

    @property
    def is_foreign(self) -> np.ndarray:
        """Boolean mask of foreign supply nodes, shape (n_sup,)."""
        m = np.zeros(self.n_sup, dtype=bool)
        m[self.n:] = True
        return m


def _criticality(table: IOTable, params: ModelParams) -> np.ndarray | None:
    crit = params.criticality
    if crit == "none":
        return None
    if crit == "auto":
        try:
            from chainsim.data.datasets import load_criticality  # type: ignore[import-not-found]
        except ImportError:
            return None
        try:
            df = load_criticality()
        except Exception as exc:  # the dataset is optional: fall back to all-critical
            log.warning("criticality dataset unavailable (%s); all inputs treated as critical", exc)
            return None
        if df.shape != (table.n_sectors, table.n_sectors):
            log.info("criticality matrix shape %s does not match %d sectors; ignored", df.shape, table.n_sectors)
            return None
        codes = list(table.sector_codes)
        try:
            return df.loc[codes, codes].to_numpy(dtype=float)
        except KeyError:
            return df.to_numpy(dtype=float)
    arr = np.asarray(crit, dtype=float)
    if arr.shape != (table.n_sectors, table.n_sectors):
        raise ModelBuildError(f"params.criticality: expected a {table.n_sectors}x{table.n_sectors} matrix "
                              f"(input products x user sectors); found shape {arr.shape}")
    return arr


def build_model(table: IOTable, params: ModelParams) -> EconomyModel:
    """Build the daily structural arrays of the ARIO-family model (``ARIO_SPEC.md`` §2).

    Parameters
    ----------
    table : IOTable
        A balanced table (annual flows).
    params : ModelParams
        Behavioural parameters.

    Returns
    -------
    EconomyModel

    Raises
    ------
    ModelBuildError
        Unknown infinite-inventory sector or criticality matrix of the wrong shape.
    """
    R, S, N = table.n_regions, table.n_sectors, table.n_industries
    yd = float(params.year_days)
    supply_nodes = params.imports == "supply_nodes" and len(table.origins) > 0
    O = len(table.origins) if supply_nodes else 0
    nb = R + O
    n_sup = nb * S
    # origin blocks: domestic supply pools (e.g. DOM, unallocated domestic inflows) first, then countries
    pools = set(getattr(table, "domestic_origins", ()) or ())
    order = [k for k, o in enumerate(table.origins) if o in pools] + [
        k for k, o in enumerate(table.origins) if o not in pools]
    n_pool = len(pools) if O else 0
    origin_block = np.zeros(len(table.origins), dtype=int)
    origin_block[order] = R + np.arange(len(order))
    x = np.asarray(table.x, dtype=float)
    Z = np.asarray(table.Z, dtype=float)
    Zs = np.zeros((n_sup, N))
    Zs[:N] = Z
    xbar = np.zeros(n_sup)
    xbar[:N] = x / yd
    if O:
        Zs[N:] = np.asarray(table.imports_Z)[order].reshape(O * S, N)
        xbar[N:] = Zs[N:].sum(axis=1) / yd
    Zbar = Zs / yd
    ybar = np.zeros(n_sup)
    ybar[:N] = table.final_demand / yd
    exo = np.zeros(n_sup)
    if not params.ario_quirks:
        exo = np.clip(-ybar, 0.0, None)
        ybar = np.clip(ybar, 0.0, None)
        if exo.any():
            log.info("%d industries have negative final demand; treated as exogenous supply", int((exo > 0).sum()))
    cap_ref = xbar.copy()
    cap_ref[(R + n_pool) * S:] *= params.import_headroom  # foreign origins only
    # technical coefficients, A_ij = Z_ij / x_j (1/0 := 0), aggregated by product
    inv_x = np.divide(1.0, x, out=np.zeros(N), where=x != 0)
    A = Zs * inv_x[None, :]
    noncomp = O > n_pool and params.import_substitutability == "noncompetitive"
    class_blocks = ((0, R + n_pool), (R + n_pool, nb)) if noncomp else ((0, nb),)
    C = len(class_blocks)
    block_class = np.zeros(nb, dtype=int)
    for c, (lo, hi) in enumerate(class_blocks):
        block_class[lo:hi] = c
    A4, Z4 = A.reshape(nb, S, N), Zs.reshape(nb, S, N)
    AC = np.concatenate([A4[lo:hi].sum(axis=0) for lo, hi in class_blocks])
    ZC = np.concatenate([Z4[lo:hi].sum(axis=0) for lo, hi in class_blocks])
    # BoARIO compares the annual Z^C with the daily x̄ (spec §2); chainsim uses A^C
    mask = ZC > params.mask_threshold * xbar[None, :N] if params.ario_quirks else AC > params.mask_threshold
    s = np.full(S, float(params.inventory_days))
    if params.ario_quirks:
        s[s <= 1] = 2.0
    inf_rows = np.zeros(S, dtype=bool)
    for code in params.infinite_inventory_sectors:
        inf_rows[table.sector_index(code)] = True
    s, inf_rows = np.tile(s, C), np.tile(inf_rows, C)
    s_hat = np.where(inf_rows, 0.0, s)
    crit = _criticality(table, params)
    weight = mask.astype(float) if crit is None else np.tile(crit[:, table.sector_of], (C, 1)) * mask
    relief = np.full(S, params.criticality_relief)
    for code, v in params.sector_criticality_relief.items():
        relief[table.sector_index(code)] = v
    if relief.any():  # a share r of critical ratings becomes important: expected weight 1 - r/2
        weight = np.where(weight == 1.0, 1.0 - 0.5 * np.tile(relief, C)[:, None], weight)
    lead = np.full((nb, R), params.lead_days_interregional, dtype=int)
    np.fill_diagonal(lead[:R], 0)
    lead[R:] = params.lead_days_imports
    lead[R:R + n_pool] = params.lead_days_interregional  # domestic pools travel like domestic goods
    if params.ario_quirks:
        lead[:] = 0
    amax = np.full(n_sup, params.alpha_max)
    atau = np.full(n_sup, params.alpha_tau)
    for vec, overrides in ((amax, params.sector_alpha_max), (atau, params.sector_alpha_tau)):
        for code, v in overrides.items():
            vec[:N][table.sector_of == table.sector_index(code)] = v
    bind_denom = np.where(weight > 0, params.psi * s_hat[:, None] * AC, 0.0)
    goal_coef = s_hat[:, None] * AC
    w_fixed = None
    if params.order_type == "noalt":
        Zb4 = Zbar.reshape(nb, S, N)
        den = np.concatenate([Zb4[lo:hi].sum(axis=0) for lo, hi in class_blocks]).reshape(C, S, N)[block_class]
        w_fixed = (Zb4 / np.where(den > 0, den, np.inf)).reshape(n_sup, N)
    if table.capital is not None:
        K = np.asarray(table.capital, dtype=float)
    else:
        va = x - Z.sum(axis=0)  # as BoARIO sees it: imports folded into value added
        K = params.capital_to_va * np.clip(va, 0.0, None)
    gate_never = bool((inf_rows[:, None] & (AC == 0)).any())
    ZbarT = Zbar.reshape(nb, S, N).transpose(1, 0, 2).copy()
    return EconomyModel(
        table=table, params=params, n=N, n_sup=n_sup, n_sectors=S, n_blocks=nb,
        xbar=_ro(xbar), cap_ref=_ro(cap_ref), Zbar=_ro(Zbar), ybar=_ro(ybar), AC=_ro(AC),
        bind_weight=_ro(weight), bind_denom=_ro(bind_denom), goal_coef=_ro(goal_coef),
        inv_days=_ro(s), infinite_rows=_ro(inf_rows), gap_gate_never=gate_never,
        capital=_ro(K), w_fixed=None if w_fixed is None else _ro(w_fixed), n_foreign=O * S,
        exo_supply=_ro(exo), alpha_max=_ro(amax), alpha_tau=_ro(atau), base_lead=_ro(lead),
        ZbarT=_ro(ZbarT), n_classes=C, n_inputs=C * S, block_class=_ro(block_class), class_blocks=class_blocks,
        ZbarT_cls=tuple(_ro(ZbarT[:, lo:hi].copy()) for lo, hi in class_blocks),
        origin_block=_ro(origin_block), n_pool_blocks=n_pool,
    )
