"""`sweepd ui` started as its own process over a real Redis serves the dashboard."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pytest


@pytest.mark.slow  # a fresh interpreter importing dash, pandas and scikit-learn
def test_ui_command_serves_the_dashboard(redis_url, unused_port):
    proc = subprocess.Popen(
        [sys.executable, "-m", "sweepd.cli", "ui", "--redis-url", redis_url, "--port",
         str(unused_port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{unused_port}/_dash-layout",
                                            timeout=2) as reply:
                    assert reply.status == 200 and b"sweepd" in reply.read()
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.monotonic() < deadline, "sweepd ui did not answer within 30 s"
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(10)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def unused_port() -> int:
    return _free_port()
