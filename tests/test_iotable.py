"""IOTable invariants: every kind of bad table raises one clear DataError."""

import hashlib
from dataclasses import replace

import numpy as np
import pytest

from chainsim import DataError, IOTable
from chainsim.data.csv_layout import read_csv_layout, write_csv_layout
from chainsim.data.iotable import Region, Sector
from chainsim.data.store import read_array_bundle, read_csv_bundle, write_array_bundle, write_csv_bundle
from chainsim.data.toy import load_toy


def _two_region(**overrides):
    Z = np.array([[10.0, 5, 2, 1], [4, 20, 1, 3], [2, 1, 15, 5], [1, 2, 6, 25]])
    Y = np.array([[20.0, 3], [30, 2], [4, 25], [3, 30]])
    e = np.array([5.0, 0, 2, 1])
    x = Z.sum(1) + Y.sum(1) + e
    imp = np.zeros((1, 2, 4))
    imp[0, 1, 0] = 3.0
    va = x - Z.sum(0) - imp.sum(axis=(0, 1))
    kw = dict(name="t", regions=(Region("LN", "Liaoning", "辽宁"), Region("JL", "Jilin", "吉林")),
              sectors=(Sector("01", "Agriculture", "农林牧渔"), Sector("14", "Metals", "金属冶炼")),
              Z=Z, Y=Y, fd_columns=(("LN", "household"), ("JL", "household")), exports=e,
              value_added=va, x=x, origins=("JPN",), imports_Z=imp, imports_Y=np.zeros((1, 2, 2)))
    kw.update(overrides)
    return IOTable(**kw)


def test_valid_table_is_read_only_and_labelled():
    t = _two_region()
    assert t.n_industries == 4
    assert list(t.labels) == [("LN", "01"), ("LN", "14"), ("JL", "01"), ("JL", "14")]
    with pytest.raises(ValueError):
        t.Z[0, 0] = 1.0
    with pytest.raises(AttributeError):
        t.name = "other"
    assert t.industry_index("JL", "14") == 3
    assert t.sector_index("金属冶炼") == 1 and t.region_index("Jilin") == 1
    assert t.summary().loc["LN", "imports_cny"] == pytest.approx(3.0)


def test_row_imbalance_names_industry_and_gap():
    t = _two_region()
    x = t.x.copy()
    x[2] *= 1.01
    with pytest.raises(DataError, match=r"unbalanced: row .* of JL\|01 sums to 54 .* \(gap -0.54"):
        _two_region(x=x, value_added=t.value_added + (x - t.x))


def test_column_imbalance_detected():
    t = _two_region()
    va = t.value_added.copy()
    va[1] += 0.5
    with pytest.raises(DataError, match=r"column .* LN\|14"):
        _two_region(value_added=va)


def test_nan_and_negative_flows_rejected():
    t = _two_region()
    Z = t.Z.copy()
    Z[0, 1] = np.nan
    with pytest.raises(DataError, match="NaN"):
        _two_region(Z=Z)
    Z = t.Z.copy()
    Z[0, 1] = -1.0
    with pytest.raises(DataError, match="'Z' must be non-negative"):
        _two_region(Z=Z)
    with pytest.raises(DataError, match="exports"):
        _two_region(exports=-t.exports - 1)


def test_shape_and_duplicate_labels_rejected():
    with pytest.raises(DataError, match=r"'Y': expected shape \(4, 2\)"):
        _two_region(Y=np.zeros((4, 3)))
    with pytest.raises(DataError, match="duplicate region"):
        _two_region(regions=(Region("LN"), Region("LN")))


def test_unknown_names_suggest_the_near_one():
    t = _two_region()
    with pytest.raises(DataError, match="did you mean 'LN'"):
        t.region_index("LM")
    with pytest.raises(DataError, match="did you mean 'JPN'"):
        t.origin_index("JPM")
    with pytest.raises(DataError, match="unknown sector '15'"):
        t.sector_index("15")


def test_checksum_changes_with_data_and_not_with_copy():
    t = _two_region()
    assert t.checksum == _two_region().checksum
    Y = t.Y.copy()
    Y[0, 0] += 1.0
    changed = _two_region(Y=Y, x=t.x + np.array([1.0, 0, 0, 0]), value_added=t.value_added + np.array([1.0, 0, 0, 0]))
    assert changed.checksum != t.checksum


