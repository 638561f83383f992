"""Faults (a killed agent, a restarted controller) and bad input, on real processes."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
import threading
import time

import grpc
import pytest

import sweepd
from sweepd import convert
from sweepd.client import Client
from sweepd.domain import MetricBatch, MetricPoint, RunState, SweepState
from sweepd.errors import FailedPrecondition, InvalidArgument, InvalidState, LeaseLost, NotFound
from sweepd.v1 import metric_service_pb2 as metric_pb
from sweepd.v1 import sweep_service_pb2 as sweep_pb
from sweepd.v1 import types_pb2 as pb

from helpers import ManualClock, wait_for
from streams import take_run
from test_sweeps import run_agents


def spawn_agent(sweep_id: str, address: str, body: str) -> subprocess.Popen:
    code = "\n".join([
        "import sweepd, time",
        "def train():",
        "    run = sweepd.init()",
        textwrap.indent(textwrap.dedent(body).strip(), "    "),
        f"sweepd.agent({sweep_id!r}, function=train, controller={address!r})",
    ])
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def test_killed_agent_loses_its_run_as_crashed_when_its_lease_runs_out(start_controller):
    controller = start_controller(lease_seconds=1.0)
    rules = controller.controller.rules
    rules.clock = clock = ManualClock(time.time())  # leases move only when the test moves it
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    agent = spawn_agent(sweep_id, controller.address, """
        run.log({"y": 1})
        time.sleep(600)
    """)
    try:
        run = wait_for(lambda: [r for r in client.list_runs(sweep_id) if r.points == 1],
                       what="the agent's first metric")[0]
        assert run.state is RunState.RUNNING
        agent.kill()
        agent.wait()
        # its last heartbeat leased the run until now + 1 s, on the controller's clock
        clock.advance(0.9)
        assert controller.loop.run(rules.reap(sweep_id)) == []
        assert client.list_runs(sweep_id)[0].state is RunState.RUNNING
        clock.advance(0.2)
        crashed = wait_for(lambda: [r for r in client.list_runs(sweep_id)
                                    if r.state is RunState.CRASHED], timeout=10, what="crashed run")
        assert crashed[0].id == run.id
        assert "lease expired" in crashed[0].error
    finally:
        agent.kill()


def test_sdk_agent_keeps_a_run_longer_than_a_short_lease(start_controller, redis_client):
    from sweepd.controller.storage import keys

    controller = start_controller(lease_seconds=1.0)  # heartbeats every 0.2 s
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    leases = keys.sweep_leases(sweep_id)

    def train():
        run = sweepd.init()
        first = redis_client.zscore(leases, run.id)
        # the lease is renewed past two more leases: the run outlived its first lease twice
        wait_for(lambda: (redis_client.zscore(leases, run.id) or 0) >= first + 2000,
                 timeout=10, what="heartbeats to renew the lease")

    sweepd.agent(sweep_id, function=train, count=1, controller=controller.address)
    run = Client(controller.address).list_runs(sweep_id)[0]
    assert run.state is RunState.FINISHED, run.error


def test_late_report_from_the_old_holder_is_refused(start_controller):
    controller = start_controller(lease_seconds=0.5)
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    run_id, token = take_run(client, sweep_id)  # by hand: no heartbeats, the lease runs out
    wait_for(lambda: client.list_runs(sweep_id)[0].state is RunState.CRASHED, what="crash")
    batch = MetricBatch(run_id, sweep_id, token, 1, (MetricPoint(0, time.time(), {"y": 1.0}),))
    with pytest.raises(LeaseLost):
        client.call(client.metrics.ReportMetricsOnce, convert.batch_to_proto(batch))
    with pytest.raises(LeaseLost):
        client.finish_run(sweep_id, run_id, token, RunState.FINISHED)
    assert client.list_runs(sweep_id)[0].points == 0


def test_cancelled_sweep_crashes_the_runs_whose_agent_vanished(start_controller):
    controller = start_controller(lease_seconds=2.0)
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"min": 0.0, "max": 1.0}}},
                            controller=controller.address)
    running, token = take_run(client, sweep_id)  # by hand: no heartbeats after this
    client.start_run(sweep_id, running, token)
    pending, _ = take_run(client, sweep_id)
    counts = client.change_state(sweep_id, "cancel").counts
    assert (counts.running, counts.pending) == (1, 1)  # both still held when it was cancelled

    def ended():
        sweep = client.get_sweep(sweep_id)
        return sweep if sweep.counts.crashed == 2 else None

    sweep = wait_for(ended, timeout=15, what="both leases to expire in the cancelled sweep")
    assert (sweep.counts.running, sweep.counts.pending) == (0, 0)
    assert sweep.state is SweepState.CANCELLED
    runs = {r.id: r for r in client.list_runs(sweep_id)}
    assert {runs[running].state, runs[pending].state} == {RunState.CRASHED}
    assert all("lease expired" in r.error for r in runs.values())


def test_run_cap_counts_configurations_when_a_retry_comes_before_the_cap(start_controller):
    controller = start_controller(lease_seconds=1.0)
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "run_cap": 2, "retry": {"max_attempts": 2},
                             "parameters": {"x": {"min": 0.0, "max": 1.0}}},
                            controller=controller.address)
    take_run(client, sweep_id)  # by hand: no heartbeats, so it crashes and is queued again
    wait_for(lambda: client.get_sweep(sweep_id).counts.crashed == 1, what="the crash")
    ran = sweepd.agent(sweep_id, function=lambda: sweepd.init().log({"y": 1}),
                       controller=controller.address)
    runs = client.list_runs(sweep_id)
    assert ran == 2  # the retry, then the 2nd configuration
    assert sorted(r.attempt for r in runs) == [1, 1, 2]
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED


def test_controller_restart_mid_sweep_loses_nothing(controller):
    client = Client(controller.address)
    config = {"method": "grid", "metric": {"name": "loss"},
              "parameters": {"a": {"values": list(range(6))}, "b": {"values": [0, 1]}}}
    sweep_id = sweepd.sweep(config, controller=controller.address)

    def train():
        run = sweepd.init()
        for step in range(5):
            run.log({"loss": run.config["a"] + step})
            time.sleep(0.02)

    def restart_when_half_done():
        wait_for(lambda: client.get_sweep(sweep_id).counts.finished >= 4, what="progress")
        controller.stop()
        time.sleep(0.5)
        controller.start()

    restarter = threading.Thread(target=restart_when_half_done)
    restarter.start()
    run_agents(sweep_id, controller.address, 2, train)
    restarter.join()

    runs = client.list_runs(sweep_id)
    assert len(runs) == 12
    assert {(r.config["a"], r.config["b"]) for r in runs} == {(a, b) for a in range(6) for b in (0, 1)}
    assert all(r.state is RunState.FINISHED for r in runs), [r.state for r in runs]
    assert all(r.points == 5 for r in runs), [r.points for r in runs]
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED


# ---------------------------------------------------------------- bad input

def test_invalid_config_is_invalid_argument_listing_every_error(controller):
    client = Client(controller.address)
    config = pb.SweepConfig(method=pb.SEARCH_METHOD_GRID)
    config.parameters["lr"].distribution = pb.DISTRIBUTION_UNIFORM
    config.parameters["lr"].min.double_value = 1.0
    config.parameters["lr"].max.double_value = 0.5
    config.parameters["units"].min.int_value = 1
    config.parameters["units"].max.double_value = 2.5
    config.early_terminate.type = pb.EARLY_TERMINATE_TYPE_HYPERBAND
    config.early_terminate.min_iter = 3
    with pytest.raises(grpc.RpcError) as caught:
        client.sweeps.CreateSweep(sweep_pb.CreateSweepRequest(config=config), timeout=5)
    err = caught.value
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT
    details = dict(err.trailing_metadata())["sweepd-violations-bin"]
    fields = {v.field for v in sweep_pb.ValidateSweepResponse.FromString(details).violations}
    assert {"parameters.lr.max", "parameters.units", "metric.name"} <= fields or \
        {"parameters.lr", "parameters.units"} <= {f.rsplit(".", 1)[0] for f in fields}
    assert len(fields) >= 3
    for field in fields:
        assert field in err.details()
    assert client.list_sweeps() == []


def test_sdk_maps_invalid_config_to_invalid_argument_with_paths(controller):
    from sweepd.config import ConfigError

    with pytest.raises(ConfigError) as caught:
        sweepd.sweep({"method": "grid", "parameters": {"x": {"min": 0.0, "max": 1.0}},
                      "bogus": 1}, controller=controller.address)
    paths = {e.path for e in caught.value.errors}
    assert "bogus" in paths and any(p.startswith("parameters.x") for p in paths)


def test_unknown_sweep_is_not_found(controller):
    client = Client(controller.address)
    with pytest.raises(NotFound, match="nosuchid"):
        client.get_sweep("nosuchid")
    with pytest.raises(NotFound):
        client.list_runs("bad id with spaces")
    with pytest.raises(NotFound):
        client.change_state("nosuchid", "pause")


def test_metric_reports_are_checked_and_idempotent(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "metric": {"name": "loss"},
                             "parameters": {"x": {"values": [1]}}}, controller=controller.address)
    run_id, token = take_run(client, sweep_id)

    def report(seq, values, token=token, run_id=run_id):
        batch = MetricBatch(run_id, sweep_id, token, seq, (MetricPoint(seq, time.time(), values),))
        return client.call(client.metrics.ReportMetricsOnce, convert.batch_to_proto(batch))

    assert not report(1, {"loss": 1.0}).duplicate
    assert report(1, {"loss": 1.0}).duplicate  # a resend is acknowledged, not stored again
    with pytest.raises(LeaseLost):
        report(2, {"loss": 0.5}, token="not-the-token")
    with pytest.raises(NotFound):
        report(2, {"loss": 0.5}, run_id="nosuchrun")
    raw = convert.batch_to_proto(MetricBatch(run_id, sweep_id, token, 2,
                                             (MetricPoint(2, time.time(), {"loss": 0.5}),)))
    raw.points[0].values["loss"].double_value = math.nan
    with pytest.raises(InvalidArgument, match=r"points\[0\]\.values\.loss"):
        client.call(client.metrics.ReportMetricsOnce, raw)
    big = metric_pb.MetricBatch(sweep_id=sweep_id, run_id=run_id, lease_token=token, seq=3)
    big.points.add().values["blob"].string_value = "x" * (5 * 1024 * 1024)
    with pytest.raises(grpc.RpcError) as caught:
        client.metrics.ReportMetricsOnce(big, timeout=10)
    assert caught.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert not report(2, {"loss": 0.25}).duplicate  # the refused batches stored nothing

    run = client.list_runs(sweep_id)[0]
    assert run.points == 2 and run.summary == {"loss": 0.25}
    points = client.metrics.GetRunMetrics(
        metric_pb.GetRunMetricsRequest(sweep_id=sweep_id, run_id=run_id), timeout=5).points
    assert [p.values["loss"].double_value for p in points] == [1.0, 0.25]


def test_finish_run_requires_a_terminal_state(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    run_id, token = take_run(client, sweep_id)
    with pytest.raises(InvalidArgument, match="state"):
        client.finish_run(sweep_id, run_id, token, RunState.RUNNING)
    assert client.finish_run(sweep_id, run_id, token, RunState.FINISHED).state is RunState.FINISHED
    # idempotent for the same outcome, refused for another
    assert client.finish_run(sweep_id, run_id, token, RunState.FINISHED).state is RunState.FINISHED
    with pytest.raises(LeaseLost):
        client.finish_run(sweep_id, run_id, token, RunState.FAILED)


def test_state_change_forbidden_by_state_is_failed_precondition(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "parameters": {"x": {"values": [1]}}},
                            controller=controller.address)
    client.change_state(sweep_id, "cancel")
    with pytest.raises(InvalidState, match="cannot resume a sweep that is cancelled") as caught:
        client.change_state(sweep_id, "resume")
    assert isinstance(caught.value, FailedPrecondition) and not isinstance(caught.value, LeaseLost)


def test_program_mode_runs_subprocesses_and_reports_exit_codes(controller, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import sys, sweepd
        run = sweepd.init()
        run.log({"loss": run.config["x"] * 1.5})
        run.finish()
        sys.exit(3 if run.config["x"] == 2 else 0)
    """))
    config = {"method": "grid", "program": str(script), "metric": {"name": "loss"},
              "parameters": {"x": {"values": [1, 2]}}}
    sweep_id = sweepd.sweep(config, controller=controller.address)
    assert sweepd.agent(sweep_id, controller=controller.address) == 2
    runs = {r.config["x"]: r for r in Client(controller.address).list_runs(sweep_id)}
    assert runs[1].state is RunState.FINISHED and runs[1].summary == {"loss": 1.5}
    assert runs[2].state is RunState.FAILED and runs[2].exit_code == 3
    assert runs[2].summary == {"loss": 3.0}


