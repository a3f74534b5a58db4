r"""Compiled (numba) loops for the hot elementwise parts of the default model's daily step.

The numpy step (:mod:`chainsim.engine.production`, :mod:`chainsim.engine.distribution`) makes
one pass over the day's (inputs x industries) arrays per operation, about twenty a day; DESIGN
§8 names that as what keeps a design from the speed target. The loops here do the same
arithmetic in the same order, one element at a time, so each array is read once: the results
are bitwise those of the numpy path (``tests/test_fused.py``: the Northeast table under the
main scenario's import cut, synthetic tables in four configurations, random one-day states).

They run for the default model (:func:`active`; the ARIO configuration keeps numpy), the
stock/need loop while orders are in factored form:

* :func:`orders_to_demand` — total demand from the factored orders received (spec §3 step 2);
* :func:`alpha_update` — overproduction (spec §5, the default model's decay rule);
* :func:`supply` — capacity and optimal production (spec §4);
* :func:`proportional_shares` — proportional rationing (spec §7);
* :func:`capacity_ratios` — the capacity weights of tomorrow's supplier shares (spec §8);
* :func:`foreign_restock` — foreign origins of products no cut touches deliver what is ordered;
* :func:`limits_partial` / :func:`limits_leontief` — production allowed by the input stocks;
* :func:`milestones` — capacity back within the milestone share (the engine's event log);
* :func:`stock_and_need` — the inventory update :math:`S \leftarrow \max(S - A^C x + V, 0)`
  and the order need :math:`O^C = \max(sA^C\tilde x^{opt} - S, 0)/\tau + A^C x` divided by
  the capacity-weighted baseline purchases.

Per-member arrays (``members.MEMBER_ARRAYS`` stacked over the batch) come with a leading axis
of B; shared ones with a leading axis of 1 (:func:`lead`). The functions here are plain Python
(slow, but they run as written); :func:`kernels` compiles them with numba on first use. Set
``ENABLED = False`` to run the numpy reference path.
"""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import numpy as np

__all__ = ["ENABLED", "active", "alpha_update", "capacity_ratios", "foreign_restock", "kernels", "lead",
           "limits_leontief", "limits_partial", "milestones", "orders_to_demand", "proportional_shares",
           "stock_and_need", "supply"]

#: use the compiled loops for the default model (False: the numpy reference path of
#: :mod:`chainsim.engine.kernel`); False if numba is not installed
ENABLED: bool = importlib.util.find_spec("numba") is not None

_KERNELS: SimpleNamespace | None = None


def active(model) -> bool:
    """Whether the day of ``model`` runs the compiled loops: the default model, numba available.

    The ARIO configuration keeps the numpy path: it is BoARIO's reference, and one run of it does
    not repay numba's import and LLVM start-up (about 0.3 s and 125 MB per process).
    """
    return ENABLED and not model.params.ario_quirks


def kernels() -> SimpleNamespace:
    """The compiled loops, built on first use (numba is imported then; compiled code is cached on disk)."""
    global _KERNELS
    if _KERNELS is None:
        from numba import njit

        jit = njit(cache=True, nogil=True, error_model="numpy")
        _KERNELS = SimpleNamespace(**{f.__name__: jit(f) for f in (
            alpha_update, supply, limits_partial, limits_leontief, proportional_shares, capacity_ratios,
            foreign_restock, stock_and_need, orders_to_demand, milestones)})
    return _KERNELS


def lead(a: np.ndarray, ndim: int) -> np.ndarray:
    """``a`` with a leading member axis: (1, ...) for a shared array of ``ndim - 1`` dims, else as is."""
    return a[None] if a.ndim == ndim - 1 else a


def alpha_update(alpha, demand, exo, x_prev, amax, atau, base, n_dom):
    r"""α += [(α_max - α)σ if σ > 0 else (α_b - α)]/τ_α, floored at α_b; σ = (D - x_{t-1})/D (0 if D = 0).

    ``demand`` and ``exo`` (B, n_sup) and (n_sup,) (D = demand - exo); ``amax``/``atau`` (1 or
    B, n_sup). Foreign supply nodes (columns ``n_dom`` ..) keep α = 1.
    """
    B, ns = alpha.shape
    for b in range(B):
        bm, bt = (b if amax.shape[0] > 1 else 0), (b if atau.shape[0] > 1 else 0)
        for i in range(n_dom):
            d = demand[b, i] - exo[i]
            sig = 0.0
            if d != 0.0:
                sig = (d - x_prev[b, i]) / d
            a = alpha[b, i]
            inc = (amax[bm, i] - a) * sig if sig > 0.0 else base - a
            a = a + inc / atau[bt, i]
            alpha[b, i] = a if a >= base or a != a else base
        for i in range(n_dom, ns):
            alpha[b, i] = 1.0


