"""The shipped criticality matrix is applied by sector code, never by position (issue #19 item 8, code review).

On 30b9e04 a 42-sector table whose codes were not NBS codes got the NBS matrix row by row in
its own order, silently: sector "S01" was rated as if it were NBS 01 (farming).
"""

import logging
from dataclasses import replace

import numpy as np
import pytest

from chainsim.data.datasets import load_criticality, load_dataset
from chainsim.data.iotable import Sector
from chainsim.engine import ModelParams, build_model


@pytest.fixture(scope="module")
def table():
    return load_dataset("northeast-2017")


def test_other_codes_get_no_criticality_and_a_warning(table, caplog):
    other = replace(table, name="relabelled", sectors=tuple(Sector(f"S{k + 1:02d}", s.name_en, s.name_zh)
                                                           for k, s in enumerate(table.sectors)))
    with caplog.at_level(logging.WARNING, logger="chainsim.engine.model"):
        auto = build_model(other, ModelParams())
    assert "not NBS codes 01..42 (e.g. 'S01')" in caplog.text
    none = build_model(other, ModelParams(criticality="none"))
    np.testing.assert_array_equal(auto.bind_weight, none.bind_weight)
    nbs = build_model(table, ModelParams())
    assert not np.array_equal(auto.bind_weight, nbs.bind_weight)  # the NBS ratings were not applied by position


def test_nbs_codes_in_another_order_are_matched_by_code(table):
    rng = np.random.default_rng(5)
    perm = rng.permutation(table.n_sectors)
    codes = [table.sectors[p].code for p in perm]
    shuffled = replace(table, name="shuffled", sectors=tuple(Sector(c) for c in codes))
    df = load_criticality()
    by_code = tuple(tuple(float(df.loc[a, b]) for b in codes) for a in codes)
    auto = build_model(shuffled, ModelParams())
    explicit = build_model(shuffled, ModelParams(criticality=by_code))
    np.testing.assert_array_equal(auto.bind_weight, explicit.bind_weight)


def test_unpadded_numeric_codes_match(table):
    unpadded = replace(table, name="unpadded", sectors=tuple(Sector(str(int(s.code))) for s in table.sectors))
    prm = ModelParams(import_substitutability="competitive")  # the non-competitive list is in NBS codes too
    np.testing.assert_array_equal(build_model(unpadded, prm).bind_weight, build_model(table, prm).bind_weight)
