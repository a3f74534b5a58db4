"""The sensitivity figure shows the indices of the design's own method (Morris μ*/σ, or Sobol-type S1/ST).

Read off the returned matplotlib figure: bar heights, legend labels, axis label, ticks and titles,
on analytic models whose indices are known (REFERENCE R15): a mutation audit found that drawing
Sobol bars for a Morris result, or the reverse, passed every test.
"""

import numpy as np
import pandas as pd
import pytest

from chainsim.sweeps import SweepSpec, run_sweep
from chainsim.sweeps.analysis import SENSITIVITY_COLUMNS, plot_sensitivity
from chainsim.sweeps.analytic import linear

#: y = x1 - 2 x2 + 0.5 x3 + 0 x4 on [0, 1]^4 (the default coefficients of ``linear``)
A = {"x1": 1.0, "x2": -2.0, "x3": 0.5, "x4": 0.0, "seed": 0.0}
UNIT_BOX = {k: (0.0, 1.0) for k in A if k != "seed"}


def _close(fig):
    import matplotlib.pyplot as plt  # after plot_sensitivity chose its backend (Agg without a display)

    plt.close(fig)


def _bars(ax):
    """Legend label -> {tick label: (bar height, bar centre)} for each bar group of a panel."""
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    out = {}
    for c in ax.containers:
        if c.get_label().startswith("_"):
            continue
        out[c.get_label()] = {t: (p.get_height(), p.get_x() + p.get_width() / 2)
                              for t, p in zip(ticks, c.patches, strict=True)}
    return out


def _sensitivity(tmp_path, method, **kw):
    spec = SweepSpec.analytic("linear", UNIT_BOX, linear, method=method, **kw)
    return run_sweep(spec, out_dir=tmp_path, workers=1, progress=False, figures=False).sensitivity


def test_a_morris_result_is_drawn_as_mu_star_and_sigma(tmp_path):
    # Morris on a linear function: μ* = |a_k| per unit range, σ = 0 (every elementary effect equal)
    sens = _sensitivity(tmp_path, "morris", samples=10, levels=4)
    fig = plot_sensitivity(sens, title="linear: sensitivity (morris)")
    try:
        (ax,) = fig.axes
        bars = _bars(ax)
        assert list(bars) == ["μ* (95 % CI)", "σ"]
        assert list(bars["σ"]) == list(A)
        for k, ak in A.items():
            assert bars["μ* (95 % CI)"][k][0] == pytest.approx(abs(ak), abs=1e-12), k
            assert bars["σ"][k][0] == pytest.approx(0.0, abs=1e-12), k
            assert bars["μ* (95 % CI)"][k][1] < bars["σ"][k][1]  # μ* left of σ at each factor
        assert ax.get_ylabel() == "elementary effect (output units per factor range)"
        assert fig._suptitle.get_text() == "linear: sensitivity (morris)"
    finally:
        _close(fig)


def test_a_variance_result_is_drawn_as_first_order_and_total_shares(tmp_path):
    # the full factorial of a linear function: S1 = ST = a_k^2 / sum a^2 (no interaction), exactly
    sens = _sensitivity(tmp_path, "grid", levels=3)
    fig = plot_sensitivity(sens)
    try:
        (ax,) = fig.axes
        bars = _bars(ax)
        assert list(bars) == ["first order S1", "total ST"]
        share = {k: ak ** 2 / sum(v ** 2 for v in A.values()) for k, ak in A.items()}
        for k in A:
            assert bars["first order S1"][k][0] == pytest.approx(share[k], abs=1e-12), k
            assert bars["total ST"][k][0] == pytest.approx(share[k], abs=1e-12), k
            assert bars["first order S1"][k][1] < bars["total ST"][k][1]  # S1 left of ST at each factor
        assert bars["first order S1"]["x2"][0] == pytest.approx(4 / 5.25)
        assert ax.get_ylabel() == "share of output variance"
        assert fig._suptitle.get_text() == "Sensitivity indices"
    finally:
        _close(fig)


def _table(method, output, censored, **cols):
    rows = [dict.fromkeys(SENSITIVITY_COLUMNS, np.nan) | {"output": output, "factor": f, "method": method,
                                                           "runs": 40, "censored_share": censored, "note": ""}
            | {c: v[i] for c, v in cols.items()} for i, f in enumerate(("a", "b"))]
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)


def test_each_output_gets_its_panel_with_its_unit_and_censored_share():
    sens = pd.concat([
        _table("sobol", "ttr_days", 0.25, S1=[0.6, 0.1], S1_conf=[0.05, 0.02], ST=[0.7, 0.2], ST_conf=[0.06, 0.03]),
        _table("sobol", "loss_days", np.nan, S1=[0.3, 0.5], S1_conf=[0.01, 0.01], ST=[0.35, 0.55],
               ST_conf=[0.02, 0.02]),
    ], ignore_index=True)
    fig = plot_sensitivity(sens)
    try:
        ttr, loss = fig.axes
        assert ttr.get_title() == "ttr_days [days]\n(25% of runs censored at the horizon)"
        assert loss.get_title() == "loss_days [days of output]"  # nothing censored: no note
        assert {k: v["a"][0] for k, v in _bars(ttr).items()} == {"first order S1": 0.6, "total ST": 0.7}
        assert {k: v["b"][0] for k, v in _bars(loss).items()} == {"first order S1": 0.5, "total ST": 0.55}
    finally:
        _close(fig)
    none_censored = _table("sobol", "ttr_days", 0.0, S1=[0.6, 0.1], S1_conf=[0.05, 0.02], ST=[0.7, 0.2],
                           ST_conf=[0.06, 0.03])
    fig = plot_sensitivity(none_censored)
    try:
        assert fig.axes[0].get_title() == "ttr_days [days]"
    finally:
        _close(fig)


def test_an_rbd_fast_result_without_total_indices_draws_first_order_only():
    sens = _table("lhs", "loss_days", np.nan, S1=[0.8, 0.15], S1_conf=[0.02, 0.02])
    fig = plot_sensitivity(sens)
    try:
        bars = _bars(fig.axes[0])
        assert list(bars) == ["first order S1"]
        assert {k: h for k, (h, _) in bars["first order S1"].items()} == {"a": 0.8, "b": 0.15}
    finally:
        _close(fig)


def test_an_output_without_a_known_unit_is_titled_by_its_name_alone():
    # an analytic sweep's "y" has no unit: the panel reads "y", not "y []"
    fig = plot_sensitivity(_table("sobol", "y", 0.0, S1=[0.6, 0.1], S1_conf=[0.05, 0.02], ST=[0.7, 0.2],
                                  ST_conf=[0.06, 0.03]))
    try:
        assert fig.axes[0].get_title() == "y"
    finally:
        _close(fig)
