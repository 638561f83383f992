"""Search quality: sweepd bayes against sweepd random, W&B's bayes engine, Optuna TPE
and Optuna's GPSampler.

Every engine minimises the same functions with the same budgets, from the same
seeds, in the same process:

- **branin** (2-d): x1 uniform [-5, 10], x2 uniform [0, 15]; minimum 0.397887 at
  three points.
- **hartmann6** (6-d): x1..x6 uniform [0, 1]; minimum -3.32237.
- **mixed6** (6 parameters, a made-up model-training loss, minimum 0):
  `lr` log_uniform_values [1e-5, 1], `layers` int_uniform [1, 8], `optimizer`
  categorical [sgd, adam, rmsprop], `dropout` uniform [0, 0.8], `batch_size`
  q_log_uniform_values [16, 1024] with q 16, `momentum` uniform [0, 0.99]:

      loss = offset[opt] + 0.3 (log10 lr - best_log_lr[opt])^2 + 0.04 (layers - 5)^2
             + 1.5 (dropout - 0.05 layers)^2 + 0.1 (log2 batch_size - 7)^2
             + momentum_weight[opt] (momentum - 0.9)^2

  with offset sgd 0.2 / adam 0 / rmsprop 0.1, best_log_lr -1.5 / -3.2 / -3.8 and
  momentum_weight 2 / 0 / 0.5. The minimum, 0, is adam with lr 10^-3.2, 5 layers,
  dropout 0.25, batch 128 (any momentum). Ordinal codes of the optimizer put the two
  good choices (adam, rmsprop) apart; the interaction of dropout and layers rewards a
  model that does not treat parameters one at a time.

- **cond8** (conditional, 8 parameters of which 5 or 6 are active): `optimizer`
  [sgd, adam, rmsprop], `lr`, `layers` and `dropout` as in mixed6; `momentum` uniform
  [0, 0.99] only for sgd and rmsprop, `nesterov` [true, false] only for sgd, `rho`
  uniform [0.5, 0.999] only for rmsprop, `beta2` uniform [0.9, 0.9999] only for adam:

      loss = offset[opt] + 0.3 (log10 lr - best_log_lr[opt])^2 + 0.04 (layers - 5)^2
             + 1.5 (dropout - 0.05 layers)^2 + branch[opt]
      branch: sgd 2 (momentum - 0.9)^2 + (0 if nesterov else 0.15);
              rmsprop (momentum - 0.5)^2 + 0.5 (rho - 0.9)^2; adam 200 (beta2 - 0.98)^2

  with offset sgd 0 / adam 0.05 / rmsprop 0.1 and best_log_lr -1.5 / -3.2 / -3.8;
  minimum 0 (sgd, lr 10^-1.5, 5 layers, dropout 0.25, momentum 0.9, nesterov).
  Engines with conditions get it as such (sweepd's `when`; Optuna define-by-run,
  asking a parameter only when it is active). "sweepd bayes (flat)" and W&B (which
  has no conditions) get every parameter always, and the function ignores the
  inactive ones.
- **mixed6c** (constrained): mixed6 with `batch_size * layers <= 384` and
  `lr >= 0.001 or optimizer == "sgd"`, which rule out mixed6's optimum. sweepd is
  given the constraints; Optuna's samplers get them as `constraints_func` (they learn
  feasibility from the results but may still suggest infeasible configs); W&B has
  no constraints. A suggestion that breaks a constraint is a wasted run: it does
  not count towards the best value (the last column counts them).

Workers: with 1 worker each suggestion sees every earlier result; with 4, the
simulation keeps 4 runs in flight, finishing the oldest first, so (after the first
three) each suggestion is asked for while 3 other runs are pending. Each engine is
told about pending runs in its own way: sweepd and W&B see them as running runs,
Optuna TPE uses `constant_liar` when there are several workers.

For each problem, worker count and budget (30 and 60 evaluations: the 30 column is
the first 30 evaluations of the 60-evaluation trajectory) it prints the median and
quartiles over the seeds of the best value found, and each engine's mean wall time
per suggestion. Run: `python bench/search_quality.py [--seeds 20] [--quick]
[--problems cond8,mixed6c] [--engines "sweepd bayes,Optuna GP"] [--budgets 30,60]
[--workers 1,4]`. Optuna GP (optuna 5.0.0) handles running trials itself (q-batch
log EI) and constraints with log constrained EI; it is not told about pending trials
in any other way.
"""

