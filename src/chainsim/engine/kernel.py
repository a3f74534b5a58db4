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

from chainsim.engine import fused
from chainsim.engine.factored import by_product, orders_received, pair_orders, pair_sums, sub_rows
from chainsim.engine.links import ship
from chainsim.engine.model import EconomyModel, input_sum, scale_by_input
from chainsim.engine.rationing import RULES
from chainsim.engine.state import State, Workspace, init_state

__all__ = ["State", "Workspace", "init_state", "step"]

_ATOL, _RTOL = 1e-8, 1e-5  # numpy.allclose defaults, used by BoARIO's gates


def _close(a: np.ndarray, ref: np.ndarray, buf: np.ndarray, out: np.ndarray, hint: np.ndarray) -> np.ndarray:
    """Per batch member, numpy ``allclose(a, ref)`` semantics (``|a-ref| <= atol + rtol |ref|``).

    ``hint`` (B,) holds, per member, the flat index of the entry that was farthest from
    closeness at the last full check: if it is still not close the member is not (no full
    pass needed); otherwise the member gets a full check, which also refreshes its hint.
    """
    B = a.shape[0]
    a2, r2 = a.reshape(B, -1), ref.reshape(B, -1)
    rows = np.arange(B)
    av, rv = a2[rows, hint], r2[rows, hint]
    far = ~(np.abs(av - rv) <= _ATOL + _RTOL * np.abs(rv))
    out[far] = False
    todo = np.flatnonzero(~far)
    if not len(todo):
        return out
    if len(todo) == B:
        b2 = buf.reshape(B, -1)
        np.subtract(a2, r2, out=b2)
    else:
        a2, r2 = a2[todo], r2[todo]
        b2 = a2 - r2
    np.abs(b2, out=b2)
    b2 -= _RTOL * np.abs(r2)
    b2 -= _ATOL
    out[todo] = ~(b2 > 0.0).any(axis=1) & ~np.isnan(b2).any(axis=1)
    hint[todo] = np.argmax(np.where(np.isnan(b2), np.inf, b2), axis=1)
    return out


def demand(model: EconomyModel, st: State, ws: Workspace) -> None:
    """Total demand ``D_i = Σ_j O_ij + ȳ_i + rebuilding demand`` (spec §3 step 2)."""
    if st.orders is None:
        B, nb, S = st.ratio.shape[0], model.n_blocks, model.n_sectors
        d3 = ws.demand.reshape(B, nb, S)
        orders_received(model, st.ratio, model.ZbarT_D, model.ZbarT_M, d3, ws.d_dom, ws.d_imp)
        if st.placed is not None:  # overridden pairs: W κ instead of Zbar
            b, p, _, eff = st.placed
            d3[b, :, p] += pair_orders(model, st.ratio, b, p, eff)
        ws.demand *= st.lam_prev
    else:
        np.sum(st.orders, axis=2, out=ws.demand)
    if st.sub is not None:  # domestic substitution orders for imported inputs
        sub = st.sub
        np.add.at(ws.demand, (sub.b[:, None], sub_rows(model, sub.p)), sub.placed)
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
    if fused.active(model):
        fused.kernels().alpha_update(
            st.alpha, ws.demand, model.exo_supply, st.x_prev, fused.lead(model.alpha_max, 2),
            fused.lead(model.alpha_tau, 2), float(p.alpha_base), model.n if model.n_foreign else model.n_sup)
        return
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
    if fused.active(model):
        fused.kernels().supply(
            delta, fused.lead(model.cap_ref, 2), st.alpha, model.xbar, N if ws.cut_no_headroom else model.n_sup,
            ws.demand, model.exo_supply, ws.exo, ws.capacity, ws.x_opt)
    else:
        np.subtract(1.0, delta, out=ws.capacity)
        ws.capacity *= model.cap_ref
        ws.capacity *= st.alpha
        if ws.cut_no_headroom:  # a cut origin delivers (1 - cut) of its baseline: no headroom while cut
            cf, df = ws.capacity[:, N:], delta[:, N:]
            np.copyto(cf, (1.0 - df) * model.xbar[N:], where=df > 0)
        if ws.exo:  # exogenous supply covers part of demand first
            np.subtract(ws.demand, model.exo_supply, out=ws.x_opt)
            np.maximum(ws.x_opt, 0.0, out=ws.x_opt)
            np.minimum(ws.x_opt, ws.capacity, out=ws.x_opt)
        else:
            np.minimum(ws.demand, ws.capacity, out=ws.x_opt)
    if model.restock:
        _foreign_restock(model, st, ws, delta)
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


