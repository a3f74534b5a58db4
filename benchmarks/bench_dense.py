#!/usr/bin/env python3
"""The dense ceiling: time per day and peak memory of the ``ario`` configuration on a large synthetic table.

usage: python benchmarks/bench_dense.py REGIONS DAYS     (REGIONS x 42 industries, e.g. 120 20 for 5,040)

Builds a ``synth_mrio.py`` table (seed 42) as an :class:`~chainsim.data.iotable.IOTable`, then
times ``build_model`` and a ``DAYS``-day run (half of one industry's capital lost on day 2) after
a 3-day warm-up, with one BLAS thread; prints the density of Z, the peak RSS, the RSS with the
table alone and the bytes of the model's n² arrays (``docs/performance.md``, "Large tables").
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    import numpy as np
    from synth_mrio import make_tables
    from threadpoolctl import threadpool_limits

    from chainsim.data.iotable import IOTable
    from chainsim.engine import ModelParams, build_model, simulate

    threadpool_limits(1)
    n_regions, days = int(sys.argv[1]), int(sys.argv[2])
    Z, Y, x = make_tables(n_regions, 42, seed=42)
    regions = list(dict.fromkeys(Z.index.get_level_values(0)))
    sectors = list(dict.fromkeys(Z.index.get_level_values(1)))
    xv, Zv = x["indout"].to_numpy(), Z.to_numpy()
    del Z
    table = IOTable(name=f"synth{n_regions}x42", regions=regions, sectors=sectors, Z=Zv, Y=Y.to_numpy(),
                    fd_columns=[(r, "final_demand") for r in regions], exports=np.zeros(len(xv)),
                    value_added=xv - Zv.sum(axis=0), x=xv)
    del Zv, Y
    rss_table = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    model = build_model(table, ModelParams.ario())
    t_build = time.perf_counter() - t0
    shock = {"type": "capacity_loss", "region": regions[0], "sector": sectors[13], "share": 0.5, "start": 2,
             "duration": 1, "recovery": {"curve": "linear", "days": 180}}
    simulate(model, [shock], days=3)
    t0 = time.perf_counter()
    simulate(model, [shock], days=days)
    t_run = time.perf_counter() - t0
    n = len(xv)
    dense = sum(a.nbytes for a in (model.Zbar, model.ZbarT, model.ZbarT_D)) / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"n={n} density={np.count_nonzero(table.Z) / n**2:.3f} build {t_build:.2f} s, {days} days {t_run:.2f} s "
          f"({1e3 * t_run / days:.1f} ms/day), peak RSS {peak:.0f} MB (table alone {rss_table:.0f} MB); "
          f"model n^2 arrays {dense:.0f} MB")


if __name__ == "__main__":
    main()
