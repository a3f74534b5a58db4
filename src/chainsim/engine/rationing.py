r"""Rationing rules: how a supplier's output is shared among the demands addressed to it.

Each rule maps, for every supplier node, the supply :math:`s` (today's production plus any
exogenous supply), the total demand :math:`D`, the final demand :math:`y` and the orders of
priority buyers :math:`d^{prio}` to the served shares :math:`\varphi` of intermediate (and
rebuilding) orders, :math:`\varphi^y` of final demand and :math:`\varphi^{prio}` of the orders of
priority buyers. The rules are pure functions in a registry keyed by name
(``ModelParams.rationing``), used by both economies.

* ``proportional`` (ARIO; Hallegatte 2008): every demand gets the same share
  :math:`\varphi = \min(1, s / D)` (0 where nothing is demanded, as BoARIO).
* ``final_demand_first``: households first, then intermediate and rebuilding demand pro rata.
* ``intermediate_first``: intermediate and rebuilding demand first, households get the rest.
* ``priority_sectors``: orders of buyers in ``ModelParams.priority_sectors`` (e.g. strategic
  industries) first, then everything else pro rata.

Examples
--------
>>> import numpy as np
>>> phi, phi_y, _ = RULES["final_demand_first"](np.array([6.0]), np.array([10.0]), np.array([4.0]),
...                                             np.zeros(1))
>>> float(phi[0]), float(phi_y[0])
(0.3333333333333333, 1.0)
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

import numpy as np

__all__ = ["RULES", "Rule"]

#: ``rule(supply, demand, final_demand, priority_demand) -> (phi, phi_y, phi_prio)``
Rule = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]


def _share(num: np.ndarray, den: np.ndarray, empty: float) -> np.ndarray:
    """``num / den`` clipped to [0, 1], ``empty`` where nothing is demanded."""
    out = np.full(np.broadcast_shapes(num.shape, den.shape), empty)
    np.divide(num, den, out=out, where=den > 0)
    return np.clip(out, 0.0, 1.0, out=out)


def proportional(s: np.ndarray, D: np.ndarray, y: np.ndarray, d_prio: np.ndarray) -> tuple[np.ndarray, ...]:
    """Every demand served in the same proportion (0 where nothing is demanded)."""
    phi = np.zeros(np.broadcast_shapes(s.shape, D.shape))
    np.divide(s, D, out=phi, where=D != 0)
    np.minimum(phi, 1.0, out=phi)
    return phi, phi, phi


def final_demand_first(s: np.ndarray, D: np.ndarray, y: np.ndarray, d_prio: np.ndarray) -> tuple[np.ndarray, ...]:
    """Final demand first, the rest pro rata."""
    phi = _share(np.clip(s - y, 0.0, None), D - y, 0.0)
    return phi, _share(s, y, 1.0), phi


def intermediate_first(s: np.ndarray, D: np.ndarray, y: np.ndarray, d_prio: np.ndarray) -> tuple[np.ndarray, ...]:
    """Intermediate (and rebuilding) demand first, final demand gets the rest."""
    other = D - y
    phi = _share(s, other, 0.0)
    return phi, _share(np.clip(s - other, 0.0, None), y, 1.0), phi


def priority_sectors(s: np.ndarray, D: np.ndarray, y: np.ndarray, d_prio: np.ndarray) -> tuple[np.ndarray, ...]:
    """Orders of priority buyers first, then all other demand pro rata."""
    phi = _share(np.clip(s - d_prio, 0.0, None), D - d_prio, 0.0)
    return phi, phi, _share(s, d_prio, 1.0)


RULES: MappingProxyType[str, Rule] = MappingProxyType({
    "proportional": proportional,
    "final_demand_first": final_demand_first,
    "intermediate_first": intermediate_first,
    "priority_sectors": priority_sectors,
})
"""Rationing-rule registry keyed by name."""
