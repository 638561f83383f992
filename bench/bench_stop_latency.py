"""Early-termination latency: from the deciding metric report to the StopRun on the
agent's stream (issue 5: p50 <= 50 ms; W&B: a 5-second poll after minutes of evaluation).

A controller process and a private Redis; one sweep with `hyperband {min_iter: 1, eta: 2}`.
Each round, a hand-driven agent (one Connect stream) takes 3 runs and reports one value
each: 0, 0, then 1. With two thirds of all values at 0 the band-1 threshold is 0, so the
third report decides a stop. Timed: sending that report -> StopRun received on the
stream. Printed beside the report's own round trip (its ack) in the same rounds.

    python bench/bench_stop_latency.py [--rounds 100]
"""

from __future__ import annotations

import argparse
import datetime
import os
import queue
import sys
import threading
import time

import grpc

sys.path.insert(0, os.path.dirname(__file__))

from common import controller_process, percentile, private_redis  # noqa: E402

from sweepd import convert  # noqa: E402
from sweepd.client import Client  # noqa: E402
from sweepd.domain import MetricBatch, MetricPoint, RunState  # noqa: E402
from sweepd.v1 import agent_service_pb2 as agent_pb  # noqa: E402

SWEEP = {"method": "random", "metric": {"name": "loss", "goal": "minimize"},
         "early_terminate": {"type": "hyperband", "min_iter": 1, "eta": 2},
         "parameters": {"x": {"min": 0.0, "max": 1.0}}}


class StreamAgent:
    """One Connect stream; assignments and stops land in queues with their arrival time."""

    def __init__(self, client: Client, sweep_id: str):
        self.out: queue.Queue = queue.Queue()
        self.assignments: queue.Queue = queue.Queue()
        self.stops: queue.Queue = queue.Queue()
        self.out.put(agent_pb.AgentMessage(hello=agent_pb.AgentHello(sweep_id=sweep_id, agent_id="bench")))
        self.stream = client.agents.Connect(iter(self.out.get, None))
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for message in self.stream:
                kind = message.WhichOneof("kind")
                if kind == "assignment":
                    self.assignments.put(message.assignment)
                elif kind == "stop":
                    self.stops.put((time.perf_counter(), message.stop.run_id))
        except grpc.RpcError:
            pass

    def take(self, n: int) -> list:
        self.out.put(agent_pb.AgentMessage(run_request=agent_pb.RunRequest(count=n)))
        return [self.assignments.get(timeout=10) for _ in range(n)]

    def close(self) -> None:
        self.out.put(None)
        self.stream.cancel()


def report(client: Client, sweep_id: str, a, value: float):
    batch = MetricBatch(a.run.id, sweep_id, a.lease_token, 1, (MetricPoint(0, time.time(), {"loss": value}),))
    return client.call(client.metrics.ReportMetricsOnce, convert.batch_to_proto(batch))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    stop_ms, ack_ms = [], []
    with private_redis() as redis_server, controller_process(redis_server.url) as address:
        client = Client(address)
        sweep_id = client.create_sweep(SWEEP).id
        agent = StreamAgent(client, sweep_id)
        try:
            for _ in range(args.rounds):
                good_a, good_b, bad = agent.take(3)
                report(client, sweep_id, good_a, 0.0)
                report(client, sweep_id, good_b, 0.0)
                t0 = time.perf_counter()
                ack = report(client, sweep_id, bad, 1.0)
                ack_ms.append((time.perf_counter() - t0) * 1000)
                arrived, run_id = agent.stops.get(timeout=10)
                assert run_id == bad.run.id and ack.should_stop, (run_id, ack)
                stop_ms.append((arrived - t0) * 1000)
                for a, state in ((good_a, RunState.FINISHED), (good_b, RunState.FINISHED),
                                 (bad, RunState.STOPPED)):
                    client.finish_run(sweep_id, a.run.id, a.lease_token, state)
            runs = client.list_runs(sweep_id)
            stopped = [r for r in runs if r.state is RunState.STOPPED]
            assert len(stopped) == args.rounds and all(r.stop_reason.kind == "hyperband" for r in stopped)
        finally:
            agent.close()
    stop_ms.sort()
    ack_ms.sort()
    print(f"\nEarly-termination latency, {datetime.date.today()}, {os.cpu_count()} CPUs, "
          f"{args.rounds} decided stops")
    print(f"{'what':<58}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, values in (("deciding report sent -> StopRun on the agent's stream", stop_ms),
                         ("the same report's own round trip (its ack)", ack_ms)):
        print(f"{name:<58}" + "".join(f"{percentile(values, q):>9.2f}" for q in (50, 90, 99, 100)))
    verdict = "met" if percentile(stop_ms, 50) <= 50 else "NOT met"
    print(f"target p50 <= 50 ms: {percentile(stop_ms, 50):.2f} ms -> {verdict}")


if __name__ == "__main__":
    main()
