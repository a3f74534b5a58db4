"""The two episode scenarios and the backcast harness: they validate and run, and the fit reaches both episodes.

No fitted number is asserted here (the default model's dynamics change with issue 16; the
lead reruns the calibration): the tests check the harness's mechanics on the tiny table of
``tests/episode_fixtures.py``, that the shipped episodes state the values of the shipped
calibration output, and that the episodes run and write ``monthly.csv``.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chainsim.cli import main
from chainsim.data.store import write_csv_bundle
from chainsim.experiment.backcast import TARGETS, GridPoint, acceptance_checks, calibrate, with_parameters
from chainsim.experiment.compare import read_observed
from chainsim.experiment.monthly import MONTHLY_COLUMNS
from chainsim.experiment.preflight import preflight
from chainsim.scenario.load import load_scenario
from tests.episode_fixtures import tiny_table

ROOT = Path(__file__).resolve().parents[1]
EPISODES = ROOT / "scenarios" / "episodes"
FIT = ROOT / "validation" / "results" / "covid2020" / "fit.json"


def script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "validation" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name", ["covid2020", "changchun2022"])
def test_episode_validates_with_the_shipped_defaults(name):
    loaded = load_scenario(EPISODES / f"{name}.yaml")
    assert loaded.scenario.calendar is not None and loaded.scenario.replications > 1
    pf = preflight(loaded)
    assert pf.entries == ("baseline",)


@pytest.mark.parametrize("name", ["covid2020", "changchun2022"])
def test_every_lockdown_and_deferral_shares_the_one_fitted_value(name):
    """theta and phi are written once (anchors) and every item takes them: one parameter, not one per item."""
    loaded = load_scenario(EPISODES / f"{name}.yaml")
    thetas = {d.leontief_weight for d in loaded.disruptions if d.type == "lockdown"}
    phis = {d.deferral.share for d in loaded.disruptions
            if d.type == "final_demand_by_category" and d.deferral is not None}
    assert len(thetas) == 1 and len(phis) == 1


def test_both_episodes_state_the_shipped_calibration_output():
    """changchun2022 takes theta and phi from the 2020 calibration output, and nothing else from it."""
    fit = json.loads(FIT.read_text(encoding="utf-8"))
    predict = script("predict_changchun2022")
    for name in ("covid2020", "changchun2022"):
        loaded = load_scenario(EPISODES / f"{name}.yaml")
        predict.check_fit(loaded, fit)  # raises SystemExit on a mismatch
    assert set(fit["targets"]) == {"theta", "phi"}
    assert fit["scenario"] == "scenarios/episodes/covid2020.yaml" and fit["dataset_checksum"]


def test_with_parameters_sets_theta_and_phi_only_where_they_belong():
    items = [{"type": "lockdown", "region": "JL", "absent": 0.5},
             {"type": "final_demand_by_category", "categories": ["gfcf"], "change": -0.2,
              "deferral": {"share": 0.3, "catch_up_days": 45}},
             {"type": "final_demand_by_category", "categories": ["household"], "change": -0.2},
             {"type": "capacity_loss", "region": "JL", "sector": "18", "share": 0.5}]
    out = with_parameters(items, GridPoint(0.25, 0.75), catch_up_days=30)
    assert out[0]["leontief_weight"] == 0.25
    assert out[1]["deferral"] == {"share": 0.75, "catch_up_days": 30.0}
    assert "deferral" not in out[2] and out[3] == items[3]
    assert items[1]["deferral"]["share"] == 0.3  # the input is not changed


TINY = """name: tiny 2020
table: {table}
horizon_days: 182
calendar: {{start: 2020-01-01}}
trend: {{LN: 6.7, JL: 3.1}}
seed: 3
metrics: {{scope: [JL]}}
disruptions:
  - type: lockdown
    region: all
    sectors: industry
    leontief_weight: 0.5
    absent: {{points: [[2020-01-24, 0.0], [2020-02-10, 0.6], [2020-03-20, 0.0]]}}
  - type: final_demand_by_category
    categories: [household, gfcf]
    change: {{points: [[2020-01-24, -0.3], [2020-02-29, -0.3], [2020-05-01, 0.0]]}}
    deferral: {{share: 0.5, catch_up_days: 45}}
