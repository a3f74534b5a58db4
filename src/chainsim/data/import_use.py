"""Imports by using sector: the national non-competitive table as the prior for each province.

The provincial tables give each province's imports of a product (IM) but not who uses them.
The 2017 national table in the non-competitive layout does: for product p and user j (an
industry or a final-use column) the import share ``m[p, j] = Imports[p, j] / (Imports[p, j]
+ Domestic[p, j])``. A province's imports of p are spread over its users in proportion to
that prior, scaled by one factor per province and product so that they add up to the
province's imports, and never above a user's own use of p::

    a[d, p, j] = min(1, lambda[d, p] * m[p, j]),   sum_j a[d, p, j] * U[d, p, j] = IM[d, p]

(``U`` the province's positive uses of p; found by water-filling). Users whose national
share is zero get no imports unless the province's imports cannot be placed otherwise; then
the province falls back to one share for all users, ``IM / P`` (the proportionality
assumption), and the fallback is counted in the build report.

This carries the national import matrix to the provinces the way non-survey methods carry
national coefficients to regions (Miller & Blair 2009, ch. 8: regional tables from national
ones, adjusted to regional totals). GTAP's guidance on import matrices ranks a table's own
import matrix above spreading an import vector uniformly over the uses ("Domestic vs.
Imported Goods"). The assumption: a province's user of p has the national user's import
intensity, up to the province's own factor.

References
----------
NBS (国家统计局), 中国投入产出表2017 (42 sectors, non-competitive imports); raw/nbs_national_io.
Miller, R. E. & Blair, P. D. (2009). *Input-Output Analysis: Foundations and Extensions*,
2nd ed., Cambridge University Press, ch. 8.
GTAP (Purdue University). GTAP Data Bases: Domestic vs. Imported Goods.
https://www.gtap.agecon.purdue.edu/databases/contribute/domimp.asp
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from chainsim.data.provinces import RAW_DIR
from chainsim.errors import DataError

__all__ = ["NATIONAL_TABLE", "ImportSplit", "national_import_shares", "split_imports"]

NATIONAL_TABLE = RAW_DIR / "nbs_national_io" / "china_2017_42_noncompetitive.csv"
#: Final-use column of the national table that each final-demand category takes its prior from.
_FD_PRIOR = {"household": "TC", "government": "TC", "gfcf": "FU201", "inventory": None}


class ImportSplit(NamedTuple):
    """Import shares of each use (``a``, same shape as the uses) and how many rows fell back to one share."""

    shares: np.ndarray
    fallback_rows: int


@cache
def national_import_shares(path: Path = NATIONAL_TABLE, categories: tuple[str, ...] = tuple(_FD_PRIOR)) -> np.ndarray:
    """Import share of each product in each user's use, from the national non-competitive table.

    Parameters
    ----------
    path : path
        The national table (``raw/nbs_national_io/china_2017_42_noncompetitive.csv``).
    categories : tuple of str
        Final-demand categories appended after the 42 industries: ``household`` and
        ``government`` take the ``TC`` column, ``gfcf`` ``FU201``; ``inventory`` (whose
        national entries change sign) takes the product's import share of all its uses.

    Returns
    -------
    array (42, 42 + len(categories))
        ``m[p, j]`` in [0, 1]. A user that does not use p nationally gets the product's
        overall import share (of TIU + TC + FU201).

    Raises
    ------
    DataError
        Missing rows or columns, or negative intermediate or consumption entries.

    Examples
    --------
    >>> m = national_import_shares()
    >>> m.shape, bool(0.4 < m[19, 19] < 0.5)  # electronics (20) in electronics: 46.8 % imported
    ((42, 46), True)
    """
    df = pd.read_csv(path, dtype={"Code": str})
    codes = [f"{i:02d}" for i in range(1, 43)]
    uses = [*codes, "TIU", "TC", "FU201"]
    parts = {}
    for origin in ("Domestic", "Imports"):
        rows = df[df["Origin"] == origin].set_index("Code")
        missing = [c for c in codes if c not in rows.index] + [c for c in uses if c not in rows.columns]
        if missing:
            raise DataError(f"{path}: {origin} rows or columns missing: {missing[:5]}")
        parts[origin] = rows.loc[codes, uses].to_numpy(dtype=float)
        if (parts[origin] < 0).any():
            raise DataError(f"{path}: negative {origin} entries in the intermediate or consumption columns")
    dom, imp = parts["Domestic"], parts["Imports"]
    total = dom + imp
    overall_use = total[:, 42] + total[:, 43] + total[:, 44]
    overall = np.where(overall_use > 0, (imp[:, 42] + imp[:, 43] + imp[:, 44]) / np.where(overall_use > 0,
                                                                                          overall_use, 1.0), 0.0)
    share = np.where(total > 0, imp / np.where(total > 0, total, 1.0), overall[:, None])
    cols = [share[:, :42]]
    for c in categories:
        if c not in _FD_PRIOR:
            raise DataError(f"national_import_shares: unknown final-demand category {c!r}; known {list(_FD_PRIOR)}")
        col = _FD_PRIOR[c]
        cols.append(overall[:, None] if col is None else share[:, [uses.index(col)]])
    return np.concatenate(cols, axis=1)


def split_imports(imports: np.ndarray, uses: np.ndarray, prior: np.ndarray, *, tol: float = 1e-10) -> ImportSplit:
    """Spread each province's imports of a product over its users by a prior of import shares.

    Solves ``a = min(1, lambda * prior)`` with ``sum_k a_k u_k = IM`` for every province
    and product (water-filling: users whose share would pass 1 are capped at 1 and the
    factor is recomputed over the others).

    Parameters
    ----------
    imports : array (R, S)
        Imports of each product (non-negative, at most the positive uses).
    uses : array (R, S, K)
        Positive uses of each product by K users (intermediate users, then final-demand
        categories; negative entries must be given as 0).
    prior : array (S, K)
        Prior import shares in [0, 1] (:func:`national_import_shares`).
    tol : float
        Relative tolerance of the row totals.

    Returns
    -------
    ImportSplit
        ``shares`` (R, S, K) in [0, 1] with ``(shares * uses).sum(-1) == imports``, and the
        number of (province, product) rows that fell back to one share ``IM / P``.

    Raises
    ------
    DataError
        If some imports exceed the positive uses they must supply.

    Examples
    --------
    >>> s = split_imports(np.array([[3.0]]), np.array([[[4.0, 4.0]]]), np.array([[0.5, 0.1]]))
    >>> np.round(s.shares, 4), float((s.shares * [4.0, 4.0]).sum())
    (array([[[0.625, 0.125]]]), 3.0)
    """
    im = np.asarray(imports, dtype=float)
    u = np.asarray(uses, dtype=float)
    w = np.broadcast_to(np.asarray(prior, dtype=float), u.shape)
    P = u.sum(axis=-1)
    scale = np.maximum(P, 1.0)
    if (im > P + tol * scale).any():
        idx = tuple(int(i) for i in np.argwhere(im > P + tol * scale)[0])
        raise DataError(f"split_imports: (province, product) {idx}: imports {im[idx]:.6g} exceed the positive uses "
                        f"{P[idx]:.6g} they must supply")
    a = np.zeros_like(u)
    capped = np.zeros(u.shape, dtype=bool)
    for _ in range(u.shape[-1] + 1):
        rest = im - (u * capped).sum(axis=-1)
        denom = (w * u * ~capped).sum(axis=-1)
        with np.errstate(over="ignore"):  # a vanishing denominator gives an infinite factor: every user capped
            lam = np.where(denom > 0, rest / np.where(denom > 0, denom, 1.0), 0.0)
        # λ w only where the prior is positive (an infinite λ times a zero prior is not a number, not zero)
        lam_w = np.multiply(lam[..., None], w, out=np.zeros(u.shape), where=w > 0)
        a = np.where(capped, 1.0, np.minimum(1.0, lam_w))
        newly = (a >= 1.0) & ~capped & (w > 0) & (u > 0)
        if not newly.any():
            break
        capped |= newly
    got = (a * u).sum(axis=-1)
    bad = np.abs(got - im) > tol * np.maximum(im, 1.0)
    if bad.any():  # imports that the prior cannot place (users with zero prior): one share for all users
        uniform = np.where(P > 0, im / np.where(P > 0, P, 1.0), 0.0)
        a = np.where(bad[..., None], uniform[..., None], a)
    return ImportSplit(np.clip(a, 0.0, 1.0), int(bad.sum()))
