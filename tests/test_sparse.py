"""The sparse layout for large tables (issue 22): a sparse IOTable, the synthetic generator, the model, the day.

The day over links must give the dense executor's trajectories to rounding on a mid-size
synthetic table (1,680 industries), and its model must hold no N² array: memory in
proportion to the links. The BoARIO oracle cases run it too (``tests/test_ario_oracle.py``).
"""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest
from scipy import sparse

from chainsim.data.datasets import load_dataset
from chainsim.data.iotable import IOTable
from chainsim.data.synthetic import sparse_synthetic_table
from chainsim.engine import Engine, ModelParams, build_model, simulate
from chainsim.engine.sparse import SparseModel
from chainsim.engine.sparse import model as sparse_model
from chainsim.errors import DataError, ModelBuildError, ScenarioError, SimulationError

SHOCK = {"type": "capacity_loss", "region": "R001", "sector": "S14", "share": 0.5, "start": 5, "duration": 1,
         "recovery": {"curve": "linear", "days": 180}}


def _fields(t: IOTable) -> dict:
    return {f.name: getattr(t, f.name) for f in dataclasses.fields(t)}


def _dense(t: IOTable) -> IOTable:
    return IOTable(**{**_fields(t), "Z": t.Z.toarray()})


@pytest.fixture(scope="module")
def mid() -> IOTable:
    """40 regions x 42 sectors = 1,680 industries, about 13 % of the cells linked."""
    return sparse_synthetic_table(40, 42, sources=7, seed=42)


# ----------------------------------------------------------------------------- the table
def test_sparse_table_is_checked_on_its_links_and_keeps_its_checksum():
    t = sparse_synthetic_table(5, 6, sources=2, seed=1)
    assert t.is_sparse and isinstance(t.Z, sparse.csr_array) and not t.Z.data.flags.writeable
    assert t.checksum == sparse_synthetic_table(5, 6, sources=2, seed=1).checksum  # seeded
    assert t.checksum != sparse_synthetic_table(5, 6, sources=2, seed=2).checksum
    d = _dense(t)
    assert not d.is_sparse and d.checksum != t.checksum  # the CSR arrays are hashed, marked as such
    back = pickle.loads(pickle.dumps(t))
    assert back.checksum == t.checksum and not back.Z.data.flags.writeable
    bad = t.Z.copy()
    bad.data[3] = -bad.data[3]
    i = int(np.searchsorted(t.Z.indptr, 3, side="right")) - 1
    with pytest.raises(DataError, match=rf"field 'Z' must be non-negative; found .* at \({i}, {int(t.Z.indices[3])}\)"):
        IOTable(**{**_fields(t), "Z": bad})
    bad = t.Z.copy()
    bad.data[0] *= 1.5  # a row and a column no longer balance
    with pytest.raises(DataError, match="unbalanced"):
        IOTable(**{**_fields(t), "Z": bad})
    bad.data[0] = np.nan
    with pytest.raises(DataError, match="NaN or infinite"):
        IOTable(**{**_fields(t), "Z": bad})


def test_synthetic_table_density_follows_its_sources():
    for R, k in ((20, 3), (60, 7)):
        t = sparse_synthetic_table(R, 42, sources=k, seed=3)
        density = t.Z.nnz / t.n_industries ** 2
        expected = 0.65 * (1 + k) / R  # the generator's own estimate (module docstring)
        assert 0.7 * expected < density < 1.3 * expected
        assert (t.value_added > 0).all()
    with pytest.raises(ValueError, match="sources"):
        sparse_synthetic_table(3, 5, sources=3)


# ----------------------------------------------------------------------------- the model
@pytest.mark.parametrize("which", ["northeast", "synthetic"])
def test_sparse_model_has_the_dense_models_arrays(which):
    table = load_dataset("northeast-2017") if which == "northeast" else _dense(sparse_synthetic_table(6, 42, sources=3))
    p = ModelParams.ario(psi=0.7, inventory_days=45.0)
    dense, sp = build_model(table, p, layout="dense"), build_model(table, p, layout="sparse")
    assert isinstance(sp, SparseModel) and not isinstance(dense, SparseModel)
    skip = {"table", "params", "quirks", "Zbar", "ZbarT", "ZbarT_D", "ZbarT_M", "links", "supplied", "nc_index",
            "member_basis"}  # the dense model's basis for batch members' models (batch_params.member_model)
    for f in dataclasses.fields(dense):
        if f.name in skip:
            continue
        a, b = getattr(dense, f.name), getattr(sp, f.name)
        if isinstance(a, np.ndarray):
            assert a.shape == b.shape and np.allclose(a, b, rtol=1e-13, atol=0), f.name
        else:
            assert a == b, f.name
    np.testing.assert_allclose(sp.links.toarray(), dense.Zbar, rtol=1e-15, atol=0)


