"""Load and validate a scenario file: stage 1 (schema) and stage 2 (against the table).

Every problem becomes one :class:`~chainsim.errors.ScenarioError` whose message gives the
file and line, the field path, what was expected, what was found and, for names, the
nearest valid one::

    scenarios/x.yaml:14: disruptions[0].origins[1]: unknown import origin 'JPM'; expected
    one of ['JPN', 'KOR', ...] (did you mean 'JPN'?)
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from chainsim.data.classification import REGION_GROUPS
from chainsim.data.iotable import IOTable
from chainsim.data.scopes import scope_mask
from chainsim.disruptions.registry import DISRUPTIONS, disruption_adapter
from chainsim.errors import ChainsimError, ScenarioError, did_you_mean
from chainsim.pathways.registry import PATHWAYS
from chainsim.scenario.calendar import CalendarError, resolve_disruption_dates
from chainsim.scenario.schema import Scenario
from chainsim.scenario.values import check_disruption_values
from chainsim.scenario.yamlio import LocatedYaml, load_located_yaml, parse_located_yaml

__all__ = ["LoadedScenario", "load_scenario", "read_scenario_text", "resolve_table", "scenario_hash"]

# disruption fields that name things in the table, and what they name
_NAME_FIELDS = {"region": "region", "regions": "region", "sector": "sector", "product": "sector",
                "origin": "origin", "origins": "origin", "from_region": "source", "to_region": "region",
                "to_sector": "sector"}


@dataclass(frozen=True)
class LoadedScenario:
    """A scenario validated against its table, with the table and the file's hash.

    ``lines`` maps field paths to the file's line numbers (empty for a dict source), so that a
    later check (:func:`chainsim.experiment.preflight.preflight`) can say where a value was
    written (:meth:`where`).
    """

    scenario: Scenario
    table: IOTable
    disruptions: tuple[Any, ...]
    path: Path | None
    sha256: str
    lines: Mapping[tuple[Any, ...], int] = field(default_factory=dict, repr=False)

    def where(self, loc: tuple[Any, ...]) -> str:
        """``"file:line: field.path"`` (or ``"scenario: field.path"``) for an error message."""
        if self.path is None:
            return f"scenario: {_loc_path(loc)}" if loc else "scenario"
        doc = LocatedYaml(path=self.path, data=None, lines=dict(self.lines))
        return f"{doc.where(loc)}: {_loc_path(loc)}" if loc else doc.where(loc)


def scenario_hash(data: Any) -> str:
    """SHA-256 of the scenario's canonical JSON (key order and formatting do not matter)."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _loc_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _fail(doc: LocatedYaml | None, loc: tuple[Any, ...], message: str) -> ScenarioError:
    where = doc.where(loc) if doc else "scenario"
    return ScenarioError(f"{where}: {_loc_path(loc)}: {message}")


def _pydantic_message(err: dict[str, Any], fields: list[str]) -> str:
    kind, msg, value = err.get("type", ""), err.get("msg", ""), err.get("input")
    if kind == "extra_forbidden":
        name = str(err["loc"][-1])
        return f"unknown field '{name}'; expected one of {sorted(fields)}{did_you_mean(name, fields)}"
    if kind == "missing":
        return "required field is missing"
    if kind == "union_tag_invalid":
        tag = (err.get("ctx") or {}).get("tag", value)
        tags = list(DISRUPTIONS)
        return f"unknown disruption type {tag!r}; expected one of {tags}{did_you_mean(str(tag), tags)}"
    return f"{msg.removeprefix('Value error, ')}; found {value!r}"


# the names pydantic puts in an error's location for the branch of a union it tried ("regions.list[str][1]")
_BRANCH = re.compile(r"^(?:str|int|float|bool|list\[.*\]|dict\[.*\]|tuple\[.*\]|function-.*|literal\[.*\]"
                     r"|lax-or-strict\[.*\]|json-or-python\[.*\]|chain\[.*\]|nullable\[.*\])$")


