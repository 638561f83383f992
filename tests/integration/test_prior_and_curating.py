"""Warm start from prior runs and curating runs (ignore, requeue), end to end: a real
controller on real Redis, the CLI as a user runs it, real agents."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import grpc
import pytest

import sweepd
from sweepd import convert
from sweepd.client import Client
from sweepd.domain import PriorRun, RunState
from sweepd.errors import InvalidState, NotFound
from sweepd.v1 import sweep_service_pb2 as sweep_pb
from sweepd.v1 import sweep_service_pb2_grpc as sweep_grpc

from sweepd.controller.limits import MAX_PRIOR_RUNS

BAYES = {
    "method": "bayes",
    "metric": {"name": "loss", "goal": "minimize"},
    "run_cap": 3,
    "parameters": {
        "lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 0.1},
        "layers": {"min": 1, "max": 4},
        "act": {"values": ["relu", "tanh"]},
        "seed": {"value": 7},
    },
}


def loss_of(config):
    return abs(config["lr"] - 0.01) * 10 + config["layers"] * 0.1 + (config["act"] == "tanh") * 0.2


def train():
    run = sweepd.init()
    run.log({"loss": loss_of(run.config)})


def priors(n):
    out = []
    for i in range(n):
        config = {"lr": 10 ** (-1 - 3 * i / max(n - 1, 1)), "layers": 1 + i % 4,
                  "act": ("relu", "tanh")[i % 2]}
        out.append(PriorRun(config, {"loss": loss_of(config), "epoch": 3}, f"test row {i}"))
    return out


def cli(address, *args):
    env = {**os.environ, "SWEEPD_CONTROLLER": address}
    return subprocess.run([sys.executable, "-m", "sweepd.cli", *args], capture_output=True,
                          text=True, env=env, timeout=60)


def test_prior_runs_seed_bayes_from_the_first_suggestion_and_not_the_run_cap(controller):
    client = Client(controller.address)
    bad = [PriorRun({"lr": 0.5, "layers": 2, "act": "relu"}, {"loss": 1.0}, "too big lr"),
           PriorRun({"lr": 0.01, "layers": 2}, {"loss": 1.0}, "no act"),
           PriorRun({"lr": 0.01, "layers": 2, "act": "relu"}, {"acc": 1.0}, "no loss"),
           PriorRun({"lr": 0.01, "layers": 2, "act": "relu"}, {"loss": float("nan")}, "nan loss")]
    sweep = client.create_sweep(BAYES, prior_runs=priors(6) + bad)
    assert sweep.prior_runs == 6
    joined = "\n".join(sweep.warnings)
    assert "too big lr left out: config.lr: 0.5 is outside" in joined
    assert "no act left out: config.act: missing" in joined
    assert "no loss left out: summary.loss: missing" in joined
    assert "nan loss left out: summary.loss: nan is not a finite number" in joined

    sweepd.agent(sweep.id, function=train, controller=controller.address)
    runs = client.list_runs(sweep.id)
    prior, own = [r for r in runs if r.prior], [r for r in runs if not r.prior]
    assert len(prior) == 6 and len(own) == 3  # run_cap counts only the sweep's own runs
    assert [r.number for r in runs] == list(range(1, 10))
    assert all(r.state is RunState.FINISHED and r.config["seed"] == 7 for r in prior)
    assert prior[0].note == "prior: test row 0"
    # bayes modelled from the first suggestion: no random start
    assert not any(r.note.startswith("random") for r in own), [r.note for r in own]
    final = client.get_sweep(sweep.id)
    assert final.counts.finished == 3
    assert final.best_run_id in {r.id for r in own}  # prior runs are never the sweep's best


def test_too_many_prior_runs_is_invalid_argument_naming_the_field(controller):
    channel = grpc.insecure_channel(controller.address)
    stub = sweep_grpc.SweepServiceStub(channel)
    one = convert.prior_run_to_proto(priors(1)[0])
    request = sweep_pb.CreateSweepRequest(config=convert.config_dict_to_proto(BAYES),
                                          prior_runs=[one] * (MAX_PRIOR_RUNS + 1))
    with pytest.raises(grpc.RpcError) as err:
        stub.CreateSweep(request, timeout=30)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "prior_runs" in err.value.details()
    channel.close()


def test_cli_prior_runs_from_csv_jsonl_and_another_sweep(controller, tmp_path):
    config = tmp_path / "sweep.yaml"
    config.write_text(json.dumps(BAYES))
    csv_file = tmp_path / "runs.csv"
    csv_file.write_text(
        "Name,State,Runtime,lr,layers,act,loss,config.seed\n"
        "bright-sun-1,finished,30,0.01,2,relu,0.25,7\n"
        "dark-moon-2,finished,31,0.002,3,tanh,0.6,7\n"
        "bad-lr-3,finished,12,abc,3,tanh,0.6,7\n")
    out = cli(controller.address, "sweep", str(config), "--prior-runs", str(csv_file))
    assert out.returncode == 0, out.stderr
    assert "runs.csv row 4 (bad-lr-3) left out: config.lr: 'abc' is not a finite number" in out.stderr
    assert "2 prior runs" in out.stdout
    first = out.stdout.split()[-1]
    listed = json.loads(cli(controller.address, "runs", first, "--json").stdout)
    assert [(r["prior"], r["config"]["lr"], r["summary"]["loss"]) for r in listed] == [
        (True, 0.01, 0.25), (True, 0.002, 0.6)]
    assert "Runtime" not in listed[0]["summary"] and "Name" not in listed[0]["summary"]

    lines = tmp_path / "runs.jsonl"
    lines.write_text(json.dumps({"name": "a", "config": {"lr": 0.05, "layers": 1, "act": "relu"},
                                 "summary": {"loss": 0.4}}) + "\n\n")
    out = cli(controller.address, "sweep", str(config), "--prior-runs", str(lines))
    assert out.returncode == 0 and "1 prior runs" in out.stdout, out.stderr

    out = cli(controller.address, "sweep", str(config), "--prior-runs", first)
    assert out.returncode == 0 and "2 prior runs" in out.stdout, out.stderr
    copied = Client(controller.address).list_runs(out.stdout.split()[-1])
    assert all(r.prior and r.note.startswith(f"prior: sweep {first} run ") for r in copied)

    out = cli(controller.address, "sweep", str(config), "--prior-runs", str(tmp_path / "none.csv"))
    assert out.returncode == 2 and "neither a file nor a sweep id" in out.stderr


def test_ignoring_the_best_run_recomputes_the_best_and_hides_it_from_search(controller):
    client = Client(controller.address)
    config = {**BAYES, "method": "random", "run_cap": 4}
    sweep_id = sweepd.sweep(config, controller=controller.address)
    sweepd.agent(sweep_id, function=train, controller=controller.address)
    runs = client.list_runs(sweep_id)
    ranked = sorted(runs, key=lambda r: r.summary["loss"])
    assert client.get_sweep(sweep_id).best_run_id == ranked[0].id

    out = cli(controller.address, "runs", "ignore", sweep_id, ranked[0].id)
    assert out.returncode == 0, out.stderr
    sweep = client.get_sweep(sweep_id)
    assert sweep.best_run_id == ranked[1].id
    assert sweep.best_value == pytest.approx(ranked[1].summary["loss"])
    listed = json.loads(cli(controller.address, "runs", sweep_id, "--json").stdout)
    assert [r["ignored"] for r in listed] == [r.id == ranked[0].id for r in runs]

    client.set_run_ignored(sweep_id, ranked[1].id, True)
    assert client.get_sweep(sweep_id).best_run_id == ranked[2].id
    out = cli(controller.address, "runs", "unignore", sweep_id, ranked[0].id)
    assert out.returncode == 0, out.stderr
    assert client.get_sweep(sweep_id).best_run_id == ranked[0].id
    with pytest.raises(NotFound):
        client.set_run_ignored(sweep_id, "nosuchrun", True)


def test_an_ignored_run_is_not_seen_by_bayes(controller):
    """Two runs with a value let bayes model; ignoring one leaves it one short, so its
    next suggestion is a random start again."""
    client = Client(controller.address)
    sweep = client.create_sweep({**BAYES, "run_cap": 1}, prior_runs=priors(2))
    prior = client.list_runs(sweep.id)
    client.set_run_ignored(sweep.id, prior[0].id, True)
    sweepd.agent(sweep.id, function=train, controller=controller.address)
    own = [r for r in client.list_runs(sweep.id) if not r.prior]
    assert len(own) == 1 and own[0].note.startswith("random: 1 of the 2 runs"), own[0].note


def test_requeue_runs_a_configuration_again_as_a_new_run(controller):
    client = Client(controller.address)
    config = {**BAYES, "method": "random", "run_cap": 2}
    sweep_id = sweepd.sweep(config, controller=controller.address)
    assert sweepd.agent(sweep_id, function=train, count=1, controller=controller.address) == 1
    first = client.list_runs(sweep_id)[0]
    out = cli(controller.address, "runs", "requeue", sweep_id, first.id)
    assert out.returncode == 0 and "1 configuration(s) waiting" in out.stdout, out.stderr
    sweepd.agent(sweep_id, function=train, controller=controller.address)
    runs = client.list_runs(sweep_id)
    again = [r for r in runs if r.note == f"requeued from run {first.id}"]
    assert len(again) == 1 and again[0].config == first.config and again[0].id != first.id
    assert again[0].state is RunState.FINISHED
    # the requeued run did not take a place of run_cap: two configurations ran besides it
    assert len(runs) == 3
    assert client.get_sweep(sweep_id).state.value == "finished"
    with pytest.raises(InvalidState, match="finished"):  # FAILED_PRECONDITION, not a lease
        client.requeue_run(sweep_id, first.id)
    with pytest.raises(NotFound):
        client.requeue_run(sweep_id, "nosuchrun")


def test_curating_needs_write_access_and_a_visible_sweep(redis_url):
    import redis

    from sweepd.controller import auth
    from sweepd.domain import PermissionDenied

    from conftest import ControllerHandle

    handle = ControllerHandle(redis_url, lease_seconds=30, auth=True)
    try:
        admin = redis.Redis.from_url(redis_url)
        writer = Client(handle.address, api_key=auth.create_key(admin, "alpha"))
        reader = Client(handle.address, api_key=auth.create_key(admin, "alpha", read_only=True))
        other = Client(handle.address, api_key=auth.create_key(admin, "beta"))
        sweep = writer.create_sweep({**BAYES, "project": "alpha"}, prior_runs=priors(1))
        run_id = writer.list_runs(sweep.id)[0].id
        with pytest.raises(PermissionDenied, match="read-only"):
            reader.set_run_ignored(sweep.id, run_id, True)
        with pytest.raises(PermissionDenied, match="read-only"):
            reader.requeue_run(sweep.id, run_id)
        with pytest.raises(NotFound):
            other.set_run_ignored(sweep.id, run_id, True)
        with pytest.raises(NotFound):
            other.requeue_run(sweep.id, run_id)
        assert writer.set_run_ignored(sweep.id, run_id, True).ignored
        assert writer.requeue_run(sweep.id, run_id) == 1
    finally:
        handle.close()


def test_an_ignored_run_that_goes_on_logging_never_becomes_the_best(controller):
    from helpers import LiveRun

    client = Client(controller.address)
    sweep_id = sweepd.sweep({**BAYES, "method": "random", "run_cap": 5},
                            controller=controller.address)
    live = LiveRun(controller.address, sweep_id)
    live.log(0, {"loss": 5.0})
    assert client.get_sweep(sweep_id).best_run_id == live.run.id
    client.set_run_ignored(sweep_id, live.run.id, True)
    assert client.get_sweep(sweep_id).best_run_id == ""
    live.log(1, {"loss": 1.0})  # reported while ignored: kept on the run, not the sweep's best
    assert client.get_sweep(sweep_id).best_value is None
    client.set_run_ignored(sweep_id, live.run.id, False)
    sweep = client.get_sweep(sweep_id)
    assert sweep.best_run_id == live.run.id and sweep.best_value == 1.0
    live.finish()
    client.change_state(sweep_id, "cancel")


def test_sweepd_sweep_takes_prior_runs_as_dicts_and_logs_those_left_out(controller, caplog):
    rows = [{"config": {"lr": 0.01, "layers": 2, "act": "relu"}, "summary": {"loss": 0.3}},
            {"config": {"lr": 0.01, "layers": 7, "act": "relu"}, "summary": {"loss": 0.2},
             "name": "deep"}]
    with caplog.at_level("WARNING", logger="sweepd"):
        sweep_id = sweepd.sweep(BAYES, controller=controller.address, prior_runs=rows)
    assert "prior run prior_runs[1] (deep) left out: config.layers: 7 is outside [1, 4]" \
        in caplog.text
    runs = Client(controller.address).list_runs(sweep_id)
    assert [(r.prior, r.config["layers"], r.summary) for r in runs] == [(True, 2, {"loss": 0.3})]
