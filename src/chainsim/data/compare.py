"""Compare two builds of a dataset: which flows moved most, and the key inter-regional shares (pure functions).

:func:`diff_tables` lines up two :class:`~chainsim.data.iotable.IOTable` of the same regions
and sectors (their import origins may differ) and lists every flow as ``(kind, from, to,
old, new, change)``, largest absolute change first: intermediate flows ``Z`` between
industries, final demand ``Y`` by destination region, foreign imports by origin and product
into each region, exports and value added. :func:`region_summary` and :func:`sales_shares`
give the totals and shares a user reads first (own-province supply, the share of one
region's output sold to another). ``chainsim data diff OLD NEW`` prints them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from chainsim.data.iotable import IOTable
from chainsim.errors import DataError

__all__ = ["diff_tables", "flow_table", "own_supply_shares", "region_summary", "sales_shares"]

_COLUMNS = ["kind", "from", "to", "value"]


def flow_table(t: IOTable) -> pd.DataFrame:
    """Every flow of ``t`` as tidy rows ``(kind, from, to, value)`` in table units.

    Kinds: ``Z`` (``from`` and ``to`` are ``REGION|SECTOR`` industries), ``Y`` (``to`` is
    ``REGION|category``), ``import`` (``from`` is ``ORIGIN|PRODUCT``, ``to`` the using
    region: intermediate and final use), ``exports`` and ``value_added`` (``from`` the
    industry, ``to`` empty). Zero flows are left out.
    """
    lab = [f"{r}|{s}" for r, s in t.labels]
    fd = [f"{r}|{c}" for r, c in t.fd_columns]
    parts = []
    i, j = np.nonzero(t.Z)
    parts.append(pd.DataFrame({"kind": "Z", "from": np.array(lab)[i], "to": np.array(lab)[j], "value": t.Z[i, j]}))
    i, c = np.nonzero(t.Y)
    parts.append(pd.DataFrame({"kind": "Y", "from": np.array(lab)[i], "to": np.array(fd)[c], "value": t.Y[i, c]}))
    S = t.n_sectors
    fd_region = np.array([t.region_index(r) for r, _ in t.fd_columns])
    by_region = np.zeros((len(t.origins), S, t.n_regions))
    for r in range(t.n_regions):
        by_region[:, :, r] = (t.imports_Z[:, :, r * S:(r + 1) * S].sum(axis=2)
                              + t.imports_Y[:, :, fd_region == r].sum(axis=2))
    o, p, r = np.nonzero(by_region)
    parts.append(pd.DataFrame({"kind": "import", "from": [f"{t.origins[a]}|{t.sector_codes[b]}" for a, b in zip(o, p,
                                                                                                              strict=True)],
                               "to": np.array(t.region_codes)[r], "value": by_region[o, p, r]}))
    for kind in ("exports", "value_added"):
        v = getattr(t, kind)
        k = np.flatnonzero(v)
        parts.append(pd.DataFrame({"kind": kind, "from": np.array(lab)[k], "to": "", "value": v[k]}))
    return pd.concat(parts, ignore_index=True)[_COLUMNS]


def diff_tables(old: IOTable, new: IOTable, *, kinds: Iterable[str] | None = None,
                top: int | None = 20) -> pd.DataFrame:
    """The flows that moved most between two builds of a table.

    Parameters
    ----------
    old, new : IOTable
        Same regions and sectors (origins and final-demand categories may differ: a flow
        missing on one side counts as 0 there).
    kinds : iterable of str, optional
        Restrict to these kinds of :func:`flow_table` (default all).
    top : int or None
        Rows to return (default 20; None for all).

    Returns
    -------
    DataFrame
        Columns ``kind, from, to, old, new, change, change_pct`` (``change = new - old``;
        ``change_pct`` relative to ``old``, NaN where ``old`` is 0), sorted by ``|change|``
        descending. Values in table units.

    Raises
    ------
    DataError
        Tables with other regions, sectors or units.

    Examples
    --------
    >>> from chainsim.data.toy import load_toy
    >>> t = load_toy()
    >>> float(diff_tables(t, t)["change"].abs().max())
    0.0
    """
    for what in ("region_codes", "sector_codes", "unit"):
        if getattr(old, what) != getattr(new, what):
            raise DataError(f"diff_tables: the tables differ in {what}: {getattr(old, what)} vs "
                            f"{getattr(new, what)}; only builds of the same grid can be compared")
    a = flow_table(old).rename(columns={"value": "old"})
    b = flow_table(new).rename(columns={"value": "new"})
    m = a.merge(b, on=["kind", "from", "to"], how="outer").fillna({"old": 0.0, "new": 0.0})
    if kinds is not None:
        kinds = list(kinds)
        m = m[m["kind"].isin(kinds)]
    m["change"] = m["new"] - m["old"]
    m["change_pct"] = np.where(m["old"] != 0, 100.0 * m["change"] / m["old"].where(m["old"] != 0, 1.0), np.nan)
    m = m.reindex(m["change"].abs().sort_values(ascending=False, kind="stable").index).reset_index(drop=True)
    return m if top is None else m.head(top)


def region_summary(t: IOTable) -> pd.DataFrame:
    """Per region: gross output, value added, exports, foreign imports, own-region supply, and sales to others.

    Columns (table units) ``gross_output``, ``value_added``, ``exports``, ``foreign_imports``
    (countries only), ``domestic_pool_inflow`` (``domestic_origins``), ``own_supply`` (the
    region's output used inside it), ``outflow`` (sold to other regions' users and final
    demand), ``inflow``.
    """
    S = t.n_sectors
    fd_region = np.array([t.region_index(r) for r, _ in t.fd_columns])
    foreign = [t.origin_index(o) for o in t.foreign_origins]
    pools = [t.origin_index(o) for o in t.domestic_origins]
    rows = {}
    for r, code in enumerate(t.region_codes):
        own = slice(r * S, (r + 1) * S)
        cols = np.zeros(t.n_industries, dtype=bool)
        cols[own] = True
        fdc = fd_region == r
        to_self = t.Z[own][:, cols].sum() + t.Y[own][:, fdc].sum()
        to_other = t.Z[own][:, ~cols].sum() + t.Y[own][:, ~fdc].sum()
        from_other = t.Z[~cols][:, own].sum() + t.Y[~cols][:, fdc].sum()
        rows[code] = {
            "gross_output": t.x[own].sum(), "value_added": t.value_added[own].sum(), "exports": t.exports[own].sum(),
            "foreign_imports": t.imports_Z[foreign][:, :, own].sum() + t.imports_Y[foreign][:, :, fdc].sum(),
            "domestic_pool_inflow": t.imports_Z[pools][:, :, own].sum() + t.imports_Y[pools][:, :, fdc].sum(),
            "own_supply": to_self, "outflow": to_other, "inflow": from_other,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def sales_shares(t: IOTable, seller: str, buyer: str, products: Iterable[str] | None = None) -> pd.Series:
    """Share of ``seller``'s output of each product sold to ``buyer`` (its industries and final demand).

    Returns
    -------
    Series
        Index the products (default all) plus ``"all"`` (all products together); values in
        [0, 1]; NaN where the seller has no output.

    Examples
    --------
    >>> from chainsim.data.toy import load_toy
    >>> t = load_toy()
    >>> float(sales_shares(t, t.region_codes[0], t.region_codes[0])["all"]) <= 1.0
    True
    """
    S = t.n_sectors
    s, b = t.region_index(seller), t.region_index(buyer)
    rows = slice(s * S, (s + 1) * S)
    fdc = np.array([t.region_index(r) == b for r, _ in t.fd_columns])
    sold = t.Z[rows, b * S:(b + 1) * S].sum(axis=1) + t.Y[rows][:, fdc].sum(axis=1)
    x = t.x[rows]
    share = pd.Series(np.where(x > 0, sold / np.where(x > 0, x, 1.0), np.nan), index=list(t.sector_codes))
    share["all"] = sold.sum() / x.sum() if x.sum() > 0 else np.nan
    if products is not None:
        products = list(products)
        share = share[[*products, "all"]]
    return share


def own_supply_shares(t: IOTable, region: str) -> pd.Series:
    """Share of ``region``'s intermediate use of each product that its own industries supply.

    ``Z[(r, p), (r, :)].sum() / (all domestic and imported intermediate use of p in r)``;
    NaN where the region does not use the product.
    """
    S = t.n_sectors
    r = t.region_index(region)
    cols = slice(r * S, (r + 1) * S)
    own = t.Z[r * S:(r + 1) * S, cols].sum(axis=1)
    used = t.Z[:, cols].sum(axis=1).reshape(t.n_regions, S).sum(axis=0) + t.imports_Z[:, :, cols].sum(axis=(0, 2))
    return pd.Series(np.where(used > 0, own / np.where(used > 0, used, 1.0), np.nan), index=list(t.sector_codes))
