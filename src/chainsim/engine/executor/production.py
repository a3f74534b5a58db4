r"""The fast day, first half: demand from the factored orders, overproduction, capacity, production.

The same equations as :func:`chainsim.engine.reference.total_demand` ..
:func:`~chainsim.engine.reference.input_limits`, as compiled loops that read each (inputs x
industries) array once; total demand, overproduction, capacity and optimal production are one
pass over the nodes (:func:`demand_and_supply`). Per-member arrays (``batch_params.MEMBER_ARRAYS``) come with a leading
axis of B, shared ones with a leading axis of 1 (:func:`lead`).
"""

from __future__ import annotations

import numpy as np

from chainsim.engine.economy import BIND_TIE, SCARCITY_NOISE, DayInputs
from chainsim.engine.executor.jit import compiled
from chainsim.engine.executor.state import FastState, Workspace
from chainsim.engine.executor.supplier_sums import orders_received, set_pair_orders
from chainsim.engine.model import EconomyModel

__all__ = ["lead", "produce"]


def lead(a: np.ndarray, ndim: int) -> np.ndarray:
    """``a`` with a leading member axis: (1, ...) for a shared array of ``ndim - 1`` dims, else as is."""
    return a[None] if a.ndim == ndim - 1 else a


def produce(m: EconomyModel, st: FastState, ws: Workspace, day: DayInputs, rebuilding: bool) -> None:
    """Demand, overproduction, capacity, optimal production, foreign restocking and the input limits."""
    B, nb, S, N = len(st.ratio), m.n_blocks, m.n_sectors, m.n
    d3 = ws.demand.reshape(B, nb, S)
    orders_received(m, st.ratio, m.ZbarT_D, m.ZbarT_M, d3, ws.d_dom, ws.d_imp)
    if st.placed is not None:  # overridden pairs: W κ instead of Zbar
        b, p, _, wk = st.placed
        set_pair_orders(m, d3, st.ratio, b, p, wk)
    factored = st.sub is None  # D = Dλ + y inside demand_and_supply (else first, then the substitution orders)
    if not factored:
        orders_to_demand(ws.demand, st.lam_prev, day.final_demand)
        np.add.at(ws.demand, (st.sub.b[:, None], st.sub.rows(m)), st.sub.placed)  # domestic substitution orders
    demand_and_supply(factored, ws.demand, st.lam_prev, day.final_demand, rebuilding, day.rebuild, m.has_backlog,
                      st.postponed, m.backlog_release_tau, ws.release if m.has_backlog else ws.zeros,
                      day.t >= m.quirks.overproduction_from_day, st.alpha, m.exo_supply, st.x_prev,
                      lead(m.alpha_max, 2), lead(m.alpha_tau, 2), float(m.params.alpha_base), N,
                      m.quirks.overproduction_rule == "decay_at_zero_scarcity", SCARCITY_NOISE,
                      day.delta, lead(m.cap_ref, 2), m.xbar, m.n_sup if m.per_region_imports else N,
                      ws.all_open if day.foreign_open is None else day.foreign_open, ws.exo, ws.capacity, ws.x_opt)
    if m.has_fg:  # planned production with finished goods (reference.optimal_production)
        planned_with_stock(ws.demand, m.exo_supply, ws.capacity, st.finished, m.fg_star, m.fg_max, m.min_run,
                           m.fg_tau, N, ws.x_opt)
    if m.restock_from < m.n_sup:
        foreign_restock(day.delta, day.import_cut_on, m.restock_from, S, ws.demand, ws.x_opt, ws.capacity)
    ws.n_new_binding = input_limits(st.inventory, lead(ws.w_inv_bind, 3), lead(m.bind_weight, 3), ws.x_opt, ws.x,
                                    ws.min_rho, day.reported, BIND_TIE, ws.bind_row, m.n_inputs - m.n_named,
                                    ws.named_group, ws.grouped, ws.acc, ws.acc_can)


@compiled
def orders_to_demand(demand, lam_prev, final_demand):
    r"""Total demand from factored orders received: :math:`D = D\lambda_{t-1} + y` (in place)."""
    B, ns = demand.shape
    for b in range(B):
        for i in range(ns):
            demand[b, i] = demand[b, i] * lam_prev[b, i] + final_demand[b, i]


