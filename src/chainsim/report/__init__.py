"""The run report: one self-contained, bilingual ``report.html`` per scenario run.

``render_report(run_dir)`` reads a run folder (``summary.csv``, ``run.json``, the figures,
``attribution.csv`` when present; :mod:`chainsim.report.context`) and fills the Jinja2
template ``templates/report.html.j2``. Figures are embedded as base64 PNG and the Chinese
text as a subset of the bundled font (:mod:`chainsim.fonts`) cut to the page's characters,
so the file opens anywhere, offline, with nothing else beside it.
"""

from __future__ import annotations

from chainsim.report.context import ReportError, report_context
from chainsim.report.html import render_report, write_report

__all__ = ["ReportError", "render_report", "report_context", "write_report"]
