"""Sweeps on a real Dask LocalCluster (loopback, worker processes): lost workers, failing chunks, stalls.

Every test here has a time limit (pytest-timeout, a test extra): a Dask coordinator that waits
forever must fail its test, with every thread's stack printed, not hang CI. Alone each test
takes 5-15 s on two cores; the limit is generous for a loaded machine.
"""

import os
import signal
from contextlib import contextmanager

import pandas as pd
import pytest

from chainsim.errors import SimulationError
from chainsim.sweeps import SweepSpec, make_design, run_sweep
from chainsim.sweeps.store import finished_chunks
from tests import dask_models
from tests.test_sweep_run import CAPACITY

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.timeout(300)  # seconds; see the module docstring

SWEEP = """name: dask kill test
scenario: scen.yaml
design: {method: sobol, samples: 8}
horizon_days: 150
factors:
  pathways.environment: [0, 1]
  disruptions[0].share: [0.1, 0.6]
  disruptions[0].recovery.days: [30, 300]
outputs: [ttr_days, loss_cny]
scope: LN
"""


def _spec(model):
    """An analytic sweep of 8 Sobol samples of x1, x2 and the seed: 8 blocks of 5 runs, one block per chunk."""
    return SweepSpec.analytic(f"dask {model.__name__}", {"x1": (0.0, 1.0), "x2": (0.0, 1.0)}, model, samples=8,
                              seed=3)


def _sweep(spec, out, **kw):
    return run_sweep(spec, out_dir=out, chunk_size=5, progress=kw.pop("progress", False), figures=False, **kw)


@contextmanager
def _cluster(n_workers, **env):
    """A LocalCluster whose worker processes get ``env`` (the test process does not)."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, silence_logs=50, env=env)
    try:
        client = Client(cluster)
        try:
            yield cluster, client
        finally:
            client.close(timeout=60)
    finally:
        cluster.close(timeout=60)  # bounded: a test stopped by its time limit must not hang in teardown


@pytest.fixture
def quick_watch(monkeypatch):
    """The coordinator's stall limits cut from minutes to seconds."""
    from chainsim.sweeps import dask_run

    monkeypatch.setattr(dask_run, "NO_WORKER_SECONDS", 3.0)
    monkeypatch.setattr(dask_run, "IDLE_STALL_SECONDS", 5.0)
    monkeypatch.setattr(dask_run, "CHECK_SECONDS", 0.5)


@pytest.mark.slow
def test_lost_worker_loses_no_run(tmp_path):
    (tmp_path / "scen.yaml").write_text(CAPACITY, encoding="utf-8")
    (tmp_path / "sw.yaml").write_text(SWEEP, encoding="utf-8")
    killed: list[str] = []
    was_busy: list[bool] = []
    with _cluster(2) as (cluster, client):

        def kill_one_worker(done, total):
            if done == 0 or killed:
                return
            busy = [w for w, keys in client.processing().items() if keys]
            victim = (busy or sorted(client.scheduler_info()["workers"]))[0]
            pid = client.run(os.getpid, workers=[victim])[victim]
            os.kill(pid, signal.SIGKILL)  # abrupt death of a worker process with a task in flight
            killed.append(victim)
            was_busy.append(bool(busy))

        res = run_sweep(tmp_path / "sw.yaml", out_dir=tmp_path / "dask", scheduler=cluster.scheduler_address,
                        workers=2, chunk_size=5, progress=kill_one_worker, figures=False)
        assert killed and was_busy == [True]  # one worker died while it held unfinished chunks
        client.wait_for_workers(1, timeout=30)
        assert killed[0] not in client.scheduler_info()["workers"]  # the victim is gone (the nanny restarts one)
    serial = run_sweep(tmp_path / "sw.yaml", out_dir=tmp_path / "serial", workers=1, chunk_size=5, progress=False,
                       figures=False)
    assert len(res.runs) == 8 * (4 + 2) and res.runs.run_id.tolist() == list(range(48))
    pd.testing.assert_frame_equal(res.runs, serial.runs)
    pd.testing.assert_frame_equal(res.sensitivity, serial.sensitivity)


