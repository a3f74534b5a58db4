"""The registry of disruption types, parsing, and compiling a batch's disruptions into the engine's plan.

:data:`DISRUPTIONS` maps a type name (the ``type`` key of a scenario file) to its class.
:func:`register` adds a class (refusing one that lacks :meth:`~Disruption.compile` or
:meth:`~Disruption.direct_shock`); the modules of this package register the shipped types, and
a test or a user can register one more::

    @register
    class Pulse(Disruption):
        type: Literal["pulse"]
        ...

Parsing (:func:`parse_disruptions`) validates against the union of the registered types.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType
from typing import Annotated, Any, Union

import numpy as np
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from chainsim.disruptions.base import Disruption, Episode, ModelView, markov_episodes
from chainsim.disruptions.plan import Plan
from chainsim.disruptions.sampling import sample_value
from chainsim.errors import ScenarioError, did_you_mean, format_validation_error

__all__ = ["DISRUPTIONS", "compile_plan", "direct_shock", "disruption_adapter", "parse_disruption", "parse_disruptions",
           "register",
           "scan_kinds", "type_of"]

_TYPES: dict[str, type[Disruption]] = {}

#: Registered disruption types by name (read-only view; add with :func:`register`).
DISRUPTIONS: MappingProxyType[str, type[Disruption]] = MappingProxyType(_TYPES)


def register(cls: type[Disruption]) -> type[Disruption]:
    """Register a disruption type (a class decorator); its name is the literal of its ``type`` field.

    Raises
    ------
    TypeError
        Not a :class:`Disruption`, no ``type`` literal, a name taken by another class, or
        :meth:`~Disruption.compile` / :meth:`~Disruption.direct_shock` not defined.
    """
    if not (isinstance(cls, type) and issubclass(cls, Disruption)):
        raise TypeError(f"register: expected a subclass of Disruption; found {cls!r}")
    info = cls.model_fields.get("type")
    args = getattr(getattr(info, "annotation", None), "__args__", ())
    if len(args) != 1 or not isinstance(args[0], str):
        raise TypeError(f"register: {cls.__name__} needs a field type: Literal['<name>']")
    missing = [m for m in ("compile", "direct_shock") if getattr(cls, m) is getattr(Disruption, m)]
    if missing:
        raise TypeError(f"register: {cls.__name__} does not define {missing} (every type must say how it is "
                        "enacted and what it removes directly)")
    name = args[0]
    if name in _TYPES and _TYPES[name] is not cls:
        raise TypeError(f"register: disruption type {name!r} is already {_TYPES[name].__name__}")
    _TYPES[name] = cls
    disruption_adapter.cache_clear()
    return cls


def unregister(name: str) -> None:
    """Remove a registered type (tests that register a type of their own clean up with this)."""
    _TYPES.pop(name, None)
    disruption_adapter.cache_clear()


@lru_cache(maxsize=1)
def disruption_adapter() -> TypeAdapter[Any]:
    """A pydantic ``TypeAdapter`` of the union of the registered types (discriminated by ``type``)."""
    types = tuple(_TYPES.values())
    union = types[0] if len(types) == 1 else Union[types]  # noqa: UP007 (a runtime tuple of classes)
    return TypeAdapter(Annotated[union, Field(discriminator="type")])


def type_of(name: str) -> type[Disruption]:
    """The class of a type name.

    Raises
    ------
    ScenarioError
        Unknown type, with the known ones and a did-you-mean.
    """
    try:
        return _TYPES[name]
    except (KeyError, TypeError):
        raise ScenarioError(f"unknown disruption type {name!r}; expected one of {list(_TYPES)}"
                            f"{did_you_mean(str(name), _TYPES)}") from None


def parse_disruption(item: Mapping[str, Any] | BaseModel, path: str = "disruptions[0]") -> Disruption:
    """Validate one disruption given as a dict (scenario-file keys) or a model.

    Raises
    ------
    ScenarioError
        With the path of the bad field, e.g. ``disruptions[0].share: ...``.
    """
    if isinstance(item, Disruption):
        return item
    if not isinstance(item, Mapping) or "type" not in item:
        raise ScenarioError(f"{path}: expected a mapping with a 'type' key; found {item!r}")
    try:
        type_of(item["type"])
    except ScenarioError as exc:
        raise ScenarioError(f"{path}.type: {exc}") from None
    try:
        return disruption_adapter().validate_python(dict(item))
    except ValidationError as exc:
        raise ScenarioError("invalid disruption: " + format_validation_error(exc, path)) from None


def parse_disruptions(items: Sequence[Mapping[str, Any] | BaseModel] | None) -> list[Disruption]:
    """Validate a list of disruptions (see :func:`parse_disruption`)."""
    return [parse_disruption(item, f"disruptions[{k}]") for k, item in enumerate(items or ())]


def direct_shock(table: Any, disruption: Mapping[str, Any] | Disruption, sample: Mapping[str, Any]) -> float:
    """Value (table units) one sampled disruption removes before propagation (:meth:`Disruption.direct_shock`).

    Raises
    ------
    ScenarioError
        The disruption is invalid or of an unknown type (never a silent 0).
    """
    return parse_disruption(disruption).direct_shock(table, sample)


def scan_kinds() -> dict[str, type[Disruption]]:
    """Scan kinds (``imports``, ``links``, ``nodes``, ...) and the type providing each, in scan order."""
    types = sorted((c for c in _TYPES.values() if c.scan_kind), key=lambda c: c.scan_rank)
    return {c.scan_kind: c for c in types}


def _sample_common(x: Disruption, rng: np.random.Generator) -> dict[str, Any]:
    """Start, duration, share and recovery time of a disruption, drawn in this order."""
    out: dict[str, Any] = {"start": round(sample_value(x.start, rng)),
                           "duration": max(0, round(sample_value(x.duration, rng)))}
    if x.has_share:
        out["share"] = sample_value(x.share, rng)
    rec = getattr(x, "recovery", None)
    if rec is not None:
        out["tau"] = max(1e-9, sample_value(rec.days, rng))
        out["curve"] = rec.curve
    return out


def compile_plan(model: ModelView, sets: Sequence[Sequence[Disruption]], rngs: Sequence[np.random.Generator],
                 days: int, member_params: Sequence[Any] | None = None) -> Plan:
    """Sample and compile every disruption of every batch member into one :class:`Plan`.

    Member ``b`` draws from ``rngs[b]``, disruption by disruption in order: the common values,
    then (with a recurrence) the outages, then what the type draws itself.

    Raises
    ------
    ScenarioError
        Unknown names (with did-you-mean), a value outside its range, or a start beyond the horizon.
    """
    plan = Plan()
    for b, (items, rng) in enumerate(zip(sets, rngs, strict=True)):
        params = model.params if member_params is None else member_params[b]
        for k, x in enumerate(items):
            path = f"disruptions[{k}]"
            d0 = _sample_common(x, rng)
            if not 0 <= d0["start"] < days:
                raise ScenarioError(f"{path}.start: expected a day in [0, {days}); found {d0['start']}")
            base_name = x.name or f"{x.type}#{k}"
            episodes = [(d0["start"], d0["duration"])]
            if x.recurrence is not None:
                episodes = markov_episodes(x.recurrence, d0["start"], days, rng)
            for e, (first, length) in enumerate(episodes):
                values = {**d0, "start": first, "duration": length}
                name = base_name if x.recurrence is None else f"{base_name}/outage{e + 1}"
                plan.samples.append({"batch": b, "name": name, **values})
                ep = Episode(model=model, params=params, plan=plan, batch=b, name=name, path=path, days=days,
                             rng=rng, values=plan.samples[-1])
                x.compile(ep)
    return plan
