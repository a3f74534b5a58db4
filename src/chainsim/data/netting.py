"""Accounting steps between the NBS provincial tables and a multi-regional table (pure functions).

Every function works on arrays whose last axis is the product (42 sectors) and optional
leading axes (e.g. 31 provinces), returns new arrays and never touches its inputs.

The steps and the assumptions they carry (stated in ``docs/data.md``):

* :func:`net_reexports` — transit trade (goods that enter a province and leave it again
  unprocessed) is counted in both the inflow and the outflow columns, so some products show
  ``EX + OF > GO``; the excess is removed pairwise from an outflow and an inflow.
* :func:`final_demand_categories` — the five NBS final-demand columns become four
  categories; the statistical discrepancy ``ERR`` joins the inventory change.
* :func:`source_shares` — the local / other-province / foreign supply shares of each
  product (the proportionality assumption).
* :func:`reconcile_interprovincial` — makes national outflows equal national inflows.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from chainsim.errors import DataError

__all__ = ["ASSUMPTION_ERR", "ASSUMPTION_NETTING", "ASSUMPTION_RECONCILE", "ASSUMPTION_SHARES", "FD_CATEGORIES",
           "PAIR_NAMES", "Reconciled", "Shares", "Trade", "final_demand_categories", "net_reexports",
           "reconcile_interprovincial", "source_shares"]

FD_CATEGORIES = ("household", "government", "gfcf", "inventory")
#: The (outflow, inflow) pairs netted against each other, in order.
PAIR_NAMES = ("OF-IF", "EX-IM", "OF-IM", "EX-IF")

ASSUMPTION_NETTING = (
    "Re-exports: where EX + OF > GO the excess max(0, EX + OF - GO) is transit trade counted both as an inflow "
    "and an outflow; it is removed from the pair (OF, IF) first, then (EX, IM), then (OF, IM) and (EX, IF), "
    "each step subtracting the same amount from an outflow and an inflow, so every row balance is unchanged.")
ASSUMPTION_ERR = (
    "The statistical discrepancy ERR (column 'other' of the NBS tables) and the sub-unit rounding residual of "
    "each row identity are added to the inventory-change category (a residual use, like inventories).")
ASSUMPTION_SHARES = (
    "Proportionality: every user of a product in a province (each intermediate user and each final-demand "
    "category) takes the same shares from local production, from other provinces (IF) and from abroad (IM). "
    "Negative entries N (inventory draw-downs, negative ERR) are domestic stocks and cannot be imported: they are "
    "split between local production and other provinces in the proportion L : IF of domestic supply "
    "(L = GO - EX - OF; all local if L + IF = 0). The shares of the positive uses P are then abroad IM/P, local "
    "(L/D)(D - N)/P, other provinces (IF/D)(D - N)/P with D = L + IF; without negative entries these are the "
    "shares of domestic use U = TIU + TC + GCF + ERR: L/U, IF/U, IM/U.")
ASSUMPTION_RECONCILE = (
    "National consistency: per product, the sum of the provinces' outflows (OF) must equal the sum of their "
    "inflows (IF). The larger side is scaled down to the smaller total T (over the adjustable provinces only; "
    "fixed provinces keep their netted OF and IF exactly). Where fixed provinces need more room, T is raised to "
    "(1 + slack) x max(fixed OF, fixed IF, max over fixed provinces of OF + IF). The change is absorbed by the "
    "adjusted province's inventory change (an outflow not made is stocked; an inflow not received is drawn "
    "from stocks; a raised outflow is drawn from the adjustable provinces' local supply GO - EX - OF in proportion to "
    "it, which must stay non-negative).")


class Trade(NamedTuple):
    """Trade flows after re-export netting and the amounts netted per pair (last axis :data:`PAIR_NAMES`)."""

    EX: np.ndarray
    OF: np.ndarray
    IM: np.ndarray
    IF: np.ndarray
    netted: np.ndarray


class Shares(NamedTuple):
    """Supply shares of each product's positive uses, the split of its negative uses, and P, N.

    ``local + other + abroad == 1`` (shares of the positive uses P); negative uses N are
    split ``negative_local`` : ``1 - negative_local`` between local production and other
    provinces (never abroad).
    """

    local: np.ndarray
    other: np.ndarray
    abroad: np.ndarray
    negative_local: np.ndarray
    positive_use: np.ndarray
    negative_use: np.ndarray


class Reconciled(NamedTuple):
    """Outflows and inflows that add up nationally, the inventory change absorbing the edit, per-product report."""

    OF: np.ndarray
    IF: np.ndarray
    inventory_delta: np.ndarray
    report: list[dict]


def net_reexports(go: np.ndarray, ex: np.ndarray, of: np.ndarray, im: np.ndarray, inflow: np.ndarray, *,
                  where: str = "table") -> Trade:
    """Net re-exports out of the trade columns so that ``EX + OF <= GO``.

    The excess ``e = max(0, EX + OF - GO)`` is removed step by step from the pairs
    (OF, IF), (EX, IM), (OF, IM), (EX, IF): each step removes ``min(e_left, outflow,
    inflow)`` from both members, so ``GO = use + EX + OF - IM - IF`` keeps holding.

    Parameters
    ----------
    go, ex, of, im, inflow : array (..., S)
        Gross output, exports abroad, outflow to other provinces, imports from abroad and
        inflow from other provinces (non-negative).
    where : str
        Label for error messages (file or province).

    Returns
    -------
    Trade
        Netted ``EX, OF, IM, IF`` and ``netted`` of shape (..., S, 4).

    Raises
    ------
    DataError
        If some excess cannot be netted (only possible when domestic use is negative).

    Examples
    --------
    >>> t = net_reexports(np.array([10.0]), np.array([2.0]), np.array([15.0]), np.array([3.0]), np.array([6.0]))
    >>> t.OF, t.IF, t.EX, t.IM
    (array([9.]), array([0.]), array([1.]), array([2.]))
    >>> t.netted
    array([[6., 1., 0., 0.]])
    """
    ex, of, im, inflow = (np.array(a, dtype=float, copy=True) for a in (ex, of, im, inflow))
    go = np.asarray(go, dtype=float)
    left = np.maximum(0.0, ex + of - go)
    netted = np.zeros((*left.shape, len(PAIR_NAMES)))
    for k, (out, inn) in enumerate(((of, inflow), (ex, im), (of, im), (ex, inflow))):
        d = np.minimum(left, np.minimum(out, inn))
        out -= d
        inn -= d
        left -= d
        netted[..., k] = d
    scale = np.maximum(np.abs(go), 1.0)
    if (left > 1e-9 * scale).any():
        idx = tuple(int(i) for i in np.argwhere(left > 1e-9 * scale)[0])
        raise DataError(f"{where}: product index {idx}: re-exports exceed the inflows and imports available to net "
                        f"them (left {left[idx]:.6g}); domestic use must be negative there")
    return Trade(ex, of, im, inflow, netted)


def final_demand_categories(fd5: np.ndarray, inventory_extra: np.ndarray) -> np.ndarray:
    """Group the NBS final-demand columns into :data:`FD_CATEGORIES`.

    Parameters
    ----------
    fd5 : array (..., S, 5)
        Columns FU101, FU102, FU103, FU201, FU202.
    inventory_extra : array (..., S)
        Added to the inventory category (``ERR`` plus the row rounding residual).

    Returns
    -------
    array (..., S, 4)
        household = FU101 + FU102, government = FU103, gfcf = FU201,
        inventory = FU202 + ``inventory_extra``.
    """
    fd5 = np.asarray(fd5, dtype=float)
    return np.stack([fd5[..., 0] + fd5[..., 1], fd5[..., 2], fd5[..., 3], fd5[..., 4] + inventory_extra], axis=-1)


def source_shares(Z: np.ndarray, F: np.ndarray, go: np.ndarray, ex: np.ndarray, of: np.ndarray, im: np.ndarray,
                  inflow: np.ndarray, *, negatives: str = "domestic", where: str = "table") -> Shares:
    """Local, other-province and foreign shares of each product's uses (proportionality).

    With ``P`` the positive uses (all intermediate uses and the positive final-demand
    entries), ``N <= 0`` the negative final-demand entries (inventory draw-downs), local
    supply ``L = GO - EX - OF`` and domestic supply ``D = L + IF``, the supply identity is
    ``L + IF + IM = P + N``. Foreign imports can only meet positive uses, so::

        abroad = IM / P,   local = (L / D) (D - N) / P,   other = (IF / D) (D - N) / P

    and the negative entries are split ``L : IF`` between local production and other
    provinces (``negatives="domestic"``; all local when ``D = 0``). Without negative entries
    these are the shares of domestic use ``U = TIU + TC + GCF + ERR``: ``L/U, IF/U, IM/U``.
    With ``negatives="local"`` the negative entries are met from local stocks only:
    ``local = (L - N) / P``, ``other = IF / P`` (for single-region tables, whose other
    provinces are an import origin and cannot take negative entries).

    Parameters
    ----------
    Z : array (..., S, S)
        Competitive intermediate use (product rows, user columns).
    F : array (..., S, C)
        Final demand by category (may hold negative entries).
    go, ex, of, im, inflow : array (..., S)
        Gross output and the netted trade columns.
    negatives : {"domestic", "local"}
        Where negative entries are supplied from.
    where : str
        Label for error messages.

    Returns
    -------
    Shares

    Raises
    ------
    DataError
        If the shares do not add up to one (the supply identity does not hold) or local
        supply is negative (re-exports not netted).

    Examples
    --------
    >>> Z = np.array([[6.0]]); F = np.array([[6.0, -2.0]])
    >>> s = source_shares(Z, F, go=np.array([5.0]), ex=np.array([1.0]), of=np.array([1.0]),
    ...                   im=np.array([2.0]), inflow=np.array([5.0]))
    >>> [round(float(a[0]), 4) for a in (s.local, s.other, s.abroad, s.negative_local)]
    [0.3125, 0.5208, 0.1667, 0.375]
    """
    if negatives not in ("domestic", "local"):
        raise DataError(f"source_shares: negatives must be 'domestic' or 'local', found {negatives!r}")
    P = Z.sum(axis=-1) + np.clip(F, 0, None).sum(axis=-1)
    N = np.clip(F, None, 0).sum(axis=-1)
    L = go - ex - of
    scale = np.maximum(np.abs(go), 1.0)
    if (L < -1e-9 * scale).any():
        idx = tuple(int(i) for i in np.argwhere(L < -1e-9 * scale)[0])
        raise DataError(f"{where}: product index {idx}: EX + OF exceeds GO by {-L[idx]:.6g}; net re-exports first")
    L = np.clip(L, 0, None)
    D = L + inflow
    pos = P > 0
    safe = np.where(pos, P, 1.0)
    abroad = np.where(pos, im / safe, 0.0)
    if negatives == "local":
        neg_local = np.ones_like(P)
        local = np.where(pos, (L - N) / safe, 0.0)
        other = np.where(pos, inflow / safe, 0.0)
    else:
        neg_local = np.where(D > 0, L / np.where(D > 0, D, 1.0), 1.0)
        dom = np.where(pos, (D - N) / safe, 0.0)
        local = neg_local * dom
        other = np.where(D > 0, inflow / np.where(D > 0, D, 1.0), 0.0) * dom
    gap = np.abs(local + other + abroad - 1.0)
    bad = (gap > 1e-6) & pos
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise DataError(f"{where}: product index {idx}: local + other-province + foreign supply shares sum to "
                        f"{1 + gap[idx]:.9g}, not 1 (supply L + IF + IM differs from use P + N)")
    return Shares(local, other, abroad, neg_local, P, N)


def reconcile_interprovincial(OF: np.ndarray, IF: np.ndarray, local_supply: np.ndarray, fixed: np.ndarray, *,
                              slack: float = 0.05, labels: tuple[str, ...] = ()) -> Reconciled:
    """Make the national sum of outflows equal the sum of inflows, product by product.

    Rule (:data:`ASSUMPTION_RECONCILE`): the common total is ``T = min(sum OF, sum IF)``,
    raised to ``(1 + slack) * max(OF_fixed, IF_fixed, max_f(OF_f + IF_f))`` when the fixed
    provinces ``f`` need more room (a province's inflow must fit in the other provinces'
    outflows). The adjustable provinces' outflows are scaled by ``(T - OF_fixed) /
    OF_adjustable`` and their inflows by ``(T - IF_fixed) / IF_adjustable``, except that a
    *raised* outflow total is drawn from the adjustable provinces' local supply in proportion
    to it (scaling small outflows up could exceed a province's output).

    Parameters
    ----------
    OF, IF : array (R, S)
        Netted outflows and inflows of R provinces.
    local_supply : array (R, S)
        ``GO - EX - OF`` (bounds a raised outflow).
    fixed : array of bool (R,)
        Provinces whose OF and IF must stay exactly as given.
    slack : float
        Head-room factor for the fixed provinces.
    labels : tuple of str
        Product codes for the report and messages.

    Returns
    -------
    Reconciled
        ``OF``, ``IF`` (adjusted), ``inventory_delta`` (R, S) to add to the inventory
        change (``(OF - OF') - (IF - IF')``), and one report row per product.

    Raises
    ------
    DataError
        If no scaling can reconcile a product (adjustable side empty, or a raised outflow
        exceeds local supply).
    """
    OF, IF = np.asarray(OF, dtype=float), np.asarray(IF, dtype=float)
    fixed = np.asarray(fixed, dtype=bool)
    adj = ~fixed
    n_s = OF.shape[1]
    labels = labels or tuple(str(p) for p in range(n_s))
    of_new, if_new = OF.copy(), IF.copy()
    report = []
    for p in range(n_s):
        so, si = float(OF[:, p].sum()), float(IF[:, p].sum())
        of_fix, if_fix = float(OF[fixed, p].sum()), float(IF[fixed, p].sum())
        total = min(so, si)
        need = max([of_fix, if_fix, *(OF[fixed, p] + IF[fixed, p])], default=0.0) * (1.0 + slack)
        raised = need > total
        total = max(total, need)
        factors = []
        supply = np.clip(local_supply[:, p], 0, None)
        for arr, new, fix, side, side_sum in ((OF, of_new, of_fix, "OF", so), (IF, if_new, if_fix, "IF", si)):
            movable = float(arr[adj, p].sum())
            if total == side_sum:  # this side already has the common total: leave it untouched
                factor = 1.0
            elif side == "OF" and total > side_sum:
                # a raised outflow is drawn from local supply, in proportion to it
                extra, room = total - fix - movable, float(supply[adj].sum())
                if extra > room:
                    raise DataError(f"product {labels[p]}: national outflows must rise to {total:.6g}, which needs "
                                    f"{extra:.6g} more from the adjustable provinces, whose local supply is only "
                                    f"{room:.6g}")
                new[adj, p] = arr[adj, p] + extra * supply[adj] / room
                factor = (total - fix) / movable if movable > 0 else None
            elif movable > 0:
                factor = (total - fix) / movable
                new[adj, p] = arr[adj, p] * factor
            elif total - fix > 1e-9 * max(total, 1.0):
                raise DataError(f"product {labels[p]}: national {side} must total {total:.6g} but the adjustable "
                                f"provinces have no {side} to scale (fixed provinces: {fix:.6g})")
            else:
                factor = 1.0
            factors.append(factor)
        report.append({
            "product": labels[p], "sum_OF": so, "sum_IF": si, "gap": so - si,
            "gap_pct": 100.0 * (so - si) / max(so, si) if max(so, si) > 0 else 0.0,
            "total": total, "OF_factor": factors[0], "IF_factor": factors[1], "raised_for_fixed": bool(raised),
        })
    delta = (OF - of_new) - (IF - if_new)
    return Reconciled(of_new, if_new, delta, report)
