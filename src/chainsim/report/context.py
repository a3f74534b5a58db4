"""Read a run folder into the data the report template shows (no computation beyond formatting).

A run folder is what ``chainsim run`` writes: ``summary.csv``, ``run.json``, the PNG figures,
and, from chainsim versions that compute them, the paired pathway comparison columns of
``summary.csv`` (``rank``, ``effect``, ``loss_diff_<currency>``, ``loss_diff_lo``,
``loss_diff_hi``, ``ttr_diff_*``, ``p_best``, ``ttr_status``; :mod:`chainsim.experiment.paired`)
and ``attribution.csv`` (``pathway, scope, lever, evidence_class, value,
alone_loss_diff_<currency>, shapley_loss_diff_<currency>, acts, method, replications``;
:mod:`chainsim.experiment.attribution`). Money columns are found by their currency suffix
(:func:`chainsim.data.units.find_money_column`). What is absent is reported as absent, never
invented.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from chainsim.data.units import MoneyUnit, find_money_column, money_column
from chainsim.errors import ChainsimError
from chainsim.report.describe import Names, describe
from chainsim.scenario.calendar import parse_date

__all__ = ["EFFECT_ZH", "FIGURES", "PAIRED_STEMS", "ReportError", "origin_words", "place_names", "report_context"]

#: Figures a run writes, in report order: file name -> (English caption, Chinese caption).
FIGURES: Mapping[str, tuple[str, str]] = {
    "recovery_curves.png": ("Output of the first scope by pathway (median of replications); the shaded span is the "
                            "shock window, the grey band the recovered band.",
                            "各政策路径下首个范围的产出（重复模拟中位数）；阴影为冲击期，灰带为恢复区间。"),
    "recovery_panels.png": ("Each pathway on its own, with the 10–90 % band of replications and the baseline "
                            "pathway's median for reference.",
                            "分路径小图：10–90% 区间与基准路径中位数对照。"),
    "loss_heatmap.png": ("Where the loss falls: cumulative output loss by sector and region (baseline pathway, "
                         "% of a year's output).",
                         "损失分布：按行业与地区的累计产出损失（基准路径，占全年产出%）。"),
    "attribution.png": ("Lever attribution: how much of each pathway's effect each of its levers carries.",
                        "杠杆归因：各杠杆对路径效果的贡献。"),
}
#: summary.csv columns of the paired pathway comparison (shown when present); ``loss_diff`` is a
#: money column (``loss_diff_cny`` for the shipped tables), the others are named as they are.
PAIRED_STEMS = ("rank", "effect", "loss_diff", "loss_diff_lo", "loss_diff_hi")
#: Chinese for the ``effect`` values of :mod:`chainsim.experiment.paired`
EFFECT_ZH = {"better": "更好", "worse": "更差", "not significant": "不显著", "no effect": "无作用",
             "no measurable effect": "冲击影响不可测"}
#: Chinese for the ``ttr_status`` values of :mod:`chainsim.experiment.pathway_tables`
_STATUS = {"did not leave the band": "did not leave the band 未离开恢复区间", "not recovered": "not recovered 未恢复"}


class ReportError(ChainsimError):
    """A run folder cannot be turned into a report (missing or unreadable files)."""


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _fmt(v: Any, spec: str, none: str = "—") -> str:
    f = _num(v)
    return none if f is None else format(f, spec)


def _money_of(meta: Mapping[str, Any], summary: pd.DataFrame) -> MoneyUnit:
    m = meta.get("money")
    if m:
        return MoneyUnit(m.get("currency"), float(m.get("per_unit", 1.0)), str(m.get("unit", "")))
    try:
        code = find_money_column(summary.columns, "loss").removeprefix("loss_")
    except ValueError:
        code = "units"
    return MoneyUnit(None if code == "units" else code.upper(), 1.0, code)


def _signed_days(v: Any) -> str:
    """``+3.0``, ``-0.6``, ``0.0`` (never ``-0.0``) for a difference in days: one decimal, as ``summary.csv``.

    Whole days hid intervals that exclude zero (-0.8 … -0.4 read as -1 … 0).
    """
    f = _num(v)
    return "—" if f is None else "0.0" if round(f, 1) == 0 else f"{f:+.1f}"


def _bn(v: Any, spec: str = ",.2f") -> str:
    """Billions; a signed spec shows an amount that rounds to zero as ``0.00``, never ``-0.00``."""
    f = _num(v)
    if f is None:
        return "—"
    text = format(f / 1e9, spec)
    return format(0.0, spec.lstrip("+")) if spec.startswith("+") and float(text.replace(",", "")) == 0 else text


def _col(df: pd.DataFrame, money: MoneyUnit, stem: str) -> str | None:
    """The money column ``stem`` of ``df``: named after ``money``, else found by its suffix; None if absent."""
    name = money_column(stem, money)
    if name in df.columns:
        return name
    try:
        return find_money_column(df.columns, stem)
    except ValueError:
        return None


def place_names() -> dict[str, dict[str, str]]:
    """Words for the sub-region ids an ``area`` may name (``hubei``, ``changchun``).

    Every province by its pinyin and its capital by its name, from the shipped
    ``data/raw/geo/province_capitals.csv`` and NBS names (:func:`chainsim.data.provinces.load_provinces`).
    """
    from chainsim.data.provinces import load_provinces

    out: dict[str, dict[str, str]] = {}
    for p in load_provinces():
        out[p.pinyin] = {"en": p.name_en, "zh": p.name_zh}
        out.setdefault(p.capital_en.lower(), {"en": p.capital_en, "zh": p.capital_zh})
    return out


def origin_words() -> dict[str, dict[str, str]]:
    """English and Chinese names of the named import origins.

    The dataset's ``origin_names`` (:func:`chainsim.data.origins.origin_names`,
    ``data/raw/origins/countries.csv``), which the scan shows too.
    """
    from chainsim.data.origins import DOMESTIC_POOL, DOMESTIC_POOL_NAMES, origin_names

    out = {k: {"en": en, "zh": zh} for k, (en, zh) in origin_names().items()}
    out[DOMESTIC_POOL] = {"en": DOMESTIC_POOL_NAMES[0], "zh": DOMESTIC_POOL_NAMES[1]}
    return out


def _lever_glossary(levers: Mapping[str, Mapping[str, Any]]) -> list[dict[str, str]]:
    """What each lever the run set means: its description, unit and pathway section (:data:`LEVERS`)."""
    from chainsim.pathways.registry import LEVERS

    used = sorted({k for lv in levers.values() for k in (lv or {})})
    return [{"lever": k, "words": f"{LEVERS[k].description.rstrip('.')}. Unit: {LEVERS[k].unit}; pathway section "
                                  f"{LEVERS[k].section}."} for k in used if k in LEVERS]


def _pathway_names() -> dict[str, str]:
    from chainsim.pathways.registry import PATHWAYS

    return {k: p.name_zh for k, p in PATHWAYS.items()}


def _zh(entry: str, names: Mapping[str, str]) -> str:
    return "+".join(names.get(p, "") for p in entry.split("+"))


def _ttr_text(r: pd.Series) -> str:
    status = r.get("ttr_status")
    if isinstance(status, str) and status in _STATUS:
        return _STATUS[status]
    ttr = _num(r.ttr_days)
    return _STATUS["not recovered"] if ttr is None else f"{ttr:.0f}"


def _left_text(r: pd.Series) -> str:
    """``"60 % left the band"`` when the TTR is over some of the replications only."""
    left = _num(r.get("left_band_share"))
    return f"{left:.0%} left the band 离开区间" if left is not None and 0 < left < 1 else ""


def _pathway_rows(df: pd.DataFrame, money: MoneyUnit, zh: Mapping[str, str]) -> list[dict[str, Any]]:
    loss_col = _col(df, money, "loss")
    mean_col = _col(df, money, "loss_mean")
    diff_col = _col(df, money, "loss_diff")
    rows = []
    for _, r in df.iterrows():
        rank = _num(r.get("rank"))
        row = {
            "rank": "" if rank is None else int(rank), "pathway": r.pathway, "pathway_zh": _zh(str(r.pathway), zh),
            "ttr": _ttr_text(r), "left": _left_text(r),
            "ttr_interval": "" if r.get("ttr_status") == "did not leave the band"
            else f"{_fmt(r.ttr_p10, '.0f', 'n.r.')}–{_fmt(r.ttr_p90, '.0f', 'n.r.')}",
            "recovered": _fmt(r.recovered_share, ".0%"), "depth": _fmt(r.depth, ".2%"),
            "loss": _bn(r[mean_col] if mean_col else r[loss_col] if loss_col else None),
            "loss_days": _fmt(r.loss_days, ".2f"),
            "levers": str(r.get("levers_changed", "")).replace(",", ", "),
            "attribution": "" if pd.isna(r.get("attribution", "")) else str(r.get("attribution", "")),
        }
        if diff_col is not None:
            row["diff"] = _bn(r[diff_col], "+,.2f")
            lo, hi = _num(r.get("loss_diff_lo")), _num(r.get("loss_diff_hi"))
            row["diff_interval"] = "—" if lo is None or hi is None or lo == hi \
                else f"{lo / 1e9:+,.2f} … {hi / 1e9:+,.2f}"
        effect = r.get("effect")
        row["effect"] = "" if not isinstance(effect, str) else effect
        row["effect_zh"] = EFFECT_ZH.get(row["effect"], "")
        if "ttr_diff_days" in df.columns:
            lo, hi = _num(r.get("ttr_diff_lo")), _num(r.get("ttr_diff_hi"))
            row["ttr_diff"] = _signed_days(r.ttr_diff_days)
            row["ttr_diff_interval"] = "—" if lo is None or hi is None or lo == hi \
                else f"{_signed_days(lo)} … {_signed_days(hi)}"
        if "p_best" in df.columns:
            row["p_best"] = _fmt(r.p_best, ".0%")
        rows.append(row)
    return rows


def _ranked(summary: pd.DataFrame, scope: str, money: MoneyUnit) -> pd.DataFrame:
    """One scope's rows in rank order: by ``rank`` (empty ranks last), else (older runs) by median TTR."""
    df = summary[summary.scope == scope].copy()
    if "rank" in df.columns:
        diff_col = _col(df, money, "loss_diff")
        keys = ["rank", diff_col] if diff_col else ["rank"]
        return df.sort_values(keys, kind="stable", na_position="last")
    df["_key"] = df.ttr_days.astype(float).fillna(float("inf"))
    loss_col = _col(df, money, "loss")
    df = df.sort_values(["_key", *([loss_col] if loss_col else [])], kind="stable").drop(columns="_key")
    df.insert(0, "rank", range(1, len(df) + 1))
    return df


