r"""The fast day, second half: rationing, deliveries, stocks and tomorrow's factored orders.

The same equations as :func:`chainsim.engine.reference.served_shares` ..
:func:`~chainsim.engine.reference.substitution_orders`. Deliveries and the order split's
denominators are batched products over supplier blocks, computed in one call over 2B rows
(they do not depend on the stocks); the stock update and tomorrow's need then go through one
compiled loop (:func:`stock_and_need_planned` for the default model, :func:`stock_and_need`, or
:func:`stock_and_need_gated` with BoARIO's gates). The elementwise stages before the deliveries
are two compiled calls, one each side of the rationing (:func:`morning_shares`,
:func:`evening_shares`): a call of the day costs its dispatch, about 10 µs (issue 22).
"""

from __future__ import annotations

import numpy as np

from chainsim.engine.economy import DayInputs
from chainsim.engine.executor.jit import compiled
from chainsim.engine.executor.production import lead
from chainsim.engine.executor.state import FastState, Workspace
from chainsim.engine.executor.supplier_sums import by_product, orders_received, pair_sums, set_pair_orders
from chainsim.engine.model import EconomyModel
from chainsim.engine.rationing import RULES
from chainsim.engine.reference import split_sees_closures, substitutes_to_rows

__all__ = ["distribute_and_order"]


def distribute_and_order(m: EconomyModel, st: FastState, ws: Workspace, day: DayInputs, rebuilding: bool) -> None:
    """Served shares, deliveries, the stock update and tomorrow's orders (after :func:`~.production.produce`)."""
    # the deliveries' last factor, yesterday's ratio, is applied in the stock loop (to the overridden
    # pairs' rows too: the same product, so the same bits) unless priority buyers' deliveries or
    # substitutes are added to V before it (issue 22: one pass over V less a day)
    by_ratio = ws.prio is None and st.sub is None
    # today's capacity gives tomorrow's supplier weights λ; nothing before the denominators reads λ,
    # so it is set first and the deliveries' and the denominators' block products run as one.
    # The elementwise stages run as two compiled calls around the rationing (issue 22: each call
    # of the day costs its dispatch; about 0.1 ms a day at a batch of 16 was calls).
    reb_last = rebuilding and m.params.rebuild_served == "last"
    deferral = m.has_backlog or reb_last  # deferred demand is served after today's orders (reference.deferred_share)
    proportional = m.params.rationing == "proportional"
    release = ws.release if m.has_backlog else ws.zeros
    lam_zero = morning_shares(m.params.split_weights == "losses", day.delta, m.switch_share, lead(m.cap_ref, 2),
                              m.restock_from, ws.lam, m.has_fg, ws.x, ws.demand, m.exo_supply, ws.capacity,
                              st.finished, ws.f_morning if m.has_fg else ws.zeros, m.n, ws.q, deferral, release,
                              day.rebuild if reb_last else ws.zeros, ws.deferred, ws.d_now, proportional, ws.exo,
                              ws.phi, ws.phi_y)
    supplied = ws.q if m.has_fg else ws.x
    if not proportional:
        _served_shares(m, st, ws, day, supplied, ws.d_now if deferral else ws.demand)
    evening_shares(deferral, m.has_backlog, supplied, m.exo_supply, ws.d_now, ws.deferred, ws.phi_reb, st.postponed,
                   release, 1.0 / m.backlog_loss_tau, m.backlog_share, day.final_demand, ws.phi_y, ws.keep_unmet,
                   ws.unmet)
    phi_reb = ws.phi_reb if reb_last else ws.phi
    ws.phi_rebuild = phi_reb
    _deliveries(m, st, ws, ws.phi, ws.V, not by_ratio, with_denominators=True)
    if ws.prio is not None:  # priority buyers are served at their own share
        _deliveries(m, st, ws, ws.phi_prio, ws.G)
        ws.V[:, :, ws.prio] = ws.G[:, :, ws.prio]
    if st.sub is not None:  # substitutes delivered by domestic producers fill the imported-input stock
        sub = st.sub
        rows = sub.rows(m)
        phi = ws.phi[sub.b[:, None], rows]
        if ws.prio is not None:
            phi = np.where(ws.prio[sub.j][:, None], ws.phi_prio[sub.b[:, None], rows], phi)
        if m.n_named:  # over the product's imported-only rows, by their stock gaps
            substitutes_to_rows(m, ws.V, st.inventory, sub.b, sub.p, sub.j, (sub.placed * phi).sum(axis=1))
        else:
            np.add.at(ws.V, (sub.b, m.import_row[sub.p], sub.j), (sub.placed * phi).sum(axis=1))
    xo = ws.x_opt
    if rebuilding:  # optimal production net of today's rebuilding deliveries
        np.multiply(day.rebuild, phi_reb, out=ws.reb_delivered)
        xo = np.minimum(np.maximum(ws.demand - m.exo_supply - ws.reb_delivered, 0.0), ws.capacity)
        if m.has_fg:
            from chainsim.engine.executor.production import planned_with_stock

            xo = xo.copy()
            planned_with_stock(ws.demand - ws.reb_delivered, m.exo_supply, ws.capacity, ws.f_morning, m.fg_star,
                               m.fg_max, m.min_run, m.fg_tau, m.n, xo)
    fix_zero = _denominators(m, st, ws, lam_zero)
    keep = st.sub is not None  # the substitution orders read today's use and need
    if m.params.order_basis == "planned" and not m.quirks.allclose_gates:
        stock_and_need_planned(st.inventory, m.AC, ws.x, ws.V, by_ratio, lead(m.goal_coef, 3), m.xbar, xo,
                               m.inv_tau, m.infinite_rows, m.params.exact_stocks, ws.denom, ws.no_supplier, fix_zero,
                               ws.U if keep else None, ws.OC if keep else None, st.ratio, ws.done_without)
        st.lam_prev[:] = ws.lam
        if st.sub is not None:
            _place_substitution(m, st, ws)
        return
    args = (st.inventory, m.AC, ws.x, ws.V, by_ratio, lead(m.goal_coef, 3), xo, 1.0 / m.params.inventory_tau,
            ws.denom, ws.no_supplier, fix_zero)
    if m.quirks.allclose_gates:
        stock_and_need_gated(*args, ws.finite_rows, not m.gap_gate_never, st.crashed, ws.U, ws.OC, st.ratio)
    else:
        stock_and_need(*args, ws.U if keep else None, ws.OC if keep else None, st.ratio)
    st.lam_prev[:] = ws.lam
    if st.sub is not None:
        _place_substitution(m, st, ws)


