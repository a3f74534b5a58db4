"""Sweep workers: ``--workers 0`` is refused, and no pool worker outlives a killed coordinator (issue #19 item 8).

On 30b9e04 ``--workers 0`` silently meant all CPUs, and after ``kill -9`` of the
coordinating process its pool workers idled on (about 300 MB each on the Northeast table).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from chainsim.cli import main
from chainsim.errors import ScenarioError
from chainsim.sweeps import run_sweep
from tests.test_sweep_resume import SCENARIO, SWEEP


@pytest.fixture
def files(tmp_path):
    from chainsim.data.csv_layout import write_csv_layout
    from chainsim.data.toy import load_toy

    write_csv_layout(load_toy(), tmp_path / "toy")
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump({**SCENARIO, "horizon_days": 365}), encoding="utf-8")
    sweep = {**SWEEP, "design": {"method": "lhs", "samples": 4000}}
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(sweep), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("workers", [0, -2])
def test_workers_zero_or_negative_is_refused(files, capsys, workers):
    assert main(["sweep", str(files / "sweep.yaml"), "--out", str(files / "o"), "--workers", str(workers)]) == 2
    err = capsys.readouterr().err
    assert "--workers: expected a positive number of processes (1 = serial; leave it out for all" in err
    assert not (files / "o").exists()
    with pytest.raises(ScenarioError, match="--workers"):
        run_sweep(files / "sweep.yaml", out_dir=files / "o2", workers=0, progress=False)


def _children(pid: int) -> set[int]:
    kids = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        kids.update(int(k) for k in text)
    return kids


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has exited (its new parent has not reaped it yet)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc to find the pool's workers")
def test_pool_workers_end_when_the_coordinator_is_killed(files):
    out = files / "out"
    cli = "import sys; from chainsim.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen([sys.executable, "-c", cli, "sweep", str(files / "sweep.yaml"), "--out",
                             str(out), "--workers", "2", "--chunk-size", "4", "--no-progress", "--no-figures"],
                            cwd=files, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 240
        while not list((out / "chunks").glob("part-*.parquet")) if (out / "chunks").is_dir() else True:
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "no chunk finished"
            time.sleep(0.1)
        workers = _children(proc.pid)
        assert len(workers) >= 2
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 20
        while any(_running(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [w for w in workers if _running(w)]
        assert not left, f"pool workers {left} outlived their coordinator"
    finally:
        if proc.poll() is None:
            proc.kill()
        for w in workers:  # only the processes this test started
            if _running(w):
                os.kill(w, signal.SIGKILL)
