"""Analyse a finished sweep: sensitivity indices (SALib), pathway ranking robustness, figures.

Sensitivity per output and factor, by design method:

- ``sobol``: first-order and total Sobol indices ``S1``, ``ST`` with bootstrap confidence
  intervals (:func:`SALib.analyze.sobol.analyze`; Saltelli 2010 / Jansen estimators);
- ``morris``: ``mu_star`` (mean absolute elementary effect, in output units per full
  factor range), ``sigma`` and ``mu_star_conf`` (:func:`SALib.analyze.morris.analyze`);
- ``lhs``: ``S1`` by RBD-FAST (:func:`SALib.analyze.rbd_fast.analyze`);
- ``grid``: exact main and total effects of the full factorial (ANOVA on the grid).

**Censored time to recover.** A run that never recovers has ``ttr_days = NaN`` and
``recovered = False`` in ``runs.parquet``. Variance-based indices need a number for every
run, so the analysis uses the run's censoring time ``ttr_cap`` (days from onset to the end
of the horizon: the longest TTR the horizon can show) for censored runs and reports the
censored share next to the indices (column ``censored_share``). With a large censored share
the TTR indices describe "recovers within the horizon, and how fast" rather than the TTR
itself; read ``loss_cny`` alongside.

The ranking table counts, over the ranked base samples, how often each pathway alone is the
fastest to recover (ties split evenly; samples where no pathway recovers are counted as
``none_recovered``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from chainsim.plots.style import _plt
from chainsim.sweeps.design import Design
from chainsim.sweeps.spec import SweepSpec

__all__ = ["SENSITIVITY_COLUMNS", "analysis_values", "plot_sensitivity", "plot_tornado", "plot_ttr_by_pathway",
           "ranking_table", "sensitivity_table", "write_figures"]

SENSITIVITY_COLUMNS = ["output", "factor", "method", "S1", "S1_conf", "ST", "ST_conf", "mu_star", "mu_star_conf",
                       "mu", "sigma", "runs", "censored_share", "note"]
UNITS = {"ttr_days": "days", "loss_cny": "table currency",
         "loss_days": "days of output", "depth": "share of baseline",
         "time_to_trough_days": "days", "level_at_horizon": "share of baseline", "triangle_area": "% x days",
         "tts_days": "days"}


def analysis_values(runs: pd.DataFrame, output: str) -> tuple[np.ndarray, float]:
    """The values of an output used for the indices, and the censored share.

    For ``ttr_days`` a censored run takes its censoring time ``ttr_cap`` (see the module
    docstring); other outputs are used as they are.

    Examples
    --------
    >>> runs = pd.DataFrame({"ttr_days": [10.0, np.nan], "recovered": [True, False], "ttr_cap": [300.0, 335.0]})
    >>> y, censored = analysis_values(runs, "ttr_days")
    >>> y.tolist(), censored
    ([10.0, 335.0], 0.5)
    """
    y = runs[output].to_numpy(dtype=float)
    if output == "ttr_days" and "recovered" in runs:
        rec = runs["recovered"].to_numpy(dtype=bool)
        y = np.where(rec, y, runs["ttr_cap"].to_numpy(dtype=float))
        return y, float(1.0 - rec.mean()) if len(rec) else float("nan")
    return y, float("nan")


def _grid_effects(Y: np.ndarray, D: int, L: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact main (S1) and total (ST) effects of a full factorial ``L^D`` with equal weights."""
    A = Y.reshape((L,) * D)
    var = A.var()
    s1, st = np.zeros(D), np.zeros(D)
    for i in range(D):
        others = tuple(j for j in range(D) if j != i)
        s1[i] = A.mean(axis=others).var() / var if var > 0 else np.nan
        st[i] = A.var(axis=i).mean() / var if var > 0 else np.nan
    return s1, st


