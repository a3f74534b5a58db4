"""Assembly of a multi-regional table from provincial accounts (pure array functions).

Notation: R provinces, S products, C final-demand categories, K foreign origins. For a
product p, ``T[p, o, d]`` is the flow from province o to province d (o != d, from RAS);
``Q[p, o, d] = T[p, o, d] / IF[d, p]`` the origin mix of d's inflows; ``a[d, p, j]`` the
foreign-import share of user j's use of p (:func:`chainsim.data.import_use.split_imports`);
``local``, ``other``, ``unallocated`` and ``negative_local`` the domestic shares of
:func:`chainsim.data.netting.domestic_shares`. Province d's users of p buy from origin o::

    pos[p, o, d] = Q[p, o, d] * other[d, p]          (o != d),    pos[p, d, d] = local[d, p]
    neg[p, o, d] = Q[p, o, d] * (1 - negative_local[d, p]),       neg[p, d, d] = negative_local[d, p]

so that ``Z[(o, p), (d, j)] = pos[p, o, d] * (1 - a[d, p, j]) * Zc[d, p, j]`` and
``Y[(o, p), (d, c)] = pos * (1 - a) * F+[d, p, c] + neg * F-[d, p, c]`` (positive and negative
final-demand entries), and foreign imports are ``a[d, p, j] * share[p, k] * Zc[d, p, j]``
(positive entries only). The national OF/IF gap adds two blocks
(:func:`chainsim.data.netting.reconcile_interprovincial`): the pseudo-origin ``DOM`` (last
import origin) supplies ``unallocated[d, p] * (1 - a) * Zc[d, p, j]`` (and ``* F+``) of d's
unmatched inflows, and d's unmatched outflow ``OF_u[d, p]`` is sold to the final-demand
column ``(d, unallocated_outflow)`` (last category). Rows add up to
``L + OF_matched + OF_u + EX = GO`` and columns to the provincial intermediate inputs, so
the table balances by construction (Miller & Blair 2009, ch. 3: the multiregional model
with proportional supply shares, Chenery-Moses type).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from chainsim.data import netting
from chainsim.data.nbs import ProvincialTable
from chainsim.data.ras import gravity_prior, ras_with_info
from chainsim.errors import DataError

__all__ = ["MRIOArrays", "ProvincialArrays", "aggregate", "assemble", "interprovincial_flows", "stack_tables"]


class ProvincialArrays(NamedTuple):
    """The provincial tables stacked: competitive Z (R,S,S), final demand F (R,S,C), trade and GO (R,S)."""

    Z: np.ndarray
    F: np.ndarray
    EX: np.ndarray
    OF: np.ndarray
    IM: np.ndarray
    IF: np.ndarray
    GO: np.ndarray
    VA: np.ndarray


class MRIOArrays(NamedTuple):
    """Multi-regional blocks in region-major 4-d form: Z (R,S,R,S), Y (R,S,R,C+1), imports (K+1,S,R,S|C+1).

    The last final-demand category is ``unallocated_outflow``, the last import origin ``DOM``.
    """

    Z: np.ndarray
    Y: np.ndarray
    exports: np.ndarray
    value_added: np.ndarray
    x: np.ndarray
    imports_Z: np.ndarray
    imports_Y: np.ndarray


def stack_tables(tables: list[ProvincialTable]) -> tuple[ProvincialArrays, float]:
    """Stack parsed provincial tables; fold ERR and the row rounding residual into inventories.

    Returns
    -------
    (ProvincialArrays, float)
        The stacked arrays (value added = GO - intermediate inputs) and the largest absolute
        row rounding residual folded (10k CNY).
    """
    resid = np.stack([t.row_residual for t in tables])
    F = netting.final_demand_categories(np.stack([t.final_demand for t in tables]),
                                        np.stack([t.ERR for t in tables]) + resid)
    Z = np.stack([t.Z for t in tables])
    go = np.stack([t.GO for t in tables])
    arr = ProvincialArrays(Z, F, *(np.stack([getattr(t, c) for t in tables]) for c in ("EX", "OF", "IM", "IF")),
                           go, go - Z.sum(axis=1))
    return arr, float(np.abs(resid).max())


def interprovincial_flows(OF: np.ndarray, IF: np.ndarray, distance_km: np.ndarray, *, beta: float = 1.0,
                          labels: tuple[str, ...] = (), tol: float = 1e-10) -> tuple[np.ndarray, list[dict]]:
    """Origin-destination flows per product: gravity prior balanced by RAS to OF (rows) and IF (columns).

    Parameters
    ----------
    OF, IF : array (R, S)
        Reconciled outflows and inflows (per product, ``sum OF == sum IF``).
    distance_km : array (R, R)
        Distances between the provinces' capitals.
    beta : float
        Distance-decay exponent of the gravity prior.
    labels : tuple of str
        Product codes for the report and messages.
    tol : float
        RAS tolerance (relative, row margins).

    Returns
    -------
    (array (S, R, R), list of dict)
        ``T[p, o, d]`` and, per product, the RAS iterations and the gap achieved.

    Raises
    ------
    DataError
        If a province's outflow exceeds the other provinces' inflows (or vice versa): no
        flow matrix with a zero diagonal exists.
    """
    R, S = OF.shape
    labels = labels or tuple(str(p) for p in range(S))
    T = np.zeros((S, R, R))
    info = []
    for p in range(S):
        of, inflow = OF[:, p], IF[:, p]
        total = of.sum()
        for what, a, b in (("outflow", of, inflow), ("inflow", inflow, of)):
            room = b.sum() - b
            bad = a > room * (1 + 1e-12)
            if bad.any():
                k = int(np.argmax(bad))
                raise DataError(f"product {labels[p]}: province index {k} has {what} {a[k]:.6g} but the other "
                                f"provinces' {'inflows' if what == 'outflow' else 'outflows'} total {room[k]:.6g}")
        if total == 0:
            info.append({"product": labels[p], "iterations": 0, "gap": 0.0})
            continue
        res = ras_with_info(gravity_prior(of, inflow, distance_km, beta), of, inflow, tol=tol)
        T[p] = res.matrix
        info.append({"product": labels[p], "iterations": res.iterations, "gap": res.gap})
    return T, info


def assemble(arr: ProvincialArrays, shares: netting.DomesticShares, abroad_Z: np.ndarray, abroad_F: np.ndarray,
             T: np.ndarray, w_int: np.ndarray, w_fin: np.ndarray,
             unmatched_outflow: np.ndarray | None = None) -> MRIOArrays:
    """Build the province-level MRIO blocks (see the module docstring for the formulas).

    Parameters
    ----------
    arr : ProvincialArrays
        Provincial accounts after netting and reconciliation (``OF``, ``IF`` the matched
        flows, ``IF`` equal to the column sums of ``T``), C final-demand categories.
    shares : DomesticShares
        How the domestic part of each use is supplied (R, S), from
        :func:`chainsim.data.netting.domestic_shares` (its ``unallocated`` share is supplied
        by the origin ``DOM``).
    abroad_Z, abroad_F : array (R, S, S) and (R, S, C)
        Foreign-import share of each intermediate use ``Zc[d, p, j]`` and of each positive
        final use ``F[d, p, c]`` (:func:`chainsim.data.import_use.split_imports`).
    T : array (S, R, R)
        Inter-provincial flows ``T[p, o, d]``.
    w_int, w_fin : array (S, K)
        Foreign origin shares for intermediate and final use (rows sum to 1).
    unmatched_outflow : array (R, S), optional
        Outflows not matched nationally, sold to the category ``unallocated_outflow``
        (default none).

    Returns
    -------
    MRIOArrays
        With C + 1 final-demand categories (the last ``unallocated_outflow``) and K + 1
        import origins (the last ``DOM``).
    """
    R = arr.GO.shape[0]
    inflow = arr.IF.T  # (p, d)
    Q = np.where(inflow[:, None, :] > 0, T / np.where(inflow > 0, inflow, 1.0)[:, None, :], 0.0)  # origin mix
    idx = np.arange(R)
    pos = Q * shares.other.T[:, None, :]  # (p, o, d): share of d's domestic positive uses of p supplied by o
    pos[:, idx, idx] = shares.local.T
    neg = Q * (1.0 - shares.negative_local).T[:, None, :]
    neg[:, idx, idx] = shares.negative_local.T
    pos_o, neg_o = pos.transpose(1, 0, 2), neg.transpose(1, 0, 2)  # (o, p, d)
    Zt = arr.Z.transpose(1, 0, 2)  # (p, d, j)
    Fpos = np.clip(arr.F, 0, None).transpose(1, 0, 2)  # (p, d, c)
    Fneg = np.clip(arr.F, None, 0).transpose(1, 0, 2)
    aZ, aF = abroad_Z.transpose(1, 0, 2), abroad_F.transpose(1, 0, 2)  # (p, d, j|c)
    Zdom, Fdom = (1.0 - aZ) * Zt, (1.0 - aF) * Fpos
    Z = pos_o[:, :, :, None] * Zdom[None]
    Y = pos_o[:, :, :, None] * Fdom[None] + neg_o[:, :, :, None] * Fneg[None]
    unalloc = np.zeros((R, R, arr.GO.shape[1], 1))  # (o, d, p, 1): own unmatched outflow on the diagonal
    if unmatched_outflow is not None:
        unalloc[idx, idx, :, 0] = unmatched_outflow
    Y = np.concatenate([Y, unalloc.transpose(0, 2, 1, 3)], axis=3)
    dom = shares.unallocated.T[:, :, None]  # (p, d, 1)
    imports_Z = np.concatenate([w_int.T[:, :, None, None] * (aZ * Zt)[None], (dom * Zdom)[None]], axis=0)
    imports_Y = np.concatenate([w_fin.T[:, :, None, None] * (aF * Fpos)[None], (dom * Fdom)[None]], axis=0)
    imports_Y = np.concatenate([imports_Y, np.zeros((*imports_Y.shape[:3], 1))], axis=3)
    return MRIOArrays(Z, Y, arr.EX.copy(), arr.VA.copy(), arr.GO.copy(), imports_Z, imports_Y)


def aggregate(m: MRIOArrays, groups: list[np.ndarray]) -> MRIOArrays:
    """Sum provinces into regions: ``groups[g]`` lists the province indices of region g."""

    def origins(a: np.ndarray, axis: int) -> np.ndarray:
        return np.stack([np.take(a, g, axis=axis).sum(axis=axis) for g in groups], axis=axis)

    Z = origins(origins(m.Z, 0), 2)
    Y = origins(origins(m.Y, 0), 2)
    return MRIOArrays(Z, Y, origins(m.exports, 0), origins(m.value_added, 0), origins(m.x, 0),
                      origins(m.imports_Z, 2), origins(m.imports_Y, 2))
