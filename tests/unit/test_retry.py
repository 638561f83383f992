"""sweepd.retry, the one retry helper: what it retries, when it gives up (on a clock
the test drives), and a backoff that stays bounded however long an outage lasts."""

from __future__ import annotations

import pytest

from sweepd.errors import LeaseLost, Unavailable
from sweepd.retry import HELD_RUN, HELD_RUN_RETRY_SECONDS, Retry, backoff_delays, retrying


class FakeTime:
    """A clock that moves only when slept on."""

    def __init__(self):
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _failing(times: int, error: Exception):
    calls = []

    def call():
        calls.append(1)
        if len(calls) <= times:
            raise error
        return len(calls)

    return call, calls


def test_an_unreachable_controller_is_retried_until_the_call_succeeds():
    t = FakeTime()
    call, calls = _failing(5, Unavailable("down"))
    assert retrying(call, Retry(), clock=t.clock, sleep=t.sleep) == 6
    assert len(t.slept) == 5


def test_other_errors_are_not_retried():
    t = FakeTime()
    call, calls = _failing(1, LeaseLost("gone"))
    with pytest.raises(LeaseLost):
        retrying(call, Retry(), clock=t.clock, sleep=t.sleep)
    assert len(calls) == 1 and t.slept == []


def test_attempts_bound_the_calls_made():
    t = FakeTime()
    call, calls = _failing(10, Unavailable("down"))
    with pytest.raises(Unavailable):
        retrying(call, Retry(attempts=3), clock=t.clock, sleep=t.sleep)
    assert len(calls) == 3
    with pytest.raises(Unavailable):
        retrying(_failing(1, Unavailable("down"))[0], Retry(attempts=1), clock=t.clock, sleep=t.sleep)


def test_a_held_run_s_call_is_retried_for_ten_minutes_then_given_up():
    t = FakeTime()
    call, calls = _failing(10**9, Unavailable("down"))
    with pytest.raises(Unavailable):
        retrying(call, HELD_RUN, clock=t.clock, sleep=t.sleep)
    assert HELD_RUN_RETRY_SECONDS == 600
    assert HELD_RUN_RETRY_SECONDS <= t.now < HELD_RUN_RETRY_SECONDS + HELD_RUN.cap
    assert len(calls) > 600 / HELD_RUN.cap  # it kept trying all along


def test_backoff_grows_to_its_cap_and_stays_bounded_for_ever():
    delays = backoff_delays(base=0.1, cap=3.0)
    drawn = [next(delays) for _ in range(5000)]  # 2**5000 would overflow a float
    assert all(0 <= d <= 3.0 for d in drawn)
    assert max(drawn[:3]) <= 0.4 and max(drawn[-1000:]) > 2.0
