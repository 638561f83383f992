"""Expanding `command` macros into a run's argv."""

from __future__ import annotations

import json
import os

import pytest

from sweepd.command import build_command, format_value
from sweepd.config import parse_config

PY = "/opt/python3"


def config(command=None, **parameters):
    parameters = parameters or {"x": {"value": 1}}
    source = {"method": "random", "program": "train.py", "parameters": parameters}
    if command is not None:
        source["command"] = command
    return parse_config(source)


def build(cfg, run_config, *, env=None, json_file_dir="/nonexistent"):
    return build_command(cfg, run_config, interpreter=PY, env=env or {}, json_file_dir=json_file_dir)


def test_default_command():
    cfg = config(lr={"min": 0.0, "max": 1.0}, bs={"values": [16, 32]})
    argv = build(cfg, {"lr": 0.001, "bs": 32})
    assert argv == ["/usr/bin/env", PY, "train.py", "--lr=0.001", "--bs=32"]


def test_args_follow_the_config_order_of_parameters():
    cfg = config(b={"value": 1}, a={"value": 2})
    assert build(cfg, {"a": 2, "b": 1})[3:] == ["--b=1", "--a=2"]


@pytest.mark.parametrize(
    "value, text",
    [
        ("adam", "adam"),
        (True, "True"),
        (False, "False"),
        (None, "None"),
        (3, "3"),
        (0.0001, "0.0001"),
        (1e-05, "1e-05"),
        ([1, 2], "[1, 2]"),
        ({"a": "b"}, '{"a": "b"}'),
    ],
)
def test_value_formatting(value, text):
    assert format_value(value) == text
    cfg = config(["${args}"], p={"values": [value]})
    assert build(cfg, {"p": value}) == [f"--p={text}"]


def test_args_no_hyphens():
    cfg = config(["${program}", "${args_no_hyphens}"], a={"value": 1}, b={"value": "x y"})
    assert build(cfg, {"a": 1, "b": "x y"}) == ["train.py", "a=1", "b=x y"]


def test_args_no_boolean_flags():
    cfg = config(
        ["${args_no_boolean_flags}"],
        amp={"values": [True, False]},
        ema={"values": [True, False]},
        lr={"value": 0.1},
    )
    assert build(cfg, {"amp": True, "ema": False, "lr": 0.1}) == ["--amp", "--lr=0.1"]


def test_nested_parameters_use_dotted_names_and_dict_values_stay_whole():
    cfg = config(
        opt={"parameters": {"lr": {"value": 0.1}, "betas": {"values": [{"b1": 0.9}]}}},
        seed={"value": 0},
    )
    argv = build(cfg, {"opt": {"lr": 0.1, "betas": {"b1": 0.9}}, "seed": 0})
    assert argv[3:] == ["--opt.lr=0.1", '--opt.betas={"b1": 0.9}', "--seed=0"]


def test_args_json_is_one_argument():
    opt = {"parameters": {"lr": {"value": 0.1}}}
    cfg = config(["${interpreter}", "${program}", "${args_json}"], opt=opt)
    run = {"opt": {"lr": 0.1}}
    argv = build(cfg, run)
    assert len(argv) == 3 and json.loads(argv[2]) == run


def test_args_json_file_writes_the_config_once(tmp_path):
    cfg = config(["${program}", "--config=${args_json_file}", "${args_json_file}"], a={"value": 1})
    argv = build(cfg, {"a": 1}, json_file_dir=str(tmp_path / "runs"))
    path = argv[2]
    assert argv[1] == f"--config={path}"
    assert os.path.dirname(path) == str(tmp_path / "runs")
    with open(path) as f:
        assert json.load(f) == {"a": 1}


def test_envvar_macro():
    cfg = config(["${envvar:LAUNCHER}", "--data=${envvar:DATA_DIR}", "${program}"])
    argv = build(cfg, {"x": 1}, env={"LAUNCHER": "torchrun", "DATA_DIR": "/d"})
    assert argv == ["torchrun", "--data=/d", "train.py"]


def test_unset_envvar_is_an_error_naming_it():
    cfg = config(["${envvar:MISSING_VAR}"])
    with pytest.raises(ValueError, match="MISSING_VAR"):
        build(cfg, {"x": 1})


def test_list_macro_that_expands_to_nothing_inserts_nothing():
    cfg = config(["${program}", "${args_no_boolean_flags}", "--end"], f={"values": [False]})
    assert build(cfg, {"f": False}) == ["train.py", "--end"]


def test_dollar_text_that_is_not_a_macro_is_literal():
    cfg = config(["echo", "$HOME", "cost=$5"])
    assert build(cfg, {"x": 1}) == ["echo", "$HOME", "cost=$5"]


@pytest.mark.parametrize(
    "value",
    [
        "x; rm -rf /",
        "--other=1",
        "a b c",
        "$(touch /tmp/pwned)",
        "`id`",
        "'\"",
        "x\ny",
        "${program}",
        "",
    ],
)
def test_a_hostile_value_stays_one_argument(value):
    cfg = config(
        ["${env}", "${interpreter}", "${program}", "${args}", "${args_no_hyphens}", "${args_json}"],
        p={"values": [value, "safe"]},
    )
    argv = build(cfg, {"p": value})
    expected = ["/usr/bin/env", PY, "train.py", f"--p={value}", f"p={value}", json.dumps({"p": value})]
    assert argv == expected


def test_unknown_macro_is_a_value_error_naming_it():
    # a config built without validation, e.g. by hand
    cfg = config()
    bad = type(cfg)(**{**cfg.__dict__, "command": ("${interpreter}", "${bogus}")})
    with pytest.raises(ValueError, match=r"\$\{bogus\}"):
        build(bad, {"x": 1})


def test_program_macro_without_a_program_is_a_value_error():
    cfg = parse_config({"method": "random", "parameters": {"x": {"value": 1}}})
    with pytest.raises(ValueError, match="program"):
        build(cfg, {"x": 1})


def test_unknown_macro_in_config_is_a_config_error_at_its_index():
    from sweepd.config import validate_config

    command = ["${env}", "${interpreter}", "${prog}"]
    errors = validate_config(
        {"method": "random", "parameters": {"x": {"value": 1}}, "command": command}
    )
    assert [e.path for e in errors] == ["command[2]"]
    assert "${prog}" in errors[0].message
