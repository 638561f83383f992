"""`sweepd launch ray` with no --address: it starts a local Ray for its own duration,
and Ctrl-C (SIGINT to its process group, as a terminal sends it) stops the agents
with their runs ending `stopped`, then ends that Ray. Its own module, so that no
other test's Ray cluster is running (ray.init() would connect to it)."""

from __future__ import annotations

import shutil
import tempfile

import psutil
import pytest

pytest.importorskip("ray")

import sweepd  # noqa: E402
from sweepd.client import Client  # noqa: E402
from sweepd.domain import RunState  # noqa: E402

from helpers import wait_for  # noqa: E402
from ray_helpers import (  # noqa: E402
    Launcher, assert_all_gone, launcher_env, ray_processes, trial_dir,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def ray_tmp():
    tmp = tempfile.mkdtemp(prefix="sr-", dir="/tmp")  # short: Ray's socket paths live in it
    yield tmp
    shutil.rmtree(tmp, ignore_errors=True)


def test_ctrl_c_stops_the_agents_their_runs_end_stopped_and_the_local_ray_ends(
        controller, ray_tmp, tmp_path):
    client = Client(controller.address)
    sweep_id = sweepd.sweep({"method": "grid", "parameters": {"a": {"values": [1, 2, 3, 4, 5, 6]}}},
                            controller=controller.address)
    launcher = Launcher(["--agents", "2", "--controller", controller.address,
                         "--function", "raytrials:until_stopped", sweep_id],
                        tmp_path / "launch.log", cwd=trial_dir(tmp_path),
                        env=launcher_env(RAY_TMPDIR=ray_tmp))
    ray_here: list[psutil.Process] = []
    try:
        def under_way():
            runs = [r for r in client.list_runs(sweep_id) if r.state is RunState.RUNNING]
            return runs if len(runs) == 2 and all(r.points for r in runs) else None

        running = wait_for(under_way, 120, what="both agents' runs under way")
        wait_for(lambda: len(launcher.placed()) == 2, 30, what="both agents placed")
        ray_here = ray_processes(psutil.Process(launcher.pid))
        assert ray_here  # the local Ray this launch started

        launcher.interrupt()
        assert launcher.wait(90) == 130, launcher.output()
        runs = client.list_runs(sweep_id)
        assert {r.id for r in running} <= {r.id for r in runs}
        assert runs and all(r.state is RunState.STOPPED for r in runs), runs
        assert launcher.output().count("(shut down)") == 2  # each agent ended itself
        assert "killed" not in launcher.output()
        assert_all_gone(ray_here)
    finally:
        launcher.close()
        print(launcher.output()[-4000:])
        for p in ray_here:  # after a failure: what the launch left
            if p.is_running():
                p.kill()
