"""Wire-level fuzzing: generated protobuf messages, valid, invalid and at the
boundaries, for every RPC of every service (sweepd's three, health, reflection), and
undecodable bytes, against a real controller on real Redis.

The bar, for every example: no INTERNAL or UNKNOWN status (an unhandled error), no
call that hangs, a status message small enough to read, nothing with a traceback in
the controller's log and no log line a client's text could break or inflate; and
throughout, another client's GetSweep keeps answering (a stalled event loop shows as
its deadline passing). That deadline detects a stall, not slowness: it is generous
(SWEEPD_WIRE_FUZZ_STALL_S, 3 s) because the test machine may be busy; the test
prints the slowest answer, which on a quiet machine stays far under 100 ms.

Messages are built from the services' descriptors, so a new RPC or field is fuzzed
without changing this file. Strings are drawn mostly from the ids of a live sweep,
its runs and their lease tokens, so that requests reach past the id checks.
SWEEPD_WIRE_FUZZ_EXAMPLES sets the number of examples per RPC (default 20).
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import grpc
import pytest
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message_factory import GetMessageClass
from grpc_health.v1 import health_pb2
from grpc_reflection.v1alpha import reflection_pb2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sweepd
from sweepd import convert
from sweepd.config import DISTRIBUTION_KEYS
from sweepd.client import Client
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import metric_service_pb2 as metric_pb
from sweepd.v1 import sweep_service_pb2 as sweep_pb
from sweepd.v1 import sweep_service_pb2_grpc as sweep_grpc
from sweepd.v1 import types_pb2 as types_pb

from test_config_fuzz import valid_configs

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("SWEEPD_WIRE_FUZZ_EXAMPLES", "20"))
CALL_DEADLINE_S = 20.0  # a call not answered in this long hangs
STALL_DEADLINE_S = float(os.environ.get("SWEEPD_WIRE_FUZZ_STALL_S", "3"))  # the other client's GetSweep
FORBIDDEN = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN,
             grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNAVAILABLE}
MAX_DETAILS = 2048  # a status message is bounded (long client strings are cut)

SERVICES = [sweep_pb.DESCRIPTOR.services_by_name["SweepService"],
            agent_pb.DESCRIPTOR.services_by_name["AgentService"],
            metric_pb.DESCRIPTOR.services_by_name["MetricService"],
            health_pb2.DESCRIPTOR.services_by_name["Health"],
            reflection_pb2.DESCRIPTOR.services_by_name["ServerReflection"]]
# Fuzzed in this order: sweeps created first join the ids later requests draw from
# (an agent then asks runs of them); metrics come while the world's runs are still
# held, before FinishRun ends them and CancelSweep cancels their sweeps.
FIRST = ("CreateSweep", "ReportMetricsOnce", "ReportMetrics", "GetRunMetrics", "Connect")
METHODS = sorted(((s, m) for s in SERVICES for m in s.methods),
                 key=lambda sm: FIRST.index(sm[1].name) if sm[1].name in FIRST else len(FIRST))
MAX_FUZZED_SWEEPS = 40  # created sweeps kept among the ids drawn
# Health.Watch answers forever by design: it is called with a short deadline instead.
ENDLESS = {"/grpc.health.v1.Health/Watch"}


# ---------------------------------------------------------------- the world requests refer to

@dataclass
class World:
    """A live sweep with early termination, a bayes sweep, runs held by hand."""

    sweep_ids: list[str]
    held: list[tuple[str, str, str]]  # (sweep id, run id, lease token)
    names: list[str] = field(default_factory=lambda: ["loss", "x", "lr", "default", "p"])

    @property
    def run_ids(self) -> list[str]:
        return [run_id for _, run_id, _ in self.held]

    @property
    def tokens(self) -> list[str]:
        return [token for _, _, token in self.held]


def make_world(address: str) -> World:
    client = Client(address)
    hyperband = sweepd.sweep({
        "method": "random", "metric": {"name": "loss", "goal": "minimize"},
        "early_terminate": {"type": "hyperband", "min_iter": 1, "eta": 2},
        "parameters": {"x": {"min": 0.0, "max": 1.0}, "lr": {"values": [0.1, 0.01]}},
    }, controller=address)
    bayes = sweepd.sweep({
        "method": "bayes", "metric": {"name": "loss", "goal": "maximize"},
        "parameters": {"x": {"min": -1.0, "max": 1.0}, "p": {"values": ["a", "b"]}},
    }, controller=address)
    held = [(sweep_id, *_take_run(client, sweep_id, f"world-{i}"))
            for i, sweep_id in enumerate((hyperband, bayes, hyperband))]
    client.close()
    return World([hyperband, bayes], held)


def _take_run(client: Client, sweep_id: str, agent_id: str) -> tuple[str, str]:
    stream = client.agents.Connect(iter([
        agent_pb.AgentMessage(hello=agent_pb.AgentHello(sweep_id=sweep_id, agent_id=agent_id)),
        agent_pb.AgentMessage(run_request=agent_pb.RunRequest(count=1)),
    ]))
    for message in stream:
        if message.WhichOneof("kind") == "assignment":
            stream.cancel()
            return message.assignment.run.id, message.assignment.lease_token
    raise AssertionError("no assignment")


# ---------------------------------------------------------------- strategies

ODD_TEXT = ["", "a" * 100_000, "x\ny\r\n2030-01-01 INFO forged", "\x00\x1b[2J\u2028\u202e",
            "{s}:meta", "sweepd:sweep:{x}:run:y", "*", "../..", "%s%n%x", "ünï 扫描 🙂",
            "sk_abc_def", "Bearer x", " ", "1e400", "NaN"]
INT_RANGES = {
    FieldDescriptor.TYPE_INT32: (-2**31, 2**31 - 1), FieldDescriptor.TYPE_SINT32: (-2**31, 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-2**31, 2**31 - 1), FieldDescriptor.TYPE_INT64: (-2**63, 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-2**63, 2**63 - 1), FieldDescriptor.TYPE_SFIXED64: (-2**63, 2**63 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1), FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1), FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}
ODD_DOUBLES = [0.0, -0.0, math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, 1e-300, 2.0**53]


def ints(lo: int, hi: int) -> st.SearchStrategy[int]:
    edges = [v for v in (0, 1, -1, 2, 3, 64, 65, 256, lo, hi, lo + 1, hi - 1, 2**31 - 1,
                         2**53 - 1, 2**53, 2**53 + 1, int(time.time()), int(time.time() * 1000))
             if lo <= v <= hi]
    return st.one_of(st.sampled_from(edges), st.integers(0, 10), st.integers(lo, hi))


def texts(world: World, name: str) -> st.SearchStrategy[str]:
    ids = {"sweep_id": world.sweep_ids, "run_id": world.run_ids, "lease_token": world.tokens,
           "agent_id": ["fuzz-agent", "manual"], "name": world.names, "project": ["default", "other"]}
    known = ids.get(name, world.names)
    return st.one_of(st.sampled_from(known), st.sampled_from(known), st.sampled_from(ODD_TEXT),
                     st.text(max_size=12))


def scalar(world: World, f: FieldDescriptor) -> st.SearchStrategy[Any]:
    if f.type in INT_RANGES:
        return ints(*INT_RANGES[f.type])
    if f.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        wide = st.floats(allow_nan=True, allow_infinity=True,
                         width=64 if f.type == FieldDescriptor.TYPE_DOUBLE else 32)
        return st.one_of(st.sampled_from(ODD_DOUBLES), st.floats(-10, 10), wide)
    if f.type == FieldDescriptor.TYPE_BOOL:
        return st.booleans()
    if f.type == FieldDescriptor.TYPE_STRING:
        return texts(world, f.name)
    if f.type == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=32)
    if f.type == FieldDescriptor.TYPE_ENUM:  # known numbers, and ones no version knows
        return st.one_of(st.sampled_from([v.number for v in f.enum_type.values]),
                         st.sampled_from([-1, 99, 2**31 - 1]))
    raise AssertionError(f"no strategy for {f.full_name}")


ODD_VALUES = [math.nan, -math.inf, [1.0, math.nan], {"y": [0, {"z": math.inf}]}, 2**63 - 1, -2**63,
              1.7976931348623157e308, 5e-324, "", "x" * 10_000, {"": None}, [[[[]]]]]
json_values = st.recursive(  # NaN and infinities too: they must be refused, naming their path
    st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.text(max_size=8) | st.floats(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6)


EXTREME_INTS = [0, 1, -1, 2, 2**31, 2**53, 2**62, 2**63 - 1, -2**63]
EXTREME_FLOATS = [0.0, 1e-300, 5e-324, 0.5, 700.0, 710.0, 1e15, 1e300, 1e308, -1e308, 1.7976931348623157e308]


@st.composite
def extreme_configs(draw) -> dict:
    """Configs whose numbers sit at the edges of what validation lets through: each
    draw is one distribution with extreme bounds or moments, in any method."""
    dist = draw(st.sampled_from([d for d in DISTRIBUTION_KEYS if d not in ("nested", "constant")]))
    spec: dict[str, Any] = {"distribution": dist}
    for key in DISTRIBUTION_KEYS[dist]:
        if key == "values":
            spec[key] = [1, 2]
        elif key == "probabilities":
            spec[key] = [0.5, 0.5]
        elif dist == "int_uniform" or (key == "q" and draw(st.booleans())):
            spec[key] = draw(st.sampled_from(EXTREME_INTS))
        else:
            spec[key] = draw(st.sampled_from(EXTREME_FLOATS)) * draw(st.sampled_from([1, -1]))
    if "min" in spec and spec["min"] > spec["max"]:
        spec["min"], spec["max"] = spec["max"], spec["min"]
    return {"method": draw(st.sampled_from(["grid", "random", "bayes"])),
            "metric": {"name": "loss"}, "parameters": {"a": spec, "b": {"values": [1, 2]}}}


@st.composite
def valid_batches(draw, world: World) -> metric_pb.MetricBatch:
    """A batch that may well be stored: a held run's ids, a small seq, sane points."""
    sweep_id, run_id, token = draw(st.sampled_from(world.held))
    batch = metric_pb.MetricBatch(sweep_id=sweep_id, run_id=run_id, lease_token=token,
                                  seq=draw(st.integers(1, 6)))
    for step in range(draw(st.integers(0, 3))):
        point = batch.points.add(step=step)
        point.wall_time.FromSeconds(int(time.time()))
        keys = st.sampled_from(world.names) | st.text(min_size=1, max_size=10)
        values = st.sampled_from(ODD_VALUES) | json_values
        for key, value in draw(st.dictionaries(keys, values, max_size=4)).items():
            point.values[key].CopyFrom(convert.value_to_proto(value))
    return batch