"""


def test_calibrate_on_a_tiny_table_picks_the_grid_point_of_least_squares(tmp_path):
    write_csv_bundle(tiny_table(), tmp_path / "tiny")
    path = tmp_path / "s.yaml"
    path.write_text(TINY.format(table=tmp_path / "tiny"), encoding="utf-8")
    cal = calibrate(load_scenario(path), read_observed(), [0.0, 1.0], [0.0, 1.0])
    keys = ["|".join(k) for k in TARGETS]
    assert len(cal.grid) == 4 and set(cal.grid.columns) == {"theta", "phi", "sse", *keys}
    np.testing.assert_allclose(cal.grid.sse, (cal.grid[keys] ** 2).sum(axis=1))
    best = cal.grid.loc[cal.grid.sse.idxmin()]
    assert (cal.theta, cal.phi) == (best.theta, best.phi)
    assert cal.theta_range[0] <= cal.theta_range[1] and cal.phi_range[0] <= cal.phi_range[1]
    # Leontief labour (theta 1) removes more value added in Jan-Feb than the labour share (theta 0)
    at = cal.grid.set_index(["theta", "phi"])["CN|02-26|2020-01/02"]
    assert at[(1.0, 0.0)] < at[(0.0, 0.0)]
    fitted = cal.table[cal.table.role.str.startswith("fitted")]
    assert len(fitted) == 5 and set(fitted.role) == {"fitted: theta", "fitted: phi"}
    row = fitted[fitted.period == "2020-03"].iloc[0]
    assert row.error_pts == pytest.approx(row.model - row.observed)
    assert row.error_pts == pytest.approx(cal.grid.set_index(["theta", "phi"]).loc[(cal.theta, cal.phi),
                                                                                   "CN|02-26|2020-03"])
    assert list(cal.checks.check)[-1].startswith("Jilin deeper than Liaoning")


def test_acceptance_checks_by_hand():
    rows = [("CN", "02-26", p, e) for p, e in (("2020-01/02", 2.0), ("2020-03", -2.9), ("2020-04", 0.1),
                                               ("2020-05", 1.0), ("2020-06", -0.5))]
    rows += [("NORTHEAST", "02-26", "2020-01/02", 3.5), ("CN", "02-05", "2020-01/02", 4.0),
             ("CN", "06-23", "2020-01/02", -1.0), ("CN", "24-26", "2020-01/02", 0.0),
             ("JL", "02-26", "2020-01/03", 0.0), ("LN", "02-26", "2020-01/03", 0.0)]
    table = pd.DataFrame(rows, columns=["geo", "nbs42", "period", "error_pts"])
    table["model"] = [0.0] * (len(rows) - 2) + [-12.0, -8.0]
    checks = acceptance_checks(table).set_index("check")
    assert checks.passed.tolist() == [True, False, True, True]
    ne = checks.loc["Northeast total industry Jan-Feb and March within 3 points"]
    assert (ne.found, ne.worst_error_pts) == (1, np.inf)  # March missing counts as failed


def test_apply_writes_the_fit_into_the_anchors(tmp_path):
    cal = script("calibrate_covid2020")
    copies = []
    for name in ("covid2020", "changchun2022"):
        p = tmp_path / f"{name}.yaml"
        p.write_text((EPISODES / f"{name}.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        for f in ("inputs_covid2020.csv", "inputs_changchun2022.csv"):
            (tmp_path / f).write_text((EPISODES / f).read_text(encoding="utf-8"), encoding="utf-8")
        copies.append(p)
    fit = {"theta": 0.4, "theta_range": [0.2, 0.7], "phi": 0.3, "phi_range": [0.3, 0.3]}
    cal.apply_fit(fit, copies)
    for p in copies:
        loaded = load_scenario(p)
        thetas = {d.leontief_weight for d in loaded.disruptions if d.type == "lockdown"}
        (theta,) = thetas
        assert (theta.low, theta.mode, theta.high) == (0.2, 0.4, 0.7)
        phis = {d.deferral.share for d in loaded.disruptions if getattr(d, "deferral", None) is not None}
        assert phis == {0.3}  # a range that is a point is written as the number
    assert cal.grid_values("0:1:0.25") == [0.0, 0.25, 0.5, 0.75, 1.0]


@pytest.mark.parametrize("name", ["covid2020", "changchun2022"])
def test_episode_runs_and_writes_monthly_csv(name, tmp_path):
    out = tmp_path / name
    assert main(["run", str(EPISODES / f"{name}.yaml"), "--out", str(out), "--no-figures", "--no-trajectories",
                 "--no-report"]) == 0
    df = pd.read_csv(out / "monthly.csv", dtype={"sector": str, "month": str})
    assert tuple(df.columns) == MONTHLY_COLUMNS
    assert {"china", "northeast", "LN", "JL", "HLJ"} <= set(df.scope)
    assert {"industry", "manufacturing", "mining", "utilities", "18"} <= set(df.sector)
    jl = df[(df.scope == "JL") & (df.sector == "industry")]
    assert (jl.value_added_dev_pct < -1.0).any()  # a shock is felt
    assert (jl.value_added_dev_pct_p10 <= jl.value_added_dev_pct + 1e-9).all()
    assert (jl.value_added_dev_pct <= jl.value_added_dev_pct_p90 + 1e-9).all()
    assert jl.value_added_yoy_pct.notna().all()
    if name == "covid2020":
        assert "2020-01/02" in set(df.month)
