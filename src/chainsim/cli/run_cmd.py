"""``chainsim run SCENARIO`` and ``chainsim validate SCENARIO``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

__all__ = ["format_ranking", "register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``run`` and ``validate`` commands."""
    p = sub.add_parser("run", help="run a scenario file: every pathway x replication, ranked by time to recover")
    p.add_argument("scenario", type=Path, help="scenario YAML file (see scenarios/ and docs/scenarios.md)")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: runs/<scenario file name>)")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.add_argument("--no-trajectories", action="store_true", help="skip trajectories.parquet")
    p.add_argument("--replications", type=int, default=None, help="override the scenario's replications")
    p.set_defaults(func=_run)
    q = sub.add_parser("validate", help="check a scenario file without running it")
    q.add_argument("scenario", type=Path)
    q.set_defaults(func=_validate)


def _fmt(v: object, spec: str) -> str:
    return "—" if v is None or (isinstance(v, float) and pd.isna(v)) else format(v, spec)


def format_ranking(summary: pd.DataFrame, scope: str) -> str:
    """The pathway table of one scope, ranked by median TTR (not recovered last), as text."""
    from chainsim.experiment.pathway_tables import ranking_table
    from chainsim.pathways.registry import PATHWAYS

    df = ranking_table(summary, scope)
    has_cost = bool((df.cost_bn_cny > 0).any())
    lines = []
    for _, r in df.iterrows():
        zh = "+".join(PATHWAYS[p].name_zh for p in str(r.pathway).split("+") if p in PATHWAYS)
        ttr = "not recovered" if pd.isna(r.ttr_days) else f"{r.ttr_days:.0f}"
        row = {
            "rank": r["rank"], "pathway": f"{r.pathway} {zh}", "TTR days": ttr,
            "TTR p10–p90": f"{_fmt(r.ttr_p10, '.0f')}–{_fmt(r.ttr_p90, '.0f')}",
            "recovered": f"{r.recovered_share:.0%}", "depth": _fmt(r.depth, ".2%"),
            "loss bn CNY": _fmt(r.loss_cny / 1e9 if r.loss_cny is not None else None, ",.2f"),
            "loss days": _fmt(r.loss_days, ".2f"),
        }
        if has_cost:
            row["days saved / bn CNY"] = _fmt(r.days_saved_per_bn_cny, ".2f")
        lines.append(row)
    return pd.DataFrame(lines).to_string(index=False)


def _run(args: argparse.Namespace) -> int:
    from chainsim.experiment.outputs import write_outputs
    from chainsim.experiment.pathway_tables import summary_table
    from chainsim.experiment.run import run_scenario
    from chainsim.scenario.load import load_scenario

    if args.replications is not None and args.replications < 1:
        from chainsim.errors import ScenarioError

        raise ScenarioError(f"--replications: expected a positive integer; found {args.replications}")
    overrides = {} if args.replications is None else {"replications": args.replications}
    loaded = load_scenario(args.scenario, overrides=overrides)
    sc = loaded.scenario
    n = len(sc.pathways.compare)
    print(f"{sc.name}: {n} pathway(s) x {sc.replications} replication(s), {sc.horizon_days} days, "
          f"table {loaded.table.name}", file=sys.stderr)

    def progress(entry: str, done: int, total: int) -> None:
        print(f"  [{done}/{total}] {entry} done", file=sys.stderr, flush=True)

    run = run_scenario(loaded, progress=progress)
    summary = summary_table(run)
    out = args.out or Path("runs") / args.scenario.stem
    paths = write_outputs(run, summary, out, figures=not args.no_figures, trajectories=not args.no_trajectories)
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
    from chainsim.scenario.load import load_scenario

    loaded = load_scenario(args.scenario)
    sc = loaded.scenario
    print(f"{args.scenario}: OK — '{sc.name}', table {loaded.table.name}, {len(loaded.disruptions)} disruption(s), "
          f"pathways {sc.pathways.compare}, {sc.replications} replication(s) x {sc.horizon_days} days "
          f"(sha256 {loaded.sha256[:12]})")
    return 0
