"""Pareto fronts of multi-objective sweeps, computed from the runs whenever they are read.

Nothing here is stored: ranks, the front's size and its hypervolume are a pure
function of the sweep's config and its runs' objective values, so every replica
computes the same and nothing can go stale.

- Ranked runs: those with a value of every objective (`run_objectives`'s rule),
  in any state (a running run by what it has logged so far), except prior runs and
  ignored runs, which are never a single-objective sweep's best run either.
- Ranks are `pareto_ranks` over the ranked runs in minimising form; a run that is not
  ranked has no rank and is never on the front.
- The hypervolume is taken over the ranked runs against `reference_point`'s point
  (thresholds, else the worst value observed among the ranked runs); the reference is
  reported in the objectives' own units (a maximised objective's is not negated).
  Only the front's points bound it (a dominated point adds no volume), so it is
  computed once per distinct (front, reference) and kept (`front_hypervolume`): a run
  that lands behind the front, or a read with nothing new, costs no recomputation,
  which matters with 4 objectives, where the exact volume is costly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Sequence

import numpy as np

from sweepd.config import SweepConfig
from sweepd.domain import Run, Sweep
from sweepd.multiobjective import (
    hypervolume,
    minimizing,
    pareto_ranks,
    reference_point,
    run_objectives,
)


@dataclass(frozen=True)
class Front:
    """Run id -> rank for the ranked runs, the front's size, the hypervolume (None
    when no run is ranked) and its reference point in the objectives' own units."""

    ranks: dict[str, int] = field(default_factory=dict)
    size: int = 0
    hypervolume: float | None = None
    reference: tuple[float, ...] = ()


HYPERVOLUMES_KEPT = 1024  # distinct (front, reference) pairs, over all sweeps


def front_hypervolume(front: np.ndarray, reference: np.ndarray) -> float:
    """`hypervolume(front, reference)`, remembered for the last HYPERVOLUMES_KEPT
    distinct fronts (the points in a canonical order, so order does not matter)."""
    front = np.asarray(front, dtype=float)
    canonical = front[np.lexsort(front.T[::-1])] if len(front) else front
    reference = np.asarray(reference, dtype=float)
    return _hypervolume_kept(canonical.tobytes(), len(reference), reference.tobytes())


@lru_cache(maxsize=HYPERVOLUMES_KEPT)
def _hypervolume_kept(points: bytes, k: int, reference: bytes) -> float:
    return hypervolume(np.frombuffer(points).reshape(-1, k), np.frombuffer(reference))


def goals(config: SweepConfig) -> list[str]:
    return [o.goal for o in config.metrics]


def signs(config: SweepConfig) -> np.ndarray:
    """-1 for a maximised objective, 1 for a minimised one, in config order."""
    return np.array([-1.0 if g == "maximize" else 1.0 for g in goals(config)])


def minimizing_thresholds(config: SweepConfig) -> list[float | None]:
    """Each objective's threshold in minimising form (None where it has none)."""
    return [None if o.threshold is None else s * o.threshold
            for o, s in zip(config.metrics, signs(config))]


def rank(config: SweepConfig, runs: Sequence[Run]) -> Front:
    """The front of a multi-objective sweep's runs (see the module docstring)."""
    ranked: list[str] = []
    values: list[tuple[float, ...]] = []
    for run in runs:
        vector = None if run.prior or run.ignored else run_objectives(run, config.metrics)
        if vector is not None:
            ranked.append(run.id)
            values.append(vector)
    if not ranked:
        return Front()
    points = minimizing(values, goals(config))
    ranks = pareto_ranks(points)
    reference = reference_point(points, minimizing_thresholds(config))
    return Front(
        ranks=dict(zip(ranked, (int(r) for r in ranks))),
        size=int(np.sum(ranks == 0)),
        hypervolume=front_hypervolume(points[ranks == 0], reference),
        reference=tuple(float(v) for v in reference * signs(config)),
    )


def annotate_runs(runs: Sequence[Run], front: Front) -> None:
    """Sets each run's pareto_rank (None for a run that is not ranked)."""
    for run in runs:
        run.pareto_rank = front.ranks.get(run.id)


def with_front(sweep: Sweep, front: Front) -> Sweep:
    return replace(sweep, pareto_front_size=front.size, hypervolume=front.hypervolume,
                   hypervolume_reference=front.reference)
