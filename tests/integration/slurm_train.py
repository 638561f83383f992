"""A tiny training program for the Slurm launcher's tests, in both of sweepd's modes:
`python slurm_train.py` as a sweep's program, or `--function slurm_train:train`.

Each run logs POINTS points of `loss` (and the Slurm array task it ran in). When
$SWEEPD_TEST_GATE names a file, the run then writes its task to `<gate>.<run id>`
(its points are logged, perhaps not yet sent) and waits until the gate file exists
or it is asked to stop, so a test can look at live agents, or signal one, at a
moment it knows.
"""

import os
import time
from pathlib import Path

import sweepd

POINTS = 3


def train() -> None:
    run = sweepd.init()
    task = int(os.environ.get("SLURM_ARRAY_TASK_ID", "-1"))
    for step in range(POINTS):
        run.log({"loss": run.config["x"] / (step + 1), "task": task}, step=step)
    gate = os.environ.get("SWEEPD_TEST_GATE")
    if gate:
        marker = Path(f"{gate}-new.{run.id}")
        marker.write_text(str(task))
        marker.rename(f"{gate}.{run.id}")  # whole, so a reader never sees it empty
        deadline = time.monotonic() + 300  # a test that never opens the gate fails on its own
        while not os.path.exists(gate) and not run.should_stop and time.monotonic() < deadline:
            time.sleep(0.05)


if __name__ == "__main__":
    train()
