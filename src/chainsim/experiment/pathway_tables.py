"""Per pathway x scope summaries of a :class:`~chainsim.experiment.scenario_run.ScenarioRun`.

For each pathway, scope and replication the metrics of :func:`chainsim.metrics.summarize`
are computed against the no-shock baseline (onset = the replication's first sampled
disruption start; :func:`replication_table`). Replications are then summarised honestly:

- the time to recover (TTR) is summarised over the replications in which output **left the
  band** (``left_band_share`` says how many); a scope where no replication left it reports
  ``ttr_status = "did not leave the band"`` and no TTR — never a TTR of 0. A censored ("not
  recovered") run counts as +∞, so the median is "not recovered" when most runs never recover;
- the pathways are compared with ``baseline`` replication by replication (paired loss and TTR
  differences with 90 % bootstrap intervals, effect, rank, probability of being best;
  :mod:`chainsim.experiment.paired`), and each pathway's effect is split over its levers
  (:mod:`chainsim.experiment.attribution`);
- a pathway with no cost says so (``cost_basis``): pathways are then compared at equal effort θ.

The amplification ratio is total output loss / direct shock (:mod:`chainsim.experiment.direct`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from chainsim.data.scopes import scope_mask
from chainsim.data.units import MoneyUnit, find_money_column, money_column, money_columns
from chainsim.experiment.direct import replication_direct_shock
from chainsim.experiment.paired import COMPARE_COLUMNS, IDENTICAL_RTOL, compare_pathways
from chainsim.experiment.scenario_run import ScenarioRun
from chainsim.metrics import summarize_recovery_times, summarize_replications
from chainsim.metrics.batch import summarize_batch

__all__ = ["SUMMARY_COLUMNS", "identical_to_baseline", "loss_column", "loss_drivers", "ranking_table",
           "replication_table", "scope_trajectories", "summarize_ttr", "summary_columns", "summary_table"]

#: Columns of :func:`summary_table` for a table in CNY. The money columns follow the table's
#: currency (:func:`summary_columns`: ``loss_usd``, ``loss_mean_usd``, ``loss_diff_usd`` for a
#: table in USD, ``loss_units`` … when the table names none); costs are in billion CNY as the
#: scenario states them.
SUMMARY_COLUMNS = ["pathway", "scope", *COMPARE_COLUMNS, "ttr_days", "ttr_p10", "ttr_p90", "ttr_status",
                   "left_band_share", "recovered_share", "depth", "trough_day", "loss_cny", "loss_mean_cny",
                   "loss_days", "amplification", "triangle_area", "level_at_horizon", "tts_days", "replications",
                   "cost_bn_cny", "cost_basis", "benefit_cost_ratio", "days_saved_per_bn_cny", "levers_changed",
                   "attribution"]

#: ``ttr_status`` values
DID_NOT_LEAVE, NOT_RECOVERED, RECOVERED = "did not leave the band", "not recovered", "recovered"


def summary_columns(money: MoneyUnit | str) -> list[str]:
    """:data:`SUMMARY_COLUMNS` with the money columns named after ``money``'s currency."""
    return money_columns(SUMMARY_COLUMNS, money)


def loss_column(summary: pd.DataFrame) -> str:
    """Name of the money loss column of a summary (``loss_cny``, ``loss_usd``, … or ``loss_units``).

    Examples
    --------
    >>> loss_column(pd.DataFrame(columns=["pathway", "loss_eur", "loss_days"]))
    'loss_eur'
    """
    try:
        return find_money_column(summary.columns, "loss")
    except ValueError as exc:
        raise ValueError(f"summary: {exc}") from None


def _median(values: list[float]) -> float | None:
    vals = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.median(vals)) if vals else None


