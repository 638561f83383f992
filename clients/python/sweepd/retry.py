"""Trying a call again while the controller is unreachable: the one helper behind the
client's idempotent calls, the agent's StartRun/FinishRun and the metric sender, and
the backoff the agent's stream reconnects with.

Delays grow exponentially with full jitter (a random time in [0, min(cap, base * 2^n)]),
so that many agents cut off together do not come back together. The clock and the
sleep are parameters: tests pass their own.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from typing import Callable, Iterator, TypeVar

from sweepd.errors import Unavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

# How long an agent keeps retrying one call about a run it holds (StartRun, FinishRun,
# a metric batch) while the controller is unreachable (docs/agent-protocol.md).
HELD_RUN_RETRY_SECONDS = 600.0


def backoff_delays(base: float = 0.2, cap: float = 5.0) -> Iterator[float]:
    """Exponential backoff with full jitter, forever; the bound stops growing at `cap`,
    so the thousandth delay is drawn like the tenth."""
    bound = min(base, cap)
    while True:
        yield random.uniform(0, bound)
        bound = min(cap, bound * 2)


@dataclass(frozen=True)
class Retry:
    """When to try a call again: after an error of a kind in `on`, while fewer than
    `attempts` calls were made and less than `within` seconds passed since the first
    (None: no such limit), waiting backoff_delays(base, cap) between calls."""

    on: tuple[type[BaseException], ...] = (Unavailable,)
    attempts: int | None = None
    within: float | None = None
    base: float = 0.2
    cap: float = 5.0


# A held run's calls: retried while the controller is away, for HELD_RUN_RETRY_SECONDS.
HELD_RUN = Retry(within=HELD_RUN_RETRY_SECONDS, cap=2.0)


def retrying(call: Callable[[], T], policy: Retry, *, clock: Callable[[], float] = time.monotonic,
             sleep: Callable[[float], None] = time.sleep) -> T:
    """`call()`'s result, calling it again as `policy` allows; the last error otherwise."""
    delays = backoff_delays(policy.base, policy.cap)
    start = clock()
    made = 0
    while True:
        made += 1
        try:
            return call()
        except policy.on as exc:
            if policy.attempts is not None and made >= policy.attempts:
                raise
            if policy.within is not None and clock() - start >= policy.within:
                raise
            delay = next(delays)
            log.debug("retrying in %.2f s after %s", delay, exc)
            sleep(delay)
