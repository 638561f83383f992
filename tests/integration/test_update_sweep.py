"""UpdateSweep end to end: real Redis, real controllers, real agents.

Each allowed change makes a new config version that new runs record; each change
that cannot be honoured is refused, every refused path at once; a finished sweep
whose cap is raised resumes; a second replica serves the new version at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import grpc
import pytest
import redis

import sweepd
from sweepd.client import Client
from sweepd.controller import auth
from sweepd.domain import InvalidArgument, NotFound, PermissionDenied, RefusedChange, RunState, SweepState
from sweepd.v1 import sweep_service_pb2 as sweep_pb
from sweepd.v1 import sweep_service_pb2_grpc as sweep_grpc
from sweepd.v1 import types_pb2 as pb

from conftest import ControllerHandle
from helpers import wait_for

RANDOM = {
    "method": "random",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {
        "lr": {"min": 0.0, "max": 1.0},
        "act": {"values": ["relu", "tanh"]},
    },
}
GRID = {
    "method": "grid",
    "metric": {"name": "loss"},
    "parameters": {"lr": {"values": [0.1, 0.01]}, "layers": {"values": [1, 2]}},
}


def log_loss():
    run = sweepd.init()
    run.log({"loss": float(run.config.get("lr", 0.0))})


def agent(sweep_id, address, count=None, function=log_loss):
    return sweepd.agent(sweep_id, function=function, count=count, controller=address)


def test_raising_run_cap_resumes_a_finished_sweep_and_new_runs_record_version_2(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({**RANDOM, "run_cap": 3}, controller=controller.address)
    assert agent(sweep_id, controller.address) == 3
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED

    result = client.update_sweep(sweep_id, run_cap=5)

    assert result.changed and result.version.version == 2
    assert result.version.changed_paths == ("run_cap",)
    assert result.sweep.state is SweepState.RUNNING
    assert result.sweep.config.run_cap == 5 and result.sweep.config_version == 2
    assert agent(sweep_id, controller.address) == 2
    runs = client.list_runs(sweep_id)
    assert [r.config_version for r in runs] == [1, 1, 1, 2, 2]
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED


def test_lowering_run_cap_below_the_runs_made_finishes_the_sweep_when_its_runs_end(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({**RANDOM, "run_cap": 10}, controller=controller.address)
    release = threading.Event()

    def held():
        log_loss()
        release.wait(30)

    t = threading.Thread(target=agent, args=(sweep_id, controller.address, None, held))
    t.start()
    try:
        wait_for(lambda: client.get_sweep(sweep_id).counts.running == 1, what="a running run")
        result = client.update_sweep(sweep_id, run_cap=1)
        assert result.sweep.state is SweepState.FINISHING
    finally:
        release.set()
        t.join(60)
    assert not t.is_alive()
    sweep = client.get_sweep(sweep_id)
    assert sweep.state is SweepState.FINISHED and sweep.counts.total == 1


def test_values_added_to_a_grid_are_run_and_claimed_points_stay_claimed(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(GRID, controller=controller.address)
    assert agent(sweep_id, controller.address, count=3) == 3
    before = {(r.config["lr"], r.config["layers"]) for r in client.list_runs(sweep_id)}

    grown = {**GRID, "parameters": {**GRID["parameters"], "lr": {"values": [0.1, 0.01, 0.001]}}}
    result = client.update_sweep(sweep_id, grown)

    assert result.version.changed_paths == ("parameters.lr.values",)
    assert agent(sweep_id, controller.address) == 3  # 6 combinations, 3 made before
    runs = client.list_runs(sweep_id)
    points = [(r.config["lr"], r.config["layers"]) for r in runs]
    assert len(points) == len(set(points)) == 6
    assert {p for p, r in zip(points, runs) if r.config_version == 1} == before
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED


def test_a_finished_grid_given_new_values_resumes(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(GRID, controller=controller.address)
    assert agent(sweep_id, controller.address) == 4
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED

    grown = {**GRID, "parameters": {**GRID["parameters"], "layers": {"values": [1, 2, 4]}}}
    assert client.update_sweep(sweep_id, grown).sweep.state is SweepState.RUNNING
    assert agent(sweep_id, controller.address) == 2
    assert {r.config["layers"] for r in client.list_runs(sweep_id) if r.config_version == 2} == {4}


def test_a_narrowed_range_is_what_new_runs_draw_from(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(RANDOM, controller=controller.address)
    agent(sweep_id, controller.address, count=2)

    narrow = {**RANDOM, "parameters": {**RANDOM["parameters"], "lr": {"min": 0.25, "max": 0.5}}}
    result = client.update_sweep(sweep_id, narrow, update_mask=["parameters.lr"])

    assert set(result.version.changed_paths) == {"parameters.lr.min", "parameters.lr.max"}
    agent(sweep_id, controller.address, count=20)
    new = [r for r in client.list_runs(sweep_id) if r.config_version == 2]
    assert len(new) == 20 and all(0.25 <= r.config["lr"] <= 0.5 for r in new)


def test_a_parameter_added_with_a_default_is_in_every_new_run(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(RANDOM, controller=controller.address)
    agent(sweep_id, controller.address, count=2)

    params = {**RANDOM["parameters"], "wd": {"values": [0.0, 0.1], "default": 0.0}}
    result = client.update_sweep(sweep_id, {**RANDOM, "parameters": params})

    assert result.version.changed_paths == ("parameters.wd",)
    assert result.sweep.config.parameters["wd"].default == 0.0
    agent(sweep_id, controller.address, count=3)
    runs = client.list_runs(sweep_id)
    assert ["wd" in r.config for r in runs] == [False, False, True, True, True]


def test_bayes_after_an_update_suggests_from_the_new_space_using_runs_that_fit(controller):
    client = Client(controller.address)
    config = {**RANDOM, "method": "bayes"}
    sweep_id = sweepd.sweep(config, controller=controller.address)
    agent(sweep_id, controller.address, count=4)

    params = {"lr": {"min": 0.0, "max": 0.5}, "act": RANDOM["parameters"]["act"],
              "wd": {"values": [0.0, 0.1], "default": 0.0}}
    client.update_sweep(sweep_id, {**config, "parameters": params})
    agent(sweep_id, controller.address, count=4)

    new = [r for r in client.list_runs(sweep_id) if r.config_version == 2]
    assert len(new) == 4 and all(r.state is RunState.FINISHED for r in new)
    assert all(0.0 <= r.config["lr"] <= 0.5 and r.config["wd"] in (0.0, 0.1) for r in new)


def test_early_termination_can_be_added(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(RANDOM, controller=controller.address)
    et = {**RANDOM, "early_terminate": {"type": "median", "min_iter": 2}}

    result = client.update_sweep(sweep_id, et, update_mask=["early_terminate"])

    assert result.version.changed_paths == ("early_terminate",)
    assert client.get_sweep(sweep_id).config.early_terminate.type == "median"


def test_changes_that_cannot_be_honoured_are_refused_each_path_with_its_reason(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({**RANDOM, "program": "train.py"}, controller=controller.address)
    bad = {
        "method": "bayes",
        "metric": {"name": "acc", "goal": "maximize"},
        "program": "other.py",
        "command": ["python", "${program}"],
        "parameters": {"lr": {"distribution": "log_uniform_values", "min": 0.01, "max": 1.0},
                       "act": {"values": ["relu"]},
                       "extra": {"values": [1, 2]}},
    }

    with pytest.raises(RefusedChange) as caught:
        client.update_sweep(sweep_id, bad)

    refused = dict(caught.value.errors)
    assert set(refused) == {"method", "metric.name", "metric.goal", "program", "command",
                            "parameters.lr.distribution", "parameters.act.values",
                            "parameters.extra.default"}
    assert "method cannot change" in refused["method"]
    assert "required for an added parameter" in refused["parameters.extra.default"]
    assert client.get_sweep(sweep_id).config_version == 1
    assert [v.version for v in client.list_config_versions(sweep_id)] == [1]


def test_removing_a_parameter_is_refused_with_failed_precondition_on_the_wire(controller):
    sweep_id = sweepd.sweep(RANDOM, controller=controller.address)
    stub = sweep_grpc.SweepServiceStub(grpc.insecure_channel(controller.address))
    request = sweep_pb.UpdateSweepRequest(sweep_id=sweep_id, update_mask={"paths": ["parameters.act"]})

    with pytest.raises(grpc.RpcError) as caught:
        stub.UpdateSweep(request, timeout=10)

    assert caught.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert "parameters.act: a parameter cannot be removed" in caught.value.details()


def test_bad_masks_and_invalid_results_are_invalid_argument(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(RANDOM, controller=controller.address)
    with pytest.raises(InvalidArgument) as caught:
        client.update_sweep(sweep_id, RANDOM, update_mask=["run_cap", "nonsense", "parameters.nope"])
    assert {p for p, _ in caught.value.errors} == {"update_mask.nonsense", "update_mask.parameters.nope"}
    stub = sweep_grpc.SweepServiceStub(grpc.insecure_channel(controller.address))
    with pytest.raises(grpc.RpcError) as raw:
        stub.UpdateSweep(sweep_pb.UpdateSweepRequest(
            sweep_id=sweep_id, config=pb.SweepConfig(run_cap=-2),
            update_mask={"paths": ["run_cap"]}), timeout=10)
    assert raw.value.code() is grpc.StatusCode.INVALID_ARGUMENT and "run_cap" in raw.value.details()


def test_a_cancelled_sweep_and_a_stale_expected_version_are_refused(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(RANDOM, controller=controller.address)
    client.update_sweep(sweep_id, run_cap=4)
    with pytest.raises(RefusedChange, match="version 2, not 1"):
        client.update_sweep(sweep_id, run_cap=5, expected_version=1)
    assert client.update_sweep(sweep_id, run_cap=5, expected_version=2).version.version == 3
    client.change_state(sweep_id, "cancel")
    with pytest.raises(RefusedChange, match="cancelled"):
        client.update_sweep(sweep_id, run_cap=9)
    with pytest.raises(NotFound):
        client.update_sweep("nosuchsweep", run_cap=9)


def test_an_update_that_changes_nothing_makes_no_version(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(RANDOM, controller=controller.address)
    result = client.update_sweep(sweep_id, RANDOM)
    assert not result.changed and result.version.version == 1
    assert [v.version for v in client.list_config_versions(sweep_id)] == [1]


def test_the_history_keeps_every_version_with_its_changes(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(RANDOM, controller=controller.address)
    client.update_sweep(sweep_id, run_cap=10)
    client.update_sweep(sweep_id, {**RANDOM, "run_cap": 10, "description": "wider",
                                   "parameters": {**RANDOM["parameters"], "lr": {"min": 0.0, "max": 2.0}}})

    versions = client.list_config_versions(sweep_id)

    assert [v.version for v in versions] == [1, 2, 3]
    assert [v.changed_paths for v in versions] == [(), ("run_cap",), ("description", "parameters.lr.max")]
    assert versions[0].config.run_cap is None and versions[2].config.parameters["lr"].max == 2.0
    assert versions[0].created_at <= versions[1].created_at <= versions[2].created_at


def test_two_replicas_both_serve_the_new_version_at_once(start_controller):
    """An agent connected to replica b before the update gets runs of the version
    made through replica a, without b being asked for the sweep in between."""
    a, b = start_controller(), start_controller()
    client_a, client_b = Client(a.address), Client(b.address)
    sweep_id = sweepd.sweep(GRID, controller=a.address)
    first, release = threading.Event(), threading.Event()

    def held():
        log_loss()
        if not first.is_set():
            first.set()
            release.wait(30)

    t = threading.Thread(target=agent, args=(sweep_id, b.address, None, held))
    t.start()
    try:
        assert first.wait(30)
        grown = {**GRID, "parameters": {**GRID["parameters"], "lr": {"values": [0.1, 0.01, 0.5]}}}
        client_a.update_sweep(sweep_id, grown)
    finally:
        release.set()
        t.join(60)
    assert not t.is_alive()

    runs = client_a.list_runs(sweep_id)
    assert [r.config_version for r in runs] == [1, 2, 2, 2, 2, 2]
    assert len({(r.config["lr"], r.config["layers"]) for r in runs}) == 6
    seen = client_b.get_sweep(sweep_id)
    assert seen.config_version == 2 and seen.config.parameters["lr"].values == (0.1, 0.01, 0.5)


def test_read_only_keys_and_other_projects_cannot_update(redis_url):
    handle = ControllerHandle(redis_url, lease_seconds=30, auth=True)
    try:
        admin = redis.Redis.from_url(redis_url)
        owner = Client(handle.address, api_key=auth.create_key(admin, "alpha"))
        reader = Client(handle.address, api_key=auth.create_key(admin, "alpha", read_only=True))
        other = Client(handle.address, api_key=auth.create_key(admin, "beta"))
        sweep_id = owner.create_sweep(RANDOM).id
        with pytest.raises(PermissionDenied, match="read-only"):
            reader.update_sweep(sweep_id, run_cap=3)
        with pytest.raises(NotFound):
            other.update_sweep(sweep_id, run_cap=3)
        assert reader.list_config_versions(sweep_id)[0].version == 1
        assert owner.update_sweep(sweep_id, run_cap=3).version.version == 2
    finally:
        handle.close()


def test_cli_update_and_versions(controller, tmp_path):
    sweep_id = sweepd.sweep(GRID, controller=controller.address)
    new = tmp_path / "new.yaml"
    new.write_text("method: grid\nmetric: {name: loss}\nparameters:\n"
                   "  lr: {values: [0.1, 0.01, 0.2]}\n  layers: {values: [1, 2]}\n")
    cli = [sys.executable, "-m", "sweepd.cli"]
    addr = ["--controller", controller.address]

    capped = subprocess.run([*cli, "update", sweep_id, "--run-cap", "5", *addr],
                            capture_output=True, text=True, timeout=60)
    grown = subprocess.run([*cli, "update", sweep_id, "--config", str(new), "--only", "parameters", *addr],
                           capture_output=True, text=True, timeout=60)
    whole = subprocess.run([*cli, "update", sweep_id, "--config", str(new), *addr],
                           capture_output=True, text=True, timeout=60)
    other = tmp_path / "other.yaml"
    other.write_text(new.read_text().replace("method: grid", "method: random"))
    refused = subprocess.run([*cli, "update", sweep_id, "--config", str(other), *addr],
                             capture_output=True, text=True, timeout=60)
    listed = subprocess.run([*cli, "versions", sweep_id, *addr], capture_output=True, text=True, timeout=60)

    assert capped.returncode == 0 and "config version 2 (run_cap)" in capped.stdout, capped.stderr
    assert grown.returncode == 0 and "config version 3 (parameters.lr.values)" in grown.stdout, grown.stderr
    # the whole file has no run_cap: it lifts the cap
    assert whole.returncode == 0 and "version 4 (run_cap)" in whole.stdout, whole.stderr
    assert refused.returncode == 1 and "method: the search method cannot change" in refused.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["VERSION", "TIME", "(UTC)", "CHANGED"]
    assert [line.split()[0] for line in lines[1:]] == ["1", "2", "3", "4"]
    assert lines[1].endswith("(created)") and lines[3].endswith("parameters.lr.values")


def test_concurrent_updates_through_two_replicas_each_make_their_own_version(start_controller):
    a, b = start_controller(), start_controller()
    sweep_id = sweepd.sweep(RANDOM, controller=a.address)
    caps = list(range(10, 18))
    errors = []

    def set_cap(cap):
        try:
            Client((a if cap % 2 else b).address).update_sweep(sweep_id, run_cap=cap)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=set_cap, args=(cap,)) for cap in caps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert not errors
    versions = Client(b.address).list_config_versions(sweep_id)
    assert [v.version for v in versions] == list(range(1, 10))
    assert sorted(v.config.run_cap for v in versions[1:]) == caps  # none lost or overwritten
    assert Client(a.address).get_sweep(sweep_id).config.run_cap == versions[-1].config.run_cap


PROGRAM = """
import json, os, pathlib, sys, time
out = pathlib.Path(os.environ["SWEEPD_TEST_OUT"])
n = len(list(out.glob("argv*")))
(out / f"argv{n}").write_text(json.dumps(sys.argv[1:]))
while n == 0 and not (out / "go").exists():
    time.sleep(0.02)
