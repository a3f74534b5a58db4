r"""Rationing rules: how a supplier's output is shared among the demands addressed to it.

Each rule sets, for every supplier node, the served share :math:`\varphi` of intermediate
(and rebuilding) orders, :math:`\varphi^y` of final demand and, for the priority rule,
:math:`\varphi^{prio}` of the orders of priority buyers. Supply is today's production plus
any exogenous supply. The rules are a registry keyed by name (``ModelParams.rationing``).

* ``proportional`` (ARIO; Hallegatte 2008): every demand gets the same share
  :math:`\varphi = \min(1, x / D)`.
* ``final_demand_first``: households first, then intermediate and rebuilding demand pro rata.
* ``intermediate_first``: intermediate and rebuilding demand first, households get the rest.
* ``priority_sectors``: orders of buyers in ``ModelParams.priority_sectors`` (e.g. strategic
  industries) first, then everything else pro rata.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from chainsim.engine.kernel import Workspace

__all__ = ["RULES"]


def _share(num: np.ndarray, den: np.ndarray, out: np.ndarray, empty: float) -> np.ndarray:
    out.fill(empty)
    np.divide(num, den, out=out, where=den > 0)
    np.clip(out, 0.0, 1.0, out=out)
    return out


def proportional(x: np.ndarray, D: np.ndarray, y: np.ndarray, ws: Workspace) -> None:
    """Every demand served in the same proportion (BoARIO: 0 where nothing is demanded)."""
    ws.phi.fill(0.0)
    np.divide(x, D, out=ws.phi, where=D != 0)
    if ws.exo:
        np.minimum(ws.phi, 1.0, out=ws.phi)
    ws.phi_y[:] = ws.phi


def final_demand_first(x: np.ndarray, D: np.ndarray, y: np.ndarray, ws: Workspace) -> None:
    """Final demand first, the rest pro rata."""
    _share(x, y, ws.phi_y, 1.0)
    _share(np.clip(x - y, 0.0, None), D - y, ws.phi, 0.0)


def intermediate_first(x: np.ndarray, D: np.ndarray, y: np.ndarray, ws: Workspace) -> None:
    """Intermediate (and rebuilding) demand first, final demand gets the rest."""
    other = D - y
    _share(x, other, ws.phi, 0.0)
    _share(np.clip(x - other, 0.0, None), y, ws.phi_y, 1.0)


def priority_sectors(x: np.ndarray, D: np.ndarray, y: np.ndarray, ws: Workspace) -> None:
    """Orders of priority buyers first (``ws.d_prio``), then all other demand pro rata."""
    _share(x, ws.d_prio, ws.phi_prio, 1.0)
    _share(np.clip(x - ws.d_prio, 0.0, None), D - ws.d_prio, ws.phi, 0.0)
    ws.phi_y[:] = ws.phi


RULES: MappingProxyType[str, Callable[..., None]] = MappingProxyType({
    "proportional": proportional,
    "final_demand_first": final_demand_first,
    "intermediate_first": intermediate_first,
    "priority_sectors": priority_sectors,
})
"""Rationing-rule registry keyed by name."""
