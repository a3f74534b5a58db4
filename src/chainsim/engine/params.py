"""Behavioural parameters of the engine: chainsim's default model and the ``ario`` configuration.

The ``ario`` configuration reproduces BoARIO 0.7.2 ``ARIOPsiModel`` with ``order_type="alt"``
(Hallegatte 2008, 2014; Guan et al. 2020 for the ψ rule), quirks included, as specified in
``ARIO_SPEC.md``. The default model fixes the quirks, switches on chainsim's extensions
(foreign supply nodes, criticality, re-sourcing) and replaces ARIO's inventory and order rules
by those of issue #16 (docs/model.md §2, docs/dynamics_design.md): stocks by product from
evidence, an input binds when its stock cannot cover the day (Pichler et al. 2022), orders on
planned output toward a fixed target, exact stock accounting, overproduction up to 1/u of the
NBS 2017 utilisation, and one foreign-supply mechanism with headroom by origin.
``ModelParams.legacy()`` is the default model before issue #16.

References
----------
.. [1] Hallegatte, S. (2008). An adaptive regional input-output model and its application to
   the assessment of the economic cost of Katrina. *Risk Analysis* 28(3), 779-799.
.. [2] Hallegatte, S. (2014). Modeling the role of inventories and heterogeneity in the
   assessment of the economic costs of natural disasters. *Risk Analysis* 34(1), 152-167.
.. [3] Juhel, S. (2023). BoARIO: a Python implementation of the ARIO model.
.. [4] Pichler, A. et al. (2022). Forecasting the propagation of pandemic shocks with a
   dynamic input-output model. *J. Economic Dynamics and Control* 144, 104527.
.. [5] Rauch, J. E. (1999). Networks versus markets in international trade. *J. International
   Economics* 48(1), 7-35.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from chainsim.errors import ModelBuildError, format_validation_error

__all__ = ["ModelParams", "format_validation_error", "resolve_params"]

class ModelParams(BaseModel):
    """Frozen, validated behavioural parameters.

    Every field has a symbol in ``docs/model.md``. ``ModelParams()`` is chainsim's default
    model; ``ModelParams.ario()`` is the BoARIO ``ARIOPsiModel`` configuration.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    psi: float = Field(0.8, ge=0.0, le=1.0, description="ψ: share of the inventory target below which an input "
                       "binds (binding='psi')")
    binding: Literal["cover", "psi"] = Field(
        "cover", description="when an input binds: 'cover' when the opening stock cannot cover cover_days of "
        "the day's need at planned output (Pichler et al. 2022); 'psi' below ψ of the target (ARIO)")
    cover_days: float = Field(1.0, ge=1.0, le=2.0, description="b: days of need a stock must cover not to bind "
                              "(binding='cover'); also the floor of scaled stock days")
    inventory_table: Literal["evidence", "flat"] = Field(
        "evidence", description="input stock days: by product from data/raw/dynamics_evidence/input_stock_days.csv "
        "('evidence'; uniform inventory_days on a table without NBS-42 codes) or inventory_days for every input")
    inventory_level: Literal["low", "central", "high"] = Field(
        "central", description="column of the evidence table of stock days (and of foreign headroom)")
    inventory_scale: float = Field(1.0, gt=0.0, description="multiplier on every input's stock days (a sweep lever)")
    inventory_days: float = Field(90.0, gt=0.0, description="s: inventory target, days of use "
                                  "(inventory_table='flat')")
    infinite_inventory_sectors: tuple[str, ...] = Field((), description="products whose inventories never bind")
    inventory_tau: float = Field(60.0, gt=0.0, description="τ_inv: inventory restoration time (days; with the "
                                 "evidence table, τ comes by input class from the table)")
    order_basis: Literal["planned", "realised"] = Field(
        "planned", description="orders for tomorrow: A x̂ + (s A x̄ - S)/τ floored at 0, planned output and a fixed "
        "target (Pichler et al. 2022 eq. 4; 'planned'); or A x + max(s A x̃ - S, 0)/τ (ARIO, 'realised')")
    exact_stocks: bool = Field(True, description="use U = min(A x, S): a stock never goes below zero and what is "
                               "missing is done without (True); or S - A x + V floored at 0 (False)")
    finished_goods: bool = Field(True, description="industrial producers hold finished goods (output_stock_days.csv) "
                                 "and continuous-process sectors keep a minimum run into stock (produce_to_stock.csv)")
    backlog: bool = Field(True, description="unmet final demand for durable and investment goods is partly "
                          "postponed (backlog.csv) and served after today's orders (docs/model.md §2.8)")
    rebuild_served: Literal["last", "pro_rata"] = Field(
        "last", description="rebuilding demand is served from what is left after today's orders and final demand "
        "('last'; served pro rata it keeps its claim while the economy starves, docs/model.md §5), or pro rata "
        "with them (ARIO, 'pro_rata')")
    alpha_base: float = Field(1.0, ge=1.0, description="α_b: baseline overproduction")
    alpha_max: float = Field(1.25, ge=1.0, description="α_max: maximum overproduction (alpha_max_table='flat')")
    alpha_max_table: Literal["utilisation", "flat"] = Field(
        "utilisation", description="α_max by sector: 1/u from NBS 2017 capacity utilisation "
        "(capacity_utilisation_2017.csv, on NBS-42 tables; sector_alpha_max overrides sectors) or alpha_max "
        "everywhere")
    alpha_tau: float = Field(30.0, gt=0.0, description="τ_α: overproduction time constant (days; 14-90 [I], "
                             "overproduction_parameters.csv; ARIO 365)")
    split_weights: Literal["losses", "capacity"] = Field(
        "losses", description="supplier weights λ of the order split: the capacity left by losses 1 - Δ "
        "('losses'), or c / c̄ including overproduction (ARIO 'alt', 'capacity')")
    supplier_switching: Literal["search", "instant"] = Field(
        "search", description="'search': buyers of a differentiated product (Rauch 1999; the products of "
        "classification.NONCOMPETITIVE_NBS42) keep ordering from their suppliers, domestic and foreign, when "
        "these lose capacity or an import cut closes their links, and move to others only through a supplier "
        "search (resourcing: detection_lag_days + search_days + ramp_days), homogeneous products are re-split "
        "at once (split_weights='losses' only); "
        "'instant': every product's orders follow the capacity left at once (ARIO 'alt', before issue #16)")
    foreign_supply: Literal["per_region", "node"] = Field(
        "per_region", description="'per_region': every import cut closes the links from the origin to the buyer "
        "regions, buyers re-split their orders around it and the origin's capacity is its headroom times the flow "
        "left open (one mechanism for national and provincial cuts); 'node': a national cut is a capacity loss of "
        "the origin and origins of uncut products deliver every order (before issue #16)")
    import_headroom_scale: float = Field(1.0, ge=0.0, le=10.0, description="θ: multiplier on every origin's spare "
                                         "supply h_o - 1 (foreign_supply='per_region')")
    rebuild_tau: float = Field(60.0, gt=0.0, description="τ_R: rebuilding time constant (days)")
    capital_to_va: float = Field(4.0, gt=0.0, description="κ: capital / value added when the table has no capital")
    year_days: int = Field(365, gt=0, description="days per table year")
    mask_threshold: float = Field(
        1e-5, ge=0.0, description="input mask t_M: an (input, buyer) cell can bind production only if the buyer's "
        "requirement per unit of output A^C is above it (a product's imported-only rows summed); an assumption "
        "without a published value, central 1e-5 (BoARIO's constant), range 0-1e-4 (docs/model.md §3); the ario "
        "configuration compares annual Z^C with daily output as BoARIO does (A^C > t_M / 365)")
    order_type: Literal["alt", "noalt"] = "alt"
    ario_quirks: bool = Field(False, description="replicate BoARIO 0.7.2 timing and decay quirks exactly")
    imports: Literal["primary", "supply_nodes"] = Field(
        "supply_nodes", description="foreign imports as a primary input (ARIO) or as exogenous suppliers")
    import_substitutability: Literal["evidence", "competitive", "noncompetitive"] = Field(
        "evidence", description="σ_p, the short-run substitutable share of product p's imports (docs/model.md §1): "
        "'evidence' reads import_substitutability.csv on an NBS-42 table (the column import_substitutability_level; "
        "another table takes σ = 0 for noncompetitive_products and 1 elsewhere); 'competitive' σ = 1 for every "
        "product (every import the same input as the domestic product); 'noncompetitive' σ = 0 for the products "
        "of noncompetitive_products and 1 elsewhere (the yes/no rule before σ). sector_import_substitutability "
        "overrides products in every mode")
    import_substitutability_level: Literal["low", "central", "high"] = Field(
        "central", description="column of import_substitutability.csv (import_substitutability='evidence')")
    sector_import_substitutability: dict[str, float] = Field(
        default_factory=dict, description="σ by product code, e.g. {'20': 0.1}: overrides the mode's value")
    import_dependence_scale: float = Field(
        1.0, ge=0.0, le=10.0, description="k: multiplier on every product's non-substitutable share, "
        "1 - σ_p -> min(1, k (1 - σ_p)), applied after the overrides (0: every import competitive)")
    import_row_min_share: float = Field(
        0.01, ge=0.0, le=1.0, description="materiality: with import_substitutability='evidence', a product "
        "whose non-substitutable imports (1 - σ_p) x (foreign share of its intermediate use in the table) are "
        "below this share keeps σ = 1 (no imported-only row; an assumption for speed, docs/model.md §5.3); a σ "
        "given in sector_import_substitutability is kept")
    origin_row_min_share: float | None = Field(
        0.1, ge=0.01, le=1.0, description="per-origin imported-only rows (docs/model.md §1, issue #21): each foreign "
        "origin supplying at least this share of a differentiated product's imports (Rauch 1999: NBS 08, 15-21, "
        "with an imported-only row) gets its own imported-only row (requirement, stock, target, binding weight "
        "w (1 - σ_p) share_o); the other origins share one row. An assumption for speed, central 0.10, range "
        "0.05-0.20; None: one imported-only row per product, shared by every origin")
    noncompetitive_products: Literal["auto", "all", "none"] | tuple[str, ...] = Field(
        "auto", description="products whose imports are a separate, non-substitutable input (σ = 0) under "
        "import_substitutability='noncompetitive' (and 'evidence' on a table without NBS-42 codes): 'auto' = "
        "the differentiated goods of Rauch (1999) on an NBS-42 table (NONCOMPETITIVE_NBS42), 'all', 'none' or "
        "a list of sector codes")
    import_headroom: float = Field(1.0, ge=1.0, description="foreign supply capacity / baseline imports: every "
                                   "origin's ('node'), or a floor on every origin's headroom ('per_region')")
    criticality: Literal["none", "auto"] | tuple[tuple[float, ...], ...] = Field(
        "auto", description="input criticality w (S x S in [0, 1], input rows x user columns: 1 critical, 0.5 "
        "important, 0 never binds; a fraction is an expected weight) or 'auto' (the shipped NBS-42 matrix)")
    criticality_aggregation: Literal["max", "mean"] = Field(
        "max", description="how 'auto' maps the IHS survey's WIOD-55 ratings onto an NBS-42 pair of sectors: the "
        "max over the WIOD pairs it covers (critical if any is; overstates, PROVENANCE.md) or their unweighted "
        "mean (an expected weight; dilutes the aggregated sectors); the two bracket the rating (docs/model.md §5)")
    rationing: Literal["proportional", "final_demand_first", "intermediate_first", "priority_sectors"] = Field(
        "proportional", description="rationing rule (registry chainsim.engine.rationing.RULES)")
    priority_sectors: tuple[str, ...] = Field((), description="buyer sectors served first ('priority_sectors')")
    lead_days_interregional: int = Field(0, ge=0, description="days goods travel between domestic regions")
    lead_days_imports: int = Field(0, ge=0, description="days imported goods travel (foreign supply nodes)")
    resourcing: bool = Field(True, description="buyers search new suppliers after a supply shortfall")
    detection_lag_days: float = Field(14.0, ge=0.0, description="days from a first binding shortage to a search")
    search_days: float = Field(45.0, ge=0.0, description="days a supplier search takes to complete")
    ramp_days: float = Field(45.0, gt=0.0, description="time to ramp link weights to new suppliers (days)")
    substitution_share: float = Field(0.0, ge=0.0, le=1.0,
                                      description="share of an import cut domestic producers can replace")
    substitution_lag_days: float = Field(365.0, ge=0.0, description="days from an import cut to substitution")
    criticality_relief: float = Field(0.0, ge=0.0, le=1.0,
                                      description="share of critical ratings downgraded to important (all inputs)")
    sector_criticality_relief: dict[str, float] = Field(
        default_factory=dict, description="criticality relief by input sector (overrides criticality_relief)")
    sector_alpha_max: dict[str, float] = Field(default_factory=dict, description="α_max by sector")
    sector_alpha_tau: dict[str, float] = Field(default_factory=dict, description="τ_α by sector (days)")
    sector_min_run: dict[str, float] = Field(
        default_factory=dict, description="m by sector, e.g. {'03': 0.95}: the produce-to-stock floor (share of "
        "capacity run into stock while the finished-goods stock is under its ceiling, docs/model.md §2.4) in every "
        "region, overriding produce_to_stock.csv; for an episode's operating facts (fields kept producing, 连续生产)")
    milestone_share: float = Field(0.01, gt=0.0, lt=1.0, description="capacity back within this share = recovered")

    @field_validator("noncompetitive_products", mode="before")
    @classmethod
    def _codes(cls, v: Any) -> Any:
        """One code or a list of codes (numbers, as YAML reads unquoted codes, become strings)."""
        if isinstance(v, int | str) and v not in ("auto", "all", "none"):
            v = [v]
        if isinstance(v, list | tuple):
            return tuple(str(c) if isinstance(c, int) and not isinstance(c, bool) else c for c in v)
        return v

    @field_validator("sector_import_substitutability", "sector_min_run", mode="before")
    @classmethod
    def _keys(cls, v: Any) -> Any:
        """Product codes as strings (YAML reads an unquoted 20 as a number)."""
        if isinstance(v, Mapping):
            return {str(k) if isinstance(k, int) and not isinstance(k, bool) else k: x for k, x in v.items()}
        return v

    @model_validator(mode="after")
    def _check(self) -> ModelParams:
        if self.alpha_max < self.alpha_base:
            raise ValueError(f"alpha_max ({self.alpha_max}) must be >= alpha_base ({self.alpha_base})")
        for name, lo, hi in (("sector_alpha_max", 1.0, float("inf")), ("sector_alpha_tau", 1e-9, float("inf")),
                             ("sector_criticality_relief", 0.0, 1.0), ("sector_import_substitutability", 0.0, 1.0),
                             ("sector_min_run", 0.0, 1.0)):
            for code, v in getattr(self, name).items():
                if not lo <= v <= hi:
                    raise ValueError(f"{name}[{code!r}]: expected a value in [{lo:g}, {hi:g}]; found {v!r}")
        if self.rationing == "priority_sectors" and not self.priority_sectors:
            raise ValueError("rationing 'priority_sectors' needs a non-empty 'priority_sectors' list")
        if isinstance(self.criticality, tuple):
            n = len(self.criticality)
            for k, row in enumerate(self.criticality):
                if len(row) != n:
                    raise ValueError(f"criticality row {k} has {len(row)} entries; expected {n} (square matrix)")
                bad = [v for v in row if not 0.0 <= v <= 1.0]
                if bad:
                    raise ValueError(f"criticality row {k}: expected values in [0, 1] (1 critical, 0.5 important, "
                                     f"0 not); found {bad[0]!r}")
        return self

    @classmethod
    def ario(cls, **overrides: Any) -> ModelParams:
        """BoARIO 0.7.2 ``ARIOPsiModel`` defaults with every chainsim extension switched off."""
        base = dict(ario_quirks=True, imports="primary", criticality="none", rationing="proportional",
                    resourcing=False, import_substitutability="competitive", **_ARIO_DYNAMICS)
        base.update(overrides)
        return cls(**base)

    @classmethod
    def legacy(cls, **overrides: Any) -> ModelParams:
        """The default model before issue #16 (commit 29a3f71): ARIO's inventory and order rules, flat 90 days.

        Imports are competitive or not by the yes/no rule of that model (``import_substitutability=
        "noncompetitive"``, the differentiated goods of Rauch 1999).
        """
        base = dict(_ARIO_DYNAMICS, import_substitutability="noncompetitive")
        base.update(overrides)
        return cls(**base)