from __future__ import annotations

import argparse
import collections
import math
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

warnings.filterwarnings("ignore")  # pydantic (W&B's sweeps) and sklearn at import and fit

# ---------------------------------------------------------------- problems


def branin(c: dict[str, Any]) -> float:
    x1, x2 = c["x1"], c["x2"]
    b, cc, r, s, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + cc * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


_H6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H6_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_H6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)


def hartmann6(c: dict[str, Any]) -> float:
    x = np.array([c[f"x{i}"] for i in range(1, 7)], dtype=float)
    return float(-np.sum(_H6_ALPHA * np.exp(-np.sum(_H6_A * (x - _H6_P) ** 2, axis=1))))


_OFFSET = {"sgd": 0.2, "adam": 0.0, "rmsprop": 0.1}
_BEST_LOG_LR = {"sgd": -1.5, "adam": -3.2, "rmsprop": -3.8}
_MOMENTUM_WEIGHT = {"sgd": 2.0, "adam": 0.0, "rmsprop": 0.5}


def mixed6(c: dict[str, Any]) -> float:
    opt = c["optimizer"]
    return (
        _OFFSET[opt]
        + 0.3 * (math.log10(c["lr"]) - _BEST_LOG_LR[opt]) ** 2
        + 0.04 * (c["layers"] - 5) ** 2
        + 1.5 * (c["dropout"] - 0.05 * c["layers"]) ** 2
        + 0.1 * (math.log2(max(c["batch_size"], 1)) - 7) ** 2
        + _MOMENTUM_WEIGHT[opt] * (c["momentum"] - 0.9) ** 2
    )


_COND_OFFSET = {"sgd": 0.0, "adam": 0.05, "rmsprop": 0.1}
_COND_BEST_LOG_LR = {"sgd": -1.5, "adam": -3.2, "rmsprop": -3.8}


def cond8(c: dict[str, Any]) -> float:
    """Reads only the parameters active for the config's optimizer."""
    opt = c["optimizer"]
    loss = (
        _COND_OFFSET[opt]
        + 0.3 * (math.log10(c["lr"]) - _COND_BEST_LOG_LR[opt]) ** 2
        + 0.04 * (c["layers"] - 5) ** 2
        + 1.5 * (c["dropout"] - 0.05 * c["layers"]) ** 2
    )
    if opt == "sgd":
        loss += 2.0 * (c["momentum"] - 0.9) ** 2 + (0.0 if c["nesterov"] else 0.15)
    elif opt == "rmsprop":
        loss += 1.0 * (c["momentum"] - 0.5) ** 2 + 0.5 * (c["rho"] - 0.9) ** 2
    else:
        loss += 200.0 * (c["beta2"] - 0.98) ** 2
    return loss


@dataclass(frozen=True)
class Problem:
    name: str
    parameters: dict[str, dict]  # W&B / sweepd vocabulary, with sweepd's `when`
    f: Callable[[dict[str, Any]], float]
    optimum: float | None  # None: not known in closed form
    constraints: tuple[str, ...] = ()

    @property
    def conditional(self) -> bool:
        return any("when" in spec for spec in self.parameters.values())

    def flat(self) -> Problem:
        """The same problem without `when`: every parameter always present (what a
        tool without conditions is given); the function ignores the inactive ones."""
        parameters = {
            name: {k: v for k, v in spec.items() if k != "when"}
            for name, spec in self.parameters.items()
        }
        return Problem(self.name, parameters, self.f, self.optimum, self.constraints)


