#!/usr/bin/env python3
"""The sparse layout on a large synthetic table: time and peak memory of a 365-day ``ario`` run.

usage: python benchmarks/bench_sparse.py REGIONS SECTORS SOURCES DAYS [--dense]
       e.g. 500 40 7 365 for 20,000 industries at about 1 % density; run it under
       ``/usr/bin/time -v`` for the peak resident memory of the whole process.

Builds :func:`chainsim.data.synthetic.sparse_synthetic_table` (seed 42), the sparse model, and
runs ``DAYS`` days with half of one industry's capital lost on day 2 (linear recovery over 180
days) after a 3-day warm-up, with one BLAS/numba thread. ``--dense`` also runs the same table
on the dense layout (densifying Z: N² memory) and prints the largest relative difference of
the two output trajectories. Prints the density, the generation, build and run times, the
bytes of the model's links and the peak RSS.
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402


def _rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    import numpy as np

    from chainsim.data.synthetic import sparse_synthetic_table
    from chainsim.engine import ModelParams, build_model, simulate

    R, S, sources, days = (int(a) for a in sys.argv[1:5])
    t0 = time.perf_counter()
    table = sparse_synthetic_table(R, S, sources=sources, seed=42)
    t_gen = time.perf_counter() - t0
    n, nnz = table.n_industries, table.Z.nnz
    rss_table = _rss()
    t0 = time.perf_counter()
    model = build_model(table, ModelParams.ario())
    t_build = time.perf_counter() - t0
    shock = {"type": "capacity_loss", "region": table.region_codes[0], "sector": table.sector_codes[13 % S],
             "share": 0.5, "start": 2, "duration": 1, "recovery": {"curve": "linear", "days": 180}}
    simulate(model, [shock], days=3)
    t0 = time.perf_counter()
    res = simulate(model, [shock], days=days)
    t_run = time.perf_counter() - t0
    links_mb = sum(a.nbytes for a in (model.links.data, model.links.indices, model.links.indptr)) / 2**20
    print(f"n={n} links={nnz} density={nnz / n**2:.4f} layout={type(model).__name__}: table generated in "
          f"{t_gen:.1f} s, model built in {t_build:.2f} s, {days} days in {t_run:.2f} s "
          f"({1e3 * t_run / days:.1f} ms/day); links {links_mb:.0f} MB; peak RSS {_rss():.0f} MB "
          f"(after the table {rss_table:.0f} MB); min relative output {float(res.relative_output().min().min()):.4f}")
    if "--dense" in sys.argv:
        import dataclasses

        from chainsim.data.iotable import IOTable

        dense = IOTable(**{**{f.name: getattr(table, f.name) for f in dataclasses.fields(table)},
                           "Z": table.Z.toarray()})
        dm = build_model(dense, ModelParams.ario(), layout="dense")
        simulate(dm, [shock], days=3)
        t0 = time.perf_counter()
        rd = simulate(dm, [shock], days=days)
        t_dense = time.perf_counter() - t0
        a, b = rd.output.to_numpy(), res.output.to_numpy()
        print(f"dense layout: {days} days in {t_dense:.2f} s ({1e3 * t_dense / days:.1f} ms/day); largest relative "
              f"difference of the outputs {float(np.max(np.abs(a - b) / np.abs(a))):.1e}; peak RSS {_rss():.0f} MB")


if __name__ == "__main__":
    main()
