"""The chainsim exception hierarchy.

Every error a user can cause by their input derives from :class:`ChainsimError`, so the
CLI can turn it into one clear message and exit code 2 without a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

__all__ = [
    "ChainsimError",
    "ConvergenceError",
    "DataError",
    "ModelBuildError",
    "OutputError",
    "ScenarioError",
    "SimulationError",
    "did_you_mean",
    "format_validation_error",
]


class ChainsimError(Exception):
    """Base class of every error chainsim raises on purpose."""


class DataError(ChainsimError):
    """An input-output table or data file is malformed, unbalanced or inconsistent."""


class ScenarioError(ChainsimError):
    """A scenario or sweep file is invalid (schema or reference to the model)."""


class ModelBuildError(ChainsimError):
    """A model cannot be built from a table and parameters."""


class SimulationError(ChainsimError):
    """The simulation reached a state it cannot continue from."""


class OutputError(ChainsimError):
    """An output folder cannot take a result: it is a file, holds another result, or cannot be written."""


class ConvergenceError(ChainsimError):
    """An iterative procedure (e.g. RAS) did not converge within its limits."""


def did_you_mean(value: str, choices: Iterable[str], *, n: int = 1) -> str:
    """Return a ``" (did you mean 'X'?)"`` suffix naming the closest choice, or ``""``.

    Parameters
    ----------
    value : str
        The unknown name the user wrote.
    choices : iterable of str
        The valid names.
    n : int
        How many suggestions to give at most.

    Examples
    --------
    >>> did_you_mean("LM", ["LN", "JL", "HLJ"])
    " (did you mean 'LN'?)"
    >>> did_you_mean("HJL", ["LN", "JL", "HLJ"])
    " (did you mean 'HLJ'?)"
    >>> did_you_mean("zzz", ["LN"])
    ''
    """
    choices = [str(c) for c in choices]
    value = str(value)
    # transpositions first (HJL -> HLJ), then difflib's similarity ratio
    close = [c for c in choices if sorted(c.lower()) == sorted(value.lower()) and c != value][:n]
    close = close or difflib.get_close_matches(value, choices, n=n, cutoff=0.5)
    if not close:
        lowered = {c.lower(): c for c in choices}
        close = [lowered[v] for v in difflib.get_close_matches(str(value).lower(), lowered, n=n, cutoff=0.5)]
    if not close:
        return ""
    return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)"


#: characters of the offending input echoed in a validation message
GOT_MAX = 160


def format_validation_error(exc: Any, prefix: str = "") -> str:
    """Turn a pydantic ``ValidationError`` into one line per problem: field path, expectation, value.

    Parameters
    ----------
    exc : pydantic.ValidationError
        The error (anything with pydantic's ``errors()``).
    prefix : str
        Path of the validated object, e.g. ``disruptions[0]``.
    """
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()))
        path = f"{prefix}.{loc}" if prefix and loc else (prefix or loc)
        got = repr(err.get("input"))
        if len(got) > GOT_MAX:  # a whole params dict or matrix (a model-level check): the message names the value
            got = got[:GOT_MAX] + " …"
        lines.append(f"{path}: {err.get('msg')} (got {got})")
    return "; ".join(lines)
