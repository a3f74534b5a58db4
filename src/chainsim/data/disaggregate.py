r"""Split NBS-42 sectors of a provincial MRIO into their 149-sector components (national structure, RAS).

The provincial tables stop at 42 sectors; the national 2017 table has 149
(:mod:`chainsim.data.nbs149`). A split sector P of province o becomes its components c with
the **proportional assumption**: every province makes the national product mix of P,

.. math:: x_{oc} = \theta_c\, x_{oP}, \qquad \theta_c = X^{nat}_c / X^{nat}_P,

and the national table is the prior of how each flow of P divides among the components. Each
split is a small RAS problem (Stone 1961; Miller & Blair 2009 §7.4) whose column margins are
the province's own 42-sector flows, so the split table **aggregates back exactly** (to
rounding) to the table it came from; the national 149 table only decides how each flow
divides. This is the standard way to disaggregate an IO table with a finer national table
as prior (Wolsky 1984; Lenzen 2011; Lindner, Legault & Guan 2013). Three passes, in order:

1. **Domestic sales** (rows) of supplier (o, P): every sale to user (d, j), to final-demand
   column (d, k) and abroad is split with prior weights ``N[c, j] (1 - m_c)`` (the national
   use of component c by user j, times its domestic share; ``m_c`` the national import share
   of use of c), final use ``F[c, k] (1 - m_c)``, exports ``EX[c]``, and the province's
   unmatched outflow by θ. Row margins ``θ_c x_oP``. Negative entries (inventory draw-downs)
   are split by θ outside the RAS.
2. **Imports** (rows) of P into user (d, j), all foreign origins together: prior
   ``N[c, j] m_c``, row margins the national import mix of P (``IM_c / IM_P``); each
   component's imports then take its own origin mix (the parent's unless a finer cited
   mix exists, :func:`chainsim.data.origins_149.fine_origin_shares`). The domestic pool
   (``DOM``, unmatched inflows) is split like the user's domestic purchases of P.
3. **Inputs** (columns) of user (d, P): every input row (fine products from every province
   and origin) is split with prior ``N[p, c]`` (the national use of input p by component
   c). Column margins: the component's intermediate inputs, ``x_dc`` less its value added,
   which takes the parent's value added in proportion to ``θ_c v_c`` (``v_c`` the national
   value-added ratio); where that would leave negative inputs, in proportion to output.
   Value added closes each column, so the table balances by construction.

Every prior gets a floor of :data:`FLOOR` times θ, so that each RAS problem is strictly
positive and has a solution. Zero national weights in a cell fall back to θ (counted in the
report).

References
----------
Stone, R. (1961). *Input-Output and National Accounts*. OEEC.
Wolsky, A. M. (1984). Disaggregating input-output models. *Review of Economics and
Statistics* 66(2), 283-291.
Lenzen, M. (2011). Aggregation versus disaggregation in input-output analysis of the
environment. *Economic Systems Research* 23(1), 73-89.
Lindner, S., Legault, J. & Guan, D. (2013). Disaggregating the electricity sector of China's
input-output table for improved environmental life-cycle assessment. *Economic Systems
Research* 25(3), 300-320.
Miller, R. E. & Blair, P. D. (2009). *Input-Output Analysis*, 2nd ed., §7.4.
"""

from __future__ import annotations

import numpy as np

from chainsim.data.mrio import MRIOArrays
from chainsim.data.nbs import SECTOR_CODES
from chainsim.data.nbs149 import NationalDetail
from chainsim.data.ras import ras_with_info
from chainsim.errors import DataError

__all__ = ["FLOOR", "SPLIT_VERSION", "membership", "output_shares", "split_mrio"]

#: Version of the split recipe (part of the cache folder name of the split datasets).
SPLIT_VERSION = "1"
#: Floor of every prior weight, relative to θ (keeps each RAS problem strictly positive).
FLOOR = 1e-6
_TOL = 1e-12


def membership(nat: NationalDetail) -> np.ndarray:
    """0/1 matrix (fine products x NBS-42 sectors): which 42 sector each fine product belongs to."""
    E = np.zeros((len(nat.sectors), len(SECTOR_CODES)))
    E[np.arange(len(nat.sectors)), [SECTOR_CODES.index(p) for p in nat.parent]] = 1.0
    return E


def output_shares(nat: NationalDetail) -> np.ndarray:
    """θ: each fine product's share of its NBS-42 sector's national output (1 for an unsplit sector)."""
    E = membership(nat)
    parent_out = (nat.output @ E)[E.argmax(axis=1)]
    return np.where(parent_out > 0, nat.output / np.where(parent_out > 0, parent_out, 1.0), 1.0)


