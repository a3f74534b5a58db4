"""Write a scenario run to disk: tables, ``trajectories.parquet``, ``run.json``, figures, ``monthly.csv``.

Tables: ``summary.csv``, ``attribution.csv``, ``band_sensitivity.csv``; ``monthly.csv`` when the
scenario has a calendar.

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

__all__ = ["trajectories_frame", "write_outputs"]


def _atomic(path: Path, write: Any) -> Path:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    write(tmp)
    os.replace(tmp, path)
    return path


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
                  trajectories: bool = True, bands: pd.DataFrame | None = None) -> dict[str, Path]:
    """Write every output of a run into ``out_dir`` and return their paths.

    ``bands`` is the band-sensitivity table (computed here when not given).
    """
    from chainsim.experiment.bands import band_sensitivity
    from chainsim.experiment.paired import BOOTSTRAP_STREAM, CONFIDENCE, IDENTICAL_RTOL, N_RESAMPLES

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    paths["summary"] = _atomic(out / "summary.csv", lambda p: summary.to_csv(p, index=False, float_format="%.6g"))
    bands = band_sensitivity(run) if bands is None else bands
    paths["band_sensitivity"] = _atomic(out / "band_sensitivity.csv",
                                        lambda p: bands.to_csv(p, index=False, float_format="%.6g"))
    if run.attribution is not None:
        frame = run.attribution.frame
        paths["attribution"] = _atomic(out / "attribution.csv",
                                       lambda p: frame.to_csv(p, index=False, float_format="%.6g"))
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
    meta["comparison"] = {"confidence": CONFIDENCE, "bootstrap": "percentile", "n_resamples": N_RESAMPLES,
                          "bootstrap_seed": {"entropy": run.loaded.scenario.seed, "spawn_key": [BOOTSTRAP_STREAM]},
                          "identical_rtol": IDENTICAL_RTOL}
    if run.attribution is not None:
        meta["attribution_notes"] = dict(run.attribution.notes)
    paths["run"] = _atomic(out / "run.json", lambda p: p.write_text(
        json.dumps(meta, ensure_ascii=False, indent=2, default=_json_default), encoding="utf-8"))
    if figures:
        paths.update(_figures(run, out))
    from chainsim.experiment.monthly import write_monthly

    paths.update(write_monthly(run, out))  # monthly.csv, only when the scenario has a calendar
    return paths


def _json_default(o: Any) -> Any:
    if isinstance(o, np.integer | np.floating):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def _figures(run: ScenarioRun, out: Path) -> dict[str, Path]:
    from chainsim.plots import _plt, attribution_bars, loss_heatmap, recovery_curves

    plt = _plt()
    paths = {}
    scope = run.loaded.scenario.metrics.scope[0]
    fig, ax = plt.subplots(figsize=(9, 5))
    recovery_curves(run, scope, ax=ax)
    fig.tight_layout()
    paths["recovery_curves"] = _atomic(out / "recovery_curves.png", lambda p: fig.savefig(p, dpi=130, format="png"))
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(12, 4.5))
    loss_heatmap(run, "baseline", ax=ax)
    fig.tight_layout()
    paths["loss_heatmap"] = _atomic(out / "loss_heatmap.png", lambda p: fig.savefig(p, dpi=130, format="png"))
    plt.close(fig)
    if run.attribution is not None and not run.attribution.frame.empty:
        fig, ax = plt.subplots(figsize=(9, 0.6 * len(run.pathways) + 2.2))
        attribution_bars(run, scope, ax=ax)
        fig.tight_layout()
        paths["attribution_figure"] = _atomic(out / "attribution.png",
                                              lambda p: fig.savefig(p, dpi=130, format="png"))
        plt.close(fig)
    return paths
