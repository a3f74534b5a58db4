"""Static pre-screen: IIM known answers (R2, R3, R6, R7), extraction against brute force, known top target."""

import numpy as np
import pytest

from chainsim.data.leontief import calc_B, calc_G, interdependency_index
from chainsim.data.scopes import scope_mask
from chainsim.scan import enumerate_targets, inoperability, max_interdependency, prescreen, supply_astar
from chainsim.scan.prescreen import perturbations
from tests.scan_fixtures import CRITICALITY, small_table

R3 = [[0, 0.9, 0, 0], [0.4, 0, 0, 0], [1, 0.8, 0, 0], [1, 0.9, 0, 0]]


def test_r2_two_sector_inoperability():
    np.testing.assert_allclose(inoperability([[0, 0.8], [0.2, 0]], [0, 0.6]), [0.5714, 0.7143], atol=1e-3)


def test_r3_saturation_is_clipped():
    np.testing.assert_allclose(inoperability(R3, [0, 0.5, 0, 0], clip=False), [0.703, 0.781, 1.328, 1.406], atol=1e-2)
    np.testing.assert_allclose(inoperability(R3, [0, 0.5, 0, 0]), [0.70, 0.78, 1.0, 1.0], atol=1e-2)


def test_batch_of_perturbations_solves_column_by_column():
    C = np.array([[0, 0.1, 0.3], [0.5, 0, 0.2], [0, 0, 0], [0, 0.2, 0]])
    Q = inoperability(R3, C)
    for k in range(C.shape[1]):
        np.testing.assert_allclose(Q[:, k], inoperability(R3, C[:, k]))


def test_r7_interdependency_index():
    assert interdependency_index(R3, 2)[2, 1] == pytest.approx(0.9)
    value, col = max_interdependency(R3, 3)
    np.testing.assert_allclose(value, [0.324, 0.144, 0.36, 0.36], atol=1e-9)
    assert col.tolist() == [1, 0, 0, 0]  # S1->S2, S2->S1, S3->S1, S4->S1
    assert interdependency_index(R3, 3)[3, 3] == 0


def test_r6_supply_side_interdependency_is_the_transposed_pattern():
    Z = [[175, 280, 280, 140], [140, 315, 350, 280], [245, 140, 280, 140], [175, 280, 105, 280]]
    x = [1225, 1610, 1085, 1015]
    expected = [[0.14, 0.11, 0.20, 0.14], [0.17, 0.20, 0.10, 0.17], [0.26, 0.32, 0.26, 0.10],
                [0.14, 0.28, 0.14, 0.28]]
    np.testing.assert_allclose(supply_astar(Z, x), expected, atol=0.015)


def test_extraction_matches_a_brute_force_ghosh_solve():
    t = small_table()
    targets = enumerate_targets(t, share=1.0, duration=365.0)
    scope = np.ones(t.n_industries, dtype=bool)
    pre = prescreen(t, targets, scope, duration=365.0).set_index("target")
    Z, x = np.asarray(t.Z), np.asarray(t.x)
    v = x - Z.sum(axis=0)
    S = t.n_sectors
    # an import: a primary input less
    dv = np.asarray(t.imports_Z)[0, 2]
    assert pre.loc["O1->all|s3", "extraction_cny"] == pytest.approx((dv @ calc_G(calc_B(Z, x))).sum())
    # a link: allocation coefficients of one row to one region removed
    B = calc_B(Z, x)
    B2 = B.copy()
    B2[0, S:] = 0.0  # AA|s1 -> BB
    x2 = v @ np.linalg.inv(np.eye(len(x)) - B2)
    assert pre.loc["AA->BB|s1", "extraction_cny"] == pytest.approx((x - x2).sum(), rel=1e-9)
    # a node: row, column and primary input removed, its own output lost
    k = 1  # AA|s2
    keep = np.arange(len(x)) != k
    x3 = v[keep] @ np.linalg.inv(np.eye(len(x) - 1) - B[np.ix_(keep, keep)])
    assert pre.loc["AA|s2", "extraction_cny"] == pytest.approx(x.sum() - x3.sum(), rel=1e-9)


def test_known_single_critical_supplier_ranks_first_in_every_measure():
    t = small_table()
    targets = enumerate_targets(t, ["imports"])
    pre = prescreen(t, targets, scope_mask(t, "all"), criticality=np.array(CRITICALITY)[:, t.sector_of])
    top = pre.set_index("target").loc["O1->all|s3"]
    assert (top.iim_rank, top.extraction_rank, top.critical_rank, top.survival_rank) == (1, 1, 1, 1)


