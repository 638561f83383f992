"""The run cache bayes reads through (controller/run_cache.py) always answers what a full
read of the sweep answers: new runs, runs that ended, curation and prior runs included,
while it reads only what may have changed."""

from __future__ import annotations

import asyncio

from sweepd.config import parse_config
from sweepd.controller.run_cache import RunCache
from sweepd.controller.storage.replies import Assigned
from sweepd.controller.storage.store import PriorRecord, Store
from sweepd.domain import MetricPoint, RunState

from helpers import with_store

CONFIG = parse_config({"method": "bayes", "metric": {"name": "loss"},
                       "parameters": {"x": {"min": 0.0, "max": 1.0}}})


def view(runs):
    return [(r.id, r.number, r.state, r.ignored, tuple(r.history)) for r in runs]


async def scenario(store: Store) -> int:
    prior = [PriorRecord(f"p{i}", {"x": i / 10}, {"loss": float(i)}, "", float(i)) for i in range(3)]
    assert await store.create_sweep("s", CONFIG, 1000, prior)
    cache = RunCache(store)
    reads = 0
    real_get_runs = store.get_runs

    async def counting_get_runs(sweep_id, run_ids):
        nonlocal reads
        run_ids = list(run_ids)
        reads += len(run_ids)
        return await real_get_runs(sweep_id, run_ids)

    store.get_runs = counting_get_runs

    async def check():
        assert view(await cache.runs("s")) == view(await store.list_runs("s"))

    await check()
    for i in range(5):
        assert isinstance(await store.assign_run("s", f"r{i}", claim_key="", config={"x": i / 5},
                                                 agent_id="a", token=f"t{i}", now_ms=1000,
                                                 expiry_ms=10**12), Assigned)
    await check()
    for i in range(3):  # r0..r2 log and end, r3 and r4 go on
        await store.start_run("s", f"r{i}", f"t{i}", 1100, 10**12)
        await store.report_metrics("s", f"r{i}", f"t{i}", 1, [MetricPoint(0, 1.1, {"loss": 1.0 + i})],
                                   now_ms=1100, metric_name="loss", maximize=False, target=None)
        await store.finish_run("s", f"r{i}", f"t{i}", "finished", None, "", 1200)
    await check()
    await store.set_run_ignored("s", "r1", True, maximize=False)  # curation of an ended run
    await check()
    await store.set_run_ignored("s", "r1", False, maximize=False)
    await check()
    reads_before = reads
    await check()  # nothing changed: only the two open runs are read again (plus the full read)
    return reads - reads_before


def test_the_cache_answers_what_a_full_read_answers_and_rereads_only_open_runs(redis_url):
    assert asyncio.run(with_store(redis_url, scenario)) == 2 + 8  # 2 open runs; the full read: 3 prior + 5
