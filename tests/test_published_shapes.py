"""Shape tests from published model results (REFERENCE_RESULTS T3), on the shipped Northeast table.

The published cases (Katrina, Tanzania) need data that is not offline; their qualitative
findings are checked instead, as REFERENCE_RESULTS recommends.

R23-R26 run the ``legacy`` configuration (ARIO's inventory and order rules, the default model
before issue #16), whose shapes they were written against. Under the default model of issue #16
they do not all hold as written (R23: a one-to-eight-week cut of Liaoning's metals from the rest
of China is a gain for the Northeast at the evidence's stock days, other suppliers filling the
stock gap; at a quarter of them losses start in week 5 and then grow concavely, with catch-up):
re-deriving them for the default model is a follow-up (docs/validation.md).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from chainsim.data.datasets import load_dataset
from chainsim.engine import Engine, build_model, resolve_params

NE = ("LN", "JL", "HLJ")


@pytest.fixture(scope="module")
def table():
    return load_dataset("northeast-2017")


def _ne_mask(table) -> np.ndarray:
    return np.array([r in NE for r, _ in table.labels])


# --- R19: Hallegatte (2008), total losses rise nonlinearly with direct losses -------------------

SHARES = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4]


@functools.cache
def _katrina_ratios(table, base: str, alpha_max: float) -> np.ndarray:
    """(asset loss + output loss) / asset loss when a share of Heilongjiang's capital is destroyed and rebuilt.

    Cached: the two R19 tests share the alpha_max = 1.25 runs (a read-only array).
    """
    flat = {"alpha_max_table": "flat"} if base == "default" else {}  # one α_max for every sector, as varied here
    m = build_model(table, resolve_params({"base": base, "alpha_max": alpha_max, **flat}))
    sets = [[{"type": "capacity_loss", "region": "HLJ", "sector": "all", "basis": "capital", "share": s,
              "start": 5, "duration": 1, "recovery": {"curve": "rebuild", "sectors": {"27": 1.0}}}]  # construction
            for s in SHARES]
    arr = Engine(m, sets).run(730)
    assert (arr.crash_day < 0).all()
    r, S = table.region_index("HLJ"), table.n_sectors
    assets = np.array(SHARES) * m.capital[r * S:(r + 1) * S].sum()
    output_loss = (m.xbar[: m.n][None, None, :] - arr.output).sum(axis=(0, 2))
    ratio = (assets + output_loss) / assets
    ratio.setflags(write=False)
    return ratio


@pytest.mark.parametrize("base", ["ario", "default"])
def test_r19_amplification_is_flat_for_small_disasters_then_rises(table, base):
    ratio = _katrina_ratios(table, base, 1.25)
    small, large = ratio[: 3], ratio[2:]
    assert small.max() / small.min() < 1.1  # up to 5 % of the capital: about proportional
    assert np.all(np.diff(large) > 0)  # beyond: total losses grow faster than direct losses
    assert ratio[-1] > 2.0 * ratio[0]
    total = ratio * np.array(SHARES)  # total losses in units of the capital: convex in the direct loss
    even = total[3:]  # shares 0.1, 0.2, 0.3, 0.4
    assert np.all(np.diff(even, 2) > 0)


@pytest.mark.parametrize("base", ["ario", "default"])
def test_r19_less_overproduction_capacity_raises_losses(table, base):
    # Hallegatte (2008): alpha_max is among the most important parameters; halving the surge (1.25 -> 1.125)
    high = _katrina_ratios(table, base, 1.25)
    low = _katrina_ratios(table, base, 1.125)
    assert np.all(low > high)


# --- R23: Colon, Hallegatte & Rozenberg (2021), losses rise nonlinearly with duration -----------

WEEKS = np.arange(1, 9)


def _link_cut_losses(table, inventory_days: float) -> np.ndarray:
    """Northeast output lost when Liaoning's purchases of metals from the rest of China stop for 1-8 weeks."""
    m = build_model(table, resolve_params({"base": "legacy", "inventory_days": inventory_days}))
    sets = [[{"type": "link_cut", "product": "14", "from_region": "ROC", "to_region": "LN", "to_sector": "all",
              "share": 1.0, "start": 5, "duration": int(7 * w)}] for w in WEEKS]
    arr = Engine(m, sets).run(365)
    return (m.xbar[: m.n][None, None, :] - arr.output)[:, :, _ne_mask(table)].sum(axis=(0, 2))


def _kink(loss: np.ndarray) -> int:
    """First duration (weeks) whose loss exceeds 1 % of the largest."""
    return int(WEEKS[np.argmax(loss > 0.01 * loss.max())])


