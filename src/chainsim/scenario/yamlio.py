"""Safe YAML loading that remembers where every value came from.

Scenario and sweep files are user input: they are loaded with PyYAML's *safe* loader only
(no arbitrary Python objects, nothing evaluated), duplicate keys are refused, and every
value keeps its line number so that an error can say ``file:line: field.path: ...``.

Hostile input is refused before it costs memory or time (each limit is a
:class:`~chainsim.errors.ScenarioError` naming the file, the line and the limit):

* files larger than :data:`MAX_FILE_BYTES` (a scenario is a few kB; parsing costs about
  1 s per MB);
* nesting deeper than :data:`MAX_DEPTH` levels (a scenario needs 6; PyYAML's composer is
  recursive, so a deeply nested file would otherwise end in a ``RecursionError``);
* aliases (``*name``) that would add more than :data:`MAX_ALIAS_NODES` nodes when expanded
  (the "billion laughs" file: nine aliases nine levels deep are 387 million nodes from 1 kB).
  The budget is counted on PyYAML's event stream before any object is built.

Numbers and booleans are read as YAML 1.2 (core schema) reads them, not as YAML 1.1 does:
``2e0`` and ``1e-3`` are numbers (YAML 1.1 reads them as strings), only
``true``/``false`` are booleans (``yes``, ``no``, ``on``, ``off`` and ``NO``, Norway's ISO
code, stay strings), and ``07`` stays the string ``"07"`` (YAML 1.1 reads it as octal 7;
sector codes are written that way).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from chainsim.errors import ScenarioError

__all__ = ["MAX_ALIAS_NODES", "MAX_DEPTH", "MAX_FILE_BYTES", "LocatedYaml", "load_located_yaml", "parse_located_yaml",
           "parse_yaml"]

PathKey = tuple[str | int, ...]

#: largest scenario or sweep file read (bytes): the shipped ones are 1-3 kB, 1,000 disruptions written one per
#: line about 150 kB; parsing takes about 3 s per MiB (libyaml)
MAX_FILE_BYTES = 1024 * 1024
#: deepest nesting of mappings and lists (a scenario needs 6: disruptions[k].recovery.days.{...})
MAX_DEPTH = 32
#: most nodes that aliases may add to a document when expanded
MAX_ALIAS_NODES = 10_000

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when PyYAML was built with it


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader with the YAML 1.2 core schema's numbers and booleans."""


_Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float",
     r"^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[-+]?[0-9]+[eE][-+]?[0-9]+"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", "<"),
):
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    value = loader.construct_scalar(node)
    if value.startswith("0o"):
        return int(value[2:], 8)
    if value.startswith("0x"):
        return int(value[2:], 16)
    return int(value, 10)


def _construct_float(loader: Any, node: yaml.ScalarNode) -> float:
    value = loader.construct_scalar(node).lower()
    if value.endswith(".inf"):
        return float("-inf") if value.startswith("-") else float("inf")
    if value == ".nan":
        return float("nan")
    return float(value)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


