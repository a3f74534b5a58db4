r"""The ``ario`` configuration's day as one compiled call (issue 22: per-run overhead at small N).

The fast executor runs a day as about twenty calls (batched BLAS products and compiled loops,
:mod:`~chainsim.engine.executor.production`, :mod:`~chainsim.engine.executor.distribution`),
each with its Python and dispatch cost: at the Northeast table's 168 industries that overhead
is about half of an ``ario`` run. :func:`ario_day` is the same day of BoARIO 0.7.2
``ARIOPsiModel`` (``ARIO_SPEC.md``; the fast executor's ``ario`` branch, equation for equation)
fused into one loop nest over the members, with the three block products
(orders received, deliveries, the order split's denominators) as loops over ``ZbarT``:

1. total demand :math:`D_i = \lambda_{t-1,i}\sum_j \bar Z_{ij} r_{p(i)j} + y_i` (plus rebuilding; the
   sum over buyers is :func:`orders_received`, its own call: the one loop compiled with reassociation);
2. overproduction α (BoARIO's rule from ``overproduction_from_day``);
3. capacity :math:`c = \bar c (1 - \Delta)\alpha`, optimal production :math:`\min(D, c)`;
4. production under the ψ input limits and the first binding input of each buyer;
5. capacity ratios λ, proportional served shares φ;
6. deliveries :math:`V_{pj} = r_{pj}\sum_{i: p(i)=p}\bar Z_{ij}\lambda_{t-1,i}\varphi_i` and
   denominators :math:`\sum_{i: p(i)=p}\bar Z_{ij}\lambda_i`;
7. BoARIO's gated stock update, crash, gap gate and tomorrow's factored need.

It is used by :class:`~chainsim.engine.executor.FastEconomy` for models :func:`supports`
accepts, on days without link overrides or substitution orders (the generic day runs
otherwise). The sums run in another order than BLAS (orders received with reassociation,
so that the compiler vectorises them): trajectories match the generic day to rounding, and
BoARIO to 1e-12 (``tests/test_ario_oracle.py``). The loops do not call the other modules'
loops: numba's cache does not notice when a called function in another file changes.
"""

from __future__ import annotations

import numpy as np

from chainsim.engine.economy import BIND_TIE, NO_SHORTAGES, DayInputs, Shortages
from chainsim.engine.executor.jit import compiled
from chainsim.engine.executor.production import lead
from chainsim.engine.executor.state import Workspace
from chainsim.engine.model import EconomyModel

__all__ = ["FUSED_MAX_INDUSTRIES", "ario_day", "orders_received", "step", "supports"]

#: Largest table (industries) whose ``ario`` day runs fused. Above it the arithmetic outweighs the calls and
#: the generic day's BLAS products are as fast or faster (measured with ``benchmarks/bench_dense.py``: equal at
#: 420 and 840 industries, the fused day 10 % slower at 1,260; docs/performance.md).
FUSED_MAX_INDUSTRIES = 1000


def supports(m: EconomyModel) -> bool:
    """Whether :func:`ario_day` runs ``m``: the dense ``ario`` configuration without exogenous supply, small N.

    Members may carry their own parameter arrays (``batch_params.MEMBER_ARRAYS``, leading axis B).
    """
    from chainsim.engine.sparse.model import unsupported

    return (m.ZbarT is not None and m.n <= FUSED_MAX_INDUSTRIES and m.n_classes == 1 and m.n_sup == m.n
            and m.quirks.allclose_gates
            and m.quirks.overproduction_rule == "decay_at_zero_scarcity" and not unsupported(m.params, m.table)
            and not m.exo_supply.any() and m.restock_from >= m.n_sup and not m.has_fg and not m.has_backlog
            and not m.priority_buyers.any())


def model_arrays(m: EconomyModel, ws: Workspace) -> tuple:
    """The arguments of :func:`ario_day` fixed for a run of model ``m`` (prepared once, not daily)."""
    return (m.ZbarT, lead(m.cap_ref, 2), lead(m.alpha_max, 2), lead(m.alpha_tau, 2), m.AC, lead(m.goal_coef, 3),
            lead(ws.w_inv_bind, 3), lead(m.bind_weight, 3), ws.no_supplier, ws.finite_rows)


