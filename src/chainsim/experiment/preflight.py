"""Everything a scenario run would refuse, found before it runs: the one check ``validate`` and ``run`` share.

:func:`chainsim.scenario.load_scenario` checks the file against its schema and its table.
A run then does more with the values: it plans every pathway (levers on top of the
scenario's ``params``), builds one model per pathway, draws every uncertain disruption value
with the replications' seeds and resolves the draws against the model, and allocates its
trajectories. :func:`preflight` does all of that except stepping the days, with the same
functions and the same seeds, so ``chainsim validate`` fails exactly where ``chainsim run``
would, and says where (``file:line: field``) and in which replication; and it compares the
memory the run will hold with the memory available (:func:`estimate_memory`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chainsim.errors import ChainsimError, ScenarioError
from chainsim.scenario.load import LoadedScenario

__all__ = ["MemoryEstimate", "Preflight", "available_memory", "estimate_memory", "preflight"]

_GIB = 2.0**30
_PATH = re.compile(r"^(?:invalid disruption: )?disruptions\[(\d+)\]((?:\.[A-Za-z_]+)*):?\s*")


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes a scenario run holds at its peak, by part, and the bytes available.

    Attributes
    ----------
    parts : dict
        ``trajectories`` (daily output of every pathway x replication x day x industry,
        float64, kept for the summary and the figures), ``engine`` (the running pathway's
        output and capacity buffers and their transposed copy), ``state`` (the running
        pathway's per-replication stocks, orders and buffers), ``transit`` (goods in
        transit, when routes have lead times).
    available : int or None
        Bytes the system can still give (``MemAvailable``, or the cgroup limit when lower);
        ``None`` when unknown.
    """

    parts: Mapping[str, int]
    available: int | None

    @property
    def total(self) -> int:
        """Sum of the parts (bytes)."""
        return int(sum(self.parts.values()))

    @property
    def fits(self) -> bool:
        """Whether the run fits in the available memory (``True`` when that is unknown)."""
        return self.available is None or self.total <= self.available


@dataclass(frozen=True)
class Preflight:
    """The outcome of :func:`preflight`: pathway entries, their plans and the memory estimate.

    ``routes_from`` is the first day a route change (a ``congestion``) is in force in any
    pathway and replication, or ``None``: from that day the run continues on the reference
    executor, which models routes (lead times, throughput) and is much slower
    (:meth:`note`).
    """

    entries: tuple[str, ...]
    plans: Mapping[str, Any]
    memory: MemoryEstimate
    routes_from: int | None = None

    def note(self) -> str | None:
        """What a user should know before the days run (the reference executor's cost), or ``None``."""
        if self.routes_from is None:
            return None
        return (f"a congestion (堵链) changes routes from day {self.routes_from}: from then on the run continues on "
                "the reference executor, which models lead times and throughput and is about 15 times slower "
                "than the fast one (docs/performance.md, 'Routes'); expect minutes, not seconds")


def available_memory() -> int | None:
    """Bytes of memory available to this process: ``MemAvailable`` bounded by a cgroup v2 limit (Linux).

    Returns ``None`` where neither is readable (then no run is refused for memory).
    """
    avail = None
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    if avail is None:
        try:
            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            return None
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
        if limit != "max":
            avail = min(avail, max(int(limit) - used, 0))
    except (OSError, ValueError):
        pass
    return avail


