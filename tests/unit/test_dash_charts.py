"""Readable charts, as plain functions: the log scale and the outlier-robust range of
metric axes, the log metric axis of the parallel coordinates, and the metric over
the two most important parameters."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from sweepd.dash_ui import figures, scales, top_params
from sweepd.dash_ui.analysis import apply_restyle, feature_importance, selected_mask
from sweepd.dash_ui.data import ParamAxis

AXES = [ParamAxis("lr", "log"), ParamAxis("opt", "categorical", ("adam", "sgd", "rmsprop")),
        ParamAxis("layers", "linear", integer=True)]


def runs_frame(values, lr=None, opt=None, layers=None, states=None) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame({
        "run_id": [f"r{i}" for i in range(n)], "number": list(range(1, n + 1)),
        "state": states or ["finished"] * n, "last_update": [1000.0 + i for i in range(n)],
        "value": [float(v) for v in values], "reason": [""] * n,
        "p:lr": lr or [1e-3] * n, "p:opt": opt or ["adam"] * n, "p:layers": layers or [2] * n,
    })


def diverging_curves(n_runs: int = 10, blown: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Loss curves from about 0.9 down to about 0.1; run `blown` climbs to 40."""
    rows = []
    for r in range(n_runs):
        for step in range(20):
            value = 0.1 + 0.8 * math.exp(-step / 5) + 0.01 * r
            if r == blown and step >= 10:
                value = 40.0 * (step - 9) / 10
            rows.append({"run_id": f"r{r}", "step": step, "value": value})
    curves = pd.DataFrame(rows)
    last = curves.groupby("run_id", sort=False)["value"].last().tolist()
    return curves, runs_frame(last)


def valid(fig):
    return go.Figure(fig)


# ---------------------------------------------------------------- scales


def test_a_run_that_blew_up_is_an_outlier_and_the_range_covers_the_others():
    lows = [0.1 + 0.01 * i for i in range(10)]
    highs = [0.9 + 0.01 * i for i in range(10)]
    highs[3] = 40.0
    scale = scales.metric_scale(lows, highs)
    assert scale.outliers.tolist() == [i == 3 for i in range(10)]
    lo, hi = scale.range
    assert lo < 0.1 and 0.99 < hi < 1.1  # the others fill the chart


def test_no_outlier_leaves_plotlys_range_and_all_runs_never_cuts():
    lows, highs = [0.1, 0.2, 0.15, 0.12, 0.3], [0.9, 2.0, 1.1, 1.0, 1.5]
    assert scales.metric_scale(lows, highs).range is None
    blown = highs[:4] + [40.0]
    assert scales.metric_scale(lows, blown).range is not None
    everything = scales.metric_scale(lows, blown, mode="all")
    assert everything.range is None and not everything.outliers.any()


def test_too_few_runs_or_a_flat_bulk_call_no_run_an_outlier():
    assert scales.metric_scale([1, 1, 1, 1], [1, 1, 1, 40]).range is None  # 4 runs
    flat = scales.metric_scale([1.0] * 6, [1.0] * 5 + [40.0])
    assert flat.range is None and not flat.outliers.any()


def test_on_a_log_scale_outliers_are_judged_in_decades():
    lows = [0.1] * 9 + [0.1]
    highs = [1.0] * 9 + [40.0]
    assert scales.metric_scale(lows, highs).outliers[-1]  # 40 flattens a linear axis
    log = scales.metric_scale(lows, highs, scale="log")
    assert log.log and not log.outliers.any()  # not a log one
    far = scales.metric_scale(lows, highs[:9] + [1e9], scale="log")
    assert far.outliers[-1] and far.range[1] < 0.5  # log10 units, as plotly wants them


def test_a_log_scale_of_values_at_or_below_zero_is_refused_and_says_so():
    scale = scales.metric_scale([-1.0, 0.5], [2.0, 3.0], scale="log")
    assert not scale.log and scale.note == scales.LOG_REFUSED
    assert scale.yaxis({"text": "loss"})["type"] == "linear"


