"""Design matrices at their boundaries: sizes and blocks per method, bounds, seed pool edges, ranked samples.

Known answers on small analytic sweeps (no model run). A mutation audit found that an off-by-one
on these (the ranked-sample limit, the seed pool's last index) passed every sweep test.
"""

from dataclasses import replace

import numpy as np
import pytest

from chainsim.sweeps import SweepSpec, make_design
from chainsim.sweeps.analytic import linear
from chainsim.sweeps.spec import RankingSettings

BOX = {"a": (0.0, 1.0), "b": (2.0, 5.0)}  # with the seed factor: D = 3


def _spec(method, ranking=None, **kw):
    spec = SweepSpec.analytic("box", BOX, linear, method=method, **kw)
    return spec if ranking is None else replace(spec, ranking=ranking)


def test_a_saltelli_design_is_n_blocks_of_a_then_one_column_from_b_each_then_b():
    d = make_design(_spec("sobol", samples=4, seed=3))
    X = d.X
    assert (len(d), d.block) == (4 * (3 + 2), 3 + 2)
    for k in range(4):
        A, AB, B = X[5 * k], X[5 * k + 1:5 * k + 4], X[5 * k + 4]
        for j in range(3):  # AB_j is A with column j taken from B
            assert np.flatnonzero(AB[j] != A).tolist() == [j] and AB[j, j] == B[j]


def test_a_morris_design_is_n_trajectories_of_d_plus_one_one_step_runs():
    d = make_design(_spec("morris", samples=5, levels=4, seed=2))
    X = d.X
    assert (len(d), d.block) == (5 * (3 + 1), 3 + 1)
    for t in range(5):
        traj = X[4 * t:4 * t + 4]
        moved = [np.flatnonzero(traj[i + 1] != traj[i]).tolist() for i in range(3)]
        assert sorted(m for (m,) in moved) == [0, 1, 2]  # each factor moves once along its trajectory


def test_morris_levels_reach_both_bounds_and_the_seed_pool_ends():
    # 4 Morris levels on [0, 1] are 0, 1/3, 2/3, 1: the seed factor's 1.0 is the pool's last seed, not one past it
    spec = _spec("morris", samples=12, levels=4, seed=1)
    m = make_design(spec).matrix
    assert sorted(set(m.b)) == pytest.approx([2.0, 3.0, 4.0, 5.0])
    assert sorted(set(m.seed)) == pytest.approx([0.0, 1 / 3, 2 / 3, 1.0])
    by_seed = dict(zip(m.seed.round(12), m.seed_index, strict=True))
    assert [by_seed[round(u, 12)] for u in (0.0, 1 / 3, 2 / 3, 1.0)] == [0, 341, 682, 1023]
    assert m.seed_index.max() == spec.seed_pool - 1


@pytest.mark.parametrize("pool", [1, 2, 3])
def test_a_small_seed_pool_is_used_whole_and_never_overrun(pool):
    spec = replace(_spec("morris", samples=12, levels=4, seed=1), seed_pool=pool)
    m = make_design(spec).matrix
    assert sorted(set(m.seed_index)) == list(range(pool))


def test_a_grid_takes_both_bounds_and_levels_to_the_power_d_runs():
    d = make_design(_spec("grid", levels=3))
    m = d.matrix
    assert (len(d), d.block) == (3 ** 3, 1)
    assert sorted(set(m.a)) == [0.0, 0.5, 1.0] and sorted(set(m.b)) == [2.0, 3.5, 5.0]
    assert sorted(set(m.seed_index)) == [170, 512, 853]  # the seed's thirds at their midpoints


def test_a_latin_hypercube_puts_one_point_in_each_stratum_of_each_factor():
    d = make_design(_spec("lhs", samples=8, seed=4))
    m = d.matrix
    assert (len(d), d.block) == (8, 1)
    for col, (lo, hi) in {**BOX, "seed": (0.0, 1.0)}.items():
        strata = np.floor((m[col].to_numpy() - lo) / (hi - lo) * 8).astype(int)
        assert sorted(strata) == list(range(8)), col


@pytest.mark.parametrize(("limit", "blocks"), [(None, 4), (1, 1), (2, 2), (3, 3), (4, 4), (9, 4)])
def test_pathways_are_ranked_on_the_first_run_of_the_first_samples_blocks(limit, blocks):
    # ranking on: the base sample (first row) of each Saltelli block, only in the first `samples` blocks
    d = make_design(_spec("sobol", ranking=RankingSettings(enabled=True, samples=limit), samples=4, seed=3))
    assert d.matrix.run_id[d.matrix.ranked].tolist() == [5 * k for k in range(blocks)]


def test_no_run_is_ranked_without_ranking():
    d = make_design(_spec("morris", ranking=RankingSettings(enabled=False, samples=2), samples=3, levels=4))
    assert not d.matrix.ranked.any()


def test_an_integer_parameter_is_rounded_to_the_nearest_whole_value_reaching_both_bounds():
    # lead days on [0, 3] in 8 Latin-hypercube strata of 0.375 days: the top stratum [2.625, 3) is 3 days
    from chainsim.sweeps.spec import Factor

    spec = _spec("lhs", samples=8, seed=4)
    days = Factor("params.lead_days_imports", 0.0, 3.0, "param", ("lead_days_imports",), integer=True)
    spec = replace(spec, factors=(days, spec.factors[-1]))
    values = make_design(spec).matrix["params.lead_days_imports"]
    assert sorted(set(values)) == [0.0, 1.0, 2.0, 3.0]  # strata 0, 3, 5, 7 give these whatever the draw
