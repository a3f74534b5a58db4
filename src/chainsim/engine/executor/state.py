r"""The fast executor's state (orders in factored form) and its preallocated daily buffers.

Every array has the batch of B scenarios as its first axis. Orders are never stored: they are
:math:`O_{ij} = W_{ij}\kappa_{ij}\lambda_i r_{c(i)j}` with λ the suppliers' capacity ratios
(``lam_prev``) and r the need per unit of capacity-weighted purchases (``ratio``); the links
whose weight W or open share κ differ from the baseline are kept as
:class:`~chainsim.engine.executor.links.Overrides`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainsim.engine.executor.links import Overrides
from chainsim.engine.model import EconomyModel

__all__ = ["FastState", "SubOrders", "Workspace"]


@dataclass
class SubOrders:
    r"""Domestic substitution of imported inputs (non-competitive imports), K columns (b, p, j).

    Each day buyer j of member b orders from the domestic producers of p a share σ of the
    imported-p need the foreign suppliers are not expected to deliver, split over the regions by
    ``share`` x capacity ratio (docs/model.md §5.5); the deliveries fill the imported-p stock.
    ``ks`` are the columns' pairs in the overrides, ``placed`` (K, R) the orders placed at the
    last order step (served today).
    """

    b: np.ndarray
    p: np.ndarray
    j: np.ndarray
    share: np.ndarray
    sigma: np.ndarray
    ks: np.ndarray
    placed: np.ndarray

    def rows(self, m: EconomyModel) -> np.ndarray:
        """Supply nodes of the domestic producers (regions) of each column's product: (K, R)."""
        return np.arange(m.table.n_regions)[None, :] * m.n_sectors + self.p[:, None]


@dataclass
class FastState:
    """The state carried from day to day (see the module docstring).

    Attributes
    ----------
    inventory : (B, S + K, N)
    lam_prev, ratio : (B, n_sup), (B, S + K, N)
        Factored orders placed yesterday.
    alpha, x_prev : (B, n_sup)
    crashed : (B,) bool
    ov : Overrides or None
        The (member, product) pairs whose links differ from baseline; ``placed`` their snapshot
        ``(b, p, W, W κ)`` at the last order step (the orders served today).
    sub : SubOrders or None
    finished : (B, n_sup)
        Producers' finished-goods stocks F.
    postponed : (B, n_sup)
        Backlog of postponed final demand.
    """

    inventory: np.ndarray
    lam_prev: np.ndarray
    ratio: np.ndarray
    alpha: np.ndarray
    x_prev: np.ndarray
    crashed: np.ndarray
    ov: Overrides | None = None
    placed: tuple[np.ndarray, ...] | None = None
    sub: SubOrders | None = None
    finished: np.ndarray | None = None
    postponed: np.ndarray | None = None

    @classmethod
    def equilibrium(cls, m: EconomyModel, batch: int) -> FastState:
        r"""The pre-shock equilibrium: stocks :math:`s A^C \bar x`, orders :math:`\bar Z` (λ = r = 1), α = α_b."""
        N, ns = m.n, m.n_sup
        inv = np.where(m.infinite_rows[:, None], np.inf, m.inv_days[..., None] * m.AC * m.xbar[None, :N])
        return cls(inventory=np.broadcast_to(inv, (batch, *m.AC.shape)).copy(), lam_prev=np.ones((batch, ns)),
                   ratio=np.ones((batch, m.n_inputs, N)), alpha=np.full((batch, ns), m.params.alpha_base),
                   x_prev=np.broadcast_to(m.xbar, (batch, ns)).copy(), crashed=np.zeros(batch, dtype=bool),
                   finished=np.broadcast_to(m.fg_star, (batch, ns)).copy(), postponed=np.zeros((batch, ns)))