def test_curves_with_an_outlier_are_dotted_and_marked_where_they_leave_the_range():
    curves, runs = diverging_curves()
    fig = figures.curves_figure(curves, runs, key="loss", axes=AXES, goal="minimize")
    valid(fig)
    yaxis = fig["layout"]["yaxis"]
    assert yaxis["autorange"] is False and yaxis["range"][1] < 1.2
    assert [t["line"]["dash"] for t in fig["data"]].count(figures.OUTLIER_DASH) == 1
    assert fig["data"][3]["line"]["dash"] == figures.OUTLIER_DASH
    assert "outlier" in fig["data"][3]["hovertemplate"]
    marks = fig["layout"]["annotations"]
    triangle = [m for m in marks if m["text"] == "▲"]
    assert len(triangle) == 1 and triangle[0]["x"] == 19 and triangle[0]["yref"] == "y domain"
    assert "#4 r3: loss reaches 40 at step 19" in triangle[0]["hovertext"]
    assert any("1 outlier run beyond the y-range" in m["text"] for m in marks)
    # "all runs": plotly's range, nothing dotted or marked
    everything = figures.curves_figure(curves, runs, key="loss", axes=AXES, goal="minimize",
                                       yrange="all")
    assert everything["layout"]["yaxis"]["autorange"] is True
    assert everything["layout"]["annotations"] == []
    assert everything["layout"]["uirevision"] != fig["layout"]["uirevision"]


def test_curves_on_a_log_scale():
    curves, runs = diverging_curves()
    fig = figures.curves_figure(curves, runs, key="loss", axes=AXES, goal="minimize",
                                yscale="log")
    valid(fig)
    assert fig["layout"]["yaxis"]["type"] == "log"
    refused = figures.curves_figure(curves.assign(value=curves["value"] - 0.5), runs, key="loss",
                                    axes=AXES, goal="minimize", yscale="log")
    assert refused["layout"]["yaxis"]["type"] == "linear"
    assert refused["layout"]["annotations"][0]["text"] == scales.LOG_REFUSED


def test_best_so_far_leaves_an_outlier_value_out_of_its_range_and_marks_it():
    values = [0.5, 0.4, 0.45, 0.3, 0.35, 0.32, 55.0, 0.31]
    fig = figures.best_so_far_figure(runs_frame(values), key="loss", goal="maximize",
                                     x="number")
    valid(fig)
    assert fig["layout"]["yaxis"]["range"][1] < 0.6
    (mark,) = [m for m in fig["layout"]["annotations"] if m["text"] == "▲"]
    assert mark["x"] == 7 and "#7 r6: loss reaches 55" in mark["hovertext"]
    log = figures.best_so_far_figure(runs_frame(values), key="loss", goal="maximize",
                                     x="number", yscale="log")
    assert log["layout"]["yaxis"]["type"] == "log"


# ---------------------------------------------------------------- parallel coordinates


def test_the_metric_axis_of_the_parallel_coordinates_goes_log_and_brushes_in_values():
    runs = runs_frame([0.001, 0.01, 0.1, 1.0], lr=[1e-4, 1e-3, 1e-2, 1e-1])
    fig = figures.parcoords_figure(runs, AXES, key="loss", goal="minimize", yscale="log",
                                   selection={"loss": [[0.005, 0.2]]})
    valid(fig)
    trace = fig["data"][0]
    metric = trace["dimensions"][-1]
    assert metric["values"] == pytest.approx([-3, -2, -1, 0])
    assert metric["ticktext"] == ["0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1"]
    (brushed,) = metric["constraintrange"]
    assert brushed == pytest.approx([math.log10(0.005), math.log10(0.2)])
    assert trace["meta"] == {"metric_log": True}
    labels = [d["label"] for d in trace["dimensions"]]
    # a brush drawn on the log axis is kept in values: it selects the same runs after a
    # change of scale
    ranges = apply_restyle({}, [{"dimensions[3].constraintrange": [[-2.5, -0.5]]}, [0]],
                           labels, log_labels=["loss"])
    assert ranges["loss"][0] == pytest.approx([10 ** -2.5, 10 ** -0.5])
    assert selected_mask(runs, AXES, "loss", ranges).tolist() == [False, True, True, False]
    linear = figures.parcoords_figure(runs, AXES, key="loss", goal="minimize", selection=ranges)
    assert linear["data"][0]["dimensions"][-1]["constraintrange"] == ranges["loss"]
    negative = figures.parcoords_figure(runs.assign(value=[-1.0, 0.0, 1.0, 2.0]), AXES,
                                        key="loss", goal="minimize", yscale="log")
    assert negative["data"][0]["meta"] == {"metric_log": False}


