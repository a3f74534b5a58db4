r"""Lockdowns as a labour-supply shock, and the mapping from absent workers to lost capacity.

A ``lockdown`` says which share of the workforce is absent, where (regions, sector groups,
optionally a sub-region such as Changchun within Jilin) and when (a profile of dates or days)::

    - type: lockdown
      name: Changchun closed-off management
      region: JL
      sectors: industry
      except_sectors: ["18"]          # FAW's plants are their own item
      area: {subregion: changchun}    # Changchun's share of each Jilin sector
      basis: stay_home                # profile = share of non-exempt workers kept home
      absent: {interpolation: step, points: [[2022-03-11, 1.0], [2022-04-16, 0.45]]}
      closed_loop: 0.2                # share of the rest kept working in closed loops

**Absent labour.** With ``basis: observed`` the profile is the measured share of workers not
at work (MIIT's 复岗率 is ``1 - absent``): essential work and remote work are already in it.
``distribution: exposure`` spreads a class-wide figure over the sectors in proportion to
their exposure :math:`x_s = (1 - \mathrm{ESS}_s)(1 - \mathrm{RLI}_s)` so that the
employment-weighted mean is the observed one. With ``basis: stay_home`` the profile is the
share of workers ordered home, and the sectors' essential share ESS, remote-labour index RLI
and closed-loop share CL keep some of them working (del Rio-Chanona et al. 2020; Pichler et
al. 2022, whose supply shock is :math:`(1 - \mathrm{RLI})(1 - \mathrm{ESS})`):

.. math:: \varepsilon_s(t) = a(t)\,(1 - \mathrm{ESS}_s)(1 - \mathrm{RLI}_s)(1 - \mathrm{CL}_s).

**Continuous-process crews.** ``continuous_process`` :math:`c_s` is the share of a sector's
workforce that crews plants which must run continuously (blast furnaces, refineries, crackers:
连续生产; the 2020 provincial notices that delayed restarts exempted "other firms vital to the
economy and livelihood", 其他涉及重要国计民生的相关企业) and stays at work: the
sector's exposure is multiplied by :math:`1 - c_s`. With ``basis: stay_home`` that is
:math:`\varepsilon_s = a(1 - c_s)\cdots`; with ``basis: observed`` the measured all-industry
absence already counts those crews as present, so the others are more absent: the absence is
spread as :math:`\varepsilon_s(t) = \min(1, \lambda(t)(1 - c_s)x_s)` keeping the
employment-weighted mean at the measured one (:func:`spread_observed_absence`; :math:`x_s = 1`
uniform, or the exposure below). ``continuous_process: central`` (or ``low``, ``high``) reads
``continuous_process.csv`` of the dynamics evidence (a survey of petroleum and chemical firms on
10 February 2020 and CISA's steel output of mid-February 2020; ``docs/episodes.md``).

**Capacity.** Capital stays in place while workers are absent. With value added
:math:`K^{1-\alpha}L^{\alpha}` (Cobb-Douglas, capital fixed in the short run) and inputs in
fixed proportions, capacity scales as :math:`(1-\varepsilon)^{\beta}` with the output
elasticity :math:`\beta = \alpha_{r,s}`, the labour share of value added of the region-sector
(NBS 2017 tables; Solow 1957): not one for one. Pichler et al. (2022) take labour as a
Leontief input, :math:`\beta = 1`. ``leontief_weight`` :math:`\theta` moves between the two,
:math:`\beta = \alpha + \theta(1 - \alpha)`, the one parameter a backcast calibrates. A
sub-region holding a share :math:`w_{r,s}` of the region's sector loses

.. math:: \ell_{r,s}(t) = w_{r,s}\,\bigl(1 - (1 - \varepsilon_s(t))^{\beta_{r,s}}\bigr)

of the region-sector's capacity; several lockdowns combine multiplicatively,
:math:`1 - \prod_i (1 - \ell_i)`.

References
----------
del Rio-Chanona, R. M., Mealy, P., Pichler, A., Lafond, F. & Farmer, J. D. (2020). Supply and
demand shocks in the COVID-19 pandemic: an industry and occupation perspective. *Oxford Review
of Economic Policy* 36(S1), S94–S137.
Pichler, A., Pangallo, M., del Rio-Chanona, R. M., Lafond, F. & Farmer, J. D. (2022).
Forecasting the propagation of pandemic shocks with a dynamic input-output model. *Journal of
Economic Dynamics and Control* 144, 104527 (Table 5: RLI and ESS by industry).
Solow, R. M. (1957). Technical change and the aggregate production function. *Review of
Economics and Statistics* 39(3), 312–320.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from chainsim.data.classification import NBS42_CODES
from chainsim.data.dynamics_evidence import continuous_process
from chainsim.data.iotable import IOTable
from chainsim.errors import ScenarioError
from chainsim.scenario.calendar import Calendar
from chainsim.scenario.profiles import Profile, ProfileLike, evaluate_profile
from chainsim.scenario.sector_groups import sector_mask
from chainsim.shocks.areas import AreaLosses, AreaShare, area_weights, field_path, region_indices
from chainsim.shocks.tables import (
    LabourTable,
    industry_labour_share,
    load_labour_table,
    sector_values,
)

__all__ = ["AreaShare", "Lockdown", "absent_by_sector", "capacity_exponent", "combined_capacity_loss",
           "continuous_shares", "distribute_by_exposure", "local_capacity_loss", "lockdown_capacity_loss",
           "spread_observed_absence"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")
Names = str | list[str]
PerSector = float | dict[str, float]


def check_share_profile(p: ProfileLike, field: str, lo: float = 0.0, hi: float = 1.0) -> None:
    """Raise ``ValueError`` when a value of the profile lies outside ``[lo, hi]``."""
    values = [p] if not isinstance(p, Profile) else [v for _, v in p.points] + [p.before]
    bad = [v for v in values if not lo <= float(v) <= hi]
    if bad:
        raise ValueError(f"{field}: expected values in [{lo:g}, {hi:g}]; found {bad[0]:g}")


class Lockdown(BaseModel):
    """A labour-supply shock: the share of the workforce absent by region, sector class and time."""

    model_config = _FROZEN
    type: Literal["lockdown"]
    name: str | None = None
    region: Names = Field(validation_alias=AliasChoices("region", "regions"))
    sectors: Names = Field("industry", validation_alias=AliasChoices("sectors", "sector"))
    except_sectors: list[str] = Field(default_factory=list)
    absent: ProfileLike
    basis: Literal["observed", "stay_home"] = "observed"
    distribution: Literal["uniform", "exposure"] = "uniform"
    essential: Literal["pichler2022"] | PerSector = "pichler2022"
    remote: Literal["pichler2022"] | PerSector = "pichler2022"
    closed_loop: PerSector = 0.0
    continuous_process: Literal["low", "central", "high"] | PerSector = 0.0
    area: AreaShare | None = None
    elasticity: Literal["labour_share"] | float = "labour_share"
    leontief_weight: float = Field(0.0, ge=0.0, le=1.0)
    source: str = ""

    @model_validator(mode="after")
    def _check(self) -> Lockdown:
        check_share_profile(self.absent, "absent")
        for name in ("essential", "remote", "closed_loop", "continuous_process"):
            v = getattr(self, name)
            values = v.values() if isinstance(v, dict) else ([] if isinstance(v, str) else [v])
            if any(not 0.0 <= float(x) <= 1.0 for x in values):
                raise ValueError(f"{name}: expected shares in [0, 1]; found {v}")
        if not isinstance(self.elasticity, str) and not 0.0 < float(self.elasticity) <= 1.0:
            raise ValueError(f"elasticity: expected 'labour_share' or a number in (0, 1]; found {self.elasticity}")
        if self.basis == "observed" and (self.closed_loop != 0.0):
            raise ValueError("closed_loop: only with basis 'stay_home' (an observed absence already counts it)")
        return self


def distribute_by_exposure(mean_absent: np.ndarray, exposure: np.ndarray, weights: np.ndarray) -> np.ndarray:
    r"""Spread a class-wide absent share over sectors in proportion to their exposure, capped at 1.

    Finds :math:`\lambda(t)` with :math:`\sum_s w_s \min(1, \lambda x_s) = A(t)\sum_s w_s`
    (water filling: the most exposed sectors fill up first) and returns
    :math:`\min(1, \lambda x_s)`.

    Parameters
    ----------
    mean_absent : ndarray (T,)
        The employment-weighted mean absent share :math:`A(t)` in [0, 1].
    exposure : ndarray (S,)
        :math:`x_s \ge 0`.
    weights : ndarray (S,)
        Employment :math:`w_s \ge 0`.

    Returns
    -------
    ndarray (T, S)

    Raises
    ------
    ScenarioError
        :math:`A(t)` above the employment share of the exposed sectors (it cannot be reached).

    Examples
    --------
    >>> distribute_by_exposure(np.array([0.3]), np.array([1.0, 0.5]), np.array([1.0, 1.0])).round(4).tolist()
    [[0.4, 0.2]]
    >>> distribute_by_exposure(np.array([0.75]), np.array([1.0, 0.5]), np.array([1.0, 1.0])).tolist()
    [[1.0, 0.5]]
    """
    A = np.asarray(mean_absent, dtype=float)
    x, w = np.asarray(exposure, dtype=float), np.asarray(weights, dtype=float)
    x = np.where(x < 1e-12, 0.0, x)  # below any share written with 12 decimals: not exposed
    w = w / w.sum()
    reach = float(w[x > 0].sum())
    if (A > reach + 1e-12).any():
        t = int(np.argmax(A > reach + 1e-12))
        raise ScenarioError(f"absent share {A[t]:.3g} on day {t} exceeds the employment share of the exposed "
                            f"sectors ({reach:.3g}): use distribution 'uniform'")
    order = np.argsort(-x, kind="stable")  # most exposed first: they fill up (reach 1) first
    xs, ws = x[order], w[order]
    out = np.zeros((len(A), len(x)))
    done = np.zeros(len(A), dtype=bool)
    for m in range(len(xs) + 1):  # m = number of sectors at 1
        filled, slope = float(ws[:m].sum()), float((ws[m:] * xs[m:]).sum())
        if slope > 0:
            lam = (A - filled) / slope
            ok = lam >= -1e-12
            if m < len(xs):
                ok &= lam * xs[m] <= 1.0 + 1e-12
            if m > 0:
                ok &= lam * xs[m - 1] >= 1.0 - 1e-12
        else:
            lam = np.zeros(len(A))
            ok = np.abs(A - filled) <= 1e-12
        ok &= ~done
        if ok.any():
            vals = np.minimum(1.0, np.maximum(lam[ok], 0.0)[:, None] * xs[None, :])
            vals[:, :m] = 1.0
            out[np.ix_(np.flatnonzero(ok), order)] = vals
            done |= ok
    if not done.all():  # pragma: no cover - every A in [0, reach] has a solution
        raise ScenarioError(f"no exposure split found for absent share {A[~done][0]:.6g}")
    return out


def spread_observed_absence(mean_absent: np.ndarray, exposure: np.ndarray, weights: np.ndarray,
                            continuous: np.ndarray) -> np.ndarray:
    r"""Spread a measured class-wide absence over sectors whose continuous-process crews stayed at work.

    The measured mean :math:`A(t)` counts the crews (a share :math:`c_s` of sector :math:`s`'s
    workforce :math:`w_s`) as present, so the rest carry it: :math:`\varepsilon_s = \min(1,
    \lambda(t)(1 - c_s)x_s)` with :math:`\sum_s w_s \varepsilon_s = A(t)\sum_s w_s`
    (:func:`distribute_by_exposure` with exposure :math:`(1 - c_s)x_s`).

    Parameters
    ----------
    mean_absent : ndarray (T,)
        Measured absent share :math:`A(t)` of the whole class.
    exposure : ndarray (S,)
        :math:`x_s` (1 for a uniform spread).
    weights : ndarray (S,)
        Employment :math:`w_s`.
    continuous : ndarray (S,)
        :math:`c_s` in [0, 1].

    Returns
    -------
    ndarray (T, S)

    Examples
    --------
    >>> spread_observed_absence(np.array([0.3]), np.ones(2), np.ones(2), np.array([0.5, 0.0])).round(4).tolist()
    [[0.2, 0.4]]
    """
    x = np.asarray(exposure, dtype=float) * (1.0 - np.asarray(continuous, dtype=float))
    return distribute_by_exposure(mean_absent, x, weights)


def continuous_shares(spec: str | float | dict[str, float], sector_codes: tuple[str, ...]) -> np.ndarray:
    """``continuous_process`` per sector: a level of ``continuous_process.csv``, a number or ``{sector: share}``."""
    if isinstance(spec, str):
        table = dict(zip(NBS42_CODES, continuous_process(spec), strict=True))
        return np.array([table.get(c, 0.0) for c in sector_codes])
    return sector_values(spec, "continuous_process", sector_codes)


def capacity_exponent(shock: Lockdown, table: IOTable, labour: LabourTable | None = None) -> np.ndarray:
    r"""Output elasticity of capacity to labour :math:`\beta_k = b_k + \theta(1 - b_k)` per industry, shape (N,)."""
    base = (industry_labour_share(table, labour) if shock.elasticity == "labour_share"
            else np.full(table.n_industries, float(shock.elasticity)))
    return base + shock.leontief_weight * (1.0 - base)


def absent_by_sector(shock: Lockdown, table: IOTable, days: int, calendar: Calendar | None = None, *,
                     labour: LabourTable | None = None, loc: tuple[Any, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
    r"""The absent share :math:`\varepsilon_s(t)` of each sector the lockdown covers.

    Returns
    -------
    mask : ndarray (S,) of bool
        The sectors covered (``sectors`` minus ``except_sectors``).
    eps : ndarray (days, S)
        Absent share, zero outside ``mask``.
    """
    codes = table.sector_codes
    try:
        mask = sector_mask(shock.sectors, codes)
        if shock.except_sectors:
            mask &= ~sector_mask(shock.except_sectors, codes)
    except ScenarioError as exc:
        raise ScenarioError(f"{field_path(loc, 'sectors')}: {exc}") from None
    a = evaluate_profile(shock.absent, days, calendar, loc=(*loc, "absent"))
    eps = np.zeros((int(days), len(codes)))
    if not mask.any():
        return mask, eps
    sel = np.flatnonzero(mask)
    sub = tuple(codes[i] for i in sel)
    where = field_path(loc, "").rstrip(".")
    try:
        crew = continuous_shares(shock.continuous_process, sub)
    except ScenarioError as exc:  # the message names the field already
        raise ScenarioError(f"{where}.{exc}" if where else str(exc)) from None
    if shock.basis == "observed":
        if shock.distribution == "uniform" and not crew.any():
            eps[:, sel] = a[:, None]
            return mask, eps
        lt = labour or load_labour_table()
        x = (np.ones(len(sub)) if shock.distribution == "uniform"
             else (1.0 - lt.lookup("ess", sub)) * (1.0 - lt.lookup("rli", sub)))
        try:
            eps[:, sel] = spread_observed_absence(a, x, lt.lookup("employment", sub), crew)
        except ScenarioError as exc:
            raise ScenarioError(f"{field_path(loc, 'absent')}: {exc}") from None
        return mask, eps
    ess = sector_values(shock.essential, "ess", sub, labour)
    rli = sector_values(shock.remote, "rli", sub, labour)
    cl = sector_values(shock.closed_loop, "closed_loop", sub, labour)
    eps[:, sel] = a[:, None] * ((1.0 - ess) * (1.0 - rli) * (1.0 - cl) * (1.0 - crew))[None, :]
    return mask, eps


def local_capacity_loss(shock: Lockdown, table: IOTable, days: int, calendar: Calendar | None = None, *,
                        labour: LabourTable | None = None, loc: tuple[Any, ...] = ()) -> np.ndarray:
    r"""Capacity lost inside the area the lockdown covers, :math:`1 - (1 - \varepsilon)^{\beta}`, shape (days, N).

    Zero outside the shock's regions and sectors; not weighted by the area's share.
    """
    S = table.n_sectors
    mask, eps = absent_by_sector(shock, table, days, calendar, labour=labour, loc=loc)
    beta = capacity_exponent(shock, table, labour)
    out = np.zeros((int(days), table.n_industries))
    if not mask.any():
        return out
    for r in region_indices(shock.region, table, loc=loc):
        cols = slice(r * S, (r + 1) * S)
        out[:, cols] = 1.0 - (1.0 - eps) ** beta[cols][None, :]
    return out


def lockdown_capacity_loss(shock: Lockdown, table: IOTable, days: int, calendar: Calendar | None = None, *,
                           labour: LabourTable | None = None, loc: tuple[Any, ...] = ()) -> np.ndarray:
    """The share of each industry's capacity lost on each day by this lockdown alone, shape (days, N).

    The loss inside its area (:func:`local_capacity_loss`) times the share of the industry in
    the area (:func:`area_weights`; ``1 - share`` for a complement).

    Parameters
    ----------
    shock : Lockdown
        The validated shock.
    table : IOTable
        Regions and sectors (region-major industries).
    days : int
        Horizon.
    calendar : Calendar, optional
        Needed when the profile uses dates.
    labour : LabourTable, optional
        Defaults to the shipped tables.
    loc : tuple
        Field path of the shock in the scenario, for error messages.

    Returns
    -------
    ndarray (days, N) in [0, 1]
    """
    local = local_capacity_loss(shock, table, days, calendar, labour=labour, loc=loc)
    w = area_weights(shock, table, loc=loc)
    if shock.area is not None and shock.area.complement:
        w = np.where(local.any(axis=0), 1.0 - w, 0.0)
    return w[None, :] * local


def combined_capacity_loss(shocks: Sequence[Lockdown], table: IOTable, days: int, calendar: Calendar | None = None,
                           *, labour: LabourTable | None = None) -> np.ndarray:
    """Capacity lost on each day by several lockdowns together, shape (days, N) (:class:`AreaLosses`)."""
    acc = AreaLosses(int(days), table.n_industries)
    for k, shock in enumerate(shocks):
        loc = ("disruptions", k)
        acc.add(shock, table, local_capacity_loss(shock, table, days, calendar, labour=labour, loc=loc), loc=loc)
    return acc.total()
