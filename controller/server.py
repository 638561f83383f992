"""Builds and runs the controller: an asyncio gRPC server over one Redis.

`make_server(...)` builds a started server (tests bind port 0 and read back the real
port); `serve(...)` runs one until SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health, health_pb2
from grpc_reflection.v1alpha import reflection, reflection_pb2
from grpc_reflection.v1alpha._async import ReflectionServicer

from sweepd.errors import SweepdError
from sweepd.redact import mask_credentials
from sweepd.v1 import agent_service_pb2, metric_service_pb2, sweep_service_pb2

from .agents import AgentSessions
from .auth import Authenticator
from .handlers import add_servicer
from .limits import MAX_MESSAGE_BYTES, check_lease_seconds
from .servicers import AgentServicer, MetricServicer, SweepServicer
from .service import SweepRules
from .storage.store import Store

log = logging.getLogger(__name__)


def _service(module, name: str):
    return module.DESCRIPTOR.services_by_name[name]


SERVICE_NAMES = (
    _service(sweep_service_pb2, "SweepService").full_name,
    _service(agent_service_pb2, "AgentService").full_name,
    _service(metric_service_pb2, "MetricService").full_name,
)


@dataclass
class Controller:
    """A running controller: its server, port and background tasks."""

    server: grpc.aio.Server
    port: int
    rules: SweepRules
    sessions: AgentSessions
    reaper: asyncio.Task

    async def stop(self, grace: float | None = 1.0) -> None:
        """Stops serving; each step is bounded so that shutdown never hangs."""
        self.reaper.cancel()
        steps = (("stopping index builds", self.rules.stopping.close()),
                 ("event listener", self.sessions.stop_listening()),
                 ("gRPC server", self.server.stop(grace)),
                 ("Redis client", self.rules.store.close()))
        for what, step in steps:
            try:
                await asyncio.wait_for(step, timeout=(grace or 0) + 5)
            except asyncio.TimeoutError:
                log.warning("shutdown: %s did not stop in time", what)


# Keepalive (docs/agent-protocol.md, "Connection settings"): the controller pings each
# client every 20 s, calls in flight or not, and closes a connection whose ping is not
# answered within 20 s (gRPC's default timeout), so a vanished agent's stream ends; it
# accepts a client's pings no more often than every 5 s while it sends nothing (two
# pings sooner than that and the third ends the connection: GOAWAY too_many_pings).
# Calls that arrive while the event loop is behind wait in gRPC core until it takes
# them up; past `max_pending_requests` of them (1,000 by default) core cancels new ones
# (CANCELLED, which agents do not retry): thousands of agents reporting at once reach
# that in a burst. Each agent has a call or two in flight at most, so the queue is
# bounded by the agents anyway: the limits are set far above any fleet.
SERVER_OPTIONS = (
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", 64 * 1024 * 1024),
    ("grpc.keepalive_time_ms", 20_000),
    ("grpc.http2.min_ping_interval_without_data_ms", 5_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.server.max_pending_requests", 100_000),
    ("grpc.server.max_pending_requests_hard_limit", 100_000),
)


async def reap_forever(rules: SweepRules, interval: float) -> None:
    """Crashes runs whose lease expired, on every sweep, whatever its state."""
    while True:
        try:
            for sweep_id in await rules.sweeps_to_reap():
                crashed = await rules.reap(sweep_id)
                if crashed:
                    sweep = await rules.get_sweep(sweep_id)
                    await rules.announce_state(sweep_id, sweep.state)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - Redis away: try again next round
            log.warning("lease reaper: %s", mask_credentials(str(exc)))
        await asyncio.sleep(interval)


async def make_server(
    redis_url: str,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    lease_seconds: float = 30.0,
    metrics_maxlen: int = 0,
    auth: bool = False,
    tls: tuple[bytes, bytes] | None = None,
    reuse_port: bool = False,
) -> Controller:
    """Builds and starts a controller. `tls` is (certificate chain PEM, private key PEM).
    A lease outside limits.MIN_LEASE_SECONDS..MAX_LEASE_SECONDS is InvalidArgument.

    `reuse_port`: share host:port with other processes (the workers of `--workers`,
    controller/workers.py). Off, a port another program listens on is an error at
    once (gRPC would otherwise share it silently, splitting agents between two
    controllers that may not even use the same Redis)."""
    lease_seconds = check_lease_seconds(lease_seconds)
    store = Store.from_url(redis_url, metrics_maxlen=metrics_maxlen)
    await store.ensure_schema()
    rules = SweepRules(store, lease_seconds=lease_seconds)
    sessions = AgentSessions(rules)
    authenticator = Authenticator(store.redis, enabled=auth)
    server = grpc.aio.server(options=[*SERVER_OPTIONS, ("grpc.so_reuseport", int(reuse_port))])
    add_servicer(server, SweepServicer(rules, sessions, authenticator), _service(sweep_service_pb2, "SweepService"))
    add_servicer(server, AgentServicer(rules, sessions, authenticator), _service(agent_service_pb2, "AgentService"))
    add_servicer(server, MetricServicer(rules, authenticator), _service(metric_service_pb2, "MetricService"))
    health_servicer = health.aio.HealthServicer()
    add_servicer(server, health_servicer, health_pb2.DESCRIPTOR.services_by_name["Health"])
    add_servicer(server, ReflectionServicer((*SERVICE_NAMES, reflection.SERVICE_NAME, health.SERVICE_NAME)),
                 reflection_pb2.DESCRIPTOR.services_by_name["ServerReflection"])
    try:
        if tls is not None:
            bound = server.add_secure_port(f"{host}:{port}", grpc.ssl_server_credentials([tls]))
        else:
            bound = server.add_insecure_port(f"{host}:{port}")
    except RuntimeError as exc:  # gRPC: "Failed to bind to address ..."
        await store.close()
        raise SweepdError(f"cannot listen on {host}:{port} (is another controller or program "
                        f"using that port?): {exc}") from None
    await server.start()
    for name in ("", *SERVICE_NAMES):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    sessions.start_listening()
    reaper = asyncio.create_task(reap_forever(rules, interval=min(1.0, lease_seconds / 10)))
    log.info("controller listening on %s:%d", host, bound)
    return Controller(server, bound, rules, sessions, reaper)


async def _watch_parent(parent_pid: int, stop: asyncio.Event) -> None:
    """Sets `stop` when the process that started this one is gone (a worker whose
    supervisor was killed does not serve on alone)."""
    while not stop.is_set():
        if os.getppid() != parent_pid:
            log.warning("the supervisor (pid %d) is gone: shutting down", parent_pid)
            stop.set()
        await asyncio.sleep(1.0)


async def serve(redis_url: str, *, host: str, port: int, lease_seconds: float,
                metrics_maxlen: int = 0, auth: bool = False,
                tls: tuple[bytes, bytes] | None = None, ready=None,
                worker_of: int | None = None) -> None:
    """Runs a controller until SIGINT/SIGTERM. `worker_of`: the supervisor's pid, for
    a worker of `--workers` (shares the port, stops when the supervisor is gone)."""
    controller = await make_server(redis_url, host=host, port=port, lease_seconds=lease_seconds,
                                   metrics_maxlen=metrics_maxlen, auth=auth, tls=tls,
                                   reuse_port=worker_of is not None)
    if ready is not None:
        ready(controller)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    watcher = asyncio.create_task(_watch_parent(worker_of, stop)) if worker_of else None
    await stop.wait()
    if watcher is not None:
        watcher.cancel()
    log.info("shutting down")
    await controller.stop(grace=2.0)
