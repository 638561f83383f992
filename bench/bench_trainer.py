"""Training throughput through sweepd vs the same loop without it.

Each repetition trains one MNIST epoch with the same hyperparameters twice, in this
process, in alternating order (A B, B A, ...) so drift on a noisy machine hits both:

  bare     `run_trial(params, log=no-op, should_stop=never)`: no sweepd call at all
  sweepd   a real sweep run: `sweepd.agent(..., function=sweepd.trainer.train, count=1)`
           against a controller in its own process over a private Redis; the trainer
           calls `run.log` every `--log-every` batches (queued, sent in batches by the
           SDK's thread) and checks `run.should_stop` before every batch

Images per second come from the loop's own clock (`TrialResult.images_per_second`:
training batches only, logging included, evaluation and startup excluded).

    python bench/bench_trainer.py                     # 9 pairs on 20,000 images, ~30 s on 2 idle cores
    python bench/bench_trainer.py --reps 15 --log-every 1 --batch-size 64 --max-train-samples 0

The headline is the median of the per-pair ratios (each pair ran back to back, so slow
drift cancels); the ratio of the two medians is printed beside it.

Target (issue 3): sweepd / bare >= 0.95.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import statistics

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

    def bare() -> float:
        result = run_trial(params, log=lambda values, step: None, should_stop=lambda: False,
                           device=args.device, progress=False)
        return result.images_per_second

    rows, bare_ips, sweepd_ips, ratios = [], [], [], []
    with private_redis() as redis, controller_process(redis.url) as address:
        config = {"method": "random", "metric": {"name": "val_accuracy", "goal": "maximize"},
                  "parameters": {name: {"value": value} for name, value in params.items()}}
        sweep_id = sweepd.sweep(config, controller=address)
        results = []
        function = functools.partial(_collect, results, functools.partial(
            train, device=args.device, progress=False))

        def through_sweepd() -> float:
            sweepd.agent(sweep_id, function=function, count=1, controller=address)
            return results[-1].images_per_second

        bare()  # warm-up: allocator, kernels, first-call costs
        for rep in range(args.reps):
            order = (bare, through_sweepd) if rep % 2 == 0 else (through_sweepd, bare)
            measured = {f: f() for f in order}
            bare_ips.append(measured[bare])
            sweepd_ips.append(measured[through_sweepd])
            ratios.append(measured[through_sweepd] / measured[bare])
            rows.append((rep + 1, measured[bare], measured[through_sweepd],
                         f"{measured[through_sweepd] / measured[bare]:.3f}x"))
        with Client(address) as client:
            runs = client.list_runs(sweep_id)
        logged = {r.points for r in runs}

    ratio = statistics.median(ratios)
    print(f"# bench_trainer {datetime.datetime.now():%Y-%m-%d %H:%M} | {machine()} | "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {device}")
    print(f"# 1 epoch, {params}; {len(runs)} sweep runs stored {sorted(logged)} metric points each")
    print(table(("rep", "bare images/s", "sweepd images/s", "ratio"), rows))
    bare_median, sweepd_median = statistics.median(bare_ips), statistics.median(sweepd_ips)
    print(f"\nmedian: bare {bare_median:,.0f} images/s, sweepd {sweepd_median:,.0f} images/s "
          f"(ratio of medians {sweepd_median / bare_median:.3f})")
    print(f"sweepd / bare = {ratio:.3f} (median of {len(ratios)} pairs; target >= 0.95: "
          f"{'met' if ratio >= 0.95 else 'NOT met'})")


def _collect(results: list, train) -> None:
    results.append(train())


if __name__ == "__main__":
    main()