def test_critical_dependence_is_share_of_the_class_supply():
    t = small_table()
    targets = enumerate_targets(t, ["imports"])
    _, crit, _, _ = perturbations(t, targets, noncompetitive=True)
    k = [x.target for x in targets].index("O1->all|s3")
    assert crit[k, 1] == pytest.approx(1.0)  # all of AA|s2's imported s3
    k4 = [x.target for x in targets].index("O1->all|s4")
    assert crit[k4, 0] == pytest.approx(0.5)  # half of everyone's imported s4
    _, crit_c, _, _ = perturbations(t, targets, noncompetitive=False)
    assert crit_c[k4, 0] < 0.5  # competitive: a share of all s4 supply


def test_survival_measure_follows_the_tts_rule():
    """R11: with s days of inventory binding below psi, a buyer short of sigma survives (1 - psi) s / sigma days."""
    t = small_table()
    targets = [x for x in enumerate_targets(t, ["imports"]) if x.target == "O1->all|s3"]
    scope = scope_mask(t, "all")
    # half of AA|s2's imported s3 cut: TTS = 0.2 * 90 / 0.5 = 36 days, short for 90 - 36 = 54 of 90 days
    long = prescreen(t, targets, scope, share=0.5, duration=90.0, inventory_days=90.0, psi=0.8).iloc[0]
    crit = prescreen(t, targets, scope, share=0.5, duration=90.0).iloc[0]
    assert long.survival_cny == pytest.approx(0.6 * crit.critical_cny, rel=1e-9)  # q is linear below the clip
    # a cut shorter than the time to survive costs nothing
    short = prescreen(t, targets, scope, duration=15.0, inventory_days=90.0, psi=0.8).iloc[0]
    assert short.survival_cny == 0.0 and short.critical_cny > 0


def test_demand_side_is_the_santos_haimes_iim_of_the_lost_sales():
    t = small_table()
    targets = [x for x in enumerate_targets(t, ["links", "imports"]) if x.target in ("AA->BB|s1", "O1->all|s3")]
    scope = scope_mask(t, "all")
    pre = prescreen(t, targets, scope, duration=365.0).set_index("target")
    Z, x = np.asarray(t.Z), np.asarray(t.x)
    c = np.zeros(len(x))
    c[0] = Z[0, 4:].sum() / x[0]  # AA|s1 can no longer sell to BB
    q = inoperability(np.asarray(Z) / x[:, None], c)  # demand-side A* = x^-1 A x = x^-1 Z
    assert pre.loc["AA->BB|s1", "demand_cny"] == pytest.approx((q * x).sum(), rel=1e-9)
    assert pre.loc["O1->all|s3", "demand_cny"] == 0.0  # the seller is abroad
    row = pre.loc["AA->BB|s1"]
    assert row.combined_cny == pytest.approx(row.survival_cny + row.demand_cny)


def test_domestic_supply_pools_are_domestic_supply():
    from dataclasses import fields

    t = small_table()
    state = {f.name: getattr(t, f.name) for f in fields(t)}
    t2 = type(t)(**{**state, "provenance": {}, "domestic_origins": ("O2",)})
    targets = enumerate_targets(t2, ["imports"])
    assert [x.origin for x in targets] == ["O1", "O1"]  # the pool is not an import target
    _, _, _, frac = perturbations(t2, targets, noncompetitive=True)
    k4 = [x.target for x in targets].index("O1->all|s4")
    assert frac[k4, 0] == pytest.approx(1.0)  # O1 is now the only foreign supplier of s4


def test_input_rows_read_from_the_engine_model():
    from types import SimpleNamespace

    from chainsim.scan.run import _input_rows

    S, N = 3, 6
    w = np.arange((S + 1) * N, dtype=float).reshape(S + 1, N)
    dom, imp, sep = _input_rows(SimpleNamespace(bind_weight=w, import_row=np.array([0, 3, 2])), S)
    assert sep.tolist() == [False, True, False]
    np.testing.assert_array_equal(imp[1], w[3])
    np.testing.assert_array_equal(dom, w[:S])
    _, imp2, sep2 = _input_rows(SimpleNamespace(bind_weight=np.ones((2 * S, N))), S)  # two classes
    assert sep2.all() and imp2.shape == (S, N)
    assert not _input_rows(SimpleNamespace(bind_weight=np.ones((S, N))), S)[2].any()  # competitive


