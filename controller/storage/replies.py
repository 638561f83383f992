"""Script replies as typed results and domain errors: the one place a Lua script's
status word is read.

Every script in lua/ answers {status word, values...}. The store hands each reply to
one function here, which returns what its caller needs (a Run, a SweepState, one of
the small result types below) or raises the domain error (sweepd.errors) the status
means, with the message the API gives for it. No code outside controller/storage/
sees a status word or a reply index.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any, Sequence

from sweepd.domain import Run, SweepState
from sweepd.echo import shown
from sweepd.errors import InvalidState, LeaseLost, NotFound, OutOfRange, RefusedChange

from .records import _s, decode_run

# ---------------------------------------------------------------- domain errors


def sweep_not_found(sweep_id: str) -> NotFound:
    return NotFound(f"sweep {shown(sweep_id)} not found")


def run_not_found(sweep_id: str, run_id: str) -> NotFound:
    return NotFound(f"run {shown(run_id)} not found in sweep {shown(sweep_id)}")


def lease_lost(run_id: str, state: str) -> LeaseLost:
    return LeaseLost(f"run {shown(run_id)} is not held by the caller (run is {state or 'unknown'})")


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Stale:
    """Refused: the sweep's config is at `version` now, not the one the caller read."""

    version: int


@dataclass(frozen=True)
class Assigned:
    """The run was created and handed out: its number, config, attempt and note."""

    number: int
    config: dict[str, Any]
    attempt: int
    note: str


@dataclass(frozen=True)
class Claimed:
    """Refused: another run holds the suggestion's claim key."""


@dataclass(frozen=True)
class NoRetryWaiting:
    """Refused: the retry list was empty (another agent took what waited)."""


@dataclass(frozen=True)
class Closed:
    """Refused: the sweep takes no new runs, by its `state` or (`cap`) its run_cap."""

    state: SweepState
    cap: bool


AssignReply = Assigned | Stale | Claimed | NoRetryWaiting | Closed


@dataclass(frozen=True)
class Reported:
    """A metric batch stored (or, `duplicate`, acknowledged again): whether the run was
    asked to stop before it (its values then count in no threshold), the sweep's state,
    how many entries the run's objective list holds and how many this batch added."""

    duplicate: bool
    asked_before: bool
    sweep_state: SweepState
    count: int
    new: int


@dataclass(frozen=True)
class IndexGeneration:
    """A stopping index generation for the caller's spec: `new` when the reset started
    it, else the index was for that spec already."""

    generation: str
    new: bool


class BuildStep(enum.Enum):
    MORE = "ok"  # a chunk was indexed: more to do
    READY = "ready"  # the generation is built
    GONE = "gone"  # another generation has started


class IndexState(enum.Enum):
    READY = "ok"
    OTHER = "other"  # the index is for another rule, or there is none
    BUILDING = "building"
    OVER = "over"  # a run went past the index's marks
    BROKEN = "broken"  # a member the run hashes promise is missing


# ---------------------------------------------------------------- decoding


def words(raw: Sequence[Any]) -> tuple[str, ...]:
    """A reply's items as strings (integers too)."""
    return tuple(_s(x) if not isinstance(x, int) else str(x) for x in raw)


def _pairs(flat: Sequence[Any]) -> dict[str, str]:
    return {_s(flat[i]): _s(flat[i + 1]) for i in range(0, len(flat), 2)}


def _run_of(sweep_id: str, run_id: str, status: str, state: str) -> None:
    if status == "notfound":
        raise run_not_found(sweep_id, run_id)
    if status == "lease":
        raise lease_lost(run_id, state)


def started(raw: Sequence[Any], sweep_id: str, run_id: str) -> Run:
    """start_run.lua: {ok, state, run hash, summary hash} | {lease, state} | {notfound}."""
    status, state = _s(raw[0]), _s(raw[1])
    _run_of(sweep_id, run_id, status, state)
    return decode_run(_pairs(raw[2]), _pairs(raw[3]))


def finished(raw: Sequence[Any], sweep_id: str, run_id: str) -> tuple[Run, SweepState]:
    """finish_run.lua: {ok, state, sweep state, run hash, summary hash} | {lease, state, ""}
    | {notfound, "", ""}."""
    status, state = _s(raw[0]), _s(raw[1])
    _run_of(sweep_id, run_id, status, state)
    return decode_run(_pairs(raw[3]), _pairs(raw[4])), SweepState(_s(raw[2]))


