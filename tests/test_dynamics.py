"""The default model's dynamics hold at realistic parameters (issue #16, docs/dynamics_design.md §8.2).

Relations and invariants on the shipped Northeast table, never numbers of its output (the table
is rebuilt by other work): stocks are conserved exactly; no run falls into a low state it cannot
leave; a six-week Jilin auto outage propagates to other provinces at central stocks; a national
import cut and the same cut written region by region are one computation; more foreign headroom
never leaves more demand unmet; a run without shocks stays at baseline for every stock level.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np
import pytest

from chainsim.engine import Engine, build_model
from chainsim.engine.economy import DayInputs
from chainsim.engine.params import resolve_params
from chainsim.engine.reference_economy import ReferenceEconomy

DAYS = 460
START = 10


@lru_cache(maxsize=8)
def _table():
    from chainsim.data.datasets import load_dataset

    return load_dataset("northeast-2017")


@lru_cache(maxsize=16)
def _model(**params):
    return build_model(_table(), resolve_params(dict(params)))


def _outage(target: str, share: float, days: int) -> dict:
    region, sector = target.split("|")
    return {"type": "capacity_loss", "region": region, "sector": sector, "share": share, "start": START,
            "duration": days, "basis": "capacity", "recovery": {"curve": "linear", "days": 1}}  # back at once


def _relative(m, out: np.ndarray) -> dict[str, np.ndarray]:
    """Output relative to baseline, China and each province: name -> (T, B)."""
    xb = np.asarray(m.xbar)[: m.n]
    S = m.n_sectors
    res = {"China": out.sum(axis=2) / xb.sum()}
    for r, code in enumerate(m.table.region_codes):
        sl = slice(r * S, (r + 1) * S)
        res[code] = out[:, :, sl].sum(axis=2) / xb[sl].sum()
    return res


def _days_to_band(rel: np.ndarray, end: int, band: float = 0.01) -> int:
    """Days after ``end`` from which ``rel`` stays within ±band of 1 to the horizon (len(rel) if never)."""
    outside = np.flatnonzero(np.abs(rel[end:] - 1.0) > band)
    return 0 if not len(outside) else int(outside[-1]) + 1


def _stock_params(scale: float) -> dict:
    return {"inventory_scale": scale}


@pytest.mark.parametrize("target", ["JL|18", "LN|11"])
def test_no_absorbing_collapse_at_short_or_central_stocks(target):
    """80 % for six weeks at 0.2 and 1 x the evidence stocks: China and each province back within ±1 % in 120 days.

    Today's model (ψ rule, orders on realised output) collapses for good at short stocks (design §1).
    """
    for scale in (0.2, 1.0):
        m = _model(**_stock_params(scale))
        out = Engine(m, [[_outage(target, 0.8, 42)]]).run(DAYS, record=()).output
        end = START + 42
        for name, rel in _relative(m, out).items():
            days = _days_to_band(rel[:, 0], end)
            assert days <= 120, (target, scale, name, days, float(rel[:, 0].min()))


def test_every_industry_comes_back_no_market_share_ratchet():
    """After a 12-week 80 % loss at 0.2 x stocks every industry (not only totals) is back within 1 % by day 460."""
    m = _model(**_stock_params(0.2))
    out = Engine(m, [[_outage("JL|18", 0.8, 84)]]).run(DAYS, record=()).output
    rel = out[-1, 0] / np.asarray(m.xbar)[: m.n]
    worst = int(np.argmax(np.abs(rel - 1.0)))
    assert np.abs(rel - 1.0).max() <= 0.01, (worst, float(rel[worst]))


def test_jilin_auto_outage_binds_transport_equipment_in_other_provinces():
    """JL|18 -80 % for six weeks at the evidence's low stock days: buyers outside Jilin run out of vehicles and parts.

    Today's model binds no buyer outside Jilin at its 90 days. On the rebuilt Northeast table
    (Heilongjiang buys 67 % of its transport equipment from Jilin) the central 12 days of parts
    are enough (docs/validation.md); the low column of input_stock_days.csv (5 days) is not.
    """
    m = _model(inventory_level="low")
    events = Engine(m, [[_outage("JL|18", 0.8, 42)]]).run(200, record=()).events
    outside = [e for e in events if e[2] == "shortage" and not e[3].startswith("JL|") and e[4] == "input 18 binds"]
    assert outside, "no buyer outside Jilin bound on transport equipment"


def test_jilin_auto_outage_propagates_at_central_stocks():
    """JL|18 -80 % for six weeks at the evidence's central stocks binds buyers outside Jilin (issue #16).

    Fails before the switching rule (main at 42acb5f): buyers re-split their transport-equipment
    orders to the other provinces' makers the next day (λ = 1 - Δ for every product), so Rest of
    China's overproduction filled in at once and no buyer outside Jilin ever bound. Car parts and
    vehicles are differentiated goods: buyers keep their suppliers until a supplier search moves them.
    """
    m = _model()
    events = Engine(m, [[_outage("JL|18", 0.8, 42)]]).run(200, record=()).events
    outside = {e[3] for e in events if e[2] == "shortage" and not e[3].startswith("JL|") and e[4] == "input 18 binds"}
    assert outside, "no buyer outside Jilin bound on transport equipment at central stocks"
    assert all(b.startswith(("HLJ|", "LN|")) for b in outside), outside


def test_supplier_search_ends_a_shortage_before_a_long_outage_ends():
    """A 250-day JL|18 outage: Heilongjiang binds, searches, re-sources, and is back within 1 % before it ends."""
    m = _model()
    res = Engine(m, [[_outage("JL|18", 0.8, 250)]]).run(300, record=())
    rel = _relative(m, res.output)["HLJ"][:, 0]
    assert rel[START:START + 60].min() < 0.97  # the outage does reach Heilongjiang ...
    assert np.abs(rel[START + 200:START + 250] - 1.0).max() < 0.01  # ... and re-sourcing ends it before day 250
    assert any(e[2] == "substitution_ramp_start" and e[3].startswith("HLJ|") for e in res.events)


def test_every_maker_of_a_differentiated_product_keeps_its_orders():
    """switch_share: 0 on every node of a Rauch-differentiated product, domestic or foreign, 1 elsewhere.

    Boehm, Flaaen & Pandalai-Nayar (2019) observed the stickiness on imported inputs, so the foreign
    origins of these products keep their buyers' orders as the domestic makers do (issue #21).
    """
    from chainsim.data.classification import NONCOMPETITIVE_NBS42

    m = _model()
    S, codes = m.n_sectors, m.table.sector_codes
    share = np.asarray(m.switch_share).reshape(m.n_blocks, S)
    sticky = np.array([c in NONCOMPETITIVE_NBS42 for c in codes])
    assert (share[:, sticky] == 0).all() and (share[:, ~sticky] == 1).all()
    for preset in ("ario", "legacy"):
        assert (np.asarray(build_model(_table(), resolve_params(preset)).switch_share) == 1).all()
    assert (np.asarray(_model(supplier_switching="instant").switch_share) == 1).all()


def test_no_shock_stays_at_baseline_for_every_stock_level():
    """No disruption: output equals baseline for three years with every mechanism on, at each inventory_scale."""
    for scale in (0.2, 0.5, 1.0, 2.0):
        m = _model(**_stock_params(scale))
        out = Engine(m, [[]]).run(3 * 365, record=()).output[:, 0]
        xb = np.asarray(m.xbar)[: m.n]
        assert np.abs(out - xb).max() <= 1e-9 * xb.max(), scale


def test_no_bullwhip_at_long_stocks():
    """2 x stocks, a 20 % two-week loss: China's largest deviation stays below three times the direct effect."""
    m = _model(**_stock_params(2.0))
    out = Engine(m, [[_outage("LN|11", 0.2, 14)]]).run(DAYS, record=()).output
    xb = np.asarray(m.xbar)[: m.n]
    direct = 0.2 * xb[m.table.industry_index("LN", "11")] / xb.sum()
    dev = np.abs(out[:, 0].sum(axis=1) / xb.sum() - 1.0).max()
    assert dev <= 3.0 * direct, (dev, direct)


