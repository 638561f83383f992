"""Conditional parameters and constraints end to end: real Redis, controller, agents."""

from __future__ import annotations

import logging

import sweepd
from sweepd.client import Client
from sweepd.domain import SweepState

CONDITIONAL = {
    "method": "random",
    "metric": {"name": "loss"},
    "run_cap": 24,
    "parameters": {
        "optimizer": {"values": ["sgd", "adam"]},
        "sgd": {"parameters": {"momentum": {"min": 0.5, "max": 0.99}},
                "when": {"optimizer": "sgd"}},
        "beta2": {"values": [0.99, 0.999], "when": {"optimizer": ["adam"]}},
        "batch_size": {"values": [32, 64, 128, 256]},
        "layers": {"min": 1, "max": 8},
    },
    "constraints": ["batch_size * layers <= 512", "optimizer == 'adam' or layers < 4"],
}


def test_runs_hold_only_active_parameters_and_satisfy_every_constraint(controller):
    sweep_id = sweepd.sweep(CONDITIONAL, controller=controller.address)
    configs = []

    def train():
        run = sweepd.init()
        configs.append(dict(run.config))
        run.log({"loss": 1.0})

    assert sweepd.agent(sweep_id, function=train, controller=controller.address) == 24
    runs = Client(controller.address).list_runs(sweep_id)
    assert len(runs) == 24 and len(configs) == 24
    for run in runs:
        c = run.config
        if c["optimizer"] == "sgd":
            assert set(c) == {"optimizer", "sgd", "batch_size", "layers"}
            assert 0.5 <= c["sgd"]["momentum"] <= 0.99
            assert c["layers"] < 4
        else:
            assert set(c) == {"optimizer", "beta2", "batch_size", "layers"}
        assert c["batch_size"] * c["layers"] <= 512
        assert "satisfy every constraint" in run.note


def test_constraints_no_draw_satisfies_end_the_sweep_with_the_reason(controller, caplog):
    config = {
        "method": "random",
        "parameters": {"a": {"min": 0.0, "max": 1.0}, "b": {"min": 0.0, "max": 1.0}},
        "constraints": ["a + b > 2.5"],
    }
    sweep_id = sweepd.sweep(config, controller=controller.address)
    with caplog.at_level(logging.INFO):
        ran = sweepd.agent(sweep_id, function=lambda: None, controller=controller.address)
    assert ran == 0
    assert "constraints[0] 'a + b > 2.5' rejected" in caplog.text
    sweep = Client(controller.address).get_sweep(sweep_id)
    assert sweep.state is SweepState.FINISHED
    assert Client(controller.address).list_runs(sweep_id) == []


def test_raw_proto_carries_conditions_and_constraints(controller):
    from sweepd.domain import InvalidArgument
    from sweepd.v1 import sweep_service_pb2 as sweep_pb
    from sweepd.v1 import types_pb2 as pb

    client = Client(controller.address)
    config = pb.SweepConfig(method=pb.SEARCH_METHOD_GRID, constraints=["lr < 0.05"])
    config.parameters["optimizer"].values.add().string_value = "sgd"
    config.parameters["optimizer"].values.add().string_value = "adam"
    momentum = config.parameters["momentum"]
    momentum.values.add().double_value = 0.9
    momentum.when.add(parent="optimizer").values.add().string_value = "sgd"
    for lr in (0.1, 0.01):
        config.parameters["lr"].values.add().double_value = lr
    reply = client.call(client.sweeps.CreateSweep, sweep_pb.CreateSweepRequest(config=config))
    stored = reply.config.parameters["momentum"].when
    assert [(c.parent, c.values[0].string_value) for c in stored] == [("optimizer", "sgd")]
    assert list(reply.config.constraints) == ["lr < 0.05"]
    seen = []
    assert sweepd.agent(reply.id, function=lambda: seen.append(dict(sweepd.init().config)),
                        controller=controller.address) == 2
    assert sorted(seen, key=lambda c: c["optimizer"]) == [
        {"optimizer": "adam", "lr": 0.01}, {"optimizer": "sgd", "momentum": 0.9, "lr": 0.01},
    ]
    # an unknown parent and a bad constraint are refused, naming their fields
    config.parameters["momentum"].when.add(parent="nope").values.add().int_value = 1
    config.constraints.append("lr <")
    try:
        client.call(client.sweeps.CreateSweep, sweep_pb.CreateSweepRequest(config=config))
        raise AssertionError("created")
    except InvalidArgument as e:
        assert {path for path, _ in e.errors} == {"parameters.momentum.when.nope", "constraints[1]"}


def test_a_conditional_grid_runs_its_8_valid_configs_and_finishes(controller):
    config = {"method": "grid", "parameters": {
        "optimizer": {"values": ["sgd", "adam"]},
        "momentum": {"values": [0.8, 0.9], "when": {"optimizer": "sgd"}},
        "beta2": {"values": [0.99, 0.999], "when": {"optimizer": ["adam"]}},
        "lr": {"values": [1.0e-3, 1.0e-2]},
    }}
    sweep_id = sweepd.sweep(config, controller=controller.address)
    assert sweepd.agent(sweep_id, function=lambda: sweepd.init().log({"x": 1}),
                        controller=controller.address) == 8
    client = Client(controller.address)
    configs = [r.config for r in client.list_runs(sweep_id)]
    assert len({tuple(sorted(c.items())) for c in configs}) == 8
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED
