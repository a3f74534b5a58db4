r"""Static chokepoint pre-screen: seconds of linear algebra before the dynamic scan.

Every target removes a supply flow for ``duration`` days: imports of a product from an origin
(into some regions), deliveries of a product from one region to another, or a share of a
region-sector's output. Three static measures estimate the output the scope loses:

``iim``
    the inoperability input-output model (Haimes & Jiang 2001) on the supply side. A buyer
    ``j`` losing a share ``c*_j`` of its inputs (by value) is inoperable by ``c*_j``; an
    inoperable supplier ``i`` passes its inoperability on to its buyers in proportion to
    what they buy from it, :math:`q_j = \sum_i a_{ij} q_i + c^*_j`, so
    :math:`q = (I - A^*)^{-1} c^*` with :math:`A^* = A^\top` (the supply-side interdependency
    matrix, the transposed pattern of the technical coefficients; REFERENCE R6), clipped to
    [0, 1] (R3). Loss :math:`\sum_{j \in \text{scope}} q_j x_j`.
``extraction``
    hypothetical extraction (Miller & Lahr 2001) in the supply-driven (Ghosh) model: the
    output the scope loses when the target's supply is taken out of the system. An import
    is a primary input, :math:`\Delta x' = \Delta v' G`; a link scales a row of the
    allocation matrix ``B`` and a node removes its row, column and primary input, both
    solved exactly by the Sherman-Morrison formula.
``critical``
    import (or supply) dependence weighted by criticality: the buyer's inoperability is the
    share of its *supply of the product* the cut removes, times how much that input binds
    (1 critical, 0.5 important, 0 not: the engine's criticality), the Leontief view of a
    single-source input; it is propagated like ``iim``.
``survival``
    ``critical`` with the buyer's inventory as a buffer, after Simchi-Levi et al. (2015): a
    buyer losing a share σ of its supply of an input that its stock covers for ``slack`` days of
    full use before the input binds survives :math:`\mathrm{TTS} = \mathrm{slack}/\sigma` days
    (REFERENCE R11). The slack is the model's, by input row: :math:`s_p - b` under the cover rule
    (stock days :math:`s_p` by product, binding below ``b`` days of need, Pichler et al. 2022) and
    :math:`(1-\psi)s` under ARIO's ψ rule. The buyer loses output only for the rest of the cut,
    :math:`\max(0, D - \mathrm{TTS})`; its
    inoperability averaged over the cut is :math:`w\sigma \max(0, 1 - \mathrm{TTS}/D)`.
``demand``
    the demand-reduction IIM (Santos & Haimes 2004) upstream of the cut: the supplier of a
    cut link loses those sales, a node that stops producing stops buying its inputs;
    :math:`q = (I - A^*_d)^{-1} c^*` with :math:`A^*_d = \hat x^{-1} A \hat x`
    (:func:`chainsim.data.leontief.calc_astar`). Zero for imports (the seller is abroad).
``combined``
    ``survival`` + ``demand``: the two sides of a cut. A link cut hurts both the buyers
    (after their inventories run down) and the seller (at once).

All three are scaled to the disruption (``share`` x ``duration`` / 365 days of a year's
flows) and reported in yuan. None knows about inventories, spare capacity, re-sourcing or
recovery: the rank correlation with the dynamic scan (:func:`rank_correlations`) tells
when the cheap screen is enough.

References
----------
.. [1] Haimes, Y. Y. & Jiang, P. (2001). Leontief-based model of risk in complex
   interconnected infrastructures. *J. Infrastructure Systems* 7(1), 1-12.
.. [2] Miller, R. E. & Lahr, M. L. (2001). A taxonomy of extractions. In M. L. Lahr &
   R. E. Miller (eds.), *Regional Science Perspectives in Economic Analysis*, 407-441.
.. [3] Simchi-Levi, D. et al. (2015). Identifying risks and mitigating disruptions in the
   automotive supply chain. *Interfaces* 45(5), 375-390.
.. [4] Santos, J. R. & Haimes, Y. Y. (2004). Modeling the demand reduction input-output
   (I-O) inoperability due to terrorism of interconnected infrastructures. *Risk Analysis*
   24(6), 1437-1451.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from chainsim.data.iotable import IOTable
from chainsim.data.leontief import calc_A, calc_astar, calc_B, calc_G, calc_inoperability, interdependency_index
from chainsim.scan.targets import Target

__all__ = ["MEASURES", "inoperability", "max_interdependency", "perturbations", "prescreen", "rank_correlations",
           "supply_astar"]

#: Pre-screen measures, in column order.
MEASURES: tuple[str, ...] = ("iim", "extraction", "critical", "survival", "demand", "combined")


def supply_astar(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    r"""Supply-side interdependency :math:`A^* = A^\top`: inoperability of buyer j per unit of supplier i's.

    Examples
    --------
    >>> supply_astar([[150, 500], [200, 100]], [1000, 2000]).tolist()
    [[0.15, 0.2], [0.25, 0.05]]
    """
    return calc_A(Z, x).T.copy()


def inoperability(astar: np.ndarray, cstar: np.ndarray, *, clip: bool = True) -> np.ndarray:
    r"""Equilibrium inoperability :math:`q = (I - A^*)^{-1} c^*` for one or many perturbations.

    Parameters
    ----------
    astar : array (N, N)
    cstar : array (N,) or (N, K)
        One perturbation, or K perturbations as columns (solved at once).
    clip : bool
        Clip to [0, 1] (a sector cannot be more than fully inoperable; REFERENCE R3).

    Examples
    --------
    >>> inoperability([[0, 0.8], [0.2, 0]], [0, 0.6]).round(4).tolist()
    [0.5714, 0.7143]
    """
    return calc_inoperability(astar, cstar, clip=clip)


def max_interdependency(astar: np.ndarray, order: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Largest n-th order interdependency index of each row, :math:`\max_j (A^{*n})_{ij}`, and its column.

    The cheapest chokepoint pre-screen of Haimes & Jiang (2001): which sector ``j`` sector
    ``i`` depends on most through paths of length ``order``.

    Examples
    --------
    >>> A = [[0, .9, 0, 0], [.4, 0, 0, 0], [1, .8, 0, 0], [1, .9, 0, 0]]
    >>> value, col = max_interdependency(A, 3)
    >>> value.round(3).tolist(), col.tolist()
    ([0.324, 0.144, 0.36, 0.36], [1, 0, 0, 0])
    """
    idx = interdependency_index(astar, order)
    col = idx.argmax(axis=1)
    return idx[np.arange(idx.shape[0]), col], col


