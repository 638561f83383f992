"""Redis key design (one hash slot per sweep) and the proto <-> domain converter."""

from __future__ import annotations

import math

import pytest

from sweepd import convert
from sweepd.config import parse_config
from sweepd.controller.storage import keys
from sweepd.domain import MetricBatch, MetricPoint, Run, RunOutput, RunState, StopReason, utf8_tail


def crc16_xmodem(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def cluster_slot(key: str) -> int:
    """Redis Cluster's key slot, hash tags included."""
    start = key.find("{")
    if start >= 0:
        end = key.find("}", start + 1)
        if end > start + 1:
            key = key[start + 1:end]
    return crc16_xmodem(key.encode()) % 16384


def test_every_key_of_a_sweep_lands_in_one_cluster_slot():
    sweep_keys = [
        keys.sweep_meta("abc123"), keys.sweep_runs("abc123"), keys.sweep_leases("abc123"),
        keys.sweep_claims("abc123"), keys.sweep_retry("abc123"), keys.sweep_events("abc123"),
        keys.sweep_versions("abc123"), keys.stop_index("abc123"), keys.stop_marks("abc123"),
        keys.sweep_agent_runs("abc123"),
        *keys.run_keys("abc123", "run1"), *keys.run_keys("abc123", "zzz9"),
        keys.run_output("abc123", "run1"),
    ]
    for script_keys in (keys.assign_run_keys, keys.finish_run_keys, keys.expire_run_keys):
        assert set(script_keys("abc123", "run1")) <= set(sweep_keys)
    assert len(set(sweep_keys)) == len(sweep_keys)
    assert {cluster_slot(k) for k in sweep_keys} == {cluster_slot("abc123")}
    assert all(k.startswith("sweepd:sweep:{abc123}:") for k in sweep_keys)


def test_crc16_matches_the_redis_cluster_reference_vector():
    assert crc16_xmodem(b"123456789") == 0x31C3  # from the Redis Cluster spec


def test_different_sweeps_spread_over_slots():
    slots = {cluster_slot(keys.sweep_meta(f"sweep{i}")) for i in range(50)}
    assert len(slots) > 40


def test_ids_with_unsafe_characters_are_rejected():
    assert keys.valid_id("a1b2c3d4")
    for bad in ("", "a}b", "a{b", "a b", "a:b", "x" * 65):
        assert not keys.valid_id(bad)


@pytest.mark.parametrize("value", [
    None, True, False, 0, -3, 2**62, 1.5, -0.0, "", "héllo ✓",
    {"a": 1, "b": {"c": [1, 2.5, "x"]}}, [1, [2, [3]]],
])
def test_values_round_trip_keeping_their_types(value):
    back = convert.value_from_proto(convert.value_to_proto(value))
    assert back == value and type(back) is type(value)


def test_numpy_scalars_become_plain_numbers():
    np = pytest.importorskip("numpy")
    assert convert.value_from_proto(convert.value_to_proto(np.int64(3))) == 3
    assert isinstance(convert.value_from_proto(convert.value_to_proto(np.float32(0.5))), float)


def test_unsupported_value_names_its_path():
    with pytest.raises(convert.ConversionError, match=r"cfg\.x"):
        convert.values_to_proto({"x": object()}, "cfg.")


FULL_CONFIG = {
    "method": "random",
    "name": "n", "description": "d", "project": "p", "entity": "e",
    "metric": {"name": "loss", "goal": "maximize", "target": 0.9},
    "run_cap": 7,
    "program": "train.py",
    "command": ["${env}", "${interpreter}", "${program}", "${args_json}"],
    "early_terminate": {"type": "hyperband", "min_iter": 3, "eta": 2, "strict": False},
    "retry": {"max_attempts": 3},
    "parameters": {
        "lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 0.1},
        "units": {"min": 8, "max": 64},
        "opt": {"values": ["adam", "sgd"]},
        "w": {"distribution": "categorical_w_probabilities", "values": [1, 2], "probabilities": [0.3, 0.7]},
        "c": {"value": {"nested": True}},
        "n": {"distribution": "q_normal", "mu": 1.0, "sigma": 2.0, "q": 0.5},
        "b": {"distribution": "beta", "a": 2.0, "b": 3.0},
        "block": {"parameters": {"depth": {"values": [1, 2]}, "width": {"min": 1.0, "max": 2.0}}},
    },
}


def test_config_round_trips_through_the_typed_message():
    parsed = parse_config(FULL_CONFIG)
    message = convert.config_to_proto(parsed)
    assert parse_config(convert.config_dict_from_proto(message)) == parsed
    assert message.parameters["units"].min.int_value == 8  # ints stay ints on the wire
    assert message.metric.target == 0.9


def test_raw_user_dict_converts_with_inference_left_to_the_server():
    message = convert.config_dict_to_proto({"method": "grid", "parameters": {"x": {"min": 1, "max": 3}}})
    assert message.parameters["x"].distribution == 0  # unspecified: inferred when parsed
    assert parse_config(convert.config_dict_from_proto(message)).parameters["x"].distribution == "int_uniform"


def test_unknown_enum_names_name_their_field():
    with pytest.raises(convert.ConversionError, match=r"parameters\.x\.distribution"):
        convert.config_dict_to_proto({"method": "grid", "parameters": {"x": {"distribution": "zipf"}}})
    with pytest.raises(convert.ConversionError, match="method"):
        convert.config_dict_to_proto({"method": "annealing", "parameters": {}})


def test_run_round_trips():
    run = Run(id="r1", sweep_id="s1", state=RunState.STOPPED, config={"a": 1, "b": {"c": "x"}},
              number=4, agent_id="ag", host="gpu-node-7", attempt=2, created_at=1.5, started_at=2.25, ended_at=3.0,
              exit_code=0, error="", stop_reason=StopReason("hyperband", "band 3", 3, 7.0, 6.0),
              summary={"loss": 0.5, "epoch": 3}, points=12, note="random")
    back = convert.run_from_proto(convert.run_to_proto(run))
    assert back.lease_token == "" and back.history == []  # never sent to other clients
    back.lease_token, back.history = run.lease_token, run.history
    assert back == run


def test_run_output_round_trips():
    output = RunOutput(stdout="out\n", stderr="err \u00e9\n", stdout_bytes=70_000, stderr_bytes=9,
                       traceback="Traceback ...")
    assert convert.output_from_proto(convert.output_to_proto(output)) == output
    assert RunOutput().empty and not output.empty


@pytest.mark.parametrize("data, limit, expected", [
    (b"abc", 2, "bc"),
    ("h\u00e9llo".encode(), 4, "llo"),  # the cut splits \u00e9: its second byte is dropped
    (b"\xff" * 10, 7, "\ufffd\ufffd"),  # replacement characters grow it: cut again
    ("tail \U0001F600".encode(), 64, "tail \U0001F600"),
])
def test_utf8_tail_keeps_the_end_within_the_limit(data, limit, expected):
    tail = utf8_tail(data, limit)
    assert tail == expected and len(tail.encode()) <= limit


def test_metric_batches_refuse_non_finite_values_by_key():
    batch = MetricBatch("r", "s", "t", 1, (MetricPoint(0, 10.0, {"ok": 1.0}),))
    message = convert.batch_to_proto(batch)
    assert convert.batch_from_proto(message) == batch
    message.points[0].values["bad"].double_value = math.inf
    with pytest.raises(convert.ConversionError, match=r"points\[0\]\.values\.bad"):
        convert.batch_from_proto(message)


MO_CONFIG = {
    "method": "bayes",
    "metrics": [{"name": "acc", "goal": "maximize", "threshold": 0.5}, {"name": "ms"}],
    "parameters": {"x": {"min": 0.0, "max": 1.0}},
}


def test_a_multi_objective_config_round_trips_through_its_message():
    parsed = parse_config(MO_CONFIG)
    message = convert.config_to_proto(parsed)
    assert [(o.name, o.goal, o.HasField("threshold")) for o in message.metrics] == [
        ("acc", convert.pb.GOAL_MAXIMIZE, True), ("ms", convert.pb.GOAL_MINIMIZE, False)]
    assert not message.HasField("metric")
    assert parse_config(convert.config_dict_from_proto(message)) == parsed


def test_an_unknown_goal_of_an_objective_names_its_field():
    message = convert.config_to_proto(parse_config(MO_CONFIG))
    message.metrics[1].goal = 9
    problems: list = []
    convert.config_dict_from_proto(message, problems)
    assert [p.path for p in problems] == ["metrics[1].goal"]


def test_pareto_fields_of_runs_and_sweeps_cross_the_wire():
    from sweepd.domain import Sweep, SweepState

    run = Run(id="r", sweep_id="s", state=RunState.RUNNING, config={},
              objectives={"acc": 0.9, "ms": 3.0}, pareto_rank=0)
    message = convert.run_to_proto(run)
    assert (message.pareto_rank, message.pareto_optimal) == (0, True)
    back = convert.run_from_proto(message)
    assert (back.objectives, back.pareto_rank) == ({"acc": 0.9, "ms": 3.0}, 0)
    unranked = convert.run_to_proto(Run(id="r", sweep_id="s", state=RunState.RUNNING, config={}))
    assert not unranked.HasField("pareto_rank") and not unranked.pareto_optimal
    assert convert.run_from_proto(unranked).pareto_rank is None
    sweep = Sweep(id="s", config=parse_config(MO_CONFIG), state=SweepState.RUNNING,
                  created_at=1.0, pareto_front_size=3, hypervolume=0.25,
                  hypervolume_reference=(0.5, 40.0))
    decoded = convert.sweep_from_proto(convert.sweep_to_proto(sweep))
    assert (decoded.pareto_front_size, decoded.hypervolume, decoded.hypervolume_reference) == (
        3, 0.25, (0.5, 40.0))
