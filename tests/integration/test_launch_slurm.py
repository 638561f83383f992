"""`sweepd launch slurm` against a real one-node Slurm (slurm_cluster.py) and a real
controller process with --auth: sweeps complete through job arrays in program and
function mode, the API key stays out of every place Slurm or `ps` shows, and an
agent Slurm signals (before the time limit, or by scancel) stops its run cleanly so
that the retry runs elsewhere.

The cluster is started once per session and skipped only when Slurm's binaries are
missing (scripts/setup.sh installs slurm-wlm and munge).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import redis

from sweepd.client import Client
from sweepd.controller import auth
from sweepd.domain import RunState

from helpers import wait_for
from procs import Processes
from slurm_cluster import SlurmCluster, missing_binaries

HERE = Path(__file__).parent
TRAIN = HERE / "slurm_train.py"
DEADLINE = 180.0  # detects a hang; a sweep here takes seconds


@pytest.fixture(scope="session")
def slurm():
    missing = missing_binaries()
    if missing:
        pytest.skip(f"Slurm is not installed ({', '.join(missing)} not found); "
                    "scripts/setup.sh installs slurm-wlm and munge")
    directory = Path(tempfile.mkdtemp(prefix="sweepd-slurm-", dir="/tmp"))
    os.chmod(directory, 0o755)  # munged (user munge) reaches its socket below it
    cluster = SlurmCluster(directory)
    try:
        yield cluster.start()
    finally:
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def secured(redis_url, tmp_path):
    """A controller process on 127.0.0.1 with --auth, and a read-write API key."""
    procs = Processes(tmp_path)
    try:
        controller = procs.controller("controller", redis_url, lease_seconds=10,
                                      extra=("--auth",))
        key = auth.create_key(redis.Redis.from_url(redis_url), "slurmtest")
        yield controller.address, key
    finally:
        procs.close()
        print(procs.report())


class Launcher:
    """Runs `sweepd launch slurm` as a user would: the key in $SWEEPD_API_KEY, a
    private $HOME (where the key file and the tasks' output go), this cluster's
    $SLURM_CONF."""

    def __init__(self, slurm: SlurmCluster, address: str, key: str, home: Path):
        self.slurm, self.address, self.key, self.home = slurm, address, key, home
        home.mkdir()
        self.gate = home / "gate"
        self.env = {**os.environ, **slurm.env, "HOME": str(home), "SWEEPD_API_KEY": key,
                    "SWEEPD_TEST_GATE": str(self.gate), "SWEEPD_METRICS_LINGER": "0.02"}
        self.client = Client(address, api_key=key)

    def sweep(self, parameters: dict, **config) -> str:
        return self.client.create_sweep({"method": "grid", "metric": {"name": "loss"},
                                         "parameters": parameters, **config}).id

    def launch(self, *args: str, cwd: Path = HERE, gated: bool = True,
               check: bool = True) -> subprocess.CompletedProcess:
        env = dict(self.env)
        if not gated:
            del env["SWEEPD_TEST_GATE"]
        done = subprocess.run(
            [sys.executable, "-m", "sweepd.cli", "launch", "slurm", *args,
             "--controller", self.address], cwd=cwd, env=env, capture_output=True, text=True,
            timeout=120)
        if check:
            assert done.returncode == 0, done.stderr
        return done

    def submit(self, sweep_id: str, *args: str, **kwargs) -> str:
        """Launches, and returns the job id it printed."""
        out = self.launch(sweep_id, *args, **kwargs).stdout
        first = out.splitlines()[0]
        assert first.startswith("slurm: started "), out
        job_id = first.removeprefix("slurm: started ")
        assert f"scancel {job_id}" in out and f"squeue -j {job_id}" in out
        return job_id

    def slurm_cmd(self, *argv: str) -> str:
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, f"{argv}: {done.stderr}"
        return done.stdout

    def job_ended(self, job_id: str) -> bool:
        return not self.slurm_cmd("squeue", "-h", "-j", job_id, "-o", "%i").strip()

    def task_states(self, job_id: str) -> dict[int, str]:
        """Array task -> JobState, from scontrol (which keeps ended jobs MinJobAge)."""
        states = {}
        for record in self.slurm_cmd("scontrol", "-o", "show", "job", job_id).splitlines():
            fields = dict(f.split("=", 1) for f in record.split() if "=" in f)
            states[int(fields["ArrayTaskId"])] = fields["JobState"]
        return states

    def waiting(self, n: int) -> list[Path]:
        """The marker files of runs that logged their points and wait at the gate."""
        found = sorted(self.gate.parent.glob(f"{self.gate.name}.*"))
        return found if len(found) >= n else []

    def runs(self, sweep_id: str):
        return sorted(self.client.list_runs(sweep_id), key=lambda r: r.number)


@pytest.fixture
def launcher(slurm, secured, tmp_path):
    address, key = secured
    launcher = Launcher(slurm, address, key, tmp_path / "home")
    yield launcher
    launcher.client.close()
    # whatever a test left running ends here, so the next test starts on an idle node
    subprocess.run(["scancel", "--user=root", "--full", "--signal=KILL"], env=launcher.env,
                   capture_output=True, timeout=30)


def finished_runs(launcher: Launcher, sweep_id: str, n: int):
    def done():
        runs = launcher.runs(sweep_id)
        return runs if len(runs) == n and all(r.state.terminal for r in runs) else None

    return wait_for(done, DEADLINE, interval=0.2, what=f"{n} runs of {sweep_id} to end")


def test_a_six_run_sweep_completes_through_one_job_array_and_the_key_stays_private(launcher, slurm):
    sweep_id = launcher.sweep({"x": {"values": [1, 2, 3, 4, 5, 6]}}, program=str(TRAIN))
    started = time.monotonic()
    job_id = launcher.submit(sweep_id, "--agents", "3", "--time", "00:10:00")
    # each of the 3 agents holds a run, which waits at the gate: look at them now
    wait_for(lambda: launcher.waiting(3), DEADLINE, interval=0.1, what="3 runs at the gate")
    print(f"submit to 3 runs going: {time.monotonic() - started:.1f} s")
    ps = launcher.slurm_cmd("ps", "-eww", "-o", "args")
    assert ps.count(f"-m sweepd.cli agent {sweep_id} --controller {launcher.address}") == 3
    shown = {
        "ps": ps,
        "squeue": launcher.slurm_cmd("squeue", "-a", "-j", job_id, "-o", "%all"),
        "scontrol show job": launcher.slurm_cmd("scontrol", "-dd", "show", "job", job_id),
        "batch script": launcher.slurm_cmd("scontrol", "write", "batch_script", job_id, "-"),
    }
    assert f"sweepd-{sweep_id}" in shown["squeue"]
    for where, text in shown.items():
        assert launcher.key not in text, f"the API key shows in {where}"
    launcher.gate.touch()

    runs = finished_runs(launcher, sweep_id, 6)
    assert [r.state for r in runs] == [RunState.FINISHED] * 6
    assert sorted(r.config["x"] for r in runs) == [1, 2, 3, 4, 5, 6]
    assert all(r.points == 3 for r in runs)
    assert {r.summary["task"] for r in runs} == {0, 1, 2}  # one job array, three agents
    wait_for(lambda: launcher.job_ended(job_id), DEADLINE, what="the job array to end")
    assert launcher.task_states(job_id) == {0: "COMPLETED", 1: "COMPLETED", 2: "COMPLETED"}
    out = launcher.home / ".sweepd" / "slurm" / sweep_id
    for task in range(3):
        assert f"sweepd: task {job_id}_{task} on " in (out / f"{job_id}_{task}.out").read_text()

    # the dry run printed exactly what was submitted
    dry = launcher.launch(sweep_id, "--agents", "3", "--time", "00:10:00", "--dry-run").stdout
    assert dry == shown["batch script"]
    # the key: in a file only its owner reads, and nowhere in Slurm's state, spool or logs
    key_file = launcher.home / ".sweepd" / "launch" / f"slurm-{sweep_id}.env"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert launcher.key in key_file.read_text()
    leaks = [str(p) for p in slurm.dir.rglob("*")
             if p.is_file() and launcher.key.encode() in p.read_bytes()]
    assert leaks == []


def test_a_function_mode_sweep_completes_through_slurm(launcher):
    sweep_id = launcher.sweep({"x": {"values": [1, 2, 3, 4, 5, 6]}})
    # the module is imported where the agent runs: in the directory sweepd launch ran in
    job_id = launcher.submit(sweep_id, "--agents", "2", "--function", "slurm_train:train",
                             gated=False, cwd=HERE)
    runs = finished_runs(launcher, sweep_id, 6)
    assert [r.state for r in runs] == [RunState.FINISHED] * 6
    assert all(r.points == 3 and r.summary["task"] in (0, 1) for r in runs)
    wait_for(lambda: launcher.job_ended(job_id), DEADLINE, what="the job array to end")
    assert launcher.task_states(job_id) == {0: "COMPLETED", 1: "COMPLETED"}


def test_sbatch_refusing_the_job_is_a_one_line_error(launcher):
    sweep_id = launcher.sweep({"x": {"values": [1]}}, program=str(TRAIN))
    done = launcher.launch(sweep_id, "--agents", "1", "--partition", "nosuchpartition",
                           check=False)
    assert done.returncode == 1
    last = done.stderr.splitlines()[-1]
    assert last.startswith("error: sbatch failed (exit 1): ") and "nosuchpartition" in last
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("scancel, ended_as", [
    # what --signal=B:TERM@N sends before the time limit: SIGTERM to the batch shell
    # alone, which is the agent; a preempted agent exits 143, as a SIGTERM'd process does
    (("--batch", "--signal=TERM"), "FAILED"),
    # SIGTERM to the agent and its runs at once, as preemption does
    (("--full", "--signal=TERM"), "FAILED"),
    # scancel JOB: SIGCONT and SIGTERM to everything, SIGKILL KillWait seconds later
    ((), "CANCELLED"),
], ids=["agent", "agent-and-runs", "cancel"])
def test_an_agent_slurm_signals_stops_its_run_and_the_retry_runs_on_another(launcher, scancel,
                                                                            ended_as):
    sweep_id = launcher.sweep({"x": {"values": [7]}}, program=str(TRAIN), retry={"max_attempts": 2})
    job_id = launcher.submit(sweep_id, "--agents", "2")
    first = wait_for(lambda: launcher.waiting(1), DEADLINE, interval=0.1, what="a run at the gate")[0]
    task = int(first.read_text())
    # its run has logged its points a moment ago
    launcher.slurm_cmd("scancel", *scancel, f"{job_id}_{task}")
    markers = wait_for(lambda: launcher.waiting(2), DEADLINE, interval=0.1, what="the retry at the gate")
    launcher.gate.touch()

    stopped, retried = finished_runs(launcher, sweep_id, 2)
    assert (stopped.attempt, stopped.state) == (1, RunState.STOPPED)
    assert stopped.stop_reason.kind == "preempted"
    assert stopped.points == 3 and stopped.summary["task"] == task  # its metrics were flushed
    assert (retried.attempt, retried.state, retried.config) == (2, RunState.FINISHED, stopped.config)
    assert retried.summary["task"] == 1 - task == int((set(markers) - {first}).pop().read_text())
    wait_for(lambda: launcher.job_ended(job_id), DEADLINE, what="the job array to end")
    assert launcher.task_states(job_id) == {task: ended_as, 1 - task: "COMPLETED"}
    out = launcher.home / ".sweepd" / "slurm" / sweep_id / f"{job_id}_{task}.out"
    assert "agent shutting down (preempted" in out.read_text()


def test_before_its_time_limit_the_agent_stops_its_run_and_a_new_launch_runs_the_retry(launcher):
    sweep_id = launcher.sweep({"x": {"values": [7]}}, program=str(TRAIN), retry={"max_attempts": 2})
    job_id = launcher.submit(sweep_id, "--agents", "1", "--time", "00:10:00")
    wait_for(lambda: launcher.waiting(1), DEADLINE, interval=0.1, what="the run at the gate")
    # the limit comes near while the run is going: Slurm signals at its next check (every 30 s)
    launcher.slurm_cmd("scontrol", "update", f"JobId={job_id}_0", "TimeLimit=00:01:00")
    (stopped,) = finished_runs(launcher, sweep_id, 1)
    assert (stopped.state, stopped.points) == (RunState.STOPPED, 3)
    assert stopped.stop_reason.kind == "preempted"
    wait_for(lambda: launcher.job_ended(job_id), DEADLINE, what="the job to end")
    # the agent left before the limit, with a preempted agent's 143
    assert launcher.task_states(job_id) == {0: "FAILED"}

    launcher.gate.touch()
    again = launcher.submit(sweep_id, "--agents", "1")
    stopped, retried = finished_runs(launcher, sweep_id, 2)
    assert (retried.attempt, retried.state, retried.config) == (2, RunState.FINISHED, stopped.config)
    wait_for(lambda: launcher.job_ended(again), DEADLINE, what="the second job to end")


def test_cancelling_the_sweep_ends_its_slurm_agents(launcher):
    sweep_id = launcher.sweep({"x": {"values": [1, 2, 3, 4]}}, program=str(TRAIN))
    job_id = launcher.submit(sweep_id, "--agents", "2")
    wait_for(lambda: launcher.waiting(2), DEADLINE, interval=0.1, what="2 runs at the gate")
    launcher.client.change_state(sweep_id, "cancel")
    runs = finished_runs(launcher, sweep_id, 2)
    assert [r.state for r in runs] == [RunState.STOPPED] * 2
    wait_for(lambda: launcher.job_ended(job_id), DEADLINE, what="the agents to exit")
    assert launcher.task_states(job_id) == {0: "COMPLETED", 1: "COMPLETED"}
