"""The interface every early-termination rule implements, and the registry that picks one.

A stopping rule is a pure function of (config, runs): it reads each run's history of
the sweep metric (`Run.history`, one value per log call, in log order) and returns the
runs to stop now. It keeps no state, so any controller replica may evaluate it
whenever a metric arrives. Every run, whatever its state, counts when thresholds are
computed, with the values it logged before it was asked to stop (the controller
passes a stopped run's history cut at its stop decision: the points it logs while it
stops count in no threshold); only runs in state RUNNING that have not already been
asked to stop (`should_stop`) are ever returned.

`value` and `threshold` of a `StopDecision` are in the metric's own units (not
negated for maximize), so they can be shown to users as they are; with several
objectives (`metrics`) there is no one number and both are None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, Sequence

from sweepd.config import SweepConfig
from sweepd.domain import Run, RunState
from sweepd.domain import finite_number as _finite


@dataclass(frozen=True)
class StopDecision:
    """Stop run `run_id`: at `band` (an iteration count) its `value` was worse than
    `threshold`; `message` says so in words."""

    run_id: str
    band: int
    value: float | None
    threshold: float | None
    message: str


class StoppingRule(Protocol):
    def __call__(self, config: SweepConfig, runs: Sequence[Run]) -> list[StopDecision]: ...


_REGISTRY: dict[str, StoppingRule] = {}


def register(name: str) -> Callable[[StoppingRule], StoppingRule]:
    def add(fn: StoppingRule) -> StoppingRule:
        _REGISTRY[name] = fn
        return fn

    return add


def get_stopping_rule(name: str) -> StoppingRule:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no stopping rule {name!r}; known: {sorted(_REGISTRY)}") from None


def stopping_rules() -> list[str]:
    return sorted(_REGISTRY)


# ---------------------------------------------------------------- helpers for rules


def goal_sign(config: SweepConfig) -> float:
    """-1 for maximize, so that after multiplying "better" is always "lower"."""
    return -1.0 if config.metric.goal == "maximize" else 1.0


def oriented(run: Run, sign: float) -> list[float]:
    """The run's finite metric values in log order, multiplied by `sign`."""
    return [sign * float(v) for v in run.history if _finite(v)]


def stoppable(runs: Sequence[Run]) -> list[Run]:
    """The runs a rule may stop: running and not yet asked to stop."""
    return [r for r in runs if r.state is RunState.RUNNING and not r.should_stop]


def metric_name(config: SweepConfig) -> str:
    return config.metric.name or "metric"


def nth(k: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th"."""
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"