def reported(raw: Sequence[Any], sweep_id: str, run_id: str, seq: int) -> Reported:
    """report_metrics.lua: {ok|dup, asked before, sweep state, entries, new entries}
    | {lease, state, ""} | {gap, last seq stored, ""} | {notfound, "", ""}."""
    status, *values = words(raw)
    _run_of(sweep_id, run_id, status, values[0])
    if status == "gap":
        expected = int(values[0]) + 1
        raise OutOfRange(
            f"seq: {seq} is not the next batch of run {shown(run_id)}; expected "
            f"{expected} (seq grows by one per batch; a refused batch stores nothing)",
            [("seq", f"expected {expected}")])
    return Reported(duplicate=status == "dup", asked_before=values[0] == "1",
                    sweep_state=SweepState(values[1]), count=int(values[2]), new=int(values[3]))


def assigned(raw: Sequence[Any], sweep_id: str) -> AssignReply:
    """assign_run.lua: {ok, number, config JSON, attempt, note} | {stale, version}
    | {state|cap, sweep state} | {claimed} | {empty} | {notfound}."""
    status, *values = words(raw)
    if status == "ok":
        number, config_json, attempt, note = values
        return Assigned(int(number), json.loads(config_json), int(attempt), note)
    if status == "notfound":
        raise sweep_not_found(sweep_id)
    if status == "stale":
        return Stale(int(values[0]))
    if status in ("state", "cap"):
        return Closed(SweepState(values[0]), cap=status == "cap")
    if status == "claimed":
        return Claimed()
    if status == "empty":
        return NoRetryWaiting()
    raise ValueError(f"assign_run.lua answered {status!r}")


def state_set(raw: Sequence[Any], sweep_id: str, action: str) -> SweepState:
    """set_sweep_state.lua: {ok, new state} | {bad, state} | {notfound}."""
    status, value = words(raw)
    if status == "notfound":
        raise sweep_not_found(sweep_id)
    if status == "bad":
        raise InvalidState(f"cannot {action} a sweep that is {value}")
    return SweepState(value)


def updated(raw: Sequence[Any], sweep_id: str) -> SweepState | Stale:
    """update_sweep.lua: {ok, state} | {stale, version} | {state, state} | {notfound}."""
    status, value = words(raw)
    if status == "notfound":
        raise sweep_not_found(sweep_id)
    if status == "state":
        raise RefusedChange(f"cannot update a sweep that is {value}",
                            [("sweep_id", f"the sweep is {value}")])
    if status == "stale":
        return Stale(int(value))
    return SweepState(value)


def requeued(raw: Sequence[Any], sweep_id: str, run_id: str) -> int:
    """requeue_run.lua: {ok, waiting} | {state, state} | {notfound} | {norun}."""
    status, value = words(raw)
    if status == "notfound":
        raise sweep_not_found(sweep_id)
    if status == "norun":
        raise run_not_found(sweep_id, run_id)
    if status == "state":
        raise InvalidState(f"cannot requeue a run of a sweep that is {value}")
    return int(value)


def ignored(raw: Sequence[Any], sweep_id: str, run_id: str) -> str:
    """set_run_ignored.lua: {ok, best run id} | {notfound}; the sweep's best run id."""
    status, value = words(raw)
    if status == "notfound":
        raise run_not_found(sweep_id, run_id)
    return value


def expired(raw: Sequence[Any]) -> SweepState | None:
    """expire_run.lua: {crashed, sweep state} | {alive, ""} | {gone, ""}; the sweep's
    state when the run crashed, None when it did not (its lease was extended meanwhile,
    or it is no longer active)."""
    status, value = words(raw)
    return SweepState(value) if status == "crashed" else None


def index_reset(raw: Sequence[Any]) -> IndexGeneration | None:
    """stop_index_reset.lua: {ok|same, generation} | {stale, version} | {notfound}; None
    when refused (the sweep is gone, or its config is past the caller's version)."""
    status, value = words(raw)
    if status in ("ok", "same"):
        return IndexGeneration(value, new=status == "ok")
    return None
