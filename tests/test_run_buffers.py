"""A pathway's output survives the next pathway run in the same process (issue 22).

``run_pathway`` writes the engine's output into a buffer reused by the thread
(:func:`chainsim.engine.clock.reusable_output`) and keeps a copy. With one replication the
transposed (1, days, N) view is already C-contiguous, so a copy that only happens when needed
(``np.ascontiguousarray``) would keep a view of the buffer, and the next run would overwrite it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from chainsim.experiment.run import replication_seeds, run_pathway
from chainsim.scenario.load import load_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "electronics_import_cut.yaml"


@pytest.mark.parametrize("replications", [1, 2])
def test_a_pathways_output_is_its_own(replications):
    with open(SCENARIO, encoding="utf-8") as fh:
        d = yaml.safe_load(fh)
    d["replications"], d["horizon_days"] = replications, 90
    loaded = load_scenario(d)
    seeds = replication_seeds(loaded.scenario.seed, replications)
    first = run_pathway(loaded, "baseline", seeds=seeds)
    kept = first.output.copy()
    second = run_pathway(loaded, "digital_green", seeds=seeds)
    assert not np.array_equal(second.output, kept)  # the second run differs, so an overwrite would show
    assert np.array_equal(first.output, kept)
    assert not np.shares_memory(first.output, second.output)
