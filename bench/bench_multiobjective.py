"""Multi-objective search quality: sweepd bayes (EHVI) against sweepd random, Optuna's
NSGA-II, multi-objective TPE and GPSampler (logEHVI), as hypervolume after a budget.

Every engine minimises the same two objectives with the same budgets, from the same
seeds, in the same process (search is driven in-process, as in search_quality.py):

- **zdt1**, **zdt2** (6 parameters x1..x6 uniform [0, 1]): f1 = x1,
  g = 1 + 9 mean(x2..x6), f2 = g (1 - sqrt(f1 / g)) (zdt1, a convex front) or
  g (1 - (f1 / g)^2) (zdt2, a concave one). Reference point (11, 11), as BoTorch
  uses for them; the best hypervolume is 120.667 (zdt1) and 120.333 (zdt2).
- **mixed6mo** (a categorical and two integers among 6 parameters: search_quality's
  mixed6 space): f1 = mixed6's made-up loss; f2 = a cost that wants few layers, big
  batches and not adam: 0.1 layers (1.3 for adam, else 1) + 0.2 log2(1024 / batch).
  Reference point (4, 2.5).

The hypervolume after b evaluations is that of the first b values to come back
(`sweepd.multiobjective.hypervolume`, exact). Workers: with 1, each suggestion sees
every earlier result; with 4, 4 runs are kept in flight and the oldest finishes
first, so each suggestion is asked for while 3 others are pending. sweepd sees them
as running runs; Optuna's TPE uses `constant_liar` with several workers, its GP
sampler handles running trials itself (qLogEHVI), NSGA-II does nothing special.

It prints, per problem and worker count, the median hypervolume and its quartiles
over the seeds at each budget, and each engine's mean milliseconds per suggestion.
`sweepd ParEGO` (random augmented-Chebyshev scalarisations over sweepd's single GP,
one weight vector per suggestion) is the alternative design that EHVI was chosen
over (docs/search-and-stopping.md); it is here to repeat that comparison.

Run: `python bench/bench_multiobjective.py [--seeds 10] [--budgets 50,100]
[--workers 1,4] [--problems zdt1,zdt2,mixed6mo] [--engines "sweepd bayes,Optuna GP"]
[--raw FILE]` (the defaults are the full grid; `--raw` also writes every seed's
hypervolumes as JSON lines).
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from search_quality import PROBLEMS as SINGLE, _optuna_distribution, mixed6

warnings.filterwarnings("ignore")  # sklearn at fit, Optuna's experimental warnings

OBJECTIVES = ("f1", "f2")

# ---------------------------------------------------------------- problems


def _zdt_g(c: dict[str, Any]) -> float:
    return 1.0 + 9.0 * statistics.fmean(c[f"x{i}"] for i in range(2, 7))


def zdt1(c: dict[str, Any]) -> tuple[float, float]:
    f1, g = c["x1"], _zdt_g(c)
    return f1, g * (1.0 - math.sqrt(f1 / g))


def zdt2(c: dict[str, Any]) -> tuple[float, float]:
    f1, g = c["x1"], _zdt_g(c)
    return f1, g * (1.0 - (f1 / g) ** 2)


def mixed6mo(c: dict[str, Any]) -> tuple[float, float]:
    cost = 0.1 * c["layers"] * (1.3 if c["optimizer"] == "adam" else 1.0)
    cost += 0.2 * math.log2(1024 / max(c["batch_size"], 1))
    return mixed6(c), cost


@dataclass(frozen=True)
class Problem:
    name: str
    parameters: dict[str, dict]
    f: Callable[[dict[str, Any]], tuple[float, float]]
    reference: tuple[float, float]


_UNIT = {f"x{i}": {"min": 0.0, "max": 1.0} for i in range(1, 7)}
PROBLEMS = {
    "zdt1": Problem("zdt1", _UNIT, zdt1, (11.0, 11.0)),
    "zdt2": Problem("zdt2", _UNIT, zdt2, (11.0, 11.0)),
    "mixed6mo": Problem("mixed6mo", SINGLE["mixed6"].parameters, mixed6mo, (4.0, 2.5)),
}


def sweep_config(problem: Problem, method: str) -> dict:
    return {"method": method, "metrics": [{"name": n} for n in OBJECTIVES],
            "parameters": problem.parameters}


# ---------------------------------------------------------------- engines
# Each engine: ask() -> (token, config); tell(token, (f1, f2)).


class SweepdEngine:
    def __init__(self, problem: Problem, seed: int, workers: int, method: str):
        import sweepd.controller.search  # noqa: F401  (fills the registry)
        from sweepd.config import parse_config
        from sweepd.controller.search.base import get_search_method

        self.config = parse_config(sweep_config(problem, method))
        self.method = get_search_method(method)
        self.rng = np.random.default_rng(seed)
        self.runs: dict[int, Any] = {}

    def ask(self):
        from sweepd.domain import Run, RunState

        result = self.method(self.config, list(self.runs.values()), 1, self.rng)
        config = result.suggestions[0].config
        token = len(self.runs) + 1
        self.runs[token] = Run(id=str(token), sweep_id="bench", state=RunState.RUNNING,
                               config=config, number=token)
        return token, config

    def tell(self, token: int, values: tuple[float, float]) -> None:
        from sweepd.domain import RunState

        run = self.runs[token]
        run.state = RunState.FINISHED
        run.objectives = dict(zip(OBJECTIVES, values))
        run.summary = dict(run.objectives)


class ParegoEngine(SweepdEngine):
    """ParEGO over sweepd's single-objective GP: each suggestion scalarises the
    objectives (normalised to [0, 1] by the values seen) with a fresh weight vector
    drawn uniformly from the simplex, max_i w_i f_i + 0.05 sum_i w_i f_i, and asks
    single-objective bayes (expected improvement, kriging believer) for it."""

    def __init__(self, problem: Problem, seed: int, workers: int):
        super().__init__(problem, seed, workers, "bayes")
        from sweepd.config import parse_config

        single = {**sweep_config(problem, "bayes"), "metric": {"name": "scalar"}}
        single.pop("metrics")
        self.single = parse_config(single)

    def ask(self):
        from sweepd.domain import Run, RunState

        finished = [r for r in self.runs.values() if r.objectives]
        if len(finished) >= 2:
            values = np.array([[r.objectives[n] for n in OBJECTIVES] for r in finished])
            low, high = values.min(axis=0), values.max(axis=0)
            weights = self.rng.dirichlet(np.ones(len(OBJECTIVES)))
            scaled = weights * (values - low) / np.where(high > low, high - low, 1.0)
            scalar = scaled.max(axis=1) + 0.05 * scaled.sum(axis=1)
            for run, s in zip(finished, scalar):
                run.history, run.summary = [float(s)], {**run.objectives, "scalar": float(s)}
        result = self.method(self.single, list(self.runs.values()), 1, self.rng)
        config = result.suggestions[0].config
        token = len(self.runs) + 1
        self.runs[token] = Run(id=str(token), sweep_id="bench", state=RunState.RUNNING,
                               config=config, number=token)
        return token, config


class OptunaEngine:
    """Optuna through ask/tell with two minimised objectives: NSGA-II, TPE (its
    multi-objective form; constant_liar with several workers) or GPSampler."""

    def __init__(self, problem: Problem, seed: int, workers: int, sampler: str):
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        self.problem = problem
        self.space = {n: _optuna_distribution(optuna, s) for n, s in problem.parameters.items()}
        samplers = {
            "nsga2": lambda: optuna.samplers.NSGAIISampler(seed=seed),
            "tpe": lambda: optuna.samplers.TPESampler(seed=seed, constant_liar=workers > 1),
            "gp": lambda: optuna.samplers.GPSampler(seed=seed),
        }
        self.study = optuna.create_study(sampler=samplers[sampler](),
                                         directions=["minimize"] * len(OBJECTIVES))
        self.trials: dict[int, Any] = {}

    def ask(self):
        trial = self.study.ask(self.space)
        config = dict(trial.params)
        for name, spec in self.problem.parameters.items():
            if spec.get("distribution") == "q_log_uniform_values":
                config[name] = int(round(config[name] / spec["q"]) * spec["q"])
        self.trials[trial.number] = trial
        return trial.number, config

    def tell(self, token: int, values: tuple[float, float]) -> None:
        self.study.tell(self.trials.pop(token), list(values))


ENGINES: dict[str, Callable[[Problem, int, int], Any]] = {
    "sweepd bayes": lambda p, s, w: SweepdEngine(p, s, w, "bayes"),
    "sweepd random": lambda p, s, w: SweepdEngine(p, s, w, "random"),
    "Optuna NSGA-II": lambda p, s, w: OptunaEngine(p, s, w, "nsga2"),
    "Optuna MOTPE": lambda p, s, w: OptunaEngine(p, s, w, "tpe"),
    "Optuna GP": lambda p, s, w: OptunaEngine(p, s, w, "gp"),
    "sweepd ParEGO": ParegoEngine,
}
DEFAULT_ENGINES = ("sweepd bayes", "sweepd random", "Optuna NSGA-II", "Optuna MOTPE",
                   "Optuna GP")


# ---------------------------------------------------------------- simulation


def simulate(engine, problem: Problem, budget: int, workers: int
             ) -> tuple[list[tuple[float, float]], list[float]]:
    """(objective values in order of completion, seconds per suggestion)."""
    in_flight: collections.deque = collections.deque()
    values: list[tuple[float, float]] = []
    seconds: list[float] = []
    asked = 0
    while len(values) < budget:
        while len(in_flight) < workers and asked < budget:
            start = time.perf_counter()
            token, config = engine.ask()
            seconds.append(time.perf_counter() - start)
            in_flight.append((token, config))
            asked += 1
        token, config = in_flight.popleft()
        result = problem.f(config)
        engine.tell(token, result)
        values.append(result)
    return values, seconds


def hypervolume_of(values: list[tuple[float, float]], reference: tuple[float, float]) -> float:
    from sweepd.multiobjective import hypervolume

    return hypervolume(np.array(values, dtype=float), reference)


def quartiles(xs: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(xs, n=4, method="inclusive") if len(xs) > 1 else [xs[0]] * 3
    return q[0], statistics.median(xs), q[2]


def run_cell(problem: Problem, engine_name: str, seeds: int, budgets: tuple[int, ...],
             workers: int) -> tuple[dict[int, list[float]], list[float]]:
    """Hypervolumes per budget over the seeds, and every suggestion's seconds."""
    volumes: dict[int, list[float]] = {b: [] for b in budgets}
    times: list[float] = []
    for seed in range(seeds):
        engine = ENGINES[engine_name](problem, seed, workers)
        values, seconds = simulate(engine, problem, max(budgets), workers)
        for b in budgets:
            volumes[b].append(hypervolume_of(values[:b], problem.reference))
        times.extend(seconds)
    return volumes, times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--problems", default=",".join(PROBLEMS))
    parser.add_argument("--engines", default=",".join(DEFAULT_ENGINES))
    parser.add_argument("--workers", default="1,4")
    parser.add_argument("--budgets", default="50,100")
    parser.add_argument("--raw", help="also write every seed's hypervolumes here (JSON lines)")
    args = parser.parse_args(argv)
    budgets = tuple(int(b) for b in args.budgets.split(","))
    engines = [e.strip() for e in args.engines.split(",")]
    started = time.time()
    print(f"seeds {args.seeds}, budgets {budgets}, workers {args.workers}", flush=True)
    for name in args.problems.split(","):
        problem = PROBLEMS[name.strip()]
        for workers in (int(w) for w in args.workers.split(",")):
            print(f"\n#### {problem.name} (reference {problem.reference}), {workers} worker(s)")
            print("| engine | " + " | ".join(f"hypervolume @{b}: median [q1, q3]" for b in budgets)
                  + " | ms / suggestion |")
            print("|" + "---|" * (len(budgets) + 2))
            for engine_name in engines:
                volumes, times = run_cell(problem, engine_name, args.seeds, budgets, workers)
                if args.raw:
                    with open(args.raw, "a", encoding="utf-8") as f:
                        f.write(json.dumps({"problem": problem.name, "workers": workers,
                                            "engine": engine_name, "hypervolumes": volumes}) + "\n")
                cells = ["{1:.6g} [{0:.6g}, {2:.6g}]".format(*quartiles(volumes[b]))
                         for b in budgets]
                print(f"| {engine_name} | " + " | ".join(cells)
                      + f" | {1000 * statistics.fmean(times):.0f} |", flush=True)
    print(f"\n{time.time() - started:.0f} s in all", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
