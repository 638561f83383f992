"""Training throughput through sweepd vs the same loop without it.

Each repetition trains one MNIST epoch with the same hyperparameters twice, in this
process, back to back in alternating order (A B, B A, ...) so drift hits both:

  bare     `run_trial(params, log=..., should_stop=never)`, its `log` only reading the
           clocks: no sweepd call at all
  sweepd   a real sweep run: `sweepd.agent(..., function=sweepd.trainer.train, count=1)`
           against a controller in its own process over a private Redis; the trainer
           calls `run.log` every `--log-every` batches (queued, sent in batches by the
           SDK's thread) and checks `run.should_stop` before every batch

Both are timed over the same window, from the first `loss` log to the last (training
batches only: startup and evaluation are outside it), with two clocks:

  wall   images per second of elapsed time: what a user gets, on a quiet machine
  cpu    images per CPU-second of this whole process (the SDK's threads and gRPC's
         included): sweepd's cost, and stable on a busy machine where other programs
         take the cores (run with --threads 1 there, so idle OpenMP threads do not spin)

    python bench/bench_trainer.py                      # 9 pairs on 20,000 images, ~30 s on 2 idle cores
    python bench/bench_trainer.py --threads 1          # on a machine others are using
    python bench/bench_trainer.py --reps 15 --log-every 1 --batch-size 64 --max-train-samples 0

Headlines: the median of the per-pair ratios (sweepd / bare) for each clock.
Target (issue 3): sweepd / bare >= 0.95.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import time

import sweepd
from sweepd.client import Client

from common import controller_process, machine, private_redis, table


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reps", type=int, default=9, help="pairs of repetitions (default 9)")
    p.add_argument("--log-every", type=int, default=5, help="batches between run.log calls (default 5)")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--fc-layer-size", type=int, default=128)
    p.add_argument("--max-train-samples", type=int, default=20000,
                   help="train on the first N images (default 20,000; 0: all 55,000)")
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    p.add_argument("--device", default="cpu")
    return p.parse_args()


class Window:
    """A `log` callback (or wrapper of one) that reads both clocks at each `loss` log."""

    def __init__(self, batch_size: int, inner=None):
        self.batch_size, self.inner = batch_size, inner
        self.first: tuple[int, float, float] | None = None
        self.last: tuple[int, float, float] | None = None

    def __call__(self, values, step=None) -> None:
        if self.inner is not None:
            self.inner(values, step)
        if "loss" in values:
            self.last = (step, time.perf_counter(), time.process_time())
            if self.first is None:
                self.first = self.last

    def rates(self) -> tuple[float, float]:
        """(images per wall second, images per CPU second) between the first and last log."""
        (s0, w0, c0), (s1, w1, c1) = self.first, self.last
        images = (s1 - s0) * self.batch_size
        return images / (w1 - w0), images / (c1 - c0)


def main() -> None:
    args = parse_args()
    import torch

    from sweepd.trainer import train
    from sweepd.trainer.data import load_mnist
    from sweepd.trainer.loop import resolve_device, run_trial

    params = {"fc_layer_size": args.fc_layer_size, "batch_size": args.batch_size,
              "log_every": args.log_every, "epochs": 1, "learning_rate": 0.003}
    if args.max_train_samples:
        params["max_train_samples"] = args.max_train_samples
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    load_mnist(device=device)  # both variants start with MNIST in memory

    def bare() -> tuple[float, float]:
        window = Window(args.batch_size)
        run_trial(params, log=window, should_stop=lambda: False, device=args.device, progress=False)
        return window.rates()

    windows: list[Window] = []

    def trial_in_sweep() -> None:
        run = sweepd.init()  # this agent thread's run; train() gets the same one
        run.log = Window(args.batch_size, run.log)
        windows.append(run.log)
        train(device=args.device, progress=False)

    rows, wall, cpu = [], {"bare": [], "sweepd": []}, {"bare": [], "sweepd": []}
    with private_redis() as redis, controller_process(redis.url) as address:
        config = {"method": "random", "metric": {"name": "val_accuracy", "goal": "maximize"},
                  "parameters": {name: {"value": value} for name, value in params.items()}}
        sweep_id = sweepd.sweep(config, controller=address)

        def through_sweepd() -> tuple[float, float]:
            sweepd.agent(sweep_id, function=trial_in_sweep, count=1, controller=address)
            return windows[-1].rates()

        variants = {"bare": bare, "sweepd": through_sweepd}
        bare()  # warm-up: allocator, kernels, first-call costs
        for rep in range(args.reps):
            order = ("bare", "sweepd") if rep % 2 == 0 else ("sweepd", "bare")
            for name in order:
                w, c = variants[name]()
                wall[name].append(w)
                cpu[name].append(c)
            rows.append((rep + 1, wall["bare"][-1], wall["sweepd"][-1],
                         f"{wall['sweepd'][-1] / wall['bare'][-1]:.3f}x",
                         cpu["bare"][-1], cpu["sweepd"][-1],
                         f"{cpu['sweepd'][-1] / cpu['bare'][-1]:.3f}x"))
        with Client(address) as client:
            runs = client.list_runs(sweep_id)

    print(f"# bench_trainer {datetime.datetime.now():%Y-%m-%d %H:%M} | {machine()} | "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {device}")
    print(f"# 1 epoch, {params}; {len(runs)} sweep runs, "
          f"{sorted({r.state.value for r in runs})}, {sorted({r.points for r in runs})} metric points each")
    print(table(("pair", "bare img/s", "sweepd img/s", "wall ratio",
                 "bare img/cpu-s", "sweepd img/cpu-s", "cpu ratio"), rows))
    print()
    for clock, series in (("wall", wall), ("cpu", cpu)):
        ratio = statistics.median(s / b for s, b in zip(series["sweepd"], series["bare"]))
        print(f"{clock:>4}: bare {statistics.median(series['bare']):,.0f}, sweepd "
              f"{statistics.median(series['sweepd']):,.0f} images/s (medians); sweepd / bare = "
              f"{ratio:.3f} (median of {args.reps} pairs; target >= 0.95: "
              f"{'met' if ratio >= 0.95 else 'NOT met'})")


if __name__ == "__main__":
    main()
