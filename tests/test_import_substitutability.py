"""Partial substitutability of imports by product (σ, issue #16, docs/model.md §1).

A foreign origin's flow of product p is split into a pooled slot (σ_p, ordered with the domestic
producers) and an imported-only slot (1 - σ_p, its own stock and a binding weight w (1 - σ_p)).
The tests: the two limits are the old yes/no switches bit for bit; the split path is continuous
at both ends; the loss of a full import cut never grows with σ; the evidence table is checked;
the options name their errors. Relations only: no number of the shipped table's output.
"""

from __future__ import annotations

import itertools
import shutil
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainsim.data.classification import NBS42_CODES, NONCOMPETITIVE_NBS42
from chainsim.engine import Engine, build_model
from chainsim.engine.params import resolve_params
from chainsim.errors import ModelBuildError
from tests.test_engine_helpers import make_table

CUT = {"type": "import_cut", "product": ["S1", "S2"], "origin": "USA", "share": 1.0, "start": 5, "duration": 60}
NAMED = {"type": "import_cut", "product": "S1", "region": "R0", "share": 0.7, "start": 8, "duration": 30}
LOSS = {"type": "capacity_loss", "region": "R1", "sector": "S1", "share": 0.5, "start": 3, "duration": 20}
SETS = [[CUT], [NAMED, LOSS], [CUT, LOSS]]
BASE = {"inventory_days": 6, "resourcing": True, "substitution_share": 0.4, "substitution_lag_days": 10}


def _toy():
    return make_table(3, 3, seed=3, origins=("USA", "JPN"), import_share=0.3)


def _run(table, params, executor="auto", sets=SETS, days=120):
    m = build_model(table, resolve_params(params))
    return m, Engine(m, sets, executor=executor, seeds=list(range(len(sets)))).run(days, record=("unmet",))


@pytest.mark.parametrize("executor", ["auto", "reference"])
def test_sigma_limits_are_the_old_switches_bit_for_bit(executor):
    """σ = 0 for a product is today's non-competitive import of it, σ = 1 today's competitive import."""
    t = _toy()
    nc = {**BASE, "import_substitutability": "noncompetitive", "noncompetitive_products": ["S1", "S2"]}
    _, old = _run(t, nc, executor)
    _, new = _run(t, {**BASE, "import_substitutability": "competitive",
                      "sector_import_substitutability": {"S1": 0.0, "S2": 0.0}}, executor)
    assert np.array_equal(old.output, new.output) and np.array_equal(old.unmet, new.unmet)
    assert old.events == new.events
    _, comp = _run(t, {**BASE, "import_substitutability": "competitive"}, executor)
    _, ones = _run(t, {**nc, "sector_import_substitutability": {"S1": 1.0, "S2": 1.0}}, executor)
    assert np.array_equal(comp.output, ones.output) and np.array_equal(comp.unmet, ones.unmet)
    assert not np.array_equal(old.output, comp.output)  # the two limits differ


def test_sigma_limits_on_the_shipped_table():
    """On the NBS-42 table: σ = 0 for the Rauch-differentiated goods, 1 elsewhere, is the old default's rule."""
    from chainsim.data.datasets import load_dataset

    t = load_dataset("northeast-2017")
    cut = [{"type": "import_cut", "product": "20", "origin": ["KOR", "JPN"], "share": 1.0, "start": 5,
            "duration": 60}]
    _, old = _run(t, {"import_substitutability": "noncompetitive"}, sets=[cut], days=90)
    _, new = _run(t, {"import_substitutability": "competitive",
                      "sector_import_substitutability": dict.fromkeys(NONCOMPETITIVE_NBS42, 0.0)},
                  sets=[cut], days=90)
    assert np.array_equal(old.output, new.output)


def test_split_path_is_continuous_at_both_limits():
    """σ just above 0 is next to σ = 0 and σ just below 1 next to σ = 1 (the split path joins the limits).

    Without re-sourcing: a supplier search re-weighs a foreign node's link, which both its slots
    share, so a search on the pooled row of a product with a tiny σ also moves its imported-only
    orders (docs/model.md §1).
    """
    t = _toy()
    prm = {**BASE, "import_substitutability": "competitive", "resourcing": False}
    scale = None
    for lo, hi in ((0.0, 1e-9), (1.0, 1.0 - 1e-9)):
        ma, a = _run(t, {**prm, "sector_import_substitutability": {"S1": lo, "S2": lo}})
        mb, b = _run(t, {**prm, "sector_import_substitutability": {"S1": hi, "S2": hi}})
        assert mb.has_split and not ma.has_split
        scale = np.asarray(ma.xbar)[: ma.n].max()
        assert np.abs(a.output - b.output).max() <= 1e-6 * scale, (lo, hi)