def _state_bytes(model: Any, reference: bool = False) -> tuple[int, int]:
    """``(shared, per replication)`` bytes of the economy's state and buffers, measured on batches of 1 and 2.

    The economy is the one the run uses (:mod:`chainsim.engine.clock`): the fast executor where
    it applies, the dense reference day otherwise or when a route change (congestion) hands the
    run over to it (``reference``). Goods in transit and the routes' backlog are counted apart
    (:func:`estimate_memory`'s ``transit``).
    """
    from chainsim.engine import executor
    from chainsim.engine.reference_economy import ReferenceEconomy

    use_reference = reference or not executor.supports(model)

    def nbytes(batch: int) -> int:
        econ = ReferenceEconomy(model, batch) if use_reference else executor.FastEconomy(model, batch)
        total = 0
        for obj in (getattr(econ, "state", None), getattr(econ, "ws", None)):
            if obj is None:
                continue
            items = vars(obj).items() if hasattr(obj, "__dict__") else (
                (s, getattr(obj, s)) for s in getattr(obj, "__slots__", ()))
            total += sum(v.nbytes for k, v in items if isinstance(v, np.ndarray) and k not in _TRANSIT)
        return total

    one, two = nbytes(1), nbytes(2)
    return max(2 * one - two, 0), max(two - one, 0)


_TRANSIT = ("transit", "backlog")  # the reference state's goods on the road, counted by estimate_memory


def estimate_memory(*, pathways: int, replications: int, days: int, model: Any, ring_days: int = 0,
                    available: int | None = None, routes: bool = False) -> MemoryEstimate:
    """Peak bytes of a scenario run (see :class:`MemoryEstimate` for the parts).

    Parameters
    ----------
    pathways, replications, days : int
        Pathway entries, replications and horizon of the scenario.
    model : EconomyModel
        A model built from the scenario's table (its sizes set the engine's state).
    ring_days : int
        Days of goods in transit the engine keeps (0 without lead times).
    available : int, optional
        Bytes available (default: :func:`available_memory`).
    routes : bool
        Whether a disruption changes routes (a congestion): the run then continues on the
        dense reference economy.

    Examples
    --------
    >>> from chainsim.data.toy import load_toy
    >>> from chainsim.engine import ModelParams, build_model
    >>> m = build_model(load_toy(), ModelParams())
    >>> est = estimate_memory(pathways=2, replications=3, days=10, model=m, available=10**9)
    >>> est.parts["trajectories"] == 2 * 3 * 10 * m.n * 8, est.fits
    (True, True)
    """
    R, T, N = int(replications), int(days), int(model.n)
    shared, per = _state_bytes(model, reference=routes or ring_days > 0)
    parts = {
        "trajectories": int(pathways) * R * T * N * 8,
        "engine": 3 * R * T * N * 8,
        "state": shared + per * R,
        "transit": int(ring_days) * R * int(model.n_inputs) * N * 8
        + (R * int(model.n_sup) * N * 8 if ring_days else 0),
    }
    return MemoryEstimate(parts=parts, available=available_memory() if available is None else available)


def _relocate(loaded: LoadedScenario, message: str, suffix: str = "") -> ScenarioError:
    """Put ``file:line`` in front of a message that starts with ``disruptions[k].field``."""
    m = _PATH.match(message)
    if m is None:
        return ScenarioError(f"{loaded.where(())}: {message}{suffix}")
    loc: tuple[Any, ...] = ("disruptions", int(m.group(1)), *[p for p in m.group(2).split(".") if p])
    return ScenarioError(f"{loaded.where(loc)}: {message[m.end():]}{suffix}")


def _sampled(loaded: LoadedScenario, message: str) -> bool:
    """Whether the field a message names holds a distribution (its value was drawn)."""
    m = _PATH.match(message)
    if m is None:
        return False
    item: Any = loaded.scenario.disruptions[int(m.group(1))]
    for part in [p for p in m.group(2).split(".") if p]:
        item = item.get(part) if isinstance(item, Mapping) else None
    return isinstance(item, Mapping) and "distribution" in item


