"""Sweep events over Redis pub/sub: publishing one on its sweep's channel, and a
subscription to every sweep's channel (the events and their wire form are
controller/events.py's; the channel names are keys.py's).

Publishing uses the store's client; subscribing uses one plain connection of a client
of its own (Store.from_url: of the seed node for a cluster, whose PUBLISH reaches every
node), which leaves replies undecoded so that a message that is not UTF-8 is dropped
here rather than failing the connection.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any, AsyncIterator

from sweepd.controller.events import BadEvent, Event, decode, encode

from . import keys

log = logging.getLogger(__name__)

SUBSCRIBE_TIMEOUT_S = 10.0


class EventBus:
    """`publisher`: the store's client (a Redis or a RedisCluster); `subscriber`: a
    plain Redis client for the subscription (None: the publisher, a plain Redis), closed
    by `close` when it is not the publisher."""

    def __init__(self, publisher: Any, subscriber: Any = None):
        self._publisher = publisher
        self._subscriber = subscriber if subscriber is not None else publisher

    async def publish(self, sweep_id: str, event: Event) -> None:
        await self._publisher.publish(keys.sweep_events(sweep_id), encode(event))

    @contextlib.asynccontextmanager
    async def subscription(self) -> AsyncIterator[AsyncIterator[tuple[str, Event]]]:
        """Every sweep's events, as (sweep id, event), from when the context is
        entered (Redis confirmed the subscription) until it is left. A message that
        holds no event is logged and dropped. A lost connection raises what redis-py
        raises: subscribe again (what was sent meanwhile is lost)."""
        pubsub = self._subscriber.pubsub()
        try:
            await pubsub.psubscribe(keys.sweep_events_pattern())
            # Redis confirms: from here on, nothing published is missed
            confirmed = await pubsub.get_message(timeout=SUBSCRIBE_TIMEOUT_S)
            if confirmed is None or confirmed.get("type") != "psubscribe":
                raise ConnectionError(f"Redis did not confirm the subscription ({confirmed!r})")
            yield _received(pubsub)
        finally:
            with contextlib.suppress(Exception):  # its connection may be gone already
                await pubsub.aclose()

    async def close(self) -> None:
        if self._subscriber is not self._publisher:
            await self._subscriber.aclose()


async def _received(pubsub: Any) -> AsyncIterator[tuple[str, Event]]:
    async for item in pubsub.listen():
        if item.get("type") != "pmessage":
            continue
        channel, data = item["channel"], item["data"]
        if isinstance(channel, bytes):
            channel = channel.decode(errors="replace")
        sweep_id = keys.sweep_of_events(channel)
        try:
            if sweep_id is None:
                raise BadEvent(f"no sweep id in the channel name {channel!r}")
            event = decode(data)
        except BadEvent as exc:
            log.warning("dropped a message on %s: %s", channel, exc)
            continue
        yield sweep_id, event
