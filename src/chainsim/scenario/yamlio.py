"""Safe YAML loading that remembers where every value came from.

Scenario and sweep files are user input: they are loaded with PyYAML's *safe* loader only
(no arbitrary Python objects, nothing evaluated), duplicate keys are refused, and every
value keeps its line number so that an error can say ``file:line: field.path: ...``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from chainsim.errors import ScenarioError

__all__ = ["LocatedYaml", "load_located_yaml", "parse_located_yaml"]

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class LocatedYaml:
    """Parsed YAML data plus the line of every mapping key and sequence item."""

    path: Path
    data: Any
    lines: dict[PathKey, int]

    def line_of(self, loc: PathKey) -> int | None:
        """Line (1-based) of the deepest known prefix of ``loc``."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), None)

    def where(self, loc: PathKey) -> str:
        """``"file:line"`` for an error message."""
        line = self.line_of(loc)
        return f"{self.path}:{line}" if line else str(self.path)


def _walk(node: yaml.Node, prefix: PathKey, lines: dict[PathKey, int], path: Path) -> None:
    lines.setdefault(prefix, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                dotted = ".".join(str(p) for p in (*prefix, key))
                raise ScenarioError(f"{path}:{line}: {dotted}: duplicate key (first given on line {seen[key]})")
            seen[key] = line
            lines[(*prefix, key)] = line
            _walk(value_node, (*prefix, key), lines, path)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*prefix, i)] = item.start_mark.line + 1
            _walk(item, (*prefix, i), lines, path)


def load_located_yaml(path: str | Path) -> LocatedYaml:
    """Load a YAML file safely, keeping line numbers.

    Raises
    ------
    ScenarioError
        The file does not exist, is not UTF-8, is malformed YAML (with line and column),
        has duplicate keys, or its top level is not a mapping.
    """
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_located_yaml(text, path)


def parse_located_yaml(text: str, path: str | Path) -> LocatedYaml:
    """Parse YAML text safely, keeping line numbers; ``path`` names it in messages (``<stdin>``).

    Raises
    ------
    ScenarioError
        As :func:`load_located_yaml`, for everything but reading the file.
    """
    path = Path(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise ScenarioError(f"{where}: malformed YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: malformed YAML: {exc}") from None
    if node is None or not isinstance(data, dict):
        found = "an empty file" if node is None else type(data).__name__
        raise ScenarioError(f"{path}:1: expected a mapping of fields (name:, horizon_days:, ...); found {found}")
    lines: dict[PathKey, int] = {}
    _walk(node, (), lines, path)
    return LocatedYaml(path=path, data=data, lines=lines)
