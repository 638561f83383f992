"""Only controller/storage/ talks to Redis: no other module of the packages imports a
Redis client (the dashboard reads through controller/storage/readonly.py)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("controller", "clients/python/sweepd", "dash_ui", "trainer")
IMPORTS_REDIS = re.compile(r"^\s*(import redis\b|from redis\b)", re.M)
NOT_YET_MOVED: set[str] = set()  # issue 15: none left


def modules_importing_redis() -> set[str]:
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith("controller/storage/"):
                continue
            if IMPORTS_REDIS.search(path.read_text()):
                found.add(rel)
    return found


def test_no_module_outside_storage_imports_redis():
    assert modules_importing_redis() == NOT_YET_MOVED