def _regions(table: IOTable, value: str) -> np.ndarray:
    if value in ("", "all"):
        return np.arange(table.n_regions)
    return np.array([table.region_index(r) for r in value.split(",")], dtype=int)


def perturbations(table: IOTable, targets: Sequence[Target], *, criticality: np.ndarray | None = None,
                  noncompetitive: bool | np.ndarray = False, import_criticality: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Direct effect of each target at full share, as four (K, N) arrays.

    Parameters
    ----------
    table : IOTable
    targets : sequence of Target
    criticality : array (S, N), optional
        How much (domestic) input p binds user j (1, 0.5, 0); ``None``: every input is critical.
    noncompetitive : bool or bool array (S,)
        Whether the imports of a product (of every product, or per product) are a separate
        input from the domestic product (Armington; the engine's ``noncompetitive_products``):
        a cut import is then a share of the buyer's *imported* supply of the product, a cut
        link a share of its domestic supply (domestic supply pools,
        ``IOTable.domestic_origins``, included). Otherwise both are shares of its total supply.
    import_criticality : array (S, N), optional
        How much the imported input p binds user j where it is separate (default
        ``criticality``).

    Returns
    -------
    lost : (K, N)
        Annual input value each buyer loses (imports, link flows); for nodes zero.
    crit : (K, N)
        Share of each buyer's supply of the product (of the input's class) lost, times its
        criticality; for a node, its own column is 1.
    own : (K, N)
        Share of its own output a node loses (1 on its own column; zero for other kinds).
    frac : (K, N)
        Share of each buyer's supply of the product (of the input's class) lost, without
        criticality.
    """
    S, N = table.n_sectors, table.n_industries
    Z, imp = np.asarray(table.Z), np.asarray(table.imports_Z)
    pool = np.isin(np.asarray(table.origins, dtype=object), table.domestic_origins)  # e.g. DOM: domestic
    dom = Z.reshape(table.n_regions, S, N).sum(axis=0) + imp[pool].sum(axis=0)  # (S, N) supply of p to j
    foreign = imp[~pool].sum(axis=0)
    nc = np.broadcast_to(np.asarray(noncompetitive, dtype=bool), (S,))
    w_dom = np.ones((S, N)) if criticality is None else np.asarray(criticality, dtype=float)
    w_imp = w_dom if import_criticality is None else np.asarray(import_criticality, dtype=float)
    K = len(targets)
    lost, crit, own, share = np.zeros((K, N)), np.zeros((K, N)), np.zeros((K, N)), np.zeros((K, N))
    for k, t in enumerate(targets):
        p = table.sector_index(t.product)
        if t.kind == "imports":
            supply, w = (foreign[p], w_imp[p]) if nc[p] else (dom[p] + foreign[p], w_dom[p])
        else:
            supply, w = (dom[p], w_dom[p]) if nc[p] else (dom[p] + foreign[p], w_dom[p])
        if t.kind == "imports":
            cols = (_regions(table, t.region)[:, None] * S + np.arange(S)[None, :]).ravel()
            flow = imp[table.origin_index(t.origin), p, cols]
        elif t.kind == "links":
            b = table.region_index(t.to_region)
            cols = np.arange(b * S, (b + 1) * S)
            flow = Z[table.region_index(t.from_region) * S + p, cols]
        else:
            i = table.industry_index(t.region, t.product)
            own[k, i] = 1.0
            crit[k, i] = 1.0
            cols = np.arange(N)
            flow = Z[i, cols]
        if t.kind != "nodes":
            lost[k, cols] = flow
        frac = np.divide(flow, supply[cols], out=np.zeros(len(cols)), where=supply[cols] > 0)
        crit[k, cols] = np.maximum(crit[k, cols], w[cols] * frac)
        share[k, cols] = frac
    return lost, crit, own, share


def _upstream(table: IOTable, targets: Sequence[Target], share: float) -> np.ndarray:
    """Demand-side perturbation (K, N): the share of its output each domestic seller can no longer sell."""
    Z, x = np.asarray(table.Z), np.asarray(table.x)
    S = table.n_sectors
    inv_x = np.divide(1.0, x, out=np.zeros_like(x), where=x > 0)
    c = np.zeros((len(targets), len(x)))
    for k, t in enumerate(targets):
        if t.kind == "links":
            i = table.region_index(t.from_region) * S + table.sector_index(t.product)
            b = table.region_index(t.to_region)
            c[k, i] = Z[i, b * S:(b + 1) * S].sum() * inv_x[i]
        elif t.kind == "nodes":
            i = table.industry_index(t.region, t.product)
            c[k] = Z[:, i] * inv_x  # its suppliers lose its purchases
    return np.clip(c * share, 0.0, 1.0)


def _extraction(table: IOTable, targets: Sequence[Target], lost: np.ndarray, scope: np.ndarray) -> np.ndarray:
    """Ghosh hypothetical-extraction loss of the scope (annual table units at full share)."""
    Z, x = np.asarray(table.Z), np.asarray(table.x)
    B = calc_B(Z, x)
    G = calc_G(B)
    v = x - Z.sum(axis=0)  # all primary inputs, foreign imports included
    out = np.zeros(len(targets))
    kinds = np.array([t.kind for t in targets])
    sel = np.flatnonzero(kinds == "imports")
    if sel.size:  # imports are primary inputs: dx' = dv' G
        out[sel] = (lost[sel] @ G)[:, scope].sum(axis=1)
    for k in np.flatnonzero(kinds == "links"):
        t = targets[k]
        i = table.region_index(t.from_region) * table.n_sectors + table.sector_index(t.product)
        d = np.divide(lost[k], x[i], out=np.zeros_like(x), where=x[i] > 0)  # removed allocation coefficients
        dG = d @ G  # B' = B - e_i d': x' = x - x_i (d'G) / (1 + d'G e_i)
        out[k] = x[i] * dG[scope].sum() / (1.0 + dG[i])
    for k in np.flatnonzero(kinds == "nodes"):
        t = targets[k]
        i = table.industry_index(t.region, t.product)
        gk, gkk = G[i], G[i, i]
        # remove row i of B and v_i: x' = x - v_i G_i - (x_i - v_i G_ii)(G_i - e_i)/G_ii; then x'_i = 0
        xbar = x - v[i] * gk - (x[i] - v[i] * gkk) * (gk - np.eye(1, len(x), i)[0]) / gkk
        xbar[i] = 0.0
        out[k] = (x - xbar)[scope].sum()
    return out


def prescreen(table: IOTable, targets: Sequence[Target], scope: np.ndarray, *, share: float = 1.0,
              duration: float = 90.0, criticality: np.ndarray | None = None,
              noncompetitive: bool | np.ndarray = False, import_criticality: np.ndarray | None = None,
              inventory_days: float = 90.0, psi: float = 0.8, year_days: float = 365.0,
              slack_days: np.ndarray | None = None, import_slack_days: np.ndarray | None = None,
              origin_rows: Collection[tuple[str, str]] = ()) -> pd.DataFrame:
    """Static losses of the scope for every target (yuan), with ranks within each kind.

    Parameters
    ----------
    table : IOTable
    targets : sequence of Target
    scope : bool array (N,)
        Industries whose output loss counts.
    share, duration : float
        Disruption size and days at full strength (a year's flows x ``duration / year_days``).
    criticality, import_criticality : array (S, N), optional
        How much the domestic (imported) input p binds user j (1, 0.5, 0), e.g. rows of the
        engine's ``bind_weight``; ``None`` treats every input as critical.
    noncompetitive : bool or bool array (S,)
        Whether imports are a separate input from the domestic product, for every product or
        per product (see :func:`perturbations`).
    inventory_days, psi : float
        A flat inventory target ``s`` (days of use) and the share ψ of it below which an input
        binds: the slack ``(1 - psi) * inventory_days`` of every input when ``slack_days`` is None
        (ARIO's ψ rule).
    slack_days, import_slack_days : array (S,), optional
        Days of full use a buyer's stock of domestic (imported) product p covers before the input
        binds (``survival`` measure), e.g. the engine's stock days less its binding days
        (:func:`chainsim.scan.run.scan`); ``inf`` never binds. ``import_slack_days`` defaults to
        ``slack_days``. An import target takes the imported row's slack, the others the domestic's.
    origin_rows : collection of (origin, product code)
        The foreign origins of non-competitive products that hold their own imported-only row in
        the engine (``params.origin_row_min_share``, docs/model.md §1; :func:`chainsim.scan.run.scan`
        reads them from the model). Their stock runs down at the rate of the whole row, so the
        ``survival`` measure's time to survive uses the share of the *row's* supply a cut removes
        (all of it for a named origin's row; of the other origins' shared row for the rest), while
        the depth stays criticality x the share of the product's imported supply.

    Returns
    -------
    DataFrame
        ``kind, target, flow_cny`` and ``<measure>_cny`` for every measure of
        :data:`MEASURES`, and ``<measure>_rank`` (within the kind).
    """
    x = np.asarray(table.x, dtype=float)
    scope = np.asarray(scope, dtype=bool)
    lost, crit, own, frac = perturbations(table, targets, criticality=criticality, noncompetitive=noncompetitive,
                                          import_criticality=import_criticality)
    xs = np.where(x > 0, x, np.inf)
    astar = supply_astar(table.Z, x)
    scale = float(duration) / float(year_days) * table.money.per_unit  # a year's flows -> the disruption's days
    # nodes: their own inoperability is the perturbation; other kinds: buyers' lost input shares
    c_iim = np.clip(lost / xs + own, 0.0, 1.0)
    q_iim = inoperability(astar, (c_iim * share).T)
    q_crit = inoperability(astar, (np.clip(crit, 0.0, 1.0) * share).T)
    sigma = _row_shares(table, targets, frac, lost, noncompetitive, origin_rows) * share
    slack = _target_slack(table, targets, inventory_days, psi, slack_days, import_slack_days)[:, None]
    tts = np.divide(np.broadcast_to(slack, sigma.shape), sigma, out=np.full_like(sigma, np.inf),
                    where=sigma > 0)
    active = np.clip(1.0 - tts / float(duration), 0.0, 1.0)  # share of the cut a buyer is short
    c_surv = np.where(own > 0, share, np.clip(crit, 0.0, 1.0) * share * active)
    q_surv = inoperability(astar, c_surv.T)
    q_dem = inoperability(calc_astar(calc_A(table.Z, x), x), _upstream(table, targets, share).T)
    df = pd.DataFrame({
        "kind": [t.kind for t in targets], "target": [t.target for t in targets],
        "flow_cny": [t.flow * table.money.per_unit for t in targets],
        "iim_cny": (q_iim[scope] * x[scope, None]).sum(axis=0) * scale,
        "extraction_cny": _extraction(table, targets, lost, scope) * float(share) * scale,
        "critical_cny": (q_crit[scope] * x[scope, None]).sum(axis=0) * scale,
        "survival_cny": (q_surv[scope] * x[scope, None]).sum(axis=0) * scale,
        "demand_cny": (q_dem[scope] * x[scope, None]).sum(axis=0) * scale,
    })
    df["combined_cny"] = df.survival_cny + df.demand_cny
    for m in MEASURES:
        df[f"{m}_rank"] = df.groupby("kind")[f"{m}_cny"].rank(ascending=False, method="first").astype(int)
    return df


def _row_shares(table: IOTable, targets: Sequence[Target], frac: np.ndarray, lost: np.ndarray,
                noncompetitive: bool | np.ndarray, origin_rows: Collection[tuple[str, str]]) -> np.ndarray:
    """Share of each buyer's supply of the target's *binding input row* the cut removes (K, N).

    ``frac`` (:func:`perturbations`) except for the import targets of non-competitive products
    with per-origin rows: a named origin's cut removes all of its own row's supply where it
    delivers (``lost``, the cut flow, over itself), another origin's the share ``lost / (supply of
    the origins without a row)``.
    """
    named = {(str(o), str(p)) for o, p in origin_rows}
    if not named:
        return frac
    nc = np.broadcast_to(np.asarray(noncompetitive, dtype=bool), (table.n_sectors,))
    imp = np.asarray(table.imports_Z)
    out = frac.copy()
    for k, t in enumerate(targets):
        p = table.sector_index(t.product)
        if t.kind != "imports" or not nc[p]:
            continue
        code = table.sector_codes[p]
        if (t.origin, code) in named:
            row_supply = lost[k]
        else:
            rest = [table.origin_index(o) for o in table.foreign_origins if (o, code) not in named]
            row_supply = imp[rest, p].sum(axis=0)
        out[k] = np.divide(lost[k], row_supply, out=np.zeros(len(row_supply)), where=row_supply > 0)
    return out


def _target_slack(table: IOTable, targets: Sequence[Target], inventory_days: float, psi: float,
                  slack_days: np.ndarray | None, import_slack_days: np.ndarray | None) -> np.ndarray:
    """Days of full use the buyers' stock of each target's product covers before it binds (K,)."""
    flat = (1.0 - float(psi)) * float(inventory_days)
    if slack_days is None:
        return np.full(len(targets), flat)
    dom = np.asarray(slack_days, dtype=float)
    imp = dom if import_slack_days is None else np.asarray(import_slack_days, dtype=float)
    p = np.array([table.sector_index(t.product) for t in targets], dtype=int)
    is_import = np.array([t.kind == "imports" for t in targets], dtype=bool)
    return np.where(is_import, imp[p], dom[p]) if len(targets) else np.zeros(0)


def _spearman(a: pd.Series, b: pd.Series) -> float:
    from scipy.stats import spearmanr

    if len(a) < 3 or a.nunique() < 2 or b.nunique() < 2:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def rank_correlations(ranking: pd.DataFrame, pre: pd.DataFrame, *, top: int = 20,
                      harm_days: float = 0.01) -> pd.DataFrame:
    """Spearman rank correlation of each pre-screen measure (and the flow) with the dynamic loss, per kind.

    ``spearman`` is over every target of the kind; ``spearman_harm`` only over the
    ``n_harm`` targets whose dynamic loss exceeds ``harm_days`` days of the scope's output
    (NaN below 5 of them): many targets cost nothing or even raise the scope's output
    (buyers turn to its producers), and their order is not what a chokepoint list is for.
    ``top_overlap`` counts the dynamic top ``top`` among the measure's own top ``top`` (NaN
    when the measure is the same for every target, e.g. ``demand`` for imports).

    Returns
    -------
    DataFrame
        ``kind, measure, spearman, spearman_harm, n_harm, top_overlap, top, n``.
    """
    cols = ["kind", "measure", "spearman", "spearman_harm", "n_harm", "top_overlap", "top", "n"]
    both = ranking[["kind", "target", "loss_cny", "loss_days"]].merge(pre, on=["kind", "target"], how="inner")
    rows = []
    for kind, g in both.groupby("kind", sort=False):
        g = g[np.isfinite(g.loss_cny)].sort_values("target")  # neutral order: ties must not follow the ranking
        harm = g[g.loss_days > harm_days]
        n_top = min(top, len(g))
        dyn_top = set(g.nlargest(n_top, "loss_cny").target)
        for m in ("flow", *MEASURES):
            col = f"{m}_cny"
            rows.append({"kind": kind, "measure": m, "spearman": _spearman(g[col], g.loss_cny),
                         "spearman_harm": _spearman(harm[col], harm.loss_cny) if len(harm) >= 5 else float("nan"),
                         "n_harm": len(harm),
                         "top_overlap": len(dyn_top & set(g.nlargest(n_top, col).target)) if g[col].nunique() > 1
                         else float("nan"),
                         "top": n_top, "n": len(g)})
    return pd.DataFrame(rows, columns=cols)
