"""How far is each member of a scenario run from the no-shock steady state late in the horizon?

A study for issue 22 (can a run stop early once every member is back in its steady state?).
For each pathway of a scenario (default: the README's) it runs the pathway's batch as
``chainsim run`` does (same seeds, same lever draws) and, beside it, a twin batch with the same
members and no disruption. After every day it compares the state the fast executor carries to
the next day (:class:`chainsim.engine.executor.state.FastState`): output ``x``, input stocks,
the factored orders (suppliers' capacity ratios λ and needs r), the overproduction factor α,
finished goods, postponed final demand, and the link overrides (weights W and open shares κ
that differ from baseline). Deviations are relative, per member, as the largest over elements:

- output, finished goods, α: ``|a - b| / |b|``; λ and r (1 at baseline): ``|a - b|``;
- stocks: ``|a - b| / |b|`` over finite stocks (``b = 0`` where no input is used: ``|a|``);
- postponed demand (0 at baseline): relative to the node's baseline output ``xbar``.

It prints, per pathway, the largest deviation over members at chosen days, the day each
member's last disruption ended, the number of link overrides still in force, and the decay
rate of the output deviation fitted over the last 60 days (``log dev = a - t / tau``).

Usage::

    python benchmarks/study_quiescent_tail.py [SCENARIO] [--days 200 250 300 364] [--pathways baseline ...]

Results and how to read them: ``docs/performance.md``, "A quiescent tail?".
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SCENARIO = HERE.parent / "scenarios" / "electronics_import_cut.yaml"
COMPONENTS = ("output", "stocks", "orders_lambda", "orders_ratio", "alpha", "finished", "postponed")


def _dev(a: np.ndarray, b: np.ndarray, denom: np.ndarray | None = None) -> np.ndarray:
    """Per member (first axis): max |a - b| / |denom| over the rest (denom = b; 1 where it is 0)."""
    d = np.abs(b) if denom is None else np.abs(np.broadcast_to(denom, b.shape))
    ok = np.isfinite(a) & np.isfinite(b)
    r = np.where(ok, np.abs(a - b) / np.where(d > 0, d, 1.0), 0.0)
    return r.reshape(r.shape[0], -1).max(axis=1)


def _snapshot(econ) -> dict[str, np.ndarray]:
    st, ws = econ.state, econ.ws
    return {"x": ws.x.copy(), "inventory": st.inventory.copy(), "lam": st.lam_prev.copy(), "ratio": st.ratio.copy(),
            "alpha": st.alpha.copy(), "finished": None if st.finished is None else st.finished.copy(),
            "postponed": None if st.postponed is None else st.postponed.copy(),
            "overrides": _overrides_in_force(econ)}


def _overrides_in_force(econ) -> np.ndarray:
    """Per member, the links whose W or κ differ from baseline (W != Z0 or κ != 1)."""
    ov, B = econ.state.ov, econ.batch
    n = np.zeros(B, dtype=int)
    if ov is None or not len(ov):
        return n
    diff = (ov.W != ov.Z0) | (ov.K != 1.0)
    np.add.at(n, ov.b, diff.reshape(len(ov.b), -1).sum(axis=1))
    return n


def run_with_states(loaded, entry: str, seeds, quantiles, shocked: bool):
    """The entry's batch (or its no-shock twin) with the state after every day: (states, RunArrays)."""
    from chainsim.engine import Engine, build_model
    from chainsim.engine.executor import FastEconomy
    from chainsim.engine.params import resolve_params
    from chainsim.experiment.run import _entry_plans

    plan, plans, _ = _entry_plans(loaded, entry, len(seeds), quantiles)
    model = build_model(loaded.table, resolve_params(plan.params))
    members = None if all(p is plan for p in plans) else [resolve_params(p.params) for p in plans]
    sets = [list(p.disruptions) if shocked else [] for p in plans]
    states: list[dict[str, np.ndarray]] = []
    original = FastEconomy.step

    def step(self, day):
        out = original(self, day)
        states.append(_snapshot(self))
        return out

    FastEconomy.step = step
    try:
        arrays = Engine(model, sets, seeds=seeds, member_params=members).run(loaded.scenario.horizon_days)
    finally:
        FastEconomy.step = original
    return model, states, arrays


