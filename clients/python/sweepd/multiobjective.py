"""Pareto fronts of multi-objective sweeps: pure functions over objective vectors.

Everything here works on arrays of shape (runs, objectives) in which lower is better
on every objective: `minimizing` turns values in their goals' directions into that
form (a maximised objective is negated), so no function below knows about goals.

- `dominates(a, b)`: a is no worse than b on every objective and better on one.
- `pareto_ranks`: non-dominated sorting. Rank 0 is the front (no point dominates
  them); rank 1 is the front once rank 0 is set aside; and so on. Equal points share
  a rank. Two objectives take O(n log n), more O(k n^2).
- `crowding_distances`: NSGA-II's spread measure within one rank (boundary points
  get infinity), used to order runs of the same rank.
- `reference_point`: the point hypervolume is measured against. An objective with a
  threshold takes it; one without takes the worst value observed of it (the largest,
  once minimising), so the reference moves as runs come in.
- `hypervolume`: the exact volume dominated by the points and bounded by the
  reference point, for any number of objectives (WFG's slicing recursion down to an
  O(n log n) two-objective sweep). A point not strictly better than the reference on
  every objective adds nothing (so with the worst-observed rule, a run holding the
  worst value of some objective adds nothing).

`run_objectives` is the rule that gives a run its values: per objective, the best
value of it the run has logged (`Run.objectives`, kept by the controller), else the
finite number its summary holds (a prior run); None when some objective has neither.
"""

from __future__ import annotations

import bisect
from typing import Any, Sequence

import numpy as np

from sweepd.domain import finite_number

_INF = float("inf")


def run_objectives(run: Any, metrics: Sequence[Any]) -> tuple[float, ...] | None:
    """A run's value of each objective (`metrics`: the config's ObjectiveSpecs), in
    their goals' directions; None when it lacks a value of one of them."""
    values = []
    for objective in metrics:
        value = run.objectives.get(objective.name)
        if value is None:
            value = run.summary.get(objective.name)
        if not finite_number(value):
            return None
        values.append(float(value))
    return tuple(values)


def minimizing(values: np.ndarray | Sequence[Sequence[float]], goals: Sequence[str]) -> np.ndarray:
    """Values (runs x objectives) in their goals' directions as a float array in which
    lower is better: columns whose goal is "maximize" are negated."""
    points = np.array(values, dtype=float).reshape(-1, len(goals))
    signs = np.array([-1.0 if g == "maximize" else 1.0 for g in goals])
    return points * signs


def dominates(a: Sequence[float], b: Sequence[float]) -> bool:
    """Whether a is no worse than b on every objective and better on at least one."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.all(a <= b) and np.any(a < b))


def pareto_ranks(points: np.ndarray) -> np.ndarray:
    """The non-dominated rank of each point (0 = on the front), as an int array."""
    points = np.asarray(points, dtype=float)
    n = len(points)
    if n == 0:
        return np.zeros(0, dtype=int)
    if points.ndim != 2 or not np.all(np.isfinite(points)):
        raise ValueError("pareto_ranks takes a (n, k) array of finite values")
    if points.shape[1] == 1:
        return np.unique(points[:, 0], return_inverse=True)[1].astype(int)
    if points.shape[1] == 2:
        return _ranks_2d(points)
    return _ranks_by_peeling(points)


def _ranks_2d(points: np.ndarray) -> np.ndarray:
    """Two objectives: points in (f1, f2) order join the first front whose last point
    does not dominate them; fronts' last points stay sorted by (f2, f1)."""
    order = np.lexsort((points[:, 1], points[:, 0]))
    lasts: list[tuple[float, float]] = []  # per front: (f2, f1) of its last point
    ranks = np.zeros(len(points), dtype=int)
    for i in order:
        key = (points[i, 1], points[i, 0])
        rank = bisect.bisect_left(lasts, key)
        if rank == len(lasts):
            lasts.append(key)
        else:
            lasts[rank] = key
        ranks[i] = rank
    return ranks


