"""Shape tests from published model results (REFERENCE_RESULTS T3), on the shipped Northeast table.

The published cases (Katrina, Tanzania, Ford, Rotterdam, the global COVID lockdowns) need data
that is not offline; their qualitative findings are checked instead, as REFERENCE_RESULTS
recommends. Every case runs the default model (issue #16: evidence stocks by product, the cover
rule, finished goods, catch-up, overproduction up to 1/u, one foreign-supply mechanism, supplier
switching by search) and, where it is cheap and tells something, ``ario`` (BoARIO 0.7.2).

Each experiment is chosen where the finding can show: R23 cuts a link whose loss outlasts the
buyers' stocks (Jilin's transport equipment to Heilongjiang, two thirds of its supply; a cut of
Liaoning's metals from the rest of China, the experiment written for the model before issue #16,
is filled by Liaoning's own metal makers and binds nobody at the evidence's stocks); R24 scans at
the central stocks and at the evidence's low stocks, where enough single-origin cuts bind for a
rank correlation; R25 floods a tenth or more of Jilin's capital, beyond what spare capacity
absorbs; R26 uses a week, which outlasts only the stocks of flow inputs and transport, and two
months. Where the default model does not reproduce a finding, the test is a strict xfail whose
reason gives the measured numbers and the mechanism (R19's amplification, negative on the
default model; R24's rank correlation at low stocks; R25's region that does not build). Measured
numbers: docs/validation.md.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
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


@pytest.mark.parametrize("base", [
    "ario",
    pytest.param("default", marks=pytest.mark.xfail(strict=True, reason=(
        "On the default model (alpha_max 1.25 flat, tau_alpha 30 d) the disaster raises output: (asset + output "
        "loss) / asset loss is -1.42, -1.46, -1.40, -0.76, -0.42, -0.31, -0.20 at 1-40 % of Heilongjiang's capital. "
        "Spare capacity covers most of the lost capacity within weeks and serves the rebuilding demand, and the gross "
        "output that demand creates along the supply chain exceeds the destroyed capital (2.4 times it at 1 %); "
        "ARIO's year-long overproduction ramp does not (ario 0.84-2.97). Without the sign check the assertions "
        "below pass on these negative ratios (max / min of negatives is below 1.1)."))),
])
def test_r19_amplification_is_flat_for_small_disasters_then_rises(table, base):
    ratio = _katrina_ratios(table, base, 1.25)
    assert np.all(ratio > 0)  # a loss: Hallegatte's total losses exceed the direct ones (149 vs 107 bn USD)
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
    # raises losses at every size (default model: smaller gains, -1.42 -> -1.21 at 1 %, -0.20 -> +0.33 at 40 %)
    high = _katrina_ratios(table, base, 1.25)
    low = _katrina_ratios(table, base, 1.125)
    assert np.all(low > high)


# --- R23: Colon, Hallegatte & Rozenberg (2021), losses rise nonlinearly with duration -----------
#
# Colon et al. find that the losses of a transport disruption "increase non-linearly with the duration of
# disruptions": firms live on their inventories for a while, then lose ever more. The cut here is every delivery
# of transport equipment (18) from Jilin to Heilongjiang (13.4 bn CNY a year, 67 % of what Heilongjiang's industries
# buy of domestic 18; 12 days of stock at the evidence's central value): the other suppliers' share is too small
# to fill the buyers' stock gap (the restocking orders go to them), so the cut outlasts the stocks.

WEEKS = np.arange(1, 9)
R23_CUT = {"type": "link_cut", "product": "18", "from_region": "JL", "to_region": "HLJ", "to_sector": "all",
           "share": 1.0, "start": 5}
#: thin, central and thick stocks: the default model scales its evidence table, ario has one flat target
R23_STOCKS = {"default": ("inventory_scale", (0.5, 1.0, 2.0)), "ario": ("inventory_days", (60, 90, 120))}


@functools.cache
def _link_cut_losses(table, base: str, key: str, value: float) -> np.ndarray:
    """Northeast output lost (days of its output over 365 days) when the R23 link is cut for 1-8 weeks."""
    params = {key: value} if base == "default" else {"base": base, key: value}
    m = build_model(table, resolve_params(params))
    arr = Engine(m, [[{**R23_CUT, "duration": int(7 * w)}] for w in WEEKS]).run(365)
    assert (arr.crash_day < 0).all()
    xbar = m.xbar[: m.n][_ne_mask(table)]
    loss = (xbar[None, None, :] - arr.output[:, :, _ne_mask(table)]).sum(axis=(0, 2)) / xbar.sum()
    loss.setflags(write=False)
    return loss


def _marginal(loss: np.ndarray) -> np.ndarray:
    """What each further week of the cut costs."""
    return np.diff(np.r_[0.0, loss])


def _kink(loss: np.ndarray) -> int:
    """First duration (weeks) whose further week costs more than a tenth of the dearest week."""
    marginal = _marginal(loss)
    return int(WEEKS[np.argmax(marginal > 0.1 * marginal.max())])


@pytest.mark.parametrize("base", ["default", "ario"])
def test_r23_loss_is_convex_in_duration_and_inventories_shift_the_kink(table, base):
    # Default model (NE days lost at 1..8 weeks, stocks x1): 0.007, 0.015, 0.14, 0.42, 0.73, 1.06, 1.52, 2.07. The
    # first weeks cost Jilin's lost sales (0.0066 days of Northeast output a week); Heilongjiang's users of 18 bind
    # from day 24 (19 days into the cut), then each week costs more (0.12 -> 0.55 days). Beyond eight weeks the
    # curve turns S-shaped (not asserted): the supplier searches started by the shortage end it about 100 days in,
    # so a week beyond 17 weeks costs 0.005 days again. ario (flat stocks, the psi rule) at 60/90/120 days: kinks
    # at weeks 4, 5 and 7; at 30 days and below it collapses (the absorbing state of issue #16).
    key, levels = R23_STOCKS[base]
    thin, central, thick = (_link_cut_losses(table, base, key, v) for v in levels)
    for loss in (thin, central, thick):
        marginal = _marginal(loss)
        assert marginal[0] > 0  # the first week costs the seller's lost sales
        assert np.all(np.diff(marginal) > -1e-3 * loss[-1])  # convex: no further week costs less than the one before
        assert marginal.max() > 10 * marginal[0]  # little while stocks last, then much more (x26 to x133)
    assert _kink(thin) < _kink(central) < _kink(thick)  # default: weeks 2, 3, 7; ario: 4, 5, 7
    # thinner stocks never cost less (equal in the weeks every stock level covers)
    assert np.all(thin >= central * (1 - 1e-9)) and np.all(central >= thick * (1 - 1e-9))


# --- R24: Simchi-Levi et al. (2015), spend does not predict the loss of a supplier's disruption -------
#
# Ford: annual spend with a supplier site does not predict the profit lost if it is disrupted; most sites would
# cost nothing, and the riskiest supply cheap parts (low spend, single source, low inventory). The "sites" here are
# the table's import flows (product x origin into every region), the spend the annual flow a cut removes; the scan
# cuts each for 90 days from day 10 (scan defaults) and counts Northeast output over 200 days. Services and flow
# inputs are left out (run_screened=False): Ford's sites supply parts.


def _flow_row(result, measure: str):
    c = result.correlations
    return c[(c.kind == "imports") & (c.measure == measure)].iloc[0]


def _simulated(result) -> pd.DataFrame:
    r = result.ranking.reset_index(drop=True)
    return r[np.isfinite(r.loss_cny.astype(float))]


def _imports_scan(table, params: dict):
    from chainsim.scan import scan

    return scan(table, kinds="imports", days=200, params=params, run_screened=False)


@pytest.fixture(scope="module")
def imports_scan_central(table):
    """Every goods import cut at the evidence's central stocks (the default model's own)."""
    return _imports_scan(table, {})


@pytest.fixture(scope="module")
def imports_scan_low(table):
    """The same at the evidence's low stocks (``input_stock_days.csv`` column ``low``, 0.33-0.67 of central)."""
    return _imports_scan(table, {"inventory_level": "low"})