def test_stability_probe_recovers_from_three_percent_stocks():
    """No shock, every finite input stock at 3 % of its target on day 0: output back within 1 % by day 365."""
    m = _model()
    econ = ReferenceEconomy(m, 1)
    fin = np.isfinite(econ.state.inventory)
    econ.state.inventory[fin] *= 0.03
    day = DayInputs(0, np.zeros((1, m.n_sup)), np.zeros((1, m.n_sup)), np.broadcast_to(m.ybar, (1, m.n_sup)).copy(),
                    np.zeros((1, m.n_sectors), dtype=bool), np.zeros((1, m.n), dtype=bool))
    xb = np.asarray(m.xbar)[: m.n]
    total = []
    for t in range(365):
        day.t = t
        econ.step(day)
        total.append(econ.x[0, : m.n].sum() / xb.sum())
    assert abs(total[-1] - 1.0) <= 0.01, (min(total), total[-1])


def test_stocks_are_conserved_exactly_every_day():
    """Opening stock + deliveries - use = closing stock, per input row, buyer and day (no clipping).

    Every row: the pooled rows and the imported-only rows of the partly substitutable products
    (0 < σ < 1, two slots per foreign origin), which the cut of product 20 empties.
    """
    m = _model(**_stock_params(0.2))
    assert m.has_split and (m.import_row[m.split_products] >= m.n_sectors).all()
    row20 = int(m.import_row[m.table.sector_index("20")])
    assert row20 >= m.n_sectors and row20 in m.import_row[m.split_products]
    eng = Engine(m, [[_outage("JL|18", 0.8, 42), {"type": "import_cut", "product": "20", "share": 1.0,
                                                    "start": START, "duration": 60}]], executor="reference")
    prev = {}
    worst = [0.0]

    def check(done, days):
        econ = eng.economy
        S = econ.state.inventory[0].copy()
        if "S" in prev:
            r = econ.day
            fin = np.isfinite(S) & np.isfinite(prev["S"])
            use = r.use[0]
            V = r.deliveries[0]
            err = np.abs(prev["S"] + V - use - S)[fin]
            scale = np.maximum(np.abs(prev["S"]) + np.abs(V), 1e-300)[fin]
            worst[0] = max(worst[0], float((err / scale).max()))
            assert (use >= -1e-300).all() and (S[fin] >= 0.0).all()
        prev["S"] = S
        low.append(float(S[row20].sum()))

    low: list[float] = []
    eng.run(150, progress=check, record=())
    assert worst[0] <= 1e-12, worst[0]
    assert min(low) < 0.5 * (m.goal_coef[row20] * m.xbar[: m.n]).sum()  # the imported-only row ran down


