"""Build the immutable structural arrays of the economy from an :class:`IOTable`.

Supplier nodes are ordered in blocks of S products: the R domestic regions (region-major,
as in the table), then, when foreign imports are supply nodes, one block per foreign
origin. Buyers are the N = R x S domestic industries. Because of the block layout,
"sum over the suppliers of product p" is a reshape ``(blocks, S, N)`` and a sum over the
first axis, with no index arrays.

Input rows and slots (docs/model.md §1): each product p has a substitutable share σ_p of its
imports (``params.import_substitutability``; by default from ``import_substitutability.csv``).
A foreign origin's flow of p is split into two *slots*: σ_p of it delivers the **pooled** row p,
with the domestic producers (one order split: a cut moves these orders to domestic producers),
and 1 - σ_p the **imported-only** row of p, with its own requirement, stock, target and binding
weight w (1 - σ_p). Products with σ = 1 (every import competitive, the ARIO configuration) have
no imported-only row; products with σ = 0 deliver only the imported-only row (the
non-competitive imports of Armington 1969). S + K input rows: row p pooled, row S + k the k-th
product with σ < 1 imported. The domestic blocks, then the foreign blocks, are contiguous, so
the sums over the slots of an input are reshapes of block slices (plus a gather of the K
products), with the foreign blocks of a split product weighted σ_p and 1 - σ_p.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from chainsim.data.classification import NBS42_CODES, NONCOMPETITIVE_NBS42
from chainsim.data.dynamics_evidence import (
    alpha_max_by_sector,
    backlog,
    finished_goods,
    foreign_headroom,
    input_stocks,
)
from chainsim.data.iotable import IOTable
from chainsim.data.nbs149 import nbs42_parents
from chainsim.engine.economy import COVER_NOISE
from chainsim.engine.inputs import criticality, import_sigma, read_only
from chainsim.engine.params import ModelParams
from chainsim.engine.quirks import Quirks, quirks_of

__all__ = ["EconomyModel", "MemberBasis", "build_model", "member_arrays"]

log = logging.getLogger(__name__)


def _as_index(idx: np.ndarray) -> slice | np.ndarray:
    """A slice for a contiguous ascending run of indices (views instead of gathers), else the array."""
    idx = np.asarray(idx, dtype=int)
    if len(idx) and (np.diff(idx) == 1).all():
        return slice(int(idx[0]), int(idx[-1]) + 1)
    return idx


@dataclass(frozen=True, eq=False)
class EconomyModel:
    r"""Structural arrays (daily flows) and parameters; read-only once built.

    Attributes
    ----------
    table : IOTable
        The source table.
    params : ModelParams
        Behavioural parameters.
    quirks : Quirks
        The equations' variants of this configuration (BoARIO 0.7.2 or chainsim's).
    n, n_sup, n_sectors, n_blocks : int
        Buyers N, supplier nodes, products S, supplier blocks (``n_sup = n_blocks * S``).
    xbar : (n_sup,)
        Baseline daily output (foreign nodes: baseline daily imports).
    cap_ref : (n_sup,)
        Baseline capacity (``xbar``; foreign nodes ``xbar`` times their origin's headroom :math:`h_o`).
    Zbar : (n_sup, N)
        Baseline daily deliveries, supplier nodes x buyers.
    ybar : (n_sup,)
        Daily final demand (row totals of Y plus exports; zero for foreign nodes).
    n_classes : int
        Input classes: 1 (every import competitive, or no imports), 2 (some products have a
        separate imported input).
    n_inputs : int
        Input rows S + K + E: row p is domestic p (with the imports of a competitive p), row S + k
        the k-th non-competitive product imported (from every origin, or from the origins without
        a row of their own), row S + K + e the e-th named origin's imported-only row.
    nc_products : (K,) int
        The non-competitive products, ascending; ``nc_index`` selects them on a product axis (a
        slice when contiguous).
    n_dom_blocks : int
        Supplier blocks of domestic supply F (the regions and the domestic supply pools); the
        foreign origins are blocks F .. n_blocks.
    import_row : (S,) int
        The imported-only row of product p (p if p has none: σ_p = 1).
    block_row : (blocks, S) int
        Input row of each supplier node's first slot (block, p): p for the domestic blocks, for
        the foreign blocks p (σ_p > 0, the pooled row) or the imported-only row (σ_p = 0).
    import_sigma : (S,)
        σ_p, the substitutable share of product p's imports (docs/model.md §1): a foreign
        origin's flow of p goes σ_p to the pooled row p and 1 - σ_p to the imported-only row.
    split_products : (K',) int
        The products with 0 < σ < 1, whose foreign nodes have two slots; ``has_split`` if any.
    slot_share : (n_sup,)
        Share of each supply node's flow in its first slot (σ_p on the foreign nodes of the split
        products, else 1); the second slot (imported-only row) has the rest.
    w_fixed_m : (n_sup, N) or None
        ``order_type="noalt"``: the fixed shares of the second slots (split products only).
    origin_row : (blocks, S) int
        The imported-only row of each supply node's imported slot: ``import_row[p]`` (the row the
        product's origins share), or a named origin's own row (``params.origin_row_min_share``).
    n_named : int
        E, the named origins' rows: rows S + K .. S + K + E - 1 (by product, then origin).
    named_block, named_product, named_share, named_group : (E,)
        Supplier block, product, share of the product's imports and shared row (``import_row[p]``) of
        each named origin's row. The rows of a product (its shared row and its origins' rows) bind
        together: their weighted shortfalls add up (docs/model.md §2 step 4).
    Zbar_named : (E, N)
        (1 - σ_p) ``Zbar`` of each named origin's node: its baseline deliveries to its row.
    group_rows, group_mask : (S, G) int, bool
        The imported-only rows of each product (shared row first, then its named origins' rows;
        padded with the shared row where ``group_mask`` is False).
    input_product : (S + K,) int
        Product of each input row.
    d_blocks : int
        Blocks summed into the domestic rows by the batched matmuls (F when every product is
        non-competitive, else all: ``ZbarT_D`` is zero on the foreign non-competitive nodes).
    ZbarT_D, ZbarT_M : (S, d_blocks, N), (K, blocks - F, N)
        ``ZbarT`` split into the suppliers of the domestic rows and of the K shared imported rows
        (zero on the named origins, whose rows are ``Zbar_named``).
    restock_from : int
        First supply node of the foreign countries, which serve every order of a product no import
        cut touches (docs/model.md §5.4); ``n_sup`` if none do (no countries, or BoARIO).
    input_of_node : (n_sup,) int
        Input row each supply node delivers (``block_row`` flattened).
    priority_buyers : (N,) bool
        Buyers served first under ``rationing="priority_sectors"`` (none otherwise).
    region_share : (R, S)
        Each region's share of the domestic output of each product (substitution orders).
    route_base : (blocks, R)
        Baseline daily flow on each route (supplier block -> buyer region).
    AC : (S + K, N)
        Requirement of each input per unit of output of j (all supplying nodes of the input).
    bind_weight : (S + K, N)
        How much a shortage of the input binds j: 1 critical (Leontief), 0.5 important, 0 never
        (the same criticality for domestic and imported p).
    bind_denom : (S + K, N)
        ψ s_p A^C_pj where the input can bind, else 0.
    goal_coef : (S + K, N)
        s_p A^C_pj for finite inventories (0 on infinite rows).
    inv_days, infinite_rows : (S + K,)
        Inventory target s and infinite-inventory flag of each input row.
    inv_tau : (S + K,)
        Restoration time τ of each input row (days): by input class from the evidence table, or
        ``params.inventory_tau``.
    fg_star, fg_max, min_run : (n_sup,)
        Finished-goods target :math:`F^* = f\bar x`, its ceiling and the minimum run rate m (share
        of capacity a continuous process keeps running while its stock is below the ceiling); zero
        without ``params.finished_goods`` and on foreign nodes.
    fg_tau : float
        Restoration time τ_F of finished goods (days).
    has_fg : bool
        Some producer holds finished goods.
    backlog_share : (n_sup,)
        β: share of a producer's unmet final demand that joins its backlog (0 without
        ``params.backlog``).
    backlog_release_tau, backlog_loss_tau : float
        τ_B and τ_L of the backlog (days).
    has_backlog : bool
    switch_share : (n_sup,)
        1 where buyers move orders away from a supplier node as soon as it loses capacity (the
        order split's :math:`\lambda = 1 - \Delta`) or an import cut closes its links, 0 on every
        node (domestic or foreign) of a differentiated product under ``supplier_switching="search"``:
        their buyers keep ordering until a supplier search re-sources them (:math:`\lambda = 1 - s\Delta`;
        the split does not see a sticky origin's closed links; docs/model.md §2.7).
    per_region_imports : bool
        Import cuts close links (into every region or named ones) and the order split sees them;
        a foreign origin's capacity is its headroom times the share of its flow left open
        (``params.foreign_supply == "per_region"``, docs/model.md §5.4).
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
    quirks: Quirks
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
    nc_products: np.ndarray | None = None
    nc_index: slice | np.ndarray = field(default_factory=lambda: slice(0, 0))
    n_dom_blocks: int = 0
    import_row: np.ndarray | None = None
    block_row: np.ndarray | None = None
    input_product: np.ndarray | None = None
    d_blocks: int = 0
    ZbarT_D: np.ndarray | None = None
    ZbarT_M: np.ndarray | None = None
    origin_block: np.ndarray | None = None
    n_pool_blocks: int = 0
    restock_from: int = 0
    input_of_node: np.ndarray | None = None
    priority_buyers: np.ndarray | None = None
    region_share: np.ndarray | None = None
    route_base: np.ndarray | None = None
    inv_tau: np.ndarray | None = None
    per_region_imports: bool = False
    fg_star: np.ndarray | None = None
    fg_max: np.ndarray | None = None
    min_run: np.ndarray | None = None
    fg_tau: float = 30.0
    has_fg: bool = False
    backlog_share: np.ndarray | None = None
    backlog_release_tau: float = 60.0
    backlog_loss_tau: float = 180.0
    has_backlog: bool = False
    switch_share: np.ndarray | None = None
    import_sigma: np.ndarray | None = None
    split_products: np.ndarray | None = None
    has_split: bool = False
    slot_share: np.ndarray | None = None
    w_fixed_m: np.ndarray | None = None
    origin_row: np.ndarray | None = None
    n_named: int = 0
    named_block: np.ndarray | None = None
    named_product: np.ndarray | None = None
    named_share: np.ndarray | None = None
    named_group: np.ndarray | None = None
    Zbar_named: np.ndarray | None = None
    group_rows: np.ndarray | None = None
    group_mask: np.ndarray | None = None
    member_basis: MemberBasis | None = None  # what a batch member's arrays are computed from (batch_params)

    def input_blocks(self, row: int) -> tuple[int, int]:
        """Supplier blocks (start, stop) delivering input row ``row``: domestic blocks, foreign ones, or all."""
        F, nb = self.n_dom_blocks, self.n_blocks
        if row >= self.n_sectors:
            return F, nb
        return (0, F) if self.n_classes == 2 and self.block_row[F, row] != row else (0, nb)

    def row_suppliers(self, rows: np.ndarray) -> np.ndarray:
        """Which supplier blocks deliver each input row (rows,) -> (rows, blocks) bool, either slot.

        An imported-only row of p counts every foreign origin of p, its own or the other origins' rows
        (a supplier search on it may move orders to any origin of the product).
        """
        rows = np.asarray(rows, dtype=int)
        p = self.input_product[rows]
        first = self.block_row[:, p].T == rows[:, None]
        if not self.has_split and not self.n_named:
            return first
        first[:, self.n_dom_blocks:] |= (rows >= self.n_sectors)[:, None]
        return first

    def input_name(self, row: int) -> str:
        """Sector code of an input row, with " (imported)" for imported rows, " (imported, JPN)" for an origin's."""
        code = self.table.sector_codes[int(self.input_product[row])]
        if row < self.n_sectors:
            return code
        e = row - self.n_sectors - len(self.nc_products)
        if e < 0:
            return f"{code} (imported)"
        return f"{code} (imported, {self.origin_name(int(self.named_block[e]))})"

    def origin_name(self, block: int) -> str:
        """Name of the table origin of supplier block ``block`` (a foreign or domestic-pool block)."""
        return self.table.origins[int(np.flatnonzero(self.origin_block == block)[0])]



@dataclass(frozen=True, eq=False)
class MemberBasis:
    """What the arrays a batch member may set apart are computed from (:func:`member_arrays`).

    The part of :func:`build_model` that the batchable parameters
    (:data:`chainsim.engine.batch_params.BATCHABLE_PARAMS`) do not change, kept with the model so
    that a member's model reuses the table's arrays instead of rebuilding them
    (:func:`chainsim.engine.batch_params.member_model`; issue 22).

    Attributes
    ----------
    xbar : (n_sup,)
        Daily output of the supply nodes.
    headroom_from : int
        First node of the foreign origins, whose capacity is scaled by their headroom.
    headroom_origins : tuple of int
        Table indices of the foreign origins in block order (empty without foreign supply nodes).
    AC, weight : (inputs, N)
        Technical coefficients by input row; binding weights (input mask times criticality) before
        the relief, the origins' shares and the stocks.
    input_product : (inputs,)
        Product of each input row.
    n_nc : int
        Products with an imported-only row.
    keep, keep_named : arrays
        1 - σ_p of the shared imported-only rows and of the named origins' rows.
    binds_varieties : bool
        Whether imported-only rows bind only their share of output (split products or named origins).
    variety : (named and shared imported-only rows, N) or None
        Each such row's share of its product's imported-only requirement (named origins only).
    """

    xbar: np.ndarray
    headroom_from: int
    headroom_origins: tuple[int, ...]
    AC: np.ndarray
    weight: np.ndarray
    input_product: np.ndarray
    n_nc: int
    keep: np.ndarray
    keep_named: np.ndarray
    binds_varieties: bool
    variety: np.ndarray | None


def member_arrays(table: IOTable, params: ModelParams, quirks: Quirks,
                  basis: MemberBasis) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """The :data:`~chainsim.engine.batch_params.MEMBER_ARRAYS` for ``params``; the input rows' infinite flags and τ.

    Capacity reference (foreign headroom), stock days, binding weights (relief, origins' shares),
    binding denominators, stock goals and α_max, τ_α by node.
    """
    S, N, AC, input_product = table.n_sectors, table.n_industries, basis.AC, basis.input_product
    n_sup, n_nc = len(basis.xbar), basis.n_nc
    cap_ref = basis.xbar.copy()
    if basis.headroom_origins:  # foreign origins only
        cap_ref[basis.headroom_from:] *= _origin_headroom(table, params, list(basis.headroom_origins)).repeat(S)
    s, tau, inf_rows = _product_stock_days(table, params, quirks)
    s, inf_rows, tau = s[input_product], inf_rows[input_product], tau[input_product]
    s_hat = np.where(inf_rows, 0.0, s)
    weight = basis.weight.copy()
    relief = np.full(S, params.criticality_relief)
    for code, v in params.sector_criticality_relief.items():
        relief[table.sector_index(code)] = v
    if relief.any():  # a share r of critical ratings becomes important: expected weight 1 - r/2
        weight = np.where(weight == 1.0, 1.0 - 0.5 * relief[input_product][:, None], weight)
    if basis.binds_varieties:  # an imported-only row binds the share of output that needs its imported varieties
        weight[S:S + n_nc] *= basis.keep[:, None]
        weight[S + n_nc:] *= basis.keep_named[:, None]
        if basis.variety is not None:  # each row of a product binds the share of the buyer's imported-only
            weight[S:] *= basis.variety  # requirement it holds
    amax = np.full(n_sup, params.alpha_max)
    amax_rows = _nbs42(table, "alpha_max_table='utilisation'") if params.alpha_max_table == "utilisation" else None
    if amax_rows is not None:
        if params.alpha_max != ModelParams.model_fields["alpha_max"].default:
            log.warning("params.alpha_max (%g) is not used with alpha_max_table='utilisation' on an NBS-42 table "
                        "(α_max = 1/u by sector); set sector_alpha_max, or alpha_max_table='flat'", params.alpha_max)
        amax[:N] = alpha_max_by_sector("central")[amax_rows][table.sector_of]
    atau = np.full(n_sup, params.alpha_tau)
    for vec, overrides in ((amax, params.sector_alpha_max), (atau, params.sector_alpha_tau)):
        for code, v in overrides.items():
            vec[:N][table.sector_of == table.sector_index(code)] = v
    cover = params.cover_days * (1.0 - COVER_NOISE)  # rounding below a day's need is not a shortage
    bind_days = params.psi * s_hat if params.binding == "psi" else np.where(inf_rows, 0.0, cover)
    bind_denom = np.where(weight > 0, bind_days[:, None] * AC, 0.0)
    weight = np.where(bind_denom > 0, weight, 0.0)  # cannot bind: an infinite inventory, or ψ = 0
    goal_coef = s_hat[:, None] * AC
    arrays = dict(cap_ref=cap_ref, bind_weight=weight, bind_denom=bind_denom, goal_coef=goal_coef, inv_days=s,
                  alpha_max=amax, alpha_tau=atau)
    return {k: read_only(v) for k, v in arrays.items()}, inf_rows, tau


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
        Unknown infinite-inventory sector or criticality matrix of the wrong shape; a table whose
        Z is sparse (``chainsim.engine.build_model`` gives it the sparse layout).
    """
    if getattr(table, "is_sparse", False):
        from chainsim.errors import ModelBuildError

        raise ModelBuildError(f"table '{table.name}' holds Z as a sparse array: the dense model would densify it; "
                              "build it with chainsim.engine.build_model (layout 'auto' or 'sparse')")
    R, S, N = table.n_regions, table.n_sectors, table.n_industries
    quirks = quirks_of(params.ario_quirks)
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
    if quirks.negative_final_demand == "exogenous_supply":
        exo = np.clip(-ybar, 0.0, None)
        ybar = np.clip(ybar, 0.0, None)
        if exo.any():
            log.info("%d industries have negative final demand; treated as exogenous supply", int((exo > 0).sum()))
    # technical coefficients, A_ij = Z_ij / x_j (1/0 := 0), aggregated by product
    inv_x = np.divide(1.0, x, out=np.zeros(N), where=x != 0)
    A = Zs * inv_x[None, :]
    F = R + n_pool  # blocks of domestic supply: regions and domestic pools; foreign origins follow
    per_region = O > n_pool and params.foreign_supply == "per_region"
    restock = O > n_pool and quirks.foreign_restock and not per_region
    sigma = np.ones(S)  # σ_p: the substitutable share of p's imports (1 without foreign origins)
    if O > n_pool:
        Zf = Zs.reshape(nb, S, N)
        foreign_use = Zf[F:].sum(axis=(0, 2))
        total_use = Zf.sum(axis=(0, 2))
        sigma = import_sigma(table, params, np.divide(foreign_use, total_use, out=np.zeros(S), where=total_use > 0))
    nc = np.flatnonzero(sigma < 1.0)  # products with an imported-only row
    split = np.flatnonzero((sigma > 0.0) & (sigma < 1.0))  # ... whose foreign origins also deliver the pooled row
    n_nc = len(nc)
    C = 2 if n_nc else 1
    import_row = np.arange(S)
    import_row[nc] = S + np.arange(n_nc)
    named_block, named_product, named_share = _origin_rows(table, params, Zs.reshape(nb, S, N), F, nc,
                                                           [table.origins[k] for k in order[n_pool:]])
    E = len(named_block)
    origin_row = np.tile(import_row, (nb, 1))  # the imported-only row of each supply node's slot (domestic: unused)
    origin_row[named_block, named_product] = S + n_nc + np.arange(E)
    block_row = np.tile(np.arange(S), (nb, 1))
    block_row[F:] = origin_row[F:]  # a foreign origin's first slot: pooled p, or its imported-only row (σ_p = 0)
    block_row[F:, split] = split
    input_product = np.r_[np.arange(S), nc, named_product].astype(int)
    comp = np.setdiff1d(np.arange(S), nc)
    keep = 1.0 - sigma[nc]  # the imported-only slot's share of a foreign origin's flow
    keep_named = 1.0 - sigma[named_product]
    rest = np.ones((nb - F, n_nc))  # which foreign origins deliver the shared imported-only row of each product
    rest[named_block - F, np.searchsorted(nc, named_product)] = 0.0

    def by_input(X4: np.ndarray) -> np.ndarray:  # (blocks, S, N) -> (S + n_nc + E, N), summing the slots of each row
        if not n_nc:
            return X4.sum(axis=0)
        dom = X4[:F].sum(axis=0)
        if len(comp):
            dom[comp] += X4[F:, comp].sum(axis=0)
        if len(split):
            dom[split] += sigma[split, None] * X4[F:, split].sum(axis=0)
        shared = X4[F:, nc] * rest[:, :, None] if E else X4[F:, nc]
        return np.concatenate([dom, keep[:, None] * shared.sum(axis=0),
                               keep_named[:, None] * X4[named_block, named_product]])

    A4, Z4 = A.reshape(nb, S, N), Zs.reshape(nb, S, N)
    AC, ZC = by_input(A4), by_input(Z4)
    group = np.r_[np.arange(S), S + np.arange(n_nc), S + np.searchsorted(nc, named_product)].astype(int)
    if E:  # a product's imported-only rows are one input for the mask (a buyer's requirement split by origin)
        ZG, AG = np.zeros_like(ZC), np.zeros_like(AC)
        np.add.at(ZG, group, ZC)
        np.add.at(AG, group, AC)
        mask = _input_mask(params, quirks, ZG[group], AG[group], xbar[:N])
    else:
        mask = _input_mask(params, quirks, ZC, AC, xbar[:N])
    crit = criticality(table, params)
    basis = MemberBasis(
        xbar=xbar, headroom_from=(R + n_pool) * S, headroom_origins=tuple(order[n_pool:]) if O > n_pool else (),
        AC=AC, weight=mask.astype(float) if crit is None else crit[:, table.sector_of][input_product] * mask,
        input_product=input_product, n_nc=n_nc, keep=keep, keep_named=keep_named,
        binds_varieties=bool(len(split) or E), variety=_variety_shares(AC[S:], group[S:] - S) if E else None)
    member, inf_rows, tau = member_arrays(table, params, quirks, basis)
    lead = np.full((nb, R), params.lead_days_interregional, dtype=int)
    np.fill_diagonal(lead[:R], 0)
    lead[R:] = params.lead_days_imports
    lead[R:R + n_pool] = params.lead_days_interregional  # domestic pools travel like domestic goods
    if not quirks.lead_times:
        lead[:] = 0
    slot_share = np.ones((nb, S))  # share of each supply node's flow in its first slot (row block_row)
    slot_share[F:, split] = sigma[split]
    w_fixed = w_fixed_m = None
    if params.order_type == "noalt":
        Zb4 = Zbar.reshape(nb, S, N)
        den = by_input(Zb4)
        w_fixed = (slot_share[:, :, None] * Zb4 / _positive(den[block_row, :])).reshape(n_sup, N)
        if len(split):
            w_m = np.zeros((nb, S, N))
            w_m[F:, split] = (1.0 - sigma[split, None]) * Zb4[F:, split] / _positive(den[origin_row[F:, split]])
            w_fixed_m = read_only(w_m.reshape(n_sup, N))
    if table.capital is not None:
        K = np.asarray(table.capital, dtype=float)
    else:
        va = x - Z.sum(axis=0)  # as BoARIO sees it: imports folded into value added
        K = params.capital_to_va * np.clip(va, 0.0, None)
    gate_never = bool((inf_rows[:, None] & (AC == 0)).any())
    ZbarT = Zbar.reshape(nb, S, N).transpose(1, 0, 2).copy()
    nc_only = np.setdiff1d(nc, split)
    d_blocks = F if len(nc_only) == S else nb
    ZbarT_D = ZbarT[:, :d_blocks].copy()
    if d_blocks > F:
        ZbarT_D[nc_only, F:] = 0.0  # the foreign origins of products with σ = 0 deliver the imported rows only
        ZbarT_D[split, F:] *= sigma[split, None, None]  # their pooled slot
    nc_ix = _as_index(nc)
    node_row = block_row.ravel()
    prio = np.zeros(N, dtype=bool)
    if params.rationing == "priority_sectors":
        prio = np.isin(table.sector_of, [table.sector_index(c) for c in params.priority_sectors])
    dom = xbar[:N].reshape(R, S)
    tot = dom.sum(axis=0, keepdims=True)
    region_share = np.divide(dom, tot, out=np.zeros_like(dom), where=tot > 0)
    route_base = Zbar.reshape(nb, S, R, S).sum(axis=(1, 3))
    return EconomyModel(
        table=table, params=params, quirks=quirks, n=N, n_sup=n_sup, n_sectors=S, n_blocks=nb,
        xbar=read_only(xbar), Zbar=read_only(Zbar), ybar=read_only(ybar), AC=read_only(AC),
        **member, infinite_rows=read_only(inf_rows), gap_gate_never=gate_never,
        capital=read_only(K), w_fixed=None if w_fixed is None else read_only(w_fixed), n_foreign=O * S,
        exo_supply=read_only(exo), base_lead=read_only(lead),
        ZbarT=read_only(ZbarT), n_classes=C, n_inputs=S + n_nc + E, nc_products=read_only(nc), nc_index=nc_ix,
        n_dom_blocks=F,
        import_row=read_only(import_row), block_row=read_only(block_row), input_product=read_only(input_product),
        d_blocks=d_blocks, ZbarT_D=read_only(ZbarT_D),
        ZbarT_M=read_only(ZbarT[nc_ix, F:] * keep[:, None, None] * rest.T[:, :, None]),
        origin_row=read_only(origin_row), n_named=E, named_block=read_only(named_block),
        named_product=read_only(named_product), named_share=read_only(named_share),
        named_group=read_only(import_row[named_product]), **_group_rows(import_row, named_product, S + n_nc),
        Zbar_named=read_only(keep_named[:, None] * Zbar.reshape(nb, S, N)[named_block, named_product]),
        import_sigma=read_only(sigma), split_products=read_only(split), has_split=bool(len(split)),
        slot_share=read_only(slot_share.ravel()), w_fixed_m=w_fixed_m,
        origin_block=read_only(origin_block), n_pool_blocks=n_pool,
        restock_from=F * S if restock else n_sup, input_of_node=read_only(node_row),
        priority_buyers=read_only(prio), region_share=read_only(region_share),
        route_base=read_only(route_base), inv_tau=read_only(tau), per_region_imports=per_region,
        **_finished_goods(table, params, xbar), **_backlog(table, params, n_sup),
        switch_share=read_only(_switch_share(table, params, n_sup)), member_basis=basis,
    )


def _variety_shares(AM: np.ndarray, group: np.ndarray) -> np.ndarray:
    r"""Share of each imported-only row in its product's imported-only requirement, per buyer.

    :math:`A^C_{oj}/\sum_{o'} A^C_{o'j}` over the rows o' of the same product.

    ``AM`` (K + E, N) are the imported-only rows' requirements, ``group`` (K + E,) the product of each
    (0 .. K - 1). A buyer's lines that need the imported varieties of p are split by origin in these
    shares, so the rows' binding weights add up to the product's w (1 - σ_p) for every buyer.
    """
    total = np.zeros((group.max(initial=-1) + 1, AM.shape[1]))
    np.add.at(total, group, AM)
    tot = total[group]
    return np.divide(AM, tot, out=np.zeros_like(AM), where=tot > 0)


def _group_rows(import_row: np.ndarray, named_product: np.ndarray, first: int) -> dict:
    """``group_rows`` and ``group_mask`` (S, G): each product's shared imported-only row, then its origins' rows."""
    S = len(import_row)
    count = np.bincount(named_product, minlength=S)
    G = 1 + int(count.max(initial=0))
    rows = np.repeat(import_row[:, None], G, axis=1)
    mask = np.zeros((S, G), dtype=bool)
    mask[:, 0] = True
    seen = np.zeros(S, dtype=int)
    for e, p in enumerate(named_product):
        seen[p] += 1
        rows[p, seen[p]] = first + e
        mask[p, seen[p]] = True
    return dict(group_rows=read_only(rows), group_mask=read_only(mask))


def _origin_rows(table: IOTable, params: ModelParams, Z4: np.ndarray, F: int, nc: np.ndarray,
                 names: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The named origins' imported-only rows (docs/model.md §1): supplier block, product and import share of each.

    With ``params.origin_row_min_share`` θ, every foreign origin o whose share of a differentiated
    product's imports (Rauch 1999: NBS 08, 15-21, a split table's components by their sector) is at least θ,
    for the products with an imported-only row (``nc``), gets a row of its own: its variety is not the
    other origins' (Armington 1969 varieties by origin; US affiliates of Japanese firms cut output
    one-for-one with their Japanese imported inputs for months after Tohoku, Boehm, Flaaen &
    Pandalai-Nayar 2019), so the other origins' deliveries cannot refill its stock. The other origins
    share the product's row, and so does ``ROW`` (the rest of the world is many varieties, not one).
    Nothing without θ, without foreign origins or NBS-42 codes. ``Z4`` (blocks, S, N) are the annual
    flows; the foreign countries are blocks F .., named ``names``.
    """
    none = np.zeros(0, dtype=int)
    theta = params.origin_row_min_share
    if theta is None or not len(nc) or F >= len(Z4):
        return none, none, np.zeros(0)
    parents = nbs42_parents(table)
    if parents is None:
        log.info("origin_row_min_share needs NBS-42 sector codes; table '%s' has other codes, so every product's "
                 "origins share one imported-only row", table.name)
        return none, none, np.zeros(0)
    diff = np.array([parents[p] in NONCOMPETITIVE_NBS42 for p in nc], dtype=bool)
    flows = Z4[F:, nc].sum(axis=2)  # (origins, K) annual imports of each product from each origin
    total = flows.sum(axis=0)
    share = np.divide(flows, total, out=np.zeros_like(flows), where=total > 0)
    country = np.array([n != "ROW" for n in names], dtype=bool)
    o, k = np.nonzero((share >= theta) & diff[None, :] & country[:, None])
    order = np.lexsort((o, k))  # by product, then origin
    o, k = o[order], k[order]
    return F + o, nc[k].astype(int), share[o, k]


def _switch_share(table: IOTable, params: ModelParams, n_sup: int) -> np.ndarray:
    r"""Which supplier nodes lose their buyers' orders as soon as they lose capacity (docs/model.md §2.7).

    ``supplier_switching="search"``: 0 on every supplier node of the differentiated products of
    :data:`~chainsim.data.classification.NONCOMPETITIVE_NBS42` (a split table's components by their
    NBS-42 sector) -- the regions' producers, the domestic pools and the foreign origins -- and 1
    elsewhere. A buyer of a car part, a machine, a chip or an instrument cannot move its orders to
    another maker the next day: auto parts need a PPAP qualification of 2-4 months, and US affiliates
    of Japanese firms cut output one-for-one with their Japanese *imports* for months after Tohoku
    (Boehm, Flaaen & Pandalai-Nayar 2019); DisruptSC has no rewiring at all. The supplier search
    (``resourcing``) moves them. A foreign origin with s = 0 keeps its buyers' orders when an import
    cut closes its links: the order split does not see the closed share, whose orders go unserved
    (``reference.place_orders``; before issue #21 only the domestic makers kept them, without a
    source for the difference). A tonne of coal or steel, a kWh or a freight service is bought from
    whoever has it. On a table without NBS-42 codes every node switches at once (logged).
    """
    share = np.ones(n_sup)
    if params.supplier_switching == "instant" or params.split_weights != "losses":
        return share
    parents = nbs42_parents(table)
    if parents is None:
        log.info("supplier_switching='search' needs NBS-42 sector codes; table '%s' has other codes, so every "
                 "supplier's orders move at once", table.name)
        return share
    sticky = np.array([p in NONCOMPETITIVE_NBS42 for p in parents])
    return np.where(np.tile(sticky, n_sup // table.n_sectors), 0.0, 1.0)


def _input_mask(params: ModelParams, quirks: Quirks, ZC: np.ndarray, AC: np.ndarray,
                xbar: np.ndarray) -> np.ndarray:
    """Which (input, buyer) cells are inputs: BoARIO compares annual Z^C with daily x̄ (spec §2), chainsim A^C."""
    if quirks.input_mask == "annual_flow":
        return ZC > params.mask_threshold * xbar[None, :]
    return AC > params.mask_threshold


def _product_stock_days(table: IOTable, params: ModelParams, quirks: Quirks) -> tuple[np.ndarray, ...]:
    """Stock days s and restoration time τ by product, and which products never bind (infinite stocks)."""
    s, tau = _stock_days(table, params)
    s[s <= quirks.min_inventory_days] = 2.0
    inf_rows = ~np.isfinite(s)
    for code in params.infinite_inventory_sectors:
        inf_rows[table.sector_index(code)] = True
    return s, tau, inf_rows


def _positive(a: np.ndarray) -> np.ndarray:
    """``a`` with its non-positive entries replaced by infinity (a division by it gives 0 there)."""
    return np.where(a > 0, a, np.inf)


def _backlog(table: IOTable, params: ModelParams, n_sup: int) -> dict:
    """Backlog arrays of the domestic producers (docs/model.md §2.8): β, τ_B, τ_L."""
    share = np.zeros(n_sup)
    tau_b, tau_l = 60.0, 180.0
    rows = _nbs42(table, "backlog") if params.backlog else None
    if rows is not None:
        beta, tau_b, tau_l = backlog(params.inventory_level)
        share[:table.n_industries] = beta[rows][table.sector_of]
    return dict(backlog_share=read_only(share), backlog_release_tau=float(tau_b), backlog_loss_tau=float(tau_l),
                has_backlog=bool(share.any()))


def _finished_goods(table: IOTable, params: ModelParams, xbar: np.ndarray) -> dict:
    """Finished-goods arrays of the domestic producers (docs/model.md §2.4): target, ceiling, minimum run, τ_F."""
    n_sup, N = len(xbar), table.n_industries
    star, ceiling, run = np.zeros(n_sup), np.zeros(n_sup), np.zeros(n_sup)
    tau = 30.0
    rows = _nbs42(table, "finished_goods") if params.finished_goods else None
    if rows is not None:
        days, min_run, factor, tau = finished_goods(params.inventory_level)
        days, min_run = days[rows], min_run[rows]
        star[:N] = days[table.sector_of] * xbar[:N]
        ceiling[:N] = factor * star[:N]
        run[:N] = np.where(star[:N] > 0, min_run[table.sector_of], 0.0)
    for code, v in params.sector_min_run.items():  # an episode's operating fact (docs/episodes.md)
        k = table.sector_of == table.sector_index(code)
        run[:N][k] = np.where(star[:N][k] > 0, v, 0.0)
    return dict(fg_star=read_only(star), fg_max=read_only(ceiling), min_run=read_only(run), fg_tau=float(tau),
                has_fg=bool(star.any()))


def _nbs42(table: IOTable, what: str) -> np.ndarray | None:
    """Row of each sector of ``table`` in the NBS-42 evidence tables, or None (logged) if it has none.

    An NBS-42 table maps to itself; a table that splits NBS-42 sectors into components
    (``northeast-2017-fine``, ``provenance["sector_parents"]``) maps each component to its
    sector's row, so 092 electronic components holds the stocks, finished goods, backlog share and
    α_max of NBS 20 (the same assumption as the split itself, ``docs/data.md``). Any other code
    list gets None: the uniform values.
    """
    parents = nbs42_parents(table)
    if parents is not None:
        row = {c: k for k, c in enumerate(NBS42_CODES)}
        return np.array([row[p] for p in parents])
    log.info("%s needs the NBS-42 sector codes; table '%s' has other codes, so uniform values are used", what,
             table.name)
    return None


def _stock_days(table: IOTable, params: ModelParams) -> tuple[np.ndarray, np.ndarray]:
    r"""Input stock days s and restoration times τ by product (S,), before the quirks.

    ``inventory_table="evidence"`` on an NBS-42 table: the chosen column of
    ``input_stock_days.csv`` times ``inventory_scale``, τ by input class (docs/model.md §4); the
    flow inputs (electricity and heat, gas, water) keep their days unscaled, since their two days
    are the one-day order lag plus a day of slack, not a stock anyone plans (scaled, a buyer could
    not raise output above yesterday's plan without binding on electricity). Otherwise
    ``inventory_days`` times ``inventory_scale`` and ``inventory_tau``. Under the cover rule the
    days are floored at ``cover_days`` (a stock below a day of need binds at baseline).
    """
    S = table.n_sectors
    scale = np.full(S, params.inventory_scale)
    rows = _nbs42(table, "inventory_table='evidence'") if params.inventory_table == "evidence" else None
    if rows is not None:
        ignored = sorted({"inventory_days", "inventory_tau"} & params.model_fields_set)
        if ignored:
            log.warning("params %s are not used with inventory_table='evidence' on an NBS-42 table (stock days and "
                        "restoration times come from input_stock_days.csv); set inventory_scale, or "
                        "inventory_table='flat' to use them", " and ".join(ignored))
        days, tau, classes = input_stocks(params.inventory_level)
        days, tau = days[rows], tau[rows]
        scale[np.array(classes)[rows] == "flow"] = 1.0
    else:
        days, tau = np.full(S, float(params.inventory_days)), np.full(S, float(params.inventory_tau))
    s = days * scale
    if params.binding == "cover":
        s = np.maximum(s, params.cover_days)
    return s, tau.copy()


def _origin_headroom(table: IOTable, params: ModelParams, origins: list[int]) -> np.ndarray:
    r"""Supply headroom :math:`h_o` of the foreign origins (table indices ``origins``, in block order).

    ``foreign_supply="node"``: ``import_headroom`` for every origin. ``"per_region"``: from
    ``foreign_supply.csv`` (origins it does not list take its ``ROW`` row),
    :math:`h_o(\theta) = \max(1 + \theta(h_o - 1), h_{floor})` with θ = ``import_headroom_scale``
    and the floor ``import_headroom`` (the pathway lever: every origin can sell at least that much).
    """
    if params.foreign_supply == "node":
        return np.full(len(origins), float(params.import_headroom))
    tab = foreign_headroom(params.inventory_level)
    h = np.array([tab.get(table.origins[k], tab["ROW"]) for k in origins], dtype=float)
    return np.maximum(1.0 + params.import_headroom_scale * (h - 1.0), params.import_headroom)