def _foreign_restock(model: EconomyModel, st: State, ws: Workspace, delta: np.ndarray) -> None:
    r"""Foreign origins (countries) serve every order of a product no import cut touches.

    The foreign capacity :math:`h\bar x` (``import_headroom``) bounds what origins can deliver
    while an import cut of product p is in force (a capacity cut of an origin of p, or a cut
    into named regions): other origins fill in a cut origin only up to their headroom. When no
    cut touches p, foreign exporters are not capacity-bound at the scale of the economy's
    imports: they deliver what is ordered, including the restocking of inventories drawn down
    by an earlier cut (otherwise, with h = 1, a depleted imported stock could only be rebuilt
    by buyers using less than baseline, and recovery would be asymptotic).
    """
    lo = model.n_dom_blocks * model.n_sectors
    B, S = ws.x_opt.shape[0], model.n_sectors
    n_or = (model.n_sup - lo) // S
    xo, cap, dem = ws.x_opt[:, lo:], ws.capacity[:, lo:], ws.demand[:, lo:]
    df = delta[:, lo:]
    if not df.any() and (st.import_cut_on is None or not st.import_cut_on.any()):  # no cut anywhere
        xo[:] = dem
        np.maximum(cap, dem, out=cap)
        return
    on = (df.reshape(B, n_or, S) > 0).any(axis=1)
    if st.import_cut_on is not None:
        on |= st.import_cut_on
    if on.all():
        return
    free = ~on[:, None, :]  # (B, 1, S): every origin of a product no cut touches
    xo3, cap3, dem3 = xo.reshape(B, n_or, S), cap.reshape(B, n_or, S), dem.reshape(B, n_or, S)
    np.copyto(xo3, dem3, where=free)
    np.maximum(cap3, dem3, out=cap3, where=free)


def _limits(model: EconomyModel, st: State, ws: Workspace) -> None:
    r"""Production from input limits in output units (same result as the ratio form).

    :math:`x_j = \min_p [(1-w)x^{opt}_j + w\min(x^{opt}_j, S_{pj}/d_{pj})]`, with
    :math:`d = \psi s A^C` on bindable inputs: fewer passes over (B, S, N) than the ratio form
    (``ws.rho`` then holds each input's limit on output, or with partial binding its weighted
    shortfall; ``ws.min_rho`` the ratio x / x^{opt}).
    """
    N = model.n
    if fused.active(model):
        if ws.partial:
            fused.kernels().limits_partial(st.inventory, fused.lead(ws.w_inv_bind, 3),
                                           fused.lead(model.bind_weight, 3), ws.x_opt, ws.rho, ws.x, ws.min_rho)
        else:
            fused.kernels().limits_leontief(st.inventory, fused.lead(ws.inv_bind, 3), fused.lead(ws.inf_free, 3),
                                            ws.x_opt, ws.rho, ws.x, ws.min_rho)
        if model.n_foreign:
            ws.x[:, N:] = ws.x_opt[:, N:]
        return
    q, xo = ws.rho, ws.x_opt[:, None, :N]
    if ws.partial:  # x = x_opt - max(max_p (w x_opt - S w/d), 0): w = 0 and w/d = 0 where p cannot bind
        np.multiply(st.inventory, ws.w_inv_bind, out=q)
        np.multiply(model.bind_weight, xo, out=ws.G)
        np.subtract(ws.G, q, out=q)
        x = ws.x[:, :N]
        np.max(q, axis=1, out=x)
        np.maximum(x, 0.0, out=x)
        np.subtract(ws.x_opt[:, :N], x, out=x)
    else:
        np.multiply(st.inventory, ws.inv_bind, out=q)
        q += ws.inf_free  # +inf where the input cannot bind
        x = ws.x[:, :N]
        np.min(q, axis=1, out=x)
        np.minimum(x, ws.x_opt[:, :N], out=x)
    ws.min_rho.fill(1.0)
    np.divide(ws.x[:, :N], ws.x_opt[:, :N], out=ws.min_rho, where=ws.x_opt[:, :N] > 0)
    if model.n_foreign:
        ws.x[:, N:] = ws.x_opt[:, N:]


