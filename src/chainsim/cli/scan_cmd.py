"""``chainsim scan``: the chokepoint scan (卡脖子清单) from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["register"]


def register(sub: argparse._SubParsersAction, parents: list[argparse.ArgumentParser] | None = None) -> None:
    """Add the ``scan`` command."""
    what = ("chokepoint scan: cut every import, inter-provincial link and node in turn, "
            "rank by loss, TTR and TTS (卡脖子清单)")
    p = sub.add_parser("scan", parents=parents or [], help=what,
                       description=what + "; a static input-output pre-screen is computed alongside and compared "
                                          "(docs/scan.md)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--dataset", default=None,
                     help="bundled dataset (default northeast-2017; see 'chainsim data list')")
    src.add_argument("--table", type=Path, default=None, help="folder with a table in the CSV layout")
    p.add_argument("--kinds", default="imports,links,nodes",
                   help="comma-separated: imports, links, nodes (default all three)")
    p.add_argument("--share", type=float, default=1.0, help="share of the flow or capacity lost (default 1)")
    p.add_argument("--duration", type=float, default=90.0, help="days at full strength (default 90)")
    p.add_argument("--start", type=int, default=10, help="first disrupted day (default 10)")
    p.add_argument("--days", type=int, default=365, help="horizon in days (default 365)")
    p.add_argument("--scope", default="northeast", help="whose output counts: northeast, all, a region, REGION|SECTOR")
    p.add_argument("--import-regions", choices=("all", "scope"), default="all",
                   help="cut imports into every region (default) or only into the scope's regions")
    p.add_argument("--epsilon", type=float, default=0.01, help="recovery band for TTR/TTS (default 0.01)")
    p.add_argument("--rank-by", default="loss", help="loss (default), ttr or tts")
    p.add_argument("--pathway", default=None, help="also scan under this policy pathway and write pathway_effect.csv")
    p.add_argument("--intensity", type=float, default=0.5, help="pathway intensity θ in [0, 1] (default 0.5)")
    p.add_argument("--top", type=int, default=20, help="length of the chokepoint list per kind (default 20)")
    p.add_argument("--workers", type=int, default=None,
                   help="processes (default: the CPUs this process may use; results do not depend on it)")
    p.add_argument("--chunk", type=int, default=32, help="targets per engine batch (default 32)")
    screened = p.add_mutually_exclusive_group()
    screened.add_argument("--run-screened", action="store_true",
                          help="also simulate the screened targets (utilities, services) to report their effect; "
                               "they are listed apart, never ranked (about half as much CPU again)")
    screened.add_argument("--skip-screened", action="store_true",
                          help="list the screened targets without simulating them (the default)")
    p.add_argument("--min-loss-days", type=float, default=None,
                   help="smaller losses (days of the scope's output) are listed as 'no measurable effect', not ranked "
                        "(default 0.0304 = 0.1 %% of a month's output)")
    p.add_argument("--out", type=Path, default=None,
                   help="output folder (default runs/scan-<dataset or table folder name>)")
    p.add_argument("--force", action="store_true", help="replace an earlier scan in --out (whole)")
    p.add_argument("--no-figures", action="store_true", help="skip the PNG figures")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (none either when stderr is not a "
                                                              "terminal)")
    p.set_defaults(func=_scan)


def _progress(args: argparse.Namespace, label: str, header: str = "") -> Any:
    """``progress(kind, done, total)`` drawing one tqdm bar per kind (with time left); the header once."""
    from chainsim.cli.progress import make_bar, show_progress

    bars: dict[str, Any] = {}
    enabled = show_progress(args)

    def show(kind: str, done: int, total: int) -> None:
        if header and not bars and not args.quiet:  # printed once the settings have been checked
            print(header, file=sys.stderr)
        bar = bars.get(kind)
        if bar is None:
            bar = bars[kind] = make_bar(total, desc=f"{label}{kind}", unit="targets", enabled=enabled)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return show


def _fmt_top(ranking: pd.DataFrame, money: Any, n: int = 10) -> str:
    rows = []
    for r in ranking.itertuples():
        if pd.isna(r.rank) or r.rank > n:  # only ranked chokepoints; the other sections are counted below
            continue
        origin = f"{r.origin} {r.origin_name_zh} " if r.kind == "imports" else ""
        rows.append({"kind": r.kind, "rank": r.rank, "target": r.target,
                     "name": f"{origin}{r.product_name_zh} {r.name_en[:40]}",
                     f"loss {money.label()}": f"{r.loss_cny / 1e9:,.2f}" if pd.notna(r.loss_cny) else "crashed",
                     "loss days": f"{r.loss_days:.2f}" if pd.notna(r.loss_days) else "—",
                     "TTR days": f"{r.ttr_days:.0f}" if r.recovered else "not recovered",
                     "TTS days": f"{r.tts_days:.0f}" if pd.notna(r.tts_days) else "—"})
    if not rows:
        return "(no target has a measurable loss)"
    return pd.DataFrame(rows).sort_values(["kind", "rank"], kind="stable").to_string(index=False)


def _fmt_reference(ref: dict) -> str:
    lines = [f"{ref['n_products']} imported goods, {ref['n_on_list']} named by the 35-item list of 2018, "
             f"{ref['n_scan_positive']} with a ranked loss"]
    for key, label in (("scan_vs_list", "scan vs 35-item list"), ("scan_vs_dependence", "scan vs import dependence"),
                       ("dependence_vs_list", "import dependence vs list")):
        lines.append(f"  {label:<27} Spearman {ref[key]['spearman']:.2f}, Kendall {ref[key]['kendall']:.2f}")
    for k, p in ref["precision_at_k"].items():
        lines.append(f"  precision at {k:>2}: scan {p['scan']:.2f} (of {p['scan_k']}), import dependence "
                     f"{p['dependence']:.2f}, base rate {p['base_rate']:.2f}")
    return "\n".join(lines)


def _fmt_sections(ranking: pd.DataFrame) -> str:
    counts = ranking.groupby(["effect", "kind"], sort=False).size().unstack(fill_value=0)
    return counts.to_string()


def _scan(args: argparse.Namespace) -> int:
    from chainsim.errors import ScenarioError
    from chainsim.scan import parse_kinds, scan, write_pathway_effect
    from chainsim.scan.outputs import write_scan_files

    kinds = parse_kinds(args.kinds)
    if args.workers is None:
        from chainsim.procs import available_cpus

        args.workers = available_cpus()
    if args.top < 1:
        raise ScenarioError(f"--top: expected a positive integer; found {args.top}")
    if args.table is not None:
        from chainsim.data.csv_layout import read_csv_layout

        table = read_csv_layout(args.table)
    else:
        from chainsim.data.datasets import load_dataset

        table = load_dataset(args.dataset or "northeast-2017")
    settings = dict(kinds=kinds, share=args.share, duration=args.duration, start=args.start, days=args.days,
                    scope=args.scope, import_regions=args.import_regions, epsilon=args.epsilon,
                    rank_by=args.rank_by, workers=args.workers, chunk=args.chunk)
    if args.min_loss_days is not None:
        settings["min_loss_days"] = args.min_loss_days
    settings["run_screened"] = bool(args.run_screened)  # screened targets are listed apart, never ranked
    if args.pathway:
        from chainsim.pathways.apply import lever_values

        if not 0.0 <= args.intensity <= 1.0:
            raise ScenarioError(f"--intensity: expected a value in [0, 1]; found {args.intensity}")
        lever_values(args.pathway, intensity=args.intensity)  # unknown pathway: fail before scanning
    # the default folder is named after what the user typed, never after the table's own name (meta.json
    # could say "../../x"); --out is checked before the scan and written whole at the end
    from chainsim.experiment.folder import safe_folder_name, staged_output

    source = args.table.name if args.table is not None else (args.dataset or "northeast-2017")
    out = args.out or Path("runs") / f"scan-{safe_folder_name(source, fallback='table')}"
    header = (f"scan of {table.name}: {', '.join(kinds)}; {args.share:g} cut for {args.duration:g} days from day "
              f"{args.start}, {args.days}-day horizon, scope {args.scope}, {args.workers} worker(s)")
    with staged_output(out, force=args.force, what="scan") as stage:
        result = scan(table, progress=_progress(args, "", header), **settings)
        names = write_scan_files(result, stage, figures=not args.no_figures)
        other = None
        if args.pathway:
            other = scan(table, pathway=args.pathway, intensity=args.intensity,
                         progress=_progress(args, f"{args.pathway} "), **settings)
            stem = args.pathway.replace("+", "_")
            names["pathway_ranking"] = stage / f"ranking_{stem}.csv"
            other.ranking.to_csv(names["pathway_ranking"], index=False, encoding="utf-8")
            names["pathway_scan"] = stage / f"scan_{stem}.json"
            names["pathway_scan"].write_text(json.dumps(other.provenance, indent=2, ensure_ascii=False,
                                                        default=str), encoding="utf-8")
            names["pathway_effect"] = write_pathway_effect(result, other, stage, top=args.top)
    paths = {k: out / p.name for k, p in names.items()}
    print(f"\n== chokepoints for {args.scope} (top 10 per kind, ranked by {args.rank_by}) ==")
    print(_fmt_top(result.ranking, table.money))
    print("\n== targets by effect (only 'ranked' are on the list; docs/scan.md, 'What is ranked') ==")
    print(_fmt_sections(result.ranking))
    ref = result.provenance.get("reference_check")
    if ref and ref.get("n_products"):
        print("\n== reference check of the imported products (reference.csv; docs/scan.md) ==")
        print(_fmt_reference(ref))
    print("\n== pre-screen vs dynamic ranking (Spearman per kind) ==")
    print(result.correlations.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    if other is not None:
        eff = pd.read_csv(paths["pathway_effect"])
        gone = eff[eff.status == "removed"]
        print(f"\n== {args.pathway} (θ = {args.intensity:g}): {len(gone)} chokepoint(s) leave the top {args.top} ==")
        if len(gone):
            print(gone[["kind", "target", "name_en", "rank_base", "rank_pathway", "loss_reduction_pct"]]
                  .to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    secs = result.provenance["seconds"]
    print(f"\n{len(result.targets)} targets in {secs['total']:.1f} s; wrote "
          f"{', '.join(p.name for p in paths.values())} to {out}")
    return 0