def test_input_done_without_is_the_use_no_stock_covered():
    """The recorded input done without equals Σ(A x − U) of the reference day, and the fast executor's.

    A severe cut at a fifth of the stocks: some inputs that cannot bind (or bind half) run out; their
    missing use is what the price-free output hides. Before issue #16's output column the engine
    computed it nowhere (``SimulationResult`` had output and unmet final demand only).
    """
    m = _model(**_stock_params(0.2))
    shocks = [[_outage("JL|18", 0.8, 42), {"type": "import_cut", "product": "20", "share": 1.0, "start": START,
                                            "duration": 60}]]
    eng = Engine(m, shocks, executor="reference")
    seen: list[float] = []

    def check(done, days):
        r = eng.economy.day
        seen.append(float((m.AC * r.x[0, None, :m.n] - r.use[0]).sum()))

    ref = eng.run(120, progress=check, record=("done_without",))
    assert np.allclose(ref.done_without[:, 0], seen, rtol=1e-12, atol=0.0)
    assert ref.done_without[:, 0].max() > 0.0 and (ref.done_without >= 0.0).all()
    # nothing is done without at baseline (but rounding: a flow input held at its cover of one day)
    assert ref.done_without[:START].max() <= 1e-12 * m.xbar[: m.n].sum(), ref.done_without[:START].max()
    fast = Engine(m, shocks).run(120, record=("done_without",))
    scale = ref.done_without.max()
    assert np.abs(fast.done_without - ref.done_without).max() <= 1e-9 * scale
    from chainsim import simulate

    res = simulate(_table(), shocks[0], days=120, params=_stock_params(0.2))
    assert np.allclose(res.input_done_without.to_numpy(), fast.done_without[:, 0], rtol=1e-12, atol=0.0)
    ario = build_model(_table(), resolve_params("ario"))
    assert (Engine(ario, [[_outage("JL|18", 0.5, 20)]]).run(60, record=("done_without",)).done_without == 0).all()


ECUT = {"type": "import_cut", "product": "20", "origin": ["KOR", "JPN", "TWN", "USA"], "share": 0.6,
        "start": START, "duration": 90}


