"""The stopping index decides exactly as the pure rules in controller/stopping/ do.

Randomized sweeps run against a real Redis through the store and the sweep rules:
runs come and go (finished, failed, stopped by a user, crashed by an expired lease,
ignored), report batches of random values (ties, signed zeros, values that are not
numbers), are stopped by the rule's decisions (sometimes late, so that decisions
pile up), and the sweep's early_terminate is changed, removed and put back by
UpdateSweep while runs report (a third of the sweeps start without it). After every
step, the decisions read from the index (when it is ready) and those of
EarlyStopping.decide are compared with the pure rule over every stored history.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
from dataclasses import replace

import pytest

from sweepd.controller.service import SweepRules
from sweepd.controller.stopping.base import StopDecision, get_stopping_rule
from sweepd.controller.stopping.index import index_decisions, index_spec
from sweepd.controller.storage import keys
from sweepd.controller.storage.replies import Assigned, BuildStep, IndexState
from sweepd.controller.storage.store import Store
from sweepd.controller.sweep_update import update_sweep
from sweepd.domain import MetricBatch, MetricPoint, PriorRun, StopReason

FAMILIES = {
    "hyperband": lambda rng: {"type": "hyperband", **rng.choice([
        {"min_iter": rng.choice([1, 2, 3]), "eta": rng.choice([1.5, 2, 2.5, 3, math.e])},
        {"max_iter": rng.choice([9, 12, 27]), "s": rng.choice([1, 2, 3]),
         "eta": rng.choice([2, 3])},
    ]), "strict": rng.random() < 0.5},
    "asha": lambda rng: {"type": "asha", "min_iter": rng.choice([1, 2, 3]),
                         "eta": rng.choice([1.1, 1.5, 2, 3, 4]), "strict": rng.random() < 0.5,
                         **({"max_iter": rng.choice([4, 10])} if rng.random() < 0.3 else {})},
    "median": lambda rng: {"type": "median", "min_iter": rng.choice([1, 2, 3, 5])},
}


def _same(a: list[StopDecision], b: list[StopDecision]) -> bool:
    """Equal decisions (a zero's sign aside, which the pure rule takes from run order)."""
    def key(d):
        message = re.sub(r"(?<![\w.])-0(?![\w.])", "0", d.message)
        return (d.run_id, d.band, d.value, d.threshold, message)
    return [key(d) for d in a] == [key(d) for d in b]


class RandomSweep:
    """Drives one sweep at random and checks the index against the pure rule."""

    def __init__(self, rules: SweepRules, sweep_id: str, rng: random.Random):
        self.rules, self.store, self.sid, self.rng = rules, rules.store, sweep_id, rng
        self.active: dict[str, list] = {}  # run id -> [token, last seq]
        self.ended: list[str] = []
        self.made = 0
        self.indexed_checks = 0

    async def config(self):
        return await self.rules.versioned_config(self.sid, fresh=True)

    async def add_run(self):
        run_id, self.made = f"r{self.made:03d}", self.made + 1
        _, version = await self.config()
        reply = await self.store.assign_run(
            self.sid, run_id, claim_key="", config={"x": 0.5}, agent_id="a", token="t" + run_id,
            now_ms=1_000, expiry_ms=10**13, config_version=version)
        assert isinstance(reply, Assigned)
        self.active[run_id] = ["t" + run_id, 0]

    def _points(self):
        out = []
        for _ in range(self.rng.choice([1, 1, 1, 2, 3, 4])):
            roll = self.rng.random()
            if roll < 0.08:
                values = {"other": 1.0}
            elif roll < 0.12:
                values = {"loss": self.rng.choice(["text", None, True, [1.0]])}
            elif roll < 0.2:
                values = {"loss": self.rng.choice([0.0, -0.0, 1e300, -1e300])}
            elif roll < 0.6:
                values = {"loss": float(self.rng.randint(-2, 4))}
            else:
                values = {"loss": round(self.rng.uniform(-3, 5), self.rng.choice([1, 3, 12]))}
            out.append(MetricPoint(0, 1.0, values))
        return tuple(out)

    async def report(self, through_rules: bool):
        run_id = self.rng.choice(sorted(self.active))
        token, seq = self.active[run_id]
        self.active[run_id][1] = seq + 1
        points = self._points()
        if through_rules:  # the controller's own path: it applies what it decides
            await self.rules.report_metrics(MetricBatch(run_id, self.sid, token, seq + 1, points))
            return
        config, _ = await self.config()
        await self.store.report_metrics(
            self.sid, run_id, token, seq + 1, points, now_ms=1_000, metric_name="loss",
            maximize=config.metric.goal == "maximize", target=None)

    async def end_run(self):
        run_id = self.rng.choice(sorted(self.active))
        token, _ = self.active.pop(run_id)
        roll = self.rng.random()
        if roll < 0.2:  # its agent went silent: the lease expires
            assert await self.store.expire_run(self.sid, run_id, 10**14, 1) is not None  # crashed
        else:
            state = self.rng.choice(["finished", "finished", "failed", "stopped"])
            run, _ = await self.store.finish_run(self.sid, run_id, token, state, 0, "", 2_000)
            assert run.state.value == state
        self.ended.append(run_id)

    async def stop_by_user(self):
        run_id = self.rng.choice(sorted(self.active))
        await self.store.request_stop(self.sid, run_id, StopReason(kind="user", message="by hand"))

    async def ignore(self):
        run_id = self.rng.choice(sorted(self.active) + self.ended)
        await self.rules.set_run_ignored(self.sid, run_id, self.rng.random() < 0.7)

    async def update(self, families: list[str]):
        config, _ = await self.config()
        roll = self.rng.random()
        if roll < 0.15:
            new = None  # early termination taken away (the index is kept, unused)
        elif roll < 0.3 and config.early_terminate is not None:
            et = config.early_terminate
            new = {"type": et.type, "min_iter": et.min_iter}  # maybe the same tag again
            if et.type != "median":
                new |= {"eta": et.eta, "strict": not et.strict}
                if et.type == "hyperband" and et.min_iter is None:
                    new |= {"max_iter": et.max_iter, "s": et.s, "min_iter": None}
            new = {k: v for k, v in new.items() if v is not None}
        else:
            new = FAMILIES[self.rng.choice(families)](self.rng)
        await update_sweep(self.rules, self.sid, {"early_terminate": new} if new else {},
                           ["early_terminate"])
        if self.rng.random() < 0.5:  # else it builds while runs go on reporting
            config, version = await self.config()
            if config.early_terminate is not None:
                assert await self.rules.stopping.build(self.sid, config, version)

    async def forget_index(self):
        """As a sweep stored by a controller that kept no index (stop_gen, which only
        grows, stays: its runs' idx_gen fields stand for what such a sweep lacks)."""
        meta = keys.sweep_meta(self.sid)
        await self.store.redis.hdel(meta, "stop_tag", "stop_ready", "stop_cursor",
                                    "stop_sign", "stop_value", "stop_every", "stop_upto")
        await self.store.redis.unlink(keys.stop_index(self.sid), keys.stop_marks(self.sid))

    async def check(self, apply: bool) -> None:
        config, version = await self.config()
        if config.early_terminate is None:
            return
        pure = get_stopping_rule(config.early_terminate.type).decide(
            config, await self.store.histories(self.sid))
        spec = index_spec(config)
        status, standings = await self.store.stop_standings(self.sid, spec)
        if status is IndexState.READY:
            self.indexed_checks += 1
            assert _same(index_decisions(config, spec, standings), pure)
        assert _same(await self.rules.stopping.decide(self.sid, config, version), pure)
        if apply:
            for d in pure:
                await self.store.request_stop(self.sid, d.run_id, StopReason(
                    kind=config.early_terminate.type, message=d.message, band=d.band,
                    value=d.value, threshold=d.threshold))


async def _scenario(url: str, seed: int, goal: str, families: list[str], steps: int,
                    runs: int) -> int:
    rng = random.Random(seed)
    store = Store.from_url(url)
    rules = SweepRules(store)
    try:
        await store.ensure_schema()
        priors = [PriorRun({"x": rng.random()}, {"loss": rng.uniform(-1, 3)}) for _ in range(3)]
        config = {"method": "random", "metric": {"name": "loss", "goal": goal},
                  "parameters": {"x": {"min": 0.0, "max": 1.0}}}
        if seed % 3 != 2:  # else early termination comes with the first update
            config["early_terminate"] = FAMILIES[families[0]](rng)
        sweep, _ = await rules.create_sweep(config, prior_runs=priors if rng.random() < 0.5 else ())
        sweep = RandomSweep(rules, sweep.id, rng)
        for _ in range(4):
            await sweep.add_run()
        for _ in range(steps):
            roll = rng.random()
            if roll < 0.12 and sweep.made < runs:
                await sweep.add_run()
            elif roll < 0.8 and sweep.active:
                await sweep.report(through_rules=rng.random() < 0.15)
            elif roll < 0.88 and sweep.active:
                await sweep.end_run()
            elif roll < 0.91 and sweep.active:
                await sweep.stop_by_user()
            elif roll < 0.94:
                await sweep.ignore()
            elif roll < 0.975:
                await sweep.update(families)
            elif roll < 0.98:
                await sweep.forget_index()
            if not sweep.active and sweep.made < runs:
                await sweep.add_run()
            await sweep.check(apply=rng.random() < 0.6)
        await rules.stopping.close()
        return sweep.indexed_checks
    finally:
        await store.close()


SCENARIOS = [(seed, goal, families)
             for seed, (goal, families) in enumerate([
                 ("minimize", ["hyperband"]), ("maximize", ["hyperband"]),
                 ("minimize", ["asha"]), ("maximize", ["asha"]),
                 ("minimize", ["median"]), ("maximize", ["median"]),
                 ("minimize", ["hyperband", "asha", "median"]),
                 ("maximize", ["asha", "median", "hyperband"]),
                 ("minimize", ["median", "hyperband", "asha"]),
             ])]


@pytest.mark.parametrize("seed, goal, families", SCENARIOS,
                         ids=[f"{s}-{g}-{'+'.join(f)}" for s, g, f in SCENARIOS])
def test_index_decides_as_the_pure_rule_over_random_sweeps(redis_url, seed, goal, families):
    indexed = asyncio.run(_scenario(redis_url, seed, goal, families, steps=260, runs=70))
    assert indexed > 100  # most checks read the index, not only the fallback


def test_reports_read_no_history_once_the_index_is_ready(redis_url):
    """A decision at a band crossing reads the index, never every run's history."""
    async def body():
        store = Store.from_url(redis_url)
        rules = SweepRules(store)
        try:
            sweep, _ = await rules.create_sweep(
                {"method": "random", "metric": {"name": "loss"},
                 "early_terminate": {"type": "hyperband", "min_iter": 1, "eta": 2},
                 "parameters": {"x": {"min": 0.0, "max": 1.0}}})

            async def no_histories(sweep_id):
                raise AssertionError("read every history")

            store.histories = no_histories
            for i, value in enumerate([1.0, 1.0, 2.0]):
                await store.assign_run(sweep.id, f"r{i}", claim_key="", config={"x": 0.5},
                                       agent_id="a", token=f"t{i}", now_ms=1, expiry_ms=10**13)
                outcome, _ = await rules.report_metrics(MetricBatch(
                    f"r{i}", sweep.id, f"t{i}", 1, (MetricPoint(0, 1.0, {"loss": value}),)))
            # band 1 holds 1, 1, 2: the threshold (index int(3/2) = 1) is 1; 2 is stopped
            assert outcome.stopped == ("r2",) and outcome.should_stop
            run = await store.get_run(sweep.id, "r2")
            assert (run.stop_reason.band, run.stop_reason.threshold) == (1, 1.0)
        finally:
            await store.close()

    asyncio.run(body())


def test_an_update_of_early_terminate_rebuilds_the_index_from_every_history(redis_url):
    """Runs that reported under one rule are indexed again for the next; while a
    generation is being built, decisions read every history, and runs that report
    meanwhile are indexed by their report."""
    async def body():
        store = Store.from_url(redis_url)
        rules = SweepRules(store)
        try:
            sweep, _ = await rules.create_sweep(
                {"method": "random", "metric": {"name": "loss", "goal": "maximize"},
                 "early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 3},
                 "parameters": {"x": {"min": 0.0, "max": 1.0}}})

            async def report(i, seq, n):
                points = tuple(MetricPoint(0, 1.0, {"loss": float((i * 7 + seq * 3 + k) % 11)})
                               for k in range(n))
                await store.report_metrics(sweep.id, f"r{i:03d}", f"t{i}", seq, points, now_ms=1,
                                           metric_name="loss", maximize=True, target=None)

            for i in range(250):  # more than one build step
                await store.assign_run(sweep.id, f"r{i:03d}", claim_key="", config={"x": 0.5},
                                       agent_id="a", token=f"t{i}", now_ms=1, expiry_ms=10**13)
                await report(i, 1, 3)
            await update_sweep(rules, sweep.id, {"early_terminate": {"type": "asha", "eta": 2,
                                                                     "strict": False}},
                               ["early_terminate"])
            config, version = await rules.versioned_config(sweep.id, fresh=True)
            spec = index_spec(config)
            await rules.stopping.close()
            assert await rules.stopping.build(sweep.id, config, version)
            status, standings = await store.stop_standings(sweep.id, spec)
            pure = get_stopping_rule("asha").decide(config, await store.histories(sweep.id))
            assert status is IndexState.READY and pure
            assert _same(index_decisions(config, spec, standings), pure)

            async def new_generation():
                other = replace(spec, tag="other")
                assert (await store.reset_stop_index(sweep.id, other, version)).new
                found = await store.reset_stop_index(sweep.id, spec, version)
                assert found.new
                assert (await store.stop_standings(sweep.id, spec))[0] is IndexState.BUILDING
                return found.generation

            await new_generation()  # not built: a decision reads every history
            pure = get_stopping_rule("asha").decide(config, await store.histories(sweep.id))
            assert _same(await rules.stopping.decide(sweep.id, config, version), pure)
            await rules.stopping.close()  # the build that decision started
            # a fresh generation, built by hand in small steps while runs report
            generation = await new_generation()
            steps = 0
            while (step := await store.build_stop_index(sweep.id, generation,
                                                        chunk=40)) is BuildStep.MORE:
                steps += 1
                for i in (3 + 40 * steps, 200 - 7 * steps):  # one indexed already, one not
                    await report(i, 2, 2)
            assert step is BuildStep.READY and steps >= 6
            status, standings = await store.stop_standings(sweep.id, spec)
            pure = get_stopping_rule("asha").decide(config, await store.histories(sweep.id))
            assert status is IndexState.READY and pure
            assert _same(index_decisions(config, spec, standings), pure)
        finally:
            await store.close()

    asyncio.run(body())


def test_a_replica_with_the_config_before_an_update_cannot_put_its_index_back(redis_url):
    async def body():
        store = Store.from_url(redis_url)
        rules = SweepRules(store)
        try:
            sweep, _ = await rules.create_sweep(
                {"method": "random", "metric": {"name": "loss"},
                 "early_terminate": {"type": "median"},
                 "parameters": {"x": {"min": 0.0, "max": 1.0}}})
            old, old_version = await rules.versioned_config(sweep.id)
            await update_sweep(rules, sweep.id, {"early_terminate": {"type": "asha"}},
                               ["early_terminate"])
            new, version = await rules.versioned_config(sweep.id, fresh=True)
            assert await rules.stopping.build(sweep.id, new, version)
            assert not await rules.stopping.build(sweep.id, old, old_version)
            meta = await store.redis.hgetall(keys.sweep_meta(sweep.id))
            assert meta["stop_tag"] == index_spec(new).tag
            assert meta["stop_ready"] == meta["stop_gen"]
        finally:
            await store.close()

    asyncio.run(body())


def test_a_run_asked_to_stop_keeps_only_its_values_before_the_decision(redis_url):
    async def body():
        store = Store.from_url(redis_url)
        rules = SweepRules(store)
        try:
            sweep, _ = await rules.create_sweep(
                {"method": "random", "metric": {"name": "loss"},
                 "early_terminate": {"type": "median", "min_iter": 1},
                 "parameters": {"x": {"min": 0.0, "max": 1.0}}})
            await store.assign_run(sweep.id, "r0", claim_key="", config={"x": 0.5},
                                   agent_id="a", token="t0", now_ms=1, expiry_ms=10**13)
            async def report(seq, value):
                await store.report_metrics(sweep.id, "r0", "t0", seq,
                                           (MetricPoint(0, 1.0, {"loss": value}),), now_ms=1,
                                           metric_name="loss", maximize=False, target=None)

            await report(1, 5.0)
            await report(2, 4.0)
            await store.request_stop(sweep.id, "r0", StopReason(kind="user"))
            await report(3, 0.0)
            # bands 1 and 2: the value logged after the stop is not in
            assert await store.redis.zcard(keys.stop_index(sweep.id)) == 2
            run = await store.redis.hgetall(keys.run(sweep.id, "r0"))
            assert run["idx_n"] == "2" and float(run["idx_min"]) == 4.0
        finally:
            await store.close()

    asyncio.run(body())
