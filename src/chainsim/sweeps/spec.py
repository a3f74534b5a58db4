"""Sweep files: the factor space, design and outputs of a sensitivity sweep, as validated data.

A sweep file names a scenario, a design method and the factors to vary (with their bounds)::

    name: Pathway sensitivity under an electronics import cut
    scenario: ../scenarios/electronics_import_cut.yaml      # relative to this file
    design: {method: sobol, samples: 256}
    factors:
      pathways.opening_up: [0, 1]          # intensity θ of a pathway
      disruptions[0].share: [0.3, 0.9]     # a field of a disruption (a distribution becomes this fixed value)
      params.inventory_days: [30, 120]     # a model parameter
    outputs: [ttr_days, loss_cny, depth]
    scope: northeast

The random seed is always an extra factor ``seed`` on [0, 1): its value picks one of
``seed_pool`` child seeds of the sweep seed (``SeedSequence(seed).spawn``), so the variance
the random draws cause is reported as the seed's index instead of leaking into every other
index (SALib issue #292). Every problem becomes one :class:`~chainsim.errors.ScenarioError`
with ``file:line: field: message`` and a did-you-mean for names.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chainsim.errors import ChainsimError, ScenarioError, did_you_mean
from chainsim.scenario.yamlio import LocatedYaml, load_located_yaml

__all__ = [
    "METHODS", "OUTPUTS", "SEED_FACTOR", "DesignSettings", "Factor", "RankingSettings", "SweepSpec", "load_sweep",
]

SEED_FACTOR = "seed"
METHODS = ("grid", "lhs", "sobol", "morris")
#: outputs a scenario sweep can analyse -> key of :func:`chainsim.metrics.summarize`
OUTPUTS: Mapping[str, str] = {
    "ttr_days": "ttr_days", "loss_cny": "loss", "loss_days": "loss_days_of_output", "depth": "depth",
    "time_to_trough_days": "time_to_trough_days", "level_at_horizon": "level_at_horizon",
    "triangle_area": "triangle_area_pct_days", "tts_days": "tts_observed_days",
}
#: disruption fields a factor may replace (numbers or distributions in the scenario schema)
DISRUPTION_FIELDS = ("start", "duration", "share", "throughput_loss", "extra_lead_days", "recovery.days")
_KEY = re.compile(r"^disruptions\[(\d+)\]\.(.+)$")
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class DesignSettings(BaseModel):
    """How the factor space is sampled.

    ``samples`` is N of the method: base samples for Sobol/Saltelli (runs ``N (D + 2)``;
    N a power of 2), trajectories for Morris (runs
    ``N (D + 1)``), points for LHS. ``levels`` is the number of grid levels per factor
    (grid, runs ``levels^D``) or of Morris levels.
    """

    model_config = _FROZEN
    method: Literal["grid", "lhs", "sobol", "morris"]
    samples: int = Field(64, ge=1, le=1_000_000)
    levels: int = Field(4, ge=2, le=1000)


class RankingSettings(BaseModel):
    """Pathway ranking: every pathway run alone on the first ``samples`` base samples (all when ``None``)."""

    model_config = _FROZEN
    enabled: bool = True
    samples: int | None = Field(None, ge=1)


class _SweepFile(BaseModel):
    model_config = _FROZEN
    name: str = Field(min_length=1)
    description: str = ""
    scenario: str = Field(min_length=1)
    design: DesignSettings
    factors: dict[str, Any] = Field(min_length=1)
    outputs: list[str] = Field(default_factory=lambda: ["ttr_days", "loss_cny", "depth"], min_length=1)
    scope: str = "northeast"
    seed: int | None = Field(None, ge=0)
    seed_pool: int = Field(1024, ge=1, le=2**31)
    horizon_days: int | None = Field(None, gt=0, le=3650)
    ranking: RankingSettings = Field(default_factory=RankingSettings)


@dataclass(frozen=True)
class Factor:
    """One swept quantity.

    Attributes
    ----------
    key : str
        ``pathways.<name>``, ``disruptions[k].<field>``, ``params.<field>``, ``seed``, or any
        name for an analytic model.
    low, high : float
        Bounds (uniform); the seed factor is ``[0, 1)``.
    kind : str
        ``pathway``, ``disruption``, ``param``, ``seed`` or ``analytic``.
    target : tuple
        Parsed key: ``(name,)``, ``(k, field)`` or ``(field,)``.
    integer : bool
        Whether sampled values are rounded to integers (integer model parameters).
    """

    key: str
    low: float
    high: float
    kind: str
    target: tuple[Any, ...] = ()
    integer: bool = False


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: everything a worker needs, picklable (no table, no open files).

    Build it with :func:`load_sweep` (a file or a dict) or :meth:`analytic` (a Python
    function of the factors, for harness checks).
    """

    name: str
    factors: tuple[Factor, ...]
    design: DesignSettings
    outputs: tuple[str, ...]
    seed: int
    seed_pool: int = 1024
    scope: str = "northeast"
    scenario_path: Path | None = None
    scenario_data: Mapping[str, Any] | None = None
    horizon_days: int | None = None
    ranking: RankingSettings = field(default_factory=RankingSettings)
    model: Callable[..., Any] | None = None
    path: Path | None = None
    sha256: str = ""
    scenario_sha256: str = ""

    @property
    def names(self) -> list[str]:
        """Factor names in design-matrix order (the seed last)."""
        return [f.key for f in self.factors]

    @property
    def pathways(self) -> list[str]:
        """Pathways swept (intensity factors), in file order."""
        return [f.target[0] for f in self.factors if f.kind == "pathway"]

    def problem(self) -> dict[str, Any]:
        """The SALib problem spec: ``num_vars``, ``names``, ``bounds``."""
        return {"num_vars": len(self.factors), "names": self.names,
                "bounds": [[f.low, f.high] for f in self.factors]}

    def with_samples(self, samples: int) -> SweepSpec:
        """A copy with another number of samples (CLI ``--samples``)."""
        from dataclasses import replace

        if int(samples) == self.design.samples:
            return self
        sha = hashlib.sha256(f"{self.sha256}:samples={int(samples)}".encode()).hexdigest()
        return replace(self, design=self.design.model_copy(update={"samples": int(samples)}), sha256=sha)

    @classmethod
    def analytic(cls, name: str, factors: Mapping[str, tuple[float, float]], model: Callable[..., Any], *,
                 outputs: tuple[str, ...] = ("y",), method: str = "sobol", samples: int = 64, levels: int = 4,
                 seed: int = 0) -> SweepSpec:
        """A sweep of a vectorised analytic function ``model(X) -> (n,) or (n, outputs)`` of the factors.

        ``model`` must be a top-level (picklable) function; it receives the factor columns
        in ``factors`` order (not the seed).

        Examples
        --------
        >>> from chainsim.sweeps.analytic import ishigami
        >>> import math
        >>> spec = SweepSpec.analytic("ishigami", {f"x{i}": (-math.pi, math.pi) for i in (1, 2, 3)}, ishigami)
        >>> spec.names
        ['x1', 'x2', 'x3', 'seed']
        """
        fs = []
        if SEED_FACTOR in factors:
            raise ScenarioError(f"factors.{SEED_FACTOR}: the seed is always a factor of a sweep; use another name")
        for key, bounds in factors.items():
            lo, hi = _bounds(None, ("factors", key), bounds)
            fs.append(Factor(key, lo, hi, "analytic", (key,)))
        fs.append(Factor(SEED_FACTOR, 0.0, 1.0, "seed"))
        design = _design(None, {"method": method, "samples": samples, "levels": levels})
        text = json.dumps({"name": name, "factors": {k: list(v) for k, v in factors.items()},
                           "model": f"{model.__module__}.{model.__qualname__}", "design": design.model_dump(),
                           "outputs": list(outputs), "seed": seed}, sort_keys=True)
        return cls(name=name, factors=tuple(fs), design=design, outputs=tuple(outputs), seed=int(seed),
                   model=model, ranking=RankingSettings(enabled=False),
                   sha256=hashlib.sha256(text.encode()).hexdigest())


