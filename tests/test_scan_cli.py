"""``chainsim scan`` end to end on a small table in the CSV layout, and its errors."""

import json

import pandas as pd
import pytest

from chainsim.cli import main
from chainsim.data.csv_layout import write_csv_layout
from tests.scan_fixtures import small_table


@pytest.fixture(scope="module")
def table_dir(tmp_path_factory):
    return write_csv_layout(small_table(), tmp_path_factory.mktemp("table") / "scan-toy")


def test_scan_end_to_end(table_dir, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["scan", "--table", str(table_dir), "--scope", "all", "--days", "120", "--duration", "60",
                 "--start", "5", "--out", str(out), "--pathway", "opening_up", "--intensity", "1", "--top", "3"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "chokepoints for all" in captured.out and "Spearman" in captured.out
    assert "imports" in captured.err and "19 targets" in captured.out  # progress on stderr
    for name in ("ranking.csv", "prescreen.csv", "correlations.csv", "scan.json", "heatmap_imports.png", "top20.png",
                 "pathway_effect.csv", "ranking_opening_up.csv", "scan_opening_up.json"):
        assert (out / name).is_file(), name
    ranking = pd.read_csv(out / "ranking.csv")
    assert {"kind", "target", "product", "origin", "from_region", "to_region", "region", "name_zh", "name_en",
            "loss_cny", "loss_days", "ttr_days", "recovered", "tts_days", "rank"} <= set(ranking.columns)
    assert len(ranking) == 19
    effect = pd.read_csv(out / "pathway_effect.csv")
    assert set(effect.pathway) == {"opening_up"}
    doc = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    assert doc["dataset"] == "scan-toy" and doc["settings"]["kinds"] == ["imports", "links", "nodes"]
    levers = json.loads((out / "scan_opening_up.json").read_text(encoding="utf-8"))["settings"]["levers"]
    from chainsim.pathways.registry import LEVERS

    assert levers["import_headroom"] == pytest.approx(LEVERS["import_headroom"].full)


def test_scan_kinds_subset_without_figures(table_dir, tmp_path):
    out = tmp_path / "out"
    assert main(["scan", "--table", str(table_dir), "--scope", "all", "--kinds", "nodes", "--days", "60",
                 "--duration", "20", "--start", "2", "--no-figures", "--out", str(out)]) == 0
    assert set(pd.read_csv(out / "ranking.csv").kind) == {"nodes"}
    assert not (out / "top20.png").exists()


@pytest.mark.parametrize(("args", "match"), [
    (["--kinds", "imports,nodez"],
     "unknown kind 'nodez'; expected one of ['imports', 'links', 'nodes'] (did you mean 'nodes'?)"),
    (["--rank-by", "tts2"], "did you mean 'tts'"),
    (["--share", "0"], "share: expected a share in (0, 1]"),
    (["--scope", "XX"], "XX"),
    (["--pathway", "opening"], "did you mean 'opening_up'"),
    (["--pathway", "opening_up", "--intensity", "2"], "--intensity"),
])
def test_scan_errors_exit_2(table_dir, tmp_path, capsys, args, match):
    code = main(["scan", "--table", str(table_dir), "--scope", "all", "--out", str(tmp_path / "o"), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("chainsim: error:") and match in err
    assert len(err.strip().splitlines()) == 1  # one line, no traceback


def test_scan_missing_table(tmp_path, capsys):
    assert main(["scan", "--table", str(tmp_path / "nope")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_scan_defaults_to_the_available_cpus_with_the_serial_results(table_dir, tmp_path, monkeypatch):
    # issue 22: no --workers means one process per CPU this process may use; the ranking is --workers 1's
    import chainsim.procs
    import chainsim.scan

    seen = []
    real = chainsim.scan.scan
    monkeypatch.setattr(chainsim.procs, "available_cpus", lambda: 2)
    monkeypatch.setattr(chainsim.scan, "scan", lambda *a, **k: seen.append(k["workers"]) or real(*a, **k))
    common = ["--table", str(table_dir), "--scope", "all", "--kinds", "links,nodes", "--days", "60", "--duration",
              "20", "--start", "2", "--chunk", "4", "--no-figures"]
    assert main(["scan", *common, "--out", str(tmp_path / "all"), "-q"]) == 0
    assert main(["scan", *common, "--workers", "1", "--out", str(tmp_path / "one"), "-q"]) == 0
    assert seen == [2, 1]
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "all" / "ranking.csv"),
                                  pd.read_csv(tmp_path / "one" / "ranking.csv"))


@pytest.mark.parametrize(("flag", "simulated"), [([], False), (["--run-screened"], True), (["--skip-screened"], False)])
def test_scan_simulates_screened_targets_only_on_request(tmp_path, flag, simulated):
    """The CLI's scan lists screened targets (utilities, services) with their reason without simulating them;
    ``--run-screened`` simulates them too (issue 21: the fine scan's 2 minutes). The goods' ranking is the same
    either way (tests/test_scan_screen.py::test_skipping_the_screened_targets_leaves_the_goods_unchanged).

    On the NBS-42 dataset (the toy table's sectors have no input class, so none of its targets is screened):
    the screened nodes are those of the flow and deferrable products, and only the simulated ones have a loss.
    """
    from chainsim.data.datasets import load_dataset
    from chainsim.scan.screen import SCREENED_CLASSES, product_classes

    out = tmp_path / "out"
    assert main(["scan", "--dataset", "northeast-2017", "--scope", "all", "--kinds", "nodes", "--days", "10",
                 "--duration", "3", "--start", "2", "--no-figures", "--workers", "1", "-q", "--no-progress",
                 "--out", str(out), *flag]) == 0
    doc = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    assert doc["settings"]["run_screened"] is simulated
    classes = product_classes(load_dataset("northeast-2017"))
    ranking = pd.read_csv(out / "ranking.csv", dtype={"product": str})
    screened = ranking["product"].map(classes).isin(SCREENED_CLASSES)
    assert 0 < screened.sum() < len(ranking)
    assert ranking.loc[~screened, "loss_cny"].notna().all()
    losses = ranking.loc[screened, "loss_cny"]
    assert (losses.notna() if simulated else losses.isna()).all()
    assert doc["simulated"]["nodes"] == len(ranking) - (0 if simulated else int(screened.sum()))


def test_scan_help_describes_the_command_and_the_kinds_default(capsys):
    """A new user found no description line in `chainsim scan --help` and no default for --kinds."""
    import pytest as _pytest

    from chainsim.cli import main as _main

    with _pytest.raises(SystemExit):
        _main(["scan", "--help"])
    out = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert "chokepoint scan" in out.split("options:")[0] and "(default all three)" in out