def _figures(run_dir: Path) -> list[dict[str, str]]:
    out = []
    for name, (en, zh) in FIGURES.items():
        path = run_dir / name
        if path.is_file():
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            out.append({"name": name, "src": f"data:image/png;base64,{data}", "caption_en": en, "caption_zh": zh})
    return out


def _attribution(run_dir: Path, money: MoneyUnit, zh: Mapping[str, str], scope: str | None,
                 meta: Mapping[str, Any]) -> dict[str, Any] | None:
    """``attribution.csv`` of the first scope: one row per pathway x lever, money in billions."""
    path = run_dir / "attribution.csv"
    if not path.is_file():
        return None
    df = _full_precision(meta, "attribution.csv",
                         pd.read_csv(path, dtype={"scope": str, "pathway": str, "lever": str, "evidence_class": str}))
    alone, shap = _col(df, money, "alone_loss_diff"), _col(df, money, "shapley_loss_diff")
    if alone is None or shap is None or not {"pathway", "scope", "lever"} <= set(df.columns):
        raise ReportError(f"{path}: expected the columns pathway, scope, lever, evidence_class, value, "
                          f"alone_loss_diff_<currency>, shapley_loss_diff_<currency>, acts, method, replications; "
                          f"found {list(df.columns)}")
    scopes = list(dict.fromkeys(df.scope))
    shown = scope if scope in scopes else (scopes[0] if scopes else None)
    rows = []
    for _, r in df[df.scope == shown].iterrows():
        acts = str(r.get("acts")).strip().lower() in ("true", "1")
        rows.append({
            "pathway": r.pathway, "pathway_zh": _zh(str(r.pathway), zh), "lever": r.lever,
            "total": r.lever == "(total)",
            "evidence_class": "" if pd.isna(r.get("evidence_class")) else str(r.get("evidence_class")),
            "value": _fmt(r.get("value"), ".4g", ""),
            "alone": _bn(r[alone], "+,.3f"), "shapley": _bn(r[shap], "+,.3f"),
            "acts": "yes 是" if acts else "no 否", "method": str(r.get("method", "")),
        })
    reps = sorted({int(v) for v in df.get("replications", pd.Series(dtype=float)).dropna()})
    return {"scope": shown, "other_scopes": [s for s in scopes if s != shown], "rows": rows,
            "replications": ", ".join(str(v) for v in reps) or "—"}


