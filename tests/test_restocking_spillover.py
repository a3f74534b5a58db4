"""An unbound region's producer gains output when the other regions' producers of its product are bound.

The README's export control (60 % of electronics, product 20, from KOR/JPN/TWN/USA into all of
China) raises Heilongjiang's culture, sports and entertainment (HLJ 41, 文化、体育和娱乐) above its
baseline while sector 41 of Liaoning, Jilin and Rest of China falls to about 0.78. The mechanism
(docs/model.md §2 steps 4 and 7):

* 41 rates the cut origins' electronics critical (IHS, Pichler et al. 2022), so wherever its
  imported-electronics requirement passes the input mask (``mask_threshold``, A^C > 1e-5) it binds
  when those varieties' stocks run out; HLJ 41's requirement (6e-7 per unit of output in the
  shipped table) is under the mask, so HLJ 41 never binds;
* 41 is a homogeneous product (``switch_share`` 1) held as a deferrable stock: its buyers, short
  of deliveries from the bound producers, order planned use plus 1/τ of the gap to their fixed
  target, split over every producer of 41 at baseline shares (λ = 1: no producer lost capacity);
* the unbound HLJ 41 receives its baseline share of those restocking orders, demand exceeds its
  output and overproduction lifts its capacity (α toward α_max over τ_α).

Relations on the shipped Northeast table, not numbers of its output: the gain exists; removing
the restocking gap of 41 (infinite stocks of 41) removes it; letting HLJ 41 bind on the same
input (a lower mask threshold) turns it into a loss like the other regions'.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from chainsim.engine import build_model, simulate
from chainsim.engine.params import resolve_params

DAYS = 120  # the cut's stocks run out about 55 days in; HLJ 41's gain builds from there
CUT = {"type": "import_cut", "product": "20", "origins": ["KOR", "JPN", "TWN", "USA"], "regions": "all",
       "share": 0.6, "start": 0, "duration": DAYS}


@lru_cache(maxsize=1)
def _table():
    from chainsim.data.datasets import load_dataset

    return load_dataset("northeast-2017")


@lru_cache(maxsize=4)
def _sector41(**params) -> np.ndarray:
    """Output of sector 41 relative to baseline under the cut, (days, region) in the table's region order."""
    m = build_model(_table(), resolve_params(dict(params)))
    S = m.n_sectors
    cols = [r * S + m.table.sector_index("41") for r in range(m.table.n_regions)]
    out = simulate(m, [CUT], days=DAYS, seed=1).output.to_numpy()
    return out[:, cols] / np.asarray(m.xbar)[cols]


def _hlj() -> int:
    return list(_table().region_codes).index("HLJ")


def _others() -> list[int]:
    return [r for r in range(_table().n_regions) if r != _hlj()]


def test_hlj41_gains_while_the_other_regions_41_are_bound():
    rel = _sector41()
    assert rel[:, _others()].min(axis=0).max() < 0.9  # each of LN, JL, ROC 41 falls below 0.9 (measured 0.78)
    assert rel[:, _hlj()].min() > 1.0 - 1e-9  # HLJ 41 never falls
    assert rel[:, _hlj()].max() - 1.0 > 3e-3  # and gains (measured 1.0e-2 on day 119)


def test_the_gain_is_the_buyers_restocking_of_41():
    """Without a stock of 41 to restore, the bound producers still fall and HLJ 41 gets no extra orders."""
    gain = _sector41()[:, _hlj()].max() - 1.0
    alt = _sector41(infinite_inventory_sectors=("41",))
    assert alt[:, _others()].min(axis=0).max() < 0.9
    assert alt[:, _hlj()].max() - 1.0 < 0.1 * gain  # measured 6.9e-7


def test_the_gain_is_hlj41s_immunity_under_the_input_mask():
    """HLJ 41's imported electronics under the mask cannot bind; with a lower threshold it falls with the others."""
    m = build_model(_table(), resolve_params({}))
    S, p, k = m.n_sectors, m.table.sector_index("20"), m.table.sector_index("41")
    imported = [r for r in range(S, m.n_inputs) if m.input_product[r] == p]  # 20's imported-only rows
    weight = m.bind_weight[imported].sum(axis=0)
    assert imported and weight[_hlj() * S + k] == 0.0
    assert all(weight[r * S + k] > 0.5 for r in _others())  # critical (1) times 1 - σ_20 = 0.85
    alt = _sector41(mask_threshold=1e-7)
    assert alt[:, _hlj()].min() < 0.9
