"""Before/after tables of docs/data.md: two builds of northeast-2017 (and china31-2017) side by side.

Usage::

    chainsim data build --out NEW northeast-2017 china31-2017        # this release
    (an older release) chainsim data build --out OLD northeast-2017 china31-2017
    python validation/data_before_after.py OLD NEW

Prints Markdown tables: the own-province supply of the products that had none, the
Liaoning -> Jilin sales shares in both views, the origin mix of crude oil, electronics and
machinery, and the regional totals. Reads only the two folders (and the package's raw NBS
tables for the raw own use).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.data.build import NORTHEAST, _raw_files
from chainsim.data.compare import own_supply_shares, region_summary, sales_shares
from chainsim.data.datasets import open_table
from chainsim.data.nbs import read_nbs_table

FOCUS = {"LN": "06", "JL": "07", "HLJ": "08"}


def _md(df: pd.DataFrame, floatfmt: str = "{:.1f}") -> str:
    cols = [str(c) for c in df.columns]
    out = ["| " + " | ".join([df.index.name or "", *cols]) + " |", "|" + "---|" * (len(cols) + 1)]
    for idx, row in df.iterrows():
        cells = [v if isinstance(v, str) else ("" if pd.isna(v) else floatfmt.format(v)) for v in row]
        out.append("| " + " | ".join([str(idx), *cells]) + " |")
    return "\n".join(out)


def own_supply_table(old, new) -> pd.DataFrame:
    """Own-province share of intermediate use (%) for the products with raw output and own use but none before."""
    raw = {c: read_nbs_table(f) for c, f in zip([f"{i:02d}" for i in range(1, 32)], _raw_files(2017), strict=True)}
    rows = {}
    for region, code in FOCUS.items():
        pt = raw[code]
        a, b = own_supply_shares(old, region), own_supply_shares(new, region)
        for p in np.flatnonzero((pt.GO > 0) & (pt.Z.sum(axis=1) > 0)):
            s = old.sector_codes[p]
            if not a[s] > 1e-9:  # none (builder 1.x left float dust of 5e-18 in JL|23)
                rows[f"{region}\\|{s}"] = {"raw output (bn CNY)": pt.GO[p] / 1e5,
                                          "raw own use (bn CNY)": pt.Z[p, :].sum() / 1e5,
                                          "own share before (%)": 100 * a[s], "own share after (%)": 100 * b[s]}
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index.name = "industry"
    return df


def ln_jl_table(views: dict) -> pd.DataFrame:
    """Share of Liaoning's output sold to Jilin: to Jilin's industries (the issue's measure) and with final demand."""
    rows = {}
    for label, t in views.items():
        s = sales_shares(t, "LN", "JL", ["18"])
        S, ln, jl = t.n_sectors, t.region_index("LN"), t.region_index("JL")
        z = t.Z[ln * S:(ln + 1) * S, jl * S:(jl + 1) * S].sum(axis=1)
        x = t.x[ln * S:(ln + 1) * S]
        rows[label] = {"LN 18 -> JL industries (%)": 100 * z[17] / x[17],
                       "all LN -> JL industries (%)": 100 * z.sum() / x.sum(),
                       "LN 18 -> JL incl. final demand (%)": 100 * s["18"],
                       "all LN -> JL incl. final demand (%)": 100 * s["all"]}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("view")


def origin_table(views: dict, products=("03", "20", "16", "17")) -> pd.DataFrame:
    """China's origin mix of each product's imports for intermediate use (%), from the built table."""
    rows = {}
    for label, t in views.items():
        foreign = [t.origin_index(o) for o in t.foreign_origins]
        for p in products:
            k = t.sector_index(p)
            v = t.imports_Z[foreign][:, k, :].sum(axis=1)
            share = pd.Series(100 * v / v.sum(), index=list(t.foreign_origins))
            top = share.drop("ROW").sort_values(ascending=False).head(6)
            rows[(p, label)] = {"top named origins (%)": ", ".join(f"{o} {x:.1f}" for o, x in top.items()),
                                "ROW (%)": f"{share['ROW']:.1f}"}
    df = pd.DataFrame.from_dict(rows, orient="index")
    df.index = [f"{p} {label}" for p, label in df.index]
    df.index.name = "product, build"
    return df


def main(old_dir: str, new_dir: str) -> None:
    old = open_table(Path(old_dir) / "northeast_2017")
    new = open_table(Path(new_dir) / "northeast_2017")
    old31 = open_table(Path(old_dir) / "china31_2017")
    new31 = open_table(Path(new_dir) / "china31_2017")
    print("## Own-province supply (share of the province's intermediate use of the product)\n")
    print(_md(own_supply_table(old, new)))
    print("\n## Liaoning -> Jilin, share of Liaoning's output\n")
    views = {"northeast-2017 before": old, "china31-2017 before": old31,
             "northeast-2017 after": new, "china31-2017 after": new31}
    print(_md(ln_jl_table(views)))
    print("\n## Origins of imports for intermediate use\n")
    print(_md(origin_table({"before": old, "after": new})))
    print("\n## Regional totals (trn CNY)\n")
    per = 1e12 / new.cny_per_unit
    a, b = region_summary(old) / per, region_summary(new) / per
    cols = ["own_supply", "outflow", "inflow", "foreign_imports", "domestic_pool_inflow"]
    print(_md(pd.concat({"before": a[cols], "after": b[cols]}, axis=1).swaplevel(axis=1)[cols]
              .set_axis([f"{c} {w}" for c, w in pd.concat({"b": a[cols], "a": b[cols]}, axis=1).swaplevel(axis=1)[cols]
                         .columns.map(lambda x: (x[0], "before" if x[1] == "b" else "after"))], axis=1)
              .rename_axis("region"), "{:.3f}"))
    print(f"\n(Northeast provinces {NORTHEAST}; tables from {old_dir} and {new_dir}.)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