@dataclass(frozen=True)
class LocatedYaml:
    """Parsed YAML data plus the line of every mapping key and sequence item.

    A line of 0 marks a value set by an override (``chainsim run --replications``), not
    written in the file: a message about it names no line of the file.
    """

    path: Path
    data: Any
    lines: dict[PathKey, int]

    def line_of(self, loc: PathKey) -> int | None:
        """Line (1-based) of the deepest known prefix of ``loc`` (0: overridden; ``None``: the file itself)."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return None  # a top-level field that is not in the file: no line of the file is about it

    def where(self, loc: PathKey) -> str:
        """``"file:line"`` for an error message (``"file"`` alone when no line holds the value)."""
        line = self.line_of(loc)
        if line == 0:
            return f"{self.path} (value set by an override, not in the file)"
        return f"{self.path}:{line}" if line else str(self.path)

    def overridden(self, data: Any, paths: list[PathKey]) -> LocatedYaml:
        """A copy with ``data`` and the values at ``paths`` marked as overridden (line 0)."""
        lines = {k: v for k, v in self.lines.items() if not any(k[:len(p)] == p for p in paths)}
        lines.update(dict.fromkeys(paths, 0))
        return LocatedYaml(path=self.path, data=data, lines=lines)


def _check_events(text: str, path: Path) -> None:
    """Refuse nesting beyond :data:`MAX_DEPTH` and aliases beyond :data:`MAX_ALIAS_NODES`, from events only.

    ``expanded`` counts the nodes of the document as an alias-free copy would hold them: one
    per scalar or collection, plus the expanded size of the anchored node for every alias.
    """
    open_at: list[tuple[str | None, int]] = []  # (anchor, ``expanded`` when the collection opened)
    size: dict[str, int] = {}  # anchor -> expanded nodes of the anchored node
    literal = expanded = 0
    for ev in yaml.parse(text, Loader=_Loader):
        line = ev.start_mark.line + 1 if ev.start_mark is not None else 1
        if isinstance(ev, yaml.AliasEvent):
            n = size.get(ev.anchor, 1)  # an undefined alias is reported by the composer
            expanded += n
            if expanded - literal > MAX_ALIAS_NODES:
                raise ScenarioError(
                    f"{path}:{line}: alias *{ev.anchor} would expand the document by more than "
                    f"{MAX_ALIAS_NODES:,} nodes (the limit on aliases); write the values out or use fewer aliases")
        elif isinstance(ev, yaml.ScalarEvent):
            literal += 1
            expanded += 1
            if ev.anchor:
                size[ev.anchor] = 1
        elif isinstance(ev, yaml.CollectionStartEvent):
            literal += 1
            expanded += 1
            open_at.append((ev.anchor, expanded))
            if len(open_at) > MAX_DEPTH:
                raise ScenarioError(f"{path}:{line}: nested more than {MAX_DEPTH} levels deep (the limit; a scenario "
                                    "needs about 6)")
        elif isinstance(ev, yaml.CollectionEndEvent):
            anchor, first = open_at.pop()
            if anchor:
                size[anchor] = expanded - first + 1


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


def _marked(exc: yaml.MarkedYAMLError, path: Path) -> ScenarioError:
    """One message for a YAML syntax error: where the parser stopped, and where the construct it was in began."""
    mark = exc.problem_mark or exc.context_mark
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
    problem = str(exc.problem or "").strip()
    context = str(exc.context or "").strip()
    if context and exc.context_mark is not None and exc.problem_mark is not None \
            and exc.context_mark.line != exc.problem_mark.line:
        c = exc.context_mark
        problem += f" ({context} that starts at line {c.line + 1}, column {c.column + 1})"
    elif context:
        problem = f"{context}: {problem}" if problem else context
    return ScenarioError(f"{where}: malformed YAML: {problem}")


def parse_yaml(text: str, path: str | Path = "<text>") -> tuple[yaml.Node | None, Any]:
    """Parse YAML text with the limits above: ``(node, data)`` (``(None, None)`` for an empty document).

    Raises
    ------
    ScenarioError
        Malformed YAML (with line and column), nesting or aliases beyond their limits.
    """
    path = Path(path)
    try:
        _check_events(text, path)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        raise _marked(exc, path) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: malformed YAML: {exc}") from None
    return node, data


def _check_size(size: int, path: Path) -> None:
    if size > MAX_FILE_BYTES:
        raise ScenarioError(f"{path}: {size / 2**20:.1f} MiB; scenario and sweep files are limited to "
                            f"{MAX_FILE_BYTES / 2**20:g} MiB (a scenario is a few kB: give a list of regions or "
                            "sectors in one disruption instead of one disruption per industry)")


def load_located_yaml(path: str | Path) -> LocatedYaml:
    """Load a YAML file safely, keeping line numbers.

    Raises
    ------
    ScenarioError
        The file does not exist, is larger than :data:`MAX_FILE_BYTES`, is not UTF-8, is
        malformed YAML (with line and column), nests or aliases beyond the limits, has
        duplicate keys, or its top level is not a mapping.
    """
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(f"{path}: no such file")
    _check_size(path.stat().st_size, path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_located_yaml(text, path)


def parse_located_yaml(text: str, path: str | Path) -> LocatedYaml:
    """Parse YAML text with the limits above, keeping line numbers; ``path`` names it in messages (``<stdin>``).

    Raises
    ------
    ScenarioError
        As :func:`load_located_yaml`, for everything but reading the file (the size limit
        applies to the text's UTF-8 bytes).
    """
    path = Path(path)
    _check_size(len(text.encode("utf-8")), path)
    node, data = parse_yaml(text, path)
    if node is None or not isinstance(data, dict):
        found = "an empty file" if node is None else type(data).__name__
        raise ScenarioError(f"{path}:1: expected a mapping of fields (name:, horizon_days:, ...); found {found}")
    lines: dict[PathKey, int] = {}
    _walk(node, (), lines, path)
    return LocatedYaml(path=path, data=data, lines=lines)
