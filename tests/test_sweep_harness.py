"""The sweep harness on analytic models with known indices (REFERENCE R15), through run_sweep."""

import math

import numpy as np
import pytest

from chainsim.sweeps import SweepSpec, evaluate_chunk, make_design, run_sweep, seed_sequence
from chainsim.sweeps.analytic import ISHIGAMI_S1, ISHIGAMI_ST, ishigami, linear

PI3 = {f"x{i}": (-math.pi, math.pi) for i in (1, 2, 3)}


def _indices(result, col):
    s = result.sensitivity.set_index("factor")
    return np.array([s.loc[f"x{i}", col] for i in (1, 2, 3)])


def test_ishigami_sobol_indices_within_003(tmp_path):
    spec = SweepSpec.analytic("ishigami", PI3, ishigami, samples=1024, seed=1)
    res = run_sweep(spec, out_dir=tmp_path, workers=1, progress=False, figures=False)
    assert len(res.runs) == 1024 * (4 + 2)  # x1..x3 and the seed factor
    np.testing.assert_allclose(_indices(res, "S1"), ISHIGAMI_S1, atol=0.03)
    np.testing.assert_allclose(_indices(res, "ST"), ISHIGAMI_ST, atol=0.03)
    seed = res.sensitivity.set_index("factor").loc["seed"]
    assert abs(seed.S1) < 0.03 and abs(seed.ST) < 0.03  # the seed does not act on a deterministic function
    assert (res.sensitivity.S1_conf > 0).iloc[:3].all()


def test_morris_on_linear_function_exact(tmp_path):
    a = (1.0, -2.0, 0.5, 0.0)
    spec = SweepSpec.analytic("linear", {f"x{i}": (0.0, 1.0) for i in range(1, 5)}, linear, method="morris",
                              samples=10, levels=4)
    res = run_sweep(spec, out_dir=tmp_path, workers=1, progress=False, figures=False)
    s = res.sensitivity.set_index("factor")
    np.testing.assert_allclose([s.loc[f"x{i}", "mu_star"] for i in range(1, 5)], np.abs(a), atol=1e-12)
    np.testing.assert_allclose([s.loc[f"x{i}", "sigma"] for i in range(1, 5)], 0.0, atol=1e-12)
    assert s.loc["seed", "mu_star"] == 0.0


def test_grid_effects_are_exact_anova():
    # y = x1 + 2 x2 on a 3 x 3 x (3 seeds) grid: main effects 1:4, no interaction
    from chainsim.sweeps.analysis import _grid_effects

    x = np.linspace(0, 1, 3)
    Y = (x[:, None, None] + 2 * x[None, :, None] + 0 * x[None, None, :]).ravel()
    s1, st = _grid_effects(Y, 3, 3)
    np.testing.assert_allclose(s1, [0.2, 0.8, 0.0], atol=1e-12)
    np.testing.assert_allclose(st, s1, atol=1e-12)


def test_lhs_rbd_fast_close_to_ishigami(tmp_path):
    spec = SweepSpec.analytic("ishigami", PI3, ishigami, method="lhs", samples=2000, seed=3)
    res = run_sweep(spec, out_dir=tmp_path, workers=1, progress=False, figures=False)
    np.testing.assert_allclose(_indices(res, "S1"), ISHIGAMI_S1, atol=0.05)


def test_design_is_deterministic_and_seeded():
    spec = SweepSpec.analytic("ishigami", PI3, ishigami, samples=8, seed=5)
    a, b = make_design(spec).matrix, make_design(spec).matrix
    assert a.equals(b)
    other = make_design(SweepSpec.analytic("ishigami", PI3, ishigami, samples=8, seed=6)).matrix
    assert not a.equals(other)
    assert list(a.run_id) == list(range(len(a)))
    assert a.seed_index.between(0, spec.seed_pool - 1).all()
    assert a.ranked.sum() == 0  # analytic sweeps have no pathway ranking


