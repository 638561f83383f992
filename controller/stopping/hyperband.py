"""`early_terminate: {type: hyperband}`: W&B's hyperband rule, as docs/sweep-config.md describes it.

The rule (docs/sweep-config.md, "early_terminate"):

- An "iteration" is the count of times a run has logged the metric, not its step.
- Bands (checkpoints), counted in iterations from 1: with `min_iter`,
  `int(min_iter · eta^k)` for k = 0, 1, 2, …; with `max_iter` and `s`,
  `int(max_iter / eta^i)` for i = 1..s, stopping before any value below 1, in
  ascending order. (A band that `int` makes equal to the one before is one band.)
- At band b the threshold is taken over every run (any state) that has logged the
  metric at least b times: sort their b-th values (1-based) and take the one at index
  `int(count / eta)`. Non-finite values are dropped from histories first; for
  `maximize`, values are negated first, so "better" is always "lower". No run reached
  b: no threshold.
- A running run's band is the largest b with b ≤ its number of values. It is stopped
  if its value is greater than that band's threshold: with `strict: true` its b-th
  value; with `strict: false` its best (lowest) value so far.

Worked example (minimize, `min_iter: 3, eta: 3`, bands 3, 9, 27): A, B, C logged
[5, 4, 3, 2], [6, 6, 6], [9, 8, 7]. Band 3 values 3, 6, 7; index int(3/3) = 1;
threshold 6. A (3) and B (6) go on, C (7 > 6) is stopped, strict or not.

With several objectives (`metrics`) the bands stay and the runs at or before index
`int(n / eta)` of the order by non-dominated rank go on (pareto_halving.py).
"""

from __future__ import annotations

from typing import Sequence

from sweepd.config import EarlyTerminate, SweepConfig
from sweepd.controller.stopping.base import (
    StopDecision, StoppingRule, goal_sign, metric_name, nth, oriented, register, stoppable,
)
from sweepd.controller.stopping.pareto_halving import hyperband_keep, pareto_halving
from sweepd.domain import Run


def hyperband_bands(et: EarlyTerminate, up_to: int) -> list[int]:
    """The bands (ascending, distinct) that are at most `up_to` iterations."""
    out: list[int] = []
    if et.min_iter is not None:
        k = 0
        while (band := int(et.min_iter * et.eta**k)) <= up_to:
            if not out or band != out[-1]:
                out.append(band)
            k += 1
        return out
    for i in range(1, (et.s or 0) + 1):
        band = int(et.max_iter / et.eta**i)
        if band < 1:
            break
        out.append(band)
    return sorted(b for b in set(out) if b <= up_to)


def hyperband_threshold(
    histories: Sequence[Sequence[float]], band: int, eta: float
) -> float | None:
    """The threshold at `band` over oriented histories (lower is better); None when no
    history reached the band."""
    values = sorted(h[band - 1] for h in histories if len(h) >= band)
    if not values:
        return None
    return values[int(len(values) / eta)]


@register("hyperband")
class Hyperband(StoppingRule):
    """Hyperband's bands: a run whose value at a band is worse than the band's threshold
    over the runs that reached it stops."""

    def decide(self, config: SweepConfig, runs: Sequence[Run]) -> list[StopDecision]:
        et = config.early_terminate
        if config.multi_objective:
            return pareto_halving(config, runs, lambda up_to: hyperband_bands(et, up_to),
                                  hyperband_keep(et.eta), "hyperband")
        sign = goal_sign(config)
        histories = {r.id: oriented(r, sign) for r in runs}
        longest = max((len(h) for h in histories.values()), default=0)
        bands = hyperband_bands(et, longest)
        thresholds: dict[int, float | None] = {}
        out = []
        for run in stoppable(runs):
            h = histories[run.id]
            reached = [b for b in bands if b <= len(h)]
            if not reached:
                continue
            band = reached[-1]
            if band not in thresholds:
                thresholds[band] = hyperband_threshold(list(histories.values()), band, et.eta)
            threshold = thresholds[band]
            value = h[band - 1] if et.strict else min(h)
            if threshold is None or not value > threshold:
                continue
            count = sum(1 for other in histories.values() if len(other) >= band)
            out.append(hyperband_decision(config, run.id, band, value, threshold, count, len(h)))
        return out

    def checkpoints(self, early_terminate: EarlyTerminate, up_to: int) -> list[int]:
        return hyperband_bands(early_terminate, up_to)


def hyperband_decision(config: SweepConfig, run_id: str, band: int, value: float,
                       threshold: float, count: int, logged: int) -> StopDecision:
    """Stops `run_id`, judged at `band` with oriented `value` (its band value, or its
    best of all `logged` values when not strict) against the band's oriented
    `threshold` over the `count` runs that reached it."""
    et, sign = config.early_terminate, goal_sign(config)
    which = f"its {nth(band)} value" if et.strict else f"its best of {logged} values"
    return StopDecision(
        run_id=run_id, band=band, value=sign * value, threshold=sign * threshold,
        message=(
            f"hyperband: {metric_name(config)} {sign * value:g} ({which}) is worse than the "
            f"band-{band} threshold {sign * threshold:g} of the {count} runs that reached "
            f"{band} values (eta {et.eta:g})"
        ),
    )
