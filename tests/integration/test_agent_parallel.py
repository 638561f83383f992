"""`--parallel N --gpus ...`: N runs at once, each on the least busy GPU."""

from __future__ import annotations

import collections
import os
import textwrap

import sweepd
from sweepd.client import Client
from sweepd.domain import RunState


def test_parallel_program_runs_get_distinct_gpus_and_split_threads(controller, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent("""
        import os, time, sweepd
        run = sweepd.init()
        run.log({"gpu": os.environ["CUDA_VISIBLE_DEVICES"],
                 "omp": os.environ.get("OMP_NUM_THREADS", ""),
                 "start": time.time()})
        time.sleep(0.5)
        run.log({"end": time.time()})
    """))
    sweep_id = sweepd.sweep({"method": "grid", "program": str(script),
                             "parameters": {"x": {"values": [1, 2, 3, 4]}}},
                            controller=controller.address)
    assert sweepd.agent(sweep_id, controller=controller.address, parallel=2, gpus=["0", "1"]) == 4
    runs = Client(controller.address).list_runs(sweep_id)
    assert all(r.state is RunState.FINISHED for r in runs)
    assert collections.Counter(r.summary["gpu"] for r in runs) == {"0": 2, "1": 2}
    assert {r.summary["omp"] for r in runs} == {str(max(1, os.cpu_count() // 2))}
    for a in runs:  # runs that overlapped in time never shared a GPU
        for b in runs:
            overlap = a.summary["start"] < b.summary["end"] and b.summary["start"] < a.summary["end"]
            if a.id != b.id and overlap:
                assert a.summary["gpu"] != b.summary["gpu"]
