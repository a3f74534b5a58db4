"""Diagnosis of today's absorbing collapse and of the missing propagation at 90 days (issue #16).

Every number of docs/dynamics_design.md §1 comes from this script; it writes
``results/diagnosis.md``. The engine (``chainsim.simulate``, the real default model with
re-sourcing) is used where a switch exists as a parameter; the prototype (``model.py``, equal to the
engine without re-sourcing, see check_engine.py) for the switches the engine does not have.

Run: python validation/dynamics_prototype/diagnose.py   (about 4 minutes)
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the machine is shared: one BLAS thread

import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from economy import load_economy  # noqa: E402
from model import Config, Shock, capacity_shock, run  # noqa: E402

import chainsim  # noqa: E402

OUT: list[str] = []


def say(line: str = "") -> None:
    print(line, flush=True)
    OUT.append(line)


def china(e, tr) -> np.ndarray:
    """China's gross output relative to baseline, by day (a prototype trace)."""
    return tr.x[:, :e.N].sum(1) / e.xbar[:e.N].sum()


def say_row(label: str, cells: list[str]) -> None:
    say(f"| {label} | " + " | ".join(cells) + " |")


def cap_loss(lab: str, share: float, start: int, dur: int, recovery=None) -> list[dict]:
    reg, sec = lab.split("|")
    d = {"type": "capacity_loss", "region": reg, "sector": sec, "share": share, "start": start, "duration": dur,
         "basis": "capacity"}
    d["recovery"] = recovery or {"curve": "linear", "days": 1}
    return [d]


def scopes(eco, out: np.ndarray) -> dict[str, np.ndarray]:
    N, reg = eco.N, eco.region_of_buyer
    xb = eco.xbar[:N]
    res = {"China": out.sum(1) / xb.sum()}
    for r, code in enumerate(eco.table.region_codes):
        m = reg == r
        res[code] = out[:, m].sum(1) / xb[m].sum()
    return res


def reproduce(eco) -> None:
    say("## 1. Reproduction (engine, default model with re-sourcing)")
    say("")
    days = [30, 60, 120, 180, 240, 300, 364, 499]
    say("| run | stocks | " + " | ".join(f"day {d}" for d in days) + " |")
    say("|---|---|" + "---|" * len(days))
    runs = [
        ("JL|18 -80 % x 42 d from day 10, back at once", cap_loss("JL|18", 0.8, 10, 42), 15.0),
        ("JL|18 -80 % x 42 d from day 70 (11 March), linear recovery 180 d (default curve)",
         cap_loss("JL|18", 0.8, 70, 42, {"curve": "linear", "days": 180}), 15.0),
        ("JL|18 -50 % x 33 d from day 10, back at once", cap_loss("JL|18", 0.5, 10, 33), 15.0),
        ("JL|18 -50 % x 33 d from day 10, back at once", cap_loss("JL|18", 0.5, 10, 33), 12.0),
        ("JL|18 -50 % x 33 d from day 70, linear recovery 180 d (default curve)",
         cap_loss("JL|18", 0.5, 70, 33, {"curve": "linear", "days": 180}), 15.0),
        ("JL|18 -80 % x 42 d from day 10, back at once", cap_loss("JL|18", 0.8, 10, 42), 20.0),
        ("JL|18 -80 % x 42 d from day 10, back at once", cap_loss("JL|18", 0.8, 10, 42), 30.0),
        ("JL|18 -80 % x 42 d from day 10, back at once", cap_loss("JL|18", 0.8, 10, 42), 90.0),
    ]
    for name, dis, s in runs:
        r = chainsim.simulate(eco.table, dis, days=500, params={"inventory_days": s}, seed=1)
        sc = scopes(eco, np.asarray(r.output))
        say(f"| {name} | {s:g} d | " + " | ".join(f"{sc['China'][d]:.3f}" for d in days) + " |")
    say("")
    r = chainsim.simulate(eco.table, cap_loss("JL|18", 0.8, 10, 42), days=500, params={"inventory_days": 15.0}, seed=1)
    sc = scopes(eco, np.asarray(r.output))
    say("Regions, JL|18 -80 % x 42 d at 15-day stocks (engine):")
    say("")
    say("| scope | " + " | ".join(f"day {d}" for d in days) + " |")
    say("|---|" + "---|" * len(days))
    for k, v in sc.items():
        say(f"| {k} | " + " | ".join(f"{v[d]:.3f}" for d in days) + " |")
    say("")
    ev = r.events
    sh = ev[ev.kind == "shortage"].copy()
    sh["region"] = sh.target.str.split("|").str[0]
    sh["input"] = sh.detail.str.replace("input ", "").str.replace(" binds", "")
    say("First binding inputs by region (engine event log, `shortage` events: day, buyer, input that binds hardest):")
    say("")
    say("| region | first day | buyers bound by day 60 | by day 120 | by day 240 "
        "| inputs named in the first 10 events |")
    say("|---|---|---|---|---|---|")
    for reg in ("HLJ", "JL", "LN", "ROC"):
        s = sh[sh.region == reg].sort_values("day")
        if s.empty:
            say(f"| {reg} | — | 0 | 0 | 0 | |")
            continue
        first = s.head(10)
        names = ", ".join(f"{t.split('|')[1]}←{i}" for t, i in zip(first.target, first.input, strict=True))
        say(f"| {reg} | {int(s.day.min())} | {(s.day <= 60).sum()} | {(s.day <= 120).sum()} | {(s.day <= 240).sum()} "
            f"| {names} |")
    say("")