PROBLEMS = {
    "branin": Problem(
        "branin",
        {"x1": {"min": -5.0, "max": 10.0}, "x2": {"min": 0.0, "max": 15.0}},
        branin,
        0.397887,
    ),
    "hartmann6": Problem(
        "hartmann6", {f"x{i}": {"min": 0.0, "max": 1.0} for i in range(1, 7)}, hartmann6, -3.32237
    ),
    "mixed6": Problem(
        "mixed6",
        {
            "lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1.0},
            "layers": {"distribution": "int_uniform", "min": 1, "max": 8},
            "optimizer": {"values": ["sgd", "adam", "rmsprop"]},
            "dropout": {"distribution": "uniform", "min": 0.0, "max": 0.8},
            "batch_size": {
                "distribution": "q_log_uniform_values", "min": 16, "max": 1024, "q": 16,
            },
            "momentum": {"distribution": "uniform", "min": 0.0, "max": 0.99},
        },
        mixed6,
        0.0,
    ),
    # conditional: 8 parameters, of which 5 or 6 are active for any one optimizer
    "cond8": Problem(
        "cond8",
        {
            "optimizer": {"values": ["sgd", "adam", "rmsprop"]},
            "lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1.0},
            "layers": {"distribution": "int_uniform", "min": 1, "max": 8},
            "dropout": {"distribution": "uniform", "min": 0.0, "max": 0.8},
            "momentum": {"distribution": "uniform", "min": 0.0, "max": 0.99,
                         "when": {"optimizer": ["sgd", "rmsprop"]}},
            "nesterov": {"values": [True, False], "when": {"optimizer": "sgd"}},
            "rho": {"distribution": "uniform", "min": 0.5, "max": 0.999,
                    "when": {"optimizer": "rmsprop"}},
            "beta2": {"distribution": "uniform", "min": 0.9, "max": 0.9999,
                      "when": {"optimizer": "adam"}},
        },
        cond8,
        0.0,
    ),
}
# constrained: mixed6 where its unconstrained optimum (batch 128 x 5 layers, adam at
# lr 10^-3.2) is infeasible, so the constraints decide where the best point lies
PROBLEMS["mixed6c"] = Problem(
    # optimum: adam at lr 1e-3 (on the constraint), 4 layers, batch 96, dropout 0.2
    "mixed6c", PROBLEMS["mixed6"].parameters, mixed6, 0.0692256,
    ("batch_size * layers <= 384", "lr >= 0.001 or optimizer == \"sgd\""),
)


def sweep_config(problem: Problem, method: str) -> dict:
    out = {
        "method": method,
        "metric": {"name": "loss", "goal": "minimize"},
        "parameters": problem.parameters,
    }
    if problem.constraints:
        out["constraints"] = list(problem.constraints)
    return out


def feasible(problem: Problem, config: dict[str, Any]) -> bool:
    """Whether a config satisfies the problem's constraints (sweepd's own evaluator)."""
    from sweepd.expressions import parse_expression

    return all(parse_expression(c).holds(config) for c in problem.constraints)


# ---------------------------------------------------------------- engines
# Each engine: ask() -> (token, config); tell(token, value). They learn of pending
# runs through the runs they have handed out and not yet been told about.


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
        self.runs[token] = Run(
            id=str(token), sweep_id="bench", state=RunState.RUNNING, config=config, number=token
        )
        return token, config

    def tell(self, token: int, value: float) -> None:
        from sweepd.domain import RunState

        run = self.runs[token]
        run.state, run.history, run.summary = RunState.FINISHED, [value], {"loss": value}


