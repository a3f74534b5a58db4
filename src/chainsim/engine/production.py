r"""Demand, overproduction and production under the input constraints (``ARIO_SPEC.md`` §3 step 2, §4, §5).

Part of the daily step (:func:`chainsim.engine.kernel.step`), vectorised over the batch axis;
the default model's elementwise loops run compiled (:mod:`chainsim.engine.fused`).
"""

from __future__ import annotations

import numpy as np

from chainsim.engine import fused
from chainsim.engine.factored import orders_received, pair_orders, sub_rows
from chainsim.engine.model import EconomyModel
from chainsim.engine.state import BIND_TIE, State, Workspace

__all__ = ["demand", "produce", "update_alpha"]


def demand(model: EconomyModel, st: State, ws: Workspace) -> None:
    """Total demand ``D_i = Σ_j O_ij + ȳ_i + rebuilding demand`` (spec §3 step 2)."""
    if st.orders is None:
        B, nb, S = st.ratio.shape[0], model.n_blocks, model.n_sectors
        d3 = ws.demand.reshape(B, nb, S)
        orders_received(model, st.ratio, model.ZbarT_D, model.ZbarT_M, d3, ws.d_dom, ws.d_imp)
        if st.placed is not None:  # overridden pairs: W κ instead of Zbar
            b, p, _, eff = st.placed
            d3[b, :, p] += pair_orders(model, st.ratio, b, p, eff)
        if fused.active(model) and st.sub is None:
            fused.kernels().orders_to_demand(ws.demand, st.lam_prev, st.final_demand)
            if ws.has_rebuild:
                ws.demand += ws.reb_demand
            return
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
    ws.mark_new_shortages()


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
    if fused.active(model):
        cut_on = st.import_cut_on if st.import_cut_on is not None else ws.no_cut_on
        fused.kernels().foreign_restock(delta, cut_on, lo, S, ws.demand, ws.x_opt, ws.capacity)
        return
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
    if fused.active(model):  # also marks the new shortages, so ws.rho is not written
        if ws.partial:
            ws.n_new_binding = fused.kernels().limits_partial(
                st.inventory, fused.lead(ws.w_inv_bind, 3), fused.lead(model.bind_weight, 3), ws.x_opt, ws.x,
                ws.min_rho, ws.reported, BIND_TIE, ws.bind_row)
        else:
            ws.n_new_binding = fused.kernels().limits_leontief(
                st.inventory, fused.lead(ws.inv_bind, 3), fused.lead(ws.inf_free, 3), ws.x_opt, ws.x, ws.min_rho,
                ws.reported, BIND_TIE, ws.bind_row)
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
    ws.mark_new_shortages()
