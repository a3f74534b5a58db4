"""Shocks as data: lockdowns (labour supply) and final demand by category, compiled to daily arrays.

Pure functions from a validated shock and a table to the daily series an engine plan takes:

* :func:`~chainsim.shocks.labour.lockdown_capacity_loss` /
  :func:`~chainsim.shocks.labour.combined_capacity_loss`: share of each industry's capacity
  lost per day, ``(days, N)``;
* :func:`~chainsim.shocks.demand.demand_multipliers`: final-demand multipliers per day,
  product and final-demand column ``(days, S, C)`` and per exporting industry ``(days, N)``;
  :func:`~chainsim.shocks.demand.final_demand_path` turns them into demand per industry.

The schemas (:class:`~chainsim.shocks.labour.Lockdown`,
:class:`~chainsim.shocks.demand.FinalDemandByCategory`) and the shipped tables they use
(:mod:`chainsim.shocks.tables`) are documented in ``docs/episodes.md``. The disruption types
``lockdown`` and ``final_demand_by_category`` (:mod:`chainsim.disruptions.lockdown`,
:mod:`chainsim.disruptions.demand_by_category`) inherit these schemas and compile them into the
engine's plan; :func:`parse_shock` validates the plain schemas (numbers only, no distributions).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError

from chainsim.errors import ScenarioError
from chainsim.shocks.demand import FinalDemandByCategory
from chainsim.shocks.labour import Lockdown

__all__ = ["SHOCK_TYPES", "EpisodeShock", "parse_shock"]

EpisodeShock = Annotated[Lockdown | FinalDemandByCategory, Field(discriminator="type")]
SHOCK_TYPES = ("lockdown", "final_demand_by_category")
_ADAPTER: TypeAdapter[Any] = TypeAdapter(EpisodeShock)


def parse_shock(item: Mapping[str, Any], *, loc: tuple[Any, ...] = ()) -> Lockdown | FinalDemandByCategory:
    """Validate one ``lockdown`` or ``final_demand_by_category`` item of a scenario.

    Raises
    ------
    ScenarioError
        With the field path of the first problem, e.g. ``disruptions[2].absent: ...``.
    """
    try:
        return _ADAPTER.validate_python(dict(item))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = [*loc, *[p for p in err["loc"] if p not in SHOCK_TYPES]]
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in where).lstrip(".")
        msg = str(err.get("msg", "")).removeprefix("Value error, ")
        found = "" if err.get("type") == "value_error" else f"; found {err.get('input')!r}"
        raise ScenarioError(f"{path}: {msg}{found}") from None
