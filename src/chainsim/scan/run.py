"""Run a chokepoint scan: every target through the engine's batch axis, then metrics and ranks.

Targets are cut into fixed chunks (``chunk`` targets of one kind each); each chunk is one
:class:`~chainsim.engine.Engine` batch. ``workers > 1`` spreads the chunks over processes;
since the chunks do not depend on the number of workers, neither do the results. Each
target is compared with one undisturbed run of the same model (the counterfactual
``b(t)``), on the scope's total output.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import pandas as pd

from chainsim.data.iotable import IOTable
from chainsim.engine import Engine, ModelParams, build_model, resolve_params
from chainsim.engine.clock import reusable_output
from chainsim.errors import ScenarioError
from chainsim.metrics import cumulative_loss, depth, loss_in_days_of_output, observed_time_to_survive, recovery_time
from chainsim.procs import WorkerPool
from chainsim.scan.prescreen import prescreen, rank_correlations
from chainsim.scan.rank import RANK_BY, rank_targets
from chainsim.scan.screen import MIN_LOSS_DAYS, SCREENED_CLASSES, exposure, product_classes, target_effects
from chainsim.scan.sector_params import expand_params, parent_codes
from chainsim.scan.targets import KINDS, Target, enumerate_targets, parse_kinds

__all__ = ["RANKING_COLUMNS", "ScanResult", "scan"]

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

#: A loss below this many days of the scope's output is rounding noise and reported as 0.
NO_EFFECT_DAYS = 1e-9

#: Columns of :attr:`ScanResult.ranking` (``ranking.csv``). ``name_zh`` and ``name_en`` are the product's
#: (a node's: its sector's) names, as ``product_name_zh``, kept for scripts written for earlier versions.
RANKING_COLUMNS = ["rank", "rank_all", "kind", "target", "effect", "product", "product_name_zh", "origin",
                   "origin_name_zh", "from_region", "to_region", "region", "name_zh", "name_en", "import_share_of_use",
                   "origin_share", "largest_named_share", "flow_cny", "loss_cny", "loss_days", "ttr_days", "recovered",
                   "tts_days", "depth", "crashed"]


@dataclass(frozen=True, eq=False)
class ScanResult:
    """The result of :func:`scan`.

    Attributes
    ----------
    ranking : DataFrame
        One row per target, ranked (columns :data:`RANKING_COLUMNS`; money in CNY, times in
        days, NaN where censored: ``ttr_days`` not recovered, ``tts_days`` output never fell).
    prescreen : DataFrame
        Static measures per target (:func:`chainsim.scan.prescreen.prescreen`).
    correlations : DataFrame
        Spearman rank correlation of each static measure with the dynamic loss, per kind.
    output : ndarray (targets, days)
        The scope's daily output under each target, in ``targets`` order.
    baseline : ndarray (days,)
        The scope's daily output without disruption.
    targets : tuple of Target
    settings : dict
    reference : DataFrame or None
        The reference check of the imported products (:func:`chainsim.scan.reference.reference_check`;
        its statistics are ``provenance["reference_check"]``), for a scan with imports of a
        table with NBS sector codes; else None.
    provenance : dict
        chainsim version, dataset name and checksum, settings and timings: ``seconds[kind]``
        is engine time summed over that kind's chunks (across workers), ``seconds[kind_cpu]``
        the CPU time of those chunks (what a loaded machine does not distort),
        ``simulation_wall`` the wall time of all chunks, ``prescreen`` and ``total``.
    """

    ranking: pd.DataFrame
    prescreen: pd.DataFrame
    correlations: pd.DataFrame
    output: np.ndarray
    baseline: np.ndarray
    targets: tuple[Target, ...]
    settings: Mapping[str, Any]
    provenance: Mapping[str, Any] = field(default_factory=dict)
    reference: pd.DataFrame | None = None


# ------------------------------------------------------------------ workers
_WORKER: dict[str, Any] = {}


def _table_state(table: IOTable) -> dict[str, Any]:
    """The table's fields as plain, picklable values (it rebuilds bit for bit)."""
    state = {f.name: getattr(table, f.name) for f in fields(table)}
    state["provenance"] = dict(table.provenance)
    return state