def limits_partial(inv, w_inv_bind, bind_weight, x_opt, x, min_rho, reported, tie, bind_row):
    r"""Partially binding Leontief: :math:`x_j = x^{opt}_j - \max(\max_p q_{pj}, 0)`.

    :math:`q_{pj} = w_{pj} x^{opt}_j - S_{pj} w_{pj}/d_{pj}` is each input's weighted shortfall.
    Writes output into ``x`` (foreign supply nodes, after the N domestic industries: x^{opt})
    and ``x / x^{opt}`` into ``min_rho`` (1 where x^{opt} = 0).
    For each column that binds (ratio below 1) and is not yet ``reported`` (B, N), the input
    binding hardest goes into ``bind_row`` (B, N; -1 elsewhere): the lowest row p with
    :math:`q_{pj} \ge \max_p q - tie\,x^{opt}_j` (``Workspace.binding_inputs``'s tie rule).
    Returns the number of such columns.
    """
    B, P, N = inv.shape
    n_new = 0
    for b in range(B):
        bw_, bb = (b if w_inv_bind.shape[0] > 1 else 0), (b if bind_weight.shape[0] > 1 else 0)
        for j in range(N):
            x[b, j] = -np.inf
        for p in range(P):
            for j in range(N):
                v = bind_weight[bb, p, j] * x_opt[b, j] - inv[b, p, j] * w_inv_bind[bw_, p, j]
                m = x[b, j]
                if (v > m or v != v) and m == m:  # numpy max: NaN propagates
                    x[b, j] = v
        for j in range(N):
            top = x[b, j]
            m = 0.0 if top < 0.0 else top
            xv = x_opt[b, j] - m
            x[b, j] = xv
            r = xv / x_opt[b, j] if x_opt[b, j] > 0.0 else 1.0
            min_rho[b, j] = r
            row = -1
            if r < 1.0 and not reported[b, j]:
                lim = top - tie * x_opt[b, j]
                row = 0
                for p in range(P):
                    if bind_weight[bb, p, j] * x_opt[b, j] - inv[b, p, j] * w_inv_bind[bw_, p, j] >= lim:
                        row = p
                        break
                n_new += 1
            bind_row[b, j] = row
        for i in range(N, x.shape[1]):  # foreign supply nodes produce what is asked of them
            x[b, i] = x_opt[b, i]
    return n_new


def limits_leontief(inv, inv_bind, inf_free, x_opt, x, min_rho, reported, tie, bind_row):
    r"""Leontief limits: :math:`x_j = \min(x^{opt}_j, \min_p q_{pj})`.

    :math:`q_{pj} = S_{pj}/d_{pj}` over inputs that can bind (+inf elsewhere).
    Writes output into ``x`` (foreign nodes as :func:`limits_partial`) and ``x / x^{opt}`` into
    ``min_rho``; for newly binding columns (as :func:`limits_partial`) the lowest row with
    :math:`q_{pj} \le \min_p q + tie\,x^{opt}_j` goes into ``bind_row``. Returns their number.
    """
    B, P, N = inv.shape
    n_new = 0
    for b in range(B):
        bi = b if inv_bind.shape[0] > 1 else 0
        for j in range(N):
            x[b, j] = np.inf
        for p in range(P):
            for j in range(N):
                v = inv[b, p, j] * inv_bind[bi, p, j] + inf_free[bi, p, j]
                m = x[b, j]
                if (v < m or v != v) and m == m:  # numpy min: NaN propagates
                    x[b, j] = v
        for j in range(N):
            low, xo = x[b, j], x_opt[b, j]
            m = low
            if not (m <= xo) and m == m:  # numpy minimum: NaN propagates from either side
                m = xo
            x[b, j] = m
            r = m / xo if xo > 0.0 else 1.0
            min_rho[b, j] = r
            row = -1
            if r < 1.0 and not reported[b, j]:
                lim = low + tie * xo
                row = 0
                for p in range(P):
                    if inv[b, p, j] * inv_bind[bi, p, j] + inf_free[bi, p, j] <= lim:
                        row = p
                        break
                n_new += 1
            bind_row[b, j] = row
        for i in range(N, x.shape[1]):  # foreign supply nodes produce what is asked of them
            x[b, i] = x_opt[b, i]
    return n_new


