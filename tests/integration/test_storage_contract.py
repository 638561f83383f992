"""The storage contract, run against every backend: a single Redis and a 3-master
Redis Cluster. The cluster run proves the key design: every script's keys share the
sweep's hash slot, and cross-sweep indexes are never touched in the same script."""

from __future__ import annotations

import asyncio

import pytest

import sweepd
from sweepd.client import Client
from sweepd.config import parse_config
from sweepd.controller.storage import keys
from sweepd.controller.storage.records import ConfigCache, encode_config
from sweepd.controller.storage.replies import Assigned, Claimed, Closed, Stale
from sweepd.controller.storage.store import PRIOR_BATCH, PriorRecord
from sweepd.domain import MetricPoint, RunState, StopReason, SweepState
from sweepd.errors import InvalidState, LeaseLost, NotFound, OutOfRange, RefusedChange

from helpers import with_store


@pytest.fixture(params=["single", "cluster"])
def store_url(request):
    return request.getfixturevalue("redis_url" if request.param == "single" else "cluster_url")


def run_async(coro):
    return asyncio.run(coro)


CONFIG = parse_config({"method": "grid", "run_cap": 3, "metric": {"name": "loss"},
                       "parameters": {"x": {"values": [1, 2, 3, 4]}}})


def _assign(store, sid, rid, claim, now=1000):
    return store.assign_run(sid, rid, claim_key=claim, config={"x": int(claim or 0)},
                            agent_id="ag", token=f"tok-{rid}", now_ms=now, expiry_ms=now + 5000)


def test_sweeps_are_created_once_and_listed(store_url):
    async def body(store):
        assert await store.create_sweep("s1", CONFIG, 1000)
        assert not await store.create_sweep("s1", CONFIG, 2000, [PriorRecord("p1", {"x": 1}, {}, "")])
        assert await store.create_sweep("s2", CONFIG, 3000)
        assert [s.id for s in await store.list_sweeps()] == ["s2", "s1"]
        sweep = await store.get_sweep("s1")
        assert sweep.config == CONFIG and sweep.state is SweepState.RUNNING
        assert sweep.created_at == 1.0 and sweep.prior_runs == 0  # the refused call wrote nothing
        assert await store.run_ids("s1") == [] and await store.get_run("s1", "p1") is None
        assert await store.get_sweep("nope") is None

    run_async(with_store(store_url, body))


def test_an_id_another_creator_reserved_is_refused_and_nothing_is_written(store_url):
    """A sweep with more prior runs than one script writes reserves its id while its
    batches go in; any other creation of that id is refused and writes nothing."""
    prior = [PriorRecord(f"p{i}", {"x": 1}, {"loss": 1.0}, "") for i in range(PRIOR_BATCH + 5)]

    async def body(store):
        await store.redis.hset(keys.sweep_meta("s1"), "creating", "another creator")
        assert not await store.create_sweep("s1", CONFIG, 1000)
        assert not await store.create_sweep("s1", CONFIG, 1000, prior)
        assert await store.redis.hgetall(keys.sweep_meta("s1")) == {"creating": "another creator"}
        assert await store.run_ids("s1") == [] and await store.get_sweep("s1") is None
        assert await store.list_sweeps() == []
        assert await store.create_sweep("s2", CONFIG, 1000, prior)
        assert not await store.create_sweep("s2", CONFIG, 2000, prior[:3])
        assert not await store.create_sweep("s2", CONFIG, 2000, prior)
        sweep = await store.get_sweep("s2")
        assert sweep.created_at == 1.0 and sweep.prior_runs == len(prior)
        assert "creating" not in await store.redis.hgetall(keys.sweep_meta("s2"))
        assert len(await store.run_ids("s2")) == len(prior)

    run_async(with_store(store_url, body))


