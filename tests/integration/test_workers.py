"""`sweepd controller --workers N` (controller/workers.py): N controller processes on
one port, each serving agents; a worker killed mid-sweep is replaced and no run is
lost or run twice; SIGTERM stops them all; a port already taken is an error."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys

import pytest

from sweepd.cli import main
from sweepd.client import Client
from sweepd.domain import RunState, SweepState

from procs import finish_agents, wait_for

GRID = {
    "method": "grid",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"x": {"values": list(range(60))}},
}
BODY = """
for step in range(4):
    run.log({"loss": run.config["x"] + step})
    time.sleep(0.05)
"""
STARTED = re.compile(r"worker (\d+) started \(pid (\d+)\)")
JOINED = re.compile(r"\[worker (\d+)\] sweepd\.controller\.servicers: agent \S+ \(.*?\) joined sweep (\S+)")
MAX_AGENTS = 24  # agents started until both workers hold one (each its own connection)



def worker_pids(output: str) -> dict[int, int]:
    """Worker index -> the pid it was last started with."""
    return {int(i): int(pid) for i, pid in STARTED.findall(output)}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_workers_share_the_port_and_a_killed_worker_is_replaced_with_nothing_lost(procs, redis_url):
    ctl = procs.controller("ctl", redis_url, lease_seconds=5, extra=("--workers", "2"))
    assert "(2 workers)" in ctl.proc.output()
    first = worker_pids(ctl.proc.output())
    assert sorted(first) == [0, 1] and all(alive(pid) for pid in first.values())

    client = Client(ctl.address)
    sweep_id = client.create_sweep(GRID).id
    agents = []

    def workers_with_agents() -> set[int]:
        return {int(w) for w, s in JOINED.findall(ctl.proc.output()) if s == sweep_id}

    # The kernel hashes each new connection to one worker: agents (one process and
    # connection each) are added until both workers hold some.
    while workers_with_agents() != {0, 1} and len(agents) < MAX_AGENTS:
        agents.append(procs.agent(f"agent-{len(agents)}", sweep_id, ctl.address, BODY))
        wait_for(lambda: len(JOINED.findall(ctl.proc.output())) >= len(agents), 60,
                 what="the new agent's hello")
    assert workers_with_agents() == {0, 1}, f"{len(agents)} agents, all on one worker"

    wait_for(lambda: client.get_sweep(sweep_id).counts.finished >= 5, 60, what="5 finished runs")
    os.kill(first[0], signal.SIGKILL)  # mid-sweep: streams and calls in flight die with it
    assert client.get_sweep(sweep_id).counts.finished < 60
    replaced = wait_for(lambda: worker_pids(ctl.proc.output())[0] != first[0] and
                        worker_pids(ctl.proc.output())[0], 30, what="worker 0 restarted")
    assert "worker 0 (pid %d) exited with code -9; restarting it" % first[0] in ctl.proc.output()

    finish_agents(agents, timeout=120)
    runs = client.list_runs(sweep_id)
    assert sorted(r.config["x"] for r in runs) == list(range(60))  # each point exactly once
    assert {r.state for r in runs} == {RunState.FINISHED}
    assert all(r.summary["loss"] == r.config["x"] + 3 for r in runs)  # every point stored
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED
    client.close()

    ctl.proc.signal(signal.SIGTERM)
    assert ctl.proc.wait(30) == 0
    assert not alive(replaced) and not alive(first[1])


def test_workers_stop_when_the_supervisor_is_killed(procs, redis_url):
    ctl = procs.controller("ctl", redis_url, lease_seconds=5, extra=("--workers", "2"))
    pids = worker_pids(ctl.proc.output()).values()
    ctl.kill()  # SIGKILL: the supervisor cannot pass anything on
    wait_for(lambda: not any(alive(pid) for pid in pids), 15, what="the workers to exit")


def test_a_port_in_use_is_an_error_not_a_shared_port(procs, redis_url):
    first = procs.controller("first", redis_url, lease_seconds=5)
    second = subprocess.run(
        [sys.executable, "-m", "sweepd.cli", "controller", "--port", str(first.port),
         "--redis-url", redis_url], capture_output=True, text=True, timeout=60)
    assert second.returncode == 1
    assert f"error: cannot listen on 127.0.0.1:{first.port}" in second.stderr


def test_workers_on_a_port_another_program_listens_on_is_an_error(redis_url):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        out = subprocess.run(
            [sys.executable, "-m", "sweepd.cli", "controller", "--workers", "2",
             "--port", str(taken.getsockname()[1]), "--redis-url", redis_url],
            capture_output=True, text=True, timeout=60)
    finally:
        taken.close()
    assert out.returncode == 1
    assert "error: cannot listen on 127.0.0.1:" in out.stderr


def test_a_worker_that_cannot_start_stops_the_start(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "sweepd.cli", "controller", "--workers", "2", "--port", "0",
         "--redis-url", f"unix://{tmp_path}/no-such.sock"],
        capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    assert "exited with code" in out.stderr and "before it listened" in out.stderr
    assert "listening on" not in out.stdout


@pytest.mark.parametrize("n", ["0", "65", "-1"])
def test_workers_out_of_range(n, capsys):
    assert main(["controller", "--workers", n, "--redis-url", "unix:///nowhere"]) == 2
    assert f"--workers must be 1 to 64, got {n}" in capsys.readouterr().err


def test_a_bad_sweepd_workers_value_is_a_usage_error_of_the_controller_alone(monkeypatch, capsys):
    monkeypatch.setenv("SWEEPD_WORKERS", "four")
    with pytest.raises(SystemExit) as exited:
        main(["controller", "--redis-url", "unix:///nowhere"])
    assert exited.value.code == 2
    assert "argument --workers: invalid int value: 'four'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:  # other commands do not read it
        main(["sweeps", "--help"])
    assert exited.value.code == 0


def test_two_worker_fleets_never_share_a_port(procs, redis_url):
    first = procs.controller("first", redis_url, lease_seconds=5, extra=("--workers", "2"))
    second = subprocess.run(
        [sys.executable, "-m", "sweepd.cli", "controller", "--workers", "2",
         "--port", str(first.port), "--redis-url", redis_url],
        capture_output=True, text=True, timeout=60)
    assert second.returncode == 1
    assert f"error: cannot listen on 127.0.0.1:{first.port}" in second.stderr


def test_the_redis_url_is_on_no_workers_command_line(procs, redis_url):
    ctl = procs.controller("ctl", redis_url, lease_seconds=5, extra=("--workers", "2"))
    for pid in worker_pids(ctl.proc.output()).values():
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
        assert b"--worker-index" in argv and b"--redis-url" not in argv
        assert redis_url.encode() not in b" ".join(argv)
