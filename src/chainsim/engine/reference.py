r"""One day of the ARIO-family dynamics, dense and flag-free: the executable specification.

Read it next to ``docs/model.md`` §2: each function is one equation, in the order of the day,
on dense arrays with a leading batch axis B (orders are explicit (B, n_sup, N) matrices; no
factored forms, no overrides, no compiled loops). Where BoARIO 0.7.2 differs from chainsim's
default model, the equation takes the choice from the model's quirk set
(:mod:`chainsim.engine.quirks`). The state of the day is a :class:`DenseState`
(:mod:`chainsim.engine.reference_state`); :func:`step` runs the day.

Notation (daily flows): :math:`\bar x` baseline output, :math:`\bar Z` baseline deliveries,
:math:`A^C_{cj}` requirement of input c per unit of output of j, :math:`S_{cj}` stocks,
:math:`O_{ij}` orders of buyer j with supplier i, :math:`\alpha` overproduction,
:math:`\Delta` capacity loss; :math:`i \in c`: supply node i delivers input c.

References
----------
.. [1] Hallegatte, S. (2014). Modeling the role of inventories and heterogeneity in the
   assessment of the economic costs of natural disasters. *Risk Analysis* 34(1), 152-167.
.. [2] Juhel, S. (2023). BoARIO mathematical documentation (``boario-math.rst``), version 0.7.2.
.. [3] Pichler, A. et al. (2022). Forecasting the propagation of pandemic shocks with a dynamic
   input-output model. *J. Economic Dynamics and Control* 144, 104527.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainsim.engine.economy import BIND_TIE, SCARCITY_NOISE, DayInputs
from chainsim.engine.model import EconomyModel
from chainsim.engine.rationing import RULES
from chainsim.engine.reference_state import DenseState, allclose_members, by_input, slot_layers

__all__ = ["DayResult", "step"]


@dataclass
class DayResult:
    """Today's quantities.

    Final demand, demand, capacity, optimal production, production and served shares (orders,
    final demand, rebuilding demand) (B, n_sup),
    deliveries to stocks and use of stocks (B, S + K, N), final demand not met (B,), and the row of
    the input that binds hardest for each buyer (B, N; -1 where none binds or the shortage was
    reported).
    """

    final_demand: np.ndarray
    demand: np.ndarray
    capacity: np.ndarray
    x_opt: np.ndarray
    x: np.ndarray
    phi: np.ndarray
    phi_y: np.ndarray
    phi_rebuild: np.ndarray
    deliveries: np.ndarray
    unmet: np.ndarray
    binding: np.ndarray
    use: np.ndarray
    done_without: np.ndarray


def total_demand(m: EconomyModel, st: DenseState, y: np.ndarray, rebuild: np.ndarray) -> np.ndarray:
    r"""§2.2 :math:`D_i = \sum_j (O_{ij} + O^{sub}_{ij}) + y_i + \text{rebuilding demand}_i + B_i/\tau_B`.

    The last term is the release of the backlog of postponed final demand (default model, §2.8).
    """
    D = st.orders.sum(axis=2) + st.substitution_orders.sum(axis=2) + y + rebuild
    if st.import_orders is not None:  # the second slots of the split products (§1)
        D += st.import_orders.sum(axis=2)
    if m.has_backlog:
        D += st.postponed / m.backlog_release_tau
    return D


def deferred_demand(m: EconomyModel, st: DenseState, rebuild: np.ndarray) -> np.ndarray:
    r"""§2.8 Demand served after today's orders and final demand.

    The backlog's release :math:`B/\tau_B`, and rebuilding demand when ``rebuild_served="last"``
    (zero otherwise).
    """
    out = st.postponed / m.backlog_release_tau if m.has_backlog else np.zeros_like(rebuild)
    if m.params.rebuild_served == "last":
        out = out + rebuild
    return out


def deferred_share(m: EconomyModel, D: np.ndarray, q: np.ndarray, deferred: np.ndarray) -> np.ndarray:
    r"""§2.8 Served share of the deferred demand L, from what is left: :math:`\min(1, (q + e - (D - L))^+/L)`."""
    left = np.maximum(q + m.exo_supply - (D - deferred), 0.0)
    return np.minimum(np.divide(left, deferred, out=np.ones_like(left), where=deferred > 0), 1.0)


def backlog_served(m: EconomyModel, st: DenseState, phi_d: np.ndarray, y: np.ndarray, phi_y: np.ndarray) -> None:
    r"""§2.8 The backlog: its release served at the deferred share, decays, grows (in place).

    :math:`R = B/\tau_B`; :math:`B \leftarrow B - R\varphi^{d} - B/\tau_L + \beta\, y(1 - \varphi^y)`.
    """
    B = st.postponed
    st.postponed = B - (B / m.backlog_release_tau) * phi_d - B / m.backlog_loss_tau + m.backlog_share * (
        y * (1.0 - phi_y))


def overproduction(m: EconomyModel, st: DenseState, D: np.ndarray) -> np.ndarray:
    r"""§2.3 α moves toward :math:`\alpha_{max}` under scarcity :math:`\sigma = (D - e - x_{t-1})/(D - e)`.

    Default:
    :math:`\alpha + [(\alpha_{max}-\alpha)\sigma 1_{\sigma>\epsilon}
    + (\alpha_b-\alpha)1_{\sigma\le\epsilon}]/\tau_\alpha`,
    floored at :math:`\alpha_b` (ε = :data:`~chainsim.engine.economy.SCARCITY_NOISE`); BoARIO: the
    first term for every σ, the second only at σ = 0, floored at 1. Foreign supply nodes keep α = 1.
    """
    a, base = st.alpha, m.params.alpha_base
    Dn = D - m.exo_supply
    sigma = np.divide(Dn - st.x_prev, Dn, out=np.zeros_like(Dn), where=Dn != 0)
    if m.quirks.overproduction_rule == "decay_at_zero_scarcity":
        a = np.maximum(a + ((m.alpha_max - a) * sigma + (base - a) * (sigma == 0)) / m.alpha_tau, 1.0)
    else:
        a = np.maximum(a + np.where(sigma > SCARCITY_NOISE, (m.alpha_max - a) * sigma, base - a) / m.alpha_tau, base)
    a[:, m.n:] = 1.0
    return a


def production_capacity(m: EconomyModel, alpha: np.ndarray, delta: np.ndarray,
                        foreign_open: np.ndarray | None = None) -> np.ndarray:
    r"""§2.4 :math:`c = \bar c(1-\Delta)\alpha`.

    Foreign origins (§5.4): with ``per_region_imports``, :math:`c_o = h_o\bar x_o(1-\Delta_o)\,\omega_o`
    with ω the share of the origin's baseline flow whose links are open (import cuts close links);
    otherwise a cut foreign supply node delivers :math:`(1-\Delta)\bar x` (no headroom while cut).
    """
    c = (1.0 - delta) * m.cap_ref * alpha
    N = m.n
    if m.per_region_imports:
        if foreign_open is not None:
            c[:, N:] *= foreign_open[:, N:]
    else:
        c[:, N:] = np.where(delta[:, N:] > 0, (1.0 - delta[:, N:]) * m.xbar[N:], c[:, N:])
    return c


def optimal_production(m: EconomyModel, D: np.ndarray, c: np.ndarray, F: np.ndarray | None = None) -> np.ndarray:
    r"""§2.4, §5.7 Planned production; exogenous supply e covers demand first.

    Without finished goods :math:`\hat x = \min(\max(D - e, 0), c)`. With them (§2.4):
    :math:`\hat x = \min(\max(D - e + (F^* - F)/\tau_F,\ m c\,1[F < F^{max}]), c)^+`: a producer
    restores its output stock, and a continuous process keeps running at m of capacity into stock.
    """
    if not m.has_fg:
        return np.minimum(np.maximum(D - m.exo_supply, 0.0), c)
    want = D - m.exo_supply + (m.fg_star - F) / m.fg_tau
    floor = np.where(F < m.fg_max, m.min_run * c, 0.0)
    return np.maximum(np.minimum(np.maximum(want, floor), c), 0.0)


def shipments(m: EconomyModel, D: np.ndarray, x: np.ndarray, c: np.ndarray, F: np.ndarray) -> np.ndarray:
    r"""§2.6 Shipments :math:`q = \min(\max(D - e, 0), x + F, \max(c, x))`; F becomes :math:`F + x - q` (in place).

    A plant ships from stock only within today's capacity. Without finished goods q = x.
    """
    q = np.minimum(np.minimum(np.maximum(D - m.exo_supply, 0.0), x + F), np.maximum(c, x))
    F += x - q
    return q


def foreign_restock(m: EconomyModel, D: np.ndarray, x_opt: np.ndarray, c: np.ndarray, delta: np.ndarray,
                    import_cut_on: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""§5.4 Foreign origins of a product no import cut touches deliver what is ordered.

    :math:`x^{opt} = D`, :math:`c \ge D`. A product is touched when an origin of it has a
    capacity loss or a cut into named regions
    is in force (``import_cut_on``). Only the supply nodes from ``m.restock_from`` on restock.
    """
    lo, S, B = m.restock_from, m.n_sectors, D.shape[0]
    touched = (delta[:, lo:].reshape(B, -1, S) > 0).any(axis=1) | import_cut_on  # (B, S)
    free = np.zeros_like(D, dtype=bool)
    free[:, lo:] = ~np.broadcast_to(touched[:, None, :], (B, (m.n_sup - lo) // S, S)).reshape(B, -1)
    return np.where(free, D, x_opt), np.where(free, np.maximum(c, D), c)


def input_limits(m: EconomyModel, S: np.ndarray, x_opt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""§2.4 :math:`x_j = x^{opt}_j \min_c [1 - w_{cj}(1-\rho_{cj})]`, :math:`\rho = \min(1, S/(\psi s A^C x^{opt}))`.

    Inputs that cannot bind (``bind_denom`` 0) have ρ = 1. Returns production (foreign nodes
    produce :math:`x^{opt}`) and each input's factor :math:`1 - w(1-\rho)` (B, S + K, N).
    """
    N = m.n
    level = m.bind_denom * x_opt[:, None, :N]
    rho = np.minimum(np.divide(S, level, out=np.ones_like(level), where=level > 0), 1.0)
    factor = 1.0 - m.bind_weight * (1.0 - rho)
    if m.n_named:  # a product's imported-only rows bind together: their shortfalls add up
        factor = 1.0 - grouped_shortfalls(m, 1.0 - factor)
    x = x_opt.copy()
    x[:, :N] = x_opt[:, :N] * factor.min(axis=1)
    return x, factor


def grouped_shortfalls(m: EconomyModel, short: np.ndarray) -> np.ndarray:
    r"""§2.4 Shortfalls (B, S + K + E, N) with each named origin's row added to its product's shared row.

    The lines of a buyer's output that need product p's imported varieties are split by origin
    (the row of origin o binds :math:`w(1-\sigma_p)\,m_o`, m_o its share of p's imports), so a
    product's imported-only rows bind together: :math:`\sum_o w(1-\sigma_p) m_o (1-\rho_o)` on the
    shared row, the named rows 0. Negative shortfalls (a stock above the day's need) count as 0 in
    the sum: when every origin is short alike, this is the shared row's :math:`w(1-\sigma_p)(1-\rho)`.
    """
    K0 = m.n_inputs - m.n_named
    out = short.copy()
    named = np.maximum(short[:, K0:], 0.0)
    out[:, m.named_group] = np.maximum(out[:, m.named_group], 0.0)
    np.add.at(out, (slice(None), m.named_group), named)
    out[:, K0:] = 0.0
    return out


def binding_inputs(m: EconomyModel, S: np.ndarray, x_opt: np.ndarray, factor: np.ndarray, reported: np.ndarray
                   ) -> np.ndarray:
    r"""Row of the input binding hardest for each buyer that binds and was not reported (-1 elsewhere).

    Inputs whose weighted shortfall :math:`w(1 - S/(\psi s A^C x^{opt}))` (not capped: a stock
    above the day's need counts as negative) is within :data:`~chainsim.engine.economy.BIND_TIE`
    of the largest are ties, named by the lowest row; an input that cannot bind (``bind_denom``
    0) is never named.
    """
    low = factor.min(axis=1)
    level = m.bind_denom * x_opt[:, None, :m.n]
    can = (m.bind_denom > 0) & (level > 0)
    short = np.where(can, m.bind_weight * (1.0 - np.divide(S, level, out=np.zeros_like(level), where=can)), -np.inf)
    if m.n_named:  # a product's imported-only rows bind together (named on the shared row)
        K0 = m.n_inputs - m.n_named
        grouped = grouped_shortfalls(m, np.where(can, short, 0.0))
        shared = np.zeros(m.n_inputs, dtype=bool)
        shared[m.named_group] = True
        can_group = can.copy()
        np.logical_or.at(can_group, (slice(None), m.named_group), can[:, K0:])
        short = np.where(shared[None, :, None], np.where(can_group, grouped, -np.inf), short)
        short[:, K0:] = -np.inf
    rows = np.argmax(short >= short.max(axis=1, keepdims=True) - BIND_TIE, axis=1)
    return np.where((low < 1.0) & ~reported, rows, -1)


def served_shares(m: EconomyModel, st: DenseState, x: np.ndarray, D: np.ndarray, y: np.ndarray
                  ) -> tuple[np.ndarray, ...]:
    r"""§5.6 Rationing: the rule of ``params.rationing`` (:mod:`chainsim.engine.rationing`) on supply :math:`x + e`.

    ``x`` is what is shipped (production, or shipments with finished goods).
    """
    prio = np.flatnonzero(m.priority_buyers)  # the orders of priority buyers (none but under "priority_sectors")
    d_prio = st.orders[:, :, prio].sum(axis=2) + st.substitution_orders[:, :, prio].sum(axis=2)
    if st.import_orders is not None:
        d_prio += st.import_orders[:, :, prio].sum(axis=2)
    return RULES[m.params.rationing](x + m.exo_supply, D, y, d_prio)


def served(m: EconomyModel, X: np.ndarray, phi: np.ndarray, phi_prio: np.ndarray) -> np.ndarray:
    r"""Orders X (B, nodes, N) served: :math:`X_{ij}arphi_i`, priority buyers' at :math:`arphi^{prio}_i`."""
    out = X * phi[:, :, None]
    prio = np.flatnonzero(m.priority_buyers)
    out[:, :, prio] = X[:, :, prio] * phi_prio[:, :, None]
    return out


def deliveries(m: EconomyModel, st: DenseState, phi: np.ndarray, phi_prio: np.ndarray, t: int) -> np.ndarray:
    r"""§2.5, §5.8 Deliveries to every input stock: :math:`V_{cj} = \sum_{i \in c} O_{ij}\varphi_{ij}` after the routes.

    Priority buyers are served at :math:`\varphi^{prio}`. Goods travel their route (throughput
    caps, backlogs, lead times: :meth:`DenseState.ship`); substitutes delivered by domestic
    producers go to the imported input of their product; goods arriving today are added. The
    second slots of the split products (``import_orders``) deliver the imported-only rows (§1).
    """
    second = None if st.import_orders is None else served(m, st.import_orders, phi, phi_prio)
    V = by_input(m, *st.ship(m, served(m, st.orders, phi, phi_prio), t, second))
    RS = m.table.n_regions * m.n_sectors  # substitution orders go to the regions' producers
    sub = served(m, st.substitution_orders[:, :RS], phi[:, :RS], phi_prio[:, :RS])
    sub = sub.reshape(len(V), -1, m.n_sectors, m.n).sum(axis=1)
    if m.n_named:  # over the product's imported-only rows, by their stock gaps
        b, p, j = np.nonzero(sub)
        substitutes_to_rows(m, V, st.inventory, b, p, j, sub[b, p, j])
    else:
        V[:, m.import_row] += sub
    V += st.arrivals(t)
    return V


def update_stocks(m: EconomyModel, st: DenseState, U: np.ndarray, V: np.ndarray) -> np.ndarray:
    r"""§2.5 :math:`S \leftarrow S - U + V`; returns the use U.

    Default (``exact_stocks``): use :math:`U = \min(A^C x, S)` of the opening stock, so
    :math:`S^{open} + V - U = S^{close}` exactly; what is missing (an input that cannot bind, or
    binds half) is done without. ``exact_stocks=False``: :math:`U = A^C x` and the stock is floored
    at 0. BoARIO: a member whose deliveries are allclose to its use keeps its stocks, and a
    negative stock crashes the member (its later days are NaN).
    """
    if m.params.exact_stocks and not m.quirks.allclose_gates:
        U = np.minimum(U, st.inventory)
        st.inventory -= U
        st.inventory += V
        return U
    gate = allclose_members(V, U) if m.quirks.allclose_gates else np.zeros(len(U), dtype=bool)
    live = ~(gate | st.crashed)
    st.inventory[live] = st.inventory[live] - U[live] + V[live]
    if m.quirks.negative_stock == "crash":
        st.crashed |= (st.inventory < 0).reshape(len(U), -1).any(axis=1)
    else:
        np.maximum(st.inventory, 0.0, out=st.inventory)
    return U


def order_need(m: EconomyModel, st: DenseState, D: np.ndarray, c: np.ndarray, rebuild_delivered: np.ndarray,
               U: np.ndarray, F: np.ndarray | None = None) -> np.ndarray:
    r"""§2.7 The need for tomorrow.

    Default (``order_basis="planned"``, Pichler et al. 2022 eq. 4):
    :math:`O^C = \max(A^C \tilde x + (s A^C \bar x - S)/\tau_r, 0)`, planned output and a fixed
    target (infinite stocks: no gap). ARIO (``"realised"``):
    :math:`O^C = U + \max(s A^C \tilde x - S, 0)/\tau_{inv}`. :math:`\tilde x` is optimal production
    without today's rebuilding deliveries. BoARIO: the gap is 0 for a member whose stocks are
    allclose to the goal (finite rows). ``F``: the finished-goods stocks of the morning.
    """
    if m.has_fg:
        x_tilde = optimal_production(m, D - rebuild_delivered, c, F)
    else:
        x_tilde = np.minimum(np.maximum(D - m.exo_supply - rebuild_delivered, 0.0), c)
    if m.params.order_basis == "planned":
        N = m.n
        gap = np.where(m.infinite_rows[:, None], 0.0, m.goal_coef * m.xbar[None, :N] - st.inventory)
        return np.maximum(m.AC * x_tilde[:, None, :N] + gap / m.inv_tau[:, None], 0.0)
    goal = m.goal_coef * x_tilde[:, None, :m.n]
    gap = np.maximum(goal - st.inventory, 0.0) / m.params.inventory_tau
    if m.quirks.allclose_gates and not m.gap_gate_never:
        fin = ~m.infinite_rows
        gap[allclose_members(st.inventory[:, fin], goal[:, fin])] = 0.0
    return gap + U


def capacity_ratios(m: EconomyModel, c: np.ndarray, delta: np.ndarray) -> np.ndarray:
    r"""§2.7 Supplier weights of the order split.

    Default (``split_weights="losses"``): :math:`\lambda = 1 - s\Delta`, the capacity left by
    losses (overproduction serves the orders a supplier gets but attracts none: no market-share
    ratchet), where the switching share :math:`s` (``m.switch_share``) is 0 on the makers, domestic
    and foreign, of differentiated products: their buyers keep their orders until a supplier search
    moves them.
    ARIO: :math:`\lambda = c/\bar c` (1 where :math:`\bar c = 0`), capped at 1 for restocking
    foreign origins.
    """
    if m.params.split_weights == "losses":
        return 1.0 - delta * m.switch_share
    lam = np.divide(c, m.cap_ref, out=np.ones_like(c), where=np.broadcast_to(m.cap_ref, c.shape) != 0)
    lam[:, m.restock_from:] = np.minimum(lam[:, m.restock_from:], 1.0)
    return lam


def place_orders(m: EconomyModel, st: DenseState, OC: np.ndarray, lam: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray | None]:
    r"""§2.7 Orders :math:`O_{ij} = O^C_{c(i)j}\, w_{ij}\, \kappa_{ij}` on every slot.

    "alt": :math:`w_{ij} = W_{ij}\lambda_i / \sum_{k \in c(i)} W_{kj}\lambda_k`; "noalt"
    (``order_type``) uses the fixed baseline shares. The need of an input no supplier
    can serve (zero denominator) is dropped. The share κ of a closed link drops its orders;
    with ``per_region_imports`` the links from foreign origins enter the split with
    :math:`W\kappa\lambda` instead, so orders move to the other origins and the domestic producers,
    except those of differentiated products (``switch_share`` 0, :func:`split_sees_closures`).
    A foreign origin of a split product (0 < σ_p < 1, §1) has two slots, weighted σ_p in the split
    of the pooled row p and 1 - σ_p in that of the imported-only row: returns the orders on the
    first slots and on the second (None without split products).
    """
    if m.w_fixed is not None:
        second = None
        if m.w_fixed_m is not None:
            second = m.w_fixed_m * OC[:, m.origin_row.ravel()] * st.open
        return m.w_fixed * OC[:, m.input_of_node] * st.open, second
    orders = st.weights * lam[:, :, None]  # W λ
    f = m.n_dom_blocks * m.n_sectors if m.per_region_imports else m.n_sup  # the foreign origins' nodes
    seen = split_sees_closures(m)[f:, None]  # import cuts enter the split (§5.4) ...
    orders[:, f:] *= np.where(seen, st.open[:, f:], 1.0)
    first, second = slot_layers(m, orders)
    denom = by_input(m, first, second)
    per_purchase = np.divide(OC, denom, out=np.zeros_like(OC), where=denom > 0)  # need per capacity-weighted purchase
    first *= per_purchase[:, m.input_of_node]
    if second is not None:
        second *= per_purchase[:, m.origin_row.ravel()]  # the imported-only row of each node's second slot
    for layer in (first,) if second is None else (first, second):  # ... other closed links drop their orders
        layer[:, :f] *= st.open[:, :f]
        if not seen.all():
            layer[:, f:] *= np.where(seen, 1.0, st.open[:, f:])
    return first, second


def split_sees_closures(m: EconomyModel) -> np.ndarray:
    r"""Supplier nodes whose closed links the order split sees, (n_sup,) bool (§5.3, §2.7).

    With ``per_region_imports`` the foreign origins whose buyers switch at once (``switch_share``
    1): a cut origin's orders move to the other suppliers. Every other closed link, domestic or of a
    foreign origin of a differentiated product (``switch_share`` 0, issue #21), keeps its orders in
    the split and drops them: the buyer goes without until a supplier search moves them.
    """
    seen = np.zeros(m.n_sup, dtype=bool)
    if m.per_region_imports:
        f = m.n_dom_blocks * m.n_sectors
        seen[f:] = m.switch_share[f:] > 0
    return seen


def substitution_orders(m: EconomyModel, st: DenseState, OC: np.ndarray, lam: np.ndarray, phi: np.ndarray
                        ) -> np.ndarray:
    r"""§5.5 Substitution orders for imported inputs.

    :math:`O^{sub}_{rpj} = \sigma_{pj}\max(O^C_{Mpj} - \sum_o O_{opj}\varphi_{op}, 0)\,
    d_{rp}\lambda_{rp}/\sum_{r'} d_{r'p}\lambda_{r'p}`: buyers order from the domestic
    producers r of p a share σ of the imported need that the
    foreign suppliers o (with tomorrow's orders and today's served shares) are not expected to
    deliver, split by baseline output d and capacity ratio λ.
    """
    B, nb, S, N, R, F = len(OC), m.n_blocks, m.n_sectors, m.n, m.table.n_regions, m.n_dom_blocks
    on_import = st.orders.reshape(B, nb, S, N)[:, F:]  # the foreign slots on the imported-only rows
    if st.import_orders is not None:
        on_import = on_import.copy()
        on_import[:, :, m.split_products] = st.import_orders.reshape(B, nb, S, N)[:, F:, m.split_products]
    foreign = (on_import * phi.reshape(B, nb, S)[:, F:, :, None]).sum(axis=1)
    unmet = st.sigma * np.maximum(imported_need(m, OC) - foreign, 0.0)  # (B, S, N)
    dl = m.region_share * lam[:, :R * S].reshape(B, R, S)
    tot = dl.sum(axis=1, keepdims=True)
    split = np.divide(dl, tot, out=np.zeros_like(dl), where=tot > 0)
    out = np.zeros_like(st.orders)
    out.reshape(B, nb, S, N)[:, :R] = split[:, :, :, None] * unmet[:, None]
    return out


def imported_need(m: EconomyModel, OC: np.ndarray) -> np.ndarray:
    r"""§5.5 Need (B, S, N) of each product's imported-only varieties: its shared row plus its named origins' rows."""
    need = OC[:, m.import_row]
    if m.n_named:
        need = need.copy()
        np.add.at(need, (slice(None), m.named_product), OC[:, m.n_inputs - m.n_named:])
    return need


def substitute_shares(m: EconomyModel, inv: np.ndarray, b: np.ndarray, p: np.ndarray, j: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    r"""§5.5 Where substitutes of product p delivered to buyer j go: rows (Q, G) of p's imported varieties, shares.

    A domestic substitute stands in for the varieties that are short: the shares are the rows' gaps to
    their targets, :math:`(s A^C \bar x - S)^+`, over their sum (by the rows' requirements :math:`A^C`
    when no row has a gap). ``inv`` is the buyers' opening stock (B, S + K + E, N).
    """
    rows, live = m.group_rows[p], m.group_mask[p]
    jj = j[:, None]
    goal = m.goal_coef[b[:, None], rows, jj] if m.goal_coef.ndim == 3 else m.goal_coef[rows, jj]  # member arrays
    gap = np.maximum(goal * m.xbar[jj] - inv[b[:, None], rows, jj], 0.0) * live
    ac = m.AC[rows, jj] * live
    tot, tot_ac = gap.sum(axis=1, keepdims=True), ac.sum(axis=1, keepdims=True)
    share = np.where(tot > 0, gap / np.where(tot > 0, tot, 1.0), ac / np.where(tot_ac > 0, tot_ac, 1.0))
    return rows, share


def substitutes_to_rows(m: EconomyModel, V: np.ndarray, inv: np.ndarray, b: np.ndarray, p: np.ndarray,
                        j: np.ndarray, amount: np.ndarray) -> None:
    """Add substitutes ``amount`` (Q,) of products p for buyers j of members b to ``V`` (in place).

    A product with imported-only rows: over them by :func:`substitute_shares`; else its pooled row.
    """
    imp = m.import_row[p] >= m.n_sectors
    np.add.at(V, (b[~imp], p[~imp], j[~imp]), amount[~imp])  # a product without imported-only row: its pooled row
    b, p, j, amount = b[imp], p[imp], j[imp], amount[imp]
    rows, share = substitute_shares(m, inv, b, p, j)
    np.add.at(V, (b[:, None], rows, j[:, None]), share * amount[:, None])


def step(m: EconomyModel, st: DenseState, day: DayInputs) -> DayResult:
    """Advance every batch member by one day (docs/model.md §2; ``day`` carries steps 1 and 6)."""
    D = total_demand(m, st, day.final_demand, day.rebuild)
    if day.t >= m.quirks.overproduction_from_day:
        st.alpha = overproduction(m, st, D)
    c = production_capacity(m, st.alpha, day.delta, day.foreign_open)
    x_opt, c = foreign_restock(m, D, optimal_production(m, D, c, st.finished), c, day.delta, day.import_cut_on)
    x, factor = input_limits(m, st.inventory, x_opt)
    bound = binding_inputs(m, st.inventory, x_opt, factor, day.reported)
    F0 = None
    q = x
    if m.has_fg:
        F0 = st.finished.copy()
        q = shipments(m, D, x, c, st.finished)
    deferred = deferred_demand(m, st, day.rebuild)  # served after today's orders and final demand
    phi, phi_y, phi_prio = served_shares(m, st, q, D - deferred, day.final_demand)
    phi_d = deferred_share(m, D, q, deferred)
    phi_reb = phi_d if m.params.rebuild_served == "last" else phi
    if m.has_backlog:
        backlog_served(m, st, phi_d, day.final_demand, phi_y)
    V = deliveries(m, st, phi, phi_prio, day.t)
    need = m.AC * x[:, None, :m.n]
    U = update_stocks(m, st, need, V)
    done_without = (need - U).sum(axis=(1, 2)) if m.params.exact_stocks and not m.quirks.allclose_gates \
        else np.zeros(len(x))  # §2.5: use the stock could not cover
    unmet = (day.final_demand * (1.0 - phi_y)).sum(axis=1)
    OC = order_need(m, st, D, c, day.rebuild * phi_reb, U, F0)
    lam = capacity_ratios(m, c, day.delta)
    st.orders, st.import_orders = place_orders(m, st, OC, lam)
    st.substitution_orders = substitution_orders(m, st, OC, lam, phi)
    st.x_prev = x
    return DayResult(day.final_demand.copy(), D, c, x_opt, x, phi, phi_y, phi_reb, V, unmet,
                     bound, U, done_without)
