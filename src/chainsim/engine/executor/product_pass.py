r"""The default model's evening as one pass per product: deliveries, stocks, need, tomorrow's orders received.

After the rationing, everything the default model's day does per (member, product) is closed:
the deliveries of every input row of product p (its pooled row, its imported-only row, the named
origins' own rows) come from the suppliers of p; each of those rows' stock update and need
(:func:`~chainsim.engine.executor.distribution.stock_and_need_planned`) reads only that row; and
the orders the suppliers of p receive tomorrow,
:math:`d_{ap} = \sum_j W_{apj}\kappa_{apj} r_{\mathrm{row}(a,p)j}` (before λ,
:func:`~chainsim.engine.executor.supplier_sums.orders_received`), read only those rows' new
ratios r. So one compiled pass, product by product and member by member, does it all while the
product's supplier table (blocks x N, 31 KB) stays in the core's first-level cache, and the
(member, input row, buyer) arrays are each read and written once: the staged day computed the
deliveries and the denominators into (B, rows, N) arrays with batched products, read them back in
the stock loop, and read the ratios once more the next morning for the orders received (issue 22).

The arithmetic is the staged day's, per element, with two differences of rounding only (the
staged day's batched products sum in BLAS's order): the sums over supplier blocks run in
ascending block order, as :func:`~chainsim.engine.executor.supplier_sums.pair_rows` sums the
overridden pairs, and the sums over buyers may be reordered by the compiler (vectorised).
``tests/test_product_pass.py`` checks the pass against the staged day to 1e-12 per industry and
day over random disruption sets, with link overrides, capacity losses and named origins.

The overridden (member, product) pairs (:class:`~chainsim.engine.executor.links.Overrides`) use
their own slices in place of the baseline's: W κ for the deliveries and the orders, and for the
denominators W κ on the links the order split sees (``reference.split_sees_closures``), W elsewhere.
"""

from __future__ import annotations

import numpy as np

from chainsim.engine.executor.jit import compiled
from chainsim.engine.model import EconomyModel

__all__ = ["ProductTables", "product_pass"]


class ProductTables:
    """What the pass needs of the model beyond its arrays: each product's input rows and their links.

    For the pairs no override touches, the baseline's links by product: the rows of product p are
    ``rows[row_ptr[p]:row_ptr[p + 1]]`` (its pooled row, its imported-only row, its named origins'
    rows), and the links into row ``rows[i]`` are ``link_block[link_ptr[i]:link_ptr[i + 1]]`` with
    coefficients ``link_coef`` (links, N): the staged day's ``ZbarT_D`` (the pooled share σ_p of a
    foreign node folded in), ``ZbarT_M`` and ``Zbar_named`` rows, the all-zero ones left out.
    """

    def __init__(self, m: EconomyModel) -> None:
        S, F = m.n_sectors, m.n_dom_blocks
        K0 = m.n_inputs - m.n_named
        nc = [] if m.n_classes == 1 else np.asarray(m.nc_products).tolist()
        rows, row_ptr, blocks, coef, link_ptr = [], [0], [], [], [0]

        def add_row(r: int, links: list[tuple[int, np.ndarray]]) -> None:
            rows.append(r)
            for a, c in links:
                if c.any():
                    blocks.append(a)
                    coef.append(c)
            link_ptr.append(len(blocks))

        for p in range(S):
            add_row(p, [(a, m.ZbarT_D[p, a]) for a in range(m.d_blocks)])
            if p in nc:
                k = nc.index(p)
                add_row(S + k, [(F + a, m.ZbarT_M[k, a]) for a in range(m.ZbarT_M.shape[1])])
            for e in np.flatnonzero(np.asarray(m.named_product) == p) if m.n_named else []:
                add_row(K0 + int(e), [(int(m.named_block[e]), m.Zbar_named[e])])
            row_ptr.append(len(rows))
        self.rows, self.row_ptr = np.asarray(rows, dtype=np.int64), np.asarray(row_ptr, dtype=np.int64)
        self.link_ptr, self.link_block = np.asarray(link_ptr, dtype=np.int64), np.asarray(blocks, dtype=np.int64)
        self.link_coef = np.ascontiguousarray(coef)
        self.F = m.n_dom_blocks  # blocks from F on are foreign (their flow splits between two slots)
        # the orders received: a foreign node of a split product sums its two slots (supplier_sums.pair_orders)
        self.F_orders = m.n_dom_blocks if m.n_classes == 2 else m.n_blocks
        self.mix = m.n_named > 0 or m.has_split
        self.named = m.n_named > 0
        self.origin_row = np.ascontiguousarray(m.origin_row, dtype=np.int64)
        self.import_row = np.ascontiguousarray(m.import_row, dtype=np.int64)
        # (rows, N) the denominators of λ = 1 and their reciprocals with no supplier included (0 there), at first use
        self.base_den: np.ndarray | None = None
        self.base_rden: np.ndarray | None = None

    def set_baseline(self, den: np.ndarray, no_supplier: np.ndarray) -> None:
        """Keep the denominators of λ = 1 (rows, N) and their reciprocals (the stock loop's multipliers)."""
        d = den + no_supplier
        self.base_den = den
        self.base_rden = np.divide(1.0, d, out=np.zeros_like(d), where=d > 0)

    def structure(self, m: EconomyModel) -> tuple:
        """:func:`product_pass`'s first arguments: the model's table and this link table."""
        return (m.ZbarT, self.rows, self.row_ptr, self.link_ptr, self.link_block, self.link_coef, self.F,
                self.F_orders, self.import_row, m.import_sigma, self.origin_row, self.named, self.mix)