def test_listing_more_configs_than_the_cache_holds_reads_each_sweep(store_url):
    """Parsing the configs a listing has to read evicts others from the bounded config
    cache; a sweep that was cached when the listing began is still listed whole."""
    async def body(store):
        for i, sid in enumerate(("s1", "s2", "s3")):
            assert await store.create_sweep(sid, CONFIG, 1000 + i)
        store.configs = ConfigCache(max_json_bytes=len(encode_config(CONFIG)))  # holds one
        await store.get_sweep("s1")  # s1 cached; s3 and s2 (newer, listed first) are not
        assert [s.id for s in await store.list_sweeps()] == ["s3", "s2", "s1"]
        assert all(s.config == CONFIG for s in await store.list_sweeps())

    run_async(with_store(store_url, body))


def test_assignment_respects_claims_and_run_cap(store_url):
    async def body(store):
        await store.create_sweep("s1", CONFIG, 1000)
        assert isinstance(await _assign(store, "s1", "r1", "1"), Assigned)
        assert await _assign(store, "s1", "r2", "1") == Claimed()
        assert isinstance(await _assign(store, "s1", "r3", "2"), Assigned)
        assert isinstance(await _assign(store, "s1", "r4", "3"), Assigned)
        assert await _assign(store, "s1", "r5", "4") == Closed(SweepState.FINISHING, cap=True)
        runs = await store.list_runs("s1")
        assert [r.number for r in runs] == [1, 2, 3]
        assert {r.claim_key for r in runs} == {"1", "2", "3"}
        assert (await store.get_sweep("s1")).counts.pending == 3

    run_async(with_store(store_url, body))


def test_run_lifecycle_metrics_and_idempotence(store_url):
    async def body(store):
        await store.create_sweep("s1", CONFIG, 1000)
        await _assign(store, "s1", "r1", "1")
        with pytest.raises(LeaseLost, match=r"run 'r1' is not held by the caller \(run is pending\)"):
            await store.start_run("s1", "r1", "wrong", 1100, 9000)
        with pytest.raises(NotFound, match="run 'nope' not found in sweep 's1'"):
            await store.start_run("s1", "nope", "tok-r1", 1100, 9000)
        assert (await store.start_run("s1", "r1", "tok-r1", 1100, 9000)).state is RunState.RUNNING
        points = [MetricPoint(0, 1.2, {"loss": 3.0}), MetricPoint(1, 1.3, {"loss": 2.0, "acc": 0.5})]
        kwargs = dict(now_ms=1200, metric_name="loss", maximize=False, target=None)
        assert not (await store.report_metrics("s1", "r1", "tok-r1", 1, points, **kwargs)).duplicate
        assert (await store.report_metrics("s1", "r1", "tok-r1", 1, points, **kwargs)).duplicate
        with pytest.raises(OutOfRange, match="seq: 3 is not the next batch of run 'r1'; expected 2"):
            await store.report_metrics("s1", "r1", "tok-r1", 3, points, **kwargs)
        with pytest.raises(LeaseLost):
            await store.report_metrics("s1", "r1", "wrong", 2, points, **kwargs)
        run = await store.get_run("s1", "r1")
        assert run.history == [3.0, 2.0] and run.points == 2
        assert run.summary == {"loss": 2.0, "acc": 0.5}
        assert [p.values for _, p in await store.metric_points("s1", "r1")] == [v.values for v in points]
        assert await store.request_stop("s1", "r1", StopReason("user", "enough"))
        assert not await store.request_stop("s1", "r1", StopReason("user", "again"))
        run, _ = await store.finish_run("s1", "r1", "tok-r1", "stopped", 0, "", 1300)
        assert run.state is RunState.STOPPED
        run, _ = await store.finish_run("s1", "r1", "tok-r1", "stopped", 0, "", 1400)
        assert run.state is RunState.STOPPED
        with pytest.raises(LeaseLost, match=r"\(run is stopped\)"):
            await store.finish_run("s1", "r1", "tok-r1", "failed", 1, "", 1400)
        sweep = await store.get_sweep("s1")
        assert sweep.best_value == 2.0 and sweep.best_run_id == "r1"
        assert sweep.counts.stopped == 1 and sweep.counts.running == 0
        stopped = await store.get_run("s1", "r1")
        assert stopped.state is RunState.STOPPED and stopped.stop_reason.message == "enough"

    run_async(with_store(store_url, body))


