"""The acceptance grid of issue #16 on the proposed model (prototype) and on today's default (the engine).

inventory_scale {0.2, 0.5, 1, 2} x shock size {20, 50, 80 %} x duration {2, 6, 12 weeks} on Jilin's
transport equipment (JL|18) and Liaoning's refining (LN|11): a capacity loss from day 10, back at
once when it ends. For each run: the lowest output of China and of each Northeast province, the
time after the shock ends until output stays within 1 % of baseline for the rest of the horizon
(two-sided, and one-sided = no more than 1 % below), and the number of buyers outside
the shocked region one of whose input stocks bound production at some point (propagation).

Today's default is ``chainsim.simulate`` (re-sourcing on) with ``inventory_days = 90 x scale`` (the
flat 90 days is today's inventory table); the proposed model is the prototype with the evidence
table x scale (``proposed.proposed``).

Run: python validation/dynamics_prototype/grid.py [--only proposed|today] ; writes results/grid_*.csv
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the machine is shared: one BLAS thread

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from economy import load_economy  # noqa: E402
from model import capacity_shock, run  # noqa: E402
from proposed import proposed  # noqa: E402

import chainsim  # noqa: E402

SCALES = (0.2, 0.5, 1.0, 2.0)
SHARES = (0.2, 0.5, 0.8)
WEEKS = (2, 6, 12)
TARGETS = ("JL|18", "LN|11")
START = 10
HORIZON = 460
BAND = 0.01
LIMIT = 180  # days after the shock ends within which every run must be back in the band


def recovery_days(dev: np.ndarray, t_end: int, one_sided: bool) -> float:
    """Days after ``t_end`` until ``dev`` stays within the band to the end of the run (inf if never)."""
    bad = (dev < -BAND) if one_sided else (np.abs(dev) > BAND)
    bad = bad.copy()
    bad[:t_end] = True
    idx = np.flatnonzero(bad)
    last_bad = idx[-1]
    if last_bad >= len(dev) - 1:
        return np.inf
    return float(max(last_bad + 1 - t_end, 0))


def summarise(eco, out: np.ndarray, t_end: int) -> dict:
    N, reg = eco.N, eco.region_of_buyer
    xb = eco.xbar[:N]
    row = {}
    scopes = {"CN": np.ones(N, bool)} | {eco.table.region_codes[r]: reg == r for r in range(3)}
    for name, m in scopes.items():
        dev = out[:, m].sum(1) / xb[m].sum() - 1.0
        row[f"min_{name}"] = 1.0 + dev.min()
        row[f"max_{name}"] = 1.0 + dev.max()
        row[f"ttr2_{name}"] = recovery_days(dev, t_end, one_sided=False)
        row[f"ttr1_{name}"] = recovery_days(dev, t_end, one_sided=True)
    row["loss_days_CN"] = float(-(out.sum(1) / xb.sum() - 1.0).sum())
    row["ttr2_max"] = max(row[f"ttr2_{k}"] for k in scopes)
    row["ttr1_max"] = max(row[f"ttr1_{k}"] for k in scopes)
    return row


def run_proposed(eco) -> pd.DataFrame:
    rows = []
    for target in TARGETS:
        treg = target.split("|")[0]
        for scale in SCALES:
            cfg = proposed(eco, inventory_scale=scale)
            for share in SHARES:
                for weeks in WEEKS:
                    d = 7 * weeks
                    t0, c0 = time.perf_counter(), time.process_time()
                    tr = run(eco, cfg, capacity_shock(eco, [(target, share, START, d)]), HORIZON)
                    dt, dc = time.perf_counter() - t0, time.process_time() - c0
                    row = dict(model="proposed", target=target, inventory_scale=scale, share=share, weeks=weeks,
                               seconds=round(dt, 2), cpu_seconds=round(dc, 2))
                    row |= summarise(eco, tr.x[:, :eco.N], START + d)
                    other = {int(j) for _, r_, j_ in tr.binding for j in j_
                             if eco.table.region_codes[eco.region_of_buyer[j]] != treg}
                    other = len(other)
                    row["bound_buyers_other_regions"] = other
                    row["materially_bound_buyers_other_regions"] = len(
                        {int(j) for _, r_, j_ in tr.extra["binding_material"] for j in j_
                         if eco.table.region_codes[eco.region_of_buyer[j]] != treg})
                    row["max_conservation_error"] = float(tr.conserve_err.max())
                    rows.append(row)
                    print(f"proposed {target} x{scale} {share:.0%} {weeks}w: min CN {row['min_CN']:.4f} "
                          f"ttr2 {row['ttr2_max']:.0f} ttr1 {row['ttr1_max']:.0f} bind-other {other} "
                          f"(material {row['materially_bound_buyers_other_regions']}) ({dt:.1f} s)",
                          flush=True)
    return pd.DataFrame(rows)


def run_today(eco) -> pd.DataFrame:
    rows = []
    for target in TARGETS:
        treg, tsec = target.split("|")
        for scale in SCALES:
            for share in SHARES:
                for weeks in WEEKS:
                    d = 7 * weeks
                    dis = [{"type": "capacity_loss", "region": treg, "sector": tsec, "share": share, "start": START,
                            "duration": d, "basis": "capacity", "recovery": {"curve": "linear", "days": 1}}]
                    t0, c0 = time.perf_counter(), time.process_time()
                    r = chainsim.simulate(eco.table, dis, days=HORIZON, params={"inventory_days": 90.0 * scale}, seed=1)
                    dt, dc = time.perf_counter() - t0, time.process_time() - c0
                    row = dict(model="today", target=target, inventory_scale=scale, share=share, weeks=weeks,
                               seconds=round(dt, 2), cpu_seconds=round(dc, 2))
                    row |= summarise(eco, np.asarray(r.output), START + d)
                    ev = r.events
                    sh = ev[ev.kind == "shortage"]
                    outside = sh.target[sh.target.str.split("|").str[0] != treg]
                    row["bound_buyers_other_regions"] = int(outside.nunique())
                    row["max_conservation_error"] = np.nan
                    rows.append(row)
                    print(f"today {target} x{scale} {share:.0%} {weeks}w: min CN {row['min_CN']:.4f} "
                          f"ttr2 {row['ttr2_max']:.0f} bind-other {row['bound_buyers_other_regions']}", flush=True)
    return pd.DataFrame(rows)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=("proposed", "today"))
    args = ap.parse_args()
    eco = load_economy()
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    if args.only != "today":
        df = run_proposed(eco)
        df.to_csv(out / "grid_proposed.csv", index=False)
    if args.only != "proposed":
        df = run_today(eco)
        df.to_csv(out / "grid_today.csv", index=False)
    print(f"wall time {time.perf_counter() - t0:.0f} s, cpu {time.process_time():.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
