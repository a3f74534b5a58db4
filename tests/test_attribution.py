"""Lever attribution: Shapley known answers, efficiency, null levers, pairing with the main run, outputs."""

import numpy as np
import pandas as pd
import pytest

from chainsim.data.toy import load_toy
from chainsim.experiment.attribution import attribution_columns, shapley
from chainsim.experiment.pathway_tables import summary_table
from chainsim.experiment.run import run_scenario
from chainsim.scenario.load import load_scenario


def test_shapley_known_answers():
    # additive game: each player's value is its own
    add = {frozenset(): 0.0, frozenset("a"): 1.0, frozenset("b"): 2.0, frozenset("ab"): 3.0}
    assert shapley("ab", add.__getitem__) == {"a": 1.0, "b": 2.0}
    # glove game (one left glove a, two right gloves b, c): the classic (2/3, 1/6, 1/6)
    def glove(s):
        return float("a" in s and ("b" in s or "c" in s))
    phi = shapley("abc", glove)
    assert phi == pytest.approx({"a": 2 / 3, "b": 1 / 6, "c": 1 / 6})
    assert sum(phi.values()) == pytest.approx(glove("abc"))  # efficiency
    # a null player gets exactly 0
    assert shapley("ax", lambda s: 5.0 * ("a" in s))["x"] == 0.0


TOY = load_toy()
SCENARIO = {
    "name": "toy outage", "horizon_days": 120, "replications": 3, "seed": 4,
    "disruptions": [{"type": "capacity_loss", "region": "R1", "sector": "A", "share": 0.4, "start": 5,
                     "duration": {"distribution": "uniform", "low": 5, "high": 15},
                     "recovery": {"curve": "linear", "days": 40}}],
    "pathways": {"compare": ["baseline", "environment", "dual_wheel"]},
    "metrics": {"scope": ["R1"]},
}


@pytest.fixture(scope="module")
def run():
    return run_scenario(load_scenario(SCENARIO, table=TOY))


def test_shapley_split_adds_up_to_the_pathways_paired_difference(run):
    f = run.attribution.frame
    assert list(f.columns) == attribution_columns("units")  # the toy table names no currency
    env = f[(f.pathway == "environment") & (f.scope == "R1")].set_index("lever")
    total = env.loc["(total)", "shapley_loss_diff_units"]
    assert env.drop("(total)").shapley_loss_diff_units.sum() == pytest.approx(total, rel=1e-9)
    # attribution used every replication here, so its total is the summary's paired difference
    s = summary_table(run).set_index(["pathway", "scope"]).loc[("environment", "R1")]
    assert total == pytest.approx(s.loss_diff_units, rel=1e-9) and total < 0
    # nothing is rebuilt (no 'rebuild' curve): the rebuilding lever is a null player
    assert not env.loc["rebuild_tau", "acts"] and env.loc["rebuild_tau", "shapley_loss_diff_units"] == 0.0
    assert env.loc["recovery_speedup", "acts"]


def test_subset_runs_use_the_same_lever_draws_as_the_main_run(run):
    # the only acting lever alone reproduces the whole pathway exactly: same shocks, same drawn value
    env = run.attribution.frame.query("pathway == 'environment'").set_index("lever")
    assert run.loaded.scenario.levers == "drawn"
    assert env.loc["recovery_speedup", "alone_loss_diff_units"] == pytest.approx(
        env.loc["(total)", "alone_loss_diff_units"], rel=1e-12)


def test_a_pathway_that_changes_nothing_has_no_acting_lever(run):
    # the toy has no manufacturing sector: dual_wheel's levers cannot act
    f = run.attribution.frame.query("pathway == 'dual_wheel'")
    assert list(f.lever) == ["(total)"] and not f.acts.any()
    s = summary_table(run).set_index("pathway")
    assert s.loc["dual_wheel", "effect"] == "no effect"
    assert s.loc["environment", "levers_changed"] == "recovery_speedup"
    assert "recovery_speedup" in s.loc["environment", "attribution"]


