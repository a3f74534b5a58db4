"""Scenario sweeps end to end: CLI, outputs, ranking, resume after a crash, determinism across workers."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chainsim.cli import main
from chainsim.errors import ScenarioError
from chainsim.sweeps import load_sweep, run_sweep
from chainsim.sweeps.evaluate import run_config

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "electronics_import_cut.yaml"

TINY = f"""name: tiny electronics sweep
scenario: {SCENARIO}
design: {{method: sobol, samples: 4}}
horizon_days: 150
factors:
  pathways.tech_self_reliance: [0, 1]
  pathways.opening_up: [0, 1]
  disruptions[0].share: [0.3, 0.9]
  params.inventory_scale: [0.33, 1.33]
outputs: [ttr_days, loss_cny, depth]
scope: LN
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("sweep") / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def serial(tiny, tmp_path_factory):
    return run_sweep(tiny, out_dir=tmp_path_factory.mktemp("serial"), workers=1, progress=False, chunk_size=6,
                     figures=False)


def test_cli_end_to_end(tiny, tmp_path, capsys, serial):
    out = tmp_path / "cli"
    assert main(["sweep", str(tiny), "--workers", "2", "--out", str(out), "--chunk-size", "6", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "== ttr_days" in printed and "fastest pathway" in printed
    for name in ("runs.parquet", "sensitivity.csv", "ranking.csv", "sweep.json", "manifest.json",
                 "sensitivity.png", "tornado.png", "ttr_by_pathway.png"):
        assert (out / name).is_file(), name
    runs = pd.read_parquet(out / "runs.parquet")
    pd.testing.assert_frame_equal(runs, serial.runs)  # 2 processes == serial
    prov = json.loads((out / "sweep.json").read_text())
    for key in ("chainsim_version", "sweep_sha256", "sweep_file_sha256", "scenario_sha256", "dataset_checksum",
                "seed", "design"):
        assert prov[key] is not None, key
    assert prov["design"]["runs"] == len(runs) == 4 * (5 + 2)
    sens = pd.read_csv(out / "sensitivity.csv")
    assert set(sens.factor) == {"pathways.tech_self_reliance", "pathways.opening_up", "disruptions[0].share",
                                "params.inventory_scale", "seed"}
    assert set(sens.output) == {"ttr_days", "loss_cny", "depth"}


def test_runs_are_tidy_and_censoring_honest(serial):
    runs = serial.runs
    assert runs.run_id.tolist() == list(range(len(runs)))
    assert runs.ranked.sum() == 4  # the A rows
    # a censored TTR is NaN with recovered False, never a number
    assert runs.loc[~runs.recovered, "ttr_days"].isna().all()
    assert runs.loc[runs.recovered, "ttr_days"].notna().all()
    assert (runs.ttr_cap > 0).all()
    ranked = runs[runs.ranked]
    for p in ("tech_self_reliance", "opening_up"):
        assert ranked[f"single.{p}.loss_cny"].notna().all()
        assert runs.loc[~runs.ranked, f"single.{p}.loss_cny"].isna().all()
    cens = serial.sensitivity.query("output == 'ttr_days'").censored_share.iloc[0]
    assert cens == pytest.approx(1 - runs.recovered.mean())


def test_ranking_counts_every_sample_once(serial):
    r = serial.ranking
    assert list(r.columns[:3]) == ["pathway", "wins", "share_fastest"]
    assert r.wins.sum() == pytest.approx(4)
    assert r.share_fastest.sum() == pytest.approx(1)
    assert r.pathway.iloc[-1] == "none_recovered"


def test_resume_after_crash_gives_identical_runs(tiny, tmp_path, serial):
    out = tmp_path / "crash"
    calls = []

    def crash_after_two_chunks(done, total):
        calls.append(done)
        if len(calls) == 3:  # initial call + 2 finished chunks
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(tiny, out_dir=out, workers=1, progress=crash_after_two_chunks, chunk_size=6, figures=False)
    assert len(list((out / "chunks").glob("part-*.parquet"))) == 2
    assert not (out / "runs.parquet").exists()
    with pytest.raises(ScenarioError, match="--resume"):
        run_sweep(tiny, out_dir=out, workers=1, progress=False, chunk_size=6, figures=False)
    seen = []
    res = run_sweep(tiny, out_dir=out, workers=2, resume=True, progress=lambda d, t: seen.append(d), figures=False)
    assert seen[0] == 2 * res.design.block  # the two finished chunks (chunk size rounded up to a block) skipped
    assert res.provenance["chunks_run_this_call"] == 2
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), serial.runs)