def step(econ, day: DayInputs) -> Shortages:
    """One day of ``econ`` (a :class:`~chainsim.engine.executor.FastEconomy` of a supported model), fused."""
    m, st, ws = econ.model, econ.state, econ.ws
    orders_received(m.ZbarT, st.ratio, ws.demand)
    n_new = ario_day(
        day.t, m.quirks.overproduction_from_day, float(m.params.alpha_base), BIND_TIE,
        1.0 / m.params.inventory_tau, not m.gap_gate_never, ws.keep_unmet, day.rebuilding,
        *econ.ario_arrays, day.delta, day.final_demand, day.rebuild, day.reported,
        st.inventory, st.lam_prev, st.ratio, st.alpha, st.x_prev, st.crashed,
        ws.demand, ws.capacity, ws.x_opt, ws.x, ws.min_rho, ws.bind_row, ws.phi, ws.phi_y, ws.lam, ws.V, ws.denom,
        ws.U, ws.OC, ws.unmet)
    st.placed = None
    if not n_new:
        return NO_SHORTAGES
    b, j = np.nonzero(ws.bind_row >= 0)
    return Shortages(b, j, ws.bind_row[b, j])


@compiled(fastmath={"reassoc"})
def orders_received(ZbarT, ratio, demand):
    r"""Factored orders received :math:`\sum_j \bar Z_{ij} r_{p(i)j}` into ``demand`` (the reduction reassociated)."""
    B = demand.shape[0]
    S, nb, N = ZbarT.shape
    for b in range(B):
        for p in range(S):
            for a in range(nb):
                acc = 0.0
                for j in range(N):
                    acc += ZbarT[p, a, j] * ratio[b, p, j]
                demand[b, a * S + p] = acc