def test_multi_objective_runs_keep_each_objectives_best_and_complete_vectors(store_url):
    config = parse_config({"method": "grid", "parameters": {"x": {"values": [1, 2]}},
                           "metrics": [{"name": "acc", "goal": "maximize"}, {"name": "ms"}]})
    objectives = [("acc", -1.0), ("ms", 1.0)]

    async def body(store):
        await store.create_sweep("s1", config, 1000)
        await _assign(store, "s1", "r1", "1")
        points = [MetricPoint(0, 1.2, {"acc": 0.5}),  # no ms: no vector
                  MetricPoint(1, 1.3, {"acc": 0.7, "ms": 30}),
                  MetricPoint(2, 1.4, {"acc": 0.6, "ms": 20.5})]
        kwargs = dict(now_ms=1200, metric_name=None, maximize=False, target=None,
                      objectives=objectives)
        reply = await store.report_metrics("s1", "r1", "tok-r1", 1, points, **kwargs)
        assert not reply.duplicate and reply.count == 2  # two entries in the list
        more = [MetricPoint(3, 1.5, {"acc": 0.65, "ms": 40})]
        await store.report_metrics("s1", "r1", "tok-r1", 2, more, **kwargs)
        run = await store.get_run("s1", "r1")
        assert run.objectives == {"acc": 0.7, "ms": 20.5}  # each objective's best, on its own
        assert run.objective_history == [(0.7, 30.0), (0.6, 20.5), (0.65, 40.0)]
        assert run.history == [] and (await store.get_sweep("s1")).best_run_id == ""
        assert await store.request_stop("s1", "r1", StopReason("asha", "dominated"))
        await store.report_metrics("s1", "r1", "tok-r1", 3, [MetricPoint(4, 1.6, {"acc": 0.9,
                                                                               "ms": 1})], **kwargs)
        [judged] = await store.histories("s1")
        assert judged.objective_history == [(0.7, 30.0), (0.6, 20.5), (0.65, 40.0)]
        [row] = await store.objective_rows("s1", ["acc", "ms"])
        assert (row.id, row.number, row.objectives) == ("r1", 1, {"acc": 0.9, "ms": 1.0})

    run_async(with_store(store_url, body))


def test_prior_runs_ignoring_and_requeueing(store_url):
    n = PRIOR_BATCH + 2  # more than one script call
    prior = [PriorRecord(f"p{i}", {"x": 1 + i % 4}, {"loss": float(i), "tag": "a"}, f"prior: {i}",
                         float(i)) for i in range(n)]

    async def body(store):
        assert await store.create_sweep("s1", CONFIG, 1000, prior)
        sweep = await store.get_sweep("s1")
        assert sweep.prior_runs == n and sweep.counts.finished == 0 and sweep.best_run_id == ""
        runs = await store.list_runs("s1")
        assert [r.number for r in runs] == list(range(1, n + 1))
        assert all(r.prior and r.state is RunState.FINISHED for r in runs)
        assert runs[3].summary == {"loss": 3.0, "tag": "a"} and runs[3].note == "prior: 3"
        # prior runs do not count against run_cap (3): three configurations still go out
        for rid, claim in (("r1", "1"), ("r2", "2"), ("r3", "3")):
            assert isinstance(await _assign(store, "s1", rid, claim), Assigned)
            assert (await store.get_run("s1", rid)).number == n + int(claim)
        kwargs = dict(now_ms=1200, metric_name="loss", maximize=False, target=None)
        for rid, loss in (("r1", 5.0), ("r2", 3.0)):
            await store.report_metrics("s1", rid, f"tok-{rid}", 1, [MetricPoint(0, 1.2, {"loss": loss})],
                                       **kwargs)
        assert (await store.get_sweep("s1")).best_run_id == "r2"
        # prior runs are never the best
        assert await store.set_run_ignored("s1", "r2", True, maximize=False) == "r1"
        assert (await store.get_run("s1", "r2")).ignored
        assert await store.set_run_ignored("s1", "r2", False, maximize=False) == "r2"
        with pytest.raises(NotFound, match="run 'nope' not found in sweep 's1'"):
            await store.set_run_ignored("s1", "nope", True, maximize=False)
        assert await store.requeue_run("s1", "p7", "requeued from run p7") == 1
        with pytest.raises(NotFound, match="run 'nope' not found in sweep 's1'"):
            await store.requeue_run("s1", "nope", "")
        with pytest.raises(NotFound, match="sweep 's9' not found"):
            await store.requeue_run("s9", "p7", "")
        reply = await store.assign_run("s1", "q1", claim_key="", config=None, agent_id="ag",
                                       token="tq", now_ms=1300, expiry_ms=9000, from_retry=True)
        assert reply == Assigned(n + 4, {"x": 4}, 1, "requeued from run p7")
        await store.set_state("s1", "cancel", 1400)
        with pytest.raises(InvalidState, match="cannot requeue a run of a sweep that is cancelled"):
            await store.requeue_run("s1", "p7", "")

    run_async(with_store(store_url, body))


