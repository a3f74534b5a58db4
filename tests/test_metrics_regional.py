"""Scopes over (region, sector) output tables and Martin's regional indices (R14)."""

import numpy as np
import pandas as pd
import pytest

from chainsim.errors import ScenarioError
from chainsim.metrics import (
    NORTHEAST,
    aggregate,
    cumulative_loss,
    expected_change,
    recovery_index,
    recovery_time,
    resistance_index,
    scope_columns,
    sensitivity_index,
)

# --- R14: Martin ----------------------------------------------------------------------------


def test_sensitivity_index_region_falls_more_than_nation():
    assert sensitivity_index(-6.0, 100.0, -4.0, 100.0) == pytest.approx(1.5)
    assert sensitivity_index(-60.0, 1000.0, -400.0, 10000.0) == pytest.approx(1.5)
    assert sensitivity_index(-2.0, 100.0, -4.0, 100.0) == pytest.approx(0.5)


def test_martin_indices_are_floats_for_numbers_and_arrays_for_arrays():
    """Scalars in, a Python float out (as the docstrings' examples print); arrays in, element by element."""
    assert type(sensitivity_index(-6.0, 100.0, -4.0, 100.0)) is float
    assert type(resistance_index(-600.0, -400.0)) is float and type(recovery_index(500.0, 400.0)) is float
    np.testing.assert_allclose(sensitivity_index([-6.0, -2.0, -60.0], [100.0, 100.0, 1000.0], -4.0, 100.0),
                               [1.5, 0.5, 1.5])
    np.testing.assert_allclose(recovery_index([500.0, 300.0], 400.0), [0.25, -0.25])


def test_resistance_index_martin_2016():
    assert resistance_index(-600.0, -400.0) == pytest.approx(-0.5)
    assert resistance_index(-200.0, -400.0) == pytest.approx(0.5)
    np.testing.assert_allclose(resistance_index([-600.0, -400.0], [-400.0, -400.0]), [-0.5, 0.0])


def test_recovery_index_over_the_upturn():
    assert recovery_index(500.0, 400.0) == pytest.approx(0.25)
    assert recovery_index(300.0, 400.0) == pytest.approx(-0.25)


def test_expected_change_applies_national_sector_rates():
    # region: 1000 in sector a (national -10 %), 3000 in sector b (national -20 %)
    exp = expected_change([1000.0, 3000.0], [-0.10, -0.20])
    assert exp == pytest.approx(-700.0)
    assert resistance_index(-1050.0, exp) == pytest.approx(-0.5)


def test_martin_indices_undefined_denominators_raise():
    with pytest.raises(ValueError, match="national change is 0"):
        sensitivity_index(-1.0, 100.0, 0.0, 100.0)
    with pytest.raises(ValueError, match="base levels"):
        sensitivity_index(-1.0, 0.0, -1.0, 100.0)
    with pytest.raises(ValueError, match="expected change is 0"):
        resistance_index(-1.0, 0.0)


# --- scopes ---------------------------------------------------------------------------------


@pytest.fixture
def table():
    cols = pd.MultiIndex.from_product([["LN", "JL", "HLJ", "RoC"], ["01", "20"]], names=["region", "sector"])
    days = pd.RangeIndex(5, name="day")
    base = np.arange(1, 9, dtype=float)  # LN-01 = 1, LN-20 = 2, JL-01 = 3, ..., RoC-20 = 8
    return pd.DataFrame(np.tile(base, (5, 1)), index=days, columns=cols)


def test_northeast_is_ln_jl_hlj(table):
    assert NORTHEAST == ("LN", "JL", "HLJ")
    assert aggregate(table, "northeast").tolist() == [21.0] * 5
    assert aggregate(table, "Northeast").name == "Northeast"
    assert aggregate(table, "all").iloc[0] == 36.0