def sensitivity_table(spec: SweepSpec, design: Design, runs: pd.DataFrame) -> pd.DataFrame:
    """Sensitivity indices of every output to every factor (the seed included), as a tidy table.

    Parameters
    ----------
    spec : SweepSpec
        The sweep.
    design : Design
        Its design (row order of ``runs`` must match ``run_id``).
    runs : DataFrame
        One row per run (``runs.parquet``).

    Returns
    -------
    DataFrame
        Columns :data:`SENSITIVITY_COLUMNS`, one row per output x factor.
    """
    from SALib.analyze import morris, rbd_fast, sobol

    problem = spec.problem()
    names = problem["names"]
    X = design.X
    rows = []
    for output in spec.outputs:
        Y, censored = analysis_values(runs, output)
        base = {"output": output, "method": design.method, "runs": len(Y), "censored_share": censored, "note": ""}
        res: dict[str, Any] = {}
        bad = int((~np.isfinite(Y)).sum())
        if bad:
            base["note"] = f"{bad} run(s) without a value (crashed or undefined): indices not computed"
        elif np.ptp(Y) == 0:
            base["note"] = "output constant over the design: indices undefined"
        elif design.method == "sobol":
            r = sobol.analyze(problem, Y, calc_second_order=False, seed=spec.seed)
            res = {k: r[k] for k in ("S1", "S1_conf", "ST", "ST_conf")}
        elif design.method == "morris":
            r = morris.analyze(problem, X, Y, num_levels=spec.design.levels, seed=spec.seed)
            res = {k: np.asarray(r[k]) for k in ("mu_star", "mu_star_conf", "mu", "sigma")}
        elif design.method == "lhs":
            try:
                r = rbd_fast.analyze(problem, X, Y, seed=spec.seed)
                res = {k: r[k] for k in ("S1", "S1_conf")}
            except (ValueError, ZeroDivisionError) as exc:
                base["note"] = f"RBD-FAST failed ({exc}); use more samples"
        else:
            s1, st = _grid_effects(Y, len(names), spec.design.levels)
            res = {"S1": s1, "ST": st}
        for k, name in enumerate(names):
            row = dict(base, factor=name)
            for col in ("S1", "S1_conf", "ST", "ST_conf", "mu_star", "mu_star_conf", "mu", "sigma"):
                row[col] = float(res[col][k]) if col in res else np.nan
            rows.append(row)
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)


def ranking_table(spec: SweepSpec, runs: pd.DataFrame) -> pd.DataFrame:
    """How often each pathway alone is the fastest to recover, over the ranked samples.

    Ties split the sample evenly between the tied pathways; a sample where no pathway
    recovers within the horizon counts for ``none_recovered``. ``share_se`` is the binomial
    standard error of the share. ``ttr_median`` treats a censored run as +∞ (NaN when most
    runs of the pathway never recover).

    Examples
    --------
    >>> from chainsim.sweeps.spec import Factor, SweepSpec, DesignSettings
    >>> factors = (Factor("pathways.a", 0, 1, "pathway", ("a",)), Factor("pathways.b", 0, 1, "pathway", ("b",)))
    >>> spec = SweepSpec("s", factors, DesignSettings(method="lhs"), ("ttr_days",), 0)
    >>> runs = pd.DataFrame({"ranked": [True] * 3,
    ...     "single.a.ttr_days": [10.0, 20.0, np.nan], "single.a.recovered": [True, True, False],
    ...     "single.b.ttr_days": [12.0, 20.0, np.nan], "single.b.recovered": [True, True, False],
    ...     "single.a.loss_cny": [1.0] * 3, "single.b.loss_cny": [2.0] * 3})
    >>> ranking_table(spec, runs)[["pathway", "wins"]].values.tolist()
    [['a', 1.5], ['b', 0.5], ['none_recovered', 1.0]]
    """
    ranked = runs[runs["ranked"].astype(bool)]
    pathways = spec.pathways
    n = len(ranked)
    T = np.column_stack([np.where(ranked[f"single.{p}.recovered"].astype(bool),
                                  ranked[f"single.{p}.ttr_days"].to_numpy(dtype=float), np.inf)
                         for p in pathways]) if n else np.zeros((0, len(pathways)))
    wins = np.zeros(len(pathways))
    none = 0
    for t in T:
        best = t.min()
        if not np.isfinite(best):
            none += 1
            continue
        tied = t == best
        wins[tied] += 1.0 / tied.sum()
    rows = []
    for k, p in enumerate(pathways):
        t = T[:, k] if n else np.zeros(0)
        med = float(np.median(t)) if n else np.nan
        rows.append({"pathway": p, "wins": wins[k], "share_fastest": wins[k] / n if n else np.nan,
                     "recovered_share": float(np.isfinite(t).mean()) if n else np.nan,
                     "ttr_median": med if np.isfinite(med) else np.nan,
                     "loss_cny_median": float(np.median(ranked[f"single.{p}.loss_cny"])) if n else np.nan})
    rows.sort(key=lambda r: -r["wins"])
    rows.append({"pathway": "none_recovered", "wins": float(none), "share_fastest": none / n if n else np.nan,
                 "recovered_share": np.nan, "ttr_median": np.nan, "loss_cny_median": np.nan})
    df = pd.DataFrame(rows)
    p = df["share_fastest"]
    df["share_se"] = np.sqrt(p * (1 - p) / n) if n else np.nan
    df["samples"] = n
    return df