def _served_shares(model: EconomyModel, st: State, ws: Workspace) -> bool:
    """Rationing (spec §7): the rule of ``params.rationing`` sets the served shares.

    Returns whether the capacity ratios λ were set too (compiled proportional rule).
    """
    if fused.active(model) and model.params.rationing == "proportional":
        fused.kernels().shares_and_weights(
            ws.x, model.exo_supply, ws.exo, ws.demand, ws.capacity, fused.lead(model.cap_ref, 2),
            model.n_dom_blocks * model.n_sectors if model.restock else model.n_sup, ws.phi, ws.phi_y, ws.lam)
        return True
    x = ws.x + model.exo_supply if ws.exo else ws.x
    if ws.prio is not None:  # orders of priority buyers, per supplier
        B, nb, S = st.ratio.shape[0], model.n_blocks, model.n_sectors
        if st.orders is None:
            d3 = ws.d_prio.reshape(B, nb, S)
            orders_received(model, st.ratio[:, :, ws.prio], *ws.ZbarT_prio, d3)
            if st.placed is not None:
                b, p, _, eff = st.placed
                d3[b, :, p] += pair_orders(model, st.ratio, b, p, eff, ws.prio)
            ws.d_prio *= st.lam_prev
        else:
            np.sum(st.orders[:, :, ws.prio], axis=2, out=ws.d_prio)
        if st.sub is not None:
            sub = st.sub
            sel = ws.prio[sub.j]
            np.add.at(ws.d_prio, (sub.b[sel][:, None], sub_rows(model, sub.p[sel])), sub.placed[sel])
    RULES[model.params.rationing](x, ws.demand, st.final_demand, ws)
    return False


def _deliveries(model: EconomyModel, st: State, ws: Workspace, phi: np.ndarray, out: np.ndarray) -> None:
    """Factored deliveries V_pj = r_pj Σ_a W_apj κ λ_ap φ_ap (with the overridden columns)."""
    B, nb, S = st.ratio.shape[0], model.n_blocks, model.n_sectors
    np.multiply(st.lam_prev, phi, out=ws.tmp)
    by_product(model, ws, ws.tmp, out)
    out *= st.ratio
    if st.placed is not None:
        b, p, _, eff = st.placed
        lp = ws.tmp.reshape(B, nb, S)[b, :, p]
        pair_sums(model, out, b, p, eff, lp, st.ratio)


def _deliver(model: EconomyModel, st: State, ws: Workspace, t: int) -> bool:
    """Served shares and today's deliveries ``ws.V`` to every input stock (spec §7, before the update).

    Returns whether the capacity ratios λ were set on the way (see :func:`_served_shares`).
    """
    B, nb, S, N = st.inventory.shape[0], model.n_blocks, model.n_sectors, model.n
    lam_done = _served_shares(model, st, ws)
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
        input_sum(model, ws.big.reshape(B, nb, S, N), ws.V)
    if st.sub is not None:  # substitutes delivered by domestic producers fill the imported-input stock
        sub = st.sub
        rows = sub_rows(model, sub.p)
        phi = ws.phi[sub.b[:, None], rows]
        if ws.prio is not None:
            phi = np.where(ws.prio[sub.j][:, None], ws.phi_prio[sub.b[:, None], rows], phi)
        np.add.at(ws.V, (sub.b, model.import_row[sub.p], sub.j), (sub.placed * phi).sum(axis=1))
    if st.transit is not None:
        slot = st.transit[t % st.transit.shape[0]]
        ws.V += slot
        slot.fill(0.0)
    return lam_done


def _unmet_final_demand(st: State, ws: Workspace) -> None:
    np.subtract(1.0, ws.phi_y, out=ws.tmp)
    ws.tmp *= st.final_demand
    np.sum(ws.tmp, axis=1, out=ws.unmet)


def distribute(model: EconomyModel, st: State, ws: Workspace, t: int = 0) -> None:
    r"""Pro-rata deliveries and the inventory update :math:`S \leftarrow S - A^C x + V` (spec §7)."""
    B, N = st.inventory.shape[0], model.n
    _deliver(model, st, ws, t)
    np.multiply(model.AC, ws.x[:, None, :N], out=ws.U)
    if model.params.ario_quirks:
        _close(ws.V, ws.U, ws.G, ws.gate, ws.hint_delivered)
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
        if st.inventory.min() < 0.0:
            st.crashed |= (st.inventory < 0).reshape(B, -1).any(axis=1)
    elif st.inventory.min() < 0.0:  # an input that cannot bind and runs out is simply done without
        np.maximum(st.inventory, ws.zeros, out=st.inventory)
    _unmet_final_demand(st, ws)


