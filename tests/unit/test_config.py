"""Sweep config parsing and validation (docs/sweep-config.md)."""

from __future__ import annotations

import json
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sweepd.config import (
    DEFAULT_COMMAND,
    ConfigError,
    EarlyTerminate,
    FieldError,
    MetricSpec,
    ParameterSpec,
    RetryPolicy,
    SweepConfig,
    config_to_dict,
    flat_parameters,
    flatten,
    nest,
    parse_config,
    validate_config,
)


def one(param: dict, method: str = "random", **top) -> dict:
    return {"method": method, "parameters": {"p": param}, **top}


def paths(source) -> list[str]:
    return [e.path for e in validate_config(source)]


# ---------------------------------------------------------------- spec examples

# one row per line of the spec's parameter table, with its keys
SPEC_TABLE = {
    "constant": {"distribution": "constant", "value": 7},
    "categorical": {"distribution": "categorical", "values": ["a", "b"]},
    "categorical_w_probabilities": {
        "distribution": "categorical_w_probabilities",
        "values": [1, 2],
        "probabilities": [0.25, 0.75],
    },
    "int_uniform": {"distribution": "int_uniform", "min": 1, "max": 10},
    "uniform": {"distribution": "uniform", "min": 0.0, "max": 1.0},
    "q_uniform": {"distribution": "q_uniform", "min": 0.0, "max": 1.0, "q": 0.1},
    "log_uniform": {"distribution": "log_uniform", "min": -9.2, "max": -2.3},
    "log_uniform_values": {"distribution": "log_uniform_values", "min": 1e-4, "max": 0.1},
    "q_log_uniform": {"distribution": "q_log_uniform", "min": 0.0, "max": 5.0, "q": 2},
    "q_log_uniform_values": {"distribution": "q_log_uniform_values", "min": 1, "max": 1024, "q": 8},
    "inv_log_uniform": {"distribution": "inv_log_uniform", "min": 2.3, "max": 9.2},
    "inv_log_uniform_values": {"distribution": "inv_log_uniform_values", "min": 1e-4, "max": 0.1},
    "normal": {"distribution": "normal", "mu": 0.5, "sigma": 0.1},
    "q_normal": {"distribution": "q_normal", "mu": 10, "sigma": 3, "q": 2},
    "log_normal": {"distribution": "log_normal", "mu": 0.0, "sigma": 1.0},
    "q_log_normal": {"distribution": "q_log_normal", "mu": 2.0, "sigma": 0.5, "q": 1},
    "beta": {"distribution": "beta", "a": 2.0, "b": 3.0},
    "q_beta": {"distribution": "q_beta", "a": 2.0, "b": 3.0, "q": 0.05},
    "nested": {
        "parameters": {
            "lr": {"values": [0.1, 0.01]},
            "inner": {"parameters": {"k": {"value": 1}}},
        }
    },
}


@pytest.mark.parametrize("name", sorted(SPEC_TABLE))
def test_every_row_of_the_spec_table_parses(name):
    cfg = parse_config(one(SPEC_TABLE[name]))
    assert cfg.parameters["p"].distribution == name
    assert cfg.warnings == ()


@pytest.mark.parametrize(
    "name, defaults",
    [
        ("q_uniform", {"q": 1}),
        ("q_log_uniform_values", {"q": 1}),
        ("normal", {"mu": 0, "sigma": 1}),
        ("q_normal", {"mu": 0, "sigma": 1, "q": 1}),
        ("log_normal", {"mu": 0, "sigma": 1}),
        ("q_log_normal", {"mu": 0, "sigma": 1, "q": 1}),
        ("beta", {"a": 1, "b": 1}),
        ("q_beta", {"a": 1, "b": 1, "q": 1}),
    ],
)
def test_spec_table_defaults_are_filled(name, defaults):
    raw = {k: v for k, v in SPEC_TABLE[name].items() if k not in defaults}
    p = parse_config(one(raw)).parameters["p"]
    assert {k: getattr(p, k) for k in defaults} == defaults
    if "q" in defaults:
        assert type(p.q) is int


def test_keys_a_distribution_does_not_take_are_none():
    p = parse_config(one(SPEC_TABLE["uniform"])).parameters["p"]
    unused = (p.value, p.values, p.probabilities, p.q, p.mu, p.sigma, p.a, p.b, p.parameters)
    assert unused == (None,) * 9


