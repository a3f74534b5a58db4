"""Per-origin imported-only rows (issue #21): a named origin's cut of a differentiated product binds its buyers.

Before, the imported-only row of a product was one stock shared by every foreign origin: the cut
origin's buyers kept its orders, but their restocking orders went through the split to the other
origins, whose deliveries refilled the shared stock (Korean chips stood in for Taiwanese ones). Boehm,
Flaaen & Pandalai-Nayar (2019) find the opposite in the short run: US affiliates of Japanese firms cut
output one-for-one with their Japanese imported inputs for months after Tohoku. Each origin with at
least ``origin_row_min_share`` of a differentiated product's imports now has its own row (Armington
1969 varieties by origin).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

from chainsim.engine import Engine, build_model
from chainsim.engine.params import ModelParams, resolve_params
from chainsim.errors import ModelBuildError

START, DAYS = 10, 200


@lru_cache(maxsize=1)
def _table():
    from chainsim.data.datasets import load_dataset

    return load_dataset("northeast-2017")


@lru_cache(maxsize=8)
def _model(**params):
    return build_model(_table(), resolve_params(dict(params)))


def _cut(product: str, origin: str | list[str], **kw) -> dict:
    return {"type": "import_cut", "product": product, "origin": origin, "share": 1.0, "start": START,
            "duration": 90, **kw}


def _row(m, product: str, origin: str) -> int:
    """The imported-only row of ``origin``'s variety of ``product`` (its own, or the shared one)."""
    p = m.table.sector_index(product)
    return int(m.origin_row[m.origin_block[list(m.table.origins).index(origin)], p])


@pytest.mark.parametrize("product, origin", [("20", "TWN"), ("18", "JPN")])
def test_a_named_origins_cut_binds_its_buyers_and_the_others_do_not_refill_it(product, origin):
    """A 90-day full cut of one origin's electronics (TWN, 21 % of 20's imports) or transport equipment (JPN, 27 %).

    At central evidence the buyers of that variety run down its stock (about 30 days) and then bind:
    the Northeast's output falls below baseline within the cut. The other origins' extra deliveries
    go to their own rows, not to the cut origin's: its row gets nothing while it is cut and its stock
    is below a tenth of its target at the end of the cut. On 3a68284 (one shared row) this cut had no
    measurable effect (Northeast output never below 0.9999 of baseline).
    """
    m = _model()
    row = _row(m, product, origin)
    assert row >= m.n_sectors + len(m.nc_products), "the origin has a row of its own"
    assert m.input_name(row) == f"{product} (imported, {origin})"
    eng = Engine(m, [[_cut(product, origin)]], executor="reference")
    stock, got = [], []

    def keep(done, total):
        stock.append(float(eng.economy.state.inventory[0, row].sum()))
        got.append(float(eng.economy.day.deliveries[0, row].sum()))

    res = eng.run(DAYS, progress=keep, record=())
    xb = np.asarray(m.xbar)[: m.n]
    ne = slice(0, 3 * m.n_sectors)
    ratio = res.output[:, 0, ne].sum(axis=1) / xb[ne].sum()
    assert ratio[START + 30:START + 90].min() < 0.995, ratio.min()  # binds once the stock is gone
    assert ratio[:START].min() > 1 - 1e-9
    target = float((m.goal_coef[row] * xb).sum())
    assert max(got[START + 1:START + 90]) <= 1e-9 * target  # nobody else refills it
    assert stock[START + 89] < 0.1 * target
    days = [e[0] for e in res.events if e[2] == "shortage" and e[4] == f"input {product} (imported) binds"]
    assert days and START + 10 < min(days) < START + 90


