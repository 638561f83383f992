"""controller/fronts.py computes a sweep's hypervolume from its front alone and keeps
it per distinct (front, reference): the same volume as over every point, whatever
the order, and no recomputation for a read with nothing new or a dominated run."""

import numpy as np

from sweepd.config import parse_config
from sweepd.controller import fronts
from sweepd.domain import Run, RunState
from sweepd.multiobjective import hypervolume, pareto_ranks


def test_the_fronts_volume_is_the_volume_of_all_points_in_any_order():
    rng = np.random.default_rng(7)
    for k in (2, 3, 4):
        points = rng.random((60, k))
        reference = np.full(k, 1.1)
        front = points[pareto_ranks(points) == 0]
        want = hypervolume(points, reference)
        assert fronts.front_hypervolume(front, reference) == want
        assert fronts.front_hypervolume(front[::-1], reference) == want


CONFIG = parse_config({
    "method": "random",
    "metrics": [{"name": "a", "goal": "minimize"}, {"name": "b", "goal": "minimize"},
                {"name": "c", "goal": "maximize", "threshold": 0.0},
                {"name": "d", "goal": "minimize", "threshold": 10.0}],
    "parameters": {"x": {"min": 0.0, "max": 1.0}},
})


def run(i: int, a: float, b: float, c: float, d: float) -> Run:
    return Run(id=f"r{i}", sweep_id="s", number=i, state=RunState.FINISHED, config={"x": 0.5},
               summary={"a": a, "b": b, "c": c, "d": d})


def test_a_read_with_nothing_new_or_a_dominated_run_costs_no_recomputation():
    rng = np.random.default_rng(3)
    runs = [run(i, *rng.random(3), 1.0 + rng.random()) for i in range(40)]
    runs.append(run(99, 0.0, 0.0, 5.0, 0.5))  # the best everywhere: a, b and c fix the reference
    first = fronts.rank(CONFIG, runs)
    misses = fronts._hypervolume_kept.cache_info().misses
    again = fronts.rank(CONFIG, list(reversed(runs)))
    behind = fronts.rank(CONFIG, runs + [run(100, 0.5, 0.5, 0.5, 5.0)])  # dominated by r99
    assert again.hypervolume == behind.hypervolume == first.hypervolume > 0
    assert fronts._hypervolume_kept.cache_info().misses == misses
    better = fronts.rank(CONFIG, runs + [run(101, 0.0, 0.0, 6.0, 0.4)])  # a new front point
    assert better.hypervolume > first.hypervolume
    assert fronts._hypervolume_kept.cache_info().misses == misses + 1
