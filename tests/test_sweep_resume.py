"""Nothing lost, nothing mixed: ``--resume`` refuses another sweep and never uses a bad chunk (issue #19 items 1, 5).

On 30b9e04 a resume compared only the design hash and the chunk size: after editing the
sweep's scope or horizon, or the scenario file, it resumed silently and mixed the old runs
with the new. A damaged chunk stopped it with a raw pyarrow traceback, a copied chunk was
counted, and an edited value was used. Every case below fails there.
"""

import json
import logging
import re
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from chainsim.cli import main
from chainsim.errors import ScenarioError
from chainsim.sweeps import run_sweep
from chainsim.sweeps.store import chunk_path, read_manifest

SCENARIO = {
    "name": "toy outage", "table": "toy", "horizon_days": 60, "seed": 3, "replications": 1,
    "disruptions": [{"type": "capacity_loss", "region": "R1", "sector": "A", "share": 0.3, "start": 5,
                     "duration": 10, "recovery": {"curve": "linear", "days": 20}}],
    "pathways": {"compare": ["baseline"]}, "metrics": {"scope": ["R1"]},
}
SWEEP = {
    "name": "toy sweep", "scenario": "scenario.yaml", "design": {"method": "lhs", "samples": 48},
    "factors": {"disruptions[0].share": [0.1, 0.5], "params.inventory_days": [20, 90]},
    "outputs": ["ttr_days", "loss_cny", "depth"], "scope": "R1", "ranking": {"enabled": False},
}


def _write(folder, sweep=None, scenario=None):
    (folder / "scenario.yaml").write_text(yaml.safe_dump(scenario or SCENARIO), encoding="utf-8")
    (folder / "sweep.yaml").write_text(yaml.safe_dump(sweep or SWEEP), encoding="utf-8")
    return folder / "sweep.yaml"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    from chainsim.data.csv_layout import write_csv_layout
    from chainsim.data.toy import load_toy

    d = tmp_path_factory.mktemp("toysweep")
    write_csv_layout(load_toy(), d / "toy")
    _write(d)
    return d


@pytest.fixture(scope="module")
def complete(files, tmp_path_factory):
    """The sweep run in one go: the reference every resumed sweep must equal."""
    return run_sweep(files / "sweep.yaml", out_dir=tmp_path_factory.mktemp("ref"), workers=1, progress=False,
                     chunk_size=3, figures=False)


def _interrupted(files, out, after=2):
    calls = []

    def stop(done, total):
        calls.append(done)
        if len(calls) == after + 1:  # the initial call + ``after`` finished chunks
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(files / "sweep.yaml", out_dir=out, workers=1, progress=stop, chunk_size=3, figures=False)
    return out


@pytest.mark.parametrize(("edit", "named"), [
    (lambda sw, sc: sw.update(scope="R1|A"), "the sweep file"),
    (lambda sw, sc: sw.update(horizon_days=40), "the sweep file"),
    (lambda sw, sc: sc["disruptions"][0].update(duration=12), "the scenario file's content"),
])
def test_resume_refuses_an_edited_sweep_and_names_what_changed(files, tmp_path, edit, named):
    work = tmp_path / "w"
    shutil.copytree(files, work)
    out = _interrupted(work, tmp_path / "out")
    sweep, scenario = json.loads(json.dumps(SWEEP)), json.loads(json.dumps(SCENARIO))
    edit(sweep, scenario)
    _write(work, sweep, scenario)
    before = {p.name: p.read_bytes() for p in (out / "chunks").iterdir()}
    manifest = (out / "manifest.json").read_text()
    pattern = rf"holds a different sweep, so its runs cannot be resumed: {re.escape(named)}.* changed \("
    with pytest.raises(ScenarioError, match=pattern):
        run_sweep(work / "sweep.yaml", out_dir=out, workers=1, resume=True, progress=False, figures=False)
    assert {p.name: p.read_bytes() for p in (out / "chunks").iterdir()} == before  # nothing touched
    assert (out / "manifest.json").read_text() == manifest


