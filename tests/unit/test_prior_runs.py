"""Prior runs: reading CSV / JSON-lines sources (sweepd.prior) and the controller's
rule for which prior runs fit a sweep's space (controller/prior_runs.py)."""

from __future__ import annotations

import json
import math

import pytest

from sweepd.config import parse_config
from sweepd.controller.prior_runs import fit_priors, value_problem
from sweepd.domain import InvalidArgument, PriorRun
from sweepd.prior import load_prior_runs, parse_cell

CONFIG = parse_config({
    "method": "bayes",
    "metric": {"name": "val/loss", "goal": "minimize"},
    "parameters": {
        "lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 0.1},
        "wd": {"distribution": "log_uniform", "min": -9, "max": -2},
        "layers": {"min": 1, "max": 4},
        "opt": {"parameters": {"name": {"values": ["adam", "sgd"]},
                               "beta": {"min": 0.8, "max": 0.99}}},
        "seed": {"value": 1},
    },
})


def test_cells_are_typed_like_a_spreadsheet_would_mean_them():
    assert [parse_cell(c) for c in ("3", "-2", "0.5", "1e-3", "nan", "true", "False", " adam ",
                                    "[1, 2]", '{"a": 1}', "{not json")] == \
        [3, -2, 0.5, 1e-3, pytest.approx(math.nan, nan_ok=True), True, False, "adam", [1, 2],
         {"a": 1}, "{not json"]


def test_a_wandb_csv_export_maps_parameters_summary_and_names(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "Name,State,Notes,User,Tags,Created,Runtime,Sweep,lr,wd,layers,opt.name,config.opt.beta,"
        "val/loss,summary.lr,epoch\n"
        "run-a,finished,,me,,2024-01-01,30,abc,0.01,0.001,2,adam,0.9,0.25,0.5,10\n"
        ",,,,,,,,,,,,,,,\n"
        ",crashed,,,,,,,0.02,0.001,3,sgd,0.95,,,\n", encoding="utf-8")
    priors = load_prior_runs(str(path), CONFIG)
    assert len(priors) == 2  # the blank row is skipped
    a, b = priors
    assert a.origin == "export.csv row 2 (run-a)" and b.origin == "export.csv row 4"
    assert a.config == {"lr": 0.01, "wd": 0.001, "layers": 2, "opt.name": "adam", "opt.beta": 0.9}
    assert a.summary == {"val/loss": 0.25, "lr": 0.5, "epoch": 10}  # W&B's run columns are left out
    kept, warnings = fit_priors(CONFIG, priors)
    assert len(kept) == 1 and kept[0].config == {
        "lr": 0.01, "wd": 0.001, "layers": 2, "opt": {"name": "adam", "beta": 0.9}, "seed": 1}
    assert kept[0].value == 0.25 and kept[0].note == "prior: export.csv row 2 (run-a)"
    assert warnings == ["prior run export.csv row 4 left out: summary.val/loss: missing "
                        "(the sweep's metric)"]


def test_json_lines_and_arrays_and_their_errors(tmp_path):
    good = {"name": "x", "config": {"lr": 0.01}, "summary": {"val/loss": 1.0}}
    lines = tmp_path / "runs.jsonl"
    lines.write_text(json.dumps(good) + "\n\n" + json.dumps(good) + "\n")
    assert [p.origin for p in load_prior_runs(str(lines), CONFIG)] == \
        ["runs.jsonl line 1 (x)", "runs.jsonl line 3 (x)"]
    array = tmp_path / "runs.json"
    array.write_text(json.dumps([good]))
    assert load_prior_runs(str(array), CONFIG)[0].config == {"lr": 0.01}
    lines.write_text(json.dumps(good) + "\n{oops\n")
    with pytest.raises(InvalidArgument, match="runs.jsonl line 2: not JSON"):
        load_prior_runs(str(lines), CONFIG)
    lines.write_text(json.dumps({"config": 3, "summary": {}}) + "\n")
    with pytest.raises(InvalidArgument, match="line 1: needs a `config` object"):
        load_prior_runs(str(lines), CONFIG)
    with pytest.raises(InvalidArgument, match="neither a file nor a sweep id"):
        load_prior_runs(str(tmp_path / "missing.csv"), CONFIG)


@pytest.mark.parametrize("name,value,problem", [
    ("lr", 0.2, "outside"), ("lr", 1e-4, None), ("lr", 0.1, None), ("lr", "0.01", "not a finite"),
    ("lr", math.inf, "not a finite"), ("lr", True, "not a finite"), ("lr", -1.0, "not positive"),
    ("wd", math.exp(-9), None), ("wd", 0.5, "outside"),
    ("layers", 2.0, None), ("layers", 2.5, "not an integer"), ("layers", 5, "outside"),
    ("opt.name", "adam", None), ("opt.name", "rmsprop", "not one of"),
    ("seed", 1, None), ("seed", 2, "not the constant"),
])
def test_value_problem_follows_each_distribution(name, value, problem):
    from sweepd.config import flat_parameters

    found = value_problem(flat_parameters(CONFIG)[name], value)
    assert (found is None) if problem is None else (problem in found), found


