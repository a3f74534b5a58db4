"""Turn pathway choices (names, intensities, overrides) into model parameters and disruptions.

A pathway entry is a name (``opening_up``) or a combination (``opening_up+dual_wheel``).
Each lever of each named pathway takes its value at that pathway's intensity
(:meth:`Lever.value`); levers are disjoint across pathways, and should a user's registry
give two pathways the same lever, the value farther from the baseline wins.

Levers whose target is ``params.<field>`` become parameter overrides (sector-scoped levers
become per-sector overrides); ``disruptions.<transform>`` levers rewrite the disruptions.
A lever's full-intensity value comes from the evidence range of the product class the
scenario's disruptions make scarce (:mod:`chainsim.pathways.evidence`), unless overridden.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chainsim.disruptions import DISRUPTIONS
from chainsim.errors import ScenarioError, did_you_mean
from chainsim.pathways.evidence import disrupted_products
from chainsim.pathways.registry import LEVERS, PATHWAYS, Lever

__all__ = ["PathwayPlan", "lever_values", "plan_pathway"]


@dataclass(frozen=True)
class PathwayPlan:
    """What a pathway entry does to a scenario.

    Attributes
    ----------
    name : str
        The entry (``"a+b"`` for combinations).
    levers : dict
        Lever name → value in force.
    params : dict
        Overrides of :class:`chainsim.engine.ModelParams` fields.
    disruptions : tuple
        The rewritten disruptions (plain dicts).
    changed : tuple of str
        Levers whose value differs from the baseline model *and* that can act in this
        scenario; empty means the pathway changes nothing here (reported, not hidden).
    cost : float
        Cost of the entry (sum over pathways of cost per unit intensity x intensity).
    notes : tuple of str
        Why a lever does not act here, or which evidence class had to be chosen.
    evidence : dict
        Lever name → the product class whose evidence range gave its full value
        (``"override"`` when the scenario set it).
    """

    name: str
    levers: dict[str, float]
    params: dict[str, Any]
    disruptions: tuple[dict[str, Any], ...]
    changed: tuple[str, ...]
    cost: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)
    evidence: dict[str, str] = field(default_factory=dict)


def _pathway_names(entry: str) -> list[str]:
    names = [p.strip() for p in entry.split("+") if p.strip()]
    for n in names:
        if n not in PATHWAYS:
            raise ScenarioError(f"unknown pathway '{n}'; expected one of {list(PATHWAYS)}{did_you_mean(n, PATHWAYS)}")
    return names


def lever_values(entry: str, *, intensity: float = 0.5, intensities: Mapping[str, float] | None = None,
                 overrides: Mapping[str, Mapping[str, float]] | None = None,
                 products: Sequence[str] = ()) -> dict[str, float]:
    """Lever values in force for a pathway entry.

    ``products`` (NBS codes the scenario makes scarce) choose each lever's evidence class;
    ``overrides`` (``{pathway: {lever: full value}}``) replace the evidence's full value.

    Examples
    --------
    >>> lever_values("dual_wheel", intensity=0.5)["alpha_max_manufacturing"]
    1.325
    >>> lever_values("tech_self_reliance", intensity=1.0, products=["20"])["substitution_share"]
    0.16
    >>> lever_values("baseline")
    {}
    """
    intensities = intensities or {}
    overrides = overrides or {}
    out: dict[str, float] = {}
    for name in _pathway_names(entry):
        theta = float(intensities.get(name, intensity))
        for lever_name in PATHWAYS[name].levers:
            lever = LEVERS[lever_name]
            full = overrides.get(name, {}).get(lever_name)
            value = lever.value(theta, lever.range_for(products)[0].full if full is None else full)
            if lever_name not in out or abs(value - lever.baseline) > abs(out[lever_name] - lever.baseline):
                out[lever_name] = value
    return out


def _rewrite(disruptions: Sequence[Mapping[str, Any]], lever: Lever, value: float) -> tuple[list[dict], bool]:
    """Apply a ``disruptions.<transform>`` lever through each type's :meth:`chainsim.disruptions.Disruption.rewrite`."""
    transform = lever.target.removeprefix("disruptions.")
    out, acted = [], False
    for d in disruptions:
        d = dict(d)
        kind = DISRUPTIONS.get(d.get("type"))
        if kind is not None:
            acted = kind.rewrite(d, transform, value, lever.sectors) or acted
        out.append(d)
    return out, acted


