"""report.html in a real headless browser (Chromium driven by Playwright; issue 20).

Runs the README's main job, ``chainsim run scenarios/electronics_import_cut.yaml --out DIR``, with the
cut from every origin (``tests.test_cli.biting_scenario``: the README's own cut no longer leaves the
±1 % band under the default model, and the tables then show no intervals),
opens ``DIR/report.html`` in Debian's Chromium and checks that it loads without a console
error or a network request, shows its title, the pathway tables and every figure, draws the
Chinese text with the embedded font, and that a screenshot is not blank. ``.ci/run``
installs Chromium (``apt-get install chromium`` when root) and Playwright; the test skips,
saying why, only where the browser cannot be had. Set ``CHAINSIM_REPORT_SCREENSHOT=PATH``
to keep the screenshot (of the cut from every origin; the README's ``docs/img/report_screenshot.png``
is of the README's own run, made by ``tools/report_screenshot.py``).
"""

import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

from chainsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHAINSIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.slow


def _browser_or_skip():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: install it with 'apt-get install -y chromium' (as root; .ci/run does)")
    return sync_api


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from tests.test_cli import biting_scenario  # the README's cut from every origin: the tables have intervals

    folder = tmp_path_factory.mktemp("browser")
    out = folder / "electronics"
    assert main(["run", str(biting_scenario(folder)), "--out", str(out), "-q"]) == 0
    return out / "report.html"


def test_report_renders_in_headless_chromium(report, tmp_path):
    sync_api = _browser_or_skip()
    problems, requests = [], []
    with sync_api.sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        ctx = pw.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, args=ARGS, headless=True,
                                                    viewport={"width": 1280, "height": 1000})
        try:
            page = ctx.new_page()
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready")
            assert "Electronics export control" in page.locator("#report-title").inner_text()
            tables = page.locator("table.pathway-table")
            assert tables.count() == 4  # northeast, LN, JL, HLJ
            assert tables.first.locator("tbody tr").count() == 6
            first = tables.first.inner_text()
            assert "tech_self_reliance" in first
            # pathways18's comparison as the run wrote it: effect, paired difference with its interval, P(best)
            assert "配对损失差异" in first and "最优概率" in first and " … " in first
            assert any(e in first for e in ("better", "not significant", "no effect", "worse"))
            attribution = page.locator("table.attribution-table")
            assert attribution.count() == 1 and "(total)" in attribution.inner_text()
            figures = page.eval_on_selector_all("img.report-figure",
                                                "els => els.map(e => [e.complete, e.naturalWidth])")
            assert len(figures) == 4 and all(done and width > 0 for done, width in figures), figures
            assert page.evaluate("""document.fonts.check('16px "Chainsim Sans SC"', '卡链')""")
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=False)
        finally:
            ctx.close()
    assert not problems, problems
    assert all(u.startswith(("file:", "data:")) for u in requests), [u for u in requests if not u.startswith("data:")]
    from PIL import Image

    img = np.asarray(Image.open(shot).convert("RGB"))
    assert img.shape[0] >= 900 and img.shape[1] >= 1200
    not_white = (img < 245).any(axis=2).mean()
    assert 0.03 < not_white < 0.9, not_white  # text and tables, neither a blank nor a solid page
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 50
    keep = os.environ.get("CHAINSIM_REPORT_SCREENSHOT")
    if keep:
        shutil.copyfile(shot, keep)