def test_expired_leases_crash_and_retry(store_url):
    config = parse_config({"method": "grid", "retry": {"max_attempts": 2},
                           "parameters": {"x": {"values": [1, 2]}}})

    async def body(store):
        await store.create_sweep("s1", config, 1000)
        await _assign(store, "s1", "r1", "1", now=1000)
        assert await store.expired_run_ids("s1", 2000) == []
        assert await store.expired_run_ids("s1", 7000) == ["r1"]
        assert await store.expire_run("s1", "r1", 2000, 2) is None  # not expired yet
        assert await store.expire_run("s1", "r1", 7000, 2) is SweepState.RUNNING  # crashed
        assert await store.retry_waiting("s1") == 1
        reply = await store.assign_run("s1", "r2", claim_key="", config=None, agent_id="ag",
                                       token="t2", now_ms=8000, expiry_ms=9000, from_retry=True)
        assert isinstance(reply, Assigned) and reply.config == {"x": 1}
        assert reply.attempt == 2  # second attempt
        runs = {r.id: r for r in await store.list_runs("s1")}
        assert runs["r1"].state is RunState.CRASHED and runs["r2"].claim_key == "1"

    run_async(with_store(store_url, body))


def test_a_preempted_run_is_queued_again_while_attempts_are_left(store_url):
    config = parse_config({"method": "grid", "retry": {"max_attempts": 2},
                           "parameters": {"x": {"values": [1, 2]}}})

    async def body(store):
        await store.create_sweep("s1", config, 1000)
        await _assign(store, "s1", "r1", "1", now=1000)
        run, _ = await store.finish_run("s1", "r1", "tok-r1", "stopped", None, "", 2000,
                                        preempted=True, max_attempts=2)
        assert run.stop_reason.kind == "preempted"
        assert await store.retry_waiting("s1") == 1
        reply = await store.assign_run("s1", "r2", claim_key="", config=None, agent_id="ag",
                                       token="tok-r2", now_ms=3000, expiry_ms=9000, from_retry=True)
        assert isinstance(reply, Assigned) and reply.config == {"x": 1}
        assert reply.attempt == 2  # second attempt: the last one allowed
        await store.finish_run("s1", "r2", "tok-r2", "stopped", None, "", 4000,
                               preempted=True, max_attempts=2)
        assert await store.retry_waiting("s1") == 0

    run_async(with_store(store_url, body))


def test_expired_leases_are_found_in_sweeps_of_every_state(store_url):
    async def body(store):
        await store.create_sweep("s1", CONFIG, 1000)
        await store.create_sweep("s2", CONFIG, 1000)
        await _assign(store, "s1", "r1", "1", now=1000)  # lease until 6000
        await _assign(store, "s2", "r2", "1", now=5000)  # lease until 10000
        await store.set_state("s1", "cancel", 2000)
        assert await store.sweeps_with_expired_leases(7000) == ["s1"]
        assert await store.expire_run("s1", "r1", 7000, 1) is SweepState.CANCELLED
        assert await store.sweeps_with_expired_leases(7000) == []
        counts = (await store.get_sweep("s1")).counts
        assert (counts.pending, counts.crashed) == (0, 1)

    run_async(with_store(store_url, body))


def test_handing_out_the_last_configuration_lets_its_end_finish_the_sweep(store_url):
    async def body(store):
        await store.create_sweep("s1", CONFIG, 1000)  # run_cap 3
        for rid, claim in (("r1", "1"), ("r2", "2"), ("r3", "3")):
            assert isinstance(await _assign(store, "s1", rid, claim), Assigned)
        for rid in ("r1", "r2"):
            _, sweep_state = await store.finish_run("s1", rid, f"tok-{rid}", "finished", 0, "", 2000)
            assert sweep_state is SweepState.RUNNING
        _, sweep_state = await store.finish_run("s1", "r3", "tok-r3", "finished", 0, "", 2000)
        assert sweep_state is SweepState.FINISHED  # no fourth request was needed

    run_async(with_store(store_url, body))


def test_state_changes(store_url):
    async def body(store):
        await store.create_sweep("s1", CONFIG, 1000)
        assert await store.set_state("s1", "pause", 1) is SweepState.PAUSED
        assert await _assign(store, "s1", "r1", "1") == Closed(SweepState.PAUSED, cap=False)
        assert await store.set_state("s1", "resume", 2) is SweepState.RUNNING
        await _assign(store, "s1", "r1", "1")
        assert await store.set_state("s1", "stop", 3) is SweepState.FINISHING
        await store.finish_run("s1", "r1", "tok-r1", "finished", 0, "", 4)
        assert (await store.get_sweep("s1")).state is SweepState.FINISHED
        with pytest.raises(InvalidState, match="cannot resume a sweep that is finished"):
            await store.set_state("s1", "resume", 5)
        with pytest.raises(NotFound, match="sweep 's9' not found"):
            await store.set_state("s9", "pause", 5)

    run_async(with_store(store_url, body))


def test_a_whole_sweep_runs_on_a_redis_cluster(cluster_url):
    from conftest import ControllerHandle

    handle = ControllerHandle(cluster_url, lease_seconds=30)
    try:
        config = {"method": "grid", "metric": {"name": "loss"},
                  "parameters": {"a": {"values": [1, 2, 3]}, "b": {"values": [1, 2]}}}
        sweep_id = sweepd.sweep(config, controller=handle.address)
        other = sweepd.sweep(config, controller=handle.address)  # another slot, likely
        ran = sweepd.agent(sweep_id, function=lambda: sweepd.init().log(
            {"loss": float(sweepd.init().config["a"])}), controller=handle.address)
        assert ran == 6
        client = Client(handle.address)
        runs = client.list_runs(sweep_id)
        assert sorted((r.config["a"], r.config["b"]) for r in runs) == [
            (a, b) for a in (1, 2, 3) for b in (1, 2)]
        assert client.get_sweep(sweep_id).state is SweepState.FINISHED
        assert client.get_sweep(sweep_id).best_value == 1.0
        assert {s.id for s in client.list_sweeps()} == {sweep_id, other}
        client.change_state(other, "cancel")  # state change events over cluster pub/sub
        assert client.get_sweep(other).state is SweepState.CANCELLED
    finally:
        handle.close()


