"""Small balanced tables built in the tests (no file I/O), shared by the engine tests."""

from __future__ import annotations

import numpy as np

from chainsim.data.iotable import IOTable


def make_table(n_regions: int = 2, n_sectors: int = 3, *, seed: int = 0, origins: tuple[str, ...] = (),
               density: float = 0.8, import_share: float = 0.1) -> IOTable:
    """A random balanced MRIO: x = (I - A)^-1 y, Z = A diag(x), imports and value added as residuals."""
    rng = np.random.default_rng(seed)
    N = n_regions * n_sectors
    A = rng.uniform(0.0, 1.0, (N, N)) * (rng.random((N, N)) < density)
    np.fill_diagonal(A, A.diagonal() + 0.2)
    A *= rng.uniform(0.3, 0.6, N) / A.sum(axis=0)
    C = n_regions
    Y = rng.uniform(50.0, 150.0, (N, C))
    x = np.linalg.solve(np.eye(N) - A, Y.sum(axis=1))
    Z = A * x[None, :]
    O = len(origins)
    imports = np.zeros((O, n_sectors, N))
    if O:
        w = rng.dirichlet(np.ones(O * n_sectors), size=N).T.reshape(O, n_sectors, N)
        imports = w * (import_share * x)[None, None, :]
    va = x - Z.sum(axis=0) - imports.sum(axis=(0, 1))
    return IOTable(name=f"toy_{n_regions}x{n_sectors}_s{seed}", regions=[f"R{r}" for r in range(n_regions)],
                   sectors=[f"S{s}" for s in range(n_sectors)], Z=Z, Y=Y,
                   fd_columns=[(f"R{r}", "final_demand") for r in range(n_regions)], exports=np.zeros(N),
                   value_added=va, x=x, origins=origins, imports_Z=imports if O else None)


def test_make_table_is_balanced():
    t = make_table(3, 4, seed=3, origins=("USA", "JPN"))
    assert t.n_industries == 12
    assert (t.value_added > 0).all()
