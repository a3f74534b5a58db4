"""Chokepoint scan (卡脖子清单): disrupt every import, link and node in turn and rank them.

:func:`scan` runs the dynamic scan through the engine's batch axis; :func:`prescreen` is the
static screen (inoperability, hypothetical extraction, critical dependence) that runs in
seconds; :func:`write_scan` writes ``ranking.csv``, ``prescreen.csv``, ``scan.json`` and the
figures. See ``docs/scan.md``.
"""

from chainsim.scan.outputs import write_pathway_effect, write_scan
from chainsim.scan.prescreen import (
    MEASURES,
    inoperability,
    max_interdependency,
    prescreen,
    rank_correlations,
    supply_astar,
)
from chainsim.scan.rank import RANK_BY, pathway_effect, rank_targets
from chainsim.scan.run import RANKING_COLUMNS, ScanResult, scan
from chainsim.scan.targets import KINDS, Target, enumerate_targets, parse_kinds

__all__ = [
    "KINDS", "MEASURES", "RANKING_COLUMNS", "RANK_BY", "ScanResult", "Target", "enumerate_targets", "inoperability",
    "max_interdependency", "parse_kinds", "pathway_effect", "prescreen", "rank_correlations", "rank_targets", "scan",
    "supply_astar", "write_pathway_effect", "write_scan",
]
