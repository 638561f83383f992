"""Bad input on the wire: malformed bytes, unknown enum numbers, huge or odd values.
Each gets a clear status, the server keeps serving, nothing stored is damaged."""

from __future__ import annotations

import math
import time

import grpc
import pytest

import sweepd
from sweepd import convert
from sweepd.client import Client
from sweepd.config import validate_config
from sweepd.controller.limits import MAX_KEYS_PER_POINT, MAX_SEQ, MAX_VIOLATIONS
from sweepd.domain import InvalidArgument, MetricBatch, MetricPoint, OutOfRange, RunState
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import metric_service_pb2 as metric_pb
from sweepd.v1 import sweep_service_pb2 as sweep_pb
from sweepd.v1 import types_pb2 as pb

from helpers import wait_for
from test_faults_and_bad_input import _take_run


def test_malformed_bytes_are_refused_and_the_server_keeps_serving(controller):
    client = Client(controller.address)
    raw = client.channel.unary_unary("/sweepd.v1.SweepService/CreateSweep",
                                     request_serializer=None, response_deserializer=None)
    for garbage in (b"\xff\xff\xff\xff", b"\x0a\x05abc", b"\x0a\xff\xff\xff\xff\x0f"):
        with pytest.raises(grpc.RpcError) as caught:
            raw(garbage, timeout=5)
        assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert "malformed sweepd.v1.CreateSweepRequest" in caught.value.details()
    assert client.list_sweeps() == []


def test_health_and_reflection_answer_bad_input_without_a_traceback(controller, caplog):
    """gRPC's own health and reflection servicers, registered like sweepd's: bytes
    that do not decode are INVALID_ARGUMENT (not UNKNOWN), and Health.List, which
    they leave unimplemented, is UNIMPLEMENTED without a traceback in the log."""
    client = Client(controller.address)
    garbage = b"\x0a\xff\xff\xff\xff\x0f"
    unary = client.channel.unary_unary("/grpc.health.v1.Health/Check")
    streaming = client.channel.unary_stream("/grpc.health.v1.Health/Watch")
    reflect = client.channel.stream_stream("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
    with caplog.at_level("WARNING"):
        for call in (lambda: unary(garbage, timeout=5), lambda: list(streaming(garbage, timeout=5)),
                     lambda: list(reflect(iter([garbage]), timeout=5))):
            with pytest.raises(grpc.RpcError) as caught:
                call()
            assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT, caught.value.details()
        with pytest.raises(grpc.RpcError) as caught:
            client.channel.unary_unary("/grpc.health.v1.Health/List")(b"", timeout=5)
        assert caught.value.code() is grpc.StatusCode.UNIMPLEMENTED
        assert unary(b"", timeout=5) == b"\x08\x01"  # SERVING: the servicer still works
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()
                or "Unexpected" in r.getMessage()]


def test_unknown_enum_numbers_name_their_field(controller):
    client = Client(controller.address)
    config = pb.SweepConfig(method=pb.SEARCH_METHOD_RANDOM)
    config.parameters["x"].distribution = 77
    config.parameters["x"].values.add().int_value = 1
    with pytest.raises(InvalidArgument, match=r"parameters\.x\.distribution: unknown enum value 77") as caught:
        client.call(client.sweeps.CreateSweep, sweep_pb.CreateSweepRequest(config=config))
    assert caught.value.errors == [("parameters.x.distribution", "unknown enum value 77")]
    reply = client.call(client.sweeps.ValidateSweep, sweep_pb.ValidateSweepRequest(
        config=pb.SweepConfig(method=42)))
    assert ("method", "unknown enum value 42") in [(v.field, v.description) for v in reply.violations]
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    run_id, token = _take_run(client, sweep_id)
    with pytest.raises(InvalidArgument, match="state: unknown enum value 99") as caught:
        client.call(client.agents.FinishRun, agent_pb.FinishRunRequest(
            sweep_id=sweep_id, run_id=run_id, lease_token=token, state=99))
    assert caught.value.errors == [("state", "unknown enum value 99")]
    assert client.list_runs(sweep_id)[0].state is RunState.PENDING


def _report(client, sweep_id, run_id, token, seq, values):
    batch = MetricBatch(run_id, sweep_id, token, seq, (MetricPoint(seq, time.time(), values),))
    return client.call(client.metrics.ReportMetricsOnce, convert.batch_to_proto(batch))


