"""The ``lockdown`` and ``final_demand_by_category`` disruption types: compiled plan, engine, validation, CLI.

Hand values on the tiny two-region table of ``tests/episode_fixtures.py`` (no number of the
shipped dataset): the capacity loss of a lockdown is ``1 - (1 - a)^beta`` with the elasticity
given, several lockdowns multiply capacities, demand shocks multiply demand, and every one
of these reaches the engine through the disruption plan (``compile_plan``), which is also
what ``chainsim validate`` runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chainsim.cli import main
from chainsim.data.store import write_csv_bundle
from chainsim.disruptions import DISRUPTIONS, compile_plan, direct_shock, parse_disruptions
from chainsim.disruptions.demand_by_category import change_items
from chainsim.engine import Engine, build_model, resolve_params
from chainsim.engine.capacity_schedule import CapacitySchedule
from chainsim.errors import ScenarioError
from chainsim.experiment.monthly import MONTHLY_COLUMNS
from chainsim.pathways.evidence import disrupted_products
from chainsim.scenario.load import load_scenario
from chainsim.shocks.demand import FinalDemandByCategory, demand_multipliers, final_demand_path
from tests.episode_fixtures import tiny_table

TABLE = tiny_table()  # LN|06 LN|18 LN|28 JL|06 JL|18 JL|28
DAYS = 20
LN06, LN18, JL06, JL18 = 0, 1, 3, 4


def model():
    return build_model(TABLE, resolve_params({}))


def lockdown(**kw):
    base = {"type": "lockdown", "region": "JL", "sectors": "industry", "elasticity": 0.5,
            "absent": {"interpolation": "step", "points": [[5, 0.75], [10, 0.0]]}}
    return {**base, **kw}


def plan_of(items, days=DAYS, seed=0, m=None):
    m = m or model()
    return compile_plan(m, [parse_disruptions(items)], [np.random.default_rng(seed)], days), m


def capacity_loss(plan, m, days=DAYS):
    """The capacity loss Delta_t the engine's schedule makes of the plan, (days, N)."""
    sched = CapacitySchedule(plan.rows(), len(plan.event_names), 1, m.n_sup, series=plan.series, strict=True)
    sched.tabulate(days)
    out = np.zeros((1, m.n_sup))
    return np.array([sched.delta(t, out)[0, : m.n].copy() for t in range(days)])


# ------------------------------------------------------------------ lockdown
def test_lockdown_capacity_mapping_hand_values():
    """Three quarters of the workers away at elasticity 1/2 cost half the capacity: 1 - 0.25^0.5."""
    plan, m = plan_of([lockdown()])
    loss = capacity_loss(plan, m)
    assert loss[4].tolist() == [0.0] * 6 and loss[10].tolist() == [0.0] * 6
    # JL 06 and 18 are industry; 28 (services) and Liaoning are not touched
    np.testing.assert_allclose(loss[5:10], np.tile([0, 0, 0, 0.5, 0.5, 0], (5, 1)), atol=1e-15)


@pytest.mark.parametrize(("theta", "beta"), [(0.0, 0.5), (0.5, 0.75), (1.0, 1.0)])
def test_leontief_weight_blends_the_elasticity_towards_one(theta, beta):
    plan, m = plan_of([lockdown(leontief_weight=theta)])
    assert capacity_loss(plan, m)[6, JL18] == pytest.approx(1 - 0.25 ** beta)
    assert plan.samples[0]["leontief_weight"] == theta


def test_two_lockdowns_multiply_capacities_in_the_engines_schedule():
    """A city-wide absence of 0.75 and a plant stop of 0.4 of the same firms keep 0.5 x 0.6 of capacity."""
    stop = lockdown(sectors=["18"], elasticity=1.0, absent={"points": [[0, 0.4]], "interpolation": "step"})
    plan, m = plan_of([lockdown(), stop])
    loss = capacity_loss(plan, m)
    assert loss[7, JL18] == pytest.approx(1 - 0.5 * 0.6)
    assert loss[7, JL06] == pytest.approx(0.5) and loss[12, JL18] == pytest.approx(0.4)
    plan2, _ = plan_of([stop, lockdown()])  # the order does not matter
    np.testing.assert_allclose(capacity_loss(plan2, m), loss, atol=1e-15)