SPEC_YAML = """
method: bayes
metric: {name: val_loss, goal: maximize, target: 0.99}
parameters:
  lr: {distribution: log_uniform_values, min: 1e-4, max: 1e-1}
  batch_size: {values: [32, 64, 128]}
  optimizer:
    parameters:
      name: {value: adam}
      beta1: {min: 0.8, max: 0.99}
early_terminate: {type: hyperband, min_iter: 3, eta: 3, strict: true}
run_cap: 20
program: train.py
command: ["${env}", "${interpreter}", "${program}", "--data=${envvar:DATA}", "${args}"]
name: mnist
description: a sweep
project: vision
entity: team
"""


def test_a_full_yaml_config_parses_with_every_top_level_key():
    cfg = parse_config(SPEC_YAML)
    assert cfg.method == "bayes"
    assert cfg.metric == MetricSpec(name="val_loss", goal="maximize", target=0.99)
    assert cfg.parameters["lr"].min == 1e-4  # `1e-4` is a float, not PyYAML's string
    assert cfg.early_terminate == EarlyTerminate("hyperband", 3, None, None, 3.0, True)
    assert (cfg.run_cap, cfg.program) == (20, "train.py")
    assert cfg.command[3] == "--data=${envvar:DATA}"
    texts = (cfg.name, cfg.description, cfg.project, cfg.entity)
    assert texts == ("mnist", "a sweep", "vision", "team")
    assert cfg.retry == RetryPolicy(1)


def test_hyperband_with_max_iter_and_s_parses():
    early = {"type": "hyperband", "max_iter": 27, "s": 2}
    cfg = parse_config(one({"value": 1}, metric={"name": "loss"}, early_terminate=early))
    assert cfg.early_terminate == EarlyTerminate("hyperband", None, 27, 2, 3.0, True)


def test_top_level_defaults():
    cfg = parse_config(one({"value": 1}))
    assert cfg.metric == MetricSpec(None, "minimize", None)
    assert cfg.command == DEFAULT_COMMAND == ("${env}", "${interpreter}", "${program}", "${args}")
    assert (cfg.early_terminate, cfg.run_cap, cfg.program) == (None, None, None)
    assert (cfg.name, cfg.description, cfg.project, cfg.entity) == ("", "", "", "")
    assert cfg.retry == RetryPolicy(max_attempts=1)


def test_yaml_file_by_str_and_by_path(tmp_path):
    f = tmp_path / "sweep.yaml"
    f.write_text(SPEC_YAML)
    assert parse_config(str(f)) == parse_config(f) == parse_config(SPEC_YAML)


def test_missing_file_and_bad_yaml_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        parse_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="no such file"):
        parse_config(str(tmp_path / "nope.yaml"))
    with pytest.raises(ConfigError, match="invalid YAML"):
        parse_config("method: [grid")
    assert paths("- just\n- a list\n") == [""]


# ---------------------------------------------------------------- inference


@pytest.mark.parametrize(
    "raw, expected",
    [
        ({"values": [1, 2]}, "categorical"),
        ({"values": [1, 2], "probabilities": [0.5, 0.5]}, "categorical_w_probabilities"),
        ({"value": "x"}, "constant"),
        ({"value": None}, "constant"),
        ({"min": 1, "max": 5}, "int_uniform"),
        ({"min": 0.1, "max": 0.5}, "uniform"),
        ({"parameters": {"x": {"value": 1}}}, "nested"),
    ],
)
def test_distribution_is_inferred(raw, expected):
    assert parse_config(one(raw)).parameters["p"].distribution == expected


@pytest.mark.parametrize("raw", [{"min": 1, "max": 5.0}, {"min": 0.5, "max": 5}])
def test_int_and_float_bounds_are_ambiguous(raw):
    errors = validate_config(one(raw))
    assert [(e.path, "ambiguous" in e.message) for e in errors] == [("parameters.p", True)]


def test_explicit_distribution_resolves_the_ambiguity():
    assert parse_config(one({"distribution": "uniform", "min": 1, "max": 5.0})).parameters["p"].min == 1