def test_log_distributed_parameters_are_log_axes_in_the_parallel_coordinates():
    runs = runs_frame([0.3, 0.2, 0.1], lr=[2e-5, 3e-3, 0.08])
    dims = figures.parcoords_figure(runs, AXES, key="loss", goal="minimize")["data"][0]["dimensions"]
    assert dims[0]["values"] == pytest.approx(np.log10([2e-5, 3e-3, 0.08]), abs=1e-5)
    # 1-3 steps: plotly snaps a brush to the gaps between ticks, so more than decades
    assert dims[0]["ticktext"] == ["3e-05", "0.0001", "0.0003", "0.001", "0.003", "0.01", "0.03"]
    assert dims[0]["tickvals"][1:6:2] == pytest.approx([-4, -3, -2])


def test_log_ticks_in_a_narrow_range_label_every_digit():
    ticks, labels = figures.log_ticks(math.log10(2e-3), math.log10(7e-3))
    assert labels == ["0.002", "0.003", "0.004", "0.005", "0.006", "0.007"]


# ---------------------------------------------------------------- top two parameters


def bowl(n: int = 300, seed: int = 0) -> pd.DataFrame:
    """loss = (log10 lr + 3)^2 + (layers - 3)^2 / 4: best at lr 1e-3, 3 layers; opt
    does not matter."""
    rng = np.random.default_rng(seed)
    lr = 10 ** rng.uniform(-5, -1, n)
    layers = rng.integers(1, 6, n).astype(float) + rng.uniform(-0.4, 0.4, n)
    opt = rng.choice(["adam", "sgd", "rmsprop"], n)
    loss = (np.log10(lr) + 3) ** 2 + (layers - 3) ** 2 / 4 + rng.normal(0, 0.01, n)
    return runs_frame(loss.tolist(), lr=lr.tolist(), opt=opt.tolist(), layers=layers.tolist())


def test_the_smoothed_map_finds_the_bottom_of_the_bowl():
    runs = bowl()
    axes = [ParamAxis("lr", "log"), ParamAxis("layers", "linear")]
    cx, cy = axes[0].encode(runs["p:lr"]), axes[1].encode(runs["p:layers"])
    gx, gy, z = top_params.smoothed_map(axes[0], axes[1], cx, cy, runs["value"].to_numpy())
    assert z.shape == (len(gy), len(gx)) == (top_params.GRID, top_params.GRID)
    j, i = np.unravel_index(np.nanargmin(z), z.shape)
    assert abs(gx[i] + 3) < 0.5 and abs(gy[j] - 3) < 0.6


def test_the_map_leaves_cells_far_from_every_run_blank():
    axes = [ParamAxis("a", "linear"), ParamAxis("b", "linear")]
    cx = np.array([0.0, 0.0, 1.0, 1.0, 0.05])
    cy = np.array([0.0, 0.05, 0.0, 0.05, 1.0])
    _, _, z = top_params.smoothed_map(axes[0], axes[1], cx, cy, np.arange(5.0))
    assert np.isnan(z[-1, -1])  # the corner (1, 1): no run near
    assert np.isfinite(z[0, 0]) and np.isfinite(z[-1, 0])


