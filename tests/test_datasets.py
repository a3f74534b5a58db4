"""Dataset registry: list, load (shipped and cached), byte-identical rebuild, criticality."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from chainsim.data import datasets
from chainsim.data.build import build_northeast_2017
from chainsim.data.datasets import BUILT_DIR, build_datasets, list_datasets, load_criticality, load_dataset
from chainsim.data.store import read_csv_bundle, sha256sums
from chainsim.errors import DataError

SHIPPED = BUILT_DIR / "northeast_2017"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINSIM_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_list_datasets(cache):
    infos = {d.name: d for d in list_datasets()}
    assert set(infos) == {"northeast-2017", "china31-2017", "northeast-2017-fine"}
    ne, c31 = infos["northeast-2017"], infos["china31-2017"]
    assert ne.shipped and ne.available and ne.regions == ("LN", "JL", "HLJ", "ROC") and ne.n_industries == 168
    assert not c31.shipped and not c31.available and c31.n_industries == 1302 and len(c31.regions) == 31


def test_shipped_files_are_small_and_listed_in_sha256sums():
    listed = dict(line.split()[::-1] for line in (SHIPPED / "SHA256SUMS").read_text().splitlines())
    assert listed == sha256sums(SHIPPED)
    for f in SHIPPED.iterdir():
        assert f.stat().st_size < 5_000_000


def test_load_northeast_restores_the_built_table_exactly():
    t = load_dataset("northeast-2017")
    fresh = build_northeast_2017().table
    assert t.checksum == fresh.checksum
    for f in ("Z", "Y", "exports", "value_added", "x", "imports_Z", "imports_Y"):
        assert np.array_equal(getattr(t, f), getattr(fresh, f))
    assert t.fd_columns == fresh.fd_columns and t.regions == fresh.regions and t.sectors == fresh.sectors
    assert t.origins == fresh.origins and t.domestic_origins == fresh.domestic_origins == ("DOM",)
    assert dict(t.provenance)["builder_version"] == fresh.provenance["builder_version"]
    assert load_dataset("northeast-2017") is t  # cached in-process


def test_rebuild_is_byte_identical_to_the_shipped_files(tmp_path):
    report = build_datasets(tmp_path)
    info = report["datasets"]["northeast-2017"]
    assert info["files"] == sha256sums(SHIPPED)
    again = build_datasets(tmp_path / "second")
    assert again["datasets"]["northeast-2017"]["files"] == info["files"]
    assert info["ras"]["max_gap"] <= 1e-10 and info["regions"]["LN"]["gross_output"] == pytest.approx(6.108287e8)
    assert read_csv_bundle(tmp_path / "northeast_2017").checksum == load_dataset("northeast-2017").checksum


def test_china31_built_on_first_use_into_the_cache(cache):
    t = load_dataset("china31-2017")
    assert t.n_industries == 1302
    folders = list(cache.iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("china31_2017-v")
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # no temporary leftovers
    assert {d.name: d.available for d in list_datasets()}["china31-2017"]
    datasets._load.cache_clear()
    again = load_dataset("china31-2017")  # read back from the cache
    assert again is not t and again.checksum == t.checksum and again.domestic_origins == ("DOM",)


def test_china31_cache_build_is_deterministic(tmp_path):
    r = build_datasets(tmp_path, names=("china31-2017",))
    digest = {k: v for k, v in r["datasets"]["china31-2017"]["files"].items()}
    r2 = build_datasets(tmp_path / "b", names=["china31-2017"])
    assert r2["datasets"]["china31-2017"]["files"] == digest
    assert r["datasets"]["china31-2017"]["seconds"] < 30


def test_unknown_dataset_suggests_a_name():
    with pytest.raises(DataError, match=r"unknown dataset 'northeast-2018'.*did you mean 'northeast-2017'"):
        load_dataset("northeast-2018")
    with pytest.raises(DataError, match="unknown dataset"):
        build_datasets(names=("china32",))


def test_damaged_bundle_is_detected(tmp_path):
    build_datasets(tmp_path)
    folder = tmp_path / "northeast_2017"
    text = (folder / "vectors.csv").read_text().splitlines()
    head, first = text[0], text[1].split(",")
    first[3] = str(float(first[3]) * 1.5)  # value added of LN|01
    (folder / "vectors.csv").write_text("\n".join([head, ",".join(first), *text[2:]]) + "\n")
    with pytest.raises(DataError):
        read_csv_bundle(folder)


@pytest.mark.parametrize("agg", ["max", "mean"])
def test_criticality(agg):
    c = load_criticality(agg)
    assert c.shape == (42, 42) and list(c.index) == [f"{i:02d}" for i in range(1, 43)]
    assert c.index.name == "input" and c.columns.name == "user"
    assert not c.isna().any().any()
    assert c.attrs["filled"] == [{"input": "13", "user": "11", "value": 0.0, "rule": "median of the input's row"}]
    if agg == "max":
        assert set(np.unique(c.to_numpy())) <= {0.0, 0.5, 1.0}
        assert c.loc["24", "18"] == 1.0  # electricity is critical for transport equipment
    with pytest.raises(DataError, match="'max' or 'mean'"):
        load_criticality("median")


def test_package_never_reads_outside_itself():
    for p in BUILT_DIR.parent.glob("*.py"):
        assert "/work/shared" not in p.read_text(encoding="utf-8"), p


def test_every_raw_folder_lists_its_files_in_sha256sums_and_has_provenance():
    """Every raw file the builder reads is shipped with its checksum and a PROVENANCE.md."""
    from chainsim.data.build_report import input_files
    from chainsim.data.provinces import RAW_DIR

    folders = {p.relative_to(RAW_DIR).parts[0] for p in input_files(2017)}
    assert {"nbs_national_io", "origins", "wiod2013_release", "geo", "nbs_provincial_io_42"} <= folders
    for name in sorted(folders):
        folder = RAW_DIR / name
        assert (folder / "PROVENANCE.md").is_file(), name
        listed = dict(line.split()[::-1] for line in (folder / "SHA256SUMS").read_text().splitlines())
        for path in input_files(2017):
            if path.relative_to(RAW_DIR).parts[0] == name:
                rel = str(path.relative_to(folder))
                assert listed.get(rel) == hashlib.sha256(path.read_bytes()).hexdigest(), rel


def test_open_table_by_name_or_bundle_folder(tmp_path):
    from chainsim.data.datasets import open_table

    build_datasets(tmp_path)
    t = open_table(tmp_path / "northeast_2017")
    assert t.checksum == open_table("northeast-2017").checksum
    with pytest.raises(DataError, match=r"holds one in northeast_2017/; pass that folder"):
        open_table(tmp_path)
    with pytest.raises(DataError, match=r"neither a dataset .* nor a folder .*did you mean 'northeast-2017'"):
        open_table("northeast-2071")


def test_diff_tables_finds_a_changed_flow_and_the_cli_prints_it(tmp_path, capsys):
    """A known edit (one Z cell moved to value added, so the table still balances) is the top row of the diff."""
    import dataclasses

    from chainsim.cli import main
    from chainsim.data.compare import diff_tables
    from chainsim.data.store import write_csv_bundle

    t = load_dataset("northeast-2017")
    i, j = t.industry_index("LN", "18"), t.industry_index("JL", "18")
    Z = t.Z.copy()
    moved = 0.5 * Z[i, j]
    Z[i, j] -= moved
    Y = t.Y.copy()
    Y[i, t.fd_columns.index(("LN", "household"))] += moved  # row: sold to final demand instead
    va = t.value_added.copy()
    va[j] += moved  # column: value added instead of the input
    edited = dataclasses.replace(t, Z=Z, Y=Y, value_added=va)
    d = diff_tables(t, edited, top=3)
    assert (d.loc[0, "kind"], d.loc[0, "from"], d.loc[0, "to"]) == ("Z", "LN|18", "JL|18")
    assert d.loc[0, "change"] == pytest.approx(-moved) and d.loc[0, "change_pct"] == pytest.approx(-50.0)
    assert set(diff_tables(t, t, top=None)["change"]) == {0.0}
    write_csv_bundle(edited, tmp_path / "edited")
    assert main(["data", "diff", "northeast-2017", str(tmp_path / "edited"), "--top", "3", "--csv",
                 str(tmp_path / "d.csv")]) == 0
    out = capsys.readouterr().out
    assert "LN|18" in out and "JL|18" in out and "By region" in out and (tmp_path / "d.csv").is_file()
    assert main(["data", "diff", "northeast-2017", str(tmp_path / "edited"), "--csv", str(tmp_path / "d.csv")]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["data", "diff", "northeast-2017", "northeast-2017", "--kind", "Zz"]) == 2
    assert "unknown kind 'Zz'" in capsys.readouterr().err
