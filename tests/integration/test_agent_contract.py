"""What proto/ and docs/agent-protocol.md promise an agent written from them alone, as
the controller does it: FinishRun's final_metrics may leave out its ids, a point
without a wall_time gets the time the controller received it, and a value of the
sweep's metric that is not a number is stored but judges nothing."""

from __future__ import annotations

import grpc
import pytest

import sweepd
from sweepd.client import Client
from sweepd.domain import RunState
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import metric_service_pb2 as metric_pb
from sweepd.v1 import types_pb2 as pb

from helpers import ManualClock
from streams import take_run

RANDOM = {"method": "random", "metric": {"name": "loss", "goal": "minimize"},
          "parameters": {"x": {"min": 0.0, "max": 1.0}}}


def _point(step: int, **values) -> metric_pb.MetricPoint:
    point = metric_pb.MetricPoint(step=step)
    for key, value in values.items():
        if isinstance(value, bool):
            point.values[key].bool_value = value
        elif isinstance(value, str):
            point.values[key].string_value = value
        else:
            point.values[key].double_value = value
    return point


def _finish(client: Client, sweep_id: str, run_id: str, token: str, final: metric_pb.MetricBatch):
    return client.agents.FinishRun(agent_pb.FinishRunRequest(
        sweep_id=sweep_id, run_id=run_id, lease_token=token, state=pb.RUN_STATE_FINISHED,
        final_metrics=final), timeout=10)


def test_final_metrics_may_leave_out_sweep_run_and_token(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(RANDOM, controller=controller.address)
    run_id, token = take_run(client, sweep_id)
    done = _finish(client, sweep_id, run_id, token, metric_pb.MetricBatch(seq=1, points=[_point(0, loss=0.5)]))
    assert done.state == pb.RUN_STATE_FINISHED
    assert [p.values for p in client.run_metrics(sweep_id, run_id)] == [{"loss": 0.5}]


@pytest.mark.parametrize("field", ["sweep_id", "run_id", "lease_token"])
def test_final_metrics_of_another_run_are_refused_naming_the_field(controller, field):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(RANDOM, controller=controller.address)
    run_id, token = take_run(client, sweep_id)
    final = metric_pb.MetricBatch(sweep_id=sweep_id, run_id=run_id, lease_token=token, seq=1,
                                  points=[_point(0, loss=0.5)])
    setattr(final, field, "someoneelse")
    with pytest.raises(grpc.RpcError) as caught:
        _finish(client, sweep_id, run_id, token, final)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert f"final_metrics.{field}" in caught.value.details()
    # nothing stored, the run not ended: it finishes as usual afterwards
    assert client.run_metrics(sweep_id, run_id) == []
    assert client.finish_run(sweep_id, run_id, token, RunState.FINISHED).state is RunState.FINISHED


def test_a_point_without_wall_time_gets_the_time_the_controller_received_it(controller):
    controller.controller.rules.clock = ManualClock(1_700_000_123.0)  # the controller's injectable clock
    client = Client(controller.address)
    sweep_id = sweepd.sweep(RANDOM, controller=controller.address)
    run_id, token = take_run(client, sweep_id)
    dated = _point(1, loss=0.4)
    dated.wall_time.FromSeconds(1_600_000_000)
    client.metrics.ReportMetricsOnce(metric_pb.MetricBatch(
        sweep_id=sweep_id, run_id=run_id, lease_token=token, seq=1, points=[_point(0, loss=0.5), dated]),
        timeout=10)
    stored = client.run_metrics(sweep_id, run_id)
    assert [p.wall_time for p in stored] == [1_700_000_123.0, 1_600_000_000]


def test_a_metric_value_that_is_not_a_number_is_stored_but_judges_nothing(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({**RANDOM, "metric": {"name": "loss", "goal": "minimize", "target": 1.0}},
                            controller=controller.address)
    run_id, token = take_run(client, sweep_id)
    for seq, value in enumerate(["0.1", True], start=1):
        client.metrics.ReportMetricsOnce(metric_pb.MetricBatch(
            sweep_id=sweep_id, run_id=run_id, lease_token=token, seq=seq, points=[_point(seq, loss=value)]),
            timeout=10)
    run = client.list_runs(sweep_id)[0]
    assert run.points == 2 and run.summary == {"loss": True}  # stored: the latest value
    sweep = client.get_sweep(sweep_id)
    assert sweep.best_run_id == "" and sweep.state.value == "running"  # neither best nor on target
    client.metrics.ReportMetricsOnce(metric_pb.MetricBatch(
        sweep_id=sweep_id, run_id=run_id, lease_token=token, seq=3, points=[_point(3, loss=2.0)]), timeout=10)
    assert client.get_sweep(sweep_id).best_value == 2.0