def replication_table(run: ScenarioRun, *, epsilon: float | None = None) -> pd.DataFrame:
    """The metrics of every pathway x scope x replication (tidy; money in CNY).

    Columns: ``pathway, scope, replication, loss_<currency>`` (``loss_cny`` for the shipped
    tables: :func:`~chainsim.data.units.money_column`), ``ttr_days`` (NaN when censored),
    ``recovered, left_band, ttr_censored_at, depth, trough_day, loss_days, amplification,
    triangle_area, level_at_horizon, tts_days``. ``epsilon`` overrides the scenario's band.
    """
    loaded = run.loaded
    table, sc = loaded.table, loaded.scenario
    eps = sc.metrics.recovery_tolerance if epsilon is None else float(epsilon)
    hold, band = sc.metrics.hold_days, sc.metrics.recovery_band
    money = table.money
    loss_col = money_column("loss", money)
    rows = []
    for entry, pr in run.pathways.items():
        R = pr.output.shape[0]
        direct = replication_direct_shock(table, pr.plan.disruptions, pr.samples, R)
        for scope in sc.metrics.scope:
            mask = scope_mask(table, scope)
            base = float(pr.baseline[mask].sum())
            series = pr.scope_sum(mask)
            per = summarize_batch(series, base, onsets=[int(o) if o >= 0 else None for o in pr.onset], epsilon=eps,
                                  hold=hold, band=band, money_per_unit=money.per_unit,
                                  direct_losses=[money.amount(d) if d > 0 else None for d in direct])
            for b, p in enumerate(per):
                rows.append({
                    "pathway": entry, "scope": scope, "replication": b, loss_col: p["loss"],
                    "ttr_days": np.nan if p["ttr_days"] is None else p["ttr_days"], "recovered": p["recovered"],
                    "left_band": p["left_band"], "ttr_censored_at": p["ttr_censored_at"], "depth": p["depth"],
                    "trough_day": None if p["time_to_trough_days"] is None
                    else (p["onset_day"] or 0) + p["time_to_trough_days"],
                    "loss_days": p["loss_days_of_output"], "amplification": p["amplification_ratio"],
                    "triangle_area": p["triangle_area_pct_days"], "level_at_horizon": p["level_at_horizon"],
                    "tts_days": p["tts_observed_days"],
                })
    return pd.DataFrame(rows)


def summarize_ttr(g: Any) -> dict[str, Any]:
    """TTR of one pathway x scope over the replications that left the band, with its status.

    ``g`` holds per replication ``left_band``, ``recovered`` and ``ttr_days`` (NaN when
    censored): a DataFrame (:func:`replication_table`'s rows) or a mapping of arrays.
    Returns ``ttr_days`` (median), ``ttr_p10``, ``ttr_p90`` (None where a quantile reaches a
    censored run or no run left the band), ``ttr_status`` (``did not leave the band``,
    ``not recovered`` or ``recovered``), ``left_band_share`` and ``recovered_share``.
    """
    left = np.asarray(g["left_band"], dtype=bool)
    out: dict[str, Any] = {"left_band_share": float(left.mean()),
                           "recovered_share": float(np.asarray(g["recovered"], dtype=bool).mean())}
    if not left.any():
        return {**out, "ttr_days": None, "ttr_p10": None, "ttr_p90": None, "ttr_status": DID_NOT_LEAVE}
    t = summarize_recovery_times([None if np.isnan(v) else v for v in np.asarray(g["ttr_days"], dtype=float)[left]])
    return {**out, "ttr_days": t["median"], "ttr_p10": t["p10"], "ttr_p90": t["p90"],
            "ttr_status": NOT_RECOVERED if t["median"] is None else RECOVERED}


def identical_to_baseline(run: ScenarioRun, scope: str) -> list[str]:
    """Pathway entries whose scope trajectories equal the baseline's in every replication.

    Equal means within :data:`~chainsim.experiment.paired.IDENTICAL_RTOL` of the scope's
    daily baseline output on every day: levers that move output only by rounding change nothing.
    """
    base = run.pathways.get("baseline")
    if base is None:
        return []
    mask = scope_mask(run.loaded.table, scope)
    ref = base.scope_sum(mask)
    tol = IDENTICAL_RTOL * float(base.baseline[mask].sum())
    return [e for e, pr in run.pathways.items() if e != "baseline" and pr.output.shape == base.output.shape
            and float(np.abs(pr.scope_sum(mask) - ref).max(initial=0.0)) <= tol]