def test_area_share_and_its_complement_make_the_area_weighted_mix():
    inside = lockdown(area={"share": 0.8, "source": "test"}, elasticity=1.0,
                      absent={"points": [[0, 1.0]], "interpolation": "step"})
    outside = lockdown(area={"share": 0.8, "source": "test", "complement": True}, elasticity=1.0,
                       absent={"points": [[0, 0.25]], "interpolation": "step"})
    plan, m = plan_of([inside, outside])
    assert capacity_loss(plan, m)[3, JL18] == pytest.approx(0.8 * 1.0 + 0.2 * 0.25)


def test_lockdown_reaches_the_engine_and_leaves_no_loss_behind():
    """On the ``ario`` configuration (BoARIO's, stable whatever the default dynamics): capacity follows the plan."""
    m = build_model(TABLE, resolve_params("ario"))
    res = Engine(m, [[lockdown()], []]).run(30)
    cap = res.capacity[:, 0, JL18] / m.xbar[JL18]
    assert cap[7] == pytest.approx(0.5, rel=2e-2) and cap[25] == pytest.approx(1.0, rel=2e-2)
    assert (res.output[:, 0, JL18] < res.output[:, 1, JL18] - 1e-9).any()
    kinds = {(e[2], e[0]) for e in res.events if e[1] == 0}
    assert ("lockdown_start", 5) in kinds and ("lockdown_end", 10) in kinds


def test_lockdown_direct_shock_is_the_capacity_lost_times_output():
    plan, _ = plan_of([lockdown()])
    sample = plan.samples[0]
    assert sample["duration"] == 10  # the loss ends on day 10
    # days 5..9 at half capacity of JL 06 (x 100) and JL 18 (x 400)
    assert direct_shock(TABLE, lockdown(), sample) == pytest.approx(5 * 0.5 * 500 / 365)


def test_leontief_weight_drawn_per_replication():
    d = lockdown(leontief_weight={"distribution": "uniform", "low": 0.0, "high": 1.0})
    thetas = {plan_of([d], seed=s)[0].samples[0]["leontief_weight"] for s in range(4)}
    assert len(thetas) == 4 and all(0 <= t <= 1 for t in thetas)


def test_lockdown_timing_comes_from_its_profile():
    for key, value in (("start", 3), ("duration", 5)):
        with pytest.raises(ScenarioError, match="a lockdown takes its course from its 'absent' profile"):
            parse_disruptions([lockdown(**{key: value})])


def test_lockdown_scarce_products_expand_groups():
    assert DISRUPTIONS["lockdown"].scarce_products(lockdown(except_sectors=["utilities"]))[:3] == ["02", "03", "04"]
    assert "24" not in disrupted_products([lockdown(except_sectors=["utilities"])])
    assert disrupted_products([lockdown(sectors=["18"])]) == ("18",)


# ------------------------------------------------------------------ final demand by category
def demand(**kw):
    base = {"type": "final_demand_by_category", "region": "JL", "categories": ["household"], "sectors": ["18"],
            "change": {"interpolation": "step", "points": [[4, -0.5], [8, 0.0]]}}
    return {**base, **kw}


def engine_demand_change(plan, m, days=DAYS):
    """Sum of the plan's demand items on each day, (days, N) daily amounts (as the engine adds them)."""
    return np.array([sum((d.amount[: m.n] * d.factor.at(t) for d in plan.demand), np.zeros(m.n))
                     for t in range(days)])


def test_demand_change_of_one_category_hand_values():
    plan, m = plan_of([demand()])
    change = engine_demand_change(plan, m)
    col = TABLE.fd_columns.index(("JL", "household"))
    y = TABLE.Y[:, col] / m.params.year_days
    expect = np.zeros(TABLE.n_industries)
    expect[[LN18, JL18]] = -0.5 * y[[LN18, JL18]]  # JL households buy cars from both regions
    np.testing.assert_allclose(change[5], expect, rtol=1e-12)
    assert not change[3].any() and not change[8].any()
    assert len(plan.demand) == 1  # one profile on two supply nodes: one item


def test_demand_shocks_multiply_in_the_plan_as_in_demand_multipliers():
    a = demand(categories=["household", "gfcf"], sectors="all")
    b = demand(change={"points": [[0, -0.2], [12, 0.1]]}, region="all", categories=["consumption"])
    plan, m = plan_of([a, b])
    shocks = [FinalDemandByCategory.model_validate({k: v for k, v in x.items()}) for x in (a, b)]
    mult = demand_multipliers(shocks, TABLE, DAYS)
    expect = (final_demand_path(TABLE, mult) - (TABLE.Y.sum(axis=1) + TABLE.exports)) / m.params.year_days
    np.testing.assert_allclose(engine_demand_change(plan, m), expect, atol=1e-12)


