"""The interface every early-termination rule implements, and the registry that picks one.

A stopping rule (a `StoppingRule`, registered by name) decides from (config, runs)
alone: it reads each run's history of the sweep metric (`Run.history`, one value per
log call, in log order) and returns the runs to stop now; a rule that only decides
when a run reaches some iteration counts declares them (`checkpoints`), and the
controller evaluates it only then. It keeps no state, so any controller replica may evaluate it
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

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Callable, ClassVar, Sequence

from sweepd.config import EarlyTerminate, SweepConfig
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


class StoppingRule(ABC):
    """What every early-termination rule implements. A rule is a class registered with
    `@register("name")` (the name is the config's `early_terminate.type`); the
    registry holds one instance of it, which keeps no state."""

    name: ClassVar[str] = ""  # set by register

    @abstractmethod
    def decide(self, config: SweepConfig, runs: Sequence[Run]) -> list[StopDecision]:
        """The runs to stop now (see the module docstring for what every rule promises)."""

    def checkpoints(self, early_terminate: EarlyTerminate, up_to: int) -> list[int] | None:
        """The iteration counts (ascending, distinct, at most `up_to`) at which this
        rule decides: a value that takes no run to one of them changes no decision, so
        the controller does not evaluate the rule then. None (the default): the rule
        may decide at every value."""
        return None

    def may_decide(self, early_terminate: EarlyTerminate, before: int, after: int) -> bool:
        """Whether a run's value count going from `before` to `after` can change any
        decision of this rule (it reaches a checkpoint, or the rule has none)."""
        marks = self.checkpoints(early_terminate, after)
        return marks is None or any(before < c <= after for c in marks)


class UnknownStoppingRule(KeyError):
    """A stopping rule name that no registered rule has."""

    def __str__(self) -> str:  # KeyError's own quotes its message
        return str(self.args[0])


_REGISTRY: dict[str, StoppingRule] = {}


def register(name: str) -> Callable[[type[StoppingRule]], type[StoppingRule]]:
    """Class decorator: registers an instance of a StoppingRule subclass under `name`."""
    def add(cls: type[StoppingRule]) -> type[StoppingRule]:
        if not (isinstance(cls, type) and issubclass(cls, StoppingRule)):
            raise TypeError(f"stopping rule {name!r}: {cls!r} is not a StoppingRule subclass")
        taken = _REGISTRY.get(name)
        if taken is not None and type(taken).__qualname__ != cls.__qualname__:
            raise ValueError(f"stopping rule {name!r} is registered already "
                             f"({type(taken).__qualname__})")
        cls.name = name
        _REGISTRY[name] = cls()
        return cls

    return add


def get_stopping_rule(name: str) -> StoppingRule:
    """The registered rule `name`; UnknownStoppingRule (a KeyError) listing the known
    ones otherwise."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownStoppingRule(
            f"early_terminate.type: no stopping rule {name!r} is registered; known: "
            f"{', '.join(sorted(_REGISTRY))}") from None


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
