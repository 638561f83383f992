"""Big reads: a sweep config too big is refused before it is parsed; reads (GetSweep,
ListSweeps, the dashboard's refresh) never parse a stored config again; many runs or
a long metric history are decoded and turned into messages off the event loop."""

from __future__ import annotations

import threading
import time

import grpc
import pytest

from sweepd import convert
from sweepd.client import Client
from sweepd.controller.limits import MAX_CONFIG_BYTES
from sweepd.controller.storage import records
from sweepd.domain import MetricBatch, MetricPoint
from sweepd.v1 import metric_service_pb2 as metric_pb
from sweepd.v1 import sweep_service_pb2 as sweep_pb

from conftest import ControllerHandle
from streams import RawAgent

VIOLATIONS = "sweepd-violations-bin"


def _config(values: int, project: str = "") -> dict:
    config = {"method": "grid", "parameters": {"x": {"values": [f"v{i:07d}" for i in range(values)]}}}
    return {**config, "project": project} if project else config


def _too_big() -> sweep_pb.CreateSweepRequest:
    request = sweep_pb.CreateSweepRequest(config=convert.config_dict_to_proto(_config(30_000)))
    assert request.config.ByteSize() > MAX_CONFIG_BYTES
    return request


def test_a_config_over_the_limit_is_refused_naming_the_field(controller):
    client = Client(controller.address)
    with pytest.raises(grpc.RpcError) as caught:
        client.sweeps.CreateSweep(_too_big(), timeout=20)
    err = caught.value
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert f"at most {MAX_CONFIG_BYTES} bytes" in err.details()
    violations = sweep_pb.ValidateSweepResponse.FromString(dict(err.trailing_metadata())[VIOLATIONS])
    assert [v.field for v in violations.violations] == ["config"]
    assert client.list_sweeps() == []


def test_validating_a_config_over_the_limit_lists_it_as_a_violation(controller):
    client = Client(controller.address)
    reply = client.sweeps.ValidateSweep(sweep_pb.ValidateSweepRequest(config=_too_big().config),
                                        timeout=20)
    assert [v.field for v in reply.violations] == ["config"]
    assert str(MAX_CONFIG_BYTES) in reply.violations[0].description


@pytest.fixture
def parses(monkeypatch):
    """Counts the stored configs parsed (every read path decodes sweeps in records)."""
    seen: list[str] = []
    real = records.parse_config

    def counting(source):
        seen.append(source.get("method", ""))
        return real(source)

    monkeypatch.setattr(records, "parse_config", counting)
    return seen


def test_reads_do_not_parse_stored_configs_again(controller, parses):
    client = Client(controller.address)
    sweep_id = client.create_sweep(_config(1000)).id
    for _ in range(3):
        client.get_sweep(sweep_id)
        client.list_sweeps()
    assert parses == []


def test_a_fresh_controller_parses_each_config_once_and_only_of_the_project_listed(
        redis_url, controller, parses):
    client = Client(controller.address)
    ours = client.create_sweep(_config(1000, project="alpha")).id
    for _ in range(3):
        client.create_sweep(_config(1000, project="beta"))
    fresh = ControllerHandle(redis_url, lease_seconds=30)  # nothing parsed yet
    try:
        reader = Client(fresh.address)
        for _ in range(3):
            assert [s.id for s in reader.list_sweeps(project="alpha")] == [ours]
            reader.get_sweep(ours)
    finally:
        fresh.close()
    assert parses == ["grid"]


def test_the_dashboard_parses_each_config_once(controller, redis_url, parses):
    from dash_ui.data import DashboardReader

    sweep_id = Client(controller.address).create_sweep(_config(1000)).id
    reader = DashboardReader.from_url(redis_url)
    try:
        for _ in range(3):
            assert [s.id for s in reader.sweeps()] == [sweep_id]
            reader.sweep(sweep_id)
    finally:
        reader.close()
    assert parses == ["grid"]


# ---------------------------------------------------------------- other big reads


@pytest.fixture
def decoding_threads(monkeypatch):
    """The threads that decoded stored runs and points and built their messages."""
    from sweepd.controller.storage import store

    seen: set[str] = set()

    def spy(module, name):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            seen.add(threading.current_thread().name)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    for module, name in ((store, "decode_run"), (store, "decode_point"),
                         (convert, "run_to_proto"), (convert, "point_to_proto")):
        spy(module, name)
    return seen


def test_listing_many_runs_and_a_long_history_is_done_off_the_event_loop(controller, decoding_threads):
    client = Client(controller.address)
    sweep_id = client.create_sweep({"method": "random", "parameters": {"x": {"min": 0.0, "max": 1.0}}}).id
    agent = RawAgent(client, sweep_id, timeout=30)
    agent.next("welcome")
    agent.request(64)
    agent.request(36)
    assignments = [agent.next("assignment") for _ in range(100)]
    first = assignments[0]
    points = tuple(MetricPoint(step=i, wall_time=time.time(), values={"loss": 1.0 / (i + 1)})
                   for i in range(500))
    client.metrics.ReportMetricsOnce(convert.batch_to_proto(
        MetricBatch(first.run.id, sweep_id, first.lease_token, 1, points)), timeout=20)
    decoding_threads.clear()
    assert len(client.list_runs(sweep_id)) == 100
    reply = client.metrics.GetRunMetrics(
        metric_pb.GetRunMetricsRequest(sweep_id=sweep_id, run_id=first.run.id), timeout=20)
    assert len(reply.points) == 500
    agent.close()
    assert decoding_threads and controller.loop.thread.name not in decoding_threads
