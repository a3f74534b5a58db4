"""Predict the 2022 Changchun and Shanghai lockdowns with the 2020-fitted parameters (held-out outcomes).

    python validation/predict_changchun2022.py [--out validation/results/changchun2022] [--force]
                                               [--replications N]

Runs ``scenarios/episodes/changchun2022.yaml`` as ``chainsim run`` does (its replications draw θ,
φ and the catch-up time from the distributions the 2020 calibration wrote into it) and writes
the prediction of the held-out outcomes with 10-90 % bands:

* ``prediction.csv``: value added of Jilin's and the Northeast's industry, China's and Jilin's
  transport equipment (NBS-42 18, which holds the automobile industry 汽车制造业), by month
  (March to June 2022) and for the second quarter: deviation from the no-shock path, % (median,
  p10, p90), and the same as year-on-year growth with the scenario's trend;
* ``prediction.json``: the fit it used (``validation/results/covid2020/fit.json``), chainsim
  version, the scenario's hash, the dataset checksum, seed and replications.

The outcomes themselves are not in the repository and were not looked up: this is a
prediction. The script refuses to run when the scenario's θ and φ are not the ones in the
calibration output (rerun ``python validation/calibrate_covid2020.py --apply``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "episodes" / "changchun2022.yaml"
FIT = ROOT / "validation" / "results" / "covid2020" / "fit.json"
DEFAULT_OUT = ROOT / "validation" / "results" / "changchun2022"
#: the held-out outcomes: (scope, sector) of monthly.csv
OUTCOMES = (("JL", "industry"), ("northeast", "industry"), ("china", "18"), ("JL", "18"))


def fitted_values(loaded) -> dict[str, object]:
    """θ and φ as the scenario states them (the first lockdown's and the first deferral's)."""
    theta = phi = None
    for d in loaded.disruptions:
        if d.type == "lockdown" and theta is None:
            theta = d.leontief_weight
        if d.type == "final_demand_by_category" and d.deferral is not None and phi is None:
            phi = d.deferral.share
    return {"theta": theta, "phi": phi}


def _as_triple(v) -> tuple[float, float, float]:
    if isinstance(v, int | float):
        return (float(v),) * 3
    return (float(v.low), float(v.mode), float(v.high))


def check_fit(loaded, fit: dict) -> None:
    """Refuse a scenario whose θ and φ differ from the calibration output."""
    stated = fitted_values(loaded)
    for name in ("theta", "phi"):
        want = (fit[f"{name}_range"][0], fit[name], fit[f"{name}_range"][1])
        got = _as_triple(stated[name])
        if any(abs(a - b) > 1e-9 for a, b in zip(got, want, strict=True)):
            raise SystemExit(f"{SCENARIO.relative_to(ROOT)}: {name} is {got} but {FIT.relative_to(ROOT)} has {want}; "
                             "run python validation/calibrate_covid2020.py --apply")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--force", action="store_true", help="replace an existing --out folder")
    ap.add_argument("--replications", type=int, default=None, help="default: the scenario's")
    args = ap.parse_args(argv)

    import pandas as pd

    from chainsim import __version__
    from chainsim.experiment.monthly import monthly_table
    from chainsim.experiment.run import run_scenario
    from chainsim.scenario.load import load_scenario

    if args.out.exists() and not args.force:
        print(f"error: {args.out} exists; give --force to replace it", file=sys.stderr)
        return 2
    if not FIT.is_file():
        print(f"error: {FIT}: no calibration output; run python validation/calibrate_covid2020.py --apply first",
              file=sys.stderr)
        return 2
    fit = json.loads(FIT.read_text(encoding="utf-8"))
    overrides = {"replications": args.replications} if args.replications else None
    loaded = load_scenario(SCENARIO, overrides=overrides)
    check_fit(loaded, fit)
    sc = loaded.scenario
    run = run_scenario(loaded)
    outputs = {e: pr.output for e, pr in run.pathways.items()}
    baselines = {e: pr.baseline for e, pr in run.pathways.items()}
    monthly = monthly_table(outputs, baselines, loaded.table, sc.calendar, trend=sc.trend,
                            kinds=("month", "quarter"))
    keep = pd.Series(list(zip(monthly.scope, monthly.sector, strict=True))).isin(OUTCOMES).to_numpy()
    pred = monthly[keep & (monthly.pathway == "baseline").to_numpy()].drop(columns=["pathway"]).copy()
    factor = (1 + pred.value_added_yoy_pct / 100) / (1 + pred.value_added_dev_pct / 100)
    pred["value_added_yoy_pct_p10"] = 100 * ((1 + pred.value_added_dev_pct_p10 / 100) * factor - 1)
    pred["value_added_yoy_pct_p90"] = 100 * ((1 + pred.value_added_dev_pct_p90 / 100) * factor - 1)
    pred = pred.rename(columns={"month": "period"})
    stage = args.out.with_name(args.out.name + ".tmp")
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    pred.to_csv(stage / "prediction.csv", index=False, float_format="%.4g")
    meta = {"fit": str(FIT.relative_to(ROOT)), "theta": fit["theta"], "theta_range": fit["theta_range"],
            "phi": fit["phi"], "phi_range": fit["phi_range"], "fit_note": fit.get("note", ""),
            "chainsim_version": __version__, "scenario": str(SCENARIO.relative_to(ROOT)),
            "scenario_sha256": loaded.sha256, "dataset_checksum": loaded.table.checksum, "seed": sc.seed,
            "replications": sc.replications,
            "bands": "10-90 % over replications drawing theta, phi, the catch-up time and the sub-region shares "
                     "(Changchun, Shanghai; no other input is drawn)",
            "written": datetime.now(UTC).isoformat(timespec="seconds")}
    (stage / "prediction.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    if args.out.exists():
        shutil.rmtree(args.out)
    stage.rename(args.out)
    with pd.option_context("display.width", 160):
        print(pred.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    print(f"\nprediction with theta {fit['theta']:g} and phi {fit['phi']:g} from {FIT.relative_to(ROOT)}; "
          f"{sc.replications} replications; wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