def test_one_at_a_time_and_off():
    sc = {**SCENARIO, "pathways": {**SCENARIO["pathways"], "attribution": {"method": "one_at_a_time",
                                                                            "replications": 2}}}
    r = run_scenario(load_scenario(sc, table=TOY))
    f = r.attribution.frame
    assert set(f.method) == {"one_at_a_time"} and f.shapley_loss_diff_units[f.lever != "(total)"].isna().all()
    assert set(f.replications) == {2}
    off = {**SCENARIO, "pathways": {**SCENARIO["pathways"], "attribution": {"method": "off"}}}
    r = run_scenario(load_scenario(off, table=TOY))
    assert r.attribution is None
    assert summary_table(r).set_index("pathway").loc["environment", "attribution"] == ""


def test_attribution_outputs(run, tmp_path):
    from chainsim.experiment.outputs import write_outputs

    paths = write_outputs(run, summary_table(run), tmp_path, trajectories=False)
    att = pd.read_csv(paths["attribution"])
    assert list(att.columns) == attribution_columns("units")  # the toy table names no currency
    assert paths["attribution_figure"].stat().st_size > 10_000
    bands = pd.read_csv(paths["band_sensitivity"])
    assert sorted(set(bands.epsilon)) == [0.005, 0.01, 0.02]
    assert np.isfinite(bands.left_band_share).all()



def test_band_sensitivity_at_the_scenarios_band_is_the_summarys_ttr(run):
    """``band_sensitivity.csv`` at the scenario's own ε repeats ``summary.csv``'s TTR columns (another code path:
    the summary's per-row metrics and paired differences); the baseline's paired difference with itself is 0 at
    every ε; a wider band is left later and re-entered sooner, so no pathway's TTR grows with ε, and the linear
    40-day recovery of the fixture crosses the 0.5 % and the 2 % edges on different days."""
    from chainsim.experiment.bands import band_sensitivity

    bands = band_sensitivity(run)
    eps = run.loaded.scenario.metrics.recovery_tolerance
    cols = ["ttr_days", "ttr_p10", "ttr_p90", "ttr_status", "ttr_diff_days", "ttr_diff_lo", "ttr_diff_hi", "ttr_diff_n"]
    own = bands[bands.epsilon == eps].set_index(["pathway", "scope"])[cols]
    summary = summary_table(run).set_index(["pathway", "scope"]).loc[own.index, cols]
    pd.testing.assert_frame_equal(own, summary, check_dtype=False)
    assert (own.loc[("environment", "R1"), "ttr_diff_days"] < 0) and (own.ttr_diff_n == 3).all()
    base = bands[bands.pathway == "baseline"]
    assert (base[["ttr_diff_days", "ttr_diff_lo", "ttr_diff_hi"]] == 0.0).all().all() and (base.ttr_days > 0).all()
    for _, g in bands.groupby(["pathway", "scope"]):
        ttr = g.sort_values("epsilon").ttr_days
        assert ttr.is_monotonic_decreasing and ttr.iloc[0] > ttr.iloc[-1], g

def test_attribution_batches_on_workers_give_the_serial_attribution(monkeypatch):
    # issue 22: with workers the attribution's engine batches run in a pool; several batches (CHUNK 2)
    # must give the serial frame exactly
    import chainsim.experiment.attribution as attr

    monkeypatch.setattr(attr, "CHUNK", 2)
    calls = []
    real = attr._chunk_series
    monkeypatch.setattr(attr, "_chunk_series", lambda *a: calls.append(1) or real(*a))
    serial = run_scenario(load_scenario(SCENARIO, table=TOY), workers=1)
    assert len(calls) > 1  # several batches, in this process
    calls.clear()
    pooled = run_scenario(load_scenario(SCENARIO, table=TOY), workers=2)
    assert not calls  # every batch ran in a worker
    f = serial.attribution.frame
    assert len(f) and f.acts.astype(bool).any()
    pd.testing.assert_frame_equal(f, pooled.attribution.frame)


def test_a_members_series_does_not_depend_on_its_batch(monkeypatch):
    # the attribution's members are split into batches of at most CHUNK (an even number of batches): the
    # split changes nothing, to the last bit
    import chainsim.experiment.attribution as attr

    frames = []
    for chunk in (2, 3, 100):
        monkeypatch.setattr(attr, "CHUNK", chunk)
        frames.append(run_scenario(load_scenario(SCENARIO, table=TOY), workers=1).attribution.frame)
    assert frames[0].acts.astype(bool).any()
    for f in frames[1:]:
        pd.testing.assert_frame_equal(frames[0], f, check_exact=True)



