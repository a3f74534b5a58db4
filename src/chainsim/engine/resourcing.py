r"""Re-sourcing after a shortage, for every batch member at once: search, ramp, revert.

When an input first binds for buyer j (a *shortage*), the buyer looks for other suppliers
of that input (Inoue & Todo 2019; Pichler et al. 2022 discuss the same adaptation):

1. after ``detection_lag_days`` the search starts, after ``search_days`` more it completes;
2. on completion the lost share of the column's baseline purchases,
   :math:`\sum_a W_a (1 - \text{able}_a)` with :math:`\text{able}_a = \min(c_a/\bar c_a, 1)\,\kappa_a`,
   is moved to the suppliers of the input with spare capacity :math:`\max(c_a - x_a, 0)`, in
   proportion to it (suppliers never used before included); the weights ramp linearly to
   this target over ``ramp_days`` days;
3. the substitution is temporary: from the day after the ramp ends the buyer checks daily
   whether every original supplier can deliver again (capacity ratio x open share within
   ``milestone_share`` of 1) and then ramps back over the same number of days.

Timing
------
Each search is a light SimPy process that only keeps time: a shortage seen in the step of
day t (at mid-day, ``t + 0.5``) starts its clock, and its actions fall due at the times the
delays add up to; each acts on the first daily step at or after its due time (the clock's
rounding rule, :mod:`chainsim.engine.clock`), and the log names that day. A process that
wakes only notes that its search has an action due; the actions themselves (computing a
target, setting link weights, checking suppliers) are enacted together, vectorised over all
searches of all members, at the next *barrier*: just before a daily step or a change of the
plan. Once a search completes it acts once a day; when those actions fall off the whole hour
(nothing else a search reads can happen at the same time), its clock stops and the daily step
enacts them, just before itself (due up to its time) or just after (due before the next day
starts) (:meth:`Searches.daily`). Searches touch distinct columns (one per member and buyer)
and read only the links and the last day's production, so enacting them at the barrier gives
the same result as one by one, at a fraction of the cost.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from typing import Any

import numpy as np
import simpy

from chainsim.disruptions.plan import day_of
from chainsim.engine.economy import Economy
from chainsim.engine.model import EconomyModel

__all__ = ["Searches"]

_START, _COMPLETE, _RAMP, _RAMP_END, _CHECK, _REVERT, _DONE = range(7)
_CLOCK, _PRE, _POST = range(3)  # how a search's daily actions are timed


class Searches:
    """Every supplier search of a batch: one row per (member, buyer), enacted in vectorised batches.

    Parameters
    ----------
    env : simpy.Environment
        The engine's clock.
    model : EconomyModel
    economy : callable
        Returns the engine's economy (read and written at barriers; the engine may hand a run
        over to another economy).
    record : callable
        ``record(day, batch, kind, target, detail)``: the engine's event log.
    labels : sequence of str
        Region|sector label of each buyer.
    params_of : callable
        Behavioural parameters of batch member b.
    """

    #: enact each action the moment it falls due, one by one (the reference the tests compare with)
    eager: bool = False

    def __init__(self, env: simpy.Environment, model: EconomyModel, economy: Callable[[], Economy],
                 record: Callable[..., None], labels: Sequence[str], params_of: Callable[[int], Any]) -> None:
        self.env, self.model, self._economy = env, model, economy
        self._record, self._labels, self._params_of = record, labels, params_of
        self._clocks: list[Generator[simpy.Event, Any, None]] = []  # closed by close()
        nb = model.n_blocks
        i = np.zeros(0, dtype=int)
        self.b, self.row, self.p, self.j, self.n = i, i.copy(), i.copy(), i.copy(), i.copy()
        self.phase, self.k = i.copy(), i.copy()
        self.milestone = np.zeros(0)
        self.base, self.target = np.zeros((0, nb)), np.zeros((0, nb))
        self.inrng, self.used = np.zeros((0, nb), dtype=bool), np.zeros((0, nb), dtype=bool)
        self.ref = np.zeros((0, nb))  # each search's suppliers' reference capacities (> 0; 1 where 0)
        self._due: list[tuple[int, float]] = []  # (search, time) of actions noted since the last barrier
        # after completion a search acts once a day; off the whole hour it is enacted by the daily step:
        # before it (PRE, due in the half day before the step) or after it (POST, the half day after)
        self.mode, self.day, self.x = i.copy(), i.copy(), np.zeros(0)

    def __len__(self) -> int:
        return len(self.b)

    def add(self, b: np.ndarray, row: np.ndarray, j: np.ndarray) -> None:
        """Start searches for shortages seen now (members b, input rows, buyers j)."""
        if not len(b):
            return
        m, Q, q0 = self.model, len(b), len(self.b)
        prm = [self._params_of(int(bb)) for bb in b]
        p = m.input_product[row]
        self.b, self.row, self.p, self.j = (np.r_[self.b, b], np.r_[self.row, row], np.r_[self.p, p],
                                            np.r_[self.j, j])
        self.n = np.r_[self.n, [max(1, round(x.ramp_days)) for x in prm]]
        self.milestone = np.r_[self.milestone, [x.milestone_share for x in prm]]
        self.phase, self.k = np.r_[self.phase, np.full(Q, _START)], np.r_[self.k, np.zeros(Q, dtype=int)]
        nb = m.n_blocks
        self.base = np.vstack([self.base, np.zeros((Q, nb))])
        self.target = np.vstack([self.target, np.zeros((Q, nb))])
        self.inrng = np.vstack([self.inrng, m.row_suppliers(row)])  # the suppliers of the input (either slot)
        nodes = np.arange(nb)[None, :] * m.n_sectors + p[:, None]
        cref = m.cap_ref[b[:, None], nodes] if m.cap_ref.ndim == 2 else m.cap_ref[nodes]  # fixed for the run
        self.ref = np.vstack([self.ref, np.where(cref > 0, cref, 1.0)])
        self.used = np.vstack([self.used, np.zeros((Q, nb), dtype=bool)])
        self.mode, self.day, self.x = (np.r_[self.mode, np.full(Q, _CLOCK)], np.r_[self.day, np.zeros(Q, dtype=int)],
                                       np.r_[self.x, np.zeros(Q)])
        for k, x in enumerate(prm):
            clock = self._clock(q0 + k, x.detection_lag_days, x.search_days)
            self._clocks.append(clock)
            self.env.process(clock)

    def close(self) -> None:
        """After the run: end the clocks still waiting and drop the engine's callbacks (no reference cycles)."""
        for clock in self._clocks:
            clock.close()
        self._clocks.clear()
        self._record = self._params_of = self._economy = None

    def _clock(self, q: int, lag: float, search: float) -> Generator[simpy.Event, Any, None]:
        """Note each action of search q when it falls due: start, completion, then daily until done."""
        env = self.env
        yield env.timeout(lag)
        self._note(q)
        yield env.timeout(search)
        self._note(q)
        x = env.now + 1.0  # the first daily action
        if not self.eager and x % 1.0 != 0.0:
            # off the whole hour nothing else that a search reads can happen at the same time:
            # the daily step enacts the search, before itself (due up to the step's time, mid-day
            # included) or after itself (due before the next day starts)
            if x % 1.0 <= 0.5:
                self.mode[q], self.day[q] = _PRE, math.floor(x)
            else:
                self.mode[q], self.day[q] = _POST, math.floor(x - 0.5)
            self.x[q] = x
            return
        while True:
            yield env.timeout(1)
            ph = self.phase[q]
            if ph == _DONE:
                return
            if ph == _RAMP_END:  # the day after the ramp: the checks start tomorrow
                self.phase[q] = _CHECK
                continue
            self._note(q)

    def daily(self, day: int, after: bool) -> None:
        """Enact the daily actions due before (``after=False``) or after the step of ``day``."""
        if not len(self.b):
            return
        sel = np.flatnonzero((self.mode == (_POST if after else _PRE)) & (self.day == day) & (self.phase != _DONE))
        if not len(sel):
            return
        idle = self.phase[sel] == _RAMP_END  # the day after the ramp: the checks start tomorrow
        self.phase[sel[idle]] = _CHECK
        act = sel[~idle]
        x = self.x[act]
        self.day[sel] += 1
        self.x[sel] += 1.0
        if len(act):
            self._enact(act, x)

    def _note(self, q: int) -> None:
        self._due.append((q, self.env.now))
        if self.eager:
            self.flush()

    # ------------------------------------------------------------ barriers
    def flush(self) -> None:
        """Enact every action noted since the last barrier (call before a step or a change of the links).

        A search whose start and completion both fell due since the last barrier is enacted in
        two rounds, in order.
        """
        while self._due:
            now: dict[int, float] = {}
            later = []
            for q, x in self._due:
                if q in now:
                    later.append((q, x))
                else:
                    now[q] = x
            self._due = later
            self._enact(np.fromiter(now.keys(), dtype=int, count=len(now)),
                        np.fromiter(now.values(), dtype=float, count=len(now)))

    def _enact(self, q: np.ndarray, x: np.ndarray) -> None:
        """One action of each search q (distinct), due at times x."""
        ph = self.phase[q]
        for i in np.flatnonzero(ph == _START):
            self._log(q[i], "supplier_search_start", "", x[i])
        self.phase[q[ph == _START]] = _COMPLETE
        for phase, act in ((_COMPLETE, self._complete), (_CHECK, self._check)):
            sel = ph == phase
            if sel.any():
                act(q[sel], x[sel])
        sel = ph == _RAMP
        if sel.any():
            self._ramp_step(q[sel])
        sel = ph == _REVERT
        if sel.any():
            self._revert_step(q[sel])

    def _log(self, q: int, kind: str, extra: str, x: float) -> None:
        name = self.model.input_name(int(self.row[q]))
        self._record(day_of(x), int(self.b[q]), kind, self._labels[int(self.j[q])], f"product {name}{extra}")

    def _able(self, q: np.ndarray, K: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Suppliers' rows and their deliverable share (capacity ratio x open share), (Q, blocks)."""
        rows = np.arange(self.model.n_blocks)[None, :] * self.model.n_sectors + self.p[q][:, None]
        return rows, np.clip(self._economy().capacity[self.b[q][:, None], rows] / self.ref[q], 0.0, 1.0) * K

    def _complete(self, q: np.ndarray, x: np.ndarray) -> None:
        """Search complete: move the lost share of the column to suppliers with spare capacity, ramp starts."""
        econ = self._economy()
        for i, xi in zip(q, x, strict=True):
            self._log(i, "supplier_search_complete", "", xi)
        base, K = econ.columns(self.b[q], self.p[q], self.j[q])
        rows, able = self._able(q, K)
        inr = self.inrng[q]
        bq = self.b[q][:, None]
        spare = np.clip(econ.capacity[bq, rows] - econ.x[bq, rows], 0.0, None) * ((able > 0) & inr)
        lost = (base * (1.0 - able) * inr).sum(axis=1)
        tot = spare.sum(axis=1)
        go = (lost > 0) & (tot > 0)
        self.phase[q[~go]] = _DONE
        if not go.any():
            return
        q, x, base, inr = q[go], x[go], base[go], inr[go]
        self.base[q] = base
        self.target[q] = np.where(inr, base * able[go] + lost[go, None] * spare[go] / tot[go, None], base)
        self.used[q] = (base > 0) & inr
        for i, xi in zip(q, x, strict=True):
            self._log(i, "substitution_ramp_start", f" over {int(self.n[i])} days", xi)
        self.phase[q], self.k[q] = _RAMP, 0
        self._ramp_step(q)

    def _ramp_step(self, q: np.ndarray) -> None:
        self._step_weights(q, self.base[q], self.target[q], _RAMP_END)

    def _step_weights(self, q: np.ndarray, frm: np.ndarray, to: np.ndarray, last: int) -> None:
        """Day k of n of a linear ramp of the column weights from ``frm`` to ``to``; phase ``last`` after day n."""
        self.k[q] += 1
        w = frm + (to - frm) * (self.k[q] / self.n[q])[:, None]
        self._economy().set_weights(self.b[q], self.p[q], self.j[q], w)
        self.phase[q[self.k[q] == self.n[q]]] = last

    def _check(self, q: np.ndarray, x: np.ndarray) -> None:
        """Temporary substitution: revert once every original supplier can deliver again."""
        _, K = self._economy().columns(self.b[q], self.p[q], self.j[q])
        _, now = self._able(q, K)
        ok = ((now >= 1.0 - self.milestone[q][:, None]) | ~self.used[q]).all(axis=1)
        q, x = q[ok], x[ok]
        if not len(q):
            return
        for i, xi in zip(q, x, strict=True):
            self._log(i, "substitution_revert_start", "", xi)
        self.phase[q], self.k[q] = _REVERT, 0
        self._revert_step(q)

    def _revert_step(self, q: np.ndarray) -> None:
        self._step_weights(q, self.target[q], self.base[q], _DONE)
