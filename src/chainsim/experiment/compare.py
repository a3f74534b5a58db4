"""Lay a run's ``monthly.csv`` next to official figures: the backcast error table.

The observed table has the layout of ``observed_2020_calibration.csv`` (shipped in
``chainsim/experiment/observed``): ``geo, indicator, sector_zh, sector_en, nbs42, period,
period_type, value, unit, derived, source_id, note``. A row is matched when

* ``indicator`` is ``iva_yoy`` (real growth of value added, % y/y);
* ``geo`` names a scope of ``monthly.csv`` (``CN`` -> ``china``, ``NORTHEAST`` ->
  ``northeast``, a region code such as ``LN`` as itself);
* its ``nbs42`` codes equal those of a sector row (``02-26`` -> ``industry``, ``06-23`` ->
  ``manufacturing``, ``18`` -> ``18``); a division that is part of an NBS-42 sector (autos
  within transport equipment 18) is compared with the whole sector;
* its ``period`` is a ``month`` label of ``monthly.csv`` (``2020-03``, ``2020-01/02``,
  ``2020-01/03``).

The error is ``model - observed`` in percentage points, with the model's 10–90 % band turned
into year-on-year growth the same way as the median.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.errors import DataError, did_you_mean

__all__ = ["OBSERVED_2020", "Comparison", "compare_monthly", "format_comparison", "monthly_path", "no_match_reason",
           "parse_nbs42", "read_monthly", "read_observed"]

OBSERVED_2020 = Path(__file__).resolve().parent / "observed" / "observed_2020_calibration.csv"
OBSERVED_COLUMNS = ("geo", "indicator", "sector_en", "nbs42", "period", "value", "source_id")
GEO_SCOPES = {"CN": "china", "NORTHEAST": "northeast"}
_GROUP_CODES = {"industry": (2, 26), "manufacturing": (6, 23), "mining": (2, 5), "utilities": (24, 26)}


def parse_nbs42(text: object) -> frozenset[str]:
    """NBS-42 codes of a field such as ``02-26``, ``11,12`` or ``15-21,23`` (empty when blank).

    Examples
    --------
    >>> sorted(parse_nbs42("15-17,23"))
    ['15', '16', '17', '23']
    """
    if text is None or (isinstance(text, float) and np.isnan(text)) or not str(text).strip():
        return frozenset()
    out: set[str] = set()
    for part in str(text).replace(" ", "").split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            out.update(f"{k:02d}" for k in range(int(a), int(b) + 1))
        elif part:
            out.add(f"{int(part):02d}")
    return frozenset(out)


def _sector_codes(label: str) -> frozenset[str]:
    if label in _GROUP_CODES:
        a, b = _GROUP_CODES[label]
        return frozenset(f"{k:02d}" for k in range(a, b + 1))
    return frozenset([label])


def read_observed(path: str | Path = OBSERVED_2020) -> pd.DataFrame:
    """Read and check an observed table in the layout of ``observed_2020_calibration.csv``.

    Raises
    ------
    DataError
        Missing file or column, or a non-numeric ``value``; the message names file, column and row.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file (expected an observed table like observed_2020_calibration.csv)")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: cannot parse as a UTF-8 CSV ({exc})") from None
    missing = [c for c in OBSERVED_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; expected at least {list(OBSERVED_COLUMNS)}"
                        f"{did_you_mean(missing[0], list(df.columns))}")
    values = pd.to_numeric(df["value"], errors="coerce")
    bad = values.isna() & (df["value"].str.strip() != "")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{path}:{i + 2}: column 'value': expected a number; found {df['value'].iloc[i]!r}")
    df["value"] = values
    return df


def monthly_path(run_dir: str | Path) -> Path:
    """``RUN_DIR/monthly.csv``, or ``run_dir`` itself when it names a file."""
    return Path(run_dir) / "monthly.csv" if Path(run_dir).is_dir() else Path(run_dir)


def read_monthly(run_dir: str | Path) -> pd.DataFrame:
    """Read ``RUN_DIR/monthly.csv``.

    Raises
    ------
    DataError
        No such file (the scenario had no calendar) or missing columns.
    """
    from chainsim.experiment.monthly import MONTHLY_COLUMNS

    path = monthly_path(run_dir)
    if not path.is_file():
        raise DataError(f"{path}: no such file; 'chainsim run' writes monthly.csv when the scenario has a "
                        "'calendar: {start: YYYY-MM-DD}'")
    df = pd.read_csv(path, dtype={"sector": str, "month": str, "scope": str, "pathway": str})
    missing = [c for c in MONTHLY_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}; expected {list(MONTHLY_COLUMNS)}")
    return df


@dataclass(frozen=True)
class Comparison:
    """Matched rows (observed, model, error) and the observed rows that found no model row."""

    matched: pd.DataFrame
    unmatched: pd.DataFrame

    @property
    def mean_abs_error(self) -> float:
        """Mean absolute error in points over the matched rows (NaN when none)."""
        e = self.matched["error_pts"].dropna()
        return float(e.abs().mean()) if len(e) else float("nan")


def _pathway(monthly: pd.DataFrame, pathway: str | None) -> str:
    """The pathway to compare: ``pathway``, else ``baseline`` when present, else the first of ``monthly.csv``."""
    pathways = list(dict.fromkeys(monthly["pathway"]))
    if pathway is None:
        pathway = "baseline" if "baseline" in pathways else (pathways[0] if pathways else "baseline")
    if pathway not in pathways:
        raise DataError(f"pathway '{pathway}' is not in monthly.csv; expected one of {pathways}"
                        f"{did_you_mean(pathway, pathways)}")
    return pathway


