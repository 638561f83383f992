"""The MNIST trainer under sweeps: real Redis, real controller, real agents.

Trials train one short epoch on a 2,000-image slice so the file stays fast on two
CPU cores; MNIST comes from the default cache (prepared once per session).
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torchvision")

import sweepd  # noqa: E402
from sweepd.client import Client  # noqa: E402
from sweepd.command import build_command  # noqa: E402
from sweepd.config import parse_config  # noqa: E402
from sweepd.domain import RunState, SweepState  # noqa: E402
from sweepd.trainer import __main__ as trainer_cli  # noqa: E402
from sweepd.trainer import mnist_files, train  # noqa: E402
from sweepd.trainer.params import parse_params  # noqa: E402

from helpers import wait_for  # noqa: E402

pytestmark = pytest.mark.torch

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SMALL = {"max_train_samples": {"value": 2000}, "val_size": {"value": 1000},
         "batch_size": {"value": 100}, "epochs": {"value": 1}}
TRAINER_COMMAND = ["${env}", "${interpreter}", "-m", "sweepd.trainer", "${args}"]


@pytest.fixture(scope="session", autouse=True)
def mnist_root():
    return mnist_files.ensure_mnist()


def overlap(a, b) -> bool:
    """Whether two finished runs were running at the same time (controller clocks)."""
    return a.started_at < b.ended_at and b.started_at < a.ended_at


def test_two_run_sweep_logs_the_trainers_metrics_and_finishes(controller):
    config = {"method": "grid", "metric": {"name": "val_accuracy", "goal": "maximize"},
              "parameters": {**SMALL, "log_every": {"value": 5}, "learning_rate": {"value": 0.01},
                             "optimizer": {"values": ["adam", "sgd"]}}}
    sweep_id = sweepd.sweep(config, controller=controller.address)

    ran = sweepd.agent(sweep_id, function=functools.partial(train, device="cpu", progress=False),
                       controller=controller.address, parallel=2)

    client = Client(controller.address)
    runs = client.list_runs(sweep_id)
    assert ran == 2 and {r.config["optimizer"] for r in runs} == {"adam", "sgd"}
    for run in runs:
        assert run.state is RunState.FINISHED, run.error
        s = run.summary
        assert {"loss", "epoch", "train_loss", "val_loss", "val_accuracy",
                "test_accuracy", "test_loss"} <= set(s)
        assert s["epoch"] == 1 and 0.5 < s["val_accuracy"] <= 1 and 0.5 < s["test_accuracy"] <= 1
        assert s["loss"] > 0 and s["train_loss"] > 0 and s["val_loss"] > 0
        # 20 batches: a loss every 5 (4), the epoch's metrics (1), the test set's (1)
        assert run.points == 6
    a, b = runs
    assert overlap(a, b), "--parallel 2 ran the two trials one after the other"
    sweep = client.get_sweep(sweep_id)
    assert sweep.state is SweepState.FINISHED and sweep.counts.finished == 2
    assert sweep.best_value == max(r.summary["val_accuracy"] for r in runs)


def test_cancel_stops_the_trainer_within_one_batch(controller):
    """The trainer is held inside run.log at step 5 while the cancel is sent and reaches
    the run; released, it must train no further batch, skip the test set, and the run
    must end `stopped` with every point it logged."""
    config = {"method": "random", "metric": {"name": "val_accuracy", "goal": "maximize"},
              "parameters": {**SMALL, "log_every": {"value": 1}}}
    client = Client(controller.address)
    sweep_id = sweepd.sweep(config, controller=controller.address)
    steps, results = [], []
    at_step_5, released = threading.Event(), threading.Event()
    holder = {}

    def function():
        run = sweepd.init()  # the run train() will get: this agent thread's
        holder["run"] = run
        log = run.log

        def logged(values, step=None):
            log(values, step)
            steps.append(step)
            if step == 5 and not at_step_5.is_set():
                at_step_5.set()
                assert released.wait(30), "never released"

        run.log = logged
        results.append(train(device="cpu", progress=False))

    agent = threading.Thread(target=sweepd.agent, args=(sweep_id,),
                             kwargs={"function": function, "controller": controller.address},
                             daemon=True)
    agent.start()
    assert at_step_5.wait(60), "the trainer never reached step 5"
    step_at_cancel = max(steps)
    client.change_state(sweep_id, "cancel")
    wait_for(lambda: holder["run"].should_stop, what="the stop to reach the run")
    released.set()
    agent.join(30)

    assert not agent.is_alive()
    [result] = results
    assert step_at_cancel == 5
    assert result.stopped and result.steps <= step_at_cancel + 1 and max(steps) <= step_at_cancel + 1
    assert result.test_accuracy is None
    [run] = client.list_runs(sweep_id)
    assert run.state is RunState.STOPPED
    assert run.stop_reason is not None and run.stop_reason.kind == "cancelled"
    assert "test_accuracy" not in run.summary and run.points == len(steps)
    assert client.get_sweep(sweep_id).state is SweepState.CANCELLED


@pytest.mark.slow  # two fresh processes each import torch and load MNIST
def test_program_mode_runs_the_trainer_module_two_at_a_time(controller, monkeypatch):
    # Two processes on a small CPU: one torch thread each, or they fight over the cores.
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    config = {"method": "grid", "metric": {"name": "val_accuracy", "goal": "maximize"},
              "program": "sweepd.trainer", "command": TRAINER_COMMAND,
              "parameters": {**SMALL, "log_every": {"value": 10},
                             "learning_rate": {"values": [0.001, 0.01]}}}
    sweep_id = sweepd.sweep(config, controller=controller.address)

    ran = sweepd.agent(sweep_id, controller=controller.address, parallel=2)

    runs = Client(controller.address).list_runs(sweep_id)
    assert ran == 2 and sorted(r.config["learning_rate"] for r in runs) == [0.001, 0.01]
    for run in runs:
        assert run.state is RunState.FINISHED and run.exit_code == 0, run.error
        assert {"loss", "val_accuracy", "test_accuracy"} <= set(run.summary)
        assert run.points == 4  # 2 losses, the epoch, the test set
    assert overlap(*runs), "--parallel 2 ran the two processes one after the other"


@pytest.mark.parametrize("name", ["random.yaml", "grid.yaml", "bayes_hyperband.yaml"])
def test_example_configs_launch_the_trainer_with_parameters_it_accepts(name, tmp_path):
    config = parse_config(str(EXAMPLES / name))
    assert config.program and config.metric is not None
    values = {n: (p.values[0] if p.values else p.value if p.value is not None else p.min)
              for n, p in config.parameters.items()}
    argv = build_command(config, values, interpreter="python", env={}, json_file_dir=str(tmp_path))
    assert argv[:4] == ["/usr/bin/env", "python", "-m", "sweepd.trainer"]
    params = trainer_cli.parse_cli_params(argv[4:])
    assert params == values
    parse_params(params)  # every name and value is one the trainer takes
