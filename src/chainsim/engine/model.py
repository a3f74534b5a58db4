"""Build the immutable structural arrays of the economy from an :class:`IOTable`.

Supplier nodes are ordered in blocks of S products: the R domestic regions (region-major,
as in the table), then, when foreign imports are supply nodes, one block per foreign
origin. Buyers are the N = R x S domestic industries. Because of the block layout,
"sum over the suppliers of product p" is a reshape ``(blocks, S, N)`` and a sum over the
first axis, with no index arrays.

Input rows: with competitive imports (and in the ARIO configuration) every supplier of
product p delivers the same input p (S input rows). With non-competitive imports (the default
model with foreign supply nodes; Armington 1969) the foreign blocks of the K *non-competitive*
products (``params.noncompetitive_products``; by default the differentiated goods of Rauch
1999) deliver a second input, imported p, with its own requirement, inventory, ψ constraint
and order split: S + K input rows, row p for domestic p (domestic suppliers, and foreign
origins of a competitive p) and row S + k for the k-th non-competitive product imported.
The domestic blocks, then the foreign blocks, are contiguous, so the sums over the suppliers
of an input are reshapes of block slices (plus a gather of the K non-competitive products).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from chainsim.data.classification import NBS42_CODES, NONCOMPETITIVE_NBS42
from chainsim.data.iotable import IOTable
from chainsim.engine.params import ModelParams
from chainsim.errors import ChainsimError, ModelBuildError

__all__ = ["EconomyModel", "build_model", "input_sum", "scale_by_input"]

log = logging.getLogger(__name__)


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def _as_index(idx: np.ndarray) -> slice | np.ndarray:
    """A slice for a contiguous ascending run of indices (views instead of gathers), else the array."""
    idx = np.asarray(idx, dtype=int)
    if len(idx) and (np.diff(idx) == 1).all():
        return slice(int(idx[0]), int(idx[-1]) + 1)
    return idx


def input_sum(model: EconomyModel, big4: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Sum (B, blocks, S, N) over the suppliers of each input into ``out`` (B, S + K, N)."""
    S, F = model.n_sectors, model.n_dom_blocks
    if model.n_classes == 1:
        return np.sum(big4, axis=1, out=out)
    np.sum(big4[:, :F], axis=1, out=out[:, :S])
    comp = model.comp_products
    if len(comp):  # foreign origins of the competitive products deliver the domestic rows
        out[:, comp] += big4[:, F:, comp].sum(axis=1)
    np.sum(big4[:, F:, model.nc_index], axis=1, out=out[:, S:])
    return out


def scale_by_input(model: EconomyModel, big4: np.ndarray, X: np.ndarray) -> None:
    """``big4[b, a, p, j] *= X[b, row(a, p), j]`` in place (big4 (B, blocks, S, N), X (B, S + K, N))."""
    for lo, hi, sel in model.row_groups:
        big4[:, lo:hi] *= X[:, None, sel]


