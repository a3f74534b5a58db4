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

from chainsim.engine.executor.jit import compiled
from chainsim.engine.model import EconomyModel

__all__ = ["by_product", "orders_received", "pair_order_sums", "pair_orders", "pair_rows", "pair_sums",
           "set_pair_orders", "sub_rows"]


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
    and 1 - σ_p to the imported-only row; a named origin's slot, 1 - σ_p to its own row), not
    corrected: ``baseline + (W κ - Zbar)`` leaves a rounding residue, not an exact zero, where every
    link of a row is closed, and that residue depends on the batch's shape (a served share φ = x/D
    of a node with D = ±1e-15 instead of 0 then moved the substitution orders of other members by
    up to 4 % of output before this was changed). Pairs (b, p) are distinct, so the stores never
    collide. One compiled pass over the pairs (:func:`pair_rows`; it was fifteen NumPy calls and a
    sixth of the README run's day, issue 22).
    """
    F = model.n_dom_blocks
    has_scale = scale is not None  # without a scale the loop is handed ``out`` in its place (never read)
    pair_rows(out, b, p, np.ascontiguousarray(vals), np.ascontiguousarray(w), F, model.import_row,
              model.import_sigma, model.origin_row, model.n_named > 0, scale if has_scale else out, has_scale)


@compiled
def pair_rows(out, b, p, vals, w, F, import_row, import_sigma, origin_row, named, scale, has_scale):
    r"""The loop of :func:`pair_sums`: sums over each pair's supplier blocks in ascending order.

    Pooled row p: :math:`\sum_{a<F} w_a v_a + \sigma_p \sum_{a \ge F} w_a v_a`; imported-only row
    (if p has one): :math:`(1-\sigma_p)\sum w_a v_a` over the foreign blocks that deliver it (all,
    or with ``named`` those whose ``origin_row`` is the shared row); each named origin's row:
    :math:`(1-\sigma_p) w_a v_a`. Each times ``scale`` of its row if ``has_scale``.
    """
    P, nb, N = vals.shape
    dom = np.empty(N)
    every = np.empty(N)
    shared = np.empty(N)
    for k in range(P):
        bk, pk = b[k], p[k]
        ir = import_row[pk]
        sg = import_sigma[pk]
        keep = 1.0 - sg
        for n in range(N):
            dom[n] = 0.0
            every[n] = 0.0
            shared[n] = 0.0
        for a in range(F):
            wa = w[k, a]
            for n in range(N):
                dom[n] += wa * vals[k, a, n]
        for a in range(F, nb):
            wa = w[k, a]
            own = named and origin_row[a, pk] != ir
            for n in range(N):
                t = wa * vals[k, a, n]
                every[n] += t
                if not own:
                    shared[n] += t
            if own:  # a named origin's own imported-only row
                r = origin_row[a, pk]
                for n in range(N):
                    v = keep * wa * vals[k, a, n]
                    out[bk, r, n] = v * scale[bk, r, n] if has_scale else v
        for n in range(N):
            add = dom[n] + every[n] * sg
            out[bk, pk, n] = add * scale[bk, pk, n] if has_scale else add
        if ir != pk:
            for n in range(N):
                f = shared[n] * keep
                out[bk, ir, n] = f * scale[bk, ir, n] if has_scale else f


def set_pair_orders(model: EconomyModel, d3: np.ndarray, ratio: np.ndarray, b: np.ndarray, p: np.ndarray,
                    wk: np.ndarray, cols: np.ndarray | None = None) -> None:
    """Orders received through the overridden pairs, set into ``d3`` (B, blocks, S) from their links ``wk`` (W κ).

    Recomputed, not corrected, for the reason given in :func:`pair_sums`.
    """
    d3[b, :, p] = pair_orders(model, ratio, b, p, wk, cols)


def pair_orders(model: EconomyModel, ratio: np.ndarray, b: np.ndarray, p: np.ndarray, eff: np.ndarray,
                cols: np.ndarray | None = None) -> np.ndarray:
    r"""Orders through the pairs' links ``eff`` (P, blocks, N): (P, blocks) of ``Σ_j eff[k, a, j] ratio[b, row, j]``.

    A foreign node of a split product sums its two slots, :math:`\sigma_p r_p + (1 - \sigma_p) r_M`
    (``r_M`` its own imported-only row: a named origin's, or the product's shared one).

    ``cols`` restricts the buyers (a boolean mask over N). One compiled pass (:func:`pair_order_sums`).
    """
    two = model.n_classes == 2
    F = model.n_dom_blocks if two else model.n_blocks
    mix = model.n_named > 0 or model.has_split  # else a foreign node's orders are its imported-only row's
    out = np.empty(eff.shape[:2])
    has_cols = cols is not None  # without a buyer mask the loop is handed a 1-element one (never read)
    pair_order_sums(out, ratio, b, p, np.ascontiguousarray(eff), F, model.origin_row, model.import_sigma, mix,
                    cols if has_cols else np.ones(1, dtype=np.bool_), has_cols)
    return out


@compiled
def pair_order_sums(out, ratio, b, p, eff, F, origin_row, import_sigma, mix, cols, has_cols):
    """The loop of :func:`pair_orders` (sums over buyers in ascending order)."""
    P, nb, N = eff.shape
    for k in range(P):
        bk, pk = b[k], p[k]
        for a in range(F):
            acc = 0.0
            for n in range(N):
                if not has_cols or cols[n]:
                    acc += eff[k, a, n] * ratio[bk, pk, n]
            out[k, a] = acc
        sg = import_sigma[pk]
        for a in range(F, nb):
            r = origin_row[a, pk]
            acc = 0.0
            for n in range(N):
                if not has_cols or cols[n]:
                    rf = sg * ratio[bk, pk, n] + (1.0 - sg) * ratio[bk, r, n] if mix else ratio[bk, r, n]
                    acc += eff[k, a, n] * rf
            out[k, a] = acc


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