def resplit(eco) -> None:
    say("## 2. Why Heilongjiang first: the order split for transport equipment (18)")
    say("")
    S, Z, lab = eco.S, eco.Zbar, eco.labels
    names = list(eco.table.region_codes) + ["DOM"] + [o for o in eco.table.origins if o != "DOM"]
    say("| buyer | A(18) per unit of output | criticality of 18 | suppliers of 18 (baseline shares) |")
    say("|---|---|---|---|")
    for b in ("HLJ|28", "HLJ|29", "HLJ|01", "HLJ|09", "LN|28", "ROC|28", "JL|18"):
        j = lab.index(b)
        rows = np.flatnonzero(eco.product_of == 17)
        tot = Z[rows, j].sum()
        parts = [(k, Z[k * S + 17, j] / tot) for k in range(eco.n_blocks) if Z[k * S + 17, j] > 0.005 * tot]
        sh = ", ".join(f"{names[k]} {v:.2f}" for k, v in parts)
        say(f"| {b} | {tot / eco.xbar[j]:.2e} | {eco.crit[17, eco.sector_of_buyer[j]]:g} | {sh} |")
    say("")
    tr = run(eco, Config.today(inv_days=15.0), capacity_shock(eco, [("JL|18", 0.8, 10, 42)]), 30, keep_flows=True)
    f = tr.extra["flows"]
    i_jl = lab.index("JL|18")
    i_roc = lab.index("ROC|18")
    j = lab.index("HLJ|28")
    st = tr.extra["structure"]
    t = 12
    V = f["V"][t][17, j]
    use = st.A[17, j] * eco.xbar[j]
    say(f"Day {t} of JL|18 -80 % at 15-day stocks (prototype = engine): served share of JL|18 "
        f"{f['phi'][t][i_jl]:.2f}, of ROC|18 {f['phi'][t][i_roc]:.3f}; HLJ|28 receives {V / use:.2f} of its "
        f"baseline daily use of 18. With 15-day stocks and ψ = 0.8 the input binds once 3 days of use are "
        f"missing: {int(tr.binding[0][0]) if tr.binding else '—'} is the first day any input binds.")
    say("")


def collapsed_state(eco) -> None:
    say("## 3. Why the low state is absorbing: claims on a rationed supplier")
    say("")
    cfg = Config.today(inv_days=15.0)
    tr = run(eco, cfg, capacity_shock(eco, [("JL|18", 0.8, 10, 42)]), 400, keep_flows=True)
    f = tr.extra["flows"]
    N = eco.N
    for t in (100, 200, 399):
        D, phi = f["D"][t], f["phi"][t]
        y = eco.ybar
        inter = D - y
        x = tr.x[t]
        dom = slice(0, N)
        V, U = f["V"][t], f["U"][t]
        claim = inter[dom].sum() / (eco.xbar[dom].sum() - y[dom].sum())
        fd_share = (y[dom] * phi[dom]).sum() / (x[dom].sum() + eco.exo[dom].sum())
        say(f"- day {t}: China output {x[dom].sum() / eco.xbar[dom].sum():.3f} of baseline; intermediate orders "
            f"received = {claim:.3f} of baseline intermediate sales; final demand takes {fd_share:.2f} of what is "
            f"shipped (baseline {y[dom].sum() / eco.xbar[dom].sum():.2f}); deliveries / use of inputs "
            f"{V.sum() / U.sum():.3f}")
    say("")
    # the analytic gain near zero output
    z = 1.0 - eco.ybar[:N] / np.maximum(eco.xbar[:N], 1e-12)
    z = np.clip(z, 0, 1)
    for s, tau, a in ((15, 60, 1.0), (15, 60, 1.25), (30, 60, 1.25), (48, 60, 1.25), (90, 60, 1.25), (15, 10, 1.0)):
        k = a * s / tau
        g = k / (k * z + 1 - z)
        w = eco.xbar[:N] / eco.xbar[:N].sum()
        say(f"- s = {s}, τ = {tau}, α = {a}: k = αs/τ = {k:.2f}; deliveries/use near zero output "
            f"g = k/(kz + 1 − z): output-weighted mean {float((w * g).sum()):.2f}, min {g.min():.2f}, max {g.max():.2f}"
            f" → the collapsed state is {'stable (absorbing)' if (w * g).sum() < 1 else 'unstable'}")
    say("")


