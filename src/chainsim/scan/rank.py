"""Ordering chokepoints, and how a policy pathway reorders them.

Rank 1 is the most harmful target. The default criterion is the scope's cumulative output
loss in yuan (equivalently in days of output: one scope, one baseline); ties are broken by
the time to recover (longer first) and then by the time to survive (shorter first).

A time to recover that is censored (output not back within the band by the horizon) has no
value: it is reported as "not recovered" (``ttr_days`` empty, ``recovered`` False), never
as a made-up number such as the horizon. Ranking *by TTR* therefore orders the measured
TTRs (longest first) and lists the censored targets after them, by loss; the same holds for
a target whose output never fell below the band (no observed TTS) when ranking by TTS, and
for a run that crashed (no loss), which is listed last in any ranking.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainsim.errors import ScenarioError, did_you_mean

__all__ = ["RANK_BY", "pathway_effect", "rank_targets"]

#: Ranking criteria.
RANK_BY: tuple[str, ...] = ("loss", "ttr", "tts")


def _order(df: pd.DataFrame, by: str) -> np.ndarray:
    loss = df["loss_cny"].to_numpy(dtype=float)
    ttr = df["ttr_days"].to_numpy(dtype=float)
    tts = df["tts_days"].to_numpy(dtype=float)
    no_loss = ~np.isfinite(loss)
    loss_key = np.where(no_loss, 0.0, -loss)
    ttr_cens = ~np.isfinite(ttr)
    ttr_key = np.where(ttr_cens, 0.0, -ttr)
    tts_cens = ~np.isfinite(tts)
    tts_key = np.where(tts_cens, 0.0, tts)
    if by == "loss":
        keys = (tts_key, tts_cens, ttr_key, ttr_cens, loss_key, no_loss)
    elif by == "ttr":
        keys = (tts_key, tts_cens, loss_key, ttr_key, ttr_cens, no_loss)
    else:
        keys = (ttr_key, ttr_cens, loss_key, tts_key, tts_cens, no_loss)
    return np.lexsort(keys)  # last key is the primary one


def rank_targets(df: pd.DataFrame, by: str = "loss") -> pd.DataFrame:
    """Sort a scan table, adding ``rank`` (within each kind) and ``rank_all`` (over all kinds).

    With an ``effect`` column (:func:`chainsim.scan.screen.target_effects`), only the
    targets whose effect is ``"ranked"`` are ranked; the others follow in sections, in the
    order of :data:`chainsim.scan.screen.EFFECTS` (each sorted by the same criterion), with
    ``rank`` and ``rank_all`` empty. Without it every target is ranked.

    Parameters
    ----------
    df : DataFrame
        With ``kind, loss_cny, ttr_days, tts_days`` (NaN = censored / not observed) and
        optionally ``effect``.
    by : {"loss", "ttr", "tts"}

    Returns
    -------
    DataFrame
        Sorted; ``rank`` and ``rank_all`` are nullable integers (``Int64``).

    Raises
    ------
    ScenarioError
        Unknown criterion.

    Examples
    --------
    >>> df = pd.DataFrame({"kind": ["nodes"] * 3, "target": ["a", "b", "c"], "loss_cny": [5.0, 9.0, 1.0],
    ...                    "ttr_days": [20.0, float("nan"), 40.0], "tts_days": [3.0, 1.0, 2.0]})
    >>> rank_targets(df).target.tolist(), rank_targets(df, "ttr").target.tolist()
    (['b', 'a', 'c'], ['c', 'a', 'b'])
    >>> r = rank_targets(df.assign(effect=["ranked", "screened: non-storable input (flow)", "ranked"]))
    >>> r.target.tolist(), r["rank"].tolist()
    (['a', 'c', 'b'], [1, 2, <NA>])
    """
    from chainsim.scan.screen import EFFECTS

    if by not in RANK_BY:
        raise ScenarioError(f"rank_by: unknown criterion {by!r}; expected one of {list(RANK_BY)}"
                            f"{did_you_mean(by, RANK_BY)}")
    order = _order(df, by)
    if "effect" in df.columns:
        section = df["effect"].map({e: k for k, e in enumerate(EFFECTS)}).fillna(len(EFFECTS)).to_numpy()
        order = order[np.argsort(section[order], kind="stable")]
    out = df.iloc[order].reset_index(drop=True)
    ranked = (out["effect"] == EFFECTS[0]).to_numpy() if "effect" in out.columns else np.ones(len(out), dtype=bool)
    out["rank_all"] = pd.array(np.where(ranked, np.cumsum(ranked), 0), dtype="Int64")
    out["rank"] = pd.array(np.where(ranked, out.assign(_r=ranked).groupby("kind", sort=False)["_r"].cumsum(), 0),
                           dtype="Int64")
    out.loc[~ranked, ["rank_all", "rank"]] = pd.NA
    return out


def pathway_effect(base: pd.DataFrame, other: pd.DataFrame, *, top: int = 20) -> pd.DataFrame:
    """How a pathway changes the chokepoint list: rank changes, loss reduction, who leaves the top ``top``.

    Parameters
    ----------
    base, other : DataFrame
        Ranked scan tables (:func:`rank_targets`) without and with the pathway.
    top : int
        Size of the chokepoint list (per kind).

    Returns
    -------
    DataFrame
        One row per target: ``kind, target, name_zh, name_en, rank_base, rank_pathway,
        rank_change`` (positive = moved down the list, less critical), ``loss_base_cny,
        loss_pathway_cny, loss_reduction_cny, loss_reduction_pct`` and ``status``:
        ``removed`` (leaves the top list), ``added`` (enters it), ``stays`` or ``-``. The
        list holds the top ``top`` *ranked* targets of each kind that cost anything (loss > 0):
        a target whose loss the pathway brings to zero, or below the threshold of a measurable
        effect (no rank), leaves it whatever its rank.
    """
    keep = ["kind", "target", "name_zh", "name_en", "rank", "loss_cny"]
    b = base[keep].rename(columns={"rank": "rank_base", "loss_cny": "loss_base_cny"})
    o = other[["kind", "target", "rank", "loss_cny"]].rename(columns={"rank": "rank_pathway",
                                                                     "loss_cny": "loss_pathway_cny"})
    df = b.merge(o, on=["kind", "target"], how="outer")
    df["rank_change"] = df.rank_pathway - df.rank_base
    df["loss_reduction_cny"] = df.loss_base_cny - df.loss_pathway_cny
    pos = df.loss_base_cny > 0
    df["loss_reduction_pct"] = np.where(pos, 100.0 * df.loss_reduction_cny / df.loss_base_cny.where(pos), np.nan)
    # the chokepoint list: the top ``top`` of a kind that cost anything (ranks among zero losses are table order)
    in_b = ((df.rank_base <= top) & (df.loss_base_cny > 0)).fillna(False).astype(bool)
    in_o = ((df.rank_pathway <= top) & (df.loss_pathway_cny > 0)).fillna(False).astype(bool)
    df["status"] = np.select([in_b & ~in_o, ~in_b & in_o, in_b & in_o], ["removed", "added", "stays"], "-")
    return df.sort_values(["kind", "rank_base"], kind="stable").reset_index(drop=True)
