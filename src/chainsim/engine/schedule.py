"""Compile sampled disruptions into loss rows, rebuild events and timed actions on the clock.

Each disruption of each batch member is sampled (fixed order, one generator per member),
resolved against the model (names → indices, with did-you-mean errors) and turned into:

* loss rows (capacity losses, import cuts into every region): evaluated each day by
  :class:`~chainsim.engine.losses.LossSchedule`;
* :class:`~chainsim.engine.losses.Rebuild` events (recovery through rebuilding demand);
* timed actions ``(day, kind, apply)`` that the engine's SimPy processes enact: link cut and
  restore, import cut into named regions, congestion, final-demand change.

Timing (``ARIO_SPEC.md`` §6): with ``ario_quirks`` a capital loss holds on days
``start .. start+duration+1`` and an arbitrary (capacity) loss starts one day late; the
default model holds a loss on days ``start .. start+duration-1`` and recovers from then on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chainsim.data.classification import expand_region_groups
from chainsim.engine import disruptions as dis
from chainsim.engine.curves import CURVES, curve_code
from chainsim.engine.losses import LossRows, Rebuild
from chainsim.engine.model import EconomyModel
from chainsim.errors import ChainsimError, ScenarioError

__all__ = ["Action", "Plan", "compile_plan"]


@dataclass(frozen=True)
class Action:
    """Something that happens at the start of a day, enacted by a SimPy process."""

    day: int
    batch: int
    kind: str
    target: str
    detail: str
    apply: Callable[[Any], None] | None = None


@dataclass
class Plan:
    """Everything the engine needs to enact the disruptions of a batch."""

    rows: list[dict] = field(default_factory=list)
    rebuilds: list[Rebuild] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    event_names: list[tuple[int, str]] = field(default_factory=list)  # (batch, name) per loss event
    link_cuts: list[dict] = field(default_factory=list)
    import_cuts: list[dict] = field(default_factory=list)
    samples: list[dict] = field(default_factory=list)

    def loss_rows(self) -> LossRows:
        """All loss rows as column arrays."""
        return LossRows.concat(self.rows)


def _names(v: str | list[str]) -> list[str]:
    return [v] if isinstance(v, str) else list(v)


def _index(kind: str, names: list[str], lookup: Callable[[str], int], n_all: int, path: str) -> np.ndarray:
    if names == ["all"]:
        return np.arange(n_all)
    if kind == "region":
        names = expand_region_groups(names)
    try:
        return np.array([lookup(n) for n in names], dtype=int)
    except ChainsimError as exc:
        raise ScenarioError(f"{path}: {exc}") from None


def _block(model: EconomyModel, name: str, path: str) -> int:
    """Supplier block of a region code or, with foreign supply nodes, of a foreign origin."""
    tab = model.table
    if name in tab.region_codes or not (model.n_foreign and name in tab.origins):
        return int(_index("region", [name], tab.region_index, tab.n_regions, path)[0])
    return int(model.origin_block[tab.origins.index(name)])


def _label(model: EconomyModel, regions: list[str], sectors: list[str]) -> str:
    return f"{','.join(regions)}|{','.join(sectors)}"


def _capacity_rows(model: EconomyModel, d: dict, nodes: np.ndarray, b: int, ev: int, basis: str) -> dict:
    p = model.params
    start, dur, share, tau = d["start"], d["duration"], d["share"], d["tau"]
    n = len(nodes)
    curve = curve_code(d["curve"])
    if p.ario_quirks and basis == "capital":
        K = model.capital[nodes]
        keep = K > 0
        nodes, K = nodes[keep], K[keep]
        n = len(nodes)
        return dict(batch=np.full(n, b), node=nodes, amount=share * K, unit=K, additive=np.ones(n, bool),
                    t_full=np.full(n, start), t_rec=np.full(n, start + dur + 1), e0=np.zeros(n),
                    tau=np.full(n, tau), curve=np.full(n, curve), decimals=np.full(n, 7), event=np.full(n, ev))
    if p.ario_quirks:  # BoARIO "arbitrary": one day late, 6-decimal rounding
        return dict(batch=np.full(n, b), node=nodes, amount=np.full(n, share), unit=np.ones(n),
                    additive=np.zeros(n, bool), t_full=np.full(n, start + 1), t_rec=np.full(n, start + dur + 2),
                    e0=np.zeros(n), tau=np.full(n, tau), curve=np.full(n, curve), decimals=np.full(n, 6),
                    event=np.full(n, ev))
    return dict(batch=np.full(n, b), node=nodes, amount=np.full(n, share), unit=np.ones(n),
                additive=np.full(n, basis == "capital"), t_full=np.full(n, start), t_rec=np.full(n, start + dur),
                e0=np.ones(n), tau=np.full(n, tau), curve=np.full(n, curve), decimals=np.full(n, -1),
                event=np.full(n, ev))


def _rebuild(model: EconomyModel, d: dict, nodes: np.ndarray, b: int, sectors: dict[str, float], path: str) -> Rebuild:
    tab = model.table
    S, N = model.n_sectors, model.n
    K = model.capital[nodes]
    keep = K > 0
    nodes, K = nodes[keep], K[keep]
    L = d["share"] * K
    R = np.zeros((model.n_sup, len(nodes)))
    Z = np.asarray(tab.Z)
    for code, bq in sectors.items():
        q = int(_index("sector", [code], tab.sector_index, S, f"{path}.recovery.sectors")[0])
        rows = np.arange(tab.n_regions) * S + q
        zq = Z[np.ix_(rows, nodes)]
        tot = zq.sum(axis=0)
        R[rows] += bq * L[None, :] * np.divide(zq, tot, out=np.zeros_like(zq), where=tot != 0)
    del N
    return Rebuild(batch=b, targets=nodes, damage=L, stock=R, start=d["start"], duration=d["duration"],
                   tau=d["tau"], unit=K, decimals=7 if model.params.ario_quirks else -1)


def _sample_common(x: Any, rng: np.random.Generator) -> dict:
    out = {"start": round(dis.sample_value(x.start, rng)), "duration": max(0, round(dis.sample_value(x.duration, rng)))}
    if hasattr(x, "share"):
        out["share"] = dis.sample_value(x.share, rng)
    rec = getattr(x, "recovery", None)
    if rec is not None:
        out["tau"] = max(1e-9, dis.sample_value(rec.days, rng))
        out["curve"] = rec.curve
    return out


def compile_plan(model: EconomyModel, sets: Sequence[Sequence[Any]], rngs: Sequence[np.random.Generator],
                 days: int, member_params: Sequence[Any] | None = None) -> Plan:
    """Sample and resolve every disruption of every batch member.

    Raises
    ------
    ScenarioError
        Unknown region, sector or origin (with did-you-mean), a share outside its range, an
        import cut on a table without foreign supply nodes, or a start beyond the horizon.
    """
    plan = Plan()
    for b, (items, rng) in enumerate(zip(sets, rngs, strict=True)):
        for k, x in enumerate(items):
            path = f"disruptions[{k}]"
            d0 = _sample_common(x, rng)
            if not 0 <= d0["start"] < days:
                raise ScenarioError(f"{path}.start: expected a day in [0, {days}); found {d0['start']}")
            base_name = x.name or f"{x.type}#{k}"
            episodes = [(d0["start"], d0["duration"])]
            if x.recurrence is not None:
                episodes = dis.markov_episodes(x.recurrence, d0["start"], days, rng)
            for e, (first, length) in enumerate(episodes):
                d = {**d0, "start": first, "duration": length}
                name = base_name if x.recurrence is None else f"{base_name}/outage{e + 1}"
                plan.samples.append({"batch": b, "name": name, **d})
                _compile_one(model, plan, b, x, d, name, path, rng, days,
                             model.params if member_params is None else member_params[b])
    return plan


def _compile_one(model: EconomyModel, plan: Plan, b: int, x: Any, d: dict, name: str, path: str,
                 rng: np.random.Generator, days: int, prm: Any = None) -> None:
    """Resolve one (sampled) disruption episode into rows, rebuilds and actions (``prm``: the member's params)."""
    prm = model.params if prm is None else prm
    tab, S, N = model.table, model.n_sectors, model.n
    share = d.get("share", 0.0)
    if x.type in ("capacity_loss", "import_cut", "link_cut") and not 0 <= share <= 1:
        raise ScenarioError(f"{path}.share: expected a share in [0, 1]; found {share}")
    end = d["start"] + d["duration"]
    if x.type == "capacity_loss":
        regs, secs = _names(x.region), _names(x.sector)
        r = _index("region", regs, tab.region_index, tab.n_regions, f"{path}.region")
        s = _index("sector", secs, tab.sector_index, S, f"{path}.sector")
        nodes = (r[:, None] * S + s[None, :]).ravel()
        target = _label(model, regs, secs)
        if d["curve"] == "rebuild":
            if not model.params.ario_quirks and "days" not in x.recovery.model_fields_set:
                d = {**d, "tau": prm.rebuild_tau}  # τ_R of the model unless the event sets its own
            plan.rebuilds.append(_rebuild(model, d, nodes, b, dict(x.recovery.sectors), path))
        else:
            ev = len(plan.event_names)
            plan.event_names.append((b, name))
            plan.rows.append(_capacity_rows(model, d, nodes, b, ev, x.basis))
        detail = f"{name}: share {share:.4g} of {x.basis}, recovery {d['curve']} over {d['tau']:.4g} days"
        plan.actions.append(Action(d["start"], b, "disruption_start", target, detail))
        plan.actions.append(Action(end, b, "disruption_end", target, f"{name}: recovery begins"))
    elif x.type == "import_cut":
        if model.n_foreign == 0:
            raise ScenarioError(f"{path}: import_cut needs foreign imports as supply nodes; the table "
                                f"'{tab.name}' has no import origins or params.imports is 'primary'")
        prods = _index("sector", _names(x.product), tab.sector_index, S, f"{path}.product")
        if _names(x.origin) == ["all"]:  # every foreign origin (domestic supply pools are not imports)
            pools = set(getattr(tab, "domestic_origins", ()) or ())
            o = np.array([k for k, name in enumerate(tab.origins) if name not in pools], dtype=int)
        else:
            o = _index("origin", _names(x.origin), tab.origin_index, len(tab.origins), f"{path}.origin")
        nodes = (model.origin_block[o][:, None] * S + prods[None, :]).ravel()
        target = f"{','.join(_names(x.origin))}->{','.join(_names(x.region))}|{','.join(_names(x.product))}"
        buyers = np.arange(N) if _names(x.region) == ["all"] else (
            _index("region", _names(x.region), tab.region_index, tab.n_regions, f"{path}.region")[:, None] * S
            + np.arange(S)[None, :]).ravel()
        if x.recovery is not None and d["curve"] == "rebuild":
            raise ScenarioError(f"{path}.recovery.curve: 'rebuild' applies to capacity losses; an import cut "
                                f"recovers along a curve of {sorted(CURVES)}")
        plan.import_cuts.append(dict(batch=b, rows=nodes, cols=buyers, share=share, start=d["start"], end=end,
                                     name=name, target=target))
        if _names(x.region) == ["all"]:
            ev = len(plan.event_names)
            plan.event_names.append((b, name))
            dd = {**d, "tau": d.get("tau", 1.0), "curve": d.get("curve", "linear")}
            if x.recovery is None:
                dd["tau"], dd["curve"] = 1e-9, "linear"
            rows = _capacity_rows(model, dd, nodes,
                                  b, ev, "capacity")
            if model.params.ario_quirks:
                rows.update(t_full=np.full(len(nodes), d["start"]), t_rec=np.full(len(nodes), end),
                            e0=np.ones(len(nodes)), decimals=np.full(len(nodes), -1))
            plan.rows.append(rows)
            plan.actions.append(Action(d["start"], b, "import_cut_start", target, f"{name}: share {share:.4g}"))
            plan.actions.append(Action(end, b, "import_cut_end", target, f"{name}: imports recover"))
        else:
            r = _index("region", _names(x.region), tab.region_index, tab.n_regions, f"{path}.region")
            cols = (r[:, None] * S + np.arange(S)[None, :]).ravel()
            # after ``end`` the open share recovers along the curve: share g(e), e = 1, 2, ... (as loss rows)
            rec = None if x.recovery is None else (curve_code(d["curve"]), float(d["tau"]))
            plan.link_cuts.append(dict(batch=b, rows=nodes, cols=cols, share=share, start=d["start"],
                                       end=end, name=name, target=target, kind="import_cut", recovery=rec))
    elif x.type == "link_cut":
        prods = _index("sector", _names(x.product), tab.sector_index, S, f"{path}.product")
        fr = _index("region", _names(x.from_region), tab.region_index, tab.n_regions, f"{path}.from_region")
        tr = _index("region", _names(x.to_region), tab.region_index, tab.n_regions, f"{path}.to_region")
        ts = _index("sector", _names(x.to_sector), tab.sector_index, S, f"{path}.to_sector")
        rows = (fr[:, None] * S + prods[None, :]).ravel()
        cols = (tr[:, None] * S + ts[None, :]).ravel()
        target = (f"{','.join(_names(x.from_region))}->{','.join(_names(x.to_region))}"
                  f"|{','.join(_names(x.product))}")
        plan.link_cuts.append(dict(batch=b, rows=rows, cols=cols, share=share, start=d["start"], end=end,
                                   name=name, target=target, kind="link_cut"))
    elif x.type == "congestion":
        loss = dis.sample_value(x.throughput_loss, rng)
        lead = max(0, round(dis.sample_value(x.extra_lead_days, rng)))
        if not 0 <= loss <= 1:
            raise ScenarioError(f"{path}.throughput_loss: expected a share in [0, 1]; found {loss}")
        blocks = np.array([_block(model, n, f"{path}.from_region") for n in _names(x.from_region)], dtype=int)
        tr = _index("region", _names(x.to_region), tab.region_index, tab.n_regions, f"{path}.to_region")
        target = f"{','.join(_names(x.from_region))}->{','.join(_names(x.to_region))}"
        plan.link_cuts.append(dict(batch=b, blocks=blocks, regions=tr, share=loss, start=d["start"], end=end,
                                   name=name, target=target, kind="congestion", lead=lead))
    elif x.type == "final_demand":
        regs, secs = _names(x.region), _names(x.sector)
        r = _index("region", regs, tab.region_index, tab.n_regions, f"{path}.region")
        s = _index("sector", secs, tab.sector_index, S, f"{path}.sector")
        plan.actions.extend(_final_demand_actions(model, b, r, s, regs == ["all"], share, d, x, name))


def _final_demand_actions(model: EconomyModel, b: int, r: np.ndarray, s: np.ndarray, all_regions: bool,
                          share: float, d: dict, x: Any, name: str) -> list[Action]:
    tab, _S = model.table, model.n_sectors
    cons = np.array([tab.region_index(c) for c, _ in tab.fd_columns], dtype=int)
    Yd = np.asarray(tab.Y)[:, np.isin(cons, r)].sum(axis=1)
    if all_regions:
        Yd = Yd + np.asarray(tab.exports)
    if not model.params.ario_quirks:
        Yd = np.clip(Yd, 0.0, None)  # negative final demand is exogenous supply there
    in_sector = np.isin(tab.sector_of, s)
    change = np.zeros(model.n_sup)
    change[: model.n] = np.where(in_sector, Yd, 0.0) * share / model.params.year_days
    target = f"{','.join(_names(x.region))}|{','.join(_names(x.sector))}"

    def apply_on(engine: Any, sign: float = 1.0) -> None:
        engine.state.final_demand[b] += sign * change
        np.maximum(engine.state.final_demand[b], 0.0, out=engine.state.final_demand[b])

    acts = [Action(d["start"], b, "final_demand_change", target, f"{name}: {share:+.4g}", apply_on)]
    if not x.permanent:
        acts.append(Action(d["start"] + d["duration"], b, "final_demand_restore", target, f"{name}: restored",
                           lambda engine: apply_on(engine, -1.0)))
    return acts