def test_deferred_demand_is_spent_after_the_shock_and_conserved():
    d = demand(deferral={"share": 1.0, "catch_up_days": 3.0}, change={"interpolation": "step",
                                                                        "points": [[2, -1.0], [5, 0.0]]})
    plan, m = plan_of([d], days=60)
    change = engine_demand_change(plan, m, days=60)[:, JL18]
    assert change[2:5].max() < 0 and change[5:].min() > 0  # shut, then catch-up spending
    assert change.sum() == pytest.approx(0.0, abs=1e-9)  # all of the deferred demand is spent within 60 days


def test_deferral_share_may_be_drawn():
    d = demand(deferral={"share": {"distribution": "uniform", "low": 0.2, "high": 0.8}, "catch_up_days": 10})
    phis = [plan_of([d], seed=s)[0].samples[0]["deferral_share"] for s in range(3)]
    assert len(set(phis)) == 3 and all(0.2 <= p <= 0.8 for p in phis)


def test_change_items_group_nodes_by_their_path():
    c = np.zeros((6, 4))
    c[1:3, 0], c[1:3, 1], c[2:5, 2] = -1.0, -3.0, 0.5
    items = change_items(0, c, 5)
    assert len(items) == 2
    total = np.array([sum(i.amount[:4] * i.factor.at(t) for i in items) for t in range(6)])
    np.testing.assert_allclose(total, c)


def test_demand_direct_shock():
    plan, _ = plan_of([demand()])
    col = TABLE.fd_columns.index(("JL", "household"))
    moved = 0.5 * (TABLE.Y[LN18, col] + TABLE.Y[JL18, col]) * 4 / 365
    assert direct_shock(TABLE, demand(), plan.samples[0]) == pytest.approx(moved)


# ------------------------------------------------------------------ scenario files, validate == run, CLI
EPISODE = """name: tiny episode
table: {table}
horizon_days: 91
calendar: {{start: 2020-01-01}}
trend: {{LN: 6.7, JL: {{value: 3.1, source: test}}}}
replications: 3
disruptions:
  - type: lockdown
    name: Jilin return to work
    region: JL
    sectors: industry
    elasticity: 0.5
    leontief_weight: {{distribution: uniform, low: 0.0, high: 1.0}}
    absent: {{points: [[2020-02-01, 0.0], [2020-02-10, 0.8], [2020-03-10, 0.0]]}}
  - type: final_demand_by_category
    region: all
    categories: [consumption, investment]
    sectors: ["18"]
    change: {{interpolation: step, points: [[2020-02-01, -0.4], [2020-03-01, 0.0]]}}
    deferral: {{share: 0.5, catch_up_days: 30}}
pathways: {{compare: [baseline]}}
metrics: {{scope: [JL]}}
"""


def test_dated_profiles_count_from_day_0(tmp_path):
    write_csv_bundle(TABLE, tmp_path / "tiny")
    path = tmp_path / "s.yaml"
    path.write_text(EPISODE.format(table=tmp_path / "tiny"), encoding="utf-8")
    loaded = load_scenario(path)
    lock, dem = loaded.disruptions
    assert [p[0] for p in lock.absent.points] == [31, 40, 69]  # 2020 is a leap year: 1 March is day 60
    assert [p[0] for p in dem.change.points] == [31, 60]


def test_validate_reports_a_bad_lockdown_where_the_run_would(tmp_path, capsys):
    """An unknown sub-region is found when the plan is compiled: by validate (preflight) and run alike, exit 2."""
    write_csv_bundle(TABLE, tmp_path / "tiny")
    path = tmp_path / "s.yaml"
    text = EPISODE.format(table=tmp_path / "tiny").replace("    sectors: industry\n",
                                                          "    sectors: industry\n    area: {subregion: changchum}\n")
    path.write_text(text, encoding="utf-8")
    errors = []
    for cmd in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "o")]):
        assert main(cmd) == 2
        errors.append(capsys.readouterr().err)
    assert errors[0] == errors[1]
    assert "s.yaml:12: disruptions[0].area: unknown sub-region 'changchum'" in errors[0]
    assert "did you mean 'changchun'" in errors[0] and "Traceback" not in errors[0]
    assert not (tmp_path / "o" / "monthly.csv").exists()


