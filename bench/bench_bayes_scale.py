"""Bayes suggestions in a big sweep: RunRequest -> RunAssignment through a controller
(its own process) for a bayes sweep that already holds N finished runs, N = 1,000 and
10,000 (8 parameters, as bench/suggest_time.py).

The finished runs are made through the controller's own storage layer (assign, start,
one metric value, finish: the same Lua scripts as agents cause), then one agent asks
for runs one at a time, finishing each at once without a value, so the history it
models stays N. The first request after the runs were made is shown apart (a replica
reads a sweep's runs whole once); the rest are the steady state.

    python bench/bench_bayes_scale.py                    # N = 1,000 and 10,000; ~2 min
    python bench/bench_bayes_scale.py --sizes 10000 --requests 10
    python bench/bench_bayes_scale.py --compare-src DIR  # also an older controller (A/B)

Target (issue 14, target 5): at most 1 s per suggestion at 10,000 runs.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import random
import statistics
import time

import grpc

import sweepd
from sweepd.controller.storage.store import Store
from sweepd.domain import MetricPoint
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import agent_service_pb2_grpc as agent_grpc
from sweepd.v1 import types_pb2 as pb

from common import controller_process, machine, private_redis, table
from suggest_time import PARAMETERS, loss

SWEEP = {"method": "bayes", "metric": {"name": "loss", "goal": "minimize"}, "parameters": PARAMETERS}


def draw(rng: random.Random) -> dict:
    return {**{f"x{i}": rng.random() for i in range(1, 6)},
            "lr": 10 ** rng.uniform(-5, -1), "layers": rng.randint(1, 8),
            "act": rng.choice(["relu", "tanh", "gelu"])}


async def fill(redis_url: str, sweep_id: str, n: int, seed: int = 0) -> None:
    """n finished runs, each with one value of `loss`, through the storage layer."""
    store, rng, gate = Store.from_url(redis_url), random.Random(seed), asyncio.Semaphore(64)

    async def one(i: int) -> None:
        async with gate:
            rid, token, config = f"fill{i:06d}", f"t{i}", draw(rng)
            now = int(time.time() * 1000)
            await store.assign_run(sweep_id, rid, claim_key="", config=config, agent_id="fill",
                                   token=token, now_ms=now, expiry_ms=now + 3_600_000)
            await store.start_run(sweep_id, rid, token, now, now + 3_600_000)
            await store.report_metrics(sweep_id, rid, token, 1,
                                       [MetricPoint(0, now / 1000, {"loss": loss(config)})],
                                       now_ms=now, metric_name="loss", maximize=False, target=None)
            await store.finish_run(sweep_id, rid, token, "finished", 0, "", now)

    try:
        await asyncio.gather(*(one(i) for i in range(n)))
    finally:
        await store.close()


async def ask(address: str, sweep_id: str, requests: int) -> list[float]:
    """Seconds from each RunRequest to its RunAssignment; each run finished at once."""
    out = []
    async with grpc.aio.insecure_channel(address) as channel:
        stub = agent_grpc.AgentServiceStub(channel)
        call = stub.Connect()
        await call.write(agent_pb.AgentMessage(hello=agent_pb.AgentHello(
            sweep_id=sweep_id, agent_id="bench-bayes", hostname="bench")))
        await call.read()
        for _ in range(requests):
            t0 = time.perf_counter()
            await call.write(agent_pb.AgentMessage(run_request=agent_pb.RunRequest(count=1)))
            message = await call.read()
            out.append(time.perf_counter() - t0)
            a = message.assignment
            assert a.run.id, message
            await stub.FinishRun(agent_pb.FinishRunRequest(
                sweep_id=sweep_id, run_id=a.run.id, lease_token=a.lease_token,
                state=pb.RUN_STATE_FINISHED))
        await call.done_writing()
        call.cancel()
    return out


def measure(args, pythonpath: str | None, label: str) -> list[tuple]:
    rows = []
    with private_redis() as server, controller_process(server.url, pythonpath=pythonpath) as ctl:
        for n in args.sizes:
            sweep_id = sweepd.sweep(SWEEP, controller=ctl)
            asyncio.run(fill(server.url, sweep_id, n))
            times = asyncio.run(ask(ctl, sweep_id, args.requests + 1))
            steady = sorted(times[1:])
            rows.append((label, f"{n:,}", 1e3 * times[0], 1e3 * statistics.median(steady),
                         1e3 * steady[-1]))
            print(f"  {label}: {n:,} runs done", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--requests", type=int, default=8, help="timed requests per size")
    parser.add_argument("--compare-src", default=None,
                        help="also measure a controller importing sweepd from this directory")
    args = parser.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",")]
    rows = measure(args, None, "this checkout")
    if args.compare_src:
        rows += measure(args, args.compare_src, "compare-src")
    print()
    print(f"bayes RunRequest -> RunAssignment, {datetime.date.today()}, {machine()}, "
          f"{args.requests} steady requests per size")
    print(table(("controller", "finished runs", "first ms", "median ms", "max ms"), rows))


if __name__ == "__main__":
    main()