def _progress_of(**kw):
    """Every ``progress(what, done, total)`` call of the toy run, in order."""
    seen = []
    run = run_scenario(load_scenario(SCENARIO, table=TOY), progress=lambda *call: seen.append(call), **kw)
    return run, seen


#: environment's three changed levers: 2^3 - 2 = 6 lever subsets x 3 replications = 18 members, 9 batches of 2
BATCHES = 9


def test_attribution_progress_counts_every_batch_once_up_to_the_total(monkeypatch):
    """The progress bar of a serial run: pathways 1..3 of 3, then attribution batches 1..9 of 9.

    The mutation audit found that a wrong ``done`` count passed every test."""
    import chainsim.experiment.attribution as attr

    monkeypatch.setattr(attr, "CHUNK", 2)
    batches = []
    real = attr._chunk_series
    monkeypatch.setattr(attr, "_chunk_series", lambda *a: batches.append(len(a[3])) or real(*a))
    _, seen = _progress_of()
    assert (len(batches), sum(batches)) == (BATCHES, 18)
    assert seen == [("baseline", 1, 3), ("environment", 2, 3), ("dual_wheel", 3, 3),
                    *(("attribution", k, BATCHES) for k in range(1, BATCHES + 1))]


def test_attribution_progress_on_workers_counts_up_to_the_total_in_any_finishing_order(monkeypatch, run):
    """With a pool the batches end in any order, yet the count still goes 1..n of n: through run_scenario (the
    pathways' pool) and through run_attribution's own pool."""
    import chainsim.experiment.attribution as attr
    from chainsim.experiment.run import replication_seeds

    monkeypatch.setattr(attr, "CHUNK", 2)
    expected = [("attribution", k, BATCHES) for k in range(1, BATCHES + 1)]
    _, seen = _progress_of(workers=2)
    pathways, batches = seen[:3], seen[3:]  # the batches are reported once every pathway is in
    assert {c[0] for c in pathways} == {"baseline", "environment", "dual_wheel"}
    assert [c[1:] for c in pathways] == [(1, 3), (2, 3), (3, 3)]
    assert batches == expected
    seen = []
    sc = run.loaded.scenario
    pooled = attr.run_attribution(run.loaded, run.pathways, replication_seeds(sc.seed, sc.replications),
                                  {e: r.lever_fulls for e, r in run.pathways.items()},
                                  progress=lambda *call: seen.append(call), workers=2)
    assert seen == expected
    pd.testing.assert_frame_equal(pooled.frame, run.attribution.frame)


def test_attribution_batches_are_reported_once_every_pathway_is_in(monkeypatch, run):
    """The CLI closes the run's bar at the first batch reported: a batch that ends while a pathway still runs
    is reported after it. A pathway task that sleeps 0.6 s holds one worker while the other runs the toy's 9
    batches (tens of ms each), yet the count starts only after that pathway is done and still goes 1..9."""
    import time

    import chainsim.experiment.attribution as attr
    from chainsim.experiment.pool import run_in_pool
    from chainsim.experiment.run import replication_seeds

    monkeypatch.setattr(attr, "CHUNK", 2)
    sc = run.loaded.scenario
    plan = attr.plan_attribution(run.loaded, {e: r.plan for e, r in run.pathways.items()},
                                 replication_seeds(sc.seed, sc.replications),
                                 {e: r.lever_fulls for e, r in run.pathways.items()})
    log = []
    runs, sums = run_in_pool(run.loaded, {"slow": (time.sleep, (0.6,)), "quick": (abs, (-1,))}, plan.chunks, 2,
                             done=lambda e: log.append(("done", e)), progress=lambda *call: log.append(call))
    assert runs == {"slow": None, "quick": 1} and all(s is not None for s in sums)
    assert sorted(log[:2]) == [("done", "quick"), ("done", "slow")]
    assert log[2:] == [("attribution", k, BATCHES) for k in range(1, BATCHES + 1)]
