"""A batch member's model from the batch's model equals the model built from the table (issue 22).

:func:`chainsim.engine.batch_params.member_model` recomputes only the member arrays from the
model's :class:`~chainsim.engine.model.MemberBasis`; every field must equal
:func:`~chainsim.engine.build_model`'s, bit for bit, for any batchable parameters.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainsim.data.datasets import load_dataset
from chainsim.engine import build_model, resolve_params
from chainsim.engine.batch_params import member_model
from chainsim.engine.model import EconomyModel

TABLE = load_dataset("northeast-2017")
BASE = build_model(TABLE, resolve_params(None))
CODES = list(TABLE.sector_codes)


def _differing(a: EconomyModel, b: EconomyModel) -> list[str]:
    bad = []
    for f in dataclasses.fields(EconomyModel):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name in ("table", "member_basis"):
            continue
        same = (x.shape == y.shape and np.array_equal(x, y, equal_nan=True)) if isinstance(x, np.ndarray) else x == y
        if not same:
            bad.append(f.name)
    return bad


batchable = st.fixed_dictionaries({}, optional={
    "inventory_scale": st.floats(0.2, 3.0),
    "alpha_tau": st.floats(5.0, 365.0),
    "import_headroom": st.floats(1.0, 2.0),
    "import_headroom_scale": st.floats(0.0, 3.0),
    "criticality_relief": st.floats(0.0, 1.0),
    "search_days": st.integers(1, 120),
    "substitution_share": st.floats(0.0, 1.0),
    "sector_alpha_max": st.dictionaries(st.sampled_from(CODES), st.floats(1.0, 2.0), max_size=3),
    "sector_criticality_relief": st.dictionaries(st.sampled_from(CODES), st.floats(0.0, 1.0), max_size=3),
})


@settings(max_examples=25, deadline=None)
@given(batchable)
def test_member_model_equals_a_full_build(over):
    params = resolve_params(over)
    built, derived = build_model(TABLE, params), member_model(BASE, params)
    assert derived.params == params
    assert _differing(built, derived) == []
    assert derived.ZbarT_D is BASE.ZbarT_D  # the table's arrays are shared, not rebuilt


def test_structural_params_are_built_from_the_table():
    params = resolve_params({"mask_threshold": 1e-4})
    derived = member_model(BASE, params)
    assert derived.ZbarT_D is not BASE.ZbarT_D
    assert _differing(build_model(TABLE, params), derived) == []
    assert not np.array_equal(derived.bind_weight, BASE.bind_weight)  # the change did reach the arrays


def test_same_params_give_the_same_model():
    assert member_model(BASE, BASE.params) is BASE


@pytest.mark.parametrize("over", [{"inventory_scale": 2.0}, {"criticality_relief": 0.5}])
def test_a_member_change_reaches_its_arrays(over):
    derived = member_model(BASE, resolve_params(over))
    key = "goal_coef" if "inventory_scale" in over else "bind_weight"
    assert not np.array_equal(getattr(derived, key), getattr(BASE, key))
