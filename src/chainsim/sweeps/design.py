"""Design matrices: the factor space of a :class:`~chainsim.sweeps.spec.SweepSpec` sampled as data.

A design is a table with one row per run: ``run_id``, one column per factor (the seed
factor ``seed`` on [0, 1) included), the integer ``seed_index`` it selects, and ``ranked``
(whether the run is a base sample on which every pathway is also run alone). It is
deterministic: the same sweep seed gives the same matrix.

Methods (SALib, Herman & Usher 2017; Iwanaga et al. 2022):

- ``sobol``: Saltelli's extension of the scrambled Sobol' sequence
  (:func:`SALib.sample.sobol.sample`, first and total order); ``N (D + 2)`` runs in blocks
  of ``D + 2`` (``A``, ``AB_1`` … ``AB_D``, ``B``).
- ``morris``: ``N`` Morris trajectories of ``D + 1`` runs on a ``levels`` grid.
- ``lhs``: ``N`` points of a Latin hypercube.
- ``grid``: the full factorial of ``levels`` evenly spaced values per factor (the seed
  takes ``levels`` seeds).

References
----------
.. [1] Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output.
   Design and estimator for the total sensitivity index. *Comput. Phys. Commun.* 181, 259-270.
.. [2] Morris, M. D. (1991). Factorial sampling plans for preliminary computational
   experiments. *Technometrics* 33(2), 161-174.
.. [3] Iwanaga, T., Usher, W. & Herman, J. (2022). Toward SALib 2.0. *Socio-Environmental
   Systems Modelling* 4, 18155.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from chainsim.sweeps.spec import SEED_FACTOR, SweepSpec

__all__ = ["Design", "make_design", "seed_sequence"]


@dataclass(frozen=True, eq=False)
class Design:
    """A design matrix with its layout.

    Attributes
    ----------
    matrix : DataFrame
        ``run_id``, the factor columns (SALib order), ``seed_index``, ``ranked``.
    block : int
        Runs that belong together (a Saltelli block or a Morris trajectory); chunks are
        cut on block boundaries so runs sharing a model land in one engine batch.
    method : str
        The design method.
    """

    matrix: pd.DataFrame
    block: int
    method: str

    @property
    def X(self) -> np.ndarray:
        """The factor values as an ``(runs, D)`` array (SALib's ``X``)."""
        return self.matrix.drop(columns=["run_id", "seed_index", "ranked"]).to_numpy(dtype=float)

    def __len__(self) -> int:
        return len(self.matrix)


def seed_sequence(sweep_seed: int, index: int) -> np.random.SeedSequence:
    """The child seed ``index`` of the sweep seed: ``SeedSequence(sweep_seed).spawn(index + 1)[index]``.

    Examples
    --------
    >>> a = seed_sequence(7, 3)
    >>> b = np.random.SeedSequence(7).spawn(4)[3]
    >>> a.generate_state(2).tolist() == b.generate_state(2).tolist()
    True
    """
    return np.random.SeedSequence(int(sweep_seed), spawn_key=(int(index),))


def _grid(spec: SweepSpec) -> np.ndarray:
    L = spec.design.levels
    axes = []
    for f in spec.factors:
        axes.append((np.arange(L) + 0.5) / L if f.kind == "seed" else np.linspace(f.low, f.high, L))
    return np.array(list(itertools.product(*axes)), dtype=float)


def make_design(spec: SweepSpec) -> Design:
    """Sample the factor space of a sweep.

    Parameters
    ----------
    spec : SweepSpec
        The sweep (factors, design settings, seed).

    Returns
    -------
    Design

    Examples
    --------
    >>> import math
    >>> from chainsim.sweeps.analytic import ishigami
    >>> spec = SweepSpec.analytic("i", {"x1": (-math.pi, math.pi), "x2": (0, 1)}, ishigami, samples=4)
    >>> d = make_design(spec)
    >>> len(d), d.block, list(d.matrix.columns)
    (20, 5, ['run_id', 'x1', 'x2', 'seed', 'seed_index', 'ranked'])
    """
    from SALib.sample import latin, morris, sobol

    problem = spec.problem()
    D = problem["num_vars"]
    ds = spec.design
    seed = int(spec.seed)
    if ds.method == "sobol":
        X = sobol.sample(problem, ds.samples, calc_second_order=False, scramble=True, seed=seed)
        block = D + 2
    elif ds.method == "morris":
        X = morris.sample(problem, ds.samples, num_levels=ds.levels, seed=seed)
        block = D + 1
    elif ds.method == "lhs":
        X = latin.sample(problem, ds.samples, seed=seed)
        block = 1
    else:
        X = _grid(spec)
        block = 1
    X = np.asarray(X, dtype=float)
    for k, f in enumerate(spec.factors):
        if f.integer:
            X[:, k] = np.round(X[:, k])
    s = spec.names.index(SEED_FACTOR)
    seed_index = np.minimum(np.floor(X[:, s] * spec.seed_pool), spec.seed_pool - 1).astype(np.int64)
    run_id = np.arange(len(X), dtype=np.int64)
    ranked = (run_id % block == 0) if spec.ranking.enabled else np.zeros(len(X), dtype=bool)
    if spec.ranking.enabled and spec.ranking.samples is not None:
        ranked &= run_id // block < spec.ranking.samples
    df = pd.DataFrame(X, columns=spec.names)
    df.insert(0, "run_id", run_id)
    df["seed_index"] = seed_index
    df["ranked"] = ranked
    return Design(matrix=df, block=block, method=ds.method)