class Workspace:
    """Preallocated daily buffers (the results of the last day are read from here)."""

    def __init__(self, m: EconomyModel, batch: int) -> None:
        B, ns, S, N = batch, m.n_sup, m.n_sectors, m.n
        z = np.zeros
        self.demand, self.capacity, self.x_opt, self.x = z((B, ns)), z((B, ns)), z((B, ns)), z((B, ns))
        self.phi, self.phi_y, self.phi_prio, self.d_prio = z((B, ns)), z((B, ns)), z((B, ns)), z((B, ns))
        # the deliveries' and the denominators' block products run as one call over 2B rows: their
        # inputs (tmp, lam) and outputs (V, denom) are the two halves of one buffer each
        self.tmp_lam = z((2 * B, ns))
        self.tmp, self.lam = self.tmp_lam[:B], self.tmp_lam[B:]
        self.reb_delivered = z((B, ns))
        self.q = z((B, ns))  # shipments (finished goods)
        self.release = z((B, ns)) if m.has_backlog else None  # backlog released into today's demand
        self.d_now = z((B, ns))  # demand without the deferred part (served first)
        self.phi_reb = z((B, ns))  # served share of the deferred demand (rebuilding served last, backlog)
        self.deferred = z((B, ns))
        self.zeros = z((1, 1))
        self.phi_rebuild = self.phi
        self.f_morning = z((B, ns)) if m.has_fg else None
        self.all_open = np.ones((1, ns))
        nf, K = m.n_blocks - m.n_dom_blocks, m.n_inputs - S - m.n_named  # K shared imported-only rows
        self.d_dom, self.d_imp = z((S, m.d_blocks, B)), z((K, nf, B))
        self.v_nc = z((2 * B, nf, K))  # gathered non-competitive products
        I = m.n_inputs
        self.U, self.G, self.OC = z((B, I, N)), z((B, I, N)), z((B, I, N))
        self.V_denom = z((2 * B, I, N))
        self.V, self.denom = self.V_denom[:B], self.V_denom[B:]
        # the denominators of λ = 1, computed at their first use (distribution._baseline_denominators),
        # and whether ``denom`` holds them outside the overridden pairs' rows
        self.base_denom: np.ndarray | None = None
        self.denom_is_base = False
        self.denom_pairs: tuple[np.ndarray, ...] | None = None  # the overrides' snapshot of its pairs' rows
        self.min_rho = z((B, N))
        self.bind_row = np.full((B, N), -1)
        self.n_new_binding = 0
        self.unmet = z(B)
        self.done_without = z(B)  # use of inputs no stock could cover today (reference.update_stocks)
        self.keep_unmet = True  # False: the run does not record unmet final demand (not computed)
        self.exo = bool(m.exo_supply.any())
        bd = m.bind_denom
        self.w_inv_bind = m.bind_weight * np.divide(1.0, bd, out=np.zeros_like(bd), where=bd > 0)
        self.prio = m.priority_buyers if m.priority_buyers.any() else None
        if self.prio is not None:
            self.ZbarT_prio = tuple(np.ascontiguousarray(z_[:, :, self.prio]) for z_ in (m.ZbarT_D, m.ZbarT_M))
            self.Zbar_named_prio = np.ascontiguousarray(m.Zbar_named[:, self.prio]) if m.n_named else None
        supplied = np.concatenate([m.ZbarT_D.sum(axis=1), m.ZbarT_M.sum(axis=1)])  # (S + K, N)
        if m.n_named:
            supplied = np.concatenate([supplied, m.Zbar_named])  # (S + K + E, N)
        # the named origins' rows add to their product's shared row in the input limits (production.input_limits)
        E = m.n_named
        self.named_group = np.asarray(m.named_group, dtype=np.int64) if E else np.zeros(0, dtype=np.int64)
        self.grouped = np.zeros(I, dtype=np.bool_)
        self.grouped[self.named_group] = True
        self.acc = z((I, N)) if E else z((1, 1))
        self.acc_can = np.zeros((I, N) if E else (1, 1), dtype=np.bool_)
        self.no_supplier = np.where(supplied > 0, 0.0, np.inf)
        self.finite_rows = ~m.infinite_rows
