"""CSV layout and pymrio readers: round trips and clear errors on bad files."""

import numpy as np
import pandas as pd
import pytest

from chainsim import DataError
from chainsim.data.csv_layout import read_csv_layout, write_csv_layout
from chainsim.data.readers import read_table
from chainsim.data.toy import load_toy
from tests.test_iotable import _two_region


def test_csv_round_trip_keeps_imports_and_names(tmp_path):
    t = _two_region()
    write_csv_layout(t, tmp_path / "case")
    back = read_table(tmp_path / "case")
    np.testing.assert_allclose(back.Z, t.Z)
    np.testing.assert_allclose(back.x, t.x)
    np.testing.assert_allclose(back.value_added, t.value_added)
    np.testing.assert_allclose(back.imports_Z, t.imports_Z)
    assert back.origins == ("JPN",)
    assert back.sectors[1].name_zh == "金属冶炼"
    assert back.regions[0].name_en == "Liaoning"
    ind = pd.read_csv(tmp_path / "case" / "industries.csv")
    # BoARIO's check: x = colsum(Z) + value_added (imports folded in) and x = rowsum(Z) + final_demand
    np.testing.assert_allclose(ind["output"], t.Z.sum(0) + ind["value_added"])
    np.testing.assert_allclose(ind["output"], t.Z.sum(1) + ind["final_demand"])


def test_rows_in_any_order_are_reordered_region_major(tmp_path):
    t = load_toy()
    folder = write_csv_layout(t, tmp_path / "toy")
    ind = pd.read_csv(folder / "industries.csv", dtype={"sector": str})
    z = pd.read_csv(folder / "Z.csv", dtype={"sector": str})
    ind.iloc[::-1].to_csv(folder / "industries.csv", index=False)
    z = z.iloc[::-1]
    z = z[["region", "sector", *list(z.columns[2:][::-1])]]
    z.to_csv(folder / "Z.csv", index=False)
    back = read_csv_layout(folder)
    assert back.sector_codes == ("B", "A")
    np.testing.assert_allclose(back.Z, t.Z[::-1, ::-1])


def _broken(tmp_path, edit):
    folder = write_csv_layout(_two_region(), tmp_path / "bad")
    edit(folder)
    return folder


def test_missing_column(tmp_path):
    def edit(f):
        ind = pd.read_csv(f / "industries.csv")
        ind.drop(columns="output").to_csv(f / "industries.csv", index=False)

    with pytest.raises(DataError, match=r"industries.csv: missing column 'output'"):
        read_table(_broken(tmp_path, edit))


def test_non_numeric_cell_names_row_and_column(tmp_path):
    def edit(f):
        z = pd.read_csv(f / "Z.csv", dtype=str)
        z.loc[2, "LN|14"] = "n/a"
        z.to_csv(f / "Z.csv", index=False)

    with pytest.raises(DataError, match=r"Z.csv: row 4, column 'LN\|14': expected a number, found 'n/a'"):
        read_table(_broken(tmp_path, edit))


def test_mismatched_header(tmp_path):
    def edit(f):
        z = pd.read_csv(f / "Z.csv", dtype=str)
        z.rename(columns={"JL|01": "JL|02"}).to_csv(f / "Z.csv", index=False)

    with pytest.raises(DataError, match=r"column 5 header must be 'JL\|01'.*found 'JL\|02'"):
        read_table(_broken(tmp_path, edit))


def test_incomplete_grid(tmp_path):
    def edit(f):
        ind = pd.read_csv(f / "industries.csv", dtype=str)
        ind.loc[3, "sector"] = "99"
        ind.to_csv(f / "industries.csv", index=False)

    with pytest.raises(DataError, match="full grid"):
        read_table(_broken(tmp_path, edit))


def test_unbalanced_file(tmp_path):
    def edit(f):
        ind = pd.read_csv(f / "industries.csv", dtype={"sector": str})
        ind.loc[0, "output"] *= 1.5
        ind.to_csv(f / "industries.csv", index=False)

    with pytest.raises(DataError, match=r"unbalanced.*LN\|01"):
        read_table(_broken(tmp_path, edit))


def test_unknown_source_kinds(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match=r"no industries\.csv"):
        read_table(tmp_path / "empty")
    (tmp_path / "t.xlsx").write_text("x")
    with pytest.raises(DataError, match="unsupported file type"):
        read_table(tmp_path / "t.xlsx")


def test_pymrio_test_system_round_trip():
    pymrio = pytest.importorskip("pymrio", reason="pymrio is a test extra: pip install '.[test]'")
    io = pymrio.load_test()
    io.calc_all()
    t = read_table(io)
    assert t.n_regions == 6 and t.n_sectors == 8
    np.testing.assert_allclose(t.Z, io.Z.to_numpy())
    np.testing.assert_allclose(t.x, io.x.to_numpy().ravel())
