#!/usr/bin/env python3
"""Cross-check chainsim's ``ario`` configuration against a BoARIO 0.7.2 output file.

usage: python validation/boario_crosscheck.py CASE_DIR --shock SHOCK.csv --reference BOARIO_OUTPUT.csv [--days N]
       [--executor reference|auto]

CASE_DIR, SHOCK.csv and BOARIO_OUTPUT.csv use the layout of ``tools/boario_reference.py``
(industries.csv + Z.csv; shock rows of type recovery / rebuild / arbitrary; output columns
day,total_output,total_output_rel,output[R]...,final_demand_unmet). Model parameters are read
from BOARIO_OUTPUT.csv.meta.json when present (psi, inv_days, inv_tau, alpha_max, alpha_tau,
order_type, rebuild_tau, capital_to_va), else BoARIO's defaults. ``--executor`` chooses the
economy that runs the day: the reference (default: the specification) or the fast executor.

Prints the largest daily relative deviation of total output and of each region's output, and
ends with ``max_rel_dev=<value>``. Exit status 1 if it exceeds --tol (default 1e-3), 2 on bad
input. The reference file is printed with 10 significant digits, so ~5e-10 is the floor.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.data.csv_layout import read_csv_layout
from chainsim.engine import ModelParams, simulate
from chainsim.errors import ChainsimError


def shock_to_disruptions(path: Path) -> list[dict]:
    """Translate shock.csv rows into chainsim disruptions (one per row, named by event_id)."""
    shock = pd.read_csv(path, dtype={"region": str, "sector": str, "event_id": str})
    out = []
    for _, row in shock.iterrows():
        etype = str(row["event_type"]).strip()
        rf = row.get("recovery_function", "linear")
        rf = "linear" if pd.isna(rf) or rf == "" else str(rf)
        common = {"name": str(row["event_id"]), "region": row["region"], "sector": row["sector"],
                  "share": float(row["share"]), "start": int(row["occurrence"]), "duration": int(row["duration"])}
        if etype == "recovery":
            out.append({"type": "capacity_loss", "basis": "capital", **common,
                        "recovery": {"curve": rf, "days": float(row["tau"])}})
        elif etype == "arbitrary":
            out.append({"type": "capacity_loss", "basis": "capacity", **common,
                        "recovery": {"curve": rf, "days": float(row["tau"])}})
        elif etype == "rebuild":
            spec = str(row["rebuilding_sectors"])
            sectors = {s.split(":")[0]: float(s.split(":")[1]) for s in spec.split(";") if s}
            out.append({"type": "capacity_loss", "basis": "capital", **common,
                        "recovery": {"curve": "rebuild", "days": float(row["tau"]), "sectors": sectors}})
        else:
            raise ChainsimError(f"{path}: unknown event_type {etype!r} (expected recovery, rebuild or arbitrary)")
    return out


def boario_iosystem(case: Path) -> tuple[object, pd.Series]:
    """The case's table as BoARIO reads it: a ``pymrio.IOSystem`` and the capital stock by (region, sector).

    Final demand goes into each industry's own region's column (BoARIO uses only row totals).
    Used by the live oracle tests and ``benchmarks/bench_ario.py`` (BoARIO is GPL: driven
    through its public API, never imported by chainsim).
    """
    import pymrio

    ind = pd.read_csv(case / "industries.csv", dtype={"region": str, "sector": str})
    idx = pd.MultiIndex.from_arrays([ind["region"], ind["sector"]], names=["region", "sector"])
    z = pd.read_csv(case / "Z.csv", dtype={"region": str, "sector": str}).drop(columns=["region", "sector"])
    Z = pd.DataFrame(z.to_numpy(float), index=idx, columns=idx)
    regions = list(dict.fromkeys(idx.get_level_values(0)))
    Y = pd.DataFrame(0.0, index=idx, columns=pd.MultiIndex.from_product([regions, ["final_demand"]]))
    for r in regions:
        m = idx.get_level_values(0) == r
        Y.loc[m, (r, "final_demand")] = ind["final_demand"].to_numpy(float)[m]
    io = pymrio.IOSystem(Z=Z, Y=Y, x=pd.DataFrame({"indout": ind["output"].to_numpy(float)}, index=idx))
    io.A = pymrio.calc_A(io.Z, io.x)
    return io, pd.Series(ind["capital"].to_numpy(float), index=idx)


def params_from_meta(reference: Path) -> ModelParams:
    """ARIO parameters as recorded by tools/boario_reference.py next to its output."""
    meta_path = Path(str(reference) + ".meta.json")
    if not meta_path.is_file():
        return ModelParams.ario()
    a = json.loads(meta_path.read_text())["args"]
    return ModelParams.ario(psi=a.get("psi", 0.8), inventory_days=a.get("inv_days", 90),
                            inventory_tau=a.get("inv_tau", 60), alpha_max=a.get("alpha_max", 1.25),
                            alpha_tau=a.get("alpha_tau", 365), order_type=a.get("order_type", "alt"),
                            rebuild_tau=a.get("rebuild_tau", 60), capital_to_va=a.get("capital_to_va", 4.0))


def crosscheck(case: Path, shock: Path, reference: Path, days: int | None = None,
               executor: str = "reference") -> tuple[float, pd.DataFrame]:
    """Run chainsim and return (max relative deviation, per-column maxima)."""
    ref = pd.read_csv(reference)
    days = days or len(ref)
    table = read_csv_layout(case)
    res = simulate(table, shock_to_disruptions(shock), days=days, params=params_from_meta(reference),
                   executor=executor)
    crash = res.provenance["crash_day"]
    last = days if crash < 0 else crash + 1
    ref = ref.iloc[:last]
    mine = {"total_output": res.output.sum(axis=1).to_numpy()[:last]}
    by_reg = res.region_output()
    for col in ref.columns:
        if col.startswith("output["):
            mine[col] = by_reg[col[len("output["):-1]].to_numpy()[:last]
    rows = []
    for col, val in mine.items():
        r = ref[col].to_numpy(dtype=float)
        dev = np.abs(val - r) / np.maximum(np.abs(r), 1e-300)
        k = int(np.argmax(dev))
        rows.append({"column": col, "max_rel_dev": float(dev[k]), "day": k})
    table_dev = pd.DataFrame(rows)
    return float(table_dev["max_rel_dev"].max()), table_dev


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Cross-check chainsim's ario configuration against BoARIO output.")
    ap.add_argument("case", type=Path)
    ap.add_argument("--shock", type=Path, required=True)
    ap.add_argument("--reference", type=Path, required=True)
    ap.add_argument("--days", type=int, default=None)
    ap.add_argument("--tol", type=float, default=1e-3)
    ap.add_argument("--executor", choices=("reference", "auto"), default="reference")
    args = ap.parse_args(argv)
    try:
        worst, per_col = crosscheck(args.case, args.shock, args.reference, args.days, args.executor)
    except (ChainsimError, OSError, KeyError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(per_col.to_string(index=False))
    print(f"max_rel_dev={worst:.3e}")
    return 0 if worst <= args.tol else 1


if __name__ == "__main__":
    sys.exit(main())
