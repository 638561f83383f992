"""The controller's async store: domain operations as Redis commands and Lua scripts.

Every write that touches several keys is one Lua script (see lua/), so several
controller replicas can share one Redis without locks or WATCH loops. Reads that need
several keys use one pipeline. Script calls of concurrent requests share round trips
(pipe.py). Sweep configs are parsed once per process and version
(`configs`, keyed by creation time and config version, both read from the meta hash
on every use so that every replica sees an update at once) and read from Redis only
when not parsed yet; parsing a big one runs in a thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster

from sweepd.config import SweepConfig
from sweepd.controller.stopping.index import IndexSpec, Standing
from sweepd.domain import (
    ConfigVersion, MetricPoint, Run, RunOutput, RunState, StopReason, Sweep, SweepState,
    finite_number,
)

from . import keys, replies
from .events import EventBus
from .records import (
    SWEEP_FIELDS,
    ConfigCache,
    _s,
    config_tag,
    decode_objective_list,
    decode_run,
    decode_sweep,
    decode_version,
    encode_version,
    objective_field,
    output_fields,
    sweep_meta_fields,
)
from .pipe import ScriptPipe
from .scripts import SCRIPT_NAMES, script_source

log = logging.getLogger(__name__)

# Config JSON up to this size is parsed on the event loop; more goes to a thread.
PARSE_INLINE_BYTES = 16 * 1024
# Up to this many runs (metric points) are decoded on the event loop; more in a thread.
DECODE_INLINE_ROWS = 64

# Prior runs one script writes (a sweep's CreateSweep may carry thousands, and a script
# holds Redis while it runs): create_sweep writes up to this many; more go first, in
# batches of this size.
PRIOR_BATCH = 500
# Runs one step of building a stopping index reads (each with its whole history).
STOP_INDEX_CHUNK = 100


class SchemaMismatch(RuntimeError):
    pass


@dataclass(frozen=True)
class PriorRecord:
    """A prior run as stored: its new id, config, summary, note and value of the
    sweep's metric (None: the sweep has no metric)."""

    run_id: str
    config: dict[str, Any]
    summary: dict[str, Any]
    note: str
    best: float | None = None


@dataclass(frozen=True)
class RunPage:
    """One page of a sweep's runs: the runs, the number of the last one read (where
    the next page starts), and whether more runs follow."""

    runs: list[Run]
    last_number: int
    more: bool


@dataclass(frozen=True)
class SweepPage:
    """One page of the sweeps index: the sweeps kept, the id of the last one read
    (where the next page starts), and whether more follow."""

    sweeps: list[Sweep]
    last_id: str
    more: bool


@dataclass(frozen=True)
class LeaseStatus:
    """One run of a heartbeat: its state ("" = unknown), whether the caller's token holds
    it (its lease was extended), and whether it was asked to stop."""

    run_id: str
    state: str
    held: bool
    should_stop: bool
    stop_kind: str
    stop_message: str


