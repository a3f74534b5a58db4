r"""The lever attribution's table: exact Shapley values and ``attribution.csv``.

The runs behind it (the pathways' lever subsets, batched through the engine) are
:mod:`chainsim.experiment.attribution`; this module turns their series into each lever's
share of a pathway's paired loss difference (Shapley 1953), which lever acts, and the
:class:`Attribution` the summary, the figures and the report read.

``attribution.csv`` has one row per pathway x scope x lever (plus a ``(total)`` row):

======================  =====================================================================
column                  meaning
======================  =====================================================================
pathway, scope          the pathway entry and the scope
lever                   lever name, or ``(total)`` for the pathway as a whole
evidence_class          product class whose evidence range gave the lever's full value
value                   the lever's value in force at the pathway's intensity (central value)
alone_loss_diff_cny     :math:`v(\{i\})`: paired loss difference with the lever alone (table currency)
shapley_loss_diff_cny   :math:`\phi_i` (table currency); NaN when the method is one at a time
acts                    whether the lever changes output in some coalition (False: a null lever)
method                  ``shapley`` or ``one_at_a_time``
replications            replications used
======================  =====================================================================

For the ``(total)`` row both loss columns hold :math:`v(N)` on the same replications. The money
columns are named after the table's currency (:func:`~chainsim.data.units.money_column`):
``_cny`` for the shipped tables, ``alone_loss_diff_usd`` for a table in USD.

References
----------
.. [1] Shapley, L. S. (1953). A value for n-person games. In *Contributions to the Theory of
   Games II*, Annals of Mathematics Studies 28, 307-317.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from chainsim.data.units import MoneyUnit, find_money_column, money_column, money_columns, money_of_column

__all__ = ["ATTRIBUTION_COLUMNS", "Attribution", "attribution_columns", "attribution_frame", "shapley"]

#: columns of ``attribution.csv`` for a table in CNY (:func:`attribution_columns` for another currency)
ATTRIBUTION_COLUMNS = ["pathway", "scope", "lever", "evidence_class", "value", "alone_loss_diff_cny",
                       "shapley_loss_diff_cny", "acts", "method", "replications"]


def attribution_columns(money: MoneyUnit | str) -> list[str]:
    """:data:`ATTRIBUTION_COLUMNS` with the money columns named after ``money``'s currency."""
    return money_columns(ATTRIBUTION_COLUMNS, money)


def shapley(players: Sequence[str], v: Callable[[frozenset[str]], float]) -> dict[str, float]:
    """Exact Shapley values of a cooperative game ``v`` (``v(frozenset()) = 0`` is not assumed).

    Examples
    --------
    >>> w = {frozenset(): 0, frozenset("a"): 1, frozenset("b"): 2, frozenset("ab"): 5}
    >>> shapley("ab", w.__getitem__)
    {'a': 2.0, 'b': 3.0}
    """
    n = len(players)
    out = {}
    for i in players:
        others = [p for p in players if p != i]
        phi = 0.0
        for size in range(n):
            w = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for S in itertools.combinations(others, size):
                s = frozenset(S)
                phi += w * (v(s | {i}) - v(s))
        out[i] = float(phi)
    return out


@dataclass(frozen=True, eq=False)
class Attribution:
    """Lever attribution of a scenario run.

    Attributes
    ----------
    frame : DataFrame
        The ``attribution.csv`` table (:func:`attribution_columns`: :data:`ATTRIBUTION_COLUMNS`
        for a table in CNY).
    notes : dict
        Pathway entry -> why its attribution is limited (e.g. one at a time for many levers).
    """

    frame: pd.DataFrame
    notes: Mapping[str, str]

    @property
    def entries(self) -> set[str]:
        """Pathway entries attributed."""
        return set(self.frame.pathway)

    def acting(self, entry: str, scope: str) -> list[str]:
        """Levers of ``entry`` that change output in ``scope`` (alone or in a coalition)."""
        f = self.frame
        sel = (f.pathway == entry) & (f.scope == scope) & (f.lever != "(total)") & f.acts.astype(bool)
        return list(f.loc[sel, "lever"])

    def describe(self, entry: str, scope: str) -> str:
        """``"lever −1.23; other −0.04"``: each acting lever's share of the loss difference, in billions.

        Billions of the table's currency (:meth:`money_label`: ``bn CNY`` for the shipped tables).
        """
        f = self.frame
        g = f[(f.pathway == entry) & (f.scope == scope) & (f.lever != "(total)") & f.acts.astype(bool)]
        if g.empty:
            return ""
        stem = "shapley_loss_diff" if (g.method == "shapley").all() else "alone_loss_diff"
        col = find_money_column(f.columns, stem)
        return "; ".join(f"{r.lever} {r[col] / 1e9:+.3g}" for _, r in g.iterrows())

    def money_label(self) -> str:
        """``"bn CNY"``: the unit of :meth:`describe`, read from the frame's money column names."""
        col = find_money_column(self.frame.columns, "shapley_loss_diff")
        return money_of_column(col, "shapley_loss_diff").label()


