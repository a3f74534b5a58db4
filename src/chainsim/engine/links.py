r"""Link-level state: sparse overrides of link weights and open shares, explicit orders, routes.

Orders are held in factored form :math:`O_{ij} = W_{ij} \kappa_{ij} \lambda_i r_{p(i)j}`, where
W is the weight base (baseline ``Zbar``), κ the share of a link that is open (link cuts,
import cuts into named regions) and λ, r come from the order step. Link cuts and re-sourcing
change W and κ only on a few (batch, product, buyer) *columns*, kept as dense ``(K, blocks)``
rows in :class:`Overrides`; the kernel adds their correction to the batched matmuls. Only
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

__all__ = ["Overrides", "apply_cut", "column", "columns", "densify", "reset_open", "set_column_weights",
           "set_columns_weights", "ship"]


@dataclass
class Overrides:
    """Columns (b, p, j) whose weights W (K, blocks) or open shares κ (K, blocks) differ from baseline."""

    b: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    p: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    j: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    W: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    K: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    index: dict[tuple[int, int, int], int] = field(default_factory=dict)

    def ensure(self, model: EconomyModel, b: np.ndarray, p: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Row of each column (b, p, j), adding missing ones at their baseline values."""
        keys = list(zip(np.broadcast_to(b, np.shape(p)).tolist(), np.ravel(p).tolist(), np.ravel(j).tolist(),
                        strict=True))
        new = [k for k in dict.fromkeys(keys) if k not in self.index]
        if new:
            nb_, np_, nj_ = (np.array(v, dtype=int) for v in zip(*new, strict=True))
            start = len(self.b)
            for k, key in enumerate(new):
                self.index[key] = start + k
            self.b, self.p, self.j = np.r_[self.b, nb_], np.r_[self.p, np_], np.r_[self.j, nj_]
            w = model.ZbarT[np_, :, nj_]
            self.W = np.vstack([self.W.reshape(-1, model.n_blocks), w])
            self.K = np.vstack([self.K.reshape(-1, model.n_blocks), np.ones_like(w)])
        return np.array([self.index[k] for k in keys], dtype=int)

    def delta(self, model: EconomyModel) -> tuple[np.ndarray, ...]:
        """Snapshot at order time: (b, p, j, W - Zbar, W κ - Zbar)."""
        base = model.ZbarT[self.p, :, self.j]
        return self.b, self.p, self.j, self.W - base, self.W * self.K - base


def densify(model: EconomyModel, st: State) -> None:
    """Switch to explicit (B, n_sup, N) orders, weight bases and open shares."""
    if st.orders is not None:
        return
    B, nb, S, N = st.ratio.shape[0], model.n_blocks, model.n_sectors, model.n
    o = model.Zbar.reshape(1, nb, S, N) * st.lam_prev.reshape(B, nb, S, 1)
    scale_by_input(model, o, st.ratio)
    o4 = o
    if st.placed is not None:
        b, p, j, _, eff = st.placed
        lam3 = st.lam_prev.reshape(B, nb, S)
        rows = model.block_row[:, p].T  # (K, blocks): input row of each supplier of the column
        o4[b, :, p, j] += eff * lam3[b, :, p] * st.ratio[b[:, None], rows, j[:, None]]
    st.orders = o.reshape(B, nb * S, N)
    if st.ov is not None and len(st.ov.b):
        ov = st.ov
        st.weight_base = np.broadcast_to(model.Zbar, st.orders.shape).copy()
        st.link_open = np.ones_like(st.orders)
        wb = st.weight_base.reshape(B, nb, S, N)
        lo = st.link_open.reshape(B, nb, S, N)
        wb[ov.b, :, ov.p, ov.j] = ov.W
        lo[ov.b, :, ov.p, ov.j] = ov.K
    st.ov, st.placed = None, None