def _first_error(exc: ValidationError) -> dict[str, Any]:
    """The most informative error: an unknown field explains a 'missing' one; of a union's branches, the deepest.

    ``regions: [LN, 5]`` fails both branches of ``str | list[str]``; the list branch's error
    (``regions[1]``, found 5) says more than the string branch's (found the whole list). The
    branch names are dropped from the location.
    """
    errors = [{**e, "loc": tuple(p for p in e["loc"] if not (isinstance(p, str) and _BRANCH.match(p)))}
              for e in exc.errors()]
    forbidden = next((e for e in errors if e.get("type") == "extra_forbidden"), None)
    if forbidden is not None:
        return forbidden
    first = errors[0]
    same_field = [e for e in errors if e["loc"][:len(first["loc"]) - 1] == first["loc"][:-1]] or [first]
    return max(same_field, key=lambda e: len(e["loc"]))


def _stage1(doc: LocatedYaml) -> Scenario:
    try:
        return Scenario.model_validate(doc.data)
    except ValidationError as exc:
        err = _first_error(exc)
        loc = tuple(err["loc"])
        fields = _fields_at(Scenario, loc)
        raise _fail(doc, loc, _pydantic_message(err, fields)) from None


def _fields_at(model: Any, loc: tuple[Any, ...]) -> list[str]:
    """Field names of the (nested) model that holds ``loc`` (for did-you-mean)."""
    current = model
    for part in loc[:-1]:
        info = getattr(current, "model_fields", {}).get(part)
        ann = getattr(info, "annotation", None)
        if ann is None or not hasattr(ann, "model_fields"):
            break
        current = ann
    return list(getattr(current, "model_fields", {}))


def _parse_disruption(doc: LocatedYaml | None, k: int, item: Any) -> Any:
    base = ("disruptions", k)
    if not isinstance(item, dict) or "type" not in item:
        raise _fail(doc, base, f"expected a mapping with a 'type' key; found {item!r}")
    try:
        return disruption_adapter().validate_python(item)
    except ValidationError as exc:
        err = _first_error(exc)
        loc = tuple(err["loc"])
        if loc and loc[0] == item.get("type"):
            loc = loc[1:]
        model = DISRUPTIONS.get(item["type"]) if isinstance(item["type"], str) else None
        fields = list(model.model_fields) if model else []
        raise _fail(doc, (*base, *loc), _pydantic_message(err, fields)) from None


def _check_against_table(doc: LocatedYaml | None, scenario: Scenario, table: IOTable) -> None:
    lookups = {"region": table.region_index, "sector": table.sector_index, "origin": table.origin_index}

    def _source(name: str) -> int:
        return table.origin_index(name) if name in table.origins else table.region_index(name)

    lookups["source"] = _source
    for k, item in enumerate(scenario.disruptions):
        base = ("disruptions", k)
        for key, kind in _NAME_FIELDS.items():
            if key not in item:
                continue
            names = item[key] if isinstance(item[key], list) else [item[key]]
            for i, name in enumerate(names):
                if str(name) == "all" or (kind == "region" and str(name).lower() in REGION_GROUPS):
                    continue
                loc = (*base, key, i) if isinstance(item[key], list) else (*base, key)
                try:
                    lookups[kind](str(name))
                except ChainsimError as exc:
                    raise _fail(doc, loc, str(exc).replace(f" in table '{table.name}'", "")) from None
        rebuild = item.get("recovery", {}).get("sectors") if isinstance(item.get("recovery"), Mapping) else None
        for code in rebuild if isinstance(rebuild, Mapping) else ():
            try:
                table.sector_index(str(code))
            except ChainsimError as exc:
                msg = str(exc).replace(f" in table '{table.name}'", "")
                raise _fail(doc, (*base, "recovery", "sectors", code), f"rebuilding sector: {msg}") from None


