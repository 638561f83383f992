"""Load: hundreds of concurrent agents against one controller, then two replicas.

Each simulated agent is a grpc.aio client with its own channel (its own TCP
connection: a local subchannel pool) and one Connect stream: hello, Welcome, a
Heartbeat every heartbeat interval listing the runs it holds, and a loop of

    RunRequest -> RunAssignment (timed) -> StartRun -> 2-3 ReportMetricsOnce
    batches (seq 1..n, --points points each) -> FinishRun FINISHED

as fast as the controller answers (no think time unless --think). The agents run in
--processes worker processes (asyncio, ~125 each). A phase lasts --duration seconds
after every agent has connected; only what happens after --warmup counts towards the
rates and latencies. At the deadline each agent finishes the run it has (or is
being given), half-closes its stream and reports what it did.

Phases: `1 replica` (every agent on one controller process) and `2 replicas` (two
controller processes on the same Redis, agents alternately on each). Each phase has
a sweep of its own: random, no run_cap, lease --lease seconds.

After each phase the run records are checked against what the agents saw, through
ListRuns and straight from Redis: every assigned run was received by exactly one
agent once; every run an agent finished is FINISHED, once; run numbers are 1..N
without gaps or repeats; the sweep's meta counters match the records; nothing is
left pending/running or leased (except runs an agent still held when it stopped,
which must be exactly those); each finished run's points and last seq are what its
agent sent. Any failed check, RPC error, unexpected message or non-OK stream end
is an error; the run prints them and exits 1.

    python bench/bench_load.py                  # 500 agents, 60 s per phase, ~3 min
    python bench/bench_load.py --quick          # 200 agents, 8 s per phase, ~25 s
    python bench/bench_load.py --agents 300 --duration 30 --replicas 1
    python bench/bench_load.py --profile /tmp/ctl   # controllers under cProfile (/tmp/ctl-<phase>-<i>.prof)

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
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import grpc
import redis

import sweepd
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import agent_service_pb2_grpc as agent_grpc
from sweepd.v1 import metric_service_pb2 as metric_pb
from sweepd.v1 import metric_service_pb2_grpc as metric_grpc
from sweepd.v1 import sweep_service_pb2 as sweep_pb
from sweepd.v1 import sweep_service_pb2_grpc as sweep_grpc
from sweepd.v1 import types_pb2 as pb

from common import (RANDOM_SWEEP, cpu_seconds, machine, own_cpu_seconds, percentile, print_failures,
                    private_redis, table)

RPC_TIMEOUT = 30.0          # seconds for any unary call
ASSIGNMENT_TIMEOUT = 30.0   # seconds an agent waits for an assignment before it calls it an error
CONNECT_CONCURRENCY = 25    # agents of one process opening their stream at once
MAX_ERRORS_KEPT = 50


# ---------------------------------------------------------------- controller processes

@dataclass
class ControllerProc:
    address: str
    pid: int
    log_path: Path


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS, RssAnon, RssFile, VmHWM of a process in KiB (from /proc/PID/status)."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "RssAnon", "RssFile", "VmHWM", "Threads"):
                out[name] = int(rest.split()[0])
    return out


@contextlib.contextmanager
def controller_proc(redis_url: str, *, lease_seconds: float, extra: list[str] = (),
                    profile: str | None = None, pythonpath: str | None = None) -> Iterator[ControllerProc]:
    """`python -m sweepd.cli controller` in a child process on 127.0.0.1 and a free port.
    Yields once it prints "sweepd controller listening on HOST:PORT"; SIGTERM at exit.
    The log stays readable (ControllerProc.log_path) until the block ends. With
    `pythonpath`, the controller imports sweepd from there (another version, for A/B)."""
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [pythonpath, env.get("PYTHONPATH")]))
    log_dir = Path(tempfile.mkdtemp(prefix="sweepd-bench-load-ctl-", dir="/tmp"))
    log_path = log_dir / "controller.log"
    argv = [sys.executable]
    if profile:
        argv += ["-m", "cProfile", "-o", str(Path(profile).resolve())]
    argv += ["-m", "sweepd.cli", "controller", "--host", "127.0.0.1", "--port", "0",
             "--redis-url", redis_url, "--lease-seconds", str(lease_seconds), *extra]
    with open(log_path, "wb") as log_file:
        proc = subprocess.Popen(argv, stdout=log_file, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    try:
        deadline = time.monotonic() + 60.0
        while True:
            found = re.search(r"sweepd controller listening on ([^:\s]+):(\d+)",
                              log_path.read_text(errors="replace"))
            if found:
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"controller did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.05)
        yield ControllerProc(f"127.0.0.1:{found.group(2)}", proc.pid, log_path)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if os.environ.get("SWEEPD_BENCH_KEEP_LOGS"):  # as common.controller_process
            print(f"controller log kept: {log_path}")
        else:
            shutil.rmtree(log_dir, ignore_errors=True)


def log_problems(path: Path) -> list[str]:
    """WARNING/ERROR lines (and tracebacks) of a controller log."""
    text = path.read_text(errors="replace")
    return [line for line in text.splitlines()
            if re.search(r"\b(WARNING|ERROR|CRITICAL|Traceback)\b", line)]


# ---------------------------------------------------------------- simulated agents

def channel_options() -> list[tuple[str, int]]:
    # a subchannel pool of its own: every agent gets its own TCP connection, as
    # separate agent processes would
    return [("grpc.use_local_subchannel_pool", 1)]


def point_values(step: int, rng: random.Random) -> dict[str, pb.Value]:
    return {"loss": pb.Value(double_value=1.0 / (step + 1) + rng.random() * 1e-3),
            "acc": pb.Value(double_value=rng.random()),
            "epoch": pb.Value(int_value=step // 10)}


@dataclass
class Stats:
    """What the agents of one worker process saw."""

    latencies: list[float] = field(default_factory=list)      # in the window, seconds
    assigned_in_window: int = 0
    finished_in_window: int = 0
    max_latency_all: float = 0.0                               # warm-up included
    assigned: list[tuple[str, int, str]] = field(default_factory=list)   # run id, number, agent
    finished: list[tuple[str, int]] = field(default_factory=list)        # run id, batches
    held_at_stop: list[str] = field(default_factory=list)    # by agents that stopped cleanly
    held_broken: list[str] = field(default_factory=list)     # by agents that stopped on an error
    stale_stops: int = 0        # StopRun for a run the agent had already finished (heartbeat race)
    errors: list[str] = field(default_factory=list)
    n_errors: int = 0
    cycles: int = 0

    kinds: Counter = field(default_factory=Counter)             # error text without the agent id
    broken_agents: int = 0      # agents that stopped early on an error
    stream_ends: dict[str, float] = field(default_factory=dict)  # agent -> when its stream failed (wall)

    def error(self, text: str) -> None:
        self.n_errors += 1
        self.kinds[re.sub(r"^load-\S+: ", "", text)[:120]] += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(text)


def describe(exc: BaseException) -> str:
    if isinstance(exc, grpc.aio.AioRpcError):
        return f"{exc.code().name}: {exc.details()}"
    return f"{type(exc).__name__}: {exc}"


class SimAgent:
    def __init__(self, address: str, sweep_id: str, agent_id: str, opts: dict, stats: Stats):
        self.address, self.sweep_id, self.agent_id = address, sweep_id, agent_id
        self.opts, self.stats = opts, stats
        self.held: dict[str, str] = {}
        self.finished_ids: set[str] = set()   # FinishRun sent (or done)
        self.assignments: asyncio.Queue = asyncio.Queue()
        self.write_lock = asyncio.Lock()
        self.rng = random.Random(agent_id)
        self.broken = False

    async def connect(self) -> None:
        self.channel = grpc.aio.insecure_channel(self.address, options=channel_options())
        self.agents = agent_grpc.AgentServiceStub(self.channel)
        self.metrics = metric_grpc.MetricServiceStub(self.channel)
        self.call = self.agents.Connect()
        await self.call.write(agent_pb.AgentMessage(hello=agent_pb.AgentHello(
            sweep_id=self.sweep_id, agent_id=self.agent_id, hostname="bench-load")))
        first = await asyncio.wait_for(self.call.read(), RPC_TIMEOUT)
        if first is grpc.aio.EOF or first.WhichOneof("kind") != "welcome":
            raise RuntimeError(f"expected Welcome, got {first!r}")
        self.interval = first.welcome.heartbeat_interval_seconds
        self.reader = asyncio.create_task(self._read())
        self.beater = asyncio.create_task(self._heartbeats())

    async def _write(self, message: agent_pb.AgentMessage) -> None:
        async with self.write_lock:  # the heartbeat task and the loop share the stream
            await self.call.write(message)

    async def _read(self) -> None:
        try:
            await self._read_messages()
        except grpc.aio.AioRpcError:
            self.stats.stream_ends[self.agent_id] = time.time()
            raise
        finally:  # the stream ended: wake a cycle that waits for an assignment
            self.assignments.put_nowait((time.perf_counter(), None))

    async def _read_messages(self) -> None:
        while True:
            message = await self.call.read()  # raises AioRpcError if the stream fails
            if message is grpc.aio.EOF:
                return
            kind = message.WhichOneof("kind")
            if kind == "assignment":
                self.assignments.put_nowait((time.perf_counter(), message.assignment))
            elif kind == "stop":
                run_id = message.stop.run_id
                if run_id in self.finished_ids and message.stop.reason.kind == "lease":
                    self.stats.stale_stops += 1  # a heartbeat listing it crossed its FinishRun
                else:
                    self.stats.error(f"{self.agent_id}: StopRun for a run it holds: {message.stop}")
            else:
                self.stats.error(f"{self.agent_id}: unexpected {kind}: {message}")

    async def _heartbeats(self) -> None:
        await asyncio.sleep(self.rng.uniform(0, self.interval))
        while True:
            held = [agent_pb.HeldRun(run_id=r, lease_token=t) for r, t in self.held.items()]
            await self._write(agent_pb.AgentMessage(heartbeat=agent_pb.Heartbeat(held_runs=held)))
            await asyncio.sleep(self.interval)

    async def run(self, window: tuple[float, float], deadline: float) -> None:
        """Cycles until the deadline (wall clock), then finishes the current one."""
        w0, w1 = window
        while time.time() < deadline and not self.broken:
            try:
                await self._cycle(w0, w1)
            except Exception as exc:  # noqa: BLE001 - reported, and this agent stops
                self.stats.error(f"{self.agent_id}: {describe(exc)}")
                self.stats.broken_agents += 1
                self.broken = True
            if self.opts["think"]:
                await asyncio.sleep(self.opts["think"])

    async def _cycle(self, w0: float, w1: float) -> None:
        sent_wall, t0 = time.time(), time.perf_counter()
        await self._write(agent_pb.AgentMessage(run_request=agent_pb.RunRequest(count=1)))
        t_recv, a = await asyncio.wait_for(self.assignments.get(), ASSIGNMENT_TIMEOUT)
        if a is None:
            raise RuntimeError(f"Connect stream ended: {await self._stream_status()}")
        latency = t_recv - t0
        self.stats.max_latency_all = max(self.stats.max_latency_all, latency)
        in_window = w0 <= sent_wall < w1
        if in_window:
            self.stats.latencies.append(latency)
        if w0 <= time.time() < w1:
            self.stats.assigned_in_window += 1
        run_id, token = a.run.id, a.lease_token
        self.held[run_id] = token
        self.stats.assigned.append((run_id, a.run.number, self.agent_id))
        if a.run.state != pb.RUN_STATE_PENDING:
            raise RuntimeError(f"assigned run {run_id} is in state {a.run.state}")
        run = await self.agents.StartRun(agent_pb.StartRunRequest(
            sweep_id=self.sweep_id, run_id=run_id, lease_token=token), timeout=RPC_TIMEOUT)
        if run.state != pb.RUN_STATE_RUNNING:
            raise RuntimeError(f"StartRun({run_id}) -> state {run.state}")
        batches = self.rng.choice((2, 3))
        step = 0
        for seq in range(1, batches + 1):
            points = []
            for _ in range(self.opts["points"]):
                points.append(metric_pb.MetricPoint(step=step, values=point_values(step, self.rng)))
                step += 1
            ack = await self.metrics.ReportMetricsOnce(metric_pb.MetricBatch(
                sweep_id=self.sweep_id, run_id=run_id, lease_token=token, seq=seq, points=points),
                timeout=RPC_TIMEOUT)
            if ack.seq != seq or ack.duplicate or ack.should_stop:
                raise RuntimeError(f"ack for {run_id} seq {seq}: {ack}")
        self.finished_ids.add(run_id)
        run = await self.agents.FinishRun(agent_pb.FinishRunRequest(
            sweep_id=self.sweep_id, run_id=run_id, lease_token=token,
            state=pb.RUN_STATE_FINISHED, exit_code=0), timeout=RPC_TIMEOUT)
        if run.state != pb.RUN_STATE_FINISHED:
            raise RuntimeError(f"FinishRun({run_id}) -> state {run.state}")
        del self.held[run_id]
        self.stats.finished.append((run_id, batches))
        self.stats.cycles += 1
        if w0 <= time.time() < w1:
            self.stats.finished_in_window += 1

    async def _stream_status(self) -> str:
        if not self.call.done():
            return "still open"
        return f"{await self.call.code()}: {await self.call.details()}"

    async def close(self) -> None:
        async with self.write_lock:  # the heartbeat task is not in the middle of a write
            self.beater.cancel()
        try:
            await self.beater
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # noqa: BLE001 - a heartbeat write failed
            if not self.call.done():  # (after the stream ended, that end is the error reported)
                self.stats.error(f"{self.agent_id}: heartbeat: {describe(exc)}")
        try:
            if not self.call.done():
                await self.call.done_writing()
            with contextlib.suppress(grpc.aio.AioRpcError):
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
        await self.channel.close()


async def _worker_main(addresses, sweep_id, first, count, opts, tag, ready, go, times, results) -> None:
    stats = Stats()
    agents = [SimAgent(addresses[i % len(addresses)], sweep_id, f"load-{tag}-{i:04d}", opts, stats)
              for i in range(first, first + count)]
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def connect(agent: SimAgent) -> None:
        async with gate:
            await agent.connect()

    connected = await asyncio.gather(*(connect(a) for a in agents), return_exceptions=True)
    bad = [r for r in connected if isinstance(r, BaseException)]
    for exc in bad[:5]:
        stats.error(f"connect: {describe(exc)}")
    agents = [a for a, r in zip(agents, connected) if not isinstance(r, BaseException)]
    ready.put(len(agents))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, go.wait)
    start, w0, w1, deadline = times[:]
    await asyncio.sleep(max(0.0, start - time.time()))
    cpu0 = own_cpu_seconds()
    await asyncio.gather(*(a.run((w0, w1), deadline) for a in agents))
    cpu = own_cpu_seconds() - cpu0
    await asyncio.gather(*(a.close() for a in agents))
    results.put((tag, first, stats, cpu))


def _worker(*args) -> None:
    try:
        asyncio.run(_worker_main(*args))
    except BaseException as exc:  # noqa: BLE001 - the parent reports it
        stats = Stats()
        stats.error(f"worker crashed: {type(exc).__name__}: {exc}")
        args[-1].put((args[5], args[2], stats, 0.0))


# ---------------------------------------------------------------- one phase

@dataclass
class PhaseResult:
    name: str
    replicas: int
    agents: int
    window: float
    stats: Stats
    client_cpu: float
    server_cpu: list[float]
    redis_cpu: float
    rss_kib: list[int]
    checks: list[tuple[str, bool, str]]
    log_problems: list[str]
    listruns_bytes: int
    pubsub_backlog: int      # bytes, the most seen in Redis's output buffers of the controllers' pub/sub


def merge(parts: list[Stats]) -> Stats:
    out = Stats()
    for s in parts:
        out.latencies += s.latencies
        out.assigned_in_window += s.assigned_in_window
        out.finished_in_window += s.finished_in_window
        out.max_latency_all = max(out.max_latency_all, s.max_latency_all)
        out.assigned += s.assigned
        out.finished += s.finished
        out.held_at_stop += s.held_at_stop
        out.held_broken += s.held_broken
        out.stale_stops += s.stale_stops
        out.errors += s.errors
        out.n_errors += s.n_errors
        out.kinds.update(s.kinds)
        out.broken_agents += s.broken_agents
        out.stream_ends.update(s.stream_ends)
        out.cycles += s.cycles
    return out


def run_phase(args, redis_server, name: str, replicas: int, profile_prefix: str | None) -> PhaseResult:
    with contextlib.ExitStack() as stack:
        ctls = [stack.enter_context(controller_proc(
            redis_server.url, lease_seconds=args.lease,
            profile=f"{profile_prefix}-{replicas}r-{i}.prof" if profile_prefix else None))
            for i in range(replicas)]
        addresses = [c.address for c in ctls]
        sweep_id = sweepd.sweep({**RANDOM_SWEEP, "name": f"bench-load-{replicas}r"},
                                controller=addresses[0])
        print(f"[{name}] controllers {', '.join(addresses)}, sweep {sweep_id}; "
              f"connecting {args.agents} agents in {args.processes} processes...", flush=True)
        ctx = mp.get_context("spawn")
        ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        times = ctx.Array("d", 4)
        per = [args.agents // args.processes + (1 if i < args.agents % args.processes else 0)
               for i in range(args.processes)]
        opts = {"points": args.points, "think": args.think}
        procs, first = [], 0
        for i, n in enumerate(per):
            p = ctx.Process(target=_worker, args=(addresses, sweep_id, first, n, opts, f"{replicas}r",
                                                  ready, go, times, results), daemon=True)
            p.start()
            procs.append(p)
            first += n
        connected = 0
        t_connect = time.monotonic()
        for _ in procs:
            connected += ready.get(timeout=180)
        print(f"[{name}] {connected} agents connected in {time.monotonic() - t_connect:.1f} s; "
              f"running {args.duration:g} s (first {args.warmup:g} s warm-up)", flush=True)
        start = time.time() + 0.5
        w0, w1 = start + args.warmup, start + args.duration
        times[:] = [start, w0, w1, w1]
        go.set()
        server_pids = [c.pid for c in ctls]
        time.sleep(max(0.0, w0 - time.time()))
        cpu0 = [cpu_seconds(p) for p in server_pids]
        rcpu0 = cpu_seconds(redis_server.process.pid)
        # the controllers' pub/sub connections: output Redis holds for a listener that lags
        probe = redis.Redis.from_url(redis_server.url, decode_responses=True)
        backlog = 0
        while time.time() < w1:
            time.sleep(max(0.0, min(1.0, w1 - time.time())))
            backlog = max(backlog, sum(int(c.get("omem", 0)) for c in probe.client_list(_type="pubsub")))
        probe.close()
        server_cpu = [cpu_seconds(p) - c for p, c in zip(server_pids, cpu0)]
        redis_cpu = cpu_seconds(redis_server.process.pid) - rcpu0
        rss = [rss_kib(p)["VmRSS"] for p in server_pids]
        parts, client_cpu = [], 0.0
        for _ in procs:
            _, _, stats, cpu = results.get(timeout=ASSIGNMENT_TIMEOUT + 4 * RPC_TIMEOUT + 60)
            parts.append(stats)
            client_cpu += cpu
        for p in procs:
            p.join(30)
        stats = merge(parts)
        if connected != args.agents:
            stats.error(f"only {connected} of {args.agents} agents connected")
        print(f"[{name}] agents stopped; checking the records...", flush=True)
        checks, listruns_bytes = verify(addresses[0], redis_server.url, sweep_id, stats, args.points)
        problems = [f"controller {i}: {line}" for i, c in enumerate(ctls) for line in log_problems(c.log_path)]
    return PhaseResult(name, replicas, args.agents, w1 - w0, stats, client_cpu, server_cpu, redis_cpu,
                       rss, checks, problems, listruns_bytes, backlog)


# ---------------------------------------------------------------- verification

ACTIVE = ("pending", "running")


def verify(address: str, redis_url: str, sweep_id: str, stats: Stats,
           points_per_batch: int) -> tuple[list[tuple[str, bool, str]], int]:
    """Checks the sweep's records against what the agents saw; [(check, ok, detail)].

    The runs come from ListRuns, then from one MULTI/EXEC snapshot of Redis (meta, runs
    index, leases, every run's hash), on which the state checks are made: the controller's
    lease reaper keeps running, so a run of an agent that stopped on an error may crash
    between two separate reads."""
    checks: list[tuple[str, bool, str]] = []

    def check(name: str, ok: bool, detail: str = "") -> None:
        checks.append((name, bool(ok), detail))

    channel = grpc.insecure_channel(address)  # gRPC's default 4 MiB: ListRuns pages
    request = sweep_pb.ListRunsRequest(sweep_id=sweep_id, page_size=10_000)
    all_runs, listruns_bytes = [], 0
    while True:
        reply = sweep_grpc.SweepServiceStub(channel).ListRuns(request, timeout=120)
        all_runs += reply.runs
        listruns_bytes += reply.ByteSize()
        if not reply.next_page_token:
            break
        request.page_token = reply.next_page_token
    channel.close()
    listed = {r.id: r for r in all_runs}
    check("ListRuns: run ids unique", len(listed) == len(all_runs),
          f"{len(all_runs)} runs, {len(listed)} distinct ids")

    r = redis.Redis.from_url(redis_url, decode_responses=True)
    prefix = f"sweepd:sweep:{{{sweep_id}}}"
    fields = ["state", "number", "agent_id", "created_at", "points", "last_seq"]
    pipe = r.pipeline(transaction=True)
    pipe.hgetall(f"{prefix}:meta")
    pipe.zrange(f"{prefix}:runs", 0, -1, withscores=True)
    pipe.zrange(f"{prefix}:leases", 0, -1)
    for rid in listed:
        pipe.hmget(f"{prefix}:run:{rid}", fields)
    meta, index, leases, *rows = pipe.execute()
    r.close()
    snap = {rid: dict(zip(fields, row)) for rid, row in zip(listed, rows)}
    n = len(index)

    check("ListRuns == the runs index in Redis", set(listed) == {rid for rid, _ in index},
          f"{len(listed)} listed, {n} indexed")
    numbers = sorted(int(score) for _, score in index)
    check("run numbers are 1..N, no gap or repeat", numbers == list(range(1, n + 1)),
          f"N={n}" + ("" if numbers == list(range(1, n + 1)) else f", first {numbers[:3]} last {numbers[-3:]}"))
    moved = [rid for rid, run in listed.items()
             if pb.RunState.Name(run.state)[len("RUN_STATE_"):].lower() != snap[rid]["state"]]
    check("ListRuns states == Redis (but for crashes in between)",
          all(snap[rid]["state"] == "crashed" and listed[rid].state in (pb.RUN_STATE_PENDING, pb.RUN_STATE_RUNNING)
              for rid in moved), f"{len(moved)} crashed between the two reads" if moved else "")

    assigned_ids = [a[0] for a in stats.assigned]
    dup_assigned = [rid for rid, c in Counter(assigned_ids).items() if c > 1]
    check("no run assigned twice (to one or two agents)", not dup_assigned,
          f"{len(assigned_ids)} assignments" + (f"; repeated: {dup_assigned[:5]}" if dup_assigned else ""))
    lost = set(snap) - set(assigned_ids)
    lost_states = Counter(snap[rid]["state"] for rid in lost)
    # a run created for an agent after its Connect stream had failed went to a dead session
    dead = [rid for rid in lost if snap[rid]["agent_id"] in stats.stream_ends]
    after_end = [rid for rid in dead
                 if int(snap[rid]["created_at"]) / 1e3 >= stats.stream_ends[snap[rid]["agent_id"]] - 0.05]
    check("every run in Redis reached an agent (none lost)", not lost,
          f"{len(lost)} never received, now {dict(lost_states)}; {len(dead)} of them assigned to an agent whose "
          f"stream failed, {len(after_end)} created after that agent saw its stream fail: {sorted(lost)[:3]}"
          if lost else f"{n} runs, {len(set(assigned_ids))} received")
    phantom = set(assigned_ids) - set(snap)
    check("every assignment is a stored run", not phantom, f"{len(phantom)} unknown" if phantom else "")
    bad_numbers = [rid for rid, num, _ in stats.assigned if rid in snap and int(snap[rid]["number"]) != num]
    check("assigned numbers match the stored ones", not bad_numbers,
          f"{len(bad_numbers)} differ" if bad_numbers else "")

    finished_ids = [f[0] for f in stats.finished]
    dup_finished = [rid for rid, c in Counter(finished_ids).items() if c > 1]
    check("no run finished twice by agents", not dup_finished, f"{dup_finished[:5]}" if dup_finished else "")
    not_finished = [rid for rid in finished_ids if rid not in snap or snap[rid]["state"] != "finished"]
    check("every run an agent finished is FINISHED", not not_finished,
          f"{len(finished_ids)} finished" + (f"; not: {not_finished[:5]}" if not_finished else ""))
    states = Counter(row["state"] for row in snap.values())
    in_state = {name: {rid for rid, row in snap.items() if row["state"] == name} for name in states}
    held = set(stats.held_at_stop)        # agents that stopped cleanly (normally none: they drain)
    broken = set(stats.held_broken)       # agents that stopped on an error: any outcome is possible
    extra = in_state.get("finished", set()) - set(finished_ids)
    check("every FINISHED run was finished by an agent", extra <= broken,
          f"{len(in_state.get('finished', ()))} FINISHED, {len(set(finished_ids))} acknowledged"
          + (f"; {len(extra & broken)} by a FinishRun whose reply was an error" if extra & broken else "")
          + (f"; {len(extra - broken)} by no agent" if extra - broken else ""))
    active = {rid for rid, row in snap.items() if row["state"] in ACTIVE}
    check("pending/running runs are exactly those agents held when they stopped",
          held <= active and active <= held | broken,
          f"{len(active)} active; held at a clean stop {len(held)}, by agents stopped on an error "
          f"{len(broken)} ({len(active & broken)} of them active)"
          + (f"; {len(active - held - broken)} held by no agent" if active - held - broken else ""))
    crashed = in_state.get("crashed", set())
    check("no run crashed, except runs of agents that went silent on an error", crashed <= broken,
          f"{len(crashed)} crashed, {len(crashed & broken)} of them held by agents stopped on an error"
          + (f", {len(crashed & lost)} never received" if crashed & lost else "") if crashed else "")
    others = {k: v for k, v in states.items() if k in ("failed", "stopped")}
    check("no failed/stopped run", not others, str(others) if others else "")

    counts = {k[2:]: int(v) for k, v in meta.items() if k.startswith("n_")}
    expected = {"total": n, **{k: states[k] for k in ("pending", "running", "finished", "failed", "crashed",
                                                       "stopped")}}
    check("meta counters match the run records", all(counts.get(k, 0) == v for k, v in expected.items()),
          " ".join(f"{k}={counts.get(k, 0)}" + ("" if counts.get(k, 0) == v else f"(records: {v})")
                   for k, v in expected.items()))
    check("sweep still running", meta.get("state") == "running", meta.get("state", "?"))
    check("leases == pending/running runs", set(leases) == active, f"{len(leases)} leased")
    sent = dict(stats.finished)
    wrong = [(rid, snap[rid]["points"], snap[rid]["last_seq"]) for rid, b in sent.items()
             if rid in snap and (snap[rid]["points"], snap[rid]["last_seq"]) != (str(b * points_per_batch), str(b))]
    check("points and last seq of each finished run == sent", not wrong,
          f"{len(wrong)} differ: {wrong[:3]}" if wrong else f"{len(sent)} runs")
    return checks, listruns_bytes


# ---------------------------------------------------------------- report

def report(args, phases: list[PhaseResult]) -> bool:
    ok = True
    rows = []
    for p in phases:
        s = p.stats
        lat = sorted(s.latencies)
        trials = s.finished_in_window
        server = sum(p.server_cpu)
        rows.append((
            p.name, p.agents, s.n_errors,
            s.assigned_in_window / p.window, trials / p.window,
            percentile(lat, 50) * 1e3, percentile(lat, 99) * 1e3, (lat[-1] if lat else float("nan")) * 1e3,
            s.max_latency_all * 1e3,
            1e3 * server / max(1, trials), 1e3 * p.redis_cpu / max(1, trials),
            1e3 * p.client_cpu / max(1, s.cycles),
            "/".join(f"{x / 1024:.0f}" for x in p.rss_kib),
        ))
    print()
    print(f"Load, {datetime.date.today()}, {machine()}, load average at start {args.loadavg}; "
          f"{args.processes} agent processes, {args.duration:g} s per phase ({args.warmup:g} s warm-up not "
          f"counted), lease {args.lease:g} s, {args.points} points per batch, think {args.think:g} s")
    print(table(("phase", "agents", "errors", "assign/s", "trials/s", "p50 ms", "p99 ms", "max ms",
                 "max ms incl warm-up", "ctl CPU ms/trial", "Redis CPU ms/trial", "client CPU ms/trial",
                 "ctl RSS MiB"), rows))
    print("(a trial = RunRequest -> assignment -> StartRun -> 2-3 ReportMetricsOnce -> FinishRun; "
          "latency = RunRequest written -> RunAssignment read by the agent; CPU over the window, "
          "controller CPU summed over replicas)")
    for p in phases:
        print()
        print(f"[{p.name}] checks (ListRuns replies {p.listruns_bytes / 1e6:.1f} MB in all):")
        for name, passed, detail in p.checks:
            ok &= passed
            print(f"  {'ok  ' if passed else 'FAIL'} {name}{': ' + detail if detail else ''}")
        print(f"  stale StopRun (a heartbeat listing a run crossed its FinishRun; ignored): {p.stats.stale_stops}")
        print(f"  pub/sub backlog (Redis output buffer of the controllers' event listeners, max of 1 s samples): "
              f"{p.pubsub_backlog / 1024:,.0f} KiB")
        ok &= print_failures(p.stats.n_errors, p.stats.broken_agents, p.agents, p.stats.kinds,
                             p.log_problems, "stopped early on one (this simulated agent does "
                             "not reconnect or retry)")
    print()
    print("result:", "all checks passed, no errors" if ok else "FAILED")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="200 agents, 8 s per phase, 2 processes (~25 s)")
    parser.add_argument("--agents", type=int, default=None, help="concurrent agents (default 500)")
    parser.add_argument("--processes", type=int, default=None, help="agent processes (default 4)")
    parser.add_argument("--duration", type=float, default=None, help="seconds per phase (default 60)")
    parser.add_argument("--warmup", type=float, default=None, help="first seconds not counted (default 5)")
    parser.add_argument("--replicas", default="1,2", help="phases: comma-separated replica counts")
    parser.add_argument("--lease", type=float, default=30.0, help="controller --lease-seconds")
    parser.add_argument("--points", type=int, default=10, help="points per metric batch")
    parser.add_argument("--think", type=float, default=0.0, help="seconds an agent rests between trials")
    parser.add_argument("--profile", default=None, help="run controllers under cProfile; stats to PREFIX-*.prof")
    args = parser.parse_args()
    quick = {"agents": 200, "processes": 2, "duration": 8.0, "warmup": 2.0}
    full = {"agents": 500, "processes": 4, "duration": 60.0, "warmup": 5.0}
    for k, v in (quick if args.quick else full).items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    if args.warmup >= args.duration:
        parser.error("--warmup must be shorter than --duration")
    args.loadavg = " ".join(f"{x:.1f}" for x in os.getloadavg())

    phases = []
    with private_redis() as redis_server:
        print(f"private Redis {redis_server.url}")
        for replicas in (int(x) for x in args.replicas.split(",")):
            name = f"{replicas} replica" + ("s" if replicas > 1 else "")
            phases.append(run_phase(args, redis_server, name, replicas, args.profile))
    sys.exit(0 if report(args, phases) else 1)


if __name__ == "__main__":
    main()
