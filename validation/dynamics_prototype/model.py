r"""A readable dense-numpy day of chainsim's dynamics: today's default model and the proposed one.

One :class:`Config` switches each mechanism of ``docs/dynamics_design.md`` on or off, so the
diagnosis can switch candidates one at a time and the acceptance grid can run the proposed model.
``Config.today()`` is chainsim's default model as of commit 30b9e04 without re-sourcing (checked
day by day against ``chainsim.simulate`` by ``check_engine.py``); ``Config.proposed()`` is the
design.

Notation (daily flows, docs/model.md): supplier nodes i (regions' industries, domestic pools,
foreign origins), buyers j (N domestic industries), input rows r. A *slot* is a (supplier node,
input row) pair: a foreign origin of a partly substitutable product p delivers two slots, a
share :math:`\sigma_p` of its baseline flow to the pooled row p and :math:`1-\sigma_p` to the
imported-only row of p.

The day (proposed model; ``docs/dynamics_design.md`` §3):

1. demand :math:`D_i = \sum_j O_{ij} + y_i(t) + B_i/\tau_B` (orders placed yesterday, final
   demand, backlog release);
2. overproduction α (scarcity against yesterday's production), capacity
   :math:`c_i = \bar x_i(1-\Delta_i)\alpha_i`;
3. planned production
   :math:`\hat x_i = \min(\max(D_i + (F^*_i - F_i)/\tau_F,\ m_i c_i \mathbb 1[F_i<F^{max}_i]),\ c_i)`;
4. production :math:`x_j = \hat x_j \min_r [1 - w_{rj}(1-\min(1, S_{rj}/(b_r A_{rj}\hat x_j)))]`
   (b = 1 day: the stock covers the day's need, Pichler et al. 2022);
5. shipments :math:`q_i = \min(D_i, x_i + F_i, c_i)`, served share :math:`\varphi_i = q_i/D_i`,
   :math:`F_i \leftarrow F_i + x_i - q_i`;
6. deliveries :math:`V_{rj} = \sum_{i\in r} O_{ij}\varphi_i`, use :math:`U_{rj} = \min(A_{rj}x_j, S_{rj})`,
   :math:`S_{rj} \leftarrow S_{rj} - U_{rj} + V_{rj}` (exact);
7. backlog of durable final demand;
8. orders :math:`O^C_{rj} = \max(A_{rj}\hat x_j + (s_r A_{rj}\hat x_j - S_{rj})/\tau_{inv}, 0)` split
   by :math:`W_{ij}\lambda_{i,r(j)}` (capacity ratios; a foreign origin's towards the buyer's region).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from economy import Economy, rauch_noncompetitive

MASK = 1e-5
MATERIAL = 0.005  # an input "binds materially" when it alone cuts the buyer's output by more than 0.5 %


@dataclass(frozen=True)
class Config:
    """Mechanism switches and parameters (arrays are per product (S,) unless said)."""

    # inventories
    inv_days: np.ndarray | float = 90.0          # s_p, days of use (np.inf: never binds)
    inventory_scale: float = 1.0
    inv_tau: np.ndarray | float = 60.0          # τ_inv (per product allowed)
    # production constraint
    binding: str = "psi"                        # "psi": S < ψ s A x̂ binds (ARIO); "cover": S < b A x̂ (Pichler)
    psi: float = 0.8
    cover_days: float = 1.0                     # b
    # orders
    order_basis: str = "actual"                 # "actual": A x (ARIO); "planned": A x̂ (Pichler eq. 4)
    signed_gap: bool = False                    # (s A x̂ - S)/τ may be negative (Pichler) or not (ARIO)
    target_basis: str = "planned"               # stock target s A x̂ ("planned", ARIO) or s A x̄ ("baseline", Pichler)
    min_cover_days: float = 0.0                 # floor of the scaled stock days (the cover b of flow inputs)
    # accounting
    exact_use: bool = False                     # U = min(A x, S) instead of clipping S at 0
    # rationing
    rationing: str = "proportional"             # or "intermediate_first"
    # overproduction
    alpha_max: np.ndarray | float = 1.25        # per product (domestic industries)
    alpha_tau: np.ndarray | float = 365.0
    # imports
    sigma: np.ndarray | None = None             # substitutable share of imports (S,); None = Rauch 0/1
    headroom: np.ndarray | float = 1.0          # foreign capacity / baseline: scalar, per product (S,) or node (n_sup,)
    restock_rule: str = "today"                 # "today": origins deliver all orders of uncut products
    sigma_weight: bool = False                  # imported-only row binds with w (1 - σ) (partial substitutability)
    # producers' output stocks
    fg_days: np.ndarray | float = 0.0           # F* in days of baseline output
    fg_tau: float = 30.0                        # τ_F
    fg_max: float = 2.0                         # F^max = fg_max F*
    min_run: np.ndarray | float = 0.0           # m_p, share of capacity a continuous process keeps running
    fg_ship_within_capacity: bool = True        # shipments (production + stock) <= today's capacity
    split_weight: str = "capacity"              # supplier weights of the split: c/c̄ incl. α ("capacity", ARIO
                                                # "alt") or the capacity left by losses 1 - Δ ("loss_only")
    # catch-up of durable final demand
    backlog_share: np.ndarray | float = 0.0     # share of final demand of p carried over when unmet (S,)
    backlog_tau: float = 60.0                   # τ_B release time
    backlog_loss_tau: float = 180.0             # τ_L decay (demand abandoned)
    backlog_last: bool = False                  # the backlog is served from what is left after today's demand
    # criticality
    criticality: np.ndarray | None = None       # (S, S) override of the economy's matrix
    init_stock_factor: float = 1.0              # initial input stocks as a share of target (stability probes)
    notes: dict = field(default_factory=dict)

    @staticmethod
    def today(**kw) -> Config:
        """chainsim's default model (30b9e04) without re-sourcing."""
        return Config(**kw)

    def but(self, **kw) -> Config:
        return replace(self, **kw)


