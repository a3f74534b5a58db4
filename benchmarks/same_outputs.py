"""Check that two ``chainsim run`` output folders hold the same results (before and after a change).

``summary.csv``, ``attribution.csv``, ``band_sensitivity.csv``, the PNG figures and
``report.html`` byte for byte; ``trajectories.parquet`` read back with pandas and compared
with ``DataFrame.equals``; ``run.json`` key by key except ``seconds`` (wall times).

Usage::

    python benchmarks/same_outputs.py OLD_DIR NEW_DIR

Exit 0 when they are the same, 1 otherwise (each difference printed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

BYTES = ["summary.csv", "attribution.csv", "band_sensitivity.csv", "recovery_curves.png", "recovery_panels.png",
         "loss_heatmap.png", "attribution.png", "report.html"]


def differences(old: Path, new: Path) -> list[str]:
    out = []
    for name in BYTES:
        a, b = old / name, new / name
        if a.exists() != b.exists():
            out.append(f"{name}: in one folder only")
        elif a.exists() and a.read_bytes() != b.read_bytes():
            out.append(f"{name}: bytes differ")
    traj = "trajectories.parquet"
    if (old / traj).exists() and not pd.read_parquet(old / traj).equals(pd.read_parquet(new / traj)):
        out.append("trajectories.parquet: DataFrame.equals is False")
    ja = json.loads((old / "run.json").read_text(encoding="utf-8"))
    jb = json.loads((new / "run.json").read_text(encoding="utf-8"))
    out += [f"run.json: {k} differs" for k in sorted(set(ja) | set(jb)) if k != "seconds" and ja.get(k) != jb.get(k)]
    return out


if __name__ == "__main__":
    diff = differences(Path(sys.argv[1]), Path(sys.argv[2]))
    print("\n".join(diff) or "same results")
    sys.exit(1 if diff else 0)