class WandbEngine:
    """W&B's open-source engine (`sweeps` 0.2.0), method bayes. It has neither
    conditions nor constraints: it gets the flat space and is not told of constraints."""

    def __init__(self, problem: Problem, seed: int, workers: int):
        import sweeps

        self.sweeps = sweeps
        self.config = sweep_config(problem.flat(), "bayes")
        self.config.pop("constraints", None)
        self.runs: dict[int, Any] = {}
        np.random.seed(seed)  # W&B's engine draws from numpy's global generator

    def ask(self):
        suggestion = self.sweeps.next_run(self.config, list(self.runs.values()))
        config = {k: _plain(v["value"]) for k, v in suggestion.config.items()}
        token = len(self.runs) + 1
        self.runs[token] = self.sweeps.SweepRun(
            name=str(token), state=self.sweeps.RunState.running,
            config={k: {"value": v} for k, v in config.items()},
        )
        return token, config

    def tell(self, token: int, value: float) -> None:
        run = self.runs[token]
        self.runs[token] = self.sweeps.SweepRun(
            name=run.name, state=self.sweeps.RunState.finished, config=run.config,
            history=[{"loss": value}], summary_metrics={"loss": value},
        )


class OptunaEngine:
    """Optuna's TPE (constant_liar with several workers) or GP sampler through
    ask/tell. Conditional parameters are asked define-by-run, only when active (how
    Optuna expresses conditions); constraints go to the sampler's `constraints_func`,
    which learns feasibility from results but does not prevent infeasible suggestions."""

    def __init__(self, problem: Problem, seed: int, workers: int, sampler: str = "tpe"):
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        self.optuna = optuna
        self.problem = problem
        self.space = {
            name: _optuna_distribution(optuna, spec) for name, spec in problem.parameters.items()
        }
        constraints = _optuna_constraints if problem.constraints else None
        if sampler == "gp":
            chosen = optuna.samplers.GPSampler(seed=seed, constraints_func=constraints)
        else:
            chosen = optuna.samplers.TPESampler(
                seed=seed, constant_liar=workers > 1, constraints_func=constraints
            )
        self.study = optuna.create_study(sampler=chosen, direction="minimize")
        self.trials: dict[int, Any] = {}

    def ask(self):
        if self.problem.conditional:
            trial = self.study.ask()
            for name in self.problem.parameters:  # parents come before children here
                when = self.problem.parameters[name].get("when", {})
                if all(trial.params.get(p) in (v if isinstance(v, list) else [v])
                       for p, v in when.items()):
                    _optuna_suggest(trial, name, self.space[name])
        else:
            trial = self.study.ask(self.space)
        config = dict(trial.params)
        for name, spec in self.problem.parameters.items():
            if spec.get("distribution") == "q_log_uniform_values" and name in config:
                config[name] = int(round(config[name] / spec["q"]) * spec["q"])
        self.trials[trial.number] = (trial, config)
        return trial.number, config

    def tell(self, token: int, value: float) -> None:
        trial, config = self.trials.pop(token)
        if self.problem.constraints:
            from sweepd.expressions import parse_expression

            trial.set_user_attr("violations", [
                0.0 if parse_expression(c).holds(config) else 1.0
                for c in self.problem.constraints
            ])
        self.study.tell(trial, value)


def _optuna_suggest(trial, name: str, dist) -> Any:
    import optuna

    d = optuna.distributions
    if isinstance(dist, d.CategoricalDistribution):
        return trial.suggest_categorical(name, dist.choices)
    if isinstance(dist, d.IntDistribution):
        return trial.suggest_int(name, dist.low, dist.high)
    return trial.suggest_float(name, dist.low, dist.high, log=dist.log)


def _optuna_constraints(trial) -> list[float]:
    return trial.user_attrs.get("violations", [0.0])


def _optuna_distribution(optuna, spec: dict):
    d = optuna.distributions
    kind = spec.get("distribution")
    if "values" in spec:
        return d.CategoricalDistribution(spec["values"])
    if kind == "int_uniform":
        return d.IntDistribution(spec["min"], spec["max"])
    if kind in ("log_uniform_values", "q_log_uniform_values"):
        return d.FloatDistribution(spec["min"], spec["max"], log=True)
    return d.FloatDistribution(spec["min"], spec["max"])


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


