"""The cross-check script passes on every stored BoARIO fixture (subprocess, as a user runs it)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
FIX = ROOT / "tests" / "fixtures"
SCRIPT = ROOT / "validation" / "boario_crosscheck.py"


@pytest.mark.parametrize(("case", "shock", "reference"), [
    ("case_5x42", "shock.csv", "boario_output.csv"),
    ("case_5x42", "shock_roc.csv", "boario_output_roc.csv"),
    ("case_5x42", "shock_ln_rebuild.csv", "boario_output_ln_rebuild.csv"),
    ("synth_3x30", "shock.csv", "boario_output.csv"),
])
def test_crosscheck_script(case, shock, reference):
    d = FIX / case
    proc = subprocess.run([sys.executable, str(SCRIPT), str(d), "--shock", str(d / shock),
                           "--reference", str(d / reference)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    m = re.fullmatch(r"max_rel_dev=(\S+)", last)
    assert m, last
    # the reference files carry 10 significant digits: ~5e-10 is the floor
    assert float(m.group(1)) < 1e-3
    assert float(m.group(1)) < 1e-8


def test_crosscheck_script_fails_loudly_on_a_wrong_reference(tmp_path):
    d = FIX / "case_5x42"
    proc = subprocess.run([sys.executable, str(SCRIPT), str(d), "--shock", str(d / "shock_roc.csv"),
                           "--reference", str(d / "boario_output.csv")], capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stdout.strip().splitlines()[-1].startswith("max_rel_dev=")


def test_crosscheck_script_bad_input(tmp_path):
    proc = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path), "--shock", str(tmp_path / "nope.csv"),
                           "--reference", str(tmp_path / "nope.csv")], capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "error:" in proc.stderr
