"""Limits that keep one client from stalling or exhausting a controller that serves
everyone: each refused with a status naming the field, while other clients go on."""

from __future__ import annotations

import grpc
import pytest

import sweepd
from sweepd.client import Client
from sweepd.controller.limits import MAX_OUTSTANDING_RUNS, MAX_RUNS_PER_REQUEST
from sweepd.v1 import sweep_service_pb2 as sweep_pb

from streams import RawAgent


def _random_sweep(address: str, **extra) -> str:
    config = {"method": "random", "parameters": {"x": {"min": 0.0, "max": 1.0}}, **extra}
    return sweepd.sweep(config, controller=address)


def _other_client_is_served(client: Client, sweep_id: str) -> None:
    """A stalled event loop shows as DEADLINE_EXCEEDED here."""
    client.sweeps.GetSweep(sweep_pb.GetSweepRequest(sweep_id=sweep_id), timeout=5)


def test_a_huge_run_request_is_refused_and_others_are_served(controller):
    client = Client(controller.address)
    sweep_id = _random_sweep(controller.address, run_cap=3)
    hostile = RawAgent(client, sweep_id)
    hostile.request(2_147_483_647)
    error = hostile.error()
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "run_request.count" in error.details() and str(MAX_RUNS_PER_REQUEST) in error.details()
    _other_client_is_served(client, sweep_id)
    assert client.list_runs(sweep_id) == []


def test_a_negative_run_request_is_invalid(controller):
    client = Client(controller.address)
    hostile = RawAgent(client, _random_sweep(controller.address))
    hostile.request(-5)
    error = hostile.error()
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "run_request.count: -5" in error.details()


def test_the_largest_request_gets_what_the_cap_allows_then_done(controller):
    client = Client(controller.address)
    sweep_id = _random_sweep(controller.address, run_cap=3)
    agent = RawAgent(client, sweep_id)
    agent.request(MAX_RUNS_PER_REQUEST)
    seen = agent.read_until("done")
    agent.close()
    assert sum(m.WhichOneof("kind") == "assignment" for m in seen) == 3
    assert len(client.list_runs(sweep_id)) == 3


def test_outstanding_runs_per_stream_are_bounded(controller):
    client = Client(controller.address)
    sweep_id = _random_sweep(controller.address)
    client.change_state(sweep_id, "pause")  # requests pile up unanswered, as they would on a busy sweep
    agent = RawAgent(client, sweep_id)
    for _ in range(MAX_OUTSTANDING_RUNS // MAX_RUNS_PER_REQUEST + 1):
        agent.request(MAX_RUNS_PER_REQUEST)
    error = agent.error()
    assert error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert f"at most {MAX_OUTSTANDING_RUNS}" in error.details()
    client.change_state(sweep_id, "resume")
    assert client.list_runs(sweep_id) == []  # the refused stream was handed nothing


def test_a_big_draw_is_made_in_chunks_without_stalling_other_clients(controller):
    client = Client(controller.address)
    sweep_id = _random_sweep(controller.address)
    agents = [RawAgent(client, sweep_id, agent_id=f"a{i}") for i in range(4)]
    for agent in agents:
        agent.request(MAX_RUNS_PER_REQUEST)
    for _ in range(20):
        _other_client_is_served(client, sweep_id)
    for agent in agents:
        assignments = 0
        for message in agent.stream:
            assignments += message.WhichOneof("kind") == "assignment"
            if assignments == MAX_RUNS_PER_REQUEST:
                break
        agent.close()
        assert assignments == MAX_RUNS_PER_REQUEST
    assert len(client.list_runs(sweep_id)) == 4 * MAX_RUNS_PER_REQUEST


def test_points_per_batch_are_bounded(controller):
    """150,000 one-value points fit in one 4 MB message; decoding and storing them held
    the controller for seconds."""
    from sweepd.controller.limits import MAX_POINTS_PER_BATCH
    from sweepd.domain import InvalidArgument
    from sweepd.v1 import metric_service_pb2 as metric_pb

    from test_faults_and_bad_input import _take_run

    client = Client(controller.address)
    sweep_id = _random_sweep(controller.address)
    run_id, token = _take_run(client, sweep_id)
    batch = metric_pb.MetricBatch(sweep_id=sweep_id, run_id=run_id, lease_token=token, seq=1)
    for step in range(MAX_POINTS_PER_BATCH + 1):
        batch.points.add(step=step).values["loss"].int_value = step
    with pytest.raises(InvalidArgument, match=r"^points: 10,001 points in one batch; at most 10,000"):
        client.call(client.metrics.ReportMetricsOnce, batch)
    del batch.points[MAX_POINTS_PER_BATCH:]
    assert not client.call(client.metrics.ReportMetricsOnce, batch).duplicate
    assert client.list_runs(sweep_id)[0].points == MAX_POINTS_PER_BATCH
