"""``capacity_loss``: a share of the capital (or capacity) of region-sectors lost, then recovery.

The loss holds from ``start`` for ``duration`` days, then recovers along a curve of
:data:`~chainsim.disruptions.curves.CURVES` over ``recovery.days`` (τ), or (``curve: rebuild``)
through rebuilding demand addressed to ``recovery.sectors`` (ARIO's reconstruction, Hallegatte
2008). ``basis: capital`` losses of one industry add up (capital destroyed), ``capacity``
losses combine by max. Timing and rounding follow the model's quirk set (``ARIO_SPEC.md`` §6):
in the default model a loss holds on days ``start .. start+duration-1`` and is at ``g(1)`` on
day ``start+duration``; in BoARIO a capital loss holds to ``start+duration+1`` and is rounded to
7 decimals, a capacity ("arbitrary") loss starts a day late and is rounded to 6.

Scan kind ``nodes``: every region-sector with output loses ``share`` of its capacity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import AliasChoices, Field

from chainsim.disruptions.base import (
    Disruption,
    Episode,
    Names,
    Profile,
    Recovery,
    ScanTarget,
    industries,
    names,
    resolve,
)
from chainsim.disruptions.curves import CURVES, curve_code
from chainsim.disruptions.plan import RebuildSpec
from chainsim.disruptions.registry import register
from chainsim.disruptions.sampling import Value
from chainsim.errors import ScenarioError
from chainsim.scenario.profiles import profile_values

__all__ = ["CapacityLoss", "loss_rows", "recovery_days"]


def loss_rows(ep: Episode, nodes: np.ndarray, basis: str, *, tau: float, curve: str, timing: str | None = None
              ) -> dict:
    """Loss rows of one episode on supply ``nodes``, with the quirk set's timing and rounding (or ``timing``)."""
    m, b, start, end = ep.model, ep.batch, ep.start, ep.end
    timing = timing or m.quirks.loss_timing
    share = ep.values["share"]
    ev = ep.plan.new_event(b, ep.name)
    code = curve_code(curve)
    if timing == "boario" and basis == "capital":  # held to t_o + d + 1, 7 decimals (§6.1)
        K = m.capital[nodes]
        keep = K > 0
        nodes, K = nodes[keep], K[keep]
        n = len(nodes)
        return dict(batch=np.full(n, b), node=nodes, amount=share * K, unit=K, additive=np.ones(n, bool),
                    t_full=np.full(n, start), t_rec=np.full(n, end + 1), e0=np.zeros(n), tau=np.full(n, tau),
                    curve=np.full(n, code), decimals=np.full(n, 7), event=np.full(n, ev))
    n = len(nodes)
    if timing == "boario":  # "arbitrary": one day late, 6 decimals (§6.2)
        return dict(batch=np.full(n, b), node=nodes, amount=np.full(n, share), unit=np.ones(n),
                    additive=np.zeros(n, bool), t_full=np.full(n, start + 1), t_rec=np.full(n, end + 2),
                    e0=np.zeros(n), tau=np.full(n, tau), curve=np.full(n, code), decimals=np.full(n, 6),
                    event=np.full(n, ev))
    return dict(batch=np.full(n, b), node=nodes, amount=np.full(n, share), unit=np.ones(n),
                additive=np.full(n, basis == "capital"), t_full=np.full(n, start), t_rec=np.full(n, end),
                e0=np.ones(n), tau=np.full(n, tau), curve=np.full(n, code), decimals=np.full(n, -1),
                event=np.full(n, ev))


def recovery_days(curve: str, tau: float) -> float:
    """Days of full loss equivalent to a recovery along ``curve`` with time constant ``tau`` (0 for rebuilding)."""
    if not tau or tau <= 1e-6 or curve == "rebuild":
        return 0.0
    e = np.arange(0.0, 20.0 * tau + 1.0)
    g = np.clip(CURVES[curve](e, np.full_like(e, tau)), 0.0, 1.0)
    return float(g.sum())


