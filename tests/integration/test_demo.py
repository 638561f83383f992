"""`sweepd demo` as a user runs it: a subprocess that starts its own Redis, controller,
dashboard and agents, prints the run table, and leaves no process behind, whether the
sweep ends or Ctrl-C interrupts it.

Trials train on a 2,000-image slice (the hidden `--max-train-samples`) to stay fast.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("torchvision")

pytestmark = [pytest.mark.torch, pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")]

ROW = re.compile(r"^#(\d+)\s+\S+\s+(\d+)\s+(\d+)\s+(adam|sgd)\s+\S+\s+(\S+)\s+(\w+)\s+(\S+)$")


@pytest.fixture(scope="module", autouse=True)
def mnist_root():
    from sweepd.trainer import mnist_files

    return mnist_files.ensure_mnist()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid: int) -> set[int]:
    """Every live descendant of pid, from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has exited; only its reaper is missing


class Demo:
    """`sweepd demo ...` with its stdout read line by line in a thread."""

    def __init__(self, *args: str):
        self.port = free_port()
        argv = [sys.executable, "-m", "sweepd.cli", "demo", "--port", str(self.port),
                "--max-train-samples", "2000", *args]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def next_line(self, timeout: float = 120) -> str | None:
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            self.proc.kill()
            raise AssertionError("the demo printed nothing for too long:\n" + "\n".join(self.lines))
        if line is not None:
            self.lines.append(line)
        return line

    def read_until(self, predicate, timeout: float = 120) -> str:
        while (line := self.next_line(timeout)) is not None:
            if predicate(line):
                return line
        raise AssertionError("the demo ended first:\n" + "\n".join(self.lines))

    def finish(self, timeout: float = 60) -> int:
        while self.next_line(timeout) is not None:
            pass
        return self.proc.wait(timeout)

    def pid_after(self, label: str) -> set[int]:
        """{the pid printed on the line starting with label}, or {} if none was."""
        line = next(x for x in self.lines if x.startswith(label))
        found = re.search(r"\(pid (\d+)", line)
        return {int(found.group(1))} if found else set()

    def redis_dir(self) -> Path:
        line = next(x for x in self.lines if x.startswith("Redis:"))
        return Path(re.search(r"unix://(\S+)/redis\.sock", line).group(1))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


def test_demo_runs_the_sweep_prints_the_table_and_leaves_nothing_behind():
    demo = Demo("--runs", "2", "--epochs", "1", "--exit-when-done")
    first = demo.read_until(lambda line: line.startswith(("Dashboard:", "Sweep:")))
    assert first.startswith(f"Dashboard:  http://127.0.0.1:{demo.port}/"), demo.output  # at once
    demo.read_until(lambda line: line.startswith("RUN "))  # the sweep is on
    started = children_of(demo.proc.pid)
    ours = demo.pid_after("Redis:") | demo.pid_after("Dashboard:")
    assert demo.pid_after("Redis:") <= started

    assert demo.finish() == 0, demo.output

    rows = [ROW.match(line) for line in demo.lines]
    rows = [m for m in rows if m]
    assert len(rows) == 4, demo.output  # 2 as they finished, 2 in the ranked summary
    assert all(m.group(6) == "finished" and 0 < float(m.group(5)) <= 1 for m in rows)
    assert {m.group(1) for m in rows} == {"1", "2"}
    summary = next(line for line in demo.lines if line.startswith("Sweep ") and " runs in " in line)
    assert " finished: 2 runs in " in summary
    best = max(float(m.group(5)) for m in rows)
    assert re.search(rf"^Best: run #[12] \(\w+\) val_accuracy = {best:.4f}$", demo.output, re.M)
    left = [pid for pid in started | ours if alive(pid)]
    assert not left, f"processes left behind: {left}"
    assert not demo.redis_dir().parent.exists()


def test_ctrl_c_mid_sweep_stops_the_runs_and_everything_it_started():
    demo = Demo("--runs", "50", "--epochs", "1")
    demo.read_until(lambda line: ROW.match(line) is not None)  # a run finished, others are going
    started = children_of(demo.proc.pid)
    ours = demo.pid_after("Redis:") | demo.pid_after("Dashboard:")
    assert demo.pid_after("Redis:") <= started

    demo.proc.send_signal(signal.SIGINT)

    assert demo.finish(timeout=30) == 130, demo.output
    assert "interrupted: stopping the runs" in demo.output
    assert "Traceback" not in demo.output
    left = [pid for pid in started | ours if alive(pid)]
    assert not left, f"processes left behind: {left}"
    assert not demo.redis_dir().parent.exists()


def test_demo_sweep_is_a_valid_config_of_trainer_parameters():
    from sweepd.config import parse_config
    from sweepd.demo import demo_config
    from sweepd.trainer.params import parse_params

    config = parse_config(demo_config(runs=10, epochs=2, max_train_samples=500))
    assert (config.method, config.run_cap) == ("random", 10)
    assert (config.metric.name, config.metric.goal) == ("val_accuracy", "maximize")
    assert config.parameters["learning_rate"].distribution == "log_uniform_values"
    first = {name: p.value if p.value is not None else p.values[0] if p.values else p.min
             for name, p in config.parameters.items()}
    params = parse_params(first)
    assert (params.epochs, params.max_train_samples) == (2, 500)


def test_multi_objective_demo_prints_the_pareto_front_of_accuracy_and_size():
    demo = Demo("--runs", "3", "--epochs", "1", "--multi-objective", "--exit-when-done")
    assert demo.finish() == 0, demo.output
    found = re.search(r"^Pareto front: (\d+) runs, hypervolume (\S+)$", demo.output, re.M)
    assert found, demo.output
    front = re.findall(r"^  #\d \(\w+\)  val_accuracy (\S+)  param_count (\d+)$", demo.output, re.M)
    assert len(front) == int(found.group(1)) >= 1
    # most accurate first; along the front, more accuracy costs more parameters
    accuracies = [float(a) for a, _ in front]
    sizes = [int(p) for _, p in front]
    assert accuracies == sorted(accuracies, reverse=True) and sizes == sorted(sizes, reverse=True)
    assert "Traceback" not in demo.output


def test_multi_objective_demo_sweep_is_a_valid_config_of_trainer_parameters():
    from sweepd.config import parse_config
    from sweepd.demo import demo_config
    from sweepd.trainer.params import parse_params

    config = parse_config(demo_config(runs=10, epochs=2, multi_objective=True))
    assert [(o.name, o.goal) for o in config.metrics] == [
        ("val_accuracy", "maximize"), ("param_count", "minimize")]
    first = {name: p.value if p.value is not None else p.values[0] if p.values else p.min
             for name, p in config.parameters.items()}
    assert parse_params(first).log_cost is True
