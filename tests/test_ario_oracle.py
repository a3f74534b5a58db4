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
    import pymrio

    ind = pd.read_csv(case / "industries.csv", dtype={"region": str, "sector": str})
    idx = pd.MultiIndex.from_arrays([ind["region"], ind["sector"]], names=["region", "sector"])
    z = pd.read_csv(case / "Z.csv", dtype={"region": str, "sector": str}).drop(columns=["region", "sector"])
    Z = pd.DataFrame(z.to_numpy(float), index=idx, columns=idx)
    regions = list(dict.fromkeys(idx.get_level_values(0)))
    Y = pd.DataFrame(0.0, index=idx, columns=pd.MultiIndex.from_product([regions, ["final_demand"]]))
    for r in regions:
        m = idx.get_level_values(0) == r
        Y.loc[m, (r, "final_demand")] = ind["final_demand"].to_numpy(float)[m]
    io = pymrio.IOSystem(Z=Z, Y=Y, x=pd.DataFrame({"indout": ind["output"].to_numpy(float)}, index=idx))
    io.A = pymrio.calc_A(io.Z, io.x)
    K = pd.Series(ind["capital"].to_numpy(float), index=idx)
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


@pytest.mark.parametrize(("case", "shock", "days"), [
    ("synth_3x30", "shock.csv", 200),
    ("case_5x42", "shock_ln_rebuild.csv", 120),
])
def test_ario_matches_boario_per_industry_full_precision(case, shock, days):
    case_dir = FIX / case
    ref = run_boario(case_dir, case_dir / shock, days)
    res = simulate(read_csv_layout(case_dir), shock_to_disruptions(case_dir / shock), days=days, params="ario")
    mine = res.output
    ref = ref.loc[:, list(mine.columns)].to_numpy()[: len(mine)]
    dev = np.abs(mine.to_numpy() - ref) / np.maximum(np.abs(ref), 1e-12)
    print(f"{case}/{shock}: max per-industry relative deviation {dev.max():.3e}")
    assert dev.max() < 1e-12, f"max per-industry relative deviation {dev.max():.3e}"
