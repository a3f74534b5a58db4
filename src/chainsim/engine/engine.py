"""The small engine object: owns the ``simpy.Environment``, the batch state and the recorder.

The clock counts days. Discrete events (disruption start and end, link cut and restore,
import cut, congestion, final-demand change, supplier-search completion, substitution ramp)
happen at the start of a day (integer times); the daily economic update is one SimPy process
that runs at mid-day (``t + 0.5``) and calls the vectorised kernel for all B scenarios at
once. Shortages (the first day an input binds for an industry), capacity milestones (back
within ``milestone_share`` of baseline) and crashes are detected in the daily update and
recorded in the same event log.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from chainsim.engine import curves, fused
from chainsim.engine.disruptions import parse_disruptions
from chainsim.engine.kernel import Workspace, init_state, step
from chainsim.engine.links import apply_cut, densify, overrides_of, reset_open
from chainsim.engine.losses import LossSchedule
from chainsim.engine.members import stack_members
from chainsim.engine.model import EconomyModel, build_model, input_sum
from chainsim.engine.params import ModelParams, resolve_params
from chainsim.engine.resourcing import Searches
from chainsim.engine.schedule import Action, compile_plan
from chainsim.engine.state import SubOrders
from chainsim.errors import ScenarioError, SimulationError

__all__ = ["Engine", "RunArrays", "reusable_output"]


_LOCAL = threading.local()


def reusable_output(shape: tuple[int, int, int]) -> np.ndarray:
    """A (days, batch, N) output buffer for :meth:`Engine.run` (``out=``), reused by this thread.

    For callers that run batch after batch and reduce each batch's output before the next (sweep
    and scan workers): a fresh array of a few MB costs a page fault every 4 KB as the days are
    written, about 5 % of a run. One buffer per shape (at most four kept), per thread, as a Dask
    worker may run several chunks at once in its threads. The contents are overwritten by the
    next run of the same shape on this thread.
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
    """Raw trajectories of a batch run (daily flows).

    Attributes
    ----------
    output, capacity : (T, B, N)
        Production and production capacity of each domestic industry (capacity None if
        not recorded).
    unmet : (T, B) or None
        Final demand not met (None if not recorded).
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


class Engine:
    """Run B disruption sets through one model at once (the batch axis of the kernel).

    Parameters
    ----------
    model : EconomyModel
        Built with :func:`chainsim.engine.model.build_model`.
    disruption_sets : sequence of sequences
        One list of disruptions (dicts or models) per batch member.
    seeds : sequence of int, SeedSequence or None, optional
        One seed per batch member (all randomness of a member comes from its seed).
    member_params : sequence of ModelParams or EconomyModel, optional
        One set of behavioural parameters per batch member, differing from ``model.params``
        only in :data:`~chainsim.engine.members.BATCHABLE_PARAMS` (overproduction, inventory
        target, import headroom, criticality relief, re-sourcing and substitution timings,
        τ_R); the per-member arrays get a leading batch axis, the structural arrays stay
        shared. Each member's results are those of running it alone with its own model.

    Examples
    --------
    >>> from chainsim.data.toy import load_toy
    >>> from chainsim.engine import ModelParams, build_model
    >>> m = build_model(load_toy(), ModelParams.ario())
    >>> arrays = Engine(m, [[], []]).run(5)
    >>> arrays.output.shape
    (5, 2, 2)
    """

    def __init__(self, model: EconomyModel, disruption_sets: Sequence[Sequence[Any]],
                 *, seeds: Sequence[Any] | None = None, member_params: Sequence[Any] | None = None) -> None:
        self.sets = [parse_disruptions(s) for s in disruption_sets]
        self.batch = len(self.sets)
        if self.batch == 0:
            raise ScenarioError("disruption_sets: expected at least one (possibly empty) set of disruptions")
        self.member_params = None
        if member_params is not None:
            members = list(member_params)
            if len(members) != self.batch:
                raise ScenarioError(f"member_params: expected {self.batch} entries (one per disruption set); "
                                    f"found {len(members)}")
            built: dict[str, EconomyModel] = {}
            models = []
            for p in members:
                if isinstance(p, EconomyModel):
                    models.append(p)
                    continue
                p = resolve_params(p)
                if p == model.params:
                    models.append(model)
                    continue
                key = p.model_dump_json()
                if key not in built:
                    built[key] = build_model(model.table, p)
                models.append(built[key])
            model = stack_members(model, models)
            self.member_params = [m.params for m in models]
        self.model = model
        seeds = [None] * self.batch if seeds is None else list(seeds)
        if len(seeds) != self.batch:
            raise ScenarioError(f"seeds: expected {self.batch} seeds (one per disruption set); found {len(seeds)}")
        self.seeds = seeds
        self.env = simpy.Environment()
        self.state = init_state(model, self.batch)
        self.ws = Workspace(model, self.batch)
        if self.member_params is not None:
            self.ws.cut_no_headroom = model.restock and any(p.import_headroom > 1.0 for p in self.member_params)
        self.log: list[tuple[int, int, str, str, str]] = []
        tab = model.table  # "region|sector" in table order (the labels' order), without building a MultiIndex
        self._labels = [f"{r}|{s}" for r in tab.region_codes for s in tab.sector_codes]

    # ------------------------------------------------------------------ helpers
    def _start(self, gen: Generator[simpy.Event, Any, None]) -> None:
        """Start a SimPy process of this run (closed again by :meth:`_release`)."""
        self._procs.append(gen)
        self.env.process(gen)

    def _release(self) -> None:
        """After the run: end the processes still waiting and the searches' callbacks into this engine.

        They refer back to the engine, so without this the engine and its buffers (several MB a
        batch) would live on in a reference cycle until Python's next full garbage collection,
        which can be dozens of batches away: a sweep worker grew by about 10 MB a chunk. The
        state and workspace stay readable after the run.
        """
        for gen in self._procs:
            gen.close()
        self._procs.clear()
        self.searches.close()

    def params_of(self, b: int) -> ModelParams:
        """Behavioural parameters of batch member ``b``."""
        return self.model.params if self.member_params is None else self.member_params[b]

    def record(self, day: int, batch: int, kind: str, target: str, detail: str = "") -> None:
        """Append one event to the log."""
        self.log.append((int(day), int(batch), kind, target, detail))

    def _at(self, action: Action) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(action.day)
        if action.apply is not None:
            action.apply(self)
        self.record(action.day, action.batch, action.kind, action.target, action.detail)

    def _link_process(self, cut: dict, days: int) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(cut["start"])
        self._active_cuts.append(cut)
        self._refresh_links(cut["batch"])
        kind = cut["kind"]
        self.record(cut["start"], cut["batch"], f"{kind}_start", cut["target"],
                    f"{cut['name']}: share {cut['share']:.4g}")
        if cut["end"] >= days:
            return
        yield self.env.timeout(cut["end"] - cut["start"])
        rec = cut.get("recovery")
        if rec is not None:  # the open share recovers along the curve: share g(e) on day end + e - 1
            self.record(cut["end"], cut["batch"], f"{kind}_end", cut["target"], f"{cut['name']}: recovery begins")
            code, tau = rec
            share0, e = cut["share"], 1
            g = np.empty(1)
            while True:
                curves.evaluate(np.array([code]), np.array([float(e)]), np.array([tau]), g)
                if not g[0] >= 1e-6:
                    break
                cut["share"] = share0 * min(float(g[0]), 1.0)
                self._refresh_links(cut["batch"])
                if self.env.now + 1 >= days:
                    return
                yield self.env.timeout(1)
                e += 1
            cut["share"] = share0
        self._active_cuts = [c for c in self._active_cuts if c is not cut]
        self._refresh_links(cut["batch"])
        day = int(np.floor(self.env.now))
        if rec is None:
            self.record(day, cut["batch"], f"{kind}_end", cut["target"], f"{cut['name']}: restored")
        else:
            self.record(day, cut["batch"], f"{kind}_recovered", cut["target"], f"{cut['name']}: restored")

    def _refresh_links(self, b: int) -> None:
        self.searches.flush()  # search actions due before this change of the links see the links before it
        st, m = self.state, self.model
        if any(c["kind"] == "congestion" for c in self._active_cuts) or st.route_loss is not None:
            densify(m, st)  # per-route backlogs need explicit orders
            if st.route_loss is None:
                self._init_routes()
            st.route_loss[b], st.route_lead[b] = 0.0, m.base_lead
            for c in self._active_cuts:
                if c["batch"] == b and c["kind"] == "congestion":
                    ix = np.ix_(c["blocks"], c["regions"])
                    st.route_loss[b][ix] = 1.0 - (1.0 - st.route_loss[b][ix]) * (1.0 - c["share"])
                    st.route_lead[b][ix] = np.maximum(st.route_lead[b][ix], m.base_lead[ix] + c["lead"])
        reset_open(m, st, b)
        if m.restock:
            if st.import_cut_on is None:
                st.import_cut_on = np.zeros((self.batch, m.n_sectors), dtype=bool)
            st.import_cut_on[b] = False
        for c in self._active_cuts:
            if c["batch"] == b and c["kind"] != "congestion":
                apply_cut(m, st, b, c["rows"], c["cols"], c["share"])
                if c["kind"] == "import_cut" and st.import_cut_on is not None:
                    st.import_cut_on[b, c["rows"] % m.n_sectors] = True

    def _init_routes(self, ring: int = 0) -> None:
        """Switch on routes: explicit orders, route arrays, and a transit ring pre-filled at equilibrium."""
        st, m = self.state, self.model
        densify(m, st)
        B, nb, S, R, N = self.batch, m.n_blocks, m.n_sectors, m.table.n_regions, m.n
        st.route_loss = np.zeros((B, nb, R))
        st.route_lead = np.broadcast_to(m.base_lead, (B, nb, R)).copy()
        L = max(ring, int(m.base_lead.max()) + 1)
        if st.transit is None and L > 1:
            st.transit = np.zeros((L, B, m.n_inputs, N))
            Zb = m.Zbar.reshape(nb, S, R, S)
            for lead in np.unique(m.base_lead[m.base_lead > 0]):
                on = (Zb * (m.base_lead == lead)[:, None, :, None]).reshape(1, nb, S, N)
                # sent before day 0, arriving on days 0 .. lead-1
                st.transit[: int(lead)] += input_sum(m, on, np.empty((1, m.n_inputs, N)))

    def _input_name(self, row: int) -> str:
        return self.model.input_name(row)

    def _substitute_orders(self, cut: dict) -> Generator[simpy.Event, Any, None]:
        """Non-competitive imports: after a lag, domestic producers take over part of the unmet imported need.

        Only the cut products that are non-competitive have an imported input to substitute (for
        a competitive product, the "alt" split already moves orders to domestic producers).
        From ``start + substitution_lag_days`` the share σ of the imported-p need left unmet by
        the foreign suppliers that buyers order from domestic producers of p ramps from 0 to
        ``substitution_share`` over ``ramp_days`` (:class:`~chainsim.engine.state.SubOrders`);
        when the cut ends it ramps back to 0.
        """
        prm, m, st = self.params_of(cut["batch"]), self.model, self.state
        yield self.env.timeout(cut["start"] + prm.substitution_lag_days)
        if self.env.now >= cut["end"]:
            return
        b, S, R = cut["batch"], m.n_sectors, m.table.n_regions
        prods = np.unique(cut["rows"] % S)
        ps = np.repeat(prods, len(cut["cols"]))
        js = np.tile(cut["cols"], len(prods))
        mrow = m.import_row[ps]
        keep = (mrow >= S) & (m.AC[mrow, js] > 0)  # buyers of an imported non-competitive product
        ps, js = ps[keep], js[keep]
        if not len(ps):
            return
        dom = m.xbar[: m.n].reshape(R, S)[:, ps].T  # (K, R) domestic producers of each product
        tot = dom.sum(axis=1, keepdims=True)
        share = np.divide(dom, tot, out=np.zeros_like(dom), where=tot > 0)
        K = len(ps)
        ks = np.zeros(K, dtype=int)
        if st.orders is None:
            ks = overrides_of(m, st).ensure(m, b, ps)
        new = SubOrders(b=np.full(K, b), p=ps, j=js, share=share, sigma=np.zeros(K), ks=ks, placed=np.zeros((K, R)))
        if st.sub is None:
            k0, st.sub = 0, new
        else:
            old = st.sub
            k0 = len(old.b)
            st.sub = SubOrders(*(np.concatenate([getattr(old, f), getattr(new, f)]) for f in
                                 ("b", "p", "j", "share", "sigma", "ks", "placed")))
        sel = slice(k0, k0 + K)
        n = max(1, round(prm.ramp_days))
        self.record(int(np.floor(self.env.now)), b, "substitution_ramp_start", cut["target"],
                    f"{cut['name']}: domestic producers take over up to {prm.substitution_share:.0%} of the unmet "
                    f"imported need over {n} days")
        for k in range(1, n + 1):
            st.sub.sigma[sel] = prm.substitution_share * k / n
            yield self.env.timeout(1)
        if self.env.now < cut["end"]:
            yield self.env.timeout(cut["end"] - self.env.now)
        self.record(int(np.floor(self.env.now)), b, "substitution_revert_start", cut["target"],
                    f"{cut['name']}: imports restored")
        for k in range(n - 1, -1, -1):
            st.sub.sigma[sel] = prm.substitution_share * k / n
            yield self.env.timeout(1)

    # ---------------------------------------------------------------- the day
    def _economy(self, days: int, progress: Callable[[int, int], None] | None) -> Generator[simpy.Event, Any, None]:
        m, st, ws = self.model, self.state, self.ws
        N = m.n
        below, back, now_low = (np.zeros((self.batch, N), dtype=bool) for _ in range(3))
        was_crashed = np.zeros(self.batch, dtype=bool)
        delta = np.zeros((self.batch, m.n_sup))
        low = np.ascontiguousarray(np.atleast_2d((1.0 - m.params.milestone_share) * m.cap_ref[..., :N]))
        # (1 or B, N): capacity below this is not recovered
        yield self.env.timeout(0.5)
        for t in range(days):
            self.losses.delta(t, delta)
            for ev in self.losses.newly_ended:
                b, name = self._event_names[ev]
                self.record(t, b, "disruption_recovered", name, "loss back to zero")
            ws.has_rebuild = self.losses.rebuild_demand(t, ws.reb_demand)
            self.searches.flush()
            self.searches.daily(t, after=False)
            step(m, st, ws, t, delta)
            self.searches.stepped_at = self.env.now
            self.losses.end_of_day(t, ws.phi)
            self.out[t] = ws.x[:, :N]
            if self.cap is not None:
                self.cap[t] = ws.capacity[:, :N]
            if self.unmet is not None:
                self.unmet[t] = ws.unmet
            # shortages: first day an input binds (marked by production)
            if ws.n_new_binding:
                bs, js = np.nonzero(ws.bind_row >= 0)
                ws.reported[bs, js] = True
                rows = ws.bind_row[bs, js]
                for b, j, p in zip(bs, js, rows, strict=True):
                    self.record(t, b, "shortage", self._labels[j], f"input {self._input_name(p)} binds")
                if m.params.resourcing:
                    self.searches.add(bs, rows, js)
            # capacity milestones: industries back within the milestone share today
            if fused.active(m):
                n_back = fused.kernels().milestones(ws.capacity, low, below, back)
            else:
                np.less(ws.capacity[:, :N], low, out=now_low)
                np.greater(below, now_low, out=back)
                below[:] = now_low
                n_back = back.any()
            if n_back:
                for b, j in zip(*np.nonzero(back), strict=True):
                    self.record(t, b, "capacity_recovered", self._labels[j], f"within {m.params.milestone_share:.0%}")
            if m.params.ario_quirks and st.crashed.any():  # only ARIO lets a stock go negative
                for b in np.flatnonzero(st.crashed & ~was_crashed):
                    self.crash_day[b] = t
                    self.record(t, b, "crash", "inventories", "a stock went negative")
                was_crashed |= st.crashed
            self.searches.daily(t, after=True)
            if progress is not None:
                progress(t + 1, days)
            yield self.env.timeout(1)

    def run(self, days: int, progress: Callable[[int, int], None] | None = None,
            record: Sequence[str] = ("capacity", "unmet"), out: np.ndarray | None = None) -> RunArrays:
        """Simulate ``days`` days and return the trajectories.

        Parameters
        ----------
        days : int
            Horizon; day 0 is a full step.
        progress : callable, optional
            Called as ``progress(done, days)`` after each day.
        record : sequence of {"capacity", "unmet"}
            Trajectories kept besides output (a sweep that needs only output skips the
            others, and unmet final demand is then not computed); the others are None.
        out : ndarray (days, batch, N) of float64, optional
            Where output is written (and returned as ``RunArrays.output``), as numpy's ``out=``.
            A caller that runs many batches one after the other (a sweep worker) reuses one
            buffer: a fresh array of a few MB is new memory, and writing it day by day costs a
            page fault every 4 KB (about 30 µs a day at 16 runs a batch, 5 % of the run).
        """
        if int(days) != days or days < 1:
            raise ScenarioError(f"days: expected a positive integer; found {days!r}")
        unknown = set(record) - {"capacity", "unmet"}
        if unknown:
            raise ScenarioError(f"record: expected 'capacity' and/or 'unmet'; found {sorted(unknown)}")
        if self.env.now > 0:
            raise SimulationError("this Engine has already run; build a new Engine for another run")
        days = int(days)
        shape = (days, self.batch, self.model.n)
        if out is not None and (out.shape != shape or out.dtype != np.float64 or not out.flags.writeable):
            raise ScenarioError(f"out: expected a writeable float64 array of shape {shape}; "
                                f"found {out.dtype} {out.shape}")
        m = self.model
        rngs = [np.random.default_rng(s) for s in self.seeds]
        plan = compile_plan(m, self.sets, rngs, days, self.member_params)
        self.losses = LossSchedule(plan.loss_rows(), len(plan.event_names), self.batch, m.n_sup,
                                   strict=m.params.ario_quirks)
        self.losses.rebuilds = plan.rebuilds
        self.losses.tabulate(days)
        self._event_names = plan.event_names
        self._active_cuts: list[dict] = []
        self.searches = Searches(self.env, m, self.state, self.ws, self.record, self._labels, self.params_of)
        T, B, N = days, self.batch, m.n
        self.out = np.empty((T, B, N)) if out is None else out
        self.cap = np.empty((T, B, N)) if "capacity" in record else None
        self.unmet = np.empty((T, B)) if "unmet" in record else None
        self.ws.keep_unmet = self.unmet is not None
        self.crash_day = np.full(B, -1)
        self._procs: list[Generator[simpy.Event, Any, None]] = []
        for a in sorted(plan.actions, key=lambda a: a.day):
            if a.day < days:
                self._start(self._at(a))
        extra = max([c.get("lead", 0) for c in plan.link_cuts if c["kind"] == "congestion"], default=0)
        if m.base_lead.any():
            self._init_routes(int(m.base_lead.max()) + extra + 1)
        elif extra > 0:
            self.state.transit = np.zeros((extra + 1, B, m.n_inputs, N))
        for cut in plan.link_cuts:
            self._start(self._link_process(cut, days))
        if not m.params.ario_quirks and m.n_classes == 2:
            for cut in plan.import_cuts:
                if self.params_of(cut["batch"]).substitution_share > 0:
                    self._start(self._substitute_orders(cut))
        self._start(self._economy(days, progress))
        self.env.run(until=days)
        self.searches.flush()  # actions due before the clock stopped
        self._release()
        for b, d in enumerate(self.crash_day):
            if d >= 0:
                for a in (self.out, self.cap, self.unmet):
                    if a is not None:
                        a[d + 1:, b] = np.nan
        events = sorted(self.log, key=lambda e: (e[1], e[0]))
        return RunArrays(self.out, self.cap, self.unmet, events, self.crash_day.copy(), plan.samples)
