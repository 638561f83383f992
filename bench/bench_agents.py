"""Many agents in steady state (issue 14, target 3): 5,000 agents on one controller,
each holding its Connect stream, runs of about 30 s, one metric point a second each.

Each simulated agent behaves as the SDK's agent does for a function that logs one
point a second: a Connect stream (hello, Welcome, a Heartbeat every heartbeat interval
listing the runs it holds), and a loop of

    RunRequest -> RunAssignment (timed) -> StartRun -> one metric batch a second
    (one point each, seq 1, 2, ...) on the run's ReportMetrics stream, each ack awaited
    -> FinishRun FINISHED carrying the last point

(`--transport once`: a ReportMetricsOnce call per point instead of the stream, what
the SDK did before it kept a stream per run)

with runs of --run-seconds (+-10%, so that agents do not fall into step). Agents send
their first RunRequest at a random moment of the first run length, so assignments
arrive at a steady rate: agents / run-seconds a second (about 170/s for 5,000 agents
and 30 s), and points at agents / interval a second (5,000/s).

The load generator multiplexes: --processes worker processes, each with --channels
gRPC channels (one TCP connection each), every agent of a process on one of them, so
that thousands of streams cost a few processes and connections. A phase runs
--duration seconds after every agent has connected; only what happens after --warmup
(by default one run length plus 5 s: every agent is then on its second run) counts.
At the deadline each agent finishes the run it holds with the points it has sent
(FinishRun carrying the last one), half-closes its stream and reports.

Phases: `1 replica` and `2 replicas` (two controller processes on one Redis, agents
alternately on each). After each phase the records are checked as bench_load.py
checks them (bench_load.verify): every run received by exactly one agent once, every
finished run FINISHED once, numbers 1..N, meta counters == records, nothing left
pending/running/leased, each run's point count and last seq == what its agent sent.

Printed per phase: errors, assignments/s and points/s (offered and done), assignment
and report latency (p50/p99/max), how late agents sent their points against their
schedule (the generator's own lag: when it is high the generator, not the controller,
is the bottleneck), controller VmRSS (largest 1 s sample), and CPU seconds per second
of the window of the controller(s), Redis and the generator, with the controller's
CPU per stored point, everything included (the agent's heartbeats and its share of
assignments ride on its points) and the points/s one controller core would carry at
that cost.

    python bench/bench_agents.py                           # 5,000 agents, 1 and 2 replicas; ~6 min
    python bench/bench_agents.py --agents 1000 --replicas 1 --duration 60
    python bench/bench_agents.py --quick                   # 300 agents, 10 s runs, ~1 min
    python bench/bench_agents.py --storm 20000 --replicas ""   # only the hello storm (below)

With --storm RUNS, a hello storm comes first: a sweep is given RUNS pending runs of
other agents (through assign_run.lua, as the controller creates them), then every
agent says hello at once, as a fleet does when its controller restarts; printed: the
time for all hellos and the controller's and Redis's CPU per hello. A hello re-sends
the agent's lost assignments, which the controller once found by reading every active
run of the sweep (O(active runs) per hello); with --baseline, the storm runs against
both versions.

Everything runs on 127.0.0.1 and a private Redis on a unix socket (never :6379).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import multiprocessing as mp
import os
import random
import re
import sys
import time
import traceback
from dataclasses import dataclass, field

import grpc
import redis

import sweepd
from sweepd.controller.storage import keys
from sweepd.controller.storage.scripts import script_source
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import agent_service_pb2_grpc as agent_grpc
from sweepd.v1 import metric_service_pb2 as metric_pb
from sweepd.v1 import metric_service_pb2_grpc as metric_grpc
from sweepd.v1 import types_pb2 as pb

from bench_load import Stats, controller_proc, describe, log_problems, verify
from common import (RANDOM_SWEEP, cpu_seconds, machine, own_cpu_seconds, percentile, print_failures,
                    tree_cpu_seconds, tree_rss_kib,
                    private_redis, table)

RPC_TIMEOUT = 60.0
ASSIGNMENT_TIMEOUT = 60.0
# streams of one process opening at once: the controller lets one address have at most
# 32 streams waiting for their hello (limits.MAX_STREAMS_WITHOUT_HELLO)
CONNECT_CONCURRENCY = 8


@dataclass
class SteadyStats(Stats):
    """Stats (bench_load) plus what a steady load shows."""

    report_latencies: list[float] = field(default_factory=list)   # batch -> ack, in the window
    send_lag: list[float] = field(default_factory=list)           # s behind schedule, in the window
    points_in_window: int = 0
    heartbeats_in_window: int = 0
    loop_lag: list[float] = field(default_factory=list)           # generator event loop, in the window

    def error(self, text: str) -> None:
        self.n_errors += 1
        self.kinds[re.sub(r"^steady-\S+: ", "", re.sub(r"\b[a-z0-9]{8}\b", "<id>", text))[:120]] += 1
        if len(self.errors) < 50:
            self.errors.append(text)


def merge(parts: list[SteadyStats]) -> SteadyStats:
    out = SteadyStats()
    for s in parts:
        for name in ("latencies", "assigned", "finished", "held_at_stop", "held_broken", "errors",
                     "report_latencies", "send_lag", "loop_lag"):
            getattr(out, name).extend(getattr(s, name))
        for name in ("assigned_in_window", "finished_in_window", "stale_stops", "n_errors", "broken_agents",
                     "cycles", "points_in_window", "heartbeats_in_window"):
            setattr(out, name, getattr(out, name) + getattr(s, name))
        out.max_latency_all = max(out.max_latency_all, s.max_latency_all)
        out.kinds.update(s.kinds)
        out.stream_ends.update(s.stream_ends)
    return out


# ---------------------------------------------------------------- one simulated agent

class Agent:
    """One agent on a shared channel: its stream, its heartbeats, its runs."""

    def __init__(self, channel: grpc.aio.Channel, sweep_id: str, agent_id: str, opts: dict,
                 stats: SteadyStats, window: list[float]):
        self.agents = agent_grpc.AgentServiceStub(channel)
        self.metrics = metric_grpc.MetricServiceStub(channel)
        self.sweep_id, self.agent_id, self.opts, self.stats = sweep_id, agent_id, opts, stats
        self.window = window  # [w0, w1], wall clock, set when the phase starts
        self.held: dict[str, str] = {}
        self.finished_ids: set[str] = set()
        self.assignments: asyncio.Queue = asyncio.Queue()
        self.write_lock = asyncio.Lock()  # one write at a time on the stream (grpc.aio's rule)
        self.rng = random.Random(agent_id)
        self.broken = False
        self.step = ""  # what the agent was doing, for error messages

    def _in_window(self, t: float | None = None) -> bool:
        t = time.time() if t is None else t
        return self.window[0] <= t < self.window[1]

    async def connect(self) -> None:
        self.call = self.agents.Connect()
        await self.call.write(agent_pb.AgentMessage(hello=agent_pb.AgentHello(
            sweep_id=self.sweep_id, agent_id=self.agent_id, hostname="bench-agents")))
        first = await asyncio.wait_for(self.call.read(), RPC_TIMEOUT)
        if first is grpc.aio.EOF or first.WhichOneof("kind") != "welcome":
            raise RuntimeError(f"expected Welcome, got {first!r}")
        self.interval = first.welcome.heartbeat_interval_seconds
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        try:
            while True:
                message = await self.call.read()
                if message is grpc.aio.EOF:
                    return
                kind = message.WhichOneof("kind")
                if kind == "assignment":
                    self.assignments.put_nowait((time.perf_counter(), message.assignment))
                elif kind == "stop" and message.stop.run_id in self.finished_ids \
                        and message.stop.reason.kind == "lease":
                    self.stats.stale_stops += 1  # a heartbeat listing it crossed its FinishRun
                else:
                    self.stats.error(f"{self.agent_id}: unexpected {kind}: {message}")
        except grpc.aio.AioRpcError:
            self.stats.stream_ends[self.agent_id] = time.time()
            raise
        finally:
            self.assignments.put_nowait((time.perf_counter(), None))

    async def _heartbeats(self, start: float, done: asyncio.Event) -> None:
        """A heartbeat every interval until `done` (never cancelled mid-write: grpc.aio
        cancels the whole call when a write is cancelled)."""
        pause = max(0.0, start - time.time()) + self.rng.uniform(0, self.interval)
        while not await _wait(done, pause):
            held = [agent_pb.HeldRun(run_id=r, lease_token=t) for r, t in self.held.items()]
            async with self.write_lock:
                await self.call.write(agent_pb.AgentMessage(heartbeat=agent_pb.Heartbeat(held_runs=held)))
            if self._in_window():
                self.stats.heartbeats_in_window += 1
            pause = self.interval

    async def run(self, start: float, deadline: float) -> None:
        done = asyncio.Event()
        beater = asyncio.create_task(self._heartbeats(start, done))
        try:
            # the first request at a random moment of the first run length: a steady rate
            await asyncio.sleep(max(0.0, start - time.time()) + self.rng.uniform(0, self.opts["run_seconds"]))
            while time.time() < deadline and not self.broken:
                try:
                    await self._cycle(deadline)
                except Exception as exc:  # noqa: BLE001 - reported; this agent stops
                    self.stats.error(f"{self.agent_id}: {self.step}: {describe(exc)}")
                    self.stats.broken_agents += 1
                    self.broken = True
        finally:
            done.set()
            try:
                await beater
            except Exception as exc:  # noqa: BLE001 - a heartbeat write failed
                if not self.broken:
                    self.stats.error(f"{self.agent_id}: heartbeat: {describe(exc)}")
                    self.broken = True

    async def _cycle(self, deadline: float) -> None:
        self.step = "RunRequest"
        async with self.write_lock:
            sent, t0 = time.time(), time.perf_counter()
            await self.call.write(agent_pb.AgentMessage(run_request=agent_pb.RunRequest(count=1)))
        t_recv, a = await asyncio.wait_for(self.assignments.get(), ASSIGNMENT_TIMEOUT)
        if a is None:
            raise RuntimeError("Connect stream ended")
        latency = t_recv - t0
        self.stats.max_latency_all = max(self.stats.max_latency_all, latency)
        if self._in_window(sent):
            self.stats.latencies.append(latency)
        if self._in_window():
            self.stats.assigned_in_window += 1
        run_id, token = a.run.id, a.lease_token
        self.held[run_id] = token
        self.stats.assigned.append((run_id, a.run.number, self.agent_id))
        if self.opts["start_run"]:
            self.step = "StartRun"
            await self.agents.StartRun(agent_pb.StartRunRequest(
                sweep_id=self.sweep_id, run_id=run_id, lease_token=token), timeout=RPC_TIMEOUT)
        n = max(1, round(self.opts["run_seconds"] * self.rng.uniform(0.9, 1.1) / self.opts["interval"]))
        began, seq = time.time(), 0
        stream = None  # the run's ReportMetrics stream (--transport stream, as the SDK)
        while True:
            due = began + (seq + 1) * self.opts["interval"]
            last = seq + 1 == n or due >= deadline
            await asyncio.sleep(max(0.0, due - time.time()))
            seq += 1
            if self._in_window(due):
                self.stats.send_lag.append(time.time() - due)
            point = metric_pb.MetricPoint(step=seq, values={
                "loss": pb.Value(double_value=1.0 / seq + self.rng.random() * 1e-3)})
            point.wall_time.GetCurrentTime()
            batch = metric_pb.MetricBatch(sweep_id=self.sweep_id, run_id=run_id, lease_token=token,
                                          seq=seq, points=[point])
            if last:
                break
            t1 = time.perf_counter()
            if self.opts["transport"] == "stream":
                self.step = f"ReportMetrics stream seq {seq}"
                if stream is None:
                    stream = self.metrics.ReportMetrics()
                await stream.write(batch)
                ack = await asyncio.wait_for(stream.read(), RPC_TIMEOUT)
            else:
                self.step = f"ReportMetricsOnce seq {seq}"
                ack = await self.metrics.ReportMetricsOnce(batch, timeout=RPC_TIMEOUT)
            if ack.seq != seq or ack.duplicate or ack.should_stop:
                raise RuntimeError(f"ack for {run_id} seq {seq}: {ack}")
            if self._in_window():
                self.stats.report_latencies.append(time.perf_counter() - t1)
                self.stats.points_in_window += 1
        if stream is not None:
            self.step = "ReportMetrics stream close"
            await stream.done_writing()
            if (code := await asyncio.wait_for(stream.code(), RPC_TIMEOUT)) != grpc.StatusCode.OK:
                raise RuntimeError(f"ReportMetrics stream of {run_id} ended with {code}")
        self.finished_ids.add(run_id)
        self.step = "FinishRun"
        run = await self.agents.FinishRun(agent_pb.FinishRunRequest(
            sweep_id=self.sweep_id, run_id=run_id, lease_token=token, state=pb.RUN_STATE_FINISHED,
            exit_code=0, final_metrics=batch), timeout=RPC_TIMEOUT)
        if run.state != pb.RUN_STATE_FINISHED:
            raise RuntimeError(f"FinishRun({run_id}) -> state {run.state}")
        if self._in_window():
            self.stats.points_in_window += 1
            self.stats.finished_in_window += 1
        del self.held[run_id]
        self.stats.finished.append((run_id, seq))  # one point a batch: points == last seq
        self.stats.cycles += 1

    async def close(self) -> None:
        try:
            if not self.call.done():
                async with self.write_lock:
                    await self.call.done_writing()
            with contextlib.suppress(grpc.aio.AioRpcError, asyncio.CancelledError):
                await asyncio.wait_for(self.reader, RPC_TIMEOUT)
            code = await self.call.code()
            if code != grpc.StatusCode.OK and not self.broken:
                self.stats.error(f"{self.agent_id}: Connect ended with {code}: {await self.call.details()}")
                self.broken = True
        except Exception as exc:  # noqa: BLE001
            self.stats.error(f"{self.agent_id}: closing: {describe(exc)}")
        (self.stats.held_broken if self.broken else self.stats.held_at_stop).extend(self.held)
        while not self.assignments.empty():
            if self.assignments.get_nowait()[1] is not None:
                self.stats.error(f"{self.agent_id}: an assignment it never asked for")


# ---------------------------------------------------------------- worker processes

async def _wait(event: asyncio.Event, seconds: float) -> bool:
    """Whether `event` is set within `seconds`."""
    try:
        await asyncio.wait_for(event.wait(), seconds)
        return True
    except asyncio.TimeoutError:
        return event.is_set()


async def _loop_lag(stats: SteadyStats, window: list[float], every: float = 0.1) -> None:
    """How late the generator's event loop wakes up (its own saturation)."""
    while True:
        t = time.perf_counter()
        await asyncio.sleep(every)
        if window[0] <= time.time() < window[1]:
            stats.loop_lag.append(time.perf_counter() - t - every)