def _served_shares(m: EconomyModel, st: FastState, ws: Workspace, day: DayInputs, supplied: np.ndarray,
                   demand: np.ndarray) -> None:
    """Rationing of what is ``supplied`` (production or shipments) by a rule of the registry (not ``proportional``).

    ``proportional`` runs compiled in :func:`morning_shares`.
    """
    if ws.prio is not None:  # orders of priority buyers, per supplier
        B, nb, S = len(st.ratio), m.n_blocks, m.n_sectors
        d3 = ws.d_prio.reshape(B, nb, S)
        orders_received(m, st.ratio[:, :, ws.prio], *ws.ZbarT_prio, d3, ZN=ws.Zbar_named_prio)
        if st.placed is not None:
            b, p, _, wk = st.placed
            set_pair_orders(m, d3, st.ratio, b, p, wk, ws.prio)
        ws.d_prio *= st.lam_prev
        if st.sub is not None:
            sub = st.sub
            sel = ws.prio[sub.j]
            np.add.at(ws.d_prio, (sub.b[sel][:, None], sub.rows(m)[sel]), sub.placed[sel])
    ws.phi[:], ws.phi_y[:], ws.phi_prio[:] = RULES[m.params.rationing](supplied + m.exo_supply, demand,
                                                                        day.final_demand, ws.d_prio)


def _deliveries(m: EconomyModel, st: FastState, ws: Workspace, phi: np.ndarray, out: np.ndarray,
                by_ratio: bool = True, with_denominators: bool = False) -> None:
    """Factored deliveries V_cj = r_cj Σ_a W_acj κ λ_ac φ_ac (the overridden pairs' rows recomputed).

    ``by_ratio=False`` leaves out the factor r (the stock loop applies it). ``with_denominators``
    (``out`` is ``ws.V``, ``ws.lam`` today's capacity ratios): the denominators' block product is
    computed in the same call, over the 2B rows of ``ws.tmp_lam`` into ``ws.V_denom``.
    """
    B, nb, S = len(st.ratio), m.n_blocks, m.n_sectors
    np.multiply(st.lam_prev, phi, out=ws.tmp)
    if with_denominators and unit_split_weights(ws):  # the baseline's denominators
        by_product(m, ws.v_nc, ws.tmp, out)
        _baseline_denominators(m, ws)
    elif with_denominators:
        by_product(m, ws.v_nc, ws.tmp_lam, ws.V_denom)
        ws.denom_is_base = False
    else:
        by_product(m, ws.v_nc, ws.tmp, out)
    if by_ratio:
        out *= st.ratio
    if st.placed is not None:
        b, p, _, wk = st.placed
        pair_sums(m, out, b, p, wk, ws.tmp.reshape(B, nb, S)[b, :, p], st.ratio if by_ratio else None)


