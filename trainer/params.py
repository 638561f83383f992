"""The trial's hyperparameters: names, defaults, ranges, and their validation.

This module owns turning a raw mapping (a sweep run's config, or CLI args) into
a checked, frozen ``TrialParams``. Every problem is an ``InvalidParameter``
(a ``ValueError``) whose message names the parameter; unknown names are errors
too, so a typo in a sweep config fails the run instead of being ignored.

================= ======= ==================================================================
name              default allowed
================= ======= ==================================================================
model             "mlp"   "mlp" | "cnn"
fc_layer_size     128     int, 1..8192
dropout           0.2     0 <= x < 1
optimizer         "adam"  "adam" | "sgd" (SGD uses momentum 0.9)
learning_rate     0.001   finite, > 0
batch_size        128     int, 1..60000
epochs            1       int, 1..10000
seed              0       int, 0..2**32-1
log_every         50      int >= 1 (batches between ``loss`` logs)
val_size          5000    int, 0..59999 (held out from the end of the 60k; 0: no validation)
max_train_samples None    None or int, 1..(60000 - val_size): train on the first n
log_cost          false   bool: each epoch also logs ``param_count`` and ``epoch_seconds``
================= ======= ==================================================================

Integer parameters accept integral floats (``64.0``), since some search
spaces produce them; booleans are never numbers here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Mapping

from sweepd.domain import finite_number

MNIST_TRAIN_SIZE = 60_000


class InvalidParameter(ValueError):
    """A hyperparameter is unknown, of the wrong type, or out of range."""


@dataclass(frozen=True)
class TrialParams:
    """Validated hyperparameters of one trial; see the module docstring."""

    model: str = "mlp"
    fc_layer_size: int = 128
    dropout: float = 0.2
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    batch_size: int = 128
    epochs: int = 1
    seed: int = 0
    log_every: int = 50
    val_size: int = 5000
    max_train_samples: int | None = None
    log_cost: bool = False  # multi-objective sweeps: the model's cost as metrics

    @property
    def train_size(self) -> int:
        """How many of MNIST's 60,000 training images the trial trains on."""
        available = MNIST_TRAIN_SIZE - self.val_size
        return available if self.max_train_samples is None else self.max_train_samples


PARAMETER_NAMES = frozenset(f.name for f in fields(TrialParams))


def parse_params(raw: Mapping[str, Any]) -> TrialParams:
    """Validate ``raw`` and fill in defaults; raise InvalidParameter on any problem."""
    unknown = sorted(set(raw) - PARAMETER_NAMES)
    if unknown:
        raise InvalidParameter(
            f"unknown parameter(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(PARAMETER_NAMES))}"
        )
    d = TrialParams()
    val_size = _int(raw, "val_size", d.val_size, 0, MNIST_TRAIN_SIZE - 1)
    max_train = raw.get("max_train_samples")
    return TrialParams(
        model=_choice(raw, "model", d.model, ("mlp", "cnn")),
        fc_layer_size=_int(raw, "fc_layer_size", d.fc_layer_size, 1, 8192),
        dropout=_float(raw, "dropout", d.dropout, low=0.0, high=1.0, high_open=True),
        optimizer=_choice(raw, "optimizer", d.optimizer, ("adam", "sgd")),
        learning_rate=_float(raw, "learning_rate", d.learning_rate, low=0.0, low_open=True),
        batch_size=_int(raw, "batch_size", d.batch_size, 1, MNIST_TRAIN_SIZE),
        epochs=_int(raw, "epochs", d.epochs, 1, 10_000),
        seed=_int(raw, "seed", d.seed, 0, 2**32 - 1),
        log_every=_int(raw, "log_every", d.log_every, 1, None),
        val_size=val_size,
        max_train_samples=None if max_train is None else _int(
            raw, "max_train_samples", None, 1, MNIST_TRAIN_SIZE - val_size),
        log_cost=_bool(raw, "log_cost", d.log_cost),
    )


def _bool(raw: Mapping[str, Any], name: str, default: bool) -> bool:
    value = raw.get(name, default)
    if isinstance(value, str) and value.lower() in ("true", "false"):  # --log_cost=True
        value = value.lower() == "true"
    if not isinstance(value, bool):
        raise InvalidParameter(f"{name} must be true or false; got {value!r}")
    return value


def _choice(raw: Mapping[str, Any], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = raw.get(name, default)
    if value not in allowed:
        raise InvalidParameter(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def _int(raw: Mapping[str, Any], name: str, default: int | None, low: int, high: int | None) -> int:
    value = raw.get(name, default)
    integral_float = isinstance(value, float) and value.is_integer()
    if isinstance(value, bool) or not (isinstance(value, int) or integral_float):
        raise InvalidParameter(f"{name} must be an integer; got {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        upper = "" if high is None else f" and <= {high}"
        raise InvalidParameter(f"{name} must be >= {low}{upper}; got {value}")
    return value


def _float(raw: Mapping[str, Any], name: str, default: float, *, low: float,
           high: float = math.inf, low_open: bool = False, high_open: bool = False) -> float:
    value = raw.get(name, default)
    if not finite_number(value):
        raise InvalidParameter(f"{name} must be a finite number; got {value!r}")
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        lo = f"{'>' if low_open else '>='} {low}"
        hi = "" if high == math.inf else f" and {'<' if high_open else '<='} {high}"
        raise InvalidParameter(f"{name} must be {lo}{hi}; got {value!r}")
    return float(value)
