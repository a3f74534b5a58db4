"""The episode scenarios (scenarios/episodes/*.yaml) compile to daily arrays on the shipped table.

They live in a sub-folder, apart from the shipped scenarios that other tests run (a run takes
about 15 s); these checks use relations only, no numbers of the shipped dataset. That they
validate and run through the engine is tested in tests/test_episodes.py.
"""

from pathlib import Path

import numpy as np
import pytest

from chainsim.scenario.calendar import to_day
from chainsim.scenario.load import load_scenario
from chainsim.shocks.demand import Deferral, FinalDemandByCategory, demand_multipliers
from chainsim.shocks.labour import Lockdown, combined_capacity_loss

EPISODES = Path(__file__).resolve().parents[1] / "scenarios" / "episodes"
DRAFTS = sorted(EPISODES.glob("*.yaml"))


def central(d):
    """An episode item with its drawn parameters at their modes (the pure shock functions take numbers)."""
    if isinstance(d, Lockdown):
        return d.fixed(getattr(d.leontief_weight, "mode", d.leontief_weight))
    mode = lambda v: float(getattr(v, "mode", v))  # noqa: E731
    deferral = None if d.deferral is None else Deferral(share=mode(d.deferral.share),
                                                        catch_up_days=mode(d.deferral.catch_up_days))
    return d.fixed(deferral)


def compile_draft(path):
    loaded = load_scenario(path)
    sc, table = loaded.scenario, loaded.table
    shocks = [central(d) for d in loaded.disruptions if d.type in ("lockdown", "final_demand_by_category")]
    others = [d for d in loaded.disruptions if d.type not in ("lockdown", "final_demand_by_category")]
    lock = combined_capacity_loss([s for s in shocks if isinstance(s, Lockdown)], table, sc.horizon_days)
    dem = demand_multipliers([s for s in shocks if isinstance(s, FinalDemandByCategory)], table, sc.horizon_days)
    return sc, table, shocks, others, lock, dem


def test_both_drafts_exist_outside_the_shipped_scenario_folder():
    assert [p.name for p in DRAFTS] == ["changchun2022.yaml", "covid2020.yaml"]
    assert not list((EPISODES.parent).glob("covid2020.yaml"))


@pytest.mark.parametrize("path", DRAFTS, ids=lambda p: p.stem)
def test_draft_compiles(path):
    sc, table, shocks, others, lock, dem = compile_draft(path)
    assert sc.calendar is not None and sc.trend
    assert shocks
    # besides the episode types, only capacity in production given as a profile that ends (covid2020's coal
    # mines, NEA facts): no workaround through fixed-duration losses or plain final-demand shocks
    assert all(d.type == "capacity_loss" and d.basis == "capacity" and d.profile is not None
               and d.profile.ends_at_zero() for d in others), others
    assert lock.shape == (sc.horizon_days, table.n_industries)
    assert lock.min() >= 0.0 and lock.max() <= 1.0 and lock.max() > 0.3
    assert dem.domestic.min() >= 0.0 and (dem.domestic < 1.0).any()
    assert np.all(lock[-1] < 1e-12)  # every lockdown has ended by the horizon
    for s in shocks:  # every trend and area share is cited
        if getattr(s, "area", None) is not None and s.area.share is not None:
            assert s.area.source


def test_covid2020_hits_industry_and_hubei_deepest_in_february():
    sc, table, _, _, lock, _ = compile_draft(EPISODES / "covid2020.yaml")
    day = to_day("2020-03-01", sc.calendar)
    roc, ln = table.region_index("ROC"), table.region_index("LN")
    S = table.n_sectors
    cars = table.sector_index("18")
    assert lock[day, roc * S + cars] > lock[day, ln * S + cars]  # Hubei's late restart inside ROC
    services = [table.sector_index(f"{k}") for k in range(28, 43)]
    assert np.all(lock[:, [ln * S + s for s in services]] == 0)  # the lockdown items cover industry only
    assert np.all(lock[: to_day("2020-01-24", sc.calendar)] == 0)  # nothing before the Spring Festival


def test_changchun2022_stops_jilin_transport_equipment_until_mid_april():
    sc, table, _, _, lock, _ = compile_draft(EPISODES / "changchun2022.yaml")
    S = table.n_sectors
    jl18 = table.region_index("JL") * S + table.sector_index("18")
    ln18 = table.region_index("LN") * S + table.sector_index("18")
    stop, restart = to_day("2022-03-20", sc.calendar), to_day("2022-05-10", sc.calendar)
    assert lock[stop, jl18] > 0.8 and 0 < lock[restart, jl18] < lock[stop, jl18]
    assert np.all(lock[:, ln18] == 0)  # no Liaoning shock: any effect there is propagation
    assert lock[to_day("2022-03-12", sc.calendar), jl18] < lock[stop, jl18]  # plants ran until 13 March