def unit_split_weights(ws: Workspace) -> bool:
    """Whether every supplier weight λ of today's order split is 1 (no capacity loss anywhere)."""
    return not (ws.lam != 1.0).any()


def _baseline_denominators(m: EconomyModel, ws: Workspace) -> None:
    r"""Set ``ws.denom`` to the denominators :math:`\sum_a \bar Z_{acj}` of λ = 1, unless it holds them already.

    Without capacity losses every λ is 1 every day (an import cut, a link cut), and the
    denominators' half of the day's block product computed the same numbers daily (a tenth of
    the README run's day, issue 22). They are computed once by the day's own call, over 2B rows
    of ones (the same shapes, so the same BLAS kernels and the same bits), and copied in when
    ``ws.denom`` last held something else. The overridden pairs' rows are written after this
    (:func:`_denominators`): again each day, unless λ was 1 and the links (the overrides'
    snapshot) are the same as when they were last written (``ws.denom_pairs``).
    """
    if ws.denom_is_base:
        return
    if ws.base_denom is None:
        full = np.empty_like(ws.V_denom)
        by_product(m, np.empty_like(ws.v_nc), np.ones_like(ws.tmp_lam), full)
        ws.base_denom = full[len(ws.denom):].copy()
    ws.denom[:] = ws.base_denom
    ws.denom_is_base, ws.denom_pairs = True, None


def _denominators(m: EconomyModel, st: FastState, ws: Workspace, lam_zero: bool) -> bool:
    r"""Overrides' snapshot ``st.placed`` and their part of the denominators Σ_a W_acj λ_ac (``ws.denom``).

    Returns whether some denominators may be zero (an override, or a zero λ): there the need is dropped.
    """
    B, nb, S = len(ws.lam), m.n_blocks, m.n_sectors
    st.placed = None
    if st.ov is not None and len(st.ov):
        st.placed = st.ov.delta()
        if ws.denom_is_base and ws.denom_pairs is st.placed:  # λ = 1 and the same links as yesterday's rows
            return True
        b, p_, W, wk = st.placed
        if m.per_region_imports:  # links from foreign origins enter the split with W κ (reference.place_orders) ...
            seen = split_sees_closures(m).reshape(m.n_blocks, m.n_sectors)[:, p_].T  # ... but not sticky ones
            W = np.where(seen[:, :, None], wk, W)
        pair_sums(m, ws.denom, b, p_, W, ws.lam.reshape(B, nb, S)[b, :, p_])
        ws.denom_pairs = st.placed if ws.denom_is_base else None
    return st.placed is not None or lam_zero


def _place_substitution(m: EconomyModel, st: FastState, ws: Workspace) -> None:
    r"""Substitution orders of the columns of ``st.sub`` (:func:`chainsim.engine.reference.substitution_orders`)."""
    sub, S, B = st.sub, m.n_sectors, len(st.inventory)
    F, nb = m.n_dom_blocks, m.n_blocks  # the foreign origins are blocks F .. nb
    b, p, j = sub.b, sub.p, sub.j
    mrow = m.import_row[p]  # the imported-p input rows
    frows = np.arange(F, nb)[None, :] * S + p[:, None]  # (K', O) foreign suppliers of p
    # each origin's orders on its imported-only row (the shared one, or a named origin's own)
    r = st.ratio[b, mrow, j][:, None] if not m.n_named else st.ratio[b[:, None], m.origin_row[F:, p].T, j[:, None]]
    lam_f = ws.lam.reshape(B, nb, S)[b, F:, p]
    links = st.ov.W[sub.ks, F:, j] * st.ov.K[sub.ks, F:, j] if len(sub.ks) else m.ZbarT[p, F:, j]
    fo = r * links * lam_f
    if m.has_split:  # the foreign orders on the imported-only row: the second slot, 1 - σ_p
        fo *= (1.0 - m.import_sigma[p])[:, None]
    expected = (fo * ws.phi[b[:, None], frows]).sum(axis=1)
    need = ws.OC[b, mrow, j]
    if m.n_named:  # the need of all the product's imported-only rows (reference.imported_need)
        need = (ws.OC[b[:, None], m.group_rows[p], j[:, None]] * m.group_mask[p]).sum(axis=1)
    unmet = np.maximum(need - expected, 0.0) * sub.sigma
    dl = sub.share * ws.lam[b[:, None], sub.rows(m)]
    tot = dl.sum(axis=1, keepdims=True)
    np.divide(dl, tot, out=dl, where=tot > 0)
    sub.placed = dl * unmet[:, None]