def _fail(doc: LocatedYaml | None, loc: tuple[Any, ...], message: str) -> ScenarioError:
    where = doc.where(loc) if doc is not None else "sweep"
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return ScenarioError(f"{where}: {path}: {message}" if path else f"{where}: {message}")


def _bounds(doc: LocatedYaml | None, loc: tuple[Any, ...], value: Any) -> tuple[float, float]:
    ok = isinstance(value, list | tuple) and len(value) == 2 and all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value)
    if not ok:
        raise _fail(doc, loc, f"expected bounds [low, high] (two finite numbers); found {value!r}")
    lo, hi = float(value[0]), float(value[1])
    if not lo < hi:
        what = "reversed" if lo > hi else "empty"
        raise _fail(doc, loc, f"bounds are {what}: expected low < high; found [{value[0]}, {value[1]}]")
    return lo, hi


def _design(doc: LocatedYaml | None, data: Any) -> DesignSettings:
    if isinstance(data, Mapping) and "method" in data and data["method"] not in METHODS:
        m = str(data["method"])
        raise _fail(doc, ("design", "method"),
                    f"unknown design method {m!r}; expected one of {list(METHODS)}{did_you_mean(m, METHODS)}")
    try:
        design = DesignSettings.model_validate(data)
    except ValidationError as exc:
        raise _pyd(doc, ("design",), exc, list(DesignSettings.model_fields)) from None
    n = design.samples
    if design.method == "sobol" and n & (n - 1):
        raise _fail(doc, ("design", "samples"),
                    f"Sobol/Saltelli needs a power of 2 (its convergence properties depend on it); found {n}")
    if design.method == "morris" and design.levels % 2:
        raise _fail(doc, ("design", "levels"),
                    f"Morris needs an even number of levels (odd levels bias the sample); found {design.levels}")
    return design


