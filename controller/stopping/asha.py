"""`early_terminate: {type: asha}`: asynchronous successive halving.

Keys: `min_iter` (default 1), `eta` (default 3), `max_iter` (optional), `strict`
(default true).

- An "iteration" is the count of times a run has logged the metric, as for hyperband.
  Non-finite values are dropped from histories first; for `maximize`, values are
  negated first, so "better" is always "lower".
- Rungs, counted in iterations from 1: `int(min_iter · eta^k)` for k = 0, 1, 2, …
  (a rung that `int` makes equal to the one before is one rung); with `max_iter`, only
  rungs below `max_iter` (a run that has reached `max_iter` is done anyway).
- A run's value at rung r: with `strict: true` its r-th value; with `strict: false`
  the best (lowest) of its first r values, so runs are always compared after the same
  number of iterations.
- At rung r, take every run (any state) that has logged at least r values; n of them.
  Sort their values at r; the top 1/eta of them, the first `ceil(n / eta)` (at least
  one), go on. The threshold is the last of those: the value at index
  `ceil(n / eta) - 1`.
- A running run's rung is the largest rung r ≤ its number of values. It is stopped if
  its value at r is greater than that rung's threshold.

It is asynchronous because nobody waits for a rung to fill: the first run to reach a
rung goes on (it is the top of 1), and each later arrival is compared with the runs
that got there before it. Compared with hyperband, which keeps every run at or better
than the value at index `int(n / eta)`, ASHA keeps `ceil(n / eta)` runs, one fewer
whenever n / eta is a whole number, and its rungs stop below `max_iter`.

Worked example (minimize, `min_iter: 1, eta: 3`, rungs 1, 3, 9, …): runs have logged
A [5, 4, 3], B [6, 6, 6], C [9, 8, 7], D [4] and all are running. Rung 3 (A, B, C):
values 3, 6, 7; ceil(3/3) = 1 goes on; threshold 3: A goes on, B and C are stopped.
Rung 1 (A, B, C, D): values 5, 6, 9, 4; ceil(4/3) = 2 go on; threshold 5: D (4) goes
on.

With several objectives (`metrics`) the rungs and `ceil(n / eta)` stay, and runs are
ordered by non-dominated rank instead of value (pareto_halving.py).
"""

from __future__ import annotations

import math
from typing import Sequence

from sweepd.config import DEFAULT_ASHA_MIN_ITER, EarlyTerminate, SweepConfig
from sweepd.controller.stopping.base import (
    StopDecision, StoppingRule, goal_sign, metric_name, nth, oriented, register, stoppable,
)
from sweepd.controller.stopping.pareto_halving import asha_keep, pareto_halving
from sweepd.domain import Run

DEFAULT_MIN_ITER = DEFAULT_ASHA_MIN_ITER  # the config's default (sweepd.config)


def asha_rungs(et: EarlyTerminate, up_to: int) -> list[int]:
    """The rungs (ascending, distinct) that are at most `up_to` iterations."""
    min_iter = et.min_iter if et.min_iter is not None else DEFAULT_MIN_ITER
    limit = up_to if et.max_iter is None else min(up_to, et.max_iter - 1)
    out: list[int] = []
    k = 0
    while (rung := int(min_iter * et.eta**k)) <= limit:
        if not out or rung != out[-1]:
            out.append(rung)
        k += 1
    return out


def rung_value(history: Sequence[float], rung: int, strict: bool) -> float:
    return history[rung - 1] if strict else min(history[:rung])


def asha_threshold(
    histories: Sequence[Sequence[float]], rung: int, eta: float, strict: bool
) -> tuple[float, int] | None:
    """(threshold, n) at `rung` over oriented histories; None when none reached it."""
    values = sorted(rung_value(h, rung, strict) for h in histories if len(h) >= rung)
    if not values:
        return None
    keep = max(1, math.ceil(len(values) / eta - 1e-9))  # 1e-9: 11 / 1.1 is 10.000000000000002
    return values[keep - 1], len(values)


@register("asha")
class Asha(StoppingRule):
    """Successive halving at rungs: a run that reaches a rung outside the top 1/eta of the
    runs that reached it stops."""

    def decide(self, config: SweepConfig, runs: Sequence[Run]) -> list[StopDecision]:
        et = config.early_terminate
        if config.multi_objective:
            return pareto_halving(config, runs, lambda up_to: asha_rungs(et, up_to),
                                  asha_keep(et.eta), "asha")
        sign = goal_sign(config)
        histories = {r.id: oriented(r, sign) for r in runs}
        rungs = asha_rungs(et, max((len(h) for h in histories.values()), default=0))
        thresholds: dict[int, tuple[float, int] | None] = {}
        out = []
        for run in stoppable(runs):
            h = histories[run.id]
            reached = [r for r in rungs if r <= len(h)]
            if not reached:
                continue
            rung = reached[-1]
            if rung not in thresholds:
                thresholds[rung] = asha_threshold(list(histories.values()), rung, et.eta, et.strict)
            if thresholds[rung] is None:
                continue
            threshold, n = thresholds[rung]
            value = rung_value(h, rung, et.strict)
            if not value > threshold:
                continue
            out.append(asha_decision(config, run.id, rung, value, threshold, n))
        return out

    def checkpoints(self, early_terminate: EarlyTerminate, up_to: int) -> list[int]:
        return asha_rungs(early_terminate, up_to)


def asha_decision(config: SweepConfig, run_id: str, rung: int, value: float, threshold: float,
                  n: int) -> StopDecision:
    """Stops `run_id`, whose oriented `value` at `rung` is worse than the rung's oriented
    `threshold` over the `n` runs that reached it."""
    et, sign = config.early_terminate, goal_sign(config)
    which = f"its {nth(rung)} value" if et.strict else f"its best of {rung} values"
    keep = max(1, math.ceil(n / et.eta - 1e-9))
    return StopDecision(
        run_id=run_id, band=rung, value=sign * value, threshold=sign * threshold,
        message=(
            f"asha: {metric_name(config)} {sign * value:g} ({which}) is not in the top {keep} "
            f"of the {n} runs that reached {rung} values (threshold {sign * threshold:g}, "
            f"eta {et.eta:g})"
        ),
    )