def compare_monthly(monthly: pd.DataFrame, observed: pd.DataFrame, *, pathway: str | None = None,
                    indicator: str = "iva_yoy") -> Comparison:
    """Join ``monthly.csv`` rows of one pathway with the observed rows they can be compared with.

    Parameters
    ----------
    monthly : DataFrame
        ``monthly.csv`` of a run.
    observed : DataFrame
        From :func:`read_observed`.
    pathway : str, optional
        Default ``baseline`` when present, else the first pathway.
    indicator : str
        The observed indicator to compare (``iva_yoy``).

    Returns
    -------
    Comparison
        ``matched`` columns: geo, scope, sector_en, nbs42, sector, period, observed, model,
        error_pts, model_p10, model_p90, within_band, source_id.
    """
    pathway = _pathway(monthly, pathway)
    m = monthly[monthly["pathway"] == pathway].copy()
    m["codes"] = [_sector_codes(str(s)) for s in m["sector"]]
    index = {(r.scope, r.codes, r.month): r for r in m.itertuples(index=False)}
    obs = observed[observed["indicator"] == indicator]
    rows, unmatched = [], []
    for o in obs.itertuples(index=False):
        scope = GEO_SCOPES.get(str(o.geo), str(o.geo))
        key = (scope, parse_nbs42(o.nbs42), str(o.period))
        r = index.get(key)
        if r is None:
            unmatched.append(o._asdict())
            continue
        dev, yoy = float(r.value_added_dev_pct), float(r.value_added_yoy_pct)
        factor = (1 + yoy / 100) / (1 + dev / 100) if abs(1 + dev / 100) > 1e-12 else float("nan")
        lo = 100 * ((1 + float(r.value_added_dev_pct_p10) / 100) * factor - 1)
        hi = 100 * ((1 + float(r.value_added_dev_pct_p90) / 100) * factor - 1)
        rows.append({"geo": o.geo, "scope": scope, "sector_en": o.sector_en, "nbs42": o.nbs42, "sector": r.sector,
                     "period": o.period, "observed": float(o.value), "model": yoy, "error_pts": yoy - float(o.value),
                     "model_p10": lo, "model_p90": hi,
                     "within_band": bool(min(lo, hi) <= float(o.value) <= max(lo, hi)) if np.isfinite(yoy) else False,
                     "source_id": o.source_id})
    cols = ["geo", "scope", "sector_en", "nbs42", "sector", "period", "observed", "model", "error_pts", "model_p10",
            "model_p90", "within_band", "source_id"]
    return Comparison(matched=pd.DataFrame(rows, columns=cols),
                      unmatched=pd.DataFrame(unmatched, columns=list(observed.columns)))


def _span(values: pd.Series) -> str:
    labels = sorted(map(str, values.dropna().unique()))
    if not labels:
        return "none"
    return labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]}"


def no_match_reason(monthly: pd.DataFrame, cmp: Comparison, *, pathway: str | None = None) -> str:
    """Why no observed row matched: the regions and periods of both sides, side by side.

    A row matches on ``geo`` (as a scope), NBS-42 codes and period (:func:`compare_monthly`);
    when none does, the usual cause is another region set or another year, which the two
    coverages show at a glance.

    Examples
    --------
    >>> monthly = pd.DataFrame({"pathway": ["baseline"], "scope": ["JL"], "sector": ["industry"],
    ...                         "month": ["2022-04"]})
    >>> unmatched = pd.DataFrame({"geo": ["CN", "LN"], "period": ["2020-01/02", "2020-06"]})
    >>> no_match_reason(monthly, Comparison(pd.DataFrame(), unmatched))
    "no observed row matches monthly.csv: the 2 observed rows cover geo CN, LN and periods 2020-01/02 to 2020-06; \
monthly.csv (pathway 'baseline') covers scopes JL and months 2022-04 (a row matches on geo, NBS-42 codes and \
period; the 2022 episode's outcomes are held out and not shipped: its monthly.csv is a prediction)"
    """
    pathway = _pathway(monthly, pathway)
    m = monthly[monthly["pathway"] == pathway]
    obs = cmp.unmatched
    geos = ", ".join(sorted(map(str, obs["geo"].unique()))) if "geo" in obs else "none"
    periods = _span(obs["period"]) if "period" in obs else "none"
    scopes = ", ".join(sorted(map(str, m["scope"].unique()))) or "none"
    return (f"no observed row matches monthly.csv: the {len(obs)} observed rows cover geo {geos} and periods "
            f"{periods}; monthly.csv (pathway '{pathway}') covers scopes {scopes} and months {_span(m['month'])} "
            "(a row matches on geo, NBS-42 codes and period; the 2022 episode's outcomes are held out and not "
            "shipped: its monthly.csv is a prediction)")


def format_comparison(cmp: Comparison) -> str:
    """The error table as text (points, one decimal), with the count of unmatched rows."""
    if cmp.matched.empty:
        periods = sorted(map(str, cmp.unmatched["period"].unique())) if "period" in cmp.unmatched else []
        span = f"; the observations cover {periods[0]} to {periods[-1]}" if periods else ""
        return (f"no observed row matches monthly.csv ({len(cmp.unmatched)} rows unmatched{span}; the 2022 "
                "episode's outcomes are held out and not shipped: its monthly.csv is a prediction)")
    t = cmp.matched[["geo", "sector_en", "nbs42", "period", "observed", "model", "error_pts", "model_p10",
                     "model_p90"]].copy()
    t.columns = ["geo", "sector", "nbs42", "period", "observed %", "model %", "error pts", "model p10", "model p90"]
    text = t.to_string(index=False, float_format=lambda v: f"{v:.1f}", na_rep="—")
    return (f"{text}\n\n{len(cmp.matched)} rows matched, mean absolute error "
            f"{cmp.mean_abs_error:.1f} points; {len(cmp.unmatched)} observed rows without a model row")
