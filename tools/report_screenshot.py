#!/usr/bin/env python3
"""Screenshot the top of a chainsim ``report.html`` in headless Chromium (``docs/img/report_screenshot.png``).

The README links a screenshot of the report its main job writes. Remake it after the run or the
report changes::

    chainsim run scenarios/electronics_import_cut.yaml            # -> runs/electronics_import_cut/
    python tools/report_screenshot.py runs/electronics_import_cut/report.html docs/img/report_screenshot.png --force

The page is opened as ``tests/test_report_browser.py`` opens it (Debian's Chromium driven by
Playwright from the test extras, no browser download, a 1280 x 1000 viewport, fonts loaded) and
the first screen is saved as PNG. An existing PNG is kept unless ``--force``.

Exit status 0 on success, 2 on bad input (missing report, existing output, no browser).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

#: Chromium switches of tests/test_report_browser.py: headless, no network beyond the file itself.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 1000}


def _fail(message: str) -> int:
    print(f"report_screenshot: {message}", file=sys.stderr)
    return 2


def screenshot(report: Path, out: Path, *, chromium: str) -> None:
    """Open ``report`` in headless ``chromium`` and save its first screen to ``out`` (PNG)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw, tempfile.TemporaryDirectory() as profile:
        ctx = pw.chromium.launch_persistent_context(profile, executable_path=chromium, args=ARGS, headless=True,
                                                    viewport=VIEWPORT)
        try:
            page = ctx.new_page()
            page.goto(report.resolve().as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready")
            page.screenshot(path=str(out), full_page=False)
        finally:
            ctx.close()


def main(argv: list[str] | None = None) -> int:
    """Command line: ``report_screenshot.py REPORT OUT [--chromium PATH] [--force]``; returns the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report", type=Path, help="a report.html written by 'chainsim run' or 'chainsim report'")
    ap.add_argument("out", type=Path, help="the PNG to write")
    ap.add_argument("--chromium", default=os.environ.get("CHAINSIM_CHROMIUM") or shutil.which("chromium")
                    or "/usr/bin/chromium", help="the Chromium executable (default: chromium on PATH)")
    ap.add_argument("--force", action="store_true", help="replace an existing PNG")
    args = ap.parse_args(argv)
    if not args.report.is_file():
        return _fail(f"{args.report}: no such report (run 'chainsim run SCENARIO' first; it writes report.html)")
    if not args.out.parent.is_dir():
        return _fail(f"{args.out.parent}: no such folder for the screenshot")
    if args.out.exists() and not args.force:
        return _fail(f"{args.out}: exists; pass --force to replace it")
    if not Path(args.chromium).is_file():
        return _fail(f"no Chromium at {args.chromium}: install it (apt-get install -y chromium) or pass --chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return _fail("Playwright is not installed: pip install -e '.[test]' (or pip install playwright)")
    with tempfile.TemporaryDirectory(dir=args.out.parent) as tmp:
        part = Path(tmp) / args.out.name  # written whole, then moved: an interrupted run leaves the old PNG
        screenshot(args.report, part, chromium=args.chromium)
        os.replace(part, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
