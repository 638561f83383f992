"""What a run wrote reaches its record: FinishRun's `output` (bounded, stored once), a
program's stdout and stderr tails and a function's traceback sent by the agent, and the
host its agent named in its hello."""

from __future__ import annotations

import socket
import textwrap

import grpc
import pytest

import sweepd
from sweepd.client import Client
from sweepd.controller.limits import MAX_ERROR_CHARS, MAX_OUTPUT_BYTES
from sweepd.dash_ui import DashboardReader
from sweepd.domain import InvalidArgument, MetricBatch, MetricPoint, RunOutput, RunState
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import types_pb2 as types_pb

from streams import take_run

CONFIG = {"method": "random", "metric": {"name": "loss", "goal": "minimize"},
          "parameters": {"x": {"min": 0.0, "max": 1.0}}}


@pytest.fixture
def reader(redis_url):
    reader = DashboardReader.from_url(redis_url)
    yield reader
    reader.close()


def test_finish_run_stores_the_output_once(controller, reader):
    client = Client(controller.address)
    sid = client.create_sweep(CONFIG).id
    run_id, token = take_run(client, sid)
    output = RunOutput(stdout="epoch 1\nepoch 2\n", stderr="warning: slow\n", stdout_bytes=16,
                       stderr_bytes=14)
    client.finish_run(sid, run_id, token, RunState.FINISHED, 0, output=output)
    # a resent FinishRun (same outcome) answers OK and changes nothing
    client.finish_run(sid, run_id, token, RunState.FINISHED, 0, output=RunOutput(stdout="other"))
    assert reader.run_record(sid, run_id).output == output


def test_a_run_that_sent_no_output_has_none(controller, reader):
    client = Client(controller.address)
    sid = client.create_sweep(CONFIG).id
    run_id, token = take_run(client, sid)
    client.finish_run(sid, run_id, token, RunState.FINISHED)
    assert reader.run_record(sid, run_id).output is None


