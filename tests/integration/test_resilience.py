"""Faults on real processes: a controller killed mid-sweep, replicas killed (restarted,
or gone for good), Redis restarted, agents killed or frozen past their lease.

Controllers are `sweepd controller` processes (the CLI), agents are `sweepd.agent`
in their own Python processes (tests/integration/procs.py); what the tests check is
read straight from Redis where the controller could hide a fault (metric streams).
"""

from __future__ import annotations

import collections
import itertools
import signal
import tempfile
import time
from pathlib import Path

import grpc
import pytest
import redis

import sweepd
from sweepd.client import Client
from sweepd.controller.storage import keys
from sweepd.domain import RunState, SweepState
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import metric_service_pb2 as metric_pb
from sweepd.v1 import types_pb2 as pb

from procs import Processes, RestartableRedis, agents_ran, finish_agents, wait_for

STEPS = 20
LOG_STEPS = f"""
    for step in range({STEPS}):
        run.log({{"loss": run.config["a"] + 1.0 / (step + 1)}})
        time.sleep(0.02)
"""
GRID_12 = {"method": "grid", "metric": {"name": "loss"},
           "parameters": {"a": {"values": list(range(6))}, "b": {"values": [0, 1]}}}
COMBOS_12 = set(itertools.product(range(6), (0, 1)))
RANDOM_CAP = {"method": "random", "metric": {"name": "loss"}, "run_cap": 10,
              "parameters": {"a": {"min": 0.0, "max": 5.0}}}


@pytest.fixture
def procs(tmp_path):
    registry = Processes(tmp_path)
    yield registry
    registry.close()
    print(registry.report())  # pytest shows it when the test failed


def stored_runs(r, sweep_id: str) -> dict[str, dict[str, str]]:
    """Every run record of a sweep as Redis holds it: run id -> hash."""
    return {rid: r.hgetall(keys.run(sweep_id, rid))
            for rid in r.zrange(keys.sweep_runs(sweep_id), 0, -1)}


def stored_points(r, sweep_id: str, run_id: str) -> list[tuple[str, int]]:
    """(stream entry id, step) of every metric point of a run, in stream order."""
    return [(eid, int(f["s"])) for eid, f in r.xrange(keys.run_metrics(sweep_id, run_id))]


def mid_stream(r, sweep_id: str) -> bool:
    """Some run is part-way through its points and another has finished."""
    runs = stored_runs(r, sweep_id).values()
    return (any(0 < int(h["points"]) < STEPS for h in runs)
            and any(h["state"] == "finished" for h in runs))


def assert_each_run_has_every_step_once(r, sweep_id: str, runs) -> None:
    for run in runs:
        steps = [s for _, s in stored_points(r, sweep_id, run.id)]
        assert steps == list(range(STEPS)), (run.id, steps)
        assert run.points == STEPS


def assert_grid_finished_once_each(runs, combos) -> None:
    finished = collections.Counter((r.config["a"], r.config["b"]) for r in runs
                                   if r.state is RunState.FINISHED)
    assert set(finished) == combos and max(finished.values()) == 1, finished


def agent_pid(agent_id: str) -> int:
    """The pid inside an SDK agent id (`host-pid-suffix`)."""
    return int(agent_id.rsplit("-", 2)[1])


def active_runs_of(r, sweep_id: str, agents) -> list[str]:
    """Runs of the sweep that one of these agent processes holds and has logged to
    (fewer than STEPS points stored). Seen, not pinned: such a run may end at any time
    after (runs_at_the_gate pins them)."""
    pids = {a.pid for a in agents}
    return [rid for rid, h in stored_runs(r, sweep_id).items()
            if h["state"] in ("pending", "running") and 0 < int(h["points"]) < STEPS
            and agent_pid(h["agent_id"]) in pids]