def phase(eco) -> None:
    say("## 4. Phase diagram: China output on day 599 after JL|18 -80 % x 42 d (prototype, today's model)")
    say("")
    taus = (10, 20, 30, 60, 120)
    sd = (10, 15, 20, 30, 45, 60, 90)
    say("| stocks s \\ τ_inv | " + " | ".join(f"{t} d" for t in taus) + " |")
    say("|---|" + "---|" * len(taus))
    for s in sd:
        cells = []
        for tau in taus:
            tr = run(eco, Config.today(inv_days=float(s), inv_tau=float(tau)),
                     capacity_shock(eco, [("JL|18", 0.8, 10, 42)]), 600)
            cells.append(f"{china(eco, tr)[-1]:.3f}")
        say_row(f"{s} d", cells)
    say("")


def switches_engine(eco) -> None:
    say("## 5. Switching the candidates (engine parameters that exist today)")
    say("")
    svc = tuple(f"{k:02d}" for k in range(27, 43))
    cases = {
        "default": {},
        "re-sourcing off": {"resourcing": False},
        "ψ = 1/s (bind only when the stock cannot cover the day, Pichler et al. 2022)": "PSI",
        "ψ = 0.5": {"psi": 0.5},
        "rationing: intermediate_first": {"rationing": "intermediate_first"},
        "rationing: final_demand_first": {"rationing": "final_demand_first"},
        "τ_inv = 10 d": {"inventory_tau": 10.0},
        "τ_inv = 30 d": {"inventory_tau": 30.0},
        "τ_inv = 120 d": {"inventory_tau": 120.0},
        "order split noalt (fixed shares)": {"order_type": "noalt"},
        "criticality none (every input critical)": {"criticality": "none"},
        "services (27-42) never critical": {"sector_criticality_relief": {c: 1.0 for c in svc}},
        "trade and transport (28, 29) never critical": {"sector_criticality_relief": {"28": 1.0, "29": 1.0}},
        "services (27-42) infinite inventories": {"infinite_inventory_sectors": svc},
        "α_max = 1 (no overproduction)": {"alpha_max": 1.0},
        "τ_α = 30 d": {"alpha_tau": 30.0},
        "all imports competitive": {"noncompetitive_products": "none"},
        "import headroom 2": {"import_headroom": 2.0},
    }
    runs = [(0.8, 42, 15.0), (0.5, 33, 12.0), (0.8, 42, 20.0)]
    say("China output, minimum over 500 days / on day 499. Runs: JL|18 -80 % x 42 d at 15-day stocks; -50 % x 33 d"
        " at 12-day stocks; -80 % x 42 d at 20-day stocks (all from day 10, back at once).")
    say("")
    say("| switch | " + " | ".join(f"-{sh:.0%} x {d} d, s = {s:g}" for sh, d, s in runs) + " |")
    say("|---|" + "---|" * len(runs))
    for name, p in cases.items():
        cells = []
        for sh, d, s in runs:
            pp = {"psi": 1.0 / s} if p == "PSI" else dict(p)
            pp["inventory_days"] = s
            r = chainsim.simulate(eco.table, cap_loss("JL|18", sh, 10, d), days=500, params=pp, seed=1)
            x = np.asarray(r.output).sum(1) / np.asarray(r.baseline).sum()
            cells.append(f"{x.min():.3f} / {x[-1]:.3f}")
        say_row(name, cells)
    say("")