def test_r24_at_central_stocks_most_import_cuts_cost_nothing_and_the_largest_spends_are_not_the_risks(
        imports_scan_central):
    # Measured (7 Dec 2026, per-origin imported-only rows): 25 of the 324 goods cuts cost more than 0.01 days,
    # led by TWN instruments (21), 39.6 bn CNY a year, which loses 126.6 bn: a named origin's variety has its own
    # stock, which the other origins cannot refill. 35 cuts raise Northeast output by more than 0.01 days (orders
    # of substitutable imports move to domestic producers), the largest of them most, hence a negative rank
    # correlation.
    r = _simulated(imports_scan_central)
    harm = r[r.loss_days > 0.01]  # the scan's "harmful" threshold
    assert len(r) >= 100
    assert len(harm) < 0.5 * len(r)  # most sites cost nothing (Ford: about 61 %, HBR 2014)
    assert _flow_row(imports_scan_central, "flow").spearman <= 0.0  # measured -0.57 over 324 cuts
    biggest = r.loc[r.flow_cny.idxmax()]
    assert biggest.loss_cny < 0.5 * biggest.flow_cny  # ROW electronics, 745 bn a year, loses 65 bn (0.09 x)
    # a spend-proportional (linear IO) estimate of the same cuts does rank by spend: the statistic can detect it
    pre = imports_scan_central.prescreen
    imp = pre[pre.kind == "imports"]
    assert imp.flow_cny.corr(imp.iim_cny, method="spearman") > 0.9  # measured 0.97