def _weights(prior: np.ndarray, fallback: np.ndarray, stats: dict) -> np.ndarray:
    """Columns of ``prior`` (children x cells) normalised to 1; all-zero columns take ``fallback``; plus the floor."""
    s = prior.sum(axis=0)
    empty = s <= 0
    stats["fallback_cells"] = stats.get("fallback_cells", 0) + int(empty.sum())
    w = np.where(empty, fallback[:, None], prior / np.where(empty, 1.0, s))
    return w + FLOOR * fallback[:, None]


def _ras(prior: np.ndarray, rows: np.ndarray, cells: np.ndarray, stats: dict, where: str) -> np.ndarray:
    """RAS of children x cells with the cells (column margins) exact; rows within :data:`_TOL`."""
    total = cells.sum()
    if total <= 0:
        return np.zeros_like(prior)
    rows = rows * (total / rows.sum())
    try:
        res = ras_with_info(prior * cells[None, :], rows, cells, tol=_TOL, max_iter=100_000)
    except DataError as exc:  # pragma: no cover - the floor makes every problem strictly positive
        raise DataError(f"split {where}: {exc}") from None
    stats["ras_problems"] = stats.get("ras_problems", 0) + 1
    stats["max_iterations"] = max(stats.get("max_iterations", 0), res.iterations)
    stats["max_gap"] = max(stats.get("max_gap", 0.0), res.gap)
    return res.matrix


