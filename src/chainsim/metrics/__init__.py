"""Recovery metrics: pure functions of daily output trajectories against the no-shock baseline.

Resistance (depth, time to trough), recovery (time to recover, TTR), re-orientation (level
at the horizon), losses (cumulative, in yuan and days of output; amplification ratio;
Bruneau's resilience triangle), Simchi-Levi's time to survive (TTS), Martin's regional
indices, replication summaries with honest censoring, and DIIM helpers for validation.
Definitions, units and conventions: ``docs/metrics.md``.
"""

from chainsim.metrics.batch import recovery_times_batch, summarize_batch
from chainsim.metrics.diim import (
    cstar_pulse,
    cumulative_inoperability,
    diim_recovery,
    diim_simulate,
    resilience_coefficient,
)
from chainsim.metrics.losses import (
    amplification_ratio,
    cumulative_loss,
    loss_in_days_of_output,
    resilience_triangle_area,
)
from chainsim.metrics.recovery import (
    RecoveryTime,
    RecoveryTimes,
    depth,
    detect_onset,
    level_at_horizon,
    recovery_time,
    relative_level,
    time_to_trough,
)
from chainsim.metrics.regional import (
    NAMED_SCOPES,
    NORTHEAST,
    aggregate,
    expected_change,
    recovery_index,
    resistance_index,
    scope_columns,
    sensitivity_index,
)
from chainsim.metrics.summary import summarize, summarize_recovery_times, summarize_replications, summarize_runs
from chainsim.metrics.survival import SurvivalTime, observed_time_to_survive, time_to_survive, tts_loss

__all__ = [
    "NAMED_SCOPES",
    "NORTHEAST",
    "RecoveryTime",
    "RecoveryTimes",
    "SurvivalTime",
    "aggregate",
    "amplification_ratio",
    "cstar_pulse",
    "cumulative_inoperability",
    "cumulative_loss",
    "depth",
    "detect_onset",
    "diim_recovery",
    "diim_simulate",
    "expected_change",
    "level_at_horizon",
    "loss_in_days_of_output",
    "observed_time_to_survive",
    "recovery_index",
    "recovery_time",
    "recovery_times_batch",
    "relative_level",
    "resilience_coefficient",
    "resilience_triangle_area",
    "resistance_index",
    "scope_columns",
    "sensitivity_index",
    "summarize",
    "summarize_batch",
    "summarize_recovery_times",
    "summarize_replications",
    "summarize_runs",
    "time_to_survive",
    "time_to_trough",
    "tts_loss",
]
