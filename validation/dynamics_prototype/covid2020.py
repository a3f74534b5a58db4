"""A rough 2020 national lockdown: does depth and rebound move toward the observed figures? (sanity check, not a fit)

Input facts only (``/work/shared/data/episodes/inputs_covid2020.csv``, copied below with their dates):
capacity of every domestic industry except agriculture (01) and the utilities (24-26) follows the
national share of workers back, linearly interpolated:

* 1 Jan - 2 Feb 2020: 1 (the Spring Festival holiday of 24 Jan - 2 Feb has a counterpart in the 2019
  base, so it is not a year-on-year loss) [I];
* 3 Feb 0.20 and 10 Feb 0.30 [I: the extension to 9-10 Feb kept non-essential firms shut; Liaoning had
  54.4 % of its firms open on 12 Feb, fewer of its workers];
* 23 Feb 0.519, 1 Mar 0.679, 28 Mar 0.899, 21 Apr 0.951, 18 May 0.954 [F, MIIT];
* 30 Jun 0.98, 31 Jul 1.0 [I].

Compared with NBS value added of industry above designated size (02-26), year on year, Jan-Feb
-13.5 %, March -1.1 %, April +3.9 %, May +4.4 %, June +4.8 % (observed_2020_calibration.csv), turned
into deviations from a no-COVID path growing at the 2019 rate, 5.7 %: -18.2, -6.4, -1.7, -1.2, -0.9 %.
No 2022 figure is read or used.

Run: python validation/dynamics_prototype/covid2020.py ; writes results/covid2020.csv and .md
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the machine is shared: one BLAS thread

import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import chainsim  # noqa: E402
from economy import load_economy  # noqa: E402
from model import Config, Shock, run  # noqa: E402
from proposed import proposed  # noqa: E402

D0 = date(2020, 1, 1)
POINTS = [(date(2020, 2, 2), 1.0), (date(2020, 2, 3), 0.20), (date(2020, 2, 10), 0.30), (date(2020, 2, 23), 0.519),
          (date(2020, 3, 1), 0.679), (date(2020, 3, 28), 0.899), (date(2020, 4, 21), 0.951), (date(2020, 5, 18), 0.954),
          (date(2020, 6, 30), 0.98), (date(2020, 7, 31), 1.0)]
MONTHS = {"2020-01/02": (0, 60), "2020-03": (60, 91), "2020-04": (91, 121), "2020-05": (121, 152),
          "2020-06": (152, 182)}
OBSERVED_YOY = {"2020-01/02": -13.5, "2020-03": -1.1, "2020-04": 3.9, "2020-05": 4.4, "2020-06": 4.8}
TREND = 5.7
EXEMPT = ("01", "24", "25", "26")
DAYS = 300


def workers_back(t: int) -> float:
    d = [(p - D0).days for p, _ in POINTS]
    v = [b for _, b in POINTS]
    if t <= d[0]:
        return 1.0
    return float(np.interp(t, d, v))


def main() -> int:
    t0 = time.perf_counter()
    eco = load_economy()
    N = eco.N
    codes = eco.table.sector_codes
    hit = np.zeros(eco.n_sup, bool)
    hit[:N] = ~np.isin(np.asarray(codes)[eco.sector_of_buyer], EXEMPT)
    loss = np.array([1.0 - workers_back(t) for t in range(DAYS)])
    shock = Shock(delta=lambda t: np.where(hit, loss[t], 0.0))
    ind = (eco.sector_of_buyer >= 1) & (eco.sector_of_buyer <= 25)  # NBS 02-26

    def monthly(x: np.ndarray, va: np.ndarray) -> dict:
        v = (x[:, :N] * va[None, :])[:, ind].sum(1) / (eco.xbar[:N] * va)[ind].sum()
        return {m: 100 * (v[a:b].mean() - 1) for m, (a, b) in MONTHS.items()}

    rows = []
    models = {"today (prototype, 90-day stocks)": Config.today(),
              "today, 15-day stocks": Config.today(inv_days=15.0),
              "proposed (central evidence)": proposed(eco),
              "proposed, no finished goods / produce-to-stock": proposed(eco, fg_days=0.0, min_run=0.0),
              "proposed, no backlog": proposed(eco, backlog_share=0.0),
              "proposed, τ_α = 365 d (ARIO)": proposed(eco, alpha_tau=365.0)}
    for name, cfg in models.items():
        tr = run(eco, cfg, shock, DAYS)
        st = tr.extra["structure"]
        va = np.clip(1.0 - st.A.sum(axis=0), 0.0, None)
        m = monthly(tr.x, va)
        rows.append({"model": name} | m)
        print(name, {k: round(v, 1) for k, v in m.items()}, flush=True)
    # the engine default (re-sourcing on), capacity loss as weekly steps (the engine has no profiles yet)
    dis = []
    sectors = [c for c in codes if c not in EXEMPT]
    for a in range(0, DAYS, 7):
        sh = float(loss[a:a + 7].mean())
        if sh > 0:
            dis.append({"type": "capacity_loss", "region": list(eco.table.region_codes), "sector": sectors,
                        "share": sh, "start": a, "duration": 7, "basis": "capacity",
                        "recovery": {"curve": "linear", "days": 1}})
    r = chainsim.simulate(eco.table, dis, days=DAYS, seed=1)
    st = run(eco, Config.today(), shock, 1).extra["structure"]
    va = np.clip(1.0 - st.A.sum(axis=0), 0.0, None)
    m = monthly(np.asarray(r.output), va)
    rows.append({"model": "today (engine, weekly steps, re-sourcing on)"} | m)
    obs = {k: 100 * ((1 + v / 100) / (1 + TREND / 100) - 1) for k, v in OBSERVED_YOY.items()}
    rows.append({"model": "observed: NBS y/y turned into deviation from a 5.7 % trend"} | obs)
    df = pd.DataFrame(rows)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    df.to_csv(out / "covid2020.csv", index=False, float_format="%.2f")
    lines = ["# Rough 2020 national lockdown: value added of industry (NBS 02-26), % deviation from the no-shock path",
             "", "| model | " + " | ".join(MONTHS) + " |", "|---|" + "---|" * len(MONTHS)]
    for rr in rows:
        lines.append(f"| {rr['model']} | " + " | ".join(f"{rr[k]:+.1f}" for k in MONTHS) + " |")
    lines += ["", f"_Run time {time.perf_counter() - t0:.0f} s; generated by covid2020.py._"]
    (out / "covid2020.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