def _per_product(v, S: int) -> np.ndarray:
    a = np.asarray(v, float)
    return np.full(S, float(a)) if a.ndim == 0 else a.astype(float)


@dataclass
class Structure:
    """Arrays that depend on the economy and the configuration (built once per run)."""

    slot_node: np.ndarray      # (n_slots,)
    slot_row: np.ndarray       # (n_slots,)
    W: np.ndarray              # (n_slots, N) baseline deliveries of each slot
    n_rows: int
    row_product: np.ndarray    # (n_rows,)
    A: np.ndarray              # (n_rows, N)
    weight: np.ndarray         # (n_rows, N) binding weight
    s_days: np.ndarray         # (n_rows,) inventory target days
    tau: np.ndarray            # (n_rows,)
    cap_ref: np.ndarray        # (n_sup,)
    amax: np.ndarray           # (n_sup,)
    atau: np.ndarray           # (n_sup,)
    fg_star: np.ndarray        # (n_sup,) finished-goods target
    min_run: np.ndarray        # (n_sup,)
    backlog_share: np.ndarray  # (n_sup,)


def build(eco: Economy, cfg: Config) -> Structure:
    S, N, n_sup = eco.S, eco.N, eco.n_sup
    if cfg.sigma is None:
        sigma = np.ones(S)
        sigma[rauch_noncompetitive(eco)] = 0.0
    else:
        sigma = _per_product(cfg.sigma, S)
    nc = np.flatnonzero(sigma < 1.0)
    imp_row = np.full(S, -1)
    imp_row[nc] = S + np.arange(len(nc))
    nodes, rows, Ws = [], [], []
    for i in range(n_sup):
        p = eco.product_of[i]
        if eco.is_foreign[i] and sigma[p] < 1.0:
            if sigma[p] > 0.0:
                nodes.append(i), rows.append(p), Ws.append(sigma[p] * eco.Zbar[i])
            nodes.append(i), rows.append(imp_row[p]), Ws.append((1.0 - sigma[p]) * eco.Zbar[i])
        else:
            nodes.append(i), rows.append(p), Ws.append(eco.Zbar[i])
    slot_node, slot_row, W = np.array(nodes), np.array(rows), np.array(Ws)
    n_rows = S + len(nc)
    row_product = np.r_[np.arange(S), nc]
    xb = eco.xbar[:N]
    inv_x = np.divide(1.0, xb, out=np.zeros(N), where=xb != 0)
    A = np.zeros((n_rows, N))
    np.add.at(A, slot_row, W)
    A *= inv_x[None, :]
    crit = eco.crit if cfg.criticality is None else cfg.criticality
    weight = crit[row_product][:, eco.sector_of_buyer] * (A > MASK)
    if cfg.sigma_weight:  # the imported-only row binds with weight w (1 - σ_p): the share of output exposed
        weight[S:] *= (1.0 - sigma[nc])[:, None]
    s_days = np.maximum(_per_product(cfg.inv_days, S)[row_product] * cfg.inventory_scale, cfg.min_cover_days)
    tau = _per_product(cfg.inv_tau, S)[row_product]
    hd = np.asarray(cfg.headroom, float)
    cap_ref = eco.xbar.copy()
    if hd.ndim == 1 and hd.size == n_sup:  # per supply node (origin x product)
        cap_ref[eco.is_foreign] *= hd[eco.is_foreign]
    else:
        head = _per_product(cfg.headroom, S)
        cap_ref[eco.is_foreign] *= head[eco.product_of[eco.is_foreign]]
    amax = np.ones(n_sup)
    atau = np.ones(n_sup)
    amax[:N] = _per_product(cfg.alpha_max, S)[eco.sector_of_buyer]
    atau[:N] = _per_product(cfg.alpha_tau, S)[eco.sector_of_buyer]
    fg = np.zeros(n_sup)
    fg[:N] = _per_product(cfg.fg_days, S)[eco.sector_of_buyer] * eco.xbar[:N]
    mr = np.zeros(n_sup)
    mr[:N] = _per_product(cfg.min_run, S)[eco.sector_of_buyer]
    bs = np.zeros(n_sup)
    bs[:N] = _per_product(cfg.backlog_share, S)[eco.sector_of_buyer]
    return Structure(slot_node, slot_row, W, n_rows, row_product, A, weight, s_days, tau, cap_ref,
                     amax, atau, fg, mr, bs)


