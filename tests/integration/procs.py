"""Real processes for fault tests: controller replicas started through the CLI, agents
in their own Python processes, and one registry that ends every one of them.

Each process starts in its own session (a signal reaches it alone), writes stdout and
stderr to a log file in the test's directory (the `procs` fixture prints the tails
when a test fails), and is killed by `Processes.close()` whatever the test did.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from sweepd.controller.redis_local import LocalRedis, start_local_redis

from helpers import wait_for  # noqa: F401  (re-exported for the resilience tests)

READY = re.compile(r"sweepd controller listening on 127\.0\.0\.1:(\d+)")
AGENT_RAN = re.compile(r"agent ran (\d+) runs of (\S+)")


class Proc:
    """One child process and its log file."""

    def __init__(self, name: str, argv: list[str], log: Path):
        self.name, self.log = name, log
        with open(log, "wb") as out:
            self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                          stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def signal(self, sig: int) -> None:
        if self.alive():
            os.kill(self.pid, sig)

    def kill(self) -> None:
        """SIGKILL, and reap it (a stopped process dies of SIGKILL too)."""
        self.signal(signal.SIGKILL)
        self.popen.wait(10)

    def wait(self, timeout: float) -> int:
        return self.popen.wait(timeout)


class ControllerProcess:
    """`python -m sweepd.cli controller`: one replica, restartable on its port."""

    def __init__(self, procs: "Processes", name: str, redis_url: str, lease_seconds: float,
                 extra: tuple[str, ...] = ()):
        self.procs, self.name = procs, name
        self.redis_url, self.lease_seconds, self.extra = redis_url, lease_seconds, extra
        self.port = 0
        self.proc: Proc | None = None
        self.starts = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> "ControllerProcess":
        """Starts it (on the port it had, once it had one) and waits for its ready line."""
        self.starts += 1
        proc = self.procs.spawn(f"{self.name}-{self.starts}", [
            sys.executable, "-m", "sweepd.cli", "controller", "--host", "127.0.0.1",
            "--port", str(self.port), "--redis-url", self.redis_url,
            "--lease-seconds", str(self.lease_seconds), *self.extra,
        ])
        self.proc = proc

        def ready():
            if not proc.alive():
                raise AssertionError(f"{proc.name} exited with {proc.popen.returncode}:\n"
                                     f"{proc.output()[-3000:]}")
            return READY.search(proc.output())

        self.port = int(wait_for(ready, timeout, what=f"{proc.name} to listen").group(1))
        return self

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()


def agent_code(sweeps: list[tuple[str, int | None]], address: str, body: str) -> str:
    """A program running one agent thread per (sweep id, count) against `address`, each
    calling `train()` whose body is `body` (with `run = sweepd.init()` before it).
    It prints `agent ran N runs of SWEEP` per sweep and exits 0 when every agent
    returned normally."""
    return "\n".join([
        "import logging, os, sys, threading, time",
        "os.environ['SWEEPD_METRICS_LINGER'] = '0.02'  # the tests watch runs mid-stream",
        "import sweepd",
        "logging.basicConfig(level=logging.WARNING, stream=sys.stderr,",
        "                    format='%(asctime)s %(levelname)s %(name)s: %(message)s')",
        "def train():",
        "    run = sweepd.init()",
        textwrap.indent(textwrap.dedent(body).strip(), "    "),
        "failed = []",
        "def one(sweep_id, count):",
        "    try:",
        f"        n = sweepd.agent(sweep_id, function=train, count=count, controller={address!r})",
        "        print(f'agent ran {n} runs of {sweep_id}', flush=True)",
        "    except BaseException as exc:",
        "        logging.exception('agent of %s failed', sweep_id)",
        "        failed.append(exc)",
        f"threads = [threading.Thread(target=one, args=a) for a in {sweeps!r}]",
        "for t in threads: t.start()",
        "for t in threads: t.join()",
        "sys.exit(1 if failed else 0)",
    ])


class Processes:
    """Every process a test starts; `close()` kills those still running."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.procs: list[Proc] = []

    def spawn(self, name: str, argv: list[str]) -> Proc:
        proc = Proc(name, argv, self.directory / f"{name}.log")
        self.procs.append(proc)
        return proc

    def controller(self, name: str, redis_url: str, *, lease_seconds: float,
                   extra: tuple[str, ...] = ()) -> ControllerProcess:
        return ControllerProcess(self, name, redis_url, lease_seconds, extra).start()

    def agent(self, name: str, sweeps: list[tuple[str, int | None]] | str, address: str,
              body: str) -> Proc:
        if isinstance(sweeps, str):
            sweeps = [(sweeps, None)]
        return self.spawn(name, [sys.executable, "-c", agent_code(sweeps, address, body)])

    def close(self) -> None:
        for proc in self.procs:
            try:
                proc.kill()
            except (OSError, subprocess.TimeoutExpired):
                pass

    def report(self, tail: int = 2500) -> str:
        """The end of every log, for a failed test's report."""
        parts = []
        for proc in self.procs:
            text = proc.output() if proc.log.exists() else ""
            parts.append(f"----- {proc.name} (pid {proc.pid}, rc {proc.popen.returncode})\n"
                         f"{text[-tail:]}")
        return "\n".join(parts)


def agents_ran(proc: Proc) -> dict[str, int]:
    """What an agent process printed: sweep id -> runs it ran."""
    return {sweep: int(n) for n, sweep in AGENT_RAN.findall(proc.output())}


def finish_agents(agents: list[Proc], timeout: float = 60.0) -> None:
    """Waits for agent processes to exit, each with status 0."""
    deadline = time.monotonic() + timeout
    for agent in agents:
        try:
            rc = agent.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{agent.name} still running after {timeout:g} s:\n"
                                 f"{agent.output()[-3000:]}") from None
        assert rc == 0, f"{agent.name} exited with {rc}:\n{agent.output()[-3000:]}"


class RestartableRedis:
    """A private redis-server with the append-only file on (appendfsync everysec) on a
    unix socket, which a test may stop and start again on the same socket and data."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.server: LocalRedis | None = start_local_redis(directory, persist=True)
        self.url = self.server.url

    def stop(self) -> None:
        """SIGTERM: a clean shutdown, which writes the append-only file out first."""
        assert self.server is not None
        self.server.stop(timeout=10)
        assert self.server.process.returncode == 0, self.server.process.returncode
        self.server = None

    def start(self) -> None:
        self.server = start_local_redis(self.directory, persist=True)
        assert self.server.url == self.url

    def save_files(self) -> None:
        """Copies the append-only files aside, holding every write acknowledged so far.
        With `appendfsync everysec` Redis usually writes the file before it replies,
        but postpones the write (up to 2 s) while a slow fsync is still going, which a
        loaded machine sees; so the copy is taken after an fsync of its own, with
        `appendfsync always` for the moment (its write and fsync come before the reply)."""
        import redis

        with redis.Redis.from_url(self.url) as r:
            r.config_set("appendfsync", "always")
            r.set("sweepd-test:aof-barrier", "1")  # written and synced once this returns
            r.config_set("appendfsync", "everysec")
        shutil.copytree(self.directory / "appendonlydir", self.directory / "saved-aof")

    def restore_files(self) -> None:
        """Puts the saved append-only files back (while stopped): the next start has
        lost every write made after `save_files`."""
        assert self.server is None
        shutil.rmtree(self.directory / "appendonlydir")
        shutil.copytree(self.directory / "saved-aof", self.directory / "appendonlydir")

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