def test_program_mode_stop_sends_sigterm_and_run_ends_stopped(controller, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import time, sweepd
        run = sweepd.init()
        step = 0
        while not run.should_stop:
            run.log({"loss": 1.0 / (step + 1)})
            step += 1
            time.sleep(0.02)
        run.log({"stopped_cleanly": True})
    """))
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "program": str(script),
                             "parameters": {"x": {"values": [1]}}}, controller=controller.address)
    t = threading.Thread(target=lambda: sweepd.agent(sweep_id, controller=controller.address,
                                                     count=1), daemon=True)
    t.start()
    wait_for(lambda: [r for r in client.list_runs(sweep_id) if r.points >= 3], what="metrics")
    client.change_state(sweep_id, "cancel")
    t.join(20)
    run = client.list_runs(sweep_id)[0]
    assert run.state is RunState.STOPPED
    assert run.summary.get("stopped_cleanly") is True


def test_program_that_never_reads_should_stop_ends_at_once_with_every_point_flushed(
        controller, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import sweepd
        run = sweepd.init()
        try:
            while True:  # busy, never reads should_stop, never ends by itself
                sum(i * i for i in range(200_000))
                run.log({"loss": 1.0})
        finally:
            run.log({"cleanup": 1})
    """))
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "program": str(script),
                             "parameters": {"x": {"values": [1]}}}, controller=controller.address)
    t = threading.Thread(target=lambda: sweepd.agent(sweep_id, controller=controller.address,
                                                     count=1), daemon=True)
    t.start()
    wait_for(lambda: [r for r in client.list_runs(sweep_id) if r.points >= 3], what="metrics")
    client.change_state(sweep_id, "cancel")
    t.join(60)  # hang detection: without the stop it would run forever
    assert not t.is_alive()
    run = client.list_runs(sweep_id)[0]
    assert run.state is RunState.STOPPED and run.stop_reason.kind == "cancelled"
    reply = client.call(client.metrics.GetRunMetrics,
                        metric_pb.GetRunMetricsRequest(sweep_id=sweep_id, run_id=run.id))
    steps = [p.step for p in reply.points]
    assert steps == list(range(len(steps)))  # nothing logged was lost
    assert "cleanup" in reply.points[-1].values  # its finally ran, and that point was sent too


