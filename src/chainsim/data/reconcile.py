"""The national OF/IF reconciliation: which inter-provincial trade is matched, and what is left unmatched.

Per product, the provinces' outflows to other provinces (OF) and inflows from other provinces
(IF) should add up to the same national total; in the NBS 2017 tables they do not. This module
splits them into a nationally matched part and an unmatched rest (:func:`reconcile_interprovincial`);
the builder supplies unmatched inflows from the pseudo-origin ``DOM`` and sells unmatched
outflows to the final-demand category ``unallocated_outflow`` (docs/data.md, "The national
inconsistency").
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from chainsim.errors import DataError

__all__ = ["ASSUMPTION_RECONCILE", "Reconciled", "reconcile_interprovincial"]

ASSUMPTION_RECONCILE = (
    "National OF/IF gap: per product, the provinces' outflows to other provinces (OF) and inflows from other "
    "provinces (IF) do not add up to the same national total in the NBS tables (after netting, sum OF = 49.03 "
    "and sum IF = 57.01 trn CNY; 35.80 trn CNY in absolute value over products). The matched volume of a "
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
