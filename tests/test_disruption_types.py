"""Disruption types as classes in a registry: the shipped types, a new type in one file, and issue #19's defects.

The defects of issue #19 (a region congested into itself raised output; overlapping or
below -100 % final-demand cuts left demand at 130-150 % of baseline after they ended) were
written first and fail on 30b9e04.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

import numpy as np
import pytest

from chainsim.disruptions import DISRUPTIONS, Disruption, ScanTarget, direct_shock, register
from chainsim.disruptions.base import Episode, NumericField, industries, names, resolve
from chainsim.disruptions.registry import unregister
from chainsim.engine import Engine, build_model, parse_disruptions, resolve_params, simulate
from chainsim.errors import ScenarioError
from tests.test_engine_helpers import make_table


@pytest.mark.parametrize(("src", "dst"), [("R0", "R0"), ("R0", ["R1", "R0"])])
def test_a_region_congested_into_itself_is_refused(src, dst):
    """LN -> LN was accepted and *raised* output; a congestion is on a route between different places."""
    t = make_table(2, 3, seed=6)
    cong = {"type": "congestion", "from_region": src, "to_region": dst, "throughput_loss": 0.6, "start": 5,
            "duration": 20}
    with pytest.raises(ScenarioError, match="different places"):
        simulate(t, [cong], days=30)


def test_overlapping_final_demand_cuts_restore_demand_exactly():
    """Two overlapping -70 % cuts left demand at 140 % of baseline after both ended (clipped at 0 then restored)."""
    t = make_table(2, 3, seed=4)
    cut = {"type": "final_demand", "region": "all", "sector": "S0", "share": -0.7, "start": 5, "duration": 20}
    res = simulate(t, [cut, {**cut, "start": 10}], days=500)
    rel = res.output.to_numpy()[-1] / res.baseline.to_numpy()
    assert np.abs(rel - 1).max() < 1e-4  # back to baseline but for the slow inventory transient (~1e-5)


@pytest.mark.parametrize("share", [-1.5, {"distribution": "uniform", "low": -1.2, "high": -0.5}])
def test_a_cut_of_more_than_all_final_demand_is_refused(share):
    with pytest.raises(ScenarioError, match="share"):
        parse_disruptions([{"type": "final_demand", "share": share, "start": 5, "duration": 20}])


def test_the_shipped_types_are_registered_with_what_the_rest_of_chainsim_asks_of_them():
    assert set(DISRUPTIONS) == {"capacity_loss", "import_cut", "link_cut", "congestion", "final_demand", "lockdown",
                                "final_demand_by_category"}
    for kind in DISRUPTIONS.values():
        assert kind.compile is not Disruption.compile and kind.direct_shock is not Disruption.direct_shock
    assert {k.scan_kind for k in DISRUPTIONS.values()} >= {"imports", "links", "nodes"}


def test_an_unknown_type_is_an_error_never_a_silent_zero_shock():
    t = make_table(2, 3, seed=1)
    with pytest.raises(ScenarioError, match=r"unknown disruption type 'capacity_los'.*did you mean 'capacity_loss'"):
        direct_shock(t, {"type": "capacity_los", "region": "R0", "sector": "S0", "share": 0.5}, {"share": 0.5})


def test_a_type_without_a_direct_shock_cannot_be_registered():
    class Half(Disruption):
        type: Literal["half"]

        def compile(self, ep: Episode) -> None:
            pass

    with pytest.raises(TypeError, match="direct_shock"):
        register(Half)
    assert "half" not in DISRUPTIONS


class Pulse(Disruption):
    """Test-only type: region-sectors lose a share of capacity along a fixed daily profile (a tabulated series)."""

    type: Literal["capacity_pulse"]
    region: str
    sector: str
    share: float = 0.5

    PROFILE: ClassVar[tuple[float, ...]] = (0.5, 1.0, 1.0, 0.5, 0.25)
    scan_kind: ClassVar[str | None] = "pulses"
    scan_rank: ClassVar[int] = 40
    param_levers: ClassVar[frozenset[str]] = frozenset({"rebuild_tau"})
    scarce_key: ClassVar[str | None] = "sector"

    def _nodes(self, table: Any) -> np.ndarray:
        return industries(table, resolve("region", names(self.region), table, "region"),
                          resolve("sector", names(self.sector), table, "sector"))

    def compile(self, ep: Episode) -> None:
        nodes = self._nodes(ep.model.table)
        n, k = len(nodes), len(ep.plan.series)
        ep.plan.series.append(np.array(self.PROFILE))
        ev = ep.plan.new_event(ep.batch, ep.name)
        ep.plan.loss_rows.append(dict(
            batch=np.full(n, ep.batch), node=nodes, amount=np.full(n, ep.values["share"]), unit=np.ones(n),
            additive=np.zeros(n, bool), t_full=np.full(n, ep.start), t_rec=np.full(n, ep.start + len(self.PROFILE)),
            e0=np.zeros(n), tau=np.ones(n), curve=np.zeros(n, int), decimals=np.full(n, -1), event=np.full(n, ev),
            series=np.full(n, k)))
        ep.log(ep.start, "pulse_start", f"{self.region}|{self.sector}", ep.name)

    def direct_shock(self, table: Any, sample: Mapping[str, Any]) -> float:
        return float(sample["share"]) * sum(self.PROFILE) * float(table.x[self._nodes(table)].sum()) / 365.0

    @classmethod
    def scan_targets(cls, table: Any, *, share: float, duration: float, start: int,
                     import_regions: Sequence[str] | None) -> list[ScanTarget]:
        return [ScanTarget("pulses", f"{r}|{s}", s, region=r, disruption={
            "type": "capacity_pulse", "region": r, "sector": s, "share": share, "start": start})
            for r in table.region_codes for s in table.sector_codes]


@pytest.fixture
def pulse():
    register(Pulse)
    yield Pulse
    unregister("capacity_pulse")


def test_a_new_type_is_one_class_and_every_layer_uses_it(pulse):
    """Registered in a test (one file), the type parses, runs on both economies, gives its direct shock, acts
    with its pathway levers and brings its scan kind; nothing else was edited."""
    from chainsim.pathways.apply import plan_pathway
    from chainsim.pathways.evidence import disrupted_products
    from chainsim.scan.targets import enumerate_targets

    t = make_table(2, 3, seed=2, origins=("USA",))
    d = {"type": "capacity_pulse", "region": "R1", "sector": "S2", "share": 0.6, "start": 4}
    (x,) = parse_disruptions([d])
    assert isinstance(x, Pulse)
    m = build_model(t, resolve_params({"inventory_days": 5, "alpha_tau": 365.0}))  # slow α: capacity ~ profile
    runs = {ex: Engine(m, [[d], []], executor=ex).run(30) for ex in ("auto", "reference")}
    cap = runs["reference"].capacity[:, 0, 5] / m.xbar[5]
    # the profile, then back (overproduction raises capacity by a few per mille meanwhile)
    np.testing.assert_allclose(cap[3:10], [1.0, 0.7, 0.4, 0.4, 0.7, 0.85, 1.0], rtol=5e-3)
    np.testing.assert_allclose(runs["auto"].output, runs["reference"].output, rtol=1e-10)
    assert ("disruption_recovered", "capacity_pulse#0") in {(e[2], e[3]) for e in runs["auto"].events}
    assert direct_shock(t, d, {"share": 0.6}) == pytest.approx(0.6 * 3.25 * t.x[5] / 365)
    assert "rebuild_tau" in plan_pathway("environment", [d]).changed
    assert disrupted_products([d, {"type": "congestion"}]) == ("S2",)  # the levers' evidence class
    assert any("acts only on capacity_pulse" in n for n in plan_pathway("environment", []).notes)
    targets = enumerate_targets(t, ["pulses"])
    assert len(targets) == t.n_industries and targets[0].disruption["type"] == "capacity_pulse"


PROFILE = {"points": [[0, 0.5], [2, 1.0], [5, 1.0], [9, 0.0]]}


def test_a_capacity_loss_can_follow_a_profile():
    """share x profile (linear between points) is the capacity lost on each day, on both economies."""
    t = make_table(2, 3, seed=2, origins=("USA",))
    m = build_model(t, resolve_params({"inventory_days": 5, "alpha_tau": 365.0}))  # slow α: capacity ~ profile
    d = {"type": "capacity_loss", "region": "R0", "sector": "S1", "basis": "capacity", "share": 0.4, "start": 3,
         "profile": PROFILE}
    runs = {ex: Engine(m, [[d]], executor=ex).run(20) for ex in ("auto", "reference")}
    alpha = runs["reference"].capacity[:, 0, 1] / m.xbar[1]
    want = 1 - 0.4 * np.interp(np.arange(20) - 3, [0, 2, 5, 9], [0.5, 1, 1, 0], left=0)
    np.testing.assert_allclose(alpha, want, rtol=5e-3)  # overproduction adds a few per mille
    np.testing.assert_allclose(runs["auto"].output, runs["reference"].output, rtol=1e-10)
    ev = {e[2]: e[0] for e in runs["auto"].events if e[2].startswith("disruption")}
    assert ev == {"disruption_start": 3, "disruption_end": 13, "disruption_recovered": 13}
    assert direct_shock(t, d, {"share": 0.4, "duration": 10}) == pytest.approx(
        0.4 * want_sum(PROFILE, 10) * t.x[1] / 365)


def want_sum(profile, n):
    days, vals = zip(*profile["points"], strict=True)
    return float(np.interp(np.arange(n), days, vals).sum())


def test_an_import_cut_and_a_final_demand_change_can_follow_a_profile():
    t = make_table(2, 3, seed=5, origins=("USA",))
    m = build_model(t, resolve_params({"inventory_days": 10, "resourcing": False}))
    cut = {"type": "import_cut", "product": "S0", "origin": "USA", "region": "R1", "share": 0.8, "start": 2,
           "profile": {"points": [[0, 1.0], [4, 0.0]], "interpolation": "step"}}
    fd = {"type": "final_demand", "region": "all", "sector": "S2", "share": -0.5, "start": 1,
          "profile": {"points": [[0, 0.0], [4, 1.0]]}}
    eng = Engine(m, [[cut, fd]], executor="reference")
    seen = []
    eng.run(12, progress=lambda d, T: seen.append((
        eng.economy.columns(np.array([0]), np.array([0]), np.array([3]))[1][0, 2], eng.economy.day.final_demand[0, 2])))
    open_, y = np.array(seen).T
    np.testing.assert_allclose(open_, [1, 1, 0.2, 0.2, 0.2, 0.2, 1, 1, 1, 1, 1, 1])
    np.testing.assert_allclose(y / m.ybar[2], 1 - 0.5 * np.clip((np.arange(12) - 1) / 4, 0, 1) * (np.arange(12) >= 1))
    assert {e[2] for e in Engine(m, [[cut, fd]]).run(12).events} >= {"import_cut_start", "import_cut_end",
                                                                      "final_demand_change"}


def test_a_profile_takes_the_place_of_duration_and_recovery():
    with pytest.raises(ScenarioError, match="profile"):
        parse_disruptions([{"type": "capacity_loss", "region": "R0", "sector": "S0", "share": 0.3, "duration": 5,
                            "profile": PROFILE}])
    with pytest.raises(ScenarioError, match="strictly increasing"):
        parse_disruptions([{"type": "final_demand", "share": -0.2, "profile": {"points": [[2, 0.1], [1, 0.2]]}}])


class Absence(Disruption):
    """Test-only type: each region-sector loses its own share of capacity by day (a lockdown-like table)."""

    type: Literal["absence_table"]
    region: str
    table: list[list[float]]  # days x sectors of the region
    share: float = 1.0

    def compile(self, ep: Episode) -> None:
        t = ep.model.table
        nodes = industries(t, resolve("region", [self.region], t, "region"), np.arange(t.n_sectors))
        ep.tabulated_rows(nodes, np.array(self.table), np.full(len(nodes), ep.values["share"]),
                          np.ones(len(nodes)), additive=False)

    def direct_shock(self, table: Any, sample: Mapping[str, Any]) -> float:
        return 0.0


def test_a_type_can_compile_a_daily_table_per_industry():
    """What a lockdown needs: a capacity-loss share of each industry on each day (tabulated per node)."""
    register(Absence)
    try:
        t = make_table(2, 3, seed=2)
        m = build_model(t, resolve_params({"inventory_days": 5, "alpha_tau": 365.0}))  # slow α: capacity ~ profile
        tab = [[0.1, 0.2, 0.0], [0.3, 0.0, 0.5], [0.0, 0.0, 0.0]]
        arr = Engine(m, [[{"type": "absence_table", "region": "R1", "table": tab, "start": 2}]]).run(8)
        lost = 1 - arr.capacity[2:5, 0, 3:6] / m.xbar[3:6]
        np.testing.assert_allclose(lost, tab, atol=5e-3)  # overproduction adds a few per mille
        assert (arr.capacity[5:, 0, 3:6] >= 0.99 * m.xbar[3:6]).all()
    finally:
        unregister("absence_table")


class Pause(Disruption):
    """Test-only type with a number of its own: region-sectors pause for ``pause_days`` (a capacity loss of all)."""

    type: Literal["pause"]
    region: str
    sector: str
    pause_days: float = 3.0

    has_share: ClassVar[bool] = False

    @classmethod
    def numeric_fields(cls) -> tuple[NumericField, ...]:
        return (*super().numeric_fields(), NumericField(("pause_days",), "days"))

    def compile(self, ep: Episode) -> None:
        pass

    def direct_shock(self, table: Any, sample: Mapping[str, Any]) -> float:
        return 0.0


@pytest.mark.parametrize(("field", "value", "message"), [
    ("pause_days", -2, r"disruptions\[0\]\.pause_days: expected a number of days in \[0, 100,000\]; found -2"),
    ("pause_days", {"distribution": "lognormal", "median": 5, "sigma": -1}, r"pause_days\.sigma"),
    ("start", 400, r"disruptions\[0\]\.start: expected a day in \[0, horizon_days=365\)"),
])
def test_a_new_type_says_which_numbers_validation_checks(field, value, message):
    """``chainsim validate`` checks the numbers a type lists (one file to add a type: no list elsewhere)."""
    from chainsim.scenario.load import load_scenario

    register(Pause)
    try:
        d = {"type": "pause", "region": "LN", "sector": "20", "start": 5, field: value}
        with pytest.raises(ScenarioError, match=message):
            load_scenario({"name": "p", "dataset": "northeast-2017", "horizon_days": 365, "disruptions": [d]})
    finally:
        unregister("pause")


def test_the_shipped_types_list_their_numbers():
    fields = {name: {(f.path, f.unit, f.low, f.high) for f in kind.numeric_fields()}
              for name, kind in DISRUPTIONS.items()}
    assert ((("share",), "share", -1.0, 1.0)) in fields["final_demand"]
    assert ((("share",), "share", 0.0, 1.0)) in fields["import_cut"]
    assert {(("throughput_loss",), "share", 0.0, 1.0), (("extra_lead_days",), "days", 0.0, 1.0)} <= fields[
        "congestion"]
    assert not any(f[0] == ("share",) for f in fields["congestion"])
    assert ((("recovery", "days"), "days", 0.0, 1.0)) in fields["capacity_loss"]
    assert all({(("start",), "start", 0.0, 1.0), (("duration",), "days", 0.0, 1.0)} <= f for f in fields.values())
