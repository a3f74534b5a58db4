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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from chainsim.data.units import MoneyUnit, find_money_column, money_column
from chainsim.errors import ChainsimError
from chainsim.report.caveats import caveats, no_attribution
from chainsim.report.describe import Names, describe
from chainsim.report.glossary import lever_glossary, origin_words, place_names
from chainsim.report.numbers import billions as _bn
from chainsim.report.numbers import formatted as _fmt
from chainsim.report.numbers import number as _num
from chainsim.report.numbers import signed_days as _signed_days
from chainsim.scenario.calendar import parse_date

__all__ = ["EFFECT_ZH", "FIGURES", "PAIRED_STEMS", "ReportError", "report_context"]

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


def _money_of(meta: Mapping[str, Any], summary: pd.DataFrame) -> MoneyUnit:
    m = meta.get("money")
    if m:
        return MoneyUnit(m.get("currency"), float(m.get("per_unit", 1.0)), str(m.get("unit", "")))
    try:
        code = find_money_column(summary.columns, "loss").removeprefix("loss_")
    except ValueError:
        code = "units"
    return MoneyUnit(None if code == "units" else code.upper(), 1.0, code)


def _col(df: pd.DataFrame, money: MoneyUnit, stem: str) -> str | None:
    """The money column ``stem`` of ``df``: named after ``money``, else found by its suffix; None if absent."""
    name = money_column(stem, money)
    if name in df.columns:
        return name
    try:
        return find_money_column(df.columns, stem)
    except ValueError:
        return None


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
    tables = [{"scope": s, "scope_en": names.scope_of(s).removeprefix(f"{s} "), "scope_zh": names.scope_of(s, "zh"),
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
        "no_attribution": no_attribution(meta, body),
        "lever_glossary": lever_glossary(levers),
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
        "caveats": caveats(meta, summary, names, money),
    }