# ---------------------------------------------------------------------------------------------- figures
def _money(spec: SweepSpec) -> Any:
    """The money unit of the swept scenario's table (CNY for the shipped tables)."""
    from chainsim.data.units import MoneyUnit
    from chainsim.sweeps.evaluate import scenario_of

    return MoneyUnit("CNY", 1.0, "CNY") if spec.model is not None else scenario_of(spec).table.money


def plot_sensitivity(sens: pd.DataFrame, *, title: str = "") -> Any:
    """Bar chart of the indices (Sobol S1/ST with confidence intervals, or Morris μ*/σ), one panel per output."""
    plt = _plt()
    outputs = list(dict.fromkeys(sens["output"]))
    fig, axes = plt.subplots(1, len(outputs), figsize=(4.5 * len(outputs), 4.2), squeeze=False)
    for ax, out in zip(axes[0], outputs, strict=True):
        d = sens[sens.output == out]
        x = np.arange(len(d))
        method = d["method"].iloc[0]
        if method == "morris":
            ax.bar(x - 0.2, d["mu_star"], 0.4, yerr=d["mu_star_conf"], capsize=2, label="μ* (95 % CI)")
            ax.bar(x + 0.2, d["sigma"], 0.4, label="σ")
            ax.set_ylabel(f"elementary effect ({UNITS.get(out, 'output units')} per factor range)")
        else:
            ax.bar(x - 0.2, d["S1"], 0.4, yerr=d["S1_conf"].fillna(0), capsize=2, label="first order S1")
            if d["ST"].notna().any():
                ax.bar(x + 0.2, d["ST"], 0.4, yerr=d["ST_conf"].fillna(0), capsize=2, label="total ST")
            ax.set_ylabel("share of output variance")
        ax.set_xticks(x, d["factor"], rotation=60, ha="right", fontsize=8)
        cens = d["censored_share"].iloc[0]
        extra = f"\n({cens:.0%} of runs censored at the horizon)" if np.isfinite(cens) and cens > 0 else ""
        unit = f" [{UNITS[out]}]" if UNITS.get(out) else ""  # an analytic output ("y") has none
        ax.set_title(f"{out}{unit}{extra}", fontsize=10)
        ax.axhline(0, color="black", lw=0.5)
        ax.legend(fontsize=8)
    fig.suptitle(title or "Sensitivity indices")
    fig.tight_layout()
    return fig


def plot_ttr_by_pathway(spec: SweepSpec, runs: pd.DataFrame) -> Any:
    """Time to recover of each pathway run alone (ranked samples): one histogram per pathway, stacked.

    Panels share the day axis; each shows its median (line) and, right of the horizon, a
    bar with the runs that did not recover (censored), so no pathway hides behind another.
    The last panel pools every swept run.
    """
    plt = _plt()
    ranked = runs[runs["ranked"].astype(bool)]
    cap = float(np.nanmax(runs["ttr_cap"])) if "ttr_cap" in runs and runs["ttr_cap"].notna().any() else 365.0
    bins = np.linspace(0, cap, 31)
    width = bins[1] - bins[0]
    groups = [(p, ranked[f"single.{p}.recovered"].astype(bool), ranked[f"single.{p}.ttr_days"]) for p in spec.pathways]
    groups.append((f"all swept runs ({len(runs)})", runs["recovered"].astype(bool), runs["ttr_days"]))
    fig, axes = plt.subplots(len(groups), 1, figsize=(7.5, 0.95 * len(groups) + 1.4), sharex=True, squeeze=False,
                             layout="constrained")
    for k, (ax, (name, rec, ttr)) in enumerate(zip(axes[:, 0], groups, strict=True)):
        t = ttr[rec].to_numpy(dtype=float)
        color = "0.35" if k == len(groups) - 1 else f"C{k}"
        ax.hist(t, bins=bins, color=color, alpha=0.85)
        n_cens = int((~rec).sum())
        ax.bar(cap + 1.5 * width, n_cens, width=width, color="0.75", hatch="//", edgecolor="0.4")
        if t.size:
            ax.axvline(float(np.median(t)), color="black", lw=1.0, ls="--")
        ax.text(0.01, 0.92, f"{name}: median {np.median(t):.0f} d of {rec.sum()} recovered; "
                f"{1 - rec.mean():.0%} not recovered" if t.size else f"{name}: none recovered",
                transform=ax.transAxes, fontsize=8, va="top", bbox={"facecolor": "white", "alpha": 0.85, "lw": 0})
        ax.set_ylabel("runs", fontsize=8)
        ax.tick_params(labelsize=7)
    from matplotlib.ticker import MaxNLocator

    ticks = [t for t in MaxNLocator(6).tick_values(0, cap) if 0 <= t <= cap]
    axes[-1, 0].set_xticks([*ticks, cap + 1.5 * width], [*(f"{v:.0f}" for v in ticks), "not\nrecovered"])
    axes[-1, 0].set_xlabel(f"time to recover (days after onset; ε band, scope {spec.scope})")
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    fig.legend(handles=[Patch(color="C0", alpha=0.85, label="runs that recovered (one colour per pathway)"),
                        Patch(facecolor="0.75", hatch="//", edgecolor="0.4", label="runs not recovered (censored)"),
                        Line2D([], [], color="black", ls="--", lw=1.0, label="median of the recovered runs")],
               loc="outside lower center", ncol=3, fontsize=7, frameon=False)
    fig.suptitle(f"Time to recover: each pathway alone on {len(ranked)} base samples (dashed: median)",
                 fontsize=10)
    return fig


