"""The networkx view: edges, thresholds, upstream/downstream queries, sourcing concentration."""

import numpy as np
import pytest

from chainsim import DataError
from chainsim.network import downstream, supplier_concentration, to_graph, upstream
from tests.test_iotable import _two_region


def test_edges_carry_flows_and_shares():
    t = _two_region()
    g = to_graph(t, threshold=0.0)
    e = g.edges[("LN", "01"), ("JL", "14")]
    assert e["weight"] == 1.0
    assert e["input_share"] == pytest.approx(1.0 / t.x[3])
    assert e["sales_share"] == pytest.approx(1.0 / t.x[0])
    assert g.number_of_edges() == int((t.Z > 0).sum())


def test_threshold_drops_small_links():
    t = _two_region()
    g = to_graph(t, threshold=0.05)
    assert not g.has_edge(("LN", "01"), ("JL", "14"))  # 1/x is tiny on both sides
    assert g.has_edge(("LN", "14"), ("LN", "14"))


def test_imports_become_origin_nodes():
    g = to_graph(_two_region(), threshold=0.0, imports=True)
    assert g.has_edge(("IMPORT:JPN", "14"), ("LN", "01"))
    assert g.nodes[("IMPORT:JPN", "14")]["kind"] == "import"


def test_upstream_and_downstream_with_depth():
    g = to_graph(_two_region(), threshold=0.0, imports=True)
    assert ("IMPORT:JPN", "14") in upstream(g, ("LN", "01"), depth=1)
    assert ("IMPORT:JPN", "14") not in downstream(g, ("LN", "01"))
    assert upstream(g, ("LN", "01"), depth=0) == set()
    with pytest.raises(DataError, match="unknown node"):
        upstream(g, ("LN", "99"))


def test_supplier_concentration():
    t = _two_region()
    h = supplier_concentration(t)
    # LN|01 buys product 14 from LN (4), JL (1) and Japan (3): shares 4/8, 1/8, 3/8
    assert h[1, 0] == pytest.approx((16 + 1 + 9) / 64)
    assert np.all((h[~np.isnan(h)] > 0) & (h[~np.isnan(h)] <= 1 + 1e-12))
