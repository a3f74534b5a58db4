"""``chainsim run SCENARIO``, ``chainsim validate SCENARIO`` and ``chainsim report RUN_DIR``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["format_ranking", "register"]

STDIN = "-"


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser] | None = None) -> None:
    """Add the ``run``, ``validate`` and ``report`` commands."""
    parents = parents or []
    p = sub.add_parser("run", parents=parents,
                       help="run a scenario file: every pathway x replication, ranked by time to recover")
    p.add_argument("scenario", help="scenario YAML file (see scenarios/ and docs/scenarios.md), or - for stdin")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default: runs/<scenario file name>; runs/stdin for -)")
    p.add_argument("--workers", type=int, default=1,
                   help="processes running pathways in parallel (default 1; results do not depend on it)")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.add_argument("--no-trajectories", action="store_true", help="skip trajectories.parquet")
    p.add_argument("--no-report", action="store_true", help="skip report.html")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--replications", type=int, default=None, help="override the scenario's replications")
    p.set_defaults(func=_run)
    q = sub.add_parser("validate", parents=parents, help="check a scenario file without running it")
    q.add_argument("scenario", help="scenario YAML file, or - for stdin")
    q.set_defaults(func=_validate)
    r = sub.add_parser("report", parents=parents,
                       help="write report.html for an existing run folder (summary.csv, run.json, figures)")
    r.add_argument("run_dir", type=Path, help="a folder written by 'chainsim run'")
    r.add_argument("--out", type=Path, default=None, help="report file (default: RUN_DIR/report.html)")
    r.set_defaults(func=_report)


def _fmt(v: object, spec: str) -> str:
    return "—" if v is None or (isinstance(v, float) and pd.isna(v)) else format(v, spec)


def format_ranking(summary: pd.DataFrame, scope: str) -> str:
    """The pathway table of one scope, ranked by median TTR (not recovered last), as text.

    Money is shown in billions of the table's currency (the summary's ``loss_<currency>``
    column: ``loss_cny`` for the shipped tables).
    """
    from chainsim.experiment.summary import loss_column, ranking_table
    from chainsim.pathways.registry import PATHWAYS

    df = ranking_table(summary, scope)
    loss_col = loss_column(df)
    currency = loss_col.removeprefix("loss_").upper() if loss_col != "loss_units" else "table units"
    has_cost = bool((df.cost_bn_cny > 0).any())
    lines = []
    for _, r in df.iterrows():
        zh = "+".join(PATHWAYS[p].name_zh for p in str(r.pathway).split("+") if p in PATHWAYS)
        ttr = "not recovered" if pd.isna(r.ttr_days) else f"{r.ttr_days:.0f}"
        row = {
            "rank": r["rank"], "pathway": f"{r.pathway} {zh}", "TTR days": ttr,
            "TTR p10–p90": f"{_fmt(r.ttr_p10, '.0f')}–{_fmt(r.ttr_p90, '.0f')}",
            "recovered": f"{r.recovered_share:.0%}", "depth": _fmt(r.depth, ".2%"),
            f"loss bn {currency}": _fmt(r[loss_col] / 1e9 if r[loss_col] is not None else None, ",.2f"),
            "loss days": _fmt(r.loss_days, ".2f"),
        }
        if has_cost:
            row["days saved / bn CNY"] = _fmt(r.days_saved_per_bn_cny, ".2f")
        lines.append(row)
    return pd.DataFrame(lines).to_string(index=False)


def _load(args: argparse.Namespace, overrides: dict[str, Any] | None = None) -> Any:
    """The scenario named on the command line, from a file or (``-``) from standard input."""
    from chainsim.scenario.load import load_scenario, read_scenario_text

    if args.scenario == STDIN:
        return read_scenario_text(sys.stdin.read(), name="<stdin>", overrides=overrides)
    return load_scenario(Path(args.scenario), overrides=overrides)


def _say(args: argparse.Namespace, message: str) -> None:
    if not getattr(args, "quiet", False):
        print(message, file=sys.stderr, flush=True)


def _run(args: argparse.Namespace) -> int:
    from chainsim.cli.progress import make_bar, show_progress
    from chainsim.errors import ScenarioError
    from chainsim.experiment.outputs import write_outputs
    from chainsim.experiment.run import run_scenario
    from chainsim.experiment.summary import summary_table

    if args.replications is not None and args.replications < 1:
        raise ScenarioError(f"--replications: expected a positive integer; found {args.replications}")
    if args.workers < 1:
        raise ScenarioError(f"--workers: expected a positive integer; found {args.workers}")
    overrides = {} if args.replications is None else {"replications": args.replications}
    loaded = _load(args, overrides)
    sc = loaded.scenario
    n = len(list(dict.fromkeys(sc.pathways.compare)))
    _say(args, f"{sc.name}: {n} pathway(s) x {sc.replications} replication(s), {sc.horizon_days} days, "
               f"table {loaded.table.name}, {args.workers} worker(s)")
    bar = make_bar(n * sc.horizon_days, desc="run", unit="pathway-days", enabled=show_progress(args))
    try:
        run = run_scenario(loaded, workers=args.workers, day_progress=bar.update)
    finally:
        bar.close()
    summary = summary_table(run)
    stem = "stdin" if args.scenario == STDIN else Path(args.scenario).stem
    out = args.out or Path("runs") / stem
    paths = write_outputs(run, summary, out, figures=not args.no_figures, trajectories=not args.no_trajectories)
    if not args.no_report:
        from chainsim.report import write_report

        paths["report"] = write_report(out)
    for scope in sc.metrics.scope:
        print(f"\n== {scope} (ε = {sc.metrics.recovery_tolerance:g}) ==")
        print(format_ranking(summary, scope))
    inert = run.inert_pathways()
    for entry in inert:
        pr = run.pathways[entry]
        why = "; ".join(pr.plan.notes) or f"its levers ({', '.join(pr.plan.levers)}) do not act on these disruptions"
        print(f"\nnote: pathway '{entry}' changes nothing in this scenario: its trajectories equal the "
              f"baseline's in every replication ({why})")
    print(f"\nwrote {', '.join(p.name for p in paths.values())} to {out}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    loaded = _load(args)
    sc = loaded.scenario
    print(f"{args.scenario}: OK — '{sc.name}', table {loaded.table.name}, {len(loaded.disruptions)} disruption(s), "
          f"pathways {sc.pathways.compare}, {sc.replications} replication(s) x {sc.horizon_days} days "
          f"(sha256 {loaded.sha256[:12]})")
    return 0


def _report(args: argparse.Namespace) -> int:
    from chainsim.report import write_report

    path = write_report(args.run_dir, args.out)
    print(f"wrote {path}")
    return 0
