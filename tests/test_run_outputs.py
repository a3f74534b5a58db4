"""Run and scan outputs change whole or not at all (issue #19 item 3, issue #20's --force).

On 30b9e04 ``run --out`` wrote into the folder file by file: a second run left the first
one's trajectories and figures beside its own summary, ``kill -9`` during the write left a
new ``summary.csv`` next to the old ``run.json`` (the wrong seed in the provenance), Ctrl-C
left ``summary.csv`` without ``run.json``, and a bad ``--out`` failed with a traceback after
the whole simulation. The kill and Ctrl-C tests send real signals to a real ``chainsim run``
process, paused inside the write by a wrapper around one writer function.
"""

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from chainsim.cli import main
from chainsim.errors import OutputError

SCENARIO = {
    "name": "toy outage", "table": "toy", "horizon_days": 30, "seed": 1, "replications": 2,
    "disruptions": [{"type": "capacity_loss", "region": "R1", "sector": "A", "share": 0.3, "start": 5,
                     "duration": {"distribution": "uniform", "low": 3, "high": 9},
                     "recovery": {"curve": "linear", "days": 10}}],
    "pathways": {"compare": ["baseline", "environment"]}, "metrics": {"scope": ["R1"]},
}


@pytest.fixture
def work(tmp_path):
    from chainsim.data.csv_layout import write_csv_layout
    from chainsim.data.toy import load_toy

    write_csv_layout(load_toy(), tmp_path / "toy")
    for seed in (1, 2):
        (tmp_path / f"s{seed}.yaml").write_text(yaml.safe_dump({**SCENARIO, "seed": seed}), encoding="utf-8")
    return tmp_path


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def _seed(out: Path) -> int:
    return json.loads((out / "run.json").read_text(encoding="utf-8"))["seed"]