def halting_steps(gate: Path) -> str:
    """LOG_STEPS that stops half-way, after STEPS // 2 points, until `gate` exists.
    An agent running it holds an unfinished run for as long as the test keeps the gate
    shut, so the runs it holds when the test kills or freezes something are known. A
    run merely seen mid-stream is no such thing: between the look and the kill it may
    log its last points and be finished (FinishRun carries the last batch), and a
    FinishRun already sent when its replica is killed may still reach Redis."""
    return f"""
    for step in range({STEPS}):
        if step == {STEPS // 2}:
            while not os.path.exists({str(gate)!r}):
                time.sleep(0.01)
        run.log({{"loss": run.config["a"] + 1.0 / (step + 1)}})
        time.sleep(0.02)
"""


def runs_at_the_gate(r, sweep_id: str, agents) -> list[str]:
    """The runs these agent processes (running halting_steps) hold stopped at the gate,
    once every one of them has one (each runs one run at a time); [] before."""
    pids = {a.pid for a in agents}
    at_gate = [rid for rid, h in stored_runs(r, sweep_id).items()
               if h["state"] == "running" and int(h["points"]) == STEPS // 2
               and agent_pid(h["agent_id"]) in pids]
    return at_gate if len(at_gate) == len(agents) else []


def assert_every_crash_retried_once(runs, max_attempts: int) -> None:
    """Each crashed run below max_attempts has exactly one next attempt, same config
    (the configs of these sweeps are all different)."""
    for run in runs:
        if run.state is RunState.CRASHED and run.attempt < max_attempts:
            nxt = [r for r in runs if r.config == run.config and r.attempt == run.attempt + 1]
            assert len(nxt) == 1, (run, nxt)


# ---------------------------------------------------------------- the controller

def test_controller_killed_mid_sweep_loses_no_run_and_no_acknowledged_point(
        procs, redis_url, redis_client):
    # the lease outlasts the restart: this test is about what a restart keeps
    controller = procs.controller("controller", redis_url, lease_seconds=10)
    sweep_id = sweepd.sweep(GRID_12, controller=controller.address)
    agents = [procs.agent(f"agent{i}", sweep_id, controller.address, LOG_STEPS) for i in range(4)]

    wait_for(lambda: mid_stream(redis_client, sweep_id), what="metrics streaming")
    controller.kill()
    acknowledged = {rid: stored_points(redis_client, sweep_id, rid)
                    for rid in stored_runs(redis_client, sweep_id)}
    controller.start()  # same port: the agents reconnect by themselves
    finish_agents(agents)

    client = Client(controller.address)
    runs = client.list_runs(sweep_id)
    assert len(runs) == 12
    assert_grid_finished_once_each(runs, COMBOS_12)
    assert all(r.attempt == 1 for r in runs)
    assert_each_run_has_every_step_once(redis_client, sweep_id, runs)
    for rid, points in acknowledged.items():  # stored before the kill: still there, unchanged
        assert stored_points(redis_client, sweep_id, rid)[:len(points)] == points
    assert sum(agents_ran(a)[sweep_id] for a in agents) == 12
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED


# ---------------------------------------------------------------- Redis

@pytest.fixture
def persistent_redis():
    server = RestartableRedis(Path(tempfile.mkdtemp(prefix="sweepd-aof-", dir="/tmp")))
    yield server
    server.close()


