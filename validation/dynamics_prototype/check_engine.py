"""Check the prototype's "today" mode against chainsim.simulate (re-sourcing off), day by day.

Run: python validation/dynamics_prototype/check_engine.py
Prints the largest relative deviation of total output and of any industry over the run.
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the machine is shared: one BLAS thread

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from economy import load_economy
from model import Config, capacity_shock, run

import chainsim

CASES = [  # (label, share, start, duration, inventory days)
    ("JL|18", 0.8, 10, 42, 15.0),    # collapses
    ("JL|18", 0.8, 10, 42, 90.0),
    ("LN|11", 0.5, 10, 84, 30.0),
    ("HLJ|03", 1.0, 5, 20, 20.0),
]


def main() -> int:
    eco = load_economy()
    worst = 0.0
    for lab, sh, t0, d, s in CASES:
        days = 365
        dis = [{"type": "capacity_loss", "region": lab.split("|")[0], "sector": lab.split("|")[1], "share": sh,
                "start": t0, "duration": d, "basis": "capacity", "recovery": {"curve": "linear", "days": 1}}]
        r = chainsim.simulate(eco.table, dis, days=days, params={"inventory_days": s, "resourcing": False}, seed=1)
        ref = np.asarray(r.output)
        t1 = time.perf_counter()
        tr = run(eco, Config.today(inv_days=s), capacity_shock(eco, [(lab, sh, t0, d)]), days)
        dt = time.perf_counter() - t1
        mine = tr.x[:, :eco.N]
        tot = np.abs(mine.sum(1) / ref.sum(1) - 1).max()
        ind = (np.abs(mine - ref) / np.maximum(np.abs(ref), 1e-9 * ref.max())).max()
        worst = max(worst, ind)
        print(f"{lab} {sh:.0%} x {d} d, s={s:g}: total max rel dev {tot:.2e}, any industry {ind:.2e}, "
              f"China output on day 364 {ref.sum(1)[-1] / ref.sum(1)[0]:.3f}; prototype {dt:.1f} s")
    print("worst", f"{worst:.2e}")
    return 0 if worst < 1e-6 else 1


if __name__ == "__main__":
    raise SystemExit(main())