@register
class CapacityLoss(Disruption):
    """Share of a region-sector's capital (``basis="capital"``) or capacity lost, then recovery."""

    type: Literal["capacity_loss"]
    region: Names = Field(validation_alias=AliasChoices("region", "regions"))
    sector: Names = Field(validation_alias=AliasChoices("sector", "sectors"))
    share: Value
    basis: Literal["capital", "capacity"] = "capital"
    recovery: Recovery = Recovery()
    profile: Profile | None = Field(None, description="the loss over time: share x profile (no duration, recovery)")

    scan_kind: ClassVar[str | None] = "nodes"
    scan_rank: ClassVar[int] = 30
    scarce_key: ClassVar[str | None] = "sector"

    def _nodes(self, table: Any, path: str) -> np.ndarray:
        r = resolve("region", names(self.region), table, f"{path}.region")
        s = resolve("sector", names(self.sector), table, f"{path}.sector")
        return industries(table, r, s)

    def compile(self, ep: Episode) -> None:
        """Loss rows along the recovery curve, or a rebuilding event."""
        m, v = ep.model, ep.values
        share = v["share"]
        if not 0 <= share <= 1:
            raise ScenarioError(f"{ep.path}.share: expected a share in [0, 1]; found {share}")
        nodes = self._nodes(m.table, ep.path)
        target = f"{','.join(names(self.region))}|{','.join(names(self.sector))}"
        if self.profile is not None:
            self._follow_profile(ep, nodes, target)
            return
        tau = v["tau"]
        if v["curve"] == "rebuild":
            if m.quirks.rebuild_tau == "model" and "days" not in self.recovery.model_fields_set:
                tau = ep.params.rebuild_tau  # τ_R of the model unless the event sets its own
            ep.plan.rebuilds.append(self._rebuild(ep, nodes, tau))
        else:
            ep.plan.loss_rows.append(loss_rows(ep, nodes, self.basis, tau=tau, curve=v["curve"]))
        ep.log(ep.start, "disruption_start", target,
               f"{ep.name}: share {share:.4g} of {self.basis}, recovery {v['curve']} over {tau:.4g} days")
        ep.log(ep.end, "disruption_end", target, f"{ep.name}: recovery begins")

    def _follow_profile(self, ep: Episode, nodes: np.ndarray, target: str) -> None:
        """Tabulated loss rows: share (of capacity, or of capital) x the profile, day by day."""
        daily, share = ep.follow(self.profile), ep.values["share"]
        if self.basis == "capital":
            K = ep.model.capital[nodes]
            nodes, K = nodes[K > 0], K[K > 0]
            ep.tabulated_rows(nodes, daily, share * K, K, additive=True)
        else:
            ep.tabulated_rows(nodes, daily, np.full(len(nodes), share), np.ones(len(nodes)), additive=False)
        ep.log(ep.start, "disruption_start", target,
               f"{ep.name}: share {share:.4g} of {self.basis}, profile of {len(self.profile.points)} points")
        if self.profile.ends_at_zero():
            ep.log(ep.end, "disruption_end", target, f"{ep.name}: profile ends")

    def _rebuild(self, ep: Episode, nodes: np.ndarray, tau: float) -> RebuildSpec:
        """Capital destroyed L = share x K, rebuilt by demand split over the rebuilding sectors' regions like Z."""
        m = ep.model
        tab, S = m.table, m.n_sectors
        K = m.capital[nodes]
        keep = K > 0
        nodes, K = nodes[keep], K[keep]
        L = ep.values["share"] * K
        R = np.zeros((m.n_sup, len(nodes)))
        for code, bq in (self.recovery.sectors or {}).items():
            q = int(resolve("sector", [code], tab, f"{ep.path}.recovery.sectors")[0])
            rows = np.arange(tab.n_regions) * S + q
            zq = tab.Z[np.ix_(rows, nodes)]
            zq = zq.toarray() if hasattr(zq, "toarray") else np.asarray(zq)  # a sparse table's Z (issue 22)
            tot = zq.sum(axis=0)
            R[rows] += bq * L[None, :] * np.divide(zq, tot, out=np.zeros_like(zq), where=tot != 0)
        return RebuildSpec(batch=ep.batch, targets=nodes, damage=L, stock=R, start=ep.start,
                           duration=int(ep.values["duration"]), tau=float(tau), unit=K,
                           decimals=int(m.quirks.rebuild_decimals))

    def direct_shock(self, table: Any, sample: Mapping[str, Any]) -> float:
        """Lost output: share x baseline output x (days at full strength + the recovery's full-loss equivalent)."""
        share = float(sample.get("share", 0.0) or 0.0)
        days = float(sample.get("duration", 0.0))
        if self.profile is not None:  # full-loss equivalent of the profile's days
            days = float(profile_values(self.profile, int(days)).sum())
        else:
            days += recovery_days(str(sample.get("curve", "linear")), float(sample.get("tau", 0.0)))
        return share * float(table.x[self._nodes(table, "disruption")].sum()) / 365.0 * days

    @classmethod
    def scan_targets(cls, table: Any, *, share: float, duration: float, start: int,
                     import_regions: Sequence[str] | None) -> list[ScanTarget]:
        """Every region-sector with output loses ``share`` of its capacity, back to full when the disruption ends."""
        S, reg, sec = table.n_sectors, table.region_codes, table.sectors
        out = []
        for k in np.flatnonzero(np.asarray(table.x) > 0):
            a, p = divmod(int(k), S)
            s = sec[p]
            d = {"type": "capacity_loss", "region": reg[a], "sector": s.code, "basis": "capacity",
                 "recovery": {"curve": "linear", "days": 1.0}, "share": float(share), "start": int(start),
                 "duration": float(duration)}
            out.append(ScanTarget("nodes", f"{reg[a]}|{s.code}", s.code, region=reg[a], name_zh=s.name_zh,
                                  name_en=s.name_en, flow=float(table.x[k]), disruption=d))
        return out