def switches_prototype(eco) -> None:
    say("## 6. Switching the candidates the engine has no parameter for (prototype), and the stability probe")
    say("")
    eco_mean = load_economy(criticality="mean")
    none = Shock(delta=lambda t: np.zeros(eco.n_sup))
    S = eco.S

    def svc_days(s):
        d = np.full(S, float(s))
        d[23:26] = 2.0
        d[27:] = np.inf
        return d
    cands = {
        "today": (eco, {}),
        "binding when the stock cannot cover the day (b = 1 d)": (eco, dict(binding="cover")),
        "orders on planned output A x̂ (Pichler eq. 4), ARIO target and gap ≥ 0": (eco, dict(order_basis="planned")),
        "orders on planned output, signed gap, fixed target s A x̄": (
            eco, dict(order_basis="planned", signed_gap=True, target_basis="baseline")),
        "rationing: intermediate first": (eco, dict(rationing="intermediate_first")),
        "graded criticality (mean of the IHS scores)": (eco_mean, {}),
        "utilities 2 d, services never bind": (eco, "SVC"),
        "exact use (no clipping)": (eco, dict(exact_use=True)),
        "cover binding + planned orders (fixed target, signed gap)": (
            eco, dict(binding="cover", order_basis="planned", signed_gap=True, target_basis="baseline")),
        "cover binding + intermediate first": (eco, dict(binding="cover", rationing="intermediate_first")),
    }
    cols = ["JL|18 -80 % x 42 d, s = 15", "JL|18 -50 % x 33 d, s = 12", "probe: stocks 30 %, s = 15",
            "probe: stocks 3 %, s = 15", "probe: stocks 3 %, s = 30"]
    say("China output, minimum / last day (600 days for the shocks, 365 for the probes). *Probe*: no shock, every "
        "input stock starts at the given share of its target — a test of global stability.")
    say("")
    say("| mechanism | " + " | ".join(cols) + " |")
    say("|---|" + "---|" * len(cols))
    for name, (e, kw) in cands.items():
        cells = []
        for s, shock, days, f0 in ((15, capacity_shock(e, [("JL|18", 0.8, 10, 42)]), 600, 1.0),
                                   (12, capacity_shock(e, [("JL|18", 0.5, 10, 33)]), 600, 1.0),
                                   (15, none, 365, 0.3), (15, none, 365, 0.03), (30, none, 365, 0.03)):
            k = dict(inv_days=svc_days(s)) if kw == "SVC" else dict(kw, inv_days=float(s))
            k["init_stock_factor"] = f0
            tr = run(e, Config(**k), shock, days)
            x = china(e, tr)
            cells.append(f"{x.min():.3f} / {x[-1]:.3f}")
        say_row(name, cells)
    say("")


def ninety_days(eco) -> None:
    say("## 7. Why nothing propagates at 90 days")
    say("")
    tr = run(eco, Config.today(inv_days=90.0), capacity_shock(eco, [("JL|18", 0.8, 10, 42)]), 200, keep_cover=True)
    st = tr.extra["structure"]
    ok = (st.weight > 0) & (st.A > 0)
    ratio = tr.stock_cover / 90.0
    mins = np.where(ok[None], ratio, np.inf).min(axis=(1, 2))
    tmin = int(np.argmin(mins))
    j = np.unravel_index(np.argmin(np.where(ok, ratio[tmin], np.inf)), ok.shape)
    say(f"- JL|18 -80 % x 42 d at 90-day stocks: the lowest stock of any input that can bind, relative to its "
        f"target, is {mins.min():.3f} (day {tmin}, {eco.labels[j[1]]} input "
        f"{eco.table.sector_codes[st.row_product[j[0]]]}); "
        f"an input binds only below ψ = 0.8 of the target, so nothing binds (bound pairs: "
        f"{sum(len(b[1]) for b in tr.binding)}).")
    # electricity to Liaoning
    regs = list(eco.table.region_codes)
    dis = [{"type": "link_cut", "product": "24", "from_region": regs, "to_region": "LN", "share": 1.0, "start": 10,
            "duration": 15},
           {"type": "import_cut", "product": "24", "region": "LN", "share": 1.0, "start": 10, "duration": 15}]
    r = chainsim.simulate(eco.table, dis, days=365, params={"inventory_days": 90.0}, seed=1)
    out = np.asarray(r.output)
    m = eco.region_of_buyer == 0
    loss = (eco.xbar[:eco.N][m].sum() * 365 - out[:, m].sum()) / eco.xbar[:eco.N][m].sum()
    sh = r.events[r.events.kind == "shortage"]
    say(f"- every delivery of electricity and heat (24) to Liaoning cut for 15 days (link cuts from the four "
        f"regions and an import cut), 90-day stocks: Liaoning loses {loss:.2f} days of its output over the year; "
        f"buyers whose electricity stock binds: {int(sh.detail.str.contains('input 24').sum())}. A 15-day cut uses "
        f"15 of 90 days of stock; the ψ threshold is 72 days.")
    say("")


def main() -> int:
    t0 = time.perf_counter()
    eco = load_economy()
    say("# Diagnosis of today's dynamics (generated by validation/dynamics_prototype/diagnose.py)")
    say("")
    reproduce(eco)
    resplit(eco)
    collapsed_state(eco)
    phase(eco)
    switches_engine(eco)
    switches_prototype(eco)
    ninety_days(eco)
    say(f"_Run time {time.perf_counter() - t0:.0f} s._")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "diagnosis.md").write_text("\n".join(OUT) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