def _foreign_day(m, cut: dict, days: int):
    """Reference run of ``cut``: per day, production of every node and deliveries to every input row, member 0."""
    eng = Engine(m, [[cut]], executor="reference")
    x, V = [], []

    def keep(done, total):
        x.append(eng.economy.day.x[0].copy())
        V.append(eng.economy.day.deliveries[0].sum(axis=1))

    eng.run(days, progress=keep, record=())
    return np.array(x), np.array(V), eng


TWN20 = {"type": "import_cut", "product": "20", "origin": "TWN", "share": 1.0, "start": START, "duration": 90}


def test_buyers_keep_a_cut_origins_orders_of_a_differentiated_product():
    """A full cut of Taiwan's electronics: the other origins get no sudden orders in the default model.

    The cut origin's share of the imported-only row is lost on the cut's first days (its orders are
    kept and go unserved, Boehm et al. 2019), where ``supplier_switching="instant"`` moves them to
    the other origins at once, who fill in up to their headroom. On the product's shared imported-only
    row (``origin_row_min_share=None``): with a row per named origin (the default since issue #21's
    second step, ``tests/test_origin_rows.py``) no origin's orders can move to another's variety.
    """
    S = _model().n_sectors
    p = _table().sector_index("20")
    twn = list(_table().origins).index("TWN")
    out = {}
    for switching in ("search", "instant"):
        m = _model(supplier_switching=switching, origin_row_min_share=None)
        x, V, _ = _foreign_day(m, TWN20, START + 5)
        nodes = np.arange(m.n_dom_blocks, m.n_blocks) * S + p  # the foreign origins' nodes of 20
        xb = np.asarray(m.xbar)
        others = np.array([i for i in nodes if i != m.origin_block[twn] * S + p and xb[i] > 0])
        row = int(m.import_row[p])
        out[switching] = (x[START + 2, others].sum() / xb[others].sum(), V[START + 2, row] / V[START - 1, row],
                          xb[m.origin_block[twn] * S + p] / xb[nodes].sum())
    kept, moved = out["search"], out["instant"]
    assert kept[0] < 1.03 < 1.1 < moved[0], (kept, moved)  # the others' production: near baseline vs headroom
    share_twn = kept[2]
    assert kept[1] < 1.0 - 0.9 * share_twn, (kept, share_twn)  # the row loses about Taiwan's share at once
    assert moved[1] > kept[1]


def test_kept_orders_bind_a_cut_imported_only_row_sooner_than_instant_switching():
    """A 90-day full cut of Taiwan's, Korea's and Japan's electronics (53 % of the row) at central stocks.

    The imported-only row of 20 binds its buyers within the cut either way (30 days of stock, the
    other origins' headroom through the restocking orders fills little of it); with the orders kept
    (issue #21) it binds sooner and costs the Northeast more than when they move at once. On the
    product's shared imported-only row (``origin_row_min_share=None``), as the test above.
    """
    cut = {**TWN20, "origin": ["TWN", "KOR", "JPN"]}
    first, loss = {}, {}
    for switching in ("search", "instant"):
        m = _model(supplier_switching=switching, origin_row_min_share=None)
        res = Engine(m, [[cut]]).run(200, record=())
        days = [e[0] for e in res.events if e[2] == "shortage" and e[4] == "input 20 (imported) binds"]
        assert days and START < min(days) < START + 90, switching
        first[switching] = min(days)
        xb = np.asarray(m.xbar)[: 3 * m.n_sectors]
        loss[switching] = float(xb.sum() * 200 - res.output[:, 0, : 3 * m.n_sectors].sum())
    assert first["search"] < first["instant"], first
    assert loss["search"] > loss["instant"] > 0, loss


def test_national_import_cut_is_the_same_cut_written_per_region():
    """One foreign mechanism: a cut into every region equals the same cut into each region separately."""
    m = _model()
    per_region = [{**ECUT, "region": r} for r in m.table.region_codes]
    arr = Engine(m, [[ECUT], per_region]).run(365, record=("unmet",))
    xb = np.asarray(m.xbar)[: m.n]
    assert np.abs(arr.output[:, 0] - arr.output[:, 1]).max() <= 1e-12 * xb.max()
    assert np.abs(arr.unmet[:, 0] - arr.unmet[:, 1]).max() <= 1e-12 * np.asarray(m.ybar).sum()


