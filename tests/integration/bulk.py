"""Many runs and points written straight into Redis through the controller's own Lua
script and stream format, for tests (and bench/) that need a big sweep quickly:
agents would take minutes for what one pipeline does in seconds."""

from __future__ import annotations

import json
import time
from typing import Any, Callable

import redis

from sweepd.controller.storage import keys
from sweepd.controller.storage.scripts import script_source


def add_runs(client: redis.Redis, sweep_id: str, n: int,
             config_of: Callable[[int], dict[str, Any]], *, prefix: str = "bulk",
             chunk: int = 2_000, grid_size: int = 0) -> list[str]:
    """Creates n pending runs of a running sweep with assign_run.lua (as the controller
    does: numbers, counters, leases, all of it); returns their ids in creation order.
    `grid_size`: the runs are grid points 0..n-1 of a grid that size, claimed and
    walked by the cursor as the controller hands them out."""
    script = client.register_script(script_source("assign_run"))
    now = int(time.time() * 1000)
    ids = []
    for start in range(0, n, chunk):
        with client.pipeline(transaction=False) as pipe:
            batch = [f"{prefix}{i:07d}" for i in range(start, min(n, start + chunk))]
            for i, run_id in enumerate(batch, start):
                script(keys=keys.assign_run_keys(sweep_id, run_id),
                       args=[run_id, sweep_id, str(i) if grid_size else "",
                             json.dumps(config_of(i)), "bulk", "t" + run_id,
                             now, now + 3_600_000, "", "", grid_size, "1",
                             i if grid_size else ""], client=pipe)
            for reply in pipe.execute():
                assert reply[0] in (b"ok", "ok"), reply
        ids += batch
    return ids


def add_points(client: redis.Redis, sweep_id: str, run_id: str, n: int,
               values_of: Callable[[int], dict[str, Any]], chunk: int = 5_000) -> None:
    """Appends n points (steps 0..n-1) to a run's metric stream, in the stored format."""
    stream = keys.run_metrics(sweep_id, run_id)
    now = int(time.time() * 1000)
    for start in range(0, n, chunk):
        with client.pipeline(transaction=False) as pipe:
            for step in range(start, min(n, start + chunk)):
                pipe.xadd(stream, {"s": step, "t": now, "v": json.dumps(values_of(step))})
            pipe.execute()