def test_run_of_a_small_episode_writes_monthly_csv(tmp_path):
    """End to end: a calendar scenario with a lockdown and a demand shock writes monthly.csv as specified."""
    write_csv_bundle(TABLE, tmp_path / "tiny")
    path = tmp_path / "s.yaml"
    path.write_text(EPISODE.format(table=tmp_path / "tiny"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--no-figures", "--no-trajectories"]) == 0
    df = pd.read_csv(out / "monthly.csv", dtype={"sector": str, "month": str})
    assert tuple(df.columns) == MONTHLY_COLUMNS
    assert set(df.scope) == {"china", "northeast", "LN", "JL"}
    assert {"industry", "manufacturing", "06", "18", "28"} <= set(df.sector)
    assert df.month.unique().tolist() == ["2020-01", "2020-02", "2020-01/02", "2020-03", "2020-01/03"]
    jl = df[(df.scope == "JL") & (df.sector == "industry")].set_index("month")
    assert jl.loc["2020-01", "value_added_dev_pct"] == pytest.approx(0.0, abs=1e-6)  # nothing before 1 February
    feb = jl.loc["2020-02"]
    assert feb.value_added_dev_pct < -5.0
    # theta drawn per replication: a band
    assert feb.value_added_dev_pct_p10 < feb.value_added_dev_pct < feb.value_added_dev_pct_p90
    assert feb.value_added_yoy_pct == pytest.approx(100 * ((1 + feb.value_added_dev_pct / 100) * 1.031 * 29 / 28 - 1),
                                                    abs=1e-4)


def test_an_extra_absence_on_a_sub_region_makes_its_own_absence_there():
    """covid2020's Hubei item: extra = 1 - (1 - own) / (1 - national) on the area, the national one on the region."""
    national, own, w = 0.3, 0.9, 0.25
    region = lockdown(elasticity=1.0, absent={"points": [[0, national]], "interpolation": "step"})
    extra = lockdown(elasticity=1.0, area={"share": w, "source": "test"},
                     absent={"points": [[0, 1 - (1 - own) / (1 - national)]], "interpolation": "step"})
    plan, m = plan_of([extra, region])
    assert capacity_loss(plan, m)[2, JL18] == pytest.approx((1 - w) * national + w * own)


def test_overlapping_named_areas_are_refused():
    a = lockdown(area={"share": 0.7, "source": "test"})
    b = lockdown(area={"share": 0.6, "source": "other test"})
    with pytest.raises(ScenarioError, match=r"disruptions\[1\]\.area: the named areas .* overlap"):
        plan_of([a, b])


def test_items_giving_the_same_distribution_share_one_draw_per_replication():
    theta = {"distribution": "uniform", "low": 0.0, "high": 1.0}
    other = {"distribution": "uniform", "low": 0.0, "high": 0.9}
    plan, _ = plan_of([lockdown(leontief_weight=theta), lockdown(leontief_weight=theta, region="LN"),
                       lockdown(leontief_weight=other, region="LN", sectors=["28"])])
    a, b, c = (s["leontief_weight"] for s in plan.samples)
    assert a == b and c != a
    phi = {"distribution": "uniform", "low": 0.2, "high": 0.8}
    d = demand(deferral={"share": phi, "catch_up_days": 10})
    plan, _ = plan_of([d, {**d, "region": "LN"}])
    assert plan.samples[0]["deferral_share"] == plan.samples[1]["deferral_share"]


def test_a_drawn_sub_region_share_moves_every_item_of_the_sub_region_together():
    """bound: drawn takes the triangular (low, share, high) of subregion_shares.csv at one quantile a replication."""
    from chainsim.shocks.tables import subregion_share

    inside = lockdown(sectors=["18"], elasticity=1.0, area={"subregion": "changchun", "bound": "drawn"},
                      absent={"points": [[0, 1.0]], "interpolation": "step"})
    rest = {**inside, "area": {"subregion": "changchun", "bound": "drawn", "complement": True},
            "absent": {"points": [[0, 0.5]], "interpolation": "step"}}
    low, mode, high = (subregion_share("changchun", "JL", TABLE, bound=b)[1] for b in ("low", "share", "high"))
    shares = []
    for seed in range(6):
        plan, m = plan_of([inside, rest], seed=seed)
        q = plan.samples[0]["area_quantile"]
        assert plan.samples[1]["area_quantile"] == q  # one draw for both items
        w = capacity_loss(plan, m)[3, JL18] * 2 - 1  # w x 1 + (1 - w) x 0.5
        assert low - 1e-12 <= w <= high + 1e-12
        shares.append(w)
    assert len(set(np.round(shares, 12))) == 6
    # without a draw (the pure shock functions) the central share
    from chainsim.shocks.labour import lockdown_capacity_loss

    (x,) = parse_disruptions([inside])
    assert lockdown_capacity_loss(x, TABLE, 1)[0, JL18] == pytest.approx(mode)