def test_uninferable_spec_asks_for_a_distribution():
    assert paths(one({"mu": 1.0})) == ["parameters.p.distribution"]
    assert paths(one({})) == ["parameters.p.distribution"]


def test_keys_of_another_distribution_are_errors():
    errors = validate_config(one({"min": 0.0, "max": 1.0, "q": 0.1}))
    assert [e.path for e in errors] == ["parameters.p.q"]
    assert "inferred" in errors[0].message


# ---------------------------------------------------------------- errors


def test_four_mistakes_give_four_errors_with_their_paths():
    source = {
        "method": "random",
        "parameters": {
            "lr": {"min": 0.1, "max": 0.01},  # min > max
            "bs": {"values": [16, 32], "colour": "red"},  # unknown key
            "opt": {"parameters": {"mom": {"distribution": "normal", "sigma": -1.0}}},  # sigma <= 0
        },
        "metric": {"name": "loss", "goal": "maximise"},  # misspelt goal
    }
    errors = validate_config(source)
    assert sorted(e.path for e in errors) == [
        "metric.goal",
        "parameters.bs.colour",
        "parameters.lr.max",
        "parameters.opt.parameters.mom.sigma",
    ]
    assert FieldError("parameters.lr.max", "must be greater than min") in errors
    with pytest.raises(ConfigError) as info:
        parse_config(source)
    assert len(info.value.errors) == 4
    assert str(info.value).splitlines() == [str(e) for e in info.value.errors]
    assert "parameters.lr.max: must be greater than min" in str(info.value).splitlines()


def test_config_error_is_a_value_error_and_pickles():
    with pytest.raises(ValueError) as info:
        parse_config({"method": "nope", "parameters": {"a": {"value": 1}}})
    again = pickle.loads(pickle.dumps(info.value))
    expected = [FieldError("method", "must be one of grid, random, bayes, not 'nope'")]
    assert again.errors == info.value.errors == expected


def test_field_error_str():
    error = FieldError("parameters.lr.max", "must be greater than min")
    assert str(error) == "parameters.lr.max: must be greater than min"


@pytest.mark.parametrize(
    "source, path",
    [
        ({"method": "grid", "parameters": {"a": {"value": 1}}, "paramters": {}}, "paramters"),
        (one({"value": 1}, metric={"name": "x", "mode": "max"}), "metric.mode"),
        (one({"values": [1], "prob": [1]}), "parameters.p.prob"),
        (one({"parameters": {"x": {"value": 1, "extra": 2}}}), "parameters.p.parameters.x.extra"),
        (
            one({"value": 1}, metric={"name": "x"}, early_terminate={"type": "asha", "bands": 2}),
            "early_terminate.bands",
        ),
        (one({"value": 1}, retry={"max_attempts": 2, "backoff": 1}), "retry.backoff"),
    ],
)
def test_unknown_keys_at_every_level_are_named(source, path):
    errors = validate_config(source)
    assert [e.path for e in errors] == [path]
    assert errors[0].message.startswith("unknown key")


def test_unknown_key_suggests_a_close_match():
    (error,) = validate_config({"method": "grid", "parameters": {"a": {"value": 1}}, "metirc": {}})
    assert "did you mean 'metric'" in error.message