@compiled(fastmath={"reassoc"})
def product_pass(Z, rows, row_ptr, link_ptr, link_block, link_coef, F, F_orders, import_row, import_sigma,
                 origin_row, named, mix, served, wk_served, pair, wk, wden, lam_prev, phi, lam, unit, base_den,
                 base_rden, inv, AC, x, ratio, goal, xbar, xo, tau, infinite, exact, no_supplier, fix_zero, done,
                 d_next, den_out, has_den_out, OC, has_oc, extra, extra_rows):
    r"""Deliveries, stocks, need and tomorrow's orders received of every (member, product), in one pass.

    Per member b and product p, with :math:`w_a = \lambda^{t-1}_{ap}\varphi_{ap}`:

    1. the deliveries, before the ratio, of the orders placed yesterday over yesterday's links v
       (the baseline's, or the pair's ``wk_served[k]`` if ``served[b, p]`` = k >= 0): pooled row p
       :math:`\sum_{a<F} w_a v_a + \sigma_p\sum_{a\ge F} w_a v_a`; the imported-only row (if p
       has one) :math:`(1-\sigma_p)\sum w_a v_a` over the foreign blocks that deliver to it; each
       named origin's row :math:`(1-\sigma_p) w_a v_a` (as ``supplier_sums.pair_rows``);
    2. the denominators the same way with today's λ over today's links (``pair``, ``wden``), or,
       if ``unit`` (every λ is 1) on a pair no override touches, the baseline's (``base_rden``,
       their reciprocals; ``base_den``);
    3. each row's stock update and need (``distribution.stock_and_need_planned``; the need of an
       input whose denominator is <= 0 is dropped where ``fix_zero``) into ``ratio``; ``done`` (B,)
       the use no stock could cover;
    4. tomorrow's orders received, ``d_next[b, a S + p]`` :math:`= \sum_j v_{aj} r_j` over today's
       links v with r the node's row's new ratio (a foreign node from ``F_orders`` on:
       :math:`\sigma_p r_p + (1-\sigma_p) r_{\mathrm{origin\_row}(a,p)}` if ``mix``).

    The baseline's links come from the link table (``rows`` .. ``link_coef``,
    :class:`ProductTables`); a pair overridden yesterday or today from its slices
    (:func:`_overridden_product`). ``has_den_out``: the denominators computed are also stored into
    ``den_out`` (B, rows, N) (:func:`~chainsim.engine.executor.distribution.baseline_denominators`);
    ``has_oc``: the need into ``OC`` (B, rows, N) (the substitution orders read it). ``extra``
    (B, rows, N): deliveries added after the ratio, on the rows marked in ``extra_rows`` (B, rows)
    (substitutes from domestic producers, as the staged evening adds them to V).
    """
    B, _, N = inv.shape
    S, nb, _ = Z.shape
    links = (rows, row_ptr, link_ptr, link_block, link_coef)
    # (a call takes at most 30 arguments)
    stock = (inv, AC, x, ratio, goal, xbar, xo, tau, infinite, no_supplier, OC, has_oc, extra, extra_rows)
    buf = np.empty((10, N))  # the pair path's six sums; a row's deliveries, denominators, their reciprocals, need
    short = np.zeros(B)
    for p in range(S):
        for b in range(B):
            ks, k = served[b, p], pair[b, p]
            bg = b if goal.shape[0] > 1 else 0
            need_den = k >= 0 or not unit
            if ks < 0 and k < 0:
                short[b] += _baseline_product(b, p, bg, links, S, nb, lam_prev, phi, lam, need_den, base_rden, stock,
                                              exact, fix_zero, d_next, den_out, has_den_out, buf)
            else:
                svals = wk_served[ks] if ks >= 0 else Z[p]
                vals = wk[k] if k >= 0 else Z[p]
                dvals = wden[k] if k >= 0 else Z[p]
                short[b] += _overridden_product(b, p, bg, svals, vals, dvals, F, F_orders, import_row[p],
                                                import_sigma[p], origin_row, named, mix, S, lam_prev, phi, lam,
                                                need_den, base_den, stock, exact, fix_zero, d_next, den_out,
                                                has_den_out, buf)
    for b in range(B):
        done[b] = short[b]


