"""``import_cut`` (卡链): imports of products from origins (or all) into regions (or all) drop by ``share``.

Default model (``foreign_supply="per_region"``, docs/model.md §5.4): every cut, into every
region or into named ones, closes that share of the links from the origins to the regions'
industries; buyers re-split their orders around the closed share (to other origins, up to their
headroom, and to domestic producers of a competitive product) and the origin's capacity is its
headroom times the flow left open. A national cut and the same cut written region by region are
one computation. With a ``recovery`` the cut fades back along the curve after
``start + duration``. Before issue #16 (``foreign_supply="node"``, and ``legacy``): into every
region the cut is a capacity loss of the foreign supply nodes (origin, product); into named
regions it closes links that the order split does not see. Domestic supply pools
(``IOTable.domestic_origins``) are not imports: ``origin: all`` leaves them alone.

With non-competitive imports and ``substitution_share`` > 0, buyers of a cut non-competitive
product order part of the imported need the foreign suppliers leave unmet from domestic
producers, from ``substitution_lag_days`` after the start (docs/model.md §5.5).

Scan kind ``imports``: every (imported product, foreign origin) with a non-zero flow.
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
    closure,
    industries,
    names,
    resolve,
    scaled,
)
from chainsim.disruptions.capacity_loss import loss_rows
from chainsim.disruptions.curves import CURVES
from chainsim.disruptions.plan import LinkChange, Steps, Substitution, day_of
from chainsim.disruptions.registry import register
from chainsim.disruptions.sampling import Value
from chainsim.errors import ScenarioError
from chainsim.scenario.profiles import profile_values

__all__ = ["ImportCut", "substitution_sigma"]


def substitution_sigma(start: int, end: int, lag: float, ramp_days: float, share: float) -> tuple[Steps, int, int]:
    """σ by day for the substitution of a cut from ``start`` to ``end``: ramp up after ``lag``, back after the cut.

    From ``start + lag`` σ rises by ``share / n`` a day (n = ``ramp_days`` rounded, at least 1)
    to ``share``; from ``end`` (or the end of the ramp, if later) it falls back to 0 the same way.
    Times are real (a fractional lag); each change is seen on its :func:`~chainsim.disruptions.plan.day_of`.
    Returns the steps, the first day and the day the ramp back begins.
    """
    n = max(1, round(ramp_days))
    t0 = start + lag
    first = day_of(t0)
    back = end if end >= t0 + n else day_of(t0 + n)
    change = {first + k - 1: share * k / n for k in range(1, n + 1)}
    change.update({back + k: share * (n - 1 - k) / n for k in range(n)})
    return Steps.changes(change), first, back


@register
class ImportCut(Disruption):
    """卡链: imports of products from origins (or all) into regions (or all) drop by ``share``."""

    type: Literal["import_cut"]
    product: Names = Field(validation_alias=AliasChoices("product", "products"))
    origin: Names = Field("all", validation_alias=AliasChoices("origin", "origins"))
    region: Names = Field("all", validation_alias=AliasChoices("region", "regions"))
    share: Value = 1.0
    recovery: Recovery | None = None
    profile: Profile | None = Field(None, description="the cut over time: share x profile (no duration, recovery)")

    scan_kind: ClassVar[str | None] = "imports"
    scan_rank: ClassVar[int] = 10
    scarce_key: ClassVar[str | None] = "product"
    param_levers: ClassVar[frozenset[str]] = frozenset({"substitution_share", "substitution_lag_days",
                                                        "import_headroom"})

    def _origins(self, table: Any, path: str) -> np.ndarray:
        if names(self.origin) == ["all"]:  # every foreign origin (domestic supply pools are not imports)
            pools = set(getattr(table, "domestic_origins", ()) or ())
            return np.array([k for k, o in enumerate(table.origins) if o not in pools], dtype=int)
        return resolve("origin", names(self.origin), table, f"{path}.origin")

    def _buyers(self, table: Any, path: str) -> np.ndarray:
        if names(self.region) == ["all"]:
            return np.arange(table.n_industries)
        return industries(table, resolve("region", names(self.region), table, f"{path}.region"),
                          np.arange(table.n_sectors))

    def compile(self, ep: Episode) -> None:
        """Loss rows of the foreign nodes (every region) or a link change (named regions); substitution."""
        m, v, tab, S = ep.model, ep.values, ep.model.table, ep.model.n_sectors
        share = v["share"]
        if not 0 <= share <= 1:
            raise ScenarioError(f"{ep.path}.share: expected a share in [0, 1]; found {share}")
        if m.n_foreign == 0:
            raise ScenarioError(f"{ep.path}: import_cut needs foreign imports as supply nodes; the table "
                                f"'{tab.name}' has no import origins or params.imports is 'primary'")
        prods = resolve("sector", names(self.product), tab, f"{ep.path}.product")
        nodes = (m.origin_block[self._origins(tab, ep.path)][:, None] * S + prods[None, :]).ravel()
        target = f"{','.join(names(self.origin))}->{','.join(names(self.region))}|{','.join(names(self.product))}"
        buyers = self._buyers(tab, ep.path)
        if self.recovery is not None and v["curve"] == "rebuild":
            raise ScenarioError(f"{ep.path}.recovery.curve: 'rebuild' applies to capacity losses; an import cut "
                                f"recovers along a curve of {sorted(CURVES)}")
        if self.profile is not None:
            self._follow_profile(ep, nodes, buyers, target)
        elif names(self.region) == ["all"] and not m.per_region_imports:
            tau, curve = (1e-9, "linear") if self.recovery is None else (v["tau"], v["curve"])
            # the default model's timing in both configurations (BoARIO has no import cuts)
            ep.plan.loss_rows.append(loss_rows(ep, nodes, "capacity", tau=tau, curve=curve, timing="chainsim"))
            ep.log(ep.start, "import_cut_start", target, f"{ep.name}: share {share:.4g}")
            ep.log(ep.end, "import_cut_end", target, f"{ep.name}: imports recover")
        else:
            rec = (None, 1.0) if self.recovery is None else (v["curve"], float(v["tau"]))
            closed = closure(ep, "import_cut", target, share, *rec)
            ep.plan.links.append(LinkChange(ep.batch, "import_cut", nodes, buyers, closed))
        self._substitution(ep, nodes, buyers, target)

    def _follow_profile(self, ep: Episode, nodes: np.ndarray, buyers: np.ndarray, target: str) -> None:
        """The cut share x the profile, day by day: foreign nodes' loss (every region) or the links' closed share."""
        daily, share = ep.follow(self.profile), ep.values["share"]
        if names(self.region) == ["all"] and not ep.model.per_region_imports:
            ep.tabulated_rows(nodes, daily, np.full(len(nodes), share), np.ones(len(nodes)), additive=False)
        else:
            ep.plan.links.append(LinkChange(ep.batch, "import_cut", nodes, buyers, ep.steps(daily, self.profile)))
        ep.log(ep.start, "import_cut_start", target,
               f"{ep.name}: share {share:.4g}, profile of {len(self.profile.points)} points")
        if self.profile.ends_at_zero():
            ep.log(ep.end, "import_cut_end", target, f"{ep.name}: profile ends")

    def _substitution(self, ep: Episode, nodes: np.ndarray, buyers: np.ndarray, target: str) -> None:
        """Domestic substitution for the buyers of the cut non-competitive products (none in ``ario``)."""
        m, prm = ep.model, ep.params
        S = m.n_sectors
        if not (m.import_row >= S).any() or prm.substitution_share <= 0:  # no non-competitive product
            return
        if ep.start + prm.substitution_lag_days >= ep.end:
            return
        prods = np.unique(nodes % S)
        ps, js = np.repeat(prods, len(buyers)), np.tile(buyers, len(prods))
        mrow = m.import_row[ps]
        keep = (mrow >= S) & (m.AC[mrow, js] > 0)  # buyers of an imported non-competitive product
        if not keep.any():
            return
        sigma, first, back = substitution_sigma(ep.start, ep.end, prm.substitution_lag_days, prm.ramp_days,
                                                prm.substitution_share)
        ep.plan.substitutions.append(Substitution(ep.batch, ps[keep], js[keep], sigma))
        n = max(1, round(prm.ramp_days))
        ep.log(first, "substitution_ramp_start", target,
               f"{ep.name}: domestic producers take over up to {prm.substitution_share:.0%} of the unmet "
               f"imported need over {n} days")
        ep.log(back, "substitution_revert_start", target, f"{ep.name}: imports restored")

    def direct_shock(self, table: Any, sample: Mapping[str, Any]) -> float:
        """Cut imports: share x the cut flows into the buyers x days at full strength."""
        p = resolve("sector", names(self.product), table, "disruption.product")
        flows = table.imports_Z[np.ix_(self._origins(table, "disruption"), p, self._buyers(table, "disruption"))]
        days = float(sample.get("duration", 0.0))
        if self.profile is not None:
            days = float(profile_values(self.profile, int(days)).sum())
        return float(sample.get("share", 0.0) or 0.0) * float(flows.sum()) / 365.0 * days

    @classmethod
    def rewrite(cls, d: dict[str, Any], transform: str, value: float, sectors: Sequence[str]) -> bool:
        """``import_cut_share_factor`` scales the share of a cut of the lever's sectors."""
        if transform == "import_cut_share_factor":
            if not cls.touches(d, sectors):
                return False
            new = scaled(d.get("share", 1.0), value)
            if new is None:
                return False
            d["share"] = new
            return value != 1.0
        return super().rewrite(d, transform, value, sectors)

    @classmethod
    def scan_targets(cls, table: Any, *, share: float, duration: float, start: int,
                     import_regions: Sequence[str] | None) -> list[ScanTarget]:
        """Every (imported product, foreign origin) with a flow, cut into every region or into ``import_regions``."""
        S = table.n_sectors
        if import_regions is None:
            cols, into = np.arange(table.n_industries), "all"
        else:
            idx = np.array([table.region_index(r) for r in import_regions], dtype=int)
            cols, into = industries(table, idx, np.arange(S)), ",".join(import_regions)
        flows = table.imports_Z[:, :, cols].sum(axis=2)  # (O, S)
        domestic = set(table.domestic_origins)
        out = []
        for o, oc in enumerate(table.origins):
            if oc in domestic:  # a domestic supply pool (e.g. DOM), not a country
                continue
            for p in np.flatnonzero(flows[o] > 0):
                s = table.sectors[p]
                d = {"type": "import_cut", "product": s.code, "origin": oc,
                     "region": "all" if import_regions is None else list(import_regions), "share": float(share),
                     "start": int(start), "duration": float(duration)}
                out.append(ScanTarget("imports", f"{oc}->{into}|{s.code}", s.code, origin=oc, region=into,
                                      name_zh=s.name_zh, name_en=s.name_en, flow=float(flows[o, p]), disruption=d))
        return out