def test_fit_names_the_field_and_counts_warnings_past_the_limit():
    from sweepd.controller.limits import MAX_PRIOR_RUNS, MAX_PRIOR_WARNINGS

    ok = {"lr": 0.01, "wd": 0.001, "layers": 2, "opt": {"name": "sgd", "beta": 0.9}}
    kept, warnings = fit_priors(CONFIG, [
        PriorRun(ok, {"val/loss": 1, "extra": math.nan}),
        PriorRun({**ok, "layers": 9}, {"val/loss": 1}),
        PriorRun({**ok, "opt": {"name": "sgd"}}, {"val/loss": 1}),
        PriorRun(ok, {"val/loss": "low"}, "named"),
        PriorRun(ok, {"val/loss": 1, "": 2}),
    ])
    assert len(kept) == 1 and kept[0].summary == {"val/loss": 1, "extra": None}
    assert warnings == [
        "prior run prior_runs[1] left out: config.layers: 9 is outside [1, 4]",
        "prior run prior_runs[2] left out: config.opt.beta: missing",
        "prior run named left out: summary.val/loss: 'low' is not a finite number",
        "prior run prior_runs[4] left out: summary: key '' must be 1 to 256 characters",
    ]
    many = [PriorRun({}, {"val/loss": 1})] * (MAX_PRIOR_WARNINGS + 5)
    assert fit_priors(CONFIG, many)[1][-1] == "... and 5 more prior runs left out"
    with pytest.raises(InvalidArgument, match="prior_runs"):
        fit_priors(CONFIG, [PriorRun(ok, {})] * (MAX_PRIOR_RUNS + 1))


def test_fit_keeps_only_active_parameters_and_checks_constraints():
    config = parse_config({
        "method": "bayes", "metric": {"name": "loss", "goal": "minimize"},
        "parameters": {
            "optimizer": {"values": ["sgd", "adam"]},
            "momentum": {"min": 0.5, "max": 0.99, "when": {"optimizer": "sgd"}},
            "lr": {"min": 0.0001, "max": 0.1},
        },
        "constraints": ["lr < 0.05 or optimizer == 'adam'"],
    })
    priors = [
        PriorRun({"optimizer": "adam", "lr": 0.08}, {"loss": 1.0}, "adam, no momentum"),
        PriorRun({"optimizer": "adam", "lr": 0.01, "momentum": 0.9}, {"loss": 1.0}, "adam, stray momentum"),
        PriorRun({"optimizer": "sgd", "lr": 0.01}, {"loss": 1.0}, "sgd, no momentum"),
        PriorRun({"optimizer": "sgd", "lr": 0.08, "momentum": 0.9}, {"loss": 1.0}, "sgd, infeasible"),
        PriorRun({"optimizer": "sgd", "lr": 0.01, "momentum": 0.9}, {"loss": 1.0}, "sgd, whole"),
    ]
    kept, warnings = fit_priors(config, priors)
    assert [k.config for k in kept] == [
        {"optimizer": "adam", "lr": 0.08},
        {"optimizer": "adam", "lr": 0.01},
        {"optimizer": "sgd", "momentum": 0.9, "lr": 0.01},
    ]
    assert warnings == [
        "prior run sgd, no momentum left out: config.momentum: missing",
        "prior run sgd, infeasible left out: constraints[0]: lr < 0.05 or optimizer == 'adam' does not hold",
    ]


def test_runs_ignored_in_an_export_are_not_read_back_as_prior_runs(tmp_path):
    from sweepd.domain import Run, RunState
    from sweepd.export import to_csv

    def run(number, lr, ignored):
        return Run(id=f"r{number}", sweep_id="s", state=RunState.FINISHED, number=number,
                   config={"lr": lr}, summary={"val/loss": lr}, ignored=ignored)

    runs = [run(1, 0.01, False), run(2, 0.02, True), run(3, 0.03, False)]
    csv_path = tmp_path / "runs.csv"
    csv_path.write_text(to_csv(runs, CONFIG), encoding="utf-8")
    json_path = tmp_path / "runs.json"  # as `sweepd runs SWEEP_ID --json` writes it
    json_path.write_text(json.dumps([{"id": r.id, "config": r.config, "summary": r.summary,
                                      "ignored": r.ignored} for r in runs]), encoding="utf-8")
    for path in (csv_path, json_path):
        assert [p.config["lr"] for p in load_prior_runs(str(path), CONFIG)] == [0.01, 0.03]