def _init_worker(state: dict[str, Any], params: ModelParams, mask: np.ndarray) -> None:
    _WORKER["model"] = build_model(IOTable(**state), params)
    _WORKER["mask"] = mask


def _run_chunk(model: Any, mask: np.ndarray, sets: Sequence[Sequence[Mapping[str, Any]]], days: int
               ) -> tuple[np.ndarray, np.ndarray, float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    arrays = Engine(model, [list(s) for s in sets]).run(days, record=(),
                                                         out=reusable_output((days, len(sets), model.n)))
    y = arrays.output[:, :, mask].sum(axis=2).T.copy()
    return y, arrays.crash_day.copy(), time.perf_counter() - t0, time.process_time() - c0


def _worker_chunk(k: int, sets: Sequence[Sequence[Mapping[str, Any]]], days: int
                  ) -> tuple[int, np.ndarray, np.ndarray, float, float]:
    return k, *_run_chunk(_WORKER["model"], _WORKER["mask"], sets, days)


# ------------------------------------------------------------------ helpers
def _scope_mask(table: IOTable, scope: str) -> np.ndarray:
    from chainsim.data.scopes import scope_mask

    mask = np.asarray(scope_mask(table, scope), dtype=bool)
    if not mask.any():
        raise ScenarioError(f"scope: '{scope}' selects no industry of table '{table.name}' "
                            f"(regions {list(table.region_codes)})")
    return mask


def _scope_regions(table: IOTable, mask: np.ndarray) -> list[str]:
    return [table.region_codes[r] for r in np.unique(table.region_of[mask])]


def _check(share: float, duration: float, start: int, days: int, workers: int, chunk: int, epsilon: float) -> None:
    checks = [("share", 0.0 < share <= 1.0, "a share in (0, 1]", share),
              ("duration", duration >= 1, "at least 1 day", duration),
              ("start", int(start) == start and start >= 0, "a whole day >= 0", start),
              ("days", int(days) == days and days > start + 1, f"a whole number of days > start + 1 ({start + 1})",
               days),
              ("workers", int(workers) == workers and workers >= 1, "a positive integer", workers),
              ("chunk", int(chunk) == chunk and chunk >= 1, "a positive integer", chunk),
              ("epsilon", 0.0 < epsilon < 1.0, "a share in (0, 1)", epsilon)]
    for name, ok, expected, value in checks:
        if not ok:
            raise ScenarioError(f"{name}: expected {expected}; found {value!r}")


def _simulate(model: Any, table: IOTable, params: ModelParams, mask: np.ndarray, targets: Sequence[Target],
              days: int, chunk: int, workers: int, progress: Progress | None) -> tuple[np.ndarray, np.ndarray, dict]:
    chunks: list[tuple[str, list[int]]] = []
    for kind in KINDS:
        idx = [i for i, t in enumerate(targets) if t.kind == kind]
        chunks += [(kind, idx[j:j + chunk]) for j in range(0, len(idx), chunk)]
    total = {kind: sum(len(c) for k, c in chunks if k == kind) for kind in KINDS}
    done = dict.fromkeys(KINDS, 0)
    seconds = dict.fromkeys(KINDS, 0.0)
    seconds.update({f"{k}_cpu": 0.0 for k in KINDS})
    Y = np.full((len(targets), days), np.nan)
    crash = np.full(len(targets), -1)

    def store(k: int, y: np.ndarray, c: np.ndarray, sec: float, cpu: float) -> None:
        kind, idx = chunks[k]
        Y[idx], crash[idx] = y, c
        done[kind] += len(idx)
        seconds[kind] += sec
        seconds[f"{kind}_cpu"] += cpu
        if progress is not None:
            progress(kind, done[kind], total[kind])

    sets = [[[targets[i].disruption] for i in idx] for _, idx in chunks]
    if workers == 1 or len(chunks) <= 1:
        for k in range(len(chunks)):
            store(k, *_run_chunk(model, mask, sets[k], days))
        return Y, crash, seconds
    # the workers end with this process and leave Ctrl-C to it; Ctrl-C here terminates them (procs.WorkerPool)
    with WorkerPool(int(workers), initializer=_init_worker, initargs=(_table_state(table), params, mask)) as pool:
        futures = [pool.submit(_worker_chunk, k, sets[k], days) for k in range(len(chunks))]
        for fut in as_completed(futures):
            store(*fut.result())
    return Y, crash, seconds


def _metrics(Y: np.ndarray, crash: np.ndarray, base: np.ndarray, start: int, epsilon: float,
             money_per_unit: float) -> pd.DataFrame:
    n = len(Y)
    out = {k: np.full(n, np.nan) for k in ("loss_cny", "loss_days", "ttr_days", "tts_days", "depth")}
    ok = crash < 0
    recovered = np.zeros(n, dtype=bool)
    if ok.any():
        y = Y[ok]
        out["loss_cny"][ok] = cumulative_loss(y, base, money_per_unit=money_per_unit)
        out["loss_days"][ok] = loss_in_days_of_output(y, base)
        # rounding noise between batched and single runs (~1e-15) is no effect: exactly 0, ties in table order
        noise = ok & (np.abs(out["loss_days"]) < NO_EFFECT_DAYS)
        out["loss_cny"][noise] = out["loss_days"][noise] = 0.0
        rt = recovery_time(y, base, epsilon=epsilon, onset=start)
        out["ttr_days"][ok], recovered[ok] = rt.days, rt.recovered
        out["tts_days"][ok] = observed_time_to_survive(y, base, onset=start, epsilon=epsilon)
        out["depth"][ok] = depth(y, base, onset=start, epsilon=epsilon)
    if (~ok).any():
        log.warning("%d scan run(s) crashed (a stock went negative); their losses are not reported", int((~ok).sum()))
    df = pd.DataFrame(out)
    df["recovered"] = recovered
    df["crashed"] = ~ok
    return df


# ------------------------------------------------------------------ scan
def scan(table: IOTable, *, kinds: str | Sequence[str] = KINDS, share: float = 1.0, duration: float = 90.0,
         start: int = 10, days: int = 365, scope: str = "northeast", import_regions: str = "all",
         epsilon: float = 0.01, params: str | Mapping[str, Any] | ModelParams | None = None,
         pathway: str | None = None, intensity: float = 0.5, rank_by: str = "loss", workers: int = 1,
         chunk: int = 32, min_loss_days: float = MIN_LOSS_DAYS, run_screened: bool = True,
         progress: Progress | None = None) -> ScanResult:
    """Disrupt every target in turn and rank them by the scope's loss, TTR and TTS.

    Parameters
    ----------
    table : IOTable
    kinds : str or sequence of str
        ``imports``, ``links``, ``nodes`` (see :mod:`chainsim.scan.targets`).
    share : float
        Share of the flow (imports, links) or capacity (nodes) lost, in (0, 1].
    duration : float
        Days at full strength (default 90, a quarter). The default model's input stocks are
        by product (``input_stock_days.csv``, central: 7-30 days of goods, 2 of utilities); a
        cut binds a buyer only once its stock, less a day's need, is run down by the share it
        loses.
    start, days : int
        First disrupted day and horizon.
    scope : str
        Whose output counts (``northeast``, ``all``, a region code, ``REGION|SECTOR``).
    import_regions : {"all", "scope"}
        Cut imports into every region (an embargo on the country) or into the scope's only.
    epsilon : float
        Recovery band half-width for TTR and TTS (relative to the scope's baseline).
    params : None, "ario", dict or ModelParams
        Model parameters (``None``: chainsim's default model).
    pathway : str, optional
        Policy pathway (e.g. ``opening_up``) whose levers apply, at ``intensity``.
    rank_by : {"loss", "ttr", "tts"}
    workers : int
        Processes; results do not depend on it.
    chunk : int
        Targets per engine batch.
    min_loss_days : float
        Threshold of a measurable effect, in days of the scope's output (default 0.0304 =
        0.1 % of a month's output, as ``metrics.min_loss_days``): smaller losses and gains are
        listed as "no measurable effect", not ranked (:mod:`chainsim.scan.screen`).
    run_screened : bool
        Also simulate the targets of screened products (utilities, services; listed apart
        with their loss). ``False`` skips them (their metrics are empty), about a third of the
        run time of a full scan.
    progress : callable, optional
        ``progress(kind, done, total)`` after each chunk.

    Returns
    -------
    ScanResult

    Raises
    ------
    ScenarioError
        Invalid setting, unknown kind, scope or pathway.
    """
    from chainsim import __version__

    t_start = time.perf_counter()
    kinds = parse_kinds(kinds)
    _check(share, duration, start, days, workers, chunk, epsilon)
    if not (isinstance(min_loss_days, int | float) and not isinstance(min_loss_days, bool) and min_loss_days >= 0):
        raise ScenarioError(f"min_loss_days: expected a number of days >= 0; found {min_loss_days!r}")
    if rank_by not in RANK_BY:
        rank_targets(pd.DataFrame(), rank_by)  # raises with a did-you-mean
    if import_regions not in ("all", "scope"):
        raise ScenarioError(f"import_regions: expected 'all' or 'scope'; found {import_regions!r}")
    start, days, workers, chunk = int(start), int(days), int(workers), int(chunk)
    mask = _scope_mask(table, scope)
    regions = None if import_regions == "all" else _scope_regions(table, mask)
    targets = enumerate_targets(table, kinds, share=share, duration=duration, start=start, import_regions=regions)
    if not targets:
        raise ScenarioError(f"table '{table.name}' has nothing to scan for kinds {list(kinds)}")
    prm = resolve_params(params)
    levers: dict[str, float] = {}
    if pathway is not None:
        from chainsim.pathways.apply import plan_pathway

        if not 0.0 <= intensity <= 1.0:
            raise ScenarioError(f"intensity: expected a value in [0, 1]; found {intensity!r}")

        # levers move the model's own values (the user's params) by their shift from the lever baseline;
        # on a split table a lever keyed by an NBS-42 sector acts on its components (expand_params)
        codes = parent_codes(table)
        plan = plan_pathway(pathway, [], intensity=intensity, sector_codes=codes, base_params=prm.model_dump())
        levers = plan.levers
        base_dump = prm.model_dump()
        merged = _merge(base_dump, plan.params)
        # only what the user set or the levers moved counts as given (the model warns about given values it ignores)
        prm = resolve_params({k: v for k, v in merged.items() if k in prm.model_fields_set or v != base_dump[k]})
        targets = [_rewrite(t, pathway, intensity, codes) for t in targets]
    prm = expand_params(table, prm)
    model = build_model(table, prm)
    base = _run_chunk(model, mask, [[]], days)[0][0]
    t_sim = time.perf_counter()
    run = np.ones(len(targets), dtype=bool)
    if not run_screened:
        classes = product_classes(table)
        run = np.array([classes.get(t.product, "") not in SCREENED_CLASSES for t in targets], dtype=bool)
    Y = np.full((len(targets), days), np.nan)
    crash = np.full(len(targets), -1)
    Y[run], crash[run], seconds = _simulate(model, table, prm, mask, [t for t, r in zip(targets, run, strict=True)
                                                                       if r], days, chunk, workers, progress)
    seconds["simulation_wall"] = time.perf_counter() - t_sim
    origin_zh = {k: (v[1] if isinstance(v, list | tuple) and len(v) > 1 else "")
                 for k, v in dict(table.provenance.get("origin_names", {}) or {}).items()}
    df = pd.DataFrame([{"kind": t.kind, "target": t.target, "product": t.product, "product_name_zh": t.name_zh,
                        "origin": t.origin, "origin_name_zh": origin_zh.get(t.origin, ""),
                        "from_region": t.from_region, "to_region": t.to_region, "region": t.region,
                        "name_zh": t.name_zh, "name_en": t.name_en, "flow_cny": t.flow * table.money.per_unit}
                       for t in targets])
    metrics = _metrics(Y[run], crash[run], base, start, epsilon, table.money.per_unit)
    metrics.index = np.flatnonzero(run)
    metrics = metrics.reindex(range(len(targets)))  # skipped targets: no metrics (NaN, not recovered, not crashed)
    metrics["recovered"] = metrics["recovered"].fillna(False).astype(bool)
    metrics["crashed"] = metrics["crashed"].fillna(False).astype(bool)
    df = pd.concat([df, exposure(table, targets), metrics], axis=1)
    df["effect"] = target_effects(table, targets, df["loss_days"].to_numpy(), df["crashed"].to_numpy(),
                                  min_loss_days=float(min_loss_days))
    ranking = rank_targets(df, rank_by)[RANKING_COLUMNS]
    t0 = time.perf_counter()
    dom_w, imp_w, separate = _input_rows(model, table.n_sectors)
    dom_slack, imp_slack = _input_slack(model, prm, table.n_sectors)
    pre = prescreen(table, targets, mask, share=share, duration=duration, year_days=prm.year_days,
                    inventory_days=prm.inventory_days, psi=prm.psi, criticality=dom_w, import_criticality=imp_w,
                    noncompetitive=separate, slack_days=dom_slack, import_slack_days=imp_slack,
                    origin_rows=_origin_rows(model))
    seconds["prescreen"] = time.perf_counter() - t0
    corr = rank_correlations(ranking, pre)
    settings = {"kinds": list(kinds), "share": share, "duration": duration, "start": start, "days": days,
                "scope": scope, "import_regions": import_regions, "epsilon": epsilon, "rank_by": rank_by,
                "pathway": pathway, "intensity": intensity if pathway else None, "levers": levers,
                "workers": workers, "chunk": chunk, "min_loss_days": float(min_loss_days),
                "run_screened": bool(run_screened),
                "params": prm.model_dump(mode="json")}
    reference, ref_stats = _reference(table, ranking, kinds)
    seconds["total"] = time.perf_counter() - t_start
    m = table.money
    prov = {"chainsim_version": __version__, "dataset": table.name, "dataset_checksum": table.checksum,
            "money": {"currency": m.currency, "per_unit": m.per_unit, "unit": m.unit}, "settings": settings,
            "targets": {k: sum(t.kind == k for t in targets) for k in kinds},
            "simulated": {k: int(sum(r for t, r in zip(targets, run, strict=True) if t.kind == k)) for k in kinds},
            "effects": {k: {str(e): int(n) for e, n in g.value_counts().items()}
                        for k, g in ranking.groupby("kind", sort=False)["effect"]},
            "seconds": {k: round(v, 3) for k, v in seconds.items() if k.removesuffix("_cpu") not in KINDS
                        or k.removesuffix("_cpu") in kinds}}
    if ref_stats is not None:
        prov["reference_check"] = ref_stats
    return ScanResult(ranking=ranking, prescreen=pre, correlations=corr, output=Y, baseline=base,
                      targets=tuple(targets), settings=settings, provenance=prov, reference=reference)


def _reference(table: IOTable, ranking: pd.DataFrame, kinds: Sequence[str]) -> tuple[pd.DataFrame | None,
                                                                                    dict | None]:
    """The reference check when it applies: imports scanned on a table with NBS sector codes."""
    from chainsim.data.nbs import SECTOR_CODES
    from chainsim.data.nbs149 import sector_parents
    from chainsim.scan.reference import reference_check

    if "imports" not in kinds or not set(sector_parents(table).values()) <= set(SECTOR_CODES):
        return None, None
    return reference_check(table, ranking)


def _input_rows(model: Any, S: int) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray]:
    """The engine's criticality of domestic and imported inputs (S, N each) and which products' imports are separate.

    Reads the documented attributes of :class:`~chainsim.engine.EconomyModel`: ``bind_weight``
    (input rows x buyers) and ``import_row`` (the input row the foreign origins of product p
    deliver: p when p is competitive); without ``import_row``, S rows mean competitive imports
    and 2 S rows the two-class model. With per-origin imported-only rows (``n_named`` rows, each
    in the group ``named_group`` of its product's shared row) a product's imported criticality is
    the sum of its rows' weights, w (1 - σ_p) per buyer: the rows split it by origin
    (docs/model.md §1), and the pre-screen cuts a share of the product's whole imported supply.
    """
    w = np.asarray(model.bind_weight, dtype=float)
    E = int(getattr(model, "n_named", 0) or 0)
    if E:
        w = w.copy()
        np.add.at(w, np.asarray(model.named_group, dtype=int), w[-E:])
    row = getattr(model, "import_row", None)
    if row is None:
        if w.shape[0] not in (S, 2 * S):
            return None, None, np.zeros(S, dtype=bool)
        row = np.arange(S) + (S if w.shape[0] == 2 * S else 0)
    row = np.asarray(row, dtype=int)
    return w[:S], w[row], row != np.arange(S)


