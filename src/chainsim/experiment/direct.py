"""The direct shock of a disruption: the value it removes before any propagation (for the amplification ratio).

The amplification ratio is total output loss / direct shock (Hallegatte 2008). The direct
shock is the value of what the disruptions take away before any propagation (lost capacity x
baseline output, cut imports or link flows, lost throughput, cut final demand), summed over a
replication's sampled sizes and durations — and over every outage of a recurring disruption.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from chainsim.data.iotable import IOTable
from chainsim.engine.curves import CURVES

__all__ = ["direct_shock", "replication_direct_shock"]


def _recovery_integral(curve: str, tau: float) -> float:
    """Days of full loss equivalent to a recovery along ``curve`` over time constant ``tau``."""
    if not tau or tau <= 1e-6 or curve == "rebuild":
        return 0.0
    e = np.arange(0.0, 20.0 * tau + 1.0)
    g = np.clip(CURVES[curve](e, np.full_like(e, tau)), 0.0, 1.0)
    return float(g.sum())


def direct_shock(table: IOTable, disruption: Mapping[str, Any], sample: Mapping[str, Any]) -> float:
    """Value (table units) of what one sampled disruption directly removes, before propagation.

    Parameters
    ----------
    table : IOTable
        The table.
    disruption : mapping
        The disruption as written (scenario keys).
    sample : mapping
        Its sampled ``start``, ``duration``, ``share`` (and ``tau``, ``curve``).
    """
    yd = 365.0
    kind = disruption.get("type")
    share = float(sample.get("share", disruption.get("share", 0.0)) or 0.0)
    days = float(sample.get("duration", 0.0))

    def names(key: str, default: str = "all") -> list[str]:
        v = disruption.get(key, disruption.get(key + "s", default))
        return [str(v)] if isinstance(v, str | int) else [str(x) for x in v]

    def idx(values: list[str], lookup: Any, n: int) -> np.ndarray:
        return np.arange(n) if values == ["all"] else np.array([lookup(v) for v in values], dtype=int)

    S = table.n_sectors
    if kind == "capacity_loss":
        r = idx(names("region"), table.region_index, table.n_regions)
        s = idx(names("sector"), table.sector_index, S)
        nodes = (r[:, None] * S + s[None, :]).ravel()
        days += _recovery_integral(str(sample.get("curve", "linear")), float(sample.get("tau", 0.0)))
        return share * float(table.x[nodes].sum()) / yd * days
    if kind == "import_cut":
        p = idx(names("product"), table.sector_index, S)
        o = idx(names("origin"), table.origin_index, len(table.origins))
        r = idx(names("region"), table.region_index, table.n_regions)
        users = (r[:, None] * S + np.arange(S)[None, :]).ravel()
        flows = table.imports_Z[np.ix_(o, p, users)].sum()
        return share * float(flows) / yd * days
    if kind == "link_cut":
        p = idx(names("product"), table.sector_index, S)
        fr = idx(names("from_region"), table.region_index, table.n_regions)
        tr = idx(names("to_region"), table.region_index, table.n_regions)
        ts = idx(names("to_sector"), table.sector_index, S)
        rows = (fr[:, None] * S + p[None, :]).ravel()
        cols = (tr[:, None] * S + ts[None, :]).ravel()
        return share * float(table.Z[np.ix_(rows, cols)].sum()) / yd * days
    if kind == "congestion":
        loss = float(sample.get("throughput_loss", disruption.get("throughput_loss", 0.5)))
        tr = idx(names("to_region"), table.region_index, table.n_regions)
        cols = (tr[:, None] * S + np.arange(S)[None, :]).ravel()
        total = 0.0
        for src in names("from_region"):
            if src in table.origins:
                total += float(table.imports_Z[table.origin_index(src)][:, cols].sum())
            else:
                r0 = table.region_index(src)
                total += float(table.Z[r0 * S:(r0 + 1) * S][:, cols].sum())
        return loss * total / yd * days
    if kind == "final_demand":
        r = idx(names("region"), table.region_index, table.n_regions)
        s = idx(names("sector"), table.sector_index, S)
        cons = np.array([table.region_index(c) for c, _ in table.fd_columns])
        fd = table.Y[:, np.isin(cons, r)].sum(axis=1)
        days = 365.0 if disruption.get("permanent") else days
        return abs(share) * float(fd[np.isin(table.sector_of, s)].sum()) / yd * days
    return 0.0


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
    by_name: dict[str, Mapping[str, Any]] = {}
    for k, d in enumerate(disruptions):
        by_name.setdefault(_base_name(d, k), d)
    out = np.zeros(int(replications))
    for s in samples:
        d = by_name.get(str(s.get("name", "")).split("/outage")[0])
        if d is not None:
            out[int(s["batch"])] += direct_shock(table, d, s)
    return out
