"""The shipped labour and sub-region tables: rebuilt from their raw files, consistent with their sources."""

import hashlib

import numpy as np
import pandas as pd
import pytest

from chainsim.shocks.build_tables import DATA_DIR, RAW, build_all
from chainsim.shocks.tables import deferrable_cells, load_labour_table


def test_rebuild_gives_the_shipped_files(tmp_path):
    paths = build_all(tmp_path)
    for name, path in paths.items():
        assert path.read_bytes() == (DATA_DIR / name).read_bytes(), name


def test_sha256sums_match_the_files():
    for line in (DATA_DIR / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, rel = line.split("  ", 1)
        assert hashlib.sha256((DATA_DIR / rel).read_bytes()).hexdigest() == digest, rel


def test_employment_concordance_counts_every_worker_once():
    emp = pd.read_csv(RAW / "china_employment.csv", dtype={"Code": str}).set_index("Code")
    lab = pd.read_csv(DATA_DIR / "labour_nbs42.csv", dtype={"sector": str}).set_index("sector")
    assert lab.employment_10k.sum() == pytest.approx(emp.loc["TOT", "2017"], rel=1e-3)
    # division totals of the source: manufacturing C = NBS 06-23, mining B = 02-05, utilities D = 24-26
    sectors = lab.index.astype(int)
    assert lab.employment_10k[(sectors >= 6) & (sectors <= 23)].sum() == pytest.approx(emp.loc["C", "2017"], rel=1e-3)
    assert lab.employment_10k[(sectors >= 2) & (sectors <= 5)].sum() == pytest.approx(emp.loc["B", "2017"], rel=1e-3)
    assert lab.employment_10k[(sectors >= 24) & (sectors <= 26)].sum() == pytest.approx(emp.loc["D", "2017"], rel=1e-3)


def test_scores_are_shares_and_utilities_are_essential():
    lt = load_labour_table()
    assert lt.rli.min() >= 0 and lt.rli.max() <= 1 and lt.ess.min() >= 0 and lt.ess.max() <= 1
    assert lt.lookup("ess", ("24", "25", "26")).tolist() == [1.0, 1.0, 1.0]
    # electronics work is less essential than food processing (Pichler et al. 2022, Table 5)
    assert lt.lookup("ess", ("20",))[0] < lt.lookup("ess", ("06",))[0]


def test_labour_shares_are_shares_and_national_is_the_sum():
    df = pd.read_csv(DATA_DIR / "labour_share_2017.csv", dtype={"sector": str})
    assert df.labour_share.between(0, 1).all()
    assert set(df.region) >= {"LN", "JL", "HLJ", "ROC", "CN"}
    provinces = df[~df.region.isin(["ROC", "CN"])]
    assert provinces.region.nunique() == 31
    cn = df[df.region == "CN"].set_index("sector")
    summed = provinces.groupby("sector").value_added_10k.sum()
    assert np.allclose(summed.reindex(cn.index), cn.value_added_10k, rtol=1e-6)


def test_subregion_shares_within_bounds():
    df = pd.read_csv(DATA_DIR / "subregion_shares.csv", dtype={"sector": str})
    assert (df.low <= df.share).all() and (df.share <= df.high).all() and df.high.le(1).all()
    assert set(df.subregion) == {"changchun", "shanghai", "hubei"}
    assert df.groupby("subregion").sector.nunique().eq(42).all()
    assert df.method.str.len().gt(20).all() and df.source.str.len().gt(5).all()


def test_deferrable_cells():
    codes = ("06", "18", "20", "28")
    assert deferrable_cells("household", codes).tolist() == [False, True, True, False]
    assert deferrable_cells("gfcf", codes).all()
    assert not deferrable_cells("exports", codes).any()