@pytest.mark.parametrize(
    "source, path",
    [
        ({"parameters": {"a": {"value": 1}}}, "method"),
        ({"method": "random"}, "parameters"),
        ({"method": "random", "parameters": {}}, "parameters"),
        ({"method": "random", "parameters": {"1bad": {"value": 1}}}, "parameters.1bad"),
        ({"method": "random", "parameters": {"a": 0.1}}, "parameters.a"),
        (one({"distribution": "gaussian"}), "parameters.p.distribution"),
        (one({"distribution": ["uniform"]}), "parameters.p.distribution"),
        ({"method": ["grid"], "parameters": {"a": {"value": 1}}}, "method"),
        (one({"distribution": "constant"}), "parameters.p.value"),
        (one({"values": []}), "parameters.p.values"),
        (one({"values": "abc"}), "parameters.p.values"),
        (one({"values": [1, 2], "probabilities": [0.5]}), "parameters.p.probabilities"),
        (one({"values": [1, 2], "probabilities": [0.5, 0.6]}), "parameters.p.probabilities"),
        (one({"values": [1, 2], "probabilities": [1.5, -0.5]}), "parameters.p.probabilities[1]"),
        (one({"distribution": "int_uniform", "min": 1.5, "max": 3}), "parameters.p.min"),
        (one({"distribution": "uniform", "min": 1.0}), "parameters.p.max"),
        (one({"min": 1}), "parameters.p.max"),
        (one({"min": 3, "max": 3}), "parameters.p.max"),
        (one({"distribution": "uniform", "min": "0", "max": 1.0}), "parameters.p.min"),
        (one({"distribution": "uniform", "min": True, "max": 1.0}), "parameters.p.min"),
        (one({"distribution": "uniform", "min": float("nan"), "max": 1.0}), "parameters.p.min"),
        (one({"distribution": "log_uniform_values", "min": 0.0, "max": 1.0}), "parameters.p.min"),
        (one({"distribution": "inv_log_uniform_values", "min": -1.0, "max": 1.0}), "parameters.p.min"),
        (one({"distribution": "log_uniform", "min": 1.0, "max": 1000.0}), "parameters.p.max"),
        (one({"distribution": "inv_log_uniform", "min": -1000.0, "max": 1.0}), "parameters.p.min"),
        (one({"distribution": "q_uniform", "min": 0.0, "max": 1.0, "q": 0}), "parameters.p.q"),
        (one({"distribution": "normal", "sigma": 0}), "parameters.p.sigma"),
        (one({"distribution": "beta", "a": -1.0}), "parameters.p.a"),
        (one({"distribution": "nested"}), "parameters.p.parameters"),
        (one({"parameters": {}}), "parameters.p.parameters"),
        (one({"value": {1: "x"}}), "parameters.p.value.1"),
        (one({"values": [1, object()]}), "parameters.p.values[1]"),
        (one({"value": 1}, metric={"goal": "maximize"}, method="bayes"), "metric.name"),
        (one({"value": 1}, early_terminate={"type": "hyperband", "min_iter": 3}), "metric.name"),
        (one({"value": 1}, metric={"name": ""}), "metric.name"),
        (one({"value": 1}, metric={"name": "l", "target": "high"}), "metric.target"),
        (one({"value": 1}, metric="loss"), "metric"),
        (one({"value": 1}, run_cap=0), "run_cap"),
        (one({"value": 1}, run_cap=2.5), "run_cap"),
        (one({"value": 1}, run_cap=True), "run_cap"),
        (one({"value": 1}, program=3), "program"),
        (one({"value": 1}, name=["x"]), "name"),
        (one({"value": 1}, command="python train.py"), "command"),
        (one({"value": 1}, command=[]), "command"),
        (one({"value": 1}, command=["python", 3]), "command[1]"),
        (one({"value": 1}, retry={"max_attempts": 0}), "retry.max_attempts"),
        (one({"value": 1}, retry=3), "retry"),
    ],
)
def test_single_mistakes_are_reported_at_their_path(source, path):
    assert paths(source) == [path]


@pytest.mark.parametrize(
    "early_terminate, path",
    [
        ({"min_iter": 3}, "early_terminate.type"),
        ({"type": "bohb"}, "early_terminate.type"),
        ({"type": ["hyperband"]}, "early_terminate.type"),
        ({"type": "hyperband"}, "early_terminate"),
        ({"type": "hyperband", "max_iter": 27}, "early_terminate.s"),
        ({"type": "hyperband", "s": 2}, "early_terminate.max_iter"),
        ({"type": "hyperband", "max_iter": 2, "s": 1}, "early_terminate.max_iter"),
        ({"type": "hyperband", "min_iter": 0}, "early_terminate.min_iter"),
        ({"type": "hyperband", "min_iter": 3, "eta": 1}, "early_terminate.eta"),
        ({"type": "hyperband", "min_iter": 3, "strict": "yes"}, "early_terminate.strict"),
        ({"type": "asha", "min_iter": 4, "max_iter": 2}, "early_terminate.max_iter"),
        ({"type": "median", "min_iter": 3, "eta": 2}, "early_terminate.eta"),
        ("hyperband", "early_terminate"),
    ],
)
def test_early_terminate_mistakes(early_terminate, path):
    assert paths(one({"value": 1}, metric={"name": "loss"}, early_terminate=early_terminate)) == [path]


