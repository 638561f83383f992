"""Lua script calls of many concurrent requests, sent together over one connection.

redis-py's asyncio client costs about 60 us of CPU per command (taking a connection
from the pool and giving it back, a write and a read each), more than the script it
runs costs Redis. The hot paths (a metric batch, a heartbeat, an assignment) are one
script call each, made by thousands of agents at once, so the store sends its script
calls through a `ScriptPipe`: the calls made while a round trip is under way wait,
and then go out as one write, their replies read back in order (Redis answers a
connection's commands in the order it received them). Under load a round trip
carries tens of calls; alone, a call costs what it did.

Each call is still one script, atomic in Redis; only the transport is shared. An
error reply fails only its own call; a lost connection fails the calls whose replies
had not been read (as it would have failed them one by one: the callers see the
storage as unavailable; a script whose reply was lost may or may not have run), and
the next call reconnects. A script Redis does not know (a restarted or flushed Redis)
is sent again with its source. Redis Cluster clients are not piped (their calls go to
each key's node through redis-py).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any, Sequence

import redis.asyncio as aioredis
from redis.exceptions import NoScriptError, ResponseError

log = logging.getLogger(__name__)


class ScriptPipe:
    """Runs named Lua scripts (EVALSHA) for concurrent callers over one connection."""

    def __init__(self, client: aioredis.Redis, sources: dict[str, str]):
        pool = client.connection_pool
        self._connection = pool.connection_class(**pool.connection_kwargs)
        self._sources = sources
        self._shas = {name: hashlib.sha1(src.encode()).hexdigest() for name, src in sources.items()}
        self._waiting: list[tuple[str, Sequence[Any], Sequence[Any], asyncio.Future]] = []
        self._sender: asyncio.Task | None = None

    async def run(self, name: str, keys: Sequence[Any], args: Sequence[Any]) -> Any:
        """The script's reply (a ResponseError when the script failed)."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((name, keys, args, future))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send_waiting())
        return await future

    async def close(self) -> None:
        if self._sender is not None and not self._sender.done():
            self._sender.cancel()
            try:
                await self._sender
            except (asyncio.CancelledError, Exception):
                pass
        await self._connection.disconnect()

    async def _send_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                unknown = await self._round_trip(batch, by_sha=True)
                if unknown:  # Redis lost its script cache: EVAL caches them again
                    await self._round_trip(unknown, by_sha=False)
            except BaseException as exc:  # the connection is lost, or we are cancelled
                for *_, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                if isinstance(exc, asyncio.CancelledError):
                    raise

    async def _round_trip(self, batch, *, by_sha: bool) -> list:
        """Sends the calls in one write and reads their replies in order; returns the
        calls Redis had no script for (only when sent by sha)."""
        conn = self._connection
        packed = b"".join(
            _pack(("EVALSHA", self._shas[name]) if by_sha else ("EVAL", self._sources[name]), keys, args)
            for name, keys, args, _ in batch)
        await conn.send_packed_command(packed, check_health=False)
        unknown = []
        for call in batch:
            future = call[3]
            try:
                reply = await conn.read_response()
            except NoScriptError:
                unknown.append(call)
                continue
            except ResponseError as exc:  # the script's own error: its call alone fails
                if not future.done():
                    future.set_exception(exc)
                continue
            if not future.done():  # a caller that went away (cancelled) is skipped
                future.set_result(reply)
        return unknown


def _pack(head: tuple[str, str], keys: Sequence[Any], args: Sequence[Any]) -> bytes:
    """One EVAL/EVALSHA command in the Redis protocol (RESP): its arguments as bulk
    strings, str as UTF-8, numbers as their repr (as redis-py encodes them)."""
    parts = [b"*%d\r\n" % (3 + len(keys) + len(args))]
    for item in (*head, len(keys), *keys, *args):
        if isinstance(item, str):
            data = item.encode()
        elif isinstance(item, bytes):
            data = item
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            data = repr(item).encode()
        else:
            raise TypeError(f"cannot send {type(item).__name__} to Redis: {item!r}")
        parts += (b"$%d\r\n" % len(data), data, b"\r\n")
    return b"".join(parts)
