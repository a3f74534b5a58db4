r"""Link-level state: sparse overrides of link weights and open shares, explicit orders, routes.

Orders are held in factored form :math:`O_{ij} = W_{ij} \kappa_{ij} \lambda_i r_{p(i)j}`, where
W is the weight base (baseline ``Zbar``), κ the share of a link that is open (link cuts,
import cuts into named regions) and λ, r come from the order step. Link cuts and re-sourcing
change W and κ only for a few (batch, product) pairs, kept as dense ``(P, blocks, N)`` slices
in :class:`Overrides`; the kernel adds their correction to the batched matmuls. Only
congestion (per-route backlogs) and fixed shares (``noalt``) need explicit (B, n_sup, N)
orders, built by :func:`densify`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from chainsim.engine.model import EconomyModel, input_sum, scale_by_input

if TYPE_CHECKING:  # pragma: no cover
    from chainsim.engine.kernel import State, Workspace

__all__ = ["Overrides", "apply_cut", "column", "columns", "densify", "overrides_of", "reset_open",
           "set_columns_weights", "ship"]


@dataclass
class Overrides:
    """Products (b, p) of which some link weights W or open shares κ differ from baseline.

    Each overridden pair holds its supplier-by-buyer slice densely, ``(P, blocks, N)``: a cut
    or a re-sourcing touches one product of a member, and the kernel's corrections for P
    pairs are then small batched products, not scatters over single columns.

    Attributes
    ----------
    b, p : (P,) int
        Batch member and product of each pair.
    W, K : (P, blocks, N)
        Weight base and open share of the links supplier block a -> buyer j of product p.
    Z0 : (P, blocks, N)
        The baseline ``Zbar`` of the pair (W and κ start from Z0 and 1).
    index : (B, S) int
        Pair of (b, p), -1 if none.
    """

    b: np.ndarray
    p: np.ndarray
    W: np.ndarray
    K: np.ndarray
    Z0: np.ndarray
    index: np.ndarray
    _snapshot: tuple[np.ndarray, ...] | None = field(default=None, repr=False)

    def touch(self) -> None:
        """Mark W or κ as changed (the next :meth:`delta` recomputes)."""
        self._snapshot = None

    @classmethod
    def empty(cls, model: EconomyModel, batch: int) -> Overrides:
        """No pair overridden yet."""
        nb, N = model.n_blocks, model.n
        z = np.zeros((0, nb, N))
        return cls(np.zeros(0, dtype=int), np.zeros(0, dtype=int), z, z.copy(), z.copy(),
                   np.full((batch, model.n_sectors), -1, dtype=int))

    def __len__(self) -> int:
        return len(self.b)

    def ensure(self, model: EconomyModel, b: np.ndarray | int, p: np.ndarray | int) -> np.ndarray:
        """Pair of each (b, p) (broadcast), adding missing ones at their baseline values."""
        b, p = np.broadcast_arrays(np.asarray(b, dtype=int), np.asarray(p, dtype=int))
        k = self.index[b, p]
        if (k < 0).any():
            nb_, np_ = (np.asarray(v, dtype=int) for v in zip(*dict.fromkeys(
                zip(b[k < 0].tolist(), p[k < 0].tolist(), strict=True)), strict=True))
            self.index[nb_, np_] = len(self.b) + np.arange(len(nb_))
            z0 = model.ZbarT[np_]  # (P', blocks, N)
            self.b, self.p = np.r_[self.b, nb_], np.r_[self.p, np_]
            self.Z0 = np.concatenate([self.Z0, z0])
            self.W = np.concatenate([self.W, z0])
            self.K = np.concatenate([self.K, np.ones_like(z0)])
            self.touch()
            k = self.index[b, p]
        return k

    def delta(self) -> tuple[np.ndarray, ...]:
        """Snapshot at order time: (b, p, W - Zbar, W κ - Zbar), each pair (P, blocks, N).

        Recomputed only after a change (:meth:`touch`); the arrays returned are not modified later.
        """
        if self._snapshot is None:
            self._snapshot = (self.b, self.p, self.W - self.Z0, self.W * self.K - self.Z0)
        return self._snapshot


def overrides_of(model: EconomyModel, st: State) -> Overrides:
    """The state's overrides, created empty on first use."""
    if st.ov is None:
        st.ov = Overrides.empty(model, st.ratio.shape[0])
    return st.ov


def densify(model: EconomyModel, st: State) -> None:
    """Switch to explicit (B, n_sup, N) orders, weight bases and open shares."""
    if st.orders is not None:
        return
    B, nb, S, N = st.ratio.shape[0], model.n_blocks, model.n_sectors, model.n
    o = model.Zbar.reshape(1, nb, S, N) * st.lam_prev.reshape(B, nb, S, 1)
    scale_by_input(model, o, st.ratio)
    o4 = o
    if st.placed is not None:
        b, p, _, eff = st.placed
        lam3 = st.lam_prev.reshape(B, nb, S)
        rows = model.block_row[:, p].T  # (P, blocks): input row of each supplier of the product
        o4[b, :, p] += eff * lam3[b, :, p][:, :, None] * st.ratio[b[:, None], rows]
    st.orders = o.reshape(B, nb * S, N)
    if st.ov is not None and len(st.ov):
        ov = st.ov
        st.weight_base = np.broadcast_to(model.Zbar, st.orders.shape).copy()
        st.link_open = np.ones_like(st.orders)
        wb = st.weight_base.reshape(B, nb, S, N)
        lo = st.link_open.reshape(B, nb, S, N)
        wb[ov.b, :, ov.p] = ov.W
        lo[ov.b, :, ov.p] = ov.K
    st.ov, st.placed = None, None


