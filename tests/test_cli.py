"""End-to-end CLI tests: data commands, run, validate, and clean failures (exit 2, no traceback)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chainsim.cli import main
from chainsim.data.datasets import load_dataset
from chainsim.data.readers import read_table

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "electronics_import_cut.yaml"


def test_data_list_and_show(capsys):
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "northeast-2017" in out and "china31-2017" in out
    assert main(["data", "show", "northeast-2017", "--sectors"]) == 0
    out = capsys.readouterr().out
    assert "LN 辽宁 Liaoning" in out and "6.108" in out  # gross output, trillion CNY (NBS: 6.11)
    assert "通信设备、计算机和其他电子设备" in out


def test_data_export_round_trip(tmp_path, capsys):
    assert main(["data", "export", "northeast-2017", "--out", str(tmp_path / "ne")]) == 0
    back = read_table(tmp_path / "ne")
    ref = load_dataset("northeast-2017")
    np.testing.assert_allclose(back.Z, ref.Z, rtol=1e-12)
    np.testing.assert_allclose(back.x, ref.x, rtol=1e-12)
    np.testing.assert_allclose(back.imports_Z, ref.imports_Z, rtol=1e-12)
    assert back.origins == ref.origins
    ind = pd.read_csv(tmp_path / "ne" / "industries.csv")
    assert {"region", "sector", "final_demand", "value_added", "output", "capital"} <= set(ind.columns)


def test_unknown_dataset_exits_2(capsys):
    assert main(["data", "show", "northeast-2071"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'northeast-2017'" in err and "Traceback" not in err


def test_run_writes_every_output(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(SCENARIO), "--replications", "2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "== northeast" in printed and "baseline" in printed
    summary = pd.read_csv(out / "summary.csv")
    for col in ("pathway", "scope", "ttr_days", "ttr_p10", "ttr_p90", "recovered_share", "depth", "trough_day",
                "loss_cny", "loss_days", "amplification"):
        assert col in summary.columns
    assert set(summary.pathway) == {"baseline", "tech_self_reliance", "opening_up", "dual_wheel", "digital_green",
                                    "environment"}
    assert set(summary.scope) == {"northeast", "LN", "JL", "HLJ"}
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    for key in ("chainsim_version", "scenario_sha256", "dataset_checksum", "seed", "params"):
        assert key in meta
    assert meta["dataset_checksum"] == load_dataset("northeast-2017").checksum
    traj = pd.read_parquet(out / "trajectories.parquet")
    assert list(traj.columns) == ["pathway", "replication", "day", "region", "sector", "output", "baseline"]
    assert len(traj) == 6 * 2 * 365 * 168
    assert (out / "recovery_curves.png").stat().st_size > 10_000
    assert (out / "loss_heatmap.png").stat().st_size > 10_000


def test_console_script_version():
    exe = shutil.which("chainsim", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("the chainsim console script is not installed in this environment")
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True)
    assert proc.stdout.startswith("chainsim ")