def _pyd(doc: LocatedYaml | None, prefix: tuple[Any, ...], exc: ValidationError, fields: list[str]) -> ScenarioError:
    errors = exc.errors()
    err = next((e for e in errors if e.get("type") == "extra_forbidden"), errors[0])
    loc = (*prefix, *err["loc"])
    if err.get("type") == "extra_forbidden":
        name = str(err["loc"][-1])
        return _fail(doc, loc, f"unknown field '{name}'; expected one of {sorted(fields)}{did_you_mean(name, fields)}")
    if err.get("type") == "missing":
        return _fail(doc, loc, "required field is missing")
    return _fail(doc, loc, f"{err.get('msg')}; found {err.get('input')!r}")


def _disruption_field_names(item: Mapping[str, Any]) -> list[str]:
    from chainsim.disruptions import DISRUPTIONS

    model = DISRUPTIONS.get(item.get("type"))
    own = set(model.model_fields) if model is not None else set()
    if "recovery" in own:
        own.add("recovery.days")
    return [f for f in DISRUPTION_FIELDS if f in own]


def _parse_factor(doc: LocatedYaml | None, key: str, bounds: Any, scenario: Any, table: Any) -> Factor:
    from chainsim.engine.params import ModelParams
    from chainsim.pathways.registry import PATHWAYS

    loc = ("factors", key)
    lo, hi = _bounds(doc, loc, bounds)
    kinds = ["pathways.<name>", "disruptions[k].<field>", "params.<field>"]
    if key == SEED_FACTOR:
        raise _fail(doc, loc, "the seed is always a factor of a sweep (its index is reported); "
                              "set 'seed' and 'seed_pool' at the top level instead")
    if key.startswith("pathways."):
        name = key.removeprefix("pathways.")
        names = [p for p in PATHWAYS if p != "baseline"]
        if name not in names:
            raise _fail(doc, loc, f"unknown pathway '{name}'; expected one of {names}{did_you_mean(name, names)}")
        if lo < 0 or hi > 1:
            raise _fail(doc, loc, f"a pathway intensity lies in [0, 1]; found [{lo:g}, {hi:g}]")
        return Factor(key, lo, hi, "pathway", (name,))
    m = _KEY.match(key)
    if m:
        k, fname = int(m.group(1)), m.group(2)
        n = len(scenario.disruptions)
        if k >= n:
            raise _fail(doc, loc, f"the scenario has {n} disruption(s) (disruptions[0]..[{n - 1}]); found index {k}")
        item = scenario.disruptions[k]
        own = _disruption_field_names(item)
        if fname not in own:
            raise _fail(doc, loc, f"a {item.get('type')} disruption has no numeric field '{fname}' to vary; "
                                  f"expected one of {own}{did_you_mean(fname, own)}")
        _check_disruption_bounds(doc, loc, item, fname, lo, hi, scenario.horizon_days)
        return Factor(key, lo, hi, "disruption", (k, fname))
    if key.startswith("params."):
        fname = key.removeprefix("params.")
        numeric = [f for f, info in ModelParams.model_fields.items() if info.annotation in (float, int)]
        if fname not in numeric:
            raise _fail(doc, loc, f"unknown numeric model parameter '{fname}'; expected one of {numeric}"
                                  f"{did_you_mean(fname, numeric)}")
        integer = ModelParams.model_fields[fname].annotation is int
        for v in (lo, hi):
            try:
                ModelParams(**{**scenario.params, fname: round(v) if integer else v})
            except (ValidationError, TypeError) as exc:
                msg = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
                raise _fail(doc, loc, f"bound {v:g} is not a valid value of {fname}: {msg}") from None
        return Factor(key, lo, hi, "param", (fname,), integer)
    head = key.split(".")[0].split("[")[0]
    heads = ["pathways", "disruptions", "params"]
    raise _fail(doc, loc, f"unknown factor key '{key}'; expected one of {kinds}{did_you_mean(head, heads)}")


