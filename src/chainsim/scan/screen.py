"""Which scan targets are ranked as chokepoints, and which are listed apart (and why): the ``effect`` column.

A chokepoint list ranks targets whose loss can be compared: the cut of a **storable good**
from **one supplier** that costs the scope a **measurable** amount. Every other target is
listed in a section of its own with the reason in ``effect`` (in this order of precedence):

``crashed``
    a stock went negative: no loss is reported.
``screened: non-storable input (flow)``
    electricity and heat, gas, water (NBS 24-26). Users hold about two days of them (1-3;
    Hallegatte 2014, MR-ARIO and DisruptSC's utility rows), as the default model does (classes
    of ``raw/dynamics_evidence/input_stock_days.csv``, design §3.2). They come over a grid or
    pipe network, so an inter-provincial utility flow of the table is mostly the regional
    table's proportional trade estimate, not a supplier that can be cut alone.
``screened: service or building work (deferrable)``
    NBS 23 and 27-42: not storable but postponable (30 days of deferrable use, transport 3,
    finance and real estate up to no limit; the default model's deferrable input rows). A
    province's services bought from another are likewise an estimate of the regional table,
    not one supplier.
``aggregate origin``
    an import origin that stands for many countries (``ROW``, the rest of the world): its cut
    is an embargo by every country not named, not one supplier's. Listed apart, with the
    largest named origin's share of the product for comparison.
``no measurable effect``
    ``|loss|`` below ``min_loss_days`` days of the scope's output (default 0.0304 days = 0.1 %
    of a month's output, the resolution of NBS monthly growth rates; the threshold of
    ``metrics.min_loss_days`` in scenarios).
``gain``
    the scope's output rises by more than the threshold: buyers turn to the scope's producers
    (for example, when a competitive import or another region's supply is cut).
``ranked``
    everything else: ranked in ``rank`` (within kind) and ``rank_all``.

The product class comes from the NBS-42 code of the target's product (for a split table, its
parent sector; :func:`chainsim.data.nbs149.sector_parents`). Tables with other sector codes
have no class and nothing is screened by class.

References
----------
Hallegatte, S. (2014). Modeling the role of inventories and heterogeneity in the assessment of
the economic costs of natural disasters. *Risk Analysis* 34(1), 152-167.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from chainsim.data.iotable import IOTable
from chainsim.data.nbs149 import sector_parents
from chainsim.data.provinces import RAW_DIR
from chainsim.errors import DataError
from chainsim.scan.targets import Target

__all__ = ["AGGREGATE_ORIGINS", "EFFECTS", "INPUT_CLASSES", "MIN_LOSS_DAYS", "SCREENED_CLASSES", "exposure",
           "load_input_classes", "product_classes", "target_effects"]

INPUT_CLASSES = RAW_DIR / "dynamics_evidence" / "input_stock_days.csv"
#: Origins that are aggregates of many countries (compared case-insensitively).
AGGREGATE_ORIGINS: tuple[str, ...] = ("ROW",)
#: The default threshold of a measurable effect, in days of the scope's output: ``metrics.min_loss_days``.
MIN_LOSS_DAYS = 0.0304
#: Values of ``effect``, in the order of the sections after the ranked targets.
EFFECTS: tuple[str, ...] = ("ranked", "gain", "no measurable effect", "aggregate origin",
                            "screened: non-storable input (flow)", "screened: service or building work (deferrable)",
                            "crashed")
_SCREEN = {"flow": EFFECTS[4], "deferrable": EFFECTS[5]}
#: Input classes whose targets are screened (listed apart, not ranked).
SCREENED_CLASSES: tuple[str, ...] = tuple(_SCREEN)


@cache
def load_input_classes(path: Path = INPUT_CLASSES) -> pd.DataFrame:
    """The class of every NBS-42 input product (``storable``, ``flow``, ``deferrable``) and its stock days.

    Returns
    -------
    DataFrame
        Index ``nbs42`` (``"01"``..``"42"``), columns ``name_en, name_zh, input_class,
        days_low, days_central, days_high, source, reasoning``.

    Raises
    ------
    DataError
        A missing column, a code outside 01..42 or an unknown class.
    """
    df = pd.read_csv(path, dtype={"nbs42": str}, keep_default_na=False)
    need = {"nbs42", "input_class", "days_central"}
    if not need <= set(df.columns):
        raise DataError(f"{path}: expected columns {sorted(need)}; found {list(df.columns)}")
    bad = set(df["input_class"]) - {"storable", "flow", "deferrable"}
    if bad or sorted(df["nbs42"]) != [f"{i:02d}" for i in range(1, 43)]:
        raise DataError(f"{path}: expected one row per NBS-42 code 01..42 with input_class storable, flow or "
                        f"deferrable; found classes {sorted(bad)}")
    return df.set_index("nbs42")


def product_classes(table: IOTable) -> dict[str, str]:
    """The input class of every sector of ``table`` by its NBS-42 (parent) code; ``""`` where it has none."""
    classes = load_input_classes()["input_class"].to_dict()
    return {c: classes.get(p, "") for c, p in sector_parents(table).items()}


def exposure(table: IOTable, targets: Sequence[Target]) -> pd.DataFrame:
    """Import dependence of each target's product where the target acts, and an import's share of it.

    ``import_share_of_use``: imports from abroad (every foreign origin, domestic pools such as
    ``DOM`` excluded) over all use of the product, intermediate and final, in the regions
    the target concerns: where an import is cut into (every region for ``all``), the buying
    region of a link, the region of a node. ``origin_share``: for an import, its origin's
    share of those imports (empty for links and nodes). ``largest_named_share``: the largest
    share of a named (not aggregate) origin in the product's imports there.

    Returns
    -------
    DataFrame
        One row per target, in order: ``import_share_of_use, origin_share, largest_named_share``.
    """
    S, R = table.n_sectors, table.n_regions
    reg_z = np.asarray(table.region_of)
    reg_y = np.array([table.region_index(r) for r, _ in table.fd_columns])
    foreign = np.array([o not in set(table.domestic_origins) for o in table.origins], dtype=bool)
    # per origin, product and region: imports used there; and all use of each product there
    imp = np.zeros((len(table.origins), S, R))
    for r in range(R):
        imp[:, :, r] = table.imports_Z[:, :, reg_z == r].sum(axis=2) + table.imports_Y[:, :, reg_y == r].sum(axis=2)
    dom = np.zeros((S, R))
    Zp = table.Z.reshape(R, S, -1).sum(axis=0)  # (S, N): domestic deliveries of each product to each user
    Yp = np.clip(table.Y, 0.0, None).reshape(R, S, -1).sum(axis=0)
    for r in range(R):
        dom[:, r] = Zp[:, reg_z == r].sum(axis=1) + Yp[:, reg_y == r].sum(axis=1)
    use = dom + imp.sum(axis=0)  # domestic pools count as domestic supply
    aggregate = np.array([o.upper() in AGGREGATE_ORIGINS for o in table.origins], dtype=bool)
    rows = []
    for t in targets:
        p = table.sector_index(t.product)
        where = {"imports": t.region, "links": t.to_region, "nodes": t.region}[t.kind]
        regs = list(range(R)) if where == "all" else [table.region_index(r) for r in str(where).split(",")]
        fimp = imp[foreign][:, p][:, regs].sum(axis=1)  # per foreign origin
        total_use = use[p, regs].sum()
        share = float(fimp.sum() / total_use) if total_use > 0 else np.nan
        named = fimp[~aggregate[foreign]]
        largest = float(named.max() / fimp.sum()) if fimp.sum() > 0 and named.size else np.nan
        origin_share = np.nan
        if t.kind == "imports" and fimp.sum() > 0:
            origin_share = float(fimp[list(np.array(table.origins)[foreign]).index(t.origin)] / fimp.sum())
        rows.append({"import_share_of_use": share, "origin_share": origin_share, "largest_named_share": largest})
    return pd.DataFrame(rows, columns=["import_share_of_use", "origin_share", "largest_named_share"])


def target_effects(table: IOTable, targets: Sequence[Target], loss_days: np.ndarray, crashed: np.ndarray, *,
                   min_loss_days: float = MIN_LOSS_DAYS) -> np.ndarray:
    """The ``effect`` of every target (module docstring): ``ranked`` or the section it is listed in.

    Parameters
    ----------
    table : IOTable
    targets : sequence of Target
    loss_days : array
        Each target's loss in days of the scope's output (NaN when crashed).
    crashed : array of bool
    min_loss_days : float
        Threshold of a measurable effect (days of the scope's output, >= 0).

    Returns
    -------
    array of str
    """
    if not min_loss_days >= 0:
        raise DataError(f"min_loss_days: expected a number of days >= 0; found {min_loss_days!r}")
    classes = product_classes(table)
    loss = np.asarray(loss_days, dtype=float)
    out = np.full(len(targets), EFFECTS[0], dtype=object)
    for k, t in enumerate(targets):
        if crashed[k]:
            out[k] = EFFECTS[6]
        elif classes.get(t.product, "") in _SCREEN:
            out[k] = _SCREEN[classes[t.product]]
        elif t.kind == "imports" and t.origin.upper() in AGGREGATE_ORIGINS:
            out[k] = EFFECTS[3]
        elif not abs(loss[k]) >= min_loss_days:
            out[k] = EFFECTS[2]
        elif loss[k] < 0:
            out[k] = EFFECTS[1]
    return out
