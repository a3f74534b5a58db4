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
* :func:`domestic_shares` — how the domestic part of each use is supplied (local output,
  other provinces, the pseudo-origin ``DOM``), once imports are placed by user.
* :func:`reconcile_interprovincial` (from :mod:`chainsim.data.reconcile`) — splits outflows
  and inflows into a part matched nationally and an unmatched rest.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from chainsim.data.reconcile import ASSUMPTION_RECONCILE, Reconciled, reconcile_interprovincial
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


def _local_supply(go: np.ndarray, ex: np.ndarray, of: np.ndarray, where: str) -> np.ndarray:
    """``L = GO - EX - OF`` (float dust clipped to 0); DataError if re-exports were not netted."""
    L = go - ex - of
    scale = np.maximum(np.abs(go), 1.0)
    if (L < -1e-9 * scale).any():
        idx = tuple(int(i) for i in np.argwhere(L < -1e-9 * scale)[0])
        raise DataError(f"{where}: product index {idx}: EX + OF exceeds GO by {-L[idx]:.6g}; net re-exports first")
    return np.clip(L, 0, None)


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
    L = _local_supply(go, ex, of, where)
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
    L = _local_supply(go, ex, of, where)
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
