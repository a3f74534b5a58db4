"""Sticky household demand for utilities (issue 16 item, docs/dynamics_design.md §3.7).

A household-consumption cut of share c applies to product p as c(1 - η_p), with η from the cited
evidence table (``household_demand_stickiness.csv``: 1 for 24-26, range 0.8-1; 0 elsewhere), in
the ``final_demand_by_category`` type, so that validate, run and the library give the same
change. A scenario may override η. Written before the mechanism: on the old code a 30 % household
cut takes 30 % off electricity (24) too, and ``stickiness`` is an unknown field.
"""

from __future__ import annotations

import numpy as np
import pytest

from chainsim.data import dynamics_evidence as ev
from chainsim.data.classification import NBS42_CODES
from chainsim.disruptions import compile_plan, parse_disruptions
from chainsim.engine import build_model, resolve_params
from chainsim.errors import DataError, ScenarioError
from chainsim.shocks.demand import FinalDemandByCategory, demand_multipliers, shock_multipliers
from tests.episode_fixtures import tiny_table

TABLE = tiny_table(("06", "24", "28"))  # LN|06 LN|24 LN|28 JL|06 JL|24 JL|28
DAYS = 10
F06, F24, F28 = 0, 1, 2  # sector index in the multipliers


def cut(**kw):
    base = {"type": "final_demand_by_category", "region": "all", "categories": ["household"], "sectors": "all",
            "change": {"interpolation": "step", "points": [[2, -0.3], [6, 0.0]]}}
    return FinalDemandByCategory.model_validate({**base, **kw})


def household_multiplier(shock, region="JL"):
    m = shock_multipliers(shock, TABLE, DAYS)
    return m.domestic[:, :, TABLE.fd_columns.index((region, "household"))]


def test_evidence_table_gives_full_stickiness_to_utilities_only():
    for level, lo in (("low", 0.8), ("central", 1.0), ("high", 1.0)):
        eta = ev.household_stickiness(level)
        assert eta.shape == (len(NBS42_CODES),)
        util = [NBS42_CODES.index(c) for c in ("24", "25", "26")]
        np.testing.assert_allclose(eta[util], lo)
        assert not np.delete(eta, util).any()


def test_a_household_cut_leaves_utilities_alone_and_cuts_the_rest():
    m = household_multiplier(cut())
    assert m[3, F06] == pytest.approx(0.7) and m[3, F28] == pytest.approx(0.7)
    assert m[3, F24] == pytest.approx(1.0)  # eta 1: electricity and heat use at home does not fall
    assert (m[:2] == 1.0).all() and (m[6:] == 1.0).all()


def test_stickiness_applies_to_household_cuts_only():
    gov = shock_multipliers(cut(categories=["government"]), TABLE, DAYS).domestic
    assert gov[3, F24, TABLE.fd_columns.index(("JL", "government"))] == pytest.approx(0.7)
    rise = household_multiplier(cut(change={"interpolation": "step", "points": [[2, 0.2], [6, 0.0]]}))
    assert rise[3, F24] == pytest.approx(1.2)  # a rise passes unchanged


def test_a_scenario_overrides_the_evidence():
    m = household_multiplier(cut(stickiness={"24": 0.5}))
    assert m[3, F24] == pytest.approx(1.0 - 0.3 * 0.5)
    off = household_multiplier(cut(stickiness={"all": 0.0}))
    assert off[3, F24] == pytest.approx(0.7)
    groups = household_multiplier(cut(stickiness={"utilities": 0.8, "06": 0.25}))
    assert groups[3, F24] == pytest.approx(1.0 - 0.3 * 0.2)
    assert groups[3, F06] == pytest.approx(1.0 - 0.3 * 0.75)


def test_bad_stickiness_is_refused_with_the_field_named():
    with pytest.raises(ValueError, match="stickiness"):
        cut(stickiness={"24": 1.5})
    with pytest.raises(ScenarioError, match=r"stickiness.*'2A'"):
        shock_multipliers(cut(stickiness={"2A": 0.5}), TABLE, DAYS, loc=("disruptions", 0))


def test_the_engine_plan_and_the_library_agree():
    """validate == run: the disruption type hands the engine the change the library computes."""
    m = build_model(TABLE, resolve_params({}))
    item = cut().model_dump(by_alias=False, exclude_none=True)
    plan = compile_plan(m, [parse_disruptions([item])], [np.random.default_rng(0)], DAYS)
    change = np.array([sum((d.amount[: m.n] * d.factor.at(t) for d in plan.demand), np.zeros(m.n))
                       for t in range(DAYS)])
    assert not change[:, [F24, 3 + F24]].any()  # no demand change reaches electricity
    assert (change[3, [F06, F28]] < 0).all()
    from chainsim.shocks.demand import final_demand_path
    mult = demand_multipliers([cut()], TABLE, DAYS)
    expect = (final_demand_path(TABLE, mult) - (TABLE.Y.sum(axis=1) + TABLE.exports)) / m.params.year_days
    np.testing.assert_allclose(change, expect, atol=1e-12)


def test_a_table_without_nbs_codes_takes_no_stickiness():
    other = tiny_table(("A", "B", "C"))
    m = shock_multipliers(cut(), other, DAYS).domestic[:, :, other.fd_columns.index(("JL", "household"))]
    np.testing.assert_allclose(m[3], 0.7)


def test_a_broken_evidence_row_is_reported(monkeypatch, tmp_path):
    src = ev.EVIDENCE_DIR / "household_demand_stickiness.csv"
    text = src.read_text(encoding="utf-8").replace(",1.0,1.0,", ",1.0,0.5,", 1)
    (tmp_path / src.name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(ev, "EVIDENCE_DIR", tmp_path)
    ev._rows.cache_clear()
    try:
        with pytest.raises(DataError, match=r"household_demand_stickiness.csv: row 2"):
            ev.household_stickiness("central")
    finally:
        ev._rows.cache_clear()
