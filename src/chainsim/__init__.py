"""chainsim — supply-chain shock simulation for industrial-system resilience (产业体系韧性).

Entry points, in the order of the data flow::

    table = chainsim.load_dataset("northeast-2017")        # or chainsim.read_table(path)
    result = chainsim.simulate(table, [{"type": "import_cut", ...}], days=365, seed=1)
    loaded = chainsim.load_scenario("scenarios/electronics_import_cut.yaml")
    run = chainsim.run_scenario(loaded)                      # every pathway x replication
    chainsim.summary_table(run)                              # TTR, depth, loss per pathway x scope
    chainsim.write_report(run_dir)                           # report.html of a folder written by write_outputs

Nothing here has side effects; submodules are imported on first use of their names.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from chainsim.data.iotable import IOTable, Region, Sector
from chainsim.errors import (
    ChainsimError,
    ConvergenceError,
    DataError,
    ModelBuildError,
    OutputError,
    ScenarioError,
    SimulationError,
)

try:
    __version__ = version("chainsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

_LAZY = {
    "load_dataset": "chainsim.data.datasets",
    "list_datasets": "chainsim.data.datasets",
    "read_table": "chainsim.data.readers",
    "write_csv_layout": "chainsim.data.csv_layout",
    "load_toy": "chainsim.data.toy",
    "to_graph": "chainsim.network",
    "simulate": "chainsim.engine",
    "SimulationResult": "chainsim.engine",
    "ModelParams": "chainsim.engine",
    "load_scenario": "chainsim.scenario.load",
    "run_scenario": "chainsim.experiment.run",
    "summary_table": "chainsim.experiment.pathway_tables",
    "write_outputs": "chainsim.experiment.outputs",
    "preflight": "chainsim.experiment.preflight",
    "write_report": "chainsim.report",
    "run_sweep": "chainsim.sweeps",
    "load_sweep": "chainsim.sweeps",
    "metrics": "chainsim.metrics",
}

__all__ = [
    "ChainsimError",
    "ConvergenceError",
    "DataError",
    "IOTable",
    "ModelBuildError",
    "OutputError",
    "Region",
    "ScenarioError",
    "Sector",
    "SimulationError",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    """Import public names lazily (keeps ``import chainsim`` fast and free of side effects)."""
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        return module if name == "metrics" else getattr(module, name)
    raise AttributeError(f"module 'chainsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
