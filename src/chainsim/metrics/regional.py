r"""Scopes (sums of region-sectors) and Martin's regional resilience indices.

A *scope* is the set of region-sectors a metric is computed for: the Northeast total, a
province, a sector across regions, or single region-sectors. :func:`aggregate` sums the
columns of a days x (region, sector) output table into scopes; metrics are then computed
on the scope totals (never averaged over region-sectors).

Martin's indices compare a region's change in output (or employment) :math:`E_r` over a
contraction or recovery with the national reference :math:`E_N`.

References
----------
.. [1] Martin, R. (2012). Regional economic resilience, hysteresis and recessionary
   shocks. *J. Economic Geography* 12(1), 1–32.
.. [2] Martin, R., Sunley, P., Gardiner, B. & Tyler, P. (2016). How regions react to
   recessions: resilience and the role of economic structure. *Regional Studies* 50(4),
   561–585.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from chainsim.data.classification import NORTHEAST
from chainsim.data.scopes import NAMED_SCOPES, Scope, scope_columns
from chainsim.errors import ScenarioError

__all__ = [
    "NAMED_SCOPES",
    "NORTHEAST",
    "aggregate",
    "expected_change",
    "recovery_index",
    "resistance_index",
    "scope_columns",
    "sensitivity_index",
]

def aggregate(output: pd.DataFrame | pd.Series, scopes: Scope | Mapping[str, Scope]) -> Any:
    """Sum a days x (region, sector) table into one or several scopes.

    Parameters
    ----------
    output : pandas.DataFrame or pandas.Series
        Index = day, columns = (region, sector) MultiIndex (output or baseline). A Series
        indexed by (region, sector) — e.g. a constant per-industry baseline such as
        ``SimulationResult.baseline`` — is one row and gives a float per scope.
    scopes : scope or mapping of name -> scope
        One scope (see :func:`scope_columns`) gives a Series; a mapping of names to scopes
        gives a DataFrame with one column per name. A mapping with a key ``regions`` or
        ``sectors`` is one scope (so those two cannot be scope names).

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Daily scope totals (for a Series input: a float, or a Series over scope names).

    Raises
    ------
    ScenarioError
        An unknown code or an empty scope.

    Examples
    --------
    >>> cols = pd.MultiIndex.from_tuples(
    ...     [("LN", "01"), ("LN", "20"), ("JL", "20"), ("HLJ", "20"), ("RoC", "20")], names=["region", "sector"])
    >>> df = pd.DataFrame([[1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 1.0, 3.0, 4.0, 5.0]], columns=cols)
    >>> aggregate(df, "northeast").tolist()
    [10.0, 9.0]
    >>> aggregate(df, {"electronics": "20", "LN": "LN", "LN-20": ("LN", "20")}).to_numpy().tolist()
    [[14.0, 3.0, 2.0], [13.0, 2.0, 1.0]]
    >>> aggregate(df.iloc[0], "northeast")  # a per-industry baseline Series
    10.0
    """
    if isinstance(output, pd.Series):
        total = aggregate(output.to_frame().T, scopes)
        return float(total.iloc[0]) if isinstance(total, pd.Series) else total.iloc[0].rename(None)
    if isinstance(scopes, Mapping) and not (set(scopes) & {"regions", "sectors"}):
        return pd.DataFrame({name: aggregate(output, scope) for name, scope in scopes.items()}, index=output.index)
    mask = scope_columns(output.columns, scopes)
    if not mask.any():
        raise ScenarioError(f"scope: {scopes!r} matches no (region, sector) column")
    name = scopes if isinstance(scopes, str) else None
    return output.loc[:, mask].sum(axis=1).rename(name)


def sensitivity_index(delta_region: Any, base_region: Any, delta_nation: Any, base_nation: Any) -> Any:
    r"""Martin (2012) resistance (sensitivity) index :math:`\beta_r = (\Delta E_r/E_r)/(\Delta E_N/E_N)`.

    Over a contraction, :math:`\beta_r > 1` means the region fell more than the nation (less
    resistant), :math:`\beta_r < 1` less.

    Parameters
    ----------
    delta_region, base_region : float or array_like
        Change :math:`\Delta E_r` over the contraction and the pre-shock level :math:`E_r`.
    delta_nation, base_nation : float or array_like
        The same for the national reference.

    Raises
    ------
    ValueError
        A zero base or a zero national change (the index is undefined).

    Examples
    --------
    >>> round(sensitivity_index(-6, 100, -4, 100), 6)
    1.5
    """
    dr, er, dn, en = (np.asarray(v, dtype=float) for v in (delta_region, base_region, delta_nation, base_nation))
    if np.any(er == 0) or np.any(en == 0):
        raise ValueError("sensitivity_index: expected non-zero base levels E_r and E_N")
    if np.any(dn == 0):
        raise ValueError("sensitivity_index: the national change is 0, so the index is undefined")
    out = (dr / er) / (dn / en)
    return out.item() if out.ndim == 0 else out


def expected_change(base_by_sector: Any, national_rate_by_sector: Any) -> Any:
    r"""Expected change of a region at national sectoral rates, :math:`\Delta E_r^{exp} = \sum_i E_{ri}\, g_{Ni}`.

    Martin et al. (2016): apply each sector's national growth rate :math:`g_{Ni}` over the
    episode to the region's pre-shock sector levels :math:`E_{ri}` (last axis = sectors).

    Examples
    --------
    >>> expected_change([1000, 3000], [-0.1, -0.1])
    -400.0
    """
    e = np.asarray(base_by_sector, dtype=float)
    g = np.asarray(national_rate_by_sector, dtype=float)
    out = (e * g).sum(axis=-1)
    return out.item() if np.ndim(out) == 0 else out


def resistance_index(actual_change: Any, expected: Any) -> Any:
    r"""Martin et al. (2016) resistance :math:`(\Delta E_r - \Delta E_r^{exp})/|\Delta E_r^{exp}|` over a contraction.

    Positive: the region lost less than its structure predicts (more resistant); negative:
    more. Losing 600 against an expected 400 gives -0.5.

    Examples
    --------
    >>> resistance_index(-600, -400)
    -0.5
    """
    actual = np.asarray(actual_change, dtype=float)
    exp = np.asarray(expected, dtype=float)
    if np.any(exp == 0):
        raise ValueError("resistance_index: the expected change is 0, so the index is undefined")
    out = (actual - exp) / np.abs(exp)
    return out.item() if out.ndim == 0 else out


def recovery_index(actual_change: Any, expected: Any) -> Any:
    r"""Martin et al. (2016) recovery :math:`(\Delta E_r - \Delta E_r^{exp})/|\Delta E_r^{exp}|` over the upturn.

    The same form as :func:`resistance_index`, applied to the recovery phase: positive
    means the region regained more than national sectoral rates predict.

    Examples
    --------
    >>> recovery_index(500, 400)
    0.25
    """
    return resistance_index(actual_change, expected)
