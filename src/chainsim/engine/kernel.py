r"""One day of the ARIO-family dynamics, vectorised over a leading batch axis of B scenarios.

The step (:func:`step`) follows ``ARIO_SPEC.md`` §3-§8 (BoARIO 0.7.2 ``ARIOPsiModel``, order "alt") in
order: total demand, overproduction update, production under the ψ inventory rule,
pro-rata distribution and inventory update, new orders split by capacity-weighted supplier
shares. Every array has B as its first axis; all buffers live in a :class:`Workspace`
allocated once, so the daily loop allocates (almost) nothing.

Notation (daily flows): :math:`\bar x` baseline output, :math:`\bar Z` baseline deliveries,
:math:`\bar y` final demand, :math:`A^C_{pj}` requirement of product p per unit of j,
:math:`S_{pj}` inventories, :math:`O_{ij}` orders from buyer j to supplier i, :math:`\alpha`
overproduction, :math:`\Delta` capacity loss.

References
----------
.. [1] Hallegatte, S. (2014). Modeling the role of inventories and heterogeneity in the
   assessment of the economic costs of natural disasters. *Risk Analysis* 34(1), 152-167.
.. [2] Juhel, S. et al. (2024). BoARIO mathematical documentation (``boario-math.rst``).
"""

from __future__ import annotations

import numpy as np

from chainsim.engine import fused
from chainsim.engine.distribution import distribute, distribute_and_order, place_orders
from chainsim.engine.model import EconomyModel
from chainsim.engine.production import demand, produce, update_alpha
from chainsim.engine.state import State, Workspace, init_state

__all__ = ["State", "Workspace", "demand", "distribute", "init_state", "place_orders", "produce", "step",
           "update_alpha"]


def step(model: EconomyModel, st: State, ws: Workspace, t: int, delta: np.ndarray) -> None:
    """Advance every batch member by one day (spec §3 steps 2-5, 7, 8).

    Parameters
    ----------
    model : EconomyModel
    st : State
        Updated in place.
    ws : Workspace
        Buffers; on return ``ws.x`` is today's production, ``ws.capacity`` the capacity,
        ``ws.phi`` the served shares, ``ws.unmet`` the final demand not met.
    t : int
        Day index (the overproduction update starts on day 2 with ``ario_quirks``, else day 1).
    delta : (B, n_sup)
        Today's capacity loss (step 1, computed by the event layer). Rebuilding demand, if
        any, is in ``ws.reb_demand`` with ``ws.has_rebuild`` set.
    """
    demand(model, st, ws)
    if t >= (2 if model.params.ario_quirks else 1):
        update_alpha(model, st, ws)
    produce(model, st, ws, delta)
    if fused.active(model) and st.orders is None:
        distribute_and_order(model, st, ws, t)
    else:
        distribute(model, st, ws, t)
        if ws.has_rebuild:
            np.multiply(ws.reb_demand, ws.phi, out=ws.reb_delivered)
        place_orders(model, st, ws)
    st.x_prev[:] = ws.x
