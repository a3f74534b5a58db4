r"""Links of the fast executor: the few (member, product) pairs whose weights or open shares differ from baseline.

Orders are held in factored form :math:`O_{ij} = W_{ij} \kappa_{ij} \lambda_i r_{c(i)j}`, where
W is the weight base (baseline ``Zbar``), κ the share of a link that is open (link cuts,
import cuts into named regions) and λ, r come from the order step. Link cuts and re-sourcing
change W and κ only for a few (member, product) pairs, kept as dense ``(P, blocks, N)`` slices
in :class:`Overrides`; the day recomputes those pairs' sums from their slices after the batched
products (:mod:`chainsim.engine.executor.supplier_sums`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from chainsim.engine.model import EconomyModel

__all__ = ["Overrides"]


@dataclass
class Overrides:
    """Products (b, p) of which some link weights W or open shares κ differ from baseline.

    Each overridden pair holds its supplier-by-buyer slice densely, ``(P, blocks, N)``: a cut
    or a re-sourcing touches one product of a member, and the kernel's sums for P
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
        """Snapshot at order time: (b, p, W, W κ), each pair (P, blocks, N).

        Recomputed only after a change (:meth:`touch`); the arrays returned are not modified later.
        """
        if self._snapshot is None:
            self._snapshot = (self.b, self.p, self.W.copy(), self.W * self.K)
        return self._snapshot

    def columns(self, m: EconomyModel, b: np.ndarray, p: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weight bases and open shares of the suppliers of product p to buyer j for arrays (b, p, j): (Q, blocks)."""
        b, p, j = (np.asarray(v, dtype=int) for v in np.broadcast_arrays(b, p, j))
        W, K = m.ZbarT[p, :, j], np.ones((len(p), m.n_blocks))
        if len(self):
            k = self.index[b, p]
            on = k >= 0
            W[on], K[on] = self.W[k[on], :, j[on]], self.K[k[on], :, j[on]]
        return W, K

    def set_weights(self, m: EconomyModel, b: np.ndarray, p: np.ndarray, j: np.ndarray, W: np.ndarray) -> None:
        """Set the weight bases of the columns (b, p, j) (arrays; W is (Q, blocks); columns distinct)."""
        b, p, j = (np.asarray(v, dtype=int) for v in np.broadcast_arrays(b, p, j))
        k = self.ensure(m, b, p)  # before reading self.W: ensure may grow it
        self.W[k, :, j] = W
        self.touch()

    def set_closures(self, m: EconomyModel, b: int, closures: list[tuple[np.ndarray, np.ndarray, float]]) -> None:
        """Reopen every link of member b, then multiply the open share of each closure's links by 1 - share."""
        if len(self):
            self.K[self.b == b] = 1.0
        S = m.n_sectors
        for rows, cols, share in closures:
            for p in np.unique(rows % S):
                k = int(self.ensure(m, b, p))
                blocks = rows[rows % S == p] // S
                np.multiply.at(self.K[k], np.ix_(blocks, cols), 1.0 - share)
        self.touch()

    def dense(self, m: EconomyModel, batch: int) -> tuple[np.ndarray, np.ndarray]:
        """Link weights and open shares as dense (B, n_sup, N) arrays."""
        nb, S, N = m.n_blocks, m.n_sectors, m.n
        W = np.broadcast_to(m.Zbar, (batch, m.n_sup, N)).copy()
        K = np.ones_like(W)
        if len(self):
            W.reshape(batch, nb, S, N)[self.b, :, self.p] = self.W
            K.reshape(batch, nb, S, N)[self.b, :, self.p] = self.K
        return W, K