ENGINES: dict[str, Callable[[Problem, int, int], Any]] = {
    "sweepd bayes": lambda p, s, w: SweepdEngine(p, s, w, "bayes"),
    # on a conditional problem: sweepd bayes given the space without `when`
    "sweepd bayes (flat)": lambda p, s, w: SweepdEngine(p.flat(), s, w, "bayes"),
    "sweepd random": lambda p, s, w: SweepdEngine(p, s, w, "random"),
    "W&B bayes": WandbEngine,
    "Optuna TPE": OptunaEngine,
    "Optuna GP": lambda p, s, w: OptunaEngine(p, s, w, "gp"),
}
DEFAULT_ENGINES = ("sweepd bayes", "sweepd random", "W&B bayes", "Optuna TPE", "Optuna GP")


# ---------------------------------------------------------------- simulation


def simulate(
    engine, problem: Problem, budget: int, workers: int
) -> tuple[list[float], list[float]]:
    """(values in order of completion, seconds per suggestion). A config that breaks a
    constraint is a wasted run: its value is NaN (the engine is still told the
    function's value, as it cannot know better; Optuna is told of the violation)."""
    in_flight: collections.deque = collections.deque()
    values: list[float] = []
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
        value = problem.f(config)
        engine.tell(token, value)
        values.append(value if feasible(problem, config) else math.nan)
    return values, seconds


def best_of(values: list[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return min(finite) if finite else math.inf


def quartiles(xs: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(xs, n=4, method="inclusive") if len(xs) > 1 else [xs[0]] * 3
    return q[0], statistics.median(xs), q[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="5 seeds, budget 30 only")
    parser.add_argument("--problems", default=",".join(PROBLEMS))
    parser.add_argument("--engines", default=",".join(DEFAULT_ENGINES) + ",sweepd bayes (flat)")
    parser.add_argument("--workers", default="1,4")
    parser.add_argument("--budgets", default="30,60")
    args = parser.parse_args(argv)
    seeds = 5 if args.quick else args.seeds
    budgets = (30,) if args.quick else tuple(int(b) for b in args.budgets.split(","))
    engines = [e.strip() for e in args.engines.split(",")]
    workers_list = [int(w) for w in args.workers.split(",")]

    print(f"seeds {seeds}, budgets {budgets}, workers {workers_list}", flush=True)
    for name in args.problems.split(","):
        problem = PROBLEMS[name.strip()]
        for workers in workers_list:
            optimum = "unknown" if problem.optimum is None else f"{problem.optimum:g}"
            print(f"\n## {problem.name} (optimum {optimum}), {workers} worker(s)")
            header = "| engine | " + " | ".join(
                f"best @{b}: median [q1, q3]" for b in budgets
            ) + " | ms / suggestion |" + (" infeasible |" if problem.constraints else "")
            print(header)
            print("|" + "---|" * (len(budgets) + 2 + bool(problem.constraints)))
            for engine_name in engines:
                if engine_name.endswith("(flat)") and not problem.conditional:
                    continue  # the same as sweepd bayes on a problem without `when`
                best = {b: [] for b in budgets}
                times: list[float] = []
                wasted = 0
                for seed in range(seeds):
                    engine = ENGINES[engine_name](problem, seed, workers)
                    values, seconds = simulate(engine, problem, max(budgets), workers)
                    for b in budgets:
                        best[b].append(best_of(values[:b]))
                    times.extend(seconds)
                    wasted += sum(math.isnan(v) for v in values)
                cells = []
                for b in budgets:
                    q1, med, q3 = quartiles(best[b])
                    cells.append(f"{med:.4g} [{q1:.4g}, {q3:.4g}]")
                ms = 1000 * statistics.fmean(times)
                row = f"| {engine_name}{_label(engine_name, problem)} | " + " | ".join(cells)
                row += f" | {ms:.1f} |"
                if problem.constraints:
                    row += f" {100 * wasted / (seeds * max(budgets)):.0f}% |"
                print(row, flush=True)
    return 0


def _label(engine_name: str, problem: Problem) -> str:
    """What an engine could not be told about the problem."""
    if engine_name == "W&B bayes" and problem.conditional:
        return " (no conditions: flat space)"
    if engine_name == "W&B bayes" and problem.constraints:
        return " (no constraints)"
    return ""


if __name__ == "__main__":
    sys.exit(main())
