"""A lease moves only for its holder: a hello or heartbeat naming a run with a wrong
token is told the lease is gone, and the real holder's expiry stays where it was."""

from __future__ import annotations

import grpc

from sweepd.client import Client
from sweepd.controller.limits import MAX_OUTSTANDING_RUNS
from sweepd.controller.storage import keys

from streams import RawAgent

CONFIG = {"method": "random", "parameters": {"x": {"min": 0.0, "max": 1.0}}}


def _held_run(client: Client, sweep_id: str, redis_client) -> tuple[RawAgent, str, int]:
    """An agent holding one run, whose lease expiry is then pinned to a known value."""
    holder = RawAgent(client, sweep_id, agent_id="holder")
    holder.next("welcome")
    holder.request(1)
    run_id = holder.next("assignment").run.id
    pinned = int(redis_client.zscore(keys.sweep_leases(sweep_id), run_id)) - 12_345
    redis_client.zadd(keys.sweep_leases(sweep_id), {run_id: pinned})
    return holder, run_id, pinned


def test_a_hello_with_a_wrong_token_does_not_extend_the_holders_lease(controller, redis_client):
    client = Client(controller.address)
    sweep_id = client.create_sweep(CONFIG).id
    holder, run_id, pinned = _held_run(client, sweep_id, redis_client)
    impostor = RawAgent(client, sweep_id, agent_id="impostor", held={run_id: "wrong-token"})
    impostor.next("welcome")
    stop = impostor.next("stop")
    assert stop.run_id == run_id and stop.reason.kind == "lease"
    assert redis_client.zscore(keys.sweep_leases(sweep_id), run_id) == pinned
    impostor.close()
    holder.close()


def test_a_heartbeat_with_a_wrong_token_does_not_extend_the_holders_lease(controller, redis_client):
    client = Client(controller.address)
    sweep_id = client.create_sweep(CONFIG).id
    holder, run_id, pinned = _held_run(client, sweep_id, redis_client)
    impostor = RawAgent(client, sweep_id, agent_id="impostor")
    impostor.next("welcome")
    impostor.heartbeat({run_id: "wrong-token"})
    stop = impostor.next("stop")
    assert stop.run_id == run_id and stop.reason.kind == "lease"
    assert redis_client.zscore(keys.sweep_leases(sweep_id), run_id) == pinned
    impostor.close()
    holder.close()


def test_the_holders_heartbeat_extends_its_lease(controller, redis_client):
    client = Client(controller.address)
    sweep_id = client.create_sweep(CONFIG).id
    holder, run_id, pinned = _held_run(client, sweep_id, redis_client)
    token = redis_client.hget(keys.run(sweep_id, run_id), "token")
    holder.heartbeat({run_id: token})
    holder.request(1)  # answered after the heartbeat: its effect is in Redis by then
    holder.next("assignment")
    assert redis_client.zscore(keys.sweep_leases(sweep_id), run_id) > pinned
    holder.close()


def test_a_heartbeat_listing_more_runs_than_an_agent_may_hold_is_refused(controller):
    client = Client(controller.address)
    sweep_id = client.create_sweep(CONFIG).id
    agent = RawAgent(client, sweep_id, timeout=20)  # a hang fails as DEADLINE_EXCEEDED
    agent.next("welcome")
    agent.heartbeat({f"r{i}": "t" for i in range(MAX_OUTSTANDING_RUNS + 1)})
    error = agent.error()
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "heartbeat.held_runs" in error.details() and str(MAX_OUTSTANDING_RUNS) in error.details()
