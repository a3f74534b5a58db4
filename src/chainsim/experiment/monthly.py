"""``monthly.csv``: value added per pathway, scope, sector group and month, as NBS reports it.

One row per pathway x scope x sector x period with the columns :data:`MONTHLY_COLUMNS`:

* ``scope``: ``china`` (every region of the table), ``northeast`` (LN + JL + HLJ), then each
  region code;
* ``sector``: ``industry`` (NBS 02–26, the 规模以上工业 coverage), ``manufacturing`` (06–23),
  ``mining`` (02–05), ``utilities`` (24–26), then each sector code of the table;
* ``month``: ``YYYY-MM`` for every calendar month wholly inside the horizon, ``YYYY-01/02``
  (January–February together, as NBS publishes it) and the year-to-date ``YYYY-01/MM``, the
  labels of ``observed_2020_calibration.csv``;
* ``value_added_dev_pct`` (median over replications) and its ``_p10`` / ``_p90``: the period's
  value added against the no-shock baseline, in %;
* ``value_added_yoy_pct``: the median turned into year-on-year growth with the scenario's
  ``trend`` (see :func:`chainsim.metrics.value_added.yoy_from_deviation`); empty when no trend
  is stated for the scope.

Written by ``chainsim run`` when the scenario has a ``calendar``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from chainsim.data.iotable import IOTable
from chainsim.metrics.value_added import (
    aggregate_periods,
    deviation_pct,
    period_matrix,
    value_added,
    value_added_ratio,
    yoy_from_deviation,
)
from chainsim.scenario.calendar import Calendar, calendar_periods
from chainsim.scenario.sector_groups import OUTPUT_GROUPS, group_codes

__all__ = ["MONTHLY_COLUMNS", "default_scopes", "monthly_frame", "monthly_table", "resolve_trend", "write_monthly"]

MONTHLY_COLUMNS = ("pathway", "scope", "sector", "month", "value_added_dev_pct", "value_added_dev_pct_p10",
                   "value_added_dev_pct_p90", "value_added_yoy_pct")
NORTHEAST = ("LN", "JL", "HLJ")
PERIOD_KINDS = ("month", "jan_feb", "ytd")


def default_scopes(table: IOTable) -> list[str]:
    """``china``, ``northeast`` (when the table has a Northeast province), then every region code."""
    scopes = ["china"]
    if any(r in table.region_codes for r in NORTHEAST):
        scopes.append("northeast")
    return scopes + [r for r in table.region_codes if r not in scopes]


def _scope_regions(scope: str, table: IOTable) -> tuple[str, ...]:
    if scope == "china":
        return table.region_codes
    if scope == "northeast":
        return tuple(r for r in table.region_codes if r in NORTHEAST)
    table.region_index(scope)  # raises with the near name
    return (scope,)


def _sectors(table: IOTable) -> list[tuple[str, tuple[str, ...]]]:
    out = [(g, group_codes(g, table.sector_codes)) for g in OUTPUT_GROUPS]
    return [(g, c) for g, c in out if c] + [(s, (s,)) for s in table.sector_codes]


def resolve_trend(trend: Mapping[str, Any] | None, scope: str, sector: str, table: IOTable,
                  base_va: np.ndarray, sector_codes: tuple[str, ...]) -> float:
    """The trend (% a year) of a scope and sector; NaN when none is stated.

    Looked up as ``"scope|sector"``, then ``"scope"``. A scope made of regions (``china``,
    ``northeast``) without its own trend takes the mean of its regions' trends weighted by
    their baseline value added in the sector group, when every region has one.
    """
    trend = dict(trend or {})
    for key in (f"{scope}|{sector}", scope):
        if key in trend:
            v = trend[key]
            return float(getattr(v, "value", v) if not isinstance(v, Mapping) else v["value"])
    regions = _scope_regions(scope, table) if scope in ("china", "northeast") else ()
    if len(regions) < 2:
        return float("nan")
    values, weights = [], []
    S = table.n_sectors
    in_sector = np.isin(np.asarray(table.sector_codes), sector_codes)
    for r in regions:
        g = resolve_trend(trend, r, sector, table, base_va, sector_codes)
        if np.isnan(g):
            return float("nan")
        k = table.region_index(r)
        values.append(g)
        weights.append(float(base_va[k * S:(k + 1) * S][in_sector].sum()))
    total = sum(weights)
    return float(np.dot(values, weights) / total) if total > 0 else float("nan")


def monthly_table(outputs: Mapping[str, np.ndarray], baselines: Mapping[str, np.ndarray], table: IOTable,
                  calendar: Calendar, *, trend: Mapping[str, Any] | None = None,
                  scopes: Sequence[str] | None = None, kinds: Sequence[str] = PERIOD_KINDS) -> pd.DataFrame:
    """The monthly value-added table of several pathways.

    Parameters
    ----------
    outputs : mapping pathway -> ndarray (R, T, N)
        Daily gross output per replication, day and industry.
    baselines : mapping pathway -> ndarray (N,)
        No-shock daily output.
    table : IOTable
        Gives the value-added ratios, regions and sectors.
    calendar : Calendar
        Day 0's date.
    trend : mapping, optional
        ``{scope: % a year}`` or ``{"scope|sector": ...}`` (values may be ``{value: ...}``).
    scopes : sequence of str, optional
        Default :func:`default_scopes`.
    kinds : sequence of str
        Period kinds (``month``, ``jan_feb``, ``ytd``, ``quarter``, ``year``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MONTHLY_COLUMNS`; empty when no period lies wholly inside the horizon.
    """
    ratio = value_added_ratio(table.value_added, table.x)
    scopes = list(scopes) if scopes is not None else default_scopes(table)
    sectors = _sectors(table)
    region_of = np.asarray(table.region_codes)[table.region_of]
    sector_of = np.asarray(table.sector_codes)[table.sector_of]
    cells, labels = [], []
    for scope in scopes:
        in_scope = np.isin(region_of, _scope_regions(scope, table))
        for name, codes in sectors:
            cells.append(in_scope & np.isin(sector_of, codes))
            labels.append((scope, name, codes))
    cell_matrix = np.array(cells, dtype=float).T  # (N, C)
    frames = []
    for entry, out in outputs.items():
        out = np.asarray(out, dtype=float)
        periods = calendar_periods(calendar, out.shape[1], kinds=kinds)
        if not periods:
            continue
        P = period_matrix([(p.first, p.stop) for p in periods], out.shape[1])
        base_va = value_added(np.asarray(baselines[entry], dtype=float), ratio)
        model = aggregate_periods(value_added(out, ratio), P, cell_matrix)  # (R, P, C)
        base = np.outer([p.days for p in periods], base_va @ cell_matrix)  # (P, C)
        dev = deviation_pct(model, base[None])
        med, p10, p90 = (np.percentile(dev, q, axis=0) for q in (50, 10, 90))
        days_ratio = np.array([p.days / p.days_previous_year for p in periods])
        g = np.array([resolve_trend(trend, s, n, table, base_va, codes) for s, n, codes in labels])
        yoy = yoy_from_deviation(med, g[None, :], days_ratio[:, None])
        P_, C_ = med.shape
        frames.append(pd.DataFrame({
            "pathway": entry,
            "scope": np.tile([lab[0] for lab in labels], P_),
            "sector": np.tile([lab[1] for lab in labels], P_),
            "month": np.repeat([p.label for p in periods], C_),
            "value_added_dev_pct": med.ravel(), "value_added_dev_pct_p10": p10.ravel(),
            "value_added_dev_pct_p90": p90.ravel(), "value_added_yoy_pct": yoy.ravel(),
        }))
    if not frames:
        return pd.DataFrame(columns=list(MONTHLY_COLUMNS))
    df = pd.concat(frames, ignore_index=True)
    order = {lab: i for i, lab in enumerate((s, n) for s, n, _ in labels)}
    df["_cell"] = [order[(s, n)] for s, n in zip(df.scope, df.sector, strict=True)]
    df["_period"] = df.groupby(["pathway", "_cell"]).cumcount()
    df["_pw"] = df.pathway.map({e: i for i, e in enumerate(outputs)})
    df = df.sort_values(["_pw", "_cell", "_period"], kind="stable").drop(columns=["_cell", "_period", "_pw"])
    return df.reset_index(drop=True)[list(MONTHLY_COLUMNS)]


def monthly_frame(run: Any) -> pd.DataFrame | None:
    """The monthly table of a :class:`~chainsim.experiment.run.ScenarioRun`; ``None`` without a calendar."""
    sc = run.loaded.scenario
    calendar = getattr(sc, "calendar", None)
    if calendar is None:
        return None
    outputs = {e: pr.output for e, pr in run.pathways.items()}
    baselines = {e: pr.baseline for e, pr in run.pathways.items()}
    return monthly_table(outputs, baselines, run.loaded.table, calendar, trend=getattr(sc, "trend", None))


def write_monthly(run: Any, out_dir: str | Path) -> dict[str, Path]:
    """Write ``monthly.csv`` into ``out_dir`` when the scenario has a calendar (atomically); return its path."""
    frame = monthly_frame(run)
    if frame is None:
        return {}
    path = Path(out_dir) / "monthly.csv"
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    frame.to_csv(tmp, index=False, float_format="%.6g")
    os.replace(tmp, path)
    return {"monthly": path}