@pytest.mark.parametrize(
    ("scope", "total"),
    [
        ("LN", 3.0),
        ("20", 2.0 + 4.0 + 6.0 + 8.0),
        (("JL", "20"), 4.0),
        (["LN", "JL"], 10.0),
        ([("LN", "01"), ("RoC", "20")], 9.0),
        ({"regions": ["LN", "HLJ"], "sectors": ["20"]}, 8.0),
        ({"sectors": "01"}, 16.0),
        (["northeast", "RoC"], 36.0),
        (["LN", ("LN", "01")], 3.0),  # union, no double counting
    ],
)
def test_scope_forms(table, scope, total):
    assert aggregate(table, scope).iloc[0] == total


def test_named_mapping_gives_one_column_per_scope(table):
    out = aggregate(table, {"NE": "northeast", "LN": "LN", "electronics": "20"})
    assert list(out.columns) == ["NE", "LN", "electronics"]
    assert out.iloc[0].tolist() == [21.0, 3.0, 20.0]
    assert out.index.equals(table.index)


def test_unknown_codes_suggest_the_closest(table):
    with pytest.raises(ScenarioError, match=r"unknown region, sector or named scope 'LM'.*did you mean 'LN'"):
        aggregate(table, "LM")
    with pytest.raises(ScenarioError, match="unknown sector '21'"):
        aggregate(table, {"sectors": ["21"]})
    with pytest.raises(ScenarioError, match="expected keys"):
        aggregate(table, {"regions": ["LN"], "sector": ["20"]})


def test_northeast_requires_all_three_provinces():
    cols = pd.MultiIndex.from_product([["LN", "JL"], ["01"]])
    with pytest.raises(ScenarioError, match="unknown region 'HLJ'"):
        aggregate(pd.DataFrame([[1.0, 2.0]], columns=cols), "northeast")


def test_ambiguous_code_raises():
    cols = pd.MultiIndex.from_tuples([("A", "A"), ("A", "B")], names=["region", "sector"])
    with pytest.raises(ScenarioError, match="both a region and a sector"):
        scope_columns(cols, "A")
    assert scope_columns(cols, {"regions": ["A"]}).tolist() == [True, True]


def test_level_names_decide_the_order():
    cols = pd.MultiIndex.from_tuples([("01", "LN"), ("20", "LN"), ("20", "JL")], names=["sector", "region"])
    df = pd.DataFrame([[1.0, 2.0, 4.0]], columns=cols)
    assert aggregate(df, "LN").iloc[0] == 3.0
    assert aggregate(df, ("JL", "20")).iloc[0] == 4.0


def test_flat_columns_rejected():
    with pytest.raises(ValueError, match=r"\(region, sector\) MultiIndex"):
        aggregate(pd.DataFrame({"LN": [1.0]}), "LN")


def test_metrics_on_scope_totals(table):
    shocked = table.copy()
    shocked.loc[1:2, ("LN", "20")] = 0.0  # LN electronics down for two days
    ne_out, ne_base = aggregate(shocked, "northeast"), aggregate(table, "northeast")
    assert cumulative_loss(ne_out, ne_base) == pytest.approx(4.0)
    assert recovery_time(ne_out, ne_base).days == 2
    # scopes side by side as a DataFrame batch
    scopes = {"NE": "northeast", "RoC": "RoC"}
    res = recovery_time(aggregate(shocked, scopes), aggregate(table, scopes)).to_frame()
    assert res.loc["NE", "days"] == 2
    assert res.loc["RoC", "days"] == 0


def test_per_industry_baseline_series_aggregates_to_a_number(table):
    base = table.iloc[0]  # like SimulationResult.baseline: a Series over (region, sector)
    assert aggregate(base, "northeast") == 21.0
    both = aggregate(base, {"NE": "northeast", "RoC": "RoC"})
    assert both.to_dict() == {"NE": 21.0, "RoC": 15.0}
    shocked = table.copy()
    shocked.loc[1:3, ("JL", "01")] = 0.0
    ttr = recovery_time(aggregate(shocked, "northeast"), aggregate(base, "northeast"))
    assert ttr.days == 3
