"""Re-export netting rules: known answers, properties of the proportional rule, the rule registry."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.data.reexports import REEXPORT_RULES, net_reexports, net_reexports_excess, net_reexports_proportional
from chainsim.errors import DataError


def _one(*values):
    return [np.array([float(v)]) for v in values]


def test_known_answer_stage_one_keeps_output_for_local_users():
    """GO 10, OF 25, IF 30 (no foreign trade, domestic use 15): outflows draw GO : IF = 1 : 3 from the pool, so
    25 * 3/4 = 18.75 is transit; local supply 10 - 6.25 = 3.75 = 10 * 15 / 40 (the excess rule leaves 0)."""
    t = net_reexports_proportional(*_one(10, 0, 25, 0, 30))
    assert t.OF[0] == pytest.approx(6.25) and t.IF[0] == pytest.approx(11.25)
    assert t.netted[0].tolist() == pytest.approx([18.75, 0, 0, 0])
    assert 10 - t.OF[0] == pytest.approx(10 * 15 / 40)
    assert 10 - net_reexports_excess(*_one(10, 0, 25, 0, 30)).OF[0] == 0


def test_known_answer_stage_two_passes_imports_on():
    """GO 10, IM 30, OF 20, no inflow (Heilongjiang's pipeline crude): stage 1 nets nothing, EX + OF > GO, so all
    outflow draws GO : IM = 1 : 3 and 15 of it is imports passed on; local supply 10 * 20 / 40 = 5."""
    t = net_reexports_proportional(*_one(10, 0, 20, 30, 0))
    assert t.netted[0].tolist() == pytest.approx([0, 0, 15, 0])
    assert (t.OF[0], t.IM[0]) == pytest.approx((5, 15))
    assert 10 - t.EX[0] - t.OF[0] == pytest.approx(10 * 20 / 40)


def test_stage_one_leaves_foreign_trade_alone():
    t = net_reexports_proportional(*_one(100, 30, 40, 20, 50))  # EX + OF = 70 < GO before and after
    assert t.EX[0] == 30 and t.IM[0] == 20
    assert t.netted[0, 1:].sum() == 0 and t.netted[0, 0] == pytest.approx(40 * 50 / 150)


@settings(max_examples=300, deadline=None)
@given(st.floats(0, 1e6), st.floats(0, 1e6), st.floats(0, 1e6), st.floats(0, 1e6), st.floats(0, 1e6))
def test_property_proportional_rule(go, ex, of, im, use):
    """Balance kept, EX + OF <= GO, nothing negative, at least the excess netted, and local supply
    GO - EX - OF > 0 whenever the province produces (GO > 0) and uses (domestic use > 0) the product."""
    inflow = use + ex + of - go - im  # domestic use GO + IM + IF - EX - OF = use
    if inflow < 0:
        return
    t = net_reexports_proportional(*_one(go, ex, of, im, inflow))
    scale = max(go, ex, of, im, inflow, 1.0)
    assert t.EX[0] + t.OF[0] <= go + 1e-9 * scale
    assert (t.EX + t.OF - t.IM - t.IF)[0] == pytest.approx(ex + of - im - inflow, abs=1e-9 * scale)
    assert min(t.EX[0], t.OF[0], t.IM[0], t.IF[0], t.netted.min()) >= 0
    assert t.netted.sum() >= max(0.0, ex + of - go) - 1e-9 * scale
    if go > 1e-6 * scale and use > 1e-6 * scale:
        assert go - t.EX[0] - t.OF[0] > 0


def test_registry_and_unknown_rule():
    assert set(REEXPORT_RULES) == {"proportional", "excess"}
    with pytest.raises(DataError, match=r"re-export rule must be one of \['excess', 'proportional'\], found "
                                        r"'proportionate' \(did you mean 'proportional'\?\)"):
        net_reexports(*_one(1, 0, 0, 0, 0), rule="proportionate")