def _check_scopes(doc: LocatedYaml | None, scenario: Scenario, table: IOTable) -> None:
    for i, scope in enumerate(scenario.metrics.scope):
        try:
            if not scope_mask(table, scope).any():
                raise ScenarioError(f"scope '{scope}' matches no industry of table '{table.name}'")
        except ChainsimError as exc:
            msg = str(exc).removeprefix("scope: ")
            if f"'{scope}'" not in msg:
                msg = f"scope '{scope}': {msg}"
            raise _fail(doc, ("metrics", "scope", i), msg) from None


def _check_pathways(doc: LocatedYaml | None, scenario: Scenario) -> None:
    names = list(PATHWAYS)
    for i, entry in enumerate(scenario.pathways.compare):
        for part in entry.split("+"):
            if part.strip() not in PATHWAYS:
                raise _fail(doc, ("pathways", "compare", i),
                            f"unknown pathway '{part.strip()}'; expected one of {names}{did_you_mean(part, names)}")
    for key in ("intensities", "costs", "cost_basis", "levers"):
        for name in getattr(scenario.pathways, key):
            if name not in PATHWAYS:
                raise _fail(doc, ("pathways", key, name),
                            f"unknown pathway '{name}'; expected one of {names}{did_you_mean(name, names)}")
    for pw, levers in scenario.pathways.levers.items():
        own = list(PATHWAYS[pw].levers)
        for lever in levers:
            if lever not in own:
                raise _fail(doc, ("pathways", "levers", pw, lever),
                            f"'{pw}' has no lever '{lever}'; expected one of {own}{did_you_mean(lever, own)}")


def _check_trend(doc: LocatedYaml | None, scenario: Scenario, table: IOTable) -> None:
    """``trend`` keys name a scope of ``monthly.csv`` (``china``, ``northeast``, a region), optionally ``|sector``."""
    from chainsim.scenario.sector_groups import group_codes

    scopes = ["china", "northeast", *table.region_codes]
    for key in scenario.trend:
        scope, _, sector = key.partition("|")
        if scope not in scopes:
            raise _fail(doc, ("trend", key), f"unknown scope '{scope}'; expected one of {scopes}"
                                             f"{did_you_mean(scope, scopes)}")
        if sector:
            try:
                group_codes(sector, table.sector_codes)
            except ChainsimError as exc:
                raise _fail(doc, ("trend", key), str(exc)) from None


def _check_params(doc: LocatedYaml | None, scenario: Scenario) -> None:
    """The ``params`` block is a valid :class:`~chainsim.engine.params.ModelParams` (the run builds one from it)."""
    from chainsim.engine.params import ModelParams

    fields = [*ModelParams.model_fields, "base"]
    for key in scenario.params:
        if key not in fields:
            raise _fail(doc, ("params", key), f"unknown model parameter '{key}'; expected one of {sorted(fields)}"
                                              f"{did_you_mean(str(key), fields)}")
    base = scenario.params.get("base", "default")
    if base not in ("default", "ario"):
        raise _fail(doc, ("params", "base"), f"expected 'default' or 'ario'; found {base!r}")
    values = {k: v for k, v in scenario.params.items() if k != "base"}
    for key, value in values.items():
        found = [value] if not isinstance(value, dict | list | tuple) else list(
            value.values() if isinstance(value, dict) else value)
        if any(isinstance(v, bool) for v in found) and ModelParams.model_fields[key].annotation is not bool:
            raise _fail(doc, ("params", key), f"expected a number, not a boolean; found {value!r}")
        if any(isinstance(v, float) and not math.isfinite(v) for v in found):
            raise _fail(doc, ("params", key), f"expected a finite number; found {value!r}")
    try:
        ModelParams.ario(**values) if base == "ario" else ModelParams(**values)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ("params", *err["loc"])
        msg = err.get("msg", "").removeprefix("Value error, ")
        raise _fail(doc, loc, f"{msg}; found {err.get('input')!r}") from None