@compiled(fastmath={"reassoc"}, inline="always")
def _baseline_product(b, p, bg, links, S, nb, lam_prev, phi, lam, need_den, base_rden, stock, exact, fix_zero, d_next,
                      den_out, has_den_out, buf):
    """:func:`product_pass` for a (member, product) on the baseline's links: the link table. Returns the shortfall."""
    rows, row_ptr, link_ptr, link_block, link_coef = links
    ratio, no_supplier, OC, has_oc = stock[3], stock[9], stock[10], stock[11]
    vrow, drow, rrow = buf[6], buf[7], buf[8]
    short = 0.0
    for i in range(row_ptr[p], row_ptr[p + 1]):
        r = rows[i]
        _link_sums(link_ptr[i], link_ptr[i + 1], link_block, link_coef, S, p, b, lam_prev, phi, vrow)
        if need_den:
            _link_sums(link_ptr[i], link_ptr[i + 1], link_block, link_coef, S, p, b, lam, None, drow)
            _reciprocals(drow, no_supplier[r], fix_zero, rrow)
            if has_den_out:
                den_out[b, r] = drow
        rden = rrow if need_den else base_rden[r]
        need = OC[b, r] if has_oc else buf[9]
        short += _stock_row_plus(b, r, bg, vrow, rden, stock, exact, need)
    for a in range(nb):
        d_next[b, a * S + p] = 0.0
    for i in range(row_ptr[p], row_ptr[p + 1]):
        _link_orders(link_ptr[i], link_ptr[i + 1], link_block, link_coef, S, p, b, ratio[b, rows[i]], d_next)
    return short


