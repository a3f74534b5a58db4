"""Evaluate design rows: the picklable worker of a sweep, returning tidy rows.

:func:`evaluate_chunk` turns one chunk of design rows into one dict per run. For a scenario
sweep each run applies every swept pathway at its sampled intensity (the combination entry
``a+b+…`` with per-pathway intensities), replaces the swept disruption fields and model
parameters, and takes its random draws from its own child seed of the sweep seed. A
*ranked* run is also repeated with each pathway alone (same intensity, seed, shock and
parameters), for the ranking robustness table.

Runs of a chunk whose model parameters differ only in the batchable fields
(:data:`chainsim.engine.batch_params.BATCHABLE_PARAMS`: the pathway levers, ``inventory_scale`` and ``inventory_days``)
are simulated together through the engine's batch axis (:class:`chainsim.engine.Engine`
with ``member_params``), so runs that differ in pathway intensities, disruption values,
inventories or seeds cost one batched simulation. Batches depend only on the chunk's
content, never on which worker runs it: results are the same for any worker count.

Time to recover is ``NaN`` with ``recovered = False`` when output never settles back within
ε of the baseline (censored; never a fake number); ``ttr_cap`` is the censoring time (days
from onset to the end of the horizon), which the analysis uses as a documented cap.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from chainsim.errors import ScenarioError
from chainsim.sweeps.design import seed_sequence
from chainsim.sweeps.spec import OUTPUTS, SweepSpec

__all__ = ["MAX_BATCH", "WIDE_BATCH", "batch_size", "evaluate_chunk", "prime", "run_config", "scenario_of"]

#: most runs simulated at once through the engine's batch axis with foreign supply nodes (the
#: default model): throughput is flat from 8 to 12 and falls beyond (members with their own
#: params); for runs sharing one model, 16 measured slower than 8 since issue 16's day (below)
MAX_BATCH = 8
#: runs per batch when the fixed cost of a day weighs more than a member's working set
WIDE_BATCH = 16


def batch_size(params: Any) -> int:
    """Runs per engine batch for a model's params.

    :data:`WIDE_BATCH` (16) for models without foreign supply nodes (the ``ario``
    configuration, ``imports`` other than ``supply_nodes``): a member adds little work or
    memory, so the fixed cost of a day (the Python step, SimPy, kernel dispatch) weighs more
    (about 14 % more runs/s than 8 for the ARIO configuration).

    :data:`MAX_BATCH` (8) for the default model, whether or not the members share their params:
    its (B, S + K, N) state arrays outgrow the core's cache at 16. Members with their own params
    measured 12 % slower at 16 than at 8 on the shipped electronics sweep; runs sharing one model
    (the 1,000-run capacity-loss sweep, 2 workers, ``benchmarks/bench_sweep.py --child capacity``)
    were 134–136 runs/s at 16 against 127–128 at 8 before issue 16, but since its day (57 input
    rows instead of 50: split imports) 16 is the slower, by 10–25 % (docs/performance.md).
    Results are bit for bit the same either way.
    """
    return WIDE_BATCH if params.ario_quirks or params.imports != "supply_nodes" else MAX_BATCH

_SINGLE = ("ttr_days", "recovered", "loss_cny")


@lru_cache(maxsize=2)
def _loaded(path: str, sha256: str, horizon: int | None, data: str | None = None) -> Any:
    """The scenario with its table, loaded once per worker process.

    A worker that cannot see the scenario file (a remote Dask worker without a shared file
    system) loads the scenario from its content (``data``, JSON) instead; a table given by
    a relative path then needs the file system after all.
    """
    import json as _json
    from dataclasses import replace
    from pathlib import Path

    from chainsim.scenario.load import load_scenario

    loaded = load_scenario(path if data is None or Path(path).is_file() else _json.loads(data))
    if sha256 and loaded.sha256 != sha256:
        raise ScenarioError(f"{path}: the scenario file changed after the sweep was loaded "
                            f"(sha256 {loaded.sha256[:12]}, expected {sha256[:12]})")
    if horizon is not None and horizon != loaded.scenario.horizon_days:
        loaded = replace(loaded, scenario=loaded.scenario.model_copy(update={"horizon_days": horizon}))
    return loaded


_PRIMED: dict[tuple, Any] = {}


def _key(spec: SweepSpec) -> tuple:
    data = json.dumps(spec.scenario_data, sort_keys=True, default=str) if spec.scenario_data is not None else None
    return str(spec.scenario_path), spec.scenario_sha256, spec.horizon_days, data


def scenario_of(spec: SweepSpec) -> Any:
    """The :class:`~chainsim.scenario.load.LoadedScenario` of a scenario sweep (cached per process)."""
    key = _key(spec)
    if key in _PRIMED:
        return _PRIMED[key]
    return _loaded(*key)


def prime(spec: SweepSpec, loaded: Any) -> None:
    """Seed this process's scenario cache with ``loaded`` (``scenario_of(spec)`` in the coordinator).

    The initializer of local pool workers: they unpickle the coordinator's scenario and table
    (under a millisecond) instead of reading and validating the files again (about 0.25 s each).
    """
    _PRIMED.clear()
    if loaded is not None:
        _PRIMED[_key(spec)] = loaded


def run_config(spec: SweepSpec, scenario: Any, row: Mapping[str, Any], only: str | None = None,
               sector_codes: Sequence[str] | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Model parameters and disruptions of one run (``only``: that pathway alone).

    Disruption fields are replaced before the pathways rewrite the disruptions. A model
    parameter that a pathway lever also sets (swept, like ``params.inventory_scale`` under
    ``digital_green``, or set by the scenario) is moved by the lever — shifted by
    ``lever(θ) − lever baseline``, or scaled by ``lever(θ)`` for a multiplier such as
    ``inventory_scale`` — as in ``chainsim run`` (:func:`plan_pathway`'s ``base_params``). Levers
    take their central evidence values here (the sweep's factors carry the uncertainty).

    Returns
    -------
    params : dict
        Overrides of :class:`chainsim.engine.ModelParams`.
    disruptions : list of dict
        The disruptions as the engine receives them.
    """
    from chainsim.pathways.apply import plan_pathway

    disruptions = [copy.deepcopy(dict(d)) for d in scenario.disruptions]
    params = copy.deepcopy(dict(scenario.params))
    theta: dict[str, float] = {}
    for f in spec.factors:
        v = float(row[f.key])
        if f.kind == "pathway":
            theta[f.target[0]] = v
        elif f.kind == "disruption":
            k, name = f.target
            if name == "recovery.days":
                rec = dict(disruptions[k].get("recovery") or {})
                rec["days"] = v
                disruptions[k]["recovery"] = rec
            else:
                disruptions[k][name] = v
        elif f.kind == "param":
            params[f.target[0]] = round(v) if f.integer else v
    names = [only] if only is not None else list(theta)
    entry = "+".join(names) or "baseline"
    plan = plan_pathway(entry, disruptions, intensity=0.0, intensities={p: theta[p] for p in names},
                        overrides=scenario.pathways.levers, sector_codes=sector_codes,
                        base_params=params)
    return dict(plan.params), [dict(d) for d in plan.disruptions]