def _cost_basis(run: ScenarioRun, entry: str, cost: float) -> str:
    pw = run.loaded.scenario.pathways
    if entry == "baseline":
        return "—"
    if cost > 0:
        given = [pw.cost_basis.get(p) for p in entry.split("+") if pw.cost_basis.get(p)]
        return "; ".join(given) if given else "user input (no basis given)"
    theta = {p: pw.intensities.get(p, pw.intensity) for p in entry.split("+")}
    thetas = ", ".join(f"{v:g}" for v in dict.fromkeys(theta.values()))
    return f"no cost model: compared at equal effort θ = {thetas}"


def summary_table(run: ScenarioRun, *, per_rep: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per pathway x scope with the columns of :data:`SUMMARY_COLUMNS`.

    Money is in the table's currency (``IOTable.money``: yuan for the shipped tables), in
    columns named after it (:func:`summary_columns`: ``loss_cny``, ``loss_mean_cny``,
    ``loss_diff_cny``; ``loss_usd`` … for a table in USD); ``loss_days`` is the loss in days of
    the scope's baseline output; the other metrics are medians over replications
    (``loss_mean_<currency>``: the mean, whose paired difference is ``loss_diff_<currency>``).
    ``loss_diff_*`` and ``ttr_diff_*`` are paired differences with ``baseline`` (negative = the
    pathway loses less / recovers sooner) with their 90 % bootstrap intervals; ``rank``,
    ``effect`` and ``p_best`` as in :func:`chainsim.experiment.paired.compare_pathways`. Costs are
    in billion CNY as the scenario states them: with a cost, ``days_saved_per_bn_cny`` is the
    paired TTR saving per billion CNY and, for a table in CNY, ``benefit_cost_ratio`` the loss
    avoided per yuan spent (NaN for a table in another currency: chainsim converts none).
    ``levers_changed`` lists the levers that measurably change output (from the attribution
    runs when there are any), ``attribution`` their Shapley shares (billions of the table's
    currency).
    """
    loaded = run.loaded
    table, sc = loaded.table, loaded.scenario
    per_rep = replication_table(run) if per_rep is None else per_rep
    identical = {(e, s): True for s in sc.metrics.scope for e in identical_to_baseline(run, s)}
    base_pr = run.pathways["baseline"]
    money = table.money
    loss_col, mean_col, diff_col = (money_column(s, money) for s in ("loss", "loss_mean", "loss_diff"))
    floor, tie = {}, {}
    for scope in sc.metrics.scope:
        daily = money.amount(float(base_pr.baseline[scope_mask(table, scope)].sum()))
        floor[scope] = sc.metrics.min_loss_days * daily
        tie[scope] = IDENTICAL_RTOL * daily * sc.horizon_days
    cmp = compare_pathways(per_rep, identical, seed=sc.seed, loss_floor=floor, tie=tie, money=money)
    cmp = cmp.set_index(["pathway", "scope"])
    att = run.attribution
    rows = []
    for (entry, scope), g in per_rep.groupby(["pathway", "scope"], sort=False):
        pr = run.pathways[entry]
        loss = summarize_replications(g[loss_col].to_numpy(float))
        c = cmp.loc[(entry, scope)]
        cost = float(pr.plan.cost)
        rows.append({
            "pathway": entry, "scope": scope, **c.to_dict(), **summarize_ttr(g),
            "depth": _median(list(g.depth)), "trough_day": _median(list(g.trough_day.astype(float))),
            loss_col: loss["median"], mean_col: loss["mean"], "loss_days": _median(list(g.loss_days)),
            "amplification": _median([np.nan if v is None else v for v in g.amplification]),
            "triangle_area": _median(list(g.triangle_area)), "level_at_horizon": _median(list(g.level_at_horizon)),
            "tts_days": _median([np.nan if v is None else v for v in g.tts_days]),
            "replications": len(g), "cost_bn_cny": cost, "cost_basis": _cost_basis(run, entry, cost),
            "benefit_cost_ratio": -c[diff_col] / (cost * 1e9) if cost > 0 and money.currency == "CNY" else np.nan,
            "days_saved_per_bn_cny": -c.ttr_diff_days / cost if cost > 0 else np.nan,
            "levers_changed": _levers_changed(run, entry, scope, identical.get((entry, scope), False)),
            "attribution": "" if att is None else att.describe(entry, scope),
        })
    return pd.DataFrame(rows)[summary_columns(money)]


def _levers_changed(run: ScenarioRun, entry: str, scope: str, identical: bool) -> str:
    if entry == "baseline":
        return "—"
    if identical:
        return "none (identical to baseline)"
    att = run.attribution
    if att is not None and entry in att.entries:
        return ",".join(att.acting(entry, scope)) or "none alone (interactions only)"
    return ",".join(run.pathways[entry].plan.changed) or "none"


def ranking_table(summary: pd.DataFrame, scope: str) -> pd.DataFrame:
    """Pathways of one scope ordered by ``rank`` (unranked last), then by paired loss difference.

    Parameters
    ----------
    summary : DataFrame
        From :func:`summary_table`.
    scope : str
        One of the scenario's scopes.
    """
    df = summary[summary.scope == scope].copy()
    df = df.sort_values(["rank", find_money_column(df.columns, "loss_diff")], kind="stable", na_position="last")
    return df[["rank", *[c for c in df.columns if c != "rank"]]].reset_index(drop=True)


def loss_drivers(run: ScenarioRun, pathway: str = "baseline", *, top: int = 5,
                 scope: str | None = None) -> list[dict[str, Any]]:
    """The region-sectors that carry most of a pathway's output loss (median over replications).

    Parameters
    ----------
    scope : str, optional
        Only the industries of this scope (``northeast``, a region, ...; ``chainsim.data.scopes``),
        their shares of the scope's loss; default every industry of the table.

    Returns
    -------
    list of dict
        ``region``, ``sector``, ``loss`` (table currency, see ``IOTable.money``) and ``share``
        of the total loss of every region-sector (of the scope) that lost output, largest first.
    """
    pr = run.pathways[pathway] if pathway in run.pathways else next(iter(run.pathways.values()))
    table = run.loaded.table
    loss = np.median((pr.baseline[None, None, :] - pr.output).sum(axis=1), axis=0) * table.money.per_unit
    if scope is not None:
        loss = np.where(scope_mask(table, scope), loss, 0.0)
    total = float(loss[loss > 0].sum())
    order = np.argsort(-loss)[:top]
    return [{"region": table.region_codes[table.region_of[k]], "sector": table.sector_codes[table.sector_of[k]],
             "loss": float(loss[k]), "share": float(loss[k] / total) if total > 0 else float("nan")}
            for k in order if loss[k] > 0]


def scope_trajectories(run: ScenarioRun, scope: str, *, relative: bool = True) -> pd.DataFrame:
    """Daily output of a scope per pathway and replication.

    Returns
    -------
    DataFrame
        Index ``day``; columns MultiIndex ``(pathway, replication)``; output relative to the
        scope's no-shock baseline (``relative=True``, 1.0 = baseline) or in table units per day.
    """
    mask = scope_mask(run.loaded.table, scope)
    frames = {}
    for entry, pr in run.pathways.items():
        y = pr.scope_sum(mask)  # (replications, days)
        if relative:
            y = y / pr.baseline[mask].sum()
        frames[entry] = pd.DataFrame(y.T, index=pd.RangeIndex(y.shape[1], name="day"))
    out = pd.concat(frames, axis=1, names=["pathway", "replication"])
    return out
