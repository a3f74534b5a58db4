"""Calendar arithmetic (Jan–Feb combined, leap years, month boundaries), profiles and dates in scenarios."""

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chainsim.errors import ScenarioError
from chainsim.scenario.calendar import (
    Calendar,
    CalendarError,
    calendar_periods,
    day_dates,
    parse_period,
    resolve_disruption_dates,
    to_date,
    to_day,
)
from chainsim.scenario.load import load_scenario
from chainsim.scenario.profiles import Profile, evaluate_profile, profile_at, profile_stop, profile_values

CAL2020 = Calendar(start="2020-01-01")


def test_leap_year_2020_day_numbers():
    assert to_day("2020-02-29", CAL2020) == 59
    assert to_day(date(2020, 3, 1), CAL2020) == 60
    assert to_day("2020-12-31", CAL2020) == 365  # 366 days in 2020
    assert to_date(365, CAL2020) == date(2020, 12, 31)
    assert to_day("2021-03-01", Calendar(start="2021-01-01")) == 59  # no 29 February in 2021


def test_month_boundaries_and_lengths_2020():
    periods = {p.label: p for p in calendar_periods(CAL2020, 366)}
    assert (periods["2020-01"].first, periods["2020-01"].stop) == (0, 31)
    assert (periods["2020-02"].first, periods["2020-02"].stop) == (31, 60)
    assert (periods["2020-03"].first, periods["2020-03"].stop) == (60, 91)
    assert (periods["2020-12"].first, periods["2020-12"].stop) == (335, 366)
    assert [periods[f"2020-{m:02d}"].days for m in range(1, 13)] == [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    assert periods["2020-02"].days_previous_year == 28


def test_jan_feb_combined_counts_the_leap_day():
    p = {p.label: p for p in calendar_periods(CAL2020, 366)}["2020-01/02"]
    assert (p.kind, p.first, p.stop, p.days, p.days_previous_year) == ("jan_feb", 0, 60, 60, 59)
    p21 = {p.label: p for p in calendar_periods(Calendar(start="2021-01-01"), 365)}["2021-01/02"]
    assert (p21.days, p21.days_previous_year) == (59, 60)


def test_year_to_date_and_quarter_periods():
    p = {p.label: p for p in calendar_periods(CAL2020, 366, kinds=("ytd", "quarter", "year"))}
    assert (p["2020-01/03"].first, p["2020-01/03"].stop, p["2020-01/03"].days_previous_year) == (0, 91, 90)
    assert (p["2020Q2"].first, p["2020Q2"].stop) == (91, 182)
    assert (p["2020"].days, p["2020"].days_previous_year) == (366, 365)
    assert "2020-01/02" not in p and "2020-03" not in p


def test_only_whole_periods_inside_the_horizon():
    # from 15 Jan 2020 for 60 days: January is cut at the start, March at the end
    labels = [p.label for p in calendar_periods(Calendar(start="2020-01-15"), 60)]
    assert labels == ["2020-02"]
    assert [p.label for p in calendar_periods(CAL2020, 59)] == ["2020-01"]  # February needs day 59
    assert "2020-02" in [p.label for p in calendar_periods(CAL2020, 60)]


def test_parse_period_labels_and_errors():
    assert parse_period("2020-01/02") == ("jan_feb", date(2020, 1, 1), date(2020, 3, 1))
    assert parse_period("2020-01/05")[0] == "ytd"
    assert parse_period("2020-12") == ("month", date(2020, 12, 1), date(2021, 1, 1))
    for bad in ("2020-13", "2020-02/03", "2020Q5", "March"):
        with pytest.raises(ScenarioError, match="expected YYYY-MM"):
            parse_period(bad)


def test_day_dates():
    d = day_dates(Calendar(start="2020-02-27"), 4)
    assert [str(x) for x in d] == ["2020-02-27", "2020-02-28", "2020-02-29", "2020-03-01"]


def test_dates_without_calendar_are_refused_with_a_hint():
    with pytest.raises(CalendarError, match="needs a calendar"):
        to_day("2020-02-01", None, loc=("disruptions", 0, "start"))
    with pytest.raises(CalendarError, match="expected a day number or a date"):
        to_day("soon", CAL2020)


def test_resolve_disruption_dates():
    cal = Calendar(start="2022-03-01")
    items = [{"type": "capacity_loss", "start": date(2022, 3, 13), "end": "2022-04-16", "share": 1.0},
             {"type": "import_cut", "start": 5, "end": 12},
             {"type": "final_demand", "start": {"distribution": "uniform", "low": 1, "high": 3}, "duration": 4}]
    out = resolve_disruption_dates(items, cal)
    assert out[0]["start"] == 12 and out[0]["duration"] == 34 and "end" not in out[0]
    assert out[1]["duration"] == 7
    assert out[2] == items[2] and out[2] is not items[2]
    with pytest.raises(CalendarError, match="either 'end' or 'duration'"):
        resolve_disruption_dates([{"start": 1, "end": 3, "duration": 2}], cal)
    with pytest.raises(CalendarError, match="on or after start"):
        resolve_disruption_dates([{"start": "2022-03-10", "end": "2022-03-05"}], cal)
    with pytest.raises(CalendarError, match="not a distribution"):
        resolve_disruption_dates([{"start": {"distribution": "uniform", "low": 1, "high": 2}, "end": 9}], cal)


def test_a_dated_profile_point_before_the_calendar_start_is_refused():
    """A year typo (2019-12-01 for 2020-01-24) used to become a negative day and move the results."""
    item = {"type": "lockdown", "absent": {"points": [["2019-12-01", 0.0], ["2020-02-11", 0.8]]}}
    with pytest.raises(CalendarError, match=r"disruptions\[0\]\.absent\.points\[0\]\[0\]: expected a date on or after "
                                            r"the calendar's start \(2020-01-01\); found 2019-12-01"):
        resolve_disruption_dates([item], CAL2020, day0_profiles={"lockdown": ("absent",)})
    late = {"type": "capacity_loss", "start": "2020-02-01", "profile": {"points": [["2019-12-31", 1.0]]}}
    with pytest.raises(CalendarError, match="on or after the calendar's start"):
        resolve_disruption_dates([late], CAL2020)
    ok = {"type": "capacity_loss", "start": "2020-02-01", "profile": {"points": [["2020-01-20", 1.0], [30, 0.0]]}}
    assert resolve_disruption_dates([ok], CAL2020)[0]["profile"]["points"] == [[-12, 1.0], [30, 0.0]]


def test_dated_profile_points_out_of_order_name_both_dates():
    """Out-of-order dates used to fail as 'Input should be a valid number' with the converted day numbers."""
    item = {"type": "lockdown", "absent": {"points": [["2020-01-24", 0.0], ["2020-03-01", 0.3],
                                                      ["2020-02-28", 0.5]]}}
    with pytest.raises(CalendarError, match=r"absent\.points\[2\]\[0\]: .*increasing.*2020-02-28.*2020-03-01"):
        resolve_disruption_dates([item], CAL2020, day0_profiles={"lockdown": ("absent",)})


def test_cli_reports_an_out_of_order_lockdown_profile_in_one_line(tmp_path, capsys):
    from chainsim.cli import main

    episode = Path(__file__).resolve().parents[1] / "scenarios" / "episodes" / "covid2020.yaml"
    text = episode.read_text(encoding="utf-8")
    bad = text.replace("- [2020-02-23, 0.456]", "- [2020-02-10, 0.456]", 1)
    assert bad != text
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "increasing" in err and "2020-02-10" in err and "valid number" not in err, err


# ------------------------------------------------------------------ profiles
def test_linear_profile_hand_values():
    p = Profile(points=[[2, 0.0], [6, 1.0]])
    assert evaluate_profile(p, 8).tolist() == [0.0, 0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0]


def test_step_profile_hand_values_and_before():
    p = Profile(points=[[1, 0.9], [3, 0.5], [4, 0.0]], interpolation="step", before=0.2)
    assert evaluate_profile(p, 6).tolist() == [0.2, 0.9, 0.9, 0.5, 0.0, 0.0]


def test_profile_with_dates_across_the_leap_day():
    cal = Calendar(start="2020-02-27")
    p = Profile(points={date(2020, 2, 28): 0.0, "2020-03-01": 1.0})  # 2 days apart in 2020
    assert evaluate_profile(p, 5, cal).tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]