def _order_base(model: EconomyModel, ws: Workspace) -> np.ndarray:
    r""":math:`\tilde x^{opt}`: optimal production, net of rebuilding deliveries while there are any."""
    if not ws.has_rebuild:
        return ws.x_opt
    np.subtract(ws.demand, ws.reb_delivered, out=ws.tmp)
    np.minimum(ws.tmp, ws.capacity, out=ws.tmp)
    return ws.tmp


def _capacity_ratios(model: EconomyModel, ws: Workspace) -> None:
    r"""λ = c / c_ref, the capacity weights of tomorrow's supplier shares."""
    ws.lam.fill(1.0)
    np.divide(ws.capacity, model.cap_ref, out=ws.lam, where=model.cap_ref != 0)
    if model.restock:  # origins serving restocking beyond h x̄ (no cut on p) keep their baseline share
        lo = model.n_dom_blocks * model.n_sectors
        np.minimum(ws.lam[:, lo:], 1.0, out=ws.lam[:, lo:])


def _denominators(model: EconomyModel, st: State, ws: Workspace) -> bool:
    r"""Factored orders: ``ws.denom`` = Σ_a W_apj λ_ap, and ``st.placed`` the overrides' snapshot.

    Returns whether some denominators may be zero (an override or a zero λ), where the need is dropped.
    """
    B, nb, S = ws.lam.shape[0], model.n_blocks, model.n_sectors
    by_product(model, ws, ws.lam, ws.denom)
    st.placed = None
    if st.ov is not None and len(st.ov):
        st.placed = st.ov.delta()
        b, p_, dW, _ = st.placed
        pair_sums(model, ws.denom, b, p_, dW, ws.lam.reshape(B, nb, S)[b, :, p_])
    return st.placed is not None or not ws.lam.all()


def place_orders(model: EconomyModel, st: State, ws: Workspace) -> None:
    r"""Orders for tomorrow (spec §8, "alt").

    Need :math:`O^C_{pj} = A^C_{pj} x_j + \max(s_p A^C_{pj} \tilde x^{opt}_j - S_{pj}, 0)/\tau_{inv}`,
    split over the suppliers of p by :math:`w_{ij} \propto \bar Z_{ij} c_i/\bar x_i`.
    """
    p = model.params
    B, nb, S, N = st.inventory.shape[0], model.n_blocks, model.n_sectors, model.n
    xo = _order_base(model, ws)
    np.multiply(model.goal_coef, xo[:, None, :N], out=ws.G)
    if p.ario_quirks:
        if model.gap_gate_never:
            ws.gate.fill(False)
        elif model.infinite_rows.any():
            fin = ~model.infinite_rows
            ws.gate[:] = [np.allclose(st.inventory[b][fin], ws.G[b][fin]) for b in range(B)]
        else:
            _close(st.inventory, ws.G, ws.OC, ws.gate, ws.hint_stock)  # OC is free until set below
    else:
        ws.gate.fill(False)
    OC = ws.OC
    np.subtract(ws.G, st.inventory, out=OC)
    np.maximum(OC, ws.zeros, out=OC)  # an array operand: much faster than a scalar 0.0 in numpy
    OC *= 1.0 / p.inventory_tau
    if ws.gate.any():
        OC[ws.gate] = 0.0
    OC += ws.U  # A^C x_t: today's actual use
    _capacity_ratios(model, ws)
    if st.orders is None:  # factored: O = Zbar * lam * ratio
        fix_zero = _denominators(model, st, ws)
        ws.denom += ws.no_supplier  # +inf where no supplier delivers the input at all: need dropped
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide(OC, ws.denom, out=st.ratio)
        if fix_zero:  # other denominators may be zero: need dropped too
            gone = ws.denom <= 0.0
            if gone.any():
                st.ratio[gone] = 0.0
        _orders_placed(model, st, ws)
        return
    big4 = ws.big.reshape(B, nb, S, N)
    if model.w_fixed is not None:
        wf4 = model.w_fixed.reshape(nb, S, N)
        for lo, hi, sel in model.row_groups:
            np.multiply(wf4[None, lo:hi], OC[:, None, sel], out=big4[:, lo:hi])
    else:
        base = model.Zbar if st.weight_base is None else st.weight_base
        np.multiply(base, ws.lam[:, :, None], out=ws.big)
        input_sum(model, big4, ws.denom)
        ws.ratio.fill(0.0)
        np.divide(OC, ws.denom, out=ws.ratio, where=ws.denom > 0)
        scale_by_input(model, big4, ws.ratio)
    if st.link_open is not None:
        ws.big *= st.link_open
    st.orders, ws.big = ws.big, st.orders  # swap buffers: no copy
    if st.sub is not None:
        _place_substitution(model, st, ws)


