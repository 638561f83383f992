"""Several controller processes behind one port: `sweepd controller --workers N`.

One controller process runs one asyncio event loop, so it uses one core (about
2,000 metric reports a second on the machines bench/README.md describes). A replica
that should use more cores runs N worker processes that all listen on the same
host:port (SO_REUSEPORT: the kernel spreads new connections over them). The
controller keeps no state of its own (every sweep lives in Redis, and stops and
state changes reach an agent through Redis pub/sub whichever process made them), so
the workers are N replicas that share an address, exactly as replicas behind a
Kubernetes Service are.

This module owns the supervisor, the parent process that:
- reserves the port: it binds (without listening) a SO_REUSEPORT socket on host:port
  first, so `--port 0` picks one free port for all workers, and a worker restarted
  later binds it again even if another program wanted it meanwhile;
- starts the workers (`sweepd controller ... --worker-index I`, one command line
  each), waits for each to say it is listening, then prints its own one line
  `sweepd controller listening on HOST:PORT (N workers)`;
- restarts a worker that dies (a crash, the OOM killer, `kill -9`) after a pause that
  grows while it keeps dying (WORKER_RESTART_DELAYS); its agents' streams break and
  the agents reconnect to the workers that are up, as they do when a replica goes;
- on SIGTERM or SIGINT, passes the signal on, waits up to STOP_GRACE_S for the
  workers to finish their shutdown, then kills what is left.

A worker that exits before it ever listened (bad Redis URL, bad TLS files) stops
the whole start: the supervisor stops the others and exits with that worker's code.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Sequence

from sweepd.errors import SweepdError

log = logging.getLogger(__name__)

READY_PREFIX = "sweepd controller listening on "
STARTUP_TIMEOUT_S = 60.0
STOP_GRACE_S = 10.0
# pause before restarting a worker that died: 1 s, then longer while it keeps dying
# (a worker that ran for RESTART_RESET_S resets the sequence)
WORKER_RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
RESTART_RESET_S = 60.0
MAX_WORKERS = 64


def reserve_port(host: str, port: int) -> socket.socket:
    """A bound, not listening, SO_REUSEPORT socket on host:port (port 0: a free one).
    Only listening sockets take connections, so it holds the port for the workers
    without taking any of their traffic. The port is first bound once without
    SO_REUSEPORT, which fails (OSError) when anything holds it, even another group
    of SO_REUSEPORT listeners (another supervisor's workers): two fleets never
    share a port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, port))
        port = probe.getsockname()[1]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


@dataclass
class Worker:
    index: int
    process: subprocess.Popen | None = None
    started: float = 0.0
    ready: threading.Event = field(default_factory=threading.Event)
    deaths: int = 0  # deaths in a row, each less than RESTART_RESET_S after its start
    restart_at: float | None = None


