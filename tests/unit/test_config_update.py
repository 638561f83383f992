"""UpdateSweep's pure parts: the mask merge, what changes are refused, a grid's
claims re-keyed, and which earlier runs search sees."""

from __future__ import annotations

from sweepd.config import config_to_dict, parse_config
from sweepd.controller.config_update import compare, merge
from sweepd.controller.search.grid import grid_index, grid_point, grid_size
from sweepd.controller.search.history import fits, runs_in_space
from sweepd.controller.sweep_update import rekey_claims
from sweepd.domain import Run, RunState

BASE = {
    "method": "bayes",
    "metric": {"name": "loss"},
    "run_cap": 5,
    "parameters": {
        "lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 1e-1},
        "act": {"values": ["relu", "tanh"]},
        "opt": {"parameters": {"momentum": {"min": 0.5, "max": 0.9}}},
    },
}


def with_params(**params):
    return {**BASE, "parameters": {**BASE["parameters"], **params}}


def test_a_masked_field_is_taken_from_the_request_and_the_rest_kept():
    old = config_to_dict(parse_config(BASE))
    merged, bad = merge(old, {"run_cap": 9, "method": "grid"}, ["run_cap"])
    assert not bad and merged["run_cap"] == 9 and merged["method"] == "bayes"


def test_a_masked_field_absent_from_the_request_is_cleared():
    merged, _ = merge(config_to_dict(parse_config(BASE)), {}, ["run_cap"])
    assert "run_cap" not in merged


def test_a_nested_parameter_path_reaches_the_leaf():
    new = with_params(opt={"parameters": {"momentum": {"min": 0.1, "max": 0.9}}})
    merged, bad = merge(config_to_dict(parse_config(BASE)), new, ["parameters.opt.momentum"])
    assert not bad and merged["parameters"]["opt"]["parameters"]["momentum"]["min"] == 0.1


def test_star_keeps_names_the_request_leaves_empty():
    old = config_to_dict(parse_config({**BASE, "name": "n", "project": "p"}))
    merged, _ = merge(old, {**BASE, "name": "", "run_cap": 7}, [])
    assert merged["name"] == "n" and merged["project"] == "p" and merged["run_cap"] == 7


def test_unknown_mask_paths_are_listed():
    _, bad = merge(config_to_dict(parse_config(BASE)), BASE, ["runcap", "parameters.nope"])
    assert [e.path for e in bad] == ["update_mask.runcap", "update_mask.parameters.nope"]


def test_allowed_changes_are_listed_and_nothing_is_refused():
    new = with_params(act={"values": ["relu", "tanh", "gelu"]},
                      lr={"distribution": "log_uniform_values", "min": 1e-5, "max": 1e-2},
                      wd={"values": [0, 1], "default": 0})
    changed, refused = compare(parse_config(BASE), parse_config({**new, "run_cap": 3}))
    assert not refused
    assert changed == ["run_cap", "parameters.lr.min", "parameters.lr.max",
                       "parameters.act.values", "parameters.wd"]


def test_every_refused_change_is_named_at_once():
    new = {**BASE, "method": "random", "metric": {"name": "acc", "goal": "maximize"},
           "program": "x.py", "retry": {"max_attempts": 2},
           "parameters": {"lr": {"min": 0.0, "max": 1.0}, "act": {"values": ["gelu", "relu"]},
                          "new": {"values": [1]}}}
    _, refused = compare(parse_config(BASE), parse_config(new))
    assert {e.path for e in refused} == {
        "method", "metric.name", "metric.goal", "program", "retry",
        "parameters.lr.distribution", "parameters.act.values", "parameters.opt.momentum",
        "parameters.new.default"}


def test_a_changed_constant_is_refused():
    old = with_params(seed={"value": 1})
    _, refused = compare(parse_config(old), parse_config(with_params(seed={"value": 2})))
    assert [e.path for e in refused] == ["parameters.seed.value"]


def test_grid_index_inverts_grid_point():
    cfg = parse_config({"method": "grid", "parameters": {
        "a": {"values": ["x", "y", "z"]}, "b": {"min": 1, "max": 4},
        "c": {"distribution": "q_uniform", "min": 0.0, "max": 1.0, "q": 0.25}}})
    for i in range(grid_size(cfg)):
        flat = grid_point(cfg, i)
        assert grid_index(cfg, flat) == i
    assert grid_index(cfg, {"a": "w", "b": 1, "c": 0.0}) is None
    assert grid_index(cfg, {"a": "x", "b": 9, "c": 0.0}) is None


