"""The input mask (``ModelParams.mask_threshold``, docs/model.md §3 "The input mask") does what the docs say.

* Default model: an (input row, buyer) cell can bind exactly when it could bind with no mask and
  its requirement per unit of output, summed over the imported-only rows of its product (the shared
  row and the named origins' rows bind together), is above the threshold.
* ``ario`` configuration: BoARIO's comparison of the annual flow with daily output, i.e. a
  threshold of ``mask_threshold / 365`` on the coefficient (ARIO_SPEC §2).
* The counts docs/model.md quotes for the shipped table, and ``mask_threshold`` as a sweep factor
  (a structural parameter: each value is its own model).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

from chainsim.engine import build_model
from chainsim.engine.params import ModelParams, resolve_params

THRESHOLDS = (1e-7, 1e-6, 1e-5, 1e-4)


@lru_cache(maxsize=1)
def _table():
    from chainsim.data.datasets import load_dataset

    return load_dataset("northeast-2017")


def _binding(model) -> np.ndarray:
    return np.asarray(model.bind_weight) > 0


def _grouped_requirement(model) -> np.ndarray:
    """A^C of each row, the imported-only rows of a product summed (their shared row and the origins' rows)."""
    AC = np.asarray(model.AC)
    S, K = model.n_sectors, len(model.nc_products)
    group = np.r_[np.arange(S + K), np.asarray(model.named_group, dtype=int)]
    total = np.zeros_like(AC)
    np.add.at(total, group, AC)
    return total[group]


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_default_mask_is_the_grouped_requirement_above_the_threshold(threshold):
    unmasked = build_model(_table(), resolve_params({"mask_threshold": 0.0}))
    masked = build_model(_table(), resolve_params({"mask_threshold": threshold}))
    need = _grouped_requirement(unmasked)
    assert unmasked.n_named > 0  # the shipped table has named origins' rows: the grouping is exercised
    expected = _binding(unmasked) & (need > threshold)
    np.testing.assert_array_equal(_binding(masked), expected)
    # a row of a product's group is not judged alone: some origin's row below the threshold still binds
    alone = np.asarray(unmasked.AC)
    assert (_binding(masked) & (alone <= threshold)).any()


@pytest.mark.parametrize("threshold", (1e-5, 1e-3))
def test_ario_mask_compares_annual_flows_with_daily_output(threshold):
    m = build_model(_table(), ModelParams.ario(mask_threshold=threshold))
    AC = np.asarray(m.AC)
    effective = threshold / 365  # annual Z^C > t x daily output  <=>  A^C > t / 365
    clear = np.abs(AC - effective) > 1e-9 * effective  # no cell sits on the boundary to rounding
    np.testing.assert_array_equal(_binding(m)[clear], (AC > effective)[clear])
    assert ((AC > effective) & (AC <= threshold)).any()  # the two readings differ on this table


def test_shipped_mask_counts_quoted_in_the_docs():
    unmasked = build_model(_table(), resolve_params({"mask_threshold": 0.0}))
    shipped = build_model(_table(), resolve_params({}))
    assert shipped.params.mask_threshold == 1e-5
    could, can = _binding(unmasked), _binding(shipped)
    lost = could & ~can
    flow = np.asarray(unmasked.AC) * np.asarray(unmasked.xbar)[None, : unmasked.n]
    assert (int(could.sum()), int(lost.sum())) == (4757, 1002)
    assert flow[lost].sum() / flow[could].sum() < 1e-5  # the masked cells carry under 0.001 % of the input value


def test_mask_threshold_is_a_structural_sweep_factor(tmp_path):
    from pathlib import Path

    from chainsim.engine.batch_params import BATCHABLE_PARAMS, structural_key
    from chainsim.sweeps.spec import load_sweep

    scenario = Path(__file__).resolve().parents[1] / "scenarios" / "electronics_import_cut.yaml"
    spec = load_sweep({"name": "mask", "scenario": str(scenario), "design": {"method": "grid", "levels": 3},
                       "factors": {"params.mask_threshold": [0, 1e-4]}, "outputs": ["loss_cny"],
                       "scope": "northeast", "ranking": {"enabled": False}}, base_dir=tmp_path)
    assert [(f.key, f.kind, f.low, f.high) for f in spec.factors if f.kind != "seed"] == [
        ("params.mask_threshold", "param", 0.0, 1e-4)]
    assert "mask_threshold" not in BATCHABLE_PARAMS
    keys = {structural_key(resolve_params({"mask_threshold": t})) for t in (0.0, 5e-5, 1e-4)}
    assert len(keys) == 3  # one model per value: the sweep groups its runs by it
