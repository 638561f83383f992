"""A controller whose event loop is behind queues the calls that arrive meanwhile and
answers them all; it does not cancel them. (gRPC core cancels calls the application
has not taken up once more than `grpc.server.max_pending_requests`, 1,000 by default,
wait: thousands of agents reporting at once while the controller is busy got
CANCELLED, which agents do not retry. SERVER_OPTIONS raises the limits.)"""

from __future__ import annotations

import threading
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from sweepd.controller.server import SERVER_OPTIONS

CALLS = 2_500


def test_calls_that_pile_up_while_the_controller_is_busy_are_all_answered(controller):
    assert dict(SERVER_OPTIONS)["grpc.server.max_pending_requests"] >= 10_000
    channels = [grpc.insecure_channel(controller.address, options=[("grpc.use_local_subchannel_pool", 1)])
                for _ in range(10)]
    for channel in channels:
        grpc.channel_ready_future(channel).result(timeout=10)
    stubs = [health_pb2_grpc.HealthStub(c) for c in channels]
    busy, release = threading.Event(), threading.Event()

    def block_the_loop():
        busy.set()
        release.wait(30)

    controller.loop.loop.call_soon_threadsafe(block_the_loop)
    assert busy.wait(10)
    try:
        futures = [stubs[i % len(stubs)].Check.future(health_pb2.HealthCheckRequest(), timeout=60)
                   for i in range(CALLS)]
        time.sleep(1.0)  # the calls reach gRPC core (its own threads) and wait there
    finally:
        release.set()
    codes = [f.exception().code() if f.exception() else grpc.StatusCode.OK for f in futures]
    for channel in channels:
        channel.close()
    assert codes.count(grpc.StatusCode.OK) == CALLS, {c: codes.count(c) for c in set(codes)}
