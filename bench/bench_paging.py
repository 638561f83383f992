"""Paging (issue 14, target 1): a 100,000-run sweep and a 100,000-point history read
completely through a client that keeps gRPC's default 4 MiB receive limit.

A private Redis and a controller in its own process. The runs are created in bulk
through the controller's own assign_run.lua (pipelined, as the controller would create
them one by one: numbers, counters, leases), each with a 3-parameter config and a
4-key summary; the points are XADDed in the controller's stream format (4 keys, ~70
bytes of JSON each). Then, for each:

- sweepd: every page through the Python SDK (`Client.list_runs` / `Client.run_metrics`,
  default page size, a client without the SDK's 64 MiB receive option), wall time and
  the largest reply seen (read separately with the raw stub, same pages);
- baseline, same run: the same records read straight from Redis in this process
  (ZRANGE 1,000 ids at a time + pipelined HGETALL run and summary + LRANGE objective;
  XRANGE 10,000 entries at a time + JSON decode), the floor any server adds to;
- the cost of one page where it starts (first page) and where it ends (last page) of
  the big sweep, beside the first page of a 1,000-run sweep: equal if a page costs
  what it holds, not what the sweep holds (median of --repeat calls).

    python bench/bench_paging.py                       # 100,000 runs, 100,000 points; ~1-2 min
    python bench/bench_paging.py --runs 20000 --points 20000
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import statistics
import time

import grpc
import redis

from sweepd.client import Client
from sweepd.controller.storage import keys
from sweepd.controller.storage.scripts import script_source
from sweepd.v1 import metric_service_pb2 as metric_pb
from sweepd.v1 import metric_service_pb2_grpc as metric_grpc
from sweepd.v1 import sweep_service_pb2 as sweep_pb
from sweepd.v1 import sweep_service_pb2_grpc as sweep_grpc

from common import RANDOM_SWEEP, controller_process, machine, private_redis, table


class DefaultLimitClient(Client):
    RECEIVE_LIMIT = None  # gRPC's default, 4 MiB


def add_runs(r: redis.Redis, sweep_id: str, n: int, chunk: int = 2_000) -> None:
    script = r.register_script(script_source("assign_run"))
    now = int(time.time() * 1000)
    rng = random.Random(1)
    for start in range(0, n, chunk):
        with r.pipeline(transaction=False) as pipe:
            for i in range(start, min(n, start + chunk)):
                rid = f"r{i:07d}"
                config = {"lr": 10 ** rng.uniform(-5, -1), "layers": rng.choice([1, 2, 3, 4]),
                          "dropout": rng.uniform(0, 0.5)}
                script(keys=keys.assign_run_keys(sweep_id, rid),
                       args=[rid, sweep_id, "", json.dumps(config), "bench", "t" + rid, now,
                             now + 3_600_000, "", "", 0, "1"], client=pipe)
                pipe.hset(keys.run_summary(sweep_id, rid), mapping={
                    "loss": json.dumps(rng.random()), "acc": json.dumps(rng.random()),
                    "epoch": "10", "lr": json.dumps(config["lr"])})
            pipe.execute()


def add_points(r: redis.Redis, sweep_id: str, run_id: str, n: int, chunk: int = 10_000) -> None:
    stream, now = keys.run_metrics(sweep_id, run_id), int(time.time() * 1000)
    for start in range(0, n, chunk):
        with r.pipeline(transaction=False) as pipe:
            for s in range(start, min(n, start + chunk)):
                values = {"loss": 1 / (s + 1), "acc": s / n, "lr": 0.001, "epoch": s // 1000}
                pipe.xadd(stream, {"s": s, "t": now, "v": json.dumps(values)})
            pipe.execute()


def raw_runs(r: redis.Redis, sweep_id: str) -> int:
    count, start = 0, 0
    while ids := r.zrange(keys.sweep_runs(sweep_id), start, start + 999):
        with r.pipeline(transaction=False) as pipe:
            for rid in ids:
                pipe.hgetall(keys.run(sweep_id, rid))
                pipe.hgetall(keys.run_summary(sweep_id, rid))
                pipe.lrange(keys.run_objective(sweep_id, rid), 0, -1)
            count += sum(1 for x in pipe.execute()[::3] if x)
        start += len(ids)
    return count


def raw_points(r: redis.Redis, sweep_id: str, run_id: str) -> int:
    count, after = 0, "-"
    while entries := r.xrange(keys.run_metrics(sweep_id, run_id), after, "+", count=10_000):
        count += len([json.loads(f["v"]) for _, f in entries])
        after = "(" + entries[-1][0]
    return count


def pages(call, request) -> tuple[int, int, str]:
    """Pages read, the largest reply (bytes), and the token of the last page, with a raw stub."""
    n, largest = 0, 0
    while True:
        reply = call(request, timeout=60)
        n, largest = n + 1, max(largest, reply.ByteSize())
        if not reply.next_page_token:
            return n, largest, request.page_token
        request.page_token = reply.next_page_token


def timed(fn, *args) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def page_ms(call, request, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        call(request, timeout=60)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=100_000)
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    print(f"bench_paging: {machine()}, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")
    with private_redis() as server, controller_process(server.url) as address:
        r = redis.Redis.from_url(server.url, decode_responses=True)
        client = DefaultLimitClient(address, timeout=60)
        big, small = client.create_sweep(RANDOM_SWEEP).id, client.create_sweep(RANDOM_SWEEP).id
        t_create, _ = timed(add_runs, r, big, args.runs)
        add_runs(r, small, 1_000)
        add_points(r, big, "r0000000", args.points)
        print(f"created {args.runs:,} runs in {t_create:.1f} s and {args.points:,} points; "
              f"Redis used_memory {r.info('memory')['used_memory'] / 1e6:.0f} MB")

        channel = grpc.insecure_channel(address)  # no options: gRPC's default 4 MiB
        list_runs = sweep_grpc.SweepServiceStub(channel).ListRuns
        get_metrics = metric_grpc.MetricServiceStub(channel).GetRunMetrics
        n_pages, largest, last_token = pages(list_runs, sweep_pb.ListRunsRequest(sweep_id=big))
        m_pages, m_largest, _ = pages(get_metrics, metric_pb.GetRunMetricsRequest(
            sweep_id=big, run_id="r0000000"))

        rows = []
        t_sdk, runs = timed(client.list_runs, big)
        t_raw, n_raw = timed(raw_runs, r, big)
        assert [x.number for x in runs] == list(range(1, args.runs + 1)) and n_raw == args.runs
        rows.append((f"ListRuns, {args.runs:,} runs", n_pages, f"{largest / 2**20:.2f}",
                     t_sdk, args.runs / t_sdk, args.runs / t_raw, f"{t_raw / t_sdk:.2f}x"))
        t_sdk, points = timed(client.run_metrics, big, "r0000000")
        t_raw, n_raw = timed(raw_points, r, big, "r0000000")
        assert [p.step for p in points] == list(range(args.points)) and n_raw == args.points
        rows.append((f"GetRunMetrics, {args.points:,} points", m_pages, f"{m_largest / 2**20:.2f}",
                     t_sdk, args.points / t_sdk, args.points / t_raw, f"{t_raw / t_sdk:.2f}x"))
        print(table(["read (4 MiB client, default pages)", "pages", "largest reply MiB", "s",
                     "items/s", "raw Redis items/s", "sweepd/raw"], rows))

        last = sweep_pb.ListRunsRequest(sweep_id=big, page_token=last_token)
        print(table(["one page of 1,000 runs", "median ms"], [
            ("first page, 1,000-run sweep", page_ms(list_runs, sweep_pb.ListRunsRequest(sweep_id=small), args.repeat)),
            (f"first page, {args.runs:,}-run sweep", page_ms(list_runs, sweep_pb.ListRunsRequest(sweep_id=big), args.repeat)),
            (f"last page, {args.runs:,}-run sweep", page_ms(list_runs, last, args.repeat)),
        ]))
        channel.close()
        client.close()
        r.close()


if __name__ == "__main__":
    main()
