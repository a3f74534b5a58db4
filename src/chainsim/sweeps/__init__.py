"""Sensitivity sweeps at scale: factor space as data → design → evaluate → analyze (SALib's contract).

>>> from chainsim.sweeps import load_sweep, run_sweep  # doctest: +SKIP
>>> result = run_sweep("sweeps/electronics_pathway_sensitivity.yaml", out_dir="runs/sweep")  # doctest: +SKIP

Modules: :mod:`~chainsim.sweeps.spec` (sweep files, factors), :mod:`~chainsim.sweeps.design`
(design matrices), :mod:`~chainsim.sweeps.evaluate` (the picklable worker),
:mod:`~chainsim.sweeps.runner` (executors, chunks, resume), :mod:`~chainsim.sweeps.dask_run` (the Dask
executor: lost workers, stalls), :mod:`~chainsim.sweeps.analysis`
(indices, ranking, figures), :mod:`~chainsim.sweeps.analytic` (known-answer functions).
See ``docs/sweeps.md``.
"""

from chainsim.sweeps.analysis import ranking_table, sensitivity_table
from chainsim.sweeps.design import Design, make_design, seed_sequence
from chainsim.sweeps.evaluate import evaluate_chunk
from chainsim.sweeps.runner import SweepResult, run_sweep
from chainsim.sweeps.spec import Factor, SweepSpec, load_sweep

__all__ = [
    "Design", "Factor", "SweepResult", "SweepSpec", "evaluate_chunk", "load_sweep", "make_design", "ranking_table",
    "run_sweep", "seed_sequence", "sensitivity_table",
]
