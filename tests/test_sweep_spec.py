"""Sweep files: the shipped file loads; bad keys, bounds and methods give one clear message and exit 2."""

from pathlib import Path

import pytest

from chainsim.cli import main
from chainsim.errors import ScenarioError
from chainsim.sweeps import load_sweep, make_design

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "sweeps" / "electronics_pathway_sensitivity.yaml"
SCENARIO = ROOT / "scenarios" / "electronics_import_cut.yaml"

GOOD = f"""name: t
scenario: {SCENARIO}
design: {{method: sobol, samples: 4}}
factors:
  pathways.opening_up: [0, 1]
  disruptions[0].share: [0.3, 0.9]
  params.inventory_days: [30, 120]
outputs: [ttr_days, loss_cny]
"""


def _write(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_sweep_loads():
    spec = load_sweep(SHIPPED)
    assert spec.names[-1] == "seed" and len(spec.factors) == 9
    assert spec.pathways == ["tech_self_reliance", "opening_up", "dual_wheel", "digital_green", "environment"]
    assert spec.seed == 2026  # the scenario's seed when the sweep gives none
    design = make_design(spec)
    assert len(design) == 256 * (9 + 2) and design.block == 11
    assert design.matrix.ranked.sum() == 256  # the A rows of the Saltelli blocks


def test_good_file_loads(tmp_path):
    spec = load_sweep(_write(tmp_path, GOOD))
    assert [f.kind for f in spec.factors] == ["pathway", "disruption", "param", "seed"]


@pytest.mark.parametrize(("old", "new", "expect"), [
    ("pathways.opening_up: [0, 1]", "pathways.opening_upp: [0, 1]",
     r"s.yaml:5: factors.pathways.opening_upp: unknown pathway 'opening_upp'.*did you mean 'opening_up'"),
    ("disruptions[0].share: [0.3, 0.9]", "disruptions[0].shar: [0.3, 0.9]",
     r"s.yaml:6: .*no numeric field 'shar'.*did you mean 'share'"),
    ("disruptions[0].share: [0.3, 0.9]", "disruptions[3].share: [0.3, 0.9]", r"s.yaml:6: .*1 disruption"),
    ("params.inventory_days: [30, 120]", "params.inventory_dayz: [30, 120]",
     r"s.yaml:7: .*unknown numeric model parameter 'inventory_dayz'.*did you mean 'inventory_days'"),
    ("params.inventory_days: [30, 120]", "param.inventory_days: [30, 120]",
     r"unknown factor key 'param.inventory_days'.*did you mean 'params'"),
    ("disruptions[0].share: [0.3, 0.9]", "disruptions[0].share: [0.9, 0.3]",
     r"s.yaml:6: factors.disruptions\[0\].share: bounds are reversed: expected low < high; found \[0.9, 0.3\]"),
    ("disruptions[0].share: [0.3, 0.9]", "disruptions[0].share: [0.3, 1.5]", r"share in \[0, 1\]"),
    ("params.inventory_days: [30, 120]", "params.inventory_days: [-5, 120]", r"not a valid value of inventory_days"),
    ("pathways.opening_up: [0, 1]", "seed: [0, 1]", r"the seed is always a factor"),
    ("method: sobol", "method: sobl", r"s.yaml:3: design.method: unknown design method 'sobl'.*did you mean 'sobol'"),
    ("samples: 4", "samples: 6", r"design.samples: Sobol/Saltelli needs a power of 2"),
    ("outputs: [ttr_days, loss_cny]", "outputs: [ttr_days, loss]", r"s.yaml:8: outputs\[1\]: unknown output 'loss'"),
    ("name: t", "name: t\nscope: LM", r"s.yaml:2: scope: .*LM"),
    ("name: t", "name: t\nsamples: 4", r"unknown field 'samples'"),
])
def test_errors_name_file_line_field(tmp_path, old, new, expect):
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(ScenarioError, match=expect):
        load_sweep(path)


@pytest.mark.parametrize(("old", "new"), [
    ("pathways.opening_up: [0, 1]", "pathways.opening_upp: [0, 1]"),
    ("disruptions[0].share: [0.3, 0.9]", "disruptions[0].share: [0.9, 0.3]"),
    ("method: sobol", "method: sobl"),
])
def test_cli_errors_exit_2_with_one_line(tmp_path, capsys, old, new):
    path = _write(tmp_path, GOOD.replace(old, new))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("chainsim: error: ") and "\n" not in err and "Traceback" not in err
    assert str(path) in err


def test_missing_scenario_and_bad_samples_override(tmp_path, capsys):
    path = _write(tmp_path, GOOD.replace(str(SCENARIO), "nowhere.yaml"))
    with pytest.raises(ScenarioError, match=r"s\.yaml:2: scenario: no such scenario file"):
        load_sweep(path)
    assert main(["sweep", str(_write(tmp_path, GOOD)), "--samples", "5", "--out", str(tmp_path / "o")]) == 2
    assert "power of 2" in capsys.readouterr().err
