"""Plain domain objects shared by the SDK, the controller, the trainer and the UI.

No protobuf and no Redis here: `sweepd.convert` maps these to and from the wire
messages, `sweepd.controller.storage` to and from Redis. Values in run configs and
metric summaries are plain Python (int, float, str, bool, None, dict, list).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

# The errors live in sweepd.errors; importing them from here keeps working.
from sweepd.errors import (  # noqa: F401
    AlreadyExists,
    ConversionError,
    FailedPrecondition,
    InvalidArgument,
    InvalidState,
    LeaseLost,
    NotFound,
    OutOfRange,
    PermissionDenied,
    RefusedChange,
    ResourceExhausted,
    SweepdError,
    Unauthenticated,
    Unavailable,
)

T = TypeVar("T")


def finite_number(value: Any) -> bool:
    """An int or a finite float, never a bool: the values a metric is judged by
    (search, early termination, best run, charts); anything else is left out."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return isinstance(value, int) or math.isfinite(value)


class RunState(str, enum.Enum):
    """Lifecycle of one run; terminal states never change."""

    PENDING = "pending"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CRASHED = "crashed"
    STOPPED = "stopped"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_RUN_STATES


TERMINAL_RUN_STATES = frozenset(
    {RunState.FINISHED, RunState.FAILED, RunState.CRASHED, RunState.STOPPED}
)
ACTIVE_RUN_STATES = frozenset({RunState.PENDING, RunState.RUNNING})


class SweepState(str, enum.Enum):
    """Lifecycle of a sweep (see docs/sweep-config.md, "Sweep states")."""

    RUNNING = "running"
    PAUSED = "paused"
    FINISHING = "finishing"
    FINISHED = "finished"
    CANCELLED = "cancelled"

    @property
    def accepts_new_runs(self) -> bool:
        return self is SweepState.RUNNING

    @property
    def terminal(self) -> bool:
        return self in (SweepState.FINISHED, SweepState.CANCELLED)


class SweepAction(str, enum.Enum):
    """User commands that change a sweep's state."""

    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    CANCEL = "cancel"


@dataclass(frozen=True)
class StopReason:
    """Why a run was stopped: by a user, a sweep cancel, or an early-termination rule."""

    kind: str  # "user", "cancelled", "hyperband", "asha", "median", "lease"
    message: str = ""
    band: int | None = None
    value: float | None = None
    threshold: float | None = None


# What an agent keeps of each stream a program writes, and of a function's traceback:
# the last OUTPUT_TAIL_BYTES bytes (the controller refuses longer texts).
OUTPUT_TAIL_BYTES = 64 * 1024

# A finished run's `error` (FinishRunRequest.error): at most ERROR_MAX_CHARS characters
# (the controller refuses more); `error_tail` keeps the end of a longer message.
ERROR_MAX_CHARS = 10_000
ERROR_CUT_MARK = "[...] "


def error_tail(error: str) -> str:
    """`error` if it fits ERROR_MAX_CHARS, else its end behind ERROR_CUT_MARK."""
    if len(error) <= ERROR_MAX_CHARS:
        return error
    return ERROR_CUT_MARK + error[len(error) - ERROR_MAX_CHARS + len(ERROR_CUT_MARK):]


@dataclass(frozen=True)
class RunOutput:
    """The end of what a run wrote (FinishRun's `output`): a program's last output on
    stdout and stderr with the bytes it wrote to each in all, or a function run's
    traceback. Each text is at most OUTPUT_TAIL_BYTES bytes of UTF-8."""

    stdout: str = ""
    stderr: str = ""
    stdout_bytes: int = 0
    stderr_bytes: int = 0
    traceback: str = ""

    @property
    def empty(self) -> bool:
        return not (self.stdout or self.stderr or self.traceback
                    or self.stdout_bytes or self.stderr_bytes)


