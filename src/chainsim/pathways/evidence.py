"""Published evidence behind the lever values: cited sources and per-product-class value ranges.

A lever's value at full intensity (θ = 1) is not one round number: it is an
:class:`EvidenceRange` — a central value, a plausible range and the sources it comes from —
and where the evidence differs by product it is given per **product class** (domestic
substitution of chip-making equipment is not substitution of steel). Which class applies to
a scenario follows from the products the scenario's disruptions make scarce
(:func:`disrupted_products`, :func:`choose_range`).

Every source is marked ``F`` (a figure found in the cited publication) or ``I`` (an
inference or arithmetic from found figures, shown in the range's ``basis``). The figures were
collected for chainsim in 2025–26 from the publications named here; Chinese news items often
survive only as reposts, so the URL is the copy that was read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from chainsim.disruptions import DISRUPTIONS

__all__ = ["SOURCES", "EvidenceRange", "Source", "choose_range", "disrupted_products", "triangular_ppf"]


@dataclass(frozen=True)
class Source:
    """One cited publication and the figure taken from it.

    Attributes
    ----------
    key : str
        Short identifier used by :class:`EvidenceRange`.
    citation : str
        Author or outlet, title, date.
    url : str
        Where the figure was read.
    finding : str
        The figure, in one sentence.
    status : {"F", "I"}
        ``F`` found in the source; ``I`` inferred (the reasoning is in the finding).
    """

    key: str
    citation: str
    url: str
    finding: str
    status: Literal["F", "I"] = "F"


_SOURCES = (
    Source("boehm2019", "Boehm, Flaaen & Pandalai-Nayar (2019), Input linkages and the transmission of shocks: "
           "firm-level evidence from the 2011 Tōhoku earthquake, Review of Economics and Statistics 101(1)",
           "https://ssrn.com/abstract=2684649",
           "US affiliates of Japanese firms cut US output roughly one-for-one with the drop in Japanese imports: "
           "inputs were not substituted (Leontief) in the months after the shock."),
    Source("korea_hf_2019", "KITA/Nikkei, MOTIE, Kyodo and Korean press on the July 2019 Japanese export "
           "controls (hydrogen fluoride, photoresist, fluorinated polyimide)",
           "https://fluoridealert.org/news/with-judo-move-korea-flips-script-on-3-key-materials-saga/",
           "Korean HF imports from Japan fell from 3,026 t (Jun 2019) to 0 t (Aug 2019); on 2 Jan 2020 (about "
           "6 months after the cut) MOTIE said a Korean maker mass-produced high-purity HF covering a reported "
           "70-80 % of demand; SK Materials began 5N HF gas mass production on 17 Jun 2020 (about 11 months), "
           "targeting 70 % localisation by 2023. Total HF imports fell about 50 % while Japan's share of them "
           "fell from 32.2 % to 12.8 %."),
    Source("ic_insights_2020", "IC Insights, quoted in Wired (2023), 'Act of war: inside America's silicon "
           "blockade of China'", "https://viraltechonly.com/2023/07/13/act-of-war-inside-americas-silicon-"
           "blockade-of-china/",
           "Domestic producers supplied 15.9 % of China's chip demand in 2020."),
    Source("caixin_2025_equipment", "Caixin Global, 13 Oct 2025, summarising the US House Select Committee "
           "report on chip-equipment exports", "https://www.caixinglobal.com/2025-10-13/us-house-panel-urges-"
           "tighter-curbs-on-chip-equipment-exports-to-china-102371082.html",
           "The domestic share of China's semiconductor-equipment market was 21 % in Q2 2025, up to 40 % in "
           "new production lines."),
    Source("cnc_localisation", "中商产业研究院, via 中国机床网 (2025-03-06; secondary source)",
           "http://www.bwgclm.cn/news/chanye/20250306/123453274123569282234523_7.shtml",
           "Localisation rate of CNC machine tools in China: about 6 % high-end, 65 % mid-range, 82 % low-end."),
    Source("miit_robots_2025", "MIIT data reported Nov 2025 (via itbear)",
           "https://www.itbear.com.cn/html/2025-11/1019620.html",
           "Domestic brands' share of China's industrial-robot market rose from 35 % (2020) to 58.5 % (2024)."),
    Source("sensors_import", "'20 high-tech products China depends on' (secondary, low weight)",
           "https://cdn.www.gladcc.com/article/1858793057220251649",
           "About 80 % of mid- and high-end sensors are imported (domestic share about 20 %)."),
    Source("aec_q100", "TDK, PPAP FAQ on AEC-Q100/Q200 qualification",
           "https://product.tdk.com/en/contact/faq/capacitors-0126.html",
           "Qualification test phases of automotive electronic components run up to 1,000 h (about 6 weeks); "
           "a 6-week slip cascades into 12-20 weeks (vendor blog, low weight)."),
    Source("tier1_qualification", "Tier-1 automotive supplier qualification checklist (practitioner, low weight)",
           "https://eatsip365.com/tier-1-automotive-supplier-qualification-checklist",
           "Qualifying a tier-1 automotive supplier takes 60-90 business days (84-126 calendar days)."),
    Source("hf_line_change", "Hankyoreh via Guancha, 15 Jul 2019",
           "http://www.xcctv.cn/news/touzi/2019/0715/193480.html",
           "Changing a process chemical (HF) in a fab takes about 6 months of line stabilisation."),
    Source("photoresist_qualification", "TrendForce / The Elec on Dongwoo Fine-Chem",
           "https://trendforce.com/news/tag/dongwoo",
           "Customer verification and line adjustment for a new photoresist take 1-3 years."),
    Source("chip_lead_times", "Dalroad (2022), The chip shortage crisis continues to disrupt automakers",
           "https://www.dalroad.com/resources/the-chip-shortage-crisis-continues-to-disrupt-automakers-how-"
           "should-they-respond/",
           "Chip lead times averaged 27 weeks in the 2021-22 shortage, more than 70 weeks for some parts."),
    Source("nbs_utilisation_2017", "NBS, industrial capacity utilisation 2017 (release of 19 Jan 2018)",
           "http://www.ctei.cn/news/domestic/gnzx/201801/t20180120_3666031.htm",
           "Capacity utilisation 77.0 % for all industry in 2017 (manufacturing 77.5 %; autos 82.2 %, "
           "computers/electronics 80.1 %, general equipment 76.7 %, special equipment 76.3 %): a sustained "
           "headroom 1/u of about 1.30."),
    Source("mrario", "Stanford Urban Resilience Initiative (2023), MR-ARIO input tables",
           "https://github.com/tingerzhu/MR-ARIO",
           "Overproduction α_max mean 1.10 (range 1.05-1.5); its time constant 6 months (0.5-12)."),
    Source("hallegatte2008", "Hallegatte (2008), An adaptive regional input-output model and its application "
           "to the assessment of the economic cost of Katrina, Risk Analysis 28(3), 779-799; BoARIO defaults",
           "https://doi.org/10.1111/j.1539-6924.2008.01046.x",
           "α_max = 1.25 and τ_α = 365 days; overproduction capacity and adaptation time are the most "
           "influential parameters."),
    Source("boario_sensitivity", "Juhel, BoARIO-Sensitivity parameter space",
           "https://github.com/spjuhel/BoARIO-Sensitivity", "τ_α is tested at 90 and 365 days."),
    Source("renesas_2021", "SemiMedia / Evertiq on the Renesas Naka N3 fire of 19 Mar 2021",
           "https://www.semimedia.cc/9945.html",
           "Restart on 17 Apr at under 10 % of capacity, 88 % by end of May, 100 % on 24 Jun: about 10 weeks "
           "from restart to full capacity, 97 days after the fire against a plan of about 73."),
    Source("renesas_2011", "Strategy Analytics (15 Jul 2011); Nikkei Asia (11 Mar 2021) on Renesas Naka after "
           "the 2011 earthquake", "https://asia.nikkei.com/Business/Tech/Semiconductors/Fukushima-quake-shows-"
           "chipmaker-Renesas-value-of-resilience",
           "First estimate 6 months to restore the clean room; back online in about 3 months, helped by "
           "competitors letting Renesas jump the equipment queue."),
    Source("toyota_2011", "Toyota 75-year history; Claims Journal (7 Oct 2011)",
           "https://amp.claimsjournal.com/news/international/2011/10/07/192606.htm",
           "Initial guidance for a return to normal was November-December 2011; global production was back "
           "to pre-quake levels in September (about 6 months)."),
    Source("shanghai_2022_autos", "Guangming Daily, 13 May 2022",
           "https://economy.gmw.cn/2022-05/13/content_35732573.htm",
           "SAIC began restart 'pressure tests' on 18 Apr 2022; by 13 May SAIC's plants and Tesla were fully "
           "restarted with more than 1,100 parts suppliers (about 4 weeks to continuous production)."),
    Source("changchun_2022_faw", "Changchun MIIT bureau notice (13 Mar 2022), via 阿诗画",
           "https://ashea.com.cn/guandian/2022/0313/578726.html",
           "FAW stopped its five Changchun assembly plants on 13 Mar 2022, two days after closed-off "
           "management began on 11 Mar."),
    Source("nbs_inventory_days", "NBS, finished-goods inventory turnover days of industrial enterprises above "
           "designated size (China Daily 26 Jan 2018; NBS Jan-Oct 2018; Xinhua May 2021; NBS Aug 2023)",
           "http://caijing.chinadaily.com.cn/2018-01/26/content_35588062.htm",
           "14.4 days in 2017, 17.1 at end-Oct 2018, 18.3 at end-Mar 2021, about 20.4 in Aug 2023; raw "
           "materials are about as large as finished goods by value (Beijing NBS, Jan-Apr 2017: 788.4 vs "
           "828.8 亿 yuan), which puts input stocks near 17 days of use, 25-35 days with work in progress."),
    Source("photoresist_stocks", "ETnews (2021), via coron.tech",
           "https://gate.coron.tech/news/174813202251043083566",
           "Foundry photoresist stocks are usually about 3 months and fell to about 2 months in the 2021 "
           "shortage."),
    Source("crude_import_share", "NBS national input-output tables 2017 (149 sectors) and 2020 (153 sectors), "
           "as republished in the R package ionet (Carol-seven/ionet)", "https://github.com/Carol-seven/ionet",
           "Imports of crude oil and natural gas were 51.1 % of China's domestic use in 2017 and 57.7 % in 2020: "
           "the exposure rose."),
    Source("firm_recovery_shape", "Inference from the Renesas 2011/2021/2022 and Toyota 2011 timelines",
           "", "Firm-level recovery after physical damage: 2-3 weeks at zero, then a ramp to about 90 % over "
           "6-10 weeks; an exponential reaching 90 % in 42-70 days has τ = t / ln 10 = 18-30 days.", "I"),
)

#: Cited sources by key.
SOURCES: MappingProxyType[str, Source] = MappingProxyType({s.key: s for s in _SOURCES})


@dataclass(frozen=True)
class EvidenceRange:
    """A lever's value at full intensity for one product class, with its plausible range and sources.

    Attributes
    ----------
    full : float
        Central value at θ = 1 (the mode of the draws).
    low, high : float
        Plausible range of the full value (``low <= full <= high``); draws are triangular on it.
    basis : str
        How the numbers follow from the sources (inferences say so).
    sources : tuple of str
        Keys of :data:`SOURCES`.
    products : tuple of str
        NBS product codes of the class; empty for the default (every other product).
    label : str
        Name of the product class.
    """

    full: float
    low: float
    high: float
    basis: str
    sources: tuple[str, ...]
    products: tuple[str, ...] = ()
    label: str = "all products"

    def __post_init__(self) -> None:
        if not self.low <= self.full <= self.high:
            raise ValueError(f"evidence range for {self.label}: expected low <= full <= high; "
                             f"found {self.low}, {self.full}, {self.high}")
        unknown = [k for k in self.sources if k not in SOURCES]
        if unknown:
            raise ValueError(f"evidence range for {self.label}: unknown source key(s) {unknown}")

    def quantile(self, u: float) -> float:
        """The full value at quantile ``u`` of the triangular distribution (low, full, high).

        Examples
        --------
        >>> r = EvidenceRange(1.0, 0.0, 2.0, "", ())
        >>> r.quantile(0.5), r.quantile(0.0), r.quantile(1.0)
        (1.0, 0.0, 2.0)
        """
        if self.high == self.low:
            return float(self.full)
        return triangular_ppf(float(u), self.low, self.full, self.high)


def triangular_ppf(u: float, low: float, mode: float, high: float) -> float:
    r"""Quantile ``u`` of the triangular distribution on ``[low, high]`` with mode ``mode`` (``low < high``).

    The inverse of its CDF (Johnson, Kotz & Balakrishnan 1995, *Continuous Univariate
    Distributions* vol. 2, ch. 26): with :math:`c = (m - a) / (b - a)`,
    :math:`x = a + (b - a)\sqrt{c\,u}` for :math:`u < c`, else
    :math:`x = a + (b - a)\,[1 - \sqrt{(1 - c)(1 - u)}]`. Written in the same floating-point
    steps as ``scipy.stats.triang.ppf(u, c, loc=a, scale=b - a)`` (``scipy/stats/_continuous_distns.py``),
    so the two agree bit for bit (``tests/test_evidence_draws.py``), without importing
    ``scipy.stats`` (0.6-0.7 s) for six lever draws.

    Examples
    --------
    >>> triangular_ppf(0.5, 0.0, 1.0, 2.0), triangular_ppf(0.0, 0.0, 1.0, 2.0), triangular_ppf(1.0, 0.0, 1.0, 2.0)
    (1.0, 0.0, 2.0)
    """
    import math

    if not 0.0 <= u <= 1.0:
        raise ValueError(f"triangular_ppf: expected a quantile in [0, 1]; found {u}")
    scale = high - low
    c = (mode - low) / scale
    if u == 0.0:
        return float(0.0 * scale + low)
    if u == 1.0:
        return float(1.0 * scale + low)
    z = math.sqrt(c * u) if u < c else 1.0 - math.sqrt((1.0 - c) * (1.0 - u))
    return float(z * scale + low)


def disrupted_products(disruptions: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """NBS codes of the products a scenario's disruptions make scarce (``"all"`` for every product).

    Each disruption type says which (:meth:`chainsim.disruptions.Disruption.scarce_products`):
    import cuts and link cuts make their ``product`` scarce, capacity losses their ``sector``'s
    output; congestion and final-demand shocks name no product (empty).

    Examples
    --------
    >>> disrupted_products([{"type": "import_cut", "product": "20"}, {"type": "congestion"}])
    ('20',)
    """
    out: list[str] = []
    for d in disruptions:
        kind = d.get("type")
        cls = DISRUPTIONS.get(kind) if isinstance(kind, str) else None
        for code in ([] if cls is None else cls.scarce_products(d)):
            if code not in out:
                out.append(code)
    return tuple(out)


def choose_range(ranges: Sequence[EvidenceRange], products: Sequence[str], baseline: float
                 ) -> tuple[EvidenceRange, str | None]:
    """The evidence range that applies to a scenario's scarce products, and a note when it had to choose.

    Each product takes its class (or the default range). When the products fall into classes
    with different values, the class whose full value is closest to the baseline — the least
    effect — applies (the engine takes one value per run), and the note says so.

    Parameters
    ----------
    ranges : sequence of EvidenceRange
        A lever's ranges; exactly one has no ``products`` (the default).
    products : sequence of str
        From :func:`disrupted_products` (``"all"`` means every class).
    baseline : float
        The lever's baseline value.
    """
    default = next(r for r in ranges if not r.products)
    if len(ranges) == 1:
        return default, None
    if "all" in products:
        chosen = list(ranges)
    else:
        chosen = []
        for p in products:
            r = next((r for r in ranges if p in r.products), default)
            if r not in chosen:
                chosen.append(r)
    if not chosen:
        return default, None
    if len(chosen) == 1:
        return chosen[0], None
    pick = min(chosen, key=lambda r: abs(r.full - baseline))
    labels = ", ".join(r.label for r in chosen)
    return pick, f"products in several classes ({labels}): the least effective, {pick.label}, applies"
