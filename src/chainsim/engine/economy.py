"""The narrow interface between the clock and the economy's daily step.

The clock (:mod:`chainsim.engine.clock`) owns time, the disruption plan, the event log and
the supplier searches; an *economy* owns the state of a batch and advances it one day. Two
economies implement :class:`Economy`:

* :class:`chainsim.engine.reference.ReferenceEconomy` — dense and flag-free, one function per
  equation of ``docs/model.md`` (the executable specification);
* :class:`chainsim.engine.executor.FastEconomy` — the same day with factored orders, compiled
  loops and batched products (the default), checked against the reference to
  :data:`RTOL` per industry and day.

Each day the clock hands the economy a :class:`DayInputs`; between days it changes links,
routes and substitution through the methods below, and reads back production, capacity and
the served shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

__all__ = ["BIND_TIE", "COVER_NOISE", "NO_SHORTAGES", "RTOL", "SCARCITY_NOISE", "DayInputs", "Economy", "Shortages"]

#: Relative gap (to optimal output) within which two inputs bind equally hard; the lower input row
#: is then named (the tie rule of the ``shortage`` event and of the supplier search it starts).
BIND_TIE = 1e-9

#: Relative excess of demand over yesterday's production below which the default model sees no
#: scarcity (overproduction decays): a scarcity of 1e-9 is rounding, not a shortage, and the rule
#: would otherwise jump between growth and decay on the sign of rounding noise.
SCARCITY_NOISE = 1e-9

#: Relative shortfall of a stock against the day's need below which the cover rule sees no shortage:
#: a flow input held at exactly ``cover_days`` of need (the floor of scaled stock days) would
#: otherwise bind, and be reported, on the sign of rounding noise at baseline.
COVER_NOISE = 1e-9

#: Tolerance of the fast executor against the reference: per industry and day,
#: ``|x_fast - x_ref| <= RTOL * max(|x_ref|, x̄)`` (x̄ the industry's baseline output).
RTOL = 1e-10


@dataclass
class DayInputs:
    """What the clock gives the economy for day ``t`` (arrays owned by the clock, read-only to the economy).

    Attributes
    ----------
    t : int
        The day.
    delta : (B, n_sup)
        Capacity loss of every supply node.
    rebuild : (B, n_sup)
        Rebuilding demand (zero without rebuilding events).
    final_demand : (B, n_sup)
        Final demand in force.
    import_cut_on : (B, S) bool
        Products under an import cut into named regions (their foreign origins then serve only
        up to their headroom).
    reported : (B, N) bool
        Buyers whose first shortage was already reported (the economy names new ones only).
    rebuilding : bool
        Whether ``rebuild`` has any demand today (an economy may skip its work when not).
    foreign_open : (B, n_sup) or None
        With ``per_region_imports``: the share of each foreign origin's baseline flow whose links
        are open (import cuts in force); None: every link open.
    """

    t: int
    delta: np.ndarray
    rebuild: np.ndarray
    final_demand: np.ndarray
    import_cut_on: np.ndarray
    reported: np.ndarray
    rebuilding: bool = False
    foreign_open: np.ndarray | None = None


@dataclass
class Shortages:
    """Buyers ``j`` of members ``b`` whose production an input limited today for the first time, and the input ``row``.

    The input named is the one binding hardest (inputs within :data:`BIND_TIE` x optimal output
    of it are ties, named by the lowest row).
    """

    b: np.ndarray
    j: np.ndarray
    row: np.ndarray


#: No new shortage today.
NO_SHORTAGES = Shortages(np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0, dtype=int))


class Economy(Protocol):
    r"""The state of a batch and its daily step (see the module docstring).

    After :meth:`step`, ``x``, ``capacity``, ``x_opt`` and ``phi`` (B, n_sup) are today's
    production, capacity, optimal production and served shares, ``phi_rebuild`` the served share of
    rebuilding demand (``phi`` unless it is served last), ``unmet`` (B,) the final demand
    not met (if ``keep_unmet``), ``done_without`` (B,) the use of inputs no stock could cover
    (:math:`\sum (A^C x - U)`, default model with exact stocks; 0 otherwise), ``crashed`` (B,)
    the members whose stocks went negative
    (BoARIO's crash), ``inventory`` (B, S + K, N) the stocks after the day.
    """

    x: np.ndarray
    capacity: np.ndarray
    x_opt: np.ndarray
    phi: np.ndarray
    phi_rebuild: np.ndarray
    unmet: np.ndarray
    done_without: np.ndarray
    crashed: np.ndarray
    inventory: np.ndarray
    keep_unmet: bool

    def step(self, day: DayInputs) -> Shortages:
        """Advance every member by one day; return the new shortages."""
        ...

    def columns(self, b: np.ndarray, p: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Link weights W and open shares κ of the suppliers of product p to buyer j of member b: (Q, blocks) each."""
        ...

    def set_weights(self, b: np.ndarray, p: np.ndarray, j: np.ndarray, W: np.ndarray) -> None:
        """Set the link weights of the columns (b, p, j) (distinct), W (Q, blocks)."""
        ...

    def set_closures(self, b: int, closures: list[tuple[np.ndarray, np.ndarray, float]]) -> None:
        """Open every link of member b, then close ``share`` of the links ``rows x cols`` of each closure."""
        ...

    def set_substitution(self, key: int, b: int, p: np.ndarray, j: np.ndarray, sigma: float) -> None:
        """Share σ of substitution item ``key`` (columns (b, p, j), registered on first use)."""
        ...
