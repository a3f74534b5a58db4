"""``chainsim compare``: monthly.csv against official figures, and monthly.csv written by ``chainsim run``."""

import pandas as pd
import pytest

from chainsim.cli import main
from chainsim.data.store import write_csv_bundle
from chainsim.errors import DataError
from chainsim.experiment.compare import OBSERVED_2020, compare_monthly, parse_nbs42, read_monthly, read_observed
from chainsim.experiment.monthly import MONTHLY_COLUMNS
from tests.episode_fixtures import tiny_table


def _monthly(rows):
    return pd.DataFrame(rows, columns=list(MONTHLY_COLUMNS))


def test_parse_nbs42():
    assert parse_nbs42("02-26") == frozenset(f"{k:02d}" for k in range(2, 27))
    assert parse_nbs42("11,12") == {"11", "12"}
    assert parse_nbs42("") == frozenset()


def test_observed_file_is_the_shipped_calibration_table():
    obs = read_observed()
    assert len(obs) == 135 and obs["value"].notna().all()
    row = obs[(obs.geo == "CN") & (obs.indicator == "iva_yoy") & (obs.nbs42 == "02-26") & (obs.period == "2020-01/02")]
    assert row["value"].tolist() == [-13.5]


def test_compare_hand_values():
    monthly = _monthly([
        ["baseline", "china", "industry", "2020-01/02", -18.0, -20.0, -16.0, -13.0],
        ["baseline", "china", "mining", "2020-01/02", -10.0, -12.0, -8.0, -5.0],
        ["baseline", "JL", "industry", "2020-01/03", -15.0, -15.0, -15.0, -12.0],
        ["other", "china", "industry", "2020-01/02", -30.0, -30.0, -30.0, -26.0],
    ])
    cmp = compare_monthly(monthly, read_observed())
    m = cmp.matched.set_index(["geo", "nbs42", "period"])
    cn = m.loc[("CN", "02-26", "2020-01/02")]
    assert (cn.observed, cn.model, cn.error_pts) == pytest.approx((-13.5, -13.0, 0.5))
    factor = 0.87 / 0.82  # (1 + yoy) / (1 + dev) of the row
    assert (cn.model_p10, cn.model_p90) == pytest.approx((100 * (0.80 * factor - 1), 100 * (0.84 * factor - 1)))
    assert cn.within_band
    assert m.loc[("CN", "02-05", "2020-01/02")].error_pts == pytest.approx(-5.0 + 6.5)
    assert m.loc[("JL", "02-26", "2020-01/03")].error_pts == pytest.approx(-12.0 + 12.2)
    assert len(cmp.matched) == 3
    assert len(cmp.unmatched) == (read_observed().indicator == "iva_yoy").sum() - 3
    other = compare_monthly(monthly, read_observed(), pathway="other")
    assert other.matched.model.tolist() == [-26.0]
    with pytest.raises(DataError, match=r"pathway 'baselin' is not in monthly\.csv.*did you mean"):
        compare_monthly(monthly, read_observed(), pathway="baselin")


def test_read_observed_errors(tmp_path):
    bad = tmp_path / "obs.csv"
    bad.write_text("geo,indicator,period,value\nCN,iva_yoy,2020-03,-1.1\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"obs\.csv: missing column\(s\) \['sector_en', 'nbs42', 'source_id'\]"):
        read_observed(bad)
    text = OBSERVED_2020.read_text(encoding="utf-8").replace(",-13.5,", ",minus,", 1)
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=r"obs\.csv:2: column 'value': expected a number; found 'minus'"):
        read_observed(bad)
    with pytest.raises(DataError, match="no such file"):
        read_monthly(tmp_path)


SCENARIO = """name: tiny calendar run
table: {table}
horizon_days: 91
calendar: {{start: 2020-01-01}}
trend: {{LN: 6.7, JL: {{value: 3.1, source: test}}}}
replications: 2
disruptions:
  - type: capacity_loss
    region: JL
    sector: "18"
    share: 0.5
    basis: capacity
    start: 2020-02-03
    end: 2020-02-24
    recovery: {{curve: linear, days: 5}}
pathways: {{compare: [baseline]}}
metrics: {{scope: [JL]}}
"""


