"""The agent's Connect stream timing, without a controller: what it waits for."""

from __future__ import annotations

from sweepd.agent_loop import Assigned, Connection
from sweepd.client import Client


def _connection() -> Connection:
    return Connection(Client("127.0.0.1:1"), "sweep", "agent", give_up_after=60)


def test_reconnect_delay_stays_within_a_quarter_of_the_lease_while_runs_are_held():
    conn = _connection()
    conn.lease_seconds = 1.0
    assert conn._reconnect_delay(iter([3.0])) == 3.0  # nothing held: nothing to lose
    conn.held["r1"] = Assigned("r1", "token", {})
    assert conn._reconnect_delay(iter([3.0])) == 0.25
    assert conn._reconnect_delay(iter([0.1])) == 0.1