def _orders_placed(model: EconomyModel, st: State, ws: Workspace) -> None:
    """Factored orders placed: keep λ for tomorrow's deliveries, then the substitution orders."""
    st.lam_prev[:] = ws.lam
    if st.sub is not None:
        _place_substitution(model, st, ws)


def _distribute_and_order(model: EconomyModel, st: State, ws: Workspace, t: int) -> None:
    """:func:`distribute` then :func:`place_orders` for the default model in factored mode, compiled.

    The inventory update and the order need go through one loop (:func:`fused.stock_and_need`)
    after the deliveries and the denominators, which do not depend on the stocks; the result is
    the same as the two numpy steps.
    """
    lam_done = _deliver(model, st, ws, t)
    _unmet_final_demand(st, ws)
    if ws.has_rebuild:
        np.multiply(ws.reb_demand, ws.phi, out=ws.reb_delivered)
    xo = _order_base(model, ws)
    if not lam_done:
        _capacity_ratios(model, ws)
    fix_zero = _denominators(model, st, ws)
    fused.kernels().stock_and_need(
        st.inventory, model.AC, ws.x, ws.V, fused.lead(model.goal_coef, 3), xo, 1.0 / model.params.inventory_tau,
        ws.denom, ws.no_supplier, fix_zero, ws.U, ws.OC, st.ratio)
    ws.gate.fill(False)
    _orders_placed(model, st, ws)


def _place_substitution(model: EconomyModel, st: State, ws: Workspace) -> None:
    r"""Domestic substitution orders for the imported inputs of the columns in ``st.sub``.

    :math:`O^{sub}_{rpj} = \sigma\,\max(O^C_{Mpj} - \sum_o O_{opj}\varphi_{op}, 0)\,
    \frac{d_{rp}\lambda_{rp}}{\sum_{r'} d_{r'p}\lambda_{r'p}}`: a share σ of the imported need
    that the foreign suppliers are not expected to deliver (at today's served shares φ), split
    over the domestic producers r of p by baseline output d and capacity ratio λ.
    """
    sub, S, B = st.sub, model.n_sectors, st.inventory.shape[0]
    R, nb = model.n_dom_blocks, model.n_blocks  # the foreign origins are blocks R .. nb
    b, p, j = sub.b, sub.p, sub.j
    mrow = model.import_row[p]  # the imported-p input rows
    frows = np.arange(R, nb)[None, :] * S + p[:, None]  # (K', O) foreign suppliers of p
    if st.orders is None:
        r = st.ratio[b, mrow, j]
        lam_f = ws.lam.reshape(B, nb, S)[b, R:, p]
        if st.ov is not None and len(sub.ks):
            W, K = st.ov.W[sub.ks, R:, j], st.ov.K[sub.ks, R:, j]
            fo = r[:, None] * W * K * lam_f
        else:
            fo = r[:, None] * model.ZbarT[p, R:, j] * lam_f
    else:
        fo = st.orders[b[:, None], frows, j[:, None]]
    expected = (fo * ws.phi[b[:, None], frows]).sum(axis=1)
    unmet = np.maximum(ws.OC[b, mrow, j] - expected, 0.0) * sub.sigma
    dl = sub.share * ws.lam[b[:, None], sub_rows(model, p)]
    tot = dl.sum(axis=1, keepdims=True)
    np.divide(dl, tot, out=dl, where=tot > 0)
    sub.placed = dl * unmet[:, None]


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
        _distribute_and_order(model, st, ws, t)
    else:
        distribute(model, st, ws, t)
        if ws.has_rebuild:
            np.multiply(ws.reb_demand, ws.phi, out=ws.reb_delivered)
        place_orders(model, st, ws)
    st.x_prev[:] = ws.x