@compiled
def demand_and_supply(factored, demand, lam_prev, final_demand, rebuilding, rebuild, has_backlog, backlog, tau_b,
                      release, overproduce, alpha, exo, x_prev, amax, atau, base, n_dom, boario, noise,
                      delta, cap_ref, xbar, no_headroom_from, foreign_open, has_exo, capacity, x_opt):
    r"""Total demand, overproduction, capacity and optimal production of every node, in one pass.

    1. Total demand (reference ``total_demand``): if ``factored``, ``demand`` holds the orders
       received before λ, :math:`D = D\lambda_{t-1} + y` (else D is complete so far); plus the
       rebuilding demand if ``rebuilding``; plus, with ``has_backlog``, the backlog's release
       :math:`R = B/\tau_B` (into ``release``).
    2. If ``overproduce``, overproduction (reference ``overproduction``); σ = (D - e - x_{t-1})/(D - e),
       0 if D = e. Default: α += [(α_max - α)σ if σ > ``noise`` else (α_b - α)]/τ_α, floored at α_b.
       ``boario``: α += [(α_max - α)σ + (α_b - α)1(σ = 0)]/τ_α, floored at 1. Nodes ``n_dom`` .. keep α = 1.
    3. Capacity :math:`c = \bar c(1-\Delta)\alpha` and optimal production :math:`x^{opt} = \min(\max(D - e, 0), c)`
       (reference ``optimal_production``). Supply nodes from ``no_headroom_from`` on deliver
       :math:`(1-\Delta)\bar x` while cut; foreign nodes (from ``n_dom``) have their capacity times
       ``foreign_open`` (the open share of their flow; a (1, n_sup) array of ones when no import
       cut is in force).
    """
    B, ns = demand.shape
    for b in range(B):
        bm, bt = (b if amax.shape[0] > 1 else 0), (b if atau.shape[0] > 1 else 0)
        bc, bo = (b if cap_ref.shape[0] > 1 else 0), (b if foreign_open.shape[0] > 1 else 0)
        for i in range(ns):
            d = demand[b, i]
            if factored:
                d = d * lam_prev[b, i] + final_demand[b, i]
            if rebuilding:
                d = d + rebuild[b, i]
            if has_backlog:
                r = backlog[b, i] / tau_b
                release[b, i] = r
                d = d + r
            demand[b, i] = d
            if overproduce:
                if i < n_dom:
                    de = d - exo[i]
                    sig = 0.0
                    if de != 0.0:
                        sig = (de - x_prev[b, i]) / de
                    a = alpha[b, i]
                    if boario:
                        inc = (amax[bm, i] - a) * sig + ((base - a) if sig == 0.0 else 0.0)
                        a = a + inc / atau[bt, i]
                        alpha[b, i] = a if a >= 1.0 or a != a else 1.0
                    else:
                        inc = (amax[bm, i] - a) * sig if sig > noise else base - a
                        a = a + inc / atau[bt, i]
                        alpha[b, i] = a if a >= base or a != a else base
                else:
                    alpha[b, i] = 1.0
            dl = delta[b, i]
            c = (1.0 - dl) * cap_ref[bc, i]
            c = c * alpha[b, i]
            if i >= n_dom:
                c = c * foreign_open[bo, i]
            if i >= no_headroom_from and dl > 0.0:
                c = (1.0 - dl) * xbar[i]
            capacity[b, i] = c
            if has_exo:
                d = d - exo[i]
                if d < 0.0:
                    d = 0.0
            x_opt[b, i] = d if (d <= c or d != d) else c  # numpy minimum: NaN propagates


@compiled
def planned_with_stock(demand, exo, capacity, F, fg_star, fg_max, min_run, tau_f, n_dom, x_opt):
    r"""Planned production of domestic producers with finished goods (reference ``optimal_production``).

    :math:`\hat x = \min(\max(D - e + (F^* - F)/\tau_F,\ m c\,1[F < F^{max}]), c)^+`.
    """
    B = demand.shape[0]
    for b in range(B):
        for i in range(n_dom):
            c = capacity[b, i]
            want = demand[b, i] - exo[i] + (fg_star[i] - F[b, i]) / tau_f
            floor = min_run[i] * c if F[b, i] < fg_max[i] else 0.0
            v = want if want >= floor else floor
            v = v if v <= c else c
            x_opt[b, i] = v if v >= 0.0 else 0.0


@compiled
def foreign_restock(delta, cut_on, lo, n_sectors, demand, x_opt, capacity):
    r"""Foreign origins (nodes ``lo`` ..) of a product no cut touches deliver what is ordered.

    :math:`x^{opt} = D`, :math:`c \ge D`. A product p is touched, for member b, if an origin of p
    has a capacity loss or ``cut_on[b, p]``.
    """
    B, ns = delta.shape
    n_or = (ns - lo) // n_sectors
    for b in range(B):
        for p in range(n_sectors):
            on = cut_on[b, p]
            for o in range(n_or):
                if delta[b, lo + o * n_sectors + p] > 0.0:
                    on = True
            if on:
                continue
            for o in range(n_or):
                i = lo + o * n_sectors + p
                d, c = demand[b, i], capacity[b, i]
                x_opt[b, i] = d
                if c == c and (d > c or d != d):  # numpy maximum: NaN propagates from either side
                    capacity[b, i] = d