@pytest.mark.parametrize("field, output", [
    ("output.stdout_tail", RunOutput(stdout="x" * (MAX_OUTPUT_BYTES + 1))),
    ("output.stderr_tail", RunOutput(stderr="é" * (MAX_OUTPUT_BYTES // 2 + 1))),  # bytes, not chars
    ("output.traceback", RunOutput(traceback="t" * (MAX_OUTPUT_BYTES + 1))),
    ("output.stdout_bytes", RunOutput(stdout_bytes=-1)),
])
def test_output_past_its_bounds_refuses_the_whole_finish_run(controller, reader, field, output):
    client = Client(controller.address)
    sid = client.create_sweep(CONFIG).id
    run_id, token = take_run(client, sid)
    final = MetricBatch(run_id, sid, token, 1, (MetricPoint(0, 1_700_000_000.0, {"loss": 0.5}),))
    with pytest.raises(InvalidArgument) as caught:
        client.finish_run(sid, run_id, token, RunState.FINISHED, 0, final_metrics=final,
                          output=output)
    assert [path for path, _ in caught.value.errors] == [field]
    assert field in str(caught.value)
    record = reader.run_record(sid, run_id)
    assert record.run.state is RunState.PENDING and record.run.points == 0 and record.output is None
    # exactly at the bound is fine
    most = RunOutput(stdout="x" * MAX_OUTPUT_BYTES, stderr="é" * (MAX_OUTPUT_BYTES // 2),
                     traceback="t" * MAX_OUTPUT_BYTES)
    client.finish_run(sid, run_id, token, RunState.FINISHED, 0, final_metrics=final, output=most)
    record = reader.run_record(sid, run_id)
    assert record.run.points == 1 and record.output == most


# Writes 200,000 bytes to stdout (numbered lines), a line to stderr, logs, and exits 3.
NOISY = textwrap.dedent("""
    import sys, sweepd
    run = sweepd.init()
    run.log({"loss": 0.5}, step=0)
    run.flush(10)
    line = 0
    written = 0
    while written < 200_000:
        text = f"line {line:06d} " + "." * 40 + "\\n"
        sys.stdout.write(text)
        written += len(text)
        line += 1
    sys.stdout.flush()
    sys.stderr.write("Traceback (most recent call last):\\nValueError: bad batch \\xe9\\n")
    sys.exit(3)
""")


def test_a_program_runs_output_tail_reaches_its_record_and_the_agents_own_streams(
        controller, reader, tmp_path, capfd):
    (tmp_path / "train.py").write_text(NOISY)
    sid = sweepd.sweep({**CONFIG, "program": str(tmp_path / "train.py")},
                       controller=controller.address)
    sweepd.agent(sid, count=1, controller=controller.address)
    with Client(controller.address) as client:
        run = client.list_runs(sid)[0]
    assert run.state is RunState.FAILED and run.exit_code == 3
    assert run.host == socket.gethostname()
    record = reader.run_record(sid, run.id)
    assert record.run.host == socket.gethostname()
    out = record.output
    lines, written = [], 0
    while written < 200_000:  # what NOISY wrote
        lines.append(f"line {len(lines):06d} " + "." * 40 + "\n")
        written += len(lines[-1])
    everything = "".join(lines)
    assert out.stdout_bytes == len(everything) > MAX_OUTPUT_BYTES
    assert len(out.stdout.encode()) == MAX_OUTPUT_BYTES and everything.endswith(out.stdout)
    assert out.stderr == "Traceback (most recent call last):\nValueError: bad batch \xe9\n"
    assert out.stderr_bytes == len(out.stderr.encode())
    assert out.traceback == ""
    seen = capfd.readouterr()  # passed through to the agent's own stdout and stderr
    assert everything in seen.out and "ValueError: bad batch" in seen.err


def test_a_failing_function_run_sends_its_traceback(controller, reader):
    sid = sweepd.sweep(CONFIG, controller=controller.address)

    def train_that_breaks():
        run = sweepd.init()
        run.log({"loss": 1.0}, step=0)
        raise RuntimeError("the data loader gave up")

    sweepd.agent(sid, train_that_breaks, count=1, controller=controller.address)
    with Client(controller.address) as client:
        run = client.list_runs(sid)[0]
    assert run.state is RunState.FAILED and run.error == "RuntimeError: the data loader gave up"
    output = reader.run_record(sid, run.id).output
    assert output.traceback.startswith("Traceback (most recent call last):")
    assert "train_that_breaks" in output.traceback
    assert output.traceback.rstrip().endswith("RuntimeError: the data loader gave up")
    assert output.stdout == output.stderr == "" and output.stdout_bytes == 0


def test_a_function_run_that_finishes_sends_no_output(controller, reader):
    sid = sweepd.sweep(CONFIG, controller=controller.address)
    sweepd.agent(sid, lambda: sweepd.init().log({"loss": 0.1}), count=1,
                 controller=controller.address)
    with Client(controller.address) as client:
        run = client.list_runs(sid)[0]
    assert run.state is RunState.FINISHED
    assert reader.run_record(sid, run.id).output is None


def test_an_error_past_its_bound_is_refused_on_the_wire(controller, reader):
    """A client that sends more than MAX_ERROR_CHARS of `error` gets INVALID_ARGUMENT
    naming it, and nothing of the FinishRun is stored (no silent cut)."""
    client = Client(controller.address)
    sid = client.create_sweep(CONFIG).id
    run_id, token = take_run(client, sid)
    request = agent_pb.FinishRunRequest(sweep_id=sid, run_id=run_id, lease_token=token,
                                        state=types_pb.RUN_STATE_FAILED,
                                        error="e" * (MAX_ERROR_CHARS + 1))
    with pytest.raises(grpc.RpcError) as caught:
        client.agents.FinishRun(request, timeout=10)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "error: 10,001 characters; at most 10,000" in caught.value.details()
    assert reader.run_record(sid, run_id).run.state is RunState.PENDING
    request.error = "e" * MAX_ERROR_CHARS  # exactly at the bound is fine
    assert client.agents.FinishRun(request, timeout=10).state == types_pb.RUN_STATE_FAILED


def test_a_function_run_with_a_huge_error_message_fails_with_the_end_of_it(controller):
    sid = sweepd.sweep(CONFIG, controller=controller.address)

    def train_that_breaks():
        sweepd.init()
        raise ValueError("bad rows: " + ",".join(str(i) for i in range(20_000)) + " (the end)")

    sweepd.agent(sid, train_that_breaks, count=1, controller=controller.address)
    with Client(controller.address) as client:
        run = client.list_runs(sid)[0]
    assert run.state is RunState.FAILED
    assert len(run.error) == MAX_ERROR_CHARS and run.error.startswith("[...] ")
    assert run.error.endswith(",19999 (the end)")