def test_tolerance_is_relative():
    t = load_toy()
    x = t.x * (1 + 1e-8)
    replace(t, x=x, value_added=t.value_added + (x - t.x), Y=t.Y + (x - t.x)[:, None])  # within 1e-6: fine
    x = t.x * (1 + 1e-4)
    with pytest.raises(DataError, match="tolerance 1e-06"):
        replace(t, x=x, value_added=t.value_added + (x - t.x))


def _with_pool(**overrides):
    """Two-region table with a foreign origin JPN and a domestic pool DOM supplying LN|01 with 2 units."""
    t = _two_region()
    imp = np.concatenate([t.imports_Z, np.zeros((1, 2, 4))])
    imp[1, 0, 0] = 2.0
    kw = dict(origins=("JPN", "DOM"), imports_Z=imp, imports_Y=np.zeros((2, 2, 2)),
              value_added=t.value_added - np.array([2.0, 0, 0, 0]), domestic_origins=("DOM",))
    kw.update(overrides)
    return _two_region(**kw)


def test_domestic_origins_are_validated_and_left_out_of_foreign_imports():
    t = _with_pool()
    assert t.domestic_origins == ("DOM",) and t.foreign_origins == ("JPN",)
    assert t.origin_index("DOM") == 1
    s = t.summary()
    assert s.loc["LN", "imports_cny"] == pytest.approx(3.0)  # JPN only
    assert s.loc["LN", "domestic_pool_inputs_cny"] == pytest.approx(2.0)
    assert t.imports_total[0] == pytest.approx(5.0)  # every import origin: the column balance needs them all
    assert "domestic_pool_inputs_cny" not in _two_region().summary().columns
    assert _two_region().domestic_origins == () and _two_region().foreign_origins == ("JPN",)
    with pytest.raises(DataError, match=r"domestic_origins must be distinct entries of origins \['JPN', 'DOM'\]"):
        _with_pool(domestic_origins=("DOMESTIC",))
    with pytest.raises(DataError, match="domestic_origins"):
        _with_pool(domestic_origins=("DOM", "DOM"))


def test_checksum_covers_domestic_origins_only_when_set():
    t = _with_pool()
    assert t.checksum != _with_pool(domestic_origins=()).checksum
    # a table without domestic pools keeps the checksum it had before the field existed
    plain = _two_region()
    h = hashlib.sha256()
    h.update(repr((plain.region_codes, plain.sector_codes, plain.fd_columns, plain.origins)).encode())
    for a in (plain.Z, plain.Y, plain.exports, plain.value_added, plain.x, plain.imports_Z, plain.imports_Y):
        h.update(np.ascontiguousarray(a, dtype="<f8").tobytes())
    assert plain.checksum == h.hexdigest()


def test_domestic_origins_survive_the_csv_layout_and_the_bundles(tmp_path):
    t = _with_pool()
    back = read_csv_layout(write_csv_layout(t, tmp_path / "case"))
    assert back.origins == ("JPN", "DOM") and back.domestic_origins == ("DOM",)
    write_csv_bundle(t, tmp_path / "csv")
    write_array_bundle(t, tmp_path / "npy")
    for again in (read_csv_bundle(tmp_path / "csv"), read_array_bundle(tmp_path / "npy")):
        assert again.domestic_origins == ("DOM",) and again.checksum == t.checksum
    plain = write_csv_layout(_two_region(), tmp_path / "plain")
    assert "domestic_origins" not in (plain / "meta.json").read_text(encoding="utf-8")


def test_pickle_round_trip_keeps_the_table_and_its_immutability():
    import pickle

    from chainsim.data.datasets import load_dataset

    t = load_dataset("northeast-2017")
    u = pickle.loads(pickle.dumps(t))
    assert u.checksum == t.checksum and u.labels.equals(t.labels)
    assert dict(u.provenance) == dict(t.provenance)
    np.testing.assert_array_equal(u.Z, t.Z)
    with pytest.raises(ValueError):
        u.Z[0, 0] = 1.0
    with pytest.raises(TypeError):
        u.provenance["x"] = 1
