"""Sweep events over real Redis pub/sub: the store's subscription hears what is
published on every sweep's channel, and a message that is no event is logged and
dropped without ending the subscription or the agent sessions' listener."""

from __future__ import annotations

import asyncio
import logging

import redis.asyncio as aioredis

from sweepd.controller.agents import AgentSession, AgentSessions
from sweepd.controller.events import RunStopped, SweepStateChanged
from sweepd.controller.service import SweepRules
from sweepd.controller.storage import keys
from sweepd.controller.storage.store import Store
from sweepd.domain import SweepState

WAIT_S = 10  # a bound on waiting for what must come, not a timing assertion


def _dropped(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "sweepd.controller.storage.events" and r.levelno == logging.WARNING]


def test_a_subscription_hears_every_sweep_and_drops_what_is_no_event(redis_url, caplog):
    async def body():
        store = Store.from_url(redis_url)
        raw = aioredis.Redis.from_url(redis_url)  # to publish what no replica would
        try:
            async with store.events.subscription() as received:
                await raw.publish(keys.sweep_events("s1"), "bogus")
                await raw.publish("sweepd:sweep:{a b}:events", "stop r1")
                await store.events.publish("s1", RunStopped("r1"))
                await store.events.publish("s2", SweepStateChanged(SweepState.PAUSED))
                return [await asyncio.wait_for(anext(received), WAIT_S) for _ in range(2)]
        finally:
            await raw.aclose()
            await store.close()

    with caplog.at_level(logging.WARNING, logger="sweepd.controller.storage.events"):
        got = asyncio.run(body())
    assert got == [("s1", RunStopped("r1")), ("s2", SweepStateChanged(SweepState.PAUSED))]
    dropped = _dropped(caplog)
    assert len(dropped) == 2
    assert "unknown event 'bogus'" in dropped[0]
    assert "no sweep id in the channel name" in dropped[1]


def test_the_listener_drops_a_bad_message_and_still_delivers_the_next_stop(redis_url, caplog):
    async def body():
        store = Store.from_url(redis_url)
        raw = aioredis.Redis.from_url(redis_url)
        sessions = AgentSessions(SweepRules(store))
        session = AgentSession("s1", "agent-1")
        sessions.add(session)
        sessions.hold(session, "r1", "token")
        sessions.start_listening()
        try:
            await asyncio.wait_for(sessions.listening.wait(), WAIT_S)
            await raw.publish(keys.sweep_events("s1"), "stop")  # no run id
            await raw.publish(keys.sweep_events("s1"), b"\xff\xfe")
            await store.events.publish("s1", RunStopped("r1"))
            message = await asyncio.wait_for(session.outbox.get(), WAIT_S)
            return message, session.outbox.empty(), sessions.listening.is_set()
        finally:
            await sessions.stop_listening()
            await raw.aclose()
            await store.close()

    with caplog.at_level(logging.WARNING, logger="sweepd.controller.storage.events"):
        message, nothing_else, still_listening = asyncio.run(body())
    assert message.WhichOneof("kind") == "stop" and message.stop.run_id == "r1"
    assert nothing_else and still_listening
    dropped = _dropped(caplog)
    assert len(dropped) == 2
    assert "stop: no valid run id" in dropped[0] and "not UTF-8" in dropped[1]