def test_resume_refuses_another_sweep(tiny, tmp_path):
    out = tmp_path / "x"
    run_sweep(tiny, out_dir=out, workers=1, progress=False, chunk_size=6, figures=False, samples=2)
    with pytest.raises(ScenarioError, match="different sweep"):
        run_sweep(tiny, out_dir=out, workers=1, resume=True, progress=False, chunk_size=6, figures=False)


def test_run_config_applies_factors(tiny):
    spec = load_sweep(tiny)
    from chainsim.scenario.load import load_scenario

    sc = load_scenario(SCENARIO).scenario
    row = {"pathways.tech_self_reliance": 1.0, "pathways.opening_up": 0.0, "disruptions[0].share": 0.5,
           "params.inventory_scale": 0.5, "seed": 0.1}
    params, dis = run_config(spec, sc, row)
    assert dis[0]["share"] == 0.5 and dis[0]["start"] == 30
    from chainsim.pathways.registry import LEVERS

    full, _ = LEVERS["substitution_share"].range_for(["20"])  # the scenario cuts electronics (NBS 20)
    assert params["inventory_scale"] == 0.5 and params["substitution_share"] == pytest.approx(full.full)
    alone, _ = run_config(spec, sc, row, only="opening_up")
    assert "substitution_share" not in alone and alone["inventory_scale"] == 0.5


def test_swept_parameter_moved_by_its_lever(tmp_path):
    # digital_green's inventory lever scales the swept inventory_scale by lever(θ)
    path = tmp_path / "s.yaml"
    path.write_text(TINY.replace("pathways.opening_up", "pathways.digital_green"), encoding="utf-8")
    spec = load_sweep(path)
    from chainsim.scenario.load import load_scenario

    sc = load_scenario(SCENARIO).scenario
    row = {"pathways.tech_self_reliance": 0.0, "pathways.digital_green": 0.5, "disruptions[0].share": 0.5,
           "params.inventory_scale": 0.5, "seed": 0.1}
    params, _ = run_config(spec, sc, row)
    from chainsim.pathways.registry import LEVERS

    scale = LEVERS["inventory_scale"].value(0.5)
    assert params["inventory_scale"] == pytest.approx(0.5 * scale)  # the lever scales the swept stocks
    assert np.isfinite(params["detection_lag_days"])


CAPACITY = """name: capacity loss in Liaoning's metal smelting
dataset: northeast-2017
horizon_days: 200
seed: 7
disruptions:
  - type: capacity_loss
    region: LN
    sector: "14"
    share: 0.5
    start: 10
    recovery: {curve: linear, days: 100}
"""
CENSORING = """name: censoring
scenario: scen.yaml
design: {method: sobol, samples: 4}
factors:
  pathways.environment: [0, 1]
  disruptions[0].share: [0.1, 0.6]
  disruptions[0].recovery.days: [30, 400]
outputs: [ttr_days, loss_cny]
scope: LN
"""


def test_censored_ttr_is_nan_and_capped_in_analysis(tmp_path):
    from chainsim.sweeps.analysis import analysis_values

    (tmp_path / "scen.yaml").write_text(CAPACITY, encoding="utf-8")
    (tmp_path / "sw.yaml").write_text(CENSORING, encoding="utf-8")  # scenario path relative to the sweep file
    res = run_sweep(tmp_path / "sw.yaml", out_dir=tmp_path / "out", workers=1, progress=False, figures=False)
    runs = res.runs
    censored = ~runs.recovered
    assert 0 < censored.sum() < len(runs)  # slow recoveries outlast the 200-day horizon
    assert runs.loc[censored, "ttr_days"].isna().all()
    y, share = analysis_values(runs, "ttr_days")
    np.testing.assert_array_equal(y[censored.to_numpy()], runs.loc[censored, "ttr_cap"])
    assert (y[censored.to_numpy()] >= runs.loc[runs.recovered, "ttr_days"].max()).all()
    sens = res.sensitivity.set_index(["output", "factor"])
    assert sens.loc[("ttr_days", "disruptions[0].recovery.days"), "censored_share"] == pytest.approx(share)
    assert np.isfinite(sens.loc[("ttr_days", "disruptions[0].recovery.days"), "ST"])
    assert res.ranking.set_index("pathway").wins.sum() == pytest.approx(4)