def test_claims_keep_their_points_when_a_grid_gains_values_and_a_parameter():
    old = parse_config({"method": "grid", "parameters": {"a": {"values": [1, 2]}, "b": {"values": [10, 20]}}})
    new = parse_config({"method": "grid", "parameters": {
        "a": {"values": [1, 2, 3]}, "b": {"values": [10, 20]}, "c": {"values": ["p", "q"], "default": "q"}}})
    claims = {str(i): f"run{i}" for i in range(grid_size(old))}
    rekeyed = rekey_claims(old, new, claims, version=1)
    assert sorted(rekeyed.values()) == sorted(claims.values())
    for key, run_id in rekeyed.items():
        point = grid_point(new, int(key))
        before = grid_point(old, int(run_id[3:]))
        assert point == {**before, "c": "q"}


def test_a_claimed_point_the_narrowed_grid_lacks_keeps_a_key_no_index_equals():
    old = parse_config({"method": "grid", "parameters": {"a": {"min": 1, "max": 3}}})
    new = parse_config({"method": "grid", "parameters": {"a": {"min": 2, "max": 3}}})
    assert rekey_claims(old, new, {"0": "r1", "2": "r3"}, version=4) == {"v4:0": "r1", "1": "r3"}


def run(config, number=1):
    return Run(id=f"r{number}", sweep_id="s", state=RunState.FINISHED, config=config, number=number)


def test_runs_outside_a_narrowed_range_are_left_out_and_added_parameters_take_their_default():
    cfg = parse_config(with_params(lr={"distribution": "log_uniform_values", "min": 1e-3, "max": 1e-2},
                                   wd={"values": [0.0, 0.1], "default": 0.0}))
    inside = run({"lr": 5e-3, "act": "relu", "opt": {"momentum": 0.7}}, 1)
    outside = run({"lr": 5e-2, "act": "relu", "opt": {"momentum": 0.7}}, 2)
    removed_value = run({"lr": 5e-3, "act": "sigmoid", "opt": {"momentum": 0.7}}, 3)
    kept = runs_in_space(cfg, [inside, outside, removed_value])
    assert [r.id for r in kept] == ["r1"]
    assert kept[0].config == {"lr": 5e-3, "act": "relu", "opt": {"momentum": 0.7}, "wd": 0.0}


def test_a_run_missing_a_parameter_without_default_is_left_out():
    cfg = parse_config(BASE)
    assert runs_in_space(cfg, [run({"lr": 1e-3, "act": "relu"})]) == []


def test_fits_each_family():
    spec = parse_config(with_params(
        q={"distribution": "q_uniform", "min": 0.0, "max": 1.0, "q": 0.3},
        n={"distribution": "log_normal", "mu": 0.0, "sigma": 1.0},
        i={"min": 1, "max": 3})).parameters
    assert fits(spec["q"], 1.1) and not fits(spec["q"], 1.2)
    assert fits(spec["n"], 3.0) and not fits(spec["n"], -1.0)
    assert fits(spec["i"], 3) and not fits(spec["i"], 4)
    assert fits(spec["act"], "relu") and not fits(spec["act"], 1)
    assert fits(spec["lr"], 1e-4) and not fits(spec["lr"], 0.2) and not fits(spec["lr"], True)


def test_default_is_parsed_kept_through_the_proto_and_refused_on_a_nested_parameter():
    from sweepd import convert
    from sweepd.config import validate_config

    cfg = parse_config(with_params(wd={"values": [0.0, 0.1], "default": 0.0}))
    assert cfg.parameters["wd"].default == 0.0
    back = parse_config(convert.config_dict_from_proto(convert.config_to_proto(cfg)))
    assert back == cfg
    errors = validate_config(with_params(opt={"parameters": {"m": {"values": [1]}}, "default": 1}))
    assert [e.path for e in errors] == ["parameters.opt.default"]


def test_runs_of_the_current_version_are_passed_on_unchecked():
    cfg = parse_config(BASE)
    current = run({"lr": 1e-3, "act": "relu"}, 1)  # lacks opt: checked, it would be left out
    current.config_version = 2
    assert runs_in_space(cfg, [current], version=2) == [current]
    assert runs_in_space(cfg, [current], version=1) == []


COND = {
    "method": "grid",
    "parameters": {
        "optimizer": {"values": ["sgd", "adam"]},
        "momentum": {"values": [0.8, 0.9], "when": {"optimizer": "sgd"}},
        "lr": {"values": [0.01, 0.1]},
    },
}


def test_a_run_lacking_a_parameter_its_condition_leaves_inactive_still_fits():
    cfg = parse_config({**COND, "method": "bayes", "metric": {"name": "loss"}})
    adam = run({"optimizer": "adam", "lr": 0.1}, 1)
    sgd_without_momentum = run({"optimizer": "sgd", "lr": 0.1}, 2)
    assert [r.id for r in runs_in_space(cfg, [adam, sgd_without_momentum])] == ["r1"]


