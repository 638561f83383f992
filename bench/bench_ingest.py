"""Metric ingestion: points per second from 8 agents through the controller into Redis.

Each of W worker processes holds its own run (assigned up front over one Connect
stream) and logs P points as fast as it can through the SDK, then waits until every
point is acknowledged. Paths (--paths):
  sender   `Run.log()` -> `MetricSender` (background thread, batches of up to 500)
           -> `Client.call(ReportMetricsOnce)`: what a user's training loop does
  once     the worker builds batches of --batch points itself and sends each with
           `Client.call(client.metrics.ReportMetricsOnce, ...)`
  stream   the same batches on one `ReportMetrics` stream, acks read as they come
Baseline, in the same run: the same W processes XADD the same number of points,
with the fields the controller writes (s, t, v = values JSON), in pipelines of
--batch entries, straight into the same Redis. Phases are interleaved in rounds.

    python bench/bench_ingest.py                          # 8 workers x 10,000 points x 3 rounds, ~35 s
    python bench/bench_ingest.py --paths sender,once,stream --points 20000
    python bench/bench_ingest.py --profile /tmp/ctl.prof  # controller under cProfile

Target (issue 2): sweepd >= 25% of raw pipelined XADD.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing as mp
import random
import time

import grpc
import redis

import sweepd
from sweepd import convert
from sweepd.client import Client
from sweepd.domain import MetricBatch, MetricPoint
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import agent_service_pb2_grpc as agent_grpc

from common import (RANDOM_SWEEP, controller_process, cpu_seconds, machine, own_cpu_seconds,
                    private_redis, table)

PATHS = ("sender", "once", "stream")


def point_values(i: int) -> dict:
    """What one training step typically logs (a ~70-byte JSON object)."""
    return {"loss": 1.0 / (i + 1) + random.random() * 1e-3, "acc": random.random(),
            "lr": 0.001 * 0.99 ** (i // 100), "epoch": i // 1000}


def assign_runs(address: str, sweep_id: str, n: int) -> list[tuple[str, str]]:
    """n runs of the sweep as (run id, lease token), taken over one Connect stream."""
    channel = grpc.insecure_channel(address)
    stub = agent_grpc.AgentServiceStub(channel)
    messages = iter([
        agent_pb.AgentMessage(hello=agent_pb.AgentHello(sweep_id=sweep_id, agent_id="bench-ingest")),
        agent_pb.AgentMessage(run_request=agent_pb.RunRequest(count=n)),
    ])
    runs = []
    stream = stub.Connect(messages)
    for message in stream:
        if message.WhichOneof("kind") == "assignment":
            runs.append((message.assignment.run.id, message.assignment.lease_token))
            if len(runs) == n:
                break
    stream.cancel()
    channel.close()
    return runs


# ---------------------------------------------------------------- worker processes

def _worker(kind: str, target: dict, points: int, batch: int, barrier, results) -> None:
    try:
        values = [point_values(i) for i in range(points)]
        setup, send = _prepare(kind, target, values, batch)
        setup()
        barrier.wait()
        started, cpu = time.monotonic(), own_cpu_seconds()
        extra = send()
        results.put((started, time.monotonic(), points, extra, own_cpu_seconds() - cpu, None))
    except Exception as exc:  # noqa: BLE001 - reported by the parent
        results.put((0.0, 0.0, 0, None, 0.0, f"{type(exc).__name__}: {exc}"))
        barrier.abort()


def _prepare(kind: str, target: dict, values: list[dict], batch: int):
    """(setup, send) for one worker: setup connects, send does the timed work."""
    if kind == "raw":
        r = redis.Redis.from_url(target["redis_url"], decode_responses=True)
        key = target["key"]

        def send_raw():
            now = int(time.time() * 1000)
            for start in range(0, len(values), batch):
                pipe = r.pipeline(transaction=False)
                for i in range(start, min(start + batch, len(values))):
                    pipe.xadd(key, {"s": i, "t": now,
                                    "v": json.dumps(values[i], separators=(",", ":"))})
                pipe.execute()
            return None

        return r.ping, send_raw

    client = Client(target["controller"])
    sweep_id, run_id, token = target["sweep_id"], target["run_id"], target["token"]

    def batches():
        seq = 0
        for start in range(0, len(values), batch):
            seq += 1
            now = time.time()
            pts = tuple(MetricPoint(step=i, wall_time=now, values=values[i])
                        for i in range(start, min(start + batch, len(values))))
            yield convert.batch_to_proto(MetricBatch(run_id, sweep_id, token, seq, pts))

    if kind == "sender":
        from sweepd.run import MetricClient, MetricSender, Run

        def send_sender():
            sender = MetricSender(MetricClient(client), sweep_id, run_id, token)
            run = Run(run_id=run_id, sweep_id=sweep_id, config={}, sender=sender)
            for i, v in enumerate(values):
                run.log(v, step=i)
            if not run.flush(timeout=300):
                raise RuntimeError("flush timed out")
            return sender.seq  # batches sent

        return client.wait_ready, send_sender

    if kind == "once":
        def send_once():
            n = 0
            for message in batches():
                client.call(client.metrics.ReportMetricsOnce, message)
                n += 1
            return n

        return client.wait_ready, send_once

    if kind == "stream":
        def send_stream():
            n = 0
            for _ack in client.metrics.ReportMetrics(batches(), timeout=600):
                n += 1
            return n

        return client.wait_ready, send_stream
    raise ValueError(kind)


def run_phase(kind: str, targets: list[dict], points: int, batch: int, servers: dict[str, int]) -> dict:
    """Runs the workers; returns points, elapsed seconds, batches and the CPU seconds of
    the workers ("clients") and of each of `servers` (name -> pid) meanwhile."""
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(len(targets)), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(kind, t, points, batch, barrier, results))
             for t in targets]
    for p in procs:
        p.start()
    before = {name: cpu_seconds(pid) for name, pid in servers.items()}
    rows = [results.get(timeout=600) for _ in procs]
    cpu = {name: cpu_seconds(pid) - before[name] for name, pid in servers.items()}
    cpu["clients"] = sum(r[4] for r in rows)
    for p in procs:
        p.join(30)
    errors = [r[5] for r in rows if r[5]]
    if errors:
        raise RuntimeError(f"{kind}: {errors}")
    elapsed = max(r[1] for r in rows) - min(r[0] for r in rows)
    total = sum(r[2] for r in rows)
    batches = sum(r[3] or 0 for r in rows)
    return {"points": total, "elapsed": elapsed, "batches": batches, "cpu": cpu}


def stored_points(client: Client, sweep_id: str) -> int:
    return sum(r.points for r in client.list_runs(sweep_id))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--points", type=int, default=10000, help="points per worker and phase")
    parser.add_argument("--batch", type=int, default=500,
                        help="points per batch for raw, once and stream (the sender's max batch)")
    parser.add_argument("--paths", default="sender", help=f"comma-separated, of {', '.join(PATHS)}")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", default=None, help="write the controller's cProfile stats here")
    args = parser.parse_args()
    paths = [p for p in args.paths.split(",") if p]
    assert all(p in PATHS for p in paths), paths

    totals: dict[str, list[dict]] = {}
    with private_redis() as rds, controller_process(rds.url, profile=args.profile) as controller:
        client = Client(controller)
        print(f"controller {controller}, Redis {rds.url}; {args.workers} workers x {args.points} points")
        for r in range(args.rounds):
            raw_targets = [{"redis_url": rds.url, "key": f"bench:raw:{r}:{w}"} for w in range(args.workers)]
            res = run_phase("raw", raw_targets, args.points, args.batch, {"redis": rds.process.pid})
            totals.setdefault("raw XADD", []).append(res)
            print(f"  round {r + 1}: raw XADD {res['points'] / res['elapsed']:,.0f} points/s", flush=True)
            for path in paths:
                sweep_id = sweepd.sweep(RANDOM_SWEEP, controller=controller)
                runs = assign_runs(controller, sweep_id, args.workers)
                targets = [{"controller": controller, "sweep_id": sweep_id, "run_id": rid, "token": tok}
                           for rid, tok in runs]
                res = run_phase(path, targets, args.points, args.batch,
                                {"server": controller.pid, "redis": rds.process.pid})
                stored = stored_points(client, sweep_id)
                if stored != res["points"]:
                    raise RuntimeError(f"{path}: {stored} points stored, {res['points']} sent")
                totals.setdefault(f"sweepd {path}", []).append(res)
                print(f"  round {r + 1}: sweepd {path} {res['points'] / res['elapsed']:,.0f} points/s "
                      f"({res['batches']} batches)", flush=True)
        client.close()

    def rate(name: str) -> float:
        rs = totals[name]
        return sum(x["points"] for x in rs) / sum(x["elapsed"] for x in rs)

    def cpu_us(name: str) -> list[float]:
        rs = totals[name]
        n = sum(x["points"] for x in rs)
        parts = [1e6 * sum(x["cpu"].get(p, 0.0) for x in rs) / n for p in ("server", "redis", "clients")]
        return [*parts, sum(parts)]

    raw = rate("raw XADD")
    rows = [("raw XADD (pipelined)", raw, "1.00", args.batch, *cpu_us("raw XADD"))]
    for path in paths:
        rs = totals[f"sweepd {path}"]
        per_batch = sum(x["points"] for x in rs) / max(1, sum(x["batches"] for x in rs))
        rows.append((f"sweepd {path}", rate(f"sweepd {path}"), f"{rate(f'sweepd {path}') / raw:.2f}",
                     round(per_batch), *cpu_us(f"sweepd {path}")))
    print()
    print(f"Metric ingestion, {datetime.date.today()}, {machine()}, {args.workers} workers x "
          f"{args.points} points x {args.rounds} rounds")
    print(table(("what", "points/s", "of raw", "points/batch", "server CPU us/point", "redis", "clients",
                 "total"), rows))
    for path in paths:
        share = rate(f"sweepd {path}") / raw
        print(f"target sweepd {path} >= 25% of raw: {share:.0%} -> {'met' if share >= 0.25 else 'NOT met'}")


if __name__ == "__main__":
    main()
