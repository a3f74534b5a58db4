"""Disruption schema, stage-2 validation against the table, parameters and the event log."""

from __future__ import annotations

import numpy as np
import pytest

from chainsim.disruptions import sample_value
from chainsim.engine import ModelParams, parse_disruptions, simulate
from chainsim.engine.params import resolve_params
from chainsim.errors import ModelBuildError, ScenarioError
from tests.test_engine_helpers import make_table

TABLE = make_table(2, 3, seed=1, origins=("USA", "JPN"))
CAP = {"type": "capacity_loss", "region": "R0", "sector": "S1", "share": 0.5, "start": 10,
       "recovery": {"curve": "linear", "days": 180}}


def test_plain_dicts_are_accepted_and_frozen():
    (d,) = parse_disruptions([CAP])
    assert d.type == "capacity_loss" and d.share == 0.5 and d.recovery.days == 180
    with pytest.raises(Exception, match="frozen"):
        d.share = 0.7


@pytest.mark.parametrize(("bad", "match"), [
    ({**CAP, "type": "capacity_lost"}, r"disruptions\[0\].*capacity_loss"),
    ({**CAP, "share": "half"}, r"disruptions\[0\]\.capacity_loss\.share.*'half'"),
    ({**CAP, "recovery": {"curve": "linar"}}, r"disruptions\[0\].*did you mean 'linear'"),
    ({**CAP, "shares": 0.2}, r"disruptions\[0\]\.capacity_loss\.shares.*Extra inputs"),
    ({**CAP, "share": {"distribution": "lognormal", "median": -1, "sigma": 0.3}}, r"median"),
    ({**CAP, "recovery": {"curve": "rebuild", "days": 60}}, r"sectors"),
])
def test_schema_errors_name_the_field_and_value(bad, match):
    with pytest.raises(ScenarioError, match=match):
        parse_disruptions([bad])


@pytest.mark.parametrize(("bad", "match"), [
    ({**CAP, "region": "R9"}, r"disruptions\[0\]\.region: unknown region 'R9'"),
    ({**CAP, "sector": "S7"}, r"disruptions\[0\]\.sector: unknown sector 'S7'.*did you mean"),
    ({**CAP, "share": 1.5}, r"disruptions\[0\]\.share: expected a share in \[0, 1\]; found 1.5"),
    ({**CAP, "start": 500}, r"disruptions\[0\]\.start: expected a day in \[0, 100\)"),
    ({"type": "import_cut", "product": "S0", "origin": "USB"}, r"origin.*did you mean 'USA'"),
])
def test_stage_two_errors(bad, match):
    with pytest.raises(ScenarioError, match=match):
        simulate(TABLE, [bad], days=100)


def test_import_cut_needs_foreign_supply_nodes():
    with pytest.raises(ScenarioError, match="import_cut needs foreign imports"):
        simulate(TABLE, [{"type": "import_cut", "product": "S0"}], days=20, params="ario")


def test_params_presets_and_errors():
    assert resolve_params("ario").ario_quirks and not resolve_params(None).ario_quirks
    assert resolve_params({"psi": 0.5}).psi == 0.5
    p = resolve_params({"base": "ario", "inventory_days": 30})
    assert p.ario_quirks and p.inventory_days == 30
    with pytest.raises(ModelBuildError, match=r"params\.psi.*1\.5"):
        resolve_params({"psi": 1.5})
    with pytest.raises(ModelBuildError, match="'aryo'"):
        resolve_params("aryo")
    with pytest.raises(ModelBuildError, match=r"criticality row 0: expected values in \[0, 1\].*1\.3"):
        resolve_params({"criticality": [[1, 1.3], [1, 1]]})  # a fraction (0.3) is an expected weight since session 6
    assert ModelParams.ario().alpha_max == 1.25 and ModelParams.ario().inventory_tau == 60


def test_distributions_sample_in_range():
    rng = np.random.default_rng(0)
    (d,) = parse_disruptions([{**CAP, "share": {"distribution": "triangular", "low": 0.2, "mode": 0.3, "high": 0.6},
                               "start": {"distribution": "normal", "mean": 1, "sd": 5}}])
    xs = [sample_value(d.share, rng) for _ in range(500)]
    assert 0.2 <= min(xs) and max(xs) <= 0.6
    starts = [sample_value(d.start, rng) for _ in range(500)]
    assert min(starts) >= 0  # normal truncated at 0


