"""Streams and their keys: with --auth the key is checked when a stream opens and
again while it is open (a revoked key ends it); a Connect stream must say hello in
time, and one address may keep only a few streams waiting to."""

from __future__ import annotations

import queue
import threading
import time

import grpc
import pytest
import redis

from sweepd import convert
from sweepd.client import Client
from sweepd.controller import auth, servicers
from sweepd.controller.limits import MAX_STREAMS_WITHOUT_HELLO
from sweepd.controller.storage import keys
from sweepd.domain import MetricBatch, MetricPoint

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


# ---------------------------------------------------------------- a key revoked mid-stream


def _batch(sweep_id: str, run_id: str, token: str, seq: int):
    point = MetricPoint(step=seq, wall_time=time.time(), values={"loss": 1.0})
    return convert.batch_to_proto(MetricBatch(run_id, sweep_id, token, seq, (point,)))


def test_revoking_a_key_ends_its_open_connect_stream(secured, redis_url):
    address, key = secured
    client = Client(address, api_key=key)
    sweep_id = client.create_sweep(CONFIG).id
    agent = RawAgent(client, sweep_id, timeout=20)  # a stream left open ends in DEADLINE_EXCEEDED
    agent.next("welcome")
    agent.request(1)
    agent.next("assignment")
    client.change_state(sweep_id, "pause")
    agent.request(1)  # owed a run, which a resume would hand out
    auth.revoke_key(redis.Redis.from_url(redis_url), key)
    error = agent.error()
    assert error.code() is grpc.StatusCode.UNAUTHENTICATED
    assert "revoked" in error.details()
    admin = Client(address, api_key=auth.create_key(redis.Redis.from_url(redis_url), "alpha"))
    admin.change_state(sweep_id, "resume")
    assert len(admin.list_runs(sweep_id)) == 1  # the ended stream was handed nothing more


def test_revoking_a_key_ends_its_open_metric_stream(secured, redis_url):
    address, key = secured
    client = Client(address, api_key=key)
    sweep_id = client.create_sweep(CONFIG).id
    agent = RawAgent(client, sweep_id, timeout=20)
    agent.next("welcome")
    agent.request(1)
    assignment = agent.next("assignment")
    run_id, token = assignment.run.id, assignment.lease_token
    batches: queue.Queue = queue.Queue()
    acks = client.metrics.ReportMetrics(iter(batches.get, None), metadata=client.metadata, timeout=20)
    try:
        batches.put(_batch(sweep_id, run_id, token, 1))
        assert next(acks).seq == 1
        auth.revoke_key(redis.Redis.from_url(redis_url), key)
        with pytest.raises(grpc.RpcError) as caught:
            next(acks)
    finally:
        batches.put(None)
        agent.close()
    assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
    stored = redis.Redis.from_url(redis_url, decode_responses=True).hget(
        keys.run(sweep_id, run_id), "last_seq")
    assert stored == "1"