@pytest.mark.parametrize(
    "early_terminate, expected",
    [
        ({"type": "hyperband", "min_iter": 1, "max_iter": 81, "s": 3, "eta": 2.5, "strict": False},
         EarlyTerminate("hyperband", 1, 81, 3, 2.5, False)),
        ({"type": "asha"}, EarlyTerminate("asha", 1, None, None, 3.0, True)),
        (
            {"type": "asha", "min_iter": 2, "max_iter": 50, "eta": 4},
            EarlyTerminate("asha", 2, 50, None, 4.0, True),
        ),
        ({"type": "median"}, EarlyTerminate("median", 3, None, None, 3.0, True)),
        ({"type": "median", "min_iter": 10}, EarlyTerminate("median", 10, None, None, 3.0, True)),
    ],
)
def test_early_terminate_types_and_defaults(early_terminate, expected):
    cfg = parse_config(one({"value": 1}, metric={"name": "loss"}, early_terminate=early_terminate))
    assert cfg.early_terminate == expected


def test_grid_rejects_continuous_distributions_naming_the_parameter():
    source = {
        "method": "grid",
        "parameters": {
            "ok": {"values": [1, 2]},
            "n": {"min": 1, "max": 4},
            "q": {"distribution": "q_uniform", "min": 0, "max": 4, "q": 2},
            "lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1},
            "w": {"values": [1, 2], "probabilities": [0.5, 0.5]},
            "opt": {"parameters": {"mom": {"min": 0.1, "max": 0.9}}},
        },
    }
    errors = validate_config(source)
    expected = ["parameters.lr", "parameters.w", "parameters.opt.parameters.mom"]
    assert [e.path for e in errors] == expected
    assert "log_uniform_values" in errors[0].message and "grid" in errors[0].message


def test_unknown_command_macro_is_an_error_at_its_index():
    command = ["${env}", "${interpreter}", "${programme}", "${args}"]
    errors = validate_config(one({"value": 1}, command=command))
    assert [e.path for e in errors] == ["command[2]"]
    assert "${programme}" in errors[0].message


@pytest.mark.parametrize(
    "element",
    ["--all=${args}", "${envvar:1BAD}", "${args", "x ${nope} y"],
)
def test_bad_command_elements(element):
    assert paths(one({"value": 1}, command=["python", element])) == ["command[1]"]


def test_embedded_scalar_macros_are_fine():
    command = [
        "${interpreter}",
        "--cfg=${args_json_file}",
        "--home=${envvar:HOME}",
        "${args_no_boolean_flags}",
    ]
    cfg = parse_config(one({"value": 1}, command=command))
    assert cfg.command[1] == "--cfg=${args_json_file}"


def test_colliding_flat_names_are_an_error():
    source = one({"value": 1})
    source["parameters"] = {"a.b": {"value": 1}, "a": {"parameters": {"b": {"value": 2}}}}
    assert paths(source) == ["parameters.a.parameters.b"]


# ---------------------------------------------------------------- warnings


@pytest.mark.parametrize(
    "dist, lo, hi",
    [
        ("log_uniform", 0.0001, 0.1),
        ("log_uniform", 0.0001, 10.0),
        ("q_log_uniform", 1.0, 512.0),
        ("inv_log_uniform", 0.001, 0.5),
        ("log_uniform", 1.0, 200.0),
    ],
)
def test_exponent_bounds_that_look_like_values_warn(dist, lo, hi):
    cfg = parse_config(one({"distribution": dist, "min": lo, "max": hi}))
    assert len(cfg.warnings) == 1
    assert cfg.warnings[0].startswith("parameters.p:") and f"{dist}_values" in cfg.warnings[0]


@pytest.mark.parametrize(
    "dist, lo, hi",
    [
        ("log_uniform", -9.2, -2.3),
        ("log_uniform", 0.0, 5.0),
        ("inv_log_uniform", 2.3, 9.2),
        ("q_log_uniform", 1.0, 5.0),
    ],
)
def test_plausible_exponent_bounds_do_not_warn(dist, lo, hi):
    assert parse_config(one({"distribution": dist, "min": lo, "max": hi})).warnings == ()


