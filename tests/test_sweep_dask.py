"""A sweep on a real Dask LocalCluster (loopback, 2 worker processes) survives a worker killed mid-sweep."""

import os
import signal

import pandas as pd
import pytest

from chainsim.sweeps import run_sweep
from tests.test_sweep_run import CAPACITY

distributed = pytest.importorskip("distributed")

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


@pytest.mark.slow
def test_lost_worker_loses_no_run(tmp_path):
    from distributed import Client, LocalCluster

    (tmp_path / "scen.yaml").write_text(CAPACITY, encoding="utf-8")
    (tmp_path / "sw.yaml").write_text(SWEEP, encoding="utf-8")
    killed: list[str] = []
    was_busy: list[bool] = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                      silence_logs=50) as cluster, Client(cluster) as client:

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
