"""NBS provincial table reader: layout, identities, 2012/2017 sector lists, clear errors on bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chainsim.data.nbs import SECTOR_CODES, load_sectors, read_nbs_provincial, read_nbs_table
from chainsim.data.provinces import RAW_DIR
from chainsim.errors import DataError

NBS = RAW_DIR / "nbs_provincial_io_42"
LN17 = NBS / "2017" / "06_liaoning.csv"
TOTALS = pd.read_csv(NBS / "province_totals_10k_cny.csv", dtype={"code": str})


def _total(year: int, code: str, col: str) -> float:
    row = TOTALS[(TOTALS["year"] == year) & (TOTALS["code"] == code)]
    return float(row[col].iloc[0])


def test_parse_liaoning_2017_matches_published_totals():
    pt = read_nbs_table(LN17)
    assert pt.year == 2017 and pt.region == "06"
    assert pt.Z.shape == (42, 42) and pt.final_demand.shape == (42, 5) and pt.VA.shape == (4, 42)
    assert pt.GO.sum() == pytest.approx(_total(2017, "06", "GO"), abs=1.0)
    assert pt.value_added.sum() == pytest.approx(_total(2017, "06", "VA"), abs=1.0)
    assert pt.OF.sum() == pytest.approx(_total(2017, "06", "OF"), abs=1.0)
    assert pt.IF.sum() == pytest.approx(_total(2017, "06", "IF"), abs=1.0)
    assert np.abs(pt.row_residual).max() < 1.0
    assert pt.sectors[19].code == "20" and pt.sectors[19].name_zh == "通信设备、计算机和其他电子设备"


def test_2012_layout_detected_and_uses_2012_sector_list():
    pt = read_nbs_table(NBS / "2012" / "06_liaoning.csv")
    assert pt.year == 2012
    assert pt.sectors[22].name_zh == "废品废料"
    assert pt.GO.sum() == pytest.approx(_total(2012, "06", "GO"), abs=1.0)
    assert [s.code for s in load_sectors(2012)] == list(SECTOR_CODES)


@pytest.mark.parametrize("year", [2017, 2012])
def test_every_shipped_table_parses_and_reads_as_balanced_iotable(year):
    for path in sorted((NBS / str(year)).glob("*.csv")):
        t = read_nbs_provincial(path)
        assert t.n_regions == 1 and t.n_sectors == 42
        assert t.x.sum() == pytest.approx(_total(year, path.name[:2], "GO"), rel=1e-9, abs=1.0)


def test_single_region_table_layout():
    t = read_nbs_provincial(LN17)
    pt = read_nbs_table(LN17)
    assert t.region_codes == ("LN",) and t.regions[0].name_zh == "辽宁"
    assert t.origins == ("ABROAD", "DOMESTIC") and t.domestic_origins == ("DOMESTIC",)
    assert t.summary().loc[t.region_codes[0], "imports_cny"] == pytest.approx(t.imports_Z[0].sum() * 1e4)
    assert [c for _, c in t.fd_columns] == ["household", "government", "gfcf", "inventory"]
    assert t.unit == "10k CNY" and t.cny_per_unit == 1e4
    # imports, inflows and sales outside the province are the table's, less what was netted as transit
    net = t.provenance["netted_10k_cny"]
    assert t.imports_Z[0].sum() + t.imports_Y[0].sum() == pytest.approx(pt.IM.sum() - net["EX-IM"] - net["OF-IM"],
                                                                         rel=1e-12)
    assert t.imports_Z[1].sum() + t.imports_Y[1].sum() == pytest.approx(pt.IF.sum() - net["OF-IF"] - net["EX-IF"],
                                                                         rel=1e-12)
    assert t.exports.sum() == pytest.approx(pt.EX.sum() + pt.OF.sum() - sum(net.values()), rel=1e-12)
    # the excess rule (builder 1.x) nets nothing in Liaoning: imports and inflows reproduce IM and IF
    old = read_nbs_provincial(LN17, reexport_rule="excess")
    assert old.imports_Z[0].sum() + old.imports_Y[0].sum() == pytest.approx(pt.IM.sum(), rel=1e-12)
    assert old.imports_Z[1].sum() + old.imports_Y[1].sum() == pytest.approx(pt.IF.sum(), rel=1e-12)
    assert old.exports.sum() == pytest.approx(pt.EX.sum() + pt.OF.sum(), rel=1e-12)


def test_reexports_netted_in_single_region_reader():
    t = read_nbs_provincial(NBS / "2017" / "07_jilin.csv")  # Jilin re-exports transport equipment
    assert (t.exports <= t.x * (1 + 1e-12)).all()
    assert t.provenance["netted_10k_cny"]["OF-IF"] > 0


# ----------------------------------------------------------------------------------- bad files
def _frame() -> pd.DataFrame:
    return pd.read_csv(LN17, dtype=str, keep_default_na=False)


def _write(df: pd.DataFrame, tmp_path: Path) -> Path:
    path = tmp_path / "06_liaoning.csv"
    df.to_csv(path, index=False)
    return path


def test_missing_row(tmp_path):
    df = _frame()
    path = _write(df[df["code"] != "17"], tmp_path)
    with pytest.raises(DataError, match=r"06_liaoning\.csv: missing row\(s\) \['17'\]"):
        read_nbs_table(path)


def test_missing_column(tmp_path):
    path = _write(_frame().drop(columns=["IF"]), tmp_path)
    with pytest.raises(DataError, match=r"06_liaoning\.csv: missing column\(s\) \['IF'\]"):
        read_nbs_table(path)


def test_duplicate_row(tmp_path):
    df = _frame()
    path = _write(pd.concat([df, df[df["code"] == "05"]]), tmp_path)
    with pytest.raises(DataError, match=r"06_liaoning\.csv: row code '05' appears more than once"):
        read_nbs_table(path)


def test_non_numeric_cell(tmp_path):
    df = _frame()
    df.loc[df["code"] == "05", "EX"] = "n/a"
    with pytest.raises(DataError, match=r"06_liaoning\.csv: row '05', column 'EX': expected a number, found 'n/a'"):
        read_nbs_table(_write(df, tmp_path))


def test_empty_cell(tmp_path):
    df = _frame()
    df.loc[df["code"] == "TVA", "13"] = ""
    with pytest.raises(DataError, match=r"row 'TVA', column '13': expected a number, found an empty cell"):
        read_nbs_table(_write(df, tmp_path))


def test_broken_row_identity(tmp_path):
    df = _frame()
    k = df.index[df["code"] == "12"][0]
    df.loc[k, "GO"] = repr(float(df.loc[k, "GO"]) + 5000.0)
    with pytest.raises(DataError, match=r"06_liaoning\.csv: row '12': identity TIU \+ TFU - IM - IF \+ ERR = GO "
                                        r"does not hold: .*gap -5000"):
        read_nbs_table(_write(df, tmp_path))


def test_broken_column_identity(tmp_path):
    df = _frame()
    k = df.index[df["code"] == "VA004"][0]
    df.loc[k, "30"] = repr(float(df.loc[k, "30"]) + 77.0)
    with pytest.raises(DataError, match=r"06_liaoning\.csv: column '30': identity VA001 \+ VA002 \+ VA003 \+ VA004 "
                                        r"= TVA does not hold"):
        read_nbs_table(_write(df, tmp_path))


def test_negative_flow(tmp_path):
    df = _frame()
    df.loc[df["code"] == "03", "IM"] = "-5"
    with pytest.raises(DataError, match=r"row '03', column 'IM': expected a non-negative flow, found -5"):
        read_nbs_table(_write(df, tmp_path))


def test_unknown_sector_names_and_missing_file(tmp_path):
    df = _frame()
    df.loc[df["code"].isin(SECTOR_CODES), "name_zh"] = "?"
    with pytest.raises(DataError, match="match neither the NBS 2017 nor the 2012"):
        read_nbs_table(_write(df, tmp_path))
    with pytest.raises(DataError, match="file not found"):
        read_nbs_table(tmp_path / "nope.csv")
