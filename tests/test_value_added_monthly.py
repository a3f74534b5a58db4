"""Value added from output, monthly aggregation, Jan–Feb combined, and the year-on-year conversion (hand values)."""

import numpy as np
import pandas as pd
import pytest

from chainsim.experiment.monthly import MONTHLY_COLUMNS, default_scopes, monthly_table, resolve_trend
from chainsim.metrics.value_added import (
    aggregate_periods,
    deviation_pct,
    period_matrix,
    value_added,
    value_added_ratio,
    yoy_from_deviation,
)
from chainsim.scenario.calendar import Calendar
from tests.episode_fixtures import tiny_table

TABLE = tiny_table()  # LN|06 LN|18 LN|28 JL|06 JL|18 JL|28; VA/GO 0.5 except JL|18 0.25
CAL = Calendar(start="2020-01-01")
DAYS = 91  # January, February (29 days), March 2020
JL18 = 4


def test_value_added_ratio_of_the_table():
    assert value_added_ratio(TABLE.value_added, TABLE.x).tolist() == [0.5, 0.5, 0.5, 0.5, 0.25, 0.5]


def test_value_added_and_period_sums_by_hand():
    out = np.ones((1, 4, 2)) * np.array([10.0, 20.0])  # (R, T, N)
    out[0, 2:, 1] = 10.0  # industry 1 halves from day 2
    va = value_added(out, np.array([0.5, 0.25]))
    P = period_matrix([(0, 2), (2, 4)], 4)
    cells = np.array([[1.0, 1.0], [0.0, 1.0]])  # cell 0: industry 0; cell 1: both
    agg = aggregate_periods(va, P, cells)
    # period 0: industry 0 = 2 x 5 = 10, both = 10 + 2 x 5 = 20; period 1: 10 and 10 + 2 x 2.5 = 15
    assert agg[0].tolist() == [[10.0, 20.0], [10.0, 15.0]]
    assert deviation_pct(agg[0], np.array([[10.0, 20.0], [10.0, 20.0]])).tolist() == [[0.0, 0.0], [0.0, -25.0]]


def test_yoy_conversion_by_hand():
    # (1 - 0.20) x 1.057 x 60/59 - 1 = 0.8599322 - 1
    assert yoy_from_deviation(-20.0, 5.7, 60 / 59) == pytest.approx(-14.006780, abs=1e-6)
    assert yoy_from_deviation(0.0, 5.7) == pytest.approx(5.7)
    assert yoy_from_deviation(-1.1, 0.0) == pytest.approx(-1.1)


def _outputs(factors=(0.8, 0.6, 0.7)):
    base = TABLE.x / 365.0
    out = np.tile(base, (len(factors), DAYS, 1))
    for r, f in enumerate(factors):
        out[r, 31:60, JL18] *= f  # February 2020 only
    return {"baseline": out}, {"baseline": base}


def _row(df, scope, sector, month):
    sel = df[(df.scope == scope) & (df.sector == sector) & (df.month == month)]
    assert len(sel) == 1, (scope, sector, month)
    return sel.iloc[0]


def test_monthly_table_hand_values():
    outputs, baselines = _outputs()
    df = monthly_table(outputs, baselines, TABLE, CAL, trend={"JL": 3.1, "LN": {"value": 6.7}})
    assert tuple(df.columns) == MONTHLY_COLUMNS
    # 4 scopes x (industry, manufacturing, 06, 18, 28) x (01, 02, 01/02, 03, 01/03)
    assert len(df) == 4 * 5 * 5
    assert df.month.unique().tolist() == ["2020-01", "2020-02", "2020-01/02", "2020-03", "2020-01/03"]
    feb = _row(df, "JL", "18", "2020-02")
    # replications -20, -40, -30 %: median -30, p10 -38, p90 -22 (linear percentiles)
    assert (feb.value_added_dev_pct, feb.value_added_dev_pct_p10, feb.value_added_dev_pct_p90) == \
        pytest.approx((-30.0, -38.0, -22.0))
    # 0.7 x 1.031 x 29/28 - 1: February 2020 has a leap day
    assert feb.value_added_yoy_pct == pytest.approx(-25.2525, abs=1e-4)
    janfeb = _row(df, "JL", "18", "2020-01/02")
    assert janfeb.value_added_dev_pct == pytest.approx(-30.0 * 29 / 60)
    assert janfeb.value_added_yoy_pct == pytest.approx(100 * (0.855 * 1.031 * 60 / 59 - 1))
    q1 = _row(df, "JL", "18", "2020-01/03")
    assert q1.value_added_dev_pct == pytest.approx(-30.0 * 29 / 91)
    assert _row(df, "JL", "18", "2020-03").value_added_dev_pct == pytest.approx(0.0, abs=1e-9)
    # JL industry = 06 (VA 50) + 18 (VA 100): -30 % of two thirds; China: a third
    assert _row(df, "JL", "industry", "2020-02").value_added_dev_pct == pytest.approx(-20.0)
    assert _row(df, "china", "industry", "2020-02").value_added_dev_pct == pytest.approx(-10.0)
    assert _row(df, "LN", "industry", "2020-02").value_added_dev_pct == pytest.approx(0.0, abs=1e-9)
    # LN: no shock, trend 6.7, leap day counted in February
    assert _row(df, "LN", "18", "2020-02").value_added_yoy_pct == pytest.approx(100 * (1.067 * 29 / 28 - 1))


