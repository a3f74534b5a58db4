"""report.html: one self-contained bilingual file built from a run folder (issue 20)."""

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from chainsim.cli import main
from chainsim.report import render_report, report_context

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "electronics_import_cut.yaml"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    from tests.test_cli import biting_scenario

    folder = tmp_path_factory.mktemp("report")
    out = folder / "run"
    assert main(["run", str(biting_scenario(folder)), "--replications", "3", "--out", str(out), "--no-trajectories",
                 "-q"]) == 0
    return out


def _number(text):
    return float(text.replace(",", ""))


def _full(run_dir, name):
    """``name`` (summary.csv, attribution.csv) at the full precision run.json keeps."""
    meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    return pd.DataFrame(meta["full_precision"][name])


def _copy(run_dir, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(run_dir, dst)
    return dst


def test_run_writes_a_self_contained_report(run_dir):
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "<title>Electronics export control (卡链)" in html
    # nothing fetched from anywhere: every image and the font are data: URIs, no script at all
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", html)
    assert not re.search(r"url\((?!data:)", html)
    assert "<script" not in html
    # recovery curves, small multiples, loss heat map, lever attribution
    assert html.count('<img class="report-figure" src="data:image/png;base64,') == 4
    assert "@font-face" in html and "data:font/woff;base64," in html
    for heading in ("情景说明", "政策路径比较", "恢复过程", "杠杆归因", "注意事项", "来源与可复现性"):
        assert heading in html
    meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    for value in (meta["scenario_sha256"], meta["dataset_checksum"], meta["chainsim_version"], str(meta["seed"])):
        assert value in html


def test_report_describes_the_scenario_in_both_languages(run_dir):
    ctx = report_context(run_dir)
    (d,) = ctx["disruptions"]
    assert "100 %" in d["en"] and "about 120 days" in d["en"]  # the README cut from every origin (biting_scenario)
    assert "通信设备、计算机和其他电子设备" in d["zh"] and "减少100%" in d["zh"]
    assert [t["scope"] for t in ctx["tables"]] == ["northeast", "LN", "JL", "HLJ"]
    assert all(len(t["rows"]) == 6 for t in ctx["tables"])
    assert ctx["caveats"]["drives"] and ctx["caveats"]["assumed"]


def test_report_shows_the_paired_comparison_as_summary_csv_has_it(run_dir):
    # the real columns of pathways18's comparison: rank, effect, loss_diff_cny with its interval, TTR difference,
    # P(best), TTR status; one row per pathway in rank order
    summary = pd.read_csv(run_dir / "summary.csv", dtype={"scope": str})
    # the numbers as the CLI printed them: run.json's full-precision copy of summary.csv (same rows and columns)
    full = _full(run_dir, "summary.csv")
    assert list(full.columns) == list(summary.columns) and list(full.pathway) == list(summary.pathway)
    summary = full
    html = render_report(run_dir)
    assert 'id="paired-missing"' not in html and 'id="attribution-missing"' not in html
    ctx = report_context(run_dir)
    assert ctx["paired"] and ctx["ttr_paired"] and ctx["p_best"] and ctx["loss_is_mean"]
    first = summary[summary.scope == "northeast"].sort_values(["rank", "loss_diff_cny"], kind="stable")
    rows = ctx["tables"][0]["rows"]
    assert [r["pathway"] for r in rows] == list(first.pathway)
    for r, (_, s) in zip(rows, first.iterrows(), strict=True):
        assert r["rank"] == int(s["rank"]) and r["effect"] == s.effect
        assert _number(r["diff"]) == pytest.approx(round(s.loss_diff_cny / 1e9, 2), abs=1e-12)
        if s.loss_diff_lo != s.loss_diff_hi:
            assert r["diff_interval"] == f"{s.loss_diff_lo / 1e9:+,.2f} … {s.loss_diff_hi / 1e9:+,.2f}"
            assert r["diff_interval"] in html
        assert r["p_best"] == f"{s.p_best:.0%}" and r["loss"] == f"{s.loss_mean_cny / 1e9:,.2f}"
        if s.ttr_status == "did not leave the band":
            assert r["ttr"].startswith("did not leave the band")
    assert "配对损失差异" in html and "最优概率" in html
    inert = "Changes nothing in this scenario (trajectories equal the baseline's in every replication; ranked with " \
            "the baseline, never below it): "
    (line,) = [c for c in ctx["caveats"]["drives"] if c.startswith(inert)]
    # exactly the pathways summary.csv calls "no effect" (environment: no lever acts on an import cut), never the
    # baseline itself
    listed = line.removeprefix(inert).rstrip(".").split(", ")
    ne = summary[(summary.scope == "northeast") & (summary.pathway != "baseline")]
    assert "environment" in listed and "baseline" not in listed
    assert sorted(listed) == sorted(ne.loc[ne.effect == "no effect", "pathway"])


def test_report_shows_attribution_csv_as_written(run_dir):
    att = pd.read_csv(run_dir / "attribution.csv", dtype={"scope": str})
    assert list(att.columns) == ["pathway", "scope", "lever", "evidence_class", "value", "alone_loss_diff_cny",
                                 "shapley_loss_diff_cny", "acts", "method", "replications"]
    full = _full(run_dir, "attribution.csv")
    assert list(full.columns) == list(att.columns)
    assert [float(f"{v:.6g}") for v in full.shapley_loss_diff_cny] == list(att.shapley_loss_diff_cny)
    att = full  # the report shows the values the CLI printed, not the CSV's 6 digits rounded again
    ctx = report_context(run_dir)["attribution"]
    first = att[att.scope == "northeast"]
    assert ctx["scope"] == "northeast" and ctx["other_scopes"] == ["LN", "JL", "HLJ"]
    assert [(a["pathway"], a["lever"]) for a in ctx["rows"]] == list(zip(first.pathway, first.lever, strict=True))
    for a, (_, r) in zip(ctx["rows"], first.iterrows(), strict=True):
        assert _number(a["shapley"]) == pytest.approx(round(r.shapley_loss_diff_cny / 1e9, 3), abs=1e-12)
        assert not a["shapley"].startswith("-0.000")  # an amount that rounds to zero carries no sign
        assert a["acts"].startswith("yes" if r.acts else "no")
    html = render_report(run_dir)
    assert 'class="attribution-table"' in html and "(total)" in html
    acting = first[(first.lever != "(total)") & first.acts.astype(bool)]
    assert all(lv in html for lv in acting.lever)


def test_older_run_folders_say_what_is_absent(run_dir, tmp_path):
    # a run folder from before the paired comparison: the report says so instead of inventing columns
    d = _copy(run_dir, tmp_path)
    summary = pd.read_csv(d / "summary.csv")
    summary.drop(columns=["rank", "effect", "loss_diff_cny", "loss_diff_lo", "loss_diff_hi", "ttr_diff_days",
                          "ttr_diff_lo", "ttr_diff_hi", "ttr_diff_n", "p_best", "ttr_status", "loss_mean_cny"]
                 ).to_csv(d / "summary.csv", index=False)
    (d / "attribution.csv").unlink()
    html = render_report(d)
    assert 'id="paired-missing"' in html and "loss_diff_cny" in html
    assert 'id="attribution-missing"' in html
    assert "配对损失差异</span></th>" not in html


def test_no_measurable_effect_has_an_empty_rank(tmp_path):
    # a shock below metrics.min_loss_days: the fifth effect value, no rank, said in the caveats
    import yaml

    from chainsim.data.csv_layout import write_csv_layout
    from chainsim.data.toy import load_toy

    write_csv_layout(load_toy(), tmp_path / "toy")
    sc = {"name": "toy blip", "table": "toy", "horizon_days": 40, "replications": 2, "seed": 1,
          "disruptions": [{"type": "capacity_loss", "region": "R1", "sector": "A", "share": 0.05, "start": 5,
                           "duration": 3, "recovery": {"curve": "linear", "days": 5}}],
          "pathways": {"compare": ["baseline", "environment"]},
          "metrics": {"scope": ["R1"], "min_loss_days": 1000}}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(sc), encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(tmp_path / "s.yaml"), "--out", str(out), "--no-trajectories", "--no-figures", "-q"]) == 0
    summary = pd.read_csv(out / "summary.csv")
    assert (summary.effect == "no measurable effect").all() and summary["rank"].isna().all()
    ctx = report_context(out)
    assert [r["rank"] for r in ctx["tables"][0]["rows"]] == ["", ""]
    html = render_report(out)
    assert "no measurable effect" in html and "冲击影响不可测" in html
    assert '<td class="rank"></td>' in html
    assert "bn table units" in html  # the toy table names no currency