class Supervisor:
    """Runs `command(index)` for each of `n` workers until a signal says stop."""

    def __init__(self, command, n: int, env: dict[str, str] | None = None):
        self._command = command
        self._env = env
        self.workers = [Worker(i) for i in range(n)]
        self._stop = threading.Event()

    # ------------------------------------------------------------------ processes

    def _spawn(self, worker: Worker) -> None:
        worker.ready.clear()
        worker.process = subprocess.Popen(
            self._command(worker.index), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            text=True, bufsize=1, env=self._env)
        worker.started = time.monotonic()
        worker.restart_at = None
        threading.Thread(target=self._read_stdout, args=(worker, worker.process),
                         name=f"worker-{worker.index}-stdout", daemon=True).start()
        log.info("worker %d started (pid %d)", worker.index, worker.process.pid)

    @staticmethod
    def _read_stdout(worker: Worker, process: subprocess.Popen) -> None:
        """A worker's stdout: its ready line sets `ready`, anything else is passed on."""
        for line in process.stdout:
            if line.startswith(READY_PREFIX):
                worker.ready.set()
            else:
                sys.stdout.write(line)
                sys.stdout.flush()

    def _signal_all(self, sig: int) -> None:
        for w in self.workers:
            if w.process is not None and w.process.poll() is None:
                with _suppress_lookup():
                    w.process.send_signal(sig)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> int | None:
        """Starts every worker and waits until each listens: None when all do, else
        the exit code of the first that ended first (the others are stopped)."""
        for w in self.workers:
            self._spawn(w)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not all(w.ready.is_set() for w in self.workers):
            for w in self.workers:
                code = w.process.poll()
                if code is not None and not w.ready.is_set():
                    log.error("worker %d exited with code %d before it listened", w.index, code)
                    self.stop()
                    return code if code > 0 else 1
            if self._stop.wait(0.05):  # SIGTERM/SIGINT while starting: a clean stop
                self.stop()
                return 0
            if time.monotonic() > deadline:
                log.error("the workers did not all listen within %g s", STARTUP_TIMEOUT_S)
                self.stop()
                return 1
        return None

    def request_stop(self, *_: object) -> None:
        self._stop.set()

    def supervise(self) -> None:
        """Restarts workers that die until request_stop, then stops them all."""
        while not self._stop.wait(0.2):
            now = time.monotonic()
            for w in self.workers:
                if w.restart_at is not None:
                    if now >= w.restart_at:
                        self._spawn(w)
                    continue
                code = w.process.poll()
                if code is None:
                    continue
                w.deaths = 1 if now - w.started >= RESTART_RESET_S else w.deaths + 1
                delay = WORKER_RESTART_DELAYS[min(w.deaths, len(WORKER_RESTART_DELAYS)) - 1]
                log.warning("worker %d (pid %d) exited with code %d; restarting it in %g s",
                            w.index, w.process.pid, code, delay)
                w.restart_at = now + delay
        self.stop()

    def stop(self) -> None:
        """SIGTERM to every worker, SIGKILL to those still there after STOP_GRACE_S."""
        self._signal_all(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for w in self.workers:
            if w.process is None:
                continue
            try:
                w.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("worker %d did not stop within %g s: killed", w.index, STOP_GRACE_S)
                w.process.kill()
                w.process.wait()


class _suppress_lookup:
    """Ignores ProcessLookupError (the worker ended between poll and signal)."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        return kind is ProcessLookupError


def worker_command(argv: Sequence[str], port: int, index: int) -> list[str]:
    """The command line of worker `index`: the supervisor's own `controller` arguments
    with the reserved port and the worker's index (and without --workers)."""
    out: list[str] = [sys.executable, "-m", "sweepd.cli"]
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("--workers", "--port", "--redis-url", "--data-dir", "--worker-of"):
            skip = True
            continue
        if arg.startswith(("--workers=", "--port=", "--redis-url=", "--data-dir=", "--worker-of=")):
            continue
        out.append(arg)
    # --workers 1 explicitly: $SWEEPD_WORKERS, inherited, must not make workers supervise
    return out + ["--port", str(port), "--workers", "1", "--worker-index", str(index),
                  "--worker-of", str(os.getpid())]


def run_workers(argv: Sequence[str], *, host: str, port: int, n: int, redis_url: str) -> int:
    """Runs n workers on host:port until SIGTERM/SIGINT; the process's exit code."""
    if not 2 <= n <= MAX_WORKERS:
        raise ValueError(f"--workers must be 1 to {MAX_WORKERS}, got {n}")
    try:
        reserved = reserve_port(host, port)
    except OSError as exc:
        raise SweepdError(f"cannot listen on {host}:{port}: {exc}") from None
    port = reserved.getsockname()[1]
    # every worker on the one Redis the supervisor resolved (it may have started it),
    # passed in the environment: a password on a command line is visible in `ps`
    env = {**os.environ, "SWEEPD_REDIS_URL": redis_url}
    supervisor = Supervisor(lambda i: worker_command(argv, port, i), n, env)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, supervisor.request_stop)
    try:
        failed = supervisor.start()
        if failed is not None:
            return failed
        print(f"{READY_PREFIX}{host}:{port} ({n} workers)", flush=True)
        log.info("%d controller workers on %s:%d (pids %s)", n, host, port,
                 ", ".join(str(w.process.pid) for w in supervisor.workers))
        supervisor.supervise()
        return 0
    finally:
        supervisor.stop()  # whatever ended it (an error included), no worker is left
        reserved.close()


__all__ = ["MAX_WORKERS", "READY_PREFIX", "Supervisor", "reserve_port", "run_workers",
           "worker_command"]
