"""Pathways: lever arithmetic, combination, rewrites, 'changes nothing' reporting, docs in sync."""

from pathlib import Path

import pytest

from chainsim import ScenarioError
from chainsim.pathways.apply import lever_values, plan_pathway
from chainsim.pathways.docs import pathways_markdown
from chainsim.pathways.registry import LEVERS, PATHWAYS

ROOT = Path(__file__).resolve().parents[1]
CUT = {"type": "import_cut", "product": "03", "origins": ["RUS"], "regions": "all", "share": 1.0, "start": 5,
       "duration": 30}
LOSS = {"type": "capacity_loss", "region": "LN", "sector": "14", "share": 0.5, "start": 5,
        "recovery": {"curve": "linear", "days": 100}}


def test_five_pathways_from_the_paper_each_with_documented_levers():
    assert set(PATHWAYS) == {"baseline", "tech_self_reliance", "opening_up", "dual_wheel", "digital_green",
                             "environment"}
    for p in PATHWAYS.values():
        for name in p.levers:
            lv = LEVERS[name]
            assert lv.quote_zh and lv.rationale and lv.baseline != lv.full


def test_intensity_scales_linearly_and_overrides_apply():
    lv = LEVERS["alpha_max_manufacturing"]
    assert lever_values("dual_wheel", intensity=0.0)["alpha_max_manufacturing"] == lv.baseline
    assert lever_values("dual_wheel", intensity=1.0)["alpha_max_manufacturing"] == lv.full
    assert lever_values("dual_wheel", intensity=0.5)["alpha_max_manufacturing"] == pytest.approx(1.375)
    v = lever_values("dual_wheel", intensity=1.0, overrides={"dual_wheel": {"alpha_max_manufacturing": 2.0}})
    assert v["alpha_max_manufacturing"] == 2.0
    v = lever_values("dual_wheel+environment", intensity=0.5, intensities={"environment": 1.0})
    assert v["recovery_speedup"] == LEVERS["recovery_speedup"].full and "alpha_tau_manufacturing" in v


def test_sector_levers_become_per_sector_params():
    plan = plan_pathway("dual_wheel", [LOSS], intensity=1.0)
    assert plan.params["sector_alpha_max"]["14"] == 1.5 and "01" not in plan.params["sector_alpha_max"]
    assert set(plan.changed) == {"alpha_max_manufacturing", "alpha_tau_manufacturing"}


def test_disruption_rewrites():
    plan = plan_pathway("environment", [LOSS], intensity=1.0)
    assert plan.disruptions[0]["recovery"]["days"] == pytest.approx(60.0)
    assert LOSS["recovery"]["days"] == 100  # the input is not mutated
    plan = plan_pathway("digital_green", [CUT], intensity=1.0)
    assert plan.disruptions[0]["share"] == pytest.approx(0.7)
    plan = plan_pathway("digital_green", [{**CUT, "product": "20"}], intensity=1.0)
    assert plan.disruptions[0]["share"] == 1.0 and "fossil_import_exposure" not in plan.changed


def test_pathway_that_cannot_act_is_reported():
    plan = plan_pathway("tech_self_reliance", [LOSS], intensity=0.5)
    assert any("substitution_share" in n for n in plan.notes)
    assert "substitution_share" not in plan.changed
    assert plan_pathway("baseline", [LOSS]).changed == ()


def test_costs_and_unknown_names():
    plan = plan_pathway("opening_up+dual_wheel", [CUT], intensity=0.5, costs={"opening_up": 10.0, "dual_wheel": 4.0})
    assert plan.cost == pytest.approx(7.0)
    with pytest.raises(ScenarioError, match="did you mean 'opening_up'"):
        lever_values("openin_up")


def test_docs_match_registry():
    assert (ROOT / "docs" / "pathways.md").read_text(encoding="utf-8") == pathways_markdown()


def test_distributions_are_scaled_whole():
    loss = {**LOSS, "recovery": {"curve": "linear", "days": {"distribution": "uniform", "low": 50, "high": 100}}}
    plan = plan_pathway("environment", [loss], intensity=1.0)
    assert plan.disruptions[0]["recovery"]["days"] == {"distribution": "uniform", "low": 30.0, "high": 60.0}
    assert "recovery_speedup" in plan.changed
    cut = {**CUT, "share": {"distribution": "triangular", "low": 0.5, "mode": 0.8, "high": 1.0}}
    plan = plan_pathway("digital_green", [cut], intensity=1.0)
    assert plan.disruptions[0]["share"]["mode"] == pytest.approx(0.56)


def test_sector_levers_skip_sectors_the_table_lacks():
    plan = plan_pathway("dual_wheel", [LOSS], intensity=1.0, sector_codes=["A", "B"])
    assert plan.params == {} and plan.changed == ()
    assert any("none of its sectors" in n for n in plan.notes)
    plan = plan_pathway("dual_wheel", [LOSS], intensity=1.0, sector_codes=["14", "99"])
    assert plan.params["sector_alpha_max"] == {"14": 1.5}


def test_levers_shift_the_scenarios_own_parameters():
    plan = plan_pathway("digital_green", [CUT], intensity=0.0, base_params={"inventory_days": 60})
    assert plan.params["inventory_days"] == 60  # θ = 0 keeps the scenario's value
    plan = plan_pathway("digital_green", [CUT], intensity=1.0, base_params={"inventory_days": 60, "psi": 0.7})
    assert plan.params["inventory_days"] == pytest.approx(60 + (110 - 90))
    assert plan.params["psi"] == 0.7  # parameters no lever touches pass through
    plan = plan_pathway("dual_wheel", [LOSS], intensity=1.0, base_params={"alpha_max": 1.1,
                                                                           "sector_alpha_max": {"14": 1.2}})
    assert plan.params["sector_alpha_max"]["14"] == pytest.approx(1.2 + 0.25)
    assert plan.params["sector_alpha_max"]["15"] == pytest.approx(1.1 + 0.25)