async def _worker_main(addresses, sweep_id, first, count, opts, tag, ready, go, times, results) -> None:
    stats, window = SteadyStats(), [float("inf"), float("inf")]
    channels = [grpc.aio.insecure_channel(addresses[c % len(addresses)],
                                          options=[("grpc.use_local_subchannel_pool", 1)])
                for c in range(opts["channels"])]
    # agent i talks to controller i % replicas, on one of that controller's channels
    agents = []
    for i in range(first, first + count):
        replica = i % len(addresses)
        mine = [ch for c, ch in enumerate(channels) if c % len(addresses) == replica]
        agents.append(Agent(mine[(i // len(addresses)) % len(mine)], sweep_id,
                            f"steady-{tag}-{i:05d}", opts, stats, window))
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def connect(agent: Agent) -> None:
        async with gate:
            await agent.connect()

    results_ = await asyncio.gather(*(connect(a) for a in agents), return_exceptions=True)
    for exc in [r for r in results_ if isinstance(r, BaseException)][:5]:
        stats.error(f"connect: {describe(exc)}")
    stats.n_errors += max(0, sum(isinstance(r, BaseException) for r in results_) - 5)
    agents = [a for a, r in zip(agents, results_) if not isinstance(r, BaseException)]
    ready.put(len(agents))
    await asyncio.get_running_loop().run_in_executor(None, go.wait)
    start, w0, w1, deadline = times[:]
    window[:] = [w0, w1]
    lag = asyncio.create_task(_loop_lag(stats, window))
    cpu0 = own_cpu_seconds()
    runs = asyncio.gather(*(a.run(start, deadline) for a in agents))
    await asyncio.sleep(max(0.0, w0 - time.time()))
    cpu_w0 = own_cpu_seconds()
    await asyncio.sleep(max(0.0, w1 - time.time()))
    cpu = own_cpu_seconds() - cpu_w0
    await runs
    lag.cancel()
    await asyncio.gather(*(a.close() for a in agents))
    for channel in channels:
        await channel.close()
    results.put((first, stats, cpu, own_cpu_seconds() - cpu0))


def _worker(*args) -> None:
    try:
        asyncio.run(_worker_main(*args))
    except BaseException as exc:  # noqa: BLE001 - the parent reports it
        traceback.print_exc()
        stats = SteadyStats()
        stats.error(f"worker crashed: {type(exc).__name__}: {exc}")
        args[-1].put((args[2], stats, 0.0, 0.0))


# ---------------------------------------------------------------- one phase

@dataclass
class PhaseResult:
    name: str
    replicas: int
    agents: int
    window: float
    stats: SteadyStats
    generator_cpu: float          # CPU s in the window, all worker processes
    controller_cpu: list[float]   # CPU s in the window, per replica
    redis_cpu: float
    rss_max_kib: list[int]        # largest VmRSS sample in the window, per replica
    checks: list[tuple[str, bool, str]]
    log_problems: list[str]
    runs: int


def run_phase(args, redis_server, replicas: int, code: str | None = None) -> PhaseResult:
    name = (f"{replicas} replica" + ("s" if replicas > 1 else "")
            + (f" x {args.workers} workers" if args.workers > 1 else "") + (", baseline" if code else ""))
    extra = ["--workers", str(args.workers)] if args.workers > 1 else []
    with contextlib.ExitStack() as stack:
        ctls = [stack.enter_context(controller_proc(
            redis_server.url, lease_seconds=args.lease, pythonpath=code, extra=extra,
            profile=f"{args.profile}-{replicas}r{'-baseline' if code else ''}-{i}.prof" if args.profile else None))
            for i in range(replicas)]
        addresses = [c.address for c in ctls]
        sweep_id = sweepd.sweep({**RANDOM_SWEEP, "name": f"bench-agents-{replicas}r"}, controller=addresses[0])
        print(f"[{name}] controllers {', '.join(addresses)}, sweep {sweep_id}; connecting {args.agents} agents "
              f"in {args.processes} processes x {args.channels} channels...", flush=True)
        ctx = mp.get_context("spawn")
        ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        times = ctx.Array("d", 4)
        per = [args.agents // args.processes + (1 if i < args.agents % args.processes else 0)
               for i in range(args.processes)]
        opts = {"run_seconds": args.run_seconds, "interval": args.interval, "channels": args.channels,
                "start_run": not args.no_start_run, "transport": args.transport}
        procs, first = [], 0
        for n in per:
            p = ctx.Process(target=_worker, daemon=True, args=(
                addresses, sweep_id, first, n, opts, f"{replicas}r", ready, go, times, results))
            p.start()
            procs.append(p)
            first += n
        t_connect = time.monotonic()
        connected = sum(ready.get(timeout=600) for _ in procs)
        print(f"[{name}] {connected} agents connected in {time.monotonic() - t_connect:.1f} s; running "
              f"{args.duration:g} s ({args.warmup:g} s warm-up)", flush=True)
        start = time.time() + 1.0
        w0, w1 = start + args.warmup, start + args.duration
        times[:] = [start, w0, w1, w1]
        go.set()
        pids = [c.pid for c in ctls]  # with --workers, each a supervisor: its tree counts
        time.sleep(max(0.0, w0 - time.time()))
        cpu0 = [tree_cpu_seconds(p) for p in pids]
        rcpu0 = cpu_seconds(redis_server.process.pid)
        rss = [0] * replicas
        while time.time() < w1:
            time.sleep(max(0.0, min(1.0, w1 - time.time())))
            rss = [max(r, tree_rss_kib(p)) for r, p in zip(rss, pids)]
        controller_cpu = [tree_cpu_seconds(p) - c for p, c in zip(pids, cpu0)]
        redis_cpu = cpu_seconds(redis_server.process.pid) - rcpu0
        parts, generator_cpu = [], 0.0
        for _ in procs:
            _, stats, cpu, _ = results.get(timeout=ASSIGNMENT_TIMEOUT + 4 * RPC_TIMEOUT + 120)
            parts.append(stats)
            generator_cpu += cpu
        for p in procs:
            p.join(30)
        stats = merge(parts)
        if connected != args.agents:
            stats.error(f"only {connected} of {args.agents} agents connected")
        print(f"[{name}] agents stopped; checking the records...", flush=True)
        checks, _ = verify(addresses[0], redis_server.url, sweep_id, stats, 1)
        runs = len(stats.assigned)
        problems = [f"controller {i}: {line}" for i, c in enumerate(ctls) for line in log_problems(c.log_path)
                    if not _other_sweep(line, sweep_id)]
    return PhaseResult(name, replicas, args.agents, w1 - w0, stats, generator_cpu, controller_cpu, redis_cpu,
                       rss, checks, problems, runs)


# ---------------------------------------------------------------- hello storm

async def _storm_main(addresses, sweep_id, first, count, channels, tag, go, results) -> None:
    """Connects `count` agents at once (hello, Welcome), then closes them."""
    stats = SteadyStats()
    chans = [grpc.aio.insecure_channel(addresses[0], options=[("grpc.use_local_subchannel_pool", 1)])
             for _ in range(channels)]
    agents = [Agent(chans[i % channels], sweep_id, f"storm-{tag}-{i:05d}", {}, stats, [0.0, 0.0])
              for i in range(first, first + count)]
    for chan in chans:
        await chan.channel_ready()
    await asyncio.get_running_loop().run_in_executor(None, go.wait)
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def connect(agent: Agent) -> None:
        async with gate:
            await agent.connect()

    t0 = time.perf_counter()
    outcome = await asyncio.gather(*(connect(a) for a in agents), return_exceptions=True)
    seconds = time.perf_counter() - t0
    for exc in [r for r in outcome if isinstance(r, BaseException)][:5]:
        stats.error(f"connect: {describe(exc)}")
    await asyncio.gather(*(a.close() for a, r in zip(agents, outcome) if not isinstance(r, BaseException)))
    for chan in chans:
        await chan.close()
    results.put((seconds, stats.n_errors, stats.errors[:3]))


def _storm_worker(*args) -> None:
    asyncio.run(_storm_main(*args))


def prefill(redis_url: str, sweep_id: str, n: int, chunk: int = 2_000) -> None:
    """n pending runs of other agents ("other-K", 8 runs each), created by
    assign_run.lua as the controller creates them, leased for an hour."""
    r = redis.Redis.from_url(redis_url, decode_responses=True)
    script = r.register_script(script_source("assign_run"))
    now = int(time.time() * 1000)
    for lo in range(0, n, chunk):
        with r.pipeline(transaction=False) as pipe:
            for i in range(lo, min(n, lo + chunk)):
                rid = f"pf{i:07d}"
                script(keys=keys.assign_run_keys(sweep_id, rid),
                       args=[rid, sweep_id, "", '{"lr": 0.01, "layers": 2, "dropout": 0.1}', f"other-{i // 8}",
                             "t" + rid, now, now + 3_600_000, "", "", 0, "1", ""], client=pipe)
            pipe.execute()
    r.close()


@dataclass
class StormResult:
    name: str
    agents: int
    active_runs: int
    seconds: float
    controller_cpu: float
    redis_cpu: float
    errors: int
    notes: list[str]


def hello_storm(args, redis_server, code: str | None = None) -> StormResult:
    """Every agent says hello at once to a sweep holding --storm active runs of other
    agents (a controller restart: the whole fleet reconnects)."""
    name = "hello storm" + (", baseline" if code else "")
    with controller_proc(redis_server.url, lease_seconds=args.lease, pythonpath=code) as ctl:
        sweep_id = sweepd.sweep({**RANDOM_SWEEP, "name": "bench-agents-storm"}, controller=ctl.address)
        prefill(redis_server.url, sweep_id, args.storm)
        print(f"[{name}] {args.storm:,} active runs of other agents; {args.agents} agents say hello...", flush=True)
        ctx = mp.get_context("spawn")
        go, results = ctx.Event(), ctx.Queue()
        per = [args.agents // args.processes + (1 if i < args.agents % args.processes else 0)
               for i in range(args.processes)]
        procs, first = [], 0
        for n in per:
            p = ctx.Process(target=_storm_worker, daemon=True,
                            args=([ctl.address], sweep_id, first, n, args.channels, "s", go, results))
            p.start()
            procs.append(p)
            first += n
        time.sleep(2.0)  # the workers' channels are up
        cpu0, rcpu0 = cpu_seconds(ctl.pid), cpu_seconds(redis_server.process.pid)
        go.set()
        parts = [results.get(timeout=1800) for _ in procs]
        controller_cpu = cpu_seconds(ctl.pid) - cpu0
        redis_cpu = cpu_seconds(redis_server.process.pid) - rcpu0
        for p in procs:
            p.join(30)
        problems = log_problems(ctl.log_path)
    return StormResult(name, args.agents, args.storm, max(p[0] for p in parts), controller_cpu, redis_cpu,
                       sum(p[1] for p in parts), [t for p in parts for t in p[2]] + problems[:3])


def storm_report(storms: list[StormResult]) -> bool:
    print()
    print("Hello storm: every agent connects at once (hello -> Welcome; the controller re-sends each "
          "agent's lost assignments) to a sweep holding active runs of other agents:")
    rows = [(s.name, s.agents, s.active_runs, s.errors, s.seconds, s.agents / s.seconds,
             1e3 * s.controller_cpu / s.agents, 1e3 * s.redis_cpu / s.agents) for s in storms]
    print(table(("phase", "agents", "active runs in the sweep", "errors", "s for all hellos", "hellos/s",
                 "ctl CPU ms/hello", "Redis CPU ms/hello"), rows))
    for s in storms:
        for note in s.notes:
            print(f"  [{s.name}] {note[:200]}")
    return not any(s.errors for s in storms)


def _other_sweep(line: str, sweep_id: str) -> bool:
    """A log line about another sweep: an earlier phase's runs, which this phase's
    controllers reap when the agents of that phase stopped on errors."""
    found = re.search(r"\bof sweep (\S+)", line)
    return bool(found) and found.group(1) != sweep_id


# ---------------------------------------------------------------- report

def ms(values: list[float], q: float) -> float:
    return percentile(sorted(values), q) * 1e3


def report(args, phases: list[PhaseResult]) -> bool:
    ok = True
    offered_assign = args.agents / args.run_seconds
    offered_points = args.agents / args.interval
    rows = []
    for p in phases:
        s, w = p.stats, p.window
        ctl = sum(p.controller_cpu)
        per_point = ctl / max(1, s.points_in_window)
        rows.append((
            p.name, p.agents, s.n_errors,
            f"{s.assigned_in_window / w:.0f} / {offered_assign:.0f}",
            f"{s.points_in_window / w:,.0f} / {offered_points:,.0f}",
            f"{ms(s.latencies, 50):.1f} / {ms(s.latencies, 99):.1f} / {max(s.latencies, default=0) * 1e3:.0f}",
            f"{ms(s.report_latencies, 50):.1f} / {ms(s.report_latencies, 99):.1f}",
            f"{ms(s.send_lag, 50):.0f} / {ms(s.send_lag, 99):.0f}",
            "/".join(f"{x / 1024:.0f}" for x in p.rss_max_kib),
            "+".join(f"{c / w:.2f}" for c in p.controller_cpu), f"{p.redis_cpu / w:.2f}", f"{p.generator_cpu / w:.2f}",
            f"{per_point * 1e6:.0f}", f"{1 / per_point:,.0f}" if per_point else "-",
        ))
    print()
    print(f"Agents in steady state, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {machine()}, "
          f"load average at start {args.loadavg}; {args.processes} generator processes x {args.channels} channels; "
          f"runs of {args.run_seconds:g} s +-10%, a point every {args.interval:g} s, lease {args.lease:g} s; "
          f"{args.duration:g} s per phase, the first {args.warmup:g} s not counted")
    print(table(("phase", "agents", "errors", "assign/s done / offered", "points/s done / offered",
                 "assign p50/p99/max ms", "report p50/p99 ms", "send lag p50/p99 ms", "ctl RSS max MiB",
                 "ctl CPU s/s", "Redis CPU s/s", "generator CPU s/s", "ctl CPU us/point",
                 "points/s per ctl core"), rows))
    print("(send lag: how late agents sent points against their schedule; the generator's loop lag p99 is "
          "below. ctl CPU us/point: the controllers' CPU in the window over the points stored in it, "
          "everything included (an agent's points carry its heartbeats and its runs' assignment, "
          "StartRun and FinishRun); points/s per ctl core: 1 s / that, what one controller process could carry with a "
          "core to itself)")
    for p in phases:
        print()
        s = p.stats
        print(f"[{p.name}] {p.runs:,} runs; {s.heartbeats_in_window / p.window:,.0f} heartbeats/s; generator loop "
              f"lag p50/p99 {ms(s.loop_lag, 50):.0f}/{ms(s.loop_lag, 99):.0f} ms; stale StopRun {s.stale_stops}")
        for name, passed, detail in p.checks:
            ok &= passed
            print(f"  {'ok  ' if passed else 'FAIL'} {name}{': ' + detail if detail else ''}")
        ok &= print_failures(s.n_errors, s.broken_agents, p.agents, s.kinds, p.log_problems)
    print()
    print("result:", "all checks passed, no errors" if ok else "FAILED")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="300 agents, 10 s runs, 1 replica, 40 s")
    parser.add_argument("--agents", type=int, default=None, help="agents (default 5,000)")
    parser.add_argument("--processes", type=int, default=2, help="generator processes (default 2)")
    parser.add_argument("--channels", type=int, default=50, help="channels (TCP connections) per process")
    parser.add_argument("--run-seconds", type=float, default=None, help="run length (default 30)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between an agent's points")
    parser.add_argument("--duration", type=float, default=None, help="seconds per phase (default 100)")
    parser.add_argument("--warmup", type=float, default=None, help="seconds not counted (default run + 5)")
    parser.add_argument("--replicas", default=None, help="phases: replica counts (default 1,2)")
    parser.add_argument("--lease", type=float, default=30.0, help="controller --lease-seconds")
    parser.add_argument("--workers", type=int, default=1,
                        help="controller --workers: processes per replica (CPU and RSS summed over them)")
    parser.add_argument("--baseline", default=None, metavar="PYTHONPATH",
                        help="before each phase, the same phase with controllers importing sweepd from here "
                             "(another version of the code, see README: A/B-testing)")
    parser.add_argument("--storm", type=int, default=0, metavar="RUNS",
                        help="first, a hello storm: every agent connects at once to a sweep holding RUNS "
                             "active runs of other agents (with --baseline, against both)")
    parser.add_argument("--profile", default=None, metavar="PREFIX",
                        help="controllers under cProfile, stats to PREFIX-<phase>-<i>.prof")
    parser.add_argument("--transport", choices=("stream", "once"), default="stream",
                        help="how points travel: a ReportMetrics stream per run (the SDK's way, "
                             "default) or a ReportMetricsOnce call per point (the SDK before)")
    parser.add_argument("--no-start-run", action="store_true",
                        help="no StartRun: the first point starts the run (the SDK when it logs within 0.1 s)")
    args = parser.parse_args()
    defaults = ({"agents": 300, "run_seconds": 10.0, "duration": 40.0, "replicas": "1"} if args.quick else
                {"agents": 5_000, "run_seconds": 30.0, "duration": 100.0, "replicas": "1,2"})
    for k, v in defaults.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    if args.warmup is None:
        args.warmup = args.run_seconds + 5.0
    if args.warmup >= args.duration:
        parser.error("--warmup must be shorter than --duration")
    args.loadavg = " ".join(f"{x:.1f}" for x in os.getloadavg())
    with private_redis() as redis_server:
        print(f"private Redis {redis_server.url}")
        storms = []
        if args.storm:
            if args.baseline:
                storms.append(hello_storm(args, redis_server, args.baseline))
            storms.append(hello_storm(args, redis_server))
        phases = []
        for r in filter(None, args.replicas.split(",")):
            if args.baseline:
                phases.append(run_phase(args, redis_server, int(r), args.baseline))
            phases.append(run_phase(args, redis_server, int(r)))
    ok = storm_report(storms) if storms else True
    if phases:
        ok &= report(args, phases)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
