"""The multi-objective sweep page's figures and table, on hand-made frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from sweepd.config import parse_config
from sweepd.dash_ui import figures, pareto
from sweepd.dash_ui.data import ParamAxis
from sweepd.multiobjective import hypervolume, minimizing

AXES = [ParamAxis("width", "linear", integer=True)]
CONFIG = parse_config({
    "method": "grid",
    "metrics": [{"name": "acc", "goal": "maximize"},
                {"name": "params", "goal": "minimize", "threshold": 100}],
    "parameters": {"width": {"values": [8, 16, 32, 64]}},
})
OBJECTIVES = CONFIG.metrics
# run -> (acc, params, rank); r4 misses params, so it is not ranked
ROWS = [(0.50, 10.0, 0), (0.70, 20.0, 0), (0.60, 30.0, 1), (0.90, 40.0, 0), (0.80, 60.0, 1),
        (0.95, np.nan, np.nan)]


def frame(rows=ROWS) -> pd.DataFrame:
    n = len(rows)
    return pd.DataFrame({
        "run_id": [f"r{i}" for i in range(n)], "number": list(range(1, n + 1)),
        "state": ["finished"] * n, "created": [1000.0 + i for i in range(n)],
        "started": [1000.0 + i for i in range(n)], "ended": [1010.0 + i for i in range(n)],
        "duration": [10.0] * n, "last_update": [1010.0 + i for i in range(n)],
        "value": [r[0] for r in rows], "points": [2] * n, "reason": [""] * n, "note": [""] * n,
        "prior": [False] * n, "ignored": [False] * n, "version": [1] * n,
        "p:width": [8 * (i + 1) for i in range(n)],
        "objective:acc": [r[0] for r in rows], "objective:params": [r[1] for r in rows],
        "pareto_rank": [r[2] for r in rows],
    })


def by_name(figure):
    return {t["name"]: t for t in figure["data"]}


def test_two_objectives_draw_the_front_bright_the_dominated_faded_and_a_step_line():
    fig = pareto.front_figure(frame(), AXES, OBJECTIVES)
    go.Figure(fig)
    traces = by_name(fig)
    assert traces["Pareto front"]["customdata"] == ["r0", "r1", "r3"]
    assert traces["dominated"]["customdata"] == ["r2", "r4"]  # r5 is not ranked: not drawn
    assert traces["dominated"]["marker"]["color"] == pareto.DOMINATED_COLOR
    assert traces["Pareto front"]["marker"]["color"] == pareto.FRONT_COLOR
    line = traces["front"]
    # accuracy is maximised: the line starts at the most accurate front run
    assert line["x"] == [0.9, 0.7, 0.5] and line["y"] == [40.0, 20.0, 10.0]
    assert line["line"]["shape"] == "hv"


def test_hover_shows_the_runs_config_objectives_and_rank():
    fig = pareto.front_figure(frame(), AXES, OBJECTIVES)
    text = by_name(fig)["dominated"]["text"][0]
    assert "#3 r2" in text and "Pareto rank 1" in text
    assert "width = 24" in text and "acc 0.6 (maximize)" in text
    assert figures.CLICK_HINT in by_name(fig)["dominated"]["hovertemplate"]


def test_three_objectives_draw_a_scatter_matrix_with_the_front_highlighted():
    config = parse_config({"method": "random", "parameters": {"width": {"values": [8, 16]}},
                           "metrics": [{"name": "a"}, {"name": "b"}, {"name": "c"}]})
    runs = frame()[["run_id", "number", "state", "p:width"]].iloc[:3].assign(**{
        "objective:a": [1.0, 2.0, 3.0], "objective:b": [3.0, 2.0, 4.0],
        "objective:c": [1.0, 1.0, 2.0], "pareto_rank": [0.0, 0.0, 1.0]})
    fig = pareto.front_figure(runs, AXES, config.metrics)
    go.Figure(fig)
    traces = by_name(fig)
    assert [t["type"] for t in fig["data"]] == ["splom", "splom"]
    assert [d["label"] for d in traces["Pareto front"]["dimensions"]] == ["a", "b", "c"]
    assert traces["Pareto front"]["customdata"] == ["r0", "r1"]
    assert traces["dominated"]["dimensions"][2]["values"] == [2.0]


def test_no_ranked_run_says_so():
    fig = pareto.front_figure(frame([(0.5, np.nan, np.nan)]), AXES, OBJECTIVES)
    assert "every objective" in fig["layout"]["annotations"][0]["text"]


def test_hypervolume_over_time_never_falls_and_ends_at_the_whole_fronts():
    runs = frame()
    fig = pareto.hypervolume_figure(runs, OBJECTIVES, CONFIG, x="number")
    go.Figure(fig)
    line = by_name(fig)["hypervolume"]
    assert line["x"] == [1, 2, 3, 4, 5]  # r5 is not ranked
    assert np.all(np.diff(line["y"]) >= 0)
    # reference: acc's worst observed 0.5, params' threshold 100
    assert line["y"][-1] == pytest.approx((0.9 - 0.7) * (100 - 40) + (0.7 - 0.5) * (100 - 20))
    ranked = runs.iloc[:5]
    points = minimizing(ranked[["objective:acc", "objective:params"]].to_numpy(), ["maximize", "minimize"])
    assert line["y"][-1] == pytest.approx(hypervolume(points, [-0.5, 100.0]))
    assert line["y"][1] == pytest.approx((0.7 - 0.5) * (100 - 20))


def test_runs_table_sorts_by_rank_with_one_column_per_objective():
    rows = pareto.table_rows(frame(), AXES, OBJECTIVES)
    assert [r["run_id"] for r in rows] == ["r0", "r1", "r3", "r2", "r4", "r5"]
    assert [r["pareto_rank"] for r in rows] == [0, 0, 0, 1, 1, None]
    assert rows[0]["objective:params"] == 10.0 and rows[-1]["objective:params"] is None
    columns = pareto.table_columns(figures.runs_table_columns(AXES, "acc"), OBJECTIVES)
    ids = [c["id"] for c in columns]
    assert "value" not in ids
    assert ids[ids.index("pareto_rank"):ids.index("pareto_rank") + 3] == [
        "pareto_rank", "objective:acc", "objective:params"]


def test_parallel_coordinates_get_one_axis_per_objective():
    fig = pareto.parcoords_figure(frame(), AXES, OBJECTIVES)
    go.Figure(fig)
    dims = fig["data"][0]["dimensions"]
    assert [d["label"] for d in dims] == ["width", "acc", "params"]
    assert dims[2]["values"] == [10.0, 20.0, 30.0, 40.0, 60.0]
    assert fig["data"][0]["line"]["color"] == [0, 0, 1, 0, 1]


def test_single_objective_configs_have_no_objectives():
    config = parse_config({"method": "random", "metric": {"name": "loss"},
                           "parameters": {"x": {"values": [1, 2]}}})
    assert pareto.objectives_of(config) == []


@pytest.mark.parametrize("k", [3, 4])
def test_hypervolume_line_of_many_runs_is_exact_where_computed_and_never_falls(k):
    rng = np.random.default_rng(k)
    points = rng.random((pareto.HV_STEPS * 2 + 3, k))
    series = pareto.hypervolume_series(points, [None] * k)
    reference = points.max(axis=0)
    assert np.all(np.diff(series) >= 0)
    assert series[-1] == pytest.approx(hypervolume(points, reference))
    for i in (len(points) // 3, len(points) // 2):  # held values: never above the truth
        assert series[i] <= hypervolume(points[:i + 1], reference) + 1e-12
