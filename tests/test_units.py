"""Money units carried by the table and used by every printed and written number (issue 20)."""

import pandas as pd
import pytest

from chainsim.cli import main
from chainsim.data.units import MoneyUnit, parse_unit
from chainsim.metrics import summarize


@pytest.mark.parametrize(("unit", "cny", "currency", "per_unit"), [
    ("10k CNY", 1e4, "CNY", 1e4),
    ("万元", 1.0, "CNY", 1e4),
    ("亿元", 1.0, "CNY", 1e8),
    ("Mill USD", 1.0, "USD", 1e6),      # pymrio's test system
    ("M.EUR", 1.0, "EUR", 1e6),         # EXIOBASE
    ("USD mn", 1.0, "USD", 1e6),        # WIOD
    ("million USD", 6.9e6, "CNY", 6.9e6),  # the table's own yuan factor wins
    ("currency unit", 1.0, None, 1.0),
    ("M.EUR, M.USD", 1.0, None, 1.0),   # mixed currencies: no single money unit
])
def test_parse_unit(unit, cny, currency, per_unit):
    m = parse_unit(unit, cny)
    assert (m.currency, m.per_unit) == (currency, per_unit)


def test_money_labels_never_claim_cny_for_other_currencies():
    assert parse_unit("Mill USD").label() == "bn USD"
    assert "CNY" not in parse_unit("currency unit").label()
    assert MoneyUnit("CNY", 1e4, "10k CNY").format(7.2e9) == "7.20 bn CNY"


def test_summarize_loss_is_named_for_what_it_is():
    s = summarize([100, 100, 60, 80, 100], 100.0)
    assert "loss_cny" not in s and s["loss"] == 60.0  # table units without a money factor
    assert summarize([100, 100, 60, 80, 100], 100.0, money_per_unit=1e4)["loss"] == 6e5


@pytest.fixture(scope="module")
def usd_table_dir(tmp_path_factory):
    pymrio = pytest.importorskip("pymrio")
    from chainsim.data.csv_layout import write_csv_layout
    from chainsim.data.readers import read_table

    folder = tmp_path_factory.mktemp("usd") / "table"
    write_csv_layout(read_table(pymrio.load_test()), folder)
    return folder


def test_run_on_a_usd_table_reports_usd(usd_table_dir, tmp_path, capsys):
    scenario = tmp_path / "usd.yaml"
    scenario.write_text(f"""
name: pymrio test system, mining capacity loss
table: {usd_table_dir}
horizon_days: 60
replications: 1
disruptions:
  - {{type: capacity_loss, region: reg1, sector: mining, share: 0.5, start: 5, duration: 10,
     recovery: {{curve: linear, days: 20}}}}
pathways: {{compare: [baseline, environment]}}
metrics: {{scope: [all, reg1]}}
""", encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(scenario), "--out", str(out), "--no-trajectories", "--no-figures", "-q"]) == 0
    printed = capsys.readouterr().out
    assert "loss bn USD" in printed and "CNY" not in printed.split("==", 1)[1]
    summary = pd.read_csv(out / "summary.csv")
    assert "loss_usd" in summary.columns and "loss_cny" not in summary.columns
    # every money column follows the table's currency by the same rule (issue 18's names for CNY tables)
    from chainsim.experiment.attribution import attribution_columns
    from chainsim.experiment.pathway_tables import summary_columns

    assert list(summary.columns) == summary_columns("usd")
    assert {"loss_mean_usd", "loss_diff_usd", "loss_diff_lo", "loss_diff_hi"} <= set(summary.columns)
    assert not [c for c in summary.columns if c.endswith("_cny") and c not in ("cost_bn_cny", "days_saved_per_bn_cny")]
    assert summary.benefit_cost_ratio.isna().all()  # costs are in CNY, losses in USD: no ratio without a rate
    assert list(pd.read_csv(out / "attribution.csv").columns) == attribution_columns("usd")
    assert "bn USD of the paired loss difference" in printed
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "bn USD" in html and "bn CNY" not in html
