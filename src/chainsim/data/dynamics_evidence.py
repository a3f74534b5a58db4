"""The evidence tables behind the default model's dynamics (issue #16), read and validated.

``raw/dynamics_evidence/`` holds one CSV per parameter family, each row with a low, central and
high value, a ``status`` (F published figure, I inference or assumption, F+I a figure turned into
the parameter by a stated step) and its sources (``PROVENANCE.md`` there; the reasoning is in
``docs/dynamics_design.md`` §4). This module gives them to the engine as arrays in NBS-42 order:

* :func:`input_stocks` — days of use held as input stock by product, the class of the input
  (storable, flow, deferrable) and the restoration time τ of the class;
* :func:`alpha_max_by_sector` — sustained overproduction 1/u from the NBS 2017 capacity
  utilisation;
* :func:`alpha_tau_days` — the time constant of overproduction;
* :func:`finished_goods` — producers' finished-goods stock days, the minimum run rate of
  continuous-process sectors, the storage ceiling and the restoration time;
* :func:`backlog` — the share of unmet final demand for durable and investment goods that is
  postponed, and the release and loss times of the backlog;
* :func:`foreign_headroom` — supply headroom of each foreign origin;
* :func:`household_stickiness` — how much of a household-consumption cut a product's demand
  ignores (utilities, §3.7).
* :func:`import_substitutability` — the short-run substitutable share σ of each product's imports.
* :func:`continuous_process` — the share of a sector's workforce that crews continuous plants and
  stayed at work through the 2020 holiday extension (issue #17, the ``lockdown`` type).

Every reader checks its file (codes ``01``..``42`` once each, ``low <= central <= high``, a known
``status`` and class); an error names the file, the row, the field and the value found.
"""

from __future__ import annotations

import csv
import math
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np

from chainsim.data.classification import NBS42_CODES
from chainsim.errors import DataError

__all__ = ["EVIDENCE_DIR", "INPUT_CLASSES", "LEVELS", "RAUCH_CLASSES", "alpha_max_by_sector", "alpha_tau_days",
           "backlog", "continuous_process", "finished_goods", "foreign_headroom", "household_stickiness",
           "import_substitutability",
           "input_stocks"]

EVIDENCE_DIR = Path(__file__).resolve().parent / "raw" / "dynamics_evidence"
LEVELS: tuple[str, ...] = ("low", "central", "high")
INPUT_CLASSES: tuple[str, ...] = ("storable", "flow", "deferrable")
#: product classes of ``import_substitutability.csv``: Rauch (1999) goods classes, and services
RAUCH_CLASSES: tuple[str, ...] = ("homogeneous", "reference", "differentiated", "service")
_STATUS = {"F", "I", "F+I", "I+F"}

Level = Literal["low", "central", "high"]


def _number(path: Path, row: int, field: str, text: str) -> float:
    try:
        v = math.inf if text.strip() == "inf" else float(text)
    except ValueError:
        raise DataError(f"{path.name}: row {row}, field '{field}': expected a number or 'inf'; "
                        f"found {text!r}") from None
    if v < 0 or math.isnan(v):
        raise DataError(f"{path.name}: row {row}, field '{field}': expected a non-negative number; found {text!r}")
    return v


@lru_cache(maxsize=16)
def _rows(name: str) -> tuple[dict[str, str], ...]:
    path = EVIDENCE_DIR / name
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = tuple(csv.DictReader(fh))
    except OSError as exc:
        raise DataError(f"{path}: cannot read the evidence table ({exc})") from None
    for k, r in enumerate(rows, start=2):
        if "status" in r and r["status"] not in _STATUS:
            raise DataError(f"{path.name}: row {k}, field 'status': expected one of {sorted(_STATUS)}; "
                            f"found {r['status']!r}")
    return rows