def test_r24_at_low_stocks_the_riskiest_cut_is_concentrated_and_the_largest_spend_is_not(imports_scan_low):
    # At the low stocks 64 of the 324 goods cuts bind. The dearest, ROW electrical machinery (19), removes 31 % of
    # the imported 19 (the largest named origin sells 18 %); the largest spend, ROW electronics (745 bn CNY a year),
    # loses 137 bn (0.18 x its spend). Measured 7 Dec 2026, per-origin imported-only rows.
    r = _simulated(imports_scan_low)
    assert (r.loss_days > 0.01).sum() >= 10  # enough harmful cuts for a ranking to mean something
    top, biggest = r.loc[r.loss_cny.idxmax()], r.loc[r.flow_cny.idxmax()]
    assert top.origin_share >= top.largest_named_share  # concentrated: its product's largest origin
    assert biggest.target != top.target and biggest.loss_cny < 0.5 * biggest.flow_cny


@pytest.mark.xfail(strict=True, reason=(
    "With partial substitutability of imports (sigma, issue #16) the costliest cut at the low stocks is not cheap: "
    "ROW electrical machinery (19), 111.2 bn CNY a year, 31 % of imported 19, loses 277 bn (2.5 x its spend) "
    "against a median spend of 55.7 bn over the 64 harmful cuts; ROW crude oil (03), 317.7 bn a year, 67 % of "
    "imported crude, loses as much (0.87 x its spend). Concentrated, as Simchi-Levi et al. find, but a large flow "
    "(measured 7 Dec 2026, per-origin imported-only rows). Before sigma: ROW metal products, 24.6 bn a year, lost "
    "400 bn (16 x its spend): with sigma 0.5 (central) half of a metal-products cut moves to domestic makers."))
