"""Per pathway x scope summaries of a :class:`~chainsim.experiment.run.ScenarioRun`.

For each pathway, scope and replication the metrics of :func:`chainsim.metrics.summarize`
are computed against the no-shock baseline (onset = the replication's first sampled
disruption start); replications are then summarised honestly: the TTR median and its
10–90 % interval treat a censored ("not recovered") run as +∞, so a median is reported as
not recovered when most runs never recover.

The amplification ratio is total output loss / direct shock, where the direct shock is
the value of what the disruptions take away before any propagation (lost capacity x
baseline output, cut imports or link flows, lost throughput, cut final demand), summed
over the replication's sampled sizes and durations (each disruption type's
:meth:`~chainsim.disruptions.Disruption.direct_shock`; an unknown type is an error, never 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainsim.data.scopes import scope_mask
from chainsim.disruptions import direct_shock
from chainsim.experiment.run import ScenarioRun
from chainsim.metrics import summarize, summarize_recovery_times, summarize_replications

__all__ = ["SUMMARY_COLUMNS", "ranking_table", "scope_trajectories", "summary_table"]

SUMMARY_COLUMNS = ["pathway", "scope", "ttr_days", "ttr_p10", "ttr_p90", "recovered_share", "depth", "trough_day",
                   "loss_cny", "loss_days", "amplification", "triangle_area", "level_at_horizon", "tts_days",
                   "replications", "cost_bn_cny", "days_saved_per_bn_cny", "levers_changed"]


def _median(values: list[float]) -> float | None:
    vals = [v for v in values if v is not None and np.isfinite(v)]
    return float(np.median(vals)) if vals else None


def summary_table(run: ScenarioRun) -> pd.DataFrame:
    """One row per pathway x scope with the columns of :data:`SUMMARY_COLUMNS` (medians over replications).

    Money is in CNY; ``loss_days`` is the loss in days of the scope's baseline output;
    ``days_saved_per_bn_cny`` compares a pathway's median TTR with ``baseline``'s (when
    both recovered and the pathway has a cost).
    """
    loaded = run.loaded
    table, sc = loaded.table, loaded.scenario
    eps, hold, band = sc.metrics.recovery_tolerance, sc.metrics.hold_days, sc.metrics.recovery_band
    rows = []
    inert = set(run.inert_pathways())
    for entry, pr in run.pathways.items():
        R = pr.output.shape[0]
        direct = np.zeros(R)
        by_batch: dict[int, list[dict]] = {}
        for s in pr.samples:
            by_batch.setdefault(s["batch"], []).append(s)
        for b in range(R):
            for d, s in zip(pr.plan.disruptions, by_batch.get(b, []), strict=False):
                direct[b] += direct_shock(table, d, s)
        for scope in sc.metrics.scope:
            mask = scope_mask(table, scope)
            base = float(pr.baseline[mask].sum())
            per = []
            for b in range(R):
                y = pr.output[b][:, mask].sum(axis=1)
                onset = int(pr.onset[b]) if pr.onset[b] >= 0 else None
                per.append(summarize(y, base, onset=onset, epsilon=eps, hold=hold, band=band,
                                     cny_per_unit=table.cny_per_unit,
                                     direct_loss=direct[b] * table.cny_per_unit if direct[b] > 0 else None))
            ttr = summarize_recovery_times([p["ttr_days"] for p in per])
            loss = summarize_replications([p["loss_cny"] for p in per])
            rows.append({
                "pathway": entry, "scope": scope,
                "ttr_days": ttr.get("median"), "ttr_p10": ttr.get("p10"), "ttr_p90": ttr.get("p90"),
                "recovered_share": ttr.get("share_recovered"),
                "depth": _median([p["depth"] for p in per]),
                "trough_day": _median([(p["onset_day"] or 0) + p["time_to_trough_days"] for p in per
                                       if p["time_to_trough_days"] is not None]),
                "loss_cny": loss["median"], "loss_days": _median([p["loss_days_of_output"] for p in per]),
                "amplification": _median([p["amplification_ratio"] for p in per]),
                "triangle_area": _median([p["triangle_area_pct_days"] for p in per]),
                "level_at_horizon": _median([p["level_at_horizon"] for p in per]),
                "tts_days": _median([p["tts_observed_days"] for p in per]),
                "replications": R, "cost_bn_cny": pr.plan.cost,
                "levers_changed": ("none (identical to baseline)" if entry in inert
                                   else ",".join(pr.plan.changed) or ("—" if entry == "baseline" else "none")),
            })
    df = pd.DataFrame(rows)
    df["days_saved_per_bn_cny"] = np.nan
    if "baseline" in run.pathways:
        for scope in sc.metrics.scope:
            ref = df.loc[(df.pathway == "baseline") & (df.scope == scope), "ttr_days"]
            if ref.empty or ref.isna().all():
                continue
            sel = (df.scope == scope) & (df.cost_bn_cny > 0) & df.ttr_days.notna()
            df.loc[sel, "days_saved_per_bn_cny"] = (float(ref.iloc[0]) - df.loc[sel, "ttr_days"]) / df.loc[
                sel, "cost_bn_cny"]
    return df[SUMMARY_COLUMNS]


def ranking_table(summary: pd.DataFrame, scope: str) -> pd.DataFrame:
    """Pathways of one scope ranked by median TTR (not recovered last, ties by loss), with a ``rank`` column.

    Parameters
    ----------
    summary : DataFrame
        From :func:`summary_table`.
    scope : str
        One of the scenario's scopes.
    """
    df = summary[summary.scope == scope].copy()
    df["_key"] = df.ttr_days.astype(float).fillna(np.inf)
    df = df.sort_values(["_key", "loss_cny"], kind="stable").drop(columns="_key")
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df.reset_index(drop=True)


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
        y = pr.output[:, :, mask].sum(axis=2)  # (replications, days)
        if relative:
            y = y / pr.baseline[mask].sum()
        frames[entry] = pd.DataFrame(y.T, index=pd.RangeIndex(y.shape[1], name="day"))
    out = pd.concat(frames, axis=1, names=["pathway", "replication"])
    return out