def test_a_run_that_breaks_a_constraint_of_the_new_space_is_left_out():
    cfg = parse_config({**COND, "method": "bayes", "metric": {"name": "loss"},
                        "constraints": ["lr < 0.05 or optimizer == 'adam'"]})
    kept = runs_in_space(cfg, [run({"optimizer": "sgd", "momentum": 0.8, "lr": 0.1}, 1),
                               run({"optimizer": "sgd", "momentum": 0.8, "lr": 0.01}, 2)])
    assert [r.id for r in kept] == ["r2"]


def test_claims_of_a_conditional_grid_keep_their_points_when_it_gains_values():
    old = parse_config(COND)
    new = parse_config({**COND, "parameters": {**COND["parameters"],
                                               "lr": {"values": [0.01, 0.1, 1.0]}}})
    from sweepd.controller.search.grid import grid_search
    import numpy as np

    claimed = [s.claim_key for s in grid_search(old, [], 100, np.random.default_rng(0)).suggestions]
    claims = {key: f"run{key}" for key in claimed}
    rekeyed = rekey_claims(old, new, claims, version=1)
    assert all(key.isdigit() for key in rekeyed)
    for key, run_id in rekeyed.items():
        assert grid_point(new, int(key)) == grid_point(old, int(run_id[3:]))
    taken = [Run(id=r, sweep_id="s", state=RunState.FINISHED, config={}, claim_key=k)
             for k, r in rekeyed.items()]
    fresh = grid_search(new, taken, 100, np.random.default_rng(0)).suggestions
    assert sorted(s.config["lr"] for s in fresh) == [1.0] * 3


def test_a_changed_condition_is_refused():
    moved = {"values": [0.8, 0.9], "when": {"optimizer": "adam"}}
    new = {**COND, "parameters": {**COND["parameters"], "momentum": moved}}
    changed, refused = compare(parse_config(COND), parse_config(new))
    assert "parameters.momentum.when" in changed
    assert [e.path for e in refused] == ["parameters.momentum.when"]


def test_constraints_are_an_editable_mask_path_and_a_listed_change():
    old = config_to_dict(parse_config(COND))
    merged, bad = merge(old, {"constraints": ["lr < 0.05"]}, ["constraints"])
    assert not bad and merged["constraints"] == ["lr < 0.05"]
    changed, refused = compare(parse_config(COND), parse_config(merged))
    assert changed == ["constraints"] and not refused


def test_a_conditional_parameter_added_with_a_default_is_allowed():
    new = {**COND, "parameters": {**COND["parameters"],
                                  "beta2": {"values": [0.99, 0.999], "default": 0.999,
                                            "when": {"optimizer": "adam"}}}}
    changed, refused = compare(parse_config(COND), parse_config(new))
    assert changed == ["parameters.beta2"] and not refused


def test_a_conditional_parameter_added_to_a_grid_runs_only_its_other_values():
    import numpy as np

    from sweepd.controller.search.grid import grid_search

    old = parse_config(COND)
    new = parse_config({**COND, "parameters": {**COND["parameters"], "beta2": {
        "values": [0.99, 0.999], "default": 0.999, "when": {"optimizer": "adam"}}}})
    claimed = grid_search(old, [], 100, np.random.default_rng(0)).suggestions
    rekeyed = rekey_claims(old, new, {s.claim_key: f"run{s.claim_key}" for s in claimed}, version=1)
    assert all(key.isdigit() for key in rekeyed)
    taken = [Run(id=r, sweep_id="s", state=RunState.FINISHED, config={}, claim_key=k)
             for k, r in rekeyed.items()]
    fresh = grid_search(new, taken, 100, np.random.default_rng(0)).suggestions
    assert sorted((s.config["optimizer"], s.config["beta2"], s.config["lr"]) for s in fresh) == [
        ("adam", 0.99, 0.01), ("adam", 0.99, 0.1)]


def test_a_retried_or_requeued_run_of_the_current_version_is_checked_all_the_same():
    from sweepd.controller.search.history import REQUEUED_NOTE

    narrowed = {"distribution": "log_uniform_values", "min": 1e-3, "max": 1e-2}
    cfg = parse_config(with_params(lr=narrowed))
    config = {"lr": 5e-2, "act": "relu", "opt": {"momentum": 0.7}}  # outside the narrowed lr
    retried = run(config, 1)
    retried.attempt, retried.config_version = 2, 2
    requeued = run(config, 2)
    requeued.note, requeued.config_version = REQUEUED_NOTE + "r1", 2
    assert runs_in_space(cfg, [retried, requeued], version=2) == []