def deviations(model, s: dict[str, np.ndarray], z: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per member and component, the largest relative deviation of state ``s`` from the no-shock ``z``."""
    xbar = np.asarray(model.xbar)
    out = {"output": _dev(s["x"], z["x"]), "stocks": _dev(s["inventory"], z["inventory"]),
           "orders_lambda": _dev(s["lam"], z["lam"], 1.0), "orders_ratio": _dev(s["ratio"], z["ratio"], 1.0),
           "alpha": _dev(s["alpha"], z["alpha"])}
    out["finished"] = _dev(s["finished"], z["finished"]) if s["finished"] is not None else np.zeros(len(s["x"]))
    out["postponed"] = (_dev(s["postponed"], z["postponed"], xbar[None, :]) if s["postponed"] is not None
                        else np.zeros(len(s["x"])))
    return out


def main() -> None:
    from chainsim.experiment.seeds import replication_seeds
    from chainsim.pathways.draws import lever_quantiles
    from chainsim.scenario.load import load_scenario

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", type=Path, default=SCENARIO)
    ap.add_argument("--days", type=int, nargs="+", default=[200, 250, 300, 364])
    ap.add_argument("--pathways", nargs="+", default=None, help="default: every pathway of the scenario")
    ap.add_argument("--members", action="store_true", help="one row per member (output deviation, fitted tau)")
    args = ap.parse_args()

    loaded = load_scenario(args.scenario)
    sc = loaded.scenario
    seeds = replication_seeds(sc.seed, sc.replications)
    quantiles = lever_quantiles(sc.seed, sc.replications) if sc.levers == "drawn" else None
    entries = args.pathways or list(dict.fromkeys(["baseline", *sc.pathways.compare]))
    days = [d for d in args.days if d < sc.horizon_days]
    print(f"{sc.name}: {sc.replications} members, {sc.horizon_days} days; largest relative deviation from the "
          f"no-shock twin over members (and the median member)")
    for entry in entries:
        model, shocked, arrays = run_with_states(loaded, entry, seeds, quantiles, True)
        _, calm, _ = run_with_states(loaded, entry, seeds, quantiles, False)
        ends = np.zeros(sc.replications, dtype=int)
        for s in arrays.samples:
            ends[s["batch"]] = max(ends[s["batch"]], int(s["start"] + s.get("duration", 0)))
        last_event = np.zeros(sc.replications, dtype=int)
        for d, b, *_ in arrays.events:
            last_event[b] = max(last_event[b], d)
        print(f"\n== {entry}: disruption ends (start + duration) day {ends.min()}-{ends.max()} "
              f"(median {np.median(ends):.0f}); last logged event day {last_event.min()}-{last_event.max()}")
        print(f"{'day':>5s} " + " ".join(f"{c:>22s}" for c in COMPONENTS) + f" {'overrides':>10s}")
        for d in days:
            dev = deviations(model, shocked[d], calm[d])
            cells = [f"{dev[c].max():10.2e} ({np.median(dev[c]):9.2e})" for c in COMPONENTS]
            print(f"{d:5d} " + " ".join(cells) + f" {int(shocked[d]['overrides'].max()):10d}")
        out_dev = np.array([deviations(model, shocked[t], calm[t])["output"] for t in range(len(shocked))])  # (T, B)
        fit = slice(len(shocked) - 60, len(shocked))
        t = np.arange(len(shocked))[fit]
        taus = []
        for b in range(out_dev.shape[1]):
            y = out_dev[fit, b]
            if (y > 0).all():
                slope = np.polyfit(t, np.log(y), 1)[0]
                taus.append(-1.0 / slope if slope < 0 else np.inf)
        taus = np.array(taus)
        if args.members:
            print(f"{'member':>6s} {'ends':>5s} " + " ".join(f"{'out@' + str(d):>9s}" for d in days)
                  + f" {'tau(d)':>8s} {'overrides':>9s}")
            for b in np.argsort(ends):
                y = out_dev[fit, b]
                slope = np.polyfit(t, np.log(np.maximum(y, 1e-300)), 1)[0]
                print(f"{b:6d} {ends[b]:5d} " + " ".join(f"{out_dev[d, b]:9.2e}" for d in days)
                      + f" {(-1 / slope if slope < 0 else np.inf):8.1f} {int(shocked[-1]['overrides'][b]):9d}")
        if len(taus):
            print(f"output deviation over days {t[0]}-{t[-1]}: e-folding time tau (days) over members: "
                  f"min {taus.min():.1f}, median {np.median(taus):.1f}, max {taus.max():.1f}; "
                  f"members never below 1e-12 after day 200: "
                  f"{int((out_dev[200:] > 1e-12).any(axis=0).sum())} of {out_dev.shape[1]}")


if __name__ == "__main__":
    main()
