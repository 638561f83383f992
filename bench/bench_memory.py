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

2. Redis memory per 1,000 runs x 1,000 metric points. For each --maxlens value a fresh
   private Redis and a controller with `--metrics-maxlen N` (0 = keep every point):
   one agent takes --runs runs of a random sweep (metric `loss`), starts them, and
   sends each run --points points (4 keys: loss, acc, lr, epoch, ~70 bytes of JSON)
   through the controller's real path, ReportMetricsOnce batches of --batch points
   (10 runs at a time), then finishes them. `INFO memory` used_memory (and
   used_memory_dataset) are read before the runs exist and after the last FinishRun
   (after 10 unmeasured warm-up runs, so that the controller's Redis connections and
   their buffers already exist); `MEMORY USAGE key SAMPLES 0` is summed per key kind
   over every measured run. The per-1,000-runs figures are the measured per-run figures
   x 1,000: a linear extrapolation from --runs runs, not a measurement of 1,000 runs.

    python bench/bench_memory.py            # 100/250/500 agents; 50 runs x 1,000 points; maxlen 0/500/100; ~1.7 min
    python bench/bench_memory.py --quick    # 250 agents at once, 10 runs, maxlen 0/100; ~30 s
    python bench/bench_memory.py --skip-agents --runs 100 --maxlens 0,100,1000

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

