"""Counts the docs state about shipped scenarios agree with the scenario files.

A new user (main 9f75d8a) read in docs/performance.md that ``compound_chokepoint_port_flood.yaml``
runs "6 pathways"; its ``pathways.compare`` lists 7 (baseline, the five, and
``tech_self_reliance+opening_up``), as it has since 27 November 2026.
"""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
#: "`chainsim run scenarios/NAME.yaml` (N pathways" or "`NAME.yaml` (N pathways", across a line break too
CLAIM = re.compile(r"(?:scenarios/)?([\w/]+\.yaml)`\s+\((\d+) pathways")


def _claims() -> list[tuple[str, str, int]]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return [(f.name, m.group(1), int(m.group(2))) for f in files
            for m in CLAIM.finditer(f.read_text(encoding="utf-8"))]


def test_the_pathway_counts_the_docs_give_are_the_scenarios():
    claims = _claims()
    assert {name for _, name, _ in claims} >= {"electronics_import_cut.yaml", "compound_chokepoint_port_flood.yaml"}
    wrong = []
    for doc, name, n in claims:
        spec = yaml.safe_load((ROOT / "scenarios" / name).read_text(encoding="utf-8"))
        if len(spec["pathways"]["compare"]) != n:
            wrong.append((doc, name, n, spec["pathways"]["compare"]))
    assert not wrong, wrong


def test_the_backcasts_worst_month_says_where_its_number_comes_from():
    """docs/episodes.md said "worst 2.3, March" while ``chainsim compare`` on the shipped episode shows -2.4.

    Both are right: 2.3 is the calibration table's error at the fitted θ = 0.1, φ = 0 (one replication),
    -2.4 the median of 20 replications that draw θ from its triangular range. The text must say which is which,
    and its figure must be the calibration table's."""
    import pandas as pd

    table = pd.read_csv(ROOT / "validation" / "results" / "covid2020" / "calibration_table.csv", dtype={"nbs42": str})
    national = table[(table.geo == "CN") & (table.nbs42 == "02-26") & table.role.str.startswith("fitted")]
    worst = national.loc[national.error_pts.abs().idxmax()]
    assert worst.period == "2020-03"
    text = (ROOT / "docs" / "episodes.md").read_text(encoding="utf-8")
    para = next(p for p in text.split("\n\n") if "National total industry within 3 points in every fitted month" in p)
    m = re.search(r"worst (\d+\.\d), March", para)
    assert m and float(m.group(1)) == round(abs(worst.error_pts), 1), (m, worst.error_pts)
    assert "calibration_table.csv" in para and "chainsim compare" in para, para
