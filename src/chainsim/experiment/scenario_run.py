"""What a scenario run returns: a :class:`PathwayRun` per pathway entry, gathered in a :class:`ScenarioRun`.

The results and their views (a scope's daily series, one replication as a labelled
:class:`~chainsim.engine.SimulationResult`, the pathways that change nothing), without the
engine: the modules that read a run (tables, bands, outputs, figures) import these types
from here, and :mod:`chainsim.experiment.run` produces them (it re-exports both names).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from chainsim.errors import ScenarioError
from chainsim.pathways.apply import PathwayPlan
from chainsim.scenario.load import LoadedScenario

if TYPE_CHECKING:
    from chainsim.experiment.attribution import Attribution

__all__ = ["PathwayRun", "ScenarioRun"]


@dataclass(frozen=True, eq=False)
class PathwayRun:
    """All replications of one pathway entry.

    Attributes
    ----------
    plan : PathwayPlan
        Levers at their central values, parameter overrides and rewritten disruptions (the
        replications' drawn lever values are in ``lever_values``).
    output : ndarray (replications, days, N)
        Daily output of every domestic industry (table units per day).
    baseline : ndarray (N,)
        No-shock daily output.
    onset : ndarray (replications,) of int
        First sampled disruption start of each replication.
    events : list of tuple
        Engine event log ``(day, replication, kind, target, detail)``.
    samples : list of dict
        Sampled disruption values.
    params : dict
        The model parameters in force.
    seconds : float
        Wall time of the batch.
    lever_values : tuple of dict
        Per replication: lever name -> value in force (drawn or central).
    lever_fulls : tuple of dict
        Per replication: ``{pathway: {lever: full value}}`` behind ``lever_values``.
    """

    plan: PathwayPlan
    output: np.ndarray
    baseline: np.ndarray
    onset: np.ndarray
    events: list[tuple[int, int, str, str, str]]
    samples: list[dict[str, Any]]
    params: dict[str, Any]
    crash_day: np.ndarray
    seconds: float
    lever_values: tuple[dict[str, float], ...] = ()
    lever_fulls: tuple[dict[str, dict[str, float]], ...] = ()

    def scope_sum(self, mask: np.ndarray) -> np.ndarray:
        """Daily output summed over the industries of ``mask``: (replications, days), read-only.

        Computed once per mask (``output[:, :, mask].sum(axis=2)``, the same sums as before it
        was cached) and shared by the summary, the band sensitivity, the identity check, the
        attribution and the figures, which all read a scope's series. ``output`` is not to be
        changed after a run (nothing does).
        """
        sums = self.__dict__.setdefault("_scope_sums", {})  # in the instance's dict: not a field of the dataclass
        m = np.asarray(mask)
        key = (m.dtype.str, m.shape, m.tobytes())
        if key not in sums:
            y = self.output[:, :, mask].sum(axis=2)
            y.flags.writeable = False
            sums[key] = y
        return sums[key]


@dataclass(frozen=True, eq=False)
class ScenarioRun:
    """The result of :func:`run_scenario`: one :class:`PathwayRun` per pathway entry, provenance, attribution."""

    loaded: LoadedScenario
    pathways: Mapping[str, PathwayRun]
    provenance: Mapping[str, Any] = field(default_factory=dict)
    attribution: Attribution | None = None

    @property
    def table(self) -> Any:
        """The table the scenario ran on."""
        return self.loaded.table

    def result(self, pathway: str = "baseline", replication: int = 0) -> Any:
        """One replication of one pathway as a labelled :class:`~chainsim.engine.SimulationResult`.

        The same type :func:`chainsim.simulate` returns, with the same views
        (``scope_output``, ``relative_output``, ``region_output``, ``summary``); ``capacity``
        and ``unmet_demand`` are ``None`` (a scenario run keeps output only).
        """
        import pandas as pd

        from chainsim.engine.result import SimulationResult
        from chainsim.errors import did_you_mean

        if pathway not in self.pathways:
            raise ScenarioError(f"unknown pathway '{pathway}' in this run; expected one of {list(self.pathways)}"
                                f"{did_you_mean(pathway, self.pathways)}")
        pr = self.pathways[pathway]
        R = pr.output.shape[0]
        if not 0 <= replication < R:
            raise ScenarioError(f"replication: expected 0 … {R - 1}; found {replication}")
        table = self.loaded.table
        cols = table.labels
        days = pd.RangeIndex(pr.output.shape[1], name="day")
        events = [(d, k, t, s) for (d, b, k, t, s) in pr.events if b == replication]
        prov = {**self.provenance, "pathway": pathway, "replication": replication,
                "seed": self.provenance.get("replication_seeds", [None] * R)[replication],
                "samples": [s for s in pr.samples if s["batch"] == replication],
                "crash_day": int(pr.crash_day[replication])}
        return SimulationResult(
            output=pd.DataFrame(pr.output[replication], index=days, columns=cols), capacity=None, unmet_demand=None,
            baseline=pd.Series(pr.baseline, index=cols, name="baseline"),
            events=pd.DataFrame(events, columns=["day", "kind", "target", "detail"]), provenance=prov,
            money=table.money)

    def inert_pathways(self) -> list[str]:
        """Pathway entries whose trajectories equal the baseline's: they change nothing here.

        Replications share their random draws, so equality is not statistical: every industry
        on every day within :data:`~chainsim.experiment.paired.IDENTICAL_RTOL` of the
        economy's daily output (levers that act only through rounding change nothing).
        """
        from chainsim.experiment.paired import IDENTICAL_RTOL

        base = self.pathways.get("baseline")
        if base is None:
            return []
        tol = IDENTICAL_RTOL * float(base.baseline.sum())
        return [e for e, pr in self.pathways.items()
                if e != "baseline" and pr.output.shape == base.output.shape
                and float(np.abs(pr.output - base.output).max(initial=0.0)) <= tol]
