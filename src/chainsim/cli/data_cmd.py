"""``chainsim data list | show | export | build``: the bundled datasets from the command line."""

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
    for name, info in report.items():
        print(f"{name}: {info}")
    return 0