"""


def test_a_connected_program_agent_passes_a_nested_parameter_added_since_its_welcome(
        controller, tmp_path, monkeypatch):
    """The agent's Welcome had version 1; the run it gets after the update names the
    new nested parameter in ${args} as a dotted path, as a fresh agent would."""
    script = tmp_path / "train.py"
    script.write_text(PROGRAM)
    monkeypatch.setenv("SWEEPD_TEST_OUT", str(tmp_path))
    config = {"method": "grid", "program": str(script), "parameters": {"a": {"values": [1, 2]}}}
    client = Client(controller.address)
    sweep_id = sweepd.sweep(config, controller=controller.address)
    t = threading.Thread(target=sweepd.agent, args=(sweep_id,),
                         kwargs={"count": 2, "controller": controller.address})
    t.start()
    try:
        wait_for(lambda: (tmp_path / "argv0").exists(), what="the first run")
        grp = {"parameters": {"m": {"values": [5], "default": 5}}}
        client.update_sweep(sweep_id, {**config, "parameters": {**config["parameters"], "grp": grp}})
    finally:
        (tmp_path / "go").write_text("")
        t.join(60)
    assert not t.is_alive()
    assert json.loads((tmp_path / "argv0").read_text()) == ["--a=1"]
    assert sorted(json.loads((tmp_path / "argv1").read_text())) == ["--a=2", "--grp.m=5"]
    assert [r.state for r in client.list_runs(sweep_id)] == [RunState.FINISHED] * 2


CONDITIONAL_GRID = {
    "method": "grid",
    "metric": {"name": "loss"},
    "parameters": {
        "optimizer": {"values": ["sgd", "adam"]},
        "momentum": {"values": [0.8, 0.9], "when": {"optimizer": "sgd"}},
        "lr": {"values": [0.1, 0.01]},
    },
}


def test_a_finished_conditional_grid_given_a_value_runs_only_the_new_points(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(CONDITIONAL_GRID, controller=controller.address)
    assert agent(sweep_id, controller.address) == 6  # 2 momenta x 2 lrs for sgd, 2 lrs for adam

    grown = {**CONDITIONAL_GRID, "parameters": {**CONDITIONAL_GRID["parameters"],
                                                "lr": {"values": [0.1, 0.01, 0.001]}}}
    assert client.update_sweep(sweep_id, grown).sweep.state is SweepState.RUNNING
    assert agent(sweep_id, controller.address) == 3  # lr 0.001: sgd x 2 momenta, adam
    configs = [json.dumps(r.config, sort_keys=True) for r in client.list_runs(sweep_id)]
    assert len(configs) == len(set(configs)) == 9


def test_constraints_can_be_changed_alone_and_a_finished_grid_resumes(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({**GRID, "constraints": ["layers * lr < 0.15"]},
                            controller=controller.address)
    assert agent(sweep_id, controller.address) == 3  # lr 0.1 with 2 layers is left out
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED

    result = client.update_sweep(sweep_id, {**GRID, "constraints": []}, update_mask=["constraints"])
    assert result.version.changed_paths == ("constraints",)
    assert result.sweep.state is SweepState.RUNNING
    assert agent(sweep_id, controller.address) == 1
    assert [r.config for r in client.list_runs(sweep_id) if r.config_version == 2] == [
        {"lr": 0.1, "layers": 2}]


def test_run_cap_raised_on_a_sweep_with_prior_runs_counts_its_own_runs_only(controller):
    client = Client(controller.address)
    prior = [{"config": {"lr": 0.1 * i, "act": "relu"}, "summary": {"loss": 1.0}} for i in range(3)]
    sweep_id = sweepd.sweep({**RANDOM, "run_cap": 2}, prior_runs=prior,
                            controller=controller.address)
    assert agent(sweep_id, controller.address) == 2
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED

    assert client.update_sweep(sweep_id, run_cap=4).sweep.state is SweepState.RUNNING
    assert agent(sweep_id, controller.address) == 2  # 3 prior + 2 runs made: 2 more to the cap
    lowered = client.update_sweep(sweep_id, run_cap=5)  # 4 made: still room for one
    assert lowered.sweep.state is SweepState.RUNNING