def test_process_pool_crash_is_recovered(tiny, tmp_path, serial):
    import multiprocessing
    import os
    import signal

    killed = []

    def kill_a_pool_worker(done, total):
        if done and not killed:
            child = multiprocessing.active_children()[0]
            os.kill(child.pid, signal.SIGKILL)  # BrokenProcessPool: the pool restarts for the unfinished chunks
            killed.append(child.pid)

    res = run_sweep(tiny, out_dir=tmp_path / "pool", workers=2, chunk_size=6, progress=kill_a_pool_worker,
                    figures=False)
    assert killed
    pd.testing.assert_frame_equal(res.runs, serial.runs)


def test_shipped_sweep_file_runs_end_to_end(tmp_path, capsys):
    shipped = ROOT / "sweeps" / "electronics_pathway_sensitivity.yaml"
    out = tmp_path / "shipped"
    assert main(["sweep", str(shipped), "--samples", "2", "--workers", "2", "--out", str(out), "--no-figures",
                 "--no-progress"]) == 0
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 2 * (9 + 2) and runs.ranked.sum() == 2
    ranking = pd.read_csv(out / "ranking.csv")
    assert set(ranking.pathway) == {"tech_self_reliance", "opening_up", "dual_wheel", "digital_green", "environment",
                                    "none_recovered"}
    assert json.loads((out / "sweep.json").read_text())["horizon_days"] == 365


def test_worker_without_the_scenario_file_uses_its_content(tiny):
    # a remote Dask worker may not see the sweep's files: the spec carries the scenario's content
    from dataclasses import replace

    from chainsim.sweeps import evaluate_chunk, make_design

    spec = load_sweep(tiny)
    rows = make_design(spec).matrix.to_dict("records")[:2]
    elsewhere = replace(spec, scenario_path=Path("/nonexistent/scenario.yaml"))
    here, there = pd.DataFrame(evaluate_chunk(spec, rows)), pd.DataFrame(evaluate_chunk(elsewhere, rows))
    pd.testing.assert_frame_equal(there, here)


def test_pool_workers_are_primed_with_the_coordinators_scenario(tiny):
    # pool workers get the loaded scenario from the coordinator (initializer) rather than re-reading it
    from dataclasses import replace

    from chainsim.sweeps import evaluate_chunk, make_design
    from chainsim.sweeps.evaluate import prime, scenario_of

    spec = load_sweep(tiny)
    rows = make_design(spec).matrix.to_dict("records")[:2]
    loaded = scenario_of(spec)
    elsewhere = replace(spec, scenario_path=Path("/nonexistent/scenario.yaml"), scenario_data=None)
    try:
        prime(elsewhere, loaded)
        assert scenario_of(elsewhere) is loaded  # no file read: the path does not exist
        primed = pd.DataFrame(evaluate_chunk(elsewhere, rows))
    finally:
        prime(elsewhere, None)
    pd.testing.assert_frame_equal(primed, pd.DataFrame(evaluate_chunk(spec, rows)))
    with pytest.raises(ScenarioError):  # the cache is cleared again: the missing file is an error
        scenario_of(elsewhere)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_pool_results_do_not_depend_on_how_workers_start(tiny, tmp_path, serial, monkeypatch, method):
    import multiprocessing

    from chainsim.sweeps import runner

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method on this platform")
    monkeypatch.setattr(runner, "pool_start_method", lambda: method)
    res = run_sweep(tiny, out_dir=tmp_path / method, workers=2, chunk_size=6, progress=False, figures=False)
    pd.testing.assert_frame_equal(res.runs, serial.runs)


def test_workers_are_forked_only_from_a_single_threaded_linux_process():
    import sys
    import threading

    from chainsim.sweeps.runner import pool_start_method

    stop = threading.Event()
    t = threading.Thread(target=stop.wait, daemon=True)
    t.start()
    try:
        assert pool_start_method() == "spawn"  # a thread could hold a lock across the fork
    finally:
        stop.set()
        t.join()
    if threading.active_count() == 1:
        assert pool_start_method() == ("fork" if sys.platform.startswith("linux") else "spawn")