def test_r24_at_low_stocks_a_cheap_input_tops_the_list(imports_scan_low):
    # the Ford finding: the riskiest site supplies a low-cost part, and costs several times its spend
    r = _simulated(imports_scan_low)
    harm = r[r.loss_days > 0.01]
    top = r.loc[r.loss_cny.idxmax()]
    assert top.flow_cny < harm.flow_cny.median()  # low spend
    assert top.loss_cny > 3.0 * top.flow_cny  # ... costing several times its spend


@pytest.mark.xfail(strict=True, reason=(
    "At the evidence's low stocks spend does predict the loss on the default model: Spearman(spend, loss) +0.77 "
    "over the 324 goods import cuts and +0.26 over the 64 harmful ones (one-sided 5 % bound about 0.21; measured "
    "7 Dec 2026 with per-origin imported-only rows; +0.50 and +0.33 over 56 before sigma). A product's largest "
    "origins are also its largest spends, and their varieties bind first once stocks are low. At the central "
    "stocks 25 cuts bind and the correlation is -0.57 (the test above)."))
def test_r24_at_low_stocks_spend_does_not_predict_the_loss(imports_scan_low):
    flow = _flow_row(imports_scan_low, "flow")
    assert flow.spearman <= 0.0
    assert flow.spearman_harm < 1.645 / np.sqrt(flow.n_harm - 1)  # not significantly positive (one-sided 5 %)


# --- R25: Koks & Thissen (2016), regions that rebuild a flooded region gain -----------------------
#
# MRIA (Rotterdam floods): neighbouring regions gain (reconstruction demand plus displaced production), distant ones
# lose slightly (inefficiency costs). Jilin borders both other provinces and the table has no distances, so
# "neighbour" is read as the trade relation MRIA substitutes along: who sells Jilin its construction (27).
#
# Flood sizes: on the default model a flood of 1-5 % of Jilin's capital is a gain for Jilin itself over the year
# (+33.6, +57.0, +12.3 bn CNY at 1, 2, 5 %): overproduction up to 1/u (NBS 2017 utilisation, 1.22-1.32) covers the
# lost capacity and the rebuilding is demand (with alpha_max 1.0 every region loses: Jilin -47.8 bn at 1 %, LN -1.7,
# ROC -5.0). The flooded region loses from 10 % on, so the default model is tested at 10, 20 and 30 %; ario, whose
# overproduction builds up over a year, loses at 1 % and keeps its published sizes.

R25_FLOODS = {"default": (0.1, 0.2, 0.3), "ario": (0.01, 0.02, 0.05)}


@functools.cache
def _flood_gains(table, base: str, curve: str) -> dict[str, np.ndarray]:
    """Output gained (+) or lost (-) per region over 365 days when a share of Jilin's capital is destroyed on day 5.

    ``curve`` ``rebuild``: construction (27) rebuilds it; ``linear``: it comes back over 120 days without
    rebuilding demand.
    """
    recovery = {"curve": "rebuild", "sectors": {"27": 1.0}} if curve == "rebuild" else {"curve": "linear", "days": 120}
    m = build_model(table, resolve_params({"base": base}))
    sets = [[{"type": "capacity_loss", "region": "JL", "sector": "all", "basis": "capital", "share": s,
              "start": 5, "duration": 1, "recovery": recovery}] for s in R25_FLOODS[base]]
    arr = Engine(m, sets).run(365)
    assert (arr.crash_day < 0).all()
    gain = (arr.output - m.xbar[: m.n][None, None, :]).sum(axis=0)
    regions = np.array([r for r, _ in table.labels])
    out = {r: gain[:, regions == r].sum(axis=1) for r in table.region_codes}
    for v in out.values():
        v.setflags(write=False)
    return out


