"""Suggestion time: sweepd bayes at 10, 100 and 1,000 finished runs on 8 parameters,
beside W&B's bayes engine at 10 and 200 and Optuna TPE after 1,000 trials, in one run.

The 8 parameters: x1..x5 uniform [0, 1], `lr` log_uniform_values [1e-5, 1e-1],
`layers` int_uniform [1, 8], `act` categorical [relu, tanh, gelu]. The finished runs
are random draws scored by a smooth function of all eight. Each engine is timed on
repeated single suggestions from the same history (wall and CPU time of the calling
thread's process; the first, warm-up call, which imports scikit-learn, is not
counted). The load average is printed: the cores may be shared.

Run: `python bench/suggest_time.py [--repeats 7] [--quick]`.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")  # pydantic (W&B's sweeps) at import

PARAMETERS = {
    **{f"x{i}": {"min": 0.0, "max": 1.0} for i in range(1, 6)},
    "lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-1},
    "layers": {"distribution": "int_uniform", "min": 1, "max": 8},
    "act": {"values": ["relu", "tanh", "gelu"]},
}
SWEEP = {
    "method": "bayes",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": PARAMETERS,
}


def loss(c: dict) -> float:
    return (
        sum((c[f"x{i}"] - 0.1 * i) ** 2 for i in range(1, 6))
        + 0.1 * (math.log10(c["lr"]) + 3) ** 2
        + 0.05 * (c["layers"] - 4) ** 2
        + {"relu": 0.0, "tanh": 0.3, "gelu": 0.1}[c["act"]]
    )


def history(count: int, seed: int) -> list[tuple[dict, float]]:
    from sweepd.config import parse_config
    from sweepd.sampling import sample_config

    cfg, rng = parse_config(SWEEP), np.random.default_rng(seed)
    configs = [sample_config(cfg, rng) for _ in range(count)]
    return [(c, loss(c)) for c in configs]


def timed(fn, repeats: int) -> tuple[float, float, float]:
    """(median wall ms, max wall ms, median CPU ms) over `repeats` calls, after one warm-up."""
    fn()
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(1000 * (time.perf_counter() - w))
        cpu.append(1000 * (time.process_time() - c))
    return statistics.median(wall), max(wall), statistics.median(cpu)


def sweepd_case(finished: int, pending: int, repeats: int):
    import sweepd.controller.search  # noqa: F401
    from sweepd.config import parse_config
    from sweepd.controller.search.base import get_search_method
    from sweepd.domain import Run, RunState

    cfg, method = parse_config(SWEEP), get_search_method("bayes")
    done = history(finished + pending, seed=finished)
    runs = [
        Run(id=str(i), sweep_id="b", config=c, number=i + 1,
            state=RunState.FINISHED if i < finished else RunState.RUNNING,
            history=[y] if i < finished else [])
        for i, (c, y) in enumerate(done)
    ]
    rng = np.random.default_rng(0)
    notes = []

    def call():
        notes.append(method(cfg, runs, 1, rng).suggestions[0].note)

    result = timed(call, repeats)
    assert notes[-1].startswith("bayes:"), notes[-1]
    return result


def wandb_case(finished: int, repeats: int):
    import sweeps

    runs = [
        sweeps.SweepRun(
            name=str(i), state=sweeps.RunState.finished,
            config={k: {"value": v} for k, v in c.items()},
            history=[{"loss": y}], summary_metrics={"loss": y},
        )
        for i, (c, y) in enumerate(history(finished, seed=finished))
    ]
    np.random.seed(0)
    return timed(lambda: sweeps.next_run(SWEEP, runs), repeats)


def optuna_case(trials: int, repeats: int):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    d = optuna.distributions
    space = {
        **{f"x{i}": d.FloatDistribution(0.0, 1.0) for i in range(1, 6)},
        "lr": d.FloatDistribution(1e-5, 1e-1, log=True),
        "layers": d.IntDistribution(1, 8),
        "act": d.CategoricalDistribution(["relu", "tanh", "gelu"]),
    }
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
    for c, y in history(trials, seed=trials):
        study.add_trial(optuna.trial.create_trial(params=c, distributions=space, value=y))

    def call():
        trial = study.ask(space)
        study.tell(trial, loss(trial.params))

    return timed(call, repeats)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="3 repeats")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else args.repeats

    cases = [
        ("sweepd bayes", "10 finished", lambda: sweepd_case(10, 0, repeats)),
        ("sweepd bayes", "100 finished", lambda: sweepd_case(100, 0, repeats)),
        ("sweepd bayes", "100 finished + 4 running", lambda: sweepd_case(100, 4, repeats)),
        ("sweepd bayes", "1000 finished", lambda: sweepd_case(1000, 0, repeats)),
        ("W&B bayes (sweeps 0.2.0)", "10 finished", lambda: wandb_case(10, repeats)),
        ("W&B bayes (sweeps 0.2.0)", "200 finished", lambda: wandb_case(200, repeats)),
        ("Optuna TPE", "1000 trials", lambda: optuna_case(1000, repeats)),
    ]
    print(f"8 parameters, {repeats} timed suggestions per row, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at start")
    print("| engine | history | median ms | max ms | median CPU ms |")
    print("|---|---|---|---|---|")
    for engine, size, case in cases:
        median_ms, max_ms, cpu_ms = case()
        print(f"| {engine} | {size} | {median_ms:.0f} | {max_ms:.0f} | {cpu_ms:.0f} |", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
