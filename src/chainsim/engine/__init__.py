"""The simulation engine: ARIO-family dynamics of a batch of scenarios on a SimPy clock.

Public entry points: :func:`simulate` (one run, labelled result) and :class:`Engine` (a
batch of disruption sets at once, raw arrays, for sweeps). The day is specified by
:mod:`chainsim.engine.reference` and run fast by :mod:`chainsim.engine.executor`; the clock,
the plan's enactment and the event log are :mod:`chainsim.engine.clock`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chainsim.data.iotable import IOTable
from chainsim.disruptions import CURVES, parse_disruptions
from chainsim.engine.clock import Engine, RunArrays
from chainsim.engine.layout import build_model
from chainsim.engine.model import EconomyModel
from chainsim.engine.params import ModelParams, resolve_params
from chainsim.engine.rationing import RULES
from chainsim.engine.result import SimulationResult, result_from_arrays

__all__ = [
    "CURVES", "RULES", "EconomyModel", "Engine", "ModelParams", "RunArrays", "SimulationResult", "build_model",
    "parse_disruptions", "resolve_params", "simulate",
]


def simulate(table: IOTable | EconomyModel, disruptions: Sequence[Mapping[str, Any] | Any] = (), *, days: int,
             params: str | Mapping[str, Any] | ModelParams | None = None, seed: Any = None,
             executor: str = "auto", layout: str = "auto") -> SimulationResult:
    """Simulate the daily response of the economy in ``table`` to ``disruptions``.

    Parameters
    ----------
    table : IOTable or EconomyModel
        The input-output table (or an already built model, whose params are then used).
    disruptions : sequence of dict or disruption models
        See :mod:`chainsim.disruptions`.
    days : int
        Number of days; day 0 is a full step.
    params : None, "ario", dict or ModelParams
        ``None``: chainsim's default model; ``"ario"``: BoARIO 0.7.2 ``ARIOPsiModel``.
    seed : int, numpy.random.SeedSequence or None
        Source of all randomness (sampled disruption values).
    executor : {"auto", "reference"}
        ``"reference"`` runs the dense reference day (:mod:`chainsim.engine.reference`);
        ``"auto"`` the fast executor where it applies (see :class:`Engine`).
    layout : {"auto", "dense", "sparse"}
        The model's layout (:func:`build_model`): ``"sparse"`` keeps the flows as links, for large
        tables (the ``ario`` configuration; ``docs/performance.md``); ``"auto"`` chooses it for a
        sparse table or a large sparse one.

    Returns
    -------
    SimulationResult

    Raises
    ------
    ScenarioError
        Invalid disruption (path, expectation, value) or unknown names.
    ModelBuildError
        Invalid params.
    SimulationError
        The ARIO configuration's capital losses exceed the capital stock.

    Examples
    --------
    >>> from chainsim.data.toy import load_toy
    >>> res = simulate(load_toy(), [], days=10, params="ario")
    >>> bool(abs(res.relative_output() - 1).max() < 1e-12)
    True
    """
    model = table if isinstance(table, EconomyModel) else build_model(table, resolve_params(params), layout=layout)
    arrays = Engine(model, [list(disruptions)], seeds=[seed], executor=executor).run(days)
    return result_from_arrays(model, arrays, 0, seed=seed)
