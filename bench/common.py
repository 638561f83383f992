"""What every benchmark shares: a private Redis, a controller in its own process, a
trivial gRPC echo server for baselines, percentiles and a plain-text table.

The controller runs as `python -m sweepd.cli controller` in a child process so that
the benchmark's clients and the server never share a GIL. Nothing here touches the
Redis on localhost:6379: every run starts its own on a unix socket in a temp dir.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator, Sequence

from sweepd.controller.redis_local import LocalRedis, start_local_redis

BENCH_DIR = Path(__file__).resolve().parent
RANDOM_SWEEP = {
    "method": "random",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {
        "lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-1},
        "layers": {"values": [1, 2, 3, 4]},
        "dropout": {"min": 0.0, "max": 0.5},
    },
}


@contextlib.contextmanager
def private_redis() -> Iterator[LocalRedis]:
    """A Redis of our own (no persistence) on a unix socket, removed afterwards."""
    tmp = Path(tempfile.mkdtemp(prefix="sweepd-bench-redis-", dir="/tmp"))
    server = start_local_redis(tmp, persist=False)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


class Address(str):
    """A server's "host:port", which also knows the pid of the process serving it."""

    pid: int

    @classmethod
    def of(cls, host_port: str, pid: int) -> "Address":
        address = cls(host_port)
        address.pid = pid
        return address


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process (all its threads) has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """pid and its descendants (a controller with --workers: the supervisor and its
    workers), read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def tree_cpu_seconds(pid: int) -> float:
    """cpu_seconds over process_tree(pid) (processes that ended in between not counted)."""
    total = 0.0
    for p in process_tree(pid):
        try:
            total += cpu_seconds(p)
        except OSError:
            pass
    return total


def tree_rss_kib(pid: int) -> int:
    """VmRSS in KiB summed over process_tree(pid)."""
    total = 0
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                total += next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
        except OSError:
            pass
    return total


def own_cpu_seconds() -> float:
    """User + system CPU time of this process so far (all threads)."""
    t = os.times()
    return t.user + t.system


def _wait_for_line(proc: subprocess.Popen, log_path: Path, pattern: str, timeout: float) -> re.Match:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(pattern, log_path.read_text(errors="replace"))
        if found:
            return found
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[:4]} exited with {proc.returncode}:\n"
                               f"{log_path.read_text(errors='replace')[-3000:]}")
        time.sleep(0.02)
    proc.kill()
    raise RuntimeError(f"no {pattern!r} within {timeout} s:\n{log_path.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def controller_process(redis_url: str, *, lease_seconds: float = 600.0,
                       profile: str | None = None,
                       pythonpath: str | None = None) -> Iterator[Address]:
    """A controller in a child process; yields its address (with `.pid`). With `profile`, the
    controller runs under cProfile and writes its stats there when it stops; with
    `pythonpath`, it imports sweepd from there (another version of the code, for A/B runs)."""
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [pythonpath, env.get("PYTHONPATH")]))
    log_dir = Path(tempfile.mkdtemp(prefix="sweepd-bench-ctl-", dir="/tmp"))
    log_path = log_dir / "controller.log"
    argv = [sys.executable]
    if profile:
        argv += ["-m", "cProfile", "-o", str(Path(profile).resolve())]
    argv += ["-m", "sweepd.cli", "controller", "--port", "0", "--redis-url", redis_url,
             "--lease-seconds", str(lease_seconds)]
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(argv, stdout=log_file, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    try:
        port = _wait_for_line(proc, log_path, r"listening on [^:\s]+:(\d+)", 30.0).group(1)
        yield Address.of(f"127.0.0.1:{port}", proc.pid)
    finally:
        _stop(proc)
        if os.environ.get("SWEEPD_BENCH_KEEP_LOGS"):
            print(f"controller log kept: {log_path}")
        else:
            shutil.rmtree(log_dir, ignore_errors=True)


@contextlib.contextmanager
def echo_server_process() -> Iterator[Address]:
    """The baseline: a grpc.aio server that does nothing but echo (bench/echo_server.py)."""
    log_dir = Path(tempfile.mkdtemp(prefix="sweepd-bench-echo-", dir="/tmp"))
    log_path = log_dir / "echo.log"
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen([sys.executable, str(BENCH_DIR / "echo_server.py")],
                                stdout=log_file, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        port = _wait_for_line(proc, log_path, r"echo listening on (\d+)", 30.0).group(1)
        yield Address.of(f"127.0.0.1:{port}", proc.pid)
    finally:
        _stop(proc)
        shutil.rmtree(log_dir, ignore_errors=True)


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100.0 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table, numbers right-aligned."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.rjust(w) if n and _numeric(c) else c.ljust(w)
                               for c, w in zip(row, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if value != value:
            return "-"
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d,.]+(e[-+]?\d+)?x?", text))


def machine() -> str:
    return f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"


def print_failures(n_errors: int, broken_agents: int, agents: int, kinds, log_problems,
                   errors_note: str = "stopped on one") -> bool:
    """The error kinds (a Counter of messages) and the controllers' WARNING/ERROR log
    lines of one load phase, printed; False when there were errors."""
    if n_errors:
        print(f"  {n_errors} errors; {broken_agents} of {agents} agents {errors_note}. By kind:")
        for text, count in kinds.most_common(8):
            print(f"    {count:6d} x {text}")
    if log_problems:
        print(f"  {len(log_problems)} WARNING/ERROR lines in the controller logs, first ones:")
        for line in log_problems[:5]:
            print(f"    {line[:200]}")
    return not n_errors
