"""Read a run folder into the data the report template shows (no computation beyond formatting).

A run folder is what ``chainsim run`` writes: ``summary.csv``, ``run.json``, the PNG figures,
and, from chainsim versions that compute them, the paired pathway comparison columns of
``summary.csv`` (``rank``, ``loss_diff_cny``, ``loss_diff_lo``, ``loss_diff_hi``, ``effect``)
and ``attribution.csv``. What is absent is reported as absent, never invented.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from chainsim.data.units import MoneyUnit
from chainsim.errors import ChainsimError
from chainsim.report.describe import Names, describe

__all__ = ["FIGURES", "PAIRED_COLUMNS", "ReportError", "report_context"]

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
#: summary.csv columns of the paired pathway comparison (shown when present).
PAIRED_COLUMNS = ("loss_diff_cny", "loss_diff_lo", "loss_diff_hi", "effect")


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
    code = next((c.removeprefix("loss_") for c in summary.columns
                 if c.startswith("loss_") and c != "loss_days" and c.count("_") == 1), "units")
    return MoneyUnit(None if code == "units" else code.upper(), 1.0, code)


def _pathway_names() -> dict[str, str]:
    from chainsim.pathways.registry import PATHWAYS

    return {k: p.name_zh for k, p in PATHWAYS.items()}


def _zh(entry: str, names: Mapping[str, str]) -> str:
    return "+".join(names.get(p, "") for p in entry.split("+"))


def _pathway_rows(df: pd.DataFrame, money: MoneyUnit, zh: Mapping[str, str]) -> list[dict[str, Any]]:
    loss_col = next(c for c in df.columns if c.startswith("loss_") and c != "loss_days" and c.count("_") == 1)
    rows = []
    for _, r in df.iterrows():
        ttr = _num(r.ttr_days)
        row = {
            "rank": int(r["rank"]), "pathway": r.pathway, "pathway_zh": _zh(str(r.pathway), zh),
            "ttr": "not recovered 未恢复" if ttr is None else f"{ttr:.0f}",
            "ttr_interval": f"{_fmt(r.ttr_p10, '.0f', 'n.r.')}–{_fmt(r.ttr_p90, '.0f', 'n.r.')}",
            "recovered": _fmt(r.recovered_share, ".0%"), "depth": _fmt(r.depth, ".2%"),
            "loss": _fmt(_num(r[loss_col]) / 1e9 if _num(r[loss_col]) is not None else None, ",.2f"),
            "loss_days": _fmt(r.loss_days, ".2f"),
            "levers": str(r.get("levers_changed", "")).replace(",", ", "),
        }
        if "loss_diff_cny" in df.columns:
            row["diff"] = _fmt(_num(r.loss_diff_cny) / 1e9 if _num(r.loss_diff_cny) is not None else None, "+,.2f")
            lo, hi = _num(r.get("loss_diff_lo")), _num(r.get("loss_diff_hi"))
            row["diff_interval"] = "—" if lo is None or hi is None else f"{lo / 1e9:+,.2f} … {hi / 1e9:+,.2f}"
            row["effect"] = "" if pd.isna(r.get("effect")) else str(r.get("effect"))
        if "ttr_diff_days" in df.columns:
            lo, hi = _num(r.get("ttr_diff_lo")), _num(r.get("ttr_diff_hi"))
            row["ttr_diff"] = _fmt(r.ttr_diff_days, "+.0f")
            row["ttr_diff_interval"] = "—" if lo is None or hi is None else f"{lo:+.0f} … {hi:+.0f}"
        if "p_best" in df.columns:
            row["p_best"] = _fmt(r.p_best, ".0%")
        rows.append(row)
    return rows


def _ranked(summary: pd.DataFrame, scope: str) -> pd.DataFrame:
    df = summary[summary.scope == scope].copy()
    if "rank" in df.columns and df["rank"].notna().all():
        return df.sort_values("rank", kind="stable")
    from chainsim.experiment.summary import ranking_table

    return ranking_table(summary, scope)


def _figures(run_dir: Path) -> list[dict[str, str]]:
    out = []
    for name, (en, zh) in FIGURES.items():
        path = run_dir / name
        if path.is_file():
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            out.append({"name": name, "src": f"data:image/png;base64,{data}", "caption_en": en, "caption_zh": zh})
    return out


def _attribution(run_dir: Path) -> dict[str, Any] | None:
    path = run_dir / "attribution.csv"
    if not path.is_file():
        return None
    df = pd.read_csv(path)
    cells = [[v if isinstance(v, str) else _fmt(v, ".4g") for v in row] for row in df.itertuples(index=False)]
    return {"columns": list(df.columns), "rows": cells}


def _samples_words(meta: Mapping[str, Any]) -> list[str]:
    """Range of the sampled start, duration and share per named disruption, over replications."""
    by: dict[str, dict[str, list[float]]] = {}
    samples = (meta.get("samples") or {}).get("baseline") or next(iter((meta.get("samples") or {}).values()), [])
    for s in samples:
        d = by.setdefault(str(s.get("name") or "disruption"), {})
        for k in ("start", "duration", "share"):
            if _num(s.get(k)) is not None:
                d.setdefault(k, []).append(float(s[k]))
    words = []
    for name, vals in by.items():
        parts = [f"{k} {min(v):.3g}–{max(v):.3g}" if min(v) != max(v) else f"{k} {min(v):.3g}" for k, v in vals.items()]
        words.append(f"{name}: " + ", ".join(parts))
    return words


def _caveats(meta: Mapping[str, Any], summary: pd.DataFrame, names: Names, money: MoneyUnit) -> dict[str, list]:
    drives, assumed = [], []
    for d in meta.get("loss_drivers") or []:
        sec = names.sectors.get(d["sector"], {})
        drives.append(f"{d['region']} {d['sector']} {sec.get('zh', '')} {sec.get('en', '')}: "
                      f"{money.format(d['loss'])} ({100 * d['share']:.0f} % of the baseline pathway's loss)")
    samp = _samples_words(meta)
    if samp:
        drives.append("Sampled shock sizes across replications (the spread of the intervals comes from these): "
                      + "; ".join(samp))
    for entry, notes in (meta.get("pathway_notes") or {}).items():
        if notes:
            drives.append(f"{entry}: " + "; ".join(notes))
    not_rec = summary[summary.recovered_share.astype(float) < 1.0]
    if len(not_rec):
        drives.append(f"{len(not_rec)} pathway x scope row(s) have replications that never recover within the "
                      f"horizon: their TTR is censored (shown as not recovered), not a number.")
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
        "Pathway levers are modelling assumptions taken from the policy paper's wording, scaled by the intensity "
        "θ (docs/pathways.md); a user who disagrees can override any lever in the scenario.",
        f"Intervals are the 10–90 % spread over {meta.get('replications')} replications with shared random draws, "
        "not confidence intervals of the median.",
    ]
    return {"drives": drives, "assumed": assumed}


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
    body = meta.get("scenario_body") or {}
    names = Names(meta.get("sectors") or {}, meta.get("regions") or {})
    money = _money_of(meta, summary)
    zh = _pathway_names()
    scopes = list(dict.fromkeys(summary.scope))
    paired = all(c in summary.columns for c in PAIRED_COLUMNS)
    ttr_paired = "ttr_diff_days" in summary.columns
    p_best = "p_best" in summary.columns
    tables = [{"scope": s, "rows": _pathway_rows(_ranked(summary, s), money, zh)} for s in scopes]
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
        "paired_missing": [c for c in PAIRED_COLUMNS if c not in summary.columns],
        "figures": _figures(run_dir),
        "attribution": _attribution(run_dir),
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
