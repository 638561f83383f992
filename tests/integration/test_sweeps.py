"""Grid and random sweeps end to end: real Redis, real controller, real agents."""

from __future__ import annotations

import collections
import itertools
import threading
import time

import pytest

import sweepd
from sweepd.client import Client
from sweepd.domain import RunState, SweepState



GRID_24 = {
    "method": "grid",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {
        "lr": {"values": [0.1, 0.01, 0.001, 0.0001]},
        "layers": {"values": [1, 2, 3]},
        "act": {"values": ["relu", "tanh"]},
    },
}


def objective(config):
    return config["lr"] * 10 + config["layers"] + (0.5 if config["act"] == "tanh" else 0)


def train_three_points():
    run = sweepd.init()
    for epoch in range(3):
        run.log({"loss": objective(run.config) + 1.0 / (epoch + 1), "epoch": epoch})


def run_agents(sweep_id, address, n, function, count=None):
    results, errors = [], []

    def one():
        try:
            results.append(sweepd.agent(sweep_id, function=function, count=count, controller=address))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    return results


def test_grid_of_24_with_4_agents_runs_each_combination_exactly_once(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep(GRID_24, controller=controller.address)

    per_agent = run_agents(sweep_id, controller.address, 4, train_three_points)

    runs = client.list_runs(sweep_id)
    assert sum(per_agent) == 24
    assert len(runs) == 24
    combos = collections.Counter((r.config["lr"], r.config["layers"], r.config["act"]) for r in runs)
    expected = set(itertools.product([0.1, 0.01, 0.001, 0.0001], [1, 2, 3], ["relu", "tanh"]))
    assert set(combos) == expected and max(combos.values()) == 1
    assert all(r.state is RunState.FINISHED for r in runs)
    assert all(r.points == 3 and r.summary["epoch"] == 2 for r in runs)
    sweep = client.get_sweep(sweep_id)
    assert sweep.state is SweepState.FINISHED
    assert sweep.counts.finished == 24
    best = min(runs, key=lambda r: r.summary["loss"])  # each run's loss falls: last is best
    assert sweep.best_run_id == best.id
    assert sweep.best_value == pytest.approx(best.summary["loss"])


def test_random_with_run_cap_10_and_4_agents_runs_exactly_10(controller):
    config = {
        "method": "random",
        "metric": {"name": "loss"},
        "run_cap": 10,
        "parameters": {"lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1},
                       "units": {"min": 8, "max": 64}},
    }
    sweep_id = sweepd.sweep(config, controller=controller.address)

    def train():
        run = sweepd.init()
        assert 1e-4 <= run.config["lr"] <= 1e-1 and isinstance(run.config["units"], int)
        run.log({"loss": run.config["lr"]})

    per_agent = run_agents(sweep_id, controller.address, 4, train)

    runs = Client(controller.address).list_runs(sweep_id)
    assert sum(per_agent) == 10 and len(runs) == 10
    assert {r.number for r in runs} == set(range(1, 11))
    assert all(r.state is RunState.FINISHED for r in runs)
    assert Client(controller.address).get_sweep(sweep_id).state is SweepState.FINISHED


def test_agent_count_limits_runs_and_sweep_stays_running(controller):
    config = {"method": "random", "parameters": {"x": {"min": 0.0, "max": 1.0}}}
    sweep_id = sweepd.sweep(config, controller=controller.address)
    ran = sweepd.agent(sweep_id, function=lambda: sweepd.init().log({"y": 1}), count=3,
                       controller=controller.address)
    assert ran == 3
    client = Client(controller.address)
    assert len(client.list_runs(sweep_id)) == 3
    assert client.get_sweep(sweep_id).state is SweepState.RUNNING


@pytest.mark.parametrize("config", [
    {"method": "random", "run_cap": 3, "parameters": {"x": {"min": 0.0, "max": 1.0}}},
    {"method": "grid", "parameters": {"x": {"values": [1, 2, 3]}}},
], ids=["run_cap", "grid"])
def test_sweep_finishes_when_its_last_run_ends_though_no_agent_asks_again(controller, config):
    # --count 3 takes exactly the sweep's 3 configurations and never asks for a 4th run,
    # so only the assignment of the 3rd can tell the sweep that no more will come
    sweep_id = sweepd.sweep(config, controller=controller.address)
    ran = sweepd.agent(sweep_id, function=lambda: sweepd.init().log({"y": 1}), count=3,
                       controller=controller.address)
    assert ran == 3
    sweep = Client(controller.address).get_sweep(sweep_id)
    assert sweep.state is SweepState.FINISHED
    assert sweep.counts.finished == 3


def test_capped_sweep_whose_last_run_ended_while_paused_finishes_on_resume(controller):
    from helpers import LiveRun

    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "run_cap": 1,
                             "parameters": {"x": {"min": 0.0, "max": 1.0}}},
                            controller=controller.address)
    live = LiveRun(controller.address, sweep_id)
    client.change_state(sweep_id, "pause")
    live.finish()
    assert client.get_sweep(sweep_id).state is SweepState.PAUSED
    assert client.change_state(sweep_id, "resume").state is SweepState.FINISHED