@lru_cache(maxsize=64)
def _northeast_cut_loss(product: str, sigma: float) -> float:
    """Output loss (China, 200 days) of a 90-day cut of every origin's ``product`` into the three provinces."""
    from chainsim.data.datasets import load_dataset

    t = load_dataset("northeast-2017")
    cut = [{"type": "import_cut", "product": product, "regions": ["LN", "JL", "HLJ"], "share": 1.0, "start": 10,
            "duration": 90}]
    m = build_model(t, resolve_params({"sector_import_substitutability": {product: sigma}}))
    out = Engine(m, [cut]).run(200, record=()).output[:, 0]
    return float((np.asarray(m.xbar)[: m.n][None, :] - out).sum())


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(product=st.sampled_from(["20", "18", "16", "12", "03", "21"]),
       a=st.sampled_from([0.0, 0.1, 0.3, 0.6, 0.9, 1.0]), b=st.sampled_from([0.05, 0.2, 0.5, 0.8, 0.95]))
def test_full_import_cut_loss_never_grows_with_sigma(product, a, b):
    """A full cut of a product's imports into the Northeast costs no more at a higher substitutable share σ_p.

    On the shipped table, where domestic producers have the capacity to replace the pooled share.
    It is not a law of the model: on a dense toy table with 30 % import shares and every input
    critical, the loss is U-shaped in σ (the pooled row's shortage binds with the full weight w
    and cascades, the imported-only row's with w (1 - σ) only; docs/model.md §1).
    """
    lo, hi = sorted((a, b))
    l_lo, l_hi = _northeast_cut_loss(product, lo), _northeast_cut_loss(product, hi)
    assert l_hi <= l_lo + 1e-9 * max(abs(l_lo), 1.0), (lo, hi, l_lo, l_hi)


def test_full_import_cut_loss_falls_from_noncompetitive_to_competitive():
    """The σ sweep of electronics moves the loss from the non-competitive to the competitive limit, strictly."""
    losses = [_northeast_cut_loss("20", s) for s in (0.0, 0.15, 0.5, 0.8, 1.0)]
    assert all(a > b for a, b in itertools.pairwise(losses)), losses
    assert losses[-1] <= 0.01 * losses[0]


def test_rows_slots_and_weights_of_a_split_product():
    """σ_p Zbar on the pooled row and (1 - σ_p) Zbar on the imported-only row; binding weight w (1 - σ_p)."""
    t = _toy()
    comp = build_model(t, resolve_params({"import_substitutability": "competitive", "criticality": "none"}))
    nc = build_model(t, resolve_params({"import_substitutability": "noncompetitive", "noncompetitive_products":
                                        ["S1"], "criticality": "none"}))
    m = build_model(t, resolve_params({"import_substitutability": "competitive", "criticality": "none",
                                       "sector_import_substitutability": {"S1": 0.25}}))
    assert m.n_inputs == 4 and list(m.split_products) == [1] and m.import_row[1] == 3
    imported = nc.AC[3]
    np.testing.assert_allclose(m.AC[3], 0.75 * imported, rtol=1e-14)
    np.testing.assert_allclose(m.AC[1], comp.AC[1] - 0.75 * imported, rtol=1e-12)
    np.testing.assert_allclose(m.AC[:3].sum(axis=0) + m.AC[3], comp.AC.sum(axis=0), rtol=1e-12)
    assert np.allclose(m.bind_weight[3][m.AC[3] > 1e-5], 0.75)
    F = m.n_dom_blocks
    assert m.row_suppliers(np.array([1]))[0].all() and not m.row_suppliers(np.array([3]))[0, :F].any()
    assert m.row_suppliers(np.array([3]))[0, F:].all()


def test_evidence_default_scale_level_and_materiality():
    """'evidence' reads the table on NBS-42 codes; low <= central <= high; k scales 1 - σ; small imports stay pooled."""
    from chainsim.data.datasets import load_dataset
    from chainsim.data.dynamics_evidence import import_substitutability

    t = load_dataset("northeast-2017")
    central = dict(zip(NBS42_CODES, import_substitutability("central"), strict=True))
    m = build_model(t, resolve_params(None))
    sig = dict(zip(t.sector_codes, m.import_sigma, strict=True))
    assert all(sig[c] in (central[c], 1.0) for c in t.sector_codes)
    assert sig["20"] == central["20"] < sig["18"] < 1.0 and m.has_split
    assert sig["27"] == 1.0  # construction: no material imports, no imported-only row
    low = build_model(t, resolve_params({"import_substitutability_level": "low"})).import_sigma
    high = build_model(t, resolve_params({"import_substitutability_level": "high"})).import_sigma
    assert (low <= m.import_sigma).all() and (m.import_sigma <= high).all()
    every = build_model(t, resolve_params({"import_row_min_share": 0.0}))
    assert every.n_inputs > m.n_inputs
    np.testing.assert_array_equal(every.import_sigma, [central[c] for c in t.sector_codes])
    k2 = build_model(t, resolve_params({"import_dependence_scale": 2.0, "import_row_min_share": 0.0})).import_sigma
    np.testing.assert_allclose(1.0 - k2, np.minimum(1.0, 2.0 * (1.0 - every.import_sigma)))
    k0 = build_model(t, resolve_params({"import_dependence_scale": 0.0}))
    assert k0.n_inputs == t.n_sectors  # every import competitive
    # materiality: a row is kept where the non-substitutable imports are at least 1 % of the product's use
    F, S = m.n_dom_blocks, t.n_sectors
    Z4 = np.asarray(m.Zbar).reshape(m.n_blocks, S, m.n)
    dependent = (1.0 - every.import_sigma) * Z4[F:].sum(axis=(0, 2)) / Z4.sum(axis=(0, 2))
    assert set(m.nc_products) == set(np.flatnonzero(dependent >= 0.01))
    kept = build_model(t, resolve_params({"sector_import_substitutability": {"27": 0.5}}))
    assert kept.import_sigma[t.sector_index("27")] == 0.5  # a value given is kept, material or not