@compiled
def ario_day(t, od_from, alpha_base, tie, inv_tau, gap_gate, keep_unmet, rebuilding,
             ZbarT, cap_ref, amax, atau, AC, goal, w_inv_bind, bind_w, no_supplier, finite,
             delta, final_demand, rebuild, reported,
             inv, lam_prev, ratio, alpha, x_prev, crashed,
             demand, capacity, x_opt, x, min_rho, bind_row, phi, phi_y, lam, V, denom, U, OC, unmet):
    """The ``ario`` day of every member (module docstring); returns the number of new binding buyers."""
    B = inv.shape[0]
    S, nb, N = ZbarT.shape
    n_new = 0
    lam_zero = False
    for b in range(B):
        # members' own parameter arrays have a leading axis of B, shared ones of 1
        bc, bm, bt = (b if cap_ref.shape[0] > 1 else 0), (b if amax.shape[0] > 1 else 0), (b if atau.shape[0] > 1
                                                                                           else 0)
        bw, bb = (b if w_inv_bind.shape[0] > 1 else 0), (b if bind_w.shape[0] > 1 else 0)
        for i in range(N):  # demand holds the orders received (orders_received)
            d = demand[b, i] * lam_prev[b, i] + final_demand[b, i]
            if rebuilding:
                d = d + rebuild[b, i]
            demand[b, i] = d
            d = demand[b, i]
            # 2. overproduction (BoARIO: decays only at zero scarcity, floored at 1)
            if t >= od_from:
                sig = (d - x_prev[b, i]) / d if d != 0.0 else 0.0
                a_ = alpha[b, i]
                inc = (amax[bm, i] - a_) * sig + ((alpha_base - a_) if sig == 0.0 else 0.0)
                a_ = a_ + inc / atau[bt, i]
                alpha[b, i] = a_ if a_ >= 1.0 or a_ != a_ else 1.0
            # 3. capacity and optimal production
            c = (1.0 - delta[b, i]) * cap_ref[bc, i]
            c = c * alpha[b, i]
            capacity[b, i] = c
            x_opt[b, i] = d if (d <= c or d != d) else c
            x[b, i] = 0.0
        # 4. production under the input limits (executor.production.input_limits)
        for p in range(S):
            for j in range(N):
                wib = w_inv_bind[bw, p, j]
                held = inv[b, p, j] * wib if wib != 0.0 else 0.0
                v = bind_w[bb, p, j] * x_opt[b, j] - held
                mx = x[b, j]
                if (v > mx or v != v) and mx == mx:
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
                for p in range(S):
                    wib = w_inv_bind[bw, p, j]
                    if wib != 0.0 and bind_w[bb, p, j] * x_opt[b, j] - inv[b, p, j] * wib >= lim:
                        row = p
                        break
                n_new += 1
            bind_row[b, j] = row
        # 5. capacity ratios and proportional served shares
        for i in range(N):
            cr = cap_ref[bc, i]
            v = capacity[b, i] / cr if cr != 0.0 else 1.0
            lam[b, i] = v
            if v == 0.0:
                lam_zero = True
            d = demand[b, i]
            f = x[b, i] / d if d != 0.0 else 0.0
            if not (f <= 1.0) and f == f:
                f = 1.0
            phi[b, i] = f
            phi_y[b, i] = f
    for b in range(B):
        bg = b if goal.shape[0] > 1 else 0
        # 6. deliveries (factor r applied in the stock loop) and the split's denominators
        for p in range(S):
            for j in range(N):
                V[b, p, j] = 0.0
                denom[b, p, j] = 0.0
            for a in range(nb):
                i = a * S + p
                tv = lam_prev[b, i] * phi[b, i]
                tw = lam[b, i]
                for j in range(N):
                    z = ZbarT[p, a, j]
                    V[b, p, j] += z * tv
                    denom[b, p, j] += z * tw
        if keep_unmet:
            u = 0.0
            for i in range(N):
                u += (1.0 - phi_y[b, i]) * final_demand[b, i]
            unmet[b] = u
        # 7. BoARIO's gated stock update and tomorrow's need (executor.distribution.stock_and_need_gated)
        close = True
        for p in range(S):
            for j in range(N):
                uu = AC[p, j] * x[b, j]
                v = V[b, p, j] * ratio[b, p, j]
                V[b, p, j] = v
                U[b, p, j] = uu
                if not (abs(v - uu) <= 1e-8 + 1e-5 * abs(uu)):
                    close = False
        xo = x_opt[b]
        if rebuilding:  # optimal production net of today's rebuilding deliveries (NaN propagates as in numpy)
            xo = np.empty(N)
            for j in range(N):
                v = demand[b, j] - rebuild[b, j] * phi[b, j]
                if v < 0.0:
                    v = 0.0
                c = capacity[b, j]
                xo[j] = v if (v <= c or v != v) else c
        neg = False
        if not close and not crashed[b]:
            for p in range(S):
                for j in range(N):
                    s = inv[b, p, j] - U[b, p, j]
                    s = s + V[b, p, j]
                    inv[b, p, j] = s
                    if s < 0.0:
                        neg = True
        else:
            for p in range(S):
                for j in range(N):
                    if inv[b, p, j] < 0.0:
                        neg = True
        if neg:
            crashed[b] = True
        gate = gap_gate
        for p in range(S):
            if not gate:
                break
            if finite[p]:
                for j in range(N):
                    g = goal[bg, p, j] * xo[j]
                    if not (abs(inv[b, p, j] - g) <= 1e-8 + 1e-5 * abs(g)):
                        gate = False
                        break
        for p in range(S):
            for j in range(N):
                o = goal[bg, p, j] * xo[j] - inv[b, p, j]
                if o < 0.0:
                    o = 0.0
                o = 0.0 if gate else o * inv_tau
                o = o + U[b, p, j]
                OC[b, p, j] = o
                d = denom[b, p, j] + no_supplier[p, j]
                ratio[b, p, j] = 0.0 if lam_zero and d <= 0.0 else o / d
        for i in range(N):
            lam_prev[b, i] = lam[b, i]
            x_prev[b, i] = x[b, i]
    return n_new