def plot_tornado(spec: SweepSpec, design: Design, runs: pd.DataFrame, outputs: Sequence[str] | None = None) -> Any:
    """Tornado: change of each output's mean from the lowest to the highest fifth of each factor's range."""
    plt = _plt()
    outputs = list(outputs or spec.outputs)
    fig, axes = plt.subplots(1, len(outputs), figsize=(4.8 * len(outputs), 0.35 * len(spec.factors) + 1.8),
                             squeeze=False)
    X = design.X
    money = _money(spec)
    for ax, out in zip(axes[0], outputs, strict=True):
        y, _ = analysis_values(runs, out)
        scale, unit = (1e9, money.label()) if out == "loss_cny" else (1.0, UNITS.get(out, "output units"))
        y = y / scale
        swing = []
        for k in range(len(spec.factors)):
            lo_cut, hi_cut = np.quantile(X[:, k], [0.2, 0.8])
            lo, hi = y[X[:, k] <= lo_cut], y[X[:, k] >= hi_cut]
            swing.append(np.nanmean(hi) - np.nanmean(lo) if len(lo) and len(hi) else 0.0)
        swing = np.asarray(swing)
        order = np.argsort(np.abs(swing))
        colors = ["tab:red" if s > 0 else "tab:blue" for s in swing[order]]
        ax.barh(np.arange(len(order)), swing[order], color=colors)
        ax.set_yticks(np.arange(len(order)), [spec.factors[k].key for k in order], fontsize=8)
        ax.axvline(0, color="black", lw=0.5)
        ax.set_xlabel(f"change in mean {out} ({unit})")
        ax.set_title(out, fontsize=10)
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color="tab:red", label="higher factor → higher output"),
                           Patch(color="tab:blue", label="higher factor → lower output")], fontsize=7)
    fig.suptitle("Tornado: lowest vs highest fifth of each factor's sampled range")
    fig.tight_layout()
    return fig


def write_figures(out: Path, spec: SweepSpec, design: Design, runs: pd.DataFrame, sens: pd.DataFrame) -> list[Path]:
    """Write ``sensitivity.png``, ``tornado.png`` and (with a ranking) ``ttr_by_pathway.png``."""
    from chainsim.sweeps.store import atomic_write

    plt = _plt()
    figs = {"sensitivity.png": plot_sensitivity(sens, title=f"{spec.name}: sensitivity ({design.method})"),
            "tornado.png": plot_tornado(spec, design, runs)}
    if spec.ranking.enabled and spec.model is None and runs["ranked"].any():
        figs["ttr_by_pathway.png"] = plot_ttr_by_pathway(spec, runs)
    paths = []
    for name, fig in figs.items():
        paths.append(atomic_write(Path(out) / name, lambda tmp, fig=fig: fig.savefig(tmp, dpi=120, format="png")))
        plt.close(fig)
    return paths
