"""Figure, table and analysis functions of the dashboard, on hand-made frames."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from sweepd.dash_ui import figures
from sweepd.dash_ui.analysis import (
    apply_restyle, feature_importance, normalize_ranges, parameter_importance, running_best,
    selected_mask,
)
from sweepd.dash_ui.data import ParamAxis, downsample, points_per_run

AXES = [ParamAxis("lr", "log"), ParamAxis("opt", "categorical", ("adam", "sgd", "rmsprop")),
        ParamAxis("layers", "linear", integer=True)]


def runs_frame(values, states=None, lr=None, opt=None, layers=None) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame({
        "run_id": [f"r{i}" for i in range(n)], "number": list(range(1, n + 1)),
        "state": states or ["finished"] * n,
        "created": [1000.0 + i for i in range(n)], "started": [1000.0 + i for i in range(n)],
        "ended": [1010.0 + i for i in range(n)], "duration": [10.0] * n,
        "last_update": [1010.0 + i for i in range(n)], "value": [float(v) for v in values],
        "points": [5] * n, "reason": [""] * n, "note": [""] * n, "version": [1] * n,
        "p:lr": lr or [1e-3] * n, "p:opt": opt or ["adam"] * n, "p:layers": layers or [2] * n,
    })


def valid(fig) -> go.Figure:
    return go.Figure(fig)  # raises on anything plotly would not accept


def test_downsample_keeps_extremes_order_and_budget():
    x = np.arange(10_000)
    y = np.sin(x / 300.0)
    y[4321] = 50.0
    y[777] = -50.0
    xs, ys = downsample(x, y, 500)
    assert len(xs) <= 500
    assert np.all(np.diff(xs) > 0)
    assert 50.0 in ys and -50.0 in ys
    assert np.array_equal(y[xs], ys)
    short_x, short_y = downsample(x[:100], y[:100], 500)
    assert np.array_equal(short_x, x[:100])


def test_points_per_run_keeps_a_thousand_runs_far_below_a_million_points():
    assert points_per_run(1000) * 1000 <= 100_000
    assert points_per_run(3) == 500
    assert points_per_run(100_000) == 50


def test_running_best_for_both_goals():
    assert running_best([3, np.nan, 1, 2], "minimize")[[0, 2, 3]].tolist() == [3, 1, 1]
    assert running_best([1, 3, 2], "maximize").tolist() == [1, 3, 3]
    assert math.isnan(running_best([np.nan, 2], "minimize")[0])


def test_best_so_far_draws_a_dot_per_run_and_the_running_best():
    runs = runs_frame([5, 3, 4, 1, 2], states=["finished", "finished", "stopped", "finished", "running"])
    fig = figures.best_so_far_figure(runs, key="loss", goal="minimize", x="number")
    valid(fig)
    dots = {t["name"]: t for t in fig["data"][:figures.BEST_LINE]}
    assert sum(len(t["y"]) for t in dots.values()) == 5
    assert dots["running"]["y"] == [2.0] and dots["stopped"]["y"] == [4.0]
    line = fig["data"][figures.BEST_LINE]
    assert line["line"]["shape"] == "hv"  # plotly.js reads line.shape (line_shape is plotly.py's alias only)
    assert line["x"] == [1, 2, 4, 5] and line["y"] == [5, 3, 1, 1]  # corners + the last x
    # a click on a dot or a corner names a run: the dot's own, the corner's best run
    assert dots["stopped"]["customdata"] == ["r2"]
    assert line["customdata"] == ["r0", "r1", "r3", "r3"]
    timed = figures.best_so_far_figure(runs, key="loss", goal="minimize", x="time")
    assert timed["layout"]["xaxis"]["type"] == "date"


def test_best_so_far_by_time_survives_a_time_no_date_can_hold():
    runs = runs_frame([3, 2])
    runs.loc[1, "last_update"] = 1.7e15  # milliseconds read as seconds, by an older reader
    fig = figures.best_so_far_figure(runs, key="loss", goal="minimize", x="time")
    valid(fig)
    assert sum(len(t["x"]) for t in fig["data"][:figures.BEST_LINE]) == 2


def test_best_so_far_without_values_says_so():
    fig = figures.best_so_far_figure(runs_frame([np.nan]), key="loss", goal="minimize",
                                     empty_text="No run has logged loss yet.")
    assert fig["data"] == []
    assert fig["layout"]["annotations"][0]["text"] == "No run has logged loss yet."


def test_curves_figure_has_one_trace_per_run_with_params_in_hover():
    runs = runs_frame([0.5, np.nan, 0.1], lr=[1e-3, 1e-2, 1e-4], opt=["adam", "sgd", "adam"])
    curves = pd.DataFrame({"run_id": ["r0", "r0", "r2", "r2", "r2"], "step": [0, 1, 0, 1, 2],
                           "value": [1.0, 0.5, 0.9, 0.3, 0.1]})
    fig = figures.curves_figure(curves, runs, key="loss", axes=AXES, goal="minimize")
    valid(fig)
    assert [t["meta"] for t in fig["data"]] == ["r0", "r1", "r2"]
    assert figures.decode_typed_array(fig["data"][2]["x"]).tolist() == [0, 1, 2]
    assert figures.decode_typed_array(fig["data"][2]["y"]).tolist() == pytest.approx([0.9, 0.3, 0.1])
    assert len(figures.decode_typed_array(fig["data"][1]["y"])) == 0
    assert "lr=0.0001" in fig["data"][2]["hovertemplate"]
    assert "opt=adam" in fig["data"][2]["hovertemplate"]
    assert fig["data"][1]["line"]["color"] == figures.NO_VALUE_COLOR
    # the best run (lowest loss) gets the bright end of the scale
    assert fig["data"][2]["line"]["color"] == "rgb(253,231,37)"
    greyed = figures.curves_figure(curves, runs, key="loss", axes=AXES, goal="minimize",
                                   selected=np.array([True, False, False]))
    assert [t["line"]["color"] == figures.UNSELECTED_COLOR for t in greyed["data"]] == [False, True, True]


def test_curves_mark_where_early_terminated_runs_were_stopped():
    runs = runs_frame([0.9, 0.2], states=["stopped", "finished"])
    runs.loc[0, "reason"] = "hyperband (band 3, 0.9 vs threshold 0.5): worse than the band"
    curves = pd.DataFrame({"run_id": ["r0"] * 3 + ["r1"] * 4, "step": [0, 1, 2, 0, 1, 2, 3],
                           "value": [1.0, 0.95, 0.9, 0.8, 0.5, 0.3, 0.2]})
    fig = figures.curves_figure(curves, runs, key="loss", axes=AXES, goal="minimize")
    valid(fig)
    assert [t["meta"] for t in fig["data"]] == ["r0", "r1", "stopped-early"]
    marks = fig["data"][2]
    assert (marks["x"], marks["y"]) == ([2.0], [0.9])
    assert "band 3" in marks["text"][0] and "threshold 0.5" in marks["text"][0]
    user_stopped = runs_frame([0.9, 0.2], states=["stopped", "finished"])
    user_stopped.loc[0, "reason"] = "user: enough"
    plain = figures.curves_figure(curves, user_stopped, key="loss", axes=AXES, goal="minimize")
    assert [t["meta"] for t in plain["data"]] == ["r0", "r1"]


def test_log_ticks_label_real_values():
    ticks, labels = figures.log_ticks(-4.2, -1.0)
    assert labels[:4] == ["0.0001", "0.001", "0.01", "0.1"]
    assert ticks[0] == pytest.approx(-4)


def test_parcoords_axes_categorical_log_and_metric():
    runs = runs_frame([0.3, 0.2, 0.1], lr=[1e-4, 1e-3, 1e-2], opt=["sgd", "adam", "rmsprop"],
                      layers=[1, 2, 4])
    fig = figures.parcoords_figure(runs, AXES, key="loss", goal="minimize",
                                   selection={"lr": [[-3.5, -2.5]]})
    valid(fig)
    dims = fig["data"][0]["dimensions"]
    assert [d["label"] for d in dims] == ["lr", "opt", "layers", "loss"]
    assert dims[0]["values"] == pytest.approx([-4, -3, -2])  # log10
    assert "0.001" in dims[0]["ticktext"]
    assert dims[0]["constraintrange"] == [[-3.5, -2.5]]
    assert dims[1]["values"] == [1, 0, 2]
    assert dims[1]["tickvals"] == [0, 1, 2] and dims[1]["ticktext"] == ["adam", "sgd", "rmsprop"]
    assert dims[2]["tickvals"] == [1, 2, 3, 4]
    assert dims[3]["values"] == pytest.approx([0.3, 0.2, 0.1])
    assert fig["data"][0]["line"]["color"] == dims[3]["values"]
    # plotly.js's own names only (plotly.py's "Viridis_r" would silently fall back)
    assert fig["data"][0]["line"]["colorscale"] == "Viridis"
    assert fig["data"][0]["line"]["reversescale"] is True  # low loss is bright


def test_brushing_selects_runs():
    runs = runs_frame([0.3, 0.2, 0.1, 0.05], lr=[1e-4, 1e-3, 1e-2, 1e-3],
                      opt=["sgd", "adam", "adam", "sgd"])
    labels = ["lr", "opt", "layers", "loss"]
    selection = apply_restyle({}, [{"dimensions[0].constraintrange": [[-3.2, -1.5]]}, [0]], labels)
    assert selection == {"lr": [[-3.2, -1.5]]}
    assert selected_mask(runs, AXES, "loss", selection).tolist() == [False, True, True, True]
    selection = apply_restyle(selection, [{"dimensions[1].constraintrange": [[[-0.2, 0.2]]]}, [0]], labels)
    assert selected_mask(runs, AXES, "loss", selection).tolist() == [False, True, True, False]
    selection = apply_restyle(selection, [{"dimensions[3].constraintrange": [0.15, 0.25]}, [0]], labels)
    assert selected_mask(runs, AXES, "loss", selection).tolist() == [False, True, False, False]
    cleared = apply_restyle(selection, [{"dimensions[0].constraintrange": [None],
                                         "dimensions[1].constraintrange": None,
                                         "dimensions[3].constraintrange": None}, [0]], labels)
    assert cleared == {}
    assert selected_mask(runs, AXES, "loss", cleared).all()
    assert normalize_ranges([[1, 2], [4, 3]]) == [[1.0, 2.0], [3.0, 4.0]]


def test_importance_finds_the_parameter_that_matters():
    rng = np.random.default_rng(1)
    n = 40
    lr = list(10 ** rng.uniform(-5, -1, n))
    opt = list(rng.choice(["adam", "sgd", "rmsprop"], n))
    layers = list(rng.integers(1, 5, n))
    loss = [(math.log10(a) + 5) * 0.5 + (0.8 if o == "sgd" else 0.0) + rng.normal(0, 0.01)
            for a, o in zip(lr, opt)]
    frame = runs_frame(loss, lr=lr, opt=opt, layers=layers)
    result = parameter_importance(frame, AXES)
    assert result["param"].tolist()[0] == "lr"
    assert result["importance"].sum() == pytest.approx(1.0)
    by = result.set_index("param")
    assert by.loc["lr", "correlation"] > 0.8  # higher lr, higher loss
    assert by.loc["opt", "correlation_of"] == "opt=sgd" and by.loc["opt", "correlation"] > 0
    assert by.loc["layers", "importance"] < by.loc["opt", "importance"]
    fig = figures.importance_figure(feature_importance(frame, AXES), key="loss", n_runs=n,
                                    goal="minimize")
    valid(fig)
    assert fig["data"][0]["y"][-1] == "lr"  # most important on top
    assert fig["data"][1]["marker"]["color"][-1] == "#d62728"  # more lr, worse loss


def test_a_categorical_parameter_gets_one_importance_and_correlation_bar_per_value():
    rng = np.random.default_rng(2)
    n = 60
    opt = list(rng.choice(["adam", "sgd", "rmsprop"], n))
    lr = list(10 ** rng.uniform(-5, -1, n))
    # sgd is worse, adam better, rmsprop in between; lr barely matters
    loss = [{"adam": 0.1, "rmsprop": 0.5, "sgd": 0.9}[o] + rng.normal(0, 0.02) for o in opt]
    features = feature_importance(runs_frame(loss, lr=lr, opt=opt), AXES)
    assert features["feature"].tolist() == ["lr", "opt=adam", "opt=sgd", "opt=rmsprop", "layers"]
    assert features["importance"].sum() == pytest.approx(1.0)
    r = features.set_index("feature")["correlation"]
    assert r["opt=adam"] < -0.5 and r["opt=sgd"] > 0.5 and abs(r["opt=rmsprop"]) < 0.3
    fig = figures.importance_figure(features, key="loss", n_runs=n, goal="minimize")
    valid(fig)
    # top first: the three values of opt (in config order), then lr; layers (constant) last
    assert fig["data"][1]["y"][::-1][:3] == ["opt=adam", "opt=sgd", "opt=rmsprop"]
    colors = dict(zip(fig["data"][1]["y"], fig["data"][1]["marker"]["color"]))
    assert colors["opt=adam"] == "#2ca02c" and colors["opt=sgd"] == "#d62728"  # green: better
    share = dict(zip(fig["data"][0]["y"], fig["data"][0]["customdata"]))
    assert share["opt=sgd"].startswith(" (all of opt: ") and share["lr"] == ""


def test_importance_needs_five_ended_runs():
    frame = runs_frame([0.1, 0.2, 0.3, 0.4, 0.5], states=["finished"] * 4 + ["running"])
    assert parameter_importance(frame, AXES).empty
    fig = figures.importance_figure(feature_importance(frame, AXES), key="loss", n_runs=4,
                                    goal="minimize")
    assert "needs at least 5" in fig["layout"]["annotations"][0]["text"]


def test_runs_table_rows_and_columns():
    runs = runs_frame([0.123456789, np.nan], states=["finished", "stopped"],
                      lr=[1e-3, 2e-3], opt=["adam", "sgd"])
    runs.loc[1, "reason"] = "hyperband (band 3, 0.5 vs threshold 0.4)"
    columns = figures.runs_table_columns(AXES, "loss")
    assert [c["id"] for c in columns][:8] == ["number", "run_id", "open", "state", "mark",
                                              "version", "p:lr", "p:opt"]
    assert {"value", "duration", "reason"} <= {c["id"] for c in columns}
    rows = figures.runs_table_rows(runs, AXES)
    assert rows[0]["value"] == 0.123457 and rows[1]["value"] is None
    assert rows[1]["reason"].startswith("hyperband")
    assert rows[0]["p:opt"] == "adam" and rows[0]["p:lr"] == 0.001


def test_each_runs_table_row_links_to_the_runs_page():
    runs = runs_frame([1.0, 2.0])
    column = next(c for c in figures.runs_table_columns(AXES, "loss") if c["id"] == "open")
    assert column["presentation"] == "markdown"
    rows = figures.runs_table_rows(runs, AXES, lambda rid: f"/app/sweep/s1/run/{rid}")
    assert [r["open"] for r in rows] == [f"[run page](/app/sweep/s1/run/{rid})"
                                         for rid in runs["run_id"]]
    assert figures.runs_table_rows(runs, AXES)[0]["open"] == ""  # no link asked for


def test_runs_table_rows_carry_each_runs_config_version():
    runs = runs_frame([1.0, 2.0])
    runs["version"] = [1, 3]
    assert [r["version"] for r in figures.runs_table_rows(runs, AXES)] == [1, 3]


def test_versions_rows_are_newest_first_with_utc_time_and_changed_paths():
    versions = pd.DataFrame({"version": [1, 2], "time": [0.0, 86400.0 + 61.5],
                             "changed": [[], ["run_cap", "parameters.lr.max"]]})
    assert figures.versions_rows(versions) == [
        {"version": 2, "time": "1970-01-02 00:01:01", "changed": "run_cap, parameters.lr.max"},
        {"version": 1, "time": "1970-01-01 00:00:00", "changed": "created"},
    ]
    assert figures.versions_rows(versions.iloc[:0]) == []


def test_message_figure_is_valid():
    valid(figures.message_figure("nothing"))


def test_the_sweeps_filter_matches_every_word_in_any_text_column():
    from sweepd.dash_ui.sweeps_list import matching as sweeps_matching

    rows = [{"name": "mnist-lr", "sweep": "abc", "state": "running", "method": "random",
             "metric": "loss"},
            {"name": "cifar", "sweep": "def", "state": "finished", "method": "grid",
             "metric": "acc"}]
    assert sweeps_matching(rows, None) == rows and sweeps_matching(rows, "  ") == rows
    assert sweeps_matching(rows, "MNIST") == rows[:1]
    assert sweeps_matching(rows, "grid fin") == rows[1:]
    assert sweeps_matching(rows, "grid running") == []


def test_the_sweeps_list_leaves_missing_names_metrics_and_best_runs_blank():
    from sweepd.dash_ui.data import RUN_STATES

    base = {"method": "grid", "state": "running", "project": "", "goal": "minimize",
            **{f"n_{s}": 0 for s in RUN_STATES}, "n_total": 0, "best_value": None,
            "created": 1_700_000_000.0, "elapsed": 1.0}
    frame = pd.DataFrame([{**base, "id": "a1", "name": "named", "metric": "loss", "best_run": "r1"},
                          {**base, "id": "b2", "name": None, "metric": None, "best_run": None}])
    rows = figures.sweeps_table_rows(frame)
    assert [(r["name"], r["metric"], r["best_run"]) for r in rows] == [
        ("named", "loss", "r1"), ("b2", "", "")]


def test_a_sweeps_list_tick_resends_the_table_only_when_its_rows_change():
    from dash import no_update

    from sweepd.dash_ui import ids, sweeps_list

    row = {"id": "a1", "name": "n", "sweep": "a1", "method": "grid", "state": "running",
           "runs": "1 running", "metric": "loss", "best": 0.5, "best_run": "r1",
           "created": "2026-01-01 00:00:00", "elapsed": "5s"}
    table, note, store = sweeps_list.refresh([row], None, None)
    assert table is not no_update and note == ""
    assert sweeps_list.refresh([row], None, store) == (no_update, no_update, no_update)
    later = {**row, "elapsed": "6s", "best": 0.25}
    table, note, newer = sweeps_list.refresh([later], None, store)
    assert (table, note) == (no_update, no_update)
    cells = [{"id": ids.sweep_cell("a1", c)} for c in ("elapsed", "best", "state")]
    assert sweeps_list.live_cells(newer, cells) == ["6s", "0.25", "running"]
    renamed = sweeps_list.refresh([{**later, "name": "m"}], None, newer)
    assert renamed[0] is not no_update
    filtered = sweeps_list.refresh([later], "nothing", newer)
    assert filtered[1] == "0 of 1 sweeps match the filter"


def test_prior_and_ignored_runs_are_marked_and_kept_out_of_the_running_best():
    runs = runs_frame([0.1, 0.5, 0.05, 0.3], lr=[1e-3, 2e-3, 3e-3, 4e-3])
    runs["prior"] = [True, False, False, False]
    runs["ignored"] = [False, False, True, False]
    traces = figures.best_so_far_traces(runs, key="loss", goal="minimize", x="number")
    assert traces[figures.BEST_PRIOR]["x"] == [1] and traces[figures.BEST_PRIOR]["name"] == "prior run"
    assert traces[figures.BEST_IGNORED]["x"] == [3]
    finished = traces[figures.BEST_STATES.index("finished")]
    assert finished["x"] == [2, 4]
    assert min(v for v in traces[figures.BEST_LINE]["y"] if v is not None) == 0.3
    valid(figures.best_so_far_figure(runs, key="loss", goal="minimize", x="number"))
    rows = figures.runs_table_rows(runs, AXES)
    assert [r["mark"] for r in rows] == ["prior", "", "ignored", ""]
    assert [r["ignore_action"] for r in rows] == ["ignore", "ignore", "unignore", "ignore"]
    assert all(r["requeue_action"] == "requeue" and r["id"] == r["run_id"] for r in rows)
    ids_ = [c["id"] for c in figures.runs_table_columns(AXES, "loss")]
    assert set(figures.ACTION_COLUMNS) <= set(ids_)


def test_importance_leaves_ignored_runs_out():
    from sweepd.dash_ui.analysis import MIN_IMPORTANCE_RUNS, parameter_importance

    n = MIN_IMPORTANCE_RUNS
    runs = runs_frame(list(range(n)), lr=[1e-3 * (i + 1) for i in range(n)])
    assert not parameter_importance(runs, AXES).empty
    runs["ignored"] = [True] + [False] * (n - 1)
    assert parameter_importance(runs, AXES).empty  # one short of the runs it needs
