"""The metric over the two most important parameters: a smoothed map and two slices.

Left, the map: the two parameters that parameter importance ranks highest
(`analysis.top_parameters`) as x and y, coloured by the metric estimated at each
point of a GRID x GRID grid: the mean of the runs' values weighted by a Gaussian
kernel of their distance, in coordinates scaled to [0, 1] per axis (log10 for a
log-distributed parameter), bandwidth h = max(0.05, 0.5 n^(-1/3)) for n runs. Along
a categorical axis there is one column per value and only the runs that took it
count. A cell with little weight near it (weights summing to less than
MIN_WEIGHT: no run within about 2 h) is left blank rather than guessed. The runs
are drawn on top as dots. Right, the slices: each run's value against each of the
two parameters, on the metric axis the other charts use (log scale, outliers).

Runs counted are those importance counts (ended, with a value, not ignored). On a
log metric scale the map averages log10 of the values; values of outlier runs (see
`scales`) count as the edge of the robust range, so one diverged run does not paint
its neighbourhood, and the colour scale spans that range.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from . import figures
from .analysis import MIN_IMPORTANCE_RUNS, explained_runs, top_parameters
from .data import ParamAxis
from .plotly_text import plain
from .scales import metric_scale, outlier_marks

GRID = 40
MIN_WEIGHT = 0.1
MAP_DOMAIN, SLICE_DOMAINS = [0.0, 0.42], ([0.56, 0.77], [0.79, 1.0])


def bandwidth(n: int) -> float:
    return max(0.05, 0.5 * max(n, 1) ** (-1 / 3))


def _unit(coords: np.ndarray, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates and grid scaled so that the runs span [0, 1]."""
    lo, hi = float(np.min(coords)), float(np.max(coords))
    span = hi - lo if hi > lo else 1.0
    return (coords - lo) / span, (grid - lo) / span


def axis_grid(axis: ParamAxis, coords: np.ndarray, n: int = GRID) -> np.ndarray:
    """Grid coordinates along one parameter: each category, or n steps over the runs."""
    if axis.kind == "categorical":
        return np.arange(len(axis.categories), dtype=float)
    lo, hi = float(np.min(coords)), float(np.max(coords))
    return np.linspace(lo, hi, n) if hi > lo else np.array([lo])


def kernel_weights(axis: ParamAxis, coords: np.ndarray, grid: np.ndarray, h: float
                   ) -> np.ndarray:
    """(len(grid), len(coords)) weights of each run at each grid coordinate."""
    if axis.kind == "categorical":
        return (grid[:, None] == coords[None, :]).astype(float)
    unit, unit_grid = _unit(coords, grid)
    return np.exp(-0.5 * ((unit_grid[:, None] - unit[None, :]) / h) ** 2)


def smoothed_map(ax: ParamAxis, ay: ParamAxis, cx: np.ndarray, cy: np.ndarray,
                 values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x grid, y grid, z[y, x]) of the kernel-weighted mean of values (NaN: blank)."""
    gx, gy = axis_grid(ax, cx), axis_grid(ay, cy)
    h = bandwidth(len(values))
    wx, wy = kernel_weights(ax, cx, gx, h), kernel_weights(ay, cy, gy, h)
    weight = wy @ wx.T
    total = (wy * values[None, :]) @ wx.T
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(weight >= MIN_WEIGHT, total / weight, np.nan)
    return gx, gy, z


def shown_values(axis: ParamAxis, coords: np.ndarray) -> list[Any]:
    """What an axis of the chart is given: category labels (as plotly markup, since
    plotly draws tick labels as such), real values (10**coord on a log axis, which
    plotly draws as such), or the numbers."""
    if axis.kind == "categorical":
        labels = [plain(label) for label in axis.labels()]
        return [labels[int(c)] if np.isfinite(c) else None for c in coords]
    if axis.kind == "log":
        return figures._list(figures._round(10.0 ** coords))
    return figures._list(figures._round(coords))


def param_axis_layout(axis: ParamAxis, domain: list[float], **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {**figures._AXIS, "domain": domain, "title": figures.title(axis.name),
                           **extra}
    if axis.kind == "categorical":
        out.update(type="category", categoryorder="array",
                   categoryarray=[plain(label) for label in axis.labels()])
    else:
        out["type"] = "log" if axis.kind == "log" else "linear"
    return out


def top_params_figure(runs: pd.DataFrame, features: pd.DataFrame, axes: Sequence[ParamAxis], *,
                      key: str | None, goal: str, yscale: str = "linear",
                      yrange: str = "robust") -> dict[str, Any]:
    """The map and slices (see the module doc) of the runs importance counts; with one
    searched parameter, its slice alone."""
    if key is None:
        return figures.message_figure("No metric to explain yet.")
    if not axes:
        return figures.message_figure("The sweep has no searched parameters.")
    done = explained_runs(runs)
    if len(done) < MIN_IMPORTANCE_RUNS:
        return figures.message_figure(
            f"This chart needs at least {MIN_IMPORTANCE_RUNS} ended runs with {key} "
            f"({len(done)} so far).")
    top = top_parameters(features, axes)
    coords = [a.encode(done[a.column]) for a in top]
    drawable = np.logical_and.reduce([np.isfinite(c) for c in coords])
    done, coords = done[drawable], [c[drawable] for c in coords]
    if done.empty:
        return figures.message_figure("No ended run has drawable values of these parameters.")
    values = done["value"].to_numpy(dtype=float)
    scale = metric_scale(values, values, scale=yscale, mode=yrange)
    names = [f"#{n} {r}" for n, r in zip(done["number"], done["run_id"])]
    metric_axis = {**figures._AXIS, **scale.yaxis(figures.title(key))}
    data, marks = [], []
    if len(top) == 2:
        data += map_traces(top, coords, values, names, scale, key, goal)
        axes_layout = {
            "xaxis": param_axis_layout(top[0], MAP_DOMAIN, anchor="y"),
            "yaxis": param_axis_layout(top[1], [0.0, 1.0], anchor="x"),
            "xaxis2": param_axis_layout(top[0], SLICE_DOMAINS[0], anchor="y2"),
            "yaxis2": {**metric_axis, "anchor": "x2"},
            "xaxis3": param_axis_layout(top[1], SLICE_DOMAINS[1], anchor="y3"),
            "yaxis3": {**metric_axis, "anchor": "x3", "matches": "y2", "showticklabels": False,
                       "title": None},
        }
        suffixes = ["2", "3"]
    else:
        axes_layout = {"xaxis": param_axis_layout(top[0], [0.0, 1.0], anchor="y"),
                       "yaxis": {**metric_axis, "anchor": "x"}}
        suffixes = [""]
    for i, (axis, c, suffix) in enumerate(zip(top, coords, suffixes)):
        xs = shown_values(axis, c)
        data.append(slice_trace(axis, xs, values, names, key, suffix))
        marks += outlier_marks(scale, values, values, xs, xs, names, key=key, at="",
                               xref=f"x{suffix}", yref=f"y{suffix}", note=i == 0)
    return {"data": data, "layout": figures.layout(
        showlegend=False, hovermode="closest", annotations=marks,
        margin={"l": 60, "r": 20, "t": 40, "b": 45},
        uirevision=f"top:{key}:{yscale}:{yrange}:{':'.join(a.name for a in top)}",
        **axes_layout)}


def slice_trace(axis: ParamAxis, xs: list, values: np.ndarray, names: list[str], key: str,
                suffix: str) -> dict[str, Any]:
    """Each run's value against one parameter (axes x{suffix}, y{suffix})."""
    return {
        "type": "scatter", "mode": "markers", "x": xs, "y": figures._round(values),
        "xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "name": plain(axis.name),
        "text": names, "marker": {"color": "#4c78a8", "size": 6, "opacity": 0.7},
        "hovertemplate": (f"<b>%{{text}}</b><br>{plain(axis.name)} %{{x}}<br>"
                          f"{plain(key)} %{{y:.5g}}<extra></extra>"),
    }