def test_redis_restarted_mid_sweep_keeps_what_was_acknowledged_and_the_sweep_completes(
        procs, persistent_redis):
    url = persistent_redis.url
    controller = procs.controller("controller", url, lease_seconds=10)
    sweep_id = sweepd.sweep(GRID_12, controller=controller.address)
    agents = [procs.agent(f"agent{i}", sweep_id, controller.address, LOG_STEPS) for i in range(3)]
    with redis.Redis.from_url(url, decode_responses=True) as r:
        wait_for(lambda: mid_stream(r, sweep_id), what="metrics streaming")
        before = {rid: (h, stored_points(r, sweep_id, rid))
                  for rid, h in stored_runs(r, sweep_id).items()}

    persistent_redis.stop()
    wait_for(lambda: "lease reaper:" in controller.proc.output(), what="the controller to notice")
    persistent_redis.start()  # same socket, same data directory: the AOF is replayed

    with redis.Redis.from_url(url, decode_responses=True) as r:
        for rid, (record, points) in before.items():
            assert stored_points(r, sweep_id, rid)[:len(points)] == points
            after = r.hgetall(keys.run(sweep_id, rid))
            assert after["config"] == record["config"] and after["token"] == record["token"]
            assert int(after["points"]) >= int(record["points"])
            if record["state"] == "finished":
                assert after["state"] == "finished"
        finish_agents(agents)  # controller and agents reconnected by themselves

        client = Client(controller.address)
        runs = client.list_runs(sweep_id)
        assert len(runs) == 12 and all(run.attempt == 1 for run in runs)
        assert_grid_finished_once_each(runs, COMBOS_12)
        assert_each_run_has_every_step_once(r, sweep_id, runs)
        assert client.get_sweep(sweep_id).state is SweepState.FINISHED


def test_agent_whose_run_redis_lost_carries_on_and_the_grid_completes(procs, persistent_redis):
    # Redis losing its last writes (appendfsync everysec and a power failure) reproduced
    # exactly: the append-only files are copied aside before the run is handed out and
    # put back after, so the restarted Redis has never heard of the agent's run.
    grid = {"method": "grid", "parameters": {"a": {"values": [0, 1]}, "b": {"values": [0]}}}
    controller = procs.controller("controller", persistent_redis.url, lease_seconds=10)
    sweep_id = sweepd.sweep(grid, controller=controller.address)
    persistent_redis.save_files()
    agent = procs.agent("agent", sweep_id, controller.address, LOG_STEPS)
    with redis.Redis.from_url(persistent_redis.url, decode_responses=True) as r:
        wait_for(lambda: active_runs_of(r, sweep_id, [agent]), what="a run mid-stream")
    persistent_redis.stop()
    persistent_redis.restore_files()
    persistent_redis.start()

    finish_agents([agent])
    client = Client(controller.address)
    assert_grid_finished_once_each(client.list_runs(sweep_id), {(0, 0), (1, 0)})
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED


def test_waiting_agent_learns_the_sweep_finished_though_the_event_was_lost(
        procs, redis_url, redis_client):
    # With retries on, an agent that finds every configuration handed out waits for a
    # retry or the end of the sweep, which an event tells it. During a Redis restart or
    # a dropped connection the controller's subscription is down; here it is dropped
    # (CLIENT KILL TYPE pubsub) over and over until the sweep has finished.
    grid = {"method": "grid", "retry": {"max_attempts": 2},
            "parameters": {"a": {"values": [0, 1]}}}
    controller = procs.controller("controller", redis_url, lease_seconds=10)
    client = Client(controller.address)
    sweep_id = sweepd.sweep(grid, controller=controller.address)
    client.change_state(sweep_id, "pause")  # until both agents wait: one run each
    body = "time.sleep(0.1 if run.config['a'] == 0 else 2.0)\nrun.log({'y': 1})"
    agents = [procs.agent(f"agent{i}", sweep_id, controller.address, body) for i in range(2)]
    wait_for(lambda: controller.proc.output().count(f"joined sweep {sweep_id}") == 2,
             what="both agents to join")
    client.change_state(sweep_id, "resume")
    meta = keys.sweep_meta(sweep_id)
    wait_for(lambda: redis_client.hget(meta, "n_finished") == "1", what="the short run")

    def dropped_until_finished():
        redis_client.client_kill_filter(_type="pubsub")
        return redis_client.hget(meta, "state") == "finished"

    wait_for(dropped_until_finished, what="the long run to finish")
    finish_agents(agents, timeout=5)


# ---------------------------------------------------------------- replicas

