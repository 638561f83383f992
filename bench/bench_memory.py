"""Memory: the controller's RSS per connected agent, and Redis's per run and per metric point.

1. Controller RSS with idle agents. A controller process (its own, on a private Redis)
   is warmed up (5 agents each run one trial and leave), then measured with 0 agents,
   then with idle agents connected in steps (--agents, e.g. 100, 250, 500): each agent
   is a grpc.aio client with its own channel (own TCP connection) holding a Connect
   stream, hello'd and sending a Heartbeat every heartbeat interval (lease / 6), with
   no run and no RunRequest. The agents run in worker processes (~250 each). RSS is
   VmRSS from /proc (median of 5 samples, 0.2 s apart, after at least one heartbeat
   round); the per-agent cost is the RSS increase over the agents added. Then every
   agent leaves and RSS is measured again; then as many new agents connect once more
   and leave (RSS that kept growing with this second generation would be a leak). The
   same is done, as a baseline, with a bare grpc.aio echo server (bench/echo_server.py)
   and as many idle clients holding one bidi stream each.

2. Redis memory, measured at 10,000 runs (issue 14, target 7). For each --maxlens
   value a private Redis of its own and the controller's own code in this process
   (SweepRules over Store with `metrics_maxlen`: the scripts and arguments a
   controller sends; only gRPC is left out, which stores nothing): one agent takes
   --runs runs of a random sweep (metric `loss`), every run gets --points points (4
   keys: loss, acc, lr, epoch, ~70 bytes of JSON) in batches of --batch, then every
   run finishes. `INFO memory` used_memory is read at each stage (empty sweep, runs
   assigned, first batch of each run, every point, runs finished), so the cost of a
   run and of a point are differences measured at that size, not extrapolated; and
   `MEMORY USAGE key SAMPLES 0` is summed per key kind over every run.

    python bench/bench_memory.py            # 100/250/500 agents; 10,000 runs x 1,000 points, maxlen 0/100; ~10 min
    python bench/bench_memory.py --quick    # 250 agents at once; 1,000 runs, maxlen 0/100; ~1.5 min
    python bench/bench_memory.py --skip-agents --maxlens 0,100,1000

Everything runs on 127.0.0.1 and private Redis servers on unix sockets (never :6379).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import multiprocessing as mp
import os
import random
import statistics
import time

import grpc
import redis

import sweepd
from sweepd.controller.service import SweepRules
from sweepd.controller.storage.store import Store
from sweepd.domain import MetricBatch, MetricPoint, RunState
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import agent_service_pb2_grpc as agent_grpc
from sweepd.v1 import metric_service_pb2 as metric_pb
from sweepd.v1 import metric_service_pb2_grpc as metric_grpc
from sweepd.v1 import types_pb2 as pb

from bench_load import SimAgent, Stats, channel_options, controller_proc, rss_kib
from common import RANDOM_SWEEP, echo_server_process, machine, private_redis, table

PER_PROCESS = 250


# ---------------------------------------------------------------- part 1: controller RSS

class EchoAgent:
    """The baseline's idle client: its own channel, one bidi stream on the echo server,
    one 64-byte ping (and its echo) every heartbeat interval."""

    def __init__(self, address: str, interval: float):
        self.address, self.interval = address, interval
        self.lock = asyncio.Lock()

    async def connect(self) -> None:
        self.channel = grpc.aio.insecure_channel(self.address, options=channel_options())
        self.call = self.channel.stream_stream("/bench.Echo/Stream")()
        await self._ping()
        self.beater = asyncio.create_task(self._beat())

    async def _ping(self) -> None:
        async with self.lock:
            await self.call.write(b"x" * 64)
            await self.call.read()

    async def _beat(self) -> None:
        await asyncio.sleep(random.uniform(0, self.interval))
        while True:
            await self._ping()
            await asyncio.sleep(self.interval)

    async def close(self) -> None:
        async with self.lock:
            self.beater.cancel()
        await self.call.done_writing()
        while await self.call.read() is not grpc.aio.EOF:
            pass
        await self.channel.close()


def _agent_worker(kind: str, address: str, sweep_id: str, interval: float, tag: str, commands, replies) -> None:
    asyncio.run(_agent_worker_main(kind, address, sweep_id, interval, tag, commands, replies))


async def _agent_worker_main(kind, address, sweep_id, interval, tag, commands, replies) -> None:
    """Connects / closes idle agents (kind "sweepd") or echo clients (kind "echo") on
    command: ("connect", n) | ("close",) | ("exit",)."""
    stats, agents = Stats(), []
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(25)

    async def connect(agent: SimAgent) -> None:
        async with gate:
            await agent.connect()

    while True:
        command = await loop.run_in_executor(None, commands.get)
        if command[0] == "connect":
            if kind == "sweepd":
                new = [SimAgent(address, sweep_id, f"mem-{tag}-{len(agents) + i:04d}", {}, stats)
                       for i in range(command[1])]
            else:
                new = [EchoAgent(address, interval) for _ in range(command[1])]
            for agent, result in zip(new, await asyncio.gather(*(connect(a) for a in new),
                                                               return_exceptions=True)):
                if isinstance(result, BaseException):
                    stats.error(f"connect: {type(result).__name__}: {result}")
                else:
                    agents.append(agent)
            replies.put((len(agents), stats.n_errors, stats.errors[:5]))
        elif command[0] == "close":
            await asyncio.gather(*(a.close() for a in agents))
            agents = []
            replies.put((0, stats.n_errors, stats.errors[:5]))
        else:
            return


def _socket_inodes(table: str) -> set[str]:
    with open(f"/proc/net/{table}") as f:
        next(f)
        col = 9 if table.startswith("tcp") else 6
        return {line.split()[col] for line in f if len(line.split()) > col}


def sockets(pid: int) -> tuple[int, int, int]:
    """(TCP sockets, unix sockets, all fds) a process has open."""
    links = []
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            links.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    inodes = [link[8:-1] for link in links if link.startswith("socket:[")]
    tcp = _socket_inodes("tcp") | _socket_inodes("tcp6")
    unix = _socket_inodes("unix")
    return sum(i in tcp for i in inodes), sum(i in unix for i in inodes), len(links)


def sample_rss(pid: int, n: int = 5, gap: float = 0.2) -> dict[str, float]:
    """Median over n samples of VmRSS / RssAnon (KiB), and the open sockets."""
    samples = []
    for _ in range(n):
        samples.append(rss_kib(pid))
        time.sleep(gap)
    out = {k: statistics.median(s[k] for s in samples) for k in ("VmRSS", "RssAnon")}
    out["tcp"], out["unix"], out["fds"] = sockets(pid)
    return out


async def _warm_up(address: str, sweep_id: str, n: int = 5) -> None:
    """n agents each run one whole trial and leave: imports, caches and pools are warm."""
    async def one(i: int) -> None:
        async with grpc.aio.insecure_channel(address) as channel:
            agents = agent_grpc.AgentServiceStub(channel)
            metrics = metric_grpc.MetricServiceStub(channel)
            call = agents.Connect()
            await call.write(agent_pb.AgentMessage(hello=agent_pb.AgentHello(
                sweep_id=sweep_id, agent_id=f"mem-warmup-{i}")))
            await call.read()
            await call.write(agent_pb.AgentMessage(run_request=agent_pb.RunRequest(count=1)))
            a = (await call.read()).assignment
            await agents.StartRun(agent_pb.StartRunRequest(
                sweep_id=sweep_id, run_id=a.run.id, lease_token=a.lease_token))
            await metrics.ReportMetricsOnce(metric_pb.MetricBatch(
                sweep_id=sweep_id, run_id=a.run.id, lease_token=a.lease_token, seq=1,
                points=[metric_pb.MetricPoint(step=0, values={"loss": pb.Value(double_value=1.0)})]))
            await agents.FinishRun(agent_pb.FinishRunRequest(
                sweep_id=sweep_id, run_id=a.run.id, lease_token=a.lease_token,
                state=pb.RUN_STATE_FINISHED))
            await call.done_writing()
            while await call.read() is not grpc.aio.EOF:
                pass

    await asyncio.gather(*(one(i) for i in range(n)))


def _rss_row(label, now: dict, base: dict | None, previous: tuple[int, float] | None, connected: int) -> tuple:
    per = (now["VmRSS"] - base["VmRSS"]) / max(1, connected) if base and connected else ""
    step = ((now["VmRSS"] - previous[1]) / max(1, connected - previous[0])
            if previous and connected else "")
    return (label, now["VmRSS"] / 1024, now["RssAnon"] / 1024, now["tcp"], now["unix"], per, step)


def server_rss(kind: str, args, address: str, pid: int, sweep_id: str, notes: list[str]) -> list[tuple]:
    """RSS rows of the server process `pid` with 0, then args.agents idle clients, then 0
    again after they all left, then the largest count once more (a second generation of
    clients: memory that grows again would be a leak), then 0.
    kind: "sweepd" (SimAgent) or "echo" (EchoAgent)."""
    rows = []
    heartbeat = max(0.2, args.lease / 6)
    base = sample_rss(pid)
    rows.append(_rss_row(0, base, None, None, 0))
    print(f"[{kind}] server pid {pid}: {base['VmRSS'] / 1024:.1f} MiB with 0 clients", flush=True)
    for generation, steps in enumerate((args.agents, args.agents[-1:]), 1):
        n_procs = max(1, -(-steps[-1] // PER_PROCESS))
        ctx = mp.get_context("spawn")
        workers = []
        for i in range(n_procs):
            commands, replies = ctx.Queue(), ctx.Queue()
            p = ctx.Process(target=_agent_worker, daemon=True,
                            args=(kind, address, sweep_id, heartbeat, f"{generation}.{i}", commands, replies))
            p.start()
            workers.append((p, commands, replies))
        connected, previous = 0, (0, base["VmRSS"])
        try:
            for target in steps:
                add = target - connected
                shares = [add // n_procs + (1 if i < add % n_procs else 0) for i in range(n_procs)]
                for (_, commands, _), share in zip(workers, shares):
                    commands.put(("connect", share))
                total, errors = 0, 0
                for _, _, replies in workers:
                    n, e, texts = replies.get(timeout=180)
                    total, errors = total + n, errors + e
                    notes += [f"{kind}, {target} clients: {t}" for t in texts]
                connected = total
                time.sleep(heartbeat * 1.5 + 0.5)  # every client has sent a heartbeat since
                now = sample_rss(pid)
                label = connected if generation == 1 else f"{connected} (again)"
                rows.append(_rss_row(label, now, base, previous if generation == 1 else None, connected))
                print(f"[{kind}] {label} connected ({errors} errors): {now['VmRSS'] / 1024:.1f} MiB", flush=True)
                if errors:
                    notes.append(f"{kind}: {errors} client errors at {target}")
                previous = (connected, now["VmRSS"])
            for _, commands, _ in workers:
                commands.put(("close",))
            for _, _, replies in workers:
                _, e, texts = replies.get(timeout=180)
                if e:
                    notes += [f"{kind}, closing: {t}" for t in texts]
            # a closed grpc.aio channel keeps its TCP connection until its process ends
            for p, commands, _ in workers:
                commands.put(("exit",))
                p.join(30)
            deadline = time.monotonic() + 20  # the server closes the connections within a few s
            while sockets(pid)[0] > base["tcp"] + 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1.0)
            rows.append(_rss_row(f"0 (after {connected} left)", sample_rss(pid), None, None, 0))
        finally:
            for p, commands, _ in workers:
                if p.is_alive():
                    commands.put(("exit",))
            for p, _, _ in workers:
                p.join(30)
                if p.is_alive():
                    p.kill()
    return rows


def agents_rss(args) -> tuple[list[tuple], list[tuple], list[str]]:
    notes: list[str] = []
    with private_redis() as redis_server, controller_proc(redis_server.url, lease_seconds=args.lease) as ctl:
        sweep_id = sweepd.sweep({**RANDOM_SWEEP, "name": "bench-memory-agents"}, controller=ctl.address)
        asyncio.run(_warm_up(ctl.address, sweep_id))
        time.sleep(1.0)
        ours = server_rss("sweepd", args, ctl.address, ctl.pid, sweep_id, notes)
    echo: list[tuple] = []
    if not args.skip_baseline:
        with echo_server_process() as server:
            async def warm() -> None:
                client = EchoAgent(server, 1.0)
                await client.connect()
                await client.close()
            asyncio.run(warm())
            time.sleep(1.0)
            echo = server_rss("echo", args, server, server.pid, "", notes)
    return ours, echo, notes


# ---------------------------------------------------------------- part 2: Redis memory

def point_values(step: int, rng: random.Random) -> dict[str, float | int]:
    """A training step's log: loss, acc, lr, epoch (~70 bytes once JSON-encoded)."""
    return {"loss": 1.0 / (step + 1) + rng.random() * 1e-3, "acc": rng.random(),
            "lr": 0.001 * 0.99 ** (step // 100), "epoch": step // 100}


def redis_memory(r: redis.Redis) -> dict[str, int]:
    info = r.info("memory")
    return {k: int(info[k]) for k in ("used_memory", "used_memory_dataset", "used_memory_rss")}


KINDS = ("run", "summary", "objective", "metrics")


async def _fill_sweep(url: str, args, maxlen: int, r: redis.Redis) -> dict:
    """One sweep of args.runs runs x args.points points written through the controller's
    own rules and store (SweepRules over Store, in this process: the scripts and
    arguments a controller sends; only gRPC is left out), with used_memory read at
    each stage."""
    store = Store.from_url(url, metrics_maxlen=maxlen)
    rules = SweepRules(store, lease_seconds=3600)
    try:
        sweep, _ = await rules.create_sweep({**RANDOM_SWEEP, "name": f"bench-memory-{maxlen}"})
        sweep_id = sweep.id
        await asyncio.sleep(0.2)
        stages = {"empty sweep": redis_memory(r)}
        runs: list[tuple[str, str]] = []
        while len(runs) < args.runs:
            out = await rules.next_runs(sweep_id, "mem-writer", min(64, args.runs - len(runs)))
            runs += [(a.run.id, a.lease_token) for a in out.assigned]
        stages["runs assigned"] = redis_memory(r)
        gate = asyncio.Semaphore(256)
        started = time.perf_counter()

        async def send(i: int, run_id: str, token: str, seq: int) -> None:
            first = (seq - 1) * args.batch
            rng = random.Random(i * 1_000_003 + seq)
            points = tuple(MetricPoint(step=k, wall_time=time.time(), values=point_values(k, rng))
                           for k in range(first, min(first + args.batch, args.points)))
            async with gate:
                outcome, _ = await rules.report_metrics(MetricBatch(run_id, sweep_id, token, seq, points))
            assert not outcome.duplicate

        batches = -(-args.points // args.batch)
        for seq in range(1, batches + 1):
            await asyncio.gather(*(send(i, rid, tok, seq) for i, (rid, tok) in enumerate(runs)))
            if seq == 1:
                stages["first batch each"] = redis_memory(r)
        seconds = time.perf_counter() - started
        stages["every point"] = redis_memory(r)

        async def finish(run_id: str, token: str) -> None:
            async with gate:
                await rules.finish_run(sweep_id, run_id, token, RunState.FINISHED, 0, "")

        await asyncio.gather(*(finish(rid, tok) for rid, tok in runs))
        await asyncio.sleep(0.2)
        stages["runs finished"] = redis_memory(r)
        return {"sweep_id": sweep_id, "runs": [rid for rid, _ in runs], "stages": stages,
                "points_per_s": args.runs * args.points / seconds}
    finally:
        await store.close()


def measure_redis(args, maxlen: int) -> dict:
    """Redis memory of args.runs runs x args.points points at --metrics-maxlen `maxlen`,
    in a private Redis of its own; MEMORY USAGE summed per key kind over every run."""
    with private_redis() as redis_server:
        r = redis.Redis.from_url(redis_server.url, decode_responses=True)
        found = asyncio.run(_fill_sweep(redis_server.url, args, maxlen, r))
        sweep_id, run_ids = found["sweep_id"], found["runs"]
        prefix = f"sweepd:sweep:{{{sweep_id}}}"
        usage = {k: 0 for k in KINDS}
        xlens, olens, counted = [], [], []
        for start in range(0, len(run_ids), 1_000):
            with r.pipeline(transaction=False) as pipe:
                for rid in run_ids[start:start + 1_000]:
                    for kind in KINDS:
                        pipe.memory_usage(f"{prefix}:{kind}:{rid}", samples=0)
                    pipe.xlen(f"{prefix}:metrics:{rid}")
                    pipe.llen(f"{prefix}:objective:{rid}")
                    pipe.hget(f"{prefix}:run:{rid}", "points")
                replies = pipe.execute()
            for j in range(0, len(replies), len(KINDS) + 3):
                for kind, used in zip(KINDS, replies[j:j + len(KINDS)]):
                    usage[kind] += used or 0
                xlens.append(replies[j + len(KINDS)])
                olens.append(replies[j + len(KINDS) + 1])
                counted.append(int(replies[j + len(KINDS) + 2]))
        shared = {k: r.memory_usage(f"{prefix}:{k}", samples=0) or 0
                  for k in ("meta", "runs", "leases", "agent_runs")}
        rss = redis_memory(r)["used_memory_rss"]
        r.close()
    n = len(run_ids)
    st = {k: v["used_memory"] for k, v in found["stages"].items()}
    return {
        "maxlen": maxlen, "runs": n, "points_per_s": found["points_per_s"], "stages": st,
        "usage_per_run": {k: v / n for k, v in usage.items()}, "shared": shared, "rss": rss,
        "xlen": (min(xlens), max(xlens)), "xlen_mean": sum(xlens) / n,
        "olen": (min(olens), max(olens)), "points_counted": (min(counted), max(counted)),
    }


def redis_report(args, rows: list[dict]) -> None:
    print()
    print(f"Redis memory, measured at {rows[0]['runs']:,} runs x {args.points:,} points each, written "
          f"through the controller's rules and store in batches of {args.batch} (values loss, acc, lr, "
          f"epoch; ~70 B of JSON a point), one private Redis per --metrics-maxlen. used_memory after each "
          f"stage, and the cost per run / per point from the differences:")
    out = []
    for m in rows:
        st, n = m["stages"], m["runs"]
        per_point = (st["every point"] - st["first batch each"]) / (n * max(1, args.points - args.batch))
        out.append((
            m["maxlen"] or "0 (keep all)",
            f"{m['xlen'][0]}-{m['xlen'][1]}", f"{m['olen'][0]}-{m['olen'][1]}",
            mib(st["empty sweep"]), mib(st["runs assigned"]), mib(st["every point"]), mib(st["runs finished"]),
            (st["runs assigned"] - st["empty sweep"]) / n,
            (st["runs finished"] - st["empty sweep"]) / n,
            per_point,
            m["points_per_s"],
        ))
    print(table(("--metrics-maxlen", "stream len", "objective len", "MiB: empty sweep", "runs assigned",
                 "every point", "runs finished", "B/run assigned", "B/run finished (all its points)",
                 "B/point after the first batch", "points/s written"), out))
    print()
    print("MEMORY USAGE ... SAMPLES 0, per run, by key (and the sweep's shared keys in all):")
    out = []
    for m in rows:
        u = m["usage_per_run"]
        out.append((m["maxlen"] or "0 (keep all)", u["run"], u["summary"], u["objective"], u["metrics"],
                    u["metrics"] / max(1, m["xlen_mean"]), sum(u.values()),
                    ", ".join(f"{k} {v / 2**20:.2f} MiB" for k, v in m["shared"].items()),
                    mib(m["rss"])))
    print(table(("--metrics-maxlen", "run hash B", "summary B", "objective B", "stream B",
                 "stream B/point kept", "B/run in all", "shared keys", "used_memory_rss MiB at end"), out))
    m0 = rows[0]
    print(f"(every run's points counter is {m0['points_counted'][0]}-{m0['points_counted'][1]} whatever the "
          f"maxlen; 'B/point after the first batch': (every point - first batch each) / (runs x "
          f"{args.points - args.batch} points): what one more point costs, or nothing once trimming holds a "
          f"run at its bound; 'runs finished' keeps every run's record, summary and kept points)")


# ---------------------------------------------------------------- report

def mib(x: float) -> str:
    return f"{x / 2**20:,.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="250 agents in one step, lease 3 s; 10 runs; maxlen 0 and 100 (~30 s)")
    parser.add_argument("--agents", default=None, help="cumulative agent counts (default 100,250,500)")
    parser.add_argument("--lease", type=float, default=None,
                        help="controller --lease-seconds for part 1 (default 30: heartbeats every 5 s)")
    parser.add_argument("--runs", type=int, default=None, help="runs written in part 2 (default 10,000)")
    parser.add_argument("--points", type=int, default=1000, help="points per run")
    parser.add_argument("--batch", type=int, default=100, help="points per metric batch")
    parser.add_argument("--maxlens", default=None, help="--metrics-maxlen values (default 0,100)")
    parser.add_argument("--skip-agents", action="store_true", help="only part 2")
    parser.add_argument("--skip-redis", action="store_true", help="only part 1")
    parser.add_argument("--skip-baseline", action="store_true", help="part 1 without the echo server")
    args = parser.parse_args()
    defaults = ({"agents": "250", "lease": 3.0, "runs": 1_000, "maxlens": "0,100"} if args.quick else
                {"agents": "100,250,500", "lease": 30.0, "runs": 10_000, "maxlens": "0,100"})
    for k, v in defaults.items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    args.agents = [int(x) for x in str(args.agents).split(",")]
    maxlens = [int(x) for x in args.maxlens.split(",")]
    loadavg = " ".join(f"{x:.1f}" for x in os.getloadavg())
    started = time.monotonic()

    agent_rows, echo_rows, notes = ([], [], []) if args.skip_agents else agents_rss(args)
    redis_rows = [] if args.skip_redis else [measure_redis(args, m) for m in maxlens]

    print()
    print(f"Memory, {datetime.date.today()}, {machine()}, load average at start {loadavg}, "
          f"{time.monotonic() - started:.0f} s")
    headers = ("clients", "VmRSS MiB", "RssAnon MiB", "TCP sockets", "unix sockets", "KiB/client vs 0",
               "KiB/client vs previous step")
    if agent_rows:
        print()
        print(f"Controller RSS with idle agents (own TCP connection and Connect stream each, hello, heartbeat "
              f"every {max(0.2, args.lease / 6):g} s, no runs); median of 5 samples (unix sockets: its Redis "
              f"connections):")
        print(table(headers, agent_rows))
    if echo_rows:
        print()
        print("Baseline: the bare grpc.aio echo server (bench/echo_server.py) with as many idle clients, each its "
              "own channel and one open bidi stream, a 64-byte ping every heartbeat interval:")
        print(table(headers, echo_rows))
    for note in notes[:10]:
        print(f"  note: {note}")
    if redis_rows:
        redis_report(args, redis_rows)

if __name__ == "__main__":
    main()