def attribution_frame(loaded: Any, runs: Mapping[str, Any], players: Mapping[str, tuple[str, ...]],
                       methods: Mapping[str, str], series: Mapping[tuple[str, frozenset[str]], Mapping[str, Any]],
                       masks: Mapping[str, np.ndarray], n: int) -> pd.DataFrame:
    """``attribution.csv`` from the runs: per pathway x scope, each lever's alone and Shapley share and the total.

    ``series[(entry, S)][scope]`` is the (n, days) output of the scope with only the levers
    ``S`` on; the empty subset is the baseline's run and the full one the pathway's own.
    A lever acts when some coalition's trajectory moves by more than
    :data:`~chainsim.experiment.paired.IDENTICAL_RTOL` of the scope's daily output when it joins.
    """
    from chainsim.experiment.paired import IDENTICAL_RTOL

    money = loaded.table.money
    alone_col, shapley_col = money_column("alone_loss_diff", money), money_column("shapley_loss_diff", money)
    base = runs["baseline"]
    rows = []
    for entry, levers in players.items():
        pr = runs[entry]
        for scope, mask in masks.items():
            b = float(base.baseline[mask].sum())
            tol = IDENTICAL_RTOL * b

            def traj(S: frozenset[str], entry: str = entry, scope: str = scope, mask: np.ndarray = mask
                     ) -> np.ndarray:
                if not S:
                    return base.scope_sum(mask)[:n]
                if S == frozenset(players[entry]):
                    return runs[entry].scope_sum(mask)[:n]
                return series[(entry, S)][scope]

            ref = traj(frozenset())
            cache: dict[frozenset[str], float] = {}

            def v(S: frozenset[str], ref: np.ndarray = ref, cache: dict = cache) -> float:
                if S not in cache:
                    cache[S] = float((ref - traj(S)).sum(axis=1).mean()) * money.per_unit if S else 0.0
                return cache[S]

            method = methods[entry]
            phi = shapley(list(levers), v) if method == "shapley" and levers else {}
            for lv in levers:
                if method == "shapley":
                    others = [p for p in levers if p != lv]
                    coalitions = [frozenset(c) for s in range(len(others) + 1)
                                  for c in itertools.combinations(others, s)]
                    acts = any(float(np.abs(traj(S | {lv}) - traj(S)).max()) > tol for S in coalitions)
                else:
                    acts = float(np.abs(traj(frozenset([lv])) - ref).max()) > tol
                rows.append({"pathway": entry, "scope": scope, "lever": lv,
                             "evidence_class": pr.plan.evidence.get(lv, ""), "value": pr.plan.levers.get(lv),
                             alone_col: v(frozenset([lv])),
                             shapley_col: phi.get(lv, np.nan), "acts": acts, "method": method,
                             "replications": n})
            total = v(frozenset(levers)) if levers else 0.0
            rows.append({"pathway": entry, "scope": scope, "lever": "(total)", "evidence_class": "", "value": np.nan,
                         alone_col: total, shapley_col: total,
                         "acts": bool(levers) and float(np.abs(traj(frozenset(levers)) - ref).max()) > tol,
                         "method": method, "replications": n})
    return pd.DataFrame(rows, columns=attribution_columns(money))
