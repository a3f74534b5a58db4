"""The proposed default model (docs/dynamics_design.md) as a prototype Config, from the evidence tables."""

from __future__ import annotations

import numpy as np
from economy import Economy, read_evidence
from model import Config


def _col(df, name: str, S: int, default: float = 0.0, codes=None) -> np.ndarray:
    out = np.full(S, float(default))
    for _, r in df.iterrows():
        k = int(r["nbs42"]) - 1
        v = r[name]
        out[k] = np.inf if str(v) == "inf" else float(v)
    return out


def proposed(eco: Economy, level: str = "central", headroom_scale: float = 1.0, **overrides) -> Config:
    """The proposed default model at the ``low``/``central``/``high`` evidence values.

    ``level`` moves the stock days, finished goods, utilisation and substitutability together (a
    sensitivity device of the prototype; the design varies them one by one). ``headroom_scale``
    multiplies every origin's spare share h_o - 1 (the ``import_headroom`` lever of the design).
    """
    S = eco.S
    inv = read_evidence("input_stock_days.csv")
    inv_days = _col(inv, f"days_{level}", S)
    inv_tau = _col(inv, "restore_tau_central", S)
    fg = read_evidence("output_stock_days.csv")
    fg_days = _col(fg, f"days_{level}" if level != "high" else "days_central", S)
    pts = read_evidence("produce_to_stock.csv")
    min_run = _col(pts, "min_run_central", S)
    fgp = read_evidence("finished_goods_parameters.csv").set_index("parameter")
    cu = read_evidence("capacity_utilisation_2017.csv")
    amax = _col(cu, "alpha_max_central", S)
    ovp = read_evidence("overproduction_parameters.csv").set_index("parameter")
    bl = read_evidence("backlog.csv")
    carry = _col(bl, "carry_over_central", S)
    eligible = _col(bl, "gfcf_share_of_final_demand", S) + _col(bl, "household_share_of_final_demand", S)
    blp = read_evidence("backlog_parameters.csv").set_index("parameter")
    sub = read_evidence("import_substitutability.csv")
    sigma = _col(sub, f"sigma_{level}", S)
    fs = read_evidence("foreign_supply.csv").set_index("origin")
    t = eco.table
    pools = [o for o in t.origins if o in (t.domestic_origins or ())]
    order = pools + [o for o in t.origins if o not in pools]
    head = np.ones(eco.n_sup)
    for k, o in enumerate(order):
        if o in fs.index:
            h = float(fs.loc[o, f"headroom_{level}"])
            head[(eco.R + k) * S:(eco.R + k + 1) * S] = 1.0 + headroom_scale * (h - 1.0)
    cfg = Config(
        inv_days=inv_days, inv_tau=inv_tau, binding="cover", cover_days=1.0, order_basis="planned",
        signed_gap=True, target_basis="baseline", min_cover_days=1.0, exact_use=True, rationing="proportional",
        alpha_max=amax,
        alpha_tau=float(ovp.loc["alpha_tau_days", "central"]), sigma=sigma, headroom=head,
        restock_rule="headroom", split_weight="loss_only", sigma_weight=True, fg_days=fg_days,
        fg_tau=float(fgp.loc["fg_restore_tau_days", "central"]),
        fg_max=float(fgp.loc["fg_max_factor", "central"]), min_run=min_run,
        backlog_share=carry * eligible, backlog_tau=float(blp.loc["release_tau_days", "central"]),
        backlog_loss_tau=float(blp.loc["loss_tau_days", "central"]), backlog_last=True)
    return cfg.but(**overrides) if overrides else cfg
