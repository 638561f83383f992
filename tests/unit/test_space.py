"""Conditional parameters (`when`) and `constraints`: parsing and validation, the
expression language, and every search method honouring both."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import sweepd.controller.search  # noqa: F401  (fills the registry)
from sweepd import convert
from sweepd.config import ConfigError, config_to_dict, parse_config, validate_config
from sweepd.controller.search.bayes import INACTIVE, _Space, bayes_search
from sweepd.controller.search.grid import grid_search
from sweepd.controller.search.random_search import random_search
from sweepd.domain import Run, RunState
from sweepd.expressions import ExpressionError, parse_expression
from sweepd.space import structure_of

ISSUE_EXAMPLE = {
    "optimizer": {"values": ["sgd", "adam"]},
    "momentum": {"values": [0.8, 0.9], "when": {"optimizer": "sgd"}},
    "beta2": {"values": [0.99, 0.999], "when": {"optimizer": ["adam"]}},
    "lr": {"values": [1.0e-3, 1.0e-2]},
}

CONDITIONAL = {
    "optimizer": {"values": ["sgd", "adam"]},
    "momentum": {"min": 0.5, "max": 0.99, "when": {"optimizer": "sgd"}},
    "nesterov": {"values": [True, False], "when": {"optimizer": "sgd"}},
    "damp": {"min": 0.0, "max": 1.0, "when": {"nesterov": False}},  # a grandchild
    "adam": {"parameters": {"beta2": {"min": 0.9, "max": 0.9999}}, "when": {"optimizer": "adam"}},
    "lr": {"distribution": "log_uniform_values", "min": 1.0e-4, "max": 0.1},
    "layers": {"min": 1, "max": 8},
}
CONSTRAINTS = ["lr * layers <= 0.05", "optimizer == 'adam' or lr < 0.01"]


def config(method="random", parameters=None, constraints=(), **extra):
    raw = {"method": method, "parameters": parameters or CONDITIONAL, **extra}
    if constraints:
        raw["constraints"] = list(constraints)
    if method == "bayes":
        raw.setdefault("metric", {"name": "loss"})
    return parse_config(raw)


def errors(raw) -> dict[str, str]:
    return {e.path: e.message for e in validate_config(raw)}


def valid_active(cfg, run_config) -> bool:
    """Whether the run config holds exactly the active parameters of its values."""
    from sweepd.config import flatten

    structure = structure_of(cfg)
    flat = flatten(run_config, cfg)
    return set(flat) == structure.active(flat) and structure.feasible(flat)


# ---------------------------------------------------------------- config


def test_when_and_constraints_parse_and_round_trip_through_dict_and_proto():
    cfg = config(constraints=CONSTRAINTS)
    assert cfg.parameters["momentum"].when == (("optimizer", ("sgd",)),)
    assert cfg.parameters["adam"].when == (("optimizer", ("adam",)),)
    assert cfg.constraints == tuple(CONSTRAINTS)
    as_dict = config_to_dict(cfg)
    assert as_dict["parameters"]["damp"]["when"] == {"nesterov": [False]}
    assert parse_config(as_dict) == cfg
    message = convert.config_to_proto(cfg)
    assert [c.parent for c in message.parameters["damp"].when] == ["nesterov"]
    assert message.parameters["damp"].when[0].values[0].bool_value is False
    assert list(message.constraints) == CONSTRAINTS
    assert parse_config(convert.config_dict_from_proto(message)) == cfg


def test_bad_conditions_are_reported_with_field_paths_all_at_once():
    found = errors({"method": "random", "parameters": {
        "a": {"values": [1, 2], "when": {"a": 1}},  # itself
        "b": {"values": [1, 2], "when": {"nope": 1, "a": [1, 3]}},  # unknown; 3 never
        "u": {"min": 0.0, "max": 1.0},
        "c": {"values": [1], "when": {"u": 0.5}},  # continuous parent
        "g": {"parameters": {"x": {"values": [1, 2]}}, "when": {"g.x": 1}},  # own leaf
        "h": {"values": [1], "when": {"g": 1}},  # a group, not a leaf
        "k": {"values": [1], "when": []},
        "t": {"values": [1, True], "when": {"a": True}},  # True is not 1
    }})
    assert "itself" in found["parameters.a.when.a"]
    assert "unknown parent parameter 'nope'" in found["parameters.b.when.nope"]
    assert "never takes the value 3" in found["parameters.b.when.a"]
    assert "must be discrete" in found["parameters.c.when.u"]
    assert "its own parameter 'g.x'" in found["parameters.g.when.g.x"]
    assert "group" in found["parameters.h.when.g"]
    assert "mapping" in found["parameters.k.when"]
    assert "never takes the value True" in found["parameters.t.when.a"]


def test_a_cycle_of_conditions_is_reported():
    found = errors({"method": "grid", "parameters": {
        "a": {"values": [1, 2], "when": {"c": 1}},
        "b": {"values": [1, 2], "when": {"a": 1}},
        "c": {"values": [1, 2], "when": {"b": 2}},
        "d": {"values": [1, 2]},
    }})
    (path, message), = found.items()
    assert path in ("parameters.a.when", "parameters.b.when", "parameters.c.when")
    assert "cycle" in message and "->" in message


def test_bad_constraints_are_reported_with_their_index():
    found = errors({"method": "random", "parameters": {"a": {"values": [1, 2]}}, "constraints": [
        "a +", "b < 1", "a.__class__ == 1", "__import__('os').system('x')", "a[0] == 1",
        "[x for x in a]", 5, "min(a)", "lambda: 1", "a if a else 2", "open('f')",
    ]})
    assert found["constraints[0]"].startswith("syntax error")
    assert "unknown parameter 'b'" in found["constraints[1]"]
    assert "unknown parameter 'a.__class__'" in found["constraints[2]"]
    assert "only the functions" in found["constraints[3]"]
    assert "indexing" in found["constraints[4]"]
    assert "comprehension" in found["constraints[5]"]
    assert "must be a string" in found["constraints[6]"]
    assert "min() takes" in found["constraints[7]"]
    assert "lambda" in found["constraints[8]"]
    assert "if-else" in found["constraints[9]"]
    assert "only the functions" in found["constraints[10]"]
    assert "list" in errors({"method": "random", "parameters": {"a": {"values": [1]}},
                             "constraints": "a > 1"})["constraints"]


def test_a_grid_with_no_valid_combination_is_refused_at_validation():
    with pytest.raises(ConfigError) as e:
        config("grid", {"a": {"values": [1, 2]}, "b": {"min": 1, "max": 3}}, ["a * b > 100"])
    assert [err.path for err in e.value.errors] == ["constraints"]


# ---------------------------------------------------------------- expressions


@pytest.mark.parametrize("text, flat, expected", [
    ("batch_size * layers <= 4096", {"batch_size": 512, "layers": 8}, True),
    ("batch_size * layers <= 4096", {"batch_size": 1024, "layers": 8}, False),
    ("lr < 0.01 or optimizer == \"adam\"", {"lr": 0.1, "optimizer": "adam"}, True),
    ("lr < 0.01 or optimizer == 'adam'", {"lr": 0.1, "optimizer": "sgd"}, False),
    ("not (a in [1, 2]) and b not in ('x', 'y')", {"a": 3, "b": "z"}, True),
    ("2 + 3 * a ** 2 == 14", {"a": 2}, True),
    ("a // 2 == 3 and a % 2 == 1 and a / 2 == 3.5", {"a": 7}, True),
    ("abs(-a) == max(a, 1) and min(a, 2, 3) == 2", {"a": 7}, True),
    ("abs(log(exp(a)) - a) < 1e-9", {"a": 2.5}, True),
    ("0 < a < 1 < b", {"a": 0.5, "b": 2}, True),
    ("model.width * model.depth < 100", {"model.width": 8, "model.depth": 10}, True),
    ("momentum > 0.9", {"lr": 1}, True),  # names an absent (inactive) parameter: holds
    ("log(a) > 0", {"a": 0}, False),  # an error evaluating: does not hold
    ("a * 2 > 1", {"a": "xx"}, False),  # arithmetic takes numbers only
    ("10 ** 10 ** 10 > 1", {}, False),  # overflows as a float instead of a huge int
    ("-a == -1 and +a == 1", {"a": 1}, True),
])
def test_expressions(text, flat, expected):
    assert parse_expression(text).holds(flat) is expected


def test_expression_names_and_refusals():
    assert parse_expression("opt.lr * b > c").names == {"opt.lr", "b", "c"}
    for text in ["", "a = 1", "a; b", "{'a': 1}", "f'{a}'", "a.b()", "abs(x=1)", "(a := 1)",
                 "x" * 3000, "1j > 0", "[1] == a"]:
        with pytest.raises(ExpressionError):
            parse_expression(text)


# ---------------------------------------------------------------- grid


def test_grid_of_the_issue_gives_8_configs_with_unique_stable_keys():
    cfg = config("grid", ISSUE_EXAMPLE)
    first = grid_search(cfg, [], 100, np.random.default_rng(0))
    configs = [s.config for s in first.suggestions]
    assert len(configs) == 8
    assert len({json.dumps(c, sort_keys=True) for c in configs}) == 8
    for c in configs:
        assert set(c) == ({"optimizer", "lr", "momentum"} if c["optimizer"] == "sgd"
                          else {"optimizer", "lr", "beta2"})
    keys = [s.claim_key for s in first.suggestions]
    assert len(set(keys)) == 8
    again = grid_search(config("grid", ISSUE_EXAMPLE), [], 100, np.random.default_rng(1))
    assert [s.claim_key for s in again.suggestions] == keys
    assert [s.config for s in again.suggestions] == configs
    # taken keys are skipped; all taken: exhausted
    taken = [Run(id=k, sweep_id="s", state=RunState.FINISHED, config={}, claim_key=k)
             for k in keys[:5]]
    rest = grid_search(cfg, taken, 100, np.random.default_rng(0))
    assert [s.claim_key for s in rest.suggestions] == keys[5:]
    taken += [Run(id=k, sweep_id="s", state=RunState.FINISHED, config={}, claim_key=k)
              for k in keys[5:]]
    done = grid_search(cfg, taken, 4, np.random.default_rng(0))
    assert done.suggestions == [] and done.exhausted and not done.message


def test_grid_filters_by_constraints():
    cfg = config("grid", ISSUE_EXAMPLE, ["lr < 0.005 or optimizer == 'adam'"])
    configs = [s.config for s in grid_search(cfg, [], 100, np.random.default_rng(0)).suggestions]
    assert len(configs) == 6
    assert all(c["lr"] < 0.005 for c in configs if c["optimizer"] == "sgd")


# ---------------------------------------------------------------- random


def test_random_draws_only_active_parameters_and_satisfies_constraints():
    cfg = config(constraints=CONSTRAINTS)
    result = random_search(cfg, [], 300, np.random.default_rng(0))
    assert len(result.suggestions) == 300
    seen = set()
    for s in result.suggestions:
        assert valid_active(cfg, s.config), s.config
        assert s.config["lr"] * s.config["layers"] <= 0.05
        seen.add(tuple(sorted(s.config)))
        assert "draw" in s.note
    assert ("adam", "layers", "lr", "optimizer") in seen
    assert ("damp", "layers", "lr", "momentum", "nesterov", "optimizer") in seen
    assert ("layers", "lr", "momentum", "nesterov", "optimizer") in seen


def test_random_with_no_feasible_point_ends_with_the_reason_not_a_config():
    cfg = config(parameters={"a": {"min": 0.0, "max": 1.0}}, constraints=["a > 2"])
    result = random_search(cfg, [], 4, np.random.default_rng(0))
    assert result.suggestions == [] and result.exhausted
    assert "constraints[0] 'a > 2' rejected" in result.message


# ---------------------------------------------------------------- bayes


def _loss(c):
    loss = (math.log10(c["lr"]) + 3) ** 2 + 0.1 * c["layers"]
    if c["optimizer"] == "sgd":
        loss += 0.5 + (c["momentum"] - 0.9) ** 2 + c.get("damp", 0.0)
    else:
        loss += 100 * (c["adam"]["beta2"] - 0.99) ** 2
    return loss


def test_bayes_models_only_active_parameters_and_satisfies_constraints():
    cfg = config("bayes", constraints=CONSTRAINTS)
    rng = np.random.default_rng(3)
    runs = []
    for i in range(14):
        result = bayes_search(cfg, runs, 2, rng)
        assert len(result.suggestions) == 2
        for s in result.suggestions:
            assert valid_active(cfg, s.config), s.config
            runs.append(Run(id=f"r{len(runs)}", sweep_id="s", state=RunState.FINISHED,
                            config=s.config, number=len(runs) + 1, history=[_loss(s.config)]))
    assert sum(s.note.startswith("bayes:") for s in result.suggestions) >= 1


def test_bayes_encodes_an_inactive_parameter_at_a_fixed_coordinate():
    cfg = config("bayes")
    space = _Space.of(cfg)
    x = space.encode({"optimizer": "adam", "adam.beta2": 0.95, "lr": 0.01, "layers": 2})
    momentum, nesterov = space.by_name["momentum"], space.by_name["nesterov"]
    assert x[momentum.start] == INACTIVE
    assert not x[nesterov.start : nesterov.start + nesterov.width].any()
    # an inactive parameter that is set anyway does not fit the space
    with pytest.raises(ValueError):
        space.encode({"optimizer": "adam", "adam.beta2": 0.95, "lr": 0.01, "layers": 2,
                      "momentum": 0.9})
    # random candidates have every inactive column at its fixed coordinate
    candidates = space.sample(np.random.default_rng(0), 200)
    for row in candidates:
        assert np.array_equal(space.encode(space.decode(row)), space.snap(row)[0])
        flat = space.decode(row)
        if "momentum" not in flat:
            assert row[momentum.start] == INACTIVE


def test_bayes_with_no_feasible_point_ends_with_the_reason():
    cfg = config("bayes", {"a": {"min": 0.0, "max": 1.0}, "b": {"min": 0.0, "max": 1.0}},
                 ["a + b > 3"])
    result = bayes_search(cfg, [], 2, np.random.default_rng(0))
    assert result.suggestions == [] and result.exhausted
    assert "constraints[0]" in result.message


def test_the_grid_space_size_counts_valid_combinations_only():
    from sweepd.controller.search.base import space_size

    assert space_size(config("grid", ISSUE_EXAMPLE)) == 8
    assert space_size(config("grid", ISSUE_EXAMPLE, ["lr < 0.005 or optimizer == 'adam'"])) == 6
    assert space_size(config("grid", {"a": {"values": [1, 2]}})) == 2
