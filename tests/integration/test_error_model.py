"""One error model on the wire: each error class reaches the Python client as itself,
and every status carries the standard google.rpc.Status (ErrorInfo naming the class,
BadRequest listing the fields at fault) that any gRPC stack decodes, next to the
legacy sweepd-violations-bin trailer."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

import sweepd
from sweepd import status
from sweepd.client import Client
from sweepd.domain import RunState
from sweepd.errors import FailedPrecondition, InvalidState, LeaseLost, RefusedChange
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import sweep_service_pb2 as sweep_pb
from sweepd.v1 import sweep_service_pb2_grpc as sweep_grpc
from sweepd.v1 import types_pb2 as pb

from streams import RawAgent, take_run

GRID = {"method": "grid", "parameters": {"x": {"values": [1, 2]}}}


def _rich(err: grpc.RpcError) -> tuple[str, list[tuple[str, str]]]:
    """The ErrorInfo reason and BadRequest violations of a status, read with
    grpcio-status alone (as any client would)."""
    found = rpc_status.from_call(err)  # also checks code and message match the call's
    assert found is not None, "no grpc-status-details-bin trailer"
    reason, violations = "", []
    for detail in found.details:
        info, bad = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest()
        if detail.Unpack(info):
            assert info.domain == "sweepd.dev"
            reason = info.reason
        elif detail.Unpack(bad):
            violations = [(v.field, v.description) for v in bad.field_violations]
    return reason, violations


def _raw_error(call, request) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as caught:
        call(request, timeout=10)
    return caught.value


def test_a_state_a_sweep_forbids_is_invalid_state_not_a_lost_lease(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(GRID, controller=controller.address)
    client.change_state(sweep_id, "cancel")
    with pytest.raises(InvalidState) as caught:
        client.change_state(sweep_id, "resume")
    assert isinstance(caught.value, FailedPrecondition) and not isinstance(caught.value, LeaseLost)
    err = _raw_error(client.sweeps.ResumeSweep, sweep_pb.SweepRef(sweep_id=sweep_id))
    assert err.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert _rich(err) == ("INVALID_STATE", [])


def test_a_run_the_caller_does_not_hold_is_a_lost_lease(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(GRID, controller=controller.address)
    run_id, token = take_run(client, sweep_id)
    with pytest.raises(LeaseLost):
        client.start_run(sweep_id, run_id, "not-the-token")
    client.finish_run(sweep_id, run_id, token, RunState.FINISHED)
    with pytest.raises(LeaseLost):
        client.finish_run(sweep_id, run_id, token, RunState.FAILED)
    err = _raw_error(client.agents.StartRun, agent_pb.StartRunRequest(
        sweep_id=sweep_id, run_id=run_id, lease_token="not-the-token"))
    assert _rich(err)[0] == "LEASE_LOST"


def test_a_refused_update_lists_its_paths_in_both_trailers(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(GRID, controller=controller.address)
    with pytest.raises(RefusedChange) as caught:
        client.update_sweep(sweep_id, {"method": "random", "parameters": {"y": {"values": [1]}}})
    assert {"method", "parameters.x"} <= {path for path, _ in caught.value.errors}
    config = pb.SweepConfig(method=pb.SEARCH_METHOD_RANDOM)
    err = _raw_error(client.sweeps.UpdateSweep, sweep_pb.UpdateSweepRequest(
        sweep_id=sweep_id, config=config, update_mask={"paths": ["method"]}))
    reason, violations = _rich(err)
    legacy = sweep_pb.ValidateSweepResponse.FromString(
        dict(err.trailing_metadata())[status.VIOLATIONS_METADATA_KEY]).violations
    assert reason == "REFUSED_CHANGE" and [f for f, _ in violations] == ["method"]
    assert violations == [(v.field, v.description) for v in legacy]


def test_a_bad_config_is_a_bad_request_naming_every_field(controller):
    client = Client(controller.address)
    config = {"method": "grid", "parameters": {"a": {"min": 1.0, "max": 0.0}, "b": {"values": []}}}
    fields = {e.path for e in client.validate_sweep(config)[0]}
    err = _raw_error(client.sweeps.CreateSweep, sweep_pb.CreateSweepRequest(
        config=sweepd.convert.config_dict_to_proto(config)))
    reason, violations = _rich(err)
    assert reason == "INVALID_ARGUMENT" and {f for f, _ in violations} == fields
    assert any(f.startswith("parameters.a") for f in fields) and any(f.startswith("parameters.b") for f in fields)


def test_a_bad_hello_and_a_negative_run_request_name_their_fields(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(GRID, controller=controller.address)
    err = RawAgent(client, sweep_id, agent_id="").error()
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in _rich(err)[1]] == ["hello.agent_id"]
    agent = RawAgent(client, sweep_id)
    agent.request(-1)
    err = agent.error()
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert [f for f, _ in _rich(err)[1]] == ["run_request.count"]


def test_the_largest_error_status_still_arrives_whole(controller):
    """Thousands of errors whose paths and messages are all non-ASCII (the message
    travels percent-encoded, the violations twice): the client gets the status itself,
    not a RESOURCE_EXHAUSTED about its metadata, with both trailers decodable."""
    # gRPC's default soft limit on received metadata made a hard one: passing it fails every time
    channel = grpc.insecure_channel(controller.address, options=[
        ("grpc.max_metadata_size", 8192), ("grpc.absolute_max_metadata_size", 8192)])
    stub = sweep_grpc.SweepServiceStub(channel)
    config = pb.SweepConfig(method=pb.SEARCH_METHOD_GRID)
    for i in range(500):  # about 130 KB of config, under its limit
        name = "ü" * 120 + str(i)
        config.parameters[name].min.double_value = 1.0
        config.parameters[name].max.double_value = 0.0
    err = _raw_error(stub.CreateSweep, sweep_pb.CreateSweepRequest(config=config))
    channel.close()
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT, (err.code(), err.details()[:200])
    assert len(err.details().encode()) > 900  # the message is (nearly) as long as it gets
    reason, violations = _rich(err)
    legacy = sweep_pb.ValidateSweepResponse.FromString(
        dict(err.trailing_metadata())[status.VIOLATIONS_METADATA_KEY]).violations
    assert reason == "INVALID_ARGUMENT" and len(violations) > 3
    assert violations[0][0].startswith("parameters.üü") and "more" in violations[-1][1]
    assert violations == [(v.field, v.description) for v in legacy]

