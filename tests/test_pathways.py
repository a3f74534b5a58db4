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
            assert lv.quote_zh and lv.rationale and lv.baseline_basis and lv.baseline != lv.full


def test_intensity_scales_linearly_and_overrides_apply():
    lv = LEVERS["alpha_max_manufacturing"]
    assert lever_values("dual_wheel", intensity=0.0)["alpha_max_manufacturing"] == lv.baseline
    assert lever_values("dual_wheel", intensity=1.0)["alpha_max_manufacturing"] == lv.full
    assert lever_values("dual_wheel", intensity=0.5)["alpha_max_manufacturing"] == pytest.approx(
        (lv.baseline + lv.full) / 2)
    v = lever_values("dual_wheel", intensity=1.0, overrides={"dual_wheel": {"alpha_max_manufacturing": 2.0}})
    assert v["alpha_max_manufacturing"] == 2.0
    v = lever_values("dual_wheel+environment", intensity=0.5, intensities={"environment": 1.0})
    assert v["recovery_speedup"] == LEVERS["recovery_speedup"].full and "alpha_tau_manufacturing" in v


def test_sector_levers_become_per_sector_params():
    plan = plan_pathway("dual_wheel", [LOSS], intensity=1.0)
    full = LEVERS["alpha_max_manufacturing"].full
    assert plan.params["sector_alpha_max"]["14"] == pytest.approx(full) and "01" not in plan.params["sector_alpha_max"]
    assert set(plan.changed) == {"alpha_max_manufacturing", "alpha_tau_manufacturing"}


def test_disruption_rewrites():
    plan = plan_pathway("environment", [LOSS], intensity=1.0)
    assert plan.disruptions[0]["recovery"]["days"] == pytest.approx(100 * LEVERS["recovery_speedup"].full)
    assert LOSS["recovery"]["days"] == 100  # the input is not mutated
    plan = plan_pathway("digital_green", [CUT], intensity=1.0)
    assert plan.disruptions[0]["share"] == pytest.approx(LEVERS["fossil_import_exposure"].full)
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
    f = LEVERS["recovery_speedup"].full
    assert plan.disruptions[0]["recovery"]["days"] == {"distribution": "uniform", "low": 50 * f, "high": 100 * f}
    assert "recovery_speedup" in plan.changed
    cut = {**CUT, "share": {"distribution": "triangular", "low": 0.5, "mode": 0.8, "high": 1.0}}
    plan = plan_pathway("digital_green", [cut], intensity=1.0)
    assert plan.disruptions[0]["share"]["mode"] == pytest.approx(0.8 * LEVERS["fossil_import_exposure"].full)


def test_sector_levers_skip_sectors_the_table_lacks():
    plan = plan_pathway("dual_wheel", [LOSS], intensity=1.0, sector_codes=["A", "B"])
    assert plan.params == {} and plan.changed == ()
    assert any("none of its sectors" in n for n in plan.notes)
    plan = plan_pathway("dual_wheel", [LOSS], intensity=1.0, sector_codes=["14", "99"])
    assert plan.params["sector_alpha_max"] == {"14": pytest.approx(LEVERS["alpha_max_manufacturing"].full)}


def test_levers_move_the_scenarios_own_parameters():
    plan = plan_pathway("digital_green", [CUT], intensity=0.0, base_params={"inventory_scale": 0.6})
    assert plan.params["inventory_scale"] == 0.6  # θ = 0 keeps the scenario's value
    plan = plan_pathway("digital_green", [CUT], intensity=1.0, base_params={"inventory_scale": 0.6, "psi": 0.7,
                                                                            "inventory_days": 60})
    # the inventory lever scales the stocks (the engine's inventory_scale), it does not add days
    assert plan.params["inventory_scale"] == pytest.approx(0.6 * LEVERS["inventory_scale"].full)
    assert plan.params["inventory_days"] == 60
    assert plan.params["psi"] == 0.7  # parameters no lever touches pass through
    plan = plan_pathway("dual_wheel", [LOSS], intensity=1.0, base_params={"alpha_max": 1.1,
                                                                           "sector_alpha_max": {"14": 1.2}})
    shift = LEVERS["alpha_max_manufacturing"].full - LEVERS["alpha_max_manufacturing"].baseline
    assert plan.params["sector_alpha_max"]["14"] == pytest.approx(1.2 + shift)
    assert plan.params["sector_alpha_max"]["15"] == pytest.approx(1.1 + shift)


