"""report.html: one self-contained bilingual file built from a run folder (issue 20)."""

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from chainsim.cli import main
from chainsim.report import render_report, report_context

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "electronics_import_cut.yaml"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "run"
    assert main(["run", str(SCENARIO), "--replications", "3", "--out", str(out), "--no-trajectories", "-q"]) == 0
    return out


def _copy(run_dir, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(run_dir, dst)
    return dst


def test_run_writes_a_self_contained_report(run_dir):
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "<title>Electronics import cut (卡链)" in html
    # nothing fetched from anywhere: every image and the font are data: URIs, no script at all
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", html)
    assert not re.search(r"url\((?!data:)", html)
    assert "<script" not in html
    assert html.count('<img class="report-figure" src="data:image/png;base64,') == 3
    assert "@font-face" in html and "data:font/woff;base64," in html
    for heading in ("情景说明", "政策路径比较", "恢复过程", "杠杆归因", "注意事项", "来源与可复现性"):
        assert heading in html
    meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    for value in (meta["scenario_sha256"], meta["dataset_checksum"], meta["chainsim_version"], str(meta["seed"])):
        assert value in html


def test_report_describes_the_scenario_in_both_languages(run_dir):
    ctx = report_context(run_dir)
    (d,) = ctx["disruptions"]
    assert "KOR, JPN, TWN, USA" in d["en"] and "60 %" in d["en"] and "about 90 days" in d["en"]
    assert "通信设备、计算机和其他电子设备" in d["zh"] and "减少60%" in d["zh"]
    assert [t["scope"] for t in ctx["tables"]] == ["northeast", "LN", "JL", "HLJ"]
    assert all(len(t["rows"]) == 6 for t in ctx["tables"])
    assert ctx["caveats"]["drives"] and ctx["caveats"]["assumed"]


def test_absent_paired_statistics_and_attribution_are_said_plainly(run_dir):
    html = render_report(run_dir)
    assert 'id="paired-missing"' in html and "loss_diff_cny" in html
    assert 'id="attribution-missing"' in html
    assert "配对差异</span></th>" not in html


def test_paired_statistics_and_attribution_are_shown_when_present(run_dir, tmp_path):
    d = _copy(run_dir, tmp_path)
    summary = pd.read_csv(d / "summary.csv")
    summary.insert(2, "rank", summary.groupby("scope").cumcount() + 1)
    summary["loss_diff_cny"] = -1.5e9
    summary["loss_diff_lo"] = -2.25e9
    summary["loss_diff_hi"] = -0.75e9
    summary["effect"] = "lower loss"
    summary["ttr_diff_days"], summary["ttr_diff_lo"], summary["ttr_diff_hi"] = -12.0, -20.0, -3.0
    summary["p_best"] = 0.25
    summary.to_csv(d / "summary.csv", index=False)
    pd.DataFrame({"pathway": ["opening_up", "opening_up"], "lever": ["import_headroom", "search_days"],
                  "share_of_effect": [0.7, 0.3]}).to_csv(d / "attribution.csv", index=False)
    html = render_report(d)
    assert 'id="paired-missing"' not in html and 'id="attribution-missing"' not in html
    assert "−1.50" in html or "-1.50" in html
    assert "-2.25 … -0.75" in html and "lower loss" in html
    assert "import_headroom" in html and 'class="attribution-table"' in html
    assert "-20 … -3" in html and "25%" in html


def test_report_command_rebuilds_and_fails_cleanly(run_dir, tmp_path, capsys):
    d = _copy(run_dir, tmp_path)
    (d / "report.html").unlink()
    (d / "recovery_panels.png").unlink()
    assert main(["report", str(d)]) == 0
    html = (d / "report.html").read_text(encoding="utf-8")
    assert html.count('class="report-figure"') == 2
    assert main(["report", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert "expected a run folder" in err and "Traceback" not in err


def test_no_figures_run_says_so(tmp_path):
    out = tmp_path / "nf"
    assert main(["run", str(SCENARIO), "--replications", "1", "--out", str(out), "--no-trajectories",
                 "--no-figures", "-q"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="figures-missing"' in html and "report-figure" not in html
