"""Origin countries of the fine (149-sector) products: the parent's mix, or cited customs figures where they exist.

WIOD (:mod:`chainsim.data.origins`) has 35 industries: the components of a split NBS-42
sector all take their sector's origin mix (computers, communication equipment and electronic
components alike take WIOD c14, electrical and optical equipment). Where cited 2017 customs
figures by origin exist for a component (``raw/origins/customs_2017_149.csv``: integrated
circuits for 092 electronic components), they replace it: the origins the file lists take
their quoted share (origins that are not named, such as Malaysia, go to ``ROW``), and the rest
of the total is spread over the origins the file does not list in proportion to the parent's
WIOD mix, since the sources list only the largest suppliers (Japan, a named origin, is among
the missing ones). Assumption, as for the NBS-42 sectors: every province and user shares
China's origin mix of the product; intermediate and final use take the same customs mix.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.data.nbs149 import NationalDetail
from chainsim.data.origins import ORIGINS, nbs42_origin_shares
from chainsim.data.provinces import RAW_DIR
from chainsim.errors import DataError

__all__ = ["CUSTOMS_149", "customs_149_rows", "fine_origin_shares"]

CUSTOMS_149 = RAW_DIR / "origins" / "customs_2017_149.csv"


@cache
def customs_149_rows(path: Path = CUSTOMS_149) -> pd.DataFrame:
    """The cited origin figures by 149 product (``nbs149, origin, quantity, total``, ...), checked.

    Raises
    ------
    DataError
        A product whose rows disagree on the total or whose quantities exceed it.
    """
    df = pd.read_csv(path, dtype={"nbs149": str})
    for code, rows in df.groupby("nbs149"):
        totals = rows["total"].unique()
        if len(totals) != 1 or totals[0] <= 0:
            raise DataError(f"{path}: product {code}: rows must share one positive total; found {list(totals)}")
        if (rows["quantity"] < 0).any() or rows["quantity"].sum() > totals[0] * (1 + 1e-12):
            raise DataError(f"{path}: product {code}: quantities must be non-negative and add up to at most the "
                            f"total")
    return df


def _customs_mix(rows: pd.DataFrame, parent_mix: np.ndarray) -> np.ndarray:
    """Origin shares from customs rows; the rest over the unlisted origins by the parent's mix."""
    origins = list(ORIGINS)
    total = float(rows["total"].iloc[0])
    out = np.zeros(len(origins))
    listed = set()
    for origin, q in zip(rows["origin"], rows["quantity"], strict=True):
        k = origins.index(origin) if origin in origins else origins.index("ROW")
        out[k] += q / total
        if origin in origins:
            listed.add(k)
    rest = 1.0 - out.sum()
    free = np.array([k not in listed for k in range(len(origins))])
    weights = np.where(free, parent_mix, 0.0)
    if weights.sum() > 0:
        out += rest * weights / weights.sum()
    else:
        out[origins.index("ROW")] += rest
    return out


def fine_origin_shares(nat: NationalDetail, use: str = "intermediate") -> pd.DataFrame:
    """Origin shares of every fine product (rows sum to 1): the parent's, or cited customs figures.

    Parameters
    ----------
    nat : NationalDetail
        The fine classification.
    use : {"intermediate", "final", "total"}
        Which parent mix (WIOD) the products without customs figures take.

    Returns
    -------
    DataFrame
        Index the fine codes, columns :data:`~chainsim.data.origins.ORIGINS`;
        ``attrs["customs"]`` lists the products that took customs figures.

    Examples
    --------
    >>> from chainsim.data.nbs149 import national_detail
    >>> s = fine_origin_shares(national_detail(("20",)))
    >>> round(float(s.loc["092", "TWN"]), 3), round(float(s.loc["092", "KOR"]), 3), s.attrs["customs"]
    (0.311, 0.252, ['092'])
    """
    parent = nbs42_origin_shares(use)
    out = pd.DataFrame(parent.loc[list(nat.parent)].to_numpy(), index=list(nat.codes), columns=list(ORIGINS))
    used = []
    for code, rows in customs_149_rows().groupby("nbs149"):
        if code in out.index:
            out.loc[code] = _customs_mix(rows, parent.loc[nat.parent[nat.codes.index(code)]].to_numpy())
            used.append(code)
    out.index.name = "product"
    out.attrs["customs"] = used
    return out
