"""What an agent's hello, heartbeat and FinishRun cost does not grow with the other
agents or the sweep's other runs: a reconnecting agent's lost assignments are read
from the index of its own runs, and the session holding a run is found by its id."""

from __future__ import annotations

from sweepd.client import Client
from sweepd.domain import RunState

from bulk import add_runs
from helpers import wait_for
from streams import RawAgent

CONFIG = {"method": "random", "parameters": {"x": {"min": 0.0, "max": 1.0}}}


def _reads(redis_client) -> int:
    stats = redis_client.info("commandstats")
    return sum(stats.get(f"cmdstat_{c}", {}).get("calls", 0) for c in ("hmget", "hgetall", "hget"))


def test_a_reconnecting_agent_gets_its_lost_run_again_reading_only_its_own_runs(
        controller, redis_client):
    client = Client(controller.address)
    sweep_id = client.create_sweep(CONFIG).id
    add_runs(redis_client, sweep_id, 2_000, lambda i: {"x": 0.5}, prefix="other")  # other agents'
    first = RawAgent(client, sweep_id, agent_id="flaky")
    first.next("welcome")
    first.request(1)
    lost = first.next("assignment")
    first.close()  # as if the stream broke before the assignment arrived

    redis_client.config_resetstat()
    again = RawAgent(client, sweep_id, agent_id="flaky")  # holds nothing, it thinks
    again.next("welcome")
    got = again.next("assignment")
    assert (got.run.id, got.lease_token) == (lost.run.id, lost.lease_token)
    # the hello read the sweep and this agent's one run, not the 2,000 others
    assert _reads(redis_client) < 20
    again.close()


def test_a_stop_reaches_the_stream_that_holds_the_run_after_a_reconnect(controller):
    client = Client(controller.address)
    sweep_id = client.create_sweep(CONFIG).id
    old = RawAgent(client, sweep_id, agent_id="mover")
    old.next("welcome")
    old.request(1)
    a = old.next("assignment")
    new = RawAgent(client, sweep_id, agent_id="mover", held={a.run.id: a.lease_token})
    new.next("welcome")
    sessions = controller.controller.sessions
    wait_for(lambda: len(sessions.by_sweep.get(sweep_id, ())) == 2, what="both streams")
    old.close()  # the old stream ends after the new one took the run over
    wait_for(lambda: len(sessions.by_sweep.get(sweep_id, ())) == 1, what="the old stream to end")
    assert sessions.holder(sweep_id, a.run.id) is not None
    client.change_state(sweep_id, "cancel")
    stop = new.next("stop")
    assert stop.run_id == a.run.id and stop.reason.kind == "cancelled"
    new.close()


def test_sessions_keep_no_trace_of_finished_runs_or_departed_agents(controller):
    client = Client(controller.address)
    sweep_id = client.create_sweep(CONFIG).id
    sessions = controller.controller.sessions
    agents = [RawAgent(client, sweep_id, agent_id=f"agent{i}") for i in range(5)]
    runs = []
    for agent in agents:
        agent.next("welcome")
        agent.request(2)
        runs.append([agent.next("assignment"), agent.next("assignment")])
    for agent_runs in runs:
        for a in agent_runs:
            assert sessions.holder(sweep_id, a.run.id) is not None
    done = runs[0][0]
    client.finish_run(sweep_id, done.run.id, done.lease_token, RunState.FINISHED)
    assert sessions.holder(sweep_id, done.run.id) is None
    client.change_state(sweep_id, "pause")
    agents[1].request(1)  # waits: the sweep is paused
    wait_for(lambda: len(sessions.waiting.get(sweep_id, ())) == 1, what="the waiting agent")
    for agent in agents:
        agent.close()
    wait_for(lambda: not sessions.by_sweep, what="every stream to end")
    assert sessions.waiting == {} and sessions._holders == {}
