"""Assignment latency: from an agent's RunRequest to its RunAssignment.

N agents (grpc.aio clients in this process, one channel each) hold Connect streams
on a controller running in its own process; each repeats: send RunRequest, await the
RunAssignment (timed), FinishRun it as finished. The sweep is random with no run_cap.

Baselines, measured in the same run against a gRPC server that only echoes
(bench/echo_server.py, its own process), with the same N concurrent clients:
  bare unary    each client repeats one unary call (timed)
  bare stream   each client mirrors an agent: one ping-pong on an open bidi stream
                (timed) and then one unary call (FinishRun's stand-in)
The phases are interleaved (rounds) so that drift on a noisy machine hits all alike.

    python bench/bench_assignment.py                       # 1, 8, 64 agents, ~40 s
    python bench/bench_assignment.py --agents 8 --seconds 5 --rounds 4
    python bench/bench_assignment.py --prefill 5000        # a sweep that already has runs
    python bench/bench_assignment.py --think 100           # each agent "trains" ~100 ms per run
    python bench/bench_assignment.py --profile /tmp/ctl.prof   # controller under cProfile

Targets (issue 2): p50 within 3x of the bare unary round-trip at 8 agents; p99 under
20 ms at 64 agents.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import random
import time
import uuid
from dataclasses import dataclass, field

import grpc

import sweepd
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import agent_service_pb2_grpc as agent_grpc
from sweepd.v1 import sweep_service_pb2 as sweep_pb
from sweepd.v1 import sweep_service_pb2_grpc as sweep_grpc
from sweepd.v1 import types_pb2 as pb

from common import (RANDOM_SWEEP, controller_process, cpu_seconds, echo_server_process, machine,
                    percentile, private_redis, table)

ECHO_PAYLOAD = b"x" * 64


@dataclass
class Window:
    """What the clients of one phase recorded while the window was open."""

    open: bool = False
    samples: list[float] = field(default_factory=list)
    cycles: int = 0
    errors: int = 0
    elapsed: float = 0.0
    server_cpu: float = 0.0  # CPU seconds the server processes used while the window was open

    def record(self, seconds: float) -> None:
        if self.open:
            self.samples.append(seconds)
            self.cycles += 1


async def _phase(clients, seconds: float, warmup: float, server_pids: list[int]) -> Window:
    """Runs the client coroutines; records only between warmup and warmup + seconds."""
    window, stop = Window(), asyncio.Event()
    tasks = [asyncio.create_task(c(window, stop)) for c in clients]
    await asyncio.sleep(warmup)
    window.open = True
    started, cpu = time.perf_counter(), sum(cpu_seconds(p) for p in server_pids)
    await asyncio.sleep(seconds)
    window.open = False
    window.elapsed = time.perf_counter() - started
    window.server_cpu = sum(cpu_seconds(p) for p in server_pids) - cpu
    stop.set()
    for result in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(result, BaseException):
            window.errors += 1
            print(f"  client error: {result!r}")
    return window


# ---------------------------------------------------------------- baseline clients

def bare_unary_client(address: str, think: float = 0.0):
    async def run(window: Window, stop: asyncio.Event) -> None:
        async with grpc.aio.insecure_channel(address) as channel:
            call = channel.unary_unary("/bench.Echo/Unary")
            await call(ECHO_PAYLOAD)
            while not stop.is_set():
                t0 = time.perf_counter()
                await call(ECHO_PAYLOAD)
                window.record(time.perf_counter() - t0)
                if think:
                    await asyncio.sleep(think * random.uniform(0.5, 1.5))
    return run


def bare_stream_client(address: str, think: float = 0.0):
    async def run(window: Window, stop: asyncio.Event) -> None:
        async with grpc.aio.insecure_channel(address) as channel:
            unary = channel.unary_unary("/bench.Echo/Unary")
            stream = channel.stream_stream("/bench.Echo/Stream")()
            await stream.write(ECHO_PAYLOAD)
            await stream.read()
            while not stop.is_set():
                t0 = time.perf_counter()
                await stream.write(ECHO_PAYLOAD)
                await stream.read()
                window.record(time.perf_counter() - t0)
                if think:
                    await asyncio.sleep(think * random.uniform(0.5, 1.5))
                await unary(ECHO_PAYLOAD)
            await stream.done_writing()
            stream.cancel()
    return run


# ---------------------------------------------------------------- sweepd agents

def sweepd_agent(address: str, sweep_id: str, think: float = 0.0):
    """An agent that takes runs and finishes them at once, or after `think` seconds
    (on average; uniform in 0.5x..1.5x) when it should look like it trains."""
    async def run(window: Window, stop: asyncio.Event) -> None:
        async with grpc.aio.insecure_channel(address) as channel:
            stub = agent_grpc.AgentServiceStub(channel)
            call = stub.Connect()
            await call.write(agent_pb.AgentMessage(hello=agent_pb.AgentHello(
                sweep_id=sweep_id, agent_id=f"bench-{uuid.uuid4().hex[:8]}", hostname="bench")))
            welcome = await call.read()
            assert welcome.WhichOneof("kind") == "welcome", welcome
            request = agent_pb.AgentMessage(run_request=agent_pb.RunRequest(count=1))
            while not stop.is_set():
                t0 = time.perf_counter()
                await call.write(request)
                message = await call.read()
                window.record(time.perf_counter() - t0)
                if message.WhichOneof("kind") != "assignment":
                    raise RuntimeError(f"expected an assignment, got {message}")
                a = message.assignment
                if think:
                    await asyncio.sleep(think * random.uniform(0.5, 1.5))
                await stub.FinishRun(agent_pb.FinishRunRequest(
                    sweep_id=sweep_id, run_id=a.run.id, lease_token=a.lease_token,
                    state=pb.RUN_STATE_FINISHED))
            await call.done_writing()
            call.cancel()
    return run


async def prefill(address: str, sweep_id: str, n: int) -> None:
    """Gives the sweep n finished runs before it is measured."""
    async with grpc.aio.insecure_channel(address) as channel:
        stub = agent_grpc.AgentServiceStub(channel)
        call = stub.Connect()
        await call.write(agent_pb.AgentMessage(hello=agent_pb.AgentHello(
            sweep_id=sweep_id, agent_id="bench-prefill", hostname="bench")))
        await call.read()
        left = n
        while left:
            chunk = min(left, 500)
            await call.write(agent_pb.AgentMessage(run_request=agent_pb.RunRequest(count=chunk)))
            assigned = []
            while len(assigned) < chunk:
                assigned.append((await call.read()).assignment)
            await asyncio.gather(*(stub.FinishRun(agent_pb.FinishRunRequest(
                sweep_id=sweep_id, run_id=a.run.id, lease_token=a.lease_token,
                state=pb.RUN_STATE_FINISHED)) for a in assigned))
            left -= chunk
        await call.done_writing()
        call.cancel()


async def run_count(address: str, sweep_id: str) -> int:
    async with grpc.aio.insecure_channel(address) as channel:
        sweep = await sweep_grpc.SweepServiceStub(channel).GetSweep(
            sweep_pb.GetSweepRequest(sweep_id=sweep_id))
        c = sweep.run_counts
        return c.pending + c.running + c.finished + c.failed + c.crashed + c.stopped


async def measure(args, controller, echo, redis_pid: int) -> dict:
    results: dict[tuple[str, int], list[Window]] = {}
    think = args.think / 1000.0
    sizes: dict[int, list[int]] = {}
    for r in range(args.rounds):
        for n in args.agents:
            sweep_id = sweepd.sweep(RANDOM_SWEEP, controller=controller)
            if args.prefill:
                await prefill(controller, sweep_id, args.prefill)
            phases = (
                ("bare unary", [bare_unary_client(echo, think) for _ in range(n)], [echo.pid]),
                ("bare stream", [bare_stream_client(echo, think) for _ in range(n)], [echo.pid]),
                ("sweepd", [sweepd_agent(controller, sweep_id, think) for _ in range(n)],
                 [controller.pid, redis_pid]),
            )
            for name, clients, pids in phases:
                w = await _phase(clients, args.seconds, args.warmup, pids)
                results.setdefault((name, n), []).append(w)
            sizes.setdefault(n, []).append(await run_count(controller, sweep_id))
            print(f"  round {r + 1}/{args.rounds}, {n} agents: done", flush=True)
    return {"windows": results, "sizes": sizes}


def summarise(windows: list[Window]) -> tuple[float, float, float, int, float]:
    """p50 ms, p99 ms, cycles/s, samples, server CPU µs per cycle."""
    samples = sorted(s for w in windows for s in w.samples)
    cycles = sum(w.cycles for w in windows)
    per_s = cycles / sum(w.elapsed for w in windows)
    cpu_us = 1e6 * sum(w.server_cpu for w in windows) / max(1, cycles)
    return (percentile(samples, 50) * 1e3, percentile(samples, 99) * 1e3, per_s, len(samples), cpu_us)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", default="1,8,64", help="comma-separated agent counts")
    parser.add_argument("--seconds", type=float, default=1.5, help="measured seconds per phase and round")
    parser.add_argument("--warmup", type=float, default=0.3, help="unmeasured seconds before each phase")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--prefill", type=int, default=0, help="finished runs in the sweep before measuring")
    parser.add_argument("--think", type=float, default=0.0,
                        help="ms each client waits per cycle (a run's training time; 0 = closed loop)")
    parser.add_argument("--profile", default=None, help="write the controller's cProfile stats here")
    args = parser.parse_args()
    args.agents = [int(x) for x in args.agents.split(",")]

    with private_redis() as redis, controller_process(redis.url, profile=args.profile) as controller, \
            echo_server_process() as echo:
        print(f"controller {controller}, echo server {echo}, Redis {redis.url}")
        out = asyncio.run(measure(args, controller, echo, redis.process.pid))

    rows = []
    for n in args.agents:
        unary = summarise(out["windows"][("bare unary", n)])
        stream = summarise(out["windows"][("bare stream", n)])
        ours = summarise(out["windows"][("sweepd", n)])
        for name, s in (("bare unary", unary), ("bare stream", stream), ("sweepd", ours)):
            rows.append((n, name, s[0], s[1], s[2], s[3], s[4], ""))
        rows.append((n, "sweepd / bare unary", f"{ours[0] / unary[0]:.2f}x", f"{ours[1] / unary[1]:.2f}x",
                     "", "", "", f"runs/sweep {max(out['sizes'][n])}"))
        rows.append((n, "sweepd / bare stream", f"{ours[0] / stream[0]:.2f}x", f"{ours[1] / stream[1]:.2f}x",
                     "", "", f"{ours[4] / stream[4]:.1f}x", ""))
    print()
    print(f"RunRequest -> RunAssignment, {datetime.date.today()}, {machine()}, "
          f"{args.rounds} rounds x {args.seconds:g} s per phase, prefill {args.prefill}, think {args.think:g} ms")
    print(table(("agents", "what", "p50 ms", "p99 ms", "cycles/s", "samples", "server CPU us/cycle", "note"),
                rows))
    print("(a sweepd cycle is RunRequest -> assignment + FinishRun; its server CPU is the controller's"
          " plus Redis's)")
    at8 = [n for n in args.agents if n == 8]
    at64 = [n for n in args.agents if n == 64]
    if at8:
        ours, unary = summarise(out["windows"][("sweepd", 8)]), summarise(out["windows"][("bare unary", 8)])
        ok = ours[0] <= 3 * unary[0]
        print(f"target p50 at 8 agents <= 3x bare unary at 8: {ours[0]:.2f} ms vs {unary[0]:.2f} ms "
              f"({ours[0] / unary[0]:.2f}x) -> {'met' if ok else 'NOT met'}")
    if at64:
        ours = summarise(out["windows"][("sweepd", 64)])
        print(f"target p99 at 64 agents < 20 ms: {ours[1]:.2f} ms -> {'met' if ours[1] < 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