@pytest.mark.slow
def test_chunk_whose_worker_died_is_resubmitted(tmp_path):
    """A worker death beyond ``allowed-failures`` errs the task with KilledWorker; the coordinator reruns it.

    It used to hand distributed's ``(type, exception, traceback)`` triple to the chunk writer
    as if it were the chunk's rows (its KilledWorker branch tested for an exception instance).
    """
    import dask

    spec = _spec(dask_models.dies_once)
    marker = tmp_path / "a-worker-died"
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            _cluster(1, **{dask_models.DIE_ONCE: str(marker)}) as (cluster, _):
        res = _sweep(spec, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert marker.exists()  # a worker did die with a chunk in hand
    serial = _sweep(spec, tmp_path / "serial", workers=1)
    assert len(res.runs) == 8 * 5
    pd.testing.assert_frame_equal(res.runs, serial.runs)


@pytest.mark.slow
def test_failing_chunk_stops_the_sweep_with_its_own_error_and_keeps_finished_chunks(tmp_path):
    spec = _spec(dask_models.fails_at)
    x1 = make_design(spec).matrix["x1"]
    bad = float(x1.iloc[3 * 5])  # the first run of chunk 3
    assert {i // 5 for i in x1.index[x1 == bad]} == {3}  # only chunk 3 holds it
    out = tmp_path / "dask"
    with _cluster(1, **{dask_models.FAIL_AT: repr(bad)}) as (cluster, _), \
            pytest.raises(SimulationError, match=r"chunk 3 failed on a Dask worker: ValueError: x1 = .* outside"):
        _sweep(spec, out, scheduler=cluster.scheduler_address)
    kept = finished_chunks(out)
    assert 3 not in kept
    with _cluster(1) as (cluster, _):  # the cause fixed: --resume runs what is missing
        res = _sweep(spec, out, scheduler=cluster.scheduler_address, resume=True)
    assert res.provenance["chunks_run_this_call"] == 8 - len(kept)
    pd.testing.assert_frame_equal(res.runs, _sweep(spec, tmp_path / "serial", workers=1).runs)


@pytest.mark.slow
def test_cluster_without_workers_is_an_error_not_a_hang(tmp_path, quick_watch):
    """Workers that never come back used to leave the coordinator waiting on ``as_completed`` forever."""
    spec = _spec(dask_models.linear)
    out = tmp_path / "dask"
    gone: list[int] = []
    with _cluster(1, **{dask_models.CHUNK_SECONDS: "0.3"}) as (cluster, client):

        def retire_every_worker(done, total):
            if done and not gone:
                cluster.scale(0)  # the cluster's only worker goes, for good
                gone.append(done)

        with pytest.raises(SimulationError, match=r"no worker for \d+ s; \d chunk\(s\) left unfinished .*--resume"):
            _sweep(spec, out, scheduler=cluster.scheduler_address, progress=retire_every_worker)
        kept = finished_chunks(out)
        assert gone and 1 <= len(kept) < 8  # what finished before the workers left is on disk
        cluster.scale(1)
        client.wait_for_workers(1, timeout=120)
        res = _sweep(spec, out, scheduler=cluster.scheduler_address, resume=True)
    assert res.provenance["chunks_run_this_call"] == 8 - len(kept)
    pd.testing.assert_frame_equal(res.runs, _sweep(spec, tmp_path / "serial", workers=1).runs)


def _forget_sweep_tasks(dask_scheduler):
    """Make the scheduler drop the sweep's unfinished tasks without telling their client (a lost message)."""
    dropped = []
    for key, ts in list(dask_scheduler.tasks.items()):
        if str(key).startswith("chainsim-sweep-") and ts.state != "memory":
            for cs in list(ts.who_wants or ()):
                dask_scheduler.client_releases_keys(keys=[key], client=cs.client_key)
            dropped.append(key)
    return dropped


@pytest.mark.slow
def test_chunks_the_scheduler_forgot_are_resubmitted_when_every_worker_idles(tmp_path, quick_watch):
    """A future whose task the scheduler no longer runs stays pending forever: the coordinator must notice."""
    spec = _spec(dask_models.linear)
    dropped: list[str] = []
    with _cluster(2, **{dask_models.CHUNK_SECONDS: "0.3"}) as (cluster, client):

        def forget(done, total):
            if done and not dropped:
                dropped.extend(client.run_on_scheduler(_forget_sweep_tasks))

        res = _sweep(spec, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=forget)
    assert dropped  # chunks were in flight when the scheduler forgot them
    pd.testing.assert_frame_equal(res.runs, _sweep(spec, tmp_path / "serial", workers=1).runs)


@pytest.mark.slow
def test_cluster_restart_mid_sweep_loses_no_run(tmp_path):
    """``client.restart()`` by anyone cancels every task on the cluster: the coordinator reruns its chunks."""
    spec = _spec(dask_models.linear)
    restarted: list[int] = []
    with _cluster(2, **{dask_models.CHUNK_SECONDS: "0.3"}) as (cluster, client):

        def restart(done, total):
            if done and not restarted:
                client.restart()  # waits for the workers to come back
                restarted.append(done)

        res = _sweep(spec, tmp_path / "dask", scheduler=cluster.scheduler_address, progress=restart)
    assert restarted and restarted[0] < 8 * 5
    pd.testing.assert_frame_equal(res.runs, _sweep(spec, tmp_path / "serial", workers=1).runs)


@pytest.mark.slow
def test_local_scheduler_runs_the_sweep_and_closes_its_cluster(tmp_path):
    """``scheduler="local"``: the coordinator starts a LocalCluster, and closes it (no worker process left)."""
    import multiprocessing

    spec = _spec(dask_models.linear)
    res = _sweep(spec, tmp_path / "local", scheduler="local", workers=2)
    pd.testing.assert_frame_equal(res.runs, _sweep(spec, tmp_path / "serial", workers=1).runs)
    assert not [p for p in multiprocessing.active_children() if p.is_alive()]
