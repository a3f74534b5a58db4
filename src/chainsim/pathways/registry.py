"""The five policy pathways of Xiao & Xiao (2023) as named lever bundles, with values from evidence.

Each pathway (路径) is a bundle of *levers*; a lever moves one model quantity from its
baseline value (intensity θ = 0, chainsim's default model) towards its value at full
intensity (θ = 1): ``value(θ) = baseline + θ (full − baseline)``. The full value is not a
round number: it is an :class:`~chainsim.pathways.evidence.EvidenceRange` — what a
documented programme or episode achieved, with a plausible range and its sources — given per
product class where the evidence differs by product. θ is therefore the *share of the
documented achievement* a pathway delivers; comparing pathways at the same θ compares them at
equal effort in that sense (``docs/pathways.md``).

Every lever records the sentence of the paper it comes from; a user who disagrees with a
number overrides it in YAML (``pathways.levers.<pathway>.<lever>: value``).

References
----------
.. [1] 肖兴志, 肖伟 (2023). 以东北全面振兴提升我国产业体系韧性的战略思路与路径选择.
   (Xiao X. & Xiao W., Strategic thinking and path choices for improving the resilience of
   China's industrial system through the comprehensive revitalisation of Northeast China.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from chainsim.data.classification import FOSSIL_ENERGY, HIGH_TECH, MANUFACTURING
from chainsim.pathways.evidence import EvidenceRange, choose_range

__all__ = ["LEVERS", "PATHWAYS", "Lever", "Pathway"]



@dataclass(frozen=True)
class Lever:
    """One model quantity a pathway moves, with the evidence for its values.

    Attributes
    ----------
    name : str
        Lever name used in YAML overrides.
    target : str
        What it changes: a model parameter (``params.<field>``) or a disruption transform
        (``disruptions.<transform>``).
    baseline : float
        Value at intensity 0: chainsim's default model.
    unit : str
        Unit of the value.
    description : str
        What the lever does in the model.
    quote_zh : str
        The sentence of the paper it comes from.
    section : str
        Section of the paper.
    evidence : tuple of EvidenceRange
        The value at full intensity and its range, per product class (one default range
        without products, first).
    baseline_basis : str
        Where the baseline value comes from (or that it is an assumption).
    sectors : tuple of str
        NBS sectors the lever applies to (empty: all).
    combine : {"shift", "scale"}
        How the lever moves the scenario's own value of its target: ``shift`` adds
        ``value − baseline``; ``scale`` multiplies by ``value`` (baseline 1).
    """

    name: str
    target: str
    baseline: float
    unit: str
    description: str
    quote_zh: str
    section: str
    evidence: tuple[EvidenceRange, ...]
    baseline_basis: str
    sectors: tuple[str, ...] = ()
    combine: Literal["shift", "scale"] = "shift"

    def __post_init__(self) -> None:
        if sum(1 for r in self.evidence if not r.products) != 1:
            raise ValueError(f"lever {self.name}: expected exactly one default evidence range (no products)")

    @property
    def default(self) -> EvidenceRange:
        """The evidence range for products outside every named class."""
        return next(r for r in self.evidence if not r.products)

    @property
    def full(self) -> float:
        """Central value at full intensity for the default product class."""
        return self.default.full

    @property
    def rationale(self) -> str:
        """Why the default full value: the basis of the default evidence range."""
        return self.default.basis

    def range_for(self, products: Sequence[str] = ()) -> tuple[EvidenceRange, str | None]:
        """The evidence range for a scenario's scarce products (see :func:`choose_range`)."""
        return choose_range(self.evidence, products, self.baseline)

    def value(self, intensity: float, full: float | None = None) -> float:
        """Lever value at intensity θ (``full`` overrides the full-intensity value)."""
        top = self.full if full is None else full
        return self.baseline + float(intensity) * (top - self.baseline)


@dataclass(frozen=True)
class Pathway:
    """A named policy pathway: English and Chinese names, the paper's section, its levers."""

    name: str
    name_zh: str
    title_en: str
    section: str
    levers: tuple[str, ...]


def _ev(full: float, low: float, high: float, basis: str, *sources: str, products: tuple[str, ...] = (),
        label: str = "all other products") -> EvidenceRange:
    return EvidenceRange(full, low, high, basis, tuple(sources), products, label)