@pytest.mark.parametrize("region", ["all", "LN"])
def test_more_foreign_headroom_never_leaves_more_demand_unmet(region):
    """Unmet final demand of a shortage-type cut is non-increasing in import_headroom_scale, national or provincial."""
    cut = {"type": "import_cut", "product": "20", "origin": ["JPN", "KOR"], "share": 1.0, "start": START,
           "duration": 180, "region": region}
    unmet = []
    for theta in (0.0, 0.5, 1.0, 2.0):
        m = _model(import_headroom_scale=theta)
        unmet.append(float(Engine(m, [[cut]]).run(365, record=("unmet",)).unmet.sum()))
    assert all(b <= a * (1 + 1e-9) + 1e-9 for a, b in itertools.pairwise(unmet)), unmet
    assert unmet[-1] < unmet[0], unmet


def test_inventory_scale_is_a_batchable_engine_parameter():
    """``params={"inventory_scale": 0.5}`` runs; members of one batch may differ in it and equal their single runs."""
    import chainsim
    from chainsim.engine.batch_params import BATCHABLE_PARAMS

    assert "inventory_scale" in BATCHABLE_PARAMS and "import_headroom_scale" in BATCHABLE_PARAMS
    res = chainsim.simulate(_table(), [_outage("JL|18", 0.8, 42)], days=120, params={"inventory_scale": 0.5})
    assert res.relative_output().min() < 1.0
    base = _model()
    members = [resolve_params({"inventory_scale": s}) for s in (0.3, 1.0)]
    batch = Engine(base, [[_outage("JL|18", 0.8, 42)]] * 2, member_params=members).run(150, record=()).output
    for b, s in enumerate((0.3, 1.0)):
        single = Engine(_model(inventory_scale=s), [[_outage("JL|18", 0.8, 42)]]).run(150, record=()).output
        assert np.allclose(batch[:, b], single[:, 0], rtol=1e-12, atol=0.0)


GRID_SCALES, GRID_SHARES, GRID_WEEKS = (0.2, 0.5, 1.0, 2.0), (0.2, 0.5, 0.8), (2, 6, 12)
#: days after the end of the shock by which every grid run is back within ±1 % (the issue allows 180)
GRID_BACK_DAYS = 120


def grid_days_to_band(target: str) -> dict[tuple[float, float, int], dict[str, int]]:
    """The acceptance grid of issue #16 on one target: days to ±1 % (two-sided) after the end, China and provinces."""
    out = {}
    for scale in GRID_SCALES:
        m = _model(**_stock_params(scale))
        cases = [(share, weeks) for share in GRID_SHARES for weeks in GRID_WEEKS]
        arr = Engine(m, [[_outage(target, share, 7 * weeks)] for share, weeks in cases]).run(DAYS, record=()).output
        rel = _relative(m, arr)
        for b, (share, weeks) in enumerate(cases):
            end = START + 7 * weeks
            out[scale, share, weeks] = {name: _days_to_band(r[:, b], end) for name, r in rel.items() if name != "ROC"}
    return out


@pytest.mark.parametrize("target", ["JL|18", "LN|11"])
def test_acceptance_grid_every_run_comes_back(target):
    """inventory_scale {0.2, 0.5, 1, 2} x loss {20, 50, 80 %} x {2, 6, 12} weeks: all back within ±1 % in 120 days.

    China and each Northeast province, two-sided (catch-up above the band counts as not back);
    docs/validation.md lists the days of every run.
    """
    days = grid_days_to_band(target)
    late = {k: v for k, v in days.items() if max(v.values()) > GRID_BACK_DAYS}
    assert not late, late


def test_evidence_tables_are_checked_and_errors_name_file_row_field_value(tmp_path, monkeypatch):
    """Every evidence table loads (low <= central <= high, codes 01..42); a bad value is named precisely."""
    import shutil

    from chainsim.data import dynamics_evidence as ev
    from chainsim.errors import DataError

    for level in ev.LEVELS:
        days, tau, classes = ev.input_stocks(level)
        assert days.shape == (42,) and set(classes) == set(ev.INPUT_CLASSES) and (tau > 0).all()
        assert (ev.alpha_max_by_sector(level) >= 1).all() and ev.foreign_headroom(level)["ROW"] >= 1
        fg, run, ceiling, _ = ev.finished_goods(level)
        assert (fg >= 0).all() and ((run >= 0) & (run <= 1)).all() and ceiling >= 1
        beta, *_ = ev.backlog(level)
        assert ((beta >= 0) & (beta <= 1)).all()
    low, central, high = (ev.input_stocks(lv)[0] for lv in ev.LEVELS)
    assert (low <= central).all() and (central <= high).all()
    bad = tmp_path / "dynamics_evidence"
    shutil.copytree(ev.EVIDENCE_DIR, bad)
    text = (bad / "input_stock_days.csv").read_text(encoding="utf-8")
    row = "18,Manufacture of transport equipment,交通运输设备,storable,5,12,25"
    assert row in text
    (bad / "input_stock_days.csv").write_text(text.replace(row, row.replace(",12,", ",twelve,")), encoding="utf-8")
    monkeypatch.setattr(ev, "EVIDENCE_DIR", bad)
    ev._rows.cache_clear()
    try:
        with pytest.raises(DataError, match=r"input_stock_days.csv: row 19, field 'days_central'.*'twelve'"):
            ev.input_stocks()
    finally:
        ev._rows.cache_clear()


