"""Fixtures of the integration tests that start real processes (procs.py)."""

from __future__ import annotations

import pytest

from procs import Processes


@pytest.fixture
def procs(tmp_path):
    """Every process a test starts, killed at its end; their logs' tails are printed
    (pytest shows them when the test failed)."""
    registry = Processes(tmp_path)
    yield registry
    registry.close()
    print(registry.report())