def test_big_and_odd_metric_values(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "name": "unicodé ✓ 扫描",
                             "parameters": {"x": {"values": ["ünï", "🙂"]}}},
                            controller=controller.address)
    run_id, token = _take_run(client, sweep_id)
    many = {f"k{i}": float(i) for i in range(10_000)}
    assert not _report(client, sweep_id, run_id, token, 1, many).duplicate
    big = "x" * (1024 * 1024)
    assert not _report(client, sweep_id, run_id, token, 2, {"blob": big, "名前": "値"}).duplicate
    with pytest.raises(InvalidArgument, match="10001 keys"):
        _report(client, sweep_id, run_id, token, 3, {f"k{i}": 1 for i in range(10_001)})
    for bad in (float("inf"), float("-inf")):
        message = convert.batch_to_proto(MetricBatch(run_id, sweep_id, token, 4, (
            MetricPoint(4, time.time(), {"ok": 1.0}),)))
        message.points[0].values["bad"].double_value = bad
        with pytest.raises(InvalidArgument, match="bad"):
            client.call(client.metrics.ReportMetricsOnce, message)
    run = client.list_runs(sweep_id)[0]
    assert run.points == 2
    assert run.summary["k9999"] == 9999.0 and run.summary["blob"] == big
    assert run.summary["名前"] == "値" and "ok" not in run.summary
    assert client.get_sweep(sweep_id).name == "unicodé ✓ 扫描"
    assert run.config["x"] in ("ünï", "🙂")


# ---------------------------------------------------------------- wall_time (#10.7)

def _batch(sweep_id, run_id, token, seq, *walls):
    batch = metric_pb.MetricBatch(sweep_id=sweep_id, run_id=run_id, lease_token=token, seq=seq)
    for i, wall in enumerate(walls):
        point = batch.points.add(step=i)
        point.wall_time.seconds = wall
        point.values["loss"].double_value = 1.0
    return batch