def test_event_log_start_and_end_days():
    dis = [CAP | {"duration": 5},
           {"type": "link_cut", "product": "S0", "from_region": "R0", "to_region": "R1", "start": 3, "duration": 7},
           {"type": "import_cut", "product": "S2", "origin": "USA", "share": 0.5, "start": 4, "duration": 6},
           {"type": "congestion", "from_region": "JPN", "to_region": "R0", "start": 6, "duration": 2},
           {"type": "final_demand", "share": -0.1, "start": 8, "duration": 4}]
    ev = simulate(TABLE, dis, days=60).events
    got = {(k, d) for k, d in zip(ev["kind"], ev["day"], strict=True)}
    assert {("disruption_start", 10), ("disruption_end", 15), ("link_cut_start", 3), ("link_cut_end", 10),
            ("import_cut_start", 4), ("import_cut_end", 10), ("congestion_start", 6), ("congestion_end", 8),
            ("final_demand_change", 8), ("final_demand_restore", 12)} <= got
    assert list(ev.columns) == ["day", "kind", "target", "detail"]
    assert ev["day"].is_monotonic_increasing


def test_result_shapes_and_labels():
    res = simulate(TABLE, [CAP], days=30)
    assert res.output.shape == (30, 6)
    assert res.output.columns.names == ["region", "sector"]
    assert ("R0", "S1") in res.output.columns
    assert res.region_output().shape == (30, 2)
    assert res.provenance["params"]["psi"] == 0.8
    assert "chainsim_version" in res.provenance


def test_plural_keys_and_region_groups():
    (d,) = parse_disruptions([{"type": "import_cut", "product": "S0", "origins": ["USA"], "regions": ["R0"],
                               "share": 0.5, "start": 3}])
    assert d.origin == ["USA"] and d.region == ["R0"]
    ne = make_table(4, 2, seed=2)
    from chainsim.data.iotable import IOTable

    ne = IOTable(name="ne", regions=["LN", "JL", "HLJ", "ROC"], sectors=ne.sector_codes, Z=ne.Z, Y=ne.Y,
                 fd_columns=[(r, c) for r, (_, c) in zip(["LN", "JL", "HLJ", "ROC"], ne.fd_columns, strict=True)],
                 exports=ne.exports, value_added=ne.value_added, x=ne.x)
    res = simulate(ne, [{"type": "final_demand", "region": "northeast", "share": -0.5, "start": 2}], days=10)
    rel = res.region_output().iloc[-1] / res.baseline.groupby(level="region", sort=False).sum()
    assert rel["LN"] < 1 and rel["HLJ"] < 1


def test_engine_runs_once():
    from chainsim.engine import Engine, build_model
    from chainsim.errors import SimulationError

    eng = Engine(build_model(TABLE, ModelParams()), [[]])
    eng.run(3)
    with pytest.raises(SimulationError, match="already run"):
        eng.run(3)


def test_r12_markov_on_off_process():
    # REFERENCE R12: stationary disrupted share a / (a + b); mean outage 1 / b
    from chainsim.disruptions import Recurrence, markov_episodes

    a, b, n = 0.05, 0.2, 100_000
    ep = markov_episodes(Recurrence(p_disrupt=a, p_recover=b), 0, n, np.random.default_rng(3))
    down = sum(length for _, length in ep) / n
    pi, rho = a / (a + b), 1 - a - b
    sigma = np.sqrt(pi * (1 - pi) / n * (1 + rho) / (1 - rho))  # lag-1 autocorrelation of the chain
    assert abs(down - pi) < 3 * sigma
    assert np.mean([length for _, length in ep[:-1]]) == pytest.approx(1 / b, rel=0.05)


def test_recurrent_disruption_logs_each_outage():
    ev = {"type": "link_cut", "product": "S0", "from_region": "R0", "to_region": "R1", "start": 5,
          "recurrence": {"p_disrupt": 0.05, "p_recover": 0.2}}
    res = simulate(TABLE, [ev], days=300, seed=4)
    starts = res.events[res.events.kind == "link_cut_start"]
    ends = res.events[res.events.kind == "link_cut_end"]
    assert len(starts) >= 5 and len(ends) >= len(starts) - 1
    assert (starts["day"] >= 5).all()
    assert len({s["name"] for s in res.provenance["samples"]}) == len(starts)
