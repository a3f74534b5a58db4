"""The reference economy: the dense reference day behind the clock's interface.

:class:`ReferenceEconomy` runs :func:`chainsim.engine.reference.step` on a
:class:`~chainsim.engine.reference_state.DenseState` and implements
:class:`~chainsim.engine.economy.Economy`. The engine uses it when asked to
(``executor="reference"``), when numba is not installed, and for runs with routes (lead
times, congestion) or fixed supplier shares (``order_type="noalt"``), which the fast executor
does not model: it hands such a run over when its first route change comes.
"""

from __future__ import annotations

import numpy as np

from chainsim.engine.economy import DayInputs, Shortages
from chainsim.engine.model import EconomyModel
from chainsim.engine.reference import DayResult, step
from chainsim.engine.reference_state import DenseState

__all__ = ["ReferenceEconomy"]


class ReferenceEconomy:
    """The reference day on a :class:`DenseState` (implements :class:`~chainsim.engine.economy.Economy`).

    Parameters
    ----------
    model : EconomyModel
    batch : int
    ring : int
        Days of goods in transit the routes may need (longest lead time + 1).
    state : DenseState, optional
        Start from this state (a hand-over from the fast executor) instead of the equilibrium.
    """

    def __init__(self, model: EconomyModel, batch: int, ring: int = 1, state: DenseState | None = None) -> None:
        self.model, self.batch = model, batch
        self.state = DenseState.equilibrium(model, batch, ring) if state is None else state
        z = np.zeros((batch, model.n_sup))
        self.x, self.capacity, self.x_opt, self.phi = z, z.copy(), z.copy(), z.copy()
        self.phi_rebuild = self.phi
        self.unmet = np.zeros(batch)
        self.done_without = np.zeros(batch)
        self.keep_unmet = True
        self.day: DayResult | None = None  # the last day's quantities

    @property
    def inventory(self) -> np.ndarray:
        """Stocks (B, S + K, N)."""
        return self.state.inventory

    @property
    def crashed(self) -> np.ndarray:
        """Members whose stocks went negative."""
        return self.state.crashed

    def step(self, day: DayInputs) -> Shortages:
        """One day of :func:`chainsim.engine.reference.step`."""
        r = self.day = step(self.model, self.state, day)
        self.x, self.capacity, self.x_opt, self.phi, self.unmet = r.x, r.capacity, r.x_opt, r.phi, r.unmet
        self.phi_rebuild = r.phi_rebuild
        self.done_without = r.done_without
        b, j = np.nonzero(r.binding >= 0)
        return Shortages(b, j, r.binding[b, j])

    def _links(self, b: np.ndarray, p: np.ndarray) -> np.ndarray:
        nb, S = self.model.n_blocks, self.model.n_sectors
        return np.arange(nb)[None, :] * S + np.asarray(p)[:, None]

    def columns(self, b: np.ndarray, p: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Link weights and open shares of the suppliers of p to buyer j of member b (copies), (Q, blocks)."""
        b, p, j = (np.asarray(v, dtype=int) for v in np.broadcast_arrays(b, p, j))
        rows = self._links(b, p)
        return self.state.weights[b[:, None], rows, j[:, None]], self.state.open[b[:, None], rows, j[:, None]]

    def set_weights(self, b: np.ndarray, p: np.ndarray, j: np.ndarray, W: np.ndarray) -> None:
        """Set the link weights of the columns (b, p, j)."""
        b, p, j = (np.asarray(v, dtype=int) for v in np.broadcast_arrays(b, p, j))
        self.state.weights[b[:, None], self._links(b, p), j[:, None]] = W

    def set_closures(self, b: int, closures: list[tuple[np.ndarray, np.ndarray, float]]) -> None:
        """Open every link of member b, then multiply the open share of each closure's links by 1 - share."""
        self.state.open[b] = 1.0
        for rows, cols, share in closures:
            self.state.open[b][np.ix_(rows, cols)] *= 1.0 - share

    def set_routes(self, b: int, loss: np.ndarray, lead: np.ndarray) -> None:
        """Throughput loss and lead days of member b's routes (blocks, R)."""
        self.state.route_loss[b], self.state.route_lead[b] = loss, lead

    def set_substitution(self, key: int, b: int, p: np.ndarray, j: np.ndarray, sigma: float) -> None:
        """σ of substitution item ``key``; σ of a (product, buyer) is the sum over the items in force."""
        st = self.state
        st.substitutions[key] = (b, np.asarray(p), np.asarray(j), float(sigma))
        st.sigma[b] = 0.0
        for bb, pp, jj, s in st.substitutions.values():
            if bb == b:
                np.add.at(st.sigma[b], (pp, jj), s)
