"""numba compilation of the fast executor's loops, on first use.

The loops are plain Python functions; :func:`compiled` wraps one so that its first call imports
numba, compiles it (``cache=True``: the machine code is cached next to the module, so a later
process only loads it) and puts the compiled function in the module in its place, so later calls
go straight to it. numba costs a process about 0.3 s and 125 MB at import, paid only by runs on
the fast executor. Without numba (:data:`AVAILABLE` False) the engine runs the reference
economy instead (:mod:`chainsim.engine.reference_economy`).
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["AVAILABLE", "compiled"]

#: Whether numba can be imported (the fast executor needs it).
AVAILABLE: bool = importlib.util.find_spec("numba") is not None


def compiled(fn: Callable[..., Any] | None = None, /, **options: Any) -> Callable[..., Any]:
    """Decorate a module's loop to be compiled with ``numba.njit`` on first call (``.py`` is the plain function).

    ``@compiled(fastmath={"reassoc"})`` passes options on to ``njit`` (a reduction the compiler
    may reorder, and so vectorise).
    """
    if fn is None:
        return functools.partial(compiled, **options)
    jitted: list[Callable[..., Any]] = []

    @functools.wraps(fn)
    def first_call(*args: Any) -> Any:
        if not jitted:
            from numba import njit

            jitted.append(njit(cache=True, nogil=True, error_model="numpy", **options)(fn))
            setattr(sys.modules[fn.__module__], fn.__name__, jitted[0])  # the module's later calls go straight to it
        return jitted[0](*args)

    first_call.py = fn  # type: ignore[attr-defined]
    return first_call
