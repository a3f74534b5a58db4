r"""The capacity schedule: capacity loss :math:`\Delta_t` of every supply node and rebuilding demand, by day.

Capacity-type disruptions compile into *loss rows* (:class:`~chainsim.disruptions.plan.LossRows`,
one per batch member and supply node). A curve row holds the loss at its full value from day
``t_full``, then follows a recovery curve from day ``t_rec`` at elapsed time
``e = t - t_rec + e0``, optionally rounded to ``decimals`` (BoARIO rounds capital damages to 7
decimals in currency and arbitrary shares to 6; ``ARIO_SPEC.md`` §6). A tabulated row holds
its daily values (a profile). Additive rows (capital destroyed) add up and are divided by the
row's ``unit`` (capital K, or 1 for shares); the others combine by max. A disruption ends for
good on the first recovery day on which all its rows are zero.

Rebuilding (§6.3) is state-dependent: a :class:`Rebuild` holds its remaining stock R and
adds :math:`R/\tau_R` to demand every day of its rebuilding phase.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chainsim.disruptions import curves
from chainsim.disruptions.plan import LossRows, RebuildSpec
from chainsim.errors import SimulationError

__all__ = ["CapacitySchedule", "Rebuild"]


class Rebuild:
    """The state of a rebuilding event (:class:`~chainsim.disruptions.plan.RebuildSpec`, ARIO_SPEC §6.3).

    ``stock`` (n_sup, k) is the remaining rebuilding demand R, supplier nodes x damaged
    industries (a copy of the plan's, shrinking day by day); ``finished`` once it is all rebuilt.
    The other attributes are the plan's: ``batch``, ``targets``, ``damage`` (L), ``start``,
    ``duration``, ``tau`` (τ_R), ``unit`` (capital K of the targets), ``decimals``.
    """

    def __init__(self, spec: RebuildSpec) -> None:
        self.spec, self.stock, self.finished = spec, spec.stock.copy(), False
        self.batch, self.targets, self.damage, self.unit = spec.batch, spec.targets, spec.damage, spec.unit
        self.start, self.duration, self.tau, self.decimals = spec.start, spec.duration, spec.tau, spec.decimals

    def rebuilding(self, t: int) -> bool:
        """Whether day ``t`` is in the rebuilding phase."""
        return not self.finished and t >= self.start + self.duration

    def damage_on(self, t: int) -> np.ndarray:
        """Damage in force on day ``t`` for each target."""
        if self.finished or t < self.start:
            return np.zeros_like(self.damage)
        if t <= self.start + self.duration:
            return self.damage
        return self.stock.sum(axis=0)

    def end_of_day(self, t: int, phi: np.ndarray) -> None:
        """Reduce R by what was delivered today (``phi``: served share of each supplier)."""
        if not self.rebuilding(t):
            return
        R = self.stock - (self.stock / self.tau) * phi[:, None]
        if self.decimals >= 0:
            R = np.round(R, self.decimals)
        else:  # default model: a column is rebuilt once below 1e-6 of its damage
            R[R < 1e-6 * self.damage[None, :]] = 0.0
        R[R < 0] = 0.0
        self.stock = R
        if not R.any():
            self.finished = True


_NONE = np.zeros(0, dtype=int)


def _padded(series: list[np.ndarray]) -> np.ndarray:
    """Daily tables of tabulated rows as one (n, longest) array, zero-padded."""
    n = max((len(a) for a in series), default=0)
    out = np.zeros((len(series), n))
    for k, a in enumerate(series):
        out[k, : len(a)] = a
    return out


@dataclass(frozen=True)
class _Table:
    """Losses of every day, tabulated by :meth:`LossSchedule.tabulate`."""

    nodes: np.ndarray  # (k,) flat (member, supply node) indices some loss row touches
    loss: np.ndarray  # (days, k) the loss on each day, other nodes zero
    ends_on: dict[int, np.ndarray]  # day -> the events that end for good that day
    bad: tuple[int, int, int, float] | None  # (day, member, node, loss) of the first loss above one


class CapacitySchedule:
    r"""Evaluates :math:`\\Delta_t` for every batch member from loss rows and rebuild events."""

    def __init__(self, rows: LossRows, n_events: int, batch: int, n_sup: int, *, strict: bool,
                 end_tol: float = 1e-6, series: list[np.ndarray] | None = None) -> None:
        self.rows = rows
        self.series = _padded(series or [])
        self.batch, self.n_sup = batch, n_sup
        self.ended = np.zeros(n_events, dtype=bool)
        self.strict = strict
        self.end_tol = end_tol
        self.flat = rows.batch * n_sup + rows.node
        self.n_events = n_events
        self._decimals = np.unique(rows.decimals)
        self._first = int(rows.t_full.min()) if len(rows.node) else 0
        self._tabulated = rows.series >= 0
        self.rebuilds: list[Rebuild] = []
        self._table: _Table | None = None
        self.newly_ended: np.ndarray = np.zeros(0, dtype=int)  # events that ended on the last day asked

    def active_nodes(self, t: int) -> np.ndarray:
        """Boolean (n_rows,) of rows in force on day ``t``."""
        return (t >= self.rows.t_full) & ~self.ended[self.rows.event]

    def _curve_values(self, t: int | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows in recovery and each row's loss along its curve, rounded, on day ``t`` (or days: a column)."""
        r = self.rows
        rec = t >= r.t_rec
        g = np.ones(rec.shape)
        if rec.any():
            e = (t - r.t_rec + r.e0).astype(float)
            gr = np.empty(int(rec.sum()))
            codes, tau = np.broadcast_to(r.curve, rec.shape), np.broadcast_to(r.tau, rec.shape)
            curves.evaluate(codes[rec], e[rec], tau[rec], gr)
            g[rec] = gr
        val = r.amount * g
        if self._tabulated.any():  # a row's daily table, 0 after it
            sel = np.broadcast_to(self._tabulated, rec.shape)
            k = np.broadcast_to(t - r.t_full, rec.shape)[sel]
            n = self.series.shape[1]
            inside = (k >= 0) & (k < n)
            tab = self.series[np.broadcast_to(r.series, rec.shape)[sel], np.clip(k, 0, max(n - 1, 0))]
            val[sel] = np.broadcast_to(r.amount, rec.shape)[sel] * np.where(inside, tab, 0.0)
        for d in self._decimals:
            sel = rec & (r.decimals == d)
            if d >= 0:
                val[sel] = np.round(val[sel], int(d))
            else:
                val[sel & (val < 0.0)] = 0.0
                val[sel & (g < self.end_tol)] = 0.0
        return rec, val

    def values(self, t: int) -> np.ndarray:
        """Loss of each row on day ``t`` (currency for capital rows, share otherwise)."""
        r = self.rows
        if len(r.node) == 0:
            return np.zeros(0)
        rec, val = self._curve_values(t)
        val[~self.active_nodes(t)] = 0.0
        # an event ends for good on its first recovery day with every row at zero
        nz = np.bincount(r.event, weights=(val != 0), minlength=self.n_events)
        in_rec = np.bincount(r.event, weights=rec, minlength=self.n_events) > 0
        newly = in_rec & (nz == 0) & ~self.ended
        if newly.any():
            self.ended |= newly
            self.newly_ended = np.flatnonzero(newly)
        return val

    def tabulate(self, days: int) -> None:
        """Evaluate every day's loss up front, for :meth:`delta` to copy.

        Without rebuilding events the loss rows depend on the day alone, so days
        ``0 .. days-1`` are computed in one vectorised pass: the same elementwise
        operations in the same order as :meth:`values` and :meth:`delta`, so the losses,
        the days events end and the error for a loss above one are identical. With
        rebuilding (state-dependent) this does nothing and :meth:`delta` computes each day.
        """
        if self.rebuilds:
            return
        r, ns = self.rows, self.n_sup
        n = len(r.node)
        t = np.arange(days)[:, None]
        pos, col = np.unique(self.flat, return_inverse=True)  # the supply nodes some row touches
        k = len(pos)
        rec, val = self._curve_values(t)
        val[~(t >= r.t_full)] = 0.0
        # an event ends on its first recovery day (from the first loss day on) with every row at zero
        onehot = np.zeros((n, self.n_events))
        onehot[np.arange(n), r.event] = 1.0
        ends = ((rec.astype(float) @ onehot) > 0) & ((val != 0).astype(float) @ onehot == 0) & (t >= self._first)
        end_day = np.where(ends.any(axis=0), ends.argmax(axis=0), days)
        val[t > end_day[r.event]] = 0.0
        add = r.additive
        table = np.bincount((t * k + col[add]).ravel(), weights=(val[:, add] / r.unit[add]).ravel(),
                            minlength=days * k).astype(float).reshape(days, k)
        if (~add).any():
            np.maximum.at(table.reshape(-1), (t * k + col[~add]).ravel(), val[:, ~add].ravel())
        bad = None
        if self.strict and (table > 1.0).any():
            day, c = np.argwhere(table > 1.0)[0]
            bad = (int(day), int(pos[c]) // ns, int(pos[c]) % ns, float(table[day, c]))
        np.clip(table, 0.0, 1.0, out=table)
        ends_on = {int(d): np.flatnonzero(end_day == d) for d in np.unique(end_day[end_day < days])}
        self._table = _Table(pos, table, ends_on, bad)

    def delta(self, t: int, out: np.ndarray) -> np.ndarray:
        """Write today's capacity loss, shape (B, n_sup), into ``out`` (spec §6.4)."""
        self.newly_ended = _NONE
        if self._table is not None and t < len(self._table.loss):
            tb = self._table
            if tb.bad is not None and t == tb.bad[0]:
                raise SimulationError(f"day {t}: capacity loss {tb.bad[3]:.6g} > 1 at node {tb.bad[2]} (batch member "
                                      f"{tb.bad[1]}): capital destroyed exceeds the capital stock")
            out.reshape(-1)[tb.nodes] = tb.loss[t]
            if t in tb.ends_on:
                self.newly_ended = tb.ends_on[t]
                self.ended[self.newly_ended] = True
            return out
        r = self.rows
        B, ns = self.batch, self.n_sup
        quiet = (len(r.node) == 0 or t < self._first or self.ended.all()) and not any(
            rb.damage_on(t).any() for rb in self.rebuilds)
        if quiet:  # nothing in force: no loss (the common case before and after the shocks)
            out.fill(0.0)
            return out
        val = self.values(t)
        add = r.additive
        sums = np.bincount(self.flat[add], weights=val[add] / r.unit[add], minlength=B * ns).astype(float)
        for rb in self.rebuilds:
            dmg = rb.damage_on(t)
            if dmg.any():
                sums[rb.batch * ns + rb.targets] += dmg / rb.unit
        out.reshape(-1)[:] = sums
        if (~add).any():
            np.maximum.at(out.reshape(-1), self.flat[~add], val[~add])
        if self.strict and (out > 1.0).any():
            b, i = np.argwhere(out > 1.0)[0]
            raise SimulationError(f"day {t}: capacity loss {out[b, i]:.6g} > 1 at node {i} (batch member {b}): "
                                  "capital destroyed exceeds the capital stock")
        np.clip(out, 0.0, 1.0, out=out)
        return out

    def rebuild_demand(self, t: int, out: np.ndarray) -> bool:
        """Write today's rebuilding demand R/τ_R into ``out`` (B, n_sup); return whether any.

        Without rebuilding events ``out`` is left as it is (the engine's stays zero).
        """
        if not self.rebuilds:
            return False
        out.fill(0.0)
        any_ = False
        for rb in self.rebuilds:
            if rb.rebuilding(t):
                out[rb.batch] += rb.stock.sum(axis=1) / rb.tau
                any_ = True
        return any_

    def end_of_day(self, t: int, phi: np.ndarray) -> None:
        """Rebuilding bookkeeping after distribution (spec §3 step 6)."""
        for rb in self.rebuilds:
            rb.end_of_day(t, phi[rb.batch])