@compiled(fastmath={"reassoc"}, inline="always")
def _overridden_product(b, p, bg, svals, vals, dvals, F, F_orders, ir, sg, origin_row, named, mix, S, lam_prev, phi,
                        lam, need_den, base_den, stock, exact, fix_zero, d_next, den_out, has_den_out, buf):
    """:func:`product_pass` for a pair overridden yesterday (``svals``) or today (``vals``, ``dvals``): its slices.

    Summed over supplier blocks in ascending order as ``supplier_sums.pair_rows`` sums them; the
    named origins' own rows are settled as their block comes. Returns the shortfall.
    """
    nb, N = vals.shape
    ratio = stock[3]
    dom, every, shared, ddom, devery, dshared, vrow, drow, rrow, need = buf
    keep = 1.0 - sg
    short = 0.0
    for n in range(N):
        dom[n] = every[n] = shared[n] = ddom[n] = devery[n] = dshared[n] = 0.0
    for a in range(nb):
        node = a * S + p
        wa = lam_prev[b, node] * phi[b, node]
        la = lam[b, node]
        if a < F:
            for n in range(N):
                dom[n] += wa * svals[a, n]
            if need_den:
                for n in range(N):
                    ddom[n] += la * dvals[a, n]
            continue
        own = named and origin_row[a, p] != ir
        for n in range(N):
            t = wa * svals[a, n]
            every[n] += t
            if not own:
                shared[n] += t
        if need_den:
            for n in range(N):
                t = la * dvals[a, n]
                devery[n] += t
                if not own:
                    dshared[n] += t
        if own:  # a named origin's own imported-only row: one supplier
            r = origin_row[a, p]
            for n in range(N):
                vrow[n] = keep * wa * svals[a, n]
                drow[n] = keep * la * dvals[a, n] if need_den else base_den[r, n]
            short += _settle_row(b, r, bg, vrow, drow, stock, exact, fix_zero, den_out, has_den_out, rrow, need)
    for n in range(N):  # the pooled row
        vrow[n] = dom[n] + every[n] * sg
        drow[n] = ddom[n] + devery[n] * sg if need_den else base_den[p, n]
    short += _settle_row(b, p, bg, vrow, drow, stock, exact, fix_zero, den_out, has_den_out, rrow, need)
    if ir != p:  # the imported-only row
        for n in range(N):
            vrow[n] = shared[n] * keep
            drow[n] = dshared[n] * keep if need_den else base_den[ir, n]
        short += _settle_row(b, ir, bg, vrow, drow, stock, exact, fix_zero, den_out, has_den_out, rrow, need)
    for a in range(nb):  # tomorrow's orders received, over today's links
        acc = 0.0
        if a < F_orders:
            for n in range(N):
                acc += vals[a, n] * ratio[b, p, n]
        else:
            r = origin_row[a, p]
            if mix:
                for n in range(N):
                    acc += vals[a, n] * (sg * ratio[b, p, n] + keep * ratio[b, r, n])
            else:
                for n in range(N):
                    acc += vals[a, n] * ratio[b, r, n]
        d_next[b, a * S + p] = acc
    return short


@compiled(fastmath={"reassoc"}, inline="always")
def _settle_row(b, r, bg, vrow, drow, stock, exact, fix_zero, den_out, has_den_out, rrow, buf_need):
    """Row r's stock and need from its deliveries ``vrow`` and denominators ``drow``; returns its shortfall."""
    no_supplier, OC, has_oc = stock[9], stock[10], stock[11]
    _reciprocals(drow, no_supplier[r], fix_zero, rrow)
    if has_den_out:
        den_out[b, r] = drow
    need = OC[b, r] if has_oc else buf_need
    return _stock_row_plus(b, r, bg, vrow, rrow, stock, exact, need)


@compiled(fastmath={"reassoc"}, inline="always")
def _stock_row_plus(b, r, bg, vrow, rden, stock, exact, need):
    """:func:`_stock_row` of row r, with the row's ``extra`` deliveries if it has any."""
    inv, AC, x, ratio, goal, xbar, xo, tau, infinite, _, _, _, extra, extra_rows = stock
    if extra_rows[b, r]:
        return _stock_row(b, r, bg, vrow, rden, inv, AC, x, ratio, goal, xbar, xo, tau[r], infinite[r], exact, need,
                          extra[b, r])
    return _stock_row(b, r, bg, vrow, rden, inv, AC, x, ratio, goal, xbar, xo, tau[r], infinite[r], exact, need, None)


