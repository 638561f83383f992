"""Warm start: sweepd bayes seeded with prior runs against bayes from scratch.

On search_quality.py's `mixed6` problem, for each seed: 30 prior runs are drawn at
random from the space (sweepd's own random search, its own generator) and evaluated;
then bayes runs 20 new runs one at a time, once seeded with the 30 prior runs (as
the controller gives them to search: finished runs whose summary holds the metric)
and once unseeded. It prints, over the seeds, the median and quartiles of:

- the best value among the 20 new runs (the warm start's question: do the new runs
  land better?);
- the best value among prior and new runs together (seeded), the best of the 30
  prior runs alone, and unseeded bayes given all 50 evaluations (the first 20 of
  that trajectory are the "unseeded" row).

Run: `python bench/warm_start.py [--seeds 10] [--prior 30] [--new 20]`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_quality import PROBLEMS, SweepdEngine, quartiles, simulate  # noqa: E402


def prior_runs(problem, seed: int, count: int) -> list:
    """`count` random configs of the problem, evaluated, as the controller stores prior runs."""
    import sweepd.controller.search  # noqa: F401  (fills the registry)
    from sweepd.config import parse_config
    from sweepd.controller.search.base import get_search_method
    from sweepd.domain import Run, RunState

    from search_quality import sweep_config

    config = parse_config(sweep_config(problem, "random"))
    rng = np.random.default_rng(10_000 + seed)
    suggestions = get_search_method("random")(config, [], count, rng).suggestions
    return [Run(id=f"p{i}", sweep_id="bench", state=RunState.FINISHED, config=s.config,
                number=i + 1, summary={"loss": problem.f(s.config)}, prior=True)
            for i, s in enumerate(suggestions)]


def run_seed(problem, seed: int, n_prior: int, n_new: int) -> dict[str, float]:
    priors = prior_runs(problem, seed, n_prior)
    seeded = SweepdEngine(problem, seed, 1, "bayes")
    for run in priors:
        seeded.runs[run.number] = run
    seeded_values, _ = simulate(seeded, problem, n_new, 1)
    plain, _ = simulate(SweepdEngine(problem, seed, 1, "bayes"), problem, n_prior + n_new, 1)
    best_prior = min(r.summary["loss"] for r in priors)
    return {
        "prior alone (30 random)": best_prior,
        "seeded: best of the new runs": min(seeded_values),
        "seeded: best of prior + new": min(best_prior, min(seeded_values)),
        "unseeded: best of the new runs": min(plain[:n_new]),
        f"unseeded: best of {n_prior + n_new} runs": min(plain),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--prior", type=int, default=30)
    parser.add_argument("--new", type=int, default=20)
    parser.add_argument("--problem", default="mixed6")
    args = parser.parse_args(argv)
    problem = PROBLEMS[args.problem]
    started = time.perf_counter()
    results: dict[str, list[float]] = {}
    wins = 0
    for seed in range(args.seeds):
        row = run_seed(problem, seed, args.prior, args.new)
        wins += row["seeded: best of the new runs"] < row["unseeded: best of the new runs"]
        for k, v in row.items():
            results.setdefault(k, []).append(v)
    print(f"{problem.name} (optimum {problem.optimum:g}): {args.prior} prior runs, "
          f"{args.new} new runs, {args.seeds} seeds, 1 worker")
    print("| | best: median [q1, q3] |")
    print("|---|---|")
    for k, values in results.items():
        q1, med, q3 = quartiles(values)
        print(f"| {k} | {med:.4g} [{q1:.4g}, {q3:.4g}] |")
    print(f"\nseeded new runs beat unseeded ones in {wins} of {args.seeds} seeds "
          f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
