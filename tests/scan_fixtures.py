"""A small two-region table whose chokepoints are known by construction (shared by the scan tests)."""

from __future__ import annotations

import numpy as np

from chainsim.data.iotable import IOTable, Region, Sector

REGIONS = ("AA", "BB")
SECTORS = ("s1", "s2", "s3", "s4")
ORIGINS = ("O1", "O2")

#: Criticality (input rows x user columns): s1 is critical to everyone, imported s3 to s2, nothing else binds.
CRITICALITY = ((1.0, 1.0, 1.0, 1.0), (0.0, 0.0, 0.0, 0.0), (0.0, 1.0, 0.0, 0.0), (0.0, 0.0, 0.0, 0.0))

#: Model parameters of the scan tests: the default model with the criticality above.
PARAMS = {"criticality": CRITICALITY, "inventory_days": 30}  # stocks a 60-day cut runs down (cover rule)


def small_table() -> IOTable:
    """Two regions x four sectors, two origins.

    * ``AA|s2`` (the largest industry) gets the critical input ``s3`` only from origin ``O1``:
      the import ``O1 -> s3`` is the single critical supplier, the known top import chokepoint.
    * ``AA`` buys a little of the critical ``s1`` from ``BB`` (``BB -> AA | s1``), but
      ``AA|s1`` is a large producer of it: cutting that link should hurt little. ``BB``
      gets most of its ``s1`` from ``AA`` (``AA -> BB | s1``), with no such alternative.
    * Both origins sell a little non-critical ``s4`` to everyone.
    """
    S, R = len(SECTORS), len(REGIONS)
    N = S * R
    Z = np.full((N, N), 4.0)
    aa = {s: k for k, s in enumerate(SECTORS)}
    bb = {s: S + k for k, s in enumerate(SECTORS)}
    Z[:, aa["s2"]] = 10.0
    Z[aa["s3"], aa["s2"]] = Z[bb["s3"], aa["s2"]] = 0.0  # no domestic s3 for AA|s2
    Z[aa["s1"], :S] = 40.0  # AA|s1 supplies AA's s1 ...
    Z[bb["s1"], :S] = 1.0  # ... BB a little of it
    Z[aa["s1"], S:] = 30.0  # BB gets its s1 mostly from AA
    Z[bb["s1"], S:] = 1.0
    imports = np.zeros((len(ORIGINS), S, N))
    imports[0, 2, aa["s2"]] = 120.0  # O1 -> s3 -> AA|s2: single source
    imports[:, 3, :] = 2.0  # O1, O2 -> s4, small, not critical
    fd = np.array([1500.0, 2000.0, 150.0, 300.0, 100.0, 500.0, 200.0, 300.0])
    x = Z.sum(axis=1) + fd
    va = x - Z.sum(axis=0) - imports.sum(axis=(0, 1))
    if (va <= 0).any():
        raise AssertionError("fixture: value added must be positive")
    return IOTable(
        name="scan-toy", regions=tuple(Region(r, f"Region {r}", f"地区{r}") for r in REGIONS),
        sectors=tuple(Sector(s, f"Sector {s}", f"部门{s}") for s in SECTORS), Z=Z, Y=fd[:, None],
        fd_columns=(("AA", "final_demand"),), exports=np.zeros(N), value_added=va, x=x, origins=ORIGINS,
        imports_Z=imports, imports_Y=np.zeros((len(ORIGINS), S, 1)), unit="CNY",
    )
