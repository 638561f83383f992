"""Sweep events: what one controller replica tells the others, and their wire form.

A replica that decides something an agent's stream must hear of (a run was asked to
stop, the sweep changed state, a run's configuration was queued again) publishes an
event on the sweep's channel (controller/storage/events.py); every replica hears it
and tells the agents it holds (agents.py). Events are hints: a missed one is made up
by the next heartbeat, so they carry only what names the change.

The wire form is a line of text, "<kind>[ <argument>]", encoded and decoded here and
nowhere else:

    stop <run id>      RunStopped: the replica holding the run's agent sends StopRun
    state <state>      SweepStateChanged: configs are re-read, waiting agents look again
    requeued           RunsRequeued: waiting agents look again
"""

from __future__ import annotations

from dataclasses import dataclass

from sweepd.domain import SweepState

from .storage.keys import valid_id


@dataclass(frozen=True)
class RunStopped:
    run_id: str


@dataclass(frozen=True)
class SweepStateChanged:
    state: SweepState


@dataclass(frozen=True)
class RunsRequeued:
    pass


Event = RunStopped | SweepStateChanged | RunsRequeued


class BadEvent(ValueError):
    """A message on an events channel that is no event (what is wrong, and the text)."""


def encode(event: Event) -> str:
    match event:
        case RunStopped(run_id):
            return f"stop {run_id}"
        case SweepStateChanged(state):
            return f"state {state.value}"
        case RunsRequeued():
            return "requeued"
    raise TypeError(f"not a sweep event: {event!r}")


def decode(message: str | bytes) -> Event:
    """The event a message holds; BadEvent saying what is wrong with one that holds none."""
    if isinstance(message, bytes):
        try:
            message = message.decode()
        except UnicodeDecodeError:
            raise BadEvent(f"not UTF-8: {message[:80]!r}") from None
    kind, _, arg = message.partition(" ")
    if kind == "stop":
        if not valid_id(arg):
            raise BadEvent(f"stop: no valid run id in {message[:80]!r}")
        return RunStopped(arg)
    if kind == "state":
        try:
            return SweepStateChanged(SweepState(arg))
        except ValueError:
            raise BadEvent(f"state: no sweep state in {message[:80]!r}") from None
    if message == "requeued":
        return RunsRequeued()
    raise BadEvent(f"unknown event {message[:80]!r}")
