"""``chainsim run SCENARIO``, ``chainsim validate SCENARIO`` and ``chainsim report RUN_DIR``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["format_bands", "format_ranking", "register"]

STDIN = "-"



def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser] | None = None) -> None:
    """Add the ``run``, ``validate`` and ``report`` commands."""
    parents = parents or []
    p = sub.add_parser("run", parents=parents,
                       help="run a scenario file: every pathway x replication, compared with baseline")
    p.add_argument("scenario", help="scenario YAML file (see scenarios/ and docs/scenarios.md), or - for stdin")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default: runs/<scenario file name>; runs/stdin for -)")
    p.add_argument("--force", action="store_true",
                   help="replace an earlier run in --out (whole; without it a folder holding a run is refused)")
    p.add_argument("--workers", type=int, default=None,
                   help="processes running pathways in parallel (default: the CPUs this process may use; "
                        "results do not depend on it)")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.add_argument("--no-trajectories", action="store_true", help="skip trajectories.parquet")
    p.add_argument("--no-report", action="store_true", help="skip report.html")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--replications", type=int, default=None, help="override the scenario's replications")
    p.add_argument("--levers", choices=["drawn", "fixed"], default=None,
                   help="lever full values drawn from their evidence ranges per replication (default) or fixed "
                        "at their central values (overrides the scenario's 'levers')")
    p.add_argument("--attribution", choices=["shapley", "one_at_a_time", "off"], default=None,
                   help="split each pathway's effect over its levers (overrides pathways.attribution.method)")
    p.set_defaults(func=_run)
    q = sub.add_parser("validate", parents=parents, help="check a scenario file without running it")
    q.add_argument("scenario", help="scenario YAML file, or - for stdin")
    q.set_defaults(func=_validate)
    r = sub.add_parser("report", parents=parents,
                       help="write report.html for an existing run folder (summary.csv, run.json, figures)")
    r.add_argument("run_dir", type=Path, help="a folder written by 'chainsim run'")
    r.add_argument("--out", type=Path, default=None, help="report file (default: RUN_DIR/report.html)")
    r.add_argument("--force", action="store_true",
                   help="replace an existing report file (without it an existing report is refused)")
    r.set_defaults(func=_report)


def _fmt(v: object, spec: str) -> str:
    return "—" if v is None or (isinstance(v, float) and pd.isna(v)) else format(v, spec)


def _interval(m: object, lo: object, hi: object, spec: str, scale: float = 1.0) -> str:
    """``-6.27 [-6.9, -5.6]``: a paired difference and its 90 % interval."""
    if m is None or pd.isna(m):
        return "—"
    m, lo, hi = (float(x) / scale for x in (m, lo, hi))
    if lo == hi == m:
        return format(m, spec)
    return f"{format(m, spec)} [{format(lo, spec)}, {format(hi, spec)}]"


def _ttr(r: pd.Series) -> str:
    if r.ttr_status == "did not leave the band":
        return "did not leave the band"
    if r.ttr_status == "not recovered":
        return "not recovered"
    text = f"{r.ttr_days:.0f} ({_fmt(r.ttr_p10, '.0f')}–{_fmt(r.ttr_p90, '.0f')})"
    return text if r.left_band_share >= 1 else f"{text}, {r.left_band_share:.0%} left band"


def format_ranking(summary: pd.DataFrame, scope: str) -> str:
    """The pathway table of one scope as text: rank, effect, paired differences with 90 % intervals, TTR.

    Money is shown in billions of the table's currency (the summary's ``loss_<currency>``
    columns: ``loss_diff_cny`` and ``loss_mean_cny`` for the shipped tables).
    """
    from chainsim.data.units import find_money_column, money_of_column
    from chainsim.experiment.pathway_tables import ranking_table
    from chainsim.pathways.registry import PATHWAYS

    df = ranking_table(summary, scope)
    diff_col, mean_col = find_money_column(df.columns, "loss_diff"), find_money_column(df.columns, "loss_mean")
    money = money_of_column(diff_col, "loss_diff").label()
    has_cost = bool((df.cost_bn_cny > 0).any())
    lines = []
    for _, r in df.iterrows():
        zh = "+".join(PATHWAYS[p].name_zh for p in str(r.pathway).split("+") if p in PATHWAYS)
        row = {
            "rank": _fmt(r["rank"], ".0f"), "pathway": f"{r.pathway} {zh}", "effect": r.effect,
            f"loss Δ {money} [90% CI]": _interval(r[diff_col], r.loss_diff_lo, r.loss_diff_hi, ",.2f", 1e9),
            "TTR Δ days [90% CI]": _interval(r.ttr_diff_days, r.ttr_diff_lo, r.ttr_diff_hi, ".1f"),
            "P(best)": f"{r.p_best:.0%}", "TTR days (p10–p90)": _ttr(r),
            f"mean loss {money}": _fmt(r[mean_col] / 1e9, ",.2f"),
            "depth": _fmt(r.depth, ".2%"),
        }
        if has_cost:
            row["loss avoided / cost"] = _fmt(r.benefit_cost_ratio, ".2f")
        lines.append(row)
    return pd.DataFrame(lines).to_string(index=False)


def format_bands(bands: pd.DataFrame, scope: str) -> str:
    """TTR per pathway at each recovery band ε of one scope, as text."""
    df = bands[bands.scope == scope]
    rows = {}
    for r in df.itertuples():
        rows.setdefault(r.pathway, {})[f"ε = {100 * r.epsilon:g} %"] = _ttr(pd.Series(r._asdict()))
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("TTR days").to_string()


def _notes(run: object, summary: pd.DataFrame, scope: str) -> list[str]:
    """What the reader must know to read the tables: ties, no effect, costs, lever draws."""
    sc = run.loaded.scenario
    out = []
    first = summary[summary.scope == scope]
    if first.effect.eq("no measurable effect").all():
        out.append(f"no measurable effect in {scope}: the shock costs less than {sc.metrics.min_loss_days:g} days of "
                   "output (metrics.min_loss_days), so the pathways are not ranked")
    for entry in run.inert_pathways():
        pr = run.pathways[entry]
        why = "; ".join(pr.plan.notes) or f"its levers ({', '.join(pr.plan.levers)}) do not act on these disruptions"
        out.append(f"pathway '{entry}' changes nothing in this scenario: its trajectories equal the baseline's in "
                   f"every replication ({why}); it is not ranked below the baseline")
    if len(run.pathways) < 2:  # the baseline alone (an episode's backcast): nothing is compared
        return out
    out.append("rank: on the paired loss difference with baseline (negative = less loss); pathways whose 90 % "
               "interval contains zero share the baseline's rank, and pathways that cannot be told apart share a rank")
    if not (summary.cost_bn_cny > 0).any():
        theta = sc.pathways.intensity
        out.append(f"cost: no cost model — pathways compared at equal effort θ = {theta:g} (each lever at that share "
                   "of its documented full value, docs/pathways.md); give pathways.costs to compare at stated cost")
    if sc.levers == "drawn":
        out.append("levers: full values drawn from their evidence ranges in every replication (the same draw in "
                   "every pathway); `--levers fixed` keeps them at their central values")
    return out


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
    from chainsim.experiment.bands import band_sensitivity
    from chainsim.experiment.figures import start_figures
    from chainsim.experiment.folder import safe_folder_name, staged_output
    from chainsim.experiment.outputs import write_run_files, write_trajectories
    from chainsim.experiment.pathway_tables import summary_table
    from chainsim.experiment.preflight import preflight
    from chainsim.experiment.run import ScenarioRun, run_scenario

    if args.replications is not None and args.replications < 1:
        raise ScenarioError(f"--replications: expected a positive integer; found {args.replications}")
    if args.workers is None:
        from chainsim.procs import available_cpus

        args.workers = available_cpus()
    if args.workers < 1:
        raise ScenarioError(f"--workers: expected a positive integer; found {args.workers}")
    overrides: dict = {} if args.replications is None else {"replications": args.replications}
    if args.levers is not None:
        overrides["levers"] = args.levers
    if args.attribution is not None:
        overrides["pathways"] = {"attribution": {"method": args.attribution}}
    loaded = _load(args, overrides)
    checked = preflight(loaded)  # what validate checks, before anything is written or run
    sc = loaded.scenario
    stem = "stdin" if args.scenario == STDIN else Path(args.scenario).stem
    out = args.out or Path("runs") / safe_folder_name(stem, fallback="run")
    # --out is checked (a file? read-only? an earlier run without --force?) before the simulation; the
    # files, report.html included, are written aside and moved into place together at the end: Ctrl-C or a
    # crash changes nothing
    with staged_output(out, force=args.force) as stage:
        n = len(dict.fromkeys(["baseline", *sc.pathways.compare]))
        _say(args, f"{sc.name}: {n} pathway(s) x {sc.replications} replication(s), {sc.horizon_days} days, "
                   f"table {loaded.table.name}, levers {sc.levers}, {args.workers} worker(s)")
        if checked.note():
            _say(args, f"note: {checked.note()}")
        enabled = show_progress(args)
        bar = make_bar(n * sc.horizon_days, desc="run", unit="pathway-days", enabled=enabled)
        bars = {"run": bar}

        def progress(entry: str, done: int, total: int) -> None:
            if entry != "attribution":
                return
            if "attribution" not in bars:
                bars["run"].close()
                bars["attribution"] = make_bar(total, desc="lever attribution", unit="batches", enabled=enabled)
            bars["attribution"].update(done - bars["attribution"].n)

        early: dict[str, Any] = {}

        def on_pathways(runs: Any) -> None:
            # what needs the pathways only, while the pool's workers run the attribution's batches
            pathways_only = ScenarioRun(loaded=loaded, pathways=runs)
            early["bands"] = band_sensitivity(pathways_only)
            if not args.no_trajectories:
                early["trajectories"] = write_trajectories(pathways_only, stage / "trajectories.parquet")
            if not args.no_figures:  # imported here, not in each figure's process (0.36 s)
                from chainsim.plots import _plt

                _plt()

        try:
            run = run_scenario(loaded, progress=progress, checked=checked, workers=args.workers,
                               day_progress=bar.update, on_pathways=on_pathways)
        finally:
            for b in bars.values():
                b.close()
        # with workers the figures are drawn in forked processes (when safe) while the summary and the files
        # are written; with one worker, in this process after them
        figures = False if args.no_figures else start_figures(run, stage, background=args.workers > 1)
        try:
            summary = summary_table(run)
            bands = early["bands"] if "bands" in early else band_sensitivity(run)
        except BaseException:
            if figures:
                figures.cancel()
            raise
        report = () if args.no_report else ("report.html",)
        written = {"trajectories": early["trajectories"]} if "trajectories" in early else {}
        names = write_run_files(run, summary, stage, figures=figures, trajectories=not args.no_trajectories,
                                bands=bands, more_files=report, written=written)
        if report:
            from chainsim.report import write_report

            names["report"] = write_report(stage)  # rendered from the staged files, moved with them
    paths = {k: out / p.name for k, p in names.items()}
    side = "one-sided, below" if sc.metrics.recovery_band == "below" else "two-sided"
    for scope in sc.metrics.scope:
        print(f"\n== {scope} (ε = {sc.metrics.recovery_tolerance:g}, {side}) ==")
        print(format_ranking(summary, scope))
    first = sc.metrics.scope[0]
    print(f"\n== time to recover by band, {first} ==")
    print(format_bands(bands, first))
    if run.attribution is not None:
        f = run.attribution.frame
        n = int(f.replications.iloc[0]) if len(f) else 0
        print(f"\n== lever attribution, {first}: {run.attribution.money_label()} of the paired loss difference over "
              f"the first {n} "
              "replications (attribution.csv) ==")
        for r in summary[(summary.scope == first) & (summary.pathway != "baseline")].itertuples():
            print(f"  {r.pathway}: {r.attribution or 'no lever changes output'}")
        for entry, note in run.attribution.notes.items():
            print(f"  note: {entry}: {note}")
    print()
    for note in _notes(run, summary, first):
        print(f"note: {note}")
    print(f"\nwrote {', '.join(p.name for p in paths.values())} to {out}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from chainsim.experiment.preflight import preflight

    loaded = _load(args)
    checked = preflight(loaded)  # the checks run does, with its seeds
    mem = checked.memory
    sc = loaded.scenario
    print(f"{args.scenario}: OK — '{sc.name}', table {loaded.table.name}, {len(loaded.disruptions)} disruption(s), "
          f"pathways {sc.pathways.compare}, {sc.replications} replication(s) x {sc.horizon_days} days "
          f"(sha256 {loaded.sha256[:12]}); needs about {mem.total / 2**30:.2f} GiB of memory to run")
    if checked.note():
        print(f"note: {checked.note()}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from chainsim.report import write_report

    target = args.out if args.out is not None else args.run_dir / "report.html"
    existed = target.exists()
    path = write_report(args.run_dir, args.out, force=args.force)
    print(f"{'replaced' if existed else 'wrote'} {path}")
    return 0
