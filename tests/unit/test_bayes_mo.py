"""method: bayes with several objectives (`metrics`): one GP per objective, exact
expected hypervolume improvement over box decompositions, kriging-believer fantasies
for pending runs and for the suggestions of one call."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import sweepd.controller.search  # noqa: F401  (fills the registry)
from sweepd.config import parse_config
from sweepd.controller.search.bayes import bayes_search
from sweepd.controller.search.bayes_mo import _boxes, _psi, expected_hypervolume_improvement
from sweepd.controller.search.random_search import random_search
from sweepd.domain import Run, RunState
from sweepd.multiobjective import hypervolume, pareto_ranks

UNIT_2D = {"x": {"min": 0.0, "max": 1.0}, "y": {"min": 0.0, "max": 1.0}}


def cfg(parameters=UNIT_2D, goals=("minimize", "minimize"), **top):
    metrics = [{"name": f"f{i}", "goal": g} for i, g in enumerate(goals)]
    return parse_config({"method": "bayes", "metrics": metrics, "parameters": parameters, **top})


def done(i, config, values, state=RunState.FINISHED):
    objectives = {} if values is None else {f"f{j}": v for j, v in enumerate(values)}
    return Run(id=f"r{i}", sweep_id="s", state=state, config=config, number=i + 1,
               objectives=objectives)


def two_bowls(c):
    """A trade-off between the corners (0.2, 0.2) and (0.8, 0.8)."""
    x, y = c["x"], c["y"]
    return ((x - 0.2) ** 2 + (y - 0.2) ** 2, (x - 0.8) ** 2 + (y - 0.8) ** 2)


def runs_on(f, points):
    return [done(i, {"x": float(x), "y": float(y)}, f({"x": x, "y": y}))
            for i, (x, y) in enumerate(points)]


def key(config):
    return json.dumps(config, sort_keys=True)


# ---------------------------------------------------------------- EHVI itself


@pytest.mark.parametrize(
    "front, reference, point, improvement",
    [
        # two objectives, hand-computed: the point adds the strip it alone dominates
        ([[1, 3], [3, 1]], [4, 4], [2, 2], 1.0),
        # dominating the front: all 16 but the front's 2 * 1 + 1 * 3
        ([[1, 3], [3, 1]], [4, 4], [0, 0], 16 - (2 * 1 + 1 * 3)),
        ([[1, 3], [3, 1]], [4, 4], [3, 3], 0.0),  # dominated: nothing
        ([], [4, 4], [1, 2], 3 * 2),  # an empty front: the point's own box
        ([[1, 1]], [4, 4], [5, 0], 0.0),  # beyond the reference on one objective
        # three objectives: (0, 0, 0) over the unit corner (1, 1, 1) of a 2-cube
        ([[1, 1, 1]], [2, 2, 2], [0, 0, 0], 8 - 1),
        # four objectives
        ([[1, 1, 1, 1]], [2, 2, 2, 2], [1, 1, 1, 0], 1.0),
    ],
)
def test_ehvi_without_uncertainty_is_the_hypervolume_improvement(front, reference, point,
                                                                 improvement):
    k = len(reference)
    front = np.array(front, dtype=float).reshape(-1, k)
    lower, upper = _boxes(front, np.array(reference, dtype=float))
    found = expected_hypervolume_improvement(np.array([point], dtype=float),
                                             np.full((1, k), 1e-12), lower, upper)
    assert found[0] == pytest.approx(improvement)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_the_boxes_make_exact_improvements_on_random_fronts(k):
    rng = np.random.default_rng(k)
    reference = np.full(k, 1.1)
    for _ in range(15):
        front = rng.random((int(rng.integers(1, 7)), k))
        front = front[pareto_ranks(front) == 0]
        lower, upper = _boxes(front, reference)
        points = rng.random((20, k)) * 1.2 - 0.1
        found = expected_hypervolume_improvement(points, np.full_like(points, 1e-12), lower, upper)
        base = hypervolume(front, reference)
        exact = [hypervolume(np.vstack([front, p]), reference) - base for p in points]
        assert found == pytest.approx(exact, abs=1e-9)


@pytest.mark.parametrize("lower, upper, mean, std", [(0.2, 0.9, 0.5, 0.3), (-np.inf, 0.4, 0.1, 0.2),
                                                     (1.0, 2.0, -1.0, 0.5)])
def test_psi_is_the_expectation_it_claims(lower, upper, mean, std):
    from scipy.integrate import quad
    from scipy.stats import norm

    def integrand(y):
        return max(0.0, upper - max(y, lower)) * norm.pdf(y, mean, std)

    expected = quad(integrand, mean - 12 * std, mean + 12 * std, points=[upper], limit=200)[0]
    found = _psi(np.array(lower), np.array(upper), np.array(mean), np.array(std))
    assert float(found) == pytest.approx(expected, abs=1e-7)


# ---------------------------------------------------------------- the search method


def test_random_until_two_runs_have_every_objective():
    c = cfg()
    runs = [done(0, {"x": 0.1, "y": 0.1}, (1.0, 2.0)),
            Run(id="r1", sweep_id="s", state=RunState.FINISHED, config={"x": 0.5, "y": 0.5},
                number=2, objectives={"f0": 1.0})]  # missing f1
    [s] = bayes_search(c, runs, 1, np.random.default_rng(0)).suggestions
    assert s.note.startswith("random: 1 of the 2 runs with a value of every objective")
    runs.append(done(2, {"x": 0.9, "y": 0.9}, (2.0, 1.0)))
    [s] = bayes_search(c, runs, 1, np.random.default_rng(0)).suggestions
    assert s.note.startswith("bayes: expected hypervolume improvement")
    assert "predicted f0 " in s.note and "3 runs with every objective" not in s.note


def test_summary_values_stand_in_for_prior_runs():
    c = cfg()
    prior = [Run(id=f"p{i}", sweep_id="s", state=RunState.FINISHED, config={"x": x, "y": x},
                 number=i + 1, prior=True, summary={"f0": x, "f1": 1 - x})
             for i, x in enumerate((0.1, 0.5, 0.9))]
    [s] = bayes_search(c, prior, 1, np.random.default_rng(0)).suggestions
    assert "3 runs with every objective" in s.note


def test_n_suggestions_of_one_call_are_different_points():
    rng = np.random.default_rng(1)
    runs = runs_on(two_bowls, rng.random((6, 2)))
    suggestions = bayes_search(cfg(), runs, 4, np.random.default_rng(2)).suggestions
    assert len({key(s.config) for s in suggestions}) == 4
    assert all(s.note.startswith("bayes: expected hypervolume improvement") for s in suggestions)


def test_a_pending_run_moves_the_next_suggestion_away_from_it():
    rng = np.random.default_rng(3)
    runs = runs_on(two_bowls, rng.random((8, 2)))
    first = bayes_search(cfg(), runs, 1, np.random.default_rng(4)).suggestions[0]
    assert bayes_search(cfg(), runs, 1, np.random.default_rng(4)).suggestions[0] == first
    for state in (RunState.PENDING, RunState.RUNNING):
        with_pending = runs + [done(99, first.config, None, state)]
        second = bayes_search(cfg(), with_pending, 1, np.random.default_rng(4)).suggestions[0]
        assert key(second.config) != key(first.config)
        assert "1 pending" in second.note


def test_a_maximised_objective_is_modelled_in_its_own_direction():
    # f1 maximised: the same trade-off as two_bowls with f1 negated
    def flipped(c):
        a, b = two_bowls(c)
        return a, -b

    rng = np.random.default_rng(5)
    runs = runs_on(flipped, rng.random((10, 2)))
    [s] = bayes_search(cfg(goals=("minimize", "maximize")), runs, 1,
                       np.random.default_rng(6)).suggestions
    predicted = float(s.note.split(", f1 ")[1].split()[0])
    assert predicted <= 0  # shown in its own units: negative, as the values logged


def test_failed_runs_count_as_the_worst_and_constraints_hold():
    c = cfg(constraints=["x + y <= 1"])
    rng = np.random.default_rng(7)
    runs = runs_on(two_bowls, [p for p in rng.random((20, 2)) if p.sum() <= 1][:6])
    runs.append(done(50, {"x": 0.3, "y": 0.3}, None, RunState.FAILED))
    suggestions = bayes_search(c, runs, 3, np.random.default_rng(8)).suggestions
    assert all(s.config["x"] + s.config["y"] <= 1 for s in suggestions)
    assert all(s.note.startswith("bayes:") for s in suggestions)


def front_volume(method, seed, budget=16):
    """Hypervolume (reference (1, 1)) of two_bowls after `budget` runs, 4 at a time."""
    rng = np.random.default_rng(seed)
    runs: list[Run] = []
    c = cfg()
    while len(runs) < budget:
        for s in method(c, runs, 4, rng).suggestions:
            runs.append(done(len(runs), s.config, two_bowls(s.config)))
    values = np.array([[r.objectives["f0"], r.objectives["f1"]] for r in runs])
    return hypervolume(values, [1.0, 1.0])


def test_beats_random_search_on_a_trade_off():
    bayes_volumes = [front_volume(bayes_search, seed) for seed in range(3)]
    random_volumes = [front_volume(random_search, seed) for seed in range(3)]
    assert np.median(bayes_volumes) > np.median(random_volumes), (bayes_volumes, random_volumes)


def test_three_objectives_are_searched():
    c = cfg(goals=("minimize",) * 3)
    rng = np.random.default_rng(9)
    runs = [done(i, {"x": float(x), "y": float(y)}, (x, y, math.hypot(1 - x, 1 - y)))
            for i, (x, y) in enumerate(rng.random((8, 2)))]
    suggestions = bayes_search(c, runs, 2, np.random.default_rng(10)).suggestions
    assert all(s.note.startswith("bayes: expected hypervolume improvement") for s in suggestions)
