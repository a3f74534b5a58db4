"""``params.criticality_aggregation``: the IHS ratings mapped onto NBS-42 pairs by max (default) or mean.

The mean of the WIOD pairs an NBS pair covers is never above their max, so every binding weight
under ``mean`` is at most its ``max`` value (the same mask, stocks and imports); the matrix used is
the shipped ``mean`` file; an explicit matrix may hold fractions in [0, 1] (expected weights).
"""

from __future__ import annotations

import numpy as np
import pytest

from chainsim.data.datasets import load_criticality, load_dataset
from chainsim.engine import build_model, resolve_params
from chainsim.engine.inputs import criticality
from chainsim.errors import ModelBuildError

TABLE = load_dataset("northeast-2017")


def test_mean_is_the_shipped_mean_matrix_and_below_max():
    mean = criticality(TABLE, resolve_params({"criticality_aggregation": "mean"}))
    hi = criticality(TABLE, resolve_params(None))
    codes = list(TABLE.sector_codes)
    assert np.array_equal(mean, load_criticality("mean").loc[codes, codes].to_numpy())
    assert np.array_equal(hi, load_criticality("max").loc[codes, codes].to_numpy())
    assert (mean <= hi).all() and (mean < hi).any()


def test_mean_weights_bind_less_and_are_fractional():
    hi = build_model(TABLE, resolve_params(None))
    mean = build_model(TABLE, resolve_params({"criticality_aggregation": "mean"}))
    assert (mean.bind_weight <= hi.bind_weight).all()
    assert mean.bind_weight.sum() < 0.8 * hi.bind_weight.sum()  # measured 1567 against 2263
    frac = (mean.bind_weight > 0) & (mean.bind_weight < 1)
    assert frac.sum() > ((hi.bind_weight > 0) & (hi.bind_weight < 1)).sum()


def test_a_run_binds_less_under_mean():
    from chainsim.engine import Engine

    cut = [{"type": "import_cut", "product": "20", "origins": ["KOR", "JPN", "TWN", "USA"], "regions": "all",
            "share": 1.0, "start": 0, "duration": 120}]
    out = {}
    for agg in ("max", "mean"):
        m = build_model(TABLE, resolve_params({"criticality_aggregation": agg}))
        x = Engine(m, [cut]).run(150).output[:, 0]
        out[agg] = (np.asarray(m.xbar[: m.n]) - x).sum()
    assert 0 < out["mean"] < out["max"]


def test_explicit_fractions_accepted_and_out_of_range_refused():
    S = TABLE.n_sectors
    m = build_model(TABLE, resolve_params({"criticality": tuple((0.25,) * S for _ in range(S))}))
    assert 0 < m.bind_weight.max() <= 0.25
    with pytest.raises(ModelBuildError, match=r"criticality row 0: expected values in \[0, 1\]"):
        resolve_params({"criticality": tuple((1.5,) * S for _ in range(S))})
    with pytest.raises(ModelBuildError, match="criticality_aggregation"):
        resolve_params({"criticality_aggregation": "median"})


def test_a_bad_matrix_gets_a_short_message():
    """The error names the row and the value; it does not echo a 42 x 42 matrix (it was about 10,000 characters)."""
    S = TABLE.n_sectors
    with pytest.raises(ModelBuildError) as err:
        resolve_params({"criticality": tuple((2.0,) * S for _ in range(S))})
    msg = str(err.value)
    assert "criticality row 0" in msg and "2.0" in msg
    assert len(msg) < 500, len(msg)
