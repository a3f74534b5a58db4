"""Input handling shared by the metric functions (private).

Trajectories are arrays shaped ``(..., days)``: the last axis is time (one value per day,
day 0 first), any leading axes are a batch (replications, scopes). A pandas ``Series``
(index = day) is one trajectory; a ``DataFrame`` (index = day, one column per series) is a
batch whose results come back labelled by its columns.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

#: Absolute slack on the relative level when testing "within epsilon of baseline", so that
#: a value computed to lie exactly on the band edge is not pushed out of it by rounding.
BAND_SLACK = 1e-12


def as_days_last(x: Any, name: str, *, allow_scalar: bool = False) -> tuple[np.ndarray, pd.Index | None]:
    """Return ``x`` as a float array with time on the last axis, and the batch labels.

    A DataFrame (rows = days) is transposed so that its columns form the batch axis; its
    column index is returned so that per-series results can be labelled. A scalar is
    accepted (as a constant) only with ``allow_scalar``.
    """
    labels = None
    if isinstance(x, pd.DataFrame):
        labels = x.columns
        arr = x.to_numpy(dtype=float).T
    elif isinstance(x, pd.Series):
        arr = x.to_numpy(dtype=float)
    else:
        arr = np.asarray(x, dtype=float)
    if arr.ndim == 0 and not allow_scalar:
        raise ValueError(f"{name}: expected a daily trajectory (an array with a time axis), found a scalar")
    if arr.ndim and arr.shape[-1] == 0:
        raise ValueError(f"{name}: expected at least one day, found an empty time axis")
    if not np.all(np.isfinite(arr)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise ValueError(f"{name}: expected finite values, found {arr[bad]} at index {bad}")
    return arr, labels


def output_and_baseline(output: Any, baseline: Any) -> tuple[np.ndarray, np.ndarray, pd.Index | None]:
    """Validate and broadcast an output trajectory against its counterfactual baseline.

    Two pandas objects of the same kind are aligned by label (the baseline is reindexed
    like the output; a label missing from the baseline is an error), not by position. With
    a DataFrame output, a Series baseline indexed by the output's days is one daily baseline
    for all columns; one indexed by its columns is a constant baseline per column.
    """
    if isinstance(output, pd.DataFrame) and isinstance(baseline, pd.DataFrame):
        if not (output.columns.equals(baseline.columns) and output.index.equals(baseline.index)):
            missing = output.columns.difference(baseline.columns)
            if len(missing):
                raise ValueError(f"baseline: no column for output column(s) {list(missing)[:5]}")
            baseline = baseline.reindex(index=output.index, columns=output.columns)
    elif isinstance(output, pd.DataFrame) and isinstance(baseline, pd.Series):
        if baseline.index.equals(output.index):  # one daily baseline for every column
            baseline = baseline.to_numpy(dtype=float)
        else:  # a constant baseline per column, e.g. SimulationResult.baseline per (region, sector)
            missing = output.columns.difference(baseline.index)
            if len(missing):
                raise ValueError(
                    f"baseline: a Series baseline must be indexed by the output's days or its columns; "
                    f"no entry for column(s) {list(missing)[:5]}"
                )
            baseline = baseline.reindex(output.columns).to_numpy(dtype=float)[:, None]
    elif isinstance(output, pd.Series) and isinstance(baseline, pd.Series) and not output.index.equals(baseline.index):
        baseline = baseline.reindex(output.index)
    y, labels_y = as_days_last(output, "output")
    b, labels_b = as_days_last(baseline, "baseline", allow_scalar=True)
    try:
        if y.shape != b.shape:
            y, b = np.broadcast_arrays(y, b)
    except ValueError:
        raise ValueError(
            f"output and baseline: expected shapes that broadcast (time on the last axis), "
            f"found {y.shape} and {b.shape}"
        ) from None
    if np.any(b < 0):
        raise ValueError(f"baseline: expected non-negative output, found minimum {b.min()}")
    labels = labels_y if labels_y is not None else labels_b
    return y, b, labels


def relative(y: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Relative level ``y / b``; an industry with zero baseline and zero output has level 1."""
    zero = b == 0
    if np.any(zero & (y != 0)):
        idx = tuple(int(i) for i in np.argwhere(zero & (y != 0))[0])
        raise ValueError(
            f"baseline: the relative level is undefined where the baseline is 0 but output is not "
            f"(output {y[idx]} at index {idx}); drop or aggregate zero-output industries"
        )
    q = np.ones_like(y)
    np.divide(y, b, out=q, where=~zero)
    return q


