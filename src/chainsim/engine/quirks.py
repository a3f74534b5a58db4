"""Where BoARIO 0.7.2 and chainsim's default model differ: one named choice per equation, chosen once.

The ``ario`` configuration (``ModelParams.ario_quirks``) reproduces BoARIO 0.7.2
``ARIOPsiModel`` exactly, defects included (``ARIO_SPEC.md`` §9); the default model fixes them.
Every difference is a field of :class:`Quirks`, read by exactly one equation: the model build,
one function of the reference day (:mod:`chainsim.engine.reference`) and its compiled
counterpart, or the compilation of one disruption type. :func:`quirks_of` picks the set once,
when the model is built (``EconomyModel.quirks``); nothing else asks which configuration runs.

References
----------
.. [1] Juhel, S. (2023). BoARIO: a Python implementation of the ARIO model, version 0.7.2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["BOARIO_072", "CHAINSIM", "Quirks", "quirks_of"]


@dataclass(frozen=True)
class Quirks:
    """The equations on which the two configurations differ (ARIO_SPEC section in brackets).

    Attributes
    ----------
    name : str
        ``"chainsim"`` or ``"boario-0.7.2"``.
    input_mask : {"requirement", "annual_flow"}
        Which inputs can bind: ``A^C_pj > threshold`` ("requirement"), or BoARIO's comparison
        of the annual flow ``Z^C_pj`` with the daily output ``x̄_j`` (§2).
    min_inventory_days : float
        Inventory targets of at most one day become two days (BoARIO, §2); 0: none.
    negative_final_demand : {"exogenous_supply", "kept"}
        Negative final demand (net inflows) becomes an undisrupted supply of the product, or
        stays a negative demand (§2).
    lead_times : bool
        Routes may have baseline lead times (BoARIO has none).
    foreign_restock : bool
        Foreign origins of products no import cut touches deliver what is ordered (docs/model.md
        §5.4); BoARIO has no foreign supply nodes.
    overproduction_from_day : int
        First day of the overproduction update (§5: day 2 in BoARIO).
    overproduction_rule : {"decay_without_scarcity", "decay_at_zero_scarcity"}
        α decays toward α_b whenever there is no scarcity, floored at α_b; or BoARIO's rule, the
        growth term for every σ and the decay only at σ exactly 0, floored at 1 (§5).
    allclose_gates : bool
        BoARIO skips the stock update of a member when deliveries are allclose to use, and
        sets its inventory gap to zero when stocks are allclose to the goal (§7, §8).
    negative_stock : {"floor", "crash"}
        A stock below zero is floored (an input that cannot bind is done without), or the run
        crashes as BoARIO stops (§7, §10).
    loss_timing : {"chainsim", "boario"}
        Days a capacity loss holds and where its curve starts, and the rounding of losses
        (§6.1, §6.2: BoARIO's capital loss holds to ``t_o + d + 1``, its arbitrary loss starts
        a day late, damages are rounded to 7 and 6 decimals).
    loss_above_one : {"clip", "error"}
        Total capacity loss above one: clipped, or an error as BoARIO raises (§6.1).
    rebuild_decimals : int
        Rounding of the remaining rebuilding demand (7 in BoARIO, §6.3; -1: none, a column is
        rebuilt once below 1e-6 of its damage).
    rebuild_tau : {"model", "event"}
        τ_R of a rebuilding event without its own ``days``: ``params.rebuild_tau``; or always
        the event's ``days`` (BoARIO's ``rebuild_tau`` of the event).
    """

    name: str
    input_mask: Literal["requirement", "annual_flow"]
    min_inventory_days: float
    negative_final_demand: Literal["exogenous_supply", "kept"]
    lead_times: bool
    foreign_restock: bool
    overproduction_from_day: int
    overproduction_rule: Literal["decay_without_scarcity", "decay_at_zero_scarcity"]
    allclose_gates: bool
    negative_stock: Literal["floor", "crash"]
    loss_timing: Literal["chainsim", "boario"]
    loss_above_one: Literal["clip", "error"]
    rebuild_decimals: int
    rebuild_tau: Literal["model", "event"]


#: chainsim's default model: BoARIO's defects fixed (docs/model.md §5.1).
CHAINSIM = Quirks(
    name="chainsim", input_mask="requirement", min_inventory_days=0.0, negative_final_demand="exogenous_supply",
    lead_times=True, foreign_restock=True, overproduction_from_day=1, overproduction_rule="decay_without_scarcity",
    allclose_gates=False, negative_stock="floor", loss_timing="chainsim", loss_above_one="clip", rebuild_decimals=-1,
    rebuild_tau="model")

#: BoARIO 0.7.2 ``ARIOPsiModel``, order "alt" (ARIO_SPEC.md §9).
BOARIO_072 = Quirks(
    name="boario-0.7.2", input_mask="annual_flow", min_inventory_days=1.0, negative_final_demand="kept",
    lead_times=False, foreign_restock=False, overproduction_from_day=2, overproduction_rule="decay_at_zero_scarcity",
    allclose_gates=True, negative_stock="crash", loss_timing="boario", loss_above_one="error", rebuild_decimals=7,
    rebuild_tau="event")


def quirks_of(ario_quirks: bool) -> Quirks:
    """The quirk set of a configuration: :data:`BOARIO_072` if ``ario_quirks`` else :data:`CHAINSIM`."""
    return BOARIO_072 if ario_quirks else CHAINSIM