def test_survival_slack_days_by_product():
    """Stock days by product: a buyer binds after slack / sigma days (slack: days of cover before binding)."""
    t = small_table()
    targets = [x for x in enumerate_targets(t, ["imports"]) if x.target == "O1->all|s3"]
    scope = scope_mask(t, "all")
    crit = prescreen(t, targets, scope, share=0.5, duration=90.0).iloc[0]
    s3 = t.sector_index("s3")
    # 18 days of slack on s3 (and nothing on the others): the psi rule's (1 - 0.8) 90 = 18, the same loss
    slack = np.full(t.n_sectors, 1000.0)
    slack[s3] = 18.0
    by_product = prescreen(t, targets, scope, share=0.5, duration=90.0, slack_days=slack,
                           import_slack_days=slack).iloc[0]
    assert by_product.survival_cny == pytest.approx(0.6 * crit.critical_cny, rel=1e-9)
    # 45 days of slack on s3 alone: TTS = 90, a 90-day cut never binds, whatever the other products' days
    slack[s3], other = 45.0, np.zeros(t.n_sectors)
    other[s3] = 45.0
    assert prescreen(t, targets, scope, share=0.5, duration=90.0, slack_days=np.zeros(t.n_sectors),
                     import_slack_days=other).iloc[0].survival_cny == 0.0


def test_input_rows_add_a_products_origin_rows_back_to_its_imported_criticality():
    """With per-origin rows (issue 21) a product's imported-only weight is split over its rows.

    The pre-screen's import criticality is the product's: w (1 - σ_p) per buyer, the sum of its
    shared row and its named origins' rows (their weights add up, ``engine.model._variety_shares``),
    not the shared row's part alone (which scaled a named origin's cut by the other origins' share).
    It equals the shared-row model's (``origin_row_min_share=None``) to rounding.
    """
    from chainsim.data.datasets import load_dataset
    from chainsim.engine import build_model
    from chainsim.engine.params import resolve_params
    from chainsim.scan.run import _input_rows

    table = load_dataset("northeast-2017")
    S = table.n_sectors
    split = build_model(table, resolve_params(None))
    shared = build_model(table, resolve_params({"origin_row_min_share": None}))
    assert split.n_named > 0 and shared.n_named == 0
    d1, i1, s1 = _input_rows(split, S)
    d0, i0, s0 = _input_rows(shared, S)
    np.testing.assert_array_equal(s1, s0)
    np.testing.assert_allclose(d1, d0, rtol=0, atol=0)
    np.testing.assert_allclose(i1, i0, rtol=1e-12, atol=1e-15)
    assert (np.asarray(split.bind_weight)[np.asarray(split.import_row)][s1] < i1[s1] - 1e-9).any()


def test_input_rows_sum_the_named_rows_into_their_group():
    from types import SimpleNamespace

    from chainsim.scan.run import _input_rows

    S = 3
    w = np.array([[1, 1], [1, 1], [1, 1], [0.2, 0.3], [0.5, 0.4], [0.3, 0.3]])  # rows 3: shared of p1; 4, 5: origins
    model = SimpleNamespace(bind_weight=w, import_row=np.array([0, 3, 2]), n_named=2, named_group=np.array([3, 3]))
    _, imp, sep = _input_rows(model, S)
    assert sep.tolist() == [False, True, False]
    np.testing.assert_allclose(imp[1], [1.0, 1.0])
    np.testing.assert_array_equal(imp[0], w[0])


def test_survival_of_a_named_origins_cut_runs_down_its_own_row():
    """A named origin with its own imported-only row (issue 21): its cut empties that row, not a share of it.

    ``O1`` and ``O2`` each sell half of every buyer's imported ``s4``. Without per-origin rows a
    cut of ``O1`` removes σ = 1/2 of the buyers' imported supply: a stock of 20 days lasts
    20/σ = 40 days of a 60-day cut, the buyers are short a third of it. With ``O1``'s own row
    the cut removes all of that row's supply: its stock lasts 20 days, the buyers are short two
    thirds of the cut, with the same depth (criticality x 1/2, the row's share of the product's
    imported requirement). So the measure doubles; ``critical`` (no stocks) does not move.
    """
    t = small_table()
    targets = [x for x in enumerate_targets(t, ["imports"]) if x.target in ("O1->all|s4", "O2->all|s4")]
    scope = scope_mask(t, "all")
    S, N = t.n_sectors, t.n_industries
    kw = dict(duration=60.0, noncompetitive=True, criticality=np.ones((S, N)), import_criticality=np.ones((S, N)),
              slack_days=np.full(S, 20.0))
    shared = prescreen(t, targets, scope, **kw).set_index("target")
    own = prescreen(t, targets, scope, origin_rows={("O1", "s4")}, **kw).set_index("target")
    for target in ("O1->all|s4", "O2->all|s4"):  # O2 is then alone in the shared row: all of it too
        assert own.loc[target, "survival_cny"] == pytest.approx(2.0 * shared.loc[target, "survival_cny"], rel=1e-9)
        assert own.loc[target, "critical_cny"] == shared.loc[target, "critical_cny"]
    assert shared.loc["O1->all|s4", "survival_cny"] > 0


