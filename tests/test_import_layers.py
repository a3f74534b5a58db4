"""The package's modules import each other without a cycle (STYLE: no import cycles, layers follow the data flow).

Every ``import`` and ``from ... import`` in every module under ``src/chainsim/`` counts, including
imports inside functions and under ``if TYPE_CHECKING:`` (a lazy or type-only import hides a cycle
from the interpreter, not from the reader: the layers are still tangled). ``from pkg import name``
counts as an import of ``pkg.name`` when that is a module, else of ``pkg`` (its ``__init__``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "chainsim"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> nx.DiGraph:
    """Directed graph module -> module it imports, over the modules of the package."""
    files = {_module_name(p): p for p in (SRC / PACKAGE).rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(files)
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    pkg = name.split(".") if is_pkg else name.split(".")[:-1]
                    pkg = pkg[: len(pkg) - node.level + 1]
                    base = ".".join([*pkg, base] if base else pkg)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names]
            for t in targets:
                while t and t not in files and "." in t:
                    t = t.rsplit(".", 1)[0]
                if t in files and t != name:
                    graph.add_edge(name, t)
    return graph


def test_every_module_is_found():
    graph = import_graph()
    assert "chainsim.engine" in graph and "chainsim.cli" in graph
    assert graph.number_of_edges() > 100


def test_no_import_cycle():
    """Fails on 30b9e04: the engine's seven-module circle (kernel, distribution, production, rationing,
    links, state, factored) and scenario.load -> experiment.summary -> experiment.run -> scenario.load."""
    cycles = sorted(nx.simple_cycles(import_graph()), key=len)
    assert not cycles, f"{len(cycles)} import cycle(s), e.g. " + "; ".join(" -> ".join(c) for c in cycles[:5])