@st.composite
def messages(draw, world: World, descriptor, depth: int = 0):
    """Any message of this type: each field unset or drawn, nesting up to a depth
    (and, for a config or a metric batch, often a valid one)."""
    msg = GetMessageClass(descriptor)()
    if descriptor.full_name == "sweepd.v1.SweepConfig" and draw(st.integers(0, 2)) < 2:
        config = draw(st.one_of(valid_configs(), extreme_configs()))
        msg.CopyFrom(convert.config_dict_to_proto(config))
        return msg
    if descriptor.full_name == "sweepd.v1.MetricBatch" and draw(st.integers(0, 2)) == 0:
        return draw(valid_batches(world))
    for f in descriptor.fields:
        if draw(st.integers(0, 2)) == 0 or (f.message_type is not None and depth >= 4):
            continue
        if f.message_type is not None and f.message_type.GetOptions().map_entry:
            key_f, value_f = f.message_type.fields_by_name["key"], f.message_type.fields_by_name["value"]
            for _ in range(draw(st.integers(0, 3))):
                key = draw(scalar(world, key_f))
                target = getattr(msg, f.name)
                if value_f.message_type is not None:
                    target[key].CopyFrom(draw(messages(world, value_f.message_type, depth + 1)))
                else:
                    target[key] = draw(scalar(world, value_f))
        elif f.is_repeated:
            for _ in range(draw(st.integers(0, 3))):
                if f.message_type is not None:
                    getattr(msg, f.name).add().CopyFrom(draw(messages(world, f.message_type, depth + 1)))
                else:
                    getattr(msg, f.name).append(draw(scalar(world, f)))
        elif f.message_type is not None:
            getattr(msg, f.name).CopyFrom(draw(messages(world, f.message_type, depth + 1)))
        else:
            setattr(msg, f.name, draw(scalar(world, f)))
    names = descriptor.fields_by_name
    if "run_id" in names and draw(st.booleans()):
        sweep_id, run_id, token = draw(st.sampled_from(world.held))  # ids that belong together
        msg.run_id = run_id
        if "lease_token" in names:
            msg.lease_token = token
        if "sweep_id" in names:
            msg.sweep_id = sweep_id
    return msg


