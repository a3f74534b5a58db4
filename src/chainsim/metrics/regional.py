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

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from chainsim.errors import ScenarioError, did_you_mean

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

#: The three Northeast provinces: Liaoning 辽宁, Jilin 吉林, Heilongjiang 黑龙江.
NORTHEAST: tuple[str, ...] = ("LN", "JL", "HLJ")

#: Named scopes (lower-case names) and the region codes they stand for; ``"all"`` is every column.
NAMED_SCOPES: Mapping[str, tuple[str, ...]] = {"northeast": NORTHEAST}

Scope = str | tuple[str, str] | Mapping[str, Any] | Iterable[Any]


def _levels(columns: pd.Index) -> tuple[pd.Index, pd.Index]:
    if not isinstance(columns, pd.MultiIndex) or columns.nlevels != 2:
        raise ValueError(
            f"output: expected columns as a (region, sector) MultiIndex, found {type(columns).__name__} "
            f"with {columns.nlevels} level(s)"
        )
    names = list(columns.names)
    r = names.index("region") if "region" in names else 0
    s = names.index("sector") if "sector" in names else 1 - r
    return columns.get_level_values(r).astype(str), columns.get_level_values(s).astype(str)


def _codes(value: Any, known: pd.Index, what: str) -> list[str]:
    values = [value] if isinstance(value, str) else [str(v) for v in value]
    for v in values:
        if v not in known:
            raise ScenarioError(f"scope: unknown {what} '{v}'" + did_you_mean(v, list(dict.fromkeys(known))))
    return values


def scope_columns(columns: pd.Index, scope: Scope) -> np.ndarray:
    """Boolean mask of the (region, sector) columns that belong to ``scope``.

    Parameters
    ----------
    columns : pandas.MultiIndex
        Two levels, region and sector (named ``region``/``sector``, else in that order).
    scope : str, tuple, mapping or iterable
        - ``"northeast"`` (LN + JL + HLJ) or ``"all"``;
        - a region code (``"LN"``) or a sector code (``"20"``); a code that names both is
          ambiguous and raises;
        - a ``(region, sector)`` pair;
        - a mapping ``{"regions": [...], "sectors": [...]}``: those sectors within those
          regions (a missing key means all);
        - an iterable of any of the above: their union.

    Raises
    ------
    ScenarioError
        An unknown or ambiguous code, or a scope matching no column.
    """
    regions, sectors = _levels(columns)
    if isinstance(scope, str):
        key = scope.lower()
        if key == "all":
            return np.ones(len(columns), dtype=bool)
        if key in NAMED_SCOPES:
            return np.asarray(regions.isin(_codes(NAMED_SCOPES[key], regions, "region")))
        in_r, in_s = scope in regions, scope in sectors
        if in_r and in_s:
            raise ScenarioError(f"scope: '{scope}' is both a region and a sector code; use {{'regions': ['{scope}']}}")
        if in_r:
            return np.asarray(regions == scope)
        if in_s:
            return np.asarray(sectors == scope)
        choices = [*NAMED_SCOPES, "all", *dict.fromkeys(regions), *dict.fromkeys(sectors)]
        raise ScenarioError(f"scope: unknown region, sector or named scope '{scope}'" + did_you_mean(scope, choices))
    if isinstance(scope, Mapping):
        extra = set(scope) - {"regions", "sectors"}
        if extra:
            raise ScenarioError(f"scope: expected keys 'regions' and/or 'sectors', found {sorted(extra)}")
        mask = np.ones(len(columns), dtype=bool)
        if "regions" in scope:
            mask &= np.asarray(regions.isin(_codes(scope["regions"], regions, "region")))
        if "sectors" in scope:
            mask &= np.asarray(sectors.isin(_codes(scope["sectors"], sectors, "sector")))
        return mask
    if isinstance(scope, tuple) and len(scope) == 2 and all(isinstance(v, str) for v in scope):
        r, s = scope
        if r in regions and s in sectors:
            return np.asarray((regions == r) & (sectors == s))
    mask = np.zeros(len(columns), dtype=bool)
    for part in scope:
        mask |= scope_columns(columns, part)
    return mask


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
