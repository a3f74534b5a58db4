"""One result type for simulate() and run_scenario(), with scope-aware accessors (issue 20)."""

import re
from pathlib import Path

import pandas as pd
import pytest

import chainsim
from chainsim.data.toy import load_toy
from chainsim.engine import SimulationResult

ROOT = Path(__file__).resolve().parents[1]


def test_simulate_views_take_a_scope():
    res = chainsim.simulate(load_toy(), [], days=5, params="ario")
    assert isinstance(res.relative_output(), pd.Series)  # a method, like region_output()
    assert res.relative_output().sub(1).abs().max() < 1e-12
    region = res.output.columns.get_level_values("region")[0]
    assert res.scope_output(region).shape == (5,)
    assert res.summary(region)["ttr_days"] == 0.0


def test_scenario_run_gives_the_same_result_type():
    loaded = chainsim.load_scenario(ROOT / "scenarios" / "electronics_import_cut.yaml",
                                    overrides={"replications": 2, "horizon_days": 200,
                                               "pathways": {"compare": ["baseline", "opening_up"]}})
    run = chainsim.run_scenario(loaded)
    res = run.result("opening_up", 1)
    assert isinstance(res, SimulationResult)
    assert res.output.shape == (200, loaded.table.n_regions * loaded.table.n_sectors)
    assert res.money.currency == "CNY"
    pr = run.pathways["opening_up"]
    assert (res.output.to_numpy() == pr.output[1]).all()
    s = res.summary("LN")
    ln = (res.output.columns.get_level_values("region") == "LN")
    lost = float((res.baseline.to_numpy()[ln][None, :] - res.output.to_numpy()[:, ln]).sum()) * res.money.per_unit
    # the sign is the default model's (a gain where domestic producers replace the substitutable share)
    assert s["currency"] == "CNY" and s["loss"] == pytest.approx(lost, rel=1e-9) and s["loss"] != 0
    with pytest.raises(chainsim.ScenarioError, match="did you mean 'opening_up'"):
        run.result("opening_upp")


def test_readme_python_example_prints_a_meaningful_recovery_time(capsys):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## From Python\n+```python\n(.+?)```", text, re.S).group(1)
    exec(compile(block, "README.md", "exec"), {})  # the README's own example
    printed = capsys.readouterr().out
    days = re.search(r"recovers in (\d+) days", printed)
    assert days is not None, printed
    assert int(days.group(1)) > 0  # not the "0 days" of summing all of China
