"""Only controller/storage/ talks to Redis: no other module of the packages imports a
Redis client. The dashboard's reader (dash_ui/data.py) is the one module still to move
behind storage (issue 15); it is named here so that no other joins it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("controller", "clients/python/sweepd", "dash_ui", "trainer")
IMPORTS_REDIS = re.compile(r"^\s*(import redis\b|from redis\b)", re.M)
NOT_YET_MOVED = {"dash_ui/data.py"}


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