def test_sparse_model_memory_grows_with_the_links_not_n_squared(mid):
    m = build_model(mid, ModelParams.ario())
    assert isinstance(m, SparseModel) and m.Zbar is None and m.ZbarT is None and m.ZbarT_D is None
    n, S, nnz = mid.n_industries, mid.n_sectors, mid.Z.nnz
    arrays = [v for v in vars(m).values() if isinstance(v, np.ndarray)]
    held = sum(a.nbytes for a in arrays) + sum(a.nbytes for a in (m.links.data, m.links.indices, m.links.indptr))
    assert held <= 16 * nnz + 12 * 8 * S * n + 20 * 8 * n  # links, a dozen (S, N) arrays, vectors
    assert held < 0.5 * 8 * n * n  # less than half of ONE dense copy of the flows


# ----------------------------------------------------------------------------- the day
def test_sparse_day_matches_the_dense_executor_on_a_mid_size_table(mid):
    """1,680 industries, a capacity loss, a rebuilding event and a fall in final demand: 1e-10 per industry-day."""
    reb = {"type": "capacity_loss", "region": "R003", "sector": "S20", "share": 0.3, "start": 12, "duration": 1,
           "recovery": {"curve": "rebuild", "days": 60, "sectors": {"S27": 1.0}}}
    demand = {"type": "final_demand", "region": "R007", "sector": "S06", "share": -0.3, "start": 20, "duration": 60}
    dense = _dense(mid)
    runs = {lay: simulate(dense if lay == "dense" else mid, [SHOCK, reb, demand], days=240, params="ario", layout=lay)
            for lay in ("dense", "auto")}
    a, b = (runs[k].output.to_numpy() for k in ("dense", "auto"))
    assert (a.min(axis=0) < 0.999 * a[0]).any()  # the shocks move the economy
    np.testing.assert_allclose(b, a, rtol=1e-10, atol=0)
    np.testing.assert_allclose(runs["auto"].capacity.to_numpy(), runs["dense"].capacity.to_numpy(), rtol=1e-10)
    assert runs["auto"].events.equals(runs["dense"].events) and len(runs["auto"].events) > 2
    assert runs["auto"].provenance["table_checksum"] == mid.checksum


def test_sparse_day_batches_members_as_the_dense_one():
    t = sparse_synthetic_table(8, 42, sources=3, seed=5)
    sets = [[SHOCK], [], [{**SHOCK, "share": 0.9}]]
    m_s, m_d = build_model(t, ModelParams.ario()), build_model(_dense(t), ModelParams.ario(), layout="dense")
    a, b = Engine(m_s, sets).run(150), Engine(m_d, sets).run(150)
    np.testing.assert_allclose(a.output, b.output, rtol=1e-10, atol=0)
    np.testing.assert_allclose(a.output[:, 1], np.broadcast_to(m_d.xbar, a.output[:, 1].shape), rtol=1e-12)


# ----------------------------------------------------------------------------- the choice and its errors
def test_layout_choice(mid, monkeypatch):
    ario = ModelParams.ario()
    small = load_dataset("northeast-2017")
    assert not isinstance(build_model(small, ario), SparseModel)  # 168 industries: dense
    assert isinstance(build_model(mid, ario), SparseModel)  # a sparse table: sparse
    dense = _dense(mid)
    assert not isinstance(build_model(dense, ario), SparseModel)  # below SPARSE_MIN_INDUSTRIES
    monkeypatch.setattr(sparse_model, "SPARSE_MIN_INDUSTRIES", 1000)
    assert isinstance(build_model(dense, ario), SparseModel)  # large and 13 % dense
    monkeypatch.setattr(sparse_model, "SPARSE_MAX_DENSITY", 0.1)
    assert not isinstance(build_model(dense, ario), SparseModel)  # too dense for auto
    assert not isinstance(build_model(dense, ModelParams()), SparseModel)  # the default model: dense


def test_layout_errors_name_what_is_wrong(mid):
    with pytest.raises(ModelBuildError, match=r"layout: expected one of \['auto', 'dense', 'sparse'\]; found 'csr'"):
        build_model(mid, ModelParams.ario(), layout="csr")
    with pytest.raises(ModelBuildError, match=r"with a sparse Z\) runs the ario configuration only; these parameters "
                                              r"differ: finished_goods=True \(needs False\); .*resourcing=True"):
        build_model(mid, ModelParams())
    with pytest.raises(ModelBuildError, match=r"layout='dense': table .* holds Z as a sparse array"):
        build_model(mid, ModelParams.ario(), layout="dense")
    from chainsim.engine.model import build_model as build_dense

    with pytest.raises(ModelBuildError, match="holds Z as a sparse array: the dense model would densify it"):
        build_dense(mid, ModelParams.ario())
    with pytest.raises(ModelBuildError, match=r"order_type='noalt' \(needs 'alt'\)"):
        build_model(load_dataset("northeast-2017"), ModelParams.ario(order_type="noalt"), layout="sparse")
    cut = {"type": "link_cut", "product": "S14", "from_region": "R001", "to_region": "R002",
           "share": 0.5, "start": 3, "duration": 10}
    with pytest.raises(SimulationError, match="link and import cuts are not modelled on the sparse layout"):
        simulate(mid, [cut], days=20, params="ario")
    with pytest.raises(ScenarioError, match="'reference' needs a dense model"):
        simulate(mid, [], days=2, params="ario", executor="reference")