def test_every_lever_has_an_evidence_range_with_sources_and_the_models_baseline():
    from chainsim.engine.params import ModelParams
    from chainsim.pathways.evidence import SOURCES

    defaults = ModelParams()
    for lv in LEVERS.values():
        for r in lv.evidence:
            assert r.low <= r.full <= r.high and r.basis and r.sources
            assert all(k in SOURCES for k in r.sources)
            # no draw makes the pathway's own quantity worse than the baseline model
            if r.full >= lv.baseline:
                assert r.low >= lv.baseline or r.full == lv.baseline, lv.name
            if r.full <= lv.baseline:
                assert r.high <= lv.baseline or r.full == lv.baseline, lv.name
            assert r.low >= lv.baseline or r.high <= lv.baseline, lv.name
        field = lv.target.removeprefix("params.")
        if lv.combine == "scale":
            assert lv.baseline == 1.0
        elif field in ModelParams.model_fields:
            assert lv.baseline == getattr(defaults, field), lv.name


def test_values_are_product_class_specific():
    cut = {**CUT, "origins": ["JPN"]}
    chips = plan_pathway("tech_self_reliance", [{**cut, "product": "20"}], intensity=1.0)
    tools = plan_pathway("tech_self_reliance", [{**cut, "product": "17"}], intensity=1.0)
    steel = plan_pathway("tech_self_reliance", [{**cut, "product": "14"}], intensity=1.0)
    shares = {p.levers["substitution_share"] for p in (chips, tools, steel)}
    assert len(shares) == 3  # chips, chip-making equipment and steel have different evidence
    assert chips.evidence["substitution_share"].startswith("electronics")
    assert steel.evidence["substitution_share"] == LEVERS["substitution_share"].default.label
    # both classes cut at once: one value per run, the least effective, and the run says so
    both = plan_pathway("tech_self_reliance", [{**cut, "product": ["20", "14"]}], intensity=1.0)
    assert both.levers["substitution_share"] == min(chips.levers["substitution_share"],
                                                    steel.levers["substitution_share"])
    assert any("several classes" in n for n in both.notes)
    # a user's full value wins over the evidence
    mine = plan_pathway("tech_self_reliance", [{**cut, "product": "20"}], intensity=1.0,
                        overrides={"tech_self_reliance": {"substitution_share": 0.9}})
    assert mine.levers["substitution_share"] == 0.9 and mine.evidence["substitution_share"] == "override"


def test_lever_draws_are_paired_across_entries_and_stay_in_range():
    from chainsim.pathways.draws import drawn_overrides, lever_quantiles

    q = lever_quantiles(5, 50)
    assert q.shape == (50, len(LEVERS))
    np_equal = [drawn_overrides("opening_up", row, ["20"])["opening_up"] ==
                drawn_overrides("opening_up+dual_wheel", row, ["20"])["opening_up"] for row in q]
    assert all(np_equal)  # the same draw for a lever in every entry of a replication
    fulls = [drawn_overrides("tech_self_reliance", row, ["20"])["tech_self_reliance"]["substitution_share"]
             for row in q]
    r, _ = LEVERS["substitution_share"].range_for(["20"])
    assert min(fulls) >= r.low and max(fulls) <= r.high and len(set(fulls)) == 50
    kept = drawn_overrides("opening_up", q[0], [], {"opening_up": {"search_days": 3.0}})["opening_up"]
    assert kept["search_days"] == 3.0 and "import_headroom" in kept
    assert (lever_quantiles(5, 3) == q[:3]).all()  # replication k's draw does not depend on the count
