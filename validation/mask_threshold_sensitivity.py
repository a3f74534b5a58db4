#!/usr/bin/env python3
"""Does the input-mask threshold change the policy conclusion of the README scenario?

``ModelParams.mask_threshold`` decides which (input, buyer) cells can bind production at all: an
input with $A^C_{pj}$ at or below the threshold never stops buyer $j$ (docs/model.md §3, "The
input mask"). It has no published value (BoARIO's constant, 1e-5, carries no citation, and as
BoARIO runs it the comparison of annual flows with daily output makes it 1e-5 / 365 on the
coefficient), so it is an assumption with a range. This script runs the README scenario
(``scenarios/electronics_import_cut.yaml``: 20 replications, the six pathways, levers drawn from
their ranges) with ``params: {mask_threshold: t}`` for each threshold and writes, for the
Northeast, the baseline's loss and every pathway's loss avoided with its 90 % interval, rank and
P(best) -- the same numbers ``chainsim run`` writes to ``summary.csv`` -- and the ranking they give
(``=`` joins pathways that share a rank: they cannot be told apart).

Every run is seeded by the scenario (seed 2026), so the table is reproduced to the last digit.
About 25 s a threshold on one core (attribution off: it does not change the ranking).

usage: python validation/mask_threshold_sensitivity.py [--thresholds 0 1e-6 1e-5 1e-4] [--out DIR] [--force]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "electronics_import_cut.yaml"
#: 0 (every positive coefficient can bind: Pichler et al. 2022, Guan et al. 2020), 1e-5 / 365
#: (BoARIO as it runs: annual Z^C against daily output), the shipped 1e-5 and up to 1e-3
THRESHOLDS = (0.0, 1e-5 / 365, 1e-7, 3e-7, 1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3)
OUT = ROOT / "validation" / "results" / "mask_threshold"
SCOPE = "northeast"


def northeast_rows(threshold: float, scenario: Path = SCENARIO) -> pd.DataFrame:
    """The scenario's Northeast summary rows at one mask threshold (bn CNY; avoided = -loss difference)."""
    import chainsim

    loaded = chainsim.load_scenario(scenario, overrides={"params": {"mask_threshold": threshold},
                                                         "pathways": {"attribution": {"method": "off"}}})
    s = chainsim.summary_table(chainsim.run_scenario(loaded))
    s = s[s["scope"] == SCOPE]
    return pd.DataFrame({
        "mask_threshold": threshold, "pathway": s["pathway"].to_numpy(), "rank": s["rank"].to_numpy(),
        "loss_mean_bn_cny": s["loss_mean_cny"].to_numpy() / 1e9,
        "avoided_bn_cny": -s["loss_diff_cny"].to_numpy() / 1e9,
        "avoided_lo": -s["loss_diff_hi"].to_numpy() / 1e9, "avoided_hi": -s["loss_diff_lo"].to_numpy() / 1e9,
        "p_best": s["p_best"].to_numpy(), "depth": s["depth"].to_numpy(),
    })


def ranking(rows: pd.DataFrame) -> str:
    """The pathways by rank, then by mean loss avoided; ``=`` joins pathways that share a rank."""
    r = rows[rows["pathway"] != "baseline"].sort_values(["rank", "avoided_bn_cny"], ascending=[True, False])
    out, last = "", None
    for rank, name in zip(r["rank"], r["pathway"], strict=True):
        out += name if last is None else (" = " if rank == last else " > ") + name
        last = rank
    return out


def markdown(table: pd.DataFrame) -> str:
    """One line per threshold: baseline loss, each pathway's loss avoided [90 % interval], ranking, P(best)."""
    pathways = [p for p in dict.fromkeys(table["pathway"]) if p != "baseline"]
    head = ("| `mask_threshold` | baseline loss, bn CNY | " + " | ".join(f"`{p}`" for p in pathways)
            + " | ranking | P(best) |")
    lines = [head, "|" + "---|" * (len(pathways) + 4)]
    for t, rows in table.groupby("mask_threshold", sort=True):
        by = rows.set_index("pathway")
        cells = [f"{by.at[p, 'avoided_bn_cny']:.1f} [{by.at[p, 'avoided_lo']:.1f}, {by.at[p, 'avoided_hi']:.1f}]"
                 for p in pathways]
        best = ", ".join(f"{p} {by.at[p, 'p_best']:.0%}" for p in
                         by["p_best"].sort_values(ascending=False).index if by.at[p, "p_best"] > 0)
        lines.append(f"| {t:.3g} | {by.at['baseline', 'loss_mean_bn_cny']:.1f} | " + " | ".join(cells)
                     + f" | {ranking(rows)} | {best} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--thresholds", type=float, nargs="+", default=list(THRESHOLDS))
    ap.add_argument("--out", type=Path, default=OUT, help="folder for mask_threshold.csv and .md")
    ap.add_argument("--force", action="store_true", help="replace the tables in an existing --out folder")
    args = ap.parse_args(argv)
    if (args.out / "mask_threshold.csv").exists() and not args.force:
        print(f"error: {args.out / 'mask_threshold.csv'} exists; give --force to replace it", file=sys.stderr)
        return 2
    table = pd.concat([northeast_rows(t) for t in args.thresholds], ignore_index=True)
    md = markdown(table)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "mask_threshold.csv", index=False, float_format="%.6g")
    (args.out / "mask_threshold.md").write_text(md + "\n", encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