def _origin_rows(model: Any) -> set[tuple[str, str]]:
    """(origin, product code) of every named origin with its own imported-only row in the engine (issue 21)."""
    E = int(getattr(model, "n_named", 0) or 0)
    if not E:
        return set()
    codes = model.table.sector_codes
    return {(model.origin_name(int(b)), codes[int(p)]) for b, p in zip(model.named_block, model.named_product,
                                                                       strict=True)}


def _input_slack(model: Any, prm: ModelParams, S: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Days of full use the stock of each domestic and imported input covers before it binds (S each).

    The engine's stock days by input row (``inv_days``: by product from the dynamics evidence on an
    NBS table, scaled by ``inventory_scale``) less the days at which the row binds: ``cover_days``
    under the cover rule, ψ of the stock under ARIO's ψ rule; ``inf`` for infinite inventories.
    ``None`` when the model does not expose its stock days.
    """
    days = getattr(model, "inv_days", None)
    if days is None:
        return None, None
    days = np.asarray(days, dtype=float)
    bind = prm.psi * days if prm.binding == "psi" else np.full_like(days, prm.cover_days)
    slack = np.maximum(days - bind, 0.0)
    infinite = np.asarray(getattr(model, "infinite_rows", np.zeros(len(days), dtype=bool)), dtype=bool)
    slack[infinite | ~np.isfinite(days)] = np.inf
    row = getattr(model, "import_row", None)
    row = np.arange(S) + (S if len(days) == 2 * S else 0) if row is None else np.asarray(row, dtype=int)
    if row.max(initial=0) >= len(days):
        return slack[:S], None
    return slack[:S], slack[row]


def _merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in extra.items():
        out[k] = {**out[k], **v} if isinstance(v, Mapping) and isinstance(out.get(k), Mapping) else v
    return out


def _rewrite(t: Target, pathway: str, intensity: float, sector_codes: Sequence[str]) -> Target:
    """The target with its disruption rewritten by the pathway's disruption levers."""
    from dataclasses import replace

    from chainsim.pathways.apply import plan_pathway

    d = plan_pathway(pathway, [t.disruption], intensity=intensity, sector_codes=sector_codes).disruptions[0]
    return replace(t, disruption=dict(d))