def test_run_into_a_folder_holding_a_run_needs_force(work, capsys):
    out = work / "out"
    assert main(["run", str(work / "s1.yaml"), "--out", str(out)]) == 0
    before = _snapshot(out)
    assert {"run.json", "summary.csv", "trajectories.parquet", "recovery_curves.png", "recovery_panels.png",
            "report.html"} <= set(before)
    files = json.loads((out / "run.json").read_text(encoding="utf-8"))["files"]
    assert sorted(files) == sorted(set(before) - {"run.json"})  # run.json lists every file, the report too
    capsys.readouterr()
    assert main(["run", str(work / "s2.yaml"), "--out", str(out), "--no-figures"]) == 2
    err = capsys.readouterr().err
    assert "holds an earlier run (run.json); pass --force to replace it whole" in err and "Traceback" not in err
    assert _snapshot(out) == before  # no file changed
    # --force replaces the run whole: no file of the earlier run is left beside the new one
    assert main(["run", str(work / "s2.yaml"), "--out", str(out), "--no-figures", "--no-trajectories",
                 "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "attribution.csv", "band_sensitivity.csv", "report.html", "run.json", "summary.csv"]
    assert _seed(out) == 2
    assert not [p for p in work.iterdir() if p.name.startswith(".out.")]  # no staging or set-aside folder left


def test_force_never_replaces_a_folder_that_is_not_a_run(work, capsys):
    out = work / "notes"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    assert main(["run", str(work / "s1.yaml"), "--out", str(out), "--force"]) == 2
    assert "holds files that are not a chainsim result (mine.txt)" in capsys.readouterr().err
    assert (out / "mine.txt").read_text() == "keep me" and len(list(out.iterdir())) == 1


def _no_simulation(monkeypatch):
    import chainsim.experiment.run as run_mod

    def boom(*a, **k):
        raise AssertionError("the simulation started before --out was checked")

    monkeypatch.setattr(run_mod, "run_scenario", boom)


@pytest.mark.parametrize("kind", ["file", "under_a_file", "read_only_filesystem"])
def test_bad_out_is_refused_before_the_simulation(work, capsys, monkeypatch, kind):
    _no_simulation(monkeypatch)
    (work / "f.txt").write_text("x")
    out = {"file": work / "f.txt", "under_a_file": work / "f.txt" / "run",
           "read_only_filesystem": Path("/proc/chainsim-robustness-test")}[kind]
    assert main(["run", str(work / "s1.yaml"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"chainsim: error: --out {out}:") and "Traceback" not in err
    assert (work / "f.txt").read_text() == "x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders; the /proc case covers it")
def test_read_only_folder_is_refused_before_the_simulation(work, capsys, monkeypatch):
    _no_simulation(monkeypatch)
    ro = work / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert main(["run", str(work / "s1.yaml"), "--out", str(ro / "run")]) == 2
        assert "cannot write in" in capsys.readouterr().err
    finally:
        ro.chmod(0o755)


@pytest.mark.parametrize(("module", "name"), [("chainsim.experiment.outputs", "write_trajectories"),
                                            ("chainsim.report", "write_report")])
def test_full_disk_while_writing_leaves_the_earlier_run(work, capsys, monkeypatch, module, name):
    # report.html is written inside the staging folder too: a failure there changes nothing either
    import importlib

    out = work / "out"
    assert main(["run", str(work / "s1.yaml"), "--out", str(out), "--no-figures"]) == 0
    before = _snapshot(out)

    def full(*a, **k):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(importlib.import_module(module), name, full)
    capsys.readouterr()
    assert main(["run", str(work / "s2.yaml"), "--out", str(out), "--no-figures", "--force"]) == 2
    err = capsys.readouterr().err
    assert "writing the run's files failed (No space left on device)" in err and "was not changed" in err
    assert _snapshot(out) == before
    assert not [p for p in work.iterdir() if p.name.startswith(".out.")]


DRIVER = textwrap.dedent("""\
    import sys, time
    from pathlib import Path
    import chainsim.experiment.outputs as outputs
    import chainsim.experiment.pathway_tables as summary

    flag, phase = Path(sys.argv[1]), sys.argv[2]

    def pause():
        flag.write_text(phase)
        time.sleep(120)

    if phase == "write":  # summary.csv and the trajectories are written, run.json not yet
        real = outputs.write_trajectories
        def write_trajectories(*a, **k):
            path = real(*a, **k)
            pause()
            return path
        outputs.write_trajectories = write_trajectories
    else:  # the simulation is done, nothing is written yet
        real_summary = summary.summary_table
        def summary_table(*a, **k):
            pause()
            return real_summary(*a, **k)
        summary.summary_table = summary_table
    from chainsim.cli import main
    sys.exit(main(sys.argv[3:]))
""")


def _interrupt(work: Path, out: Path, sig: int, phase: str) -> subprocess.CompletedProcess:
    driver = work / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    flag = work / f"flag-{sig}-{phase}"
    proc = subprocess.Popen([sys.executable, str(driver), str(flag), phase, "run", str(work / "s2.yaml"),
                             "--out", str(out), "--force", "--no-figures"], cwd=work,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while not flag.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the run never reached the pause"
        time.sleep(0.05)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


@pytest.mark.parametrize(("sig", "phase"), [(signal.SIGKILL, "write"), (signal.SIGINT, "write"),
                                            (signal.SIGINT, "simulate")])
def test_signal_during_a_run_leaves_the_earlier_run_intact(work, sig, phase):
    out = work / "out"
    assert main(["run", str(work / "s1.yaml"), "--out", str(out), "--no-figures"]) == 0
    before = _snapshot(out)
    done = _interrupt(work, out, sig, phase)
    if sig == signal.SIGINT:
        assert done.returncode == 130 and "chainsim: interrupted" in done.stderr
        assert "Traceback" not in done.stderr
        assert not [p for p in work.iterdir() if p.name.startswith(".out.")]  # the staging folder is gone
    else:
        assert done.returncode == -signal.SIGKILL
    assert _snapshot(out) == before and _seed(out) == 1
    # the next use of the folder cleans up what a killed process left (its staging folder)
    assert main(["run", str(work / "s2.yaml"), "--out", str(out), "--no-figures", "--force"]) == 0
    assert _seed(out) == 2
    assert not [p for p in work.iterdir() if p.name.startswith(".out.")]


def test_interrupted_replacement_is_rolled_back(work):
    """A process killed between setting the old run aside and moving the new one in: the old one comes back."""
    from chainsim.experiment.folder import check_output

    out = work / "out"
    assert main(["run", str(work / "s1.yaml"), "--out", str(out), "--no-figures"]) == 0
    before = _snapshot(out)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    os.rename(out, work / f".out.old-{int(dead.stdout)}-0a1b2c3d")
    check_output(out, force=True)
    assert _snapshot(out) == before


def test_scan_folder_name_never_comes_from_the_table(tmp_path, monkeypatch, capsys):
    from chainsim.data.csv_layout import write_csv_layout
    from tests.scan_fixtures import small_table

    table = write_csv_layout(small_table(), tmp_path / "tables" / "mytable")
    meta = json.loads((table / "meta.json").read_text(encoding="utf-8"))
    meta["name"] = "../../escaped"
    (table / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    cwd = tmp_path / "work"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    assert main(["scan", "--table", str(table), "--scope", "all", "--kinds", "nodes", "--days", "30",
                 "--duration", "5", "--start", "2", "--no-figures"]) == 0
    assert (cwd / "runs" / "scan-mytable" / "scan.json").is_file()
    assert not (tmp_path / "escaped").exists() and not (cwd / "escaped").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tables", "work"]
    capsys.readouterr()
    # a second scan into the same folder is refused without --force, as a run is
    assert main(["scan", "--table", str(table), "--scope", "all", "--kinds", "nodes", "--days", "30",
                 "--duration", "5", "--start", "2", "--no-figures"]) == 2
    assert "holds an earlier scan (scan.json)" in capsys.readouterr().err


def test_safe_folder_name_keeps_names_inside():
    from chainsim.experiment.folder import safe_folder_name

    for hostile in ("../../x", "/etc/passwd", "..", "a/../../b", "C:\\x", "\x00", "名字"):
        name = safe_folder_name(hostile)
        assert "/" not in name and "\\" not in name and not name.startswith(".") and name
        assert (Path("runs") / name).resolve().parent == Path("runs").resolve()


def test_trajectories_are_float64_and_survive_extreme_units(tmp_path):
    """A table in tiny units (values above float32's 3.4e38) keeps finite, exact trajectories (float32 gave inf)."""
    from dataclasses import replace

    from chainsim.data.toy import load_toy
    from chainsim.experiment.outputs import trajectories_frame, write_trajectories
    from chainsim.experiment.run import run_scenario
    from chainsim.scenario.load import load_scenario

    toy = load_toy()
    k = 1e40
    big = replace(toy, Z=toy.Z * k, Y=toy.Y * k, x=toy.x * k, value_added=toy.value_added * k,
                  exports=toy.exports * k, capital=None if toy.capital is None else toy.capital * k)
    spec = {**SCENARIO, "table": None}
    run = run_scenario(load_scenario({k2: v for k2, v in spec.items() if v is not None}, table=big))
    path = write_trajectories(run, tmp_path / "t.parquet")
    back = pd.read_parquet(path)
    assert back["output"].dtype == np.float64 and np.isfinite(back["output"]).all()
    assert back["output"].max() > 3.5e38
    frame = trajectories_frame(run)
    np.testing.assert_array_equal(back["output"].to_numpy(), frame["output"].to_numpy())
    for col in ("pathway", "region", "sector"):
        assert back[col].astype(str).tolist() == frame[col].astype(str).tolist()
    assert back.replication.tolist() == frame.replication.tolist() and back.day.tolist() == frame.day.tolist()


def test_write_outputs_refuses_an_earlier_result_without_force(work):
    from chainsim.experiment.outputs import write_outputs
    from chainsim.experiment.pathway_tables import summary_table
    from chainsim.experiment.run import run_scenario
    from chainsim.scenario.load import load_scenario

    run = run_scenario(load_scenario(work / "s1.yaml"))
    summary = summary_table(run)
    paths = write_outputs(run, summary, work / "api", figures=False)
    assert paths["run"] == work / "api" / "run.json" and paths["run"].is_file()
    with pytest.raises(OutputError, match="holds an earlier run"):
        write_outputs(run, summary, work / "api", figures=False)
    write_outputs(run, summary, work / "api", figures=False, trajectories=False, force=True)
    assert not (work / "api" / "trajectories.parquet").exists()


MEMORY_PROBE = textwrap.dedent("""\
    import resource, sys
    import numpy as np
    from chainsim.experiment.run import PathwayRun, ScenarioRun
    from chainsim.scenario.load import load_scenario

    loaded = load_scenario({"name": "m", "horizon_days": 365, "replications": 200})
    n = len(loaded.table.x)
    output = np.random.default_rng(0).random((200, 365, n))  # 200 replications x a year, as a run keeps them
    pr = PathwayRun(plan=None, output=output, baseline=np.ones(n), onset=np.zeros(200, int), events=[],
                    samples=[], params={}, crash_day=np.full(200, -1), seconds=0.0)
    run = ScenarioRun(loaded=loaded, pathways={"baseline": pr})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.argv[1] == "stream":
        from chainsim.experiment.outputs import write_trajectories
        write_trajectories(run, sys.argv[2])
    else:
        from chainsim.experiment.outputs import trajectories_frame
        trajectories_frame(run).to_parquet(sys.argv[2], index=False, compression="zstd")
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(output.nbytes, (after - before) * 1024)
""")


def test_streamed_trajectories_need_memory_for_one_row_group(tmp_path):
    """Writing 200 replications x 365 days adds a fraction of the trajectories' own size to the peak.

    On 30b9e04 the table of strings made for the same write added about eight times the
    trajectories' size (the 200-replication electronics run peaked at 6.3 GB).
    """
    probe = tmp_path / "probe.py"
    probe.write_text(MEMORY_PROBE, encoding="utf-8")
    done = subprocess.run([sys.executable, str(probe), "stream", str(tmp_path / "t.parquet")], capture_output=True,
                          text=True, timeout=600, check=True)
    size, grew = map(int, done.stdout.split())
    assert grew < 0.6 * size, (size, grew)
    assert len(pd.read_parquet(tmp_path / "t.parquet", columns=["day"])) == size // 8


def test_a_baseline_only_run_prints_no_pathway_comparison_notes(work, capsys):
    """An episode's backcast compares nothing: the rank, cost and lever-draw notes were noise there."""
    spec = {**SCENARIO, "pathways": {"compare": ["baseline"]}, "table": str(work / "toy")}
    (work / "b.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    assert main(["run", str(work / "b.yaml"), "--out", str(work / "b"), "--no-figures", "--no-report", "-q"]) == 0
    out = capsys.readouterr().out
    assert "rank: on the paired loss difference" not in out and "cost: no cost model" not in out, out
    assert "levers: full values drawn" not in out
    capsys.readouterr()
    assert main(["run", str(work / "s1.yaml"), "--out", str(work / "c"), "--no-figures", "--no-report", "-q"]) == 0
    assert "rank: on the paired loss difference" in capsys.readouterr().out  # two pathways: the notes stay