def test_a_wall_time_out_of_range_is_refused_naming_the_point(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    run_id, token = _take_run(client, sweep_id)
    now = int(time.time())
    for bad in (now * 1000, -now, 2**62):  # milliseconds sent as seconds; before 1970; absurd
        with pytest.raises(InvalidArgument, match=r"points\[1\]\.wall_time") as caught:
            client.call(client.metrics.ReportMetricsOnce, _batch(sweep_id, run_id, token, 1, now, bad))
        assert caught.value.errors[0][0] == "points[1].wall_time"
    assert client.list_runs(sweep_id)[0].points == 0
    assert not client.call(client.metrics.ReportMetricsOnce,
                           _batch(sweep_id, run_id, token, 1, now, 0)).duplicate  # unset is fine


def test_points_already_stored_with_an_impossible_wall_time_are_still_read(controller, redis_client):
    """What an older controller stored (it accepted any wall_time) must not break
    GetRunMetrics: it answers, the impossible time left unset."""
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    run_id, token = _take_run(client, sweep_id)
    client.call(client.metrics.ReportMetricsOnce, _batch(sweep_id, run_id, token, 1, int(time.time())))
    store_point_with_wall_ms(redis_client, sweep_id, run_id, int(time.time() * 1000) * 1000)

    points = client.metrics.GetRunMetrics(
        metric_pb.GetRunMetricsRequest(sweep_id=sweep_id, run_id=run_id), timeout=5).points
    assert [p.values["loss"].double_value for p in points] == [1.0, 0.5]
    assert points[0].HasField("wall_time") and not points[1].HasField("wall_time")


def store_point_with_wall_ms(redis_client, sweep_id, run_id, wall_ms):
    """A point as the controller stores one, with a wall time (ms) it no longer accepts."""
    from sweepd.controller.storage import keys

    redis_client.xadd(keys.run_metrics(sweep_id, run_id), {"s": 1, "t": wall_ms, "v": '{"loss":0.5}'})


# ---------------------------------------------------------------- nested non-finite (#10.8)

def test_a_non_finite_number_nested_in_a_value_is_refused_naming_its_path(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    run_id, token = _take_run(client, sweep_id)

    def in_a_list_in_a_map(point, bad):  # values.x = {"y": [1, 2.0, bad]}
        items = point.values["x"].map_value.fields["y"].list_value.items
        items.add().int_value = 1
        items.add().double_value = 2.0
        items.add().double_value = bad
        return r"points\[0\]\.values\.x\.y\[2\]"

    def in_a_map_in_lists(point, bad):  # values.z = [[{"w": bad}]]
        inner = point.values["z"].list_value.items.add().list_value.items.add()
        inner.map_value.fields["w"].double_value = bad
        return r"points\[0\]\.values\.z\[0\]\[0\]\.w"

    for place in (in_a_list_in_a_map, in_a_map_in_lists):
        for bad in (math.nan, math.inf, -math.inf):
            batch = metric_pb.MetricBatch(sweep_id=sweep_id, run_id=run_id, lease_token=token, seq=1)
            path = place(batch.points.add(), bad)
            with pytest.raises(InvalidArgument, match=path + ": non-finite") as caught:
                client.call(client.metrics.ReportMetricsOnce, batch)
            assert caught.value.errors[0][1].startswith("non-finite")
            with pytest.raises(InvalidArgument, match="final_metrics." + path):
                client.call(client.agents.FinishRun, agent_pb.FinishRunRequest(
                    sweep_id=sweep_id, run_id=run_id, lease_token=token,
                    state=pb.RUN_STATE_FINISHED, final_metrics=batch))
    run = client.list_runs(sweep_id)[0]
    assert run.points == 0 and run.state is RunState.PENDING


# ---------------------------------------------------------------- echoed input (#10.9)

LONG = "a" * 100_000


def _status(call, request):
    with pytest.raises(grpc.RpcError) as caught:
        call(request, timeout=10)
    return caught.value


def test_a_huge_id_is_echoed_cut_short_so_the_real_status_arrives(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    run_id, token = _take_run(client, sweep_id)
    s, a, m = client.sweeps, client.agents, client.metrics
    not_found = [
        (s.GetSweep, sweep_pb.GetSweepRequest(sweep_id=LONG)),
        (s.ListRuns, sweep_pb.ListRunsRequest(sweep_id=LONG)),
        (s.CancelSweep, sweep_pb.SweepRef(sweep_id=LONG)),
        (m.GetRunMetrics, metric_pb.GetRunMetricsRequest(sweep_id=LONG)),
        (m.GetRunMetrics, metric_pb.GetRunMetricsRequest(sweep_id=sweep_id, run_id=LONG)),
        (a.StartRun, agent_pb.StartRunRequest(sweep_id=sweep_id, run_id=LONG, lease_token=token)),
        (a.FinishRun, agent_pb.FinishRunRequest(sweep_id=sweep_id, run_id=LONG, lease_token=token,
                                                state=pb.RUN_STATE_FINISHED)),
        (m.ReportMetricsOnce, metric_pb.MetricBatch(sweep_id=LONG, run_id=run_id, seq=1)),
    ]
    for call, request in not_found:
        error = _status(call, request)
        assert error.code() is grpc.StatusCode.NOT_FOUND, (call, error.code(), error.details()[:200])
        assert "aaaa" in error.details() and "100,000 characters" in error.details()
        assert len(error.details()) < 300
    error = _status(m.ReportMetricsOnce, metric_pb.MetricBatch(
        sweep_id=sweep_id, run_id=LONG, lease_token=token, seq=1))
    assert error.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT)
    assert len(error.details()) < 300
    hello = agent_pb.AgentMessage(hello=agent_pb.AgentHello(sweep_id=LONG, agent_id="a"))
    with pytest.raises(grpc.RpcError) as caught:
        list(a.Connect(iter([hello]), timeout=10))
    assert caught.value.code() is grpc.StatusCode.NOT_FOUND and len(caught.value.details()) < 300


def test_huge_names_in_a_config_are_listed_cut_short(controller):
    client = Client(controller.address)
    config = pb.SweepConfig(method=pb.SEARCH_METHOD_GRID, name="n" * 20_000)  # under the size cap
    config.parameters["p" * 100_000].min.double_value = 0.0  # continuous in a grid
    config.parameters["p" * 100_000].max.double_value = 1.0
    config.parameters["q"].values.add().string_value = "v" * 50_000
    config.metric.name = "m" * 50_000
    config.early_terminate.type = pb.EARLY_TERMINATE_TYPE_HYPERBAND
    for call in (client.sweeps.CreateSweep, client.sweeps.ValidateSweep):
        request = (sweep_pb.CreateSweepRequest if call is client.sweeps.CreateSweep
                   else sweep_pb.ValidateSweepRequest)(config=config)
        try:
            reply = call(request, timeout=10)
        except grpc.RpcError as error:
            assert error.code() is grpc.StatusCode.INVALID_ARGUMENT, (error.code(), error.details()[:200])
            assert len(error.details()) < 2000
            reply = sweep_pb.ValidateSweepResponse.FromString(
                dict(error.trailing_metadata())["sweepd-violations-bin"])
        fields = [v.field for v in reply.violations]
        assert any(f.startswith("parameters.ppp") for f in fields), fields
        assert all(len(v.field) + len(v.description) < 1000 for v in reply.violations)


def test_a_config_with_thousands_of_errors_is_refused_listing_what_fits(controller):
    client = Client(controller.address)
    config = pb.SweepConfig(method=pb.SEARCH_METHOD_GRID)
    for i in range(3000):
        config.parameters[f"p{i}"].min.double_value = 1.0
        config.parameters[f"p{i}"].max.double_value = 0.0
    error = _status(client.sweeps.CreateSweep, sweep_pb.CreateSweepRequest(config=config))
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    listed = sweep_pb.ValidateSweepResponse.FromString(
        dict(error.trailing_metadata())["sweepd-violations-bin"]).violations
    assert listed[0].field.startswith("parameters.p") and "more" in listed[-1].description
    assert "more" in error.details()
    every = validate_config(convert.config_dict_from_proto(config))
    listed = client.sweeps.ValidateSweep(sweep_pb.ValidateSweepRequest(config=config), timeout=10).violations
    assert len(listed) == MAX_VIOLATIONS + 1 and len(every) > MAX_VIOLATIONS
    assert listed[-1].description == f"… and {len(every) - MAX_VIOLATIONS} more"
    assert client.list_sweeps() == []


# ---------------------------------------------------------------- what reaches the log (#10.10)

def test_client_strings_reach_the_log_escaped_and_bounded(controller, caplog):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    forged = "a1\n2030-01-01 00:00:00 INFO sweepd.controller.auth: admin key created\r\x1b[2J\u2028x"

    def hello(agent_id, hostname):
        message = agent_pb.AgentMessage(hello=agent_pb.AgentHello(
            sweep_id=sweep_id, agent_id=agent_id, hostname=hostname))
        return client.agents.Connect(iter([message]), timeout=10)

    with caplog.at_level("INFO", logger="sweepd.controller"):
        for _ in hello(forged, "host\nname " + "h" * 200):
            break  # the Welcome: the hello was taken
        with pytest.raises(grpc.RpcError) as caught:
            list(hello("a2", "h" * 3_000_000))
        assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
        assert "hello.hostname" in caught.value.details() and len(caught.value.details()) < 300
        wait_for(lambda: any("left" in r.getMessage() for r in caplog.records), what="the log")
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("sweepd.controller")]
    joined = [line for line in lines if "joined" in line]
    assert joined and all(repr(forged)[1:20] in line for line in joined)  # shown escaped
    for line in lines:
        assert line.isprintable() and len(line) < 1000, line[:300]


# ---------------------------------------------------------------- seq (#10.11)

def test_seq_grows_by_one_a_gap_is_refused_and_a_resend_is_a_duplicate(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    run_id, token = _take_run(client, sweep_id)

    def report(seq):
        return client.call(client.metrics.ReportMetricsOnce,
                           _batch(sweep_id, run_id, token, seq, int(time.time())))

    assert not report(1).duplicate
    with pytest.raises(OutOfRange, match=r"seq: 3 .* expected 2") as caught:
        report(3)
    assert caught.value.errors == [("seq", "expected 2")]
    assert client.list_runs(sweep_id)[0].points == 1  # the gap stored nothing
    assert not report(2).duplicate  # the late batch is stored, not taken for a resend
    assert report(2).duplicate and report(1).duplicate
    assert not report(3).duplicate
    assert client.list_runs(sweep_id)[0].points == 3


def test_seq_beyond_what_lua_compares_exactly_is_refused(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    run_id, token = _take_run(client, sweep_id)
    for seq in (MAX_SEQ + 1, MAX_SEQ + 2, 2**63 - 1, 0, -1):
        with pytest.raises(InvalidArgument, match=r"^seq: ") as caught:
            client.call(client.metrics.ReportMetricsOnce,
                        _batch(sweep_id, run_id, token, seq, int(time.time())))
        assert not isinstance(caught.value, OutOfRange) and caught.value.errors[0][0] == "seq"
    with pytest.raises(OutOfRange):  # in range, but not the next one
        client.call(client.metrics.ReportMetricsOnce,
                    _batch(sweep_id, run_id, token, MAX_SEQ, int(time.time())))
    assert client.list_runs(sweep_id)[0].points == 0


def test_the_sdk_numbers_batches_without_gaps_when_one_is_refused(controller):
    """A batch the controller refuses stores nothing, so the SDK sends the next one
    with the same seq; the batches after it are stored, not refused as a gap. A
    refused last batch (sent with FinishRun) still lets the run finish."""
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    too_many = {f"k{i}": 1 for i in range(MAX_KEYS_PER_POINT + 1)}  # refused: too many keys

    def train():
        run = sweepd.init()
        run.log({"loss": 1.0})
        run.flush(10)
        run.log(too_many)
        run.flush(10)
        run.log({"loss": 0.5})
        run.flush(10)
        run.log({"loss": 0.25})
        run.flush(10)
        run.log({"loss": 0.125})
        run.log(too_many)  # with the one before it, the run's last batch: refused

    assert sweepd.agent(sweep_id, function=train, count=1, controller=controller.address) == 1
    run = Client(controller.address).list_runs(sweep_id)[0]
    assert run.state is RunState.FINISHED
    assert run.points == 3 and run.summary == {"loss": 0.25}


# ---------------------------------------------------------------- unknown enums beside other errors (#10.12)

def test_unknown_enum_numbers_are_listed_beside_the_configs_other_errors(controller):
    client = Client(controller.address)
    config = pb.SweepConfig(method=pb.SEARCH_METHOD_BAYES)  # bayes needs metric.name
    config.parameters["x"].distribution = 99
    config.parameters["x"].values.add().int_value = 1
    config.parameters["y"].min.double_value = 1.0
    config.parameters["y"].max.double_value = 0.5
    config.metric.goal = 7
    config.early_terminate.type = 12
    expected = {"parameters.x.distribution", "metric.goal", "early_terminate.type", "parameters.y.max"}

    reply = client.call(client.sweeps.ValidateSweep, sweep_pb.ValidateSweepRequest(config=config))
    listed = {v.field: v.description for v in reply.violations}
    assert expected <= set(listed), listed
    assert listed["parameters.x.distribution"] == "unknown enum value 99"
    assert "metric.name" in listed  # what the config lacks is still said
    assert len(reply.violations) == len(listed)  # each field once

    with pytest.raises(InvalidArgument) as caught:
        client.call(client.sweeps.CreateSweep, sweep_pb.CreateSweepRequest(config=config))
    assert {path for path, _ in caught.value.errors} == set(listed)
    assert client.list_sweeps() == []


# ---------------------------------------------------------------- values no run could carry

UNUSABLE = [
    ("grid", {"min": -2**63, "max": 2**63 - 1}),  # a grid axis too long to index
    ("grid", {"distribution": "q_uniform", "min": 0.0, "max": 1e308, "q": 1e-300}),
    ("random", {"min": -1e308, "max": 1e308}),  # max - min overflows a float
    ("random", {"distribution": "q_normal", "mu": 1e308, "sigma": 1e308, "q": 2**62}),
    ("random", {"distribution": "q_uniform", "min": -1e300, "max": 1e300, "q": 1}),  # ints past 64 bits
    ("random", {"distribution": "log_normal", "mu": 700.0, "sigma": 1000.0}),  # exp() overflows
    ("bayes", {"distribution": "q_log_uniform_values", "min": 5e-324, "max": 1e308, "q": 5e-324}),
]


@pytest.mark.parametrize("method, spec", UNUSABLE)
def test_a_parameter_no_run_could_be_given_is_refused_at_creation(controller, method, spec):
    """Accepted, such a sweep made every agent's Connect fail with INTERNAL (or with
    INVALID_ARGUMENT about a value the agent never sent)."""
    client = Client(controller.address)
    config = {"method": method, "metric": {"name": "loss"}, "parameters": {"a": spec, "b": {"values": [1]}}}
    message = convert.config_dict_to_proto(config)
    listed = client.call(client.sweeps.ValidateSweep, sweep_pb.ValidateSweepRequest(config=message))
    assert [v.field for v in listed.violations] == ["parameters.a"], listed
    with pytest.raises(InvalidArgument) as caught:
        client.call(client.sweeps.CreateSweep, sweep_pb.CreateSweepRequest(config=message))
    assert [path for path, _ in caught.value.errors] == ["parameters.a"]
    assert client.list_sweeps() == []


def test_wide_but_usable_parameters_are_accepted_and_drawn(controller):
    client = Client(controller.address)
    config = {"method": "random", "parameters": {
        "i": {"min": -2**63, "max": 2**63 - 1}, "u": {"min": -1e307, "max": 1e307},
        "n": {"distribution": "normal", "mu": 0.0, "sigma": 1e300},
        "g": {"distribution": "q_normal", "mu": 0.0, "sigma": 2.0**50, "q": 1}}}
    sweep_id = sweepd.sweep(config, controller=controller.address)
    _take_run(client, sweep_id)
    run = client.list_runs(sweep_id)[0]
    assert isinstance(run.config["i"], int) and math.isfinite(run.config["u"])
    grid = {"method": "grid", "parameters": {"i": {"min": 0, "max": 2**40}}}
    assert sweepd.sweep(grid, controller=controller.address)
