"""A tiny balanced table with real NBS-42 codes (regions LN, JL; sectors 06, 18, 28) for the episode tests."""

from __future__ import annotations

import numpy as np

from chainsim.data.iotable import IOTable, Region, Sector

REGIONS = ("LN", "JL")
SECTORS = ("06", "18", "28")
CATEGORIES = ("household", "government", "gfcf")


def tiny_table(sectors: tuple[str, ...] = SECTORS) -> IOTable:
    """Two regions x three sectors, three final-demand categories per region, balanced by construction.

    ``sectors``: three NBS-42 codes (default 06, 18, 28).

    Value added / output ratios are 0.5 everywhere except ``JL|18`` (0.25), so hand sums stay simple.
    """
    n = len(REGIONS) * len(SECTORS)
    x = np.array([100.0, 200.0, 300.0, 100.0, 400.0, 200.0])
    va_ratio = np.array([0.5, 0.5, 0.5, 0.5, 0.25, 0.5])
    shares = np.repeat((x / x.sum())[:, None], n, axis=1)  # suppliers in proportion to their size
    Z = shares * (x * (1.0 - va_ratio))[None, :]  # column sums = x - VA
    exports = 0.1 * x
    rest = x - Z.sum(axis=1) - exports  # final demand per supplying industry
    split = np.array([0.6, 0.1, 0.3])
    cols = [(r, c) for r in REGIONS for c in CATEGORIES]
    Y = np.zeros((n, len(cols)))
    for k in range(n):
        for j, (_r, c) in enumerate(cols):  # half to each destination region
            Y[k, j] = 0.5 * rest[k] * split[CATEGORIES.index(c)]
    return IOTable(name="tiny-ln-jl", regions=tuple(Region(r) for r in REGIONS),
                   sectors=tuple(Sector(s) for s in sectors), Z=Z, Y=Y, fd_columns=tuple(cols), exports=exports,
                   value_added=x * va_ratio, x=x, unit="CNY", provenance={"source": "tests/episode_fixtures.py"})
