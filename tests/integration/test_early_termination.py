"""Early termination through the real controller: decided when a metric arrives,
pushed to the holding agent's stream at once, recorded with its band and threshold."""

from __future__ import annotations

import queue
import textwrap
import threading
import time

import grpc
import pytest

import sweepd
from sweepd import convert
from sweepd.client import Client
from sweepd.domain import MetricBatch, MetricPoint, RunState
from sweepd.v1 import agent_service_pb2 as agent_pb


class ManualAgent:
    """An agent driven by the test: holds a Connect stream and records what arrives."""

    def __init__(self, client: Client, sweep_id: str, runs: int):
        self.client, self.sweep_id = client, sweep_id
        self.inbox: queue.Queue = queue.Queue()
        self._out: queue.Queue = queue.Queue()
        self._out.put(agent_pb.AgentMessage(hello=agent_pb.AgentHello(sweep_id=sweep_id, agent_id="manual")))
        self._out.put(agent_pb.AgentMessage(run_request=agent_pb.RunRequest(count=runs)))
        self.stream = client.agents.Connect(iter(self._out.get, None))
        threading.Thread(target=self._read, daemon=True).start()
        self.runs = []
        while len(self.runs) < runs:
            message = self.inbox.get(timeout=10)
            if message.WhichOneof("kind") == "assignment":
                self.runs.append((message.assignment.run.id, message.assignment.lease_token))

    def _read(self):
        try:
            for message in self.stream:
                self.inbox.put(message)
        except grpc.RpcError:  # cancelled by close()
            pass

    def report(self, index: int, seq: int, values: list[float]):
        run_id, token = self.runs[index]
        points = tuple(MetricPoint(seq * 10 + i, time.time(), {"loss": v}) for i, v in enumerate(values))
        batch = MetricBatch(run_id, self.sweep_id, token, seq, points)
        return self.client.call(self.client.metrics.ReportMetricsOnce, convert.batch_to_proto(batch))

    def close(self):
        self._out.put(None)
        self.stream.cancel()


def test_hyperband_worked_example_stops_c_and_pushes_the_stop(controller):
    client = Client(controller.address)
    config = {"method": "random", "metric": {"name": "loss", "goal": "minimize"},
              "early_terminate": {"type": "hyperband", "min_iter": 3, "eta": 3},
              "parameters": {"x": {"values": [1]}}}
    sweep_id = sweepd.sweep(config, controller=controller.address)
    agent = ManualAgent(client, sweep_id, runs=3)
    try:
        a, b, c = (run_id for run_id, _ in agent.runs)
        # Online, the rule runs at each arrival: C alone sets its own threshold and goes on;
        # B's values make the band-3 threshold 6 (values 6, 7; index int(2/3) = 0), which
        # stops C; A's arrival (band-3 values 3, 6, 7 -> threshold 6, the spec's example)
        # stops nobody new.
        assert not agent.report(2, 1, [9, 8, 7]).should_stop
        assert not agent.report(1, 1, [6, 6, 6]).should_stop
        stop = agent.inbox.get(timeout=5)
        assert not agent.report(0, 1, [5, 4, 3, 2]).should_stop
        assert stop.WhichOneof("kind") == "stop" and stop.stop.run_id == c
        assert stop.stop.reason.kind == "hyperband"
        assert (stop.stop.reason.band, stop.stop.reason.value, stop.stop.reason.threshold) == (3, 7.0, 6.0)
        assert agent.inbox.empty()
        runs = {r.id: r for r in client.list_runs(sweep_id)}
        assert (runs[c].stop_reason.band, runs[c].stop_reason.threshold) == (3, 6.0)
        assert runs[a].stop_reason is None and runs[b].stop_reason is None
        client.finish_run(sweep_id, c, agent.runs[2][1], RunState.STOPPED)
        assert {r.id: r.state for r in client.list_runs(sweep_id)}[c] is RunState.STOPPED
    finally:
        agent.close()


