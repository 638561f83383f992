"""The keepalive policy docs/agent-protocol.md ("Connection settings") states, as the
controller enforces it: pings every 5 s or more are fine on an idle stream; a client
pinging faster is cut off (GOAWAY too_many_pings) at its third early ping."""

from __future__ import annotations

import queue

import grpc
import pytest

import sweepd
from sweepd.client import CHANNEL_OPTIONS
from sweepd.controller.server import SERVER_OPTIONS
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import agent_service_pb2_grpc as agent_grpc

MIN_PING_MS = dict(SERVER_OPTIONS)["grpc.http2.min_ping_interval_without_data_ms"]


def _idle_stream_end(address: str, sweep_id: str, ping_ms: int, deadline_s: float) -> grpc.RpcError:
    """How an agent stream that sends nothing after its hello ends, its client
    pinging every `ping_ms` (with no cap on pings between data)."""
    channel = grpc.insecure_channel(address, options=[
        ("grpc.keepalive_time_ms", ping_ms), ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.max_pings_without_data", 0)])
    out: queue.Queue = queue.Queue()
    out.put(agent_pb.AgentMessage(hello=agent_pb.AgentHello(sweep_id=sweep_id, agent_id="idle")))
    stream = agent_grpc.AgentServiceStub(channel).Connect(iter(out.get, None), timeout=deadline_s)
    try:
        with pytest.raises(grpc.RpcError) as caught:
            for message in stream:
                assert message.WhichOneof("kind") == "welcome"
    finally:
        out.put(None)
        channel.close()
    return caught.value


def test_the_python_client_pings_no_faster_than_the_controller_accepts():
    assert dict(CHANNEL_OPTIONS)["grpc.keepalive_time_ms"] >= MIN_PING_MS
    assert dict(CHANNEL_OPTIONS)["grpc.keepalive_permit_without_calls"] == 1
    assert dict(SERVER_OPTIONS)["grpc.keepalive_permit_without_calls"] == 1


def test_a_client_pinging_every_second_is_cut_off(controller):
    sweep_id = sweepd.sweep({"method": "grid", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    ended = _idle_stream_end(controller.address, sweep_id, ping_ms=1_000, deadline_s=30)
    assert ended.code() is grpc.StatusCode.UNAVAILABLE and "ping" in ended.details().lower()


@pytest.mark.slow
def test_pings_at_the_documented_minimum_keep_an_idle_stream(controller):
    sweep_id = sweepd.sweep({"method": "grid", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    # four pings at the floor: a third early one would have ended the stream with UNAVAILABLE
    ended = _idle_stream_end(controller.address, sweep_id, ping_ms=MIN_PING_MS + 200,
                             deadline_s=4.5 * (MIN_PING_MS + 200) / 1000)
    assert ended.code() is grpc.StatusCode.DEADLINE_EXCEEDED