def test_a_categorical_axis_has_one_column_per_value_of_its_own_runs():
    axes = [ParamAxis("opt", "categorical", ("adam", "sgd")), ParamAxis("b", "linear")]
    cx = np.array([0.0, 0.0, 1.0, 1.0])
    cy = np.array([0.0, 1.0, 0.0, 1.0])
    gx, _, z = top_params.smoothed_map(axes[0], axes[1], cx, cy, np.array([1.0, 1.0, 5.0, 5.0]))
    assert gx.tolist() == [0, 1]
    assert np.nanmax(z[:, 0]) == pytest.approx(1.0) and np.nanmin(z[:, 1]) == pytest.approx(5.0)


def test_the_top_params_figure_maps_the_two_most_important_and_slices_each():
    runs = bowl()
    features = feature_importance(runs, AXES)
    fig = top_params.top_params_figure(runs, features, AXES, key="loss", goal="minimize")
    valid(fig)
    kinds = [(t["type"], t["xaxis"]) for t in fig["data"]]
    assert kinds == [("contour", "x"), ("scatter", "x"), ("scatter", "x2"), ("scatter", "x3")]
    lay = fig["layout"]
    assert {lay["xaxis"]["title"]["text"], lay["yaxis"]["title"]["text"]} == {"lr", "layers"}
    lr_axis = "xaxis" if lay["xaxis"]["title"]["text"] == "lr" else "yaxis"
    assert lay[lr_axis]["type"] == "log"  # a log-distributed parameter on a log axis
    assert lay["yaxis3"]["matches"] == "y2" and lay["yaxis2"]["title"]["text"] == "loss"
    assert len(fig["data"][2]["y"]) == len(runs)


def test_the_top_params_figure_with_a_categorical_uses_cells_and_log_colours():
    rng = np.random.default_rng(3)
    n = 60
    opt = rng.choice(["adam", "sgd", "rmsprop"], n).tolist()
    lr = (10 ** rng.uniform(-5, -1, n)).tolist()
    loss = [{"adam": 0.01, "rmsprop": 0.1, "sgd": 1.0}[o] * (1 + abs(math.log10(a) + 3))
            for o, a in zip(opt, lr)]
    runs = runs_frame(loss, lr=lr, opt=opt)
    fig = top_params.top_params_figure(runs, feature_importance(runs, AXES), AXES, key="loss",
                                       goal="minimize", yscale="log")
    valid(fig)
    assert fig["data"][0]["type"] == "heatmap"
    opt_axis = next(a for a in ("xaxis", "yaxis") if fig["layout"][a]["title"]["text"] == "opt")
    assert fig["layout"][opt_axis]["categoryarray"] == ["adam", "sgd", "rmsprop"]
    assert fig["data"][0]["colorbar"]["ticktext"]  # log colours, ticks at real values
    assert fig["layout"]["yaxis2"]["type"] == "log"


def test_the_top_params_figure_says_what_it_waits_for():
    few = runs_frame([0.1, 0.2, 0.3])
    fig = top_params.top_params_figure(few, feature_importance(few, AXES), AXES, key="loss",
                                       goal="minimize")
    assert "at least 5 ended runs" in fig["layout"]["annotations"][0]["text"]
    one = [ParamAxis("lr", "log")]
    runs = bowl(40)
    alone = top_params.top_params_figure(runs, feature_importance(runs, one), one, key="loss",
                                         goal="minimize")
    valid(alone)
    assert [t["xaxis"] for t in alone["data"]] == ["x"]  # its slice alone


def test_a_curves_extent_after_thinning_is_the_whole_curves():
    from sweepd.dash_ui.data import NO_EXTENT, downsample, extent_of

    x = np.arange(10_000)
    y = np.sin(x / 300.0)
    y[4321], y[777] = 40.0, -3.0
    assert extent_of(*downsample(x, y, 100)) == (-3.0, 40.0, 777, 4321)
    assert extent_of(np.empty(0), np.empty(0)) == NO_EXTENT
