"""Helpers shared by test modules (tests/ is on sys.path, as for conftest)."""

from __future__ import annotations

import threading
import time

import sweepd


def wait_for(predicate, timeout=20.0, interval=0.05, what="condition"):
    """Polls `predicate` until it returns something truthy, which is returned."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


async def with_store(url: str, body):
    """`body(store)` with a controller Store of `url` (its schema checked), closed after."""
    from sweepd.controller.storage.store import Store

    store = Store.from_url(url)
    try:
        await store.ensure_schema()
        return await body(store)
    finally:
        await store.close()


class ManualClock:
    """A controller's injectable clock (`SweepRules.clock`) that moves only when the test
    moves it, so lease and time assertions need no wall clock."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class LiveRun:
    """A run held open by an agent thread: log() points on demand, then finish()."""

    def __init__(self, address: str, sweep_id: str):
        self.queue: list = []
        self.cond = threading.Condition()
        self.run = None
        self.thread = threading.Thread(
            target=sweepd.agent, args=(sweep_id, self._train), kwargs={"count": 1, "controller": address},
            daemon=True)
        self.thread.start()
        wait_for(lambda: self.run is not None, what="the live run to start")

    def _train(self):
        self.run = sweepd.init()
        while True:
            with self.cond:
                self.cond.wait_for(lambda: self.queue)
                item = self.queue.pop(0)
            if item is None:
                return
            self.run.log(item[1], step=item[0])
            self.run.flush(10)
            item[2].set()

    def log(self, step: int, values: dict) -> None:
        done = threading.Event()
        with self.cond:
            self.queue.append((step, values, done))
            self.cond.notify()
        assert done.wait(10)

    def finish(self) -> None:
        with self.cond:
            self.queue.append(None)
            self.cond.notify()
        self.thread.join(10)
