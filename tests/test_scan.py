"""Dynamic chokepoint scan on a small table whose chokepoints are known by construction."""

import json

import numpy as np
import pandas as pd
import pytest

from chainsim.errors import ScenarioError
from chainsim.pathways.registry import LEVERS
from chainsim.scan import MEASURES, RANKING_COLUMNS, enumerate_targets, pathway_effect, rank_targets, scan, write_scan
from tests.scan_fixtures import PARAMS, small_table

SETTINGS = dict(scope="all", days=150, duration=60, start=5, params=PARAMS)


@pytest.fixture(scope="module")
def table():
    return small_table()


@pytest.fixture(scope="module")
def result(table):
    return scan(table, **SETTINGS)


def _kind(result, kind):
    return result.ranking[result.ranking.kind == kind].set_index("target")


def test_targets_cover_imports_links_and_nodes(table):
    targets = enumerate_targets(table)
    kinds = pd.Series([t.kind for t in targets]).value_counts().to_dict()
    assert kinds == {"imports": 3, "links": 8, "nodes": 8}  # zero flows are skipped
    assert {t.disruption["type"] for t in targets} == {"import_cut", "link_cut", "capacity_loss"}


def test_single_critical_supplier_ranks_first(result):
    imports = _kind(result, "imports")
    assert imports.loc["O1->all|s3", "rank"] == 1
    assert imports.loc["O1->all|s3", "loss_cny"] > 10 * imports.drop("O1->all|s3").loss_cny.abs().max()
    pre = result.prescreen.set_index("target").loc["O1->all|s3"]
    assert (pre.iim_rank, pre.extraction_rank, pre.critical_rank, pre.survival_rank) == (1, 1, 1, 1)


def test_link_with_an_idle_alternative_supplier_ranks_low(result):
    links = _kind(result, "links")
    alt, sole = links.loc["BB->AA|s1"], links.loc["AA->BB|s1"]
    assert sole["rank"] == 1  # the same critical product without an alternative
    assert alt["rank"] > len(links) // 2
    assert alt.loss_cny < 0.02 * sole.loss_cny


@pytest.fixture(scope="module")
def censored(table):
    """Imports cut beyond the horizon: the critical one cannot have recovered by the end."""
    # no re-sourcing: with it, AA|s2 finds domestic s3 producers within the horizon and recovers
    return scan(table, kinds="imports", rank_by="ttr", **{**SETTINGS, "duration": 200,
                                                         "params": {**PARAMS, "resourcing": False}})


def test_censored_ttr_is_not_a_number_and_ranks_last_by_ttr(censored):
    by_ttr = censored.ranking
    cut = by_ttr.set_index("target").loc["O1->all|s3"]
    assert not cut.recovered and np.isnan(cut.ttr_days)  # not recovered by the horizon: no fake number
    assert cut.loss_cny > 0
    ranked = by_ttr[by_ttr.effect == "ranked"]
    assert ranked.target.iloc[-1] == "O1->all|s3"  # ranked last by TTR, after every measured TTR
    assert ranked.recovered.iloc[:-1].all()
    assert by_ttr.loc[by_ttr.effect != "ranked", "rank"].isna().all()  # the unranked sections follow
    assert rank_targets(by_ttr, "loss").target.iloc[0] == "O1->all|s3"  # by loss it is the worst


def test_imports_cut_into_the_scope_only(table):
    res = scan(table, kinds="imports", import_regions="scope", **{**SETTINGS, "scope": "AA"})
    assert set(res.ranking.region) == {"AA"}
    assert {t.disruption["region"] == ["AA"] for t in res.targets} == {True}
    assert res.ranking.target.iloc[0] == "O1->AA|s3"


def test_rank_orders_with_censoring():
    df = pd.DataFrame({"kind": ["links"] * 4, "target": list("abcd"), "loss_cny": [5.0, 9.0, 1.0, np.nan],
                       "ttr_days": [20.0, np.nan, 40.0, np.nan], "tts_days": [3.0, 1.0, np.nan, np.nan]})
    assert rank_targets(df).target.tolist() == ["b", "a", "c", "d"]  # crashed (no loss) last
    assert rank_targets(df, "ttr").target.tolist() == ["c", "a", "b", "d"]
    assert rank_targets(df, "tts").target.tolist() == ["b", "a", "c", "d"]
    with pytest.raises(ScenarioError, match="did you mean 'ttr'"):
        rank_targets(df, "tr")


def test_worker_count_does_not_change_the_ranking(table):
    one = scan(table, workers=1, chunk=3, **SETTINGS).ranking
    two = scan(table, workers=2, chunk=3, **SETTINGS).ranking
    pd.testing.assert_frame_equal(one, two)


def test_metrics_columns_and_units(result, table):
    r = result.ranking
    assert list(r.columns) == RANKING_COLUMNS
    ranked = r[r.effect == "ranked"]
    assert (ranked.groupby("kind")["rank"].apply(lambda s: sorted(s) == list(range(1, len(s) + 1)))).all()
    assert ranked.rank_all.tolist() == list(range(1, len(ranked) + 1))
    assert r.loc[r.effect != "ranked", ["rank", "rank_all"]].isna().all().all()
    base = result.baseline.mean()
    np.testing.assert_allclose(r.loss_days, r.loss_cny / (base * table.cny_per_unit), rtol=1e-9)
    assert result.output.shape == (len(r), 150)