def stock_and_need(inv, AC, x, V, by_ratio, goal, xo, inv_tau, denom, no_supplier, fix_zero, U, OC, ratio):
    r"""Inventory update and tomorrow's need per unit of capacity-weighted baseline purchases.

    :math:`S \leftarrow \max(S - A^C x + V, 0)` with deliveries ``V``, or ``V`` times
    yesterday's ``ratio`` if ``by_ratio`` (the factored deliveries' last factor, applied here
    and written back: ``V`` holds today's deliveries on return either way);
    :math:`O^C = \max(s A^C \tilde x^{opt} - S, 0)/\tau + A^C x`;
    ``ratio`` :math:`= O^C / (d + \infty_{no\,supplier})` with ``denom`` d, and 0 where
    ``fix_zero`` and d <= 0 (an input whose every supplier is gone: need dropped).
    Today's use :math:`A^C x` is kept in ``U`` and the need in ``OC`` unless they are None.
    Shapes: ``inv``, ``V``, ``denom``, ``U``, ``OC``, ``ratio`` (B, S + K, N); ``AC``,
    ``no_supplier`` (S + K, N); ``goal`` (1 or B, S + K, N); ``x``, ``xo`` (B, >= N).
    """
    # U = OC = None compiles a version without those stores (numba prunes the branch): a store
    # under a run-time condition becomes a masked store, which on never-written (zero-page)
    # buffers costs a microcode assist each (30x slower, measured)
    B, P, N = inv.shape
    for b in range(B):
        bg = b if goal.shape[0] > 1 else 0
        for p in range(P):
            for j in range(N):
                u = AC[p, j] * x[b, j]
                v = V[b, p, j] * ratio[b, p, j] if by_ratio else V[b, p, j]
                V[b, p, j] = v  # today's deliveries, whichever way they came
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


def supply(delta, cap_ref, alpha, xbar, no_headroom_from, demand, exo, has_exo, capacity, x_opt
           ):
    r"""Capacity :math:`c = \bar x_{ref}(1-\Delta)\alpha` and optimal production :math:`x^{opt} = \min(D - e, c)`.

    Supply nodes from ``no_headroom_from`` on (cut foreign origins, when there is import
    headroom) deliver :math:`(1-\Delta)\bar x` while cut; ``exo`` is the exogenous supply e
    (used if ``has_exo``, floored at zero demand). ``cap_ref`` is (1 or B, n_sup).
    """
    B, ns = delta.shape
    for b in range(B):
        bc = b if cap_ref.shape[0] > 1 else 0
        for i in range(ns):
            dl = delta[b, i]
            c = (1.0 - dl) * cap_ref[bc, i]
            c = c * alpha[b, i]
            if i >= no_headroom_from and dl > 0.0:
                c = (1.0 - dl) * xbar[i]
            capacity[b, i] = c
            d = demand[b, i]
            if has_exo:
                d = d - exo[i]
                if d < 0.0:
                    d = 0.0
            x_opt[b, i] = d if (d <= c or d != d) else c  # numpy minimum: NaN propagates


def orders_to_demand(demand, lam_prev, final_demand):
    r"""Total demand from factored orders received: :math:`D = D\lambda_{t-1} + \bar y` (in place)."""
    B, ns = demand.shape
    for b in range(B):
        for i in range(ns):
            demand[b, i] = demand[b, i] * lam_prev[b, i] + final_demand[b, i]


def milestones(capacity, low, below, back):
    r"""Capacity milestones: ``back`` = was ``below`` and no longer :math:`c < c_{low}`; ``below`` updated.

    ``capacity`` (B, >= N), ``low`` (1 or B, N); returns the number of industries back.
    """
    B, N = below.shape
    n = 0
    for b in range(B):
        bl = b if low.shape[0] > 1 else 0
        for j in range(N):
            now = capacity[b, j] < low[bl, j]
            up = below[b, j] and not now
            back[b, j] = up
            n += up
            below[b, j] = now
    return n


def proportional_shares(x, exo, has_exo, demand, phi, phi_y):
    r"""Proportional rationing :math:`\varphi = \varphi^y = (x + e)/D` (0 if D = 0, at most 1 with exogenous supply)."""
    B, ns = x.shape
    for b in range(B):
        for i in range(ns):
            s = x[b, i] + exo[i] if has_exo else x[b, i]
            d = demand[b, i]
            f = s / d if d != 0.0 else 0.0
            if has_exo and not (f <= 1.0) and f == f:
                f = 1.0
            phi[b, i] = f
            phi_y[b, i] = f


def capacity_ratios(capacity, cap_ref, restock_from, lam):
    r"""Capacity ratios :math:`\lambda = c/c_{ref}` (1 where c_ref = 0); returns whether some λ is zero.

    Capped at 1 from supply node ``restock_from`` on (foreign origins serving restocking).
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


def foreign_restock(delta, cut_on, lo, n_sectors, demand, x_opt, capacity):
    r"""Foreign origins of a product no cut touches deliver what is ordered: :math:`x^{opt} = D`, :math:`c \ge D`.

    A product p is touched, for member b, if some origin of p (supply nodes ``lo + o S + p``)
    has a capacity loss, or ``cut_on[b, p]`` (an import cut into named regions; ``cut_on`` may
    have no columns). Origins of touched products keep the capacity-bound values.
    """
    B, ns = delta.shape
    n_or = (ns - lo) // n_sectors
    for b in range(B):
        for p in range(n_sectors):
            on = cut_on.shape[1] > 0 and cut_on[b, p]
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
