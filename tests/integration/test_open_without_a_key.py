"""What a controller started with --auth answers without a key: health checks and
server reflection (the public contract), and nothing that reads or writes sweeps."""

from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from sweepd.client import Client
from sweepd.domain import Unauthenticated

from conftest import ControllerHandle


@pytest.fixture
def secured(redis_url):
    handle = ControllerHandle(redis_url, lease_seconds=30, auth=True)
    yield handle.address
    handle.close()


def test_health_answers_without_a_key(secured):
    with grpc.insecure_channel(secured) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_the_services_without_a_key(secured):
    with grpc.insecure_channel(secured) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        reply = next(stub.ServerReflectionInfo(iter([request]), timeout=10))
    names = {s.name for s in reply.list_services_response.service}
    assert {"sweepd.v1.SweepService", "sweepd.v1.AgentService", "sweepd.v1.MetricService"} <= names


def test_sweeps_are_not_readable_without_a_key(secured):
    with pytest.raises(Unauthenticated):
        Client(secured, retries=0).list_sweeps()