def test_r23_loss_is_convex_in_duration_and_inventories_shift_the_kink(table):
    thick = _link_cut_losses(table, 30)
    thin = _link_cut_losses(table, 15)
    scale = thick.max()
    assert np.all(np.diff(thick, 2) > -1e-6 * scale)  # convex: nothing while stocks last, then ever more
    # three weeks are covered by 30 days of stock: at most a small gain (other Northeast suppliers sell more).
    # Data builder 2.0: the gain is 1.0 bn CNY against an 8-week loss of 21.2 bn (4.7 %); builder 1.1: 1.0 against
    # 128.9 bn (0.8 %). Liaoning now buys 64.5 instead of 80.3 bn CNY of metals a year from the rest of China and
    # more from its own industry (own-province supply kept by the re-export netting), so 30 days of stock cover
    # more of the cut and the 8-week loss, the scale here, is smaller; the early gain is unchanged.
    assert np.abs(thick[:3]).max() < 5e-2 * scale
    assert _kink(thin) < _kink(thick)  # thinner stocks: losses start sooner
    assert thin[3] > thick[3]


# --- R24: Simchi-Levi et al. (2015), spend does not predict the loss of a supplier's disruption -------

def _flow_row(result, measure: str):
    c = result.correlations
    return c[(c.kind == "imports") & (c.measure == measure)].iloc[0]


@pytest.fixture(scope="module")
def imports_scan(table):
    """Every import (product x origin) cut into every region, scan defaults (default model, 100 % for 90 days from
    day 10), over 200 days: the slowest harmful cut is back within 1 % by day 138 (TTR 128 days with 365)."""
    from chainsim.scan import scan

    return scan(table, kinds="imports", days=200, params={"base": "legacy"})


def test_r24_spend_does_not_predict_loss_and_a_cheap_concentrated_input_tops_the_list(imports_scan):
    # The default model: its non-competitive imports of differentiated goods and its input criticality are what
    # make a cheap imported part a chokepoint; the ario configuration folds imports into value added (no cut).
    # The Ford "supplier sites" are the table's import flows; their spend is the annual flow a cut removes.
    r = imports_scan.ranking.reset_index(drop=True)
    harm = r[r.loss_days > 0.01]  # the scan's "harmful" threshold
    flow = _flow_row(imports_scan, "flow")
    assert len(harm) >= 10
    assert flow.spearman < 0.0  # no positive rank correlation of spend with loss (measured -0.34 over 318 cuts)
    assert abs(flow.spearman_harm) < 0.5  # nor among the harmful cuts (measured 0.10, n = 17)
    # a spend-proportional (linear IO) estimate of the same cuts does rank by spend: the statistic can detect it
    pre = imports_scan.prescreen
    imp = pre[pre.kind == "imports"]
    assert imp.flow_cny.corr(imp.iim_cny, method="spearman") > 0.9  # measured 0.97

    # the most harmful cut of all (the chokepoint list ranks single named origins only and lists ROW apart,
    # but R24 is about every cut's loss against its spend)
    top, biggest = r.loc[r.loss_cny.idxmax()], r.loc[r.flow_cny.idxmax()]
    assert top.flow_cny < 0.5 * harm.flow_cny.median()  # low spend: ROW metal products 33 bn CNY/yr vs median 96
    assert top.loss_cny > 3.0 * top.flow_cny  # ... costing 7.0 times its annual spend
    assert biggest.target != top.target  # the largest spend (851 bn) costs 0.10 times its spend
    assert biggest.loss_cny < 0.5 * biggest.flow_cny
    assert top.tts_days == r.tts_days.min()  # TTS-based: the shortest time to survive (47 days; the others >= 59)
    # concentrated source: of the cuts of that product only its largest origin's (42 % of its imports) costs anything
    same = r[(r["product"] == top["product"]) & (r.target != top.target)]
    assert (same.loss_days <= 0.01).all() and (same.flow_cny < top.flow_cny).all()


# --- R25: Koks & Thissen (2016), regions that rebuild a flooded region gain -----------------------

FLOOD = [0.01, 0.02, 0.05]


def _flood_gains(table, recovery: dict) -> dict[str, np.ndarray]:
    """Output gained (+) or lost (-) per region over 365 days when a share of Jilin's capital is destroyed on day 5."""
    m = build_model(table, resolve_params("legacy"))
    sets = [[{"type": "capacity_loss", "region": "JL", "sector": "all", "basis": "capital", "share": s,
              "start": 5, "duration": 1, "recovery": recovery}] for s in FLOOD]
    arr = Engine(m, sets).run(365)
    assert (arr.crash_day < 0).all()
    gain = (arr.output - m.xbar[: m.n][None, None, :]).sum(axis=0)
    regions = np.array([r for r, _ in table.labels])
    return {r: gain[:, regions == r].sum(axis=1) for r in table.region_codes}