@pytest.mark.parametrize("params", [{"order_type": "noalt"}, {"lead_days_imports": 3, "lead_days_interregional": 1}],
                         ids=["noalt", "lead-times"])
def test_split_products_stay_at_baseline_without_shocks(params):
    """Fixed supplier shares and goods in transit with two slots: no shock, no change (reference economy)."""
    t = _toy()
    m = build_model(t, resolve_params({**params, "import_substitutability": "competitive",
                                       "sector_import_substitutability": {"S1": 0.3, "S2": 0.0}}))
    assert m.has_split
    out = Engine(m, [[]], executor="reference").run(200, record=()).output[:, 0]
    assert np.abs(out / np.asarray(m.xbar)[: m.n] - 1.0).max() < 1e-9


def test_options_name_their_errors():
    t = _toy()
    with pytest.raises(ModelBuildError, match=r"sector_import_substitutability.*S9"):
        build_model(t, resolve_params({"sector_import_substitutability": {"S9": 0.5}}))
    with pytest.raises(ModelBuildError, match=r"sector_import_substitutability\['S1'\].*\[0, 1\].*1.5"):
        resolve_params({"sector_import_substitutability": {"S1": 1.5}})
    with pytest.raises(ModelBuildError, match="import_substitutability"):
        resolve_params({"import_substitutability": "partly"})
    # YAML reads an unquoted product code as a number
    assert resolve_params({"sector_import_substitutability": {20: 0.1}}).sector_import_substitutability == {"20": 0.1}


def test_evidence_table_is_checked_and_errors_name_file_row_field_value(tmp_path, monkeypatch):
    """import_substitutability.csv: codes 01..42 once, 0 <= low <= central <= high <= 1, known class and status."""
    from chainsim.data import dynamics_evidence as ev
    from chainsim.errors import DataError

    lo, c, hi = (ev.import_substitutability(lv) for lv in ev.LEVELS)
    assert lo.shape == (42,) and (lo >= 0).all() and (lo <= c).all() and (c <= hi).all() and (hi <= 1).all()
    row20 = NBS42_CODES.index("20")
    assert c[row20] < c[NBS42_CODES.index("18")] < c[NBS42_CODES.index("12")] < c[NBS42_CODES.index("14")]
    bad = tmp_path / "dynamics_evidence"
    shutil.copytree(ev.EVIDENCE_DIR, bad)
    path = bad / "import_substitutability.csv"
    text = path.read_text(encoding="utf-8")
    cases = [(",differentiated,0.05,0.15,0.3,", ",differentiated,0.05,0.15,1.3,",
              r"row 21, field 'sigma_high': expected a share in \[0, 1\]; found '1.3'"),
             (",differentiated,0.05,0.15,0.3,", ",differentiated,0.05,0.5,0.3,",
              r"row 21, fields 'sigma_low/central/high': expected low <= central <= high"),
             (",differentiated,0.05,0.15,0.3,", ",differentiated,0.05,fifteen,0.3,",
              r"row 21, field 'sigma_central'.*'fifteen'"),
             (",differentiated,0.05,0.15,0.3,", ",bespoke,0.05,0.15,0.3,", r"row 21, field 'rauch_class'.*'bespoke'"),
             (",0.05,0.15,0.3,F+I,", ",0.05,0.15,0.3,maybe,", r"row 21, field 'status'.*'maybe'")]
    monkeypatch.setattr(ev, "EVIDENCE_DIR", bad)
    try:
        for old, new, message in cases:
            assert text.count(old) == 1, old
            path.write_text(text.replace(old, new), encoding="utf-8")
            ev._rows.cache_clear()
            with pytest.raises(DataError, match=r"import_substitutability.csv: " + message):
                ev.import_substitutability("central")
        path.write_text(text.replace("\n20,", "\n19,", 1), encoding="utf-8")
        ev._rows.cache_clear()
        with pytest.raises(DataError, match=r"import_substitutability.csv: row 21, field 'nbs42': '19' appears twice"):
            ev.import_substitutability("central")
    finally:
        ev._rows.cache_clear()