def test_resume_cli_exit_2_on_an_edited_scenario(files, tmp_path, capsys):
    work = tmp_path / "w"
    shutil.copytree(files, work)
    out = _interrupted(work, tmp_path / "out")
    scenario = json.loads(json.dumps(SCENARIO))
    scenario["horizon_days"] = 50
    _write(work, None, scenario)
    assert main(["sweep", str(work / "sweep.yaml"), "--out", str(out), "--resume", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "the scenario file's content changed (scenario_sha256" in err and "Traceback" not in err


def test_manifest_records_the_full_sweep_identity(complete, files):
    ident = read_manifest(complete.out_dir)["identity"]
    assert set(ident) == {"sweep_sha256", "design_sha256", "scenario_sha256", "dataset_checksum", "chainsim_version",
                          "chunk_size", "sha256"}
    assert ident["dataset_checksum"] and len(ident["sha256"]) == 64
    assert complete.provenance["sweep_identity"] == ident


def _resume(files, out, caplog):
    with caplog.at_level(logging.WARNING, logger="chainsim.sweeps.runner"):
        return run_sweep(files / "sweep.yaml", out_dir=out, workers=1, resume=True, progress=False, figures=False)


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_corrupt_chunk_is_reported_and_run_again(files, complete, tmp_path, caplog, damage):
    out = _interrupted(files, tmp_path / "out", after=3)
    victim = chunk_path(out, 1)
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2] if damage == "truncated" else bytes(range(256)) * 8)
    res = _resume(files, out, caplog)
    assert "part-00001.parquet" in res.provenance["chunks_rejected_this_call"]
    assert "moved to chunks/rejected/" in caplog.text
    assert (out / "chunks" / "rejected" / "part-00001.parquet").exists()
    assert res.provenance["chunks_run_this_call"] == len(list((out / "chunks").glob("part-*.parquet"))) - 2
    pd.testing.assert_frame_equal(res.runs, complete.runs)


def test_copied_chunk_is_not_counted_twice(files, complete, tmp_path, caplog):
    out = _interrupted(files, tmp_path / "out", after=2)
    shutil.copy(chunk_path(out, 0), chunk_path(out, 2))  # a stray copy under another chunk's name
    shutil.copy(chunk_path(out, 1), out / "chunks" / "part-000001.parquet")  # the same number, another name
    seen = []
    with caplog.at_level(logging.WARNING, logger="chainsim.sweeps.runner"):
        res = run_sweep(files / "sweep.yaml", out_dir=out, workers=1, resume=True,
                        progress=lambda d, t: seen.append(d), figures=False)
    assert seen[0] == 2 * 3  # only chunks 0 and 1 count as done
    rej = res.provenance["chunks_rejected_this_call"]
    assert "holds runs 0..2" in rej["part-00002.parquet"] and "copy of another chunk" in rej["part-00002.parquet"]
    assert "not a chunk file name" in rej["part-000001.parquet"]
    pd.testing.assert_frame_equal(res.runs, complete.runs)
    assert res.runs.run_id.is_unique


def test_tampered_value_is_detected_by_the_checksum(files, complete, tmp_path, caplog):
    out = _interrupted(files, tmp_path / "out", after=2)
    victim = chunk_path(out, 0)
    table = pq.read_table(victim)
    df = table.to_pandas()
    df.loc[0, "loss_cny"] = df.loc[0, "loss_cny"] * 0.5  # keeps the file's metadata, changes one value
    import pyarrow as pa

    pq.write_table(pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(table.schema.metadata),
                   victim)
    res = _resume(files, out, caplog)
    assert "do not match its checksum" in res.provenance["chunks_rejected_this_call"]["part-00000.parquet"]
    pd.testing.assert_frame_equal(res.runs, complete.runs)


def test_chunk_of_another_sweep_is_rejected(files, tmp_path, caplog):
    work = tmp_path / "w"
    shutil.copytree(files, work)
    other = _interrupted(work, tmp_path / "other")
    sweep = json.loads(json.dumps(SWEEP))
    sweep["scope"] = "R1|A"
    _write(work, sweep)
    out = _interrupted(work, tmp_path / "out", after=1)
    shutil.copy(chunk_path(other, 1), chunk_path(out, 1))  # same design rows, other scope: other numbers
    res = _resume(work, out, caplog)
    assert "written by another sweep" in res.provenance["chunks_rejected_this_call"]["part-00001.parquet"]
