"""CLI manners: --workers, progress, --quiet, stdin, did-you-mean on names, docs and scenarios that hold (issue 20)."""

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from chainsim.cli import main
from chainsim.data.datasets import load_dataset

ROOT = Path(__file__).resolve().parents[1]
SMALL = """
name: Electronics cut, small
dataset: northeast-2017
horizon_days: 150
seed: 7
replications: 3
disruptions:
  - type: import_cut
    product: "{product}"
    origins: [KOR, JPN]
    regions: [LN]
    share: 0.6
    start: 10
    duration: {{distribution: uniform, low: 30, high: 60}}
pathways:
  compare: [baseline, opening_up, digital_green]
  intensity: 0.5
metrics:
  scope: [northeast, LN]
"""


def test_workers_give_the_serial_results(tmp_path, capsys, monkeypatch):
    # drawn levers and the Shapley attribution (the defaults), --force into an earlier run, preflight once:
    # two processes give the serial summary, attribution and trajectories exactly
    import chainsim.experiment.preflight as pre

    path = tmp_path / "s.yaml"
    path.write_text(SMALL.format(product="20"), encoding="utf-8")
    calls = []
    real = pre.preflight
    monkeypatch.setattr(pre, "preflight", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert main(["run", str(path), "--out", str(tmp_path / "w2"), "--levers", "fixed", "--no-figures",
                 "--no-report", "--no-trajectories", "-q"]) == 0
    for w in (1, 2):
        calls.clear()
        force = ["--force"] if w == 2 else []  # w2 holds the fixed-lever run: replaced whole
        assert main(["run", str(path), "--out", str(tmp_path / f"w{w}"), "--workers", str(w), "--no-figures",
                     "--no-report", "-q", *force]) == 0
        assert len(calls) == 1  # validated once, before the pool starts; the workers do not repeat it
    for name in ("summary.csv", "attribution.csv", "band_sensitivity.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "w1" / name), pd.read_csv(tmp_path / "w2" / name))
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "w1" / "trajectories.parquet"),
                                  pd.read_parquet(tmp_path / "w2" / "trajectories.parquet"))
    summary = pd.read_csv(tmp_path / "w2" / "summary.csv")
    assert {"rank", "effect", "loss_diff_cny", "p_best", "attribution"} <= set(summary.columns)
    assert (pd.read_csv(tmp_path / "w2" / "attribution.csv").method == "shapley").all()
    # levers fixed with workers is the serial fixed run too
    for w in (1, 2):
        assert main(["run", str(path), "--out", str(tmp_path / f"f{w}"), "--workers", str(w), "--levers", "fixed",
                     "--no-figures", "--no-report", "--no-trajectories", "-q"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "f1" / "summary.csv"),
                                  pd.read_csv(tmp_path / "f2" / "summary.csv"))
    # fixed is not drawn: the lever values differ (the outputs need not: in this scenario the levers do not act,
    # and the two summaries differ only by rounding noise, at 1e-12 of depth, which a faster day may remove)
    fixed, drawn = (json.loads((tmp_path / d / "run.json").read_text(encoding="utf-8")) for d in ("f1", "w2"))
    assert (fixed["levers_mode"], drawn["levers_mode"]) == ("fixed", "drawn")
    assert fixed["lever_values"]["opening_up"][0] != drawn["lever_values"]["opening_up"][0]
    assert main(["run", str(path), "--workers", "0"]) == 2
    assert "--workers: expected a positive integer" in capsys.readouterr().err


def test_run_defaults_to_the_available_cpus(tmp_path, monkeypatch):
    # issue 22: no --workers means one process per CPU this process may use (sched_getaffinity), not 1
    import chainsim.experiment.run as run_mod
    import chainsim.procs

    path = tmp_path / "s.yaml"
    path.write_text(SMALL.format(product="20").replace("replications: 3", "replications: 1"), encoding="utf-8")
    seen = []
    real = run_mod.run_scenario
    monkeypatch.setattr(chainsim.procs, "available_cpus", lambda: 3)
    monkeypatch.setattr(run_mod, "run_scenario", lambda *a, **k: seen.append(k["workers"]) or real(*a, **k))
    assert main(["run", str(path), "--out", str(tmp_path / "o"), "--no-figures", "--no-report",
                 "--no-trajectories", "--attribution", "off", "-q"]) == 0
    assert seen == [3]


def test_available_cpus_is_the_affinity_mask(monkeypatch):
    import os

    from chainsim.procs import available_cpus

    assert available_cpus() == len(os.sched_getaffinity(0))
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 5, 7})
    assert available_cpus() == 3


def test_scenario_from_stdin_quiet_and_no_progress_off_a_terminal(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(SMALL.format(product="20")))
    out = tmp_path / "stdin"
    assert main(["run", "-", "--out", str(out), "--no-figures", "--no-trajectories", "--no-report"]) == 0
    cap = capsys.readouterr()
    assert "== northeast" in cap.out
    assert "\r" not in cap.err and "pathway-days" not in cap.err  # stderr is not a terminal here: no bar
    assert "3 pathway(s) x 3 replication(s)" in cap.err
    monkeypatch.setattr("sys.stdin", io.StringIO(SMALL.format(product="20")))
    assert main(["run", "-", "--out", str(tmp_path / "q"), "--no-figures", "--no-trajectories", "--no-report",
                 "--quiet"]) == 0
    cap = capsys.readouterr()
    assert cap.err == "" and "== northeast" in cap.out


def test_progress_bar_with_time_left_on_a_terminal(tmp_path, capsys, monkeypatch):
    import sys

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    path = tmp_path / "s.yaml"
    path.write_text(SMALL.format(product="20"), encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "r"), "--no-figures", "--no-trajectories",
                 "--no-report"]) == 0
    err = capsys.readouterr().err
    assert "pathway-days" in err and "left]" in err


@pytest.mark.parametrize(("written", "meant"), [("electronics", "'20'"), ("电子设备", "'20'"), ("cars", "'18'"),
                                                ("steel", "'14'")])
def test_did_you_mean_matches_names_and_everyday_words(tmp_path, capsys, written, meant):
    path = tmp_path / "s.yaml"
    path.write_text(SMALL.format(product=written), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"unknown sector '{written}'" in err and f"did you mean {meant}" in err
    assert "Education" not in err and "Traceback" not in err


def test_shipped_scenarios_cite_only_files_that_exist():
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        for name in re.findall(r"[\w./-]+\.ya?ml", path.read_text(encoding="utf-8")):
            assert (ROOT / "scenarios" / Path(name).name).is_file(), f"{path.name} cites {name}"


def test_scenario_docs_cover_every_disruption_field():
    from chainsim.disruptions import DISRUPTIONS

    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    assert {"capacity_loss", "import_cut", "link_cut", "congestion", "final_demand"} <= set(DISRUPTIONS)
    for model in DISRUPTIONS.values():
        for field in model.model_fields:
            assert f"`{field}" in doc, f"docs/scenarios.md does not mention {model.__name__}.{field}"


def test_region_names_in_any_case_are_suggested():
    table = load_dataset("northeast-2017")
    with pytest.raises(Exception, match=r"did you mean 'LN' \(辽宁 Liaoning\)"):
        table.region_index("liaoning")