def test_replica_killed_and_restarted_keeps_grid_and_run_cap_exact(procs, redis_url, redis_client):
    # two sweeps at once, grid and random with run_cap, each agent process serving both
    replicas = [procs.controller(f"replica{i}", redis_url, lease_seconds=10) for i in range(2)]
    grid_id = sweepd.sweep(GRID_12, controller=replicas[0].address)
    random_id = sweepd.sweep(RANDOM_CAP, controller=replicas[1].address)
    agents = {i: [procs.agent(f"agent{i}{j}", [(grid_id, None), (random_id, None)],
                              replica.address, LOG_STEPS) for j in range(2)]
              for i, replica in enumerate(replicas)}
    doomed = replicas[1]

    wait_for(lambda: active_runs_of(redis_client, grid_id, agents[1])
             and mid_stream(redis_client, grid_id), what="the doomed replica's agents busy")
    doomed.kill()
    doomed.start()  # same port: its agents reconnect by themselves
    everyone = agents[0] + agents[1]
    finish_agents(everyone)

    client = Client(replicas[0].address)
    grid = client.list_runs(grid_id)
    assert len(grid) == 12 and all(r.attempt == 1 for r in grid)
    assert_grid_finished_once_each(grid, COMBOS_12)
    random = client.list_runs(random_id)
    assert len(random) == RANDOM_CAP["run_cap"]
    assert client.get_sweep(random_id).counts.finished == RANDOM_CAP["run_cap"]
    assert all(r.state is RunState.FINISHED for r in random)
    assert_each_run_has_every_step_once(redis_client, grid_id, grid)
    assert_each_run_has_every_step_once(redis_client, random_id, random)
    assert sum(agents_ran(a)[grid_id] for a in everyone) == 12
    assert sum(agents_ran(a)[random_id] for a in everyone) == RANDOM_CAP["run_cap"]
    assert client.get_sweep(grid_id).state is SweepState.FINISHED
    assert client.get_sweep(random_id).state is SweepState.FINISHED


def test_replica_gone_for_good_its_grid_runs_crash_and_are_retried_on_survivors(
        procs, redis_url, redis_client, tmp_path):
    config = dict(GRID_12, retry={"max_attempts": 3})
    replicas = [procs.controller(f"replica{i}", redis_url, lease_seconds=1.5) for i in range(3)]
    grid_id = sweepd.sweep(config, controller=replicas[0].address)
    gate = tmp_path / "gate"
    # the doomed replica's agents first: each holds a run half-way until the gate opens
    agents = {2: [procs.agent(f"agent2{j}", grid_id, replicas[2].address, halting_steps(gate))
                  for j in range(2)]}
    held = wait_for(lambda: runs_at_the_gate(redis_client, grid_id, agents[2]),
                    what="the doomed replica's agents each holding a run half-way")
    agents.update({i: [procs.agent(f"agent{i}{j}", grid_id, replicas[i].address, LOG_STEPS)
                       for j in range(2)] for i in (0, 1)})

    wait_for(lambda: mid_stream(redis_client, grid_id), what="the survivors' runs streaming")
    replicas[2].kill()  # never comes back: its agents hold runs nobody extends
    gate.touch()  # its agents carry on logging, to the dead address
    survivors = agents[0] + agents[1]
    finish_agents(survivors)
    for agent in agents[2]:
        assert agent.alive()  # still trying the dead address, holding what they held
        agent.kill()

    client = Client(replicas[0].address)
    runs = client.list_runs(grid_id)
    assert_grid_finished_once_each(runs, COMBOS_12)
    by_id = {r.id: r for r in runs}
    for rid in held:
        assert by_id[rid].state is RunState.CRASHED and "lease expired" in by_id[rid].error
        assert by_id[rid].points == STEPS // 2  # nothing it logged after its replica died
    assert_every_crash_retried_once(runs, 3)
    survivor_pids = {a.pid for a in survivors}
    retries = [r for r in runs if r.attempt > 1]
    assert retries and all(agent_pid(r.agent_id) in survivor_pids for r in retries)
    assert client.get_sweep(grid_id).state is SweepState.FINISHED