@compiled
def morning_shares(losses, delta, switch, cap_ref, restock_from, lam, has_fg, x, demand, exo, capacity, finished,
                   f_morning, n_dom, q, deferral, release, rebuild, deferred, d_now, proportional, has_exo, phi, phi_y):
    r"""Supplier weights, shipments, the deferred part of demand and proportional shares, per node in one pass.

    1. λ (reference ``capacity_ratios``): :math:`1 - s\Delta` if ``losses`` (s = ``switch``, the
       order split of the default model), else :math:`c/\bar c` (1 where :math:`\bar c` = 0; capped
       at 1 from node ``restock_from`` on). Returns whether some λ is zero.
    2. If ``has_fg``, shipments (reference ``shipments``): :math:`q = \min(\max(D - e, 0), x + F,
       \max(c, x))`, F becomes F + x - q (``f_morning`` keeps F before); nodes from ``n_dom`` on
       (foreign) ship what they produce.
    3. If ``deferral``, deferred demand L = release + rebuild (either may be a (1, 1) zero) into
       ``deferred``, D - L into ``d_now`` (reference ``deferred_share``): served after today's orders.
    4. If ``proportional``, :math:`\varphi = \varphi^y = \min((s + e)/D', 1)` (0 if D' = 0), s the
       shipments (or x), D' = ``d_now`` or D (reference ``served_shares``).
    """
    B, ns = x.shape
    zero = False
    for b in range(B):
        bc = b if cap_ref.shape[0] > 1 else 0
        br, bb = (b if release.shape[0] > 1 else 0), (b if rebuild.shape[0] > 1 else 0)
        for i in range(ns):
            if losses:
                v = 1.0 - delta[b, i] * switch[i]
            else:
                cr = cap_ref[bc, i]
                v = capacity[b, i] / cr if cr != 0.0 else 1.0
                if i >= restock_from and not (v <= 1.0) and v == v:
                    v = 1.0
            lam[b, i] = v
            if v == 0.0:
                zero = True
            sent = x[b, i]
            if has_fg:
                f = finished[b, i]
                f_morning[b, i] = f
                if i < n_dom:
                    d = demand[b, i] - exo[i]
                    d = d if d >= 0.0 else 0.0
                    w = sent + f
                    w = d if d <= w else w
                    c = capacity[b, i]
                    c = c if c >= sent else sent
                    w = w if w <= c else c
                    finished[b, i] = f + (sent - w)
                    sent = w
                q[b, i] = sent
            d = demand[b, i]
            if deferral:
                r = release[br, i] if release.shape[1] > 1 else 0.0
                r = r + (rebuild[bb, i] if rebuild.shape[1] > 1 else 0.0)
                deferred[b, i] = r
                d = d - r
                d_now[b, i] = d
            if proportional:
                sup = sent + exo[i] if has_exo else sent
                f = sup / d if d != 0.0 else 0.0
                if not (f <= 1.0) and f == f:  # exogenous supply, or demand net of what is served last
                    f = 1.0
                phi[b, i] = f
                phi_y[b, i] = f
    return zero