@compiled(fastmath={"reassoc"}, inline="always")
def _stock_row(b, r, bg, v, rden, inv, AC, x, ratio, goal, xbar, xo, tau, inf_row, exact, need, add):
    r"""One input row of :func:`~chainsim.engine.executor.distribution.stock_and_need_planned`; returns its shortfall.

    ``add`` (a row, or None): deliveries added after the ratio. The need :math:`O^C` also goes into
    ``need`` (a row of ``OC``, which the substitution orders read, or scratch). ``rden`` holds the
    reciprocals of the row's denominators (:func:`_reciprocals`), so the elements have no division
    (a division costs about as much as the rest of an element's work), and the gap's 1/τ is one
    division per row. Either differs from the staged loop's divisions by at most an ulp.
    """
    N = v.shape[0]
    short = 0.0
    itau = 1.0 / tau
    for j in range(N):
        u = AC[r, j] * x[b, j]
        vv = v[j] * ratio[b, r, j]
        if add is not None:  # (compiled only where the caller passes a row)
            vv = vv + add[j]
        s0 = inv[b, r, j]
        if exact:
            gap = u - s0
            short += gap if gap > 0.0 else 0.0
            u = s0 if s0 < u else u
            s = s0 - u
            s = s + vv
        else:
            s = s0 - u
            s = s + vv
            if s < 0.0:
                s = 0.0
        inv[b, r, j] = s
        o = AC[r, j] * xo[b, j]
        if not inf_row:
            o = o + (goal[bg, r, j] * xbar[j] - s) * itau
        if o < 0.0:
            o = 0.0
        need[j] = o
        ratio[b, r, j] = o * rden[j]
    return short


@compiled(inline="always")
def _reciprocals(den, no_supplier, fix_zero, out):
    r"""``out`` :math:`= 1/(d + \infty_{no\,supplier})`, 0 where ``fix_zero`` and the sum is <= 0 (the need is dropped).

    Stored before the stock loop reads it: the same bits as the baseline's reciprocals
    (:meth:`ProductTables.set_baseline`) for the same denominators.
    """
    for j in range(den.shape[0]):
        d = den[j] + no_supplier[j]
        out[j] = 0.0 if fix_zero and d <= 0.0 else 1.0 / d


@compiled(fastmath={"reassoc"}, inline="always")
def _link_sums(e0, e1, link_block, link_coef, S, p, b, w1, w2, out):
    r"""``out`` :math:`= \sum_{e_0 \le e < e_1} w_e c_e` over links e (w = ``w1 * w2`` of the link's node, or ``w1``).

    Four links per pass over the buyers (the row stays in registers; the sum's order may be
    reassociated by the compiler, always the same way).
    """
    N = out.shape[0]
    for n in range(N):
        out[n] = 0.0
    e = e0
    while e + 4 <= e1:
        n0, n1, n2, n3 = (link_block[e] * S + p, link_block[e + 1] * S + p, link_block[e + 2] * S + p,
                          link_block[e + 3] * S + p)
        a0, a1, a2, a3 = w1[b, n0], w1[b, n1], w1[b, n2], w1[b, n3]
        if w2 is not None:
            a0, a1, a2, a3 = a0 * w2[b, n0], a1 * w2[b, n1], a2 * w2[b, n2], a3 * w2[b, n3]
        c0, c1, c2, c3 = link_coef[e], link_coef[e + 1], link_coef[e + 2], link_coef[e + 3]
        for n in range(N):
            out[n] = out[n] + a0 * c0[n] + a1 * c1[n] + a2 * c2[n] + a3 * c3[n]
        e += 4
    while e < e1:
        node = link_block[e] * S + p
        a0 = w1[b, node] * w2[b, node] if w2 is not None else w1[b, node]
        c0 = link_coef[e]
        for n in range(N):
            out[n] += a0 * c0[n]
        e += 1


@compiled(fastmath={"reassoc"}, inline="always")
def _link_orders(e0, e1, link_block, link_coef, S, p, b, r, d_next):
    r"""Add each link's :math:`\sum_j c_{ej} r_j` to its node's orders received ``d_next[b, node]`` (two a pass)."""
    N = r.shape[0]
    e = e0
    while e + 2 <= e1:
        c0, c1 = link_coef[e], link_coef[e + 1]
        s0 = 0.0
        s1 = 0.0
        for n in range(N):
            s0 += c0[n] * r[n]
            s1 += c1[n] * r[n]
        d_next[b, link_block[e] * S + p] += s0
        d_next[b, link_block[e + 1] * S + p] += s1
        e += 2
    if e < e1:
        c0 = link_coef[e]
        s0 = 0.0
        for n in range(N):
            s0 += c0[n] * r[n]
        d_next[b, link_block[e] * S + p] += s0
