"""What every registered search method promises (controller/search/base.py), checked
for each one the registry holds: a method added with `register` is tested here without
a line more. Per-method behaviour has its own tests (test_search_grid_random.py,
test_bayes.py)."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

import sweepd.controller.search  # noqa: F401  (fills the registry)
from sweepd.config import ConfigError, flatten, parse_config
from sweepd.controller.search.base import (
    History, SearchResult, get_search_method, history_needed, search_methods,
)
from sweepd.domain import Run, RunState
from sweepd.space import structure_of

PARAMETERS = {
    "lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1},
    "layers": {"values": [1, 2, 3]},
    "act": {"values": ["relu", "tanh"]},
    "momentum": {"values": [0.8, 0.9], "when": {"act": ["relu"]}},
}
GRID_PARAMETERS = {k: v for k, v in PARAMETERS.items() if k != "lr"} | {"lr": {"values": [0.01, 0.1]}}


def config_for(method: str, **extra):
    parameters = GRID_PARAMETERS if method == "grid" else PARAMETERS
    return parse_config({"method": method, "metric": {"name": "loss", "goal": "minimize"},
                         "parameters": parameters, **extra})


def call(method: str, config, runs, n: int, seed: int = 0) -> SearchResult:
    fn = get_search_method(method)
    rng = np.random.default_rng(seed)
    if history_needed(method) is History.CURSOR:
        return fn(config, runs, n, rng, start=0)
    return fn(config, runs, n, rng)


def finished_runs(method: str, count: int) -> list[Run]:
    """`count` finished runs whose configs the method itself suggested, with values."""
    config = config_for(method)
    runs: list[Run] = []
    for i in range(count):
        suggestion = call(method, config, runs, 1, seed=i).suggestions[0]
        runs.append(Run(id=f"r{i}", sweep_id="s", state=RunState.FINISHED, number=i + 1,
                        config=suggestion.config, claim_key=suggestion.claim_key,
                        history=[float(i % 5)], summary={"loss": float(i % 5)}))
    return runs


def fits(config, run_config: dict) -> bool:
    """The config is in the space: every active parameter, only those, each allowed."""
    structure = structure_of(config)
    flat = flatten(run_config, config)
    return set(flat) == structure.active(flat) and structure.feasible(flat)


METHODS = search_methods()


def test_the_registry_holds_every_method_the_config_accepts():
    from sweepd.config import METHODS as ACCEPTED

    assert set(METHODS) == set(ACCEPTED)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("history", [0, 12])
def test_at_most_n_suggestions_each_in_the_space(method, history):
    config = config_for(method)
    runs = finished_runs(method, history)
    for n in (0, 1, 3):
        result = call(method, config, runs, n)
        assert len(result.suggestions) <= n
        if n == 0:
            assert result.suggestions == []
        for s in result.suggestions:
            assert fits(config, s.config), s.config
            json.dumps(s.config)  # plain data, sent as JSON


@pytest.mark.parametrize("method", METHODS)
def test_claim_keys_are_unique_and_never_those_of_runs_given(method):
    config = config_for(method)
    runs = finished_runs(method, 4)
    result = call(method, config, runs, 5)
    keys = [s.claim_key for s in result.suggestions if s.claim_key]
    assert len(keys) == len(set(keys))
    assert not set(keys) & {r.claim_key for r in runs if r.claim_key}


@pytest.mark.parametrize("method", METHODS)
def test_the_runs_given_are_not_changed(method):
    config = config_for(method)
    runs = finished_runs(method, 8)
    before = copy.deepcopy(runs)
    call(method, config, runs, 3)
    assert runs == before


@pytest.mark.parametrize("method", METHODS)
def test_the_same_rng_seed_gives_the_same_suggestions(method):
    config = config_for(method)
    runs = finished_runs(method, 6)
    first = [s.config for s in call(method, config, runs, 2, seed=7).suggestions]
    again = [s.config for s in call(method, config, runs, 2, seed=7).suggestions]
    assert first == again


@pytest.mark.parametrize("method", METHODS)
def test_an_unsatisfiable_space_is_refused_or_reported_never_raised(method):
    try:
        config = config_for(method, constraints=["layers > 5"])
    except ConfigError as err:  # refused when the sweep is created, naming the field
        assert "constraints" in str(err)
        return
    result = call(method, config, [], 2)
    assert result.suggestions == [] and result.exhausted and result.message


# ---------------------------------------------------------------- several objectives


def mo_config_for(method: str):
    parameters = GRID_PARAMETERS if method == "grid" else PARAMETERS
    return parse_config({"method": method, "parameters": parameters,
                         "metrics": [{"name": "loss"}, {"name": "ms", "goal": "maximize"}]})


def mo_finished_runs(method: str, count: int) -> list[Run]:
    """As finished_runs, each with a value of both objectives (a trade-off)."""
    config = mo_config_for(method)
    runs: list[Run] = []
    for i in range(count):
        suggestion = call(method, config, runs, 1, seed=i).suggestions[0]
        values = {"loss": float(i % 5), "ms": float((i * 3) % 7)}
        runs.append(Run(id=f"r{i}", sweep_id="s", state=RunState.FINISHED, number=i + 1,
                        config=suggestion.config, claim_key=suggestion.claim_key,
                        objectives=values, summary=dict(values)))
    return runs


@pytest.mark.parametrize("method", METHODS)
def test_with_several_objectives_suggestions_are_in_the_space_and_pure(method):
    config = mo_config_for(method)
    runs = mo_finished_runs(method, 8)
    before = copy.deepcopy(runs)
    first = call(method, config, runs, 3, seed=7).suggestions
    assert runs == before and 0 < len(first) <= 3
    assert all(fits(config, s.config) for s in first)
    assert [s.config for s in call(method, config, runs, 3, seed=7).suggestions] == [
        s.config for s in first]
