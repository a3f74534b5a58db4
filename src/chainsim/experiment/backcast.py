r"""Backcasts: fit the two episode parameters to 2020, and predict an episode with the fitted values.

The calibration (``docs/episodes.md``, calibration plan) fits exactly two parameters, shared
by every item of both episodes:

* θ, ``leontief_weight`` of every ``lockdown`` (β = α + θ(1 − α)), to national total industry in
  January–February and March 2020 (``CN, iva_yoy, 02-26``);
* φ, ``deferral.share`` of every ``final_demand_by_category`` with a deferral, to national total
  industry in April, May and June 2020 (the rebound).

Each candidate (θ, φ) is one member of one engine batch (the engine runs the members
together), so a grid of a few dozen points costs about one run of a few dozen replications.
The objective is the sum of squared errors (model − observed growth, points) over the five
targets; θ's own range is spanned by the values that fit January–February alone and March
alone, φ's by the values that fit April, May and June alone (the disagreement of the targets,
not a statistical interval). Fallback, named before any fit: if the errors stay above 3
points, a demand scale κ ∈ [0, 1] on the January–February demand changes is the next
candidate (retail sales are realised sales, partly limited by supply).

Everything else is fixed from evidence (the scenario's inputs) and never touched here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from chainsim.experiment.compare import compare_monthly
from chainsim.experiment.monthly import monthly_table
from chainsim.scenario.load import LoadedScenario

__all__ = ["CHECKS", "TARGETS", "Calibration", "GridPoint", "calibrate", "run_points", "with_parameters"]

#: the fitted targets: (geo, nbs42, period) -> the parameter they identify
TARGETS: Mapping[tuple[str, str, str], str] = {
    ("CN", "02-26", "2020-01/02"): "theta", ("CN", "02-26", "2020-03"): "theta",
    ("CN", "02-26", "2020-04"): "phi", ("CN", "02-26", "2020-05"): "phi", ("CN", "02-26", "2020-06"): "phi",
}
#: the acceptance checks of issue 17 (points): rows and the largest error allowed
#: (the observed table has the Northeast for January-February and March only)
CHECKS: tuple[tuple[str, tuple[tuple[str, str, str], ...], float], ...] = (
    ("national total industry Jan-Feb to June within 3 points", tuple(
        ("CN", "02-26", p) for p in ("2020-01/02", "2020-03", "2020-04", "2020-05", "2020-06")), 3.0),
    ("Northeast total industry Jan-Feb and March within 3 points", tuple(
        ("NORTHEAST", "02-26", p) for p in ("2020-01/02", "2020-03")), 3.0),
    ("national sector split in Jan-Feb within 5 points", tuple(
        ("CN", s, "2020-01/02") for s in ("02-05", "06-23", "24-26")), 5.0),
)


@dataclass(frozen=True)
class GridPoint:
    """One candidate: θ (``leontief_weight``) and φ (``deferral.share``); ``None`` keeps the scenario's value."""

    theta: float | None
    phi: float | None

    @property
    def label(self) -> str:
        """``theta=0.25,phi=0.5``."""
        return f"theta={self.theta:g},phi={self.phi:g}"


def with_parameters(disruptions: Sequence[Mapping[str, Any]], point: GridPoint,
                    catch_up_days: float | None = None) -> list[dict[str, Any]]:
    """The scenario's disruptions with θ on every lockdown and φ (and τ) on every deferral.

    A sub-region share drawn per replication (``area: {bound: drawn}``) is set to its central
    value: the fit is made at the central inputs.
    """
    out = []
    for d in disruptions:
        d = dict(d)
        if d.get("type") == "lockdown" and point.theta is not None:
            d["leontief_weight"] = float(point.theta)
        if d.get("type") == "lockdown" and isinstance(d.get("area"), Mapping) and d["area"].get("bound") == "drawn":
            d["area"] = {**d["area"], "bound": "share"}
        if d.get("type") == "final_demand_by_category" and isinstance(d.get("deferral"), Mapping):
            dd = dict(d["deferral"])
            if point.phi is not None:
                dd["share"] = float(point.phi)
            if catch_up_days is not None:
                dd["catch_up_days"] = float(catch_up_days)
            d["deferral"] = dd
        out.append(d)
    return out