def point_values(step: int, rng: random.Random) -> dict[str, pb.Value]:
    """A training step's log: loss, acc, lr, epoch (~70 bytes once JSON-encoded)."""
    return {"loss": pb.Value(double_value=1.0 / (step + 1) + rng.random() * 1e-3),
            "acc": pb.Value(double_value=rng.random()),
            "lr": pb.Value(double_value=0.001 * 0.99 ** (step // 100)),
            "epoch": pb.Value(int_value=step // 100)}


def redis_memory(r: redis.Redis) -> dict[str, int]:
    info = r.info("memory")
    return {k: int(info[k]) for k in ("used_memory", "used_memory_dataset", "used_memory_rss")}


async def _write_runs(address: str, sweep_id: str, n_runs: int, n_points: int, batch: int,
                      r: redis.Redis) -> tuple[list[str], float]:
    """Takes n_runs runs, starts them, sends the points, finishes the runs. Returns the
    run ids and the seconds the points and FinishRuns took."""
    async with grpc.aio.insecure_channel(address) as channel:
        agents = agent_grpc.AgentServiceStub(channel)
        metrics = metric_grpc.MetricServiceStub(channel)
        call = agents.Connect()
        await call.write(agent_pb.AgentMessage(hello=agent_pb.AgentHello(
            sweep_id=sweep_id, agent_id="mem-writer")))
        await call.read()
        await call.write(agent_pb.AgentMessage(run_request=agent_pb.RunRequest(count=n_runs)))
        runs = []
        while len(runs) < n_runs:
            message = await call.read()
            if message.WhichOneof("kind") == "assignment":
                runs.append((message.assignment.run.id, message.assignment.lease_token))
        for run_id, token in runs:
            await agents.StartRun(agent_pb.StartRunRequest(sweep_id=sweep_id, run_id=run_id, lease_token=token))
        gate = asyncio.Semaphore(10)
        started = time.perf_counter()

        async def fill(run_id: str, token: str) -> None:
            rng = random.Random(run_id)
            async with gate:
                for seq, start in enumerate(range(0, n_points, batch), 1):
                    points = [metric_pb.MetricPoint(step=s, values=point_values(s, rng))
                              for s in range(start, min(start + batch, n_points))]
                    for p in points:
                        p.wall_time.GetCurrentTime()
                    ack = await metrics.ReportMetricsOnce(metric_pb.MetricBatch(
                        sweep_id=sweep_id, run_id=run_id, lease_token=token, seq=seq, points=points))
                    assert ack.seq == seq and not ack.duplicate, ack
                await agents.FinishRun(agent_pb.FinishRunRequest(
                    sweep_id=sweep_id, run_id=run_id, lease_token=token, state=pb.RUN_STATE_FINISHED))

        await asyncio.gather(*(fill(r, t) for r, t in runs))
        seconds = time.perf_counter() - started
        await call.done_writing()
        while await call.read() is not grpc.aio.EOF:
            pass
    return [r for r, _ in runs], seconds


KINDS = ("run", "summary", "objective", "metrics")


def measure_redis(args, maxlen: int) -> dict:
    with private_redis() as redis_server, controller_proc(
            redis_server.url, lease_seconds=600, extra=["--metrics-maxlen", str(maxlen)]) as ctl:
        r = redis.Redis.from_url(redis_server.url, decode_responses=True)
        sweep_id = sweepd.sweep({**RANDOM_SWEEP, "name": f"bench-memory-maxlen-{maxlen}"},
                                controller=ctl.address)
        # warm-up (not measured): the controller opens the Redis connections that 10
        # concurrent writers need, and Redis's client buffers grow to their working size
        asyncio.run(_write_runs(ctl.address, sweep_id, 10, args.batch, args.batch, r))
        time.sleep(0.3)
        before = redis_memory(r)
        run_ids, seconds = asyncio.run(_write_runs(
            ctl.address, sweep_id, args.runs, args.points, args.batch, r))
        time.sleep(0.3)
        after = redis_memory(r)
        prefix = f"sweepd:sweep:{{{sweep_id}}}"
        usage = {k: 0 for k in KINDS}
        xlens, counted = [], []
        for rid in run_ids:
            for kind in KINDS:
                usage[kind] += r.memory_usage(f"{prefix}:{kind}:{rid}", samples=0) or 0
            xlens.append(r.xlen(f"{prefix}:metrics:{rid}"))
            counted.append(int(r.hget(f"{prefix}:run:{rid}", "points")))
        objective_len = r.llen(f"{prefix}:objective:{run_ids[0]}")
        meta_usage = sum(r.memory_usage(f"{prefix}:{k}", samples=0) or 0 for k in ("meta", "runs"))
        r.close()
    n = len(run_ids)
    return {
        "maxlen": maxlen, "runs": n, "seconds": seconds,
        "points_per_s": n * args.points / seconds,
        "delta_per_run": (after["used_memory"] - before["used_memory"]) / n,
        "dataset_per_run": (after["used_memory_dataset"] - before["used_memory_dataset"]) / n,
        "rss_per_run": (after["used_memory_rss"] - before["used_memory_rss"]) / n,
        "usage_per_run": {k: v / n for k, v in usage.items()},
        "xlen": (min(xlens), max(xlens)), "xlen_mean": sum(xlens) / n, "points_counted": (min(counted), max(counted)),
        "objective_len": objective_len, "meta_usage": meta_usage,
    }


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
    parser.add_argument("--runs", type=int, default=None, help="runs written in part 2 (default 50)")
    parser.add_argument("--points", type=int, default=1000, help="points per run")
    parser.add_argument("--batch", type=int, default=100, help="points per ReportMetricsOnce batch")
    parser.add_argument("--maxlens", default=None, help="--metrics-maxlen values (default 0,500,100)")
    parser.add_argument("--skip-agents", action="store_true", help="only part 2")
    parser.add_argument("--skip-redis", action="store_true", help="only part 1")
    parser.add_argument("--skip-baseline", action="store_true", help="part 1 without the echo server")
    args = parser.parse_args()
    defaults = ({"agents": "250", "lease": 3.0, "runs": 10, "maxlens": "0,100"} if args.quick else
                {"agents": "100,250,500", "lease": 30.0, "runs": 50, "maxlens": "0,500,100"})
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
        print()
        print(f"Redis memory, {redis_rows[0]['runs']} runs x {args.points:,} points each "
              f"(batches of {args.batch} via ReportMetricsOnce; values loss, acc, lr, epoch), "
              f"per run and extrapolated linearly to 1,000 runs x 1,000 points:")
        rows = []
        for m in redis_rows:
            scale = 1000  # per run -> 1,000 runs (of --points points each)
            u = m["usage_per_run"]
            rows.append((
                m["maxlen"] or "0 (keep all)",
                f"{m['xlen'][0]}-{m['xlen'][1]}",
                m["delta_per_run"], m["dataset_per_run"],
                u["run"], u["summary"], u["objective"], u["metrics"],
                u["metrics"] / max(1, m["xlen_mean"]),
                mib(m["delta_per_run"] * scale), mib(sum(u.values()) * scale),
                m["points_per_s"],
            ))
        print(table(("--metrics-maxlen", "stream len", "B/run used_memory",
                     "B/run dataset", "run hash B", "summary B", "objective B", "stream B", "stream B/point kept",
                     f"MiB/1k runs x {args.points:,} pts (used_memory)",
                     f"MiB/1k runs x {args.points:,} pts (MEMORY USAGE)", "points/s"),
                    rows))
        m0 = redis_rows[0]
        print(f"(used_memory deltas: before the runs existed -> after every point and FinishRun; "
              f"MEMORY USAGE ... SAMPLES 0 summed per key kind over all {m0['runs']} runs; "
              f"run 'points' counters {m0['points_counted'][0]}-{m0['points_counted'][1]}, objective list "
              f"{m0['objective_len']} values per run whatever the maxlen; sweep meta + runs index "
              f"{m0['meta_usage']:,} B. The per-1,000-runs figures are 1,000 x the per-run ones: "
              f"a linear extrapolation from {m0['runs']} runs, not measured.)")


if __name__ == "__main__":
    main()