#: Words for the values a disruption draws per replication (``run.json``'s ``samples``); others show their key.
_SAMPLE_WORDS = {"start": "start day", "duration": "duration, days", "leontief_weight": "Leontief weight θ",
                 "area_quantile": "quantile of the area's share range", "catch_up_days": "catch-up days",
                 "deferral_share": "deferred share"}


def _no_attribution(meta: Mapping[str, Any], body: Mapping[str, Any]) -> tuple[str, str]:
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
            if k != "batch" and not isinstance(v, bool) and _num(v) is not None:
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
    lo, hi = _fmt(shares.min(), ".0%"), _fmt(shares.max(), ".0%")  # as the table's 'recovered' column
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


def _caveats(meta: Mapping[str, Any], summary: pd.DataFrame, names: Names, money: MoneyUnit) -> dict[str, list]:
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


def _full_precision(meta: Mapping[str, Any], name: str, table: pd.DataFrame) -> pd.DataFrame:
    """The table ``name`` as ``run.json`` keeps it at full precision, when it has the CSV's rows and columns.

    The CSVs round to 6 significant digits: formatting them again showed 217.46 where the CLI printed 217.45
    (217.4546). Runs from before ``full_precision`` (or a CSV edited since) keep the CSV's values.
    """
    rows = (meta.get("full_precision") or {}).get(name)
    if not rows:
        return table
    full = pd.DataFrame(rows)
    if list(full.columns) != list(table.columns) or len(full) != len(table):
        return table
    return full


