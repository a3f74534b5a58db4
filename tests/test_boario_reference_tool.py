"""``tools/boario_reference.py``: the BoARIO runner the docs tell users to run is in the repository and runs.

A new user (main 9f75d8a) was sent by docs/data.md, docs/cli.md, docs/model.md and
validation/boario_crosscheck.py to ``python boario_reference.py DIR --shock SHOCK``, a script
that was not in the repository.
"""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "boario_reference.py"
CASE = ROOT / "tests" / "fixtures" / "case_5x42"


def _mentions() -> list[tuple[str, str]]:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "validation").glob("*.py")),
             *sorted((ROOT / "tests" / "fixtures").rglob("PROVENANCE.md"))]
    return [(f.relative_to(ROOT).as_posix(), m) for f in files
            for m in re.findall(r"[\w./-]*boario_reference\.py", f.read_text(encoding="utf-8"))]


def test_every_mention_in_the_docs_is_a_path_that_exists():
    mentions = _mentions()
    assert len(mentions) >= 5  # docs/data.md (2), docs/cli.md, docs/model.md, validation, fixtures
    missing = sorted({(f, m) for f, m in mentions if not (ROOT / m).is_file()})
    assert not missing, missing


def test_the_tool_shows_its_usage_without_boario():
    done = subprocess.run([sys.executable, str(TOOL), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--shock" in done.stdout and "case" in done.stdout


def test_the_tool_carries_no_boario_code_only_calls_its_public_api():
    """BoARIO is GPL-3: the tool imports it at run time and must not contain its code."""
    src = TOOL.read_text(encoding="utf-8")
    imports = set(re.findall(r"^\s*(?:from|import) (boario[\w.]*)", src, flags=re.M))
    assert imports == {"boario", "boario.event", "boario.extended_models", "boario.model_base", "boario.simulation"}
    assert "class ARIO" not in src and "def production_opt" not in src


@pytest.mark.oracle
def test_the_tool_reproduces_the_stored_boario_output_of_case_5x42(tmp_path):
    """The fixture's ``boario_output.csv`` was written by this tool: a fresh run gives it to the last digit."""
    pytest.importorskip("boario")
    pytest.importorskip("progressbar")
    out = tmp_path / "boario_output.csv"
    done = subprocess.run([sys.executable, str(TOOL), str(CASE), "--out", str(out)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    got, want = pd.read_csv(out), pd.read_csv(CASE / "boario_output.csv")
    assert list(got.columns) == list(want.columns) and len(got) == 365
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12, atol=0)
    assert got.total_output_rel.min() < 0.99995  # the shock shows: this is not a flat line compared with itself