def test_every_origin_short_alike_binds_as_the_shared_row():
    """The rows of a product bind together: at equal stock fractions the output is the shared row's, exactly.

    Known answer: with every origin's row of 20 at 40 % of a day's need, the buyers produce what they
    produce with one shared row at 40 % (w (1 - σ) Σ_o m_o (1 - ρ) = w (1 - σ)(1 - ρ)).
    """
    from chainsim.engine.reference import input_limits

    one, per = _model(origin_row_min_share=None), _model()
    assert per.n_named and not one.n_named
    p = one.table.sector_index("20")
    rng = np.random.default_rng(7)
    x_opt = np.broadcast_to(np.r_[one.xbar[: one.n] * rng.uniform(0.8, 1.2, one.n), one.xbar[one.n:]],
                            (1, one.n_sup)).copy()

    def stocks(m):
        S = np.broadcast_to(m.goal_coef * m.xbar[None, : m.n], (1, *m.AC.shape)).copy()
        rows = m.group_rows[p][m.group_mask[p]]
        S[0, rows] = 0.4 * m.AC[rows] * x_opt[0, None, : m.n]
        return S

    x1, _ = input_limits(one, stocks(one), x_opt)
    x2, _ = input_limits(per, stocks(per), x_opt)
    assert (x1[0, : one.n] < x_opt[0, : one.n]).any()
    assert np.allclose(x1, x2, rtol=1e-12, atol=0.0)


def test_rows_follow_the_threshold_and_rest_of_world_is_never_one_variety():
    """More rows at a lower threshold; only differentiated products, named countries, shares at least θ."""
    counts = [_model(origin_row_min_share=t).n_named for t in (0.2, 0.1, 0.05)]
    assert 0 < counts[0] < counts[1] < counts[2], counts
    m = _model()
    names = [m.origin_name(int(b)) for b in m.named_block]
    assert "ROW" not in names and "DOM" not in names
    assert (m.named_share >= m.params.origin_row_min_share).all()
    codes = {m.table.sector_codes[int(p)] for p in m.named_product}
    assert codes <= {"08", "15", "16", "17", "18", "19", "20", "21"}, codes
    assert m.n_inputs == m.n_sectors + len(m.nc_products) + m.n_named
    # the requirements of a product's rows add up to the shared row's without named origins
    one = _model(origin_row_min_share=None)
    p = m.table.sector_index("20")
    rows = m.group_rows[p][m.group_mask[p]]
    assert np.allclose(m.AC[rows].sum(axis=0), one.AC[one.import_row[p]], rtol=1e-12, atol=1e-18)
    ario = _model(base="ario")
    legacy = _model(base="legacy")
    assert ario.n_named == 0 and legacy.n_named == 0


@pytest.mark.parametrize("value", [0.0, 1.5, -0.1])
def test_threshold_out_of_range_is_a_clear_error(value):
    with pytest.raises(ModelBuildError, match="origin_row_min_share"):
        resolve_params({"origin_row_min_share": value})
    assert ModelParams().origin_row_min_share == 0.1


def test_fast_executor_equals_the_reference_with_origin_rows():
    """Per-region cuts (overridden pairs), domestic substitution and priority rationing on the per-origin rows."""
    m = _model(substitution_share=0.5, substitution_lag_days=20.0, rationing="priority_sectors",
               priority_sectors=("18",))
    shocks = [[_cut("20", "TWN", region="JL")],
              [_cut("20", ["TWN", "KOR"], share=0.7), _cut("18", "JPN", region="LN")],
              [_cut("20", "TWN")]]
    ref = Engine(m, shocks, executor="reference").run(150, record=("unmet",))
    fast = Engine(m, shocks).run(150, record=("unmet",))
    scale = np.asarray(m.xbar)[: m.n].max()
    assert np.abs(fast.output - ref.output).max() <= 1e-9 * scale
    assert np.abs(fast.unmet - ref.unmet).max() <= 1e-9 * max(float(np.abs(ref.unmet).max()), 1.0)
    assert [e[:5] for e in fast.events] == [e[:5] for e in ref.events]
    xb = np.asarray(m.xbar)[: m.n]
    assert ref.output[:, 2].sum() < xb.sum() * 150 * (1 - 1e-4)  # the cut binds in this configuration too



def test_an_origin_with_exactly_the_threshold_share_has_its_own_row():
    """"At least θ": θ set to a named origin's share keeps its row; the next float above θ drops exactly the rows
    whose share is θ (``share >= θ`` against ``share > θ``, which no other test told apart)."""
    def shares(m):
        return {(int(b), int(p)): float(s) for b, p, s in zip(m.named_block, m.named_product, m.named_share,
                                                               strict=True)}

    base = shares(_model())
    pair, theta = min(base.items(), key=lambda kv: kv[1])
    at = shares(_model(origin_row_min_share=theta))
    above = shares(_model(origin_row_min_share=float(np.nextafter(theta, 1.0))))
    assert pair in at and pair not in above
    assert set(at) - set(above) == {q for q, s in at.items() if s == theta}
