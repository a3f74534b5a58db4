"""Write a scenario run to disk: ``summary.csv``, ``trajectories.parquet``, ``run.json``, figures.

Files are written to a temporary name and renamed, so an interrupted write never leaves a
half file behind.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from chainsim.experiment.run import ScenarioRun
from chainsim.experiment.summary import loss_drivers

__all__ = ["table_labels", "trajectories_frame", "write_outputs"]


def _atomic(path: Path, write: Any) -> Path:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    write(tmp)
    os.replace(tmp, path)
    return path


def table_labels(table: Any) -> dict[str, Any]:
    """What a report needs to name things without the table: money unit, sector and region names.

    Examples
    --------
    >>> from chainsim.data.toy import load_toy
    >>> sorted(table_labels(load_toy()))
    ['money', 'regions', 'sectors']
    """
    m = table.money
    return {
        "money": {"currency": m.currency, "per_unit": m.per_unit, "unit": m.unit},
        "sectors": {s.code: {"en": s.name_en, "zh": s.name_zh} for s in table.sectors},
        "regions": {r.code: {"en": r.name_en, "zh": r.name_zh} for r in table.regions},
    }


def trajectories_frame(run: ScenarioRun) -> pd.DataFrame:
    """Tidy trajectories: pathway, replication, day, region, sector, output, baseline (table units per day).

    Output and baseline are stored as float32 (7 significant digits): the summary is
    computed from the full-precision arrays before they are written.
    """
    table = run.loaded.table
    regions = np.array(table.region_codes)[table.region_of]
    sectors = np.array(table.sector_codes)[table.sector_of]
    parts = []
    for entry, pr in run.pathways.items():
        R, T, N = pr.output.shape
        parts.append(pd.DataFrame({
            "pathway": pd.Categorical(np.full(R * T * N, entry)),
            "replication": np.repeat(np.arange(R, dtype=np.int16), T * N),
            "day": np.tile(np.repeat(np.arange(T, dtype=np.int16), N), R),
            "region": pd.Categorical(np.tile(regions, R * T)),
            "sector": pd.Categorical(np.tile(sectors, R * T)),
            "output": pr.output.reshape(-1).astype(np.float32),
            "baseline": np.tile(pr.baseline, R * T).astype(np.float32),
        }))
    df = pd.concat(parts, ignore_index=True)
    for col in ("pathway", "region", "sector"):
        df[col] = df[col].astype("category")
    return df


def write_outputs(run: ScenarioRun, summary: pd.DataFrame, out_dir: str | Path, *, figures: bool = True,
                  trajectories: bool = True) -> dict[str, Path]:
    """Write every output of a run into ``out_dir`` and return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    paths["summary"] = _atomic(out / "summary.csv", lambda p: summary.to_csv(p, index=False, float_format="%.6g"))
    if trajectories:
        frame = trajectories_frame(run)
        paths["trajectories"] = _atomic(out / "trajectories.parquet",
                                        lambda p: frame.to_parquet(p, index=False, compression="zstd"))
    meta = dict(run.provenance)
    meta["scenario_body"] = run.loaded.scenario.model_dump(mode="json")
    meta["events"] = {e: [list(ev) for ev in pr.events] for e, pr in run.pathways.items()}
    meta["samples"] = {e: pr.samples for e, pr in run.pathways.items()}
    meta["pathway_notes"] = {e: list(pr.plan.notes) for e, pr in run.pathways.items()}
    meta["seconds"] = {e: pr.seconds for e, pr in run.pathways.items()}
    meta.update(table_labels(run.loaded.table))
    meta["loss_drivers"] = loss_drivers(run, "baseline")
    paths["run"] = _atomic(out / "run.json", lambda p: p.write_text(
        json.dumps(meta, ensure_ascii=False, indent=2, default=_json_default), encoding="utf-8"))
    if figures:
        paths.update(_figures(run, out))
    return paths


def _json_default(o: Any) -> Any:
    if isinstance(o, np.integer | np.floating):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def _figures(run: ScenarioRun, out: Path) -> dict[str, Path]:
    from chainsim.plots import _plt, figure_style, loss_heatmap, recovery_curves, recovery_panels

    plt = _plt()
    paths = {}
    scope = run.loaded.scenario.metrics.scope[0]

    def save(name: str, fig: Any) -> None:
        paths[name] = _atomic(out / f"{name}.png", lambda p: fig.savefig(p, dpi=130, format="png"))
        plt.close(fig)

    with figure_style():  # the bundled CJK font, also for tick labels made at save time
        fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
        recovery_curves(run, scope, ax=ax)
        save("recovery_curves", fig)
        save("recovery_panels", recovery_panels(run, scope))
        table = run.loaded.table
        fig, ax = plt.subplots(figsize=(4.5 + 1.0 * table.n_regions, 7.6), layout="constrained")
        loss_heatmap(run, "baseline", ax=ax)
        save("loss_heatmap", fig)
    return paths