@st.composite
def requests_for(draw, world: World, method):
    """Requests for one method: messages, or (one time in ten) raw bytes that may not
    decode; a stream gets several, a Connect usually a hello with real ids first."""
    if draw(st.integers(0, 9)) == 0:
        return [draw(st.binary(max_size=48)) for _ in range(draw(st.integers(1, 2)))]
    count = draw(st.integers(1, 4)) if method.client_streaming else 1
    requests = [draw(messages(world, method.input_type)) for _ in range(count)]
    if method.name == "Connect" and draw(st.integers(0, 3)) > 0:
        odd = st.sampled_from(ODD_TEXT) | st.text(max_size=12)  # what reaches the log
        hello = agent_pb.AgentHello(sweep_id=draw(st.sampled_from(world.sweep_ids)),
                                    agent_id=draw(st.just("fuzz-agent") | odd),
                                    hostname=draw(st.just("host") | odd))
        for run_id, token in zip(world.run_ids, world.tokens):
            if draw(st.booleans()):
                hello.held_runs.add(run_id=run_id, lease_token=draw(st.sampled_from([token, "wrong"])))
        requests[0] = agent_pb.AgentMessage(hello=hello)
        if draw(st.booleans()):  # ask for runs, as an agent would
            requests.insert(1, agent_pb.AgentMessage(run_request=agent_pb.RunRequest(
                count=draw(st.integers(0, 3)))))
    return [r.SerializeToString() for r in requests]