def column(model: EconomyModel, st: State, b: int, p: int, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Current weight base and open shares of the suppliers of product p to buyer j (copies)."""
    rows = np.arange(model.n_blocks) * model.n_sectors + p
    if st.orders is not None:
        W = model.Zbar[rows, j] if st.weight_base is None else st.weight_base[b, rows, j]
        K = np.ones(len(rows)) if st.link_open is None else st.link_open[b, rows, j]
        return W.copy(), K.copy()
    if st.ov is not None and (b, p, j) in st.ov.index:
        k = st.ov.index[(b, p, j)]
        return st.ov.W[k].copy(), st.ov.K[k].copy()
    return model.ZbarT[p, :, j].copy(), np.ones(model.n_blocks)


def set_column_weights(model: EconomyModel, st: State, b: int, p: int, j: int, w: np.ndarray) -> None:
    """Set the weight base of the suppliers of product p to buyer j."""
    if st.orders is not None:
        if st.weight_base is None:
            st.weight_base = np.broadcast_to(model.Zbar, st.orders.shape).copy()
        st.weight_base[b, np.arange(model.n_blocks) * model.n_sectors + p, j] = w
        return
    if st.ov is None:
        st.ov = Overrides()
    k = st.ov.ensure(model, np.array(b), np.array([p]), np.array([j]))[0]
    st.ov.W[k] = w


def columns(model: EconomyModel, st: State, b: int, ps: np.ndarray, js: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weight bases and open shares of many columns (p, j) of member b, each (K, blocks)."""
    nb, S = model.n_blocks, model.n_sectors
    if st.orders is not None:
        idx = np.arange(nb)[None, :] * S + ps[:, None]
        W = model.Zbar[idx, js[:, None]] if st.weight_base is None else st.weight_base[b][idx, js[:, None]]
        K = np.ones_like(W) if st.link_open is None else st.link_open[b][idx, js[:, None]]
        return W.copy(), K.copy()
    if st.ov is None:
        st.ov = Overrides()
    ks = st.ov.ensure(model, np.array(b), ps, js)
    return st.ov.W[ks].copy(), st.ov.K[ks].copy()


def set_columns_weights(model: EconomyModel, st: State, b: int, ps: np.ndarray, js: np.ndarray,
                        W: np.ndarray) -> None:
    """Set the weight bases of many columns (p, j) of member b (W is (K, blocks))."""
    nb, S = model.n_blocks, model.n_sectors
    if st.orders is not None:
        if st.weight_base is None:
            st.weight_base = np.broadcast_to(model.Zbar, st.orders.shape).copy()
        st.weight_base[b][np.arange(nb)[None, :] * S + ps[:, None], js[:, None]] = W
        return
    if st.ov is None:
        st.ov = Overrides()
    st.ov.W[st.ov.ensure(model, np.array(b), ps, js)] = W


def reset_open(model: EconomyModel, st: State, b: int) -> None:
    """Reopen every link of batch member b (cuts are then re-applied)."""
    if st.orders is not None:
        if st.link_open is not None:
            st.link_open[b] = 1.0
        return
    if st.ov is not None and len(st.ov.b):
        st.ov.K[st.ov.b == b] = 1.0


def apply_cut(model: EconomyModel, st: State, b: int, rows: np.ndarray, cols: np.ndarray, share: float) -> None:
    """Multiply the open share of links supplier ``rows`` x buyer ``cols`` of member b by 1 - share."""
    if st.orders is not None:
        if st.link_open is None:
            st.link_open = np.ones_like(st.orders)
        st.link_open[b][np.ix_(rows, cols)] *= 1.0 - share
        return
    if st.ov is None:
        st.ov = Overrides()
    S = model.n_sectors
    R, C = np.meshgrid(rows, cols, indexing="ij")
    ks = st.ov.ensure(model, np.array(b), (R % S).ravel(), C.ravel())
    np.multiply.at(st.ov.K, (ks, (R // S).ravel()), 1.0 - share)


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
