"""chainsim — supply-chain shock simulation for industrial-system resilience (产业体系韧性).

The public API re-exports the few entry points users need; nothing here has side effects.
"""

from importlib.metadata import PackageNotFoundError, version

from chainsim.data.iotable import IOTable, Region, Sector
from chainsim.errors import (
    ChainsimError,
    ConvergenceError,
    DataError,
    ModelBuildError,
    ScenarioError,
    SimulationError,
)

try:
    __version__ = version("chainsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = [
    "ChainsimError",
    "ConvergenceError",
    "DataError",
    "IOTable",
    "ModelBuildError",
    "Region",
    "ScenarioError",
    "Sector",
    "SimulationError",
    "__version__",
]
