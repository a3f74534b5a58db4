r"""The sparse layout of the ``ario`` configuration: the model's structural arrays without any N² array.

The dense model (:func:`chainsim.engine.model.build_model`) holds the daily flows three times
as N² arrays (``Zbar``, ``ZbarT``, ``ZbarT_D``): about 53 bytes x N² of memory, 21 GB at
20,000 industries. In the ``ario`` configuration (BoARIO 0.7.2 ``ARIOPsiModel``: competitive
imports, one input row per product, no foreign supply nodes) every other structural array is
(S, N) or (N,), so a model whose flows are one CSR array of links (supplier i -> buyer j) needs
memory in proportion to the number of links. :func:`build_sparse_model` builds that model
with the same equations as ``build_model`` (``ARIO_SPEC.md`` §2; checked array by array in
``tests/test_sparse.py``); :mod:`chainsim.engine.sparse.economy` runs its day.

Which layout a table gets (:func:`sparse_layout`): the sparse one for a table whose ``Z`` is
scipy.sparse (:attr:`chainsim.data.iotable.IOTable.is_sparse`), or asked for with
``layout="sparse"``; with ``layout="auto"`` also for a dense table of at least
:data:`SPARSE_MIN_INDUSTRIES` industries whose Z has at most :data:`SPARSE_MAX_DENSITY` of
its cells non-zero, when the parameters are a configuration it supports (:func:`unsupported`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from chainsim.data.iotable import IOTable
from chainsim.engine.economy import COVER_NOISE
from chainsim.engine.inputs import criticality, read_only
from chainsim.engine.model import (
    EconomyModel,
    _backlog,
    _finished_goods,
    _group_rows,
    _input_mask,
    _nbs42,
    _product_stock_days,
)
from chainsim.engine.params import ModelParams
from chainsim.engine.quirks import quirks_of
from chainsim.errors import ModelBuildError

__all__ = ["LAYOUTS", "SPARSE_MAX_DENSITY", "SPARSE_MIN_INDUSTRIES", "SparseModel", "build_sparse_model",
           "sparse_layout", "unsupported"]

#: ``"auto"``: sparse for a sparse table, or a large and sparse enough dense one; ``"dense"``, ``"sparse"``: forced.
LAYOUTS = ("auto", "dense", "sparse")

#: Smallest dense table (industries) that ``layout="auto"`` runs sparse. Below it the dense model's N² arrays
#: take under 0.5 GB and the dense day runs every disruption type (the sparse day does not run link cuts);
#: the sparse day is faster on sparse tables well below it (1.6x at 1,680 industries with 13 % of the cells
#: linked, docs/performance.md), where ``layout="sparse"`` asks for it.
SPARSE_MIN_INDUSTRIES = 3000

#: Largest share of non-zero cells of Z that ``layout="auto"`` runs sparse (a CSR link costs 12 bytes against
#: 8 for a dense cell, and the day's passes over the links are scattered: above about a quarter of the
#: cells the dense products win).
SPARSE_MAX_DENSITY = 0.25

#: Parameters the sparse day does not implement, with the value it needs (that of ``ModelParams.ario()``).
_FIXED = ("order_type", "rationing", "finished_goods", "backlog", "resourcing", "split_weights", "order_basis",
          "foreign_supply", "rebuild_served", "ario_quirks", "exact_stocks", "binding", "priority_sectors",
          "lead_days_interregional", "lead_days_imports", "substitution_share")


def unsupported(params: ModelParams, table: IOTable | None = None) -> list[str]:
    """What keeps ``params`` (on ``table``) off the sparse layout: ``"field=value (needs v)"`` items, empty if none.

    The sparse day is the ``ario`` configuration's: every field of :data:`_FIXED` as in
    :meth:`ModelParams.ario`, and imports as primary inputs (no foreign supply nodes). The
    numeric parameters (ψ, inventory days and τ, α, the rebuilding τ, the mask threshold, ...)
    are free.
    """
    ario = ModelParams.ario()
    out = [f"{f}={getattr(params, f)!r} (needs {getattr(ario, f)!r})" for f in _FIXED
           if getattr(params, f) != getattr(ario, f)]
    if params.imports == "supply_nodes" and (table is None or len(table.origins) > 0):
        out.append("imports='supply_nodes' (needs 'primary': no foreign supply nodes in the sparse day)")
    return out


def sparse_layout(table: IOTable, params: ModelParams, layout: str = "auto") -> bool:
    """Whether ``table`` with ``params`` gets the sparse layout (module docstring); raises if it cannot.

    Raises
    ------
    ModelBuildError
        Unknown ``layout``; or a sparse table or ``layout="sparse"`` with parameters the sparse
        day does not implement (the message lists them).
    """
    if layout not in LAYOUTS:
        raise ModelBuildError(f"layout: expected one of {list(LAYOUTS)}; found {layout!r}")
    if layout == "dense":
        if table.is_sparse:
            raise ModelBuildError(f"layout='dense': table '{table.name}' holds Z as a sparse array; "
                                  "use layout='auto' or 'sparse' (the ario configuration)")
        return False
    why = unsupported(params, table)
    if table.is_sparse or layout == "sparse":
        if why:
            raise ModelBuildError(
                f"the sparse layout (table '{table.name}'{' with a sparse Z' if table.is_sparse else ''}) runs the "
                f"ario configuration only; these parameters differ: {'; '.join(why)}")
        return True
    n = table.n_industries
    if why or n < SPARSE_MIN_INDUSTRIES:
        return False
    return np.count_nonzero(table.Z) <= SPARSE_MAX_DENSITY * n * n


@dataclass(frozen=True, eq=False)
class SparseModel(EconomyModel):
    r"""An :class:`EconomyModel` of the ``ario`` configuration whose daily flows are links, not N² arrays.

    ``Zbar``, ``ZbarT``, ``ZbarT_D`` and ``ZbarT_M`` are None; the flows are ``links``.

    Attributes
    ----------
    links : scipy.sparse.csr_array (N, N)
        Baseline daily deliveries :math:`\bar Z_{ij}` (supplier rows, buyer columns).
    supplied : (S, N)
        :math:`\sum_{i: p(i) = p} \bar Z_{ij}`, the daily baseline purchases of input p by j.
    """

    links: Any = None
    supplied: np.ndarray | None = None


def _by_product(M: Any, S: int) -> np.ndarray:
    """(N rows, N) sparse -> (S, N) dense: the sum over the supplier rows of each product (region-major rows)."""
    from scipy import sparse

    N = M.shape[0]
    agg = sparse.csr_array((np.ones(N), (np.arange(N) % S, np.arange(N))), shape=(S, N))
    return np.asarray((agg @ M).toarray())


def _origin_blocks(table: IOTable) -> np.ndarray:
    """Block of each origin as ``build_model`` numbers them (domestic pools first, after the R regions)."""
    pools = set(table.domestic_origins)
    order = [k for k, o in enumerate(table.origins) if o in pools] + [
        k for k, o in enumerate(table.origins) if o not in pools]
    out = np.zeros(len(table.origins), dtype=int)
    out[order] = table.n_regions + np.arange(len(order))
    return out


def build_sparse_model(table: IOTable, params: ModelParams) -> SparseModel:
    """The ``ario`` configuration's model of ``table`` with its flows as links (module docstring).

    The same arrays as :func:`chainsim.engine.model.build_model` for this configuration
    (``ARIO_SPEC.md`` §2), computed from a CSR Z without densifying it.

    Raises
    ------
    ModelBuildError
        Parameters the sparse day does not implement (:func:`unsupported`).
    """
    from scipy import sparse

    why = unsupported(params, table)
    if why:
        raise ModelBuildError(f"the sparse layout runs the ario configuration only; these parameters differ: "
                              f"{'; '.join(why)}")
    R, S, N = table.n_regions, table.n_sectors, table.n_industries
    quirks = quirks_of(params.ario_quirks)
    yd = float(params.year_days)
    x = np.asarray(table.x, dtype=float)
    Z = sparse.csr_array(table.Z, dtype=float)  # a dense table's Z is converted (no N² array is kept)
    Z.sort_indices()
    xbar = x / yd
    Zbar = (Z / yd).tocsr()
    Zbar.sort_indices()
    ybar = table.final_demand / yd
    exo = np.zeros(N)
    if quirks.negative_final_demand == "exogenous_supply":
        exo = np.clip(-ybar, 0.0, None)
        ybar = np.clip(ybar, 0.0, None)
    cap_ref = xbar.copy()
    inv_x = np.divide(1.0, x, out=np.zeros(N), where=x != 0)
    ZC = _by_product(Z, S)
    AC = ZC * inv_x[None, :]
    mask = _input_mask(params, quirks, ZC, AC, xbar)
    s, tau, inf_rows = _product_stock_days(table, params, quirks)
    s_hat = np.where(inf_rows, 0.0, s)
    crit = criticality(table, params)
    weight = mask.astype(float) if crit is None else crit[:, table.sector_of] * mask
    relief = np.full(S, params.criticality_relief)
    for code, v in params.sector_criticality_relief.items():
        relief[table.sector_index(code)] = v
    if relief.any():
        weight = np.where(weight == 1.0, 1.0 - 0.5 * relief[:, None], weight)
    amax = np.full(N, params.alpha_max)
    amax_rows = _nbs42(table, "alpha_max_table='utilisation'") if params.alpha_max_table == "utilisation" else None
    if amax_rows is not None:
        from chainsim.data.dynamics_evidence import alpha_max_by_sector

        amax[:] = alpha_max_by_sector("central")[amax_rows][table.sector_of]
    atau = np.full(N, params.alpha_tau)
    for vec, overrides in ((amax, params.sector_alpha_max), (atau, params.sector_alpha_tau)):
        for code, v in overrides.items():
            vec[table.sector_of == table.sector_index(code)] = v
    cover = params.cover_days * (1.0 - COVER_NOISE)
    bind_days = params.psi * s_hat if params.binding == "psi" else np.where(inf_rows, 0.0, cover)
    bind_denom = np.where(weight > 0, bind_days[:, None] * AC, 0.0)
    weight = np.where(bind_denom > 0, weight, 0.0)
    goal_coef = s_hat[:, None] * AC
    if table.capital is not None:
        K = np.asarray(table.capital, dtype=float)
    else:
        va = x - np.asarray(Z.sum(axis=0)).ravel()
        K = params.capital_to_va * np.clip(va, 0.0, None)
    gate_never = bool((inf_rows[:, None] & (AC == 0)).any())
    dom = xbar.reshape(R, S)
    tot = dom.sum(axis=0, keepdims=True)
    region_share = np.divide(dom, tot, out=np.zeros_like(dom), where=tot > 0)
    reg = sparse.csr_array((np.ones(N), (np.arange(N) // S, np.arange(N))), shape=(R, N))
    route_base = np.asarray((reg @ Zbar @ reg.T).toarray())
    arange = np.arange(S)
    return SparseModel(
        table=table, params=params, quirks=quirks, n=N, n_sup=N, n_sectors=S, n_blocks=R,
        xbar=read_only(xbar), cap_ref=read_only(cap_ref), Zbar=None, ybar=read_only(ybar), AC=read_only(AC),
        bind_weight=read_only(weight), bind_denom=read_only(bind_denom), goal_coef=read_only(goal_coef),
        inv_days=read_only(s), infinite_rows=read_only(inf_rows), gap_gate_never=gate_never,
        capital=read_only(K), w_fixed=None, n_foreign=0, exo_supply=read_only(exo), alpha_max=read_only(amax),
        alpha_tau=read_only(atau), base_lead=read_only(np.zeros((R, R), dtype=int)), ZbarT=None, n_classes=1,
        n_inputs=S, nc_products=read_only(np.zeros(0, dtype=int)), nc_index=slice(0, 0), n_dom_blocks=R,
        import_row=read_only(arange.copy()), block_row=read_only(np.tile(arange, (R, 1))),
        origin_row=read_only(np.tile(arange, (R, 1))), named_block=read_only(np.zeros(0, dtype=int)),
        named_product=read_only(np.zeros(0, dtype=int)), named_share=read_only(np.zeros(0)),
        named_group=read_only(np.zeros(0, dtype=int)), Zbar_named=read_only(np.zeros((0, N))),
        **_group_rows(arange, np.zeros(0, dtype=int), S),
        input_product=read_only(arange.copy()), d_blocks=R, ZbarT_D=None, ZbarT_M=None,
        origin_block=read_only(_origin_blocks(table)), n_pool_blocks=0, restock_from=N,
        input_of_node=read_only(np.tile(arange, R)), priority_buyers=read_only(np.zeros(N, dtype=bool)),
        region_share=read_only(region_share), route_base=read_only(route_base), inv_tau=read_only(tau.copy()),
        per_region_imports=False, **_finished_goods(table, params, xbar), **_backlog(table, params, N),
        links=Zbar, supplied=read_only(ZC / yd),
        # the ario configuration: every import competitive (σ = 1, one slot), every supplier's orders move at once
        switch_share=read_only(np.ones(N)), import_sigma=read_only(np.ones(S)),
        split_products=read_only(np.zeros(0, dtype=int)), slot_share=read_only(np.ones(N)),
    )