def test_run_writes_monthly_csv_and_compare_prints_the_error_table(tmp_path, capsys):
    write_csv_bundle(tiny_table(), tmp_path / "tiny")
    scen = tmp_path / "s.yaml"
    scen.write_text(SCENARIO.format(table=tmp_path / "tiny"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(scen), "--out", str(out), "--no-figures", "--no-trajectories"]) == 0
    df = read_monthly(out)
    assert tuple(df.columns) == MONTHLY_COLUMNS
    assert df.month.unique().tolist() == ["2020-01", "2020-02", "2020-01/02", "2020-03", "2020-01/03"]
    jl = df[(df.scope == "JL") & (df.sector == "18")].set_index("month")
    assert jl.loc["2020-01", "value_added_dev_pct"] == pytest.approx(0.0, abs=1e-6)
    assert jl.loc["2020-02", "value_added_dev_pct"] < -10.0  # 21 of 29 days at half capacity, or less
    # Jan–Feb and year to date are day-weighted means of the months (one flat baseline per day)
    assert jl.loc["2020-01/02", "value_added_dev_pct"] == pytest.approx(
        (31 * jl.loc["2020-01", "value_added_dev_pct"] + 29 * jl.loc["2020-02", "value_added_dev_pct"]) / 60, abs=1e-4)
    assert jl.loc["2020-01/02", "value_added_yoy_pct"] == pytest.approx(
        100 * ((1 + jl.loc["2020-01/02", "value_added_dev_pct"] / 100) * 1.031 * 60 / 59 - 1), abs=1e-4)
    capsys.readouterr()
    assert main(["compare", str(out)]) == 0
    text = capsys.readouterr().out
    assert "rows matched" in text and "2020-01/03" in text  # Liaoning and Jilin Q1
    assert main(["compare", str(out), str(tmp_path / "missing.csv")]) == 2
    assert "missing.csv: no such file" in capsys.readouterr().err
    assert main(["compare", str(out), "--out", str(tmp_path / "err.csv")]) == 0
    assert main(["compare", str(out), "--out", str(tmp_path / "err.csv")]) == 2  # never overwritten
    assert "already exists" in capsys.readouterr().err


def test_run_without_calendar_writes_no_monthly_csv(tmp_path, capsys):
    write_csv_bundle(tiny_table(), tmp_path / "tiny")
    scen = tmp_path / "s.yaml"
    body = SCENARIO.format(table=tmp_path / "tiny").replace("calendar: {start: 2020-01-01}\n", "")
    body = body.replace("start: 2020-02-03\n    end: 2020-02-24", "start: 33\n    duration: 21")
    scen.write_text(body, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(scen), "--out", str(out), "--no-figures", "--no-trajectories"]) == 0
    assert not (out / "monthly.csv").exists()
    capsys.readouterr()
    assert main(["compare", str(out)]) == 2
    assert "monthly.csv: no such file" in capsys.readouterr().err


def test_no_match_says_which_periods_the_observations_cover():
    """`chainsim compare` on the 2022 prediction matched nothing and said only 'no observed row matches'."""
    import pandas as pd

    from chainsim.experiment.compare import Comparison, format_comparison

    unmatched = pd.DataFrame({"geo": ["CN", "CN"], "period": ["2020-01/02", "2020-06"], "value": [1.0, 2.0]})
    text = format_comparison(Comparison(matched=pd.DataFrame(), unmatched=unmatched))
    assert "2020-01/02" in text and "2020-06" in text and "held out" in text, text


@pytest.mark.parametrize("case", ["other_periods", "other_regions"])
def test_compare_exits_2_when_nothing_matches(tmp_path, capsys, case):
    """`chainsim compare` printed 'no observed row matches' and exited 0: a script could not tell none from some."""
    rows = [["baseline", "JL", "industry", "2020-01/03", -15.0, -15.0, -15.0, -12.0]]
    if case == "other_periods":  # a 2022 run against the 2020 observations
        rows = [["baseline", "JL", "industry", "2022-04", -15.0, -16.0, -14.0, -12.0]]
    else:  # the right months, but the run's scopes are not the observations' regions
        rows = [["baseline", "R1", "industry", "2020-01/03", -15.0, -15.0, -15.0, -12.0]]
    run = tmp_path / "run"
    run.mkdir()
    _monthly(rows).to_csv(run / "monthly.csv", index=False)
    matched = tmp_path / "matched.csv"
    assert main(["compare", str(run), "--out", str(matched)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("chainsim: error: ") and err.count("\n") == 1, err  # one line, no traceback
    assert "monthly.csv" in err and "observed_2020_calibration.csv" in err  # both files named
    assert "no observed row matches" in err
    if case == "other_periods":
        assert "2020-06" in err and "2022-04" in err, err  # what the observations and the run cover
    else:
        assert "R1" in err and "JL" in err, err
    assert not matched.exists()  # no empty table left behind as if it were a result


def test_compare_unknown_pathway_names_the_file(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    _monthly([["baseline", "JL", "industry", "2020-01/03", -15.0, -15.0, -15.0, -12.0]]).to_csv(
        run / "monthly.csv", index=False)
    assert main(["compare", str(run), "--pathway", "baselin"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"chainsim: error: {run / 'monthly.csv'}: --pathway: pathway 'baselin' is not in"), err
    assert "did you mean 'baseline'" in err
