r"""The day of the sparse layout: the fast executor's ``ario`` day with its block products as passes over links.

:class:`SparseEconomy` implements :class:`~chainsim.engine.economy.Economy` for a
:class:`~chainsim.engine.sparse.model.SparseModel`. Its day is the fast executor's day in the
``ario`` configuration (:func:`chainsim.engine.executor.production.produce` and
:func:`~chainsim.engine.executor.distribution.distribute_and_order`, the same compiled loops
for every elementwise step), except for the three sums over suppliers and buyers, which the
dense executor computes as batched products with the N² array ``ZbarT``:

* orders received :math:`d_i = \sum_j \bar Z_{ij} r_{p(i)j}` (:func:`orders_received`);
* deliveries :math:`V_{pj} = \sum_{i: p(i) = p} \bar Z_{ij}\lambda_i\varphi_i` and the order
  split's denominators :math:`\sum_{i: p(i) = p} \bar Z_{ij}\lambda_i` (:func:`deliveries`),

each one compiled pass over the CSR links: O(links) time and memory instead of O(N²). The sums
run in another order than BLAS, so the trajectories match the dense executor to rounding
(``tests/test_sparse.py``: 1e-10 relative per industry and day), not bit for bit.

Not implemented (a :class:`~chainsim.errors.SimulationError` names them): link and import
cuts, routes and substitution (the dense executor's overrides), and batches whose members
carry their own parameters. Capacity losses (with their recovery curves and rebuilding) and
final-demand changes run.
"""

from __future__ import annotations

import numpy as np

from chainsim.engine.economy import BIND_TIE, NO_SHORTAGES, SCARCITY_NOISE, DayInputs, Shortages
from chainsim.engine.executor import distribution as dist
from chainsim.engine.executor import production as prod
from chainsim.engine.executor.jit import compiled
from chainsim.engine.executor.state import FastState
from chainsim.engine.sparse.model import SparseModel
from chainsim.errors import SimulationError

__all__ = ["SparseEconomy", "deliveries", "orders_received"]


