"""`sweepd agent` told to go by a scheduler (SIGTERM, SIGUSR1) or a person (SIGINT):
its runs end `stopped`, their metrics stored; a preempted run's configuration runs
again under the sweep's retry policy, a stopped-by-hand one does not."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

import sweepd
from sweepd.client import Client
from sweepd.domain import RunState

from helpers import wait_for

# A well-behaved program: logs until told to stop, then ends its step cleanly.
PROGRAM = textwrap.dedent("""
    import time, sweepd
    run = sweepd.init()
    step = 0
    while not run.should_stop:
        run.log({"loss": 1.0 / (step + 1)}, step=step)
        step += 1
        time.sleep(0.02)
    run.finish()
""")

# A function that never looks at should_stop, never returns by itself and, after its
# first points, never logs again (a log would end it: the SDK raises RunStopped there).
STUBBORN = textwrap.dedent("""
    import time, sweepd
    def train():
        run = sweepd.init()
        for step in range(3):
            run.log({"loss": 1.0}, step=step)
        run.flush(10)
        while True:
            time.sleep(0.02)
""")


def _sweep(address: str, tmp_path, **extra) -> str:
    (tmp_path / "train.py").write_text(PROGRAM)
    config = {"method": "random", "program": str(tmp_path / "train.py"),
              "parameters": {"x": {"min": 0.0, "max": 1.0}}, **extra}
    return sweepd.sweep(config, controller=address)


def _agent(sweep_id: str, address: str, tmp_path, *args: str) -> subprocess.Popen:
    sweepd_cli = [sys.executable, "-c", "import sys; from sweepd.cli import main; sys.exit(main())"]
    return subprocess.Popen([*sweepd_cli, "agent", sweep_id, "--controller", address, *args],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _running_with_points(client: Client, sweep_id: str):
    runs = [r for r in client.list_runs(sweep_id) if r.state is RunState.RUNNING and r.points >= 3]
    return runs[0] if runs else None


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGUSR1])
def test_a_preempted_agent_stops_its_run_and_the_retry_runs_it_again(controller, tmp_path, signum):
    client = Client(controller.address)
    sweep_id = _sweep(controller.address, tmp_path, retry={"max_attempts": 2})
    agent = _agent(sweep_id, controller.address, tmp_path, "--stop-grace", "10")
    run = wait_for(lambda: _running_with_points(client, sweep_id), what="a running run")
    agent.send_signal(signum)
    # 143, as a process ended by SIGTERM: a Kubernetes Job replaces the pod (an agent
    # that exited 0 would count as done and its slot would stay empty)
    assert agent.wait(timeout=30) == 143, agent.stderr.read().decode()[-2000:]
    ended = next(r for r in client.list_runs(sweep_id) if r.id == run.id)
    assert ended.state is RunState.STOPPED
    assert ended.stop_reason.kind == "preempted"
    assert ended.points >= run.points

    again = _agent(sweep_id, controller.address, tmp_path, "--count", "1")
    retried = wait_for(lambda: [r for r in client.list_runs(sweep_id) if r.attempt == 2],
                       what="the retried run")[0]
    assert retried.config == run.config
    again.send_signal(signal.SIGINT)
    assert again.wait(timeout=30) == 0


def test_ctrl_c_stops_the_run_without_a_retry(controller, tmp_path):
    client = Client(controller.address)
    sweep_id = _sweep(controller.address, tmp_path, retry={"max_attempts": 3}, run_cap=1)
    agent = _agent(sweep_id, controller.address, tmp_path)
    run = wait_for(lambda: _running_with_points(client, sweep_id), what="a running run")
    agent.send_signal(signal.SIGINT)
    assert agent.wait(timeout=30) == 0
    [ended] = client.list_runs(sweep_id)
    assert ended.id == run.id and ended.state is RunState.STOPPED
    assert ended.stop_reason.kind == "user"
    # nothing was queued: with its one configuration used, a new agent gets no run
    again = _agent(sweep_id, controller.address, tmp_path, "--count", "1")
    assert again.wait(timeout=30) == 0
    assert [r.id for r in client.list_runs(sweep_id)] == [run.id]


def test_a_function_that_ignores_the_stop_is_ended_after_the_grace(controller, tmp_path):
    (tmp_path / "stubborn.py").write_text(STUBBORN)
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "retry": {"max_attempts": 2},
                             "parameters": {"x": {"min": 0.0, "max": 1.0}}},
                            controller=controller.address)
    agent = _agent(sweep_id, controller.address, tmp_path, "--function", "stubborn:train",
                   "--stop-grace", "1")
    run = wait_for(lambda: _running_with_points(client, sweep_id), what="a running run")
    agent.send_signal(signal.SIGTERM)
    agent.wait(timeout=30)  # it had to leave the function behind: exit status 143
    assert agent.returncode == 143
    [ended] = client.list_runs(sweep_id)
    assert ended.state is RunState.STOPPED and ended.stop_reason.kind == "preempted"
    assert ended.points >= run.points


def test_runs_assigned_during_a_shutdown_are_handed_back(controller, tmp_path):
    """An agent with free slots has asked for runs; those that arrive as it shuts down
    are not started, and are ended as preempted so that they run again."""
    client = Client(controller.address)
    sweep_id = _sweep(controller.address, tmp_path, retry={"max_attempts": 2})
    agent = _agent(sweep_id, controller.address, tmp_path, "--parallel", "3")
    wait_for(lambda: len([r for r in client.list_runs(sweep_id) if r.state is RunState.RUNNING]) == 3,
             what="three running runs")
    os.kill(agent.pid, signal.SIGTERM)
    assert agent.wait(timeout=30) == 143
    runs = client.list_runs(sweep_id)
    assert runs and all(r.state is RunState.STOPPED for r in runs)
    assert all(r.stop_reason.kind == "preempted" for r in runs)


def test_preempted_finish_is_checked_and_queues_once(controller):
    from sweepd.domain import InvalidArgument
    from streams import take_run

    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "retry": {"max_attempts": 3},
                             "parameters": {"x": {"values": [1, 2, 3]}}}, controller=controller.address)
    run_id, token = take_run(client, sweep_id)
    with pytest.raises(InvalidArgument, match="preempted"):
        client.finish_run(sweep_id, run_id, token, RunState.FINISHED, preempted=True)
    for _ in range(2):  # a resent FinishRun is the same outcome: queued once
        client.finish_run(sweep_id, run_id, token, RunState.STOPPED, preempted=True)
    first_retry, retry_token = take_run(client, sweep_id)
    # ended, so that the next stream of the same agent id is not re-sent it as unstarted
    client.finish_run(sweep_id, first_retry, retry_token, RunState.FINISHED)
    fresh, _ = take_run(client, sweep_id)
    attempts = {r.id: r.attempt for r in client.list_runs(sweep_id)}
    assert attempts[first_retry] == 2 and attempts[fresh] == 1


def test_a_run_the_controller_stopped_is_not_preempted(controller):
    from streams import take_run

    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "retry": {"max_attempts": 3},
                             "parameters": {"x": {"values": [1]}}}, controller=controller.address)
    run_id, token = take_run(client, sweep_id)
    client.change_state(sweep_id, "cancel")  # asks the run to stop
    client.finish_run(sweep_id, run_id, token, RunState.STOPPED, preempted=True)
    [run] = client.list_runs(sweep_id)
    assert run.stop_reason.kind == "cancelled"
