"""The direct shock of a replication: the value its disruptions remove before any propagation.

The amplification ratio is total output loss / direct shock (Hallegatte 2008). The direct
shock is the value of what the disruptions take away before any propagation (lost capacity x
baseline output, cut imports or link flows, lost throughput, cut final demand): each type says
its own (:meth:`chainsim.disruptions.Disruption.direct_shock`, re-exported here as
:func:`direct_shock`; an unknown type is an error, never 0), summed over a replication's
sampled sizes and durations — and over every outage of a recurring disruption.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from chainsim.data.iotable import IOTable
from chainsim.disruptions import direct_shock, parse_disruption

__all__ = ["direct_shock", "replication_direct_shock"]


def _base_name(d: Mapping[str, Any], k: int) -> str:
    """The name the engine gives disruption ``k``'s samples (``name``, else ``type#k``)."""
    return str(d.get("name") or f"{d.get('type')}#{k}")


def replication_direct_shock(table: IOTable, disruptions: Sequence[Mapping[str, Any]],
                             samples: Sequence[Mapping[str, Any]], replications: int) -> np.ndarray:
    """Direct shock (table units) of each replication: every sampled episode of every disruption.

    A recurring disruption (``recurrence``) has one sample per outage (``name/outageN``); each
    is matched to its disruption by name, never by position.

    Parameters
    ----------
    table : IOTable
    disruptions : sequence of mapping
        The disruptions as run (scenario keys).
    samples : sequence of mapping
        The engine's sampled values (``batch``, ``name``, ``start``, ``duration``, ...).
    replications : int
    """
    by_name: dict[str, Any] = {}
    for k, d in enumerate(disruptions):
        by_name.setdefault(_base_name(d, k), parse_disruption(d, f"disruptions[{k}]"))
    out = np.zeros(int(replications))
    for s in samples:
        d = by_name.get(str(s.get("name", "")).split("/outage")[0])
        if d is not None:
            out[int(s["batch"])] += d.direct_shock(table, s)
    return out
