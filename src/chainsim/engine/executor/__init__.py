r"""The fast executor: the reference day with factored orders, link overrides, batched products and compiled loops.

:class:`FastEconomy` implements :class:`~chainsim.engine.economy.Economy` with the same
equations as :mod:`chainsim.engine.reference`, arranged for speed:

* orders are never stored densely: :math:`O_{ij} = W_{ij}\kappa_{ij}\lambda_i r_{c(i)j}`, and
  the day's sums over suppliers and buyers are batched matrix products over supplier blocks
  (:mod:`~chainsim.engine.executor.supplier_sums`);
* the few (member, product) pairs whose link weights or open shares differ from the baseline
  (link cuts, import cuts into named regions, re-sourcing, substitution) are
  :class:`~chainsim.engine.executor.links.Overrides`, whose sums are recomputed from their slices;
* batch members may carry their own parameter arrays (:mod:`chainsim.engine.batch_params`);
* the elementwise work runs as numba loops that read each array once
  (:mod:`~chainsim.engine.executor.production`, :mod:`~chainsim.engine.executor.distribution`).

It is checked against the reference to :data:`~chainsim.engine.economy.RTOL` per industry and
day, with identical event logs under the tie rule (``tests/test_executor_vs_reference.py``),
not bit for bit. It does not model routes (lead times, congestion) or fixed supplier shares:
:meth:`FastEconomy.to_reference` hands a run over to the reference economy when it needs them.
"""

from __future__ import annotations

import numpy as np

from chainsim.engine.economy import NO_SHORTAGES, DayInputs, Shortages
from chainsim.engine.executor import ario_day
from chainsim.engine.executor.distribution import distribute_and_order
from chainsim.engine.executor.jit import AVAILABLE
from chainsim.engine.executor.links import Overrides
from chainsim.engine.executor.production import produce
from chainsim.engine.executor.state import FastState, SubOrders, Workspace
from chainsim.engine.model import EconomyModel
from chainsim.engine.reference_economy import ReferenceEconomy
from chainsim.engine.reference_state import DenseState

__all__ = ["AVAILABLE", "FastEconomy", "supports"]


def supports(model: EconomyModel) -> bool:
    """Whether the fast executor can run ``model`` from day 0 (numba installed, no lead times, "alt" orders)."""
    return AVAILABLE and not model.base_lead.any() and model.w_fixed is None