def test_value_forms_never_warn():
    raw = {"distribution": "log_uniform_values", "min": 0.0001, "max": 0.1}
    assert parse_config(one(raw)).warnings == ()


def test_warnings_do_not_depend_on_key_order():
    lr = {"distribution": "log_uniform", "min": 0.0001, "max": 0.1}
    forward = parse_config({"method": "random", "parameters": {"a": lr, "b": lr}})
    backward = parse_config({"method": "random", "parameters": {"b": lr, "a": lr}})
    assert len(forward.warnings) == 2 and forward == backward


def test_duplicate_values_warn():
    warnings = parse_config(one({"values": [1, 2, 1]})).warnings
    assert warnings == ("parameters.p.values: has duplicate values",)


# ---------------------------------------------------------------- retry


def test_retry_policy():
    assert parse_config(one({"value": 1}, retry={"max_attempts": 3})).retry == RetryPolicy(3)
    assert parse_config(one({"value": 1}, retry={})).retry == RetryPolicy(1)


# ---------------------------------------------------------------- flat names


NESTED = {
    "method": "random",
    "parameters": {
        "epochs": {"value": 2},
        "optimizer": {
            "parameters": {
                "lr": {"min": 0.001, "max": 0.1},
                "kind": {"values": [{"name": "adam"}, {"name": "sgd"}]},
                "sched": {"parameters": {"gamma": {"value": 0.9}}},
            }
        },
        "data.root": {"value": "/data"},
    },
}


def test_flat_parameters_uses_dotted_paths_for_leaves():
    flat = flat_parameters(parse_config(NESTED))
    expected = ["epochs", "optimizer.lr", "optimizer.kind", "optimizer.sched.gamma", "data.root"]
    assert list(flat) == expected
    assert all(isinstance(s, ParameterSpec) and not s.nested for s in flat.values())


def test_nest_and_flatten_are_inverse_along_parameter_paths():
    cfg = parse_config(NESTED)
    nested = {
        "epochs": 2,
        "optimizer": {"lr": 0.01, "kind": {"name": "adam"}, "sched": {"gamma": 0.9}},
        "data.root": "/data",
    }
    flat = flatten(nested, cfg)
    assert flat == {
        "epochs": 2,
        "optimizer.lr": 0.01,
        "optimizer.kind": {"name": "adam"},  # a categorical's dict value stays one value
        "optimizer.sched.gamma": 0.9,
        "data.root": "/data",
    }
    assert nest(flat, cfg) == nested


def test_nest_and_flatten_without_a_spec_use_every_dot_and_dict():
    assert nest({"a.b.c": 1, "a.d": 2, "e": 3}) == {"a": {"b": {"c": 1}, "d": 2}, "e": 3}
    assert flatten({"a": {"b": {"c": 1}, "d": 2}, "e": 3}) == {"a.b.c": 1, "a.d": 2, "e": 3}
    with pytest.raises(ValueError):
        nest({"a": 1, "a.b": 2})


# ---------------------------------------------------------------- round trip


def test_canonical_dict_makes_every_distribution_and_default_explicit():
    d = config_to_dict(parse_config(one({"distribution": "q_normal"}, metric={"name": "loss"})))
    assert d["parameters"]["p"] == {"distribution": "q_normal", "mu": 0.0, "sigma": 1.0, "q": 1}
    assert d["metric"] == {"name": "loss", "goal": "minimize"}
    assert d["command"] == list(DEFAULT_COMMAND)
    assert d["retry"] == {"max_attempts": 1}
    nested = config_to_dict(parse_config(NESTED))["parameters"]["optimizer"]
    assert nested["distribution"] == "nested"
    assert nested["parameters"]["lr"] == {"distribution": "uniform", "min": 0.001, "max": 0.1}


def test_spec_yaml_round_trips_through_json():
    cfg = parse_config(SPEC_YAML)
    assert parse_config(json.loads(json.dumps(config_to_dict(cfg)))) == cfg
    assert parse_config(config_to_dict(cfg)) == cfg


@pytest.mark.parametrize("name", sorted(SPEC_TABLE))
def test_every_distribution_round_trips(name):
    cfg = parse_config(one(SPEC_TABLE[name]))
    assert parse_config(json.loads(json.dumps(config_to_dict(cfg)))) == cfg


names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)
floats = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | floats | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)