class Store:
    """All of the controller's Redis access."""

    def __init__(self, client: aioredis.Redis, *, metrics_maxlen: int = 0):
        self.redis = client
        self.metrics_maxlen = metrics_maxlen
        self.configs = ConfigCache()
        self._scripts = {n: client.register_script(script_source(n)) for n in SCRIPT_NAMES}
        # a single Redis: script calls share round trips (pipe.py); a cluster: redis-py
        self._pipe = (ScriptPipe(client, {n: script_source(n) for n in SCRIPT_NAMES})
                      if isinstance(client, aioredis.Redis) else None)
        self.events = EventBus(client)  # from_url gives it a subscriber of its own

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> "Store":
        """`redis://`, `rediss://`, `unix://`, or `redis+cluster://host:port` (any node
        of a Redis Cluster; `rediss+cluster://` with TLS)."""
        if "+cluster://" in url:
            plain = url.replace("+cluster://", "://", 1)
            store = cls(RedisCluster.from_url(plain, decode_responses=True), **kwargs)
        else:
            # A blocking pool: under load, calls wait for a free connection instead of
            # failing with "Too many connections" (redis-py's default pool raises).
            plain = url
            pool = aioredis.BlockingConnectionPool.from_url(
                url, decode_responses=True, max_connections=64, timeout=20)
            store = cls(aioredis.Redis.from_pool(pool), **kwargs)
        # Events are heard on a plain connection of their own (of the seed, for a
        # cluster: PUBLISH reaches every node), undecoded: a message that is no UTF-8
        # is the listener's to drop, not redis-py's to fail on.
        store.events = EventBus(store.redis, aioredis.Redis.from_url(plain, decode_responses=False))
        return store

    async def close(self) -> None:
        if self._pipe is not None:
            await self._pipe.close()
        await self.events.close()
        await self.redis.aclose()

    async def _script(self, name: str, keys_: Sequence[str], args: Sequence[Any]) -> Any:
        if self._pipe is not None:
            return await self._pipe.run(name, keys_, args)
        return await self._scripts[name](keys=keys_, args=args)

    # ---------------------------------------------------------------- schema

    async def ensure_schema(self) -> None:
        await self.redis.set(keys.schema(), keys.SCHEMA_VERSION, nx=True)
        found = int(await self.redis.get(keys.schema()))
        if found != keys.SCHEMA_VERSION:
            raise SchemaMismatch(
                f"Redis holds sweepd schema {found}; this controller speaks {keys.SCHEMA_VERSION}"
            )

    # ---------------------------------------------------------------- sweeps

    async def create_sweep(self, sweep_id: str, config: SweepConfig, now_ms: int,
                           prior: Sequence[PriorRecord] = ()) -> bool:
        """Registers a sweep with its prior runs (numbered 1..len(prior)), then lists it
        in the sweeps index; False when the id is taken. The sweep appears whole, in
        one script (lua/create_sweep.lua) that also writes the last PRIOR_BATCH prior
        runs; more are written before it in batches under a reservation of the id, so
        that no script holds Redis for long."""
        token = secrets.token_hex(8) if len(prior) > PRIOR_BATCH else ""
        last = max(0, len(prior) - PRIOR_BATCH)
        for start in range(0, last, PRIOR_BATCH):
            batch = prior[start:min(start + PRIOR_BATCH, last)]
            keys_, args = _prior_call(sweep_id, batch, start)
            if not int(await self._script("add_prior_runs", [keys.sweep_meta(sweep_id), *keys_],
                                          [sweep_id, now_ms, token, *args])):
                return False
        fields = await asyncio.to_thread(sweep_meta_fields, sweep_id, config, now_ms, len(prior))
        keys_, args = _prior_call(sweep_id, prior[last:], last)
        meta: list[Any] = [len(fields)]
        for name, value in fields.items():
            meta += [name, value]
        if not int(await self._script("create_sweep", [keys.sweep_meta(sweep_id), *keys_],
                                      [sweep_id, now_ms, token, *meta, *args])):
            return False
        await self.redis.zadd(keys.sweeps_index(), {sweep_id: now_ms})
        self.configs.put(sweep_id, config_tag(now_ms, 1), config, len(fields["config"]))
        return True

    async def get_sweep(self, sweep_id: str) -> Sweep | None:
        found = await self._sweeps([sweep_id])
        return found[0] if found else None

    async def list_sweeps(self, project: str | None = None) -> list[Sweep]:
        """Every sweep, newest first (only those of `project` when given; "" is the
        default project's unnamed form)."""
        ids = await self.redis.zrevrange(keys.sweeps_index(), 0, -1)
        return await self._sweeps(ids, project)

    async def sweep_page(self, project: str | None, after: str, limit: int) -> SweepPage | None:
        """Up to `limit` sweeps of the index after the sweep `after` ("" = from the
        newest), newest first, those of `project` kept (None = all); only the page's ids
        are read from the index. None when `after` is no longer indexed."""
        status, *found = replies.words(
            await self._script("sweeps_after", [keys.sweeps_index()], [after, limit + 1]))
        if status != "ok":
            return None
        ids = found[:limit]
        sweeps = await self._sweeps(ids, project)
        return SweepPage(sweeps, ids[-1] if ids else after, len(found) > limit)

    async def _sweeps(self, ids: Sequence[str], project: str | None = None) -> list[Sweep]:
        """The sweeps of `ids` that exist (and are of `project`): meta fields in one
        pipeline, then the configs not parsed yet in another, parsed off the event loop
        when they are big."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for sid in ids:
                pipe.hmget(keys.sweep_meta(sid), SWEEP_FIELDS)
            rows = await pipe.execute()
        metas = [m for m in (dict(zip(SWEEP_FIELDS, row)) for row in rows)
                 if m["state"] and (project is None or (m["project"] or "") == project)]
        # what is cached now is held on to: parsing the missing ones may evict it
        cached = {m["id"]: self.configs.get(m["id"], config_tag(m["created_at"], m["config_version"]))
                  for m in metas}
        missing = [m for m in metas if cached[m["id"]] is None]
        if missing:
            async with self.redis.pipeline(transaction=False) as pipe:
                for m in missing:
                    pipe.hget(keys.sweep_meta(m["id"]), "config")
                for m, config in zip(missing, await pipe.execute()):
                    m["config"] = config
            metas = [m for m in metas if m.get("config", "") is not None]  # deleted meanwhile
        decode = lambda: [decode_sweep(m, self.configs, cached[m["id"]]) for m in metas]  # noqa: E731
        if sum(len(m.get("config") or "") for m in missing) > PARSE_INLINE_BYTES:
            return await asyncio.to_thread(decode)
        return decode()

    async def cached_config(self, sweep_id: str) -> tuple[SweepConfig | None, int]:
        """(the sweep's current config when this process parsed it already, its
        version); (None, 0) for an unknown sweep. One HMGET: the version is always
        read, so a replica never uses a config another replica has replaced."""
        created_at, version = await self.redis.hmget(
            keys.sweep_meta(sweep_id), ["created_at", "config_version"])
        if created_at is None:
            return None, 0
        return self.configs.get(sweep_id, config_tag(created_at, version)), int(version or 1)

    async def update_sweep(
        self, sweep_id: str, *, read_version: int, config: SweepConfig, config_json: str,
        changed: list[str], first_entry: str, now_ms: int, grew: str,
        claims: tuple[int, dict[str, str]] | None,
    ) -> SweepState | replies.Stale:
        """Stores version read_version + 1 (see lua/update_sweep.lua) and returns the
        sweep's state after it, or Stale when the sweep changed since `read_version`
        was read; `claims`: the number of claims read and the grid's claims re-keyed
        for the new config. NotFound; RefusedChange for a cancelled sweep."""
        args: list[Any] = [
            read_version, config_json, config.run_cap or 0, now_ms,
            encode_version(read_version + 1, now_ms, config_json, changed), first_entry, grew,
            "" if claims is None else claims[0],
        ]
        for key, run_id in (claims[1] if claims else {}).items():
            args += [key, run_id]
        return replies.updated(await self._script(
            "update_sweep",
            [keys.sweep_meta(sweep_id), keys.sweep_versions(sweep_id),
             keys.sweep_claims(sweep_id), keys.sweep_retry(sweep_id)],
            args,
        ), sweep_id)

    async def sweep_config_json(self, sweep_id: str) -> tuple[str, str] | None:
        """(the stored config JSON, the sweep's creation time in ms) or None."""
        config, created = await self.redis.hmget(keys.sweep_meta(sweep_id), ["config", "created_at"])
        return None if config is None else (config, created)

    async def config_versions(self, sweep_id: str) -> list[ConfigVersion]:
        """Every config version, oldest first (version 1 alone, from the meta hash, until
        the first update); parsed off the event loop."""
        entries = await self.redis.lrange(keys.sweep_versions(sweep_id), 0, -1)
        if not entries:
            found = await self.sweep_config_json(sweep_id)
            if found is None:
                return []
            entries = [encode_version(1, int(found[1]), found[0], [])]
        return await asyncio.to_thread(lambda: [decode_version(e) for e in entries])

    async def config_version(self, sweep_id: str, version: int) -> ConfigVersion | None:
        """One config version (None when it is not stored)."""
        entry = await self.redis.lindex(keys.sweep_versions(sweep_id), version - 1)
        if entry is None and version == 1:
            found = await self.sweep_config_json(sweep_id)
            entry = None if found is None else encode_version(1, int(found[1]), found[0], [])
        return None if entry is None else await asyncio.to_thread(decode_version, entry)

    async def claims(self, sweep_id: str) -> dict[str, str]:
        """claim key -> run id."""
        return await self.redis.hgetall(keys.sweep_claims(sweep_id))

    async def set_state(self, sweep_id: str, action: str, now_ms: int) -> SweepState:
        """Applies `action` (lua/set_sweep_state.lua); the sweep's new state. NotFound;
        InvalidState when its state forbids the action."""
        return replies.state_set(await self._script(
            "set_sweep_state",
            [keys.sweep_meta(sweep_id), keys.sweep_retry(sweep_id)],
            [action, now_ms],
        ), sweep_id, action)

    # ---------------------------------------------------------------- runs

    async def run_ids(self, sweep_id: str) -> list[str]:
        return await self.redis.zrange(keys.sweep_runs(sweep_id), 0, -1)

    async def get_runs(self, sweep_id: str, run_ids: Iterable[str]) -> list[Run]:
        run_ids = list(run_ids)
        async with self.redis.pipeline(transaction=False) as pipe:
            for rid in run_ids:
                pipe.hgetall(keys.run(sweep_id, rid))
                pipe.hgetall(keys.run_summary(sweep_id, rid))
                pipe.lrange(keys.run_objective(sweep_id, rid), 0, -1)
            raw = await pipe.execute()

        def decode() -> list[Run]:
            return [decode_run(raw[i], raw[i + 1], raw[i + 2])
                    for i in range(0, len(raw), 3) if raw[i]]

        return await asyncio.to_thread(decode) if len(run_ids) > DECODE_INLINE_ROWS else decode()

    async def list_runs(self, sweep_id: str) -> list[Run]:
        return await self.get_runs(sweep_id, await self.run_ids(sweep_id))

    async def run_page(self, sweep_id: str, after: int, limit: int) -> RunPage:
        """Up to `limit` runs numbered above `after`, in number order: only the page's
        ids are read from the index (ZRANGEBYSCORE with LIMIT, one more to see whether
        more follow), then only their records."""
        rows = await self.redis.zrangebyscore(
            keys.sweep_runs(sweep_id), f"({after}", "+inf", start=0, num=limit + 1, withscores=True)
        more = len(rows) > limit
        rows = rows[:limit]
        runs = await self.get_runs(sweep_id, [rid for rid, _ in rows])
        return RunPage(runs, int(rows[-1][1]) if rows else after, more)

    async def histories(self, sweep_id: str) -> list[Run]:
        """Every run with only what stopping rules read: id, state, should_stop and the
        sweep metric's history (one pipeline; no configs or summaries). A run asked to
        stop has only the values it stored before that (`stop_len`): what it logs
        while it stops counts in no threshold."""
        run_ids = await self.run_ids(sweep_id)
        async with self.redis.pipeline(transaction=False) as pipe:
            for rid in run_ids:
                pipe.hmget(keys.run(sweep_id, rid), ["state", "should_stop", "stop_len"])
                pipe.lrange(keys.run_objective(sweep_id, rid), 0, -1)
            raw = await pipe.execute()
        runs = []
        for rid, (state, should_stop, stop_len), objective in zip(run_ids, raw[::2], raw[1::2]):
            if state:
                if stop_len:
                    objective = objective[:int(stop_len)]
                history, vectors = decode_objective_list(objective)
                runs.append(Run(id=rid, sweep_id=sweep_id, state=RunState(state), config={},
                                should_stop=should_stop == "1", history=history,
                                objective_history=vectors))
        return runs

    async def objective_rows(self, sweep_id: str, names: Sequence[str]) -> list[Run]:
        """Every run with only what Pareto ranking reads: id, number, state, prior,
        ignored and the best value of each objective named (one HMGET per run, in
        one pipeline)."""
        run_ids = await self.run_ids(sweep_id)
        fields = ["number", "state", "prior", "ignored", *(objective_field(n) for n in names)]
        runs = []
        for rid, row in zip(run_ids, await self.run_fields(sweep_id, run_ids, *fields)):
            number, state, prior, ignored, *best = row
            if not state:
                continue
            found = {n: float(v) for n, v in zip(names, best) if v}
            runs.append(Run(id=rid, sweep_id=sweep_id, state=RunState(state), config={},
                            number=int(number or 0), prior=prior == "1",
                            ignored=ignored == "1", objectives=found))
        return runs

    async def get_run(self, sweep_id: str, run_id: str) -> Run | None:
        found = await self.get_runs(sweep_id, [run_id])
        return found[0] if found else None

    async def set_run_ignored(self, sweep_id: str, run_id: str, ignored: bool,
                              maximize: bool) -> str:
        """Marks a run ignored or not and returns the sweep's best run id ("" = none);
        every run hash goes in KEYS, for recomputing the sweep's best when its best run
        is ignored. NotFound for a run the sweep does not have."""
        run_ids = await self.run_ids(sweep_id)
        return replies.ignored(await self._script(
            "set_run_ignored",
            [keys.sweep_meta(sweep_id), keys.run(sweep_id, run_id),
             *(keys.run(sweep_id, rid) for rid in run_ids)],
            ["1" if ignored else "0", -1 if maximize else 1, run_id, *run_ids],
        ), sweep_id, run_id)

    async def requeue_run(self, sweep_id: str, run_id: str, note: str) -> int:
        """Queues the run's configuration again; how many configurations now wait.
        NotFound (sweep or run); InvalidState when the sweep is over."""
        return replies.requeued(await self._script(
            "requeue_run",
            [keys.sweep_meta(sweep_id), keys.run(sweep_id, run_id), keys.sweep_retry(sweep_id)],
            [note],
        ), sweep_id, run_id)

    async def claim_keys(self, sweep_id: str) -> set[str]:
        return set(await self.redis.hkeys(keys.sweep_claims(sweep_id)))

    async def curation(self, sweep_id: str) -> str | None:
        """The sweep's curation counter: it moves whenever an ended run is curated
        (set_run_ignored.lua), so readers that keep ended runs know to read them again."""
        return await self.redis.hget(keys.sweep_meta(sweep_id), "curation")

    async def grid_cursor(self, sweep_id: str) -> int | None:
        """No grid index below this has anything left to hand out (assign_run.lua moves
        it); None when unknown: a new sweep, or an update re-keyed the claims."""
        raw = await self.redis.hget(keys.sweep_meta(sweep_id), "grid_cursor")
        return int(raw) if raw is not None else None

    async def retry_waiting(self, sweep_id: str) -> int:
        return await self.redis.llen(keys.sweep_retry(sweep_id))

    async def assign_run(
        self,
        sweep_id: str,
        run_id: str,
        *,
        claim_key: str,
        config: dict[str, Any] | None,
        agent_id: str,
        token: str,
        now_ms: int,
        expiry_ms: int,
        note: str = "",
        from_retry: bool = False,
        space_size: int = 0,
        config_version: int = 1,
        scanned_from: int | None = None,
        host: str = "",
    ) -> replies.AssignReply:
        """Creates the run (lua/assign_run.lua): Assigned, or why not (Stale, Claimed,
        NoRetryWaiting, Closed); NotFound for an unknown sweep. `scanned_from`: a grid
        suggestion's Suggestion.scanned_from (moves the cursor); `host`: the agent's,
        recorded in the run."""
        return replies.assigned(await self._script(
            "assign_run",
            keys.assign_run_keys(sweep_id, run_id),
            [
                run_id, sweep_id, claim_key,
                json.dumps(config) if config is not None else "",
                agent_id, token, now_ms, expiry_ms, note,
                "retry" if from_retry else "", space_size, str(config_version),
                "" if scanned_from is None else scanned_from, host,
            ],
        ), sweep_id)

    async def start_run(
        self, sweep_id: str, run_id: str, token: str, now_ms: int, expiry_ms: int
    ) -> Run:
        """The run, started (or running already); NotFound, LeaseLost."""
        raw = await self._script(
            "start_run",
            [keys.sweep_meta(sweep_id), keys.run(sweep_id, run_id),
             keys.sweep_leases(sweep_id), keys.run_summary(sweep_id, run_id)],
            [token, now_ms, expiry_ms, run_id],
        )
        return replies.started(raw, sweep_id, run_id)

    async def finish_run(
        self, sweep_id: str, run_id: str, token: str, state: str,
        exit_code: int | None, error: str, now_ms: int,
        preempted: bool = False, max_attempts: int = 1, output: RunOutput | None = None,
    ) -> tuple[Run, SweepState]:
        """Ends the run (lua/finish_run.lua); `output` is stored with its end. The run
        and the sweep's state; NotFound, LeaseLost."""
        raw = await self._script(
            "finish_run", keys.finish_run_keys(sweep_id, run_id),
            [token, state, "" if exit_code is None else exit_code, error, now_ms, run_id,
             "1" if preempted else "", max_attempts,
             *(output_fields(output) if output is not None and not output.empty else ())],
        )
        return replies.finished(raw, sweep_id, run_id)

    async def request_stop(self, sweep_id: str, run_id: str, reason: StopReason) -> bool:
        def opt(x: Any) -> str:
            return "" if x is None else repr(x) if isinstance(x, float) else str(x)

        reply = await self._script(
            "request_stop", [keys.run(sweep_id, run_id), keys.run_objective(sweep_id, run_id)],
            [reason.kind, reason.message, opt(reason.band), opt(reason.value), opt(reason.threshold)],
        )
        return int(reply) == 1

    # ---------------------------------------------------------------- stopping index

    async def reset_stop_index(self, sweep_id: str, spec: IndexSpec,
                               config_version: int) -> replies.IndexGeneration | None:
        """Starts a generation of the sweep's stopping index for `spec` (see
        lua/stop_index_reset.lua), or finds the index is for it already; None when the
        sweep is gone or its config is past `config_version`."""
        return replies.index_reset(await self._script(
            "stop_index_reset",
            [keys.sweep_meta(sweep_id), keys.stop_index(sweep_id), keys.stop_marks(sweep_id)],
            [config_version, spec.tag, "-1" if spec.sign < 0 else "1", "at" if spec.at else "best",
             "" if spec.every is None else spec.every, "" if spec.upto is None else spec.upto,
             *spec.marks],
        ))

    async def build_stop_index(self, sweep_id: str, generation: str,
                               chunk: int = STOP_INDEX_CHUNK) -> replies.BuildStep:
        """One step of building the index generation `generation`: indexes the next
        `chunk` runs by number. MORE to do, READY (built), or GONE (another generation
        has started)."""
        meta = keys.sweep_meta(sweep_id)
        gen, cursor, ready = await self.redis.hmget(meta, ["stop_gen", "stop_cursor", "stop_ready"])
        if gen != generation:
            return replies.BuildStep.GONE
        if ready == generation:
            return replies.BuildStep.READY
        rows = await self.redis.zrangebyscore(
            keys.sweep_runs(sweep_id), f"({cursor}", "+inf", start=0, num=chunk, withscores=True)
        keys_ = [meta, keys.stop_index(sweep_id), keys.stop_marks(sweep_id)]
        for run_id, _ in rows:
            keys_ += [keys.run(sweep_id, run_id), keys.run_objective(sweep_id, run_id)]
        after = int(rows[-1][1]) if rows else cursor
        status = _s((await self._script(
            "stop_index_build", keys_,
            [generation, cursor, after, "last" if len(rows) < chunk else "",
             *(run_id for run_id, _ in rows)]))[0])
        # moved: another builder moved the cursor first; the next step reads it again
        return replies.BuildStep.MORE if status == "moved" else replies.BuildStep(status)

    async def stop_standings(self, sweep_id: str, spec: IndexSpec
                             ) -> tuple[replies.IndexState, list[Standing]]:
        """Where each running run stands in its band of the index (lua/stop_standings.lua):
        (READY, standings), or (why not, []): OTHER (the index is for another rule, or
        there is none), BUILDING, OVER (a run went past the index's marks), BROKEN."""
        run_ids = await self.active_run_ids(sweep_id)
        status, *v = replies.words(await self._script(
            "stop_standings",
            [keys.sweep_meta(sweep_id), keys.stop_index(sweep_id),
             *(keys.run(sweep_id, run_id) for run_id in run_ids)],
            [spec.tag, spec.rule, repr(spec.eta), spec.min_peers, *run_ids],
        ))
        state = replies.IndexState(status)
        if state is not replies.IndexState.READY:
            return state, []
        return state, [
            Standing(run_id=v[i], number=int(v[i + 1]), band=int(v[i + 2]), count=int(v[i + 3]),
                     value=float(v[i + 4]), best=float(v[i + 5]), n=int(v[i + 6]),
                     threshold=tuple(float(x) for x in v[i + 7].split()))
            for i in range(0, len(v), 8)
        ]

    # ---------------------------------------------------------------- leases

    async def active_run_ids(self, sweep_id: str) -> list[str]:
        return await self.redis.zrange(keys.sweep_leases(sweep_id), 0, -1)

    async def pending_runs_of(self, sweep_id: str, agent_id: str) -> list[Run]:
        """The runs handed to `agent_id` that have not started: read from the index of
        each agent's active runs (one ZRANGEBYLEX, then only those runs), so the cost
        is what the agent holds, not what the sweep holds."""
        low, high = keys.agent_runs_range(agent_id)
        members = await self.redis.zrangebylex(keys.sweep_agent_runs(sweep_id), low, high)
        run_ids = [m.rpartition("\t")[2] for m in members]
        return [run for run in await self.get_runs(sweep_id, run_ids)
                if run.agent_id == agent_id and run.state is RunState.PENDING]

    async def sweeps_with_expired_leases(self, now_ms: int) -> list[str]:
        """The sweeps, whatever their state, holding at least one run whose lease expired
        (one pipeline over every sweep)."""
        ids = await self.redis.zrange(keys.sweeps_index(), 0, -1)
        async with self.redis.pipeline(transaction=False) as pipe:
            for sid in ids:
                pipe.zrangebyscore(keys.sweep_leases(sid), "-inf", now_ms, start=0, num=1)
            expired = await pipe.execute()
        return [sid for sid, found in zip(ids, expired) if found]

    async def expired_run_ids(self, sweep_id: str, now_ms: int) -> list[str]:
        return await self.redis.zrangebyscore(keys.sweep_leases(sweep_id), "-inf", now_ms)

    async def heartbeat(self, sweep_id: str, held: Sequence[tuple[str, str]],
                        expiry_ms: int) -> list[LeaseStatus]:
        """Extends the lease of each (run id, token) whose token is the run's own, and
        says how each run stands: one script, so a wrong token never moves a lease."""
        if not held:
            return []
        raw = await self._script(
            "heartbeat", [keys.sweep_leases(sweep_id), *(keys.run(sweep_id, rid) for rid, _ in held)],
            [expiry_ms, *(x for pair in held for x in pair)],
        )
        return [LeaseStatus(run_id, _s(state), _s(ok) == "1", _s(stop) == "1", _s(kind), _s(message))
                for (run_id, _), (state, ok, stop, kind, message) in zip(held, raw)]

    async def expire_run(
        self, sweep_id: str, run_id: str, now_ms: int, max_attempts: int
    ) -> SweepState | None:
        """Crashes the run if its lease expired (rechecked in the script): the sweep's
        state then, None when the run did not crash."""
        return replies.expired(await self._script(
            "expire_run",
            keys.expire_run_keys(sweep_id, run_id),
            [run_id, now_ms, max_attempts],
        ))

    async def run_fields(self, sweep_id: str, run_ids: Sequence[str], *fields: str) -> list[list[str | None]]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for rid in run_ids:
                pipe.hmget(keys.run(sweep_id, rid), list(fields))
            return await pipe.execute()

    # ---------------------------------------------------------------- metrics

    async def report_metrics(
        self,
        sweep_id: str,
        run_id: str,
        token: str,
        seq: int,
        points: Sequence[MetricPoint],
        *,
        now_ms: int,
        metric_name: str | None,
        maximize: bool,
        target: float | None,
        objectives: Sequence[tuple[str, float]] = (),
    ) -> replies.Reported:
        """Stores a batch (once: a resent one is a duplicate). `objectives` (a
        multi-objective sweep's (name, sign) pairs, sign -1 for maximize) replaces
        `metric_name`: see `_point_args`. NotFound, LeaseLost; OutOfRange for a seq
        that is not the next."""
        args: list[Any] = [token, seq, now_ms, run_id, -1 if maximize else 1,
                           "" if target is None else repr(float(target)),
                           self.metrics_maxlen, len(points)]
        if sum(len(p.values) for p in points) > INLINE_VALUES:
            args += await asyncio.to_thread(_point_args, points, metric_name, objectives)
        else:
            args += _point_args(points, metric_name, objectives)
        run_keys = [keys.sweep_meta(sweep_id), *keys.run_keys(sweep_id, run_id),
                    keys.stop_index(sweep_id), keys.stop_marks(sweep_id)]
        return replies.reported(await self._script("report_metrics", run_keys, args),
                                sweep_id, run_id, seq)

    async def metric_points(
        self, sweep_id: str, run_id: str, start: str = "-", count: int | None = None
    ) -> list[tuple[str, MetricPoint]]:
        entries = await self.redis.xrange(keys.run_metrics(sweep_id, run_id), min=start, count=count)
        return await _decoded(entries)

    async def metric_page(
        self, sweep_id: str, run_id: str, after: str | None, limit: int
    ) -> tuple[list[tuple[str, MetricPoint]], bool] | None:
        """Up to `limit` points stored after the entry `after` (None: from the first),
        read with one XRANGE with COUNT (one more, to see whether more follow), and
        whether more follow; None when the sweep has no such run."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.exists(keys.run(sweep_id, run_id))
            pipe.xrange(keys.run_metrics(sweep_id, run_id),
                        min="-" if after is None else f"({after}", count=limit + 1)
            exists, entries = await pipe.execute()
        if not exists:
            return None
        return await _decoded(entries[:limit]), len(entries) > limit


_encode = json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode


def _prior_call(sweep_id: str, batch: Sequence[PriorRecord], first: int
                ) -> tuple[list[str], list[Any]]:
    """KEYS (the runs zset, then each run's hash and summary) and ARGV of a batch of
    prior runs numbered from first + 1, as lua/_prior_runs.lua takes them."""
    keys_ = [keys.sweep_runs(sweep_id)]
    args: list[Any] = []
    for i, p in enumerate(batch):
        keys_ += [keys.run(sweep_id, p.run_id), keys.run_summary(sweep_id, p.run_id)]
        best = "" if p.best is None else repr(float(p.best))
        args += [p.run_id, first + i + 1, _encode(p.config), p.note, best, len(p.summary)]
        for key, value in p.summary.items():
            args += [key, _encode(value)]
    return keys_, args


# A batch with more values than this is encoded off the event loop.
INLINE_VALUES = 2_000


def _point_args(points: Sequence[MetricPoint], metric_name: str | None,
                objectives: Sequence[tuple[str, float]] = ()) -> list[Any]:
    """report_metrics.lua's arguments after the first 8: the points (one argument
    each, "step TAB wall ms TAB values JSON": a third of the arguments to pack and
    parse), the summary pairs, the objective list's new entries, the objectives'
    best-value fields.

    Single-objective: the entries are the values of the sweep metric. Multi-objective
    (`objectives`): one JSON array per point that holds a number for every objective
    (in config order), and per objective the batch's best value, which the script
    keeps in the run hash when it beats the stored one."""
    args: list[Any] = []
    latest: dict[str, Any] = {}
    entries: list[str] = []
    best: dict[str, float] = {}
    for p in points:
        args.append(f"{p.step}\t{int(p.wall_time * 1000)}\t{_encode(p.values)}")
        latest.update(p.values)
        if objectives:
            entries += _objective_entry(p.values, objectives, best)
        elif metric_name is not None:
            v = p.values.get(metric_name)
            if finite_number(v):  # anything else is stored but judges nothing
                entries.append(repr(float(v)))
    args.append(len(latest))
    for key, value in latest.items():
        args += [key, _encode(value)]
    args.append(len(entries))
    args += entries
    args.append(len(best))
    for name, sign in objectives:
        if name in best:
            args += [objective_field(name), int(sign), repr(best[name])]
    return args


def _objective_entry(values: dict[str, Any], objectives: Sequence[tuple[str, float]],
                     best: dict[str, float]) -> list[str]:
    """The point's objective vector as a JSON array ([] when it lacks one), folding
    each objective it holds into `best`."""
    vector = []
    for name, sign in objectives:
        v = values.get(name)
        if not finite_number(v):
            continue
        v = float(v)
        vector.append(v)
        if name not in best or sign * v < sign * best[name]:
            best[name] = v
    if len(vector) < len(objectives):
        return []
    return [_encode(vector)]


async def _decoded(entries: list[tuple[str, dict[str, str]]]) -> list[tuple[str, MetricPoint]]:
    """Stream entries as (entry id, point); more than DECODE_INLINE_ROWS off the event loop."""
    def decode() -> list[tuple[str, MetricPoint]]:
        return [(eid, decode_point(fields)) for eid, fields in entries]

    return await asyncio.to_thread(decode) if len(entries) > DECODE_INLINE_ROWS else decode()


def decode_point(fields: dict[str, str]) -> MetricPoint:
    return MetricPoint(
        step=int(fields["s"]), wall_time=int(fields["t"]) / 1000.0, values=json.loads(fields["v"])
    )
