"""The report's caveats: what drives the result and what is assumed, read from a run folder's files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from chainsim.data.units import MoneyUnit
from chainsim.report.describe import Names
from chainsim.report.numbers import formatted, number

__all__ = ["caveats", "no_attribution"]


#: Words for the values a disruption draws per replication (``run.json``'s ``samples``); others show their key.
_SAMPLE_WORDS = {"start": "start day", "duration": "duration, days", "leontief_weight": "Leontief weight θ",
                 "area_quantile": "quantile of the area's share range", "catch_up_days": "catch-up days",
                 "deferral_share": "deferred share"}


def no_attribution(meta: Mapping[str, Any], body: Mapping[str, Any]) -> tuple[str, str]:
    """Why a run folder has no ``attribution.csv``, in English (HTML) and Chinese."""
    if len(meta.get("pathways") or []) < 2:
        return ("only the baseline pathway ran, so there is no pathway effect to split by lever.",
                "本次只运行了基准路径，没有可分解的路径效果。")
    method = ((body.get("pathways") or {}).get("attribution") or {}).get("method")
    if method == "off":
        return ("the scenario turns it off (<code>pathways.attribution.method: off</code>).",
                "情景设定关闭了杠杆归因。")
    return ("this run has no <code>attribution.csv</code> (the chainsim version that wrote it did not split pathway "
            "effects by lever).", "本次运行没有杠杆归因结果。")


def _samples_words(meta: Mapping[str, Any]) -> list[str] | None:
    """Range over replications of each value drawn per named disruption; ``None`` when the run recorded no samples.

    A value counts as drawn when the scenario gives a distribution for it or it differs between
    replications (the Leontief weight of a lockdown, an area drawn within its bounds); values the
    scenario fixes (a start day, a duration read off a profile) are left out.
    """
    samples = (meta.get("samples") or {}).get("baseline") or next(iter((meta.get("samples") or {}).values()), [])
    if not samples:
        return None
    body = {str(d.get("name")): d for d in (meta.get("scenario_body") or {}).get("disruptions") or []
            if isinstance(d, Mapping) and d.get("name")}
    by: dict[str, dict[str, list[float]]] = {}
    for s in samples:
        d = by.setdefault(str(s.get("name") or "disruption"), {})
        for k, v in s.items():
            if k != "batch" and not isinstance(v, bool) and number(v) is not None:
                d.setdefault(k, []).append(float(v))
    words = []
    for name, vals in by.items():
        spec = body.get(name, {})
        parts = [f"{_SAMPLE_WORDS.get(k, k)} {min(v):.3g}–{max(v):.3g}" if min(v) != max(v)
                 else f"{_SAMPLE_WORDS.get(k, k)} {min(v):.3g}" for k, v in vals.items()
                 if min(v) != max(v) or (isinstance(spec.get(k), Mapping) and "distribution" in spec[k])]
        if parts:
            words.append(f"{name}: " + ", ".join(parts))
    return words


def _censored_words(summary: pd.DataFrame, horizon: Any) -> str | None:
    """What the table shows for rows where some replications never recover (their TTR censored at the horizon)."""
    not_rec = summary[summary.recovered_share.astype(float) < 1.0]
    if not len(not_rec):
        return None
    shares = not_rec.recovered_share.astype(float)
    lo, hi = formatted(shares.min(), ".0%"), formatted(shares.max(), ".0%")  # as the table's 'recovered' column
    span = lo if lo == hi else f"{lo}–{hi}"
    status = not_rec.ttr_status if "ttr_status" in not_rec.columns else pd.Series("", index=not_rec.index)
    left = status != "did not leave the band"
    shown = (status == "not recovered") | (left & (not_rec.ttr_p10.isna() | not_rec.ttr_p90.isna()))
    within = f"the {horizon}-day horizon" if horizon is not None else "the horizon"
    return (f"{len(not_rec)} pathway x scope row(s) have replications that do not recover within {within} (the "
            f"'recovered' column shows the share that did: {span}). Such a replication's time to recover counts as "
            "later than the horizon: a TTR median or 10–90 % bound that falls on one reads 'not recovered' or 'n.r.'"
            + (f" (in {int(shown.sum())} of these rows)." if shown.any()
               else "; none does here, so every TTR shown is a number."))


def caveats(meta: Mapping[str, Any], summary: pd.DataFrame, names: Names, money: MoneyUnit) -> dict[str, list]:
    """``{"drives": [...], "assumed": [...]}``: the sentences of the report's caveats section."""
    drives, assumed = [], []
    where = meta.get("loss_drivers_scope")  # runs before it listed every industry's share of all the loss
    of = f"of the baseline pathway's loss in {names.scope_of(where)}" if where \
        else "of the baseline pathway's loss (all regions)"
    for d in meta.get("loss_drivers") or []:
        sec = names.sectors.get(d["sector"], {})
        drives.append(f"{d['region']} {d['sector']} {sec.get('zh', '')} {sec.get('en', '')}: "
                      f"{money.format(d['loss'])} ({100 * d['share']:.0f} % {of})")
    samp = _samples_words(meta)
    if samp:
        drives.append("Shock values drawn across replications (the spread of the intervals comes from these): "
                      + "; ".join(samp))
    elif samp is not None:
        drives.append("No shock value is drawn from a distribution in this scenario: every replication sees the "
                      "same shocks.")
    for entry, notes in (meta.get("pathway_notes") or {}).items():
        if notes:
            drives.append(f"{entry}: " + "; ".join(notes))
    censored = _censored_words(summary, meta.get("horizon_days"))
    if censored:
        drives.append(censored)
    if "ttr_status" in summary.columns:
        stayed = summary[summary.ttr_status == "did not leave the band"]
        if len(stayed):
            drives.append(f"{len(stayed)} pathway x scope row(s) never left the recovered band: they have no time to "
                          "recover (shown as 'did not leave the band'), which is not a TTR of 0.")
    if "effect" in summary.columns:
        for scope in dict.fromkeys(summary.scope):
            if summary.loc[summary.scope == scope, "effect"].eq("no measurable effect").all():
                drives.append(f"{scope}: the shock costs less than the scenario's min_loss_days of output, so the "
                              "pathways are not ranked there ('no measurable effect', empty rank).")
        inert = summary.loc[(summary.effect == "no effect") & (summary.pathway != "baseline"), "pathway"].unique()
        if len(inert):
            drives.append(f"Changes nothing in this scenario (trajectories equal the baseline's in every replication; "
                          f"ranked with the baseline, never below it): {', '.join(map(str, inert))}.")
    if "cost_basis" in summary.columns:
        bases = {str(b) for b in summary.cost_basis.dropna() if str(b) not in ("—", "")}
        drives.extend(f"Cost footing: {b}." for b in sorted(bases))
    for entry, note in (meta.get("attribution_notes") or {}).items():
        drives.append(f"Attribution of {entry}: {note}.")
    comp = meta.get("comparison") or {}
    params = meta.get("scenario_body", {}).get("params") or {}
    base = params.get("base", "the default chainsim model") if isinstance(params, Mapping) else "default"
    assumed += [
        f"Model: {base} (docs/model.md); parameter overrides in the scenario: "
        f"{ {k: v for k, v in params.items() if k != 'base'} or 'none'}.",
        f"Data: {meta.get('dataset')} (checksum below); money in {money.name}"
        + (f", one table unit = {money.per_unit:g} {money.currency}" if money.currency else "")
        + ". Imports are split across users in proportion to their use (the standard proportionality assumption).",
        "Shock sizes, durations and start days are the scenario's assumptions (see the scenario file's comments), "
        "drawn from the stated distributions with the seeds below.",
        "Pathway levers take their full values from published evidence with ranges (docs/pathways.md), scaled by "
        "the intensity θ; "
        + ("each replication draws every lever's full value from its range, the same draw in every pathway"
           if meta.get("levers_mode") == "drawn" else "levers are fixed at their central values")
        + "; a user who disagrees can override any lever in the scenario.",
        f"TTR intervals are the 10–90 % spread over {meta.get('replications')} replications with shared random "
        "draws, not confidence intervals of the median."
        + (f" Paired differences with the baseline carry {100 * comp['confidence']:g} % percentile-bootstrap "
           f"intervals of the mean difference ({comp.get('n_resamples')} resamples, seeded); ranks are on the "
           "paired loss difference, and pathways whose intervals contain zero share a rank."
           if comp.get("confidence") else ""),
    ]
    return {"drives": drives, "assumed": assumed}