class FastEconomy:
    """The fast day (see the module docstring); ``state`` and ``ws`` are its state and buffers."""

    def __init__(self, model: EconomyModel, batch: int) -> None:
        self.model, self.batch = model, batch
        self.state = FastState.equilibrium(model, batch)
        self.state.ov = Overrides.empty(model, batch)
        self.ws = Workspace(model, batch)
        self._sub_keys: dict[int, slice] = {}
        self._fused = ario_day.supports(model)  # the ario day as one compiled call (issue 22)
        self.ario_arrays = ario_day.model_arrays(model, self.ws) if self._fused else None

    # the Economy interface's views of the last day
    x = property(lambda self: self.ws.x)
    capacity = property(lambda self: self.ws.capacity)
    x_opt = property(lambda self: self.ws.x_opt)
    phi = property(lambda self: self.ws.phi)
    phi_rebuild = property(lambda self: self.ws.phi_rebuild)
    unmet = property(lambda self: self.ws.unmet)
    done_without = property(lambda self: self.ws.done_without)
    crashed = property(lambda self: self.state.crashed)
    inventory = property(lambda self: self.state.inventory)

    @property
    def keep_unmet(self) -> bool:
        """Whether unmet final demand is computed."""
        return self.ws.keep_unmet

    @keep_unmet.setter
    def keep_unmet(self, value: bool) -> None:
        self.ws.keep_unmet = value

    def step(self, day: DayInputs) -> Shortages:
        """Advance every member by one day."""
        m, st, ws = self.model, self.state, self.ws
        if self._fused and st.sub is None and not len(st.ov):
            ws.denom_is_base = False  # the fused day writes its own denominators
            return ario_day.step(self, day)
        produce(m, st, ws, day, day.rebuilding)
        distribute_and_order(m, st, ws, day, day.rebuilding)
        st.x_prev[:] = ws.x
        if not ws.n_new_binding:
            return NO_SHORTAGES
        b, j = np.nonzero(ws.bind_row >= 0)
        return Shortages(b, j, ws.bind_row[b, j])

    def columns(self, b: np.ndarray, p: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Link weights and open shares of the suppliers of p to buyer j of member b, (Q, blocks)."""
        return self.state.ov.columns(self.model, b, p, j)

    def set_weights(self, b: np.ndarray, p: np.ndarray, j: np.ndarray, W: np.ndarray) -> None:
        """Set the link weights of the columns (b, p, j)."""
        self.state.ov.set_weights(self.model, b, p, j, W)

    def set_closures(self, b: int, closures: list[tuple[np.ndarray, np.ndarray, float]]) -> None:
        """Open every link of member b, then close each closure's share of its links."""
        self.state.ov.set_closures(self.model, b, closures)

    def set_substitution(self, key: int, b: int, p: np.ndarray, j: np.ndarray, sigma: float) -> None:
        """σ of substitution item ``key`` (its columns are added on first use)."""
        st, m = self.state, self.model
        if key not in self._sub_keys:
            p, j = np.asarray(p, dtype=int), np.asarray(j, dtype=int)
            K, R = len(p), m.table.n_regions
            new = SubOrders(b=np.full(K, b), p=p, j=j, share=m.region_share[:, p].T.copy(), sigma=np.zeros(K),
                            ks=st.ov.ensure(m, b, p), placed=np.zeros((K, R)))
            old = st.sub
            k0 = 0 if old is None else len(old.b)
            st.sub = new if old is None else SubOrders(*(np.concatenate([getattr(old, f), getattr(new, f)]) for f in
                                                         ("b", "p", "j", "share", "sigma", "ks", "placed")))
            self._sub_keys[key] = slice(k0, k0 + K)
        st.sub.sigma[self._sub_keys[key]] = sigma

    def to_reference(self, ring: int) -> ReferenceEconomy:
        """Hand the run over to the reference economy: the same state with explicit (B, n_sup, N) orders."""
        m, st, B = self.model, self.state, self.batch
        nb, S, N = m.n_blocks, m.n_sectors, m.n
        orders = m.Zbar[None] * st.lam_prev[:, :, None] * st.ratio[:, m.input_of_node]
        second = None
        if m.has_split:  # the two slots of the foreign nodes of split products (docs/model.md §1)
            share = m.slot_share[None, :, None]
            m_row = m.origin_row.ravel()  # the imported-only row of each node's second slot
            second = m.Zbar[None] * st.lam_prev[:, :, None] * (1.0 - share) * st.ratio[:, m_row]
            orders *= share
        if st.placed is not None:  # overridden pairs: W κ instead of Zbar in the orders being served
            b, p, _, wk = st.placed
            lam3 = st.lam_prev.reshape(B, nb, S)
            rows = m.block_row[:, p].T  # (P, blocks): input row of each supplier's first slot
            wl = wk * lam3[b, :, p][:, :, None]
            if second is None:
                orders.reshape(B, nb, S, N)[b, :, p] = wl * st.ratio[b[:, None], rows]
            else:
                share = m.slot_share.reshape(nb, S)[:, p].T[:, :, None]
                orders.reshape(B, nb, S, N)[b, :, p] = wl * share * st.ratio[b[:, None], rows]
                m_rows = m.origin_row[:, p].T
                second.reshape(B, nb, S, N)[b, :, p] = wl * (1.0 - share) * st.ratio[b[:, None], m_rows]
        dense = DenseState.equilibrium(m, B, ring)
        dense.inventory, dense.orders, dense.alpha = st.inventory.copy(), orders, st.alpha.copy()
        dense.import_orders = second
        dense.x_prev, dense.crashed = st.x_prev.copy(), st.crashed.copy()
        dense.finished, dense.postponed = st.finished.copy(), st.postponed.copy()
        dense.weights, dense.open = st.ov.dense(m, B)
        econ = ReferenceEconomy(m, B, ring, state=dense)
        if st.sub is not None:
            np.add.at(dense.substitution_orders, (st.sub.b[:, None], st.sub.rows(m), st.sub.j[:, None]),
                      st.sub.placed)
            for key, sel in self._sub_keys.items():
                econ.set_substitution(key, int(st.sub.b[sel][0]), st.sub.p[sel], st.sub.j[sel],
                                      float(st.sub.sigma[sel][0]))
        econ.x, econ.capacity, econ.x_opt, econ.phi = (a.copy() for a in (self.x, self.capacity, self.x_opt,
                                                                           self.phi))
        econ.phi_rebuild = self.phi_rebuild.copy()
        econ.keep_unmet = self.keep_unmet
        return econ