@dataclass
class Shock:
    """Per-day shock profiles (functions of the day index).

    ``delta(t)`` (n_sup,) capacity loss; ``imp(t)`` None or the import cut, an (n_sup, R) array of the
    share of each foreign node's baseline flow into each buyer region that is cut (proposed model only:
    one mechanism for national and provincial cuts); ``fd(t)`` None or (n_sup,) multiplier on final
    demand (the cut part is deferred into the backlog for the products that carry one over).
    """

    delta: callable
    imp: callable | None = None      # (n_sup, R) import-cut share of foreign node -> buyer region
    fd: callable | None = None


@dataclass
class Trace:
    x: np.ndarray              # (T, n_sup) production
    ship: np.ndarray           # (T, n_sup)
    unmet_fd: np.ndarray       # (T,) unmet final demand
    binding: list              # per day: (j, row) of newly binding pairs (first time)
    conserve_err: np.ndarray   # (T,) max |S_open + V - U - S_close| / scale
    stock_cover: np.ndarray | None = None   # (T, n_rows, N) days of cover (optional, costly)
    extra: dict = field(default_factory=dict)


def run(eco: Economy, cfg: Config, shock: Shock, days: int, keep_cover: bool = False,
        keep_flows: bool = False) -> Trace:
    """Simulate ``days`` days from the equilibrium."""
    st = build(eco, cfg)
    S_, N, n_sup, R = eco.S, eco.N, eco.n_sup, eco.R
    A, W, slot_node, slot_row = st.A, st.W, st.slot_node, st.slot_row
    n_rows = st.n_rows
    xbar = eco.xbar
    is_f = eco.is_foreign
    # state
    fin = np.isfinite(st.s_days)
    s_fin = np.where(fin, st.s_days, 0.0)
    inv = cfg.init_stock_factor * s_fin[:, None] * A * xbar[None, :N]  # S_rj
    inv[~fin] = np.inf                                                   # infinite inventories never bind
    O = W.copy()                                                         # orders per slot (served today)
    alpha = np.ones(n_sup)
    x_prev = xbar.copy()
    F = st.fg_star.copy()
    B = np.zeros(n_sup)
    goal = s_fin[:, None] * A
    if cfg.binding == "psi":
        bind_days = np.where(np.isfinite(st.s_days), cfg.psi * st.s_days, 0.0)
    else:
        bind_days = np.where(np.isfinite(st.s_days), cfg.cover_days, 0.0)
    dcoef = bind_days[:, None] * A                                       # S / (dcoef x̂) = ratio
    can_bind = (st.weight > 0) & (dcoef > 0)
    goal_fin = goal
    x_hist = np.zeros((days, n_sup))
    ship_hist = np.zeros((days, n_sup))
    unmet = np.zeros(days)
    cons = np.zeros(days)
    binding, seen = [], np.zeros((n_rows, N), bool)
    binding_m, seen_m = [], np.zeros((n_rows, N), bool)
    cover = np.zeros((days, n_rows, N)) if keep_cover else None
    flows = {"V": [], "U": [], "phi": [], "D": [], "xhat": []} if keep_flows else None
    foreign_nodes = np.flatnonzero(is_f)
    by_region = cfg.restock_rule != "today"
    n_slots = len(slot_row)
    Zor = np.stack([eco.Zbar[:, eco.region_of_buyer == r].sum(axis=1) for r in range(R)], axis=1)  # node -> region
    head = np.divide(st.cap_ref, xbar, out=np.ones(n_sup), where=xbar > 0)
    agg = np.zeros((n_rows, len(slot_row)))                              # (rows x slots) 0/1 aggregation
    agg[slot_row, np.arange(len(slot_row))] = 1.0
    prod_f = eco.product_of[foreign_nodes]
    buyer_region = eco.region_of_buyer
    for t in range(days):
        delta = shock.delta(t)
        yfac = shock.fd(t) if shock.fd is not None else 1.0
        y_t = eco.ybar * yfac
        # backlog: the final demand cut that is deferred, and the release
        rel = B / cfg.backlog_tau
        # 1. demand
        D = np.bincount(slot_node, weights=O.sum(axis=1), minlength=n_sup) + y_t + rel
        # 2. overproduction (domestic industries) from day 1
        if t >= 1:
            Dn = D[:N] - eco.exo[:N]
            sig = np.divide(Dn - x_prev[:N], Dn, out=np.zeros(N), where=Dn != 0)
            a = alpha[:N]
            inc = np.where(sig > 0, (st.amax[:N] - a) * sig, 1.0 - a)
            a += inc / st.atau[:N]
            np.maximum(a, 1.0, out=a)
        cap = st.cap_ref * (1.0 - delta) * alpha
        cut_f = is_f & (delta > 0)
        cap[cut_f] = ((1.0 - delta) * xbar)[cut_f] if cfg.restock_rule == "today" else cap[cut_f]
        Dx = np.maximum(D - eco.exo, 0.0)
        # 3. planned production
        if st.fg_star.any() or st.min_run.any():
            want = Dx + (st.fg_star - F) / cfg.fg_tau
            floor = np.where(F < cfg.fg_max * st.fg_star, st.min_run * cap, 0.0)
            xhat = np.minimum(np.maximum(want, floor), cap)
            xhat = np.maximum(xhat, 0.0)
        else:
            xhat = np.minimum(Dx, cap)
        if cfg.restock_rule == "today":  # origins of products no cut touches deliver every order
            touched = np.zeros(S_, bool)
            touched[prod_f[delta[foreign_nodes] > 0]] = True
            free = foreign_nodes[~touched[prod_f]]
            xhat[free] = D[free]
            cap[free] = np.maximum(cap[free], D[free])
        # 4. production under the input constraints
        xo = xhat[:N]
        with np.errstate(divide="ignore", invalid="ignore"):
            rho = np.where(can_bind, inv / (dcoef * xo[None, :]), 1.0)
        rho = np.where(np.isnan(rho), 1.0, np.minimum(rho, 1.0))
        lim = 1.0 - st.weight * (1.0 - rho)
        x = xhat.copy()
        x[:N] = xo * lim.min(axis=0)
        newb = (rho < 1.0) & (st.weight > 0) & ~seen
        if newb.any():
            r_, j_ = np.nonzero(newb)
            binding.append((t, r_, j_))
            seen |= newb
        newm = (lim < 1.0 - MATERIAL) & ~seen_m
        if newm.any():
            r_, j_ = np.nonzero(newm)
            binding_m.append((t, r_, j_))
            seen_m |= newm
        # foreign origins: capacity h Z̄_or (1 - cut_or) towards each buyer region r (one mechanism for
        # national and provincial cuts); demand, production and served shares by destination region
        if by_region:
            Dr = np.zeros((n_sup, R))
            Os = O.reshape(n_slots, R, S_).sum(axis=2)
            for r in range(R):
                Dr[:, r] = np.bincount(slot_node, weights=Os[:, r], minlength=n_sup)
            cut = shock.imp(t) if shock.imp is not None else 0.0
            capr = head[:, None] * Zor * (1.0 - cut) * (1.0 - delta)[:, None]
            xr = np.minimum(Dr, capr)
            phir = np.divide(xr, Dr, out=np.zeros_like(Dr), where=Dr > 0)
            x[foreign_nodes] = xr[foreign_nodes].sum(axis=1)
            xhat[foreign_nodes] = x[foreign_nodes]
        # 5. shipments and rationing
        if st.fg_star.any():
            q = np.minimum(Dx, x + F)
            if cfg.fg_ship_within_capacity:  # the plant's capacity (workers, docks) also limits what it ships
                q = np.minimum(q, np.maximum(cap, x))
            F = F + x - q
        else:
            q = x
        q_tot = q + eco.exo
        phi = np.divide(q_tot, D, out=np.zeros(n_sup), where=D != 0)
        phi = np.minimum(phi, 1.0)
        if cfg.rationing == "intermediate_first":
            inter = D - y_t - rel
            phi_int = np.divide(q_tot, inter, out=np.ones(n_sup), where=inter > 0)
            phi_int = np.minimum(phi_int, 1.0)
            left = np.maximum(q_tot - inter, 0.0)
            phi_y = np.divide(left, y_t + rel, out=np.zeros(n_sup), where=(y_t + rel) > 0)
            phi_y = np.minimum(phi_y, 1.0)
        else:
            phi_int = phi_y = phi
        rel_served = rel * phi_y
        if cfg.backlog_last:  # postponed orders are filled from what is left after today's orders
            cur = D - rel
            phi_int = phi_y = np.minimum(np.divide(q_tot, cur, out=np.zeros(n_sup), where=cur > 0), 1.0)
            rel_served = np.minimum(rel, np.maximum(q_tot - cur, 0.0))
        unmet[t] = float((y_t * (1.0 - phi_y)).sum() + (rel - rel_served).sum())
        # 6. deliveries, use, stocks
        PHI = np.repeat(phi_int[:, None], R, axis=1)                       # served share by node and buyer region
        if by_region:
            PHI[foreign_nodes] = phir[foreign_nodes]
        V = agg @ (O * PHI[slot_node][:, buyer_region])                     # sum over the slots of each row
        U = A * x[None, :N]
        if cfg.exact_use:
            U = np.minimum(U, inv)
            new = inv - U + V
            cons[t] = float(np.nanmax(np.abs(np.where(np.isfinite(inv), inv + V - U - new, 0.0)))
                            / max(1.0, np.nanmax(np.where(np.isfinite(inv), np.abs(inv), 0.0))))
            inv = new
        else:
            new = inv - U + V
            clipped = np.where(np.isfinite(new), np.minimum(new, 0.0), 0.0)
            cons[t] = float(-clipped.min() / max(1.0, np.nanmax(np.where(np.isfinite(inv), inv, 0.0))))
            inv = np.maximum(new, 0.0)
        if keep_cover:
            need = A * xbar[None, :N]
            cover[t] = np.divide(inv, need, out=np.full_like(inv, np.inf), where=need > 0)
        if keep_flows:
            flows["V"].append(V), flows["U"].append(U), flows["phi"].append(phi), flows["D"].append(D)
            flows["xhat"].append(xhat)
        # 7. backlog of durable final demand
        if st.backlog_share.any():
            lost_today = (eco.ybar - y_t)  # demand cut by a final-demand shock: deferred share
            # released demand that is served leaves the backlog; unserved new demand of durables and the
            # deferred part of a final-demand cut join it; the backlog decays (abandoned orders)
            B = (B - rel_served - B / cfg.backlog_loss_tau
                 + st.backlog_share * (y_t * (1.0 - phi_y) + np.maximum(lost_today, 0.0)))
            B = np.maximum(B, 0.0)
        # 8. orders for tomorrow
        basis = xhat[:N] if cfg.order_basis == "planned" else x[:N]
        tgt_x = xhat[:N] if cfg.target_basis == "planned" else xbar[:N]
        gap = goal_fin * tgt_x[None, :] - np.where(np.isfinite(inv), inv, 0.0)
        if not cfg.signed_gap:
            gap = np.maximum(gap, 0.0)
        OC = A * basis[None, :] + gap / st.tau[:, None]
        OC = np.maximum(OC, 0.0)
        if cfg.split_weight == "loss_only":  # overproduction serves the orders a supplier gets, attracts none
            lam = 1.0 - delta
        else:
            lam = np.divide(cap, st.cap_ref, out=np.ones(n_sup), where=st.cap_ref != 0)
        if cfg.restock_rule == "today":
            lam[is_f] = np.minimum(lam[is_f], 1.0)
        LAM = np.repeat(lam[:, None], R, axis=1)
        if by_region:  # foreign: capacity towards the buyer's region relative to its reference h Z̄_or
            ref = head[:, None] * Zor
            LAM[foreign_nodes] = np.divide(capr, ref, out=np.ones_like(capr), where=ref > 0)[foreign_nodes]
        Wl = W * LAM[slot_node][:, buyer_region]
        den = agg @ Wl
        ratio = np.divide(OC, den, out=np.zeros_like(OC), where=den > 0)
        O = Wl * ratio[slot_row]
        x_prev = x
        x_hist[t] = x
        ship_hist[t] = q
    tr = Trace(x=x_hist, ship=ship_hist, unmet_fd=unmet, binding=binding, conserve_err=cons, stock_cover=cover)
    tr.extra["structure"] = st
    tr.extra["binding_material"] = binding_m
    tr.extra["final_inv"] = inv
    tr.extra["F"] = F
    tr.extra["B"] = B
    if keep_flows:
        tr.extra["flows"] = flows
    return tr


def capacity_shock(eco: Economy, cuts: list[tuple[str, float, int, int]]):
    """Capacity losses [(label "JL|18", share, first day, days)], full strength then back at once."""
    rows = [(eco.labels.index(lab), sh, t0, d) for lab, sh, t0, d in cuts]

    def delta(t):
        out = np.zeros(eco.n_sup)
        for i, sh, t0, d in rows:
            if t0 <= t < t0 + d:
                out[i] = max(out[i], sh)
        return out
    return Shock(delta=delta)
