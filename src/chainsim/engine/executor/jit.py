"""numba compilation of the fast executor's loops, on first use.

The loops are plain Python functions; :func:`compiled` wraps one so that the first call imports
numba and compiles it (``cache=True``: the machine code is cached next to the module, so a later
process only loads it). numba costs a process about 0.3 s and 125 MB at import, paid only by
runs on the fast executor. Without numba (:data:`AVAILABLE` False) the engine runs the
reference economy instead (:mod:`chainsim.engine.reference_economy`).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

__all__ = ["AVAILABLE", "compiled"]

#: Whether numba can be imported (the fast executor needs it).
AVAILABLE: bool = importlib.util.find_spec("numba") is not None


class _Lazy:
    """A loop compiled with ``numba.njit`` the first time it is called."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.py = fn
        self._jit: Callable[..., Any] | None = None
        self.__doc__, self.__name__ = fn.__doc__, fn.__name__

    def __call__(self, *args: Any) -> Any:
        if self._jit is None:
            from numba import njit

            self._jit = njit(cache=True, nogil=True, error_model="numpy")(self.py)
        return self._jit(*args)


def compiled(fn: Callable[..., Any]) -> _Lazy:
    """Decorate a loop to be compiled on first use (the plain function stays at ``.py``)."""
    return _Lazy(fn)
