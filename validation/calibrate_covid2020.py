"""Calibrate the two episode parameters to 2020 and write the calibration table (one command, rerunnable).

    python validation/calibrate_covid2020.py [--out validation/results/covid2020] [--force] [--apply]
                                             [--thetas 0:1:0.1] [--phis 0:1:0.25]

Fits θ (``leontief_weight`` of every lockdown) to national total industry in January-February
and March 2020, and φ (``deferral.share`` of every demand shock with a deferral) to April-June
2020, on a grid, one engine batch (``chainsim.experiment.backcast``; docs/episodes.md, calibration
plan). Everything else in ``scenarios/episodes/covid2020.yaml`` is fixed from its input facts.

Writes into ``--out`` (refused if it exists, unless ``--force``):

* ``calibration_table.csv``: every observed row of ``observed_2020_calibration.csv`` the model
  can be laid next to, at the fit: observed, model, error (points), role (fitted / checked);
* ``grid.csv``: the errors of the five targets and their sum of squares at every grid point;
* ``checks.csv``: the acceptance checks of issue 17;
* ``fit.json``: θ, φ and their ranges (the values that fit each target alone), the grid, the
  chainsim version, the scenario's hash, the dataset checksum, the seed and the command.

``--apply`` writes the fitted values into both episode scenarios, where they stand once each
(YAML anchors ``&theta`` and ``&phi``): a triangular distribution (low, mode, high) = (range
low, fit, range high), so that each replication of a run draws its own. The 2022 scenario
takes nothing else from 2020.

Reads nothing outside the repository. About a minute on an idle 2-core machine with the coarse
grid (11 x 5 points; one batch of 55 members and one run at the fit).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "episodes" / "covid2020.yaml"
EPISODES = (ROOT / "scenarios" / "episodes" / "covid2020.yaml", ROOT / "scenarios" / "episodes" / "changchun2022.yaml")
DEFAULT_OUT = ROOT / "validation" / "results" / "covid2020"


def grid_values(text: str) -> list[float]:
    """``0:1:0.1`` (start:stop:step, stop included) or ``0,0.5,1``."""
    if ":" in text:
        a, b, step = (float(x) for x in text.split(":"))
        return [round(float(v), 10) for v in np.arange(a, b + step / 2, step)]
    return [float(x) for x in text.split(",")]


def distribution(low: float, mode: float, high: float) -> str:
    """A triangular distribution in YAML flow style, or the number when the range is a point."""
    if low == high:
        return f"{mode:g}"
    return f"{{distribution: triangular, low: {low:g}, mode: {mode:g}, high: {high:g}}}"


def apply_fit(fit: dict, paths=EPISODES) -> list[Path]:
    """Write θ and φ into the anchored fields ``&theta`` and ``&phi`` of the episode scenarios."""
    theta = distribution(fit["theta_range"][0], fit["theta"], fit["theta_range"][1])
    phi = distribution(fit["phi_range"][0], fit["phi"], fit["phi_range"][1])
    done = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new, n1 = re.subn(r"(&theta )(\{[^}]*\}|[-0-9.e]+)", lambda m: m.group(1) + theta, text)
        new, n2 = re.subn(r"(&phi )(\{[^}]*\}|[-0-9.e]+)", lambda m: m.group(1) + phi, new)
        if n1 != 1 or n2 != 1:
            raise SystemExit(f"{path}: expected one '&theta' and one '&phi' anchor; found {n1} and {n2}")
        path.write_text(new, encoding="utf-8")
        done.append(path)
    return done


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--force", action="store_true", help="replace an existing --out folder")
    ap.add_argument("--apply", action="store_true", help="write the fit into the two episode scenarios")
    ap.add_argument("--thetas", default="0:1:0.1")
    ap.add_argument("--phis", default="0:1:0.25")
    ap.add_argument("--catch-up-days", type=float, default=45.0)
    ap.add_argument("--note", default="", help="a line recorded in fit.json (e.g. which engine)")
    args = ap.parse_args(argv)

    from chainsim import __version__
    from chainsim.experiment.backcast import calibrate
    from chainsim.experiment.compare import read_observed
    from chainsim.scenario.load import load_scenario

    if args.out.exists() and not args.force:
        print(f"error: {args.out} exists; give --force to replace it", file=sys.stderr)
        return 2
    loaded = load_scenario(SCENARIO)
    t0 = time.perf_counter()
    cal = calibrate(loaded, read_observed(), grid_values(args.thetas), grid_values(args.phis),
                    catch_up_days=args.catch_up_days)
    seconds = time.perf_counter() - t0
    stage = args.out.with_name(args.out.name + ".tmp")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    cal.table.to_csv(stage / "calibration_table.csv", index=False, float_format="%.4g")
    cal.grid.to_csv(stage / "grid.csv", index=False, float_format="%.4g")
    cal.checks.to_csv(stage / "checks.csv", index=False, float_format="%.4g")
    fit = {"theta": cal.theta, "theta_range": list(cal.theta_range), "phi": cal.phi, "phi_range": list(cal.phi_range),
           "catch_up_days": args.catch_up_days, "thetas": grid_values(args.thetas), "phis": grid_values(args.phis),
           "targets": {"theta": ["CN 02-26 2020-01/02", "CN 02-26 2020-03"],
                       "phi": ["CN 02-26 2020-04", "CN 02-26 2020-05", "CN 02-26 2020-06"]},
           "objective": "sum of squared errors (points) over the five targets",
           "range": "theta: the values fitting Jan-Feb alone and March alone (at the fitted phi); phi: the values "
                    "fitting April, May and June alone (at the fitted theta)",
           "chainsim_version": __version__, "scenario": str(SCENARIO.relative_to(ROOT)),
           "scenario_sha256": loaded.sha256, "dataset_checksum": loaded.table.checksum,
           "seed": loaded.scenario.seed, "params": loaded.scenario.params or "default",
           "command": " ".join(["python validation/calibrate_covid2020.py", *(sys.argv[1:] if argv is None else argv)]),
           "seconds": round(seconds, 1), "written": datetime.now(UTC).isoformat(timespec="seconds"),
           "note": args.note}
    (stage / "fit.json").write_text(json.dumps(fit, indent=2) + "\n", encoding="utf-8")
    if args.out.exists():
        shutil.rmtree(args.out)
    stage.rename(args.out)

    import pandas as pd

    with pd.option_context("display.width", 160, "display.max_rows", 200):
        cols = ["geo", "sector_en", "nbs42", "period", "observed", "model", "error_pts", "role"]
        print(cal.table[cols].to_string(index=False, float_format=lambda v: f"{v:.1f}"))
        print()
        print(cal.checks.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    print(f"\ntheta = {cal.theta:g} (range {cal.theta_range[0]:g}-{cal.theta_range[1]:g}), "
          f"phi = {cal.phi:g} (range {cal.phi_range[0]:g}-{cal.phi_range[1]:g}); {seconds:.0f} s; wrote {args.out}")
    if args.apply:
        for path in apply_fit(fit):
            print(f"wrote the fit into {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