def _check_disruption_bounds(doc: LocatedYaml | None, loc: tuple[Any, ...], item: Mapping[str, Any], fname: str,
                             lo: float, hi: float, horizon: int) -> None:
    if fname in ("share", "throughput_loss"):
        floor = -1.0 if item.get("type") == "final_demand" else 0.0
        if lo < floor or hi > 1:
            raise _fail(doc, loc, f"{fname} is a share in [{floor:g}, 1]; found [{lo:g}, {hi:g}]")
    elif fname == "start":
        if lo < 0 or hi >= horizon:
            raise _fail(doc, loc, f"start is a day in [0, horizon_days={horizon}); found [{lo:g}, {hi:g}]")
    elif lo < 0:
        raise _fail(doc, loc, f"{fname} is a non-negative number of days; found [{lo:g}, {hi:g}]")


def load_sweep(source: str | Path | Mapping[str, Any], *, base_dir: str | Path | None = None) -> SweepSpec:
    """Load and validate a sweep file (or its content as a dict).

    Parameters
    ----------
    source : path or mapping
        The sweep YAML file, or its parsed content.
    base_dir : path, optional
        Folder the ``scenario`` path is relative to when ``source`` is a mapping
        (default: the current directory).

    Returns
    -------
    SweepSpec

    Raises
    ------
    ScenarioError
        Any problem in the sweep file or its scenario, with ``file:line: field: message``.

    Examples
    --------
    >>> spec = load_sweep({"name": "s", "scenario": "scenarios/electronics_import_cut.yaml",
    ...                    "design": {"method": "lhs", "samples": 8},
    ...                    "factors": {"pathways.opening_up": [0, 1]}})  # doctest: +SKIP
    """
    from chainsim.data.scopes import scope_mask
    from chainsim.scenario.load import load_scenario, scenario_hash

    doc = None if isinstance(source, Mapping) else load_located_yaml(source)
    data = dict(source) if isinstance(source, Mapping) else doc.data
    base = Path(base_dir) if base_dir is not None else (Path.cwd() if doc is None else doc.path.parent)
    if isinstance(data.get("design"), Mapping):
        design = _design(doc, data["design"])
        data = {**data, "design": design.model_dump()}
    try:
        sf = _SweepFile.model_validate(data)
    except ValidationError as exc:
        raise _pyd(doc, (), exc, list(_SweepFile.model_fields)) from None
    unknown = [o for o in sf.outputs if o not in OUTPUTS]
    if unknown:
        i = sf.outputs.index(unknown[0])
        raise _fail(doc, ("outputs", i), f"unknown output '{unknown[0]}'; expected one of {list(OUTPUTS)}"
                                         f"{did_you_mean(unknown[0], OUTPUTS)}")
    scen_path = Path(sf.scenario)
    if not scen_path.is_absolute():
        scen_path = (base / scen_path).resolve()
    if not scen_path.is_file():
        raise _fail(doc, ("scenario",), f"no such scenario file: {scen_path}")
    loaded = load_scenario(scen_path)
    scenario = loaded.scenario
    if sf.horizon_days is not None:
        scenario = scenario.model_copy(update={"horizon_days": sf.horizon_days})
    factors = [_parse_factor(doc, key, bounds, scenario, loaded.table) for key, bounds in sf.factors.items()]
    factors.append(Factor(SEED_FACTOR, 0.0, 1.0, "seed"))
    try:
        scope_mask(loaded.table, sf.scope)
    except (ChainsimError, KeyError, ValueError) as exc:
        raise _fail(doc, ("scope",), str(exc).removeprefix("scope: ")) from None
    if sf.ranking.enabled and not any(f.kind == "pathway" for f in factors):
        raise _fail(doc, ("factors",), "the pathway ranking needs at least one 'pathways.<name>' factor "
                                       "(or set ranking: {enabled: false})")
    return SweepSpec(
        name=sf.name, factors=tuple(factors), design=sf.design, outputs=tuple(sf.outputs),
        seed=int(sf.seed if sf.seed is not None else scenario.seed), seed_pool=sf.seed_pool, scope=sf.scope,
        scenario_path=scen_path, scenario_data=load_located_yaml(scen_path).data,
        horizon_days=scenario.horizon_days, ranking=sf.ranking, path=None if doc is None else doc.path,
        sha256=scenario_hash(sf.model_dump(mode="json")), scenario_sha256=loaded.sha256,
    )