def preflight(loaded: LoadedScenario, *, available: int | None = None) -> Preflight:
    """Plan, build and draw every pathway x replication of a scenario without running it.

    Parameters
    ----------
    loaded : LoadedScenario
        From :func:`chainsim.scenario.load_scenario`.
    available : int, optional
        Bytes of memory available (default: :func:`available_memory`).

    Returns
    -------
    Preflight

    Raises
    ------
    ScenarioError
        Whatever the run would refuse: a pathway whose levers make invalid parameters, a
        parameter the table cannot take (an unknown sector), a drawn value out of range (with
        the replication), an unknown rebuilding sector, or a run that needs more memory than
        is available.
    """
    from chainsim.disruptions import compile_plan, parse_disruptions
    from chainsim.engine import build_model
    from chainsim.engine.params import resolve_params
    from chainsim.experiment.seeds import replication_seeds
    from chainsim.pathways.apply import plan_pathway

    sc = loaded.scenario
    pw = sc.pathways
    entries = tuple(dict.fromkeys(pw.compare))
    seeds = replication_seeds(sc.seed, sc.replications)
    plans, models, ring, max_lead, routes = {}, {}, 0, 0, False
    first: int | None = None  # the first day a route change acts
    for i, entry in enumerate(entries):
        label = "" if entry == "baseline" else f" (under pathway '{entry}')"
        try:
            plan = plan_pathway(entry, sc.disruptions, intensity=pw.intensity, intensities=pw.intensities,
                                overrides=pw.levers, costs=pw.costs, sector_codes=loaded.table.sector_codes,
                                base_params=sc.params)
            params = resolve_params(plan.params)
        except ChainsimError as exc:
            raise ScenarioError(f"{loaded.where(('pathways', 'compare', i))}: pathway '{entry}': {exc}") from None
        try:
            model = build_model(loaded.table, params)
        except ChainsimError as exc:
            raise ScenarioError(f"{loaded.where(('params',))}: {exc}{label}") from None
        try:
            sets = parse_disruptions(plan.disruptions)
        except ChainsimError as exc:
            raise _relocate(loaded, str(exc), label) from None
        for r, seed in enumerate(seeds):
            try:
                plan_r = compile_plan(model, [sets], [np.random.default_rng(seed)], sc.horizon_days)
            except ChainsimError as exc:
                drawn = f" (drawn for replication {r + 1} of {len(seeds)})" if _sampled(loaded, str(exc)) else ""
                raise _relocate(loaded, str(exc), drawn + label) from None
            except (ArithmeticError, ValueError) as exc:
                raise ScenarioError(f"{loaded.where(('disruptions',))}: the disruptions of replication {r + 1} "
                                    f"cannot be resolved ({type(exc).__name__}: {exc}){label}") from None
            lead = plan_r.max_extra_lead()
            routes = routes or bool(plan_r.routes)
            for route in plan_r.routes:
                acting = route.loss.days[route.loss.values != 0]
                if len(acting):
                    first = int(acting[0]) if first is None else min(first, int(acting[0]))
            max_lead = max(max_lead, lead)
            base = int(model.base_lead.max()) if model.base_lead.any() else 0
            if base or lead:
                ring = max(ring, base + lead + 1)
        plans[entry], models[entry] = plan, model
    model = next(iter(models.values()))
    est = estimate_memory(pathways=len(entries), replications=sc.replications, days=sc.horizon_days,
                          model=model, ring_days=ring, available=available, routes=routes)
    if not est.fits:
        p = est.parts
        transit = f"; goods in transit over {ring} days: {p['transit'] / _GIB:.1f} GiB" if p["transit"] else ""
        raise ScenarioError(
            f"{loaded.where(('replications',))}: this run needs about {est.total / _GIB:.1f} GiB of memory "
            f"(daily output of {len(entries)} pathway(s) x {sc.replications:,} replications x {sc.horizon_days:,} "
            f"days x {model.n:,} industries: {p['trajectories'] / _GIB:.1f} GiB; engine buffers and state: "
            f"{(p['engine'] + p['state']) / _GIB:.1f} GiB{transit}) and {est.available / _GIB:.1f} GiB are "
            "available: lower replications or horizon_days, compare fewer pathways"
            + (", or shorten extra_lead_days" if max_lead else ""))
    return Preflight(entries=entries, plans=plans, memory=est, routes_from=first)
