"""Scenario runs: shared draws across pathways, reproducibility from the seed, summary contents."""

import json

import numpy as np
import pandas as pd
import pytest

from chainsim.cli import main
from chainsim.disruptions import direct_shock
from chainsim.experiment.pathway_tables import summary_table
from chainsim.experiment.run import replication_seeds, run_scenario
from chainsim.scenario.load import load_scenario

SCENARIO = {
    "name": "LN steel outage", "horizon_days": 200, "seed": 7, "replications": 3,
    "disruptions": [{"type": "capacity_loss", "region": "LN", "sector": "14", "share": 0.5, "start": 10,
                     "duration": {"distribution": "uniform", "low": 10, "high": 30},
                     "recovery": {"curve": "linear", "days": 60}}],
    "pathways": {"compare": ["baseline", "environment", "dual_wheel"], "intensity": 0.5,
                 "costs": {"environment": 3.0}},  # at θ 0.5: 1.5 bn CNY (not 1, which hides / against *)
    "metrics": {"scope": ["northeast", "LN", "LN|14"], "recovery_band": "below"},
}


@pytest.fixture(scope="module")
def run():
    return run_scenario(load_scenario(SCENARIO))



def test_loss_drivers_share_the_pathways_loss_and_lead_with_the_shocked_industry(run):
    """``loss_drivers`` (run.json, the report): every losing region-sector's share of the total loss; over all of
    them the shares add up to 1, largest first, the top 5 a prefix; Liaoning steel, whose capacity is halved,
    leads the baseline's list."""
    from chainsim.experiment.pathway_tables import loss_drivers

    every = loss_drivers(run, "baseline", top=run.table.n_industries)
    assert len(every) > 5 and sum(d["share"] for d in every) == pytest.approx(1.0, rel=1e-12)
    losses = [d["loss"] for d in every]
    assert losses == sorted(losses, reverse=True) and min(losses) > 0
    assert all(d["share"] == pytest.approx(d["loss"] / sum(losses), rel=1e-12) for d in every)
    assert loss_drivers(run, "baseline") == every[:5]
    assert (every[0]["region"], every[0]["sector"]) == ("LN", "14")

def test_pathways_share_the_same_random_draws(run):
    starts = {e: [(s["batch"], s["start"], s["duration"]) for s in pr.samples] for e, pr in run.pathways.items()}
    assert starts["baseline"] == starts["dual_wheel"]
    durations = [d for _, _, d in starts["baseline"]]
    assert len(set(durations)) > 1  # replications differ from each other


def test_same_seed_same_numbers_and_provenance(run):
    again = run_scenario(load_scenario(SCENARIO))
    for e in run.pathways:
        np.testing.assert_array_equal(run.pathways[e].output, again.pathways[e].output)
    assert run.provenance["scenario_sha256"] == again.provenance["scenario_sha256"]
    other = run_scenario(load_scenario({**SCENARIO, "seed": 8}))
    assert not np.array_equal(other.pathways["baseline"].output, run.pathways["baseline"].output)
    seeds = replication_seeds(7, 3)
    assert [s.spawn_key for s in seeds] == [(0,), (1,), (2,)]


def test_summary_is_consistent_with_trajectories(run):
    df = summary_table(run)
    assert set(df.pathway) == {"baseline", "environment", "dual_wheel"}
    assert set(df.scope) == {"northeast", "LN", "LN|14"}
    base = df[(df.pathway == "baseline") & (df.scope == "LN|14")].iloc[0]
    assert 0.4 < base.depth <= 0.5 + 1e-9  # half of the capacity lost, partly offset by overproduction
    # after the outage LN|14 produces above baseline for months (ARIO restocking with raised α):
    # with the one-sided band that catch-up counts as recovered
    assert base.recovered_share == 1.0 and base.ttr_days > 0 and base.level_at_horizon > 1.0
    assert base.trough_day >= 10
    # faster recovery (environment) saves time at a cost: the paired TTR saving per bn CNY is reported
    env = df[(df.pathway == "environment") & (df.scope == "LN|14")].iloc[0]
    assert env.ttr_days < base.ttr_days and env.ttr_diff_days < 0
    assert env.cost_bn_cny == pytest.approx(1.5)  # 3.0 bn CNY at full intensity x θ 0.5
    assert env.days_saved_per_bn_cny == pytest.approx(-env.ttr_diff_days / 1.5)
    assert env.benefit_cost_ratio == pytest.approx(-env.loss_diff_cny / 1.5e9)
    assert env.cost_basis == "user input (no basis given)"
    assert "no cost model" in df[df.pathway == "dual_wheel"].cost_basis.iloc[0]
    assert env.levers_changed and "recovery_speedup" in env.levers_changed
    # loss in CNY = sum of daily shortfalls x 1e4 (table in 10k CNY), median over replications
    pr = run.pathways["baseline"]
    mask = np.array([lab == ("LN", "14") for lab in run.table.labels])
    losses = [(pr.baseline[mask].sum() - pr.output[b][:, mask].sum(axis=1)).sum() * 1e4 for b in range(3)]
    assert base.loss_cny == pytest.approx(float(np.median(losses)))