def _noncompetitive_products(table: IOTable, params: ModelParams) -> np.ndarray:
    """Indices of the products whose imports are a separate input (``params.noncompetitive_products``)."""
    v, S = params.noncompetitive_products, table.n_sectors
    if v == "none":
        return np.zeros(0, dtype=int)
    if v == "all":
        return np.arange(S)
    if v == "auto":
        if tuple(table.sector_codes) != NBS42_CODES:
            log.info("noncompetitive_products='auto' needs the NBS-42 sector codes; table '%s' has other codes, "
                     "so every import is competitive", table.name)
            return np.zeros(0, dtype=int)
        return np.array([table.sector_index(c) for c in NONCOMPETITIVE_NBS42], dtype=int)
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
        Input classes: 1 (every import competitive, or no imports), 2 (some products have a
        separate imported input).
    n_inputs : int
        Input rows S + K: row p is domestic p (with the imports of a competitive p), row S + k
        the k-th non-competitive product imported.
    nc_products : (K,) int
        The non-competitive products, ascending; ``nc_index`` selects them on a product axis (a
        slice when contiguous), ``comp_products`` are the others.
    n_dom_blocks : int
        Supplier blocks of domestic supply F (the regions and the domestic supply pools); the
        foreign origins are blocks F .. n_blocks.
    import_row : (S,) int
        Input row delivered by the foreign origins of product p (p if p is competitive).
    block_row : (blocks, S) int
        Input row delivered by each supplier node (block, p).
    input_product : (S + K,) int
        Product of each input row.
    row_groups : tuple of (start, stop, index)
        Block ranges with the input rows of their products (``index`` selects S rows of an
        (.., S + K, ..) array, a slice when contiguous): multiplying (B, blocks, S, N) arrays by
        a per-input quantity is one broadcast per group.
    d_blocks : int
        Blocks summed into the domestic rows by the batched matmuls (F when every product is
        non-competitive, else all: ``ZbarT_D`` is zero on the foreign non-competitive nodes).
    ZbarT_D, ZbarT_M : (S, d_blocks, N), (K, blocks - F, N)
        ``ZbarT`` split into the suppliers of the domestic rows and of the imported rows.
    restock : bool
        Foreign origins (countries) serve every order of a product no import cut touches (the
        default model with foreign supply nodes; docs/model.md §5.4).
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
    comp_products: np.ndarray | None = None
    n_dom_blocks: int = 0
    import_row: np.ndarray | None = None
    block_row: np.ndarray | None = None
    input_product: np.ndarray | None = None
    row_groups: tuple[tuple[int, int, slice | np.ndarray], ...] = ()
    d_blocks: int = 0
    ZbarT_D: np.ndarray | None = None
    ZbarT_M: np.ndarray | None = None
    restock: bool = False
    origin_block: np.ndarray | None = None
    n_pool_blocks: int = 0

    def input_blocks(self, row: int) -> tuple[int, int]:
        """Supplier blocks (start, stop) delivering input row ``row``: domestic blocks, foreign ones, or all."""
        F, nb = self.n_dom_blocks, self.n_blocks
        if row >= self.n_sectors:
            return F, nb
        return (0, F) if self.n_classes == 2 and self.import_row[row] != row else (0, nb)

    def input_name(self, row: int) -> str:
        """Sector code of an input row, with " (imported)" for the imported rows."""
        code = self.table.sector_codes[int(self.input_product[row])]
        return code if row < self.n_sectors else f"{code} (imported)"

    @property
    def is_foreign(self) -> np.ndarray:
        """Boolean mask of foreign supply nodes, shape (n_sup,)."""
        m = np.zeros(self.n_sup, dtype=bool)
        m[self.n:] = True
        return m


@lru_cache(maxsize=8)
def _auto_criticality(codes: tuple[str, ...]) -> np.ndarray | None:
    """The shipped criticality matrix on these sector codes (read once per process; read-only)."""
    try:
        from chainsim.data.datasets import load_criticality  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        df = load_criticality()
    except Exception as exc:  # the dataset is optional: fall back to all-critical
        log.warning("criticality dataset unavailable (%s); all inputs treated as critical", exc)
        return None
    if df.shape != (len(codes), len(codes)):
        log.info("criticality matrix shape %s does not match %d sectors; ignored", df.shape, len(codes))
        return None
    try:
        return _ro(df.loc[list(codes), list(codes)].to_numpy(dtype=float, copy=True))
    except KeyError:
        return _ro(df.to_numpy(dtype=float, copy=True))