def test_report_command_rebuilds_and_fails_cleanly(run_dir, tmp_path, capsys):
    d = _copy(run_dir, tmp_path)
    (d / "report.html").unlink()
    (d / "recovery_panels.png").unlink()
    assert main(["report", str(d)]) == 0
    html = (d / "report.html").read_text(encoding="utf-8")
    assert html.count('class="report-figure"') == 3
    # an existing report is never overwritten silently: refused without --force, replaced (and said so) with it
    capsys.readouterr()
    (d / "report.html").write_text("mine", encoding="utf-8")
    assert main(["report", str(d)]) == 2
    err = capsys.readouterr().err
    assert "already exists; pass --force" in err and "Traceback" not in err
    assert (d / "report.html").read_text(encoding="utf-8") == "mine"
    assert main(["report", str(d), "--force"]) == 0
    assert capsys.readouterr().out.startswith("replaced ")
    assert (d / "report.html").read_text(encoding="utf-8") == html
    assert not [p for p in d.iterdir() if p.name.startswith(".report.html")]  # no temporary file left
    assert main(["report", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert "expected a run folder" in err and "Traceback" not in err


def test_no_figures_run_says_so(tmp_path):
    out = tmp_path / "nf"
    assert main(["run", str(SCENARIO), "--replications", "1", "--out", str(out), "--no-trajectories",
                 "--no-figures", "-q"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="figures-missing"' in html and "report-figure" not in html


def test_page_font_is_cut_once_and_read_back_from_the_cache(tmp_path, monkeypatch):
    # issue 22: cutting the font took about a second of every run; the same characters read the same bytes back
    import chainsim.report.html as html

    monkeypatch.setenv("CHAINSIM_CACHE", str(tmp_path / "cache"))
    text = "供应链冲击 — 辽宁 (LN) 电子设备"
    cuts = []
    real = html._cut_font
    monkeypatch.setattr(html, "_cut_font", lambda chars: cuts.append(chars) or real(chars))
    first = html.page_font(text)
    assert first and len(cuts) == 1
    assert len(list((tmp_path / "cache" / "report-fonts").iterdir())) == 1
    assert html.page_font(text + " again 再") != first  # another character: another subset
    assert html.page_font(text) == first and len(cuts) == 2  # read back, not cut again
    assert html.page_font("ASCII only") == ""
    # an unusable cache folder (a file in its place) only costs the cut
    (tmp_path / "blocked").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("CHAINSIM_CACHE", str(tmp_path / "blocked"))
    assert html.page_font(text) == first and len(cuts) == 3


def test_every_registered_disruption_type_has_a_describer():
    """The report names each disruption in words; a type without a describer printed its raw dict."""
    from chainsim.disruptions import DISRUPTIONS
    from chainsim.report.describe import DESCRIBERS

    assert set(DISRUPTIONS) <= set(DESCRIBERS), sorted(set(DISRUPTIONS) - set(DESCRIBERS))


def test_episode_disruptions_are_described_in_both_languages():
    from chainsim.report.describe import Names, describe
    from chainsim.scenario.yamlio import parse_yaml

    text = (Path(__file__).parents[1] / "scenarios/episodes/changchun2022.yaml").read_text(encoding="utf-8")
    for d in parse_yaml(text)[1]["disruptions"]:
        en, zh = describe(d, Names())
        assert "{" not in en and d["name"] in en, en
        assert zh and "{" not in zh, zh


def test_a_capacity_loss_along_a_profile_is_described_by_its_profile():
    """covid2020's coal mines: share 1 along a profile peaking at 0.375; the text said '100 % ... lost from day 0'."""
    from chainsim.report.describe import Names, describe
    from chainsim.scenario.yamlio import parse_yaml

    text = (Path(__file__).parents[1] / "scenarios/episodes/covid2020.yaml").read_text(encoding="utf-8")
    (coal,) = [d for d in parse_yaml(text)[1]["disruptions"] if d["type"] == "capacity_loss" and d["sector"] == "02"]
    en, zh = describe(coal, Names())
    assert "peaking at 38 %" in en and "2020-03-24" in en and "100 %" not in en, en
    assert "38%" in zh and "2020年3月24日" in zh, zh  # dates in Chinese in the Chinese sentence


def test_what_drives_the_result_follows_the_reports_first_scope(run_dir):
    """A new user saw Rest-of-China sectors (shares of all China's loss) in a Northeast report."""
    meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    scope = meta["loss_drivers_scope"]
    assert scope == "northeast"
    drivers = meta["loss_drivers"]
    assert drivers and all(d["region"] in ("LN", "JL", "HLJ") for d in drivers), drivers
    assert sum(d["share"] for d in drivers) <= 1.0 + 1e-9
    ctx = report_context(run_dir)
    lines = [c for c in ctx["caveats"]["drives"] if "of the baseline pathway's loss" in c]
    assert lines and all("loss in the Northeast (LN, JL, HLJ)" in c and not c.startswith("ROC") for c in lines), lines
    # and the tables are headed by their scope in both languages
    html = render_report(run_dir)
    assert ('Scope <span class="scope">northeast</span>: the Northeast (LN, JL, HLJ) '
            '<span class="zh">范围：东北三省') in html
    assert 'Scope <span class="scope">LN</span>: Liaoning 辽宁 <span class="zh">范围：辽宁' in html  # the code once


def test_ttr_differences_keep_a_decimal_so_an_interval_that_excludes_zero_does_not_touch_it():
    """-0.6 [-0.8, -0.4] days was shown as -1 [-1 … 0]: the interval seemed to reach zero."""
    from chainsim.report.context import _signed_days

    assert [_signed_days(v) for v in (-0.6, -0.8, -0.4, 0.04, -0.04, 12.0, None)] == \
        ["-0.6", "-0.8", "-0.4", "0.0", "0.0", "+12.0", "—"]


def _toy_run(tmp_path, name, compare, duration=3, replications=2, method=None):
    import yaml

    from chainsim.data.csv_layout import write_csv_layout
    from chainsim.data.toy import load_toy

    if not (tmp_path / "toy").exists():
        write_csv_layout(load_toy(), tmp_path / "toy")
    pathways = {"compare": compare, **({"attribution": {"method": method}} if method else {})}
    sc = {"name": name, "table": "toy", "horizon_days": 40, "replications": replications, "seed": 1,
          "disruptions": [{"type": "capacity_loss", "name": "mill fire", "region": "R1", "sector": "A", "share": 0.3,
                           "start": 5, "duration": duration, "recovery": {"curve": "linear", "days": 5}}],
          "pathways": pathways, "metrics": {"scope": ["R1"]}}
    (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(sc), encoding="utf-8")
    out = tmp_path / name
    assert main(["run", str(tmp_path / f"{name}.yaml"), "--out", str(out), "--no-trajectories", "--no-figures",
                 "-q"]) == 0
    return out


def test_a_baseline_only_run_says_why_it_has_no_attribution_and_what_was_drawn(tmp_path):
    # new-user pass: "no attribution.csv (the chainsim version that wrote it did not split pathway effects by
    # lever)" for a run of the baseline alone, and "Sampled shock sizes ...: start 0, duration 46" with nothing drawn
    out = _toy_run(tmp_path, "alone", ["baseline"])
    html = render_report(out)
    assert "did not split pathway effects by lever" not in html
    assert ("No lever attribution: only the baseline pathway ran, so there is no pathway effect to split "
            "by lever.") in html
    drives = report_context(out)["caveats"]["drives"]
    assert not [c for c in drives if c.startswith("Sampled shock sizes")], drives
    assert ("No shock value is drawn from a distribution in this scenario: every replication sees the same "
            "shocks.") in drives
    off = _toy_run(tmp_path, "off", ["baseline", "environment"], method="off")
    assert ("No lever attribution: the scenario turns it off (<code>pathways.attribution.method: off</code>)."
            in render_report(off))


def test_drawn_shock_values_are_listed_with_their_ranges(tmp_path):
    out = _toy_run(tmp_path, "drawn", ["baseline"], duration={"distribution": "uniform", "low": 2, "high": 9},
                   replications=4)
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    durations = [s["duration"] for s in meta["samples"]["baseline"]]
    assert len(set(durations)) > 1
    drives = report_context(out)["caveats"]["drives"]
    assert (f"Shock values drawn across replications (the spread of the intervals comes from these): mill fire: "
            f"duration, days {min(durations):g}–{max(durations):g}") in drives


def test_the_reports_numbers_are_the_ones_the_cli_printed_not_summary_csv_rounded_again(run_dir, tmp_path):
    # new-user pass: mean loss 217.46 bn in the report, 217.45 printed (true 217.4546): summary.csv keeps 6
    # significant digits (2.17455e+11) and the report rounded that again
    meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    full = pd.DataFrame(meta["full_precision"]["summary.csv"])
    csv = pd.read_csv(run_dir / "summary.csv")
    assert list(full.columns) == list(csv.columns) and len(full) == len(csv)
    assert [float(f"{v:.6g}") for v in full.loss_mean_cny] == list(csv.loss_mean_cny)
    d = _copy(run_dir, tmp_path)
    meta["full_precision"]["summary.csv"][0]["loss_mean_cny"] = 217454600000.0
    (d / "run.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    csv.loc[0, "loss_mean_cny"] = 2.17455e11
    csv.to_csv(d / "summary.csv", index=False, float_format="%.6g")
    row0 = csv.iloc[0]
    rows = {(t["scope"], r["pathway"]): r for t in report_context(d)["tables"] for r in t["rows"]}
    assert rows[(row0.scope, row0.pathway)]["loss"] == "217.45"  # as the CLI: format(217454600000 / 1e9, ",.2f")


def test_the_censoring_caveat_says_what_the_table_shows():
    # new-user pass: "... (shown as not recovered)" while the table showed TTR numbers and "recovered 95 %"
    from chainsim.report.caveats import caveats
    from chainsim.report.describe import Names

    summary = pd.DataFrame({
        "pathway": ["baseline", "environment", "baseline"], "scope": ["JL", "JL", "LN"],
        "recovered_share": [0.95, 0.9, 1.0], "ttr_status": ["recovered", "recovered", "recovered"],
        "ttr_days": [61.0, 62.0, 30.0], "ttr_p10": [58.0, 58.0, 20.0], "ttr_p90": [70.0, None, 40.0]})
    from chainsim.data.units import MoneyUnit

    drives = caveats({"replications": 20, "horizon_days": 122}, summary, Names(), MoneyUnit("CNY", 1e4, "cny"))
    assert ("2 pathway x scope row(s) have replications that do not recover within the 122-day horizon (the "
            "'recovered' column shows the share that did: 90%–95%). Such a replication's time to recover counts "
            "as later than the horizon: a TTR median or 10–90 % bound that falls on one reads 'not recovered' or "
            "'n.r.' (in 1 of these rows).") in drives["drives"]
    ok = summary.assign(ttr_p90=[70.0, 71.0, 40.0])
    drives = caveats({"replications": 20, "horizon_days": 122}, ok, Names(), MoneyUnit("CNY", 1e4, "cny"))
    assert [c for c in drives["drives"] if c.endswith("'n.r.'; none does here, so every TTR shown is a number.")]


def test_every_lever_the_report_names_is_explained_in_words(run_dir):
    # lever ids (criticality_relief, alpha_tau_manufacturing ...) were shown raw, with no words anywhere in the page
    from chainsim.pathways.registry import LEVERS

    meta = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    used = sorted({k for lv in meta["levers"].values() for k in lv})
    assert used
    ctx = report_context(run_dir)
    assert [g["lever"] for g in ctx["lever_glossary"]] == used
    import html as htmllib

    page = htmllib.unescape(render_report(run_dir))
    assert 'id="lever-glossary"' in page
    for name in used:
        lever = LEVERS[name]
        assert f"<dt>{name}</dt><dd>{lever.description} Unit: {lever.unit}; pathway section {lever.section}.</dd>" \
            in page
