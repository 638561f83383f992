"""The TypeScript client's own suite (clients/typescript, `node --test`), run from pytest.

It runs `npm test` (which builds the package first), which starts a private Redis and a real
controller with this interpreter (SWEEPD_PYTHON) and drives them from TypeScript:
two TypeScript agents sharing a grid, a Python agent beside a TypeScript one, stop
commands, typed errors, controller restarts. Skipped only where `node` is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sweepd.controller.redis_local import redis_server_binary

PACKAGE = Path(__file__).resolve().parents[2] / "clients" / "typescript"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
]


def _run(args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=PACKAGE, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout)


def _check(step: str, proc: subprocess.CompletedProcess) -> None:
    if proc.returncode != 0:
        print(proc.stdout)
        pytest.fail(f"`{step}` in {PACKAGE} exited {proc.returncode}:\n{proc.stdout[-20_000:]}",
                    pytrace=False)


def test_typescript_client_suite():
    npm = shutil.which("npm")
    assert npm, "node is installed but npm is not"
    env = dict(os.environ)
    env["SWEEPD_PYTHON"] = sys.executable
    redis = redis_server_binary()
    if redis:
        env.setdefault("SWEEPD_REDIS_SERVER", redis)
    for name in ("SWEEPD_CONTROLLER", "SWEEPD_API_KEY", "SWEEPD_TLS_CA", "NODE_OPTIONS"):
        env.pop(name, None)

    if not (PACKAGE / "node_modules").is_dir():
        _check("npm ci", _run([npm, "ci", "--no-audit", "--no-fund"], env, timeout=300))
    proc = _run([npm, "test"], env, timeout=420)
    _check("npm test", proc)
    # node's test runner closes with its counts; make sure it ran something
    assert "# fail 0" in proc.stdout, proc.stdout[-5_000:]
    passed = [line for line in proc.stdout.splitlines() if line.startswith("# pass ")]
    assert passed and int(passed[-1].split()[-1]) > 0, proc.stdout[-5_000:]
