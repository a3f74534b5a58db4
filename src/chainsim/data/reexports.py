"""Re-export (transit) netting of the provincial trade columns, by a registry of documented rules.

A provincial table records the goods that pass through a province twice: once as an inflow
(IF, from other provinces, or IM, from abroad) and once as an outflow (OF, to other
provinces, or EX, abroad). Where the province's sales outside it exceed its output,
``EX + OF > GO``, the transit is plain; where they do not, it is hidden in the same columns.
A rule decides how much of each outflow is transit and removes that amount from an outflow
and an inflow at once, so every row identity ``GO = use + EX + OF - IM - IF`` keeps holding.

Rules (:data:`REEXPORT_RULES`):

* ``"proportional"`` (the default since builder 2.0). The GTAP Data Base's proxy for
  re-exports when nothing else is known: exports are drawn from the pool of supply in
  proportion to its parts, so a share ``PROP = M / (M + P)`` of exports are re-exports,
  with M the imports and P the production (GTAP, "About Re-Exports"; the same pooling as
  the Chenery-Moses multiregional model, Miller & Blair 2009, §3.3). Applied in two stages:

  1. **inter-provincial transit, everywhere**: a province's outflows to other provinces
     are drawn from its output and its inflows from other provinces in proportion
     ``GO : IF``, so ``OF * IF / (GO + IF)`` (at most IF) is netted from (OF, IF). Imports
     from abroad and exports abroad are left as published, because China's customs
     statistics attribute them to the province of destination or origin of the goods;
  2. **where sales outside the province still reach its output** (``EX + OF >= GO`` after
     stage 1: transit of foreign imports, e.g. Heilongjiang's pipeline crude oil), all of
     ``EX + OF`` is drawn from the pool ``GO + IM + IF`` in proportion, and the parts
     drawn from IM and IF are netted from (EX, IM), (OF, IM), (EX, IF), (OF, IF).

  A province that produces a product and uses it keeps local supply
  ``L = GO - EX - OF > 0``: ``GO (GO + IF - OF) / (GO + IF)`` after stage 1, or
  ``GO * A / (GO + IM + IF)`` after stage 2, with ``A = P + N`` its domestic use.
* ``"excess"`` (builder 1.x): only the excess ``max(0, EX + OF - GO)`` is removed, from
  (OF, IF) first, then (EX, IM), (OF, IM), (EX, IF). It leaves ``EX + OF = GO`` wherever
  the excess is positive, so those provinces keep no output for their own users
  (Jilin's transport equipment, 18, had none).

References
----------
GTAP (Center for Global Trade Analysis, Purdue University). GTAP Data Bases: About
Re-Exports. https://www.gtap.agecon.purdue.edu/databases/contribute/reexports.asp
(last modified 2011-01-20): ``RX = PROP x X``, ``PROP = M / (M + P)`` when nothing else
is known; re-exports are removed from both exports and imports.
Miller, R. E. & Blair, P. D. (2009). *Input-Output Analysis: Foundations and Extensions*,
2nd ed., Cambridge University Press, §3.3 (the multiregional, Chenery-Moses model: each
region's supply of a good, own output and inflows, is one pool).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from chainsim.errors import DataError, did_you_mean

__all__ = ["ASSUMPTION_NETTING", "DEFAULT_RULE", "PAIR_NAMES", "REEXPORT_RULES", "Trade", "net_reexports",
           "net_reexports_excess", "net_reexports_proportional"]

#: The (outflow, inflow) pairs netted against each other.
PAIR_NAMES = ("OF-IF", "EX-IM", "OF-IM", "EX-IF")
DEFAULT_RULE = "proportional"

ASSUMPTION_NETTING = (
    "Re-exports (transit trade, counted both as an inflow and as an outflow) are netted by the proportional rule "
    "(GTAP's proxy PROP = M / (M + P), GTAP 'About Re-Exports'; the Chenery-Moses supply pool): (1) everywhere, a "
    "province's outflows to other provinces are drawn from its output and its inflows from other provinces in "
    "proportion GO : IF, and OF * IF / (GO + IF) (at most IF) is removed from both OF and IF; exports abroad and "
    "imports from abroad are kept as published (customs attribute them to the province of destination or origin); "
    "(2) where EX + OF still reaches GO, all of EX + OF is drawn from the pool GO + IM + IF in proportion and the "
    "parts drawn from IM and IF are removed from the pairs (EX, IM), (OF, IM), (EX, IF), (OF, IF). Every row "
    "balance is unchanged, EX + OF <= GO afterwards, and a province that produces and uses a product keeps "
    "positive local supply.")


class Trade(NamedTuple):
    """Trade flows after re-export netting and the amounts netted per pair (last axis :data:`PAIR_NAMES`)."""

    EX: np.ndarray
    OF: np.ndarray
    IM: np.ndarray
    IF: np.ndarray
    netted: np.ndarray


def _arrays(go, ex, of, im, inflow):
    ex, of, im, inflow = (np.array(a, dtype=float, copy=True) for a in (ex, of, im, inflow))
    return np.asarray(go, dtype=float), ex, of, im, inflow


def _check_left(left: np.ndarray, go: np.ndarray, where: str) -> None:
    scale = np.maximum(np.abs(go), 1.0)
    if (left > 1e-9 * scale).any():
        idx = tuple(int(i) for i in np.argwhere(left > 1e-9 * scale)[0])
        raise DataError(f"{where}: product index {idx}: re-exports exceed the inflows and imports available to net "
                        f"them (left {left[idx]:.6g}); domestic use must be negative there")


def net_reexports_excess(go: np.ndarray, ex: np.ndarray, of: np.ndarray, im: np.ndarray, inflow: np.ndarray, *,
                         where: str = "table") -> Trade:
    """Net only the excess ``max(0, EX + OF - GO)`` (the rule of builder 1.x).

    The excess ``e`` is removed step by step from the pairs (OF, IF), (EX, IM), (OF, IM),
    (EX, IF): each step removes ``min(e_left, outflow, inflow)`` from both members.

    Parameters
    ----------
    go, ex, of, im, inflow : array (..., S)
        Gross output, exports abroad, outflow to other provinces, imports from abroad and
        inflow from other provinces (non-negative).
    where : str
        Label for error messages (file or province).

    Returns
    -------
    Trade
        Netted ``EX, OF, IM, IF`` and ``netted`` of shape (..., S, 4).

    Raises
    ------
    DataError
        If some excess cannot be netted (only possible when domestic use is negative).

    Examples
    --------
    >>> t = net_reexports_excess(np.array([10.0]), np.array([2.0]), np.array([15.0]), np.array([3.0]),
    ...                          np.array([6.0]))
    >>> t.OF, t.IF, t.EX, t.IM
    (array([9.]), array([0.]), array([1.]), array([2.]))
    >>> t.netted
    array([[6., 1., 0., 0.]])
    """
    go, ex, of, im, inflow = _arrays(go, ex, of, im, inflow)
    left = np.maximum(0.0, ex + of - go)
    netted = np.zeros((*left.shape, len(PAIR_NAMES)))
    for k, (out, inn) in enumerate(((of, inflow), (ex, im), (of, im), (ex, inflow))):
        d = np.minimum(left, np.minimum(out, inn))
        out -= d
        inn -= d
        left -= d
        netted[..., k] = d
    _check_left(left, go, where)
    return Trade(ex, of, im, inflow, netted)


def net_reexports_proportional(go: np.ndarray, ex: np.ndarray, of: np.ndarray, im: np.ndarray,
                               inflow: np.ndarray, *, where: str = "table") -> Trade:
    """Net re-exports by the two-stage proportional rule (see the module docstring).

    Stage 1 (every product of every province): ``r = min(IF, OF * IF / (GO + IF))`` is
    removed from OF and IF. Stage 2 (where ``EX + OF >= GO`` after stage 1): with the pool
    ``S = GO + IM + IF`` and ``X = EX + OF``, the share ``(IM + IF) / S`` of each of EX and
    OF is transit; ``EX * IM / S`` is removed from (EX, IM), ``OF * IM / S`` from (OF, IM),
    ``EX * IF / S`` from (EX, IF) and ``OF * IF / S`` from (OF, IF). Afterwards ``EX + OF =
    X * GO / S <= GO`` and local supply is ``GO * A / S`` with ``A = S - X`` domestic use.

    Parameters
    ----------
    go, ex, of, im, inflow : array (..., S)
        Gross output, exports abroad, outflow to other provinces, imports from abroad and
        inflow from other provinces (non-negative).
    where : str
        Label for error messages.

    Returns
    -------
    Trade
        Netted ``EX, OF, IM, IF`` and the amounts netted per pair, shape (..., S, 4).

    Raises
    ------
    DataError
        If domestic use ``A = GO + IM + IF - EX - OF`` is negative somewhere (no rule can
        net the trade columns to ``EX + OF <= GO`` then).

    Examples
    --------
    A province that makes 10, takes in 30 and ships 25 out keeps 10 * (10 + 30 - 25) / 40 of
    its output for its own users (the excess rule would keep none):

    >>> t = net_reexports_proportional(np.array([10.0]), np.array([0.0]), np.array([25.0]), np.array([0.0]),
    ...                                np.array([30.0]))
    >>> t.OF, t.IF, 10.0 - t.OF
    (array([6.25]), array([11.25]), array([3.75]))
    """
    go, ex, of, im, inflow = _arrays(go, ex, of, im, inflow)
    netted = np.zeros((*go.shape, len(PAIR_NAMES)))
    use = go + im + inflow - ex - of
    scale = np.maximum(np.abs(go), 1.0)
    if (use < -1e-9 * scale).any():
        idx = tuple(int(i) for i in np.argwhere(use < -1e-9 * scale)[0])
        raise DataError(f"{where}: product index {idx}: domestic use GO + IM + IF - EX - OF is {use[idx]:.6g} < 0; "
                        f"re-exports cannot be netted")
    pool = go + inflow
    r1 = np.where(pool > 0, np.minimum(inflow, of * inflow / np.where(pool > 0, pool, 1.0)), 0.0)
    of -= r1
    inflow -= r1
    np.clip(of, 0.0, None, out=of)  # float dust of x - x * (a / a)
    np.clip(inflow, 0.0, None, out=inflow)
    netted[..., 0] = r1
    stage2 = ex + of >= go
    pool2 = go + im + inflow
    frac_im = np.where(stage2 & (pool2 > 0), im / np.where(pool2 > 0, pool2, 1.0), 0.0)
    frac_if = np.where(stage2 & (pool2 > 0), inflow / np.where(pool2 > 0, pool2, 1.0), 0.0)
    pairs = ((of, inflow, frac_if, 0), (ex, im, frac_im, 1), (of, im, frac_im, 2), (ex, inflow, frac_if, 3))
    amounts = [out * frac for out, _, frac, _ in pairs]  # from the stage-1 values, before any stage-2 change
    for (out, inn, _, k), d in zip(pairs, amounts, strict=True):
        out -= d
        inn -= d
        netted[..., k] += d
    for a in (ex, of, im, inflow):
        np.clip(a, 0.0, None, out=a)  # float dust of x - x * (a / a)
    _check_left(np.maximum(0.0, ex + of - go), go, where)
    return Trade(ex, of, im, inflow, netted)


#: Re-export netting rules by name.
REEXPORT_RULES: dict[str, Callable[..., Trade]] = {
    "proportional": net_reexports_proportional,
    "excess": net_reexports_excess,
}


def net_reexports(go: np.ndarray, ex: np.ndarray, of: np.ndarray, im: np.ndarray, inflow: np.ndarray, *,
                  rule: str = DEFAULT_RULE, where: str = "table") -> Trade:
    """Net re-exports out of the trade columns with the named rule (:data:`REEXPORT_RULES`).

    Parameters
    ----------
    go, ex, of, im, inflow : array (..., S)
        Gross output and the four trade columns (non-negative).
    rule : {"proportional", "excess"}
        The netting rule (default ``"proportional"``).
    where : str
        Label for error messages.

    Returns
    -------
    Trade

    Raises
    ------
    DataError
        Unknown rule (with a suggestion), or trade that no rule can net.

    Examples
    --------
    >>> t = net_reexports(np.array([10.0]), np.array([0.0]), np.array([25.0]), np.array([0.0]), np.array([30.0]),
    ...                   rule="excess")
    >>> float(10.0 - t.OF[0])
    0.0
    """
    if rule not in REEXPORT_RULES:
        raise DataError(f"re-export rule must be one of {sorted(REEXPORT_RULES)}, found {rule!r}"
                        f"{did_you_mean(str(rule), REEXPORT_RULES)}")
    return REEXPORT_RULES[rule](go, ex, of, im, inflow, where=where)