def test_survival_with_unequal_origins_tells_a_named_row_from_the_shared_one():
    """The same cut with ``O1`` selling 3/4 and ``O2`` 1/4 of every buyer's imported ``s4`` (the test above has
    halves, where a named origin's row and the rest's shared row give the same share and cannot be told apart).

    Hand arithmetic, 20 days of stock, a 60-day cut, the short share ``1 - 20 / (60 σ)``: one shared row,
    ``O1``'s cut removes σ = 3/4 (short 5/9), ``O2``'s σ = 1/4 (the stock lasts 80 days: never short).
    ``O1`` with its own row: its cut removes all of it (short 2/3); ``O2``, alone in the shared row, too.
    The depth is the product's share (3/4, 1/4), so survival(O1 own) = 1.2 survival(O1 shared) and
    survival(O2 own) = (1/4 x 2/3) / (3/4 x 5/9) = 0.4 survival(O1 shared) (inoperability is linear below 1).
    """
    import dataclasses

    t0 = small_table()
    imp = np.asarray(t0.imports_Z).copy()
    imp[0, 3, :], imp[1, 3, :] = 3.0, 1.0  # the same total 4 a buyer as the fixture's 2 + 2
    t = dataclasses.replace(t0, imports_Z=imp)
    targets = [x for x in enumerate_targets(t, ["imports"]) if x.target in ("O1->all|s4", "O2->all|s4")]
    scope = scope_mask(t, "all")
    S, N = t.n_sectors, t.n_industries
    kw = dict(duration=60.0, noncompetitive=True, criticality=np.ones((S, N)), import_criticality=np.ones((S, N)),
              slack_days=np.full(S, 20.0))
    shared = prescreen(t, targets, scope, **kw).set_index("target").survival_cny
    own = prescreen(t, targets, scope, origin_rows={("O1", "s4")}, **kw).set_index("target").survival_cny
    assert shared["O1->all|s4"] > 0 and shared["O2->all|s4"] == 0.0
    assert own["O1->all|s4"] == pytest.approx(1.2 * shared["O1->all|s4"], rel=1e-9)
    assert own["O2->all|s4"] == pytest.approx(0.4 * shared["O1->all|s4"], rel=1e-9)


def test_origin_rows_are_the_engines_named_slots():
    """``scan.run._origin_rows`` names exactly the (origin, product) whose engine slot delivers a row of its own.

    Read the other way round, from the row each foreign origin's slot of each product delivers
    (``origin_row``) and its name: ``"<code> (imported, <origin>)"`` for an origin's own row.
    Before this test returning an empty set from ``_origin_rows`` passed every quick scan test
    (``tests/test_scan*.py -m "not slow"``; the pre-screen then treats every origin as the shared row's).
    """
    from chainsim.data.datasets import load_dataset
    from chainsim.engine import build_model
    from chainsim.engine.params import resolve_params
    from chainsim.scan.run import _origin_rows

    table = load_dataset("northeast-2017")
    m = build_model(table, resolve_params(None))
    pools = set(table.domestic_origins)
    expected = set()
    for i, origin in enumerate(table.origins):
        if origin in pools:
            continue
        for p, code in enumerate(table.sector_codes):
            if m.input_name(int(m.origin_row[m.origin_block[i], p])) == f"{code} (imported, {origin})":
                expected.add((origin, code))
    assert {("TWN", "20"), ("JPN", "18")} <= expected  # tests/test_origin_rows.py's two cuts
    assert _origin_rows(m) == expected
    assert _origin_rows(build_model(table, resolve_params({"origin_row_min_share": None}))) == set()


def test_demand_measure_scales_with_the_cut_share():
    """The demand-side measure is linear in the cut's share while no seller loses all its sales: half a cut of a
    link or a node costs its suppliers half the lost sales, through the same Leontief inverse."""
    t = small_table()
    targets = enumerate_targets(t, ["links", "nodes"])
    scope = scope_mask(t, "all")
    full = prescreen(t, targets, scope, share=1.0, duration=90.0).set_index("target").demand_cny
    half = prescreen(t, targets, scope, share=0.5, duration=90.0).set_index("target").demand_cny
    assert (full > 0).sum() >= 5
    np.testing.assert_allclose(half, 0.5 * full, rtol=1e-12)