def _construction_sellers(table) -> tuple[list[str], list[str]]:
    """Regions selling Jilin more than 10 % of its construction (27), and those selling it less than 1 %."""
    S, r_jl = table.n_sectors, table.region_index("JL")
    jl = slice(r_jl * S, (r_jl + 1) * S)
    bought = np.array([np.asarray(table.Z)[r * S + table.sector_codes.index("27"), jl].sum()
                       for r in range(table.n_regions)])
    share = dict(zip(table.region_codes, bought / bought.sum(), strict=True))
    builders = [r for r in table.region_codes if r != "JL" and share[r] > 0.1]  # LN 21 %, ROC 32 %
    idle = [r for r in table.region_codes if r != "JL" and share[r] < 0.01]  # HLJ 0.3 %
    assert builders and idle
    return builders, idle


@pytest.mark.parametrize("base", ["default", "ario"])
def test_r25_regions_that_rebuild_a_flooded_province_gain(table, base):
    # Default (10/20/30 %, bn CNY): Jilin -102.5, -380.6, -699.0; LN +256.5, +320.3, +328.7; ROC +835.3, +1505.4,
    # +2134.5. ario (1/2/5 %): Jilin -15.9, -34.1, -100.1; LN +2.2, +4.3, +10.1; ROC +4.5, +8.9, +21.6.
    builders, _ = _construction_sellers(table)
    rebuilt, plain = _flood_gains(table, base, "rebuild"), _flood_gains(table, base, "linear")
    assert np.all(rebuilt["JL"] < 0)
    for r in builders:
        assert np.all(rebuilt[r] > 0)
        assert np.all(rebuilt[r] > plain[r])  # the gain is the rebuilding demand they serve


def test_r25_displaced_production_without_rebuilding(table):
    # MRIA's second channel: a neighbour takes over part of the flooded region's production. The default model
    # (switching of homogeneous goods, spare capacity up to 1/u): without rebuilding demand Jilin loses 60.8, 122.6,
    # 185.4 bn CNY and ROC gains 13.8, 27.0, 39.3 (HLJ +0.15 to +0.25; LN -0.8, -1.8, -3.0). ario has no such gain
    # (every region loses), nor had the model before issue #16.
    plain = _flood_gains(table, "default", "linear")
    assert np.all(plain["JL"] < 0)
    others = np.array([plain[r] for r in table.region_codes if r != "JL"])
    assert np.all(others.max(axis=0) > 0)
    assert np.all(others.sum(axis=0) < -plain["JL"])  # less than Jilin loses: production moves, it is not created


@pytest.mark.parametrize("base", [
    pytest.param("default", marks=pytest.mark.xfail(strict=True, reason=(
        "On the default model the region that sells Jilin no construction (HLJ, 0.3 %) gains too: +20.2, +31.8, "
        "+40.7 bn CNY with rebuilding at 10/20/30 % (Jilin -102.5, -380.6, -699.0), +0.15 to +0.25 without. "
        "Rebuilding demand reaches it upstream (materials for the builders) and spare capacity (1/u) lets it serve "
        "that demand; a "
        "fixed-price IO model has no inefficiency cost, the channel through which MRIA's distant regions lose."))),
    "ario",
])
def test_r25_the_others_lose_slightly(table, base):
    # ario (1/2/5 %): HLJ -0.09, -0.20, -0.71 bn CNY, 0.6-0.7 % of Jilin's loss: it loses its sales to Jilin.
    _, idle = _construction_sellers(table)
    rebuilt = _flood_gains(table, base, "rebuild")
    for r in idle:
        assert np.all(rebuilt[r] < 0)
        assert np.all(np.abs(rebuilt[r]) < 0.05 * np.abs(rebuilt["JL"]))


# --- R26: Guan et al. (2020), simultaneous lockdowns cost more than the same lockdowns one region at a time
#
# Guan et al.: the losses of lockdowns depend largely on the number of countries locking down. As REFERENCE's sign
# test: each of the 42 industries loses half of its capacity for a while, in one region at a time (the four
# regions' losses summed) or in all four at once; Northeast output over 130 days. Locked alone, a region's buyers
# turn to the other regions' producers and live on their stocks; locked everywhere, nobody replaces it, and the
# difference shows once the lockdown outlasts the buyers' stocks.

