"""A tiny bundled textbook economy for docs, tests and notebooks.

The two-sector example of Miller & Blair (2009, §2.3): ``Z = [[150, 500], [200, 100]]``,
final demand ``f = [350, 1700]``, gross output ``x = [1000, 2000]`` (value added is the
column residual ``[650, 1400]``). It is small enough to check every number by hand.

References
----------
.. [1] Miller, R. E. & Blair, P. D. (2009). *Input-Output Analysis*, 2nd ed., §2.3.
"""

from __future__ import annotations

import numpy as np

from chainsim.data.iotable import IOTable, Region, Sector

__all__ = ["load_toy"]


def load_toy() -> IOTable:
    """Return the Miller & Blair two-sector table as a one-region :class:`IOTable`.

    Examples
    --------
    >>> t = load_toy()
    >>> t.x.tolist(), t.value_added.tolist()
    ([1000.0, 2000.0], [650.0, 1400.0])
    """
    Z = np.array([[150.0, 500.0], [200.0, 100.0]])
    f = np.array([350.0, 1700.0])
    x = np.array([1000.0, 2000.0])
    return IOTable(
        name="toy-miller-blair", regions=(Region("R1", "Region 1", "地区一"),),
        sectors=(Sector("A", "Sector A", "部门A"), Sector("B", "Sector B", "部门B")),
        Z=Z, Y=f[:, None], fd_columns=(("R1", "final_demand"),), exports=np.zeros(2),
        value_added=x - Z.sum(axis=0), x=x, unit="currency unit",
        provenance={"source": "Miller & Blair (2009), Input-Output Analysis, 2nd ed., section 2.3"},
    )