def utf8_tail(data: bytes | str, limit: int = OUTPUT_TAIL_BYTES) -> str:
    """The end of `data` as text of at most `limit` bytes of UTF-8: bytes that are not
    UTF-8 become U+FFFD, and a character the cut splits is dropped."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    if len(data) > limit:
        data = data[-limit:]
        skip = 0
        while skip < min(3, len(data)) and 0x80 <= data[skip] <= 0xBF:  # continuation bytes
            skip += 1
        data = data[skip:]
    encoded = data.decode("utf-8", "replace").encode("utf-8")
    # replacement characters (3 bytes each) may have grown it: cut at a character start
    return encoded[-limit:].decode("utf-8", "ignore")


@dataclass
class Run:
    """One trial of a sweep as the controller records it."""

    id: str
    sweep_id: str
    state: RunState
    config: dict[str, Any]
    number: int = 0  # 1-based order of creation within the sweep
    agent_id: str = ""
    host: str = ""  # the host name its agent gave in AgentHello
    lease_token: str = ""
    claim_key: str = ""  # e.g. the grid combination index; unique within a sweep
    attempt: int = 1
    created_at: float = 0.0  # unix seconds
    started_at: float | None = None
    ended_at: float | None = None
    exit_code: int | None = None
    error: str = ""
    stop_reason: StopReason | None = None
    should_stop: bool = False
    summary: dict[str, Any] = field(default_factory=dict)  # latest value of each logged key
    history: list[float] = field(default_factory=list)  # values of the sweep metric, in log order
    # (with the controller's --metrics-maxlen N, only the first N)
    best: float | None = None  # best value of the sweep metric over everything it logged
    points: int = 0  # metric points stored
    note: str = ""  # how the search chose this config (e.g. "random fallback: ...")
    prior: bool = False  # done elsewhere, given when the sweep was created (PriorRun)
    ignored: bool = False  # left out of search and of the sweep's best (SetRunIgnored)
    config_version: int = 1  # the sweep config version the run was made under
    # multi-objective sweeps: objective name -> best value logged (prior runs: none,
    # their values are in the summary); one tuple per log call that held every
    # objective, in config order; the non-dominated rank when it was computed and the
    # run is ranked (0 = on the Pareto front), else None
    objectives: dict[str, float] = field(default_factory=dict)
    objective_history: list[tuple[float, ...]] = field(default_factory=list)
    pareto_rank: int | None = None

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_RUN_STATES

    @property
    def pareto_optimal(self) -> bool:
        return self.pareto_rank == 0

    @property
    def duration(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.ended_at
        return None if end is None else max(0.0, end - self.started_at)


@dataclass(frozen=True)
class RunCounts:
    pending: int = 0
    running: int = 0
    finished: int = 0
    failed: int = 0
    crashed: int = 0
    stopped: int = 0

    @property
    def total(self) -> int:
        return (
            self.pending + self.running + self.finished + self.failed + self.crashed + self.stopped
        )


@dataclass
class Sweep:
    """A registered sweep: its validated config plus the controller's bookkeeping."""

    id: str
    config: Any  # sweepd.config.SweepConfig
    state: SweepState
    created_at: float
    updated_at: float = 0.0
    counts: RunCounts = field(default_factory=RunCounts)
    best_run_id: str = ""
    best_value: float | None = None
    warnings: tuple[str, ...] = ()  # the controller's remarks (config, prior runs left out)
    prior_runs: int = 0  # prior runs it was created with (run numbers 1..prior_runs)
    config_version: int = 1  # 1 until an update changes the config
    # multi-objective sweeps: runs on the Pareto front, the hypervolume they dominate
    # (None: no run is ranked) and its reference point, in the objectives' own units
    pareto_front_size: int = 0
    hypervolume: float | None = None
    hypervolume_reference: tuple[float, ...] = ()

    @property
    def name(self) -> str:
        return getattr(self.config, "name", "") or ""


@dataclass(frozen=True)
class PriorRun:
    """A run done elsewhere, given to a new sweep as an observation for its search:
    the parameter values and the final logged values; `origin` says where it came
    from ("runs.csv row 4") in warnings and in the stored run's note."""

    config: dict[str, Any]
    summary: dict[str, Any]
    origin: str = ""


@dataclass(frozen=True)
class ConfigVersion:
    """One version of a sweep's config: its number, when it was made, the config, and
    the field paths it changed from the version before (none for version 1)."""

    version: int
    created_at: float  # unix seconds
    config: Any  # sweepd.config.SweepConfig
    changed_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class SweepUpdate:
    """What UpdateSweep did: the sweep after it, the version made (or the current one
    when nothing changed), and whether anything changed."""

    sweep: Sweep
    version: ConfigVersion
    changed: bool


@dataclass(frozen=True)
class MetricPoint:
    """One `run.log(...)` call: a step, a wall time and the values logged."""

    step: int
    wall_time: float
    values: dict[str, Any]


@dataclass(frozen=True)
class MetricBatch:
    """Points of one run sent together; `seq` makes a resend idempotent."""

    run_id: str
    sweep_id: str
    lease_token: str
    seq: int
    points: tuple[MetricPoint, ...]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing (runs, metric points) and the token of the next page
    ("" when this is the last one). Tokens are opaque."""

    items: list[T]
    next_page_token: str = ""