@compiled
def evening_shares(deferral, has_backlog, supplied, exo, d_now, deferred, phi_d, backlog, release, inv_tau_l, share, y,
                   phi_y, keep_unmet, unmet):
    r"""After the rationing: the deferred part's served share, the backlog, unmet final demand.

    If ``deferral``: :math:`\varphi^d = \min(1, (s + e - (D - L))^+/L)`, 1 where L = 0; with
    ``has_backlog``, :math:`B \leftarrow B - R\varphi^d - B/\tau_L + \beta y(1 - \varphi^y)`
    (reference ``deferred_share``, ``backlog_served``). If ``keep_unmet``,
    :math:`\sum_i (1 - \varphi^y_i) y_i` per member into ``unmet``.
    """
    B, ns = supplied.shape
    for b in range(B):
        u = 0.0
        for i in range(ns):
            if deferral:
                left = supplied[b, i] + exo[i] - d_now[b, i]
                if left < 0.0:
                    left = 0.0
                L = deferred[b, i]
                f = left / L if L > 0.0 else 1.0
                f = f if f <= 1.0 else 1.0
                phi_d[b, i] = f
                if has_backlog:
                    v = backlog[b, i]
                    backlog[b, i] = v - release[b, i] * f - v * inv_tau_l + share[i] * (y[b, i] * (1.0 - phi_y[b, i]))
            if keep_unmet:
                u += (1.0 - phi_y[b, i]) * y[b, i]
        if keep_unmet:
            unmet[b] = u


@compiled
def proportional_shares(x, exo, has_exo, demand, phi, phi_y):
    r"""Proportional rationing :math:`\varphi = \varphi^y = \min((x + e)/D, 1)` (0 if D = 0)."""
    B, ns = x.shape
    for b in range(B):
        for i in range(ns):
            s = x[b, i] + exo[i] if has_exo else x[b, i]
            d = demand[b, i]
            f = s / d if d != 0.0 else 0.0
            if not (f <= 1.0) and f == f:  # exogenous supply, or demand net of what is served last
                f = 1.0
            phi[b, i] = f
            phi_y[b, i] = f


@compiled
def capacity_ratios(capacity, cap_ref, restock_from, lam):
    r"""Capacity ratios :math:`\lambda = c/\bar c` (1 where :math:`\bar c` = 0).

    Capped at 1 from node ``restock_from`` on. Returns whether some λ is zero.
    """
    B, ns = capacity.shape
    zero = False
    for b in range(B):
        bc = b if cap_ref.shape[0] > 1 else 0
        for i in range(ns):
            cr = cap_ref[bc, i]
            v = capacity[b, i] / cr if cr != 0.0 else 1.0
            if i >= restock_from and not (v <= 1.0) and v == v:
                v = 1.0
            lam[b, i] = v
            if v == 0.0:
                zero = True
    return zero


@compiled
def stock_and_need(inv, AC, x, V, by_ratio, goal, xo, inv_tau, denom, no_supplier, fix_zero, U, OC, ratio):
    r"""Stocks :math:`S \leftarrow \max(S - A^C x + V, 0)` and tomorrow's need per unit of capacity-weighted purchases.

    ``V`` are today's deliveries (times yesterday's ``ratio`` if ``by_ratio``, written back);
    :math:`O^C = \max(s A^C \tilde x^{opt} - S, 0)/\tau + A^C x`; ``ratio`` :math:`= O^C/(d + \infty_{no\,supplier})`
    with ``denom`` d, 0 where ``fix_zero`` and d <= 0 (the need of an input no supplier serves is
    dropped). Today's use and need go into ``U`` and ``OC`` unless they are None (numba then
    compiles a version without those stores: a store under a run-time condition is a masked
    store, 30x slower on never-written buffers, measured).
    """
    B, P, N = inv.shape
    for b in range(B):
        bg = b if goal.shape[0] > 1 else 0
        for p in range(P):
            for j in range(N):
                u = AC[p, j] * x[b, j]
                v = V[b, p, j] * ratio[b, p, j] if by_ratio else V[b, p, j]
                V[b, p, j] = v
                s = inv[b, p, j] - u
                s = s + v
                if s < 0.0:
                    s = 0.0
                inv[b, p, j] = s
                o = goal[bg, p, j] * xo[b, j] - s
                if o < 0.0:
                    o = 0.0
                o = o * inv_tau + u
                if U is not None:
                    U[b, p, j] = u
                if OC is not None:
                    OC[b, p, j] = o
                d = denom[b, p, j] + no_supplier[p, j]
                ratio[b, p, j] = 0.0 if fix_zero and d <= 0.0 else o / d


