"""`early_terminate: {type: median}`: the median stopping rule.

Keys: `min_iter` (default 3), the warm-up: no run is judged before it has logged the
metric `min_iter` times.

- An "iteration" is the count of times a run has logged the metric, as for hyperband.
  Non-finite values are dropped from histories first; for `maximize`, values are
  negated first, so "better" is always "lower".
- A running run with t ≥ `min_iter` values is judged at t: its score is its best
  (lowest) value so far. The other runs (any state) that have logged at least t
  values are its peers; a peer's score is the best of its first t values, so every
  score covers the same number of iterations.
- With fewer than `MIN_PEERS` (3) peers nothing is decided. Otherwise the threshold
  is the median of the peers' scores (the mean of the middle two when their number
  is even) and the run is stopped if its score is greater than the threshold.

Worked example (minimize, `min_iter: 3`): finished runs P [4, 3, 2, 1], Q [5, 5, 5],
R [3, 2, 2, 2]; running S [6, 6, 5] and T [2, 9, 9]. Both are judged at t = 3. S scores
5; its peers P, Q, R, T have best-of-3 values 2, 5, 2, 2, median 2; 5 > 2, so S is
stopped. T scores 2; its peers P, Q, R, S have 2, 5, 2, 5, median 3.5; T goes on.

sweepd's config has no key for the number of peers; `MIN_PEERS` is fixed.

With several objectives (`metrics`), an iteration is a log call that held every
objective, and scores are vectors: each objective's best so far (the run), each
objective's best of the first t (a peer). The threshold is the median of the peers'
scores taken per objective, and the run is stopped only when it is worse than that
median on every objective: whatever the trade-off wanted, a typical peer beats it.
With one objective this is the rule above. Example (minimize both, `min_iter: 2`):
finished P [(1, 9), (1, 8)], Q [(5, 5), (4, 4)], R [(9, 1), (8, 1)]; running
S [(7, 7), (6, 7)] and T [(2, 9), (2, 9)]. S scores (6, 7); its peers P, Q, R, T
score (1, 8), (4, 4), (8, 1), (2, 9), medians (3, 6): S is worse on both, stopped.
T scores (2, 9); its peers' medians are (5, 6) (S counts as (6, 7)): T is better on
the first objective and goes on.
"""

from __future__ import annotations

import statistics
from typing import Sequence

import numpy as np

from sweepd.config import DEFAULT_MEDIAN_MIN_ITER, EarlyTerminate, SweepConfig
from sweepd.controller.stopping.base import (
    StopDecision, StoppingRule, goal_sign, metric_name, oriented, register, stoppable,
)
from sweepd.controller.stopping.pareto_halving import objective_signs, oriented_vectors
from sweepd.domain import Run

DEFAULT_MIN_ITER = DEFAULT_MEDIAN_MIN_ITER  # the config's default (sweepd.config)
MIN_PEERS = 3


@register("median")
class Median(StoppingRule):
    """Stops a run whose best value so far is worse than the median of the other runs' best
    values at the same iteration count (from the warm-up on, with enough peers)."""

    def decide(self, config: SweepConfig, runs: Sequence[Run]) -> list[StopDecision]:
        et = config.early_terminate
        warm_up = et.min_iter if et.min_iter is not None else DEFAULT_MIN_ITER
        if config.multi_objective:
            return _median_of_vectors(config, runs, max(1, warm_up))
        sign = goal_sign(config)
        histories = {r.id: oriented(r, sign) for r in runs}
        out = []
        for run in stoppable(runs):
            h = histories[run.id]
            t = len(h)
            if t < max(1, warm_up):
                continue
            peers = [
                min(other[:t])
                for rid, other in histories.items()
                if rid != run.id and len(other) >= t
            ]
            if len(peers) < MIN_PEERS:
                continue
            threshold = statistics.median(peers)
            score = min(h)
            if not score > threshold:
                continue
            out.append(median_decision(config, run.id, t, score, threshold, len(peers)))
        return out


def median_decision(config: SweepConfig, run_id: str, t: int, score: float, threshold: float,
                    peers: int) -> StopDecision:
    """Stops `run_id`, whose oriented best of `t` values, `score`, is worse than the
    oriented median `threshold` of its `peers` other runs' best of their first t."""
    sign = goal_sign(config)
    return StopDecision(
        run_id=run_id, band=t, value=sign * score, threshold=sign * threshold,
        message=(
            f"median: {metric_name(config)} {sign * score:g} (its best of {t} values) is worse "
            f"than the median {sign * threshold:g} of the best of the first {t} values "
            f"of {peers} other runs"
        ),
    )


def median_warm_up(et: EarlyTerminate) -> int:
    """The first iteration count at which the rule judges a run (as `median` reads it)."""
    return max(1, et.min_iter if et.min_iter is not None else DEFAULT_MIN_ITER)


def _median_of_vectors(config: SweepConfig, runs: Sequence[Run], warm_up: int
                       ) -> list[StopDecision]:
    """The rule with several objectives (module docstring): stopped when worse than
    the peers' per-objective median on every objective."""
    signs = objective_signs(config)
    histories = {r.id: oriented_vectors(r, signs) for r in runs}
    out = []
    for run in stoppable(runs):
        h = histories[run.id]
        t = len(h)
        if t < warm_up:
            continue
        peers = [o[:t].min(axis=0) for rid, o in histories.items() if rid != run.id and len(o) >= t]
        if len(peers) < MIN_PEERS:
            continue
        threshold = np.median(np.array(peers), axis=0)
        score = h.min(axis=0)
        if not np.all(score > threshold):
            continue
        pairs = ", ".join(f"{o.name} {s * v:g} vs {s * m:g}"
                          for o, s, v, m in zip(config.metrics, signs, score, threshold))
        out.append(StopDecision(
            run_id=run.id, band=t, value=None, threshold=None,
            message=(f"median: its best of {t} values is worse on every objective than the "
                     f"median of the best of the first {t} values of {len(peers)} other runs "
                     f"({pairs})"),
        ))
    return out