@compiled
def orders_received(indptr, indices, data, n_sectors, ratio, lam_prev, final_demand, demand):
    r"""Total demand :math:`D_i = \lambda_{t-1,i}\sum_j \bar Z_{ij} r_{p(i)j} + y_i`, one pass over the CSR links."""
    B, n = demand.shape
    for b in range(B):
        for q in range(n):  # the suppliers of one product after another: ratio[b, p] stays in cache
            p, r = divmod(q, n // n_sectors)
            i = r * n_sectors + p
            acc = 0.0
            for k in range(indptr[i], indptr[i + 1]):
                acc += data[k] * ratio[b, p, indices[k]]
            demand[b, i] = acc * lam_prev[b, i] + final_demand[b, i]


@compiled
def deliveries(indptr, indices, data, n_sectors, lam_prev, phi, lam, V, denom):
    r"""Factored deliveries :math:`V_{pj} = \sum_{i: p(i)=p} \bar Z_{ij}\lambda_{t-1,i}\varphi_i` and denominators.

    The denominators of tomorrow's order split, :math:`\sum_{i: p(i)=p} \bar Z_{ij}\lambda_i`, in
    the same pass over the links (``V`` and ``denom`` are overwritten).
    """
    B, n = phi.shape
    for b in range(B):
        V[b] = 0.0
        denom[b] = 0.0
        for q in range(n):  # the suppliers of one product after another: V[b, p] and denom[b, p] stay in cache
            p, r = divmod(q, n // n_sectors)
            i = r * n_sectors + p
            t = lam_prev[b, i] * phi[b, i]
            w = lam[b, i]
            for k in range(indptr[i], indptr[i + 1]):
                j = indices[k]
                z = data[k]
                V[b, p, j] += z * t
                denom[b, p, j] += z * w


class SparseEconomy:
    """The ``ario`` day over links (module docstring); the state is the fast executor's :class:`FastState`."""

    def __init__(self, model: SparseModel, batch: int) -> None:
        m, B, N, S = model, batch, model.n, model.n_sectors
        self.model, self.batch = m, batch
        self.state = FastState.equilibrium(m, batch)
        z = np.zeros
        self.x, self.capacity, self.x_opt, self.phi, self.phi_y = (z((B, N)) for _ in range(5))
        self.demand, self.lam, self.min_rho, self.reb_delivered = z((B, N)), z((B, N)), z((B, N)), z((B, N))
        self.V, self.denom, self.U, self.OC = (z((B, S, N)) for _ in range(4))
        self.bind_row = np.full((B, N), -1)
        self.unmet = z(B)
        self.done_without = z(B)  # the ario configuration has no exact stocks: nothing is done without
        self.keep_unmet = True
        bd = m.bind_denom
        self._w_inv_bind = (m.bind_weight * np.divide(1.0, bd, out=np.zeros_like(bd), where=bd > 0))[None]
        self._no_supplier = np.where(m.supplied > 0, 0.0, np.inf)
        self._finite = ~m.infinite_rows
        self._open = np.ones((1, N))
        self._zero = np.zeros((1, 1))  # the backlog arguments of demand_and_supply (none here)
        L = m.links
        self._csr = (L.indptr.astype(np.int64), L.indices.astype(np.int64), np.asarray(L.data, dtype=float), S)
        self._shared = tuple(a[None] for a in (m.cap_ref, m.alpha_max, m.alpha_tau, m.goal_coef, m.bind_weight))
        # ``ario`` has no per-origin imported-only rows: the input limits' grouping arguments, empty
        self._no_origin_rows = (np.zeros(0, dtype=np.int64), np.zeros(m.n_inputs, dtype=np.bool_), np.zeros((1, 1)),
                                np.zeros((1, 1), dtype=np.bool_))

    phi_rebuild = property(lambda self: self.phi)
    crashed = property(lambda self: self.state.crashed)
    inventory = property(lambda self: self.state.inventory)

    def step(self, day: DayInputs) -> Shortages:
        """Advance every member by one day (the fast executor's ``ario`` day, module docstring)."""
        m, st = self.model, self.state
        cap_ref, amax, atau, goal, bind_w = self._shared
        orders_received(*self._csr, st.ratio, st.lam_prev, day.final_demand, self.demand)
        has_exo = bool(m.exo_supply.any())
        # rebuilding demand, overproduction, capacity and optimal production (no backlog in ``ario``)
        prod.demand_and_supply(False, self.demand, st.lam_prev, day.final_demand, day.rebuilding, day.rebuild, False,
                               self._zero, 1.0, self._zero, day.t >= m.quirks.overproduction_from_day, st.alpha,
                               m.exo_supply, st.x_prev, amax, atau, float(m.params.alpha_base), m.n,
                               m.quirks.overproduction_rule == "decay_at_zero_scarcity", SCARCITY_NOISE, day.delta,
                               cap_ref, m.xbar, m.n, self._open, has_exo, self.capacity, self.x_opt)
        n_new = prod.input_limits(st.inventory, self._w_inv_bind, bind_w, self.x_opt, self.x, self.min_rho,
                                  day.reported, BIND_TIE, self.bind_row, m.n_inputs, *self._no_origin_rows)
        lam_zero = dist.capacity_ratios(self.capacity, cap_ref, m.restock_from, self.lam)
        dist.proportional_shares(self.x, m.exo_supply, has_exo, self.demand, self.phi, self.phi_y)
        deliveries(*self._csr, st.lam_prev, self.phi, self.lam, self.V, self.denom)
        if self.keep_unmet:
            np.sum((1.0 - self.phi_y) * day.final_demand, axis=1, out=self.unmet)
        xo = self.x_opt
        if day.rebuilding:  # optimal production net of today's rebuilding deliveries
            np.multiply(day.rebuild, self.phi, out=self.reb_delivered)
            xo = np.minimum(np.maximum(self.demand - m.exo_supply - self.reb_delivered, 0.0), self.capacity)
        if m.quirks.allclose_gates:
            dist.stock_and_need_gated(st.inventory, m.AC, self.x, self.V, True, goal, xo, 1.0 / m.params.inventory_tau,
                                      self.denom, self._no_supplier, lam_zero, self._finite, not m.gap_gate_never,
                                      st.crashed, self.U, self.OC, st.ratio)
        else:
            dist.stock_and_need(st.inventory, m.AC, self.x, self.V, True, goal, xo, 1.0 / m.params.inventory_tau,
                                self.denom, self._no_supplier, lam_zero, None, None, st.ratio)
        st.lam_prev[:] = self.lam
        st.x_prev[:] = self.x
        if not n_new:
            return NO_SHORTAGES
        b, j = np.nonzero(self.bind_row >= 0)
        return Shortages(b, j, self.bind_row[b, j])

    def _unsupported(self, what: str) -> SimulationError:
        return SimulationError(f"{what} are not modelled on the sparse layout (table '{self.model.table.name}', "
                               "the ario configuration over links): use a dense table (layout='dense')")

    def columns(self, b: np.ndarray, p: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Not on the sparse layout (supplier searches need the dense executor)."""
        raise self._unsupported("supplier searches")

    def set_weights(self, b: np.ndarray, p: np.ndarray, j: np.ndarray, W: np.ndarray) -> None:
        """Not on the sparse layout."""
        raise self._unsupported("changed link weights")

    def set_closures(self, b: int, closures: list[tuple[np.ndarray, np.ndarray, float]]) -> None:
        """Not on the sparse layout."""
        raise self._unsupported("link and import cuts")

    def set_substitution(self, key: int, b: int, p: np.ndarray, j: np.ndarray, sigma: float) -> None:
        """Not on the sparse layout."""
        raise self._unsupported("substitution orders")

    def to_reference(self, ring: int) -> None:
        """Not on the sparse layout (routes need the reference economy)."""
        raise self._unsupported("routes (congestion, lead times)")