def test_constant_profile():
    assert evaluate_profile(0.3, 3).tolist() == [0.3, 0.3, 0.3]


@pytest.mark.parametrize("second", ["2020-02-01", "2020-03-01", date(2020, 3, 1)], ids=["before", "same", "same-date"])
def test_profile_points_must_increase(second):
    # the same day twice is no step either (strictly increasing)
    p = Profile(points=[["2020-03-01", 0.5], [second, 0.1]])
    with pytest.raises(CalendarError, match=r"absent\.points\[1\]\[0\]: points must be strictly increasing"):
        evaluate_profile(p, 10, CAL2020, loc=("absent",))


@given(st.lists(st.tuples(st.integers(0, 60), st.floats(0, 1)), min_size=1, max_size=6, unique_by=lambda p: p[0]))
def test_linear_profile_stays_within_its_points(points):
    points = sorted(points)
    p = Profile(points=[list(q) for q in points])
    v = evaluate_profile(p, 70)
    ys = [q[1] for q in points]
    after = v[points[0][0]:]
    assert after.min() >= min(ys) - 1e-12 and after.max() <= max(ys) + 1e-12
    assert np.all(v[: points[0][0]] == 0.0)
    for d, y in points:
        assert v[d] == pytest.approx(y)


@given(st.lists(st.tuples(st.integers(-20, 60), st.floats(-1, 1)), min_size=1, max_size=6, unique_by=lambda p: p[0]),
       st.sampled_from(["linear", "step"]), st.floats(-1, 1), st.integers(-30, 30))
