"""How the time to recover depends on the recovery band: TTR at ε = 0.5 %, 1 % and 2 % (``band_sensitivity.csv``).

A TTR is a threshold metric: with a shock whose dip hovers near the band's edge, a pathway can
look instantly "recovered" at 2 % and take months at 0.5 %. Reporting the TTR at several
bands (``metrics.band_sensitivity``, default 0.005, 0.01, 0.02, on the scenario's side
``metrics.recovery_band``) shows whether a ranking by TTR rests on the choice of ε. The loss
does not depend on ε.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chainsim.experiment.paired import bootstrap_mean
from chainsim.experiment.scenario_run import ScenarioRun
from chainsim.metrics.batch import recovery_times_batch

__all__ = ["BAND_COLUMNS", "band_sensitivity"]

BAND_COLUMNS = ["pathway", "scope", "epsilon", "band", "ttr_days", "ttr_p10", "ttr_p90", "ttr_status",
                "left_band_share", "recovered_share", "ttr_diff_days", "ttr_diff_lo", "ttr_diff_hi", "ttr_diff_n"]


def band_sensitivity(run: ScenarioRun) -> pd.DataFrame:
    """TTR of every pathway x scope at each ε of ``metrics.band_sensitivity`` (and the scenario's own ε).

    Returns
    -------
    DataFrame
        :data:`BAND_COLUMNS`: the TTR summary over replications that left the band (as in
        ``summary.csv``) and the paired TTR difference with baseline (a run that stayed in the
        band counts 0 days; pairs with a censored run are left out).
    """
    from chainsim.data.scopes import scope_mask
    from chainsim.experiment.pathway_tables import summarize_ttr

    loaded = run.loaded
    sc = loaded.scenario
    eps_list = sorted({*sc.metrics.band_sensitivity, sc.metrics.recovery_tolerance})
    band, hold = sc.metrics.recovery_band, sc.metrics.hold_days
    rows = []
    for scope in sc.metrics.scope:
        mask = scope_mask(loaded.table, scope)
        series = {e: (pr.scope_sum(mask), float(pr.baseline[mask].sum()),
                      [int(o) if o >= 0 else None for o in pr.onset]) for e, pr in run.pathways.items()}
        for eps in eps_list:
            per: dict[str, dict[str, np.ndarray]] = {}
            for e, (Y, b, onsets) in series.items():
                days, left, recovered = recovery_times_batch(Y, b, onsets=onsets, epsilon=eps, hold=hold, band=band)
                per[e] = {"ttr_days": days, "left_band": left, "recovered": recovered}
            ref = per["baseline"]
            ref_out = np.where(ref["left_band"], ref["ttr_days"], 0.0)
            for e, g in per.items():
                out = np.where(g["left_band"], g["ttr_days"], 0.0)
                ok = np.isfinite(out) & np.isfinite(ref_out)
                m, lo, hi = bootstrap_mean(out[ok] - ref_out[ok], sc.seed) if ok.any() else (np.nan,) * 3
                rows.append({"pathway": e, "scope": scope, "epsilon": eps, "band": band, **summarize_ttr(g),
                             "ttr_diff_days": m, "ttr_diff_lo": lo, "ttr_diff_hi": hi, "ttr_diff_n": int(ok.sum())})
    return pd.DataFrame(rows)[BAND_COLUMNS]
