"""No Redis password reaches a start-up line, a log or an error message, in any of the
URL forms redis-py accepts (user:password@, ?password=, unix://…?password=)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import redis

from helpers import wait_for

PASSWORD = "hunter2-not-for-logs"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def locked_redis():
    """A private redis-server that requires a password, on TCP and a unix socket."""
    directory = Path(tempfile.mkdtemp(prefix="sweepd-test-locked-", dir="/tmp"))
    port, sock = _free_port(), directory / "redis.sock"
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--unixsocket", str(sock),
         "--requirepass", PASSWORD, "--save", "", "--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=port, password=PASSWORD, socket_timeout=1)
        wait_for(lambda: _pings(client), timeout=10, what="the locked redis-server")
        yield port, sock
    finally:
        server.terminate()
        server.wait(10)


def _pings(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False



URL_FORMS = {
    "userinfo": "redis://default:{pw}@127.0.0.1:{port}/0",
    "query": "redis://127.0.0.1:{port}/0?password={pw}",
    "unix query": "unix://{sock}?password={pw}&db=0",
}


@pytest.mark.parametrize("form", URL_FORMS)
def test_the_controller_start_up_line_masks_the_redis_password(locked_redis, procs, form):
    port, sock = locked_redis
    url = URL_FORMS[form].format(pw=PASSWORD, port=port, sock=sock)
    controller = procs.controller("controller", url, lease_seconds=30)
    controller.proc.signal(signal.SIGTERM)
    controller.proc.wait(20)
    output = controller.proc.output()
    assert "Redis " + URL_FORMS[form].format(pw="***", port=port, sock=sock) in output
    assert PASSWORD not in output


def test_a_redis_error_names_the_server_without_its_password(tmp_path):
    url = f"redis://default:{PASSWORD}@127.0.0.1:{_free_port()}/0?password={PASSWORD}"
    for command in (["keys", "list", "--redis-url", url],
                    ["controller", "--port", "0", "--redis-url", url]):
        done = subprocess.run([sys.executable, "-m", "sweepd.cli", *command],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 1, done.stderr
        assert "error: Redis at redis://default:***@127.0.0.1" in done.stderr
        assert "Traceback" not in done.stderr and PASSWORD not in done.stderr + done.stdout


def test_revoking_by_a_whole_key_never_echoes_its_secret(redis_url):
    secret = "sk_abcdef012345_" + "s" * 43
    done = subprocess.run([sys.executable, "-m", "sweepd.cli", "keys", "revoke", secret,
                           "--redis-url", redis_url], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "no API key 'abcdef012345'" in done.stderr
    assert "s" * 43 not in done.stderr + done.stdout