#: the dynamics of ARIO / BoARIO 0.7.2 (and of chainsim's default model before issue #16)
_ARIO_DYNAMICS: dict[str, Any] = dict(
    binding="psi", inventory_table="flat", order_basis="realised", exact_stocks=False, finished_goods=False,
    backlog=False, rebuild_served="pro_rata",
    alpha_max_table="flat",
    alpha_tau=365.0, split_weights="capacity", supplier_switching="instant", foreign_supply="node",
    origin_row_min_share=None)


def resolve_params(params: str | Mapping[str, Any] | ModelParams | None) -> ModelParams:
    """Resolve the ``params`` argument of :func:`chainsim.engine.simulate`.

    Parameters
    ----------
    params : None, "default", "ario", "legacy", dict or ModelParams
        ``None``/``"default"`` give the default model, ``"ario"`` the BoARIO configuration,
        ``"legacy"`` the default model before issue #16. A dict overrides fields of the default
        model, or of the ``ario``/``legacy`` configuration if it holds ``"base": "ario"``/``"legacy"``.

    Raises
    ------
    ModelBuildError
        Unknown preset or invalid field (the message names the field and the value).
    """
    if params is None or (isinstance(params, str) and params == "default"):
        return ModelParams()
    if isinstance(params, ModelParams):
        return params
    if isinstance(params, str):
        if params == "ario":
            return ModelParams.ario()
        if params == "legacy":
            return ModelParams.legacy()
        raise ModelBuildError(f"params: expected None, 'default', 'ario', 'legacy', a dict or ModelParams; "
                              f"found {params!r}")
    if isinstance(params, Mapping):
        fields = dict(params)
        base = fields.pop("base", "default")
        try:
            if base == "ario":
                return ModelParams.ario(**fields)
            if base == "legacy":
                return ModelParams.legacy(**fields)
            if base != "default":
                raise ModelBuildError(f"params.base: expected 'default', 'ario' or 'legacy'; found {base!r}")
            return ModelParams(**fields)
        except ValidationError as exc:
            raise ModelBuildError("invalid params: " + format_validation_error(exc, "params")) from None
    raise ModelBuildError(f"params: expected None, 'ario', a dict or ModelParams; found {type(params).__name__}")
