"""What the Ray launcher tests share: the trial code the agents run, a `sweepd launch
ray` child process with its log, and the check that no Ray process outlives a test.

The launcher child starts in its own session, so a signal sent to its process group
is what a terminal's Ctrl-C sends: the launcher and any local Ray it started.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil

# The agents' trial code, written into a directory the tests ship (--working-dir)
# or launch from: `quick` logs 5 points; `steady` logs 30 points 0.1 s apart;
# `until_stopped` logs until the run is told to stop (at most 2 minutes).
TRIALS = textwrap.dedent("""
    import time
    import sweepd

    def _loop(steps, pause):
        run = sweepd.init()
        for step in range(steps):
            if run.should_stop:
                return
            run.log({"loss": run.config["a"] / (step + 1)})
            run.flush(10)
            time.sleep(pause)

    def quick():
        _loop(5, 0.02)

    def steady():
        _loop(30, 0.1)

    def until_stopped():
        _loop(1200, 0.1)
""")

# The same as a program (program mode): 5 points 0.2 s apart.
PROGRAM = textwrap.dedent("""
    import time
    import sweepd

    run = sweepd.init()
    for step in range(5):
        run.log({"loss": run.config["a"] / (step + 1)})
        time.sleep(0.2)
    run.finish()
""")

PLACED = re.compile(r"agent (\d+)/\d+: actor (\w+) on node (\w+) \([^)]*\), pid (\d+)")


def trial_dir(tmp_path: Path) -> Path:
    d = tmp_path / "trial"
    d.mkdir()
    (d / "raytrials.py").write_text(TRIALS)
    (d / "train.py").write_text(PROGRAM)
    return d


class Launcher:
    """`python -m sweepd.cli launch ray ...` as a child process, output in a log file."""

    def __init__(self, args: list[str], log: Path, *, cwd: Path, env: dict[str, str]):
        self.log = log
        with open(log, "wb") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "sweepd.cli", "launch", "ray", *args],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                env=env, start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def placed(self) -> dict[int, dict]:
        """agent index -> {actor, node (prefix), pid} as the launcher printed them."""
        return {int(i): {"actor": a, "node": n, "pid": int(p)}
                for i, a, n, p in PLACED.findall(self.output())}

    def wait(self, timeout: float) -> int:
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"sweepd launch ray still running after {timeout:g} s:\n"
                                 f"{self.output()[-4000:]}") from None

    def interrupt(self) -> None:
        """Ctrl-C as a terminal sends it: SIGINT to the launcher's process group."""
        os.killpg(self.pid, signal.SIGINT)

    def close(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
            self.popen.wait(10)


def launcher_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SWEEPD_API_KEY", "SWEEPD_CONTROLLER", "RAY_ADDRESS")}
    env.update(extra)
    return env


def agent_pid(agent_id: str) -> int:
    """The pid inside an SDK agent id (`host-pid-suffix`)."""
    return int(agent_id.rsplit("-", 2)[1])


def assert_all_gone(procs: list[psutil.Process], timeout: float = 30.0) -> None:
    """Every process of `procs` exits within `timeout` (zombies count as gone); those
    that do not are killed, and the test fails naming them."""
    deadline = time.monotonic() + timeout
    alive = list(procs)
    while alive and time.monotonic() < deadline:
        alive = [p for p in alive if _running(p)]
        time.sleep(0.2)
    if alive:
        names = [f"{p.pid} {' '.join(_cmdline(p))[:100]}" for p in alive]
        for p in alive:
            try:
                p.kill()
            except psutil.Error:
                pass
        raise AssertionError(f"Ray processes left running: {names}")


def ray_processes(root: psutil.Process) -> list[psutil.Process]:
    """Ray's processes under `root`: its GCS, raylets, agents and workers."""
    found = []
    for p in root.children(recursive=True):
        line = " ".join(_cmdline(p))
        if "/ray/" in line or line.startswith("ray::"):
            found.append(p)
    return found


def _running(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _cmdline(p: psutil.Process) -> list[str]:
    try:
        return p.cmdline()
    except psutil.Error:
        return []


def processes_with(text: str) -> list[str]:
    """Command lines on this machine that contain `text`."""
    found = []
    for p in psutil.process_iter():
        line = " ".join(_cmdline(p))
        if text in line:
            found.append(f"{p.pid}: {line[:200]}")
    return found
