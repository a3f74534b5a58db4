r"""The engine object: owns the ``simpy.Environment``, the disruption plan, the economy and the event log.

**The clock.** Time is in days; day t starts at time t. The plan's changes (a disruption
starts, ends, fades; a final-demand change; a substitution ramp) happen at the start of their
day (integer times), each a SimPy process stepping through its item's
:class:`~chainsim.disruptions.plan.Steps`. The daily economic update is one process that runs
at mid-day, ``t + 0.5``, for all B batch members at once. Supplier searches keep their own
clocks at real times: a shortage seen in the step of day t starts its clock at ``t + 0.5``, and
its delays (detection lag, search time, which may be fractional) add up from there.

**The rounding rule.** An event due at time τ acts on the first daily step at or after τ:
the step of day :math:`\lceil \tau - 1/2 \rceil` (:func:`~chainsim.disruptions.plan.day_of`);
events due at the same time as a step come before it, and events are enacted in the order of
their due times. Hence a search started by a shortage on day t acts on day :math:`t +
\lceil \text{lag} \rceil`: detection lags of 14.01, 14.49 and 14.99 days act on the same day,
14.0 a day earlier, 15.01 a day later; the event log names the day an action takes effect.

Shortages (the first day an input binds for an industry), capacity milestones (back within
``milestone_share`` of baseline) and crashes are found in the daily update and logged with the
plan's entries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from chainsim.disruptions import compile_plan, parse_disruptions
from chainsim.disruptions.plan import Plan, Steps
from chainsim.engine import executor
from chainsim.engine.batch_params import member_model, stack_members
from chainsim.engine.capacity_schedule import CapacitySchedule, Rebuild
from chainsim.engine.economy import DayInputs, Economy
from chainsim.engine.executor import day_records as bookkeeping
from chainsim.engine.model import EconomyModel
from chainsim.engine.params import ModelParams, resolve_params
from chainsim.engine.reference_economy import ReferenceEconomy
from chainsim.engine.resourcing import Searches
from chainsim.engine.sparse.economy import SparseEconomy
from chainsim.engine.sparse.model import SparseModel
from chainsim.errors import ScenarioError, SimulationError

__all__ = ["EXECUTORS", "Engine", "RunArrays", "reusable_output"]

#: ``"auto"``: the fast executor where it applies (numba installed; no lead times or fixed shares;
#: a congestion hands the run over to the reference when it starts), else the reference;
#: ``"reference"``: the reference economy throughout.
EXECUTORS = ("auto", "reference")

_LOCAL = threading.local()


def reusable_output(shape: tuple[int, int, int]) -> np.ndarray:
    """A (days, batch, N) output buffer for :meth:`Engine.run` (``out=``), reused by this thread.

    For callers that run batch after batch and reduce each batch's output before the next (sweep
    and scan workers): a fresh array of a few MB costs a page fault every 4 KB as the days are
    written, about 5 % of a run. One buffer per shape (at most four kept), per thread. The
    contents are overwritten by the next run of the same shape on this thread.
    """
    buffers = _LOCAL.__dict__.setdefault("buffers", {})
    buf = buffers.get(shape)
    if buf is None:
        if len(buffers) >= 4:
            buffers.clear()
        buf = buffers[shape] = np.empty(shape)
    return buf


@dataclass(frozen=True)
class RunArrays:
    r"""Raw trajectories of a batch run (daily flows).

    Attributes
    ----------
    output, capacity : (T, B, N)
        Production and production capacity of each domestic industry (capacity None if not recorded).
    unmet : (T, B) or None
        Final demand not met (None if not recorded).
    done_without : (T, B) or None
        Input use no stock could cover, :math:`\sum (A^C x - U)` (docs/model.md §2 step 5; None if
        not recorded; 0 in configurations without exact stocks).
    events : list of (day, batch, kind, target, detail)
    crash_day : (B,) int
        First day a stock went negative (-1 if none); later days are NaN.
    samples : list of dict
        The sampled value of every uncertain disruption field.
    """

    output: np.ndarray
    capacity: np.ndarray | None
    unmet: np.ndarray | None
    events: list[tuple[int, int, str, str, str]]
    crash_day: np.ndarray
    samples: list[dict]
    done_without: np.ndarray | None = None


class Engine:
    """Run B disruption sets through one model at once (the batch axis of the economy).

    Parameters
    ----------
    model : EconomyModel
        Built with :func:`chainsim.engine.model.build_model`.
    disruption_sets : sequence of sequences
        One list of disruptions (dicts or models) per batch member.
    seeds : sequence of int, SeedSequence or None, optional
        One seed per batch member (all randomness of a member comes from its seed).
    member_params : sequence of ModelParams or EconomyModel, optional
        One set of behavioural parameters per member, differing from ``model.params`` only in
        :data:`~chainsim.engine.batch_params.BATCHABLE_PARAMS`; each member's results are those
        of running it alone with its own model.
    executor : {"auto", "reference"}
        Which economy runs the day (:data:`EXECUTORS`).

    Examples
    --------
    >>> from chainsim.data.toy import load_toy
    >>> from chainsim.engine import ModelParams, build_model
    >>> m = build_model(load_toy(), ModelParams.ario())
    >>> arrays = Engine(m, [[], []]).run(5)
    >>> arrays.output.shape
    (5, 2, 2)
    """

    #: Let the clock run on between steps when no event falls between them and no search can start one
    #: (results are the same either way; ``tests/test_ario_day.py``).
    lazy_clock: bool = True

    def __init__(self, model: EconomyModel, disruption_sets: Sequence[Sequence[Any]], *,
                 seeds: Sequence[Any] | None = None, member_params: Sequence[Any] | None = None,
                 executor: str = "auto") -> None:
        self.sets = [parse_disruptions(s) for s in disruption_sets]
        self.batch = len(self.sets)
        if self.batch == 0:
            raise ScenarioError("disruption_sets: expected at least one (possibly empty) set of disruptions")
        if executor not in EXECUTORS:
            raise ScenarioError(f"executor: expected one of {list(EXECUTORS)}; found {executor!r}")
        self.executor = executor
        self.member_params = None
        if member_params is not None:
            if isinstance(model, SparseModel):
                raise ScenarioError("member_params: members with their own parameters are not modelled on the "
                                    "sparse layout; run them one by one, or use a dense table")
            models = self._member_models(model, list(member_params))
            model = stack_members(model, models)
            self.member_params = [m.params for m in models]
        self.model = model
        seeds = [None] * self.batch if seeds is None else list(seeds)
        if len(seeds) != self.batch:
            raise ScenarioError(f"seeds: expected {self.batch} seeds (one per disruption set); found {len(seeds)}")
        self.seeds = seeds
        self.env = simpy.Environment()
        self.economy: Economy | None = None
        self.log: list[tuple[int, int, str, str, str]] = []
        tab = model.table  # "region|sector" in table order, without building a MultiIndex
        self._labels = [f"{r}|{s}" for r in tab.region_codes for s in tab.sector_codes]

    def _member_models(self, model: EconomyModel, members: list[Any]) -> list[EconomyModel]:
        if len(members) != self.batch:
            raise ScenarioError(f"member_params: expected {self.batch} entries (one per disruption set); "
                                f"found {len(members)}")
        built: dict[str, EconomyModel] = {}
        out = []
        for p in members:
            if isinstance(p, EconomyModel):
                out.append(p)
                continue
            p = resolve_params(p)
            if p == model.params:
                out.append(model)
                continue
            key = p.model_dump_json()
            if key not in built:
                built[key] = member_model(model, p)  # the table's arrays shared, the member's recomputed
            out.append(built[key])
        return out

    def params_of(self, b: int) -> ModelParams:
        """Behavioural parameters of batch member ``b``."""
        return self.model.params if self.member_params is None else self.member_params[b]

    def record(self, day: int, batch: int, kind: str, target: str, detail: str = "") -> None:
        """Append one event to the log."""
        self.log.append((int(day), int(batch), kind, target, detail))

    # ------------------------------------------------------------ the plan on the clock
    def _follow(self, steps: Steps, apply: Callable[[float], None], days: int) -> Generator[simpy.Event, Any, None]:
        """Enact each change of ``steps`` at the start of its day (within the horizon)."""
        for day, value in zip(steps.days.tolist(), steps.values.tolist(), strict=True):
            if day >= days:
                return
            if day > self.env.now:
                yield self.env.timeout(day - self.env.now)
            self.searches.flush()  # search actions due before this change see the state before it
            apply(value)

    def _start(self, gen: Generator[simpy.Event, Any, None]) -> None:
        self._procs.append(gen)
        self.env.process(gen)

    def _enact(self, plan: Plan, days: int) -> None:
        """Start one process per plan item."""
        for k, c in enumerate(plan.links):
            self._start(self._follow(c.closed, lambda v, b=c.batch, k=k: self._set_link(b, k, v), days))
        for k, r in enumerate(plan.routes):
            self._start(self._follow(r.loss, lambda v, b=r.batch, k=k: self._set_route(b, k, v), days))
        for k, d in enumerate(plan.demand):
            self._start(self._follow(d.factor, lambda v, k=k: self._set_demand(k, v), days))
        for k, s in enumerate(plan.substitutions):
            self._start(self._follow(s.sigma, lambda v, k=k, s=s: self.economy.set_substitution(
                k, s.batch, s.products, s.buyers, v), days))

    def _set_link(self, b: int, k: int, value: float) -> None:
        self._link_values[k] = value
        t = round(self.env.now)
        on = [(c, self._link_values[i]) for i, c in enumerate(self._plan.links) if c.batch == b and c.closed.active(t)]
        self.economy.set_closures(b, [(c.rows, c.cols, v) for c, v in on])
        if self._day.foreign_open is not None:
            self._day.foreign_open[b] = self._foreign_open([(c.rows, c.cols, v) for c, v in on])
        self._day.import_cut_on[b] = False
        for c, _ in on:
            if c.kind == "import_cut":
                self._day.import_cut_on[b, c.rows % self.model.n_sectors] = True

    def _foreign_open(self, closures: list[tuple[np.ndarray, np.ndarray, float]]) -> np.ndarray:
        r"""Share of each foreign origin's baseline flow left open by the closures (n_sup,).

        :math:`\omega_o = \sum_j \bar Z_{oj}\kappa_{oj} / \sum_j \bar Z_{oj}`.

        κ multiplies the open shares of every closure of a link, as the economies do (docs/model.md §5.4).
        """
        m = self.model
        f0 = m.n_dom_blocks * m.n_sectors
        out = np.ones(m.n_sup)
        kappa: dict[int, np.ndarray] = {}
        for rows, cols, share in closures:
            for i in np.asarray(rows)[np.asarray(rows) >= f0].tolist():
                kappa.setdefault(i, np.ones(m.n))[cols] *= 1.0 - share
        for i, k in kappa.items():
            tot = m.Zbar[i].sum()
            out[i] = (m.Zbar[i] * k).sum() / tot if tot > 0 else 1.0
        return out

    def _set_route(self, b: int, k: int, value: float) -> None:
        m, t = self.model, round(self.env.now)
        self._route_values[k] = value
        if not isinstance(self.economy, ReferenceEconomy):  # the fast executor has no routes: hand over
            self.economy = self.economy.to_reference(self._ring)
        loss, lead = np.zeros((m.n_blocks, m.table.n_regions)), m.base_lead.copy()
        for i, r in enumerate(self._plan.routes):
            if r.batch == b and r.loss.active(t):
                ix = np.ix_(r.blocks, r.regions)
                loss[ix] = 1.0 - (1.0 - loss[ix]) * (1.0 - self._route_values[i])
                lead[ix] = np.maximum(lead[ix], m.base_lead[ix] + r.extra_lead)
        self.economy.set_routes(b, loss, lead)

    def _set_demand(self, k: int, value: float) -> None:
        """Final demand: the baseline plus every change in force, never below zero (changes restore exactly)."""
        self._demand_values[k] = value
        b = self._plan.demand[k].batch
        change = sum((self._plan.demand[i].amount * self._demand_values[i] for i in self._demand_of_batch[b]),
                     np.zeros(self.model.n_sup))  # the member's own changes, in plan order (same sum as before)
        ybar = self.model.ybar
        self._day.final_demand[b] = ybar + np.maximum(change, -np.maximum(ybar, 0.0))

    # ---------------------------------------------------------------- the day
    def _economy(self, days: int, progress: Callable[[int, int], None] | None) -> Generator[simpy.Event, Any, None]:
        m, day, N = self.model, self._day, self.model.n
        below, back = (np.zeros((self.batch, N), dtype=bool) for _ in range(2))
        was_crashed = np.zeros(self.batch, dtype=bool)
        may_crash = m.quirks.negative_stock == "crash"
        low = np.atleast_2d((1.0 - m.params.milestone_share) * m.cap_ref[..., :N])  # capacity below: not recovered
        # the compiled loop (the module's name for it is the dispatcher itself once it has been called)
        records = bookkeeping.day_records if executor.AVAILABLE else bookkeeping.day_records_plain
        # Without supplier searches nothing the day does starts a process, so the clock need not stop
        # between two steps when no event falls between them: the next step follows at once and the
        # clock catches up before the next event (about 5 µs a day of SimPy saved; issue 22). Searches
        # start their processes at env.now, so with them the clock stops every day.
        lazy = self.lazy_clock and not m.params.resourcing
        yield self.env.timeout(0.5)
        for t in range(days):
            while self.env.peek() == self.env.now:  # events due at the step's time come before it
                yield self.env.timeout(0)
            day.t = t
            self.losses.delta(t, day.delta)
            for ev in self.losses.newly_ended:
                b, name = self._plan.event_names[ev]
                self.record(t, b, "disruption_recovered", name, "loss back to zero")
            day.rebuilding = self.losses.rebuild_demand(t, day.rebuild)
            self.searches.flush()
            self.searches.daily(t, after=False)
            econ = self.economy
            new = econ.step(day)
            self.losses.end_of_day(t, econ.phi_rebuild)
            n_back, n_crash = records(t, N, econ.x, econ.capacity, self.out, self.cap, low, below, back,
                                      econ.crashed if may_crash else None, was_crashed)
            if self.unmet is not None:
                self.unmet[t] = econ.unmet
            if self.done is not None:
                self.done[t] = econ.done_without
            if len(new.b):  # shortages: the first day an input binds
                day.reported[new.b, new.j] = True
                for b, j, p in zip(new.b, new.j, new.row, strict=True):
                    self.record(t, b, "shortage", self._labels[j], f"input {m.input_name(p)} binds")
                if m.params.resourcing:
                    self.searches.add(new.b, new.row, new.j)
            if n_back:  # back within the share
                for b, j in zip(*np.nonzero(back), strict=True):
                    self.record(t, b, "capacity_recovered", self._labels[j], f"within {m.params.milestone_share:.0%}")
            if n_crash:  # only BoARIO's quirks let a stock go negative
                for b in np.flatnonzero(econ.crashed & ~was_crashed):
                    self.crash_day[b] = t
                    self.record(t, b, "crash", "inventories", "a stock went negative")
                was_crashed |= econ.crashed
            self.searches.daily(t, after=True)
            if progress is not None:
                progress(t + 1, days)
            if lazy and self.env.peek() > t + 1.5:  # no event up to the next step (at t + 1.5)
                continue
            yield self.env.timeout(t + 1.5 - self.env.now)

    def run(self, days: int, progress: Callable[[int, int], None] | None = None,
            record: Sequence[str] = ("capacity", "unmet", "done_without"), out: np.ndarray | None = None) -> RunArrays:
        """Simulate ``days`` days and return the trajectories.

        Parameters
        ----------
        days : int
            Horizon; day 0 is a full step.
        progress : callable, optional
            Called as ``progress(done, days)`` after each day.
        record : sequence of {"capacity", "unmet", "done_without"}
            Trajectories kept besides output (unmet final demand is not computed if not kept; input
            done without is computed anyway, it costs one sum in the stock loop).
        out : ndarray (days, batch, N) of float64, optional
            Where output is written (and returned), as numpy's ``out=`` (a sweep worker reuses one
            buffer: :func:`reusable_output`).
        """
        if int(days) != days or days < 1:
            raise ScenarioError(f"days: expected a positive integer; found {days!r}")
        unknown = set(record) - {"capacity", "unmet", "done_without"}
        if unknown:
            raise ScenarioError(f"record: expected some of 'capacity', 'unmet', 'done_without'; "
                                f"found {sorted(unknown)}")
        if self.env.now > 0:
            raise SimulationError("this Engine has already run; build a new Engine for another run")
        days, m, B, N = int(days), self.model, self.batch, self.model.n
        if out is not None and (out.shape != (days, B, N) or out.dtype != np.float64 or not out.flags.writeable):
            raise ScenarioError(f"out: expected a writeable float64 array of shape {(days, B, N)}; "
                                f"found {out.dtype} {out.shape}")
        plan = compile_plan(m, self.sets, [np.random.default_rng(s) for s in self.seeds], days, self.member_params)
        self._plan, self._ring = plan, int(m.base_lead.max()) + plan.max_extra_lead() + 1
        fast = self.executor == "auto" and executor.supports(m)
        if isinstance(m, SparseModel):  # the ario day over links (no dense arrays to hand a run over to)
            if self.executor == "reference":
                raise ScenarioError("executor: 'reference' needs a dense model; this one has the sparse layout")
            self.economy = SparseEconomy(m, B)
        else:
            self.economy = executor.FastEconomy(m, B) if fast else ReferenceEconomy(m, B, self._ring)
        self.losses = CapacitySchedule(plan.rows(), len(plan.event_names), B, m.n_sup, series=plan.series,
                                       strict=m.quirks.loss_above_one == "error")
        self.losses.rebuilds = [Rebuild(s) for s in plan.rebuilds]
        self.losses.tabulate(days)
        z = np.zeros((B, m.n_sup))
        self._day = DayInputs(0, z, z.copy(), np.broadcast_to(m.ybar, (B, m.n_sup)).copy(),
                              np.zeros((B, m.n_sectors), dtype=bool), np.zeros((B, N), dtype=bool),
                              foreign_open=np.ones((B, m.n_sup)) if m.per_region_imports else None)
        self._link_values, self._route_values = np.zeros(len(plan.links)), np.zeros(len(plan.routes))
        self._demand_values = np.zeros(len(plan.demand))
        self._demand_of_batch: dict[int, list[int]] = {}  # a change re-sums its member's items only, not the plan's
        for i, d in enumerate(plan.demand):
            self._demand_of_batch.setdefault(d.batch, []).append(i)
        self.log = [(e.day, e.batch, e.kind, e.target, e.detail) for e in plan.log]
        self.searches = Searches(self.env, m, lambda: self.economy, self.record, self._labels, self.params_of)
        self.out = np.empty((days, B, N)) if out is None else out
        self.cap = np.empty((days, B, N)) if "capacity" in record else None
        self.unmet = np.empty((days, B)) if "unmet" in record else None
        self.done = np.empty((days, B)) if "done_without" in record else None
        self.economy.keep_unmet = self.unmet is not None
        self.crash_day = np.full(B, -1)
        self._procs: list[Generator[simpy.Event, Any, None]] = []
        self._enact(plan, days)
        self._start(self._economy(days, progress))
        self.env.run(until=days)
        self.searches.flush()  # actions due before the clock stopped
        for gen in self._procs:  # end the processes still waiting (no reference cycle keeps the engine alive)
            gen.close()
        self._procs.clear()
        self.searches.close()
        for b, d in enumerate(self.crash_day):
            if d >= 0:
                for a in (self.out, self.cap, self.unmet, self.done):
                    if a is not None:
                        a[d + 1:, b] = np.nan
        events = sorted(self.log, key=lambda e: (e[1], e[0]))
        return RunArrays(self.out, self.cap, self.unmet, events, self.crash_day.copy(), plan.samples, self.done)
