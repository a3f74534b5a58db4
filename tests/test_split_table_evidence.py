"""A table that splits NBS-42 sectors into components takes each component's evidence from its sector.

On ``northeast-2017-fine`` (NBS 16, 17 and 20 split into 149-sector components) the default model
used to fall back to uniform 90-day stocks, no finished goods, no backlog and a flat α_max,
because the evidence tables are keyed by NBS-42 code and the table's codes are not exactly the 42:
the fine dataset then ran the model issue #16 replaced. Each component now takes its sector's row.
"""

from __future__ import annotations

import numpy as np
import pytest

from chainsim.data.datasets import load_dataset
from chainsim.data.nbs149 import sector_parents
from chainsim.engine import ModelParams
from chainsim.engine.model import build_model


@pytest.fixture(scope="module")
def models():
    coarse, fine = load_dataset("northeast-2017"), load_dataset("northeast-2017-fine")
    return coarse, fine, build_model(coarse, ModelParams()), build_model(fine, ModelParams())


def _by_code(table, values):
    return dict(zip(table.sector_codes, values, strict=True))


def test_components_take_their_sectors_stock_days(models):
    coarse, fine, mc, mf = models
    days_c, days_f = _by_code(coarse, mc.inv_days[:coarse.n_sectors]), _by_code(fine, mf.inv_days[:fine.n_sectors])
    parents = sector_parents(fine)
    for code, parent in parents.items():
        assert days_f[code] == pytest.approx(days_c[parent]), code
    assert days_f["092"] != 90.0  # not the flat fallback


def test_components_take_their_sectors_finished_goods_backlog_and_alpha_max(models):
    coarse, fine, mc, mf = models
    parents = sector_parents(fine)
    for name in ("alpha_max", "min_run", "backlog_share"):
        c = np.asarray(getattr(mc, name))[:coarse.n_industries].reshape(-1, coarse.n_sectors)[0]
        f = np.asarray(getattr(mf, name))[:fine.n_industries].reshape(-1, fine.n_sectors)[0]
        by_c, by_f = _by_code(coarse, c), _by_code(fine, f)
        assert all(by_f[k] == pytest.approx(by_c[p]) for k, p in parents.items()), name
    assert mf.has_fg and mf.has_backlog


def test_components_of_differentiated_sectors_are_noncompetitive_imports(models):
    """The yes/no rule (σ = 0 limit): a component is non-competitive when its sector is."""
    coarse, fine, _, _ = models
    nc = {"import_substitutability": "noncompetitive"}
    mc, mf = build_model(coarse, ModelParams(**nc)), build_model(fine, ModelParams(**nc))
    parents = sector_parents(fine)
    nc_c = {coarse.sector_codes[i] for i in mc.nc_products}
    nc_f = {fine.sector_codes[i] for i in mf.nc_products}
    assert nc_f == {k for k, p in parents.items() if p in nc_c}
    assert "092" in nc_f


def test_components_take_their_sectors_import_substitutability(models):
    """σ of a component is its sector's row of import_substitutability.csv (1 where its imports are immaterial)."""
    from chainsim.data.classification import NBS42_CODES
    from chainsim.data.dynamics_evidence import import_substitutability

    _coarse, fine, _mc, mf = models
    table_sigma = dict(zip(NBS42_CODES, import_substitutability("central"), strict=True))
    sig_f = _by_code(fine, mf.import_sigma)
    for code, parent in sector_parents(fine).items():
        assert sig_f[code] in (table_sigma[parent], 1.0), code
    assert sig_f["092"] == table_sigma["20"] < 1.0
    assert "092" in {fine.sector_codes[i] for i in mf.nc_products}