#: parsed ranged values by (table, column stem, level, key), with the reading of the table they came from
_RANGED: dict[tuple[str, str, str, str], tuple[tuple[dict[str, str], ...], dict[str, float]]] = {}


def _ranged(name: str, stem: str, level: str, key: str = "nbs42") -> dict[str, float]:
    """``{key: value of '<stem>_<level>'}``, checking low <= central <= high on every row.

    Parsed and checked once per reading of the table (:func:`_rows`): a sweep builds a model per
    member (issue 22). Each call returns its own dict.
    """
    rows = _rows(name)
    hit = _RANGED.get((name, stem, level, key))
    if hit is not None and hit[0] is rows:  # the same reading of the table (held here, so not a reused id)
        return dict(hit[1])
    if level not in LEVELS:
        raise DataError(f"{name}: level expected one of {list(LEVELS)}; found {level!r}")
    path = EVIDENCE_DIR / name
    out: dict[str, float] = {}
    for k, r in enumerate(rows, start=2):
        vals = [_number(path, k, f"{stem}_{lv}", r.get(f"{stem}_{lv}", "")) for lv in LEVELS]
        if not vals[0] <= vals[1] <= vals[2]:
            raise DataError(f"{path.name}: row {k}, fields '{stem}_low/central/high': expected low <= central <= "
                            f"high; found {vals}")
        code = r[key]
        if code in out:
            raise DataError(f"{path.name}: row {k}, field '{key}': {code!r} appears twice")
        out[code] = vals[LEVELS.index(level)]
    _RANGED[(name, stem, level, key)] = (rows, out)
    return dict(out)


def _by_nbs42(name: str, values: dict[str, float]) -> np.ndarray:
    missing = [c for c in NBS42_CODES if c not in values]
    extra = [c for c in values if c not in NBS42_CODES]
    if missing or extra:
        raise DataError(f"{name}: field 'nbs42': expected the codes 01..42 once each; "
                        f"missing {missing[:3]}, unknown {extra[:3]}")
    return np.array([values[c] for c in NBS42_CODES], dtype=float)


def _listed_shares(name: str, stem: str, level: str) -> np.ndarray:
    """Shares in [0, 1] of the NBS-42 codes a file lists (42,), 0 for the codes it does not list."""
    values = _ranged(name, stem, level)
    unknown = [c for c in values if c not in NBS42_CODES]
    if unknown:
        raise DataError(f"{name}: field 'nbs42': expected codes 01..42; found {unknown[0]!r}")
    bad = [c for c, v in values.items() if v > 1.0]
    if bad:
        raise DataError(f"{name}: nbs42 {bad[0]!r}, field '{stem}_{level}': expected a share in [0, 1]; "
                        f"found {values[bad[0]]}")
    return np.array([values.get(c, 0.0) for c in NBS42_CODES])


