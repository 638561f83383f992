"""The store's script calls share round trips (controller/storage/pipe.py) and still
behave as one script call each: replies go to their own callers, an error reply fails
only its call, a script Redis forgot is sent again, a lost connection fails the calls
in flight and the next call reconnects."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from sweepd.controller.storage.pipe import ScriptPipe

SOURCES = {
    "echo": "return {KEYS[1], ARGV[1]}",
    "incr": "return redis.call('INCRBY', KEYS[1], ARGV[1])",
    "fail": "return redis.call('INCRBY', KEYS[1], 'not a number')",
}


async def _with_pipe(url, body):
    client = aioredis.Redis.from_url(url, decode_responses=True)
    pipe = ScriptPipe(client, SOURCES)
    try:
        return await body(pipe, client)
    finally:
        await pipe.close()
        await client.aclose()


def test_concurrent_calls_share_round_trips_and_each_gets_its_own_reply(redis_url):
    async def body(pipe, client):
        await asyncio.gather(pipe.run("echo", ["k"], [0]), pipe.run("incr", ["n"], [0]))  # cached
        await client.config_resetstat()
        reads = (await client.info("stats"))["total_reads_processed"]
        replies = await asyncio.gather(*(pipe.run("echo", [f"k{i}"], [i, f"é{i}", 2.5])
                                         for i in range(500)))
        assert replies == [[f"k{i}", str(i)] for i in range(500)]
        assert await asyncio.gather(*(pipe.run("incr", ["n"], [1]) for _ in range(300))) == list(range(1, 301))
        assert (await client.info("commandstats"))["cmdstat_evalsha"]["calls"] == 800
        # 800 calls made at once reached Redis in a few reads (shared writes), not 800
        assert (await client.info("stats"))["total_reads_processed"] - reads < 100
        clients = await client.client_list()
        assert len([c for c in clients if c["cmd"] == "evalsha"]) == 1  # over one connection

    asyncio.run(_with_pipe(redis_url, body))


def test_an_error_reply_fails_only_its_own_call(redis_url):
    async def body(pipe, client):
        results = await asyncio.gather(pipe.run("incr", ["a"], [1]), pipe.run("fail", ["b"], []),
                                       pipe.run("incr", ["a"], [2]), return_exceptions=True)
        assert results[0] == 1 and results[2] == 3
        assert isinstance(results[1], ResponseError)

    asyncio.run(_with_pipe(redis_url, body))


def test_scripts_redis_forgot_are_sent_again_with_their_source(redis_url):
    async def body(pipe, client):
        assert await pipe.run("incr", ["c"], [5]) == 5
        await client.script_flush()
        assert await asyncio.gather(pipe.run("incr", ["c"], [1]), pipe.run("echo", ["k"], ["v"])) == [6, ["k", "v"]]
        assert await pipe.run("incr", ["c"], [1]) == 7  # cached again: by sha

    asyncio.run(_with_pipe(redis_url, body))


def test_a_lost_connection_fails_the_calls_in_flight_and_the_next_call_reconnects(redis_url):
    async def body(pipe, client):
        assert await pipe.run("incr", ["d"], [1]) == 1
        ids = [c["id"] for c in await client.client_list() if c["cmd"] in ("evalsha", "eval")]
        assert len(ids) == 1
        await client.client_kill_filter(_id=ids[0])
        with pytest.raises(RedisConnectionError):
            await pipe.run("incr", ["d"], [1])
        assert await pipe.run("incr", ["d"], [1]) in (2, 3)  # the failed call may have run

    asyncio.run(_with_pipe(redis_url, body))
