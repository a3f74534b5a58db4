"""Parameters that the members of one batch may set apart, and their stacked model.

An :class:`~chainsim.engine.Engine` simulates a batch of runs at once. Members may differ in
the behavioural parameters of :data:`BATCHABLE_PARAMS`, which change only the per-member
arrays of :data:`MEMBER_ARRAYS`; :func:`stack_members` gives those arrays a leading batch
axis where the members' values differ and keeps them shared where they do not.
"""

from __future__ import annotations

import numpy as np

from chainsim.engine.inputs import read_only
from chainsim.engine.model import EconomyModel, build_model, member_arrays
from chainsim.engine.params import ModelParams
from chainsim.errors import ModelBuildError

__all__ = ["BATCHABLE_PARAMS", "MEMBER_ARRAYS", "member_model", "stack_members", "structural_key"]

#: :class:`ModelParams` fields that batch members of one :class:`~chainsim.engine.Engine` may set
#: differently (``member_params``): they change only the per-member arrays of
#: :data:`MEMBER_ARRAYS` and the engine's per-member timings, never the structural arrays.
BATCHABLE_PARAMS: frozenset[str] = frozenset({
    "alpha_max", "alpha_tau", "sector_alpha_max", "sector_alpha_tau", "inventory_days", "import_headroom",
    "criticality_relief", "sector_criticality_relief", "detection_lag_days", "search_days", "ramp_days",
    "substitution_share", "substitution_lag_days", "rebuild_tau", "inventory_scale", "import_headroom_scale",
})
#: model arrays that take a leading batch axis when the members' values differ
MEMBER_ARRAYS: tuple[str, ...] = ("alpha_max", "alpha_tau", "cap_ref", "bind_weight", "bind_denom", "goal_coef",
                                  "inv_days")


def structural_key(params: ModelParams) -> str:
    """The params without the batchable fields, as JSON: members of one batch must share it."""
    import json

    return json.dumps(params.model_dump(mode="json", exclude=set(BATCHABLE_PARAMS)), sort_keys=True)


def member_model(model: EconomyModel, params: ModelParams) -> EconomyModel:
    """The model of a batch member with ``params``: ``model`` with its member arrays recomputed.

    When ``params`` differ from ``model.params`` only in :data:`BATCHABLE_PARAMS`, only the
    arrays of :data:`MEMBER_ARRAYS` change; they are computed from the model's
    :class:`~chainsim.engine.model.MemberBasis` (the same code as :func:`build_model`, so the same
    bits) and the table's arrays are shared. A pathway with drawn lever values builds one model
    per replication: about 6 ms each on the Northeast table, a tenth of a 20-member batch's run,
    against about 0.5 ms this way (issue 22). Otherwise (structural fields differ, or the model
    keeps no basis) the model is built from the table.
    """
    from dataclasses import replace

    if params == model.params:
        return model
    if getattr(model, "member_basis", None) is None or structural_key(params) != structural_key(model.params):
        return build_model(model.table, params)
    arrays, inf_rows, tau = member_arrays(model.table, params, model.quirks, model.member_basis)
    if not (np.array_equal(inf_rows, model.infinite_rows) and np.array_equal(tau, model.inv_tau)):
        return build_model(model.table, params)  # e.g. infinite stock days: not a member array
    return replace(model, params=params, **arrays)


def stack_members(model: EconomyModel, members: list[EconomyModel]) -> EconomyModel:
    """One model whose :data:`MEMBER_ARRAYS` carry a leading batch axis (B, ...) where members differ.

    ``members`` are built from the same table with params that differ from ``model.params``
    only in :data:`BATCHABLE_PARAMS`; arrays equal across members stay shared (no batch axis).

    Raises
    ------
    ModelBuildError
        A member's params differ from the others in a structural field, or its table differs.
    """
    from dataclasses import replace

    key = structural_key(model.params)
    for b, m in enumerate(members):
        if m is model:  # a sweep's runs that share their params share one built model
            continue
        if m.table is not model.table:
            raise ModelBuildError(f"member_params[{b}]: built from another table than the engine's model")
        if structural_key(m.params) != key:
            a, c = model.params.model_dump(), m.params.model_dump()
            diff = sorted(f for f in a if f not in BATCHABLE_PARAMS and a[f] != c[f])
            raise ModelBuildError(f"member_params[{b}]: differs from the batch in structural field(s) {diff}; "
                                  f"members may differ only in {sorted(BATCHABLE_PARAMS)}")
    over = {}
    for name in MEMBER_ARRAYS:
        arrs = [getattr(m, name) for m in members]
        if all(a is arrs[0] or np.array_equal(a, arrs[0]) for a in arrs[1:]):
            over[name] = arrs[0]
        else:
            over[name] = read_only(np.stack(arrs))
    return replace(members[0], **over)
