"""Accounting steps between the NBS provincial tables and a multi-regional table (pure functions).

Every function works on arrays whose last axis is the product (42 sectors) and optional
leading axes (e.g. 31 provinces), returns new arrays and never touches its inputs.

The steps and the assumptions they carry (stated in ``docs/data.md``):

* :func:`net_reexports` (from :mod:`chainsim.data.reexports`) — transit trade (goods that
  enter a province and leave it again unprocessed) is counted in both the inflow and the
  outflow columns; a documented rule removes it pairwise from an outflow and an inflow.
* :func:`final_demand_categories` — the five NBS final-demand columns become four
  categories; the statistical discrepancy ``ERR`` joins the inventory change.
* :func:`source_shares` — the local / other-province / foreign supply shares of each
  product (the proportionality assumption).
* :func:`reconcile_interprovincial` — splits outflows and inflows into a part matched
  nationally (sum of matched outflows = sum of matched inflows, per product) and an
  unmatched rest: unmatched inflows are supplied by the pseudo-origin ``DOM``
  (unallocated domestic inflows), unmatched outflows go to the final-demand category
  ``unallocated_outflow``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from chainsim.data.reexports import ASSUMPTION_NETTING, PAIR_NAMES, Trade, net_reexports
from chainsim.errors import DataError

__all__ = ["ASSUMPTION_ERR", "ASSUMPTION_NETTING", "ASSUMPTION_RECONCILE", "ASSUMPTION_SHARES", "FD_CATEGORIES",
           "MRIO_FD_CATEGORIES", "PAIR_NAMES", "UNALLOCATED_OUTFLOW", "DomesticShares", "Reconciled", "Shares", "Trade",
           "domestic_shares", "final_demand_categories", "net_reexports", "reconcile_interprovincial", "source_shares"]

#: Final-demand categories of a provincial table (from the NBS columns and ERR).
FD_CATEGORIES = ("household", "government", "gfcf", "inventory")
#: Final-demand category of a province's unmatched outflow (see :func:`reconcile_interprovincial`).
UNALLOCATED_OUTFLOW = "unallocated_outflow"
#: Final-demand categories of the multi-regional tables.
MRIO_FD_CATEGORIES = (*FD_CATEGORIES, UNALLOCATED_OUTFLOW)
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
    "shares of domestic use U = TIU + TC + GCF + ERR: L/U, IF/U, IM/U. In the multi-regional tables IF here is "
    "the matched inflow; the unmatched inflow IF_u is supplied by the pseudo-origin DOM with share IF_u/P, "
    "which, like foreign imports, meets positive uses only.")
ASSUMPTION_RECONCILE = (
    "National OF/IF gap: per product, the provinces' outflows to other provinces (OF) and inflows from other "
    "provinces (IF) do not add up to the same national total in the NBS tables (after netting, sum OF = 61.18 "
    "and sum IF = 69.05 trn CNY; 35.55 trn CNY in absolute value over products). The matched volume of a "
    "product is T = min(sum OF, sum IF): the smaller side is matched in full; on the larger side fixed "
    "provinces keep their flows matched in full, scaled by a common factor below 1 only when they would not "
    "fit (each fixed province's matched OF + IF, and the fixed provinces' matched total on that side, at most "
    "T / (1 + slack)); the adjustable provinces' flows on that side are scaled alike to fill T. Nothing is "
    "absorbed in inventories. A province's unmatched inflow IF - IF_matched is supplied by the pseudo-origin "
    "DOM, 'unallocated domestic inflows (national OF/IF gap)' (国内未匹配调入), an exogenous domestic supply "
    "pool carried like an import origin but listed in IOTable.domestic_origins; its unmatched outflow "
    "OF - OF_matched is sold to the non-negative final-demand category 'unallocated_outflow' of that province "
    "(exogenous demand from an unidentified domestic destination). Every provincial row still balances, no "
    "final-demand entry is created or made negative, and OF_matched + OF_unmatched, IF_matched + IF_unmatched "
    "are each province's netted OF and IF exactly.")


class Shares(NamedTuple):
    """Supply shares of each product's positive uses, the split of its negative uses, and P, N.

    ``local + other + abroad + unallocated == 1`` (shares of the positive uses P);
    negative uses N are split ``negative_local`` : ``1 - negative_local`` between local
    production and other provinces (never abroad, never from the unallocated pool).
    ``unallocated`` is the share supplied by the pseudo-origin DOM (unmatched inflows;
    zero unless ``source_shares`` was given ``unmatched_inflow``).
    """

    local: np.ndarray
    other: np.ndarray
    abroad: np.ndarray
    negative_local: np.ndarray
    positive_use: np.ndarray
    negative_use: np.ndarray
    unallocated: np.ndarray


class DomesticShares(NamedTuple):
    """How the domestic part of each product's positive uses is supplied, and how negative uses are split.

    ``local + other + unallocated == 1`` where the domestic volume ``V = P - IM`` is
    positive (all zero where it is not); negative uses N go ``negative_local`` to local
    production and the rest to other provinces. Foreign imports are placed per user
    separately (:func:`chainsim.data.import_use.split_imports`).
    """

    local: np.ndarray
    other: np.ndarray
    unallocated: np.ndarray
    negative_local: np.ndarray


class Reconciled(NamedTuple):
    """Matched outflows and inflows (equal national sums per product), the unmatched rest, per-product report.

    ``OF + OF_unmatched`` and ``IF + IF_unmatched`` are the flows given (exactly); all four
    arrays are non-negative.
    """

    OF: np.ndarray
    IF: np.ndarray
    OF_unmatched: np.ndarray
    IF_unmatched: np.ndarray
    report: list[dict]


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
                  inflow: np.ndarray, *, unmatched_inflow: np.ndarray | None = None, negatives: str = "domestic",
                  where: str = "table") -> Shares:
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

    With ``unmatched_inflow`` ``IF_u`` (the part of the inflow that the national
    reconciliation could not match, see :func:`reconcile_interprovincial`), ``inflow`` is
    the matched inflow, the supply identity is ``L + IF + IF_u + IM = P + N``, and the
    pseudo-origin DOM supplies ``unallocated = IF_u / P`` of the positive uses, like an
    import (it cannot take negative entries either); the formulas above are unchanged.

    Parameters
    ----------
    Z : array (..., S, S)
        Competitive intermediate use (product rows, user columns).
    F : array (..., S, C)
        Final demand by category (may hold negative entries).
    go, ex, of, im, inflow : array (..., S)
        Gross output and the netted trade columns (``of``: all outflows to other
        provinces, matched or not; ``inflow``: the matched inflows).
    unmatched_inflow : array (..., S), optional
        Inflows supplied by the pseudo-origin DOM (default none).
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
    unalloc = np.zeros_like(abroad) if unmatched_inflow is None else np.where(pos, unmatched_inflow / safe, 0.0)
    if negatives == "local":
        neg_local = np.ones_like(P)
        local = np.where(pos, (L - N) / safe, 0.0)
        other = np.where(pos, inflow / safe, 0.0)
    else:
        neg_local = np.where(D > 0, L / np.where(D > 0, D, 1.0), 1.0)
        dom = np.where(pos, (D - N) / safe, 0.0)
        local = neg_local * dom
        other = np.where(D > 0, inflow / np.where(D > 0, D, 1.0), 0.0) * dom
    gap = np.abs(local + other + abroad + unalloc - 1.0)
    bad = (gap > 1e-6) & pos
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise DataError(f"{where}: product index {idx}: local + other-province + foreign (+ unallocated) supply "
                        f"shares sum to {1 + gap[idx]:.9g}, not 1 (supply L + IF + IM differs from use P + N)")
    return Shares(local, other, abroad, neg_local, P, N, unalloc)


def domestic_shares(go: np.ndarray, ex: np.ndarray, of: np.ndarray, inflow: np.ndarray, unmatched_inflow: np.ndarray,
                    positive_use: np.ndarray, negative_use: np.ndarray, im: np.ndarray, *,
                    where: str = "table") -> DomesticShares:
    """Split the domestic part of each product's positive uses between local output, other provinces and DOM.

    With local supply ``L = GO - EX - OF`` (all of OF, matched or not), matched inflow
    ``IF``, unmatched inflow ``IF_u``, positive uses ``P``, negative uses ``N <= 0`` and
    imports ``IM``, the supply identity is ``L + IF + IF_u + IM = P + N``. Negative uses
    are domestic stocks, split ``L : IF`` (``nl = L / (L + IF)``, 1 if both are 0). The
    domestic volume of the positive uses ``V = P - IM`` is then supplied::

        local = (L - nl N) / V,   other = (IF - (1 - nl) N) / V,   unallocated = IF_u / V

    Each user's domestic part (its use minus its imports) takes these shares: with one
    import share ``IM / P`` for all users this is :func:`source_shares` exactly.

    Parameters
    ----------
    go, ex, of, inflow, unmatched_inflow, positive_use, negative_use, im : array (..., S)
        As above (``of`` all outflows; ``inflow`` the matched inflows).
    where : str
        Label for error messages.

    Returns
    -------
    DomesticShares

    Raises
    ------
    DataError
        Negative local supply (re-exports not netted) or shares that do not add up to one
        (the supply identity does not hold).

    Examples
    --------
    >>> s = domestic_shares(np.array([5.0]), np.array([1.0]), np.array([1.0]), np.array([5.0]), np.array([0.0]),
    ...                     np.array([12.0]), np.array([-2.0]), np.array([2.0]))
    >>> [round(float(a[0]), 4) for a in (s.local, s.other, s.unallocated, s.negative_local)]
    [0.375, 0.625, 0.0, 0.375]
    """
    L = go - ex - of
    scale = np.maximum(np.abs(go), 1.0)
    if (L < -1e-9 * scale).any():
        idx = tuple(int(i) for i in np.argwhere(L < -1e-9 * scale)[0])
        raise DataError(f"{where}: product index {idx}: EX + OF exceeds GO by {-L[idx]:.6g}; net re-exports first")
    L = np.clip(L, 0, None)
    D = L + inflow
    nl = np.where(D > 0, L / np.where(D > 0, D, 1.0), 1.0)
    V = positive_use - im
    pos = V > 1e-12 * np.maximum(positive_use, 1.0)
    safe = np.where(pos, V, 1.0)
    local = np.where(pos, (L - nl * negative_use) / safe, 0.0)
    other = np.where(pos, (inflow - (1.0 - nl) * negative_use) / safe, 0.0)
    unalloc = np.where(pos, unmatched_inflow / safe, 0.0)
    gap = np.abs(local + other + unalloc - 1.0)
    bad = (gap > 1e-6) & pos
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise DataError(f"{where}: product index {idx}: local + other-province + unallocated shares of the domestic "
                        f"uses sum to {1 + gap[idx]:.9g}, not 1 (supply L + IF + IF_u + IM differs from use P + N)")
    return DomesticShares(local, other, unalloc, nl)


def reconcile_interprovincial(OF: np.ndarray, IF: np.ndarray, fixed: np.ndarray, *, slack: float = 0.05,
                              labels: tuple[str, ...] = ()) -> Reconciled:
    """Split outflows and inflows into a nationally matched part and an unmatched rest, per product.

    Rule (:data:`ASSUMPTION_RECONCILE`): the matched volume is ``T = min(sum OF, sum IF)``.
    The smaller side is matched in full. On the larger side ``X``, the fixed provinces
    ``f`` keep ``phi * X_f`` with the largest common ``phi <= 1`` such that each fixed
    province's matched flows fit in the other provinces' (``phi X_f + Y_f <= T / (1 +
    slack)``, ``Y`` the smaller side) and ``phi sum_f X_f <= T / (1 + slack)``; the
    adjustable provinces' ``X`` is scaled by ``(T - phi sum_f X_f) / sum_a X_a`` (<= 1).
    ``phi`` is 1 unless the fixed provinces alone exceed what the others can trade with
    them (in the NBS 2017 tables: inflows of repair, product 23, into the Northeast).
    The unmatched rest ``X - X_matched`` is returned separately, never absorbed anywhere:
    the builder supplies unmatched inflows from the pseudo-origin DOM and sells unmatched
    outflows to the final-demand category ``unallocated_outflow``.

    Parameters
    ----------
    OF, IF : array (R, S)
        Netted outflows and inflows of R provinces (non-negative).
    fixed : array of bool (R,)
        Provinces whose OF and IF are matched in full wherever the data allow.
    slack : float
        Head-room: fixed provinces' matched flows use at most ``T / (1 + slack)``, so
        the other provinces keep some trade and the RAS problem stays strictly feasible.
    labels : tuple of str
        Product codes for the report and messages.

    Returns
    -------
    Reconciled
        Matched ``OF``, ``IF`` (``sum OF == sum IF`` per product), ``OF_unmatched``,
        ``IF_unmatched`` (R, S), and one report row per product.

    Raises
    ------
    DataError
        If the adjustable provinces' flows on the larger side cannot fill ``T`` (only
        possible when fixed provinces hold most of that side and had to be cut).

    Examples
    --------
    >>> rec = reconcile_interprovincial(np.array([[1.0], [2.0], [1.0]]), np.array([[5.0], [1.0], [2.0]]),
    ...                                 np.array([True, False, False]))
    >>> rec.OF[:, 0], rec.IF[:, 0], rec.IF_unmatched[:, 0]
    (array([1., 2., 1.]), array([2.80952381, 0.3968254 , 0.79365079]), array([2.19047619, 0.6031746 , 1.20634921]))
    """
    OF, IF = np.asarray(OF, dtype=float), np.asarray(IF, dtype=float)
    fixed = np.asarray(fixed, dtype=bool)
    adj = ~fixed
    n_s = OF.shape[1]
    labels = labels or tuple(str(p) for p in range(n_s))
    of_m, if_m = OF.copy(), IF.copy()
    report = []
    for p in range(n_s):
        so, si = float(OF[:, p].sum()), float(IF[:, p].sum())
        total = min(so, si)
        phi, factor = 1.0, 1.0
        larger = None if so == si else ("OF" if so > si else "IF")
        if larger is not None:
            big, small, out = (OF, IF, of_m) if larger == "OF" else (IF, OF, if_m)
            x_f, y_f = big[fixed, p], small[fixed, p]
            head = total / (1.0 + slack)
            bounds = [1.0]
            if x_f.sum() > 0:
                bounds.append(head / float(x_f.sum()))
            pos = x_f > 0
            with np.errstate(over="ignore"):  # tiny flows give huge (harmless) bounds
                bounds.extend(np.maximum(head - y_f[pos], 0.0) / x_f[pos])
            phi = min(bounds)
            out[fixed, p] = phi * x_f
            rest, movable = total - phi * float(x_f.sum()), float(big[adj, p].sum())
            if rest > movable * (1 + 1e-12):
                raise DataError(f"product {labels[p]}: the adjustable provinces' {larger} total {movable:.6g} but "
                                f"{rest:.6g} is needed to match the national total {total:.6g} next to the fixed "
                                f"provinces' {phi * float(x_f.sum()):.6g}")
            factor = min(1.0, rest / movable) if movable > 0 else 1.0
            out[adj, p] = big[adj, p] * factor
        un_of, un_if = OF[:, p] - of_m[:, p], IF[:, p] - if_m[:, p]
        report.append({
            "product": labels[p], "sum_OF": so, "sum_IF": si, "gap": so - si,
            "gap_pct": 100.0 * (so - si) / max(so, si) if max(so, si) > 0 else 0.0,
            "total": total, "matched": total, "larger_side": larger,
            "unmatched_OF": float(un_of.sum()), "unmatched_IF": float(un_if.sum()),
            "OF_factor": factor if larger == "OF" else 1.0, "IF_factor": factor if larger == "IF" else 1.0,
            "fixed_factor": phi, "capped_for_fixed": bool(phi < 1.0),
            "fixed_unmatched_OF": float(un_of[fixed].sum()), "fixed_unmatched_IF": float(un_if[fixed].sum()),
        })
    return Reconciled(of_m, if_m, OF - of_m, IF - if_m, report)