def test_seed_factor_spreads_over_the_whole_seed_pool():
    """The seed factor's unit interval maps onto the pool's 1024 child seeds: a Sobol design (Saltelli's A and B
    matrices, 16 samples each, repeated in the AB rows) draws about 32 distinct ones across the pool; a 3-level
    grid's seed levels (the thirds' midpoints 1/6, 1/2, 5/6) are child seeds 170, 512 and 853."""
    spec = SweepSpec.analytic("ishigami", PI3, ishigami, samples=16, seed=5)
    a = make_design(spec).matrix
    assert a.seed_index.nunique() >= 16 and a.seed_index.max() >= spec.seed_pool // 2
    grid = make_design(SweepSpec.analytic("ishigami", PI3, ishigami, method="grid", levels=3)).matrix
    assert sorted(set(grid.seed)) == pytest.approx([1 / 6, 1 / 2, 5 / 6])
    assert sorted(set(grid.seed_index)) == [170, 512, 853]


def test_seed_sequence_is_a_spawned_child():
    child = np.random.SeedSequence(2026).spawn(10)[9]
    assert seed_sequence(2026, 9).generate_state(4).tolist() == child.generate_state(4).tolist()


def test_evaluate_chunk_is_picklable_and_tidy():
    import pickle

    spec = SweepSpec.analytic("ishigami", PI3, ishigami, samples=4)
    rows = make_design(spec).matrix.to_dict("records")[:3]
    spec2 = pickle.loads(pickle.dumps(spec))
    out = evaluate_chunk(spec2, rows)
    assert [r["run_id"] for r in out] == [0, 1, 2]
    assert set(out[0]) == {"run_id", "x1", "x2", "x3", "seed", "seed_index", "ranked", "y"}


@pytest.mark.parametrize("method", ["grid", "lhs", "sobol", "morris"])
def test_every_method_writes_outputs(tmp_path, method):
    spec = SweepSpec.analytic("ishigami", PI3, ishigami, method=method, samples=16, levels=4)
    res = run_sweep(spec, out_dir=tmp_path, workers=1, progress=False, figures=True)
    assert {"runs.parquet", "sensitivity.csv", "sweep.json", "sensitivity.png", "tornado.png"} <= set(res.paths)
    assert len(res.sensitivity) == 4



def test_tornado_bars_are_the_signed_swing_of_each_factor(tmp_path):
    """y = x1 - 2 x2 + 0.5 x3 + 0 x4 on a 4-level grid of [0, 1]: the lowest fifth of each factor's runs is its
    level 0 and the highest its level 1, the other factors balanced in both, so the mean of y moves by exactly
    a_k (the seed, which does not act, by 0); the bars carry that sign (red up, blue down), the largest on top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba

    from chainsim.sweeps.analysis import plot_tornado

    a = {"x1": 1.0, "x2": -2.0, "x3": 0.5, "x4": 0.0, "seed": 0.0}
    spec = SweepSpec.analytic("linear", {k: (0.0, 1.0) for k in a if k != "seed"}, linear, method="grid", levels=4)
    res = run_sweep(spec, out_dir=tmp_path, workers=1, progress=False, figures=False)
    fig = plot_tornado(spec, res.design, res.runs)
    try:
        ax = fig.axes[0]
        names = [t.get_text() for t in ax.get_yticklabels()]
        bars = dict(zip(names, ax.patches, strict=True))
        assert set(bars) == set(a)
        for k, ak in a.items():
            assert bars[k].get_width() == pytest.approx(ak, rel=1e-12, abs=1e-12), (k, bars[k].get_width())
        assert bars["x2"].get_facecolor() == to_rgba("tab:blue") and bars["x1"].get_facecolor() == to_rgba("tab:red")
        assert names[-2:] == ["x1", "x2"]  # the largest swing on top
    finally:
        plt.close(fig)