def test_the_stopping_index_is_kept_and_read_within_the_sweeps_slot(store_url):
    """Reset, build, report and standings scripts: every key in the sweep's slot."""
    from sweepd.controller.service import SweepRules
    from sweepd.domain import MetricBatch

    async def body(store):
        rules = SweepRules(store)
        sweep, _ = await rules.create_sweep(
            {"method": "random", "metric": {"name": "loss"},
             "early_terminate": {"type": "asha", "min_iter": 1, "eta": 2},
             "parameters": {"x": {"min": 0.0, "max": 1.0}}})
        stopped = []
        for i, value in enumerate([3.0, 1.0, 2.0, 5.0]):
            await store.assign_run(sweep.id, f"r{i}", claim_key="", config={"x": 0.5},
                                   agent_id="a", token=f"t{i}", now_ms=1, expiry_ms=10**13)
            outcome, _ = await rules.report_metrics(MetricBatch(
                f"r{i}", sweep.id, f"t{i}", 1, (MetricPoint(0, 1.0, {"loss": value}),)))
            stopped += outcome.stopped
        # rung 1: r0 alone goes on; r1 (1 < 3) goes on, and r0 is then outside the top 1
        # of 2; r2 (2) is inside the top 2 of 3; r3 (5) is outside them of 4 (threshold 2)
        assert stopped == ["r0", "r3"]
        assert await rules.stopping.build(sweep.id, sweep.config, 1)  # already built: same
        assert await store.redis.zcard(keys.stop_index(sweep.id)) == 4

    run_async(with_store(store_url, body))


def test_an_update_makes_one_version_and_refuses_writers_of_an_older_one(store_url):
    from dataclasses import replace

    from sweepd.controller.storage.records import encode_config, encode_version

    async def body(store):
        await store.create_sweep("s1", CONFIG, 1000)
        assert isinstance(await _assign(store, "s1", "r1", "0"), Assigned)
        wider = replace(CONFIG, run_cap=5)

        def update(read_version, claims=None):
            return store.update_sweep(
                "s1", read_version=read_version, config=wider, config_json=encode_config(wider),
                changed=["run_cap"], first_entry=encode_version(1, 1000, encode_config(CONFIG), []),
                now_ms=2000, grew="cap", claims=claims)

        assert await update(1, claims=(0, {})) == Stale(1)  # a claim was made since
        assert await update(1) is SweepState.RUNNING
        assert await update(1) == Stale(2)  # another writer made version 2
        stale = await store.assign_run("s1", "r2", claim_key="1", config={"x": 2}, agent_id="ag",
                                       token="t2", now_ms=3000, expiry_ms=9000, config_version=1)
        assert stale == Stale(2)
        fresh = await store.assign_run("s1", "r3", claim_key="1", config={"x": 2}, agent_id="ag",
                                       token="t3", now_ms=3000, expiry_ms=9000, config_version=2)
        assert isinstance(fresh, Assigned)
        assert [r.config_version for r in await store.list_runs("s1")] == [1, 2]
        versions = await store.config_versions("s1")
        assert [(v.version, v.changed_paths, v.config.run_cap) for v in versions] == [
            (1, (), 3), (2, ("run_cap",), 5)]
        sweep = await store.get_sweep("s1")
        assert sweep.config_version == 2 and sweep.config.run_cap == 5
        assert await store.cached_config("s1") == (sweep.config, 2)
        await store.set_state("s1", "cancel", 4000)
        with pytest.raises(RefusedChange, match="cannot update a sweep that is cancelled"):
            await update(2)
        with pytest.raises(NotFound, match="sweep 's9' not found"):
            await store.update_sweep(
                "s9", read_version=1, config=wider, config_json=encode_config(wider),
                changed=["run_cap"], first_entry="", now_ms=2000, grew="cap", claims=None)

    run_async(with_store(store_url, body))


def test_a_retry_waiting_through_a_grid_update_keeps_the_point_it_claimed(store_url):
    config = parse_config({"method": "grid", "retry": {"max_attempts": 2},
                           "parameters": {"x": {"values": [1, 2]}}})
    grown = parse_config({"method": "grid", "retry": {"max_attempts": 2},
                          "parameters": {"x": {"values": [0, 1, 2]}}})

    async def body(store):
        await store.create_sweep("s1", config, 1000)
        await _assign(store, "s1", "r1", "1", now=1000)  # x = 2: index 1, index 2 once 0 is added
        assert await store.expire_run("s1", "r1", 7000, 2) is not None  # crashed
        state = await store.update_sweep(
            "s1", read_version=1, config=grown, config_json=encode_config(grown),
            changed=["parameters.x.values"], first_entry="{}", now_ms=7500, grew="space",
            claims=(1, {"2": "r1"}))
        assert state is SweepState.RUNNING
        retry = await store.assign_run("s1", "r2", claim_key="", config=None, agent_id="ag",
                                       token="t2", now_ms=8000, expiry_ms=9000, from_retry=True,
                                       config_version=2)
        assert isinstance(retry, Assigned)
        assert await store.claims("s1") == {"2": "r2"}  # index 1 (x = 1) is still free
        assert {r.id: r.claim_key for r in await store.list_runs("s1")}["r2"] == "2"

    run_async(with_store(store_url, body))


