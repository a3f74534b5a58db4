"""Final demand by category: multipliers per day, product and column, exports, and deferred durables."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.errors import ScenarioError
from chainsim.scenario.calendar import Calendar
from chainsim.shocks import parse_shock
from chainsim.shocks.demand import defer, demand_multipliers, final_demand_path
from tests.episode_fixtures import CATEGORIES, REGIONS, tiny_table

TABLE = tiny_table()  # columns: LN|household LN|government LN|gfcf JL|household JL|government JL|gfcf


def shock(**kw):
    return parse_shock({"type": "final_demand_by_category", "categories": ["household"], "change": -0.5, **kw})


def col(region, category):
    return TABLE.fd_columns.index((region, category))


def test_household_demand_of_one_region_falls():
    m = demand_multipliers([shock(region="JL")], TABLE, 2)
    assert m.domestic.shape == (2, 3, 6) and m.exports.shape == (2, 6)
    assert np.all(m.domestic[:, :, col("JL", "household")] == 0.5)
    others = [c for c in range(6) if c != col("JL", "household")]
    assert np.all(m.domestic[:, :, others] == 1.0) and np.all(m.exports == 1.0)


def test_several_categories_products_and_aliases():
    m = demand_multipliers([shock(categories=["consumption", "investment"], sector=["18"])], TABLE, 1)
    for r in REGIONS:
        assert m.domestic[0, 1, col(r, "household")] == 0.5 and m.domestic[0, 1, col(r, "gfcf")] == 0.5
        assert m.domestic[0, 1, col(r, "government")] == 1.0
        assert np.all(m.domestic[0, [0, 2], :] == 1.0)


def test_exports_are_by_exporting_region():
    m = demand_multipliers([shock(categories="exports", region="LN", change=-0.2)], TABLE, 1)
    assert m.exports[0].tolist() == pytest.approx([0.8, 0.8, 0.8, 1, 1, 1])
    assert np.all(m.domestic == 1.0)


def test_shocks_multiply_and_area_scales():
    a = shock(region="JL")
    b = shock(region="JL", change=-0.5, area={"share": 0.4, "source": "test"})
    m = demand_multipliers([a, b], TABLE, 1)
    assert m.domestic[0, 0, col("JL", "household")] == pytest.approx(0.5 * 0.8)


def test_profile_with_dates():
    cal = Calendar(start="2020-01-20")
    s = shock(change={"points": [["2020-01-24", -0.4], ["2020-01-28", 0.0]]})
    path = demand_multipliers([s], TABLE, 10, cal).domestic[:, 0, col("LN", "household")]
    assert path.tolist() == pytest.approx([1, 1, 1, 1, 0.6, 0.7, 0.8, 0.9, 1, 1])


def test_final_demand_path_without_and_with_a_shock():
    none = demand_multipliers([], TABLE, 2)
    base = np.asarray(TABLE.Y).sum(axis=1) + np.asarray(TABLE.exports)
    assert final_demand_path(TABLE, none) == pytest.approx(np.tile(base, (2, 1)))
    m = demand_multipliers([shock(region="JL")], TABLE, 1)
    expected = base - 0.5 * np.asarray(TABLE.Y)[:, col("JL", "household")]
    assert final_demand_path(TABLE, m)[0] == pytest.approx(expected)


# ------------------------------------------------------------------ deferral
def test_defer_hand_values():
    # two days without demand, half deferred, spent at 1/2 of the backlog a day
    assert defer(np.array([0.0, 0.0, 1.0, 1.0, 1.0]), 0.5, 2.0).tolist() == [0.0, 0.0, 1.5, 1.25, 1.125]


def test_no_spending_while_demand_is_shut():
    out = defer(np.array([0.0, 0.0, 0.0]), 1.0, 1.0)
    assert out.tolist() == [0.0, 0.0, 0.0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 1.5), min_size=1, max_size=30), st.floats(0.0, 1.0), st.floats(1.0, 20.0))
def test_deferred_demand_is_conserved(path, share, tau):
    m = np.array(path + [1.0] * 2000)  # a long open tail spends the backlog
    out = defer(m, share, tau)
    assert out.sum() == pytest.approx(m.sum() + share * np.maximum(0, 1 - m).sum(), rel=1e-9, abs=1e-9)
    assert np.all(out >= m - 1e-15)


def test_deferral_applies_to_durables_only():
    cal = None
    s = shock(change={"interpolation": "step", "points": [[0, -1.0], [2, 0.0]]},
              deferral={"share": 1.0, "catch_up_days": 1.0})
    m = demand_multipliers([s], TABLE, 4, cal).domestic
    hh = col("LN", "household")
    assert m[:, 1, hh].tolist() == [0.0, 0.0, 3.0, 1.0]  # vehicles (18): both lost days bought on day 2
    assert m[:, 0, hh].tolist() == [0.0, 0.0, 1.0, 1.0]  # food (06) is not deferred


def test_gfcf_is_deferrable_for_every_product():
    s = shock(categories="gfcf", change={"interpolation": "step", "points": [[0, -1.0], [1, 0.0]]},
              deferral={"share": 0.5, "catch_up_days": 1.0})
    m = demand_multipliers([s], TABLE, 3).domestic[:, :, col("JL", "gfcf")]
    assert m[1].tolist() == [1.5, 1.5, 1.5]


def test_schema_errors():
    with pytest.raises(ScenarioError, match=r"unknown category 'houshold'.*did you mean"):
        shock(categories=["houshold"])
    with pytest.raises(ScenarioError, match=r"change: expected values in \[-1, 10\]"):
        shock(change=-1.5)
    with pytest.raises(ScenarioError, match="a demand shock takes 'share'"):
        shock(area={"subregion": "changchun"})
    with pytest.raises(ScenarioError, match=r"catch_up_days"):
        shock(deferral={"share": 0.5, "catch_up_days": 0})
    with pytest.raises(ScenarioError, match=r"disruptions\[0\]\.region: unknown region"):
        demand_multipliers([shock(region="HB")], TABLE, 1)


def test_categories_of_the_fixture_are_the_tables():
    assert {c for _, c in TABLE.fd_columns} == set(CATEGORIES)
