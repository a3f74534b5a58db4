"""Write a scenario run to disk: tables, ``trajectories.parquet``, ``run.json``, figures, ``monthly.csv``.

Tables: ``summary.csv``, ``attribution.csv``, ``band_sensitivity.csv``; ``monthly.csv`` when the
scenario has a calendar.

The files are written into a staging folder and moved into place together at the end
(:func:`chainsim.experiment.folder.staged_output`): the output folder holds either the whole
run with its own ``run.json`` (written last) or what it held before.

``trajectories.parquet`` is streamed a few replications at a time (one Parquet row group
each), with ``pathway``, ``region`` and ``sector`` written as dictionary columns straight
from integer codes: memory stays bounded by one row group however many replications a run
has, and no column of strings is ever made. Output and baseline are float64 (float32
overflowed past 3.4e38 for tables in small units and kept only 7 digits).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from chainsim.experiment.pathway_tables import loss_drivers
from chainsim.experiment.scenario_run import ScenarioRun

if TYPE_CHECKING:
    from chainsim.experiment.figures import PendingFigures

__all__ = ["TRAJECTORY_COLUMNS", "table_labels", "trajectories_frame", "write_outputs", "write_run_files",
           "write_trajectories"]

#: columns of ``trajectories.parquet`` (and of :func:`trajectories_frame`)
TRAJECTORY_COLUMNS = ("pathway", "replication", "day", "region", "sector", "output", "baseline")
#: rows per Parquet row group (about 16 replications of a 365-day run on the 168-industry table)
ROWS_PER_GROUP = 1_000_000


def _codes(run: ScenarioRun) -> tuple[np.ndarray, np.ndarray, list[str], list[str], list[str]]:
    table = run.loaded.table
    return (np.asarray(table.region_of, dtype=np.int32), np.asarray(table.sector_of, dtype=np.int32),
            list(run.pathways), list(table.region_codes), list(table.sector_codes))


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

    Built from integer codes (``pd.Categorical.from_codes``): categories keep the run's
    pathway order and the table's region and sector order. For a large run prefer
    :func:`write_trajectories`, which never holds the whole table.
    """
    region_of, sector_of, entries, regions, sectors = _codes(run)
    parts = []
    for k, (_entry, pr) in enumerate(run.pathways.items()):
        R, T, N = pr.output.shape
        parts.append(pd.DataFrame({
            "pathway": pd.Categorical.from_codes(np.full(R * T * N, k, dtype=np.int16), categories=entries),
            "replication": np.repeat(np.arange(R, dtype=np.int16), T * N),
            "day": np.tile(np.repeat(np.arange(T, dtype=np.int16), N), R),
            "region": pd.Categorical.from_codes(np.tile(region_of, R * T), categories=regions),
            "sector": pd.Categorical.from_codes(np.tile(sector_of, R * T), categories=sectors),
            "output": pr.output.reshape(-1),
            "baseline": np.tile(pr.baseline, R * T),
        }))
    return pd.concat(parts, ignore_index=True)