def map_traces(top: Sequence[ParamAxis], coords, values: np.ndarray, names: list[str], scale,
               key: str, goal: str) -> list[dict[str, Any]]:
    """The smoothed map of the metric over the two parameters and the runs as dots
    (axes x, y)."""
    ax, ay = top
    shown = np.log10(values) if scale.log else values.copy()
    if scale.range is not None:
        shown = np.clip(shown, *scale.range)
    gx, gy, z = smoothed_map(ax, ay, coords[0], coords[1], shown)
    zmin, zmax = (scale.range if scale.range is not None
                  else [float(np.min(shown)), float(np.max(shown))])
    colorbar: dict[str, Any] = {"title": figures.title(key), "thickness": 10, "x": 0.43,
                                "len": 1.0}
    if scale.log:
        colorbar["tickvals"], colorbar["ticktext"] = figures.log_ticks(zmin, zmax)
    rounded = np.asarray(figures._round(z.ravel()), dtype=float).reshape(z.shape)
    categorical = ax.kind == "categorical" or ay.kind == "categorical"
    estimate = {
        "type": "heatmap" if categorical else "contour",
        "x": shown_values(ax, gx), "y": shown_values(ay, gy),
        "z": [figures._list(row) for row in rounded.tolist()],
        "zmin": zmin, "zmax": zmax, **figures.colorscale(goal), "colorbar": colorbar,
        "hoverongaps": False, "xaxis": "x", "yaxis": "y", "name": "estimate",
        "hovertemplate": (f"{plain(ax.name)} %{{x}}<br>{plain(ay.name)} %{{y}}<br>"
                          f"estimated {plain(key)} %{{z:.4g}}<extra></extra>"),
    }
    if not categorical:
        estimate.update(contours={"coloring": "heatmap"}, connectgaps=False, ncontours=14,
                        line={"width": 0.5, "color": "rgba(255,255,255,0.5)"})
    dots = {
        "type": "scatter", "mode": "markers", "x": shown_values(ax, coords[0]),
        "y": shown_values(ay, coords[1]), "xaxis": "x", "yaxis": "y", "text": names,
        "name": "runs", "customdata": figures._round(values),
        "marker": {"color": figures._round(shown), "cmin": zmin, "cmax": zmax, "size": 7,
                   **figures.colorscale(goal), "line": {"color": "white", "width": 1}},
        "hovertemplate": (f"<b>%{{text}}</b><br>{plain(ax.name)} %{{x}}<br>{plain(ay.name)} "
                          f"%{{y}}<br>{plain(key)} %{{customdata:.5g}}<extra></extra>"),
    }
    return [estimate, dots]


__all__ = ["GRID", "MIN_WEIGHT", "bandwidth", "smoothed_map", "top_params_figure"]
