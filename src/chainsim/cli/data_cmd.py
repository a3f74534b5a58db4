"""``chainsim data list | show | export | build | diff``: the bundled datasets from the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``data`` command group to ``sub``."""
    p = sub.add_parser("data", help="list, show, export and rebuild the bundled IO datasets")
    dsub = p.add_subparsers(dest="data_command", metavar="ACTION", required=True)

    q = dsub.add_parser("list", help="list the datasets")
    q.set_defaults(func=_list)

    q = dsub.add_parser("show", help="regions, sectors and totals (CNY) of a dataset")
    q.add_argument("name", help="dataset name, e.g. northeast-2017")
    q.add_argument("--sectors", action="store_true", help="also list the sectors with Chinese and English names")
    q.set_defaults(func=_show)

    q = dsub.add_parser("export", help="write a dataset in the CSV layout (industries.csv, Z.csv, imports.csv)")
    q.add_argument("name")
    q.add_argument("--out", required=True, type=Path, help="output folder")
    q.set_defaults(func=_export)

    q = dsub.add_parser("build", help="rebuild the datasets from the raw NBS/WIOD tables shipped in the package")
    q.add_argument("--out", type=Path, default=None, help="write here instead of the package's data folder")
    q.add_argument("names", nargs="*", default=["northeast-2017"], help="datasets to build")
    q.set_defaults(func=_build)

    q = dsub.add_parser("diff", help="which flows moved most between two builds (dataset names or bundle folders)")
    q.add_argument("old", help="dataset name or bundle folder (e.g. a build of an older release, --out of build)")
    q.add_argument("new", help="dataset name or bundle folder")
    q.add_argument("--top", type=int, default=20, help="flows to list (default 20)")
    q.add_argument("--kind", default="", help="comma-separated kinds to list: Z, Y, import, exports, value_added")
    q.add_argument("--csv", type=Path, default=None, help="write every flow's change to this CSV file (must not exist)")
    q.set_defaults(func=_diff)


def _list(args: argparse.Namespace) -> int:
    from chainsim.data.datasets import list_datasets

    for d in list_datasets():
        regions = ", ".join(d.regions) if len(d.regions) <= 6 else f"{len(d.regions)} provinces"
        where = "shipped in the package" if d.shipped else "built on first use (cached)"
        print(f"{d.name}: {regions}; {d.n_industries} industries; {where}")
        print(f"    {d.description}")
    return 0


def _trn(v: float) -> str:
    return f"{v / 1e12:,.3f}"


def _show(args: argparse.Namespace) -> int:
    from chainsim.data.datasets import load_dataset

    t = load_dataset(args.name)
    print(f"{t.name}: {t.n_regions} regions x {t.n_sectors} sectors = {t.n_industries} industries; "
          f"import origins: {', '.join(t.origins) or 'none'}; unit {t.unit}")
    print(f"checksum {t.checksum}")
    s = t.summary()
    view = pd.DataFrame({
        "region": [f"{r.code} {r.name_zh} {r.name_en}".strip() for r in t.regions],
        "gross output": s["gross_output_cny"].map(_trn).to_numpy(),
        "value added": s["value_added_cny"].map(_trn).to_numpy(),
        "exports abroad": s["exports_cny"].map(_trn).to_numpy(),
        "imports (intermediate)": s["imports_cny"].map(_trn).to_numpy(),
    })
    print("\nTotals by region (trillion CNY, 万亿元):")
    print(view.to_string(index=False))
    total = s[["gross_output_cny", "value_added_cny"]].sum()
    print(f"\nAll regions: gross output {_trn(total['gross_output_cny'])}, value added "
          f"{_trn(total['value_added_cny'])} trillion CNY")
    if args.sectors:
        print("\nSectors:")
        print(pd.DataFrame([{"code": x.code, "name_zh": x.name_zh, "name_en": x.name_en} for x in t.sectors])
              .to_string(index=False))
    src = t.provenance.get("source")
    if src:
        print(f"\nSource: {src}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from chainsim.data.csv_layout import write_csv_layout
    from chainsim.data.datasets import load_dataset

    t = load_dataset(args.name)
    folder = write_csv_layout(t, args.out)
    print(f"wrote {folder}/industries.csv, Z.csv" + (", imports.csv" if t.origins else "") + ", meta.json "
          f"({t.n_industries} industries, unit {t.unit})")
    return 0


def _build(args: argparse.Namespace) -> int:
    from chainsim.data.datasets import build_datasets

    report = build_datasets(args.out, names=tuple(args.names))
    print(f"builder {report['builder_version']}")
    for name, info in report["datasets"].items():
        print(f"{name}: {info['n_industries']} industries in {info['seconds']:.1f} s -> {info['path']}")
        print(f"    checksum {info['checksum']}; files: {', '.join(sorted(info['files']))}")
    return 0


_KINDS = ("Z", "Y", "import", "exports", "value_added")


def _diff(args: argparse.Namespace) -> int:
    from chainsim.data.compare import diff_tables, region_summary
    from chainsim.data.datasets import open_table
    from chainsim.errors import DataError

    kinds = [k.strip() for k in args.kind.split(",") if k.strip()] or None
    bad = [k for k in kinds or () if k not in _KINDS]
    if bad:
        raise DataError(f"--kind: unknown kind {bad[0]!r}; expected a comma-separated list of {', '.join(_KINDS)}")
    if args.csv is not None and args.csv.exists():
        raise DataError(f"--csv: {args.csv} exists; chainsim does not overwrite files, choose a new name")
    if args.top < 1:
        raise DataError(f"--top: expected a positive number of rows, found {args.top}")
    old, new = open_table(args.old), open_table(args.new)
    for label, t in (("old", old), ("new", new)):
        version = t.provenance.get("builder_version", "?")
        print(f"{label}: {t.name} (builder {version}), checksum {t.checksum[:12]}, {len(t.foreign_origins)} "
              f"foreign origins")
    per = 1e12 / new.cny_per_unit
    a, b = region_summary(old) / per, region_summary(new) / per
    cols = ["gross_output", "own_supply", "outflow", "inflow", "foreign_imports", "domestic_pool_inflow"]
    view = pd.concat({"old": a[cols], "new": b[cols]}, axis=1).swaplevel(axis=1)[cols]
    print("\nBy region (trillion CNY; own_supply = output used in the region, outflow/inflow = to/from the other "
          "regions):")
    print(view.round(3).to_string())
    full = diff_tables(old, new, kinds=kinds, top=None)
    top = full.head(args.top).copy()
    for c in ("old", "new", "change"):
        top[c] = top[c] / (1e8 / new.cny_per_unit)  # 100 mn CNY (亿元)
    print(f"\nThe {len(top)} flows that moved most (of {len(full)}; 100 mn CNY, 亿元):")
    print(top.round({"old": 2, "new": 2, "change": 2, "change_pct": 1}).to_string(index=False))
    if args.csv is not None:
        args.csv.parent.mkdir(parents=True, exist_ok=True)
        full.to_csv(args.csv, index=False)
        print(f"\nwrote {args.csv} ({len(full)} flows, table units {new.unit})")
    return 0
