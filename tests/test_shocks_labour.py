"""The lockdown shock: schema, absent labour by sector, and its non-1:1 mapping to lost capacity."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.errors import ScenarioError
from chainsim.scenario.calendar import Calendar
from chainsim.shocks import parse_shock
from chainsim.shocks.labour import (
    combined_capacity_loss,
    distribute_by_exposure,
    lockdown_capacity_loss,
)
from chainsim.shocks.tables import DATA_DIR, load_labour_table
from tests.episode_fixtures import tiny_table

TABLE = tiny_table()  # LN|06 LN|18 LN|28 JL|06 JL|18 JL|28


def lockdown(**kw):
    base = {"type": "lockdown", "region": "JL", "sectors": "all", "absent": 0.75, "elasticity": 1.0}
    return parse_shock({**base, **kw})


def test_leontief_capacity_loss_equals_absent_share():
    loss = lockdown_capacity_loss(lockdown(), TABLE, 3)
    assert loss.shape == (3, 6)
    assert np.allclose(loss[:, 3:], 0.75) and np.all(loss[:, :3] == 0.0)


def test_elasticity_one_half_hand_value():
    # capacity (1 - 0.75) ** 0.5 = 0.5: half the capacity lost for three quarters of the workers
    loss = lockdown_capacity_loss(lockdown(elasticity=0.5), TABLE, 1)
    assert loss[0, 3:].tolist() == pytest.approx([0.5, 0.5, 0.5])


def test_leontief_weight_blends_towards_one():
    # beta = 0.5 + 0.5 * (1 - 0.5) = 0.75; 1 - 0.25 ** 0.75 = 0.6464466...
    loss = lockdown_capacity_loss(lockdown(elasticity=0.5, leontief_weight=0.5), TABLE, 1)
    assert loss[0, 3] == pytest.approx(1 - 0.25 ** 0.75)


def test_area_share_scales_the_loss():
    shock = lockdown(area={"share": {"18": 0.4}, "source": "test: 40 % of JL|18 in the city"})
    loss = lockdown_capacity_loss(shock, TABLE, 1)
    assert loss[0].tolist() == pytest.approx([0, 0, 0, 0, 0.3, 0])


def test_stay_home_basis_keeps_essential_remote_and_closed_loop_workers():
    # absent = 1 * (1 - 0.5) * (1 - 0.2) * (1 - 0.25) = 0.3 for sector 06; 18 has no exemption
    shock = lockdown(absent=1.0, basis="stay_home", essential={"06": 0.5}, remote={"06": 0.2},
                     closed_loop={"06": 0.25})
    loss = lockdown_capacity_loss(shock, TABLE, 1)
    assert loss[0, 3:].tolist() == pytest.approx([0.3, 1.0, 1.0])


def test_stay_home_with_pichler_scores():
    lt = load_labour_table()
    ess, rli = lt.lookup("ess", ("18",))[0], lt.lookup("rli", ("18",))[0]
    shock = lockdown(absent=1.0, basis="stay_home", sectors=["18"])
    assert lockdown_capacity_loss(shock, TABLE, 1)[0, 4] == pytest.approx((1 - ess) * (1 - rli))


def test_default_elasticity_is_the_regions_labour_share_and_not_one_for_one():
    shares = pd.read_csv(DATA_DIR / "labour_share_2017.csv", dtype={"sector": str}).set_index(["region", "sector"])
    alpha = shares.loc[("JL", "18"), "labour_share"]
    shock = parse_shock({"type": "lockdown", "region": "JL", "sectors": ["18"], "absent": 0.5})
    loss = lockdown_capacity_loss(shock, TABLE, 1)[0, 4]
    assert loss == pytest.approx(1 - 0.5 ** alpha)
    assert 0 < loss < 0.5  # capital keeps producing with the workers present


def test_except_sectors_and_sector_groups():
    shock = lockdown(sectors="industry", except_sectors=["18"])
    loss = lockdown_capacity_loss(shock, TABLE, 1)
    assert loss[0].tolist() == pytest.approx([0, 0, 0, 0.75, 0, 0])


def test_profile_in_dates():
    cal = Calendar(start="2022-03-01")
    shock = lockdown(sectors=["18"], absent={"interpolation": "step",
                                             "points": [["2022-03-13", 1.0], ["2022-03-16", 0.5]]})
    loss = lockdown_capacity_loss(shock, TABLE, 18, cal)[:, 4]
    assert loss[:12].tolist() == [0.0] * 12 and loss[12:15].tolist() == [1.0] * 3 and loss[15:].tolist() == [0.5] * 3


def test_combined_lockdowns_multiply_capacities():
    a, b = lockdown(sectors=["18"], absent=0.5), lockdown(sectors=["18"], absent=0.2)
    loss = combined_capacity_loss([a, b], TABLE, 1)[0, 4]
    assert loss == pytest.approx(1 - 0.5 * 0.8)


def test_subregion_changchun_weights_from_the_shipped_table():
    rows = pd.read_csv(DATA_DIR / "subregion_shares.csv", dtype={"sector": str})
    cc = rows[rows.subregion == "changchun"].set_index("sector")
    shock = lockdown(area={"subregion": "changchun"})
    loss = lockdown_capacity_loss(shock, TABLE, 1)[0, 3:]
    assert loss.tolist() == pytest.approx((0.75 * cc.loc[["06", "18", "28"], "share"]).tolist())
    assert 0.7 <= cc.loc["18", "share"] <= 0.95  # FAW and CRRC: most of Jilin's transport equipment
    low = lockdown_capacity_loss(lockdown(area={"subregion": "changchun", "bound": "low"}), TABLE, 1)[0, 4]
    assert low == pytest.approx(0.75 * cc.loc["18", "low"])
    rest = lockdown_capacity_loss(lockdown(area={"subregion": "changchun", "complement": True}), TABLE, 1)[0, 4]
    assert rest == pytest.approx(0.75 * (1 - cc.loc["18", "share"]))
    with pytest.raises(ScenarioError, match="lies in region"):
        lockdown_capacity_loss(lockdown(region="LN", area={"subregion": "changchun"}), TABLE, 1)


def test_schema_errors_name_the_field():
    with pytest.raises(ScenarioError, match=r"disruptions\[3\]: absent: expected values in \[0, 1\]"):
        parse_shock({"type": "lockdown", "region": "JL", "absent": 1.4}, loc=("disruptions", 3))
    with pytest.raises(ScenarioError, match="give its 'source'"):
        lockdown(area={"share": 0.3})
    with pytest.raises(ScenarioError, match="either 'subregion'"):
        lockdown(area={"share": 0.3, "subregion": "changchun", "source": "x"})
    with pytest.raises(ScenarioError, match="closed_loop: only with basis 'stay_home'"):
        lockdown(closed_loop=0.2)
    with pytest.raises(ScenarioError, match=r"elasticity"):
        lockdown(elasticity=1.5)
    with pytest.raises(ScenarioError, match=r"disruptions\[0\]\.region: unknown region 'JX'"):
        lockdown_capacity_loss(lockdown(region="JX"), TABLE, 1, loc=("disruptions", 0))
    with pytest.raises(ScenarioError, match=r"sectors: unknown sector or sector group 'industy'.*did you mean"):
        lockdown_capacity_loss(lockdown(sectors="industy"), TABLE, 1)


# ------------------------------------------------------------------ exposure distribution
def test_exposure_distribution_hand_values():
    # x = (1, 0.5), equal weights, mean 0.3: lambda = 0.4 -> (0.4, 0.2)
    assert distribute_by_exposure(np.array([0.3]), np.array([1.0, 0.5]), np.ones(2))[0] == pytest.approx([0.4, 0.2])
    # mean 0.75: the first sector fills up, the second takes the rest
    assert distribute_by_exposure(np.array([0.75]), np.array([1.0, 0.5]), np.ones(2))[0] == pytest.approx([1.0, 0.5])


def test_exposure_distribution_refuses_an_unreachable_mean():
    with pytest.raises(ScenarioError, match="exceeds the employment share of the exposed sectors"):
        distribute_by_exposure(np.array([0.8]), np.array([1.0, 0.0]), np.ones(2))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.just(0.0), st.floats(1e-6, 1.0)), min_size=2, max_size=6),
       st.lists(st.floats(0.1, 5.0), min_size=6, max_size=6),
       st.floats(0.0, 1.0))
def test_exposure_distribution_keeps_the_weighted_mean(x, w, frac):
    x, w = np.array(x), np.array(w[: len(x)])
    reach = w[x > 0].sum() / w.sum()
    A = frac * reach
    eps = distribute_by_exposure(np.array([A]), x, w)[0]
    assert np.average(eps, weights=w) == pytest.approx(A, abs=1e-9)
    assert eps.min() >= 0 and eps.max() <= 1 + 1e-12
    assert np.all(eps[x == 0] == 0)
    order = np.argsort(x)
    assert np.all(np.diff(eps[order]) >= -1e-12)  # more exposed, more absent


def test_observed_exposure_basis_on_the_table():
    shock = parse_shock({"type": "lockdown", "region": "JL", "sectors": "all", "absent": 0.4,
                         "distribution": "exposure", "elasticity": 1.0})
    loss = lockdown_capacity_loss(shock, TABLE, 1)[0, 3:]
    lt = load_labour_table()
    emp = lt.lookup("employment", ("06", "18", "28"))
    assert np.average(loss, weights=emp) == pytest.approx(0.4)
    ess = lt.lookup("ess", ("06", "18", "28"))
    assert loss[np.argmax(ess)] == loss.min()  # the most essential sector loses least


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.05, 1.0), st.floats(0.0, 1.0))
def test_loss_is_monotone_and_at_most_the_absent_share(a1, a2, elasticity, theta):
    lo, hi = sorted((a1, a2))
    l1 = lockdown_capacity_loss(lockdown(absent=lo, elasticity=elasticity, leontief_weight=theta), TABLE, 1)[0, 3]
    l2 = lockdown_capacity_loss(lockdown(absent=hi, elasticity=elasticity, leontief_weight=theta), TABLE, 1)[0, 3]
    assert l1 <= l2 + 1e-12
    assert l2 <= hi + 1e-12  # beta <= 1: never more capacity lost than labour


# ------------------------------------------------------------------ continuous-process crews (issue 17)
def test_continuous_process_stay_home_hand_values():
    # ordered home 1.0; 80 % of sector 06's crews run continuous plants and stay: absent 0.2
    shock = lockdown(absent=1.0, basis="stay_home", essential=0.0, remote=0.0, continuous_process={"06": 0.8})
    loss = lockdown_capacity_loss(shock, TABLE, 1)
    assert loss[0, 3:].tolist() == pytest.approx([0.2, 1.0, 1.0])


def test_continuous_process_observed_keeps_the_measured_mean():
    # the measured all-industry absence 0.4 includes the crews that stayed: the others are more absent,
    # epsilon_s = lambda (1 - c_s) with sum_s w_s epsilon_s = 0.4 sum_s w_s (employment weights)
    shock = lockdown(absent=0.4, continuous_process={"06": 0.5})
    loss = lockdown_capacity_loss(shock, TABLE, 1)[0, 3:]
    w = load_labour_table().lookup("employment", ("06", "18", "28"))
    lam = 0.4 * w.sum() / (0.5 * w[0] + w[1] + w[2])
    assert loss.tolist() == pytest.approx([0.5 * lam, lam, lam])
    assert np.average(loss, weights=w) == pytest.approx(0.4)


def test_continuous_process_hand_values_two_sectors():
    # employment 1 : 1 (a table of our own), c = (0.5, 0), mean 0.3: lambda = 0.6 / 1.5 = 0.4 -> (0.2, 0.4)
    from chainsim.shocks.labour import spread_observed_absence
    eps = spread_observed_absence(np.array([0.3]), np.ones(2), np.ones(2), np.array([0.5, 0.0]))
    assert eps[0].tolist() == pytest.approx([0.2, 0.4])


def test_continuous_process_level_reads_the_evidence_table():
    from chainsim.data.classification import NBS42_CODES
    from chainsim.data.dynamics_evidence import continuous_process
    c = dict(zip(NBS42_CODES, continuous_process("central"), strict=True))
    table = pd.read_csv(Path(__file__).resolve().parents[1] / "src/chainsim/data/raw/dynamics_evidence"
                        / "continuous_process.csv", dtype={"nbs42": str}).set_index("nbs42")
    assert {k for k, v in c.items() if v > 0} == set(table.index[table.share_central > 0])
    assert c["14"] == pytest.approx(table.loc["14", "share_central"]) and c["06"] == 0.0
    lo, hi = continuous_process("low"), continuous_process("high")
    assert np.all(lo <= continuous_process("central")) and np.all(continuous_process("central") <= hi)
    assert hi.max() < 1.0  # no sector's crews are all exempt: the observed mean stays reachable


def test_continuous_process_level_on_a_table_without_those_sectors_changes_nothing():
    a = lockdown_capacity_loss(lockdown(absent=0.4), TABLE, 2)
    b = lockdown_capacity_loss(lockdown(absent=0.4, continuous_process="central"), TABLE, 2)
    assert np.array_equal(a, b)


def test_continuous_process_schema_errors_name_the_field():
    with pytest.raises(ScenarioError, match=r"continuous_process: expected shares in \[0, 1\]"):
        lockdown(continuous_process={"06": 1.5})
    with pytest.raises(ScenarioError, match="continuous_process"):
        lockdown(continuous_process="middle")
    with pytest.raises(ScenarioError, match="continuous_process: unknown sector"):
        lockdown_capacity_loss(lockdown(continuous_process={"99": 0.5}), TABLE, 1)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 0.9), st.floats(0.0, 0.95))
def test_continuous_process_protects_its_sector_and_keeps_the_mean(a, c):
    plain = lockdown_capacity_loss(lockdown(absent=a), TABLE, 1)[0, 3:]
    crew = lockdown_capacity_loss(lockdown(absent=a, continuous_process={"18": c}), TABLE, 1)[0, 3:]
    w = load_labour_table().lookup("employment", ("06", "18", "28"))
    assert crew[1] <= plain[1] + 1e-12 and crew[0] >= plain[0] - 1e-12  # 18 protected, the others carry it
    assert np.average(crew, weights=w) == pytest.approx(a, abs=1e-9)