def columns(model: EconomyModel, st: State, b: np.ndarray, p: np.ndarray, j: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Weight bases and open shares of the suppliers of product p to buyer j for arrays (b, p, j): (Q, blocks)."""
    b, p, j = (np.asarray(v, dtype=int) for v in np.broadcast_arrays(b, p, j))
    nb, S = model.n_blocks, model.n_sectors
    if st.orders is not None:
        idx = np.arange(nb)[None, :] * S + p[:, None]
        W = model.Zbar[idx, j[:, None]] if st.weight_base is None else st.weight_base[b[:, None], idx, j[:, None]]
        K = np.ones_like(W) if st.link_open is None else st.link_open[b[:, None], idx, j[:, None]]
        return W, K
    W, K = model.ZbarT[p, :, j], np.ones((len(p), nb))
    if st.ov is not None and len(st.ov):
        k = st.ov.index[b, p]
        on = k >= 0
        W[on], K[on] = st.ov.W[k[on], :, j[on]], st.ov.K[k[on], :, j[on]]
    return W, K


def column(model: EconomyModel, st: State, b: int, p: int, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Current weight base and open shares of the suppliers of product p to buyer j (copies)."""
    W, K = columns(model, st, np.array([b]), np.array([p]), np.array([j]))
    return W[0], K[0]


def set_columns_weights(model: EconomyModel, st: State, b: np.ndarray, p: np.ndarray, j: np.ndarray,
                        W: np.ndarray) -> None:
    """Set the weight bases of the columns (b, p, j) (arrays; W is (Q, blocks); columns distinct)."""
    b, p, j = (np.asarray(v, dtype=int) for v in np.broadcast_arrays(b, p, j))
    nb, S = model.n_blocks, model.n_sectors
    if st.orders is not None:
        if st.weight_base is None:
            st.weight_base = np.broadcast_to(model.Zbar, st.orders.shape).copy()
        st.weight_base[b[:, None], np.arange(nb)[None, :] * S + p[:, None], j[:, None]] = W
        return
    ov = overrides_of(model, st)
    k = ov.ensure(model, b, p)  # before reading ov.W: ensure may grow it
    ov.W[k, :, j] = W
    ov.touch()


def reset_open(model: EconomyModel, st: State, b: int) -> None:
    """Reopen every link of batch member b (cuts are then re-applied)."""
    if st.orders is not None:
        if st.link_open is not None:
            st.link_open[b] = 1.0
        return
    if st.ov is not None and len(st.ov):
        st.ov.K[st.ov.b == b] = 1.0
        st.ov.touch()


def apply_cut(model: EconomyModel, st: State, b: int, rows: np.ndarray, cols: np.ndarray, share: float) -> None:
    """Multiply the open share of links supplier ``rows`` x buyer ``cols`` of member b by 1 - share."""
    if st.orders is not None:
        if st.link_open is None:
            st.link_open = np.ones_like(st.orders)
        st.link_open[b][np.ix_(rows, cols)] *= 1.0 - share
        return
    ov, S = overrides_of(model, st), model.n_sectors
    for p in np.unique(rows % S):
        k = int(ov.ensure(model, b, p))
        blocks = rows[rows % S == p] // S
        np.multiply.at(ov.K[k], np.ix_(blocks, cols), 1.0 - share)
    ov.touch()


def ship(model: EconomyModel, st: State, ws: Workspace, t: int) -> None:
    r"""Congestion (堵链): route throughput caps, backlogs and lead times (explicit orders only).

    Goods sent on a route (supplier block a -> buyer region r) join the route's backlog; a
    congested route ships at most :math:`(1-\ell_{ar})` times its baseline daily flow, the
    same share of every pending consignment; the rest waits. Goods on a route with extra lead
    time :math:`L_{ar}` arrive :math:`L_{ar}` days later. Uncongested routes ship everything,
    so backlogs clear once a congestion ends. Deliveries leave ``ws.big``; what arrives today
    stays there.
    """
    B, nb, S, R = st.ratio.shape[0], model.n_blocks, model.n_sectors, model.table.n_regions
    if st.backlog is None:
        st.backlog = np.zeros_like(st.orders)
    big5 = ws.big.reshape(B, nb, S, R, S)
    pend = big5 + st.backlog.reshape(B, nb, S, R, S)
    tot = pend.sum(axis=(2, 4))
    base = model.Zbar.reshape(nb, S, R, S).sum(axis=(1, 3))
    cap = (1.0 - st.route_loss) * base[None]
    f = np.where((st.route_loss > 0) & (tot > cap), cap / np.where(tot > 0, tot, 1.0), 1.0)
    shipped = pend * f[:, :, None, :, None]
    st.backlog.reshape(B, nb, S, R, S)[:] = pend - shipped
    if st.transit is not None:
        L = st.transit.shape[0]
        for lead in np.unique(st.route_lead[st.route_lead > 0]):
            m = (st.route_lead == lead)[:, :, None, :, None]
            slot = st.transit[(t + int(lead)) % L]
            slot += input_sum(model, (shipped * m).reshape(B, nb, S, R * S), np.empty_like(slot))
            shipped *= ~m
    big5[:] = shipped
