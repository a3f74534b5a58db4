r"""One day of the ARIO-family dynamics, vectorised over a leading batch axis of B scenarios.

The functions follow ``ARIO_SPEC.md`` §3-§8 (BoARIO 0.7.2 ``ARIOPsiModel``, order "alt") in
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

from chainsim.engine.links import ship
from chainsim.engine.model import EconomyModel
from chainsim.engine.rationing import RULES
from chainsim.engine.state import State, Workspace, init_state

__all__ = ["State", "Workspace", "init_state", "step"]

_ATOL, _RTOL = 1e-8, 1e-5  # numpy.allclose defaults, used by BoARIO's gates


def _by_product(model: EconomyModel, v: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Σ_a Zbar[a, p, j] v[b, a, p] for every (b, p, j) into ``out`` (B, S, N): a batched matmul."""
    B, nb, S = v.shape[0], model.n_blocks, model.n_sectors
    np.matmul(v.reshape(B, nb, S).transpose(2, 0, 1), model.ZbarT, out=out.transpose(1, 0, 2))
    return out


def _close(a: np.ndarray, ref: np.ndarray, buf: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Per batch member, numpy ``allclose(a, ref)`` semantics (``|a-ref| <= atol + rtol |ref|``)."""
    np.subtract(a, ref, out=buf)
    np.abs(buf, out=buf)
    buf -= _RTOL * np.abs(ref)
    out[:] = (buf <= _ATOL).reshape(buf.shape[0], -1).all(axis=1)
    return out


def demand(model: EconomyModel, st: State, ws: Workspace) -> None:
    """Total demand ``D_i = Σ_j O_ij + ȳ_i + rebuilding demand`` (spec §3 step 2)."""
    if st.orders is None:
        B, nb, S = st.ratio.shape[0], model.n_blocks, model.n_sectors
        d = np.matmul(model.ZbarT, st.ratio.transpose(1, 2, 0))  # (S, blocks, B)
        d3 = ws.demand.reshape(B, nb, S)
        d3[:] = d.transpose(2, 1, 0)
        if st.placed is not None:  # overridden columns: W κ instead of Zbar
            b, p, j, _, eff = st.placed
            np.add.at(d3, (b[:, None], np.arange(nb)[None, :], p[:, None]), eff * st.ratio[b, p, j][:, None])
        ws.demand *= st.lam_prev
    else:
        np.sum(st.orders, axis=2, out=ws.demand)
    ws.demand += st.final_demand
    if ws.has_rebuild:
        ws.demand += ws.reb_demand


def update_alpha(model: EconomyModel, st: State, ws: Workspace) -> None:
    r"""Overproduction update (spec §5).

    :math:`\alpha \leftarrow \alpha + [(\alpha_{max}-\alpha)\sigma + (\alpha_b-\alpha)1_{\sigma=0}]/\tau_\alpha`.

    Scarcity :math:`\sigma = (D - x_{t-1})/D` (0 if D = 0). With ``ario_quirks`` the decay
    fires only at exactly zero scarcity and α is floored at 1 (spec §5); otherwise α decays
    toward :math:`\alpha_b` whenever :math:`\sigma \le 0` and is floored at :math:`\alpha_b`.
    """
    p = model.params
    sig, a, tmp = ws.scarcity, st.alpha, ws.tmp
    sig.fill(0.0)
    D = ws.demand - model.exo_supply if ws.exo else ws.demand
    np.subtract(D, st.x_prev, out=tmp)
    np.divide(tmp, D, out=sig, where=D != 0)
    if p.ario_quirks:
        np.subtract(model.alpha_max, a, out=tmp)
        tmp *= sig
        tmp += (p.alpha_base - a) * (sig == 0)
        tmp /= model.alpha_tau
        a += tmp
        np.maximum(a, 1.0, out=a)
    else:
        up = sig > 0
        np.subtract(model.alpha_max, a, out=tmp)
        tmp *= sig
        np.copyto(tmp, p.alpha_base - a, where=~up)
        tmp /= model.alpha_tau
        a += tmp
        np.maximum(a, p.alpha_base, out=a)
    if model.n_foreign:
        a[:, model.n:] = 1.0


def produce(model: EconomyModel, st: State, ws: Workspace, delta: np.ndarray) -> None:
    r"""Capacity, optimal and actual production (spec §4).

    :math:`c = \bar x (1-\Delta)\alpha`, :math:`x^{opt} = \min(D, c)`,
    :math:`\rho_{pj} = \min(1, S_{pj} / (\psi s_p A^C_{pj} x^{opt}_j))` on inputs that can bind,
    :math:`x_j = x^{opt}_j \min_p [1 - w_{pj}(1-\rho_{pj})]` with binding weight w (1 = Leontief).
    """
    N = model.n
    np.subtract(1.0, delta, out=ws.capacity)
    ws.capacity *= model.cap_ref
    ws.capacity *= st.alpha
    if ws.exo:  # exogenous supply covers part of demand first
        np.subtract(ws.demand, model.exo_supply, out=ws.x_opt)
        np.maximum(ws.x_opt, 0.0, out=ws.x_opt)
        np.minimum(ws.x_opt, ws.capacity, out=ws.x_opt)
    else:
        np.minimum(ws.demand, ws.capacity, out=ws.x_opt)
    rho = ws.rho
    if ws.fast_limits:
        _limits(model, st, ws)
        return
    np.multiply(model.bind_denom, ws.x_opt[:, None, :N], out=ws.G)  # ψ-constraint levels C
    rho.fill(1.0)
    np.divide(st.inventory, ws.G, out=rho, where=ws.G > 0)
    np.minimum(rho, 1.0, out=rho)
    if ws.partial:
        # partially binding Leontief (Pichler et al. 2022): important inputs bind half
        np.subtract(1.0, rho, out=rho)
        rho *= model.bind_weight
        np.subtract(1.0, rho, out=rho)
    np.min(rho, axis=1, out=ws.min_rho)
    np.multiply(ws.x_opt[:, :N], ws.min_rho, out=ws.x[:, :N])
    if model.n_foreign:
        ws.x[:, N:] = ws.x_opt[:, N:]


def _limits(model: EconomyModel, st: State, ws: Workspace) -> None:
    r"""Production from input limits in output units (same result as the ratio form).

    :math:`x_j = \min_p [(1-w)x^{opt}_j + w\min(x^{opt}_j, S_{pj}/d_{pj})]`, with
    :math:`d = \psi s A^C` on bindable inputs: fewer passes over (B, S, N) than the ratio form
    (``ws.rho`` then holds each input's limit on output, or with partial binding its weighted
    shortfall; ``ws.min_rho`` the ratio x / x^{opt}).
    """
    N = model.n
    q, xo = ws.rho, ws.x_opt[:, None, :N]
    np.multiply(st.inventory, ws.inv_bind, out=q)
    q += ws.inf_free  # +inf where the input cannot bind
    if ws.partial:  # x = x_opt - max_p w (x_opt - S/d)^+ : the same, one pass fewer
        np.subtract(xo, q, out=q)
        np.maximum(q, 0.0, out=q)
        q *= model.bind_weight
        np.max(q, axis=1, out=ws.x[:, :N])
        np.subtract(ws.x_opt[:, :N], ws.x[:, :N], out=ws.x[:, :N])
    else:
        np.minimum(q, xo, out=q)
        np.min(q, axis=1, out=ws.x[:, :N])
    ws.min_rho.fill(1.0)
    np.divide(ws.x[:, :N], ws.x_opt[:, :N], out=ws.min_rho, where=ws.x_opt[:, :N] > 0)
    if model.n_foreign:
        ws.x[:, N:] = ws.x_opt[:, N:]


def _served_shares(model: EconomyModel, st: State, ws: Workspace) -> None:
    """Rationing (spec §7): the rule of ``params.rationing`` sets the served shares."""
    x = ws.x + model.exo_supply if ws.exo else ws.x
    if ws.prio is not None:  # orders of priority buyers, per supplier
        B, nb, S = st.ratio.shape[0], model.n_blocks, model.n_sectors
        if st.orders is None:
            d3 = ws.d_prio.reshape(B, nb, S)
            rp = st.ratio[:, :, ws.prio]
            d3[:] = np.matmul(ws.ZbarT_prio, rp.transpose(1, 2, 0)).transpose(2, 1, 0)
            if st.placed is not None:
                b, p, j, _, eff = st.placed
                sel = ws.prio[j]
                np.add.at(d3, (b[sel][:, None], np.arange(nb)[None, :], p[sel][:, None]),
                          eff[sel] * st.ratio[b[sel], p[sel], j[sel]][:, None])
            ws.d_prio *= st.lam_prev
        else:
            np.sum(st.orders[:, :, ws.prio], axis=2, out=ws.d_prio)
    RULES[model.params.rationing](x, ws.demand, st.final_demand, ws)


def _deliveries(model: EconomyModel, st: State, ws: Workspace, phi: np.ndarray, out: np.ndarray) -> None:
    """Factored deliveries V_pj = r_pj Σ_a W_apj κ λ_ap φ_ap (with the overridden columns)."""
    B, nb, S = st.ratio.shape[0], model.n_blocks, model.n_sectors
    np.multiply(st.lam_prev, phi, out=ws.tmp)
    _by_product(model, ws.tmp, out)
    out *= st.ratio
    if st.placed is not None:
        b, p, j, _, eff = st.placed
        lp = ws.tmp.reshape(B, nb, S)[b, :, p]
        out[b, p, j] += st.ratio[b, p, j] * (eff * lp).sum(axis=1)


def distribute(model: EconomyModel, st: State, ws: Workspace, t: int = 0) -> None:
    r"""Pro-rata deliveries and the inventory update :math:`S \leftarrow S - A^C x + V` (spec §7)."""
    B, nb, S, N = st.inventory.shape[0], model.n_blocks, model.n_sectors, model.n
    _served_shares(model, st, ws)
    np.multiply(model.AC, ws.x[:, None, :N], out=ws.U)
    if st.orders is None:
        _deliveries(model, st, ws, ws.phi, ws.V)
        if ws.prio is not None:  # priority buyers were served at their own share
            _deliveries(model, st, ws, ws.phi_prio, ws.G)
            ws.V[:, :, ws.prio] = ws.G[:, :, ws.prio]
    else:
        if ws.big is None:
            ws.big = np.empty_like(st.orders)
        np.multiply(st.orders, ws.phi[:, :, None], out=ws.big)
        if ws.prio is not None:
            ws.big[:, :, ws.prio] = st.orders[:, :, ws.prio] * ws.phi_prio[:, :, None]
        if st.route_loss is not None:
            ship(model, st, ws, t)
        np.sum(ws.big.reshape(B, nb, S, N), axis=1, out=ws.V)
    if st.transit is not None:
        slot = st.transit[t % st.transit.shape[0]]
        ws.V += slot
        slot.fill(0.0)
    if model.params.ario_quirks:
        _close(ws.V, ws.U, ws.G, ws.gate)
    else:
        ws.gate.fill(False)
    live = ~(ws.gate | st.crashed)
    if live.all():
        st.inventory -= ws.U
        st.inventory += ws.V
    else:
        for b in np.flatnonzero(live):
            st.inventory[b] -= ws.U[b]
            st.inventory[b] += ws.V[b]
    if model.params.ario_quirks:
        st.crashed |= (st.inventory < 0).reshape(B, -1).any(axis=1)
    else:  # an input that cannot bind and runs out is simply done without (substituted)
        np.maximum(st.inventory, 0.0, out=st.inventory)
    np.subtract(1.0, ws.phi_y, out=ws.tmp)
    ws.tmp *= st.final_demand
    np.sum(ws.tmp, axis=1, out=ws.unmet)


def place_orders(model: EconomyModel, st: State, ws: Workspace) -> None:
    r"""Orders for tomorrow (spec §8, "alt").

    Need :math:`O^C_{pj} = A^C_{pj} x_j + \max(s_p A^C_{pj} \tilde x^{opt}_j - S_{pj}, 0)/\tau_{inv}`,
    split over the suppliers of p by :math:`w_{ij} \propto \bar Z_{ij} c_i/\bar x_i`.
    """
    p = model.params
    B, nb, S, N = st.inventory.shape[0], model.n_blocks, model.n_sectors, model.n
    if ws.has_rebuild:
        np.subtract(ws.demand, ws.reb_delivered, out=ws.tmp)
        np.minimum(ws.tmp, ws.capacity, out=ws.tmp)
        xo = ws.tmp
    else:
        xo = ws.x_opt
    np.multiply(model.goal_coef, xo[:, None, :N], out=ws.G)
    if p.ario_quirks:
        if model.gap_gate_never:
            ws.gate.fill(False)
        elif model.infinite_rows.any():
            fin = ~model.infinite_rows
            ws.gate[:] = [np.allclose(st.inventory[b][fin], ws.G[b][fin]) for b in range(B)]
        else:
            _close(st.inventory, ws.G, ws.rho, ws.gate)
    else:
        ws.gate.fill(False)
    OC = ws.OC
    np.subtract(ws.G, st.inventory, out=OC)
    np.maximum(OC, 0.0, out=OC)
    OC *= 1.0 / p.inventory_tau
    if ws.gate.any():
        OC[ws.gate] = 0.0
    OC += ws.U  # A^C x_t: today's actual use
    ws.lam.fill(1.0)
    np.divide(ws.capacity, model.cap_ref, out=ws.lam, where=model.cap_ref != 0)
    if model.n_foreign and not p.ario_quirks:  # imports are not re-sourced instantly (卡链): only by search
        ws.lam[:, model.n:] = 1.0
    if st.orders is None:  # factored: O = Zbar * lam * ratio
        _by_product(model, ws.lam, ws.denom)
        st.placed = None
        if st.ov is not None and len(st.ov.b):
            st.placed = st.ov.delta(model)
            b, p, j, dW, _ = st.placed
            ws.denom[b, p, j] += (dW * ws.lam.reshape(B, nb, S)[b, :, p]).sum(axis=1)
        if st.placed is None and ws.lam.all():  # zero denominators are structural: need dropped
            ws.denom += ws.no_supplier
            np.divide(OC, ws.denom, out=st.ratio)
        else:
            st.ratio.fill(0.0)
            np.divide(OC, ws.denom, out=st.ratio, where=ws.denom > 0)
        st.lam_prev[:] = ws.lam
        return
    big4 = ws.big.reshape(B, nb, S, N)
    if model.w_fixed is not None:
        np.multiply(model.w_fixed.reshape(nb, S, N)[None], OC[:, None], out=big4)
    else:
        base = model.Zbar if st.weight_base is None else st.weight_base
        np.multiply(base, ws.lam[:, :, None], out=ws.big)
        np.sum(big4, axis=1, out=ws.denom)
        ws.ratio.fill(0.0)
        np.divide(OC, ws.denom, out=ws.ratio, where=ws.denom > 0)
        big4 *= ws.ratio[:, None]
    if st.link_open is not None:
        ws.big *= st.link_open
    st.orders, ws.big = ws.big, st.orders  # swap buffers: no copy


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
    distribute(model, st, ws, t)
    if ws.has_rebuild:
        np.multiply(ws.reb_demand, ws.phi, out=ws.reb_delivered)
    place_orders(model, st, ws)
    st.x_prev[:] = ws.x
