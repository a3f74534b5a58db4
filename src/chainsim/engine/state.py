"""The economy state carried from day to day and the preallocated daily buffers.

Every array has the batch of B scenarios as its first axis. :func:`init_state` builds the
pre-shock equilibrium (``ARIO_SPEC.md`` §2); :class:`Workspace` holds every buffer the daily
step writes, allocated once per run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainsim.engine.links import Overrides
from chainsim.engine.model import EconomyModel

__all__ = ["BIND_TIE", "State", "SubOrders", "Workspace", "init_state"]

#: relative gap (to optimal output) within which two inputs bind equally hard
BIND_TIE = 1e-9


@dataclass
class State:
    r"""Mutable economy state carried from one day to the next (owned by the engine).

    Attributes
    ----------
    inventory : (B, S + K, N)
        Input stocks by input row (``EconomyModel.n_inputs``) and user.
    orders : (B, n_sup, N) or None
        Orders placed yesterday, received by supplier i from buyer j, served today. ``None``
        while orders are held in factored form (below), which is exact as long as the link
        weights are the baseline ``Zbar`` and every link is open.
    lam_prev, ratio : (B, n_sup), (B, S + K, N)
        Factored orders: :math:`O_{ij} = \bar Z_{ij} \lambda_i r_{p(i)j}` with λ the capacity
        ratios and r the need per unit of capacity-weighted baseline purchases.
    alpha : (B, n_sup)
        Overproduction factor.
    x_prev : (B, n_sup)
        Yesterday's production.
    weight_base : (B, n_sup, N) or None
        Link weights before capacity reweighting (``None``: the baseline ``Zbar``).
    link_open : (B, n_sup, N) or None
        Share of each link's orders that can be delivered (``None``: all open).
    crashed : (B,) bool
        A stock went negative (the ARIO configuration stops such a run).
    final_demand : (B, n_sup)
        Today's final demand ȳ (changed by final-demand disruptions).
    route_loss, route_lead : (B, blocks, R) or None
        Congestion: throughput share lost and extra lead days of each route (supplier block ->
        buyer region); ``None`` until a congestion starts.
    backlog : (B, n_sup, N) or None
        Goods produced and waiting for a congested route.
    transit : (L, B, S + K, N) or None
        Goods on the road, by arrival day modulo L.
    ov, placed : Overrides or None, tuple or None
        Factored mode: the (member, product) pairs whose link weights or open shares differ
        from baseline, and their snapshot ``(b, p, W - Zbar, W κ - Zbar)`` at the last order
        step (the orders being served today).
    sub : SubOrders or None
        Non-competitive imports: domestic substitution orders for imported inputs (columns
        (b, p, j) of an import cut after the substitution lag), in both order modes.
    import_cut_on : (B, S) bool or None
        Products under an import cut into named regions (with its recovery); foreign origins
        serve only up to their headroom while a cut is on.
    """

    inventory: np.ndarray
    orders: np.ndarray | None
    lam_prev: np.ndarray
    ratio: np.ndarray
    alpha: np.ndarray
    x_prev: np.ndarray
    weight_base: np.ndarray | None
    link_open: np.ndarray | None
    crashed: np.ndarray
    final_demand: np.ndarray
    route_loss: np.ndarray | None = None
    route_lead: np.ndarray | None = None
    backlog: np.ndarray | None = None
    transit: np.ndarray | None = None
    ov: Overrides | None = None
    placed: tuple[np.ndarray, ...] | None = None
    sub: SubOrders | None = None
    import_cut_on: np.ndarray | None = None


@dataclass
class SubOrders:
    r"""Domestic substitution of imported inputs (non-competitive imports), K columns (b, p, j).

    Each day buyer j of member b orders from the domestic producers of p a share
    :math:`\sigma` (ramped by the engine) of the imported-p need that the foreign suppliers
    are not expected to deliver, :math:`\sigma \max(O^C_{Mpj} - \sum_{o} O_{opj}\varphi_{op}, 0)`,
    split over the domestic regions by ``share`` x capacity ratio. These orders are demand for
    the domestic producers; their deliveries are credited to the imported-p inventory.

    Attributes
    ----------
    b, p, j : (K,) int
        Columns: batch member, product, buyer.
    share : (K, R)
        Split over the domestic regions (baseline output of p, normalised).
    sigma : (K,)
        Share of the unmet imported need ordered from domestic producers (ramped).
    ks : (K,) int
        Pairs (b, p) of the columns in the factored overrides (valid while orders are factored).
    placed : (K, R)
        Substitution orders placed at the last order step (served today).
    """

    b: np.ndarray
    p: np.ndarray
    j: np.ndarray
    share: np.ndarray
    sigma: np.ndarray
    ks: np.ndarray
    placed: np.ndarray


class Workspace:
    """Preallocated daily buffers (results of the last :func:`step` are read from here)."""

    def __init__(self, model: EconomyModel, batch: int) -> None:
        B, ns, S, N = batch, model.n_sup, model.n_sectors, model.n
        z = np.zeros
        self.demand, self.capacity, self.x_opt, self.x = z((B, ns)), z((B, ns)), z((B, ns)), z((B, ns))
        self.phi, self.phi_y = z((B, ns)), z((B, ns))
        # the deliveries' and the denominators' block products run as one call over 2B rows
        # (distribution.distribute_and_order): their inputs (tmp, lam) and outputs (V, denom)
        # are the two halves of one buffer each
        self.tmp_lam = z((2 * B, ns))
        self.tmp, self.lam = self.tmp_lam[:B], self.tmp_lam[B:]
        self.reb_demand, self.reb_delivered = z((B, ns)), z((B, ns))
        self.scarcity = z((B, ns))
        # factored orders received (matmul outputs) and the gathered non-competitive products
        nf, K = model.n_blocks - model.n_dom_blocks, model.n_inputs - S
        self.d_dom, self.d_imp = z((S, model.d_blocks, B)), z((K, nf, B))
        self.v_nc = z((2 * B, nf, K))  # by_product uses the first rows: one per row of its input
        S = model.n_inputs  # input rows: S domestic (and competitive imports) + K imported
        self.rho, self.U, self.G = z((B, S, N)), z((B, S, N)), z((B, S, N))
        self.V_denom = z((2 * B, S, N))
        self.V, self.denom = self.V_denom[:B], self.V_denom[B:]
        self.OC, self.ratio = z((B, S, N)), z((B, S, N))
        self.zeros = z((B, S, N))  # read-only operand of np.maximum
        self.big: np.ndarray | None = None  # dense (B, n_sup, N) scratch, allocated by densify()
        self.min_rho = z((B, N))
        # shortages: columns already reported (kept by the engine); production marks the new ones'
        # binding inputs in bind_row (-1 elsewhere) and their number in n_new_binding
        self.reported = np.zeros((B, N), dtype=bool)
        self.bind_row = np.full((B, N), -1)
        self.n_new_binding = 0
        self.no_cut_on = np.zeros((B, 0), dtype=bool)  # no import cut into named regions yet
        self.unmet = z(B)
        self.keep_unmet = True  # False: the run does not record unmet final demand (not computed)
        self.gate = np.zeros(B, dtype=bool)
        # ARIO gates: per member, the entry last found farthest from closeness (checked first)
        self.hint_delivered, self.hint_stock = np.zeros(B, dtype=int), np.zeros(B, dtype=int)
        self.has_rebuild = False
        self.exo = bool(model.exo_supply.any())
        self.cut_no_headroom = model.restock and model.params.import_headroom > 1.0
        bd = model.bind_denom
        self.inv_bind = np.divide(1.0, bd, out=np.zeros_like(bd), where=bd > 0)
        self.inf_free = np.where(bd > 0, 0.0, np.inf)
        self.w_inv_bind = model.bind_weight * self.inv_bind
        self.phi_prio, self.d_prio = z((B, ns)), z((B, ns))
        self.prio: np.ndarray | None = None
        if model.params.rationing == "priority_sectors":
            codes = [model.table.sector_index(c) for c in model.params.priority_sectors]
            self.prio = np.isin(model.table.sector_of, codes)
            self.ZbarT_prio = tuple(np.ascontiguousarray(z_[:, :, self.prio]) for z_ in (model.ZbarT_D, model.ZbarT_M))
        supplied = np.concatenate([model.ZbarT_D.sum(axis=1), model.ZbarT_M.sum(axis=1)])  # (S + K, N)
        self.no_supplier = np.where(supplied > 0, 0.0, np.inf)
        # the output-unit form needs finite stocks (S * 0 would be NaN on infinite rows)
        self.fast_limits = not bool(model.infinite_rows.any())
        self.partial = bool(np.any((model.bind_weight != 0) & (model.bind_weight != 1)))

    def mark_new_shortages(self) -> None:
        """Columns that bind today and were not reported yet: their binding inputs into ``bind_row``.

        The numpy path's counterpart of what the compiled limits do in their loop.
        """
        bs, js = np.nonzero((self.min_rho < 1.0) & ~self.reported)
        if self.n_new_binding:
            self.bind_row.fill(-1)
        self.bind_row[bs, js] = self.binding_inputs(bs, js)
        self.n_new_binding = len(bs)

    def binding_inputs(self, b: np.ndarray, j: np.ndarray) -> np.ndarray:
        """The input row (p, or S + k: imported p) binding hardest for each buyer j of member b after :func:`produce`.

        Inputs within ``BIND_TIE`` x (optimal output) of the hardest bind are ties, resolved to
        the lowest row: which of two equally short inputs (say two imports cut alike) is named,
        and searched for, then does not depend on rounding, which differs between BLAS builds.
        """
        cols = self.rho[b, :, j]  # (K, inputs): partial binding: w x_opt - S w/d, largest binds hardest
        tol = BIND_TIE * self.x_opt[b, j][:, None]
        if self.partial and self.fast_limits:
            near = cols >= cols.max(axis=1, keepdims=True) - tol
        else:  # limits (or ratios) on output: smallest binds hardest
            near = cols <= cols.min(axis=1, keepdims=True) + (tol if self.fast_limits else BIND_TIE)
        return np.argmax(near, axis=1)


def init_state(model: EconomyModel, batch: int) -> State:
    """Equilibrium initial state (``ARIO_SPEC.md`` §2): stocks ``s A^C x̄``, orders ``Z̄``, ``α = α_b``."""
    N, ns = model.n, model.n_sup
    inv = model.inv_days[..., None] * model.AC * model.xbar[None, :N]  # inv_days (S + K,) or (B, S + K)
    inv = np.where(model.infinite_rows[:, None], np.inf, inv)
    st = State(
        inventory=np.broadcast_to(inv, (batch, *model.AC.shape)).copy(),
        orders=None, lam_prev=np.ones((batch, ns)), ratio=np.ones((batch, model.n_inputs, N)),
        alpha=np.full((batch, ns), model.params.alpha_base),
        x_prev=np.broadcast_to(model.xbar, (batch, ns)).copy(),
        weight_base=None, link_open=None, crashed=np.zeros(batch, dtype=bool),
        final_demand=np.broadcast_to(model.ybar, (batch, ns)).copy(),
    )
    if model.w_fixed is not None:  # fixed shares: explicit orders
        st.orders = np.broadcast_to(model.Zbar, (batch, ns, N)).copy()
    return st