def test_a_profile_counted_from_an_origin_is_the_same_profile_shifted(points, interpolation, before, origin):
    """One evaluator for both forms: day numbers from a disruption's start are day numbers from day 0, shifted."""
    p = Profile(points=sorted(points), interpolation=interpolation, before=before)
    t = np.arange(-60, 100, dtype=float)
    np.testing.assert_array_equal(profile_at(p, t, origin=origin), profile_at(p, t - origin))
    np.testing.assert_array_equal(profile_values(p, 40), profile_at(p, np.arange(40.0)))
    np.testing.assert_array_equal(evaluate_profile(p, 40), profile_at(p, np.arange(40.0)))


def test_a_profile_that_ends_at_zero_ends_the_disruption():
    assert profile_stop(Profile(points=[[0, 1.0], [4.5, 0.0]]), 100) == 5
    assert profile_stop(Profile(points=[[0, 1.0], [4, 0.0]]), 3) == 3  # within the horizon
    assert profile_stop(Profile(points=[[0, 1.0], [4, 0.2]]), 100) == 100  # the last value holds
    with pytest.raises(CalendarError, match="days after its start"):
        profile_stop(Profile(points=[["2020-02-01", 1.0]]), 100)


@pytest.mark.parametrize("second", [1, 2, 2.0])
def test_numbered_points_must_increase_when_read(second):
    with pytest.raises(ValueError, match="strictly increasing"):
        Profile(points=[[2, 0.1], [second, 0.2]])


# ------------------------------------------------------------------ scenarios
DATED = """name: dated
dataset: northeast-2017
horizon_days: 120
{calendar}disruptions:
  - type: capacity_loss
    region: JL
    sector: "18"
    share: 0.5
    start: 2020-02-01
{end}"""


