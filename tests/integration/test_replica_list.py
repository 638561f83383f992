"""Agents and the SDK given several controller replicas: calls and streams spread over
them, and when one replica dies its agents move to the others with no run lost or run
twice (sweepd.targets)."""

from __future__ import annotations

import threading
import time

import pytest

import sweepd
from sweepd.client import Client
from sweepd.domain import RunState, SweepState
from sweepd.errors import InvalidArgument
from sweepd.targets import channel_target

GRID = {
    "method": "grid",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {"x": {"values": list(range(60))}},
}


def train():
    run = sweepd.init()
    for step in range(4):
        run.log({"loss": run.config["x"] + step})
        time.sleep(0.03)


def sessions_on(handle, sweep_id: str) -> int:
    """Agent streams of this sweep the replica holds now (read on its own loop)."""
    async def count() -> int:
        return len(handle.controller.sessions.by_sweep.get(sweep_id, ()))
    return handle.loop.run(count())


def test_agents_spread_over_three_replicas_and_lose_nothing_when_one_dies(start_controller):
    replicas = [start_controller(), start_controller(), start_controller()]
    addresses = ",".join(r.address for r in replicas)
    client = Client(addresses)
    sweep_id = client.create_sweep(GRID).id
    threads = [threading.Thread(target=sweepd.agent, args=(sweep_id,),
                                kwargs=dict(function=train, controller=addresses))
               for _ in range(6)]
    for thread in threads:
        thread.start()

    spread = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and client.get_sweep(sweep_id).counts.finished < 15:
        spread |= {i for i, r in enumerate(replicas) if sessions_on(r, sweep_id)}
        time.sleep(0.05)
    replicas[0].stop()  # killed mid-sweep, streams and calls in flight with it
    assert client.get_sweep(sweep_id).counts.finished < 60
    for thread in threads:
        thread.join(120)
    assert not any(t.is_alive() for t in threads)

    assert len(spread) >= 2, f"agent streams all went to one replica: {spread}"
    runs = client.list_runs(sweep_id)
    assert sorted(r.config["x"] for r in runs) == list(range(60))  # each point exactly once
    assert {r.state for r in runs} == {RunState.FINISHED}
    assert all(r.summary["loss"] == r.config["x"] + 3 for r in runs)  # every point stored
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED


@pytest.mark.parametrize("address, target, spread", [
    ("127.0.0.1:5", "127.0.0.1:5", False),
    ("10.0.0.1:5,10.0.0.2:6", "ipv4:10.0.0.1:5,10.0.0.2:6", True),
    ("[::1]:5, [::2]:6", "ipv6:[::1]:5,[::2]:6", True),
    ("localhost:7,127.0.0.2:8", "ipv4:127.0.0.1:7,127.0.0.2:8", True),
    ("dns:///controller.example:50051", "dns:///controller.example:50051", True),
])
def test_addresses_as_users_write_them(address, target, spread):
    got = channel_target(address)
    assert (got.target, got.spread) == (target, spread)


@pytest.mark.parametrize("address, named", [
    ("10.0.0.1:5,", "empty entry"),
    ("10.0.0.1:5,10.0.0.2", "'10.0.0.2' is not HOST:PORT"),
    ("10.0.0.1:5,[::1]:6", "mixes IPv4 and IPv6"),
    ("10.0.0.1:5,no-such-host.invalid:6", "cannot resolve 'no-such-host.invalid:6'"),
])
def test_a_bad_list_is_refused_naming_the_entry(address, named):
    with pytest.raises(InvalidArgument, match="controller: .*") as caught:
        channel_target(address)
    assert named in str(caught.value)
