r"""The dense state of the reference day and its routes.

:class:`DenseState` holds every quantity carried from day to day as a dense array with a
leading batch axis: stocks, explicit order matrices, link weights and open shares, the route
backlog and the goods in transit (:mod:`chainsim.engine.reference` advances it one day).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from chainsim.engine.model import EconomyModel

__all__ = ["DenseState", "allclose_members", "by_input", "slot_layers"]

_ATOL, _RTOL = 1e-8, 1e-5  # numpy.allclose defaults, used by BoARIO's gates


def by_input(m: EconomyModel, X: np.ndarray, X_m: np.ndarray | None = None) -> np.ndarray:
    r""":math:`\sum_{i \in c} X_{ij}` for every input c over the slots: (B, n_sup, N) -> (B, S + K, N).

    ``X`` is on the first slots: the domestic blocks (regions, domestic pools) deliver the pooled
    row of their product, the foreign origins the row of ``block_row`` (pooled p, or the
    imported-only row of a product with σ = 0). ``X_m``, if given, is on the second slots (the
    imported-only rows of the split products, 0 < σ < 1; zero elsewhere). A named origin's imported
    slot delivers its own row (``origin_row``), the other origins' the product's shared row.
    """
    B, F, S = len(X), m.n_dom_blocks, m.n_sectors
    X4 = X.reshape(B, m.n_blocks, S, m.n)
    out = np.zeros((B, m.n_inputs, m.n))
    out[:, :S] = X4[:, :F].sum(axis=1)
    if m.n_named:  # a named origin's imported slot delivers its own row (params.origin_row_min_share)
        K0 = m.n_inputs - m.n_named
        shared = m.origin_row[F:] < K0  # (origins, S): the nodes whose imported slot is on a shared row
        first = m.block_row[m.named_block, m.named_product] >= K0  # named nodes delivering their row first (σ = 0)
        row = m.import_row.copy()  # the row every other foreign node's first slot delivers: pooled, or shared
        row[m.split_products] = m.split_products
        out[:, row] += np.where((m.block_row[F:] < K0)[None, :, :, None], X4[:, F:], 0.0).sum(axis=1)
        out[:, K0:][:, first] += X4[:, m.named_block[first], m.named_product[first]]
        if X_m is not None and m.has_split:
            sp = m.split_products
            Xm4 = X_m.reshape(B, m.n_blocks, S, m.n)
            out[:, m.import_row[sp]] += np.where(shared[None, :, sp, None], Xm4[:, F:, sp], 0.0).sum(axis=1)
            out[:, K0:][:, ~first] += Xm4[:, m.named_block[~first], m.named_product[~first]]
        return out
    out[:, m.block_row[F] if F < m.n_blocks else m.import_row] += X4[:, F:].sum(axis=1)
    if X_m is not None and m.has_split:
        sp = m.split_products
        out[:, m.import_row[sp]] += X_m.reshape(B, m.n_blocks, S, m.n)[:, F:, sp].sum(axis=1)
    return out


def slot_layers(m: EconomyModel, X: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """A quantity on whole supply nodes (..., n_sup, N) split into its first and second slots (None without split)."""
    if not m.has_split:
        return X, None
    share = m.slot_share[:, None]
    return X * share, X * (1.0 - share)


def allclose_members(a: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Per batch member, numpy ``allclose(a, ref)``: ``|a - ref| <= 1e-8 + 1e-5 |ref|`` everywhere (NaN: not close)."""
    B = len(a)
    close = np.abs(a - ref) <= _ATOL + _RTOL * np.abs(ref)
    return close.reshape(B, -1).all(axis=1)