def _scenario(tmp_path: Path, *, calendar: str = "", end: str = "") -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(DATED.format(calendar=calendar, end=end), encoding="utf-8")
    return path


def test_scenario_with_calendar_takes_dates(tmp_path):
    cal = "calendar: {start: 2020-01-01}\ntrend: {china: {value: 5.7, source: NBS 2019}}\n"
    loaded = load_scenario(_scenario(tmp_path, calendar=cal, end="    end: 2020-03-01\n"))
    d = loaded.scenario.disruptions[0]
    assert (d["start"], d["duration"]) == (31, 29)
    assert loaded.disruptions[0].start == 31
    assert loaded.scenario.calendar.start == date(2020, 1, 1)
    assert loaded.scenario.trend["china"].value == 5.7


def test_scenario_date_without_calendar_names_file_line_and_field(tmp_path):
    expected = r"s\.yaml:9: disruptions\[0\]\.start: a date \(2020-02-01\) needs a calendar"
    with pytest.raises(ScenarioError, match=expected):
        load_scenario(_scenario(tmp_path))


def test_trend_keys_are_checked(tmp_path):
    cal = "calendar: {start: 2020-01-01}\ntrend: {chian: 5.7}\n"
    with pytest.raises(ScenarioError, match=r"s\.yaml:5: trend\.chian: unknown scope 'chian'.*did you mean 'china'"):
        load_scenario(_scenario(tmp_path, calendar=cal))
    cal = "calendar: {start: 2020-01-01}\ntrend: {JL|industy: 2.6}\n"
    with pytest.raises(ScenarioError, match=r"trend\.JL\|industy: unknown sector or sector group 'industy'"):
        load_scenario(_scenario(tmp_path, calendar=cal))


PROFILED = {"name": "profiled", "dataset": "northeast-2017", "horizon_days": 60, "replications": 1,
            "calendar": {"start": "2020-01-01"}, "pathways": {"compare": ["baseline"]},
            "disruptions": [{"type": "capacity_loss", "region": "JL", "sector": "18", "basis": "capacity",
                             "share": 0.6, "start": "2020-01-21",
                             "profile": {"points": [["2020-01-21", 0.5], ["2020-01-23", 1.0], [14, 1.0],
                                                    ["2020-02-20", 0.0]]}}]}


def test_a_disruptions_dated_profile_points_are_days_after_its_start():
    """Dates and day numbers are one profile: a date becomes the days from the disruption's start to it."""
    from chainsim.engine import simulate

    dated = load_scenario(PROFILED)
    days = {**PROFILED, "disruptions": [{**PROFILED["disruptions"][0], "start": 20,
                                         "profile": {"points": [[0, 0.5], [2, 1.0], [14, 1.0], [30, 0.0]]}}]}
    numbered = load_scenario(days)
    assert dated.disruptions[0].profile == numbered.disruptions[0].profile
    assert dated.disruptions[0].start == 20
    a, b = (simulate(x.table, x.disruptions, days=60).output.to_numpy() for x in (dated, numbered))
    np.testing.assert_array_equal(a, b)
    assert (a != simulate(dated.table, [], days=60).output.to_numpy()).any()


def test_dated_profile_points_need_a_fixed_start():
    d = {**PROFILED["disruptions"][0], "start": {"distribution": "uniform", "low": 10, "high": 20}}
    with pytest.raises(ScenarioError, match=r"disruptions\[0\]\.profile\.points: dated points need a fixed 'start'"):
        load_scenario({**PROFILED, "disruptions": [d]})
    d = {**PROFILED["disruptions"][0], "start": 20}
    with pytest.raises(ScenarioError, match=r"profile\.points\[0\]\[0\]: a date \(2020-01-21\) needs a calendar"):
        load_scenario({k: v for k, v in PROFILED.items() if k != "calendar"} | {"disruptions": [d]})