def split_mrio(m: MRIOArrays, nat: NationalDetail, w_int: np.ndarray, w_fin: np.ndarray, *, n_pools: int = 1,
               labels: tuple[str, ...] = ()) -> tuple[MRIOArrays, dict]:
    """Split the sectors ``nat.split`` of a provincial MRIO into their 149 components (module docstring).

    Parameters
    ----------
    m : MRIOArrays
        Provincial MRIO on the NBS-42 sectors: Z (R,S,R,S), Y (R,S,R,C), imports (K,S,R,S|C)
        whose last ``n_pools`` origins are domestic pools (``DOM``).
    nat : NationalDetail
        National weights on the fine classification (:func:`chainsim.data.nbs149.national_detail`).
    w_int, w_fin : array (S', K - n_pools)
        Foreign origin shares of every fine product, intermediate and final use (rows sum to 1).
    n_pools : int
        Domestic pool origins at the end of the origin axis.
    labels : tuple of str
        Province codes, for the report.

    Returns
    -------
    (MRIOArrays, dict)
        The split blocks (S' products) and a report: RAS problems, iterations and gaps,
        cells whose national weights were all zero (θ used), columns whose value added fell
        back to output shares.

    Raises
    ------
    DataError
        Arrays that do not fit the national detail.
    """
    R, S = m.x.shape
    if S != len(SECTOR_CODES):
        raise DataError(f"split_mrio: expected {len(SECTOR_CODES)} NBS sectors, found {S}")
    Sf, K, C = len(nat.sectors), m.imports_Z.shape[0], m.Y.shape[3]
    Kf = K - n_pools
    if w_int.shape != (Sf, Kf) or w_fin.shape != (Sf, Kf):
        raise DataError(f"split_mrio: origin shares must be ({Sf}, {Kf}); found {w_int.shape} and {w_fin.shape}")
    E = membership(nat)
    par = E.argmax(axis=1)  # parent index of every fine product
    theta = output_shares(nat)
    mshare = nat.import_share
    Nz42 = nat.Z @ E  # national use of fine product c by NBS-42 user j
    Fpos = np.clip(nat.F, 0.0, None)
    mu = np.zeros(Sf)
    va_ratio = np.where(nat.output > 0, nat.value_added / np.where(nat.output > 0, nat.output, 1.0), 0.0)
    stats: dict = {}
    # ---------------------------------------------------------------- fine rows, NBS-42 columns
    Zr = m.Z[:, par]  # (R, Sf, R, S): unsplit rows copied, split rows overwritten below
    Yr = m.Y[:, par].copy()
    EXr = m.exports[:, par].copy()
    IZr = m.imports_Z[:, par].copy()  # (K, Sf, R, S)
    IYr = m.imports_Y[:, par].copy()
    groups = [(P, np.flatnonzero(par == P)) for P in range(S) if (par == P).sum() > 1]
    for P, ch in groups:
        th = theta[ch]
        mu[ch] = nat.imports[ch] / nat.imports[ch].sum() if nat.imports[ch].sum() > 0 else th
        # 1. domestic sales of each province's P
        pz = np.tile(Nz42[ch] * (1.0 - mshare[ch])[:, None], (1, R))  # (n, R*S)
        py = np.zeros((len(ch), R, C))
        py[:, :, :4] = (Fpos[ch] * (1.0 - mshare[ch])[:, None])[:, None, :]
        py[:, :, 4:] = th[:, None, None]  # unmatched outflow: in proportion to output
        w = _weights(np.concatenate([pz, py.reshape(len(ch), -1), nat.exports[ch][:, None]], axis=1), th, stats)
        for o in range(R):
            cells = np.concatenate([m.Z[o, P].ravel(), m.Y[o, P].ravel(), [m.exports[o, P]]])
            neg = np.clip(cells, None, 0.0)
            pos = cells - neg
            part = _ras(w, th * pos.sum(), pos, stats, f"of {SECTOR_CODES[P]} sales in province {o}")
            part += th[:, None] * neg[None, :]
            nz, ny = R * S, R * C
            Zr[o, ch] = part[:, :nz].reshape(len(ch), R, S)
            Yr[o, ch] = part[:, nz:nz + ny].reshape(len(ch), R, C)
            EXr[o, ch] = part[:, -1]
        # 2. imports of P (all foreign origins together), then each component's origin mix; pools as domestic
        pz = np.tile(Nz42[ch] * mshare[ch][:, None], (1, R))
        py = np.zeros((len(ch), R, C))
        py[:, :, :4] = (Fpos[ch] * mshare[ch][:, None])[:, None, :]
        w = _weights(np.concatenate([pz, py.reshape(len(ch), -1)], axis=1), mu[ch], stats)
        cells = np.concatenate([m.imports_Z[:Kf, P].sum(axis=0).ravel(), m.imports_Y[:Kf, P].sum(axis=0).ravel()])
        part = _ras(w, mu[ch] * cells.sum(), cells, stats, f"of {SECTOR_CODES[P]} imports")
        Mz = part[:, :R * S].reshape(len(ch), R, S)
        My = part[:, R * S:].reshape(len(ch), R, C)
        IZr[:Kf, ch] = w_int[ch].T[:, :, None, None] * Mz[None]
        IYr[:Kf, ch] = w_fin[ch].T[:, :, None, None] * My[None]
        dom_z, dom_y = Zr[:, ch].sum(axis=0), Yr[:, ch].sum(axis=0).clip(0.0, None)  # (n, R, S|C)
        for k in range(Kf, K):
            for blk, dom, out in ((m.imports_Z[k, P], dom_z, IZr), (m.imports_Y[k, P], dom_y, IYr)):
                tot = dom.sum(axis=0)
                share = np.where(tot > 0, dom / np.where(tot > 0, tot, 1.0), th[:, None, None])
                out[k, ch] = share * blk[None]
    x_f = Zr.sum(axis=(2, 3)) + Yr.sum(axis=(2, 3)) + EXr  # (R, Sf)
    # the table's own rounding gap between a sector's output and its row sum goes to the components by θ
    x_f += theta[None, :] * (m.x - x_f @ E)[:, par]
    # ---------------------------------------------------------------- fine columns
    Zf = Zr[:, :, :, par].copy()  # (R, Sf, R, Sf)
    IZf = IZr[:, :, :, par].copy()
    VAf = m.value_added[:, par].copy()
    va_fallback = 0
    for P, ch in groups:
        th = theta[ch]
        w = _weights(np.tile(nat.Z[:, ch].T, (1, R + K)), th, stats)  # (n, (R+K)*Sf), input rows origin-major
        for d in range(R):
            cells = np.concatenate([Zr[:, :, d, P].ravel(), IZr[:, :, d, P].ravel()])
            if cells.sum() <= 0:
                VAf[d, ch] = x_f[d, ch]
                continue
            tv = th * va_ratio[ch]
            va = m.value_added[d, P] * (tv / tv.sum() if tv.sum() > 0 else th)
            inputs = x_f[d, ch] - va
            if (inputs < 0).any():
                va_fallback += 1
                inputs = x_f[d, ch] * (1.0 - m.value_added[d, P] / m.x[d, P])
            part = _ras(w, np.clip(inputs, 0.0, None), cells, stats,
                        f"of the inputs of {SECTOR_CODES[P]} in province {labels[d] if labels else d}")
            Zf[:, :, d, ch] = part[:, :R * Sf].reshape(len(ch), R, Sf).transpose(1, 2, 0)
            IZf[:, :, d, ch] = part[:, R * Sf:].reshape(len(ch), K, Sf).transpose(1, 2, 0)
            VAf[d, ch] = x_f[d, ch] - part.sum(axis=1)
    report = {"split": list(nat.split), "n_products": Sf, "floor": FLOOR, "ras_tolerance": _TOL,
              "ras_problems": stats.get("ras_problems", 0), "ras_max_iterations": stats.get("max_iterations", 0),
              "ras_max_gap": stats.get("max_gap", 0.0), "cells_without_national_weight": stats.get("fallback_cells", 0),
              "value_added_fallback_columns": va_fallback,
              "min_value_added_ratio": float((VAf / np.where(x_f > 0, x_f, np.inf)).min())}
    return MRIOArrays(Zf, Yr, EXr, VAf, x_f, IZf, IYr), report