def test_trend_of_a_composite_scope_is_weighted_by_baseline_value_added():
    outputs, baselines = _outputs()
    df = monthly_table(outputs, baselines, TABLE, CAL, trend={"JL": 3.1, "LN": 6.7})
    # industry VA: LN 06 + 18 = 50 + 100, JL 50 + 100: equal weights -> 4.9 % for China and the Northeast
    row = _row(df, "northeast", "industry", "2020-03")
    assert row.value_added_yoy_pct == pytest.approx(4.9)
    # sector 18: LN VA 100, JL VA 100 -> 4.9 as well; sector 28: LN 150, JL 100 -> (6.7 x 150 + 3.1 x 100) / 250
    assert _row(df, "china", "28", "2020-03").value_added_yoy_pct == pytest.approx((6.7 * 150 + 3.1 * 100) / 250)
    base_va = TABLE.x / 365 * value_added_ratio(TABLE.value_added, TABLE.x)
    assert np.isnan(resolve_trend({"JL": 3.1}, "northeast", "industry", TABLE, base_va, ("06", "18")))  # LN unknown
    assert resolve_trend({"china": 5.7, "china|18": 9.0}, "china", "18", TABLE, base_va, ("18",)) == 9.0


def test_no_trend_leaves_yoy_empty(tmp_path):
    outputs, baselines = _outputs()
    df = monthly_table(outputs, baselines, TABLE, CAL)
    assert df.value_added_yoy_pct.isna().all()
    path = tmp_path / "m.csv"
    df.to_csv(path, index=False)
    back = pd.read_csv(path, dtype={"sector": str})
    assert back.value_added_yoy_pct.isna().all() and "06" in set(back.sector)


def test_part_months_are_left_out():
    outputs, baselines = _outputs()
    short = {"baseline": outputs["baseline"][:, :50]}
    df = monthly_table(short, baselines, TABLE, CAL)
    assert df.month.unique().tolist() == ["2020-01"]
    empty = monthly_table({"baseline": outputs["baseline"][:, :20]}, baselines, TABLE, CAL)
    assert empty.empty and tuple(empty.columns) == MONTHLY_COLUMNS


def test_default_scopes():
    assert default_scopes(TABLE) == ["china", "northeast", "LN", "JL"]


def test_no_shock_means_zero_deviation():
    base = TABLE.x / 365.0
    df = monthly_table({"baseline": np.tile(base, (2, DAYS, 1))}, {"baseline": base}, TABLE, CAL,
                       trend={"china": 5.7})
    assert np.allclose(df.value_added_dev_pct, 0.0, atol=1e-9)
    china = df[df.scope == "china"]
    assert np.allclose(china[china.month == "2020-03"].value_added_yoy_pct, 5.7)


def test_the_year_after_the_leap_year_and_quarters_by_hand():
    """Jan-Feb 2021 has 59 days against 60 in 2020, Q1 2021 90 against 91: NBS compares period totals."""
    cal = Calendar(start="2021-01-01")
    base = TABLE.x / 365.0
    out = np.tile(base, (1, 181, 1))  # 1 January - 30 June 2021
    out[0, 31:59, JL18] *= 0.5  # February 2021 (28 days) at half output
    df = monthly_table({"baseline": out}, {"baseline": base}, TABLE, cal, trend={"JL": 3.1},
                       kinds=("month", "jan_feb", "quarter"))
    janfeb = _row(df, "JL", "18", "2021-01/02")
    assert janfeb.value_added_dev_pct == pytest.approx(-50.0 * 28 / 59)
    assert janfeb.value_added_yoy_pct == pytest.approx(100 * ((1 - 0.5 * 28 / 59) * 1.031 * 59 / 60 - 1))
    q1 = _row(df, "JL", "18", "2021Q1")
    assert q1.value_added_dev_pct == pytest.approx(-50.0 * 28 / 90)
    assert q1.value_added_yoy_pct == pytest.approx(100 * ((1 - 0.5 * 28 / 90) * 1.031 * 90 / 91 - 1))
    q2 = _row(df, "JL", "18", "2021Q2")
    assert q2.value_added_dev_pct == pytest.approx(0.0, abs=1e-9)
    assert q2.value_added_yoy_pct == pytest.approx(3.1)  # 91 days in both years
    # February 2021 has 28 days against 29 in 2020
    assert _row(df, "JL", "18", "2021-02").value_added_yoy_pct == pytest.approx(100 * (0.5 * 1.031 * 28 / 29 - 1))
