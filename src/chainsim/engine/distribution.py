r"""Rationing, deliveries, the inventory update and tomorrow's orders (``ARIO_SPEC.md`` §7, §8).

Part of the daily step (:func:`chainsim.engine.kernel.step`), vectorised over the batch axis.
:func:`distribute` and :func:`place_orders` are the numpy reference; in the default model with
factored orders, :func:`distribute_and_order` does both with the inventory update and the
order need in one compiled loop (:mod:`chainsim.engine.fused`), bitwise the same.
"""

from __future__ import annotations

import numpy as np

from chainsim.engine import fused
from chainsim.engine.factored import by_product, orders_received, pair_orders, pair_sums, sub_rows
from chainsim.engine.links import ship
from chainsim.engine.model import EconomyModel, input_sum, scale_by_input
from chainsim.engine.rationing import RULES
from chainsim.engine.state import State, Workspace

__all__ = ["distribute", "distribute_and_order", "place_orders"]

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


def _served_shares(model: EconomyModel, st: State, ws: Workspace) -> None:
    """Rationing (spec §7): the rule of ``params.rationing`` sets the served shares."""
    if fused.active(model) and model.params.rationing == "proportional":
        fused.kernels().proportional_shares(ws.x, model.exo_supply, ws.exo, ws.demand, ws.phi, ws.phi_y)
        return
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


def _deliveries(model: EconomyModel, st: State, ws: Workspace, phi: np.ndarray, out: np.ndarray,
                by_ratio: bool = True, with_denominators: bool = False) -> None:
    """Factored deliveries V_pj = r_pj Σ_a W_apj κ λ_ap φ_ap (with the overridden columns).

    ``by_ratio=False`` leaves out the factor r (the compiled stock update applies it).
    ``with_denominators`` (``out`` is ``ws.V``, ``ws.lam`` already today's capacity ratios):
    the denominators' block product (:func:`_denominators`) is computed in the same call, over
    the 2B rows of ``ws.tmp_lam`` into ``ws.V_denom`` — one BLAS product of twice the rows
    instead of two (29 µs a day less at 16 runs a batch); every row's result is the same.
    """
    B, nb, S = st.ratio.shape[0], model.n_blocks, model.n_sectors
    np.multiply(st.lam_prev, phi, out=ws.tmp)
    if with_denominators:
        by_product(model, ws, ws.tmp_lam, ws.V_denom)
    else:
        by_product(model, ws, ws.tmp, out)
    if by_ratio:
        out *= st.ratio
    if st.placed is not None:
        b, p, _, eff = st.placed
        lp = ws.tmp.reshape(B, nb, S)[b, :, p]
        pair_sums(model, out, b, p, eff, lp, st.ratio)


def _deliver(model: EconomyModel, st: State, ws: Workspace, t: int, by_ratio: bool = True,
             with_denominators: bool = False) -> None:
    """Served shares and today's deliveries ``ws.V`` to every input stock (spec §7, before the update).

    ``by_ratio=False`` (factored orders and nothing but the matmul's deliveries): ``ws.V`` is
    left without the factor ``st.ratio``. ``with_denominators``: see :func:`_deliveries`
    (factored orders).
    """
    B, nb, S, N = st.inventory.shape[0], model.n_blocks, model.n_sectors, model.n
    _served_shares(model, st, ws)
    if st.orders is None:
        _deliveries(model, st, ws, ws.phi, ws.V, by_ratio, with_denominators)
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
    if ws.keep_unmet:
        _unmet_final_demand(st, ws)


def _order_base(model: EconomyModel, ws: Workspace) -> np.ndarray:
    r""":math:`\tilde x^{opt}`: optimal production, net of rebuilding deliveries while there are any."""
    if not ws.has_rebuild:
        return ws.x_opt
    np.subtract(ws.demand, ws.reb_delivered, out=ws.tmp)
    np.minimum(ws.tmp, ws.capacity, out=ws.tmp)
    return ws.tmp


def _capacity_ratios(model: EconomyModel, ws: Workspace) -> bool:
    r"""λ = c / c_ref, the capacity weights of tomorrow's supplier shares; returns whether some λ is zero."""
    lo = model.n_dom_blocks * model.n_sectors if model.restock else model.n_sup
    if fused.active(model):
        return fused.kernels().capacity_ratios(ws.capacity, fused.lead(model.cap_ref, 2), lo, ws.lam)
    ws.lam.fill(1.0)
    np.divide(ws.capacity, model.cap_ref, out=ws.lam, where=model.cap_ref != 0)
    # origins serving restocking beyond h x̄ (no cut on p) keep their baseline share
    np.minimum(ws.lam[:, lo:], 1.0, out=ws.lam[:, lo:])
    return not ws.lam.all()


def _denominators(model: EconomyModel, st: State, ws: Workspace, lam_zero: bool, product_done: bool = False
                  ) -> bool:
    r"""Factored orders: ``ws.denom`` = Σ_a W_apj λ_ap, and ``st.placed`` the overrides' snapshot.

    ``product_done``: the block product is already in ``ws.denom`` (computed with the
    deliveries'). Returns whether some denominators may be zero (an override, or ``lam_zero``:
    a zero λ), where the need is dropped.
    """
    B, nb, S = ws.lam.shape[0], model.n_blocks, model.n_sectors
    if not product_done:
        by_product(model, ws, ws.lam, ws.denom)
    st.placed = None
    if st.ov is not None and len(st.ov):
        st.placed = st.ov.delta()
        b, p_, dW, _ = st.placed
        pair_sums(model, ws.denom, b, p_, dW, ws.lam.reshape(B, nb, S)[b, :, p_])
    return st.placed is not None or lam_zero


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
    lam_zero = _capacity_ratios(model, ws)
    if st.orders is None:  # factored: O = Zbar * lam * ratio
        fix_zero = _denominators(model, st, ws, lam_zero)
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


def distribute_and_order(model: EconomyModel, st: State, ws: Workspace, t: int) -> None:
    """:func:`distribute` then :func:`place_orders` for the default model in factored mode, compiled.

    The inventory update and the order need go through one loop (:func:`fused.stock_and_need`)
    after the deliveries and the denominators, which do not depend on the stocks; the result is
    the same as the two numpy steps.
    """
    # only the matmul's deliveries: their last factor, yesterday's ratio, is applied in the loop
    by_ratio = st.placed is None and ws.prio is None and st.sub is None and st.transit is None
    # today's capacity gives tomorrow's supplier weights λ; nothing before the denominators reads
    # λ, so it is set first and the two block products run as one
    lam_zero = _capacity_ratios(model, ws)
    _deliver(model, st, ws, t, by_ratio=not by_ratio, with_denominators=True)
    if ws.keep_unmet:
        _unmet_final_demand(st, ws)
    if ws.has_rebuild:
        np.multiply(ws.reb_demand, ws.phi, out=ws.reb_delivered)
    xo = _order_base(model, ws)
    fix_zero = _denominators(model, st, ws, lam_zero, product_done=True)
    keep = st.sub is not None  # the substitution orders read today's use and need
    fused.kernels().stock_and_need(
        st.inventory, model.AC, ws.x, ws.V, by_ratio, fused.lead(model.goal_coef, 3), xo,
        1.0 / model.params.inventory_tau, ws.denom, ws.no_supplier, fix_zero, ws.U if keep else None,
        ws.OC if keep else None, st.ratio)
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