def test_replica_gone_for_good_random_sweep_retries_within_run_cap(
        procs, redis_url, redis_client, tmp_path):
    config = dict(RANDOM_CAP, run_cap=8, retry={"max_attempts": 3})
    replicas = [procs.controller(f"replica{i}", redis_url, lease_seconds=1.5) for i in range(2)]
    sweep_id = sweepd.sweep(config, controller=replicas[0].address)
    gate = tmp_path / "gate"
    # the doomed replica's agents first: each holds a run half-way until the gate opens
    agents = {1: [procs.agent(f"agent1{j}", sweep_id, replicas[1].address, halting_steps(gate))
                  for j in range(2)]}
    held = wait_for(lambda: runs_at_the_gate(redis_client, sweep_id, agents[1]),
                    what="the doomed replica's agents each holding a run half-way")
    agents[0] = [procs.agent(f"agent0{j}", sweep_id, replicas[0].address, LOG_STEPS)
                 for j in range(2)]

    # the cap is reached while the doomed replica's agents still hold runs
    wait_for(lambda: redis_client.hget(keys.sweep_meta(sweep_id), "n_total") == "8",
             what="run_cap reached")
    replicas[1].kill()
    gate.touch()  # its agents carry on logging, to the dead address
    finish_agents(agents[0])
    for agent in agents[1]:
        agent.kill()
    wait_for(lambda: all(redis_client.hget(keys.run(sweep_id, rid), "state") == "crashed"
                         for rid in held), what="the held runs to crash")

    client = Client(replicas[0].address)
    waiting = redis_client.lrange(keys.sweep_retry(sweep_id), 0, -1)
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED, f"retries waiting: {waiting}"
    runs = client.list_runs(sweep_id)
    firsts = [r for r in runs if r.attempt == 1]
    assert len(firsts) == 8  # run_cap counts configurations; retries are more attempts
    by_id = {r.id: r for r in runs}
    assert all(by_id[rid].state is RunState.CRASHED and by_id[rid].points == STEPS // 2
               for rid in held)
    assert_every_crash_retried_once(runs, 3)
    finished = collections.Counter(repr(sorted(r.config.items())) for r in runs
                                   if r.state is RunState.FINISHED)
    assert len(finished) == 8 and max(finished.values()) == 1


# ---------------------------------------------------------------- agents

LEASE = 1.5


def test_killed_agent_run_crashes_after_the_lease_and_its_retry_completes_the_grid(
        procs, redis_url, redis_client, tmp_path):
    grid = {"method": "grid", "retry": {"max_attempts": 2},
            "parameters": {"a": {"values": list(range(6))}, "b": {"values": [0]}}}
    controller = procs.controller("controller", redis_url, lease_seconds=LEASE)
    sweep_id = sweepd.sweep(grid, controller=controller.address)
    # the victim holds its run half-way (the gate never opens) until it is killed
    victim = procs.agent("agent0", sweep_id, controller.address, halting_steps(tmp_path / "gate"))
    agents = [victim] + [procs.agent(f"agent{i}", sweep_id, controller.address, LOG_STEPS)
                         for i in (1, 2)]

    victim_run, = wait_for(lambda: runs_at_the_gate(redis_client, sweep_id, [victim]),
                           what="the victim's run half-way")
    victim.kill()
    finish_agents([a for a in agents if a is not victim])

    client = Client(controller.address)
    runs = client.list_runs(sweep_id)
    assert_grid_finished_once_each(runs, {(a, 0) for a in range(6)})
    crashed = {r.id: r for r in runs}[victim_run]
    assert crashed.state is RunState.CRASHED and crashed.attempt == 1
    assert "lease expired" in crashed.error
    retry = [r for r in runs if r.config == crashed.config and r.attempt == 2]
    assert len(retry) == 1
    assert retry[0].state is RunState.FINISHED
    assert_every_crash_retried_once(runs, 2)
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED


def late_report_status(client: Client, sweep_id: str, run_id: str, token: str, seq: int):
    """The status codes the controller answers an old holder's metric batch and finish with."""
    codes = []
    batch = metric_pb.MetricBatch(sweep_id=sweep_id, run_id=run_id, lease_token=token, seq=seq)
    batch.points.add(step=99).values["loss"].double_value = 0.0
    finish = agent_pb.FinishRunRequest(sweep_id=sweep_id, run_id=run_id, lease_token=token,
                                       state=pb.RUN_STATE_FINISHED)
    for call, request in ((client.metrics.ReportMetricsOnce, batch),
                          (client.agents.FinishRun, finish)):
        with pytest.raises(grpc.RpcError) as caught:
            call(request, timeout=10)
        codes.append(caught.value.code())
    return codes


def test_frozen_agent_past_its_lease_is_refused_when_it_wakes_and_the_grid_completes(
        procs, redis_url, redis_client, tmp_path):
    # SIGSTOP past the lease stands for an agent whose network dropped and came back
    grid = {"method": "grid", "retry": {"max_attempts": 2},
            "parameters": {"a": {"values": list(range(6))}, "b": {"values": [0]}}}
    controller = procs.controller("controller", redis_url, lease_seconds=LEASE)
    sweep_id = sweepd.sweep(grid, controller=controller.address)
    gate = tmp_path / "gate"
    # the one to freeze holds its run half-way until the gate opens
    frozen = procs.agent("agent0", sweep_id, controller.address, halting_steps(gate))
    agents = [frozen] + [procs.agent(f"agent{i}", sweep_id, controller.address, LOG_STEPS)
                         for i in (1, 2)]

    run_id, = wait_for(lambda: runs_at_the_gate(redis_client, sweep_id, [frozen]),
                       what="the run to freeze half-way")
    run_key = keys.run(sweep_id, run_id)
    frozen.signal(signal.SIGSTOP)
    wait_for(lambda: redis_client.hget(run_key, "state") == "crashed", what="the lease to expire")
    points_at_crash = stored_points(redis_client, sweep_id, run_id)
    claim = redis_client.hget(run_key, "claim_key")
    wait_for(lambda: any(h["claim_key"] == claim and h["attempt"] == "2"
                         for h in stored_runs(redis_client, sweep_id).values()),
             what="the configuration handed out again")
    gate.touch()
    frozen.signal(signal.SIGCONT)  # it wakes with its run half-way, and logs the rest
    finish_agents(agents)  # the woken agent too: it carried on and exited cleanly

    log = frozen.output()
    # it learns that the lease is gone from a refused batch or from its heartbeat's
    # StopRun (then its training function, which never reads should_stop, ends at its
    # next log()); either way it cannot finish the run
    assert f"run {run_id}: could not be finished, lease lost" in log, log
    client = Client(controller.address)
    token = redis_client.hget(run_key, "token")
    last_seq = int(redis_client.hget(run_key, "last_seq"))
    assert late_report_status(client, sweep_id, run_id, token, last_seq + 1) == [
        grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.FAILED_PRECONDITION]
    assert stored_points(redis_client, sweep_id, run_id) == points_at_crash

    runs = client.list_runs(sweep_id)
    crashed = {r.id: r for r in runs}[run_id]
    assert crashed.state is RunState.CRASHED and crashed.attempt == 1
    retry = [r for r in runs if r.config == crashed.config and r.attempt == 2]
    assert len(retry) == 1
    assert retry[0].state is RunState.FINISHED
    assert_grid_finished_once_each(runs, {(a, 0) for a in range(6)})
    assert_every_crash_retried_once(runs, 2)
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED
