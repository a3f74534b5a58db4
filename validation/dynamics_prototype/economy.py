"""Dense structural arrays of the Northeast table for the dynamics prototype.

Built from chainsim's own loaders (``chainsim.load_dataset``, ``load_criticality``) in the
layout of ``chainsim.engine.model.build_model`` (so that the prototype's "today" mode can be
checked against the engine day by day), but dense and without batch axis:

* supplier nodes ``i``: the R regions' S industries, then one block of S per origin of the
  table's imports — the domestic pools (``DOM``, unallocated domestic inflows) first, then the
  foreign countries; ``n_sup = (R + O) S``;
* buyers ``j``: the N = R S domestic industries;
* input rows: row ``p`` = product p from domestic suppliers (and from foreign origins where p's
  imports are competitive or partly substitutable), row ``S + k`` = the k-th product's imported,
  non-substitutable input.

Nothing here is part of the package: it is a research prototype (validation/dynamics_prototype).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import chainsim
from chainsim.data.classification import NONCOMPETITIVE_NBS42
from chainsim.data.datasets import load_criticality

EVIDENCE_DIR = (Path(__file__).resolve().parents[2] / "src" / "chainsim" / "data" / "raw"
                / "dynamics_evidence")


@dataclass(frozen=True)
class Economy:
    """Daily structural arrays (annual table / 365)."""

    table: object
    R: int
    S: int
    N: int
    n_blocks: int
    n_dom_blocks: int           # regions + domestic pools
    n_sup: int
    xbar: np.ndarray            # (n_sup,) baseline daily output / imports
    Zbar: np.ndarray            # (n_sup, N) baseline daily deliveries
    ybar: np.ndarray            # (n_sup,) positive final demand (incl. exports)
    exo: np.ndarray             # (n_sup,) exogenous supply (negative final demand)
    y_cols: np.ndarray          # (N, 5) final demand by kind: household, government, gfcf, inventory, other
    is_foreign: np.ndarray      # (n_sup,) foreign countries
    is_pool: np.ndarray         # (n_sup,) domestic pools (DOM)
    product_of: np.ndarray      # (n_sup,) product of each supplier node
    region_of_buyer: np.ndarray  # (N,)
    sector_of_buyer: np.ndarray  # (N,)
    crit: np.ndarray            # (S, S) criticality, input rows x user sectors (0 / 0.5 / 1, or fractions)
    labels: tuple               # buyer labels "LN|01"


def load_economy(name: str = "northeast-2017", criticality: str = "max") -> Economy:
    """Dense arrays of a chainsim dataset.

    Parameters
    ----------
    name : str
        Dataset name for :func:`chainsim.load_dataset`.
    criticality : {"max", "mean"}
        Aggregation of the IHS WIOD-55 scores to NBS-42 (:func:`load_criticality`): ``max`` is
        the engine's default matrix (0 / 0.5 / 1); ``mean`` gives graded weights.
    """
    t = chainsim.load_dataset(name)
    R, S, N = t.n_regions, t.n_sectors, t.n_industries
    yd = 365.0
    pools = set(t.domestic_origins or ())
    order = [k for k, o in enumerate(t.origins) if o in pools] + [k for k, o in enumerate(t.origins)
                                                                   if o not in pools]
    O = len(t.origins)
    nb = R + O
    n_sup = nb * S
    x = np.asarray(t.x, float)
    Zs = np.zeros((n_sup, N))
    Zs[:N] = np.asarray(t.Z, float)
    Zs[N:] = np.asarray(t.imports_Z, float)[order].reshape(O * S, N)
    xbar = np.zeros(n_sup)
    xbar[:N] = x / yd
    xbar[N:] = Zs[N:].sum(axis=1) / yd
    y = np.zeros(n_sup)
    y[:N] = np.asarray(t.final_demand, float) / yd
    exo = np.clip(-y, 0.0, None)
    ybar = np.clip(y, 0.0, None)
    # final demand by kind (households, government, gfcf, inventory change, unallocated) + exports
    kinds = ("household", "government", "gfcf", "inventory", "unallocated_outflow")
    Y = np.asarray(t.Y, float)
    ycols = np.zeros((N, len(kinds) + 1))
    for c, (_reg, kind) in enumerate(t.fd_columns):
        ycols[:, kinds.index(kind)] += Y[:, c]
    ycols[:, -1] = np.asarray(t.exports, float)
    ycols /= yd
    n_pool = len(pools)
    is_pool = np.zeros(n_sup, bool)
    is_pool[N:(R + n_pool) * S] = True
    is_foreign = np.zeros(n_sup, bool)
    is_foreign[(R + n_pool) * S:] = True
    crit_df = load_criticality(criticality)
    codes = list(t.sector_codes)
    crit = crit_df.loc[codes, codes].to_numpy(float)
    return Economy(
        table=t, R=R, S=S, N=N, n_blocks=nb, n_dom_blocks=R + n_pool, n_sup=n_sup, xbar=xbar,
        Zbar=Zs / yd, ybar=ybar, exo=exo, y_cols=ycols, is_foreign=is_foreign, is_pool=is_pool,
        product_of=np.tile(np.arange(S), nb), region_of_buyer=np.repeat(np.arange(R), S),
        sector_of_buyer=np.tile(np.arange(S), R), crit=crit,
        labels=tuple(f"{r}|{c}" for r in t.region_codes for c in codes))


def rauch_noncompetitive(eco: Economy) -> np.ndarray:
    """Indices of the engine's default non-competitive products (Rauch 1999 differentiated goods)."""
    codes = list(eco.table.sector_codes)
    return np.array([codes.index(c) for c in NONCOMPETITIVE_NBS42], dtype=int)


def read_evidence(name: str) -> pd.DataFrame:
    """One of the evidence tables of ``src/chainsim/data/raw/dynamics_evidence`` (codes as strings)."""
    return pd.read_csv(EVIDENCE_DIR / name, dtype={"nbs42": str}, comment="#")
