"""A networkx view of an input-output table: supplier → customer graph and its queries.

Nodes are industries ``(region, sector)`` (and, optionally, foreign origins
``("IMPORT:<ISO>", sector)``); an edge ``i → j`` carries the annual flow ``Z_ij`` as
``weight``, the technical coefficient ``a_ij`` (share of ``j``'s output) as ``input_share``
and the allocation coefficient ``b_ij`` (share of ``i``'s output) as ``sales_share``.
Edges whose ``a_ij`` and ``b_ij`` are both below ``threshold`` are dropped.

References
----------
.. [1] Acemoglu, D., Carvalho, V. M., Ozdaglar, A. & Tahbaz-Salehi, A. (2012). The network
   origins of aggregate fluctuations. *Econometrica* 80(5), 1977–2016.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np

from chainsim.data.iotable import IOTable
from chainsim.data.leontief import calc_A, calc_B

__all__ = ["downstream", "supplier_concentration", "to_graph", "upstream"]

Node = tuple[str, str]


def to_graph(table: IOTable, *, threshold: float = 1e-3, imports: bool = False) -> nx.DiGraph:
    """Build the weighted supplier → customer graph of ``table``.

    Parameters
    ----------
    table : IOTable
        The table.
    threshold : float
        Keep an edge when its input share ``a_ij`` or its sales share ``b_ij`` reaches this value.
    imports : bool
        Add one node per (origin, product) of foreign imports with edges to their users.

    Returns
    -------
    networkx.DiGraph
        Node attributes: ``region``, ``sector``, ``name_en``, ``name_zh``, ``output``.

    Examples
    --------
    >>> from chainsim.data.toy import load_toy
    >>> g = to_graph(load_toy(), threshold=0.0)
    >>> sorted(g.successors(("R1", "A")))
    [('R1', 'A'), ('R1', 'B')]
    """
    A = calc_A(table.Z, table.x)
    B = calc_B(table.Z, table.x)
    labels = list(table.labels)
    g = nx.DiGraph(name=table.name, unit=table.unit)
    sec = table.sectors
    for k, (r, s) in enumerate(labels):
        si = k % table.n_sectors
        g.add_node((r, s), region=r, sector=s, name_en=sec[si].name_en, name_zh=sec[si].name_zh,
                   output=float(table.x[k]), kind="industry")
    keep = (table.Z > 0) & ((A >= threshold) | (B >= threshold))
    for i, j in zip(*np.nonzero(keep), strict=True):
        g.add_edge(labels[i], labels[j], weight=float(table.Z[i, j]), input_share=float(A[i, j]),
                   sales_share=float(B[i, j]))
    if imports and table.origins:
        inv_x = np.divide(1.0, table.x, out=np.zeros_like(table.x), where=table.x > 0)
        for o, origin in enumerate(table.origins):
            for p, s in enumerate(table.sector_codes):
                flows = table.imports_Z[o, p]
                share = flows * inv_x
                users = np.nonzero((flows > 0) & (share >= threshold))[0]
                if len(users) == 0:
                    continue
                node = (f"IMPORT:{origin}", s)
                g.add_node(node, region=f"IMPORT:{origin}", sector=s, kind="import", output=float(flows.sum()),
                           name_en=f"{table.sectors[p].name_en} imported from {origin}".strip(),
                           name_zh=f"{table.sectors[p].name_zh}（{origin}进口）")
                for j in users:
                    g.add_edge(node, labels[j], weight=float(flows[j]), input_share=float(share[j]),
                               sales_share=float(flows[j] / flows.sum()))
    return g


def upstream(graph: nx.DiGraph, node: Node, *, depth: int | None = None) -> set[Node]:
    """Industries that supply ``node`` directly or indirectly (within ``depth`` tiers)."""
    return _reach(graph.reverse(copy=False), node, depth)


def downstream(graph: nx.DiGraph, node: Node, *, depth: int | None = None) -> set[Node]:
    """Industries that ``node`` supplies directly or indirectly (within ``depth`` tiers)."""
    return _reach(graph, node, depth)


def _reach(graph: nx.DiGraph, node: Node, depth: int | None) -> set[Node]:
    if node not in graph:
        from chainsim.errors import DataError, did_you_mean

        raise DataError(f"unknown node {node!r}{did_you_mean(str(node), [str(n) for n in graph.nodes])}")
    lengths = nx.single_source_shortest_path_length(graph, node, cutoff=depth)
    return {n for n in lengths if n != node}


def supplier_concentration(table: IOTable, users: Iterable[int] | None = None) -> np.ndarray:
    r"""Herfindahl index of each (product, user) pair's sourcing across supplier regions and import origins.

    :math:`H_{pj} = \sum_k s_{kpj}^2` where :math:`s_{kpj}` is the share of source ``k`` (a
    domestic region or a foreign origin) in ``j``'s purchases of product ``p``; 1 means a
    single source (a chokepoint candidate), NaN where ``j`` buys none of ``p``.

    Returns
    -------
    array (S, N) or (S, len(users))
    """
    S, R = table.n_sectors, table.n_regions
    dom = table.Z.reshape(R, S, table.n_industries)  # (region, product, user)
    sources = np.concatenate([dom, table.imports_Z], axis=0)
    total = sources.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        h = ((sources / total) ** 2).sum(axis=0)
    h[total == 0] = np.nan
    return h if users is None else h[:, list(users)]
