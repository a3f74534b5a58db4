"""Malformed table files give one DataError naming file, field, expectation and value; never a traceback.

Issue #19 item 8: on 30b9e04 a ``meta.json`` that is a list or a string, not UTF-8, with a
region name that is not ``[name_en, name_zh]``, a non-numeric ``cny_per_unit``, a non-object
``provenance`` or non-list ``domestic_origins``; a ``Z.csv`` with an extra column; and pymrio
systems with flat indexes, non-numeric cells or an incomplete ``x`` raised AttributeError,
TypeError, ValueError, IndexError or KeyError from inside the readers.
"""

import json
import shutil
import types

import numpy as np
import pandas as pd
import pytest

from chainsim.cli import main
from chainsim.data.csv_layout import write_csv_layout
from chainsim.data.readers import from_pymrio, read_table
from chainsim.errors import DataError
from tests.scan_fixtures import small_table


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    return write_csv_layout(small_table(), tmp_path_factory.mktemp("good") / "t")


def _meta(good, **changes):
    meta = json.loads((good / "meta.json").read_text(encoding="utf-8"))
    return json.dumps({**meta, **changes})


META_CASES = {
    "a list": ("[]", r"meta\.json: expected a JSON object of fields"),
    "a string": ('"x"', r"meta\.json: expected a JSON object of fields .*found str"),
    "not UTF-8": (b"\xff\xfe{", r"meta\.json: not UTF-8 text"),
    "region name a string": ({"regions": {"AA": "Aland"}}, r"regions\.AA: expected \[name_en, name_zh\]"),
    "region with three names": ({"regions": {"AA": ["a", "b", "c"]}}, r"regions\.AA: expected \[name_en, name_zh\]"),
    "regions a list": ({"regions": ["AA"]}, r"regions: expected an object code -> \[name_en, name_zh\]"),
    "cny_per_unit a word": ({"cny_per_unit": "abc"}, r"cny_per_unit: expected a positive number .*found 'abc'"),
    "cny_per_unit null": ({"cny_per_unit": None}, r"cny_per_unit: expected a positive number .*found None"),
    "provenance a list": ({"provenance": [1]}, r"provenance: expected an object; found \[1\]"),
    "domestic_origins a number": ({"domestic_origins": 5}, r"domestic_origins: expected a list of origin codes"),
    "domestic_origins a string": ({"domestic_origins": "O1"}, r"domestic_origins: expected a list"),
    "name a number": ({"name": 5}, r"name: expected a string; found 5"),
}


@pytest.mark.parametrize("case", list(META_CASES))
def test_malformed_meta_json(good, tmp_path, case):
    content, pattern = META_CASES[case]
    folder = shutil.copytree(good, tmp_path / "t")
    if isinstance(content, dict):
        content = _meta(good, **content)
    (folder / "meta.json").write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(DataError, match=pattern):
        read_table(folder)


def test_z_with_an_extra_column(good, tmp_path):
    folder = shutil.copytree(good, tmp_path / "t")
    lines = (folder / "Z.csv").read_text(encoding="utf-8").splitlines()
    first = lines[0].split(",")[2]
    text = "\n".join([lines[0] + "," + first] + [ln + ",1" for ln in lines[1:]]) + "\n"
    (folder / "Z.csv").write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"Z\.csv: 9 value columns; expected 8"):
        read_table(folder)


def test_cli_reports_a_malformed_table_in_one_line(good, tmp_path, capsys):
    folder = shutil.copytree(good, tmp_path / "t")
    (folder / "meta.json").write_text("[]", encoding="utf-8")
    assert main(["scan", "--table", str(folder), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "meta.json: expected a JSON object" in err and "Traceback" not in err


IDX = pd.MultiIndex.from_product([["r1", "r2"], ["a", "b"]])
Z = pd.DataFrame(np.ones((4, 4)), index=IDX, columns=IDX)
Y = pd.DataFrame(np.full((4, 2), 3.0), index=IDX, columns=pd.MultiIndex.from_product([["r1", "r2"], ["hh"]]))


def _io(**fields):
    return types.SimpleNamespace(**{"Z": Z, "Y": Y, "name": "x", **fields})


PYMRIO_CASES = {
    "flat Y columns": (_io(Y=pd.DataFrame(np.ones((4, 2)), index=IDX, columns=["y1", "y2"])),
                       r"Y must have \(region, final demand category\) columns; found 1"),
    "three-level Y columns": (_io(Y=pd.DataFrame(np.ones((4, 2)), index=IDX, columns=pd.MultiIndex.from_tuples(
        [("r1", "hh", "x"), ("r2", "hh", "x")]))), r"found 3 column level"),
    "flat Z index": (_io(Z=pd.DataFrame(np.ones((4, 4)))), r"Z must be a DataFrame with \(region, sector\) rows"),
    "x missing industries": (_io(x=pd.DataFrame({"indout": [1.0, 2.0]}, index=IDX[:2])),
                             r"not a full regions x sectors grid in Z, Y and x"),
    "no name, incomplete grid": (types.SimpleNamespace(Z=Z.iloc[:3, :3], Y=Y.iloc[:3], x=None),
                                 r"pymrio IOSystem '\?': not a full regions x sectors grid"),
    "text in Z": (_io(Z=Z.astype(object).where(Z < 0, "a")), r"Z, Y and x must hold numbers"),
    "not an IOSystem": (types.SimpleNamespace(Z="abc", Y="def"), r"Z must be a DataFrame"),
}


@pytest.mark.parametrize("case", list(PYMRIO_CASES))
def test_malformed_pymrio_system(case):
    io, pattern = PYMRIO_CASES[case]
    with pytest.raises(DataError, match=pattern):
        from_pymrio(io)