def _ranks_by_peeling(points: np.ndarray) -> np.ndarray:
    """Any number of objectives: count each point's dominators, then peel fronts."""
    n = len(points)
    dominated_by = np.zeros((n, n), dtype=bool)  # [i, j]: i dominates j
    for i in range(n):
        no_worse = np.all(points[i] <= points, axis=1)
        better = np.any(points[i] < points, axis=1)
        dominated_by[i] = no_worse & better
    remaining = dominated_by.sum(axis=0)
    ranks = np.full(n, -1, dtype=int)
    rank = 0
    front = np.flatnonzero(remaining == 0)
    while len(front):
        ranks[front] = rank
        remaining = remaining - dominated_by[front].sum(axis=0)
        remaining[ranks >= 0] = -1
        front = np.flatnonzero(remaining == 0)
        rank += 1
    return ranks


def crowding_distances(points: np.ndarray) -> np.ndarray:
    """NSGA-II's crowding distance of each point among `points` (one rank): per
    objective, the gap between its neighbours over the objective's range, summed;
    the points at either end of some objective get infinity."""
    points = np.asarray(points, dtype=float)
    n = len(points)
    distance = np.zeros(n)
    if n <= 2:
        return np.full(n, _INF)
    for column in points.T:
        order = np.argsort(column, kind="stable")
        span = column[order[-1]] - column[order[0]]
        distance[order[0]] = distance[order[-1]] = _INF
        if span > 0:
            gaps = (column[order[2:]] - column[order[:-2]]) / span
            distance[order[1:-1]] += gaps
    return distance


def reference_point(points: np.ndarray, thresholds: Sequence[float | None]) -> np.ndarray:
    """Per objective: its threshold (already minimising) when given, else the worst
    (largest) value among `points`; NaN for an objective with neither."""
    points = np.asarray(points, dtype=float).reshape(-1, len(thresholds))
    worst = points.max(axis=0) if len(points) else np.full(len(thresholds), np.nan)
    return np.array([worst[i] if t is None else float(t) for i, t in enumerate(thresholds)])


def hypervolume(points: np.ndarray, reference: Sequence[float]) -> float:
    """The volume dominated by `points` and bounded by `reference` (exact)."""
    reference = np.asarray(reference, dtype=float)
    points = np.asarray(points, dtype=float).reshape(-1, len(reference))
    if not np.all(np.isfinite(reference)):
        return 0.0
    inside = points[np.all(points < reference, axis=1)]
    if len(inside) == 0:
        return 0.0
    return _hv(_front(inside), reference)


def _front(points: np.ndarray) -> np.ndarray:
    """The distinct non-dominated points."""
    unique = np.unique(points, axis=0)
    return unique[pareto_ranks(unique) == 0]


def _hv(points: np.ndarray, reference: np.ndarray) -> float:
    """Hypervolume of non-dominated points all strictly inside the reference."""
    k = points.shape[1]
    if k == 1:
        return float(reference[0] - points[:, 0].min())
    if k == 2:
        return _hv_2d(points, reference)
    # WFG: worst last objective first; each point adds its slab along the last
    # objective times what it dominates in the other objectives and the points after
    # it (which all reach further along the last objective) do not
    points = points[np.argsort(-points[:, -1], kind="stable")]
    head, ref_head = points[:, :-1], reference[:-1]
    total = 0.0
    for i in range(len(points)):
        depth = reference[-1] - points[i, -1]
        alone = float(np.prod(ref_head - head[i]))
        rest = head[i + 1 :]
        shared = 0.0
        if len(rest):
            shared = _hv(_front(np.maximum(rest, head[i])), ref_head)
        total += depth * (alone - shared)
    return total


def _hv_2d(points: np.ndarray, reference: np.ndarray) -> float:
    """Two objectives: a sweep along f1 over the staircase of non-dominated points."""
    order = np.argsort(points[:, 0], kind="stable")
    xs, ys = points[order, 0], points[order, 1]
    widths = np.append(xs[1:], reference[0]) - xs
    return float(np.sum(widths * (reference[1] - ys)))
