"""Run-to-run overhead: from one run's last log to the next run's first, per agent.

One agent (in this process) runs a grid sweep of `--runs` short MNIST trials one
after another against a controller in its own process over a private Redis, in each
mode:

  function   `sweepd.agent(..., function=sweepd.trainer.train)`: every run in this
             process; torch and MNIST were loaded once, before the first
  program    `sweepd agent` style: each run is `python -m sweepd.trainer --name=value ...`,
             a fresh process that imports torch and loads MNIST itself

The trainer logs after every batch (`log_every: 1`), so a run's first metric point
is stamped right after its first batch and its last right after its test set. For
each pair of consecutive runs the gap (next first point - previous last point, both
stamped by `run.log` on this machine) is split at the controller's records of the
previous run's finish and the next run's start:

  last log -> finish     flushing the last points, the process exiting (program mode),
                         the agent's FinishRun
  finish -> start        asking for the next run, its assignment, StartRun
  start -> first log     launching it (program mode: process, imports, MNIST), the
                         trainer's setup (model, optimizer) and its first batch

    python bench/bench_run_overhead.py               # 5 runs per mode, ~1 minute on 2 cores
    python bench/bench_run_overhead.py --runs 8 --modes function
"""

from __future__ import annotations

import argparse
import datetime
import functools
import statistics

import sweepd
from sweepd.client import Client

from common import controller_process, machine, private_redis, table

TRAINER_COMMAND = ["${env}", "${interpreter}", "-m", "sweepd.trainer", "${args}"]


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5, help="runs per mode (default 5: 4 gaps)")
    p.add_argument("--modes", default="function,program")
    p.add_argument("--max-train-samples", type=int, default=2000)
    return p.parse_args()


def sweep_config(runs: int, max_train_samples: int, program: bool) -> dict:
    config = {
        "method": "grid",
        "metric": {"name": "val_accuracy", "goal": "maximize"},
        "parameters": {
            "seed": {"values": list(range(runs))},
            "max_train_samples": {"value": max_train_samples},
            "val_size": {"value": 1000},
            "batch_size": {"value": 100},
            "log_every": {"value": 1},
        },
    }
    if program:
        config.update(program="sweepd.trainer", command=TRAINER_COMMAND)
    return config


def run_sweep(address: str, mode: str, args: argparse.Namespace) -> list[tuple[float, float, float]]:
    """Runs one sweep in `mode`; returns (last log -> finish, finish -> start,
    start -> first log) in seconds for each pair of consecutive runs."""
    from sweepd.trainer import train

    sweep_id = sweepd.sweep(sweep_config(args.runs, args.max_train_samples, mode == "program"),
                            controller=address)
    function = functools.partial(train, device="cpu", progress=False) if mode == "function" else None
    sweepd.agent(sweep_id, function=function, controller=address)
    with Client(address) as client:
        runs = sorted(client.list_runs(sweep_id), key=lambda r: r.number)
        stamps = [point_times(client, sweep_id, r.id) for r in runs]
    assert all(r.state.value == "finished" for r in runs), [(r.id, r.state, r.error) for r in runs]
    gaps = []
    for prev, nxt, (_, prev_last), (next_first, _) in zip(runs, runs[1:], stamps, stamps[1:]):
        gaps.append((prev.ended_at - prev_last, nxt.started_at - prev.ended_at,
                     next_first - nxt.started_at))
    return gaps


def point_times(client: Client, sweep_id: str, run_id: str) -> tuple[float, float]:
    """Wall times of a run's first and last metric points."""
    times = [p.wall_time for p in client.run_metrics(sweep_id, run_id)]  # every page
    return min(times), max(times)


def main() -> None:
    args = parse_args()
    import torch

    from sweepd.trainer.data import load_mnist

    load_mnist()  # function mode's runs find MNIST in memory, as in a long-lived agent
    results = {}
    with private_redis() as redis, controller_process(redis.url) as address:
        for mode in args.modes.split(","):
            results[mode] = run_sweep(address, mode.strip(), args)

    print(f"# bench_run_overhead {datetime.datetime.now():%Y-%m-%d %H:%M} | {machine()} | "
          f"torch {torch.__version__} | {args.runs} runs per mode, one agent, "
          f"{args.max_train_samples} training images per run")
    rows = []
    for mode, gaps in results.items():
        for name, column in (("last log -> finish", 0), ("finish -> start", 1),
                             ("start -> first log", 2)):
            values = [g[column] * 1000 for g in gaps]
            rows.append((mode, name, statistics.median(values), min(values), max(values)))
        totals = [sum(g) * 1000 for g in gaps]
        rows.append((mode, "run-to-run (total)", statistics.median(totals), min(totals), max(totals)))
    print(table(("mode", "interval", "median ms", "min ms", "max ms"), rows))
    for mode, gaps in results.items():
        print(f"{mode} mode: {statistics.median(sum(g) for g in gaps) * 1000:,.0f} ms from one run's "
              f"last log to the next run's first (median of {len(gaps)})")


if __name__ == "__main__":
    main()