@compiled(fastmath={"reassoc"})
def stock_and_need_planned(inv, AC, x, V, by_ratio, goal, xbar, xo, tau, infinite, exact, denom, no_supplier, fix_zero,
                           U, OC, ratio, done):
    r"""Stocks and tomorrow's need of the default model (reference ``update_stocks`` and ``order_need``).

    Use :math:`u = \min(A^C x, S)` (``exact``; else :math:`A^C x` and the stock floored at 0),
    :math:`S \leftarrow S - u + V`; need :math:`O^C = \max(A^C \hat x + (s A^C \bar x - S)/\tau_r, 0)` with
    no gap on ``infinite`` rows; ``ratio`` as in :func:`stock_and_need`; ``done`` (B,) gets the use
    no stock could cover, :math:`\sum (A^C x - u)` (0 unless ``exact``). ``V`` is read, not written
    back (times ``ratio``): nothing reads it later, and the store was a sixth of the loop's memory traffic.
    """
    B, P, N = inv.shape
    for b in range(B):
        bg = b if goal.shape[0] > 1 else 0
        short = 0.0
        for p in range(P):
            inf_row = infinite[p]
            tp = tau[p]
            for j in range(N):
                u = AC[p, j] * x[b, j]
                v = V[b, p, j] * ratio[b, p, j] if by_ratio else V[b, p, j]  # (not stored back: nothing reads it)
                s0 = inv[b, p, j]
                if exact:  # branch-free, so that the loop vectorises (the reduction of ``short`` reassociated)
                    gap = u - s0
                    short += gap if gap > 0.0 else 0.0
                    u = s0 if s0 < u else u
                    s = s0 - u
                    s = s + v
                else:
                    s = s0 - u
                    s = s + v
                    if s < 0.0:
                        s = 0.0
                inv[b, p, j] = s
                o = AC[p, j] * xo[b, j]
                if not inf_row:
                    o = o + (goal[bg, p, j] * xbar[j] - s) / tp
                if o < 0.0:
                    o = 0.0
                if U is not None:
                    U[b, p, j] = u
                if OC is not None:
                    OC[b, p, j] = o
                d = denom[b, p, j] + no_supplier[p, j]
                ratio[b, p, j] = 0.0 if fix_zero and d <= 0.0 else o / d
        done[b] = short


@compiled
def stock_and_need_gated(inv, AC, x, V, by_ratio, goal, xo, inv_tau, denom, no_supplier, fix_zero, finite,
                         gap_gate, crashed, U, OC, ratio):
    r""":func:`stock_and_need` with BoARIO 0.7.2's gates and crash (ARIO_SPEC §7, §8).

    A member whose deliveries are allclose to its use (|V - U| <= 1e-8 + 1e-5 |U| everywhere)
    keeps its stocks; stocks are not floored, and a negative one marks the member ``crashed``
    (crashed members keep their stocks); the gap is 0 for a member whose ``finite`` rows are
    allclose to the goal (if ``gap_gate``).
    """
    B, P, N = inv.shape
    for b in range(B):
        bg = b if goal.shape[0] > 1 else 0
        close = True
        for p in range(P):
            for j in range(N):
                u = AC[p, j] * x[b, j]
                v = V[b, p, j] * ratio[b, p, j] if by_ratio else V[b, p, j]
                V[b, p, j] = v
                U[b, p, j] = u
                if not (abs(v - u) <= 1e-8 + 1e-5 * abs(u)):
                    close = False
        neg = False
        if not close and not crashed[b]:  # tested once: numba cannot hoist a load of crashed[b] past the stores
            for p in range(P):
                for j in range(N):
                    s = inv[b, p, j] - U[b, p, j]
                    s = s + V[b, p, j]
                    inv[b, p, j] = s
                    if s < 0.0:
                        neg = True
        else:
            for p in range(P):
                for j in range(N):
                    if inv[b, p, j] < 0.0:
                        neg = True
        if neg:
            crashed[b] = True
        gate = gap_gate
        for p in range(P):
            if not gate:
                break
            if finite[p]:
                for j in range(N):
                    g = goal[bg, p, j] * xo[b, j]
                    if not (abs(inv[b, p, j] - g) <= 1e-8 + 1e-5 * abs(g)):
                        gate = False
                        break
        for p in range(P):
            for j in range(N):
                o = goal[bg, p, j] * xo[b, j] - inv[b, p, j]
                if o < 0.0:
                    o = 0.0
                o = 0.0 if gate else o * inv_tau
                o = o + U[b, p, j]
                OC[b, p, j] = o
                d = denom[b, p, j] + no_supplier[p, j]
                ratio[b, p, j] = 0.0 if fix_zero and d <= 0.0 else o / d