def _evaluate_analytic(spec: SweepSpec, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    names = [f.key for f in spec.factors if f.kind != "seed"]
    X = np.array([[float(r[n]) for n in names] for r in rows], dtype=float).reshape(len(rows), len(names))
    Y = np.asarray(spec.model(X), dtype=float).reshape(len(rows), -1)
    if Y.shape[1] != len(spec.outputs):
        raise ScenarioError(f"model returned {Y.shape[1]} output column(s); expected {len(spec.outputs)} "
                            f"({list(spec.outputs)})")
    out = []
    for r, y in zip(rows, Y, strict=True):
        d = {"run_id": int(r["run_id"]), **{f.key: float(r[f.key]) for f in spec.factors},
             "seed_index": int(r["seed_index"]), "ranked": bool(r["ranked"])}
        d.update({o: float(v) for o, v in zip(spec.outputs, y, strict=True)})
        out.append(d)
    return out


def _metrics(y: np.ndarray, base: float, onset: int | None, crashed: bool, sc: Any, cny: float) -> dict[str, Any]:
    from chainsim.metrics import summarize

    nan = float("nan")
    if crashed or not np.all(np.isfinite(y)):
        return {"recovered": False, "ttr_cap": nan, "onset_day": onset if onset is not None else -1,
                **{o: nan for o in OUTPUTS}}
    s = summarize(y, base, onset=onset, epsilon=sc.metrics.recovery_tolerance, hold=sc.metrics.hold_days,
                  band=sc.metrics.recovery_band, money_per_unit=cny)
    out = {o: nan if s.get(k) is None else float(s[k]) for o, k in OUTPUTS.items()}
    out["recovered"] = bool(s["recovered"])
    out["ttr_cap"] = float(s["ttr_censored_at"]) if s.get("ttr_censored_at") is not None else nan
    out["onset_day"] = int(s["onset_day"]) if s.get("onset_day") is not None else -1
    return out


class _Task(NamedTuple):
    row: int
    only: str | None
    params: Any
    disruptions: list[dict[str, Any]]


def _run_batch(spec: SweepSpec, rows: Sequence[Mapping[str, Any]], sc: Any, table: Any, mask: np.ndarray,
               batch: Sequence[_Task], results: dict[tuple[int, str | None], dict[str, Any]],
               built: dict[str, Any] | None = None) -> None:
    """Build the models of one batch, simulate it through the engine's batch axis, keep each run's metrics.

    ``built`` (params JSON → model) keeps models for later batches (a group whose runs share one model).
    """
    from chainsim.engine import Engine, build_model
    from chainsim.engine.batch_params import member_model
    from chainsim.engine.clock import reusable_output

    built = {} if built is None else built
    models = []
    for t in batch:
        key = t.params.model_dump_json()
        if key not in built:  # a batch shares its structural params: later members reuse the first's arrays
            built[key] = member_model(models[0], t.params) if models else build_model(table, t.params)
        models.append(built[key])
    sub = list(zip(batch, models, strict=True))
    model = sub[0][1]
    base = float(np.asarray(model.xbar)[: model.n][mask].sum())
    seeds = [seed_sequence(spec.seed, int(rows[t.row]["seed_index"])) for t, _ in sub]
    out = reusable_output((sc.horizon_days, len(sub), model.n))
    arrays = Engine(model, [t.disruptions for t, _ in sub], seeds=seeds,
                    member_params=[m for _, m in sub]).run(sc.horizon_days, record=(), out=out)
    onset = np.full(len(sub), -1)
    for smp in arrays.samples:
        b = smp["batch"]
        onset[b] = smp["start"] if onset[b] < 0 else min(onset[b], smp["start"])
    y_all = arrays.output[:, :, mask].sum(axis=2)
    for b, (t, _) in enumerate(sub):
        crashed = bool(arrays.crash_day[b] >= 0)
        met = _metrics(y_all[:, b], base, int(onset[b]) if onset[b] >= 0 else None, crashed, sc,
                       table.money.per_unit)
        met["crashed"] = crashed
        results[(t.row, t.only)] = met


def evaluate_chunk(spec: SweepSpec, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Run one chunk of design rows and return one tidy dict per run.

    A top-level function of picklable arguments, so process pools and Dask workers can run it.

    Parameters
    ----------
    spec : SweepSpec
        The sweep.
    rows : sequence of mapping
        Design rows (``run_id``, factor values, ``seed_index``, ``ranked``).

    Returns
    -------
    list of dict
        ``run_id``, the factors, ``seed_index``, ``ranked``, then the outputs. Scenario
        sweeps add ``recovered``, ``ttr_cap``, ``onset_day``, ``crashed`` and, for ranked
        runs, ``single.<pathway>.ttr_days`` / ``.recovered`` / ``.loss_cny`` (NaN otherwise).

    Examples
    --------
    >>> import math
    >>> from chainsim.sweeps.analytic import ishigami
    >>> spec = SweepSpec.analytic("i", {f"x{i}": (-math.pi, math.pi) for i in (1, 2, 3)}, ishigami)
    >>> row = {"run_id": 0, "x1": math.pi / 2, "x2": 0.0, "x3": 1.0, "seed": 0.5, "seed_index": 512, "ranked": False}
    >>> round(evaluate_chunk(spec, [row])[0]["y"], 6)
    1.1
    """
    if spec.model is not None:
        return _evaluate_analytic(spec, rows)
    from chainsim.data.scopes import scope_mask
    from chainsim.engine import resolve_params
    from chainsim.engine.batch_params import structural_key

    loaded = scenario_of(spec)
    sc, table = loaded.scenario, loaded.table
    mask = scope_mask(table, spec.scope)
    # every simulation of the chunk: (row position, pathway alone or None for the combination)
    tasks: list[tuple[int, str | None]] = []
    for i, r in enumerate(rows):
        tasks.append((i, None))
        if bool(r["ranked"]):
            tasks.extend((i, p) for p in spec.pathways)
    # runs are grouped by their structural params: a group's runs share engine batches, with
    # per-member behavioural params; models are built batch by batch (memory stays flat)
    groups: dict[str, list[_Task]] = {}
    for i, only in tasks:
        params, disruptions = run_config(spec, sc, rows[i], only, table.sector_codes)
        prm = resolve_params(params)
        groups.setdefault(structural_key(prm), []).append(_Task(i, only, prm, disruptions))
    results: dict[tuple[int, str | None], dict[str, Any]] = {}
    for members in groups.values():
        shared = all(t.params == members[0].params for t in members)
        built: dict[str, Any] = {}  # a group whose runs share their params builds its one model once
        size = batch_size(members[0].params)
        for lo in range(0, len(members), size):
            _run_batch(spec, rows, sc, table, mask, members[lo:lo + size], results, built if shared else None)
    out = []
    nan = float("nan")
    for i, r in enumerate(rows):
        d: dict[str, Any] = {"run_id": int(r["run_id"]), **{f.key: float(r[f.key]) for f in spec.factors},
                             "seed_index": int(r["seed_index"]), "ranked": bool(r["ranked"])}
        d.update(results[(i, None)])
        for p in spec.pathways:
            single = results.get((i, p))
            for k in _SINGLE:
                d[f"single.{p}.{k}"] = single[k] if single is not None else (False if k == "recovered" else nan)
        out.append(d)
    return out
