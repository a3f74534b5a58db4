"""How the report writes numbers: missing values as a dash, signed days and billions without ``-0``."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["billions", "formatted", "number", "signed_days"]


def number(v: Any) -> float | None:
    """``v`` as a float, or ``None`` for a missing, NaN or non-numeric value."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def formatted(v: Any, spec: str, none: str = "—") -> str:
    """``v`` formatted with ``spec``, or ``none`` when it is missing."""
    f = number(v)
    return none if f is None else format(f, spec)


def signed_days(v: Any) -> str:
    """``+3.0``, ``-0.6``, ``0.0`` (never ``-0.0``) for a difference in days: one decimal, as ``summary.csv``.

    Whole days hid intervals that exclude zero (-0.8 … -0.4 read as -1 … 0).
    """
    f = number(v)
    return "—" if f is None else "0.0" if round(f, 1) == 0 else f"{f:+.1f}"


def billions(v: Any, spec: str = ",.2f") -> str:
    """Billions; a signed spec shows an amount that rounds to zero as ``0.00``, never ``-0.00``."""
    f = number(v)
    if f is None:
        return "—"
    text = format(f / 1e9, spec)
    return format(0.0, spec.lstrip("+")) if spec.startswith("+") and float(text.replace(",", "")) == 0 else text
