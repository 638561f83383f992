"""Grid and random search methods."""

from __future__ import annotations

import json

import numpy as np
import pytest

import sweepd.controller.search  # noqa: F401  (fills the registry)
from sweepd.config import parse_config
from sweepd.controller.search.base import SearchResult, get_search_method, search_methods
from sweepd.controller.search.grid import grid_axes, grid_point, grid_search, grid_size
from sweepd.controller.search.random_search import random_search
from sweepd.domain import Run, RunState

RNG = np.random.default_rng(0)


def grid(**parameters):
    return parse_config({"method": "grid", "parameters": parameters})


def run(claim_key: str, state: RunState = RunState.FINISHED) -> Run:
    return Run(id=f"r{claim_key}", sweep_id="s", state=state, config={}, claim_key=claim_key)


def key(config: dict) -> str:
    return json.dumps(config, sort_keys=True)


GRID_24 = dict(
    optimizer={"values": ["adam", "sgd"]},
    layers={"min": 1, "max": 3},  # int_uniform: 1, 2, 3
    dropout={"distribution": "q_uniform", "min": 0.0, "max": 0.3, "q": 0.1},  # 0, .1, .2, .3
    epochs={"value": 5},
)


def test_methods_are_registered():
    assert {"grid", "random"} <= set(search_methods())
    assert get_search_method("grid") is grid_search
    assert get_search_method("random") is random_search


def test_24_combination_grid_enumerates_24_distinct_points():
    cfg = grid(**GRID_24)
    assert grid_size(cfg) == 24
    points = [grid_point(cfg, i) for i in range(24)]
    assert len({key(p) for p in points}) == 24
    assert {p["epochs"] for p in points} == {5}
    assert {p["dropout"] for p in points} == {0.0, 0.1, 0.2, 0.3}  # no 0.30000000000000004
    assert {p["layers"] for p in points} == {1, 2, 3}

    result = grid_search(cfg, [], 100, RNG)
    assert [s.claim_key for s in result.suggestions] == [str(i) for i in range(24)]
    assert [s.config for s in result.suggestions] == points
    assert not result.exhausted


def test_grid_point_decodes_mixed_radix_with_the_last_sorted_axis_fastest():
    cfg = grid(b={"values": ["x", "y", "z"]}, a={"values": [1, 2]})
    assert [path for path, _ in grid_axes(cfg)] == [("a",), ("b",)]
    assert [grid_point(cfg, i) for i in range(6)] == [
        {"a": a, "b": b} for a in (1, 2) for b in ("x", "y", "z")
    ]


def test_grid_order_does_not_depend_on_key_order():
    forward = grid(a={"values": [1, 2]}, b={"values": [3, 4]})
    backward = grid(b={"values": [3, 4]}, a={"values": [1, 2]})
    assert [grid_point(forward, i) for i in range(4)] == [grid_point(backward, i) for i in range(4)]


def test_grid_point_out_of_range():
    cfg = grid(a={"values": [1, 2]})
    with pytest.raises(IndexError):
        grid_point(cfg, 2)
    with pytest.raises(IndexError):
        grid_point(cfg, -1)


def test_nested_parameters_are_grid_axes_and_come_back_nested():
    cfg = grid(
        optimizer={"parameters": {"name": {"values": ["adam", "sgd"]}, "lr": {"values": [0.1, 0.01]}}},
        model={"parameters": {"depth": {"min": 2, "max": 4}, "act": {"value": "relu"}}},
    )
    assert grid_size(cfg) == 12
    points = [grid_point(cfg, i) for i in range(12)]
    assert len({key(p) for p in points}) == 12
    for p in points:
        assert set(p) == {"optimizer", "model"}
        assert set(p["optimizer"]) == {"name", "lr"} and set(p["model"]) == {"depth", "act"}
        assert p["model"]["act"] == "relu"


def test_dict_valued_categorical_stays_a_value():
    cfg = grid(opt={"values": [{"name": "adam", "lr": 0.1}, {"name": "sgd"}]})
    expected = [{"opt": {"name": "adam", "lr": 0.1}}, {"opt": {"name": "sgd"}}]
    assert [grid_point(cfg, i) for i in range(2)] == expected


@pytest.mark.parametrize(
    "spec, values",
    [
        ({"min": 0, "max": 10, "q": 5}, [0, 5, 10]),  # max on the lattice: included
        ({"min": 0, "max": 9, "q": 5}, [0, 5]),  # max off the lattice
        ({"min": 1, "max": 2, "q": 1}, [1, 2]),
        ({"min": 0.0, "max": 1.0, "q": 0.25}, [0.0, 0.25, 0.5, 0.75, 1.0]),
        ({"min": 0.1, "max": 0.7, "q": 0.2}, [0.1, 0.3, 0.5, 0.7]),  # float noise tolerated
        ({"min": 0.5, "max": 2.0, "q": 1}, [0.5, 1.5]),
        ({"min": 0, "max": 4}, [0, 1, 2, 3, 4]),  # q defaults to 1
    ],
)
def test_q_uniform_grid_includes_max_when_it_is_on_the_lattice(spec, values):
    cfg = grid(q={"distribution": "q_uniform", **spec})
    got = [grid_point(cfg, i)["q"] for i in range(grid_size(cfg))]
    assert got == values
    assert [type(v) for v in got] == [type(v) for v in values]


