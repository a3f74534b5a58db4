"""Live cross-check against BoARIO 0.7.2 (the GPL oracle, used through its public API only).

A tiny driver builds the pymrio system and the events from the fixture CSVs, runs
``ARIOPsiModel`` (order "alt") and compares every industry's daily production with chainsim's
``ario`` configuration at full double precision.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chainsim.data.csv_layout import read_csv_layout
from chainsim.engine import simulate

FIX = Path(__file__).parent / "fixtures"


def _crosscheck_module():
    """The validation script as a module (it is a script, not part of the package)."""
    path = Path(__file__).parents[1] / "validation" / "boario_crosscheck.py"
    spec = importlib.util.spec_from_file_location("boario_crosscheck", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


shock_to_disruptions = _crosscheck_module().shock_to_disruptions

pytestmark = pytest.mark.oracle


def _boario():
    try:
        import boario  # noqa: F401
        import pymrio  # noqa: F401
        from boario.event import from_series
        from boario.extended_models import ARIOPsiModel
        from boario.simulation import Simulation
    except Exception as exc:  # ImportError, or progressbar missing
        pytest.skip(f"BoARIO 0.7.2 oracle not importable ({exc}); install the 'test' extra")
    return from_series, ARIOPsiModel, Simulation


def run_boario(case: Path, shock: Path, days: int) -> pd.DataFrame:
    """Daily production per industry from BoARIO, columns (region, sector)."""
    from_series, ARIOPsiModel, Simulation = _boario()
    io, K = _crosscheck_module().boario_iosystem(case)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ARIOPsiModel(io, order_type="alt", alpha_base=1.0, alpha_max=1.25, alpha_tau=365,
                             rebuild_tau=60, main_inv_dur=90, psi_param=0.8, inventory_restoration_tau=60,
                             productive_capital_vector=K.sort_index())
        sim = Simulation(model, n_temporal_units_to_sim=days)
        sh = pd.read_csv(shock, dtype={"region": str, "sector": str, "event_id": str})
        events = []
        for eid, g in sh.groupby("event_id", sort=False):
            r0 = g.iloc[0]
            mi = pd.MultiIndex.from_arrays([g["region"], g["sector"]], names=["region", "sector"])
            share = g["share"].to_numpy(float)
            kw = dict(occurrence=int(r0["occurrence"]), duration=int(r0["duration"]), name=str(eid))
            rf = r0["recovery_function"] if isinstance(r0["recovery_function"], str) else "linear"
            if r0["event_type"] == "arbitrary":
                events.append(from_series(pd.Series(share, index=mi), event_type="arbitrary",
                                          recovery_tau=int(r0["tau"]), recovery_function=rf, **kw))
            elif r0["event_type"] == "recovery":
                events.append(from_series(pd.Series(share * K.loc[mi].to_numpy(), index=mi), event_type="recovery",
                                          recovery_tau=int(r0["tau"]), recovery_function=rf,
                                          event_monetary_factor=model.monetary_factor, **kw))
            else:
                reb = {s.split(":")[0]: float(s.split(":")[1]) for s in str(r0["rebuilding_sectors"]).split(";")}
                events.append(from_series(pd.Series(share * K.loc[mi].to_numpy(), index=mi), event_type="rebuild",
                                          rebuild_tau=int(r0["tau"]), rebuilding_sectors=reb,
                                          event_monetary_factor=model.monetary_factor, **kw))
        sim.add_events(events)
        sim.loop()
    return sim.production_realised


#: the reference day (the specification), the fast executor, and the sparse layout's day over links (issue 22)
DAYS = {"reference": dict(executor="reference"), "auto": dict(executor="auto"), "sparse": dict(layout="sparse")}


def _both_executors(fn):
    """``fn(**how)`` for every way of running the day (:data:`DAYS`): each must reproduce BoARIO."""
    return {name: fn(**how) for name, how in DAYS.items()}


@pytest.mark.parametrize(("case", "shock", "days"), [
    ("synth_3x30", "shock.csv", 200),
    ("case_5x42", "shock_ln_rebuild.csv", 120),
])
def test_ario_matches_boario_per_industry_full_precision(case, shock, days):
    """The reference day alone reproduces BoARIO to 1e-12 per industry-day; so does the fast executor."""
    case_dir = FIX / case
    ref = run_boario(case_dir, case_dir / shock, days)
    runs = _both_executors(lambda **how: simulate(read_csv_layout(case_dir), shock_to_disruptions(case_dir / shock),
                                                   days=days, params="ario", **how))
    for ex, res in runs.items():
        mine = res.output
        want = ref.loc[:, list(mine.columns)].to_numpy()[: len(mine)]
        dev = np.abs(mine.to_numpy() - want) / np.maximum(np.abs(want), 1e-12)
        print(f"{case}/{shock} ({ex}): max per-industry relative deviation {dev.max():.3e}")
        assert dev.max() < 1e-12, f"{ex}: max per-industry relative deviation {dev.max():.3e}"


def _pymrio_test_table():
    """R16's fixture: pymrio's test MRIO aggregated to 3 regions x 5 sectors."""
    import pymrio

    from chainsim.data.iotable import IOTable

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        io = pymrio.load_test()
        io.aggregate(region_agg=["reg1", "reg1", "reg2", "reg2", "reg3", "reg3"],
                     sector_agg=["food", "mining", "manufactoring", "other", "construction", "other", "other",
                                 "other"])
        io.calc_all()
    regions = list(dict.fromkeys(io.Z.index.get_level_values(0)))
    sectors = list(dict.fromkeys(io.Z.index.get_level_values(1)))
    labels = [(r, s) for r in regions for s in sectors]
    Z = io.Z.loc[labels, labels].to_numpy()
    y = io.Y.loc[labels].sum(axis=1).to_numpy()
    x = io.x.loc[labels].iloc[:, 0].to_numpy()
    Y = np.zeros((len(x), len(regions)))
    Y[np.arange(len(x)), np.repeat(np.arange(len(regions)), len(sectors))] = y
    return IOTable(name="pymrio_test_3x5", regions=regions, sectors=sectors, Z=Z, Y=Y,
                   fd_columns=[(r, "final_demand") for r in regions], exports=np.zeros(len(x)),
                   value_added=x - Z.sum(axis=0), x=x)


def test_r16_pymrio_test_system_matches_boario():
    """REFERENCE R16 set-up (ARIOPsiModel defaults, 365 days) with overlapping capital events."""
    from_series, ARIOPsiModel, Simulation = _boario()
    import pymrio

    table = _pymrio_test_table()
    idx = table.labels
    K = pd.Series(4 * np.clip(table.value_added, 0, None), index=idx)
    events = [  # (kind, [(region, sector, share)], occurrence, duration, tau, curve / rebuilding sectors)
        ("recovery", [("reg1", "manufactoring", 0.3), ("reg1", "mining", 0.2)], 1, 20, 180, "linear"),
        ("recovery", [("reg2", "food", 0.25)], 15, 5, 90, "convexe"),
        ("rebuild", [("reg3", "manufactoring", 0.4)], 30, 3, 180, {"construction": 1.0}),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        io = pymrio.IOSystem(Z=pd.DataFrame(table.Z, index=idx, columns=idx),
                             Y=pd.DataFrame(table.Y, index=idx,
                                            columns=pd.MultiIndex.from_tuples(table.fd_columns)),
                             x=pd.DataFrame({"indout": table.x}, index=idx))
        io.A = pymrio.calc_A(io.Z, io.x)
        model = ARIOPsiModel(io, order_type="alt", productive_capital_vector=K.sort_index())
        sim = Simulation(model, n_temporal_units_to_sim=365)
        evs = []
        for kind, rows, occ, dur, tau, extra in events:
            mi = pd.MultiIndex.from_tuples([(r, s) for r, s, _ in rows], names=["region", "sector"])
            impact = pd.Series([sh * K.loc[(r, s)] for r, s, sh in rows], index=mi)
            kw = dict(occurrence=occ, duration=dur, event_monetary_factor=model.monetary_factor)
            if kind == "recovery":
                evs.append(from_series(impact, event_type="recovery", recovery_tau=tau, recovery_function=extra, **kw))
            else:
                evs.append(from_series(impact, event_type="rebuild", rebuild_tau=tau, rebuilding_sectors=extra, **kw))
        sim.add_events(evs)
        sim.loop()
    ref = sim.production_realised.loc[:, list(idx)].to_numpy()
    dis = []
    for kind, rows, occ, dur, tau, extra in events:
        for r, s, sh in rows:
            rec = {"curve": extra, "days": tau} if kind == "recovery" else {"curve": "rebuild", "days": tau,
                                                                             "sectors": extra}
            dis.append({"type": "capacity_loss", "region": r, "sector": s, "share": sh, "start": occ,
                        "duration": dur, "recovery": rec})
    for ex, res in _both_executors(lambda **how: simulate(table, dis, days=365, params="ario", **how)).items():
        dev = np.abs(res.output.to_numpy() - ref) / np.maximum(np.abs(ref), 1e-12)
        print(f"R16 pymrio test system ({ex}): max per-industry relative deviation {dev.max():.3e}")
        assert dev.max() < 1e-12
        assert (res.relative_output() < 1).any()


def test_northeast_whole_region_rebuild_collapse_matches_boario(tmp_path):
    """5 % of all Liaoning capital destroyed, rebuilt by construction: ARIO spirals down on this table.

    Reconstruction demand is served pro rata with the construction services that Liaoning's
    energy and chemical industries need; they run short, and their outputs (critical inputs of
    every industry) take the province down over the year. BoARIO does the same; chainsim's
    ``ario`` configuration must follow it day by day on the real table.
    """
    from chainsim.data.csv_layout import write_csv_layout
    from chainsim.data.datasets import load_dataset

    table = load_dataset("northeast-2017")
    write_csv_layout(table, tmp_path)
    rows = ["event_id,event_type,region,sector,share,occurrence,duration,tau,recovery_function,rebuilding_sectors"]
    rows += [f"ln_all,rebuild,LN,{s},0.05,5,1,60,,27:1.0" for s in table.sector_codes]
    shock = tmp_path / "shock.csv"
    shock.write_text("\n".join(rows) + "\n", encoding="utf-8")
    days = 365
    ref = run_boario(tmp_path, shock, days)
    runs = _both_executors(lambda **how: simulate(read_csv_layout(tmp_path), shock_to_disruptions(shock), days=days,
                                                   params="ario", **how))
    for ex, res in runs.items():
        mine = res.output
        want = ref.loc[:, list(mine.columns)].to_numpy()[: len(mine)]
        dev = np.abs(mine.to_numpy() - want) / np.maximum(np.abs(want), 1e-12)
        ln = np.asarray(mine.columns.get_level_values(0) == "LN")
        print(f"northeast LN rebuild ({ex}): max per-industry relative deviation {dev.max():.3e}; "
              f"LN output on the last day {want[-1, ln].sum() / want[0, ln].sum():.3f} of baseline")
        assert dev.max() < 1e-12
    ref = ref.loc[:, list(mine.columns)].to_numpy()[: len(mine)]
    assert ref[-1, ln].sum() < 0.2 * ref[0, ln].sum()  # the spiral (a property of ARIO on this table)
