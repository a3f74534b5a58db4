"""The five policy pathways of Xiao & Xiao (2023) as named, documented lever bundles.

Each pathway (路径) is a bundle of *levers*; a lever moves one model quantity linearly from
its baseline value (intensity θ = 0) to its value at full intensity (θ = 1):
``value(θ) = baseline + θ (full − baseline)``. Every lever records the sentence of the
paper it comes from and why its full-intensity value was chosen, so a user who disagrees
can override the number in YAML (``pathways.levers.<pathway>.<lever>: value``).

The numbers are **modelling assumptions**, not estimates; ``docs/pathways.md`` lists them.

References
----------
.. [1] 肖兴志, 肖伟 (2023). 以东北全面振兴提升我国产业体系韧性的战略思路与路径选择.
   (Xiao X. & Xiao W., Strategic thinking and path choices for improving the resilience of
   China's industrial system through the comprehensive revitalisation of Northeast China.)
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from chainsim.data.classification import FOSSIL_ENERGY, HIGH_TECH, MANUFACTURING

__all__ = ["LEVERS", "PATHWAYS", "Lever", "Pathway"]



@dataclass(frozen=True)
class Lever:
    """One model quantity a pathway moves, with its provenance.

    Attributes
    ----------
    name : str
        Lever name used in YAML overrides.
    target : str
        What it changes: a model parameter (``params.<field>``) or a disruption transform
        (``disruptions.<transform>``).
    baseline, full : float
        Value at intensity 0 and at intensity 1.
    unit : str
        Unit of the value.
    sectors : tuple of str
        NBS sectors the lever applies to (empty: all).
    description : str
        What the lever does in the model.
    quote_zh : str
        The sentence of the paper it comes from.
    section : str
        Section of the paper.
    rationale : str
        Why this full-intensity value.
    """

    name: str
    target: str
    baseline: float
    full: float
    unit: str
    description: str
    quote_zh: str
    section: str
    rationale: str
    sectors: tuple[str, ...] = ()

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


_L = [
    Lever("substitution_share", "params.substitution_share", 0.0, 0.5, "share of the cut",
          "Domestic producers of the same product can replace up to this share of an imported input lost "
          "to an import cut (卡链), after a lag and a ramp.",
          "这有利于在关键核心技术领域及时缩短“卡脖子”技术清单长度", "一 (科技自立自强)",
          "Half of a cut replaced at full intensity: domestic substitutes exist for most 42-sector products "
          "(the rest of China produces every one of them), but quality and scale gaps remain."),
    Lever("substitution_lag_days", "params.substitution_lag_days", 365.0, 60.0, "days",
          "Days from the start of an import cut until domestic substitution begins to ramp up.",
          "以关键核心技术攻关为目标导向,建立跨地域、跨部门、跨学科的资源整合机制", "一 (科技自立自强)",
          "No substitution within a year at baseline; two months with a standing 新型举国体制 programme."),
    Lever("criticality_relief", "params.criticality_relief", 0.0, 1.0, "share",
          "Share of the 'critical' ratings of high-tech inputs (NBS 16, 17, 19, 20, 21) downgraded to "
          "'important' (binding half): key core technologies mastered at home.",
          "这有利于在关键核心技术领域及时缩短“卡脖子”技术清单长度", "一 (科技自立自强)",
          "At full intensity every critical high-tech input becomes important (Pichler et al. 2022 scale).",
          HIGH_TECH),
    Lever("import_headroom", "params.import_headroom", 1.0, 2.0, "x baseline imports",
          "Capacity of each foreign origin relative to its baseline sales: alternative origins (Belt and "
          "Road, Russia/Mongolia, RCEP) can scale up to replace a cut origin.",
          "构建更加多元稳定的国际经济格局和经贸关系", "二 (高水平对外开放)",
          "Doubling at full intensity: other origins can at most match their current sales again."),
    Lever("search_days", "params.search_days", 45.0, 10.0, "days",
          "Days a buyer needs to find and qualify new suppliers (other provinces or origins) after a shortfall.",
          "畅通商品和要素的跨区域、跨行业自由、快速流动", "二 (高水平对外开放)",
          "About six weeks at baseline (supplier qualification); ten days in an integrated national market."),
    Lever("alpha_max_manufacturing", "params.alpha_max", 1.25, 1.5, "x baseline capacity",
          "Maximum overproduction α_max of manufacturing (NBS 06–23): surge capacity of upgraded plants.",
          "坚持“传统产业优化升级”和“加快新质生产力建设”双轮驱动发展模式", "三 (双轮驱动)",
          "ARIO's 1.25 (Hallegatte 2008) raised to 1.5: modernised lines with spare shifts.", MANUFACTURING),
    Lever("alpha_tau_manufacturing", "params.alpha_tau", 365.0, 120.0, "days",
          "Time constant τ_α of overproduction in manufacturing: how fast surge capacity is mobilised.",
          "推动传统产业转型升级", "三 (双轮驱动)",
          "From ARIO's one year to four months.", MANUFACTURING),
    Lever("detection_lag_days", "params.detection_lag_days", 14.0, 2.0, "days",
          "Days between the first binding shortage and the start of a supplier search (information lag); "
          "industrial-internet platforms see shortages almost at once.",
          "加快工业互联网平台建设", "四 (数字化智能化绿色化)",
          "Two weeks of reporting delay at baseline; two days on a platform."),
    Lever("inventory_days", "params.inventory_days", 90.0, 110.0, "days of use",
          "Inventory target s of every input (smart inventory planning holds more of what binds).",
          "将数字技术赋能、应用到产业链全链条,不断调整和改进生产经营的效率效能", "四 (数字化智能化绿色化)",
          "ARIO's 90 days (Hallegatte 2014) plus three weeks."),
    Lever("fossil_import_exposure", "disruptions.import_cut_share_factor", 1.0, 0.7, "x cut share",
          "Multiplier on the share of an import cut of fossil energy (NBS 02, 03, 11): clean energy "
          "replaces part of the exposed supply.",
          "加快清洁低碳能源的推广使用,全方位、多层次构建清洁低碳、安全高效的能源体系", "四 (数字化智能化绿色化)",
          "A 30 % smaller exposure at full intensity.", FOSSIL_ENERGY),
    Lever("recovery_speedup", "disruptions.recovery_days_factor", 1.0, 0.6, "x recovery days",
          "Multiplier on the recovery time of lost capacity (finance and services for repair).",
          "迅速修复“卡链”“断链”问题,恢复到原有状态或达到新的动态平衡", "五 (融合环境与营商环境)",
          "Recovery 40 % faster at full intensity."),
    Lever("rebuild_tau", "params.rebuild_tau", 60.0, 40.0, "days",
          "Rebuilding time constant τ_R (credit and approvals for reconstruction).",
          "围绕创新链完善资金链,借助多层次的资本市场力量,促进产业发展", "五 (融合环境与营商环境)",
          "ARIO's 60 days shortened by a third."),
    Lever("ramp_days", "params.ramp_days", 45.0, 15.0, "days",
          "Days to ramp orders up to a newly found supplier (contracting and onboarding delay).",
          "通过营造更加优良的营商环境,有效激发和增强市场活力和社会创造力", "五 (融合环境与营商环境)",
          "Contracting in two weeks instead of six."),
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
            ("detection_lag_days", "inventory_days", "fossil_import_exposure")),
    Pathway("environment", "四链融合与营商环境", "Four-chain integration and business environment", "五",
            ("recovery_speedup", "rebuild_tau", "ramp_days")),
)})
