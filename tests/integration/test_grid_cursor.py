"""A grid hands out its points from a cursor kept in Redis (assign_run.lua): once the
cursor is known no assignment reads the sweep's claims, so the last runs of a big grid
cost what its first did; points claimed out of order are skipped; a new config version
makes the next search read the claims once and start over; replicas racing on one grid
still hand each point out exactly once."""

from __future__ import annotations

import asyncio
import threading

import redis

import sweepd
from sweepd.client import Client
from sweepd.controller.storage import keys
from sweepd.controller.storage.scripts import script_source
from sweepd.domain import SweepState

from bulk import add_runs
from streams import RawAgent

GRID = {
    "method": "grid",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"a": {"values": list(range(100))}, "b": {"values": list(range(200))}},
}  # 20,000 points; point i is a = i // 200, b = i % 200


def point(i: int) -> dict:
    return {"a": i // 200, "b": i % 200}


def config() -> dict:
    """The config of the run this function-mode agent is running."""
    return dict(sweepd.init().config)


def claim_reads(client: redis.Redis) -> int:
    """How many times the claims were read whole (HKEYS) since Redis started."""
    return client.info("commandstats").get("cmdstat_hkeys", {}).get("calls", 0)


def cursor(client: redis.Redis, sweep_id: str) -> int | None:
    raw = client.hget(keys.sweep_meta(sweep_id), "grid_cursor")
    return None if raw is None else int(raw)


def test_the_last_points_of_a_big_grid_are_handed_out_without_reading_the_claims(
        controller, redis_client):
    sweep_id = sweepd.sweep(GRID, controller=controller.address)
    add_runs(redis_client, sweep_id, 19_990, point, grid_size=20_000)
    assert cursor(redis_client, sweep_id) == 19_990
    reads = claim_reads(redis_client)

    configs = []
    sweepd.agent(sweep_id, function=lambda: configs.append(dict(config())) or None,
                 controller=controller.address)

    assert configs == [point(i) for i in range(19_990, 20_000)]
    assert claim_reads(redis_client) == reads
    # the last point handed out marked the space used up (the bulk runs still hold leases)
    assert redis_client.hget(keys.sweep_meta(sweep_id), "exhausted") == "1"


def test_a_point_claimed_above_the_cursor_is_skipped_and_the_cursor_walks_past_it(
        controller, redis_client):
    small = {**GRID, "parameters": {"a": {"values": [0]}, "b": {"values": list(range(10))}}}
    sweep_id = sweepd.sweep(small, controller=controller.address)
    # a scan that began at 3 claimed point 3: it says nothing of 0..2, so the cursor
    # must stay where it is
    script = redis_client.register_script(script_source("assign_run"))
    reply = script(
        keys=keys.assign_run_keys(sweep_id, "x3"),
        args=["x3", sweep_id, "3", '{"a": 0, "b": 3}', "other", "t", 0, 10**13, "", "",
              10, "1", 3])
    assert reply[0] == "ok"
    assert cursor(redis_client, sweep_id) is None

    first = []
    sweepd.agent(sweep_id, function=lambda: first.append(config()["b"]) or None,
                 controller=controller.address, count=3)
    assert first == [0, 1, 2]
    assert cursor(redis_client, sweep_id) == 4  # walked past 3, claimed before

    rest = []
    sweepd.agent(sweep_id, function=lambda: rest.append(config()["b"]) or None,
                 controller=controller.address)
    assert rest == [4, 5, 6, 7, 8, 9]


def test_an_update_makes_the_next_search_read_the_claims_once_and_start_over(
        controller, redis_client):
    small = {**GRID, "parameters": {"a": {"values": [0]}, "b": {"values": [1, 2, 3]}}}
    sweep_id = sweepd.sweep(small, controller=controller.address)
    client = Client(controller.address)
    assert sweepd.agent(sweep_id, function=lambda: None, controller=controller.address) == 3
    assert cursor(redis_client, sweep_id) == 3

    wider = {**small, "parameters": {"a": {"values": [0]}, "b": {"values": [0, 1, 2, 3, 4]}}}
    client.update_sweep(sweep_id, wider, update_mask=["parameters"])
    assert cursor(redis_client, sweep_id) is None
    reads = claim_reads(redis_client)

    got = []
    sweepd.agent(sweep_id, function=lambda: got.append(config()["b"]) or None,
                 controller=controller.address)
    assert got == [0, 4]  # 1, 2 and 3 were run under version 1 (their claims re-keyed)
    assert claim_reads(redis_client) == reads + 1
    assert cursor(redis_client, sweep_id) == 5


def test_two_replicas_and_eight_agents_hand_out_every_point_exactly_once(start_controller,
                                                                         redis_client):
    replicas = [start_controller(), start_controller()]
    grid = {**GRID, "parameters": {"a": {"values": list(range(6))}, "b": {"values": list(range(50))}}}
    sweep_id = sweepd.sweep(grid, controller=replicas[0].address)
    seen: list[tuple[int, int]] = []
    lock = threading.Lock()

    def record():
        run = config()
        with lock:
            seen.append((run["a"], run["b"]))

    threads = [threading.Thread(target=sweepd.agent, args=(sweep_id,), kwargs=dict(
        function=record, controller=replicas[i % 2].address)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(seen) == [(a, b) for a in range(6) for b in range(50)]
    assert cursor(redis_client, sweep_id) == 300


def test_an_agent_that_keeps_losing_the_race_for_a_point_still_gets_a_run(controller, redis_client):
    """Rivals (other replicas) claim each point just before this replica does, more
    times than next_runs tries in one go: the request must not wait for a heartbeat
    (this agent sends none) or an event to be served."""
    small = {**GRID, "parameters": {"a": {"values": [0]}, "b": {"values": list(range(40))}}}
    sweep_id = sweepd.sweep(small, controller=controller.address)
    store = controller.controller.rules.store
    real_assign = store.assign_run
    rival = redis_client.register_script(script_source("assign_run"))
    races = {"left": 12}

    async def losing_assign(sweep_id_, run_id, **kw):
        if races["left"] > 0 and kw.get("claim_key"):
            races["left"] -= 1
            index = int(kw["claim_key"])
            rival_id = f"rival{index}"
            await asyncio.to_thread(rival, keys=keys.assign_run_keys(sweep_id_, rival_id),
                args=[rival_id, sweep_id_, str(index), '{"a": 0, "b": %d}' % index, "rival", "t", 0,
                      10**13, "", "", 40, "1", index])
        return await real_assign(sweep_id_, run_id, **kw)

    store.assign_run = losing_assign
    try:
        agent = RawAgent(Client(controller.address), sweep_id, timeout=20)
        agent.request(1)
        assignment = agent.read_until("assignment")[-1].assignment
        agent.close()
    finally:
        store.assign_run = real_assign
    assert races["left"] == 0
    # the rivals took points 0..11; the cursor followed them
    runs = {r.id: r for r in Client(controller.address).list_runs(sweep_id)}
    assert runs[assignment.run.id].config == {"a": 0, "b": 12}