def _criticality(table: IOTable, params: ModelParams) -> np.ndarray | None:
    crit = params.criticality
    if crit == "none":
        return None
    if crit == "auto":
        return _auto_criticality(tuple(table.sector_codes))
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
    F = R + n_pool  # blocks of domestic supply: regions and domestic pools; foreign origins follow
    restock = O > n_pool and not params.ario_quirks
    nc = np.zeros(0, dtype=int)
    if O > n_pool and params.import_substitutability == "noncompetitive":
        nc = _noncompetitive_products(table, params)
    n_nc = len(nc)
    C = 2 if n_nc else 1
    import_row = np.arange(S)
    import_row[nc] = S + np.arange(n_nc)
    block_row = np.tile(np.arange(S), (nb, 1))
    block_row[F:] = import_row
    input_product = np.r_[np.arange(S), nc]
    comp = np.setdiff1d(np.arange(S), nc)

    def by_input(X4: np.ndarray) -> np.ndarray:  # (blocks, S, N) -> (S + n_nc, N), summing the suppliers of each row
        if not n_nc:
            return X4.sum(axis=0)
        dom = X4[:F].sum(axis=0)
        if len(comp):
            dom[comp] += X4[F:, comp].sum(axis=0)
        return np.concatenate([dom, X4[F:, nc].sum(axis=0)])

    A4, Z4 = A.reshape(nb, S, N), Zs.reshape(nb, S, N)
    AC, ZC = by_input(A4), by_input(Z4)
    # BoARIO compares the annual Z^C with the daily x̄ (spec §2); chainsim uses A^C
    mask = ZC > params.mask_threshold * xbar[None, :N] if params.ario_quirks else AC > params.mask_threshold
    s = np.full(S, float(params.inventory_days))
    if params.ario_quirks:
        s[s <= 1] = 2.0
    inf_rows = np.zeros(S, dtype=bool)
    for code in params.infinite_inventory_sectors:
        inf_rows[table.sector_index(code)] = True
    s, inf_rows = s[input_product], inf_rows[input_product]
    s_hat = np.where(inf_rows, 0.0, s)
    crit = _criticality(table, params)
    weight = mask.astype(float) if crit is None else crit[:, table.sector_of][input_product] * mask
    relief = np.full(S, params.criticality_relief)
    for code, v in params.sector_criticality_relief.items():
        relief[table.sector_index(code)] = v
    if relief.any():  # a share r of critical ratings becomes important: expected weight 1 - r/2
        weight = np.where(weight == 1.0, 1.0 - 0.5 * relief[input_product][:, None], weight)
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
        den = by_input(Zb4)[block_row, :]  # (blocks, S, N): the suppliers of each node's input
        w_fixed = (Zb4 / np.where(den > 0, den, np.inf)).reshape(n_sup, N)
    if table.capital is not None:
        K = np.asarray(table.capital, dtype=float)
    else:
        va = x - Z.sum(axis=0)  # as BoARIO sees it: imports folded into value added
        K = params.capital_to_va * np.clip(va, 0.0, None)
    gate_never = bool((inf_rows[:, None] & (AC == 0)).any())
    ZbarT = Zbar.reshape(nb, S, N).transpose(1, 0, 2).copy()
    d_blocks = F if n_nc == S else nb
    ZbarT_D = ZbarT[:, :d_blocks].copy()
    if d_blocks > F:
        ZbarT_D[nc, F:] = 0.0  # the foreign origins of non-competitive products deliver the imported rows
    nc_ix = _as_index(nc)
    row_groups = ((0, nb, slice(0, S)),) if not n_nc else ((0, F, slice(0, S)), (F, nb, _as_index(import_row)))
    return EconomyModel(
        table=table, params=params, n=N, n_sup=n_sup, n_sectors=S, n_blocks=nb,
        xbar=_ro(xbar), cap_ref=_ro(cap_ref), Zbar=_ro(Zbar), ybar=_ro(ybar), AC=_ro(AC),
        bind_weight=_ro(weight), bind_denom=_ro(bind_denom), goal_coef=_ro(goal_coef),
        inv_days=_ro(s), infinite_rows=_ro(inf_rows), gap_gate_never=gate_never,
        capital=_ro(K), w_fixed=None if w_fixed is None else _ro(w_fixed), n_foreign=O * S,
        exo_supply=_ro(exo), alpha_max=_ro(amax), alpha_tau=_ro(atau), base_lead=_ro(lead),
        ZbarT=_ro(ZbarT), n_classes=C, n_inputs=S + n_nc, nc_products=_ro(nc), nc_index=nc_ix,
        comp_products=_ro(comp), n_dom_blocks=F,
        import_row=_ro(import_row), block_row=_ro(block_row), input_product=_ro(input_product),
        row_groups=row_groups, d_blocks=d_blocks, ZbarT_D=_ro(ZbarT_D), ZbarT_M=_ro(ZbarT[nc_ix, F:].copy()),
        restock=restock, origin_block=_ro(origin_block), n_pool_blocks=n_pool,
    )