@st.composite
def bounds(draw, kind=float, positive=False):
    if kind is int:
        lo = draw(st.integers(-100, 100))
        return lo, lo + draw(st.integers(1, 100))
    lo = draw(st.floats(1e-6, 1e3) if positive else st.floats(-50, 50))
    return lo, lo + draw(st.floats(1e-3, 50))


@st.composite
def leaf_specs(draw):
    dist = draw(st.sampled_from([d for d in SPEC_TABLE if d != "nested"]))
    raw: dict = {"distribution": dist}
    if dist == "constant":
        raw["value"] = draw(json_values)
    elif dist.startswith("categorical"):
        raw["values"] = draw(st.lists(json_values, min_size=1, max_size=4))
        if dist == "categorical_w_probabilities":
            size = len(raw["values"])
            weights = draw(st.lists(st.integers(1, 5), min_size=size, max_size=size))
            raw["probabilities"] = [w / sum(weights) for w in weights]
    elif dist in ("normal", "q_normal", "log_normal", "q_log_normal"):
        raw["mu"], raw["sigma"] = draw(floats), draw(st.floats(1e-3, 1e3))
    elif dist in ("beta", "q_beta"):
        raw["a"], raw["b"] = draw(st.floats(1e-2, 50)), draw(st.floats(1e-2, 50))
    else:
        kind = int if dist == "int_uniform" else float
        raw["min"], raw["max"] = draw(bounds(kind, positive=dist.endswith("_values")))
    if dist.startswith("q_") and draw(st.booleans()):
        raw["q"] = draw(st.integers(1, 10) | st.floats(1e-3, 10))
    if draw(st.booleans()) and dist in ("categorical", "constant", "int_uniform", "uniform"):
        del raw["distribution"]  # let the parser infer it
    return raw


specs = st.recursive(
    leaf_specs(),
    lambda inner: st.dictionaries(names, inner, min_size=1, max_size=3).map(
        lambda p: {"parameters": p}
    ),
    max_leaves=6,
)


@st.composite
def configs(draw):
    source = {
        "method": draw(st.sampled_from(["random", "bayes"])),
        "parameters": draw(st.dictionaries(names, specs, min_size=1, max_size=4)),
        "metric": {"name": draw(names), "goal": draw(st.sampled_from(["minimize", "maximize"]))},
        "retry": {"max_attempts": draw(st.integers(1, 5))},
    }
    if draw(st.booleans()):
        source["metric"]["target"] = draw(floats)
    if draw(st.booleans()):
        source["early_terminate"] = draw(
            st.sampled_from(
                [
                    {"type": "hyperband", "min_iter": 3},
                    {"type": "hyperband", "max_iter": 81, "s": 3, "eta": 3, "strict": False},
                    {"type": "asha", "min_iter": 2},
                    {"type": "median"},
                ]
            )
        )
    for key in ("run_cap", "program", "name"):
        if draw(st.booleans()):
            source[key] = draw(st.integers(1, 100)) if key == "run_cap" else draw(names)
    return source


@settings(max_examples=100, deadline=None)
@given(configs())
def test_config_to_dict_round_trips(source):
    assert validate_config(source) == []
    cfg = parse_config(source)
    canonical = config_to_dict(cfg)
    assert parse_config(canonical) == cfg
    assert parse_config(json.loads(json.dumps(canonical))) == cfg
    assert parse_config(json.loads(json.dumps(canonical, sort_keys=True))) == cfg
    assert config_to_dict(parse_config(canonical)) == canonical


def test_config_dataclasses_are_frozen():
    cfg = parse_config(one({"value": 1}))
    with pytest.raises(AttributeError):
        cfg.method = "grid"  # type: ignore[misc]
    assert isinstance(cfg, SweepConfig)


KEYS = ["method", "parameters", "metric", "early_terminate", "values", "value", "min", "max",
        "q", "distribution", "type", "name", "min_iter", "max_iter", "s", "retry", "command", "x"]
junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
    max_leaves=12,
)


@settings(max_examples=80, deadline=None)
@given(junk)
def test_validation_never_crashes_on_junk(source):
    if not isinstance(source, dict):
        source = {"method": "random", "parameters": source}
    assert all(isinstance(e, FieldError) for e in validate_config(source))