def check_onset(onset: int | None, n_days: int) -> int | None:
    """Validate a caller-given onset day against the horizon."""
    if onset is None:
        return None
    if isinstance(onset, bool) or not isinstance(onset, int | np.integer):
        raise ValueError(f"onset: expected an integer day or None, found {onset!r}")
    if not 0 <= onset < n_days:
        raise ValueError(f"onset: expected a day in [0, {n_days - 1}], found {onset}")
    return int(onset)


def check_epsilon(epsilon: float) -> float:
    """Validate the recovery band half-width."""
    epsilon = float(epsilon)
    if not (np.isfinite(epsilon) and 0 <= epsilon < 1):
        raise ValueError(f"epsilon: expected a relative tolerance in [0, 1), found {epsilon}")
    return epsilon


BANDS = ("two_sided", "below")


def outside_band(q: np.ndarray, epsilon: float, band: str = "two_sided") -> np.ndarray:
    """Boolean mask of days on which the relative level is outside the recovery band.

    ``band="two_sided"``: more than ``epsilon`` from 1 either way; ``band="below"``: more
    than ``epsilon`` below 1 (an overshoot, e.g. catch-up production, counts as recovered).
    """
    if band == "below":
        return (1.0 - q) > epsilon + BAND_SLACK
    if band != "two_sided":
        raise ValueError(f"band: expected one of {list(BANDS)}, found {band!r}")
    return np.abs(q - 1.0) > epsilon + BAND_SLACK


def first_true(mask: np.ndarray) -> np.ndarray:
    """Index of the first True along the last axis, ``-1`` where there is none."""
    idx = np.argmax(mask, axis=-1)
    return np.where(mask.any(axis=-1), idx, -1)


def last_true(mask: np.ndarray) -> np.ndarray:
    """Index of the last True along the last axis, ``-1`` where there is none."""
    n = mask.shape[-1]
    idx = n - 1 - np.argmax(mask[..., ::-1], axis=-1)
    return np.where(mask.any(axis=-1), idx, -1)


def resolve_onsets(q: np.ndarray, epsilon: float, onset: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Onset day per series and whether a shock was felt at all.

    Returns ``(start, felt)``: ``start`` is the given onset, else the first day with
    ``|q - 1| > epsilon``, else 0 (no shock felt: windows start at day 0); ``felt`` is False
    only where no onset was given and none was detected.
    """
    batch = q.shape[:-1]
    if onset is not None:
        return np.full(batch, onset, dtype=np.int64), np.ones(batch, dtype=bool)
    first = first_true(outside_band(q, epsilon))
    return np.where(first >= 0, first, 0).astype(np.int64), first >= 0


def prepare(output: Any, baseline: Any, epsilon: float, onset: int | None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index | None, int]:
    """The common first steps of the trajectory metrics.

    Returns ``(q, start, felt, labels, n_days)``: the relative level, the onset per series
    and whether a shock was felt (:func:`resolve_onsets`), the batch labels and the horizon.
    """
    y, b, labels = output_and_baseline(output, baseline)
    epsilon = check_epsilon(epsilon)
    n = y.shape[-1]
    onset = check_onset(onset, n)
    q = relative(y, b)
    start, felt = resolve_onsets(q, epsilon, onset)
    return q, start, felt, labels, n


def from_onset(n_days: int, start: np.ndarray) -> np.ndarray:
    """Boolean mask ``t >= start`` shaped ``start.shape + (n_days,)``."""
    return np.arange(n_days) >= start[..., None]


def wrap(values: Any, labels: pd.Index | None, name: str | None = None) -> Any:
    """Return per-series results as a Series labelled by ``labels``, a float for 0-d, else as is."""
    values = np.asarray(values)
    if labels is not None:
        return pd.Series(values, index=labels, name=name)
    if values.ndim == 0:
        return values.item()
    return values