@dataclass
class DenseState:
    """Everything carried from one day to the next (B batch members, I = S + K input rows).

    Attributes
    ----------
    inventory : (B, I, N)
        Input stocks.
    orders, substitution_orders : (B, n_sup, N)
        Orders placed yesterday (served today) on each node's first slot; substitution orders to
        domestic producers, whose deliveries go to the imported input of their product.
    import_orders : (B, n_sup, N) or None
        Orders on the second slots (the imported-only rows of the split products, 0 < σ < 1);
        None when no product is split.
    alpha, x_prev : (B, n_sup)
        Overproduction and yesterday's production.
    weights, open : (B, n_sup, N)
        Link weights W (baseline ``Zbar``, changed by re-sourcing) and the share κ of each link
        that is open (link cuts, import cuts into named regions).
    sigma : (B, S, N)
        Substitution share σ of each (product, buyer).
    backlog, backlog_m : (B, n_sup, N)
        Goods waiting for a congested route (first and second slots; ``backlog_m`` None without split).
    transit : (L, B, I, N)
        Goods on the road, by arrival day modulo L.
    route_loss, route_lead : (B, blocks, R)
        Throughput share lost and lead days of each route (supplier block -> buyer region).
    crashed : (B,) bool
        A stock went negative (BoARIO's crash).
    finished : (B, n_sup)
        Producers' finished-goods stocks F.
    postponed : (B, n_sup)
        Backlog of postponed final demand for each producer's product.
    """

    inventory: np.ndarray
    orders: np.ndarray
    substitution_orders: np.ndarray
    alpha: np.ndarray
    x_prev: np.ndarray
    weights: np.ndarray
    open: np.ndarray
    sigma: np.ndarray
    backlog: np.ndarray
    transit: np.ndarray
    route_loss: np.ndarray
    route_lead: np.ndarray
    crashed: np.ndarray
    finished: np.ndarray | None = None
    postponed: np.ndarray | None = None
    import_orders: np.ndarray | None = None
    backlog_m: np.ndarray | None = None
    substitutions: dict[int, tuple[int, np.ndarray, np.ndarray, float]] = field(default_factory=dict)

    @classmethod
    def equilibrium(cls, m: EconomyModel, batch: int, ring: int = 1) -> DenseState:
        r"""The pre-shock equilibrium: stocks :math:`s A^C \bar x`, orders :math:`\bar Z`, α = α_b, goods in transit."""
        B, ns, N, I = batch, m.n_sup, m.n, m.n_inputs
        inv = np.where(m.infinite_rows[:, None], np.inf, m.inv_days[..., None] * m.AC * m.xbar[None, :N])
        dense = np.broadcast_to(m.Zbar, (B, ns, N))
        L = max(int(ring), int(m.base_lead.max()) + 1)
        st = cls(inventory=np.broadcast_to(inv, (B, I, N)).copy(), orders=dense.copy(),
                 substitution_orders=np.zeros((B, ns, N)), alpha=np.full((B, ns), m.params.alpha_base),
                 x_prev=np.broadcast_to(m.xbar, (B, ns)).copy(), weights=dense.copy(), open=np.ones((B, ns, N)),
                 sigma=np.zeros((B, m.n_sectors, N)), backlog=np.zeros((B, ns, N)), transit=np.zeros((L, B, I, N)),
                 route_loss=np.zeros((B, m.n_blocks, m.table.n_regions)),
                 route_lead=np.broadcast_to(m.base_lead, (B, m.n_blocks, m.table.n_regions)).copy(),
                 crashed=np.zeros(B, dtype=bool), finished=np.broadcast_to(m.fg_star, (B, ns)).copy(),
                 postponed=np.zeros((B, ns)))
        if m.has_split:
            first, second = slot_layers(m, m.Zbar)
            st.orders = np.broadcast_to(first, (B, ns, N)).copy()
            st.import_orders = np.broadcast_to(second, (B, ns, N)).copy()
            st.backlog_m = np.zeros((B, ns, N))
        nb, S, R = m.n_blocks, m.n_sectors, m.table.n_regions
        for lead in np.unique(m.base_lead[m.base_lead > 0]):  # sent before day 0, arriving on days 0 .. lead-1
            on = m.Zbar.reshape(nb, S, R, S) * (m.base_lead == lead)[:, None, :, None]
            st.transit[: int(lead)] += by_input(m, *slot_layers(m, on.reshape(1, nb * S, N)))
        return st

    def ship(self, m: EconomyModel, sent: np.ndarray, t: int, sent_m: np.ndarray | None = None
             ) -> tuple[np.ndarray, np.ndarray | None]:
        r"""§5.8 Routes: goods ``sent`` today join the backlog; return what arrives today (the rest travels).

        A congested route ships at most :math:`(1-\ell)` times its baseline daily flow, the same
        share of every pending consignment; goods on a route with lead time L go into transit for
        day t + L. Uncongested routes ship everything, so backlogs clear once a congestion ends.
        ``sent_m``: the second slots' goods (split products), which share the routes; the second
        value returned is their part (None without it).
        """
        B, nb, S, R = len(sent), m.n_blocks, m.n_sectors, m.table.n_regions
        pending = sent + self.backlog
        pending_m = None if sent_m is None else sent_m + self.backlog_m
        if not (self.route_loss > 0).any() and not (self.route_lead > 0).any():  # every route ships everything
            self.backlog = np.zeros_like(pending)
            if pending_m is not None:
                self.backlog_m = np.zeros_like(pending_m)
            return pending, pending_m
        by_route = pending.reshape(B, nb, S, R, S)  # supplier block, product, buyer region, buyer sector
        total = by_route.sum(axis=(2, 4))
        if pending_m is not None:
            total = total + pending_m.reshape(B, nb, S, R, S).sum(axis=(2, 4))
        cap = (1.0 - self.route_loss) * m.route_base
        f = np.where((self.route_loss > 0) & (total > cap), cap / np.where(total > 0, total, 1.0), 1.0)
        f5 = f[:, :, None, :, None]
        shipped = by_route * f5
        self.backlog = pending - shipped.reshape(pending.shape)
        shipped_m = None
        if pending_m is not None:
            shipped_m = pending_m.reshape(B, nb, S, R, S) * f5
            self.backlog_m = pending_m - shipped_m.reshape(pending.shape)
        L = len(self.transit)
        for lead in np.unique(self.route_lead[self.route_lead > 0]):
            on = (self.route_lead == lead)[:, :, None, :, None]
            second = None if shipped_m is None else (shipped_m * on).reshape(pending.shape)
            self.transit[(t + int(lead)) % L] += by_input(m, (shipped * on).reshape(pending.shape), second)
            shipped *= ~on
            if shipped_m is not None:
                shipped_m *= ~on
        return shipped.reshape(pending.shape), None if shipped_m is None else shipped_m.reshape(pending.shape)

    def arrivals(self, t: int) -> np.ndarray:
        """Goods arriving on day t (taken off the road)."""
        slot = self.transit[t % len(self.transit)]
        out = slot.copy()
        slot.fill(0.0)
        return out