def test_pathway_effect_statuses():
    base = pd.DataFrame({"kind": ["imports"] * 3, "target": list("abc"), "name_zh": "", "name_en": "",
                         "rank": [1, 2, 3], "loss_cny": [9.0, 5.0, 1.0]})
    other = pd.DataFrame({"kind": ["imports"] * 3, "target": list("abc"), "rank": [2, 1, 3],
                          "loss_cny": [0.0, 4.0, 0.0]})  # a ranks 2nd only in table order among zero losses
    eff = pathway_effect(base, other, top=2).set_index("target")
    assert eff.status.to_dict() == {"a": "removed", "b": "stays", "c": "-"}
    assert eff.loc["a", "loss_reduction_pct"] == pytest.approx(100.0)
    assert eff.loc["b", "rank_change"] == -1
    eff3 = pathway_effect(base, other.assign(loss_cny=[0.0, 4.0, 2.0]), top=3).set_index("target")
    assert eff3.status.to_dict() == {"a": "removed", "b": "stays", "c": "stays"}


def test_pathway_reranks(table, result):
    other = scan(table, pathway="opening_up", intensity=1.0, **SETTINGS)
    assert other.settings["levers"]["import_headroom"] == pytest.approx(LEVERS["import_headroom"].full)
    eff = pathway_effect(result.ranking, other.ranking, top=2)
    assert set(eff.status) <= {"removed", "added", "stays", "-"}
    assert len(eff) == len(result.ranking)
    row = eff.set_index("target").loc["O1->all|s3"]
    assert row.loss_reduction_cny == pytest.approx(row.loss_base_cny - row.loss_pathway_cny)


def test_pathway_levers_shift_the_users_params(table):
    res = scan(table, kinds="nodes", pathway="opening_up", intensity=1.0,
               **{**SETTINGS, "days": 40, "duration": 10, "params": {**PARAMS, "import_headroom": 1.2}})
    shift = LEVERS["import_headroom"].full - LEVERS["import_headroom"].baseline
    assert res.settings["params"]["import_headroom"] == pytest.approx(1.2 + shift)


@pytest.mark.parametrize("pathway", ["dual_wheel", "tech_self_reliance+digital_green"])
def test_pathways_with_sector_levers_run_on_a_table_without_those_sectors(table, pathway):
    res = scan(table, kinds="nodes", pathway=pathway, **{**SETTINGS, "days": 40, "duration": 10})
    assert len(res.ranking) == 8 and res.settings["pathway"] == pathway


def test_write_scan(tmp_path, result, censored):
    ranking = pd.read_csv(write_scan(censored, tmp_path / "censored", figures=False)["ranking"])
    assert ranking.loc[ranking.target == "O1->all|s3", "ttr_days"].isna().all()  # empty, not a number
    paths = write_scan(result, tmp_path / "full")  # a folder holding other files (censored/) is refused
    assert {"ranking", "prescreen", "correlations", "scan", "heatmap", "top20"} <= set(paths)
    assert len(pd.read_csv(paths["ranking"])) == len(result.ranking)
    doc = json.loads(paths["scan"].read_text(encoding="utf-8"))
    assert doc["dataset_checksum"] == small_table().checksum
    assert {"imports", "links", "nodes", "total"} <= set(doc["seconds"])
    assert doc["settings"]["duration"] == 60
    assert {r["measure"] for r in doc["rank_correlations"]} == {"flow", *MEASURES}


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"kinds": "imports,linkz"}, "did you mean 'links'"),
    ({"share": 1.5}, "share"),
    ({"scope": "LN"}, "selects no industry|unknown"),
    ({"rank_by": "los"}, "did you mean 'loss'"),
    ({"import_regions": "ne"}, "import_regions"),
    ({"days": 5}, "days"),
    ({"pathway": "opening_up", "intensity": 1.5}, "intensity"),
    ({"pathway": "openin_up"}, "did you mean 'opening_up'"),
])
def test_errors(table, kwargs, match):
    with pytest.raises(ScenarioError, match=match):
        scan(table, **{**SETTINGS, **kwargs})


def test_prescreen_survival_uses_the_models_stocks_and_binding_rule(table):
    """The survival measure takes the model's stock days and binding rule, not a flat ARIO 90 days and psi.

    Under the cover rule (b = 1 day) 30 days of stock bind after 29 days of a full cut, as under the psi rule with
    psi = 1/30: the two scans must give the same static survival loss (the dynamic runs differ)."""
    kw = dict(SETTINGS, kinds="imports")
    cover = scan(table, **{**kw, "params": {**PARAMS, "binding": "cover", "cover_days": 1.0}}).prescreen
    psi = scan(table, **{**kw, "params": {**PARAMS, "binding": "psi", "psi": 1.0 / 30.0}}).prescreen
    assert (cover.survival_cny > 0).any()
    np.testing.assert_allclose(cover.survival_cny, psi.survival_cny, rtol=1e-12)
