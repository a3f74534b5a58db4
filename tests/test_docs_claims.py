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