def test_direct_shock_of_a_capacity_loss():
    loaded = load_scenario(SCENARIO)
    d = SCENARIO["disruptions"][0]
    k = loaded.table.industry_index("LN", "14")
    value = direct_shock(loaded.table, d, {"share": 0.5, "duration": 20, "tau": 60, "curve": "linear"})
    # 20 days at full loss plus a linear recovery worth (60 + 1) / 2 days of full loss
    assert value == pytest.approx(0.5 * loaded.table.x[k] / 365 * (20 + 30.5))


def test_run_json_records_reproducibility_fields(tmp_path):
    import yaml

    p = tmp_path / "s.yaml"
    p.write_text(yaml.safe_dump(SCENARIO, allow_unicode=True), encoding="utf-8")
    assert main(["run", str(p), "--out", str(tmp_path / "a"), "--no-figures", "--no-trajectories"]) == 0
    assert main(["run", str(p), "--out", str(tmp_path / "b"), "--no-figures", "--no-trajectories"]) == 0
    a = json.loads((tmp_path / "a" / "run.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "b" / "run.json").read_text(encoding="utf-8"))
    for key in ("chainsim_version", "scenario_sha256", "dataset_checksum", "seed", "replication_seeds", "params"):
        assert a[key] == b[key]
    assert (tmp_path / "a" / "summary.csv").read_text() == (tmp_path / "b" / "summary.csv").read_text()


def test_pathway_that_changes_nothing_is_reported_not_ranked_silently(capsys, tmp_path):
    from chainsim.data.csv_layout import write_csv_layout
    from chainsim.data.toy import load_toy

    write_csv_layout(load_toy(), tmp_path / "toy")
    sc = {"name": "toy", "table": "toy", "horizon_days": 60, "replications": 1,
          "disruptions": [{"type": "capacity_loss", "region": "R1", "sector": "A", "share": 0.3, "start": 5,
                           "duration": 5, "recovery": {"curve": "linear", "days": 20}}],
          "pathways": {"compare": ["baseline", "opening_up", "environment"]}, "metrics": {"scope": ["R1"]}}
    import yaml

    (tmp_path / "s.yaml").write_text(yaml.safe_dump(sc), encoding="utf-8")
    loaded = load_scenario(tmp_path / "s.yaml")
    run = run_scenario(loaded)
    # one region, no imports: neither other origins nor a supplier search can act
    assert run.inert_pathways() == ["opening_up"]
    df = summary_table(run)
    assert df.set_index("pathway").loc["opening_up", "levers_changed"] == "none (identical to baseline)"
    assert main(["run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "o"), "--no-figures"]) == 0
    assert "pathway 'opening_up' changes nothing in this scenario" in capsys.readouterr().out


def test_public_ranking_and_scope_trajectories(run):
    from chainsim.experiment.pathway_tables import ranking_table, scope_trajectories

    ranked = ranking_table(summary_table(run), "LN|14")
    assert list(ranked.columns[:2]) == ["rank", "pathway"] and ranked["rank"].is_monotonic_increasing
    env = ranked.set_index("pathway").loc["environment"]
    assert env["rank"] == 1 and env.effect == "better"  # faster recovery of LN steel (it may tie with dual_wheel)
    traj = scope_trajectories(run, "LN|14")
    assert traj.shape == (200, 9) and traj.columns.names == ["pathway", "replication"]
    assert traj[("baseline", 0)].iloc[0] == pytest.approx(1.0)
    assert traj[("baseline", 0)].min() == pytest.approx(1 - ranked.set_index("pathway").loc["baseline", "depth"],
                                                         abs=0.02)


def test_overrides_change_the_scenario_and_its_hash():
    a = load_scenario(SCENARIO)
    b = load_scenario(SCENARIO, overrides={"replications": 1, "pathways": {"intensity": 1.0}})
    assert b.scenario.replications == 1 and b.scenario.pathways.intensity == 1.0
    assert b.scenario.pathways.compare == a.scenario.pathways.compare  # nested blocks are merged
    assert a.sha256 != b.sha256


def test_recurring_disruption_counts_every_outage_in_the_direct_shock():
    """Issue #19 item 8: with ``recurrence`` only the first outage was paired with its disruption
    (``zip(strict=False)``), so the amplification ratio came out several times too large."""
    from chainsim.data.scopes import scope_mask

    sc = {"name": "recurring", "horizon_days": 200, "seed": 3, "replications": 2,
          "disruptions": [{"type": "capacity_loss", "region": "LN", "sector": "14", "share": 0.3, "start": 10,
                           "duration": 1, "recurrence": {"p_disrupt": 0.03, "p_recover": 0.1},
                           "recovery": {"curve": "linear", "days": 20}}],
          "pathways": {"compare": ["baseline"]}, "metrics": {"scope": ["northeast"]}}
    run = run_scenario(load_scenario(sc))
    pr, t = run.pathways["baseline"], run.table
    assert max(sum(s["batch"] == b for s in pr.samples) for b in range(2)) > 1  # several outages
    m = scope_mask(t, "northeast")
    amp = []
    for b in range(2):
        loss = (pr.baseline[m].sum() * 200 - pr.output[b][:, m].sum()) * t.cny_per_unit
        direct = sum(direct_shock(t, sc["disruptions"][0], s) for s in pr.samples if s["batch"] == b)
        amp.append(loss / (direct * t.cny_per_unit))
    assert summary_table(run).amplification.iloc[0] == pytest.approx(float(np.median(amp)), rel=1e-9)


def test_one_sided_band_is_the_default():
    from chainsim.scenario.schema import Scenario

    assert Scenario(name="x", horizon_days=10).metrics.recovery_band == "below"


TINY = {"name": "tiny", "horizon_days": 120, "seed": 1, "replications": 2,
        "disruptions": [{"type": "capacity_loss", "region": "LN", "sector": "14", "share": 0.02, "start": 10,
                         "duration": 10, "recovery": {"curve": "linear", "days": 10}}],
        "pathways": {"compare": ["baseline", "environment"], "attribution": {"method": "off"}},
        "metrics": {"scope": ["northeast", "LN|14"]}}


def test_a_run_that_stayed_in_the_band_is_not_a_ttr_of_zero():
    df = summary_table(run_scenario(load_scenario(TINY))).set_index(["pathway", "scope"])
    ne = df.loc[("baseline", "northeast")]
    assert ne.left_band_share == 0 and ne.ttr_status == "did not leave the band" and pd.isna(ne.ttr_days)
    assert not (df.ttr_days == 0).any()
    assert df.loc[("baseline", "LN|14"), "ttr_status"] == "recovered"


def test_a_shock_too_small_to_measure_is_not_ranked():
    df = summary_table(run_scenario(load_scenario(TINY))).set_index(["pathway", "scope"])
    # a 2 % outage of Liaoning steel for 10 days costs the Northeast ~0.01 days of output: below NBS resolution
    assert df.loc[("baseline", "northeast"), "loss_days"] < 0.0304
    assert (df.xs("northeast", level="scope").effect == "no measurable effect").all()
    assert df.xs("northeast", level="scope")["rank"].isna().all()
    assert df.loc[("environment", "LN|14"), "rank"] == 1  # the plant itself still ranks


def test_levers_are_drawn_per_replication_paired_across_pathways_and_fixed_on_request():
    sc = {**SCENARIO, "pathways": {"compare": ["environment", "environment+dual_wheel"],
                                   "attribution": {"method": "off"}}, "replications": 3}
    run = run_scenario(load_scenario(sc))
    assert list(run.pathways) == ["baseline", "environment", "environment+dual_wheel"]  # baseline is the reference
    env = [v["recovery_speedup"] for v in run.pathways["environment"].lever_values]
    both = [v["recovery_speedup"] for v in run.pathways["environment+dual_wheel"].lever_values]
    assert env == both and len(set(env)) == 3  # one draw per replication, the same in every pathway
    fixed = run_scenario(load_scenario({**sc, "levers": "fixed"}))
    central = fixed.pathways["environment"].plan.levers["recovery_speedup"]
    assert [v["recovery_speedup"] for v in fixed.pathways["environment"].lever_values] == [central] * 3
    # the shocks are the same draws whether levers are drawn or fixed
    assert fixed.pathways["baseline"].samples == run.pathways["baseline"].samples