ELECTRONICS, SPECIAL_EQ, GENERAL_EQ, INSTRUMENTS = ("20",), ("17",), ("16",), ("21",)
_L_ELEC = "electronics and components (NBS 20: chips, ICs)"
_L_SPEC = "special equipment (NBS 17: incl. chip-making equipment)"
_L_GEN = "general equipment (NBS 16: incl. CNC machine tools, industrial robots)"
_L_INST = "instruments (NBS 21: incl. sensors)"

_L = [
    Lever("substitution_share", "params.substitution_share", 0.0, "share of the cut",
          "Domestic producers of the same product can replace up to this share of an imported input lost "
          "to an import cut (卡链), after a lag and a ramp (it acts on the imported-only row of a product "
          "with a substitutable share σ < 1: the substitutable share is already replaced through the "
          "order split).",
          "这有利于在关键核心技术领域及时缩短“卡脖子”技术清单长度", "一 (科技自立自强)",
          (
              _ev(0.5, 0.3, 0.7, "Korea 2019 (a mature-node chemical under a national programme): domestic "
                  "supply covered a reported 70-80 % of HF demand 6 months after the cut and targeted 70 % "
                  "localisation in 4 years; taken as about half of a cut replaced within a year for mature "
                  "differentiated products [I].", "korea_hf_2019"),
              _ev(0.16, 0.05, 0.30, "Domestic producers supplied 15.9 % of China's chip demand in 2020: the "
                  "share a programme has reached for the product that binds [I from F]; 0.05 for "
                  "lithography/EUV-class items, 0.3 for equipment in general.", "ic_insights_2020",
                  products=ELECTRONICS, label=_L_ELEC),
              _ev(0.21, 0.10, 0.40, "The domestic share of China's chip-equipment market was 21 % in Q2 2025, "
                  "up to 40 % in new lines [F].", "caixin_2025_equipment", products=SPECIAL_EQ, label=_L_SPEC),
              _ev(0.35, 0.06, 0.65, "Domestic brands held 35 % of China's industrial-robot market in 2020 "
                  "(58.5 % in 2024) [F]; CNC localisation is about 6 % high-end and 65 % mid-range [F].",
                  "miit_robots_2025", "cnc_localisation", products=GENERAL_EQ, label=_L_GEN),
              _ev(0.20, 0.05, 0.30, "About 80 % of mid- and high-end sensors are imported (low-weight "
                  "source) [F]; the range follows electronics.", "sensors_import", "ic_insights_2020",
                  products=INSTRUMENTS, label=_L_INST),
          ),
          "No domestic substitution at baseline: after the 2011 Tōhoku shock firms cut output one-for-one "
          "with lost imported inputs for months (Boehm et al. 2019) [F]."),
    Lever("substitution_lag_days", "params.substitution_lag_days", 365.0, "days",
          "Days from the start of an import cut until domestic substitution begins to ramp up.",
          "以关键核心技术攻关为目标导向,建立跨地域、跨部门、跨学科的资源整合机制", "一 (科技自立自强)",
          (
              _ev(180.0, 90.0, 330.0, "Korea 2019: mass production of high-purity HF announced about 6 months "
                  "after the cut, 5N HF gas at about 11 months [F]; 3-6 months before any domestic volume "
                  "[I].", "korea_hf_2019"),
              _ev(190.0, 180.0, 365.0, "Chip lead times averaged 27 weeks (190 days) in the 2021-22 "
                  "shortage [F]; changing a process input in a fab takes about 6 months of line "
                  "stabilisation [F]; up to a year.", "chip_lead_times", "hf_line_change",
                  products=ELECTRONICS, label=_L_ELEC),
              _ev(365.0, 180.0, 365.0, "Verification of lithography-class inputs (photoresist) takes 1-3 "
                  "years [F]: a programme does not bring chip-making equipment within the first year; 180 "
                  "days for the etch and deposition tools behind the 21 % domestic share [I].",
                  "photoresist_qualification", "caixin_2025_equipment", products=SPECIAL_EQ, label=_L_SPEC),
              _ev(180.0, 90.0, 365.0, "Mid-range CNC (65 % localised) and robots (35-58 % domestic) have "
                  "domestic makers; qualifying engineered parts takes 2-4 months, precision parts a year "
                  "or more [I].", "cnc_localisation", "miit_robots_2025", "tier1_qualification",
                  products=GENERAL_EQ, label=_L_GEN),
              _ev(270.0, 180.0, 365.0, "As electronics, with fewer domestic makers of high-end sensors [I].",
                  "sensors_import", "chip_lead_times", products=INSTRUMENTS, label=_L_INST),
          ),
          "No domestic volume within the first year without a programme (Boehm et al. 2019; Korea needed "
          "6-11 months even with one) [I]."),
    Lever("criticality_relief", "params.criticality_relief", 0.0, "share",
          "Share of the 'critical' ratings of high-tech inputs (NBS 16, 17, 19, 20, 21) downgraded to "
          "'important' (binding half): key core technologies mastered at home.",
          "这有利于在关键核心技术领域及时缩短“卡脖子”技术清单长度", "一 (科技自立自强)",
          (
              _ev(0.2, 0.06, 0.585, "A programme that masters a domestic share s of a critical input "
                  "downgrades about s of its critical ratings [I]; the shares of the critical high-tech items "
                  "are 6 % (high-end CNC), 15.9 % (chips), 21 % (chip equipment), 58.5 % (robots) [F].",
                  "cnc_localisation", "ic_insights_2020", "caixin_2025_equipment", "miit_robots_2025"),
              _ev(0.16, 0.05, 0.30, "Domestic chip supply share 15.9 % (2020) [F].", "ic_insights_2020",
                  products=ELECTRONICS, label=_L_ELEC),
              _ev(0.21, 0.10, 0.40, "Domestic chip-equipment share 21 %, 40 % in new lines [F].",
                  "caixin_2025_equipment", products=SPECIAL_EQ, label=_L_SPEC),
              _ev(0.35, 0.06, 0.585, "Domestic robots 35 % (2020) to 58.5 % (2024); high-end CNC 6 % [F].",
                  "miit_robots_2025", "cnc_localisation", products=GENERAL_EQ, label=_L_GEN),
              _ev(0.20, 0.05, 0.30, "About 20 % of mid- and high-end sensors made at home [F, low weight].",
                  "sensors_import", products=INSTRUMENTS, label=_L_INST),
          ),
          "The criticality survey as it is (Pichler et al. 2022): no rating changed.", HIGH_TECH),
    Lever("import_headroom", "params.import_headroom", 1.0, "x baseline imports",
          "Capacity of each foreign origin relative to its baseline sales: alternative origins (Belt and "
          "Road, Russia/Mongolia, RCEP) can scale up to replace a cut origin.",
          "构建更加多元稳定的国际经济格局和经贸关系", "二 (高水平对外开放)",
          (
              _ev(1.3, 1.0, 1.5, "Sustained headroom 1/u = 1.30 at 77 % capacity utilisation (NBS 2017, a "
                  "proxy for suppliers' spare capacity) [I]; 1.0: in Korea 2019 the HF imports from origins "
                  "other than Japan did not rise (from 67.8 % to 43.6 % of the pre-cut total) [I from F]; "
                  "1.5: MR-ARIO's upper overproduction bound [F].",
                  "nbs_utilisation_2017", "korea_hf_2019", "mrario"),
          ),
          "An origin can sell no more than its baseline sales (chainsim's default model)."),
    Lever("search_days", "params.search_days", 45.0, "days",
          "Days a buyer needs to find and qualify new suppliers (other provinces or origins) after a shortfall.",
          "畅通商品和要素的跨区域、跨行业自由、快速流动", "二 (高水平对外开放)",
          (
              _ev(14.0, 7.0, 28.0, "Standard and commodity inputs are re-sourced in 1-4 weeks [I]; Korea "
                  "re-sourced photoresist from Belgium within months [F].", "korea_hf_2019"),
              _ev(42.0, 42.0, 45.0, "Qualification tests of electronic components run about 6 weeks (1,000 h) "
                  "[F]: an integrated market cannot shorten qualification below its test time.",
                  "aec_q100", products=ELECTRONICS + INSTRUMENTS,
                  label="electronics and instruments (NBS 20, 21)"),
              _ev(42.0, 42.0, 45.0, "Engineered parts: 6-week qualification tests [F]; tier-1 automotive "
                  "qualification takes 60-90 business days [F, low weight], longer than the baseline.",
                  "aec_q100", "tier1_qualification", products=("16", "18", "19"),
                  label="machinery, vehicles and electrical equipment (NBS 16, 18, 19)"),
              _ev(45.0, 45.0, 45.0, "Verification of chip-making inputs takes 1-3 years [F]: the lever cannot "
                  "shorten it (the baseline's 45 days is itself short for this class).",
                  "photoresist_qualification", products=SPECIAL_EQ, label=_L_SPEC),
          ),
          "About six weeks: the qualification test phase of electronic components (AEC-Q100, 1,000 h) [F]."),
    Lever("alpha_max_manufacturing", "params.alpha_max", 1.25, "x baseline capacity",
          "Maximum overproduction α_max of manufacturing (NBS 06–23): surge capacity of upgraded plants.",
          "坚持“传统产业优化升级”和“加快新质生产力建设”双轮驱动发展模式", "三 (双轮驱动)",
          (
              _ev(1.4, 1.3, 1.5, "Between the sustained headroom 1/u = 1.30 (NBS 2017, 77 % utilisation) and "
                  "MR-ARIO's upper bound 1.5, which overtime surges of modernised lines can reach [I].",
                  "nbs_utilisation_2017", "mrario"),
          ),
          "ARIO's 1.25 (Hallegatte 2008), consistent with NBS 2017 manufacturing utilisation 77.5 % (1/u = "
          "1.29) [F].", MANUFACTURING),
    Lever("alpha_tau_manufacturing", "params.alpha_tau", 30.0, "days",
          "Time constant τ_α of overproduction in manufacturing: how fast surge capacity is mobilised.",
          "推动传统产业转型升级", "三 (双轮驱动)",
          (
              _ev(14.0, 14.0, 30.0, "Shanghai automakers took about 4 weeks to continuous production (2022) "
                  "[F]; Renesas went from under 10 % to full capacity in about 10 weeks (2021) [F]; Toyota "
                  "about 6 months (2011) [F]: the model's 30 days is already at the fast end, and 14 days, the "
                  "low end of overproduction_parameters.csv, is what a modernised line could reach [I].",
                  "renesas_2021", "shanghai_2022_autos", "toyota_2011"),
          ),
          "30 days (14-90, overproduction_parameters.csv; issue #16), between Shanghai's 4 weeks and "
          "Renesas's 10 [F, I]; ARIO's one year (Hallegatte 2008) in the legacy model.", MANUFACTURING),
    Lever("detection_lag_days", "params.detection_lag_days", 14.0, "days",
          "Days between the first binding shortage and the start of a supplier search (information lag); "
          "industrial-internet platforms see shortages almost at once.",
          "加快工业互联网平台建设", "四 (数字化智能化绿色化)",
          (
              _ev(2.0, 1.0, 7.0, "FAW stopped its five Changchun plants two days after closed-off management "
                  "began (2022) [F]: firms that see their supply act within days; a week at most [I].",
                  "changchun_2022_faw"),
          ),
          "Two weeks of reporting delay: an assumption (no published figure found), range 7-30 days."),
    Lever("inventory_scale", "params.inventory_scale", 1.0, "x baseline input stocks",
          "Multiplier on the input stocks (inventory targets) of every product: smart inventory planning "
          "holds more of what binds.",
          "将数字技术赋能、应用到产业链全链条,不断调整和改进生产经营的效率效能", "四 (数字化智能化绿色化)",
          (
              _ev(1.4, 1.2, 2.0, "Chinese industry's finished-goods days rose from 14.4 (2017) to about 20.4 "
                  "(2023), x1.4, as firms held more after supply shocks [I from F]; x1.2 by end-2018; x2.0 = "
                  "the 25-35 days of input stocks with work in progress against 17 days without [I]; "
                  "photoresist stocks are x1.5 their shortage level [F].",
                  "nbs_inventory_days", "photoresist_stocks"),
          ),
          "The model's own input stocks (x1).", combine="scale"),
    Lever("fossil_import_exposure", "disruptions.import_cut_share_factor", 1.0, "x cut share",
          "Multiplier on the share of an import cut of fossil energy (NBS 02, 03, 11): clean energy "
          "replaces part of the exposed supply.",
          "加快清洁低碳能源的推广使用,全方位、多层次构建清洁低碳、安全高效的能源体系", "四 (数字化智能化绿色化)",
          (
              _ev(0.9, 0.7, 1.0, "An assumption: China's import share of crude oil and gas rose from 51.1 % "
                  "(2017) to 57.7 % (2020) [F], so clean energy has not yet cut the exposure; 0.7 is the "
                  "optimistic end.", "crude_import_share"),
          ),
          "The cut as written (x1).", FOSSIL_ENERGY, combine="scale"),
    Lever("recovery_speedup", "disruptions.recovery_days_factor", 1.0, "x recovery days",
          "Multiplier on the recovery time of lost capacity (finance and services for repair).",
          "迅速修复“卡链”“断链”问题,恢复到原有状态或达到新的动态平衡", "五 (融合环境与营商环境)",
          (
              _ev(0.67, 0.5, 1.0, "Toyota 2011 recovered in about 6 months against first guidance of 8-9 "
                  "(x0.67-0.75) [F]; Renesas 2011 in 3 months against a first estimate of 6, with "
                  "competitors' help (x0.5) [F]; Renesas 2021 took 97 days against a plan of about 73 "
                  "(no speed-up, x1) [F].", "toyota_2011", "renesas_2011", "renesas_2021"),
          ),
          "The recovery time as written in the scenario (x1).", combine="scale"),
    Lever("rebuild_tau", "params.rebuild_tau", 60.0, "days",
          "Rebuilding time constant τ_R (credit and approvals for reconstruction).",
          "围绕创新链完善资金链,借助多层次的资本市场力量,促进产业发展", "五 (融合环境与营商环境)",
          (
              _ev(30.0, 18.0, 60.0, "Firms ramp back to about 90 % over 6-10 weeks after physical damage: "
                  "τ = (42-70 days) / ln 10 = 18-30 days [I from F].", "firm_recovery_shape", "renesas_2021",
                  "renesas_2011"),
          ),
          "ARIO's 60 days (Hallegatte 2014; BoARIO default) [F]."),
    Lever("ramp_days", "params.ramp_days", 45.0, "days",
          "Days to ramp orders up to a newly found supplier (contracting and onboarding delay).",
          "通过营造更加优良的营商环境,有效激发和增强市场活力和社会创造力", "五 (融合环境与营商环境)",
          (
              _ev(28.0, 21.0, 45.0, "SAIC and Tesla went from restart tests to full production with 1,100 "
                  "suppliers in about 25 days (Shanghai 2022) [F]; Renesas took about 6 weeks from restart "
                  "to 88 % (2021) [F].", "shanghai_2022_autos", "renesas_2021"),
          ),
          "Six weeks: an assumption of chainsim's default model (range 4-12 weeks)."),
]
LEVERS: MappingProxyType[str, Lever] = MappingProxyType({lv.name: lv for lv in _L})

PATHWAYS: MappingProxyType[str, Pathway] = MappingProxyType({p.name: p for p in (
    Pathway("baseline", "基准", "No policy change", "—", ()),
    Pathway("tech_self_reliance", "科技自立自强", "High-level scientific and technological self-reliance", "一",
            ("substitution_share", "substitution_lag_days", "criticality_relief")),
    Pathway("opening_up", "高水平对外开放", "High-level opening up (abroad and to the national market)", "二",
            ("import_headroom", "search_days")),
    Pathway("dual_wheel", "双轮驱动", "Dual-wheel drive: upgrade traditional industry, new productive forces", "三",
            ("alpha_max_manufacturing", "alpha_tau_manufacturing")),
    Pathway("digital_green", "数字化智能化绿色化", "Digital, intelligent and green transformation", "四",
            ("detection_lag_days", "inventory_scale", "fossil_import_exposure")),
    Pathway("environment", "四链融合与营商环境", "Four-chain integration and business environment", "五",
            ("recovery_speedup", "rebuild_tau", "ramp_days")),
)})
