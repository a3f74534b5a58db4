"""The frozen result of one simulation, with labelled pandas views and provenance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from chainsim.engine.clock import RunArrays
from chainsim.engine.model import EconomyModel

__all__ = ["SimulationResult", "result_from_arrays"]


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Daily trajectories of one run (flows in the table's unit per day).

    Attributes
    ----------
    output : DataFrame
        Production, days x (region, sector).
    capacity : DataFrame
        Production capacity, days x (region, sector).
    unmet_demand : Series
        Final demand not met each day.
    baseline : Series
        Pre-shock daily output x̄ per (region, sector).
    events : DataFrame
        Event log with columns day, kind, target, detail.
    provenance : mapping
        chainsim version, seed, table name and checksum, parameters, sampled values.
    """

    output: pd.DataFrame
    capacity: pd.DataFrame
    unmet_demand: pd.Series
    baseline: pd.Series
    events: pd.DataFrame
    provenance: Mapping[str, Any]

    @property
    def relative_output(self) -> pd.Series:
        """Total output relative to the baseline total, per day."""
        return self.output.sum(axis=1) / float(self.baseline.sum())

    def region_output(self) -> pd.DataFrame:
        """Output summed by region, days x regions."""
        return self.output.T.groupby(level="region", sort=False).sum().T


def _seed_repr(seed: Any) -> Any:
    if seed is None or isinstance(seed, int | np.integer):
        return None if seed is None else int(seed)
    if isinstance(seed, np.random.SeedSequence):
        return {"entropy": seed.entropy, "spawn_key": list(seed.spawn_key)}
    return repr(seed)


def result_from_arrays(model: EconomyModel, arrays: RunArrays, b: int, *, seed: Any) -> SimulationResult:
    """Wrap batch member ``b`` of a run as a :class:`SimulationResult`."""
    from chainsim import __version__

    tab = model.table
    cols = tab.labels
    days = pd.RangeIndex(arrays.output.shape[0], name="day")
    ev = [(d, k, t, s) for (d, bb, k, t, s) in arrays.events if bb == b]
    prov = {
        "chainsim_version": __version__, "seed": _seed_repr(seed), "table": tab.name, "table_checksum": tab.checksum,
        "params": model.params.model_dump(), "samples": [s for s in arrays.samples if s["batch"] == b],
        "crash_day": int(arrays.crash_day[b]),
    }
    return SimulationResult(
        output=pd.DataFrame(arrays.output[:, b], index=days, columns=cols),
        capacity=pd.DataFrame(arrays.capacity[:, b], index=days, columns=cols),
        unmet_demand=pd.Series(arrays.unmet[:, b], index=days, name="unmet_demand"),
        baseline=pd.Series(np.asarray(model.xbar[: model.n]), index=cols, name="baseline"),
        events=pd.DataFrame(ev, columns=["day", "kind", "target", "detail"]),
        provenance=MappingProxyType(prov),
    )
