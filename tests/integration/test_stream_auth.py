"""Streams that have not proven who they are: with --auth the key is checked when a
stream opens, a Connect stream must say hello in time, and one address may keep only
a few streams waiting to."""

from __future__ import annotations

import queue
import threading

import grpc
import pytest
import redis

from sweepd.client import Client
from sweepd.controller import auth, servicers
from sweepd.controller.limits import MAX_STREAMS_WITHOUT_HELLO

from conftest import ControllerHandle
from streams import RawAgent

CONFIG = {"method": "random", "parameters": {"x": {"min": 0.0, "max": 1.0}}}


@pytest.fixture
def secured(redis_url):
    handle = ControllerHandle(redis_url, lease_seconds=30, auth=True)
    key = auth.create_key(redis.Redis.from_url(redis_url), "alpha")
    yield handle.address, key
    handle.close()


def test_a_connect_stream_without_a_key_is_refused_before_any_hello(secured):
    address, _ = secured
    silent = RawAgent(Client(address), "", hello=False, metadata=(), timeout=20)
    error = silent.error()  # a hang would end in the client's own DEADLINE_EXCEEDED
    assert error.code() is grpc.StatusCode.UNAUTHENTICATED
    assert "API key is required" in error.details()


def test_a_connect_stream_with_a_revoked_key_is_refused_before_any_hello(secured, redis_url):
    address, key = secured
    auth.revoke_key(redis.Redis.from_url(redis_url), key)
    silent = RawAgent(Client(address, api_key=key), "", hello=False, timeout=20)
    assert silent.error().code() is grpc.StatusCode.UNAUTHENTICATED


def test_a_metric_stream_without_a_key_is_refused_before_any_batch(secured):
    address, _ = secured
    requests: queue.Queue = queue.Queue()  # nothing is sent until the call has ended
    stream = Client(address).metrics.ReportMetrics(iter(requests.get, None), timeout=20)
    try:
        with pytest.raises(grpc.RpcError) as caught:
            next(stream)
    finally:
        requests.put(None)
    assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED


def test_a_connect_stream_that_never_says_hello_is_ended(controller, monkeypatch):
    monkeypatch.setattr(servicers, "HELLO_TIMEOUT_S", 0.5)
    silent = RawAgent(Client(controller.address), "", hello=False, timeout=20)
    error = silent.error()
    assert error.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert "no AgentHello within 0.5 s" in error.details()  # the server's, not the client's deadline


def test_one_address_may_keep_only_a_few_streams_waiting_for_their_hello(controller):
    client = Client(controller.address)
    sweep_id = client.create_sweep(CONFIG).id
    streams = [RawAgent(client, sweep_id, hello=False, timeout=30)
               for _ in range(MAX_STREAMS_WITHOUT_HELLO + 1)]
    ended = threading.Event()
    for s in streams:
        s.stream.add_done_callback(lambda _: ended.set())
    assert ended.wait(20), "no stream was refused"
    refused = [s for s in streams if s.stream.done()]
    assert len(refused) == 1
    error = refused[0].error()
    assert error.code() is grpc.StatusCode.UNAVAILABLE
    assert f"{MAX_STREAMS_WITHOUT_HELLO} Connect streams" in error.details()
    waiting = [s for s in streams if s is not refused[0]]
    waiting[0].hello(sweep_id, agent_id="late")  # a waiting stream was kept, and is served
    assert waiting[0].next("welcome").agent_id == "late"
    fresh = RawAgent(client, sweep_id, agent_id="fresh", timeout=30)  # a slot is free again
    assert fresh.next("welcome").agent_id == "fresh"
    for s in [*waiting, fresh]:
        s.close()