def report_context(run_dir: str | Path) -> dict[str, Any]:
    """Everything the template needs, read from a run folder.

    Raises
    ------
    ReportError
        If ``summary.csv`` or ``run.json`` is missing or unreadable.
    """
    run_dir = Path(run_dir)
    try:
        summary = pd.read_csv(run_dir / "summary.csv", dtype={"scope": str, "pathway": str})
        meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ReportError(f"{run_dir}: expected a run folder written by 'chainsim run' "
                          f"(summary.csv and run.json); missing {Path(exc.filename).name}") from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise ReportError(f"{run_dir}: cannot read the run's files ({exc})") from None
    summary = _full_precision(meta, "summary.csv", summary)
    body = meta.get("scenario_body") or {}
    calendar = body.get("calendar") if isinstance(body.get("calendar"), Mapping) else {}
    names = Names(meta.get("sectors") or {}, meta.get("regions") or {}, origins=origin_words(), places=place_names(),
                  start=parse_date(calendar.get("start")))
    money = _money_of(meta, summary)
    zh = _pathway_names()
    scopes = list(dict.fromkeys(summary.scope))
    wanted = [money_column(c, money) if c == "loss_diff" else c for c in PAIRED_STEMS]
    paired_missing = [c for c in wanted if c not in summary.columns]
    paired = not paired_missing
    ttr_paired = "ttr_diff_days" in summary.columns
    p_best = "p_best" in summary.columns
    tables = [{"scope": s, "scope_en": names.scope_of(s), "scope_zh": names.scope_of(s, "zh"),
               "rows": _pathway_rows(_ranked(summary, s, money), money, zh)} for s in scopes]
    seeds = meta.get("replication_seeds") or []
    eps = (body.get("metrics") or {}).get("recovery_tolerance")
    levers = meta.get("levers") or {}
    return {
        "title": body.get("name") or meta.get("scenario") or run_dir.name,
        "description": (body.get("description") or "").strip(),
        "disruptions": [dict(zip(("en", "zh"), describe(d, names), strict=True)) for d in body.get("disruptions", [])],
        "horizon": meta.get("horizon_days"), "replications": meta.get("replications"),
        "intensity": (body.get("pathways") or {}).get("intensity"), "epsilon": eps,
        "money_label": money.label(), "money": money,
        "tables": tables, "paired": paired, "ttr_paired": ttr_paired, "p_best": p_best,
        "paired_missing": paired_missing, "loss_is_mean": _col(summary, money, "loss_mean") is not None,
        "attribution_text": "attribution" in summary.columns and summary.attribution.notna().any(),
        "figures": _figures(run_dir),
        "attribution": _attribution(run_dir, money, zh, scopes[0] if scopes else None, meta),
        "no_attribution": _no_attribution(meta, body),
        "lever_glossary": _lever_glossary(levers),
        "levers": [{"pathway": p, "pathway_zh": _zh(p, zh),
                    "settings": ", ".join(f"{k} = {v:g}" for k, v in lv.items())} for p, lv in levers.items() if lv],
        "provenance": [
            ("chainsim version", meta.get("chainsim_version")),
            ("scenario", meta.get("scenario")),
            ("scenario file", meta.get("scenario_file") or "—"),
            ("scenario SHA-256", meta.get("scenario_sha256")),
            ("dataset", meta.get("dataset")),
            ("dataset checksum", meta.get("dataset_checksum")),
            ("seed", meta.get("seed")),
            ("replication seeds", f"{len(seeds)} spawned from the seed (numpy SeedSequence.spawn), listed in run.json"),
            ("horizon", f"{meta.get('horizon_days')} days"),
        ],
        "caveats": _caveats(meta, summary, names, money),
    }