def test_the_progress_bar_starts_no_thread():
    # tqdm's monitor thread would make every CLI sweep spawn its workers instead of forking them
    import threading

    from chainsim.sweeps.runner import _progress_bar

    before = threading.active_count()
    step = _progress_bar(True, 3, 0)
    step(3)
    assert threading.active_count() == before


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_pool_workers_run_one_blas_thread(method):
    # a forked worker inherits the coordinator's BLAS, which may run several threads
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from threadpoolctl import threadpool_info, threadpool_limits

    from chainsim.sweeps.runner import _init_worker, _single_blas_thread

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} start method on this platform")
    with threadpool_limits(limits=2, user_api="blas"), _single_blas_thread(), ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context(method), initializer=_init_worker, initargs=(None, None)) as ex:
        info = ex.submit(threadpool_info).result()  # the worker starts (forks) here, under the limit of 2
    blas = [i["num_threads"] for i in info if i["user_api"] == "blas"]
    assert blas and set(blas) == {1}


CAPACITY = """name: capacity loss, Liaoning metal smelting
dataset: northeast-2017
horizon_days: 120
seed: 3
disruptions:
  - {type: capacity_loss, region: LN, sector: "14", share: 0.5, start: 10, duration: 1,
     recovery: {curve: linear, days: 60}}
"""


def _shock_uncertainty_sweep(folder, samples):
    """A sweep of the capacity loss's share and recovery days only (every run has the same params), and its rows."""
    from chainsim.sweeps import make_design

    (folder / "cap.yaml").write_text(CAPACITY, encoding="utf-8")
    spec = load_sweep({"name": "shock uncertainty", "scenario": str(folder / "cap.yaml"),
                       "design": {"method": "lhs", "samples": samples},
                       "factors": {"disruptions[0].share": [0.3, 0.7], "disruptions[0].recovery.days": [30, 90]},
                       "outputs": ["ttr_days", "loss_cny", "depth"], "scope": "northeast",
                       "ranking": {"enabled": False}}, base_dir=folder)
    return spec, make_design(spec).matrix.to_dict("records")


def test_runs_sharing_their_params_build_one_model_and_the_batch_size_leaves_results_unchanged(tmp_path,
                                                                                                 monkeypatch):
    # the default model runs 8 to a batch even when every run shares its params (its state arrays
    # outgrow the cache at 16: docs/performance.md); the shared model is built once per chunk, and
    # the batch size does not move any result
    import chainsim.engine
    from chainsim.engine import resolve_params
    from chainsim.sweeps import evaluate, evaluate_chunk

    spec, rows = _shock_uncertainty_sweep(tmp_path, 12)
    assert evaluate.batch_size(resolve_params({})) == evaluate.MAX_BATCH == 8
    assert evaluate.batch_size(resolve_params("ario")) == evaluate.WIDE_BATCH == 16

    sizes, builds = [], []
    real, real_build = evaluate._run_batch, chainsim.engine.build_model
    monkeypatch.setattr(evaluate, "_run_batch", lambda *a: sizes.append(len(a[5])) or real(*a))
    monkeypatch.setattr(chainsim.engine, "build_model", lambda *a: builds.append(1) or real_build(*a))
    narrow = pd.DataFrame(evaluate_chunk(spec, rows))
    assert sizes == [8, 4] and len(builds) == 1
    monkeypatch.setattr(evaluate, "MAX_BATCH", 5)
    other = pd.DataFrame(evaluate_chunk(spec, rows))
    assert sizes == [8, 4, 5, 5, 2] and len(builds) == 2
    pd.testing.assert_frame_equal(narrow, other, check_exact=False, rtol=1e-9)
    assert narrow.depth.nunique() == 12  # every run its own shock


def test_chunks_run_in_threads_at_once_give_serial_results(tmp_path):
    # a Dask worker with several threads runs chunks concurrently: reused buffers are per thread
    from concurrent.futures import ThreadPoolExecutor

    from chainsim.sweeps import evaluate_chunk

    spec, rows = _shock_uncertainty_sweep(tmp_path, 32)
    chunks = [rows[:16], rows[16:]] * 2
    serial = [pd.DataFrame(evaluate_chunk(spec, c)) for c in chunks]
    with ThreadPoolExecutor(4) as ex:
        threaded = [pd.DataFrame(r) for r in ex.map(lambda c: evaluate_chunk(spec, c), chunks)]
    for a, b in zip(serial, threaded, strict=True):
        pd.testing.assert_frame_equal(a, b)
