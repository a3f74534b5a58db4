"""Draw each lever's full value from its evidence range, paired across pathways (common random numbers).

Replication ``k`` draws one uniform quantile per lever of the registry, from a seed derived
from the scenario seed on a stream of its own (:data:`LEVER_STREAM`), so

- the same lever has the same draw in every pathway entry of replication ``k`` (``a`` and
  ``a+b`` move ``a``'s levers identically): differences between pathways are not luck;
- the draws do not depend on which pathways are compared, nor on the shock draws;
- the quantile maps to a full value through the lever's triangular distribution on the
  range that applies (:meth:`~chainsim.pathways.evidence.EvidenceRange.quantile`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from chainsim.pathways.registry import LEVERS, PATHWAYS

__all__ = ["LEVER_STREAM", "drawn_overrides", "lever_draw_seeds", "lever_quantiles"]

#: spawn key of the lever draws' seed stream (the replications' shock seeds are the scenario
#: seed's children ``(0,), (1,), ...``; lever draws use ``(LEVER_STREAM, k)``)
LEVER_STREAM = 0x1E7E5


def lever_draw_seeds(seed: int, replications: int) -> list[np.random.SeedSequence]:
    """One seed per replication for the lever draws, on their own stream of the scenario seed."""
    return np.random.SeedSequence(int(seed), spawn_key=(LEVER_STREAM,)).spawn(int(replications))


def lever_quantiles(seed: int, replications: int) -> np.ndarray:
    """Uniform quantiles, one row per replication and one column per lever in registry order.

    Examples
    --------
    >>> q = lever_quantiles(1, 3)
    >>> q.shape == (3, len(LEVERS)) and bool(((q >= 0) & (q < 1)).all())
    True
    """
    return np.array([np.random.default_rng(s).random(len(LEVERS)) for s in lever_draw_seeds(seed, replications)])


def drawn_overrides(entry: str, quantiles: Sequence[float], products: Sequence[str],
                    overrides: Mapping[str, Mapping[str, float]] | None = None) -> dict[str, dict[str, float]]:
    """Full values of an entry's levers for one replication, as ``pathways.levers`` overrides.

    A full value the scenario sets (``overrides``) is kept as it is, never drawn.

    Parameters
    ----------
    entry : str
        Pathway entry (``"a"`` or ``"a+b"``).
    quantiles : sequence of float
        This replication's row of :func:`lever_quantiles`.
    products : sequence of str
        The scenario's scarce products (they choose the evidence class).
    overrides : mapping, optional
        The scenario's ``pathways.levers``.
    """
    user = overrides or {}
    order = {name: k for k, name in enumerate(LEVERS)}
    out: dict[str, dict[str, float]] = {}
    for p in (q.strip() for q in entry.split("+")):
        if p not in PATHWAYS:
            continue
        own = dict(user.get(p, {}))
        drawn = {lv: LEVERS[lv].range_for(products)[0].quantile(quantiles[order[lv]])
                 for lv in PATHWAYS[p].levers if lv not in own}
        out[p] = {**drawn, **own}
    return out
