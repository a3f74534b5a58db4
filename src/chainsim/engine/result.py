"""The frozen result of one simulation, with labelled pandas views and provenance.

One type for both entry points: :func:`chainsim.simulate` returns it, and
:meth:`chainsim.experiment.run.ScenarioRun.result` gives one pathway's replication as it.
Every view is a method taking a scope (``"all"``, ``"northeast"``, a region or sector code,
``("LN", "20")``; see :func:`chainsim.metrics.scope_columns`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from chainsim.data.units import MoneyUnit
from chainsim.engine.clock import RunArrays
from chainsim.engine.model import EconomyModel

__all__ = ["SimulationResult", "result_from_arrays"]


_NO_CURRENCY = MoneyUnit(None, 1.0, "table units")


@dataclass(frozen=True, eq=False)
class SimulationResult:
    r"""Daily trajectories of one run (flows in the table's unit per day, see ``money``).

    Attributes
    ----------
    output : DataFrame
        Production, days x (region, sector).
    capacity : DataFrame or None
        Production capacity, days x (region, sector) (``None`` for a scenario run's
        replication, which keeps output only).
    unmet_demand : Series or None
        Final demand not met each day (``None`` as for ``capacity``).
    baseline : Series
        Pre-shock daily output x̄ per (region, sector).
    events : DataFrame
        Event log with columns day, kind, target, detail.
    provenance : mapping
        chainsim version, seed, table name and checksum, parameters, sampled values.
    money : MoneyUnit
        Currency and scale of one table unit (``IOTable.money``).
    input_done_without : Series or None
        Input use no stock could cover each day, :math:`\sum_{r,j} (A^C_{rj} x_j - U_{rj})` in table
        units (docs/model.md §2 step 5): inputs that cannot bind, or bind half, and run out are done
        without. Next to output and unmet final demand it shows what a price-free model's output
        gains hide (``None`` as for ``capacity``; 0 in ``ario`` and ``legacy``, which have no exact
        stocks).
    """

    output: pd.DataFrame
    capacity: pd.DataFrame | None
    unmet_demand: pd.Series | None
    baseline: pd.Series
    events: pd.DataFrame
    provenance: Mapping[str, Any]
    money: MoneyUnit = _NO_CURRENCY
    input_done_without: pd.Series | None = None

    def _mask(self, scope: Any) -> Any:
        from chainsim.metrics.regional import scope_columns

        return scope_columns(self.output.columns, scope)

    def scope_output(self, scope: Any = "all") -> pd.Series:
        """Daily output of a scope (sum of its region-sectors), in table units per day."""
        return self.output.loc[:, self._mask(scope)].sum(axis=1).rename("output")

    def scope_baseline(self, scope: Any = "all") -> float:
        """No-shock daily output of a scope, in table units per day."""
        return float(self.baseline[self._mask(scope)].sum())

    def relative_output(self, scope: Any = "all") -> pd.Series:
        """Daily output of a scope relative to its no-shock baseline (1.0 = baseline)."""
        return (self.scope_output(scope) / self.scope_baseline(scope)).rename("relative_output")

    def region_output(self) -> pd.DataFrame:
        """Output summed by region, days x regions (table units per day)."""
        return self.output.T.groupby(level="region", sort=False).sum().T

    def summary(self, scope: Any = "all", *, epsilon: float = 0.01, onset: int | None = None) -> dict[str, Any]:
        """All metrics of a scope (:func:`chainsim.metrics.summarize`), with ``loss`` in the table's currency.

        ``onset`` defaults to the first sampled disruption start. A scope that holds the whole
        economy dilutes a regional shock: ask for the region that was hit.
        """
        from chainsim.metrics import summarize

        if onset is None:
            starts = [s["start"] for s in self.provenance.get("samples", ()) if "start" in s]
            onset = int(min(starts)) if starts else None
        out = summarize(self.scope_output(scope).to_numpy(), self.scope_baseline(scope), onset=onset,
                        epsilon=epsilon, money_per_unit=self.money.per_unit)
        out["currency"] = self.money.name
        return out


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
        money=tab.money,
        input_done_without=None if arrays.done_without is None
        else pd.Series(arrays.done_without[:, b], index=days, name="input_done_without"),
    )
