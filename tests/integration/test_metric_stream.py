"""The SDK's metric transport (sweepd.metric_stream): a run's batches on one
ReportMetrics stream, acknowledged in order; an error ends the stream and the next
batch opens another; a resent batch is a duplicate; an ack that never comes is
Unavailable after the timeout, not a hang (real controller and gRPC on loopback)."""

from __future__ import annotations

import asyncio
import threading
import time

import grpc
import pytest

from sweepd.client import Client
from sweepd.domain import LeaseLost, MetricBatch, MetricPoint, Unavailable
from sweepd.metric_stream import MetricStream
from sweepd.v1 import metric_service_pb2 as metric_pb

from streams import take_run

RANDOM = {"method": "random", "metric": {"name": "loss", "goal": "minimize"},
          "parameters": {"x": {"min": 0.0, "max": 1.0}}}


def batch(sweep_id: str, run_id: str, token: str, seq: int) -> MetricBatch:
    return MetricBatch(run_id, sweep_id, token, seq,
                       (MetricPoint(step=seq, wall_time=time.time(), values={"loss": float(seq)}),))


def test_batches_of_a_run_go_on_one_stream_acknowledged_in_order(controller):
    with Client(controller.address) as client:
        sweep_id = client.create_sweep(RANDOM).id
        run_id, token = take_run(client, sweep_id)
        stream = MetricStream(client)
        acks = [stream.report(batch(sweep_id, run_id, token, seq)) for seq in range(1, 21)]
        assert [(a.run_id, a.seq, a.duplicate) for a in acks] == [
            (run_id, seq, False) for seq in range(1, 21)]
        assert stream.opened == 1
        again = stream.report(batch(sweep_id, run_id, token, 20))  # a resend: nothing stored twice
        assert again.duplicate
        stream.close()
        stored = client.run_metrics(sweep_id, run_id)
        assert [p.step for p in stored] == list(range(1, 21))


def test_a_refused_batch_ends_the_stream_and_the_next_opens_another(controller):
    with Client(controller.address) as client:
        sweep_id = client.create_sweep(RANDOM).id
        run_id, token = take_run(client, sweep_id)
        stream = MetricStream(client)
        stream.report(batch(sweep_id, run_id, token, 1))
        with pytest.raises(LeaseLost):
            stream.report(batch(sweep_id, run_id, "not-the-token", 2))
        assert stream.report(batch(sweep_id, run_id, token, 2)).seq == 2
        assert stream.opened == 2
        stream.close()


def test_a_controller_restart_between_batches_costs_a_new_stream_not_a_point(start_controller):
    ctl = start_controller()
    with Client(ctl.address) as client:
        sweep_id = client.create_sweep(RANDOM).id
        run_id, token = take_run(client, sweep_id)
        stream = MetricStream(client)
        stream.report(batch(sweep_id, run_id, token, 1))
        ctl.stop()
        ctl.start()  # same port, same Redis
        assert stream.report(batch(sweep_id, run_id, token, 2)).seq == 2
        assert stream.opened >= 2
        stream.close()
        assert [p.step for p in client.run_metrics(sweep_id, run_id)] == [1, 2]


class SilentMetrics:
    """A MetricService that reads batches and never acknowledges one."""

    def __init__(self):
        self.received = threading.Event()

    async def serve(self, request_iterator, context):
        async for _ in request_iterator:
            self.received.set()
        await asyncio.sleep(3600)
        yield metric_pb.MetricAck()  # never reached


def test_an_ack_that_never_comes_is_unavailable_after_the_timeout():
    silent = SilentMetrics()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start():
        server = grpc.aio.server()
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
            "sweepd.v1.MetricService", {"ReportMetrics": grpc.stream_stream_rpc_method_handler(
                silent.serve, metric_pb.MetricBatch.FromString,
                metric_pb.MetricAck.SerializeToString)}),))
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        return server, port

    server, port = asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    try:
        with Client(f"127.0.0.1:{port}", retries=0) as client:
            stream = MetricStream(client, ack_timeout=1.0)
            with pytest.raises(Unavailable, match="did not acknowledge a metric batch within 1 s"):
                stream.report(batch("s", "r", "t", 1))
            assert silent.received.is_set()
            stream.close()
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(0), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