def resolve_table(scenario: Scenario, base_dir: Path | None = None) -> IOTable:
    """Load the scenario's table: a bundled dataset, or a user's table relative to ``base_dir``."""
    if scenario.table is not None:
        from chainsim.data.readers import read_table

        path = Path(scenario.table)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        return read_table(path)
    from chainsim.data.datasets import load_dataset

    return load_dataset(scenario.table_source)


def _leaf_paths(tree: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Paths of the values an override sets (nested mappings are merged, so their leaves are what is set)."""
    out: list[tuple[str, ...]] = []
    for key, value in tree.items():
        if isinstance(value, Mapping) and value:
            out += _leaf_paths(value, (*prefix, key))
        else:
            out.append((*prefix, key))
    return out


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def read_scenario_text(text: str, *, name: str = "<stdin>", table: IOTable | None = None,
                       overrides: Mapping[str, Any] | None = None) -> LoadedScenario:
    """Load a scenario from YAML text (``chainsim run -`` reads it from standard input).

    ``name`` stands for the file in error messages; a relative ``table:`` path is taken
    from the current directory.
    """
    return load_scenario(parse_located_yaml(text, name), table=table, overrides=overrides)


def load_scenario(source: str | Path | dict[str, Any] | LocatedYaml, *, table: IOTable | None = None,
                  overrides: Mapping[str, Any] | None = None) -> LoadedScenario:
    """Load, validate and resolve a scenario (a YAML file path or an already parsed dict).

    Parameters
    ----------
    source : path or dict
        The scenario file, or its content as a dict (notebooks).
    table : IOTable, optional
        Use this table instead of the one the scenario names.
    overrides : mapping, optional
        Fields to change before validation, merged into nested blocks, e.g.
        ``{"replications": 3, "pathways": {"intensity": 1.0}}``; the hash covers them.

    Returns
    -------
    LoadedScenario

    Raises
    ------
    ScenarioError
        Any problem, with file, line, field path, expectation, value and a did-you-mean.
    """
    doc = None if isinstance(source, dict) else source if isinstance(source, LocatedYaml) \
        else load_located_yaml(source)
    data = source if isinstance(source, dict) else doc.data
    if overrides:
        data = _merge(data, overrides)
        if doc is not None:
            doc = doc.overridden(data, _leaf_paths(overrides))
    if doc is None:
        doc_or_none: LocatedYaml | None = None
        try:
            scenario = Scenario.model_validate(data)
        except ValidationError as exc:
            err = _first_error(exc)
            raise _fail(None, tuple(err["loc"]), _pydantic_message(err, _fields_at(Scenario, tuple(err["loc"])))) \
                from None
    else:
        doc_or_none = doc
        scenario = _stage1(doc)
    try:  # dates in disruptions (start, end) become days
        day0 = {name: cls.day0_profiles for name, cls in DISRUPTIONS.items() if cls.day0_profiles}
        scenario = scenario.model_copy(update={"disruptions": resolve_disruption_dates(
            scenario.disruptions, scenario.calendar, day0_profiles=day0)})
    except CalendarError as exc:
        raise _fail(doc_or_none, exc.loc, exc.message) from None
    _check_pathways(doc_or_none, scenario)
    _check_params(doc_or_none, scenario)
    check_disruption_values(scenario.disruptions, scenario.horizon_days,
                            lambda loc, msg: _fail(doc_or_none, loc, msg))
    parsed = tuple(_parse_disruption(doc_or_none, k, item) for k, item in enumerate(scenario.disruptions))
    if table is None:
        try:
            table = resolve_table(scenario, None if doc is None else doc.path.parent)
        except ChainsimError as exc:
            key = "table" if scenario.table is not None else "dataset"
            raise _fail(doc_or_none, (key,), str(exc)) from None
    _check_against_table(doc_or_none, scenario, table)
    _check_scopes(doc_or_none, scenario, table)
    _check_trend(doc_or_none, scenario, table)
    return LoadedScenario(scenario=scenario, table=table, disruptions=parsed,
                          path=None if doc is None else doc.path, sha256=scenario_hash(data),
                          lines={} if doc is None else doc.lines)
