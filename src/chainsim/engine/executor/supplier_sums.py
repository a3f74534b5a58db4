r"""Sums of factored orders over suppliers or buyers, as batched matrix products over supplier blocks.

The fast executor holds orders as :math:`O_{ij} = W_{ij} \kappa_{ij} \lambda_i r_{c(i)j}`
(:mod:`chainsim.engine.executor.links`). With the baseline weights :math:`W = \bar Z` and every
link open, the day's sums over the suppliers of each input (deliveries, the order split's
denominators) and over buyers (orders received) are batched matmuls with ``ZbarT_D`` /
``ZbarT_M``, products of (S, blocks, N) by (S, N, B): no (B, n_sup, N) array exists. The
(member, product) pairs whose weights or open shares differ are recomputed from their slices
(small batched products).
"""

from __future__ import annotations

import numpy as np

from chainsim.engine.model import EconomyModel

__all__ = ["by_product", "orders_received", "pair_orders", "pair_sums", "set_pair_orders", "sub_rows"]


def by_product(model: EconomyModel, buf: np.ndarray, v: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Σ_{a supplies input row} Zbar[a, p, j] v[b, a, p] for every (b, row, j) into ``out`` (B, S + K, N).

    Batched matmuls: the pooled rows over the first ``d_blocks`` blocks (``ZbarT_D`` is zero on
    the foreign nodes of products with σ = 0 and σ_p Zbar on those of split products), the K
    imported-only rows over the foreign blocks (``ZbarT_M`` = (1 - σ_p) Zbar, zero on the named
    origins; ``buf`` (>= B, foreign blocks, K) gathers the K products when they are not contiguous),
    and the E named origins' rows from their one node each (``Zbar_named``).
    """
    B, nb, S = v.shape[0], model.n_blocks, model.n_sectors
    v3 = v.reshape(B, nb, S)
    np.matmul(v3[:, :model.d_blocks].transpose(2, 0, 1), model.ZbarT_D, out=out[:, :S].transpose(1, 0, 2))
    if model.n_classes == 2:
        vm = v3[:, model.n_dom_blocks:]
        if not isinstance(model.nc_index, slice):  # gather the non-competitive products into a buffer
            vm = np.take(vm, model.nc_index, axis=2, out=buf[:B], mode="clip")
        else:
            vm = vm[:, :, model.nc_index]
        K0 = model.n_inputs - model.n_named
        np.matmul(vm.transpose(2, 0, 1), model.ZbarT_M, out=out[:, S:K0].transpose(1, 0, 2))
        if model.n_named:  # each named origin's row has one supplier: its node's (1 - σ_p) Zbar times v
            np.multiply(v3[:, model.named_block, model.named_product][:, :, None], model.Zbar_named[None],
                        out=out[:, K0:])
    return out


def pair_sums(model: EconomyModel, out: np.ndarray, b: np.ndarray, p: np.ndarray, vals: np.ndarray,
              w: np.ndarray, scale: np.ndarray | None = None) -> None:
    """Set ``out[b, row, :] = scale * Σ_{a supplies row} w[:, a] vals[:, a, :]`` for the overridden pairs.

    ``vals`` is (P, blocks, N) — the pair's W or W κ —, ``w`` (P, blocks). Every
    supplier of the pooled row p and of its imported-only row is in the pair (b, p), so the two
    rows are recomputed from the pair's full slice (a foreign slot delivers σ_p to the pooled row
    and 1 - σ_p to the imported-only row), not corrected: ``baseline + (W κ - Zbar)`` leaves a
    rounding residue, not an exact zero, where every link of a row is closed, and that residue
    depends on the batch's shape (a served share φ = x/D of a node with D = ±1e-15 instead of 0
    then moved the substitution orders of other members by up to 4 % of output before this was
    changed). Pairs (b, p) are distinct, so the fancy-indexed stores never collide.
    """
    F = model.n_dom_blocks
    irow = model.import_row[p]
    imp = irow != p
    sig = model.import_sigma[p][:, None]
    add = np.matmul(w[:, None, :F], vals[:, :F])[:, 0]
    foreign = np.matmul(w[:, None, F:], vals[:, F:])[:, 0]
    add += foreign * sig
    named = None
    if model.n_named:  # the named origins' rows: each from its own node; the shared row from the others
        rows = model.origin_row[F:, p].T  # (P, foreign blocks)
        k, o = np.nonzero(rows != irow[:, None])
        named = (1.0 - sig[k]) * w[k, F + o, None] * vals[k, F + o]
        foreign = np.matmul((w[:, F:] * (rows == irow[:, None]))[:, None], vals[:, F:])[:, 0]
    foreign *= 1.0 - sig
    if scale is not None:
        add *= scale[b, p]
        foreign *= scale[b, irow]
        if named is not None:
            named *= scale[b[k], rows[k, o]]
    out[b, p] = add
    out[b[imp], irow[imp]] = foreign[imp]
    if named is not None:
        out[b[k], rows[k, o]] = named


def set_pair_orders(model: EconomyModel, d3: np.ndarray, ratio: np.ndarray, b: np.ndarray, p: np.ndarray,
                    wk: np.ndarray, cols: np.ndarray | None = None) -> None:
    """Orders received through the overridden pairs, set into ``d3`` (B, blocks, S) from their links ``wk`` (W κ).

    Recomputed, not corrected, for the reason given in :func:`pair_sums`.
    """
    d3[b, :, p] = pair_orders(model, ratio, b, p, wk, cols)


def pair_orders(model: EconomyModel, ratio: np.ndarray, b: np.ndarray, p: np.ndarray, eff: np.ndarray,
                cols: np.ndarray | None = None) -> np.ndarray:
    r"""Orders through the pairs' links ``eff`` (P, blocks, N): (P, blocks) of ``Σ_j eff[k, a, j] ratio[b, row, j]``.

    A foreign node of a split product sums its two slots, :math:`\sigma_p r_p + (1 - \sigma_p) r_M`.

    ``cols`` restricts the buyers (a boolean mask over N).
    """
    F = model.n_dom_blocks if model.n_classes == 2 else model.n_blocks
    if model.n_named:  # each foreign node's imported slot on its own row (a named origin's, or the shared one)
        r_dom = ratio[b, p]
        sig = model.import_sigma[p][:, None, None]
        r_for = sig * r_dom[:, None] + (1.0 - sig) * ratio[b[:, None], model.origin_row[F:, p].T]
        if cols is not None:
            r_dom, r_for = r_dom * cols, r_for * cols
        out = np.empty(eff.shape[:2])
        out[:, :F] = np.matmul(eff[:, :F], r_dom[:, :, None])[:, :, 0]
        out[:, F:] = np.einsum("kon,kon->ko", eff[:, F:], r_for)
        return out
    r_dom, r_for = ratio[b, p], ratio[b, model.import_row[p]] if model.n_classes == 2 else None
    if model.has_split:  # the two slots of a foreign node: σ_p r_p + (1 - σ_p) r_M
        sig = model.import_sigma[p][:, None]
        r_for = sig * r_dom + (1.0 - sig) * r_for
    if cols is not None:
        r_dom = r_dom * cols
        r_for = None if r_for is None else r_for * cols
    out = np.empty(eff.shape[:2])
    out[:, :F] = np.matmul(eff[:, :F], r_dom[:, :, None])[:, :, 0]
    if r_for is not None:
        out[:, F:] = np.matmul(eff[:, F:], r_for[:, :, None])[:, :, 0]
    return out


def sub_rows(model: EconomyModel, p: np.ndarray) -> np.ndarray:
    """Supplier rows of the domestic producers (regions) of each product p: (K', R)."""
    return np.arange(model.table.n_regions)[None, :] * model.n_sectors + p[:, None]


def orders_received(model: EconomyModel, ratio: np.ndarray, ZD: np.ndarray, ZM: np.ndarray, d3: np.ndarray,
                     bufD: np.ndarray | None = None, bufM: np.ndarray | None = None,
                     ZN: np.ndarray | None = None) -> None:
    """Factored orders received ``d3[b, a, p] = Σ_j Z[a, p, j] r[b, row(a, p), j]`` (before λ), batched matmuls.

    ``ZD``/``ZM`` are ``ZbarT_D``/``ZbarT_M`` or their restriction to some buyers (``ratio`` then
    restricted to the same buyers; ``ZN`` the named origins' ``Zbar_named`` restricted alike).
    """
    S, hi = model.n_sectors, model.d_blocks
    K0 = model.n_inputs - model.n_named
    d = np.matmul(ZD, ratio[:, :S].transpose(1, 2, 0), out=bufD)  # (S, d_blocks, B)
    d3[:, :hi] = d.transpose(2, 1, 0)
    if model.n_classes == 2:
        d = np.matmul(ZM, ratio[:, S:K0].transpose(1, 2, 0), out=bufM)  # (K, foreign blocks, B)
        if model.has_split:  # the foreign nodes of split products also received orders on their pooled slot
            d3[:, model.n_dom_blocks:, model.nc_index] += d.transpose(2, 1, 0)
        else:
            d3[:, model.n_dom_blocks:, model.nc_index] = d.transpose(2, 1, 0)
        if model.n_named:  # a named origin's orders on its own row
            ZN = model.Zbar_named if ZN is None else ZN
            named = np.matmul(ratio[:, K0:, None, :], ZN[:, :, None])[:, :, 0, 0]  # (B, E)
            d3[:, model.named_block, model.named_product] += named