def input_stocks(level: Level = "central") -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Input stock days by product (42,), their restoration time τ (central, 42,) and the class of each input.

    ``input_stock_days.csv``: storable goods (stock restored over about 30 days), flow inputs
    (electricity and heat, gas, water: about 2 days, the one-day order lag plus a day of slack) and
    deferrable services and building work (use can wait about 30 days; transport 3). ``inf``: the
    input never binds.
    """
    name = "input_stock_days.csv"
    days = _by_nbs42(name, _ranged(name, "days", level))
    tau = _by_nbs42(name, _ranged(name, "restore_tau", "central"))
    cls = {}
    for k, r in enumerate(_rows(name), start=2):
        if r["input_class"] not in INPUT_CLASSES:
            raise DataError(f"{name}: row {k}, field 'input_class': expected one of {list(INPUT_CLASSES)}; "
                            f"found {r['input_class']!r}")
        cls[r["nbs42"]] = r["input_class"]
    if (tau <= 0).any() or not np.isfinite(tau).all():
        raise DataError(f"{name}: field 'restore_tau_central': expected positive finite days")
    return days, tau, tuple(cls[c] for c in NBS42_CODES)


def alpha_max_by_sector(level: Level = "central") -> np.ndarray:
    """Sustained overproduction α_max = 1/u by sector (42,), NBS 2017 utilisation (capacity_utilisation_2017.csv)."""
    name = "capacity_utilisation_2017.csv"
    a = _by_nbs42(name, _ranged(name, "alpha_max", level))
    if (a < 1.0).any() or not np.isfinite(a).all():
        raise DataError(f"{name}: field 'alpha_max_{level}': expected finite values >= 1")
    return a


def _parameter(name: str, parameter: str, level: str) -> float:
    """The ``level`` column of the row ``parameter`` of a parameter table (low <= central <= high, positive)."""
    path = EVIDENCE_DIR / name
    for k, r in enumerate(_rows(name), start=2):
        if r["parameter"] == parameter:
            vals = [_number(path, k, lv, r[lv]) for lv in LEVELS]
            if not vals[0] <= vals[1] <= vals[2] or vals[0] <= 0:
                raise DataError(f"{name}: row {k}, fields 'low/central/high': expected 0 < low <= central <= high; "
                                f"found {vals}")
            return vals[LEVELS.index(level)]
    raise DataError(f"{name}: field 'parameter': expected a row {parameter!r}; found none")


def alpha_tau_days(level: Level = "central") -> float:
    """Time constant τ_α of overproduction in days (``overproduction_parameters.csv``, row ``alpha_tau_days``)."""
    return _parameter("overproduction_parameters.csv", "alpha_tau_days", level)


def finished_goods(level: Level = "central") -> tuple[np.ndarray, np.ndarray, float, float]:
    """Producers' output stocks: days of output (42,), minimum run rate (42,), ceiling (× target) and τ_F (days).

    ``output_stock_days.csv`` (NBS 2017 finished-goods turnover 14.4 days for industry; none for
    agriculture, utilities and services at the central value), ``produce_to_stock.csv`` (the
    continuous-process sectors that keep running into stock when demand falls; 0 for the others),
    ``finished_goods_parameters.csv`` (ceiling 2.5 × target, CISA 2020; τ_F 30 days).
    """
    name = "output_stock_days.csv"
    days = _by_nbs42(name, _ranged(name, "days", level))
    min_run = _listed_shares("produce_to_stock.csv", "min_run", level)
    name = "finished_goods_parameters.csv"
    ceiling, tau = _parameter(name, "fg_max_factor", level), _parameter(name, "fg_restore_tau_days", "central")
    if ceiling < 1.0:
        raise DataError(f"{name}: row 'fg_max_factor': expected a ceiling >= 1 x the target; found {ceiling}")
    return days, min_run, ceiling, tau


def continuous_process(level: Level = "central") -> np.ndarray:
    """Share of each sector's workforce that a labour-supply shock does not reach (42,), 0 for unlisted sectors.

    ``continuous_process.csv``: the crews of plants that must run continuously (连续生产)
    — refining and coking (11), chemicals (12), metal smelting (14); non-metallic minerals (13) at 0
    central — from a survey of 589 petroleum, chemical and non-ferrous firms on 10 February 2020 and
    CISA's steel output of 11-20 February 2020 (``PROVENANCE.md``, ids BCYF2020, CISA2020OUT).
    Read by :class:`chainsim.shocks.labour.Lockdown` (``continuous_process: central``).
    """
    return _listed_shares("continuous_process.csv", "share", level)


def backlog(level: Level = "central") -> tuple[np.ndarray, float, float]:
    """Backlog share β by product (42,), release time τ_B and loss time τ_L (days).

    ``backlog.csv``: β = carry-over x (GFCF + household share of the product's final demand), for the
    durable and investment goods it lists (0 elsewhere); ``backlog_parameters.csv``: τ_B 60 d
    (30-120), τ_L 180 d (90-365), both assumptions [I].
    """
    name = "backlog.csv"
    path = EVIDENCE_DIR / name
    carry = _ranged(name, "carry_over", level)
    share = np.zeros(len(NBS42_CODES))
    for k, r in enumerate(_rows(name), start=2):
        code = r["nbs42"]
        if code not in NBS42_CODES:
            raise DataError(f"{name}: row {k}, field 'nbs42': expected a code 01..42; found {code!r}")
        eligible = sum(_number(path, k, f, r[f]) for f in ("gfcf_share_of_final_demand",
                                                           "household_share_of_final_demand"))
        beta = carry[code] * eligible
        if beta > 1.0:
            raise DataError(f"{name}: row {k}: carry-over x eligible share expected <= 1; found {beta:g}")
        share[NBS42_CODES.index(code)] = beta
    name = "backlog_parameters.csv"
    return share, _parameter(name, "release_tau_days", "central"), _parameter(name, "loss_tau_days", "central")


def foreign_headroom(level: Level = "central") -> dict[str, float]:
    """Supply headroom h of each foreign origin listed (``foreign_supply.csv``): capacity towards China / baseline flow.

    Origins of a table that the file does not list take the row ``ROW`` (the rest of the world).
    """
    name = "foreign_supply.csv"
    h = _ranged(name, "headroom", level, key="origin")
    bad = {o: v for o, v in h.items() if v < 1.0 or not math.isfinite(v)}
    if bad:
        o = next(iter(bad))
        raise DataError(f"{name}: origin {o!r}, field 'headroom_{level}': expected a finite value >= 1; "
                        f"found {bad[o]}")
    if "ROW" not in h:
        raise DataError(f"{name}: field 'origin': expected a row 'ROW' (the rest of the world); found none")
    return h


def household_stickiness(level: Level = "central") -> np.ndarray:
    r"""Stickiness :math:`\eta_p` of household demand by product (42,): a cut of share c applies as :math:`c(1-\eta_p)`.

    ``household_demand_stickiness.csv`` lists the sticky products (electricity and heat, gas, water:
    1, range 0.8-1; NEA release of 2021-04-14 on residential use in March 2020); the others are 0
    (``docs/dynamics_design.md`` §3.7).
    """
    return _listed_shares("household_demand_stickiness.csv", "eta", level)


def import_substitutability(level: Level = "central") -> np.ndarray:
    """Short-run substitutable share σ of each product's imports (42,), ``import_substitutability.csv``.

    σ_p is the share of product p's imports that domestic producers can replace within weeks
    (the pooled input row); 1 - σ_p needs the imported varieties (a separate input with its own
    stock). Priors by Rauch (1999) class (homogeneous 0.9, reference-priced 0.7, services 0.8 [I])
    and, for machinery and electronics, domestic supply shares (chips 15.9 % of China's demand in
    2020, chip equipment 21 %, CNC machine tools 6 % high-end) with Boehm, Flaaen & Pandalai-Nayar
    (2019: imported inputs Leontief over months) and Korea's 2019 HF case (about 50 % replaced only
    after 6-12 months): the short run is low. Every value in [0, 1]; each row's class one of
    :data:`RAUCH_CLASSES`.
    """
    name = "import_substitutability.csv"
    sigma = _by_nbs42(name, _ranged(name, "sigma", level))
    for k, r in enumerate(_rows(name), start=2):
        if r.get("rauch_class") not in RAUCH_CLASSES:
            raise DataError(f"{name}: row {k}, field 'rauch_class': expected one of {list(RAUCH_CLASSES)}; "
                            f"found {r.get('rauch_class')!r}")
        hi = _number(EVIDENCE_DIR / name, k, "sigma_high", r["sigma_high"])
        if hi > 1.0:
            raise DataError(f"{name}: row {k}, field 'sigma_high': expected a share in [0, 1]; "
                            f"found {r['sigma_high']!r}")
    return sigma
