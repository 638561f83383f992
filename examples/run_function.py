"""Run one of the example sweeps in function mode: the agent calls
`sweepd.trainer.train` in this process, so torch and MNIST load once for all runs.

    python examples/run_function.py examples/random.yaml                 # controller at $SWEEPD_CONTROLLER
    python examples/run_function.py examples/grid.yaml --local           # private Redis + controller here
    python examples/run_function.py examples/bayes_hyperband.yaml --local --parallel 2

The config's `program` and `command` are ignored here (they are for `sweepd agent`
in program mode). Prints each run's state and metrics at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import sys
import tempfile
from pathlib import Path

import sweepd
from sweepd.client import Client
from sweepd.config import parse_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config", help="sweep config YAML, e.g. examples/random.yaml")
    parser.add_argument("--controller", default=None,
                        help="HOST:PORT of a running `sweepd controller` (default $SWEEPD_CONTROLLER "
                             "or 127.0.0.1:50051)")
    parser.add_argument("--local", action="store_true",
                        help="start a private Redis and an in-process controller for this sweep")
    parser.add_argument("--parallel", type=int, default=1, help="runs at once in this process")
    parser.add_argument("--count", type=int, default=None, help="at most this many runs")
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda[:N]")
    args = parser.parse_args(argv)

    config = parse_config(Path(args.config))
    with contextlib.ExitStack() as stack:
        address = start_local_controller(stack) if args.local else args.controller
        sweep_id = sweepd.sweep(args.config, controller=address)
        print(f"sweep {sweep_id}: {config.method}, metric {config.metric.name if config.metric else '-'}",
              flush=True)
        train = prepare_trainer(args.parallel, args.device)
        sweepd.agent(sweep_id, function=train, count=args.count, controller=address,
                     parallel=args.parallel)
        print_runs(Client(address), sweep_id, config.metric.name if config.metric else None)
    return 0


def start_local_controller(stack: contextlib.ExitStack) -> str:
    """A private Redis in a temporary directory and a controller on a background loop."""
    import shutil

    from sweepd.controller.redis_local import start_local_redis
    from sweepd.demo import ControllerThread

    workdir = Path(tempfile.mkdtemp(prefix="sweepd-example-", dir="/tmp"))
    stack.callback(shutil.rmtree, workdir, ignore_errors=True)
    redis = start_local_redis(workdir, persist=False)
    stack.callback(redis.stop)
    controller = ControllerThread(redis.url)
    stack.callback(controller.stop)
    return f"127.0.0.1:{controller.port}"


def prepare_trainer(parallel: int, device: str):
    """`sweepd.trainer.train` with torch's CPU threads split between parallel runs."""
    import torch

    from sweepd.trainer import train

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    torch.set_num_threads(max(1, cores // max(1, parallel)))
    return functools.partial(train, device=device, progress=False)


def print_runs(client: Client, sweep_id: str, metric: str | None) -> None:
    sweep = client.get_sweep(sweep_id)
    print(f"sweep {sweep_id} {sweep.state.value}; best {metric} = {sweep.best_value}")
    for run in sorted(client.list_runs(sweep_id), key=lambda r: r.number):
        value = run.summary.get(metric) if metric else None
        params = ", ".join(f"{k}={v}" for k, v in sorted(run.config.items()))
        shown = "-" if value is None else f"{value:.4f}"
        print(f"  #{run.number:<3} {run.state.value:<9} {metric}={shown}  {params}")


if __name__ == "__main__":
    sys.exit(main())
