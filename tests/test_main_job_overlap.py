"""The main job's work around the engine (issue 22): one pool, the pathways' work overlapping the
attribution, the figures drawn in a forked process — same results, same files, same failures."""

from __future__ import annotations

import concurrent.futures
import errno
import os

import numpy as np
import pandas as pd
import pytest

from chainsim.cli import main
from chainsim.data.toy import load_toy
from chainsim.errors import OutputError
from chainsim.experiment.figures import render_figures, start_figures
from chainsim.experiment.run import run_scenario
from chainsim.scenario.load import load_scenario
from tests.test_attribution import SCENARIO as ATTRIBUTION_SCENARIO

TOY = load_toy()
SCENARIO = {**ATTRIBUTION_SCENARIO, "horizon_days": 60}  # three pathways, three replications, the toy table


@pytest.fixture(scope="module")
def serial():
    return run_scenario(load_scenario(SCENARIO, table=TOY), workers=1)


def test_pathways_and_attribution_share_one_pool(serial, monkeypatch):
    # before: a pool for the pathways, then a second one for the attribution's batches, the cores idle
    # between them; now one pool, and on_pathways sees every pathway while the batches may still run
    import chainsim.experiment.attribution as attr

    monkeypatch.setattr(attr, "CHUNK", 2)  # several attribution batches
    pools = []
    real = concurrent.futures.ProcessPoolExecutor

    class Counting(real):
        def __init__(self, *a, **k):
            pools.append(1)
            super().__init__(*a, **k)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Counting)
    import chainsim.procs as procs  # the run's pool is a procs.WorkerPool (a ProcessPoolExecutor subclass)

    real_init = procs.WorkerPool.__init__

    def counting_init(self, *a, **k):
        pools.append(1)
        real_init(self, *a, **k)

    monkeypatch.setattr(procs.WorkerPool, "__init__", counting_init)
    seen = []
    pooled = run_scenario(load_scenario(SCENARIO, table=TOY), workers=2, on_pathways=seen.append)
    assert len(pools) == 1
    assert len(seen) == 1 and list(seen[0]) == ["baseline", "environment", "dual_wheel"]
    assert all(seen[0][e] is pooled.pathways[e] for e in pooled.pathways)
    for e, pr in serial.pathways.items():
        assert np.array_equal(pr.output, pooled.pathways[e].output)
    pd.testing.assert_frame_equal(serial.attribution.frame, pooled.attribution.frame)


def test_on_pathways_is_called_once_serially_too(serial):
    seen = []
    run = run_scenario(load_scenario(SCENARIO, table=TOY), workers=1, on_pathways=seen.append)
    assert len(seen) == 1 and list(seen[0]) == list(run.pathways)
    pd.testing.assert_frame_equal(serial.attribution.frame, run.attribution.frame)


def test_figures_drawn_in_a_forked_process_are_the_same_files(serial, tmp_path):
    (tmp_path / "fork").mkdir()
    (tmp_path / "here").mkdir()
    pending = start_figures(serial, tmp_path / "fork")
    assert len(pending.children) == 2  # forked: no other thread is alive in the test process
    forked = pending.result()
    here = render_figures(serial, tmp_path / "here")
    assert list(forked) == list(here) == ["recovery_curves", "recovery_panels", "loss_heatmap", "attribution_figure"]
    for key in here:
        assert forked[key].read_bytes() == here[key].read_bytes(), key
    assert pending.result() is forked  # asked twice: the same paths, nothing drawn again
    inline = start_figures(serial, tmp_path / "here", background=False)
    assert not inline.forked and inline.result() == here


def test_a_figure_failure_in_the_drawing_process_is_the_runs_failure(tmp_path, monkeypatch, capsys):
    # the child raises; the parent raises the same error, and the CLI reports it as a write failure
    import chainsim.plots

    def full(*a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(chainsim.plots, "loss_heatmap", full)
    import yaml

    from chainsim.data.csv_layout import write_csv_layout
    from chainsim.experiment.outputs import write_outputs
    from chainsim.experiment.pathway_tables import summary_table

    body = {**SCENARIO, "pathways": {"compare": ["baseline", "environment"]}}
    run = run_scenario(load_scenario(body, table=TOY), workers=1)
    out = tmp_path / "out"
    with pytest.raises(OutputError, match=r"writing the run's files failed \(No space left"):
        write_outputs(run, summary_table(run), out)
    assert not out.exists() or not any(out.iterdir())  # nothing half-written is left in place
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    # through the CLI: exit 2, one message, no traceback
    write_csv_layout(TOY, tmp_path / "toy")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({**body, "table": "toy"}), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "cli"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "writing the run's files failed (No space left on device)" in err and "Traceback" not in err
    assert not (tmp_path / "cli").exists() or not any((tmp_path / "cli").iterdir())


def _cli_scenario(tmp_path):
    import yaml

    from chainsim.data.csv_layout import write_csv_layout

    write_csv_layout(TOY, tmp_path / "toy")
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**SCENARIO, "table": "toy"}), encoding="utf-8")
    return path


@pytest.mark.parametrize(("workers", "forks"), [(1, False), (2, True)])
def test_figures_fork_only_when_the_run_has_workers(tmp_path, monkeypatch, workers, forks):
    # before: `--workers 1` still forked two drawing processes at the end; one worker means one process
    import chainsim.experiment.figures as figures

    started = []
    real = figures.start_figures

    def spy(*a, **k):
        pending = real(*a, **k)
        started.append(pending.forked)
        return pending

    monkeypatch.setattr(figures, "start_figures", spy)
    path = _cli_scenario(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "-q", "--no-progress",
                 "--workers", str(workers)]) == 0
    assert started == [forks]
    assert {p.name for p in (tmp_path / "out").glob("*.png")} == {
        "recovery_curves.png", "recovery_panels.png", "loss_heatmap.png", "attribution.png"}

