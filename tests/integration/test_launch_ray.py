"""`sweepd launch ray` against a real Ray cluster: a head node with no CPUs and two
worker nodes of one CPU each, all on this machine (`ray.cluster_utils.Cluster`),
shared by the tests of this module. One agent fits a node, so two agents land on
two nodes. Controllers are real (in-process, or `sweepd controller --auth`).
"""

from __future__ import annotations

import collections
import os
import shutil
import signal
import tempfile

import psutil
import pytest

ray = pytest.importorskip("ray")

import sweepd  # noqa: E402
import sweepd.launch  # noqa: E402
from sweepd.client import Client  # noqa: E402
from sweepd.controller import auth  # noqa: E402
from sweepd.domain import RunState, SweepState  # noqa: E402

from helpers import wait_for  # noqa: E402
from ray_helpers import (  # noqa: E402
    Launcher, agent_pid, assert_all_gone, launcher_env, processes_with, ray_processes,
    trial_dir,
)

pytestmark = pytest.mark.slow

NODE = {"num_cpus": 1, "object_store_memory": 80 * 1024 * 1024}
GRID_6 = {"method": "grid", "metric": {"name": "loss"},
          "parameters": {"a": {"values": [1, 2, 3, 4, 5, 6]}}}


class RayNodes:
    """The module's cluster: `address` to pass as --address, `workers` its nodes."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.address = cluster.address

    @property
    def workers(self) -> list:
        return list(self.cluster.worker_nodes)

    def add_worker(self):
        node = self.cluster.add_node(**NODE)
        self.cluster.wait_for_nodes()
        return node

    def kill_node(self, node) -> None:
        """The node dies as a machine would: its raylet and every process under it
        (the agents' workers and their runs) are SIGKILLed at once."""
        raylet = psutil.Process(node.all_processes["raylet"][0].process.pid)
        for p in raylet.children(recursive=True):
            try:
                p.kill()
            except psutil.Error:
                pass
        self.cluster.remove_node(node, allow_graceful=False)


@pytest.fixture(scope="module")
def ray_nodes():
    from ray.cluster_utils import Cluster

    tmp = tempfile.mkdtemp(prefix="sr-", dir="/tmp")  # short: Ray's socket paths live in it
    saved = os.environ.get("RAY_TMPDIR")
    os.environ["RAY_TMPDIR"] = tmp  # sessions, logs and the address file, all in tmp
    cluster = Cluster(initialize_head=True, head_node_args={
        "num_cpus": 0, "include_dashboard": False, "object_store_memory": 80 * 1024 * 1024})
    me = psutil.Process()
    try:
        nodes = RayNodes(cluster)
        for _ in range(2):
            nodes.add_worker()
        yield nodes
    finally:
        started = ray_processes(me)
        cluster.shutdown()
        if saved is None:
            os.environ.pop("RAY_TMPDIR", None)
        else:
            os.environ["RAY_TMPDIR"] = saved
        try:
            assert_all_gone(started)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def launchers(tmp_path):
    started: list[Launcher] = []

    def start(args: list[str], *, cwd, **env: str) -> Launcher:
        launcher = Launcher(args, tmp_path / f"launch{len(started)}.log", cwd=cwd,
                            env=launcher_env(**env))
        started.append(launcher)
        return launcher

    yield start
    for launcher in started:
        launcher.close()
        print(f"----- sweepd launch ray (rc {launcher.popen.returncode})\n"
              f"{launcher.output()[-4000:]}")



def finished_once_each(runs) -> bool:
    done = collections.Counter(r.config["a"] for r in runs if r.state is RunState.FINISHED)
    return set(done) == set(GRID_6["parameters"]["a"]["values"]) and max(done.values()) == 1


def test_program_sweep_runs_on_both_nodes_with_the_key_on_no_command_line(
        ray_nodes, launchers, procs, redis_url, redis_client, tmp_path):
    key = auth.create_key(redis_client, "raytest")
    controller = procs.controller("controller", redis_url, lease_seconds=10, extra=("--auth",))
    client = Client(controller.address, api_key=key)
    sweep_id = sweepd.sweep({**GRID_6, "program": "train.py"}, controller=controller.address,
                            api_key=key)
    work = trial_dir(tmp_path)

    launcher = launchers(["--agents", "2", "--address", ray_nodes.address,
                          "--working-dir", str(work), sweep_id], cwd=tmp_path,
                         SWEEPD_CONTROLLER=controller.address, SWEEPD_API_KEY=key)
    wait_for(lambda: any(r.state is RunState.RUNNING and r.points
                         for r in client.list_runs(sweep_id)), 120, what="a run under way")
    assert processes_with(key) == []  # agents, their runs and Ray's processes alike

    assert launcher.wait(120) == 0, launcher.output()
    runs = client.list_runs(sweep_id)
    assert finished_once_each(runs) and len(runs) == 6
    placed = launcher.placed()
    assert len({p["node"] for p in placed.values()}) == 2, placed  # one agent per node
    assert {agent_pid(r.agent_id) for r in runs} == {p["pid"] for p in placed.values()}
    assert key not in launcher.output()


def test_function_sweep_completes_through_the_python_api(ray_nodes, controller, tmp_path):
    sweep_id = sweepd.sweep(GRID_6, controller=controller.address)
    lines: list[str] = []
    launched = sweepd.launch.ray(sweep_id, agents=2, controller=controller.address,
                                 function="raytrials:quick", address=ray_nodes.address,
                                 working_dir=str(trial_dir(tmp_path)), out=lines.append)
    assert launched.engine == "ray" and len(launched.ids) == 2

    assert launched.wait() == 0, lines
    assert not ray.is_initialized()  # the launch connected, so it disconnected
    runs = Client(controller.address).list_runs(sweep_id)
    assert finished_once_each(runs) and len(runs) == 6
    assert sum(1 for line in lines if ": done: " in line) == 2, lines


def test_node_killed_while_it_holds_a_run_crashes_the_run_and_the_other_node_retries_it(
        ray_nodes, launchers, start_controller, tmp_path):
    lease = 3.0
    controller = start_controller(lease_seconds=lease)
    client = Client(controller.address)
    sweep_id = sweepd.sweep({**GRID_6, "retry": {"max_attempts": 2}},
                            controller=controller.address)
    launcher = launchers(["--agents", "2", "--address", ray_nodes.address,
                          "--controller", controller.address, "--function", "raytrials:steady",
                          sweep_id], cwd=trial_dir(tmp_path))  # imported from the launch dir

    def a_run_under_way():
        placed = launcher.placed()
        for r in client.list_runs(sweep_id):
            if r.state is RunState.RUNNING and r.points and len(placed) == 2:
                return r, next(p for p in placed.values() if p["pid"] == agent_pid(r.agent_id))
        return None

    victim_run, victim = wait_for(a_run_under_way, 120, what="a run under way on a node")
    node = next(n for n in ray_nodes.workers if n.node_id.startswith(victim["node"]))
    try:
        ray_nodes.kill_node(node)
        crashed = wait_for(lambda: next((r for r in client.list_runs(sweep_id)
                                         if r.id == victim_run.id and r.state.terminal), None),
                           lease * 5, what="the dead node's run to end")
        assert crashed.state is RunState.CRASHED and "lease expired" in crashed.error

        assert launcher.wait(120) == 0, launcher.output()  # the other agent finished the sweep
    finally:
        ray_nodes.add_worker()  # the next test has two nodes again
    assert f"agent {next(i for i, p in launcher.placed().items() if p == victim)}/2: lost" \
        in launcher.output()
    runs = client.list_runs(sweep_id)
    assert finished_once_each(runs)
    retry = [r for r in runs if r.config == crashed.config and r.attempt == 2]
    assert len(retry) == 1 and retry[0].state is RunState.FINISHED
    assert agent_pid(retry[0].agent_id) != victim["pid"]
    assert client.get_sweep(sweep_id).state is SweepState.FINISHED


def test_sigterm_to_the_launcher_stops_the_runs_as_preempted(ray_nodes, launchers, controller,
                                                              tmp_path):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({**GRID_6, "retry": {"max_attempts": 2}},
                            controller=controller.address)
    launcher = launchers(["--agents", "2", "--address", ray_nodes.address,
                          "--controller", controller.address,
                          "--function", "raytrials:until_stopped", sweep_id],
                         cwd=trial_dir(tmp_path))

    def under_way():
        runs = [r for r in client.list_runs(sweep_id) if r.state is RunState.RUNNING]
        return runs if len(runs) == 2 and all(r.points for r in runs) else None

    wait_for(under_way, 120, what="both agents' runs under way")
    launcher.popen.send_signal(signal.SIGTERM)
    assert launcher.wait(90) == 143, launcher.output()
    runs = client.list_runs(sweep_id)
    assert len(runs) == 2 and all(r.state is RunState.STOPPED for r in runs), runs
    assert all(r.stop_reason.kind == "preempted" for r in runs)  # so retry runs them again
    assert launcher.output().count("(shut down)") == 2