def test_early_terminated_function_run_ends_stopped_with_its_reason(controller):
    config = {"method": "grid", "metric": {"name": "loss"},
              "early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 2},
              "parameters": {"x": {"values": [1, 2, 5]}}}
    sweep_id = sweepd.sweep(config, controller=controller.address)
    all_logged = threading.Barrier(3, timeout=20)

    def train():
        run = sweepd.init()
        run.log({"loss": float(run.config["x"])})
        run.log({"loss": float(run.config["x"])})
        run.flush()
        all_logged.wait()  # every run has two values: band-2 values 1, 2, 5 -> threshold 2
        run.log({"loss": float(run.config["x"])})
        if run.config["x"] != 5:
            return
        deadline = time.monotonic() + 10  # the worst run waits for its stop
        while not run.should_stop and time.monotonic() < deadline:
            time.sleep(0.01)

    threads = [threading.Thread(target=sweepd.agent, args=(sweep_id, train),
                                kwargs={"controller": controller.address, "count": 1}) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    runs = {r.config["x"]: r for r in Client(controller.address).list_runs(sweep_id)}
    assert runs[5].state is RunState.STOPPED
    assert runs[5].stop_reason.kind == "hyperband" and runs[5].stop_reason.band == 2
    assert runs[1].state is RunState.FINISHED and runs[2].state is RunState.FINISHED


def test_values_a_run_logs_after_its_stop_decision_count_in_no_threshold(controller):
    client = Client(controller.address)
    config = {"method": "random", "metric": {"name": "loss", "goal": "minimize"},
              "early_terminate": {"type": "hyperband", "min_iter": 2, "eta": 3},  # bands 2, 6
              "parameters": {"x": {"values": [1]}}}
    sweep_id = sweepd.sweep(config, controller=controller.address)
    agent = ManualAgent(client, sweep_id, runs=3)
    try:
        a, b, c = (run_id for run_id, _ in agent.runs)
        assert not agent.report(2, 1, [9, 9]).should_stop
        assert not agent.report(1, 1, [1, 1]).should_stop  # band 2: values 1, 9 -> threshold 1
        assert agent.inbox.get(timeout=5).stop.run_id == c
        # C logs on while it stops: had these counted, A's band-6 threshold would be
        # C's 6th value 0 (values 0, 2; index int(2/3) = 0) and A (best 2) would stop
        assert agent.report(2, 2, [0, 0, 0, 0]).should_stop
        assert not agent.report(0, 1, [2, 2, 2, 2, 2, 2]).should_stop
        runs = {r.id: r for r in client.list_runs(sweep_id)}
        assert runs[a].stop_reason is None and runs[c].points == 6  # stored, not counted
    finally:
        agent.close()


BUSY_SCRIPT = """
    import sweepd
    run = sweepd.init()  # a W&B-style script: init, log, finish; never reads should_stop
    for step in range(60):
        sum(i * i for i in range(200_000))  # the main thread is busy computing
        run.log({"loss": run.config["x"] + 1.0 / (step + 1)})
    run.finish()
"""


@pytest.mark.parametrize("rule", ["hyperband", "asha"])
def test_busy_program_that_never_reads_should_stop_ends_at_its_stop_decision(
        rule, controller, tmp_path, redis_client, monkeypatch):
    from sweepd.controller.storage import keys

    monkeypatch.setenv("SWEEPD_METRICS_LINGER", "0.02")  # small batches: the bound below is tight
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(BUSY_SCRIPT))
    config = {"method": "grid", "program": str(script),
              "metric": {"name": "loss", "goal": "minimize"},
              "early_terminate": {"type": rule, "min_iter": 3, "eta": 3},
              "parameters": {"x": {"values": [1, 2, 3, 4, 5]}}}
    sweep_id = sweepd.sweep(config, controller=controller.address)
    agent = threading.Thread(target=sweepd.agent, args=(sweep_id,),
                             kwargs={"controller": controller.address}, daemon=True)
    agent.start()
    agent.join(120)  # hang detection only
    assert not agent.is_alive()

    runs = {r.config["x"]: r for r in Client(controller.address).list_runs(sweep_id)}
    # grid order: x=1 runs first with no peer and logs everything; each later, worse run
    # is stopped at the first band it reaches
    assert runs[1].state is RunState.FINISHED and runs[1].points == 60
    for x in (2, 3, 4, 5):
        run = runs[x]
        assert run.state is RunState.STOPPED, (x, run.state, run.error)
        assert run.stop_reason.kind == rule
        stored = redis_client.hgetall(keys.run(sweep_id, run.id))
        # after the decision: at most the batch in flight and the final flush
        assert int(stored["last_seq"]) <= int(stored["stop_seq"]) + 2, (x, stored)