# ---------------------------------------------------------------- the other client

class Watchdog:
    """Another client calling GetSweep in a loop with a deadline: a stalled event
    loop (or a dead server) shows as a call that fails."""

    def __init__(self, address: str, sweep_id: str):
        self.channel = grpc.insecure_channel(address)
        self.stub = sweep_grpc.SweepServiceStub(self.channel)
        self.sweep_id = sweep_id
        self.failures: list[str] = []
        self.calls = 0
        self.slowest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            try:
                self.stub.GetSweep(sweep_pb.GetSweepRequest(sweep_id=self.sweep_id),
                                   timeout=STALL_DEADLINE_S)
            except grpc.RpcError as err:
                self.failures.append(f"{err.code()}: {err.details()}")
            self.calls += 1
            self.slowest = max(self.slowest, time.monotonic() - began)
            self._stop.wait(0.02)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(STALL_DEADLINE_S + 5)
        self.channel.close()


# ---------------------------------------------------------------- the test

def _call(channel: grpc.Channel, path: str, kind: str, requests: list[bytes], world: World):
    """Makes the call with raw bytes; returns its status code and details. A sweep it
    creates joins the world's ids."""
    timeout = 0.2 if path in ENDLESS else CALL_DEADLINE_S
    method = getattr(channel, kind)(path, request_serializer=None, response_deserializer=None)
    try:
        if kind == "unary_unary":
            reply = method(requests[0], timeout=timeout)
            if path.endswith("/CreateSweep") and len(world.sweep_ids) < MAX_FUZZED_SWEEPS:
                world.sweep_ids.append(types_pb.Sweep.FromString(reply).id)
        elif kind == "unary_stream":
            for _ in method(requests[0], timeout=timeout):
                pass
        else:
            for _ in method(iter(requests), timeout=timeout):
                pass
    except grpc.RpcError as err:
        return err.code(), err.details() or ""
    return grpc.StatusCode.OK, ""


def _log_problems(records: list[logging.LogRecord]) -> list[str]:
    problems = []
    for r in records:
        message = r.getMessage()
        if r.exc_info or r.exc_text or "Traceback" in message:
            problems.append(f"traceback in the log: {r.name}: {message[:300]}")
        if r.name.startswith("sweepd") and (not message.isprintable() or len(message) > 2000):
            problems.append(f"log line broken or inflated by client text: {message[:300]!r}")
    return problems


def test_generated_messages_on_every_rpc_get_a_clear_answer(controller, caplog):
    world = make_world(controller.address)
    channel = grpc.insecure_channel(controller.address, options=[
        ("grpc.max_receive_message_length", 64 * 1024 * 1024)])
    watchdog = Watchdog(controller.address, world.sweep_ids[0])
    seen: dict[str, set[str]] = {}
    caplog.set_level(logging.WARNING)
    caplog.set_level(logging.INFO, logger="sweepd")  # the lines a client's text reaches
    try:
        for service, method in METHODS:
            _fuzz_method(channel, world, service, method, watchdog, caplog, seen)
    finally:
        watchdog.stop()
        channel.close()
    assert not watchdog.failures, (watchdog.failures[:3], watchdog.slowest)
    assert watchdog.calls > 0
    print(f"\nwire fuzz: {EXAMPLES} examples per RPC; the other client's slowest GetSweep "
          f"{watchdog.slowest * 1000:.0f} ms over {watchdog.calls} calls; codes {seen}")


def _fuzz_method(channel, world, service, method, watchdog, caplog, seen) -> None:
    path = f"/{service.full_name}/{method.name}"
    kind = ("stream" if method.client_streaming else "unary") + (
        "_stream" if method.server_streaming else "_unary")

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(requests_for(world, method))
    def check(requests):
        caplog.clear()
        code, details = _call(channel, path, kind, requests, world)
        seen.setdefault(method.name, set()).add(code.name)
        if path in ENDLESS and code is grpc.StatusCode.DEADLINE_EXCEEDED:
            code = grpc.StatusCode.OK  # Watch answers until the deadline, as it should
        assert code not in FORBIDDEN, (path, code, details[:500])
        assert len(details.encode()) <= MAX_DETAILS, (path, code, len(details))
        assert "metadata size exceeds" not in details, (path, code, details)  # a status too big
        assert not _log_problems(caplog.records), _log_problems(caplog.records)
        assert not watchdog.failures, watchdog.failures[:3]

    check()