def test_claims_of_points_a_narrowed_grid_lacks_do_not_count_towards_its_end(store_url):
    config = parse_config({"method": "grid", "parameters": {"x": {"min": 1, "max": 4}}})
    narrowed = parse_config({"method": "grid", "parameters": {"x": {"min": 2, "max": 4}}})

    async def body(store):
        await store.create_sweep("s1", config, 1000)
        await _assign(store, "s1", "r1", "0")  # x = 1: gone from the narrowed grid
        await _assign(store, "s1", "r2", "1")  # x = 2: index 0 of the narrowed grid
        state = await store.update_sweep(
            "s1", read_version=1, config=narrowed, config_json=encode_config(narrowed),
            changed=["parameters.x.min"], first_entry="{}", now_ms=2000, grew="space",
            claims=(2, {"v1:0": "r1", "0": "r2"}))
        assert state is SweepState.RUNNING
        meta = keys.sweep_meta("s1")
        third = await store.assign_run("s1", "r3", claim_key="1", config={"x": 3}, agent_id="ag",
                                       token="t3", now_ms=3000, expiry_ms=9000, space_size=3,
                                       config_version=2)
        assert isinstance(third, Assigned)
        assert await store.redis.hget(meta, "exhausted") is None  # x = 4 is still to come
        last = await store.assign_run("s1", "r4", claim_key="2", config={"x": 4}, agent_id="ag",
                                      token="t4", now_ms=3000, expiry_ms=9000, space_size=3,
                                      config_version=2)
        assert isinstance(last, Assigned) and await store.redis.hget(meta, "exhausted") == "1"

    run_async(with_store(store_url, body))


def test_an_agents_pending_runs_are_read_from_its_own_index(store_url):
    """pending_runs_of reads the index of each agent's active runs: a run joins it when
    assigned and leaves it when finished or expired; a run that started is active but
    not pending; an agent id that is another's prefix (plus a tab) gets none of its runs."""
    config = parse_config({"method": "random", "parameters": {"x": {"min": 0.0, "max": 1.0}}})

    async def assign(store, rid, agent, now=1000):
        reply = await store.assign_run("s1", rid, claim_key="", config={"x": 0.5}, agent_id=agent,
                                       token=f"tok-{rid}", now_ms=now, expiry_ms=now + 5000)
        assert isinstance(reply, Assigned)

    async def pending(store, agent):
        return sorted(r.id for r in await store.pending_runs_of("s1", agent))

    async def body(store):
        await store.create_sweep("s1", config, 1000)
        for i in range(3):
            await assign(store, f"a{i}", "alpha")
        await assign(store, "b0", "alpha\tbeta")
        await assign(store, "b1", "alphabet")
        assert await pending(store, "alpha") == ["a0", "a1", "a2"]
        assert await pending(store, "alpha\tbeta") == ["b0"]
        assert await pending(store, "nobody") == []
        await store.start_run("s1", "a0", "tok-a0", 1500, 9000)
        await store.finish_run("s1", "a1", "tok-a1", "finished", 0, "", 2000)
        assert await store.expire_run("s1", "a2", 7000, 1) is not None  # crashed
        assert await pending(store, "alpha") == []
        index = keys.sweep_agent_runs("s1")
        assert await store.redis.zrange(index, 0, -1) == ["alpha\ta0", "alpha\tbeta\tb0", "alphabet\tb1"]
        await store.finish_run("s1", "a0", "tok-a0", "finished", 0, "", 8000)
        assert "alpha\ta0" not in await store.redis.zrange(index, 0, -1)

    run_async(with_store(store_url, body))