def _needs(field_name: str) -> tuple[str, ...]:
    """Disruption types through which a parameter lever acts alone (empty: it acts on any scenario)."""
    return tuple(name for name, kind in DISRUPTIONS.items() if field_name in kind.param_levers)


def plan_pathway(entry: str, disruptions: Sequence[Mapping[str, Any]], *, intensity: float = 0.5,
                 intensities: Mapping[str, float] | None = None,
                 overrides: Mapping[str, Mapping[str, float]] | None = None,
                 costs: Mapping[str, float] | None = None,
                 sector_codes: Sequence[str] | None = None,
                 base_params: Mapping[str, Any] | None = None) -> PathwayPlan:
    """Resolve a pathway entry into parameter overrides and rewritten disruptions.

    Parameters
    ----------
    entry : str
        Pathway name or ``"a+b"`` combination.
    disruptions : sequence of dict
        The scenario's disruptions (scenario-file keys).
    intensity, intensities, overrides, costs
        As in the scenario's ``pathways`` block.

    Returns
    -------
    PathwayPlan
    """
    products = disrupted_products(disruptions)
    values = lever_values(entry, intensity=intensity, intensities=intensities, overrides=overrides,
                          products=products)
    evidence, notes = _evidence_classes(entry, values, overrides or {}, products)
    kinds = {d.get("type") for d in disruptions}
    base = dict(base_params or {})
    params: dict[str, Any] = {k: (dict(v) if isinstance(v, Mapping) else v) for k, v in base.items()}
    rewritten = [dict(d) for d in disruptions]
    changed: list[str] = []
    for name, value in values.items():
        lever = LEVERS[name]
        if value == lever.baseline:
            continue
        if lever.target.startswith("disruptions."):
            rewritten, acted = _rewrite(rewritten, lever, value)
            (changed if acted else notes).append(name if acted else f"{name}: no matching disruption")
            continue
        note = _set_param(params, base, lever, value, sector_codes)
        needs = _needs(lever.target.removeprefix("params."))
        if note:
            notes.append(note)
        elif needs and not kinds & set(needs):
            notes.append(f"{name}: acts only on {'/'.join(needs)} disruptions")
        else:
            changed.append(name)
    theta = dict(intensities or {})
    cost = sum(float((costs or {}).get(p, 0.0)) * float(theta.get(p, intensity)) for p in _pathway_names(entry))
    return PathwayPlan(name=entry, levers=values, params=params, disruptions=tuple(rewritten),
                       changed=tuple(changed), cost=cost, notes=tuple(notes), evidence=evidence)


def _evidence_classes(entry: str, values: Mapping[str, float], overrides: Mapping[str, Mapping[str, float]],
                      products: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """Which evidence class gave each lever its full value, and notes where a choice was made."""
    owner = {lv: p for p in _pathway_names(entry) for lv in PATHWAYS[p].levers}
    out, notes = {}, []
    for name in values:
        if name in overrides.get(owner[name], {}):
            out[name] = "override"
            continue
        rng, note = LEVERS[name].range_for(products)
        out[name] = rng.label
        if note:
            notes.append(f"{name}: {note}")
    return out, notes


def _set_param(params: dict[str, Any], base: Mapping[str, Any], lever: Lever, value: float,
               sector_codes: Sequence[str] | None) -> str | None:
    """Move the scenario's own value of a parameter lever's target (``params`` in place); a note if it cannot act."""
    from chainsim.engine.params import ModelParams

    fields = ModelParams.model_fields
    field_name = lever.target.removeprefix("params.")

    def moved(start: float) -> float:
        return float(start) * value if lever.combine == "scale" else float(start) + value - lever.baseline

    default = fields[field_name].default if field_name in fields else lever.baseline
    if not lever.sectors:
        params[field_name] = moved(base.get(field_name, default))
        return None
    sectors = [c for c in lever.sectors if sector_codes is None or c in set(sector_codes)]
    if not sectors:
        return f"{lever.name}: none of its sectors ({', '.join(lever.sectors)}) is in the table"
    key = f"sector_{field_name}"
    own = dict(base.get(key, {}))
    start = base.get(field_name, default)
    params[key] = {**params.get(key, {}), **{c: moved(own.get(c, start)) for c in sectors}}
    return None