def test_program_training_in_a_thread_that_never_reads_should_stop_ends_too(controller, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import threading, sweepd
        run = sweepd.init()

        def train():  # a non-daemon thread: the process waits for it to end
            while True:
                sum(i * i for i in range(1_000_000))
                run.log({"loss": 1.0})

        worker = threading.Thread(target=train)
        worker.start()
        worker.join()
    """))
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "program": str(script),
                             "parameters": {"x": {"values": [1]}}}, controller=controller.address)
    t = threading.Thread(target=lambda: sweepd.agent(sweep_id, controller=controller.address,
                                                     count=1, stop_grace=600), daemon=True)
    t.start()
    wait_for(lambda: [r for r in client.list_runs(sweep_id) if r.points >= 2], what="metrics")
    client.change_state(sweep_id, "cancel")
    t.join(60)  # hang detection (the agent's SIGKILL would come only after 600 s)
    assert not t.is_alive()
    assert client.list_runs(sweep_id)[0].state is RunState.STOPPED


def _running(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_stop_reaches_the_program_a_wrapper_script_started(controller, tmp_path):
    # the run's command is a shell script that starts Python without exec: the stop
    # must reach the training process, not only the shell
    wrapper = tmp_path / "wrap.sh"
    wrapper.write_text('"$1" "$2"\necho "training ended"\n')
    pid_file = tmp_path / "pid"
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(f"""
        import os, sweepd
        run = sweepd.init()
        run.log({{"loss": 1.0}})
        run.flush()
        with open({str(pid_file)!r} + ".tmp", "w") as f:
            f.write(str(os.getpid()))
        os.rename({str(pid_file)!r} + ".tmp", {str(pid_file)!r})
        while not run.should_stop:  # learns of a stop only from a signal: it logs no more
            sum(i * i for i in range(50_000))
    """))
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "program": str(script),
                             "command": ["/bin/sh", str(wrapper), "${interpreter}", "${program}"],
                             "parameters": {"x": {"values": [1]}}}, controller=controller.address)
    t = threading.Thread(target=lambda: sweepd.agent(sweep_id, controller=controller.address,
                                                     count=1, stop_grace=2.0), daemon=True)
    t.start()
    pid = int(wait_for(lambda: pid_file.exists() and pid_file.read_text(), what="the program"))
    try:
        client.change_state(sweep_id, "cancel")
        t.join(30)
        assert not t.is_alive()
        wait_for(lambda: not _running(pid), timeout=20, what="the wrapped program to end")
        assert client.list_runs(sweep_id)[0].state is RunState.STOPPED
    finally:
        if _running(pid):
            os.kill(pid, 9)


def test_cli_reports_a_dead_controller_without_a_traceback(tmp_path):
    config = tmp_path / "sweep.yaml"
    config.write_text("method: random\nparameters:\n  x:\n    values: [1, 2]\n")
    env = dict(os.environ, SWEEPD_CONTROLLER="127.0.0.1:1")
    result = subprocess.run([sys.executable, "-m", "sweepd.cli", "sweep", str(config)],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "unreachable" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("lease", ["0.1", "0", "-5", "nan", "inf", "1e9"])
def test_controller_refuses_a_lease_outside_its_bounds(lease, redis_url):
    result = subprocess.run([sys.executable, "-m", "sweepd.cli", "controller", "--port", "0",
                             "--redis-url", redis_url, "--lease-seconds", lease],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--lease-seconds" in result.stderr and "0.5" in result.stderr
    assert "Traceback" not in result.stderr and "listening" not in result.stdout


def test_make_server_refuses_a_lease_outside_its_bounds(redis_url):
    from conftest import shared_loop
    from sweepd.controller.server import make_server

    with pytest.raises(InvalidArgument, match="lease"):
        shared_loop().run(make_server(redis_url, lease_seconds=0.2))


def test_cli_validate_lists_every_error_with_its_path(tmp_path):
    config = tmp_path / "sweep.yaml"
    config.write_text(textwrap.dedent("""
        method: grid
        extra_key: 1
        parameters:
          lr: {min: 0.1, max: 0.01}
          n: {min: 1, max: 2.5}
    """))
    result = subprocess.run([sys.executable, "-m", "sweepd.cli", "sweep", "--validate", str(config)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "extra_key" in result.stderr and "parameters.lr" in result.stderr
    assert "parameters.n" in result.stderr and "Traceback" not in result.stderr


def test_cli_end_to_end_sweep_agent_runs_json(controller, tmp_path):
    import json

    script = tmp_path / "train.py"
    script.write_text("import sweepd\nrun = sweepd.init()\nrun.log({'loss': run.config['x']})\n")
    config = tmp_path / "sweep.yaml"
    config.write_text(f"method: grid\nprogram: {script}\nmetric: {{name: loss}}\n"
                      "parameters:\n  x:\n    values: [3, 1, 2]\n")
    env = dict(os.environ, SWEEPD_CONTROLLER=controller.address)

    def cli(*args):
        out = subprocess.run([sys.executable, "-m", "sweepd.cli", *args], capture_output=True,
                             text=True, env=env, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout

    sweep_id = cli("sweep", str(config)).strip().splitlines()[-1]
    cli("agent", sweep_id)
    runs = json.loads(cli("runs", sweep_id, "--json"))
    assert sorted(r["config"]["x"] for r in runs) == [1, 2, 3]
    assert all(r["state"] == "finished" and r["summary"]["loss"] == r["config"]["x"] for r in runs)
    sweeps = json.loads(cli("sweeps", "--json"))
    assert sweeps[0]["id"] == sweep_id and sweeps[0]["runs"]["finished"] == 3
    assert sweeps[0]["best_value"] == 1
    refused = subprocess.run([sys.executable, "-m", "sweepd.cli", "pause", sweep_id],
                             capture_output=True, text=True, env=env, timeout=60)
    assert refused.returncode == 1
    assert refused.stderr.strip() == "error: cannot pause a sweep that is finished"


def test_finish_run_stores_its_final_metrics_once(controller):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "random", "metric": {"name": "loss"},
                             "parameters": {"x": {"values": [1]}}}, controller=controller.address)
    run_id, token = take_run(client, sweep_id)
    first = MetricBatch(run_id, sweep_id, token, 1, (MetricPoint(0, time.time(), {"loss": 2.0}),))
    client.call(client.metrics.ReportMetricsOnce, convert.batch_to_proto(first))
    final = MetricBatch(run_id, sweep_id, token, 2, (MetricPoint(1, time.time(), {"loss": 1.0}),
                                                      MetricPoint(2, time.time(), {"loss": 0.5})))
    wrong = MetricBatch("otherrun", sweep_id, token, 2, final.points)
    with pytest.raises(InvalidArgument, match="final_metrics"):
        client.finish_run(sweep_id, run_id, token, RunState.FINISHED, final_metrics=wrong)
    done = client.finish_run(sweep_id, run_id, token, RunState.FINISHED, final_metrics=final)
    assert done.state is RunState.FINISHED and done.points == 3 and done.summary == {"loss": 0.5}
    # a FinishRun resent after a lost reply stores nothing twice
    again = client.finish_run(sweep_id, run_id, token, RunState.FINISHED, final_metrics=final)
    assert again.points == 3
    assert client.get_sweep(sweep_id).best_value == 0.5