def run_points(loaded: LoadedScenario, points: Sequence[GridPoint], *, catch_up_days: float | None = None,
               seed: int | None = None, batch: int = 8) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Run the grid points as members of engine batches of ``batch`` (the scenario's ``params``, pathway baseline).

    Batches stay small: the engine re-adds every final-demand change of a batch whenever one
    changes (:mod:`chainsim.engine.clock`), which grows with the square of the members.

    Returns
    -------
    outputs : dict label -> ndarray (1, T, N)
        Daily gross output of each point (one replication each).
    baseline : ndarray (N,)
        No-shock daily output.
    """
    from chainsim.disruptions import parse_disruptions
    from chainsim.engine import Engine, build_model, resolve_params
    from chainsim.experiment.seeds import replication_seeds

    sc = loaded.scenario
    model = build_model(loaded.table, resolve_params(sc.params))
    seed_of = replication_seeds(sc.seed if seed is None else seed, 1)[0]
    out = {}
    for first in range(0, len(points), batch):
        chunk = points[first:first + batch]
        sets = [parse_disruptions(with_parameters(sc.disruptions, p, catch_up_days)) for p in chunk]
        arrays = Engine(model, sets, seeds=[seed_of] * len(chunk)).run(sc.horizon_days, record=())
        out.update({p.label: arrays.output[:, b, :][None] for b, p in enumerate(chunk)})
    return out, np.asarray(model.xbar[: model.n]).copy()


@dataclass(frozen=True)
class Calibration:
    """The fit: the parameters, their ranges, the objective on the grid and the calibration table."""

    theta: float
    phi: float
    theta_range: tuple[float, float]
    phi_range: tuple[float, float]
    grid: pd.DataFrame  # theta, phi, sse, and the error of each target
    table: pd.DataFrame  # every matched observed row at the fit: observed, model, error, role
    checks: pd.DataFrame  # the acceptance checks: name, rows, worst error, limit, passed
    notes: list[str] = field(default_factory=list)


def _target_errors(cmp: pd.DataFrame) -> dict[tuple[str, str, str], float]:
    return {(r.geo, r.nbs42, r.period): float(r.error_pts) for r in cmp.itertuples(index=False)
            if (r.geo, r.nbs42, r.period) in TARGETS}


def target_span(alone: Sequence[float], joint: float) -> tuple[float, float]:
    """The range a fitted value is given: the values that fit each target alone, and the joint fit.

    The joint (least-squares) fit need not lie between the single-target fits when the errors are
    not monotone in the parameter; the range must still hold it, or a triangular distribution
    centred on it cannot be written (found on the first fit after issue #16: φ = 0.75, the single
    months' fits 0 and 0.5).

    >>> target_span([0.0, 0.5], 0.75)
    (0.0, 0.75)
    >>> target_span([0.1, 0.3], 0.2)
    (0.1, 0.3)
    """
    values = [*alone, joint]
    return float(min(values)), float(max(values))


def _best(grid: pd.DataFrame, cols: Sequence[str]) -> pd.Series:
    sse = (grid[list(cols)] ** 2).sum(axis=1)
    return grid.loc[sse.idxmin()]


def calibrate(loaded: LoadedScenario, observed: pd.DataFrame, thetas: Sequence[float], phis: Sequence[float], *,
              catch_up_days: float = 45.0) -> Calibration:
    """Fit θ and φ on the grid ``thetas`` x ``phis`` (one engine batch) against ``observed``.

    Parameters
    ----------
    loaded : LoadedScenario
        ``covid2020.yaml`` (its disruptions, calendar, trend, horizon and model parameters).
    observed : DataFrame
        :func:`chainsim.experiment.compare.read_observed` of ``observed_2020_calibration.csv``.
    thetas, phis : sequence of float
        Candidate values in [0, 1].
    catch_up_days : float
        τ of every deferral while fitting (45 days, the scenario's central assumption).

    Returns
    -------
    Calibration
    """
    sc = loaded.scenario
    points = [GridPoint(float(t), float(p)) for t in thetas for p in phis]
    outputs, baseline = run_points(loaded, points, catch_up_days=catch_up_days)
    monthly = monthly_table(outputs, dict.fromkeys(outputs, baseline), loaded.table, sc.calendar, trend=sc.trend)
    rows = []
    for p in points:
        errs = _target_errors(compare_monthly(monthly, observed, pathway=p.label).matched)
        missing = [k for k in TARGETS if k not in errs]
        if missing:
            raise ValueError(f"calibrate: no model row for the target(s) {missing}: the scenario's horizon, calendar "
                             "and trend must cover January-June 2020")
        rows.append({"theta": p.theta, "phi": p.phi, **{"|".join(k): errs[k] for k in TARGETS}})
    grid = pd.DataFrame(rows)
    keys = ["|".join(k) for k in TARGETS]
    grid["sse"] = (grid[keys] ** 2).sum(axis=1)
    best = grid.loc[grid.sse.idxmin()]
    theta_keys = [k for k, v in zip(keys, TARGETS.values(), strict=True) if v == "theta"]
    phi_keys = [k for k, v in zip(keys, TARGETS.values(), strict=True) if v == "phi"]
    at_phi = grid[grid.phi == best.phi]
    at_theta = grid[grid.theta == best.theta]
    theta_alone = [float(_best(at_phi, [k]).theta) for k in theta_keys]
    phi_alone = [float(_best(at_theta, [k]).phi) for k in phi_keys]
    theta, phi = float(best.theta), float(best.phi)
    fitted = run_points(loaded, [GridPoint(theta, phi)], catch_up_days=catch_up_days)[0]
    fit_monthly = monthly_table(fitted, {k: baseline for k in fitted}, loaded.table, sc.calendar, trend=sc.trend)
    table = compare_monthly(fit_monthly, observed).matched.drop(columns=["model_p10", "model_p90", "within_band"])
    table["role"] = ["fitted: " + TARGETS[(g, n, q)] if (g, n, q) in TARGETS else "checked"
                     for g, n, q in zip(table.geo, table.nbs42, table.period, strict=True)]
    return Calibration(theta=theta, phi=phi, theta_range=target_span(theta_alone, theta),
                       phi_range=target_span(phi_alone, phi), grid=grid, table=table,
                       checks=acceptance_checks(table))


def acceptance_checks(table: pd.DataFrame) -> pd.DataFrame:
    """The acceptance checks of issue 17 on a calibration table (rows missing from it count as failed)."""
    index = {(r.geo, r.nbs42, r.period): r for r in table.itertuples(index=False)}
    out = []
    for name, keys, limit in CHECKS:
        errs = [abs(float(index[k].error_pts)) if k in index else math.inf for k in keys]
        worst = max(errs)
        out.append({"check": name, "rows": len(keys), "found": sum(k in index for k in keys),
                    "worst_error_pts": worst, "limit_pts": limit, "passed": bool(worst <= limit)})
    jl, ln = index.get(("JL", "02-26", "2020-01/03")), index.get(("LN", "02-26", "2020-01/03"))
    order = jl is not None and ln is not None and float(jl.model) < float(ln.model)
    out.append({"check": "Jilin deeper than Liaoning in Q1 (2020-01/03)", "rows": 2,
                "found": (jl is not None) + (ln is not None), "worst_error_pts": math.nan, "limit_pts": math.nan,
                "passed": bool(order)})
    return pd.DataFrame(out)