def test_metric_target_finishes_the_sweep(controller):
    config = {"method": "random", "metric": {"name": "acc", "goal": "maximize", "target": 0.5},
              "parameters": {"x": {"values": [1]}}}
    sweep_id = sweepd.sweep(config, controller=controller.address)
    ran = sweepd.agent(sweep_id, function=lambda: sweepd.init().log({"acc": 0.9}),
                       count=10, controller=controller.address)
    assert ran == 1
    sweep = Client(controller.address).get_sweep(sweep_id)
    assert sweep.state is SweepState.FINISHED
    assert sweep.best_value == 0.9


def test_failing_function_marks_the_run_failed_with_its_error(controller):
    sweep_id = sweepd.sweep({"method": "grid", "parameters": {"x": {"values": [1, 2]}}},
                            controller=controller.address)

    def train():
        run = sweepd.init()
        if run.config["x"] == 2:
            raise ValueError("boom at x=2")
        run.log({"ok": 1})

    sweepd.agent(sweep_id, function=train, controller=controller.address)
    runs = {r.config["x"]: r for r in Client(controller.address).list_runs(sweep_id)}
    assert runs[1].state is RunState.FINISHED
    assert runs[2].state is RunState.FAILED
    assert "boom at x=2" in runs[2].error


def test_pause_holds_agents_and_resume_releases_them(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "grid", "parameters": {"x": {"values": [1, 2, 3]}}},
                            controller=controller.address)
    client.change_state(sweep_id, "pause")
    done = threading.Event()
    threading.Thread(target=lambda: (sweepd.agent(
        sweep_id, function=lambda: sweepd.init().log({"y": 1}), controller=controller.address),
        done.set()), daemon=True).start()
    assert not done.wait(1.0)
    assert client.list_runs(sweep_id) == []
    client.change_state(sweep_id, "resume")
    assert done.wait(20)
    assert len(client.list_runs(sweep_id)) == 3


def test_cancel_stops_a_running_run_at_once(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    started = threading.Event()

    def train():
        run = sweepd.init()
        started.set()
        deadline = time.monotonic() + 20
        while not run.should_stop and time.monotonic() < deadline:
            run.log({"y": 1})
            time.sleep(0.01)

    t = threading.Thread(target=lambda: sweepd.agent(sweep_id, function=train,
                                                     controller=controller.address), daemon=True)
    t.start()
    assert started.wait(10)
    client.change_state(sweep_id, "cancel")
    t.join(10)
    assert not t.is_alive()  # stopped, long before its own 20 s loop would have ended
    runs = client.list_runs(sweep_id)
    assert len(runs) == 1 and runs[0].state is RunState.STOPPED
    assert runs[0].stop_reason.kind == "cancelled"
    assert client.get_sweep(sweep_id).state is SweepState.CANCELLED


def test_cancel_ends_a_function_that_never_reads_should_stop_at_its_next_log(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    started, cleaned_up = threading.Event(), threading.Event()

    def train():  # W&B style: init and log only, and it would never end by itself
        run = sweepd.init()
        started.set()
        try:
            while True:
                sum(i * i for i in range(50_000))
                run.log({"y": 1})
        finally:
            cleaned_up.set()

    t = threading.Thread(target=lambda: sweepd.agent(sweep_id, function=train, count=1,
                                                     controller=controller.address), daemon=True)
    t.start()
    assert started.wait(10)
    client.change_state(sweep_id, "cancel")
    t.join(30)  # hang detection
    assert not t.is_alive() and cleaned_up.is_set()
    run = client.list_runs(sweep_id)[0]
    assert run.state is RunState.STOPPED and run.stop_reason.kind == "cancelled"
    assert run.error == ""


def test_a_value_that_cannot_be_sent_is_dropped_alone_not_its_batch(controller, caplog):
    """A NaN deep in a logged list, or a value of no JSON-like type, is left out with a
    warning when logged; the other keys and points of the same batch are stored."""
    import numpy as np

    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)

    def train():
        run = sweepd.init()
        run.log({"loss": 1.0, "hist": [1.0, float("nan")], "cfg": {"deep": [{"v": float("inf")}]}})
        run.log({"loss": 0.5, "array": np.arange(3), "thing": object()})

    with caplog.at_level("WARNING", logger="sweepd.run"):
        assert sweepd.agent(sweep_id, function=train, count=1, controller=controller.address) == 1
    run = Client(controller.address).list_runs(sweep_id)[0]
    assert run.state is RunState.FINISHED
    assert run.points == 2 and run.summary == {"loss": 0.5}
    warned = " ".join(r.getMessage() for r in caplog.records)
    for path in ("hist[1]", "cfg.deep[0].v", "array", "thing"):
        assert path in warned
