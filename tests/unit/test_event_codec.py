"""Sweep events (controller/events.py): each round-trips through its wire form, the wire
forms stay those every replica already speaks, and a message that is no event is
refused with a BadEvent that says what is wrong."""

from __future__ import annotations

import pytest

from sweepd.controller import events
from sweepd.controller.events import BadEvent, RunsRequeued, RunStopped, SweepStateChanged
from sweepd.controller.storage import keys
from sweepd.domain import SweepState

EVERY_EVENT = [RunStopped("r-1_x"), RunsRequeued(),
               *(SweepStateChanged(state) for state in SweepState)]


@pytest.mark.parametrize("event", EVERY_EVENT, ids=repr)
def test_every_event_round_trips(event):
    assert events.decode(events.encode(event)) == event
    assert events.decode(events.encode(event).encode()) == event  # as bytes, too


def test_wire_forms_are_the_ones_replicas_already_speak():
    assert events.encode(RunStopped("abc")) == "stop abc"
    assert events.encode(SweepStateChanged(SweepState.PAUSED)) == "state paused"
    assert events.encode(RunsRequeued()) == "requeued"


@pytest.mark.parametrize("message, says", [
    ("", "unknown event"),
    ("hello there", "unknown event"),
    ("requeued now", "unknown event"),
    ("stop", "no valid run id"),
    ("stop not/a run", "no valid run id"),
    ("state", "no sweep state"),
    ("state sleeping", "no sweep state"),
    (b"\xff\xfe", "not UTF-8"),
])
def test_a_message_that_is_no_event_is_refused_saying_why(message, says):
    with pytest.raises(BadEvent, match=says):
        events.decode(message)


def test_events_channels_name_their_sweep():
    assert keys.sweep_of_events(keys.sweep_events("abc123")) == "abc123"
    assert keys.sweep_of_events("sweepd:sweep:{abc123}:meta") is None
    assert keys.sweep_of_events("sweepd:sweep:{a b}:events") is None
    pattern = keys.sweep_events_pattern()
    assert pattern == keys.sweep_events("*")