def write_trajectories(run: ScenarioRun, path: str | Path, *, rows_per_group: int = ROWS_PER_GROUP) -> Path:
    """Stream the trajectories of every pathway x replication to a Parquet file, a row group at a time.

    The columns are those of :func:`trajectories_frame` (pandas reads the dictionary columns
    back as categoricals); the file is zstd-compressed, ``output`` byte-stream-split first.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    region_of, sector_of, entries, regions, sectors = _codes(run)
    rdict, sdict, pdict = pa.array(regions), pa.array(sectors), pa.array(entries)
    schema = pa.schema([("pathway", pa.dictionary(pa.int16(), pa.string())), ("replication", pa.int16()),
                        ("day", pa.int16()), ("region", pa.dictionary(pa.int32(), pa.string())),
                        ("sector", pa.dictionary(pa.int32(), pa.string())), ("output", pa.float64()),
                        ("baseline", pa.float64())])
    path = Path(path)
    # dictionary columns are written as they are (no re-encoding); output is split into byte streams before
    # zstd (float64 output: 6.9 MB against 8.8 MB with dictionary encoding, in a quarter of the time)
    with pq.ParquetWriter(path, schema, compression="zstd", use_dictionary=["pathway", "region", "sector", "baseline"],
                          use_byte_stream_split=["output"]) as writer:
        for k, pr in enumerate(run.pathways.values()):
            R, T, N = pr.output.shape
            step = max(1, rows_per_group // max(T * N, 1))
            day = np.repeat(np.arange(T, dtype=np.int16), N)
            region = np.tile(region_of, T)
            sector = np.tile(sector_of, T)
            baseline = np.tile(pr.baseline, T)
            for r0 in range(0, R, step):
                r1 = min(r0 + step, R)
                n = (r1 - r0) * T * N
                writer.write_table(pa.table([
                    pa.DictionaryArray.from_arrays(pa.array(np.full(n, k, dtype=np.int16)), pdict),
                    pa.array(np.repeat(np.arange(r0, r1, dtype=np.int16), T * N)),
                    pa.array(np.tile(day, r1 - r0)),
                    pa.DictionaryArray.from_arrays(pa.array(np.tile(region, r1 - r0)), rdict),
                    pa.DictionaryArray.from_arrays(pa.array(np.tile(sector, r1 - r0)), sdict),
                    pa.array(pr.output[r0:r1].reshape(-1)),
                    pa.array(np.tile(baseline, r1 - r0)),
                ], schema=schema))
    return path


def write_run_files(run: ScenarioRun, summary: pd.DataFrame, folder: str | Path, *,
                    figures: bool | PendingFigures = True, trajectories: bool = True,
                    bands: pd.DataFrame | None = None, more_files: tuple[str, ...] = (),
                    written: Mapping[str, Path] | None = None) -> dict[str, Path]:
    """Write every file of a run into ``folder`` (``run.json`` last) and return their paths.

    No atomicity of its own: :func:`write_outputs` (and ``chainsim run``) call it on a
    staging folder. ``bands`` is the band-sensitivity table (computed here when not given).
    ``more_files`` names files the caller writes into the same folder after ``run.json``
    (``report.html``, which is rendered from these files), so that ``run.json`` lists them too.
    ``figures``: ``True`` draws them in a forked process while the tables are written
    (:func:`chainsim.experiment.figures.start_figures`), or the caller's
    :class:`~chainsim.experiment.figures.PendingFigures` already started. ``written``: files
    the caller already wrote into ``folder`` (key -> path; ``"trajectories"`` is then not
    written again), listed like the others.
    """
    from chainsim.experiment.figures import PendingFigures, start_figures

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    pending = figures if isinstance(figures, PendingFigures) else start_figures(run, out) if figures else None
    try:
        return _write_run_files(run, summary, out, pending, trajectories=trajectories, bands=bands,
                                more_files=more_files, written=dict(written or {}))
    except BaseException:
        if pending is not None:
            pending.cancel()
        raise


def _write_run_files(run: ScenarioRun, summary: pd.DataFrame, out: Path, pending: PendingFigures | None, *,
                     trajectories: bool, bands: pd.DataFrame | None, more_files: tuple[str, ...],
                     written: dict[str, Path]) -> dict[str, Path]:
    """The files of :func:`write_run_files`, the figures' process (if any) drawing meanwhile."""
    from chainsim.experiment.bands import band_sensitivity
    from chainsim.experiment.monthly import write_monthly
    from chainsim.experiment.paired import BOOTSTRAP_STREAM, CONFIDENCE, IDENTICAL_RTOL, N_RESAMPLES

    paths: dict[str, Path] = {}
    paths["summary"] = out / "summary.csv"
    summary.to_csv(paths["summary"], index=False, float_format="%.6g")
    bands = band_sensitivity(run) if bands is None else bands
    paths["band_sensitivity"] = out / "band_sensitivity.csv"
    bands.to_csv(paths["band_sensitivity"], index=False, float_format="%.6g")
    if run.attribution is not None:
        paths["attribution"] = out / "attribution.csv"
        run.attribution.frame.to_csv(paths["attribution"], index=False, float_format="%.6g")
    if "trajectories" in written:
        paths["trajectories"] = written.pop("trajectories")
    elif trajectories:
        paths["trajectories"] = write_trajectories(run, out / "trajectories.parquet")
    paths.update(written)
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
    # the CSVs keep 6 significant digits; the report formats these copies, so that it shows the numbers the
    # CLI printed instead of rounding a rounded value again (217.4546 -> 2.17455e+11 -> 217.46)
    meta["full_precision"] = {"summary.csv": _records(summary)}
    if run.attribution is not None:
        meta["full_precision"]["attribution.csv"] = _records(run.attribution.frame)
    meta.update(table_labels(run.loaded.table))
    first_scope = run.loaded.scenario.metrics.scope[0]  # the report's scope: what drives *its* loss
    meta["loss_drivers"] = loss_drivers(run, "baseline", scope=first_scope)
    meta["loss_drivers_scope"] = first_scope
    monthly = write_monthly(run, out)  # monthly.csv, only when the scenario has a calendar
    if pending is not None:
        paths.update(pending.result())  # waits for the figures' process
    paths.update(monthly)
    meta["files"] = sorted({*(p.name for p in paths.values()), *more_files})
    paths["run"] = out / "run.json"
    paths["run"].write_text(json.dumps(meta, ensure_ascii=False, indent=2, default=_json_default), encoding="utf-8")
    return paths


def write_outputs(run: ScenarioRun, summary: pd.DataFrame, out_dir: str | Path, *, figures: bool = True,
                  trajectories: bool = True, force: bool = False, bands: pd.DataFrame | None = None
                  ) -> dict[str, Path]:
    """Write every output of a run into ``out_dir``, whole or not at all, and return their paths.

    Parameters
    ----------
    run : ScenarioRun
    summary : DataFrame
        From :func:`chainsim.experiment.pathway_tables.summary_table`.
    out_dir : path
        The output folder: new, empty, or (with ``force``) holding an earlier chainsim result,
        which is replaced whole.
    figures, trajectories : bool
        Write the PNG figures and ``trajectories.parquet``.
    force : bool
        Replace an earlier result in ``out_dir``.

    Raises
    ------
    OutputError
        ``out_dir`` is a file, holds an earlier result (without ``force``) or other files, or
        cannot be written; it is then unchanged.
    """
    from chainsim.experiment.folder import staged_output

    out = Path(out_dir)
    with staged_output(out, force=force) as stage:
        paths = write_run_files(run, summary, stage, figures=figures, trajectories=trajectories, bands=bands)
    return {k: out / p.name for k, p in paths.items()}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` for JSON at full precision, missing values as ``null``."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _json_default(o: Any) -> Any:
    if isinstance(o, np.integer | np.floating):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)
