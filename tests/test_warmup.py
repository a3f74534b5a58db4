"""``chainsim warmup`` compiles every loop a run, a scan and the ``ario`` configuration use (issue 22).

The ``ario`` configuration: its fused day (``executor/ario_day.py``) and its day over links on
the sparse layout (``engine/sparse/economy.py``).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from chainsim.cli import main

ROOT = Path(__file__).resolve().parents[1]
PROBE = """
import io, contextlib, json, sys
import numba
from chainsim.cli import main
from chainsim.data.datasets import load_dataset
from chainsim.engine import simulate
import chainsim.engine.executor.production as P, chainsim.engine.executor.distribution as D
import chainsim.engine.executor.ario_day as A, chainsim.engine.sparse.economy as SE
out = sys.argv[1]
with contextlib.redirect_stdout(io.StringIO()):
    assert main(["-q", "run", sys.argv[2], "--out", out + "/run", "--workers", "1", "--replications", "2",
                 "--no-figures", "--no-report", "--no-trajectories", "--attribution", "off"]) == 0
    assert main(["-q", "scan", "--kinds", "imports", "--days", "15", "--out", out + "/scan", "--workers", "1",
                 "--no-figures"]) == 0
simulate(load_dataset("northeast-2017"), [], days=3, params="ario")
simulate(load_dataset("northeast-2017"), [], days=3, params="ario", layout="sparse")
misses = {f"{m.__name__}.{n}": sum(getattr(m, n).stats.cache_misses.values()) for m in (P, D, A, SE) for n in dir(m)
          if isinstance(getattr(m, n), numba.core.registry.CPUDispatcher)}
print(json.dumps(misses))
"""


def test_warmup_command_reports_its_steps(capsys):
    assert main(["warmup"]) == 0
    out = capsys.readouterr().out
    assert "engine loops compiled or loaded" in out and "scenario" in out and "ario" in out


def test_after_warmup_a_run_a_scan_and_ario_compile_nothing(tmp_path):
    # a fresh numba cache, filled by `chainsim warmup` alone; then another process runs the shipped scenario,
    # a scan and an ario run: every compiled loop comes from the cache (no cache miss)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    subprocess.run([sys.executable, "-c", "from chainsim.cli import main; main([\"warmup\"])"], env=env, check=True,
                   capture_output=True)
    probe = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path),
                            str(ROOT / "scenarios" / "electronics_import_cut.yaml")],
                           env=env, check=True, capture_output=True, text=True)
    misses = json.loads(probe.stdout.strip().splitlines()[-1])
    assert len(misses) >= 8  # the loops used were found
    assert {"chainsim.engine.executor.ario_day.ario_day", "chainsim.engine.sparse.economy.deliveries"} <= set(misses)
    assert not any(misses.values()), misses