def test_r25_regions_that_rebuild_a_flooded_province_gain_the_others_lose_slightly(table):
    # The default model (MRIA is not ARIO). Jilin borders both other provinces; the table has no distances, so
    # "neighbour" is read as the trade relation MRIA substitutes along: who sells Jilin its construction (27).
    S, r_jl = table.n_sectors, table.region_index("JL")
    jl = slice(r_jl * S, (r_jl + 1) * S)
    bought = np.array([np.asarray(table.Z)[r * S + table.sector_codes.index("27"), jl].sum()
                       for r in range(table.n_regions)])
    share = dict(zip(table.region_codes, bought / bought.sum(), strict=True))
    builders = [r for r in table.region_codes if r != "JL" and share[r] > 0.1]  # LN 21 %, ROC 32 %
    idle = [r for r in table.region_codes if r != "JL" and share[r] < 0.01]  # HLJ 0.3 % (data builder 1.1: 0.7 %)
    assert builders and idle

    rebuilt = _flood_gains(table, {"curve": "rebuild", "sectors": {"27": 1.0}})
    assert np.all(rebuilt["JL"] < 0)
    for r in builders:
        assert np.all(rebuilt[r] > 0)  # 1 % of the capital: LN +2.1, ROC +5.0 bn CNY against Jilin's -3.8
    for r in idle:
        # slightly: at most 5 % of Jilin's loss either way, and a loss when the flood is large. Data builder 2.0:
        # HLJ +0.9, +0.4 and -1.0 % of Jilin's loss (builder 1.1: -0.9, -1.4, -2.5 %): with more own-province supply
        # Heilongjiang's construction and building materials (27, 13, 05) now sell a little to the rebuilding,
        # which outweighs its lost sales to Jilin (mostly agriculture) for the two small floods.
        assert np.all(np.abs(rebuilt[r]) < 0.05 * np.abs(rebuilt["JL"]))
        assert rebuilt[r][-1] < 0
    # the gain is reconstruction demand: the same damage recovering without it (linear, 120 days) gains nobody
    plain = _flood_gains(table, {"curve": "linear", "days": 120})
    for r in table.region_codes:
        assert np.all(plain[r] < 0)


# --- R26: Guan et al. (2020), simultaneous lockdowns cost more than the same lockdowns one region at a time

LOCKDOWN_DAYS = (30, 60)
# 130 days (day 10 + the 60-day lockdown + 60 days after it) instead of 200: the claims' numbers barely move
# (default model: 30 days -1.08 % -> -1.25 %, 60 days +26.1 % -> +25.4 %, 33 -> 33 industries; ario: -0.89 % ->
# -1.16 %, +87 % -> +81 %, 41 -> 41) and the two tests run 2.3x (default) and 1.9x (ario) faster.
LOCKDOWN_HORIZON = 130


def _lockdown_losses(table, base: str) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Northeast output lost (days of its output over 130 days) when each industry loses half of its capacity for
    30 or 60 days from day 10: in one region at a time (summed over the regions) and in every region at once."""
    m = build_model(table, resolve_params({"base": base}))
    regions = list(table.region_codes)
    groups = [[r] for r in regions] + [regions]
    sets = [[{"type": "capacity_loss", "region": g, "sector": p, "basis": "capacity", "share": 0.5, "start": 10,
              "duration": d, "recovery": {"curve": "linear", "days": 1.0}}]
            for d in LOCKDOWN_DAYS for p in table.sector_codes for g in groups]
    arr = Engine(m, sets).run(LOCKDOWN_HORIZON)
    assert (arr.crash_day < 0).all()
    ne = _ne_mask(table)
    xbar = m.xbar[: m.n][ne]
    loss = (xbar[None, None, :] - arr.output[:, :, ne]).sum(axis=(0, 2)) / xbar.sum()
    loss = loss.reshape(len(LOCKDOWN_DAYS), table.n_sectors, len(groups))
    return {d: (loss[k, :, :-1].sum(axis=1), loss[k, :, -1]) for k, d in enumerate(LOCKDOWN_DAYS)}


@pytest.mark.parametrize("base", ["ario", "legacy"])
def test_r26_simultaneous_lockdowns_cost_more_once_they_outlast_inventories(table, base):
    # Guan et al. is ARIO-type (BoARIO's "alt" orders come from it): the ario configuration, and the default model.
    # A lockdown is a capacity loss of strictness 0.5 in an industry; a buyer losing half its supply of an input
    # survives (1 - psi) * 90 / 0.5 = 36 days on stock. Within that, where the industry is locked does not matter.
    losses = _lockdown_losses(table, base)
    separate, together = losses[30]
    assert abs(together.sum() / separate.sum() - 1.0) < 0.03  # measured -1.25 % (default), -1.16 % (ario)
    # Beyond it, a region locked alone is replaced by the others; locked everywhere at once, it is not.
    separate, together = losses[60]
    assert together.sum() > 1.15 * separate.sum()  # measured +25 % (default), +81 % (ario), over 42 industries
    assert (together > 1.01 * separate).sum() >= 28  # most industries: 33 (default), 41 (ario) of 42