LOCKDOWN_DAYS = {"default": (7, 60), "ario": (30, 60)}
LOCKDOWN_HORIZON = 130
LOCKDOWN_SHARE = 0.5


@functools.cache
def _lockdown_losses(table, base: str) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Northeast output lost (days of its output over 130 days) per locked industry: one region at a time (summed
    over the regions) and every region at once, for each lockdown duration of ``LOCKDOWN_DAYS[base]``."""
    m = build_model(table, resolve_params({"base": base}))
    regions = list(table.region_codes)
    groups = [[r] for r in regions] + [regions]
    durations = LOCKDOWN_DAYS[base]
    sets = [[{"type": "capacity_loss", "region": g, "sector": p, "basis": "capacity", "share": LOCKDOWN_SHARE,
              "start": 10, "duration": d, "recovery": {"curve": "linear", "days": 1.0}}]
            for d in durations for p in table.sector_codes for g in groups]
    ne = _ne_mask(table)
    out = []
    for i in range(0, len(sets), 32):  # batches of 32 members: one batch of 420 runs many times slower
        arr = Engine(m, sets[i:i + 32]).run(LOCKDOWN_HORIZON)
        assert (arr.crash_day < 0).all()
        out.append(arr.output[:, :, ne])
    xbar = m.xbar[: m.n][ne]
    loss = (xbar[None, None, :] - np.concatenate(out, axis=1)).sum(axis=(0, 2)) / xbar.sum()
    loss = loss.reshape(len(durations), table.n_sectors, len(groups))
    return {d: (loss[k, :, :-1].sum(axis=1), loss[k, :, -1]) for k, d in enumerate(durations)}


@pytest.mark.parametrize("base", ["default", "ario"])
def test_r26_simultaneous_lockdowns_cost_more_once_they_outlast_inventories(table, base):
    # 60 days outlast most stocks (a buyer losing half of an input lives about twice its stock days on it):
    # default +51 % (96.1 -> 145.3 days), more in 28 of the 42 industries; ario +102 % (85.7 -> 172.9), 41.
    separate, together = _lockdown_losses(table, base)[60]
    assert together.sum() > 1.15 * separate.sum()
    assert (together > 1.01 * separate).sum() > table.n_sectors // 2
    if base == "ario":
        # ario's flat 90-day stocks bind below psi: half an input lasts (1 - psi) 90 / 0.5 = 36 days, so 30-day
        # lockdowns are additive wherever they are (measured -0.4 %)
        separate, together = _lockdown_losses(table, base)[30]
        assert abs(together.sum() / separate.sum() - 1.0) < 0.03


def test_r26_a_week_outlasts_only_the_stocks_of_flow_inputs_and_transport(table):
    # The default model's stocks differ by product, so one duration separates the two cases. A 7-day lockdown at
    # half capacity outlasts a buyer's stock of s days when 0.5 x 7 > s - cover (one day): electricity and heat,
    # gas, water (2 days) and transport (3 days). Locked everywhere they cost 1.9 to 3.1 times as much as one region
    # at a time (0.81 -> 1.54 days for 24); every other industry costs at most as much (together / separate
    # 0.70-1.00: a locked province also stops buying from the others, counted once when they are locked together).
    # Total: +26 % (5.77 -> 7.27 days).
    m = build_model(table, resolve_params(None))
    stock_days = np.asarray(m.inv_days[: table.n_sectors])
    separate, together = _lockdown_losses(table, "default")[7]
    outlasted = LOCKDOWN_SHARE * 7 > stock_days - m.params.cover_days
    assert 0 < outlasted.sum() < table.n_sectors // 2  # the evidence table: 24, 25, 26 and 29
    assert np.all(together[outlasted] > 1.5 * separate[outlasted])
    assert np.all(together[~outlasted] <= 1.01 * separate[~outlasted])
    assert together.sum() > separate.sum()