@compiled
def input_limits(inv, w_inv_bind, bind_weight, x_opt, x, min_rho, reported, tie, bind_row, n_scan, named_group,
                 grouped, acc, acc_can):
    r"""Production under the input limits, :math:`x_j = x^{opt}_j - \max(\max_c q_{cj}, 0)`.

    :math:`q_{cj} = w_{cj} x^{opt}_j - S_{cj} w_{cj}/d_{cj}` is each input's weighted shortfall
    (:math:`d = \psi s A^C`; an input with w = 0 cannot bind: q = 0, even for an infinite stock),
    the same as the reference's
    :math:`x^{opt}\min_c[1 - w(1-\rho)]`. Writes ``x`` (foreign supply nodes: x^{opt}) and
    ``x / x^{opt}`` into ``min_rho``. For each buyer that binds and is not ``reported``, the input
    binding hardest goes into ``bind_row`` (-1 elsewhere): the lowest row with
    :math:`q \ge \max_c q - tie\,x^{opt}`. Returns the number of such buyers.

    Rows from ``n_scan`` on are named origins' imported-only rows (reference ``grouped_shortfalls``):
    their positive shortfalls add to their product's shared row ``named_group[e]`` (``grouped`` marks
    those rows; ``acc`` and ``acc_can`` (P, N) are scratch: the sums and whether a named row can bind).
    """
    B, P, N = inv.shape
    n_new = 0
    for b in range(B):
        bw_, bb = (b if w_inv_bind.shape[0] > 1 else 0), (b if bind_weight.shape[0] > 1 else 0)
        for j in range(N):
            x[b, j] = 0.0
        for e in range(P - n_scan):  # the named origins' rows: their shortfalls into their shared row's sum
            g = named_group[e]
            for j in range(N):
                acc[g, j] = 0.0
                acc_can[g, j] = False
        for e in range(P - n_scan):
            p, g = n_scan + e, named_group[e]
            for j in range(N):
                wib = w_inv_bind[bw_, p, j]
                if wib != 0.0:
                    v = bind_weight[bb, p, j] * x_opt[b, j] - inv[b, p, j] * wib
                    if not (v <= 0.0):
                        acc[g, j] += v
                    acc_can[g, j] = True
        for p in range(n_scan):
            if grouped[p]:  # a shared row with named origins' rows: its positive shortfall plus theirs
                for j in range(N):
                    wib = w_inv_bind[bw_, p, j]
                    held = inv[b, p, j] * wib if wib != 0.0 else 0.0
                    v = bind_weight[bb, p, j] * x_opt[b, j] - held
                    v = (v if not (v <= 0.0) else 0.0) + acc[p, j]
                    m = x[b, j]
                    if (v > m or v != v) and m == m:
                        x[b, j] = v
                continue
            for j in range(N):
                wib = w_inv_bind[bw_, p, j]
                held = inv[b, p, j] * wib if wib != 0.0 else 0.0  # an input that cannot bind (w = 0): no shortfall
                v = bind_weight[bb, p, j] * x_opt[b, j] - held
                m = x[b, j]
                if (v > m or v != v) and m == m:  # numpy max: NaN propagates
                    x[b, j] = v
        for j in range(N):
            top = x[b, j]
            xv = x_opt[b, j] - top
            x[b, j] = xv
            r = xv / x_opt[b, j] if x_opt[b, j] > 0.0 else 1.0
            min_rho[b, j] = r
            row = -1
            if r < 1.0 and not reported[b, j]:
                lim = top - tie * x_opt[b, j]
                for p in range(n_scan):
                    w, wib = bind_weight[bb, p, j], w_inv_bind[bw_, p, j]
                    if grouped[p]:
                        if wib != 0.0 or acc_can[p, j]:
                            v = (w * x_opt[b, j] - inv[b, p, j] * wib) if wib != 0.0 else 0.0
                            if (v if v > 0.0 else 0.0) + acc[p, j] >= lim:
                                row = p
                                break
                    elif wib != 0.0 and w * x_opt[b, j] - inv[b, p, j] * wib >= lim:
                        row = p
                        break
                n_new += 1
            bind_row[b, j] = row
        for i in range(N, x.shape[1]):  # foreign supply nodes produce what is asked of them
            x[b, i] = x_opt[b, i]
    return n_new
