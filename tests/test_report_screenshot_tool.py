"""``tools/report_screenshot.py``: the README's report screenshot is made by a script, from the README's run.

A new user (main 9f75d8a) found ``docs/img/report_screenshot.png`` showing an older scenario
("Electronics import cut", 60 % for about three months) next to a README whose main job is now the
electronics export control; nothing in the repository said how to remake it from that run.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "report_screenshot.py"
CHROMIUM = os.environ.get("CHAINSIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def test_the_readme_says_how_its_screenshot_is_made():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/img/report_screenshot.png" in readme
    assert "tools/report_screenshot.py" in readme and TOOL.is_file()


def test_a_missing_report_is_one_clear_message(tmp_path):
    done = subprocess.run([sys.executable, str(TOOL), str(tmp_path / "nope.html"), str(tmp_path / "shot.png")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "nope.html" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "shot.png").exists()


@pytest.mark.slow
def test_it_writes_a_screenshot_of_a_page(tmp_path):
    pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    page = tmp_path / "report.html"
    page.write_text("<html><body style='margin:40px'><h1>卡链 report</h1>" + "<p>text</p>" * 40 + "</body></html>",
                    encoding="utf-8")
    shot = tmp_path / "shot.png"
    done = subprocess.run([sys.executable, str(TOOL), str(page), str(shot), "--chromium", CHROMIUM],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    from PIL import Image

    img = np.asarray(Image.open(shot).convert("RGB"))
    assert img.shape[:2] == (1000, 1280)
    assert 0.001 < (img < 245).any(axis=2).mean() < 0.5  # some text, not a blank or a solid page
    again = subprocess.run([sys.executable, str(TOOL), str(page), str(shot)], capture_output=True, text=True,
                           timeout=60)
    assert again.returncode == 2 and "exists" in again.stderr  # no output silently overwritten
