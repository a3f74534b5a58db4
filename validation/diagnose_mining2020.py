"""Why does the model's mining fall too far in January-February 2020? One run per mechanism switched off.

    python validation/diagnose_mining2020.py [--theta 0.2] [--phi 0.75]

Runs ``scenarios/episodes/covid2020.yaml`` at the given θ and φ (central inputs, one replication,
the calibration's seed) and variants that each remove one mechanism, and prints, for national
mining (NBS 02-05) and each of its sectors, January-February 2020:

* ``va_yoy``: value added year on year (the number laid next to NBS's -6.5 %);
* ``out``: gross output against the no-shock path, %;
* ``cap``: production capacity against the no-shock path, % (the labour shock acts here);
* ``slack``: output below capacity, points of baseline (orders or inputs limit it, not labour).

Variants (docs/episodes.md, "the 2020 sector split"): ``as fitted``; ``no lockdown on mining``
(mining added to every lockdown's ``except_sectors``); ``no demand shocks``; ``no min run`` (the
produce-to-stock floor of 02-05 set to 0); ``labour by exposure`` (every lockdown spreads its
observed absence by Pichler et al.'s essential and remote-work scores instead of uniformly); ``ores
as coal`` (metal and other ores 04-05 follow the coal mines' capacity facts, an assumption with no
fact behind it: a bound, not a proposal); ``ores by labour`` (04 back under the all-industry
absence, the model before its operating-rate fact); ``ore fact low`` / ``ore fact high`` (the ore
mines' February loss at the ends of its range, 0.162 and 0.311 instead of 0.280); ``process plants
crewed`` (the continuous-process customers 11-14, the sectors of ``produce_to_stock.csv``, lose no
capacity to absence: how much of the miss their labour shock carries; no fact behind it either);
``no continuous crews`` (every lockdown's ``continuous_process`` set to 0: the model before issue
17's crews rule) and ``crews low`` / ``crews high`` (the evidence table's ends,
``continuous_process.csv``); ``no sticky utilities`` (household demand for 24-26 cut like the rest;
only meaningful once the scenario's household shocks cover 24-26).
Reads nothing outside the repository; about 10 s.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "episodes" / "covid2020.yaml"
MINING = ("02", "03", "04", "05")
# February 2020's mean loss of the ore mines (NBS 04) from SMM's operating rates: central and the ends
# for 3/8 and all of the holiday stopped (covid2020.yaml, docs/episodes.md "Ore mines";
# tests/test_backcast_2020.py checks the arithmetic)
ORE_LOSS, ORE_LOSS_LOW, ORE_LOSS_HIGH = 0.2802, 0.1617, 0.3114


def _except_mining(ds: list[dict]) -> list[dict]:
    out = copy.deepcopy(ds)
    for d in out:
        if d.get("type") == "lockdown":
            ex = d.get("except_sectors", [])
            d["except_sectors"] = [*([ex] if isinstance(ex, str) else ex), "mining"]
    return out


def _by_exposure(ds: list[dict]) -> list[dict]:
    out = copy.deepcopy(ds)
    for d in out:
        if d.get("type") == "lockdown":
            d["distribution"] = "exposure"
    return out


def _is_ore_item(d: dict) -> bool:
    return d.get("type") == "capacity_loss" and d.get("sector") == "04"


def _ores_as_coal(ds: list[dict]) -> list[dict]:
    out = [d for d in copy.deepcopy(ds) if not _is_ore_item(d)]
    for d in out:
        if d.get("type") == "lockdown":
            d["except_sectors"] = [*d.get("except_sectors", []), "04", "05"]
        if d.get("type") == "capacity_loss" and d.get("sector") == "02":
            d["sector"] = ["02", "04", "05"]
    return out


def _ores_by_labour(ds: list[dict]) -> list[dict]:
    """The model before the ore-mine fact: 04 back under the all-industry absence, no ore item."""
    out = [d for d in copy.deepcopy(ds) if not _is_ore_item(d)]
    for d in out:
        if d.get("type") == "lockdown":
            d["except_sectors"] = [s for s in d.get("except_sectors", []) if s != "04"]
    return out


def _ore_loss(scale: float):
    """The ore-mine profile scaled to another February loss (the ends of its range: docs/episodes.md)."""
    def apply(ds: list[dict]) -> list[dict]:
        out = copy.deepcopy(ds)
        for d in out:
            if _is_ore_item(d):
                d["profile"]["points"] = [[t, v * scale] for t, v in d["profile"]["points"]]
        return out
    return apply


def _process_crewed(ds: list[dict]) -> list[dict]:
    out = copy.deepcopy(ds)
    for d in out:
        if d.get("type") == "lockdown":
            d["except_sectors"] = [*d.get("except_sectors", []), "11", "12", "13", "14"]
    return out


def _crews(level: str | float):
    def apply(ds: list[dict]) -> list[dict]:
        out = copy.deepcopy(ds)
        for d in out:
            if d.get("type") == "lockdown":
                d["continuous_process"] = level
        return out
    return apply


def _no_demand(ds: list[dict]) -> list[dict]:
    return [d for d in ds if d.get("type") != "final_demand_by_category"]


def _not_sticky(ds: list[dict]) -> list[dict]:
    out = copy.deepcopy(ds)
    for d in out:
        if d.get("type") == "final_demand_by_category":
            d["stickiness"] = {"default": 0.0}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--theta", type=float, default=None, help="default: the scenario's mode")
    ap.add_argument("--phi", type=float, default=None, help="default: the scenario's mode")
    args = ap.parse_args(argv)

    from chainsim.disruptions import parse_disruptions
    from chainsim.engine import Engine, build_model, resolve_params
    from chainsim.experiment.backcast import GridPoint, with_parameters
    from chainsim.experiment.monthly import monthly_table
    from chainsim.experiment.seeds import replication_seeds
    from chainsim.scenario.load import load_scenario

    loaded = load_scenario(SCENARIO)
    sc, table = loaded.scenario, loaded.table

    def mode(d: dict, *keys: str) -> float:
        for k in keys:
            d = d[k]
        return float(d["mode"] if isinstance(d, dict) else d)

    lock = next(d for d in sc.disruptions if d["type"] == "lockdown")
    dem = next(d for d in sc.disruptions if d.get("deferral"))
    point = GridPoint(mode(lock, "leontief_weight") if args.theta is None else args.theta,
                      mode(dem, "deferral", "share") if args.phi is None else args.phi)
    base = with_parameters(sc.disruptions, point, catch_up_days=mode(dem, "deferral", "catch_up_days"))
    model = build_model(table, resolve_params(sc.params))
    sec = np.asarray(table.sector_codes)[table.sector_of]
    no_run = model.min_run.copy()
    no_run[: model.n][np.isin(sec, MINING)] = 0.0
    model_no_run = dataclasses.replace(model, min_run=no_run)
    variants = {"as fitted": (model, base), "no lockdown on mining": (model, _except_mining(base)),
                "no demand shocks": (model, _no_demand(base)), "no min run (02-05)": (model_no_run, base),
                "labour by exposure": (model, _by_exposure(base)), "ores as coal": (model, _ores_as_coal(base)),
                "ores by labour": (model, _ores_by_labour(base)),
                "ore fact low": (model, _ore_loss(ORE_LOSS_LOW / ORE_LOSS)(base)),
                "ore fact high": (model, _ore_loss(ORE_LOSS_HIGH / ORE_LOSS)(base)),
                "process plants crewed": (model, _process_crewed(base)),
                "no continuous crews": (model, _crews(0.0)(base)), "crews low": (model, _crews("low")(base)),
                "crews high": (model, _crews("high")(base))}
    if any("24" in d.get("sectors", []) or d.get("sectors") in (None, "all") for d in base
           if d.get("type") == "final_demand_by_category" and "household" in d.get("categories", [])):
        variants["no sticky utilities"] = (model, _not_sticky(base))
    seed = replication_seeds(sc.seed, 1)[0]
    xbar = np.asarray(model.xbar[: model.n])
    days = 60  # 1 January - 29 February 2020 (leap year)
    print(f"theta {point.theta:g}, phi {point.phi:g}; January-February = days 0-{days - 1}")
    print(f"{'variant':24s} {'scope':7s} {'va_yoy':>7s} {'out':>7s} {'cap':>7s} {'slack':>7s}  first shortage")
    for name, (m, ds) in variants.items():
        run = Engine(m, [parse_disruptions(ds)], seeds=[seed]).run(sc.horizon_days, record=("capacity",))
        out, cap = run.output[:days, 0, :], run.capacity[:days, 0, :]
        mon = monthly_table({name: run.output[:, 0, :][None]}, {name: xbar}, table, sc.calendar, trend=sc.trend,
                            scopes=["china"])
        mon = mon[mon.month == "2020-01/02"].set_index("sector")
        for label, codes in (("02-05", MINING), *((c, (c,)) for c in MINING)):
            k = np.isin(sec, codes)
            b = xbar[k].sum() * days
            o, c = out[:, k].sum(), np.minimum(cap[:, k], 1e300).sum()
            slack = np.maximum(cap[:, k] - out[:, k], 0).sum()
            first = [e for e in run.events if e[2] == "shortage" and e[3].split("|")[-1] in codes]
            first_txt = f"day {first[0][0]} {first[0][3]}: {first[0][4]}" if first else "-"
            yoy = mon.loc["mining" if label == "02-05" else label, "value_added_yoy_pct"]
            print(f"{name:24s} {label:7s} {yoy:7.1f} {100 * (o / b - 1):7.1f} {100 * (c / b - 1):7.1f} "
                  f"{100 * slack / b:7.1f}  {first_txt}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
