"""Pareto ranks, crowding distances, reference points and hypervolumes (sweepd.multiobjective)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from sweepd.multiobjective import (
    crowding_distances,
    dominates,
    hypervolume,
    minimizing,
    pareto_ranks,
    reference_point,
)


def brute_ranks(points: np.ndarray) -> list[int]:
    """Ranks straight from the definition: peel the undominated points repeatedly."""
    left, ranks, rank = set(range(len(points))), [0] * len(points), 0
    while left:
        front = {i for i in left if not any(dominates(points[j], points[i]) for j in left)}
        for i in front:
            ranks[i] = rank
        left -= front
        rank += 1
    return ranks


def brute_hypervolume(points: np.ndarray, reference: np.ndarray) -> float:
    """Inclusion-exclusion over every subset: exact, for a handful of points."""
    inside = [p for p in points if np.all(p < reference)]
    total = 0.0
    for size in range(1, len(inside) + 1):
        for subset in itertools.combinations(inside, size):
            corner = np.max(subset, axis=0)
            total += (-1) ** (size + 1) * float(np.prod(reference - corner))
    return total


@pytest.mark.parametrize(
    "points, ranks",
    [
        ([], []),
        ([[1, 1]], [0]),
        ([[1, 2], [2, 1]], [0, 0]),  # a trade-off: both on the front
        ([[1, 1], [2, 2]], [0, 1]),
        ([[1, 1], [1, 1]], [0, 0]),  # equal points share a rank
        ([[1, 2], [1, 3]], [0, 1]),  # equal on one, worse on the other: dominated
        ([[3, 1], [2, 2], [1, 3], [3, 3], [4, 4], [2, 5]], [0, 0, 0, 1, 2, 1]),
        ([[1, 1, 1], [0, 2, 2], [2, 0, 2], [2, 2, 0], [2, 2, 2]], [0, 0, 0, 0, 1]),
        ([[1, 1, 1, 1], [1, 1, 1, 2], [1, 1, 2, 2], [0, 3, 3, 3]], [0, 1, 2, 0]),
        ([[5], [3], [3], [9]], [1, 0, 0, 2]),
    ],
)
def test_pareto_ranks_by_table(points, ranks):
    array = np.array(points, dtype=float).reshape(len(points), -1) if points else np.zeros((0, 2))
    assert pareto_ranks(array).tolist() == ranks


@pytest.mark.parametrize("k", [2, 3, 4])
def test_pareto_ranks_match_the_definition_on_random_points_with_ties(k):
    rng = np.random.default_rng(k)
    for _ in range(40):
        points = rng.integers(0, 5, size=(int(rng.integers(1, 30)), k)).astype(float)
        assert pareto_ranks(points).tolist() == brute_ranks(points)


def test_pareto_ranks_refuse_non_finite_values():
    with pytest.raises(ValueError):
        pareto_ranks(np.array([[1.0, math.nan], [0.0, 0.0]]))


def test_minimizing_negates_maximised_objectives():
    values = [[0.9, 40.0], [0.8, 30.0]]
    assert minimizing(values, ["maximize", "minimize"]).tolist() == [[-0.9, 40.0], [-0.8, 30.0]]


@pytest.mark.parametrize(
    "points, reference, volume",
    [
        # two objectives: strips of width 1 and heights 1, 2, 3
        ([[1, 3], [2, 2], [3, 1]], [4, 4], 6.0),
        # a dominated point and a duplicate add nothing
        ([[1, 3], [2, 2], [3, 1], [3, 3], [2, 2]], [4, 4], 6.0),
        # a point on the reference in one objective adds nothing
        ([[1, 3], [4, 0]], [4, 4], 3.0),
        ([[5, 5]], [4, 4], 0.0),
        ([], [4, 4], 0.0),
        # three objectives: boxes of 4 and 2 sharing the unit cube
        ([[0, 0, 1], [1, 1, 0]], [2, 2, 2], 5.0),
        # three unit-offset corners: 3 * 4 - 3 * 2 + 1
        ([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [2, 2, 2], 7.0),
        # four objectives: 8 + 2 - 1
        ([[0, 0, 0, 1], [1, 1, 1, 0]], [2, 2, 2, 2], 9.0),
        ([[0.5, 1, 1.5, 0]], [1, 2, 3, 4], 0.5 * 1 * 1.5 * 4),
        # one objective: the distance from the best value to the reference
        ([[3], [1], [2]], [5], 4.0),
    ],
)
def test_hypervolume_by_hand_computed_table(points, reference, volume):
    k = len(reference)
    assert hypervolume(np.array(points, dtype=float).reshape(-1, k), reference) == pytest.approx(volume)


@pytest.mark.parametrize("k", [2, 3, 4])
def test_hypervolume_matches_inclusion_exclusion_on_random_points(k):
    rng = np.random.default_rng(10 + k)
    for _ in range(25):
        points = rng.random((int(rng.integers(1, 8)), k))
        reference = np.full(k, 0.9)
        assert hypervolume(points, reference) == pytest.approx(brute_hypervolume(points, reference))


def test_hypervolume_of_a_maximised_objective_uses_negated_values_and_threshold():
    # accuracy (maximize, threshold 0.5) and latency (minimize, threshold 50)
    points = minimizing([[0.9, 40.0], [0.7, 20.0]], ["maximize", "minimize"])
    reference = reference_point(points, [-0.5, 50.0])
    # (0.9 - 0.5) * (50 - 40) + (0.7 - 0.5) * (40 - 20)
    assert hypervolume(points, reference) == pytest.approx(0.4 * 10 + 0.2 * 20)


@pytest.mark.parametrize(
    "points, thresholds, expected",
    [
        ([[1, 5], [3, 2]], [None, None], [3, 5]),  # the worst value of each objective
        ([[1, 5], [3, 2]], [2.0, None], [2, 5]),  # a threshold wins
        ([[1, 5], [3, 2]], [2.0, 9.0], [2, 9]),
    ],
)
def test_reference_point_takes_thresholds_else_the_worst_observed_value(points, thresholds, expected):
    assert reference_point(np.array(points, dtype=float), thresholds).tolist() == expected


def test_reference_point_without_points_or_threshold_is_nan_and_hypervolume_zero():
    reference = reference_point(np.zeros((0, 2)), [None, 3.0])
    assert math.isnan(reference[0]) and reference[1] == 3.0
    assert hypervolume(np.array([[0.0, 0.0]]), reference) == 0.0


@pytest.mark.parametrize(
    "points, distances",
    [
        ([[1, 4], [2, 3], [4, 1]], [math.inf, (4 - 1) / 3 + (4 - 1) / 3, math.inf]),
        ([[1, 4], [2, 2], [3, 1.5], [4, 1]], [math.inf, 2 / 3 + 2.5 / 3, 2 / 3 + 1 / 3, math.inf]),
        ([[1, 2], [2, 1]], [math.inf, math.inf]),
    ],
)
def test_crowding_distances_by_table(points, distances):
    assert crowding_distances(np.array(points, dtype=float)).tolist() == pytest.approx(distances)
