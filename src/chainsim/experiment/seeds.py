"""Seeds of a scenario's replications (common random numbers across pathways).

Replication ``k`` of every pathway uses the ``k``-th child of the scenario seed
(``SeedSequence(seed).spawn``): its sampled disruption starts, durations and sizes are the same
in every pathway. Lever draws use a stream of their own (:mod:`chainsim.pathways.draws`). Both
the run (:mod:`chainsim.experiment.run`) and its preflight check (:mod:`chainsim.experiment.preflight`)
take their seeds from here.
"""

from __future__ import annotations

import numpy as np

__all__ = ["replication_seeds"]


def replication_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """One independent seed per replication, derived from the scenario seed (``SeedSequence.spawn``).

    Examples
    --------
    >>> [s.spawn_key for s in replication_seeds(7, 3)]
    [(0,), (1,), (2,)]
    """
    return np.random.SeedSequence(int(seed)).spawn(int(replications))
