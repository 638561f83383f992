"""MNIST in memory: normalised tensors, train/validation/test splits, and batches.

This module owns what a trial trains on. It loads MNIST through
``torchvision.datasets.MNIST(root, download=False)`` exactly as a user would
(``mnist_files.ensure_mnist`` first puts the files there, offline), converts
the whole set once to float tensors normalised with MNIST's mean and std, and
keeps them for the life of the process: function mode runs many trials in one
process, and all but the first start without touching the disk.

Batches are slices of a seeded random permutation of the in-memory tensors (no
DataLoader, no per-item PIL transforms).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import torch

from . import mnist_files

log = logging.getLogger(__name__)

MNIST_MEAN = 0.1307
MNIST_STD = 0.3081


@dataclass(frozen=True)
class Split:
    """Images ``(n, 1, 28, 28)`` float32, normalised, and labels ``(n,)`` int64."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class MnistSplits:
    """What one trial uses; ``val`` is empty when ``val_size`` is 0."""

    train: Split
    val: Split
    test: Split


def load_mnist(root: Path | str | None = None, device: str | torch.device = "cpu") -> tuple[Split, Split]:
    """MNIST's full 60,000 training and 10,000 test images on ``device``.

    Cached per process and per (root, device): callers must not modify the
    tensors in place. ``root`` defaults to ``mnist_files.default_data_dir()``.
    """
    resolved = Path(root).expanduser().resolve() if root else mnist_files.default_data_dir().resolve()
    return _load_on_device(str(resolved), str(torch.device(device)))


def mnist_splits(val_size: int, train_size: int, *, root: Path | str | None = None,
                 device: str | torch.device = "cpu") -> MnistSplits:
    """Training set = first ``train_size`` images; validation = last ``val_size`` of the 60k.

    Slices share storage with the cached tensors; nothing is copied.
    """
    full_train, test = load_mnist(root, device)
    n = len(full_train)
    if val_size + train_size > n:
        raise ValueError(f"val_size + train_size = {val_size + train_size} exceeds {n}")
    return MnistSplits(
        train=Split(full_train.images[:train_size], full_train.labels[:train_size]),
        val=Split(full_train.images[n - val_size:], full_train.labels[n - val_size:]),
        test=test,
    )


def iterate_batches(split: Split, batch_size: int, generator: torch.Generator) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """One epoch of shuffled batches; the order depends only on ``generator``'s state.

    The last batch may be smaller. The permutation is drawn on the CPU so the
    same seed gives the same batches on any device.
    """
    order = torch.randperm(len(split), generator=generator).to(split.labels.device)
    for start in range(0, len(order), batch_size):
        index = order[start:start + batch_size]
        yield split.images[index], split.labels[index]


@functools.lru_cache(maxsize=4)
def _load_on_device(root: str, device: str) -> tuple[Split, Split]:
    if device == "cpu":
        return _load_cpu(root)
    train, test = _load_cpu(root)
    return tuple(Split(s.images.to(device), s.labels.to(device)) for s in (train, test))


@functools.lru_cache(maxsize=2)
def _load_cpu(root: str) -> tuple[Split, Split]:
    from torchvision.datasets import MNIST  # slow import; only when data is needed

    mnist_files.ensure_mnist(Path(root))
    loaded = []
    for train in (True, False):
        dataset = MNIST(root, train=train, download=False)
        loaded.append(Split(_normalise(dataset.data), dataset.targets.long()))
    log.debug("loaded MNIST from %s: %d train, %d test", root, len(loaded[0]), len(loaded[1]))
    return loaded[0], loaded[1]


def _normalise(images_uint8: torch.Tensor) -> torch.Tensor:
    images = images_uint8.to(torch.float32).div_(255.0)
    return images.sub_(MNIST_MEAN).div_(MNIST_STD).unsqueeze(1)