def test_reconstruction_no_longer_starves_the_economy_it_rebuilds():
    """5 % of Liaoning's capital destroyed and rebuilt by construction: Liaoning stays above 90 % of baseline.

    Served pro rata (ARIO, legacy), rebuilding demand keeps its claim on construction while the
    energy industries that need construction services run short: Liaoning falls to 23 % (legacy)
    and 11 % (the default model with pro-rata rebuilding) of its output (docs/model.md §5).
    """
    m = _model()
    dis = [{"type": "capacity_loss", "region": "LN", "sector": "all", "share": 0.05, "start": 5, "duration": 1,
            "recovery": {"curve": "rebuild", "days": 60, "sectors": {"27": 1.0}}}]
    out = Engine(m, [dis]).run(365, record=()).output
    ln = _relative(m, out)["LN"][:, 0]
    assert ln.min() > 0.9, float(ln.min())
    pro_rata = _model(rebuild_served="pro_rata")
    ln_pr = _relative(pro_rata, Engine(pro_rata, [dis]).run(365, record=()).output)["LN"][:, 0]
    assert ln_pr[-1] < 0.5  # the starvation the rule removes


def test_sector_min_run_overrides_the_produce_to_stock_floor_of_a_sector():
    """``sector_min_run`` sets a sector's produce-to-stock floor m in every region (an episode's operating fact).

    A demand cut on the refineries' (11) output then leaves oil and gas (03) running at no less than
    m of its capacity into stock while its stock is under the ceiling; without the override it
    follows its orders further down (produce_to_stock.csv central 0.8).
    """
    base, kept = _model(), build_model(_table(), resolve_params({"sector_min_run": {"03": 0.97}}))
    sec = np.asarray(kept.table.sector_codes)[kept.table.sector_of]
    run_b, run_k = np.asarray(base.min_run)[: base.n], np.asarray(kept.min_run)[: kept.n]
    assert (run_k[sec == "03"] == 0.97).all() and (run_b[sec == "03"] < 0.97).all()
    assert (run_k[sec != "03"] == run_b[sec != "03"]).all()
    assert (np.asarray(kept.min_run)[kept.n:] == 0).all()  # foreign nodes hold no finished goods
    cut = [{"type": "final_demand", "region": "all", "sector": ["03", "11", "12", "24", "25"], "share": -0.6,
            "start": START, "duration": 120}]
    out = {}
    for name, m in (("base", base), ("kept", kept)):
        res = Engine(m, [cut], seeds=[0]).run(100, record=("capacity",))
        k = sec == "03"
        out[name] = (res.output[START + 20:, 0, :m.n][:, k] / res.capacity[START + 20:, 0, :m.n][:, k]).min()
    assert out["kept"] >= 0.97 - 1e-9, out
    assert out["base"] < 0.97 - 0.01, out


@pytest.mark.parametrize("bad, match", [({"03": 1.5}, r"sector_min_run\['03'\].*\[0, 1\]"),
                                        ({"03": -0.1}, r"sector_min_run\['03'\]")])
def test_sector_min_run_rejects_values_outside_zero_one(bad, match):
    from chainsim.errors import ModelBuildError

    with pytest.raises(ModelBuildError, match=match):
        resolve_params({"sector_min_run": bad})


def test_sector_min_run_unknown_code_names_the_code_and_suggests():
    from chainsim.errors import DataError

    with pytest.raises(DataError, match="unknown sector '3'"):
        build_model(_table(), resolve_params({"sector_min_run": {"3": 0.9}}))
