r"""Seeded synthetic multi-regional tables with sparse links, for the large-table path and its benchmarks.

Not data: a generator of *balanced* tables of any size whose links are sparse, so that the
sparse path (:mod:`chainsim.engine.sparse`) can be checked against the dense engine on a
mid-size table and measured on a 20,000-industry one (``docs/performance.md``, "Large tables").

It follows the construction of ``benchmarks/synth_mrio.py`` (the project's peer-benchmark
generator, copied from the shared tools folder; see ``benchmarks/README.md``) with one change,
sparsity:

* sector-level technical coefficients :math:`A^{sec}` (S x S): gamma(0.35) draws, about 35 %
  structural zeros, a strengthened diagonal, column sums U(0.45, 0.75), as in ``synth_mrio.py``;
* regions of lognormal size (σ = 1) with an import share :math:`m_r \sim U(0.10, 0.40)`;
* **sparse sourcing**: buyer region r buys each product p from itself (share :math:`1 - m_r`)
  and from ``sources`` other regions drawn for (r, p) with probability proportional to
  size^0.8 (share :math:`m_r` split by size^0.8), where ``synth_mrio.py`` buys from every
  region. The density of Z is about 0.65 (1 + sources) / R;
* final demand of region r for product p, size_r x Dirichlet(0.8) shares, sourced like
  intermediates (one final-demand column per region);
* :math:`x = (I - A)^{-1} y` by the Neumann series (every column sum of A is below 0.75),
  :math:`Z = A\,\mathrm{diag}(x)`, value added :math:`x - \mathbf 1^\top Z > 0`.

Every number above is an assumption of the generator (a plausible shape for Chinese
provincial tables, whose intermediate-input ratios are high), not an estimate.
"""

from __future__ import annotations

import numpy as np

from chainsim.data.iotable import IOTable

__all__ = ["sparse_synthetic_table"]


def _sector_coefficients(rng: np.random.Generator, S: int) -> np.ndarray:
    """A^sec as in ``synth_mrio.py``: sparse gamma draws, own-sector use, column sums U(0.45, 0.75)."""
    A = rng.gamma(shape=0.35, scale=1.0, size=(S, S))
    A[rng.random((S, S)) < 0.35] = 0.0
    np.fill_diagonal(A, A.diagonal() + rng.uniform(0.5, 2.0, S))
    return A / A.sum(axis=0, keepdims=True) * rng.uniform(0.45, 0.75, S)


def sparse_synthetic_table(n_regions: int, n_sectors: int = 42, *, sources: int = 7, seed: int = 42,
                           scale: float = 1e5, tol: float = 1e-13) -> IOTable:
    """A balanced synthetic table of ``n_regions x n_sectors`` industries with a scipy.sparse ``Z``.

    Parameters
    ----------
    n_regions, n_sectors : int
        The grid (industries region-major). ``sources + 1 <= n_regions``.
    sources : int
        Other regions each buyer region buys each product from (the density of Z is about
        0.65 (1 + sources) / n_regions: 7 sources and 500 regions give about 1 %).
    seed : int
        Every draw comes from ``numpy.random.default_rng(seed)``.
    scale : float
        Size of final demand (table units).
    tol : float
        Relative change of x at which the Neumann series stops.

    Returns
    -------
    IOTable
        ``Z`` a CSR array; sectors ``S01`` .., regions ``R001`` ..; provenance states the generator.
    """
    from scipy import sparse

    R, S = int(n_regions), int(n_sectors)
    if R < 1 or S < 1 or not 0 <= sources < R:
        raise ValueError(f"expected n_regions >= 1, n_sectors >= 1 and 0 <= sources < n_regions; "
                         f"found {n_regions}, {n_sectors}, {sources}")
    rng = np.random.default_rng(seed)
    A_sec = _sector_coefficients(rng, S)
    sizes = rng.lognormal(0.0, 1.0, R)
    m = rng.uniform(0.10, 0.40, R)
    w = sizes ** 0.8
    fd_share = rng.dirichlet(np.full(S, 0.8))
    N = R * S
    rows, cols, vals = [], [], []
    y_rows, y_cols, y_vals = [], [], []
    p_of, j_of = np.nonzero(A_sec)  # sector pairs with a link (supplier product p, buyer sector j)
    for r in range(R):
        others = np.delete(np.arange(R), r)
        prob = w[others] / w[others].sum()
        src = np.empty((S, sources + 1), dtype=np.int64)
        share = np.empty((S, sources + 1))
        src[:, 0], share[:, 0] = r, 1.0 - m[r] if sources else 1.0
        for p in range(S):  # the other regions r buys product p from
            if sources:
                pick = rng.choice(others, size=sources, replace=False, p=prob)
                src[p, 1:] = pick
                share[p, 1:] = m[r] * w[pick] / w[pick].sum()
        # intermediate links: supplier (s, p) -> buyer (r, j)
        k = np.arange(sources + 1)
        rows.append((src[p_of][:, k] * S + p_of[:, None]).ravel())
        cols.append(np.repeat(r * S + j_of, sources + 1))
        vals.append((A_sec[p_of, j_of][:, None] * share[p_of]).ravel())
        # final demand of region r for product p, sourced the same way
        y_rows.append((src * S + np.arange(S)[:, None]).ravel())
        y_cols.append(np.full(S * (sources + 1), r))
        y_vals.append((sizes[r] * scale * fd_share[:, None] * share).ravel())
    A = sparse.csr_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(N, N))
    Y = np.zeros((N, R))
    np.add.at(Y, (np.concatenate(y_rows), np.concatenate(y_cols)), np.concatenate(y_vals))
    y = Y.sum(axis=1)
    x = y.copy()
    for _ in range(2000):  # x = y + A x (Neumann series; the spectral radius of A is below 0.75)
        nxt = y + A @ x
        done = np.abs(nxt - x).max() <= tol * np.abs(nxt).max()
        x = nxt
        if done:
            break
    Z = (A @ sparse.diags_array(x)).tocsr()
    va = x - np.asarray(Z.sum(axis=0)).ravel()
    y = x - np.asarray(Z.sum(axis=1)).ravel()  # final demand absorbing the series' last rounding, so rows balance
    Y *= np.divide(y, Y.sum(axis=1), out=np.ones(N), where=Y.sum(axis=1) > 0)[:, None]
    return IOTable(
        name=f"synthetic-sparse-{R}x{S}-s{sources}-seed{seed}",
        regions=[f"R{i:03d}" for i in range(1, R + 1)], sectors=[f"S{i:02d}" for i in range(1, S + 1)],
        Z=Z, Y=Y, fd_columns=[(f"R{i:03d}", "final_demand") for i in range(1, R + 1)], exports=np.zeros(N),
        value_added=va, x=x,
        provenance={"source": "chainsim.data.synthetic.sparse_synthetic_table (synthetic, not data)",
                    "arguments": {"n_regions": R, "n_sectors": S, "sources": sources, "seed": seed, "scale": scale},
                    "construction": "benchmarks/synth_mrio.py with sparse sourcing (module docstring)"})
