"""sweepd's `metrics` (multi-objective sweeps) in the sweep config (docs/sweep-config.md)."""

from __future__ import annotations

import pytest

from sweepd.config import (
    ObjectiveSpec,
    config_to_dict,
    parse_config,
    validate_config,
)

TWO = [{"name": "acc", "goal": "maximize"}, {"name": "latency_ms", "threshold": 50}]


def cfg(method: str = "bayes", **top) -> dict:
    return {"method": method, "parameters": {"lr": {"min": 0.0, "max": 1.0}}, **top}


def errors(source) -> list[tuple[str, str]]:
    return [(e.path, e.message) for e in validate_config(source)]


def test_two_objectives_parse_with_goal_and_threshold_defaults():
    parsed = parse_config(cfg(metrics=TWO))
    assert parsed.metrics == (
        ObjectiveSpec("acc", "maximize", None),
        ObjectiveSpec("latency_ms", "minimize", 50.0),
    )
    assert parsed.multi_objective
    assert parsed.metric.name is None  # W&B's metric stays unset


@pytest.mark.parametrize("n", [2, 3, 4])
def test_two_to_four_objectives_are_accepted(n):
    metrics = [{"name": f"m{i}"} for i in range(n)]
    assert len(parse_config(cfg(metrics=metrics)).metrics) == n


@pytest.mark.parametrize(
    "metrics, path, words",
    [
        ([{"name": "a"}], "metrics", "not 1 (for one objective, use metric)"),
        ([{"name": f"m{i}"} for i in range(5)], "metrics", "2 to 4 objectives, not 5"),
        ([], "metrics", "not 0"),
        ("acc", "metrics", "must be a list"),
        ({"name": "acc"}, "metrics", "must be a list"),
        ([{"name": "a"}, "b"], "metrics[1]", "must be a mapping"),
        ([{"name": "a"}, {"goal": "maximize"}], "metrics[1].name", "required"),
        ([{"name": "a"}, {"name": ""}], "metrics[1].name", "non-empty string"),
        ([{"name": "a"}, {"name": "b", "goal": "max"}], "metrics[1].goal", "minimize or maximize"),
        ([{"name": "a"}, {"name": "b", "threshold": "x"}], "metrics[1].threshold", "number"),
        ([{"name": "a"}, {"name": "b", "threshold": float("inf")}], "metrics[1].threshold",
         "finite"),
        ([{"name": "a"}, {"name": "b", "target": 1}], "metrics[1].target", "unknown key"),
        ([{"name": "a"}, {"name": "a"}], "metrics[1].name", "is already metrics[0]"),
    ],
)
def test_bad_metrics_name_their_path(metrics, path, words):
    found = errors(cfg(metrics=metrics))
    assert [p for p, _ in found] == [path]
    assert words in found[0][1]


def test_metric_and_metrics_together_is_an_error_naming_metrics():
    found = errors(cfg(metric={"name": "loss"}, metrics=TWO))
    assert found == [("metrics", found[0][1])]
    assert "cannot be given together with metric" in found[0][1]


def test_every_mistake_is_listed_at_once():
    bad = [{"name": "a", "goal": "up"}, {"name": "a", "threshold": "far"}]
    assert sorted(p for p, _ in errors(cfg(metric={"name": "l"}, metrics=bad))) == [
        "metrics", "metrics[0].goal", "metrics[1].name", "metrics[1].threshold"]


def test_metrics_stand_for_metric_where_bayes_and_early_terminate_need_one():
    source = cfg(metrics=TWO, early_terminate={"type": "asha"})
    assert errors(source) == []
    assert [p for p, _ in errors(cfg(early_terminate={"type": "asha"}))] == ["metric.name"] * 2


@pytest.mark.parametrize("method", ["grid", "random"])
def test_grid_and_random_take_metrics_and_need_nothing_else(method):
    source = {"method": method, "metrics": TWO, "parameters": {"k": {"values": [1, 2]}}}
    assert parse_config(source).metrics[0].name == "acc"


def test_canonical_dict_has_metrics_and_no_metric_and_round_trips():
    parsed = parse_config(cfg(metrics=TWO))
    canonical = config_to_dict(parsed)
    assert "metric" not in canonical
    assert canonical["metrics"] == [
        {"name": "acc", "goal": "maximize"},
        {"name": "latency_ms", "goal": "minimize", "threshold": 50.0},
    ]
    assert parse_config(canonical) == parsed


def test_single_objective_configs_are_unchanged():
    parsed = parse_config(cfg(metric={"name": "loss", "goal": "minimize"}))
    assert parsed.metrics == () and not parsed.multi_objective
    assert "metrics" not in config_to_dict(parsed)
