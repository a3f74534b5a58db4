"""Disruptions: what happens to the economy, as data, and how each kind is enacted.

Every kind of disruption is one module of this package defining one class, registered in
:data:`DISRUPTIONS` (see :mod:`chainsim.disruptions.registry`): its schema (the keys of a
scenario file), how it compiles into the engine's plan (:mod:`chainsim.disruptions.plan`), its
direct shock for the metrics, the pathway levers that act on it and its chokepoint-scan targets.
Adding a kind is adding a module (imported here automatically) and its tests.

Shipped kinds: ``capacity_loss``, ``import_cut`` (卡链), ``link_cut`` (断链), ``congestion`` (堵链),
``final_demand``.
"""

from __future__ import annotations

import importlib
import pkgutil

from chainsim.disruptions.base import Disruption, Recovery, Recurrence, ScanTarget, markov_episodes
from chainsim.disruptions.curves import CURVES
from chainsim.disruptions.registry import (
    DISRUPTIONS,
    compile_plan,
    direct_shock,
    parse_disruption,
    parse_disruptions,
    register,
    scan_kinds,
    type_of,
)
from chainsim.disruptions.sampling import sample_value

__all__ = ["CURVES", "DISRUPTIONS", "Disruption", "Recovery", "Recurrence", "ScanTarget", "compile_plan",
           "direct_shock", "markov_episodes", "parse_disruption", "parse_disruptions", "register", "sample_value",
           "scan_kinds", "type_of"]

_SUPPORT = {"base", "curves", "plan", "registry", "sampling"}
for _m in pkgutil.iter_modules(__path__):  # every other module defines (and registers) one kind
    if _m.name not in _SUPPORT:
        importlib.import_module(f"{__name__}.{_m.name}")
