"""One MNIST trial, start to finish, independent of the sweepd SDK.

This module owns the training loop: ``run_trial`` validates the parameters,
seeds every RNG, trains, evaluates and reports metrics through a ``log``
callback, checking ``should_stop`` between batches. The SDK glue
(``sweepd.trainer.train`` and ``python -m sweepd.trainer``) only adapts a run
to these two callbacks, so the loop is tested without a controller.

What gets logged (``log(values, step)``, step = batches trained so far):

* every ``log_every`` batches: ``{"loss"}``, the mean batch loss since the last one;
* after each epoch: ``{"epoch", "train_loss", "val_loss", "val_accuracy"}``
  (no ``val_*`` when ``val_size`` is 0), with ``log_cost`` also ``param_count``
  (trainable parameters) and ``epoch_seconds`` (the epoch's training time), the
  cost objectives of a multi-objective sweep;
* at the end, unless stopped: ``{"test_accuracy", "test_loss"}``.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .data import Split, iterate_batches, mnist_splits
from .model import build_model
from .params import InvalidParameter, TrialParams, parse_params
from .progress import progress_bar

logger = logging.getLogger(__name__)

LogFn = Callable[[dict, int], None]
EVAL_BATCH_SIZE = 2000


@dataclass(frozen=True)
class TrialResult:
    """How a trial ended. ``test_*`` are None when it was stopped."""

    params: TrialParams
    device: str
    stopped: bool
    epochs_completed: int
    steps: int                 # batches trained
    images_trained: int        # training images seen, counting repeats across epochs
    train_seconds: float       # time spent in training batches (no evaluation)
    startup_seconds: float     # from the call to the first batch: data, model, optimizer
    val_loss: float | None = None
    val_accuracy: float | None = None
    test_loss: float | None = None
    test_accuracy: float | None = None

    @property
    def images_per_second(self) -> float:
        return self.images_trained / self.train_seconds if self.train_seconds else 0.0


@dataclass
class _Progress:
    """Mutable counters shared by the epochs of one trial."""

    step: int = 0
    images: int = 0
    epochs_completed: int = 0
    train_seconds: float = 0.0
    first_batch_at: float | None = None
    stopped: bool = False


def _never() -> bool:
    return False


def run_trial(params: Mapping[str, Any], *, log: LogFn, should_stop: Callable[[], bool] = _never,
              device: str = "auto", data_dir: Path | str | None = None,
              progress: bool | None = None) -> TrialResult:
    """Train and evaluate one model; see the module docstring for what is logged.

    ``params`` is validated by ``params.parse_params`` (InvalidParameter, a
    ValueError, on any problem). ``device`` is ``auto`` (CUDA if available),
    ``cpu`` or ``cuda[:N]``. ``progress``: draw a bar (None = if stderr is a TTY).
    """
    started = time.perf_counter()
    p = parse_params(params)
    dev = resolve_device(device)
    seed_everything(p.seed)
    data = mnist_splits(p.val_size, p.train_size, root=data_dir, device=dev)
    model = build_model(p.model, p.fc_layer_size, p.dropout).to(dev)
    optimizer = make_optimizer(model, p)
    batch_order = torch.Generator().manual_seed(p.seed)
    state, metrics = _Progress(), {}
    for epoch in range(1, p.epochs + 1):
        epoch_started = time.perf_counter()
        train_loss = _train_epoch(model, optimizer, data.train, p, batch_order, state,
                                  log=log, should_stop=should_stop, progress=progress, epoch=epoch)
        if state.stopped:
            break
        state.epochs_completed = epoch
        metrics = {"epoch": epoch, "train_loss": train_loss}
        if p.log_cost:
            metrics["param_count"] = sum(t.numel() for t in model.parameters() if t.requires_grad)
            metrics["epoch_seconds"] = time.perf_counter() - epoch_started
        if len(data.val):
            metrics["val_loss"], metrics["val_accuracy"] = evaluate(model, data.val)
        log(metrics, state.step)
    state.stopped = state.stopped or should_stop()  # a stop during the last batch skips the test set
    final = {}
    if not state.stopped:
        final["test_loss"], final["test_accuracy"] = evaluate(model, data.test)
        log({"test_accuracy": final["test_accuracy"], "test_loss": final["test_loss"]}, state.step)
    return _result(p, dev, state, started, metrics, final)


def _result(p: TrialParams, dev: torch.device, state: _Progress, started: float,
            last_epoch: dict, final: dict) -> TrialResult:
    first_batch = state.first_batch_at if state.first_batch_at is not None else time.perf_counter()
    result = TrialResult(
        params=p, device=str(dev), stopped=state.stopped, epochs_completed=state.epochs_completed,
        steps=state.step, images_trained=state.images, train_seconds=state.train_seconds,
        startup_seconds=first_batch - started,
        val_loss=last_epoch.get("val_loss"), val_accuracy=last_epoch.get("val_accuracy"),
        test_loss=final.get("test_loss"), test_accuracy=final.get("test_accuracy"),
    )
    logger.info("trial %s after %d steps (%.0f images/s); test accuracy %s",
             "stopped" if result.stopped else "finished", result.steps,
             result.images_per_second, result.test_accuracy)
    return result


def _train_epoch(model: nn.Module, optimizer: torch.optim.Optimizer, split: Split, p: TrialParams,
                 batch_order: torch.Generator, state: _Progress, *, log: LogFn,
                 should_stop: Callable[[], bool], progress: bool | None, epoch: int) -> float | None:
    """Train one epoch; return its mean training loss, or None if stopped."""
    model.train()
    n_batches = -(-len(split) // p.batch_size)
    bar = progress_bar(n_batches, f"epoch {epoch}/{p.epochs}", progress)
    window, window_batches = torch.zeros((), device=split.labels.device), 0
    epoch_sum = torch.zeros((), device=split.labels.device)
    began = time.perf_counter()
    try:
        for images, labels in iterate_batches(split, p.batch_size, batch_order):
            if should_stop():
                state.stopped = True
                return None
            if state.first_batch_at is None:
                state.first_batch_at = time.perf_counter()
            loss = _step(model, optimizer, images, labels)
            state.step, state.images = state.step + 1, state.images + len(labels)
            window += loss
            window_batches += 1
            epoch_sum += loss * len(labels)
            if state.step % p.log_every == 0:
                mean = (window / window_batches).item()
                log({"loss": mean}, state.step)
                bar.set_loss(mean)
                window.zero_()
                window_batches = 0
            bar.update()
    finally:
        state.train_seconds += time.perf_counter() - began
        bar.close()
    return (epoch_sum / len(split)).item()


def _step(model: nn.Module, optimizer: torch.optim.Optimizer,
          images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    optimizer.zero_grad(set_to_none=True)
    loss = F.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    return loss.detach()


@torch.inference_mode()
def evaluate(model: nn.Module, split: Split, batch_size: int = EVAL_BATCH_SIZE) -> tuple[float, float]:
    """Mean cross-entropy loss and accuracy of ``model`` on ``split``."""
    model.eval()
    total_loss = torch.zeros((), device=split.labels.device)
    correct = torch.zeros((), dtype=torch.long, device=split.labels.device)
    for start in range(0, len(split), batch_size):
        images = split.images[start:start + batch_size]
        labels = split.labels[start:start + batch_size]
        logits = model(images)
        total_loss += F.cross_entropy(logits, labels, reduction="sum")
        correct += (logits.argmax(dim=1) == labels).sum()
    return total_loss.item() / len(split), correct.item() / len(split)


def make_optimizer(model: nn.Module, p: TrialParams) -> torch.optim.Optimizer:
    """Adam, or SGD with momentum 0.9, at ``p.learning_rate``."""
    if p.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=p.learning_rate, momentum=0.9)
    return torch.optim.Adam(model.parameters(), lr=p.learning_rate)


def resolve_device(device: str) -> torch.device:
    """``auto`` -> CUDA if available, else CPU; ``cpu`` and ``cuda[:N]`` as given."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        dev = None
    if dev is None or dev.type not in ("cpu", "cuda"):
        raise InvalidParameter(f"device must be auto, cpu or cuda[:N]; got {device!r}")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise InvalidParameter(f"device {device!r} requested but CUDA is not available")
    return dev


def seed_everything(seed: int) -> None:
    """Seed Python's, numpy's and torch's (CPU and CUDA) global RNGs."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