def test_int_uniform_grid_includes_both_ends():
    cfg = grid(n={"min": -2, "max": 2})
    assert [grid_point(cfg, i)["n"] for i in range(grid_size(cfg))] == [-2, -1, 0, 1, 2]


def test_huge_grids_are_never_materialised():
    cfg = grid(
        a={"min": 0, "max": 10**9},
        b={"min": 0, "max": 10**9},
        c={"distribution": "q_uniform", "min": 0.0, "max": 1e6, "q": 1e-3},
    )
    size = grid_size(cfg)
    assert size == (10**9 + 1) ** 3
    assert grid_point(cfg, size - 1) == {"a": 10**9, "b": 10**9, "c": 1e6}
    assert len(grid_search(cfg, [run(str(i)) for i in range(50)], 2, RNG).suggestions) == 2


def test_grid_skips_every_claimed_key_whatever_the_run_state():
    cfg = grid(**GRID_24)
    runs = [
        run("0"),
        run("1", RunState.FAILED),
        run("2", RunState.CRASHED),
        run("3", RunState.RUNNING),
        run("5", RunState.PENDING),
    ]
    result = grid_search(cfg, runs, 3, RNG)
    assert [s.claim_key for s in result.suggestions] == ["4", "6", "7"]
    assert [s.config for s in result.suggestions] == [grid_point(cfg, i) for i in (4, 6, 7)]
    assert not result.exhausted


def test_grid_returns_at_most_n():
    cfg = grid(**GRID_24)
    assert len(grid_search(cfg, [], 5, RNG).suggestions) == 5
    assert grid_search(cfg, [], 0, RNG) == SearchResult([], exhausted=False)


def test_grid_returns_the_last_points_then_is_exhausted():
    cfg = grid(**GRID_24)
    runs = [run(str(i)) for i in range(22)]
    last = grid_search(cfg, runs, 10, RNG)
    assert [s.claim_key for s in last.suggestions] == ["22", "23"] and not last.exhausted
    done = grid_search(cfg, runs + [run("22"), run("23")], 10, RNG)
    assert done == SearchResult([], exhausted=True)
    assert grid_search(cfg, runs + [run("22"), run("23")], 0, RNG).exhausted


def test_grid_scans_from_the_cursor_and_says_where_each_scan_began():
    cfg = grid(**GRID_24)
    got = grid_search(cfg, [run("21")], 3, RNG, start=20)
    assert [(s.claim_key, s.scanned_from) for s in got.suggestions] == [
        ("20", 20), ("22", 21), ("23", 23)]
    assert grid_search(cfg, [], 3, RNG, start=24) == SearchResult([], exhausted=True)


def test_a_constrained_grid_scans_from_the_cursor_over_invalid_points():
    cfg = parse_config({"method": "grid", "constraints": ["x != 2 and x != 3"],
                        "parameters": {"x": {"values": [0, 1, 2, 3, 4, 5]}}})
    got = grid_search(cfg, [], 2, RNG, start=1)
    assert [(s.config, s.scanned_from) for s in got.suggestions] == [({"x": 1}, 1), ({"x": 4}, 2)]
    assert grid_search(cfg, [], 2, RNG, start=6).exhausted


def test_a_grid_of_constants_has_one_point():
    cfg = grid(a={"value": 1}, b={"value": [1, 2]})
    assert grid_size(cfg) == 1
    assert grid_search(cfg, [], 3, RNG).suggestions[0].config == {"a": 1, "b": [1, 2]}


def test_grid_point_values_are_copies():
    cfg = grid(a={"values": [[1, 2]]})
    grid_point(cfg, 0)["a"].append(3)
    assert grid_point(cfg, 0) == {"a": [1, 2]}


RANDOM = parse_config(
    {
        "method": "random",
        "parameters": {
            "lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-1},
            "bs": {"values": [16, 32, 64]},
            "epochs": {"value": 3},
            "opt": {"parameters": {"mom": {"min": 0.5, "max": 0.99}}},
        },
    }
)


def test_random_returns_n_independent_unclaimed_draws():
    result = random_search(RANDOM, [], 50, np.random.default_rng(1))
    assert len(result.suggestions) == 50 and not result.exhausted
    assert all(s.claim_key == "" for s in result.suggestions)
    assert len({key(s.config) for s in result.suggestions}) == 50
    for s in result.suggestions:
        c = s.config
        assert 1e-5 <= c["lr"] <= 1e-1 and c["bs"] in (16, 32, 64) and c["epochs"] == 3
        assert 0.5 <= c["opt"]["mom"] <= 0.99


def test_random_ignores_existing_runs_and_is_never_exhausted():
    runs = [run("") for _ in range(1000)]
    result = random_search(RANDOM, runs, 2, np.random.default_rng(1))
    assert len(result.suggestions) == 2 and not result.exhausted
    assert random_search(RANDOM, runs, 0, np.random.default_rng(1)) == SearchResult([], exhausted=False)


def test_random_is_a_pure_function_of_the_rng():
    a = random_search(RANDOM, [], 5, np.random.default_rng(42))
    b = random_search(RANDOM, [], 5, np.random.default_rng(42))
    assert a == b
