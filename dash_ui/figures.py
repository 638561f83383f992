"""DataFrames -> Plotly figures (and the runs table's rows), as plain functions.

Figures are plotly's own figure dicts (`{"data": [...], "layout": {...}}`), which
dcc.Graph draws as they are. They are not built through `plotly.graph_objects`:
its validation and template copying cost 50-300 ms per figure, more than the whole
budget of a live tick, and the metric-curves figure of a 1,000-run sweep has 1,000
traces. Large arrays are encoded as typed arrays (`{"dtype", "bdata"}`, which
plotly.js reads natively, 3-4 times smaller than JSON numbers). Tests validate every
figure with `go.Figure(figure)`. Plotly draws text as a subset of HTML, so every
string a user wrote (metric keys, parameter values, reasons) goes through
`plotly_text.plain` on its way into a figure.
"""

from __future__ import annotations

import base64
import math
import time
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from dash.dash_table.Format import Format, Scheme, Trim

from sweepd.controller.auth import DEFAULT_PROJECT
from sweepd.controller.storage.keys import valid_id

from .analysis import (MIN_IMPORTANCE_RUNS, by_parameter, metric_label, normalize_ranges,
                       running_best)
from .data import Extent, ParamAxis, category_label, extent_of
from .plotly_text import plain
from .curves import Band, Extents
from .scales import MetricScale, log_possible, metric_scale, note_annotation, outlier_marks

STATE_COLORS = {
    "pending": "#b0b0b0", "running": "#ff7f0e", "finished": "#1f77b4",
    "failed": "#d62728", "crashed": "#8c564b", "stopped": "#7f7f7f",
}
NO_VALUE_COLOR = "#9e9e9e"
UNSELECTED_COLOR = "rgba(190,190,190,0.35)"
WEBGL_ABOVE = 20_000  # points in a figure above which lines are drawn with WebGL
CLICK_HINT = "<br><i>click to open the run</i>"  # charts of runs: a click opens a run's page
VIRIDIS = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779",
           "#6ece58", "#b5de2b", "#fde725"]
_MARGIN_TOP = 30  # px above a chart: room for two lines of notes (see `scales`)
_AXIS = {"gridcolor": "#e9edf2", "zeroline": False, "linecolor": "#c9d1db", "automargin": True}


def colorscale(goal: str) -> dict[str, Any]:
    """The metric colour scale: better values are always the bright end. (plotly.js
    knows no "Viridis_r": the reversal is its own attribute.)"""
    return {"colorscale": "Viridis", "reversescale": goal == "minimize"}


def layout(**extra: Any) -> dict[str, Any]:
    """The house look, without plotly's template (a template is kilobytes per figure)."""
    base: dict[str, Any] = {
        "paper_bgcolor": "white", "plot_bgcolor": "white",
        "font": {"family": "Inter, Segoe UI, Helvetica, Arial, sans-serif", "size": 12,
                 "color": "#2a3342"},
        "margin": {"l": 55, "r": 20, "t": _MARGIN_TOP, "b": 45},
        "hoverlabel": {"align": "left"},
    }
    for name in ("xaxis", "yaxis"):
        base[name] = dict(_AXIS)
    for name, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(name), dict):
            base[name] = {**base[name], **value}
        else:
            base[name] = value
    return base


def title(text: str) -> dict[str, Any]:
    return {"text": plain(text)}


def message_figure(text: str) -> dict[str, Any]:
    """An empty chart that says why it is empty."""
    return {"data": [], "layout": layout(
        xaxis={"visible": False}, yaxis={"visible": False},
        annotations=[{"text": plain(text), "showarrow": False, "x": 0.5, "y": 0.5, "xref": "paper",
                      "yref": "paper", "font": {"size": 14, "color": "#666"}}])}


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values (faster than DataFrame.to_dict)."""
    columns = {c: frame[c].tolist() for c in frame.columns}
    return [dict(zip(columns, values)) for values in zip(*columns.values())]


def _round(values: np.ndarray, digits: int = 6) -> list[float]:
    """Values to `digits` significant digits (shorter JSON, same picture)."""
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values) & (values != 0)
    scale = np.zeros(len(values))
    scale[finite] = np.floor(np.log10(np.abs(values[finite])))
    factor = 10.0 ** (digits - 1 - scale)
    return (np.round(values * factor) / factor).tolist()


def _list(values: Iterable[Any]) -> list[Any]:
    """Floats for JSON: NaN and inf become None (gaps)."""
    return [None if isinstance(v, float) and not math.isfinite(v) else v for v in values]


# ---------------------------------------------------------------- best so far

BEST_STATES = ("pending", "running", "finished", "stopped", "failed", "crashed")
# dots come first, one trace per state; then prior runs (given at creation) and ignored
# runs, both outside the running best; then the running-best line, drawn last (on top)
BEST_PRIOR, BEST_IGNORED = len(BEST_STATES), len(BEST_STATES) + 1
BEST_LINE = len(BEST_STATES) + 2  # index of the running-best trace
PRIOR_COLOR, IGNORED_COLOR = "#17becf", "#b0b0b0"


def flag(runs: pd.DataFrame, name: str) -> np.ndarray:
    """The bool column `name` ("prior", "ignored"), all False when the frame has none."""
    if name not in runs:
        return np.zeros(len(runs), dtype=bool)
    return runs[name].fillna(False).to_numpy(dtype=bool)


def _utc_offset_s(t: float) -> float:
    """The local time zone's offset at `t` (at now when `t` is no date Python can hold)."""
    try:
        return datetime.fromtimestamp(t).astimezone().utcoffset().total_seconds()
    except (ValueError, OverflowError, OSError):
        return datetime.now().astimezone().utcoffset().total_seconds()


def best_x(runs: pd.DataFrame, x: str) -> np.ndarray:
    """The best-so-far x of each run: its finish (or last update) as local epoch ms,
    which a date axis shows as local wall time, or its number."""
    if x != "time":
        return runs["number"].to_numpy(dtype=float)
    seconds = runs["last_update"].to_numpy(dtype=float)
    offset = _utc_offset_s(float(np.nanmax(seconds))) if np.isfinite(seconds).any() else 0.0
    return np.round((seconds + offset) * 1000.0)


def best_line(xs: np.ndarray, values: np.ndarray, goal: str) -> tuple[list, list]:
    """The running best as the corners of a step line: the points where it improves,
    and the last x (a few points instead of one per run)."""
    if len(xs) == 0:
        return [], []
    keep = _corner_indices(values, goal)
    return xs[keep].tolist(), _list(running_best(values, goal)[keep].tolist())


def _corner_indices(values: np.ndarray, goal: str) -> list[int]:
    """The positions best_line keeps (where the running best changes, and the last)."""
    if len(values) == 0:
        return []
    best = running_best(values, goal)
    keep = np.ones(len(best), dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    keep &= np.isfinite(best)
    keep[-1] = True
    return np.flatnonzero(keep).tolist()


def best_holders(run_ids: Sequence[str], values: np.ndarray, goal: str) -> list[str]:
    """For each position, the run holding the running best there ("" before any): the
    first run to reach it."""
    values = np.asarray(values, dtype=float)
    best = running_best(values, goal)
    before = np.concatenate([[np.nan], best[:-1]])
    with np.errstate(invalid="ignore"):
        better = values < before if goal == "minimize" else values > before
    improved = np.isfinite(values) & (np.isnan(before) | better)
    holder = np.maximum.accumulate(np.where(improved, np.arange(len(values)), -1))
    return [run_ids[i] if i >= 0 else "" for i in holder.tolist()]


def best_so_far_traces(runs: pd.DataFrame, *, key: str, goal: str, x: str,
                       states: Sequence[str] = BEST_STATES) -> dict[int, dict[str, Any]]:
    """The best-so-far traces by index (see BEST_LINE), for `states` and the line."""
    has = runs[np.isfinite(runs["value"].to_numpy(dtype=float))]
    has = has.assign(_x=best_x(has, x)).sort_values(["_x", "number"], kind="stable")
    traces: dict[int, dict[str, Any]] = {}
    shown_key = plain(key)
    prior, ignored = flag(has, "prior"), flag(has, "ignored")
    for index, name, mask, symbol, color in (
            (BEST_PRIOR, "prior run", prior & ~ignored, "diamond", PRIOR_COLOR),
            (BEST_IGNORED, "ignored", ignored, "x-thin-open", IGNORED_COLOR)):
        group = has[mask]
        traces[index] = {
            "type": "scatter", "mode": "markers", "name": name,
            "x": group["_x"].tolist(), "y": group["value"].tolist(),
            "text": [f"#{n} {r}" for n, r in zip(group["number"], group["run_id"])],
            "customdata": group["run_id"].tolist(),  # a click opens the run's page
            "marker": {"color": color, "size": 8, "symbol": symbol, "line": {"width": 1.5}},
            "hovertemplate": (f"<b>%{{text}}</b> ({name})<br>{shown_key} %{{y:.5g}}"
                              f"{CLICK_HINT}<extra></extra>"),
            "showlegend": not group.empty,
        }
    has = has[~prior & ~ignored]  # the sweep's own runs: dots by state and the running best
    for state in states:
        group = has[has["state"] == state]
        active = state in ("running", "pending")
        traces[BEST_STATES.index(state)] = {
            "type": "scatter", "mode": "markers", "name": state,
            "x": group["_x"].tolist(), "y": group["value"].tolist(),
            "text": [f"#{n} {r}" for n, r in zip(group["number"], group["run_id"])],
            "customdata": group["run_id"].tolist(),  # a click opens the run's page
            "marker": {"color": STATE_COLORS.get(state, "#444"), "size": 8,
                       "symbol": "circle-open" if active else "circle", "line": {"width": 1.5}},
            "hovertemplate": (f"<b>%{{text}}</b> ({state})<br>{shown_key} %{{y:.5g}}"
                              f"{CLICK_HINT}<extra></extra>"),
            "showlegend": not group.empty,
        }
    line_x, line_y = best_line(has["_x"].to_numpy(), has["value"].to_numpy(dtype=float), goal)
    holders = best_holders(has["run_id"].tolist(), has["value"].to_numpy(dtype=float), goal)
    traces[BEST_LINE] = {
        "type": "scatter", "mode": "lines", "name": "best so far",
        "x": line_x, "y": line_y, "line": {"color": "#2ca02c", "width": 2, "shape": "hv"},
        # each corner: the run that holds the best there (the line is drawn over the dots,
        # so a click on a dot lands on the line: it opens that run)
        "customdata": [holders[i] for i in _corner_indices(has["value"].to_numpy(dtype=float), goal)],
        "hovertemplate": f"best {shown_key} %{{y:.5g}}{CLICK_HINT}<extra></extra>",
    }
    return traces


def best_so_far_axis(runs: pd.DataFrame, *, key: str, x: str, yscale: str = "linear",
                     yrange: str = "robust") -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The best-so-far chart's y-axis and its outlier marks (see `scales`): each run's
    value is its extent."""
    has = runs[np.isfinite(runs["value"].to_numpy(dtype=float))]
    values = has["value"].to_numpy(dtype=float)
    scale = metric_scale(values, values, scale=yscale, mode=yrange)
    xs = best_x(has, x).tolist()
    names = outlier_names(has, scale)
    marks = outlier_marks(scale, values, values, xs, xs, names, key=key, at="")
    return scale.yaxis(title(key)), marks


def outlier_names(runs: pd.DataFrame, scale: MetricScale) -> list[str]:
    """Each run's name ("#n id") where `outlier_marks` reads it (the outliers), "" for
    the others: a 10,000-run sweep has few outliers and many names."""
    names = [""] * len(runs)
    if scale.outliers.any():
        numbers, run_ids = runs["number"].tolist(), runs["run_id"].tolist()
        for i in np.flatnonzero(scale.outliers).tolist():
            names[i] = f"#{numbers[i]} {run_ids[i]}"
    return names


def best_so_far_figure(runs: pd.DataFrame, *, key: str | None, goal: str,
                       x: str = "time", empty_text: str | None = None,
                       yscale: str = "linear", yrange: str = "robust") -> dict[str, Any]:
    """One dot per run with a value (x: finish time, or run number), coloured by
    state, and the running best as a step line; the y-axis per `yscale` and
    `yrange` (see `scales`)."""
    if key is None or not len(runs) or not np.isfinite(runs["value"].to_numpy(dtype=float)).any():
        return message_figure(empty_text or "No run has logged a value yet.")
    traces = best_so_far_traces(runs, key=key, goal=goal, x=x)
    xaxis = ({"title": title("finished (or last update)"), "type": "date"} if x == "time"
             else {"title": title("run number")})
    yaxis, marks = best_so_far_axis(runs, key=key, x=x, yscale=yscale, yrange=yrange)
    return {"data": [traces[i] for i in sorted(traces)], "layout": layout(
        xaxis=xaxis, yaxis=yaxis, annotations=marks,
        uirevision=f"best:{key}:{x}:{yscale}:{yrange}", showlegend=True,
        # on the right: the top left holds the y-axis notes (see `scales`)
        legend={"orientation": "h", "y": 1.1, "x": 1, "xanchor": "right", "font": {"size": 11}})}


# ---------------------------------------------------------------- curves


def typed_array(values: np.ndarray, dtype: str) -> dict[str, str]:
    """A plotly.js typed-array spec (little-endian, base64)."""
    array = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    return {"dtype": dtype, "bdata": base64.b64encode(array.tobytes()).decode("ascii")}


def decode_typed_array(value: Any) -> np.ndarray:
    """The inverse of typed_array (plain lists pass through)."""
    if isinstance(value, dict) and "bdata" in value:
        dtype = np.dtype(value["dtype"]).newbyteorder("<")
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=dtype)
    return np.asarray(value)


def _steps_dtype(steps: np.ndarray) -> str:
    if len(steps) and (steps.max() >= 2**31 or steps.min() < -(2**31)):
        return "f8"
    return "i4"


def scale_colors(fractions: np.ndarray, goal: str) -> list[str]:
    """Colours of the metric scale at fractions in [0, 1] (0 = lowest value)."""
    stops = VIRIDIS[::-1] if goal == "minimize" else VIRIDIS
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in stops], dtype=float)
    pos = np.clip(np.asarray(fractions, dtype=float), 0, 1) * (len(stops) - 1)
    lo = np.minimum(pos.astype(int), len(stops) - 2)
    t = (pos - lo)[:, None]
    mixed = np.rint(rgb[lo] * (1 - t) + rgb[lo + 1] * t).astype(int)
    return [f"rgb({r},{g},{b})" for r, g, b in mixed]


def run_colors(runs: pd.DataFrame, goal: str, selected: np.ndarray | None = None) -> list[str]:
    """Each run's line colour: its value on the metric colour scale (grey without a
    value), light grey when a selection leaves it out."""
    values = runs["value"].to_numpy(dtype=float)
    finite = np.isfinite(values)
    colors = [NO_VALUE_COLOR] * len(values)
    if finite.any():
        lo, hi = values[finite].min(), values[finite].max()
        fractions = (values[finite] - lo) / (hi - lo) if hi > lo else np.full(finite.sum(), 0.5)
        for i, color in zip(np.flatnonzero(finite), scale_colors(fractions, goal)):
            colors[i] = color
    if selected is not None:
        colors = [c if s else UNSELECTED_COLOR for c, s in zip(colors, selected)]
    return colors


def _params_text(run: Mapping[str, Any], axes: Sequence[ParamAxis]) -> str:
    parts = []
    for axis in axes:
        value = run.get(axis.column)
        text = f"{value:.4g}" if isinstance(value, float) else category_label(value)
        parts.append(plain(f"{axis.name}={text}"))
    return "<br>".join(parts)


OUTLIER_DASH = "dot"  # the line of a run beyond the robust y-range


def curve_trace(run: Mapping[str, Any], steps: np.ndarray, values: np.ndarray, *,
                key: str, axes: Sequence[ParamAxis], color: str, webgl: bool,
                outlier: bool = False) -> dict[str, Any]:
    """One run's curve as a trace dict; hover shows the run's parameters. An
    `outlier` (beyond the robust y-range) is dotted and says so."""
    state = run["state"]
    beyond = "<br><i>outlier: beyond the y-range</i>" if outlier else ""
    return {
        "type": "scattergl" if webgl else "scatter",
        "mode": "lines",
        "name": f"#{run['number']} {run['run_id']}",
        "x": typed_array(steps, _steps_dtype(steps)),
        "y": typed_array(values, "f4"),
        "line": {"color": color, "width": 2.5 if state == "running" else 1.2,
                 "dash": OUTLIER_DASH if outlier else "solid"},
        "opacity": 1.0 if state in ("running", "pending") else 0.85,
        "hovertemplate": (f"<b>#{run['number']} {run['run_id']}</b> ({state})<br>"
                          f"step %{{x}}<br>{plain(key)} %{{y:.5g}}<br>{_params_text(run, axes)}"
                          f"{beyond}{CLICK_HINT}<extra></extra>"),
        "meta": run["run_id"],
    }


def curves_axis(runs: pd.DataFrame, extents: Sequence[Extent], *, key: str,
                yscale: str = "linear", yrange: str = "robust", others: Extents | None = None
                ) -> tuple[MetricScale, dict[str, Any], list[dict[str, Any]]]:
    """The metric-curves chart's scale (outliers by run of `runs`), y-axis and outlier
    marks, from each run's drawn extent (`data.extent_of`, in run order), counting
    `others` too (runs the band stands for: an outlier among them is marked)."""
    lows = np.array([e[0] for e in extents], dtype=float)
    highs = np.array([e[1] for e in extents], dtype=float)
    names = [f"#{n} {r}" for n, r in zip(runs["number"], runs["run_id"])]
    x_lows, x_highs = [e[2] for e in extents], [e[3] for e in extents]
    if others is not None and len(others.names):
        lows, highs = np.concatenate([lows, others.lows]), np.concatenate([highs, others.highs])
        names, x_lows, x_highs = (names + others.names, x_lows + others.x_lows,
                                  x_highs + others.x_highs)
    scale = metric_scale(lows, highs, scale=yscale, mode=yrange)
    marks = outlier_marks(scale, lows, highs, x_lows, x_highs, names, key=key)
    drawn = MetricScale(scale.log, scale.range, scale.outliers[:len(extents)], scale.note)
    return drawn, scale.yaxis(title(key)), marks


def curves_notes(marks: list[dict[str, Any]], note: str) -> tuple[list[dict[str, Any]], int]:
    """(annotations, top margin): the axis's marks and notes, and `note` (which runs
    are drawn) on the line above them."""
    if not note:
        return marks, _MARGIN_TOP
    line = sum(1 for m in marks if m.get("xref") == "paper")
    return marks + [note_annotation(note, line)], _MARGIN_TOP + 15 * max(0, line - 1)


BAND_FILL = "rgba(140,150,165,0.18)"  # lowest to highest
BAND_CORE = "rgba(110,120,135,0.30)"  # middle half
BAND_MEDIAN = "#7b8494"


def band_traces(band: Band, key: str) -> list[dict[str, Any]]:
    """The band (`curves.band_of`) as `curves.BAND_TRACES` traces, each pair filled
    between, to go beneath the runs' lines; the median's hover gives every figure of
    its stretch of steps."""
    x = band.x.tolist()
    base = {"type": "scatter", "mode": "lines", "x": x, "showlegend": False, "meta": "band"}
    edge = {**base, "hoverinfo": "skip"}
    where = ("step %{x}" if band.width == 1
             else f"steps around %{{x}} (stretches of {band.width})")
    return [
        {**edge, "name": "band low", "y": _list(_round(band.low)),
         "line": {"width": 0, "color": BAND_FILL}},
        {**edge, "name": "band high", "y": _list(_round(band.high)), "fill": "tonexty",
         "fillcolor": BAND_FILL, "line": {"width": 0, "color": BAND_FILL}},
        {**edge, "name": "band q1", "y": _list(_round(band.q1)),
         "line": {"width": 0, "color": BAND_CORE}},
        {**edge, "name": "band q3", "y": _list(_round(band.q3)), "fill": "tonexty",
         "fillcolor": BAND_CORE, "line": {"width": 0, "color": BAND_CORE}},
        {**base, "name": "band median", "y": _list(_round(band.median)),
         "line": {"width": 1, "color": BAND_MEDIAN, "dash": "dash"},
         "customdata": [_list(row) for row in np.column_stack(
             [_round(band.low), _round(band.q1), _round(band.q3), _round(band.high)]).tolist()],
         "hovertemplate": (f"<b>the {band.runs:,} ended runs</b>, {where}<br>"
                           f"median {plain(key)} %{{y:.4g}}<br>middle half %{{customdata[1]:.4g}}"
                           f" to %{{customdata[2]:.4g}}<br>lowest %{{customdata[0]:.4g}}, "
                           f"highest %{{customdata[3]:.4g}}<extra></extra>")},
    ]


def curves_figure(curves: pd.DataFrame, runs: pd.DataFrame, *, key: str | None,
                  axes: Sequence[ParamAxis], goal: str, selected: np.ndarray | None = None,
                  empty_text: str | None = None, yscale: str = "linear",
                  yrange: str = "robust", band: Band | None = None,
                  others: Extents | None = None, note: str = "") -> dict[str, Any]:
    """The key against step for each run of `runs` (one trace per run, in run order,
    after the `band`'s traces when there is one, so that a live update can replace
    one run's trace by its index); the y-axis per `yscale` and `yrange` (counting
    `others` too), outlier runs dotted and marked (see `scales`); `note` says which
    runs are drawn (see `curves`)."""
    if key is None or curves.empty:
        return message_figure(empty_text or "No points logged yet.")
    webgl = len(curves) > WEBGL_ABOVE
    colors = run_colors(runs, goal, selected)
    codes = pd.Categorical(curves["run_id"], categories=runs["run_id"]).codes
    bounds = np.searchsorted(codes, np.arange(len(runs) + 1))
    steps, values = curves["step"].to_numpy(), curves["value"].to_numpy(dtype=float)
    per_run = [(steps[bounds[i]:bounds[i + 1]], values[bounds[i]:bounds[i + 1]])
               for i in range(len(runs))]
    scale, yaxis, marks = curves_axis(runs, [extent_of(*c) for c in per_run], key=key,
                                      yscale=yscale, yrange=yrange, others=others)
    data = band_traces(band, key) if band is not None else []
    for i, run in enumerate(records(runs)):
        data.append(curve_trace(run, *per_run[i], key=key, axes=axes, color=colors[i],
                                webgl=webgl, outlier=bool(scale.outliers[i])))
    stops = stop_marks_trace(runs, steps, values, bounds)
    if stops is not None:
        data.append(stops)  # after every run's trace: live patches address runs by index
    annotations, top = curves_notes(marks, note)
    return {"data": data, "layout": layout(
        xaxis={"title": title("step")}, yaxis=yaxis, annotations=annotations, showlegend=False,
        hovermode="closest", uirevision=f"curves:{key}:{yscale}:{yrange}",
        margin={"l": 55, "r": 20, "t": top, "b": 45})}


def stop_marks_trace(runs: pd.DataFrame, steps: np.ndarray, values: np.ndarray,
                     bounds: np.ndarray) -> dict[str, Any] | None:
    """An x where each early-terminated run's curve ends, its hover saying the band,
    the run's value and the threshold it was worse than; None when no run was."""
    xs, ys, texts, run_ids = [], [], [], []
    for i, run in enumerate(records(runs)):
        reason = run.get("reason") or ""
        if run["state"] != "stopped" or "band " not in reason or bounds[i + 1] <= bounds[i]:
            continue
        xs.append(float(steps[bounds[i + 1] - 1]))
        ys.append(float(values[bounds[i + 1] - 1]))
        texts.append(plain(f"#{run['number']} {run['run_id']} stopped: {reason}"))
        run_ids.append(run["run_id"])
    if not xs:
        return None
    return {
        "type": "scatter", "mode": "markers", "name": "stopped early", "x": xs, "y": ys,
        "text": texts, "customdata": run_ids, "meta": "stopped-early",
        "hovertemplate": f"%{{text}}{CLICK_HINT}<extra></extra>",
        "marker": {"symbol": "x", "size": 11, "color": "#d62728", "line": {"width": 1}},
    }


# ---------------------------------------------------------------- importance


def importance_rows(features: pd.DataFrame) -> pd.DataFrame:
    """The importance chart's rows, top first: parameters by importance (their
    columns' sum), a categorical's values under it in config order; with `total`,
    the parameter's importance, and `n`, how many columns it has."""
    params = by_parameter(features)
    total = dict(zip(params["param"], params["importance"]))
    rank = {p: i for i, p in enumerate(params["param"])}
    rows = features.assign(total=features["param"].map(total),
                           rank=features["param"].map(rank),
                           n=features.groupby("param")["feature"].transform("size"),
                           order=np.arange(len(features)))
    return rows.sort_values(["rank", "order"], kind="stable").reset_index(drop=True)


def importance_figure(features: pd.DataFrame, *, key: str | None, n_runs: int,
                      goal: str) -> dict[str, Any]:
    """Importance and correlation bars (`analysis.feature_importance`), one row per
    numeric parameter and one per value of a categorical ("opt=adam": its share of
    the parameter's importance, and how runs that took it compare), the most
    important parameter on top."""
    if key is None:
        return message_figure("No metric to explain yet.")
    if features.empty:
        return message_figure(
            f"Parameter importance needs at least {MIN_IMPORTANCE_RUNS} ended runs "
            f"with {key} ({n_runs} so far).")
    rows = importance_rows(features).iloc[::-1]
    labels = [plain(f) for f in rows["feature"]]
    corr = rows["correlation"].to_numpy(dtype=float)
    better = -1 if goal == "minimize" else 1
    whole = [f" (all of {plain(p)}: {t:.3f})" if n > 1 else ""
             for p, t, n in zip(rows["param"], rows["total"], rows["n"])]
    data = [
        {"type": "bar", "orientation": "h", "x": rows["importance"].round(4).tolist(),
         "y": labels, "xaxis": "x", "yaxis": "y", "marker": {"color": "#4c78a8"},
         "name": "importance", "customdata": whole,
         "hovertemplate": "%{y}: importance %{x:.3f}%{customdata}<extra></extra>"},
        {"type": "bar", "orientation": "h", "x": _list(np.round(np.nan_to_num(corr), 4).tolist()),
         "y": labels, "xaxis": "x2", "yaxis": "y", "name": "correlation",
         "marker": {"color": ["#2ca02c" if c * better > 0 else "#d62728"
                              for c in np.nan_to_num(corr)]},
         "customdata": ["n/a" if math.isnan(c) else f"{c:+.3f}" for c in corr],
         "hovertemplate": "%{y}: r = %{customdata}<extra></extra>"},
    ]
    top = max(0.05, float(rows["importance"].max()) * 1.1)
    heading = {"showarrow": False, "xref": "paper", "yref": "paper", "y": 1.0,
               "yanchor": "bottom", "font": {"size": 12}}
    return {"data": data, "layout": layout(
        showlegend=False, margin={"l": 110, "r": 20, "t": 40, "b": 30},
        xaxis={"domain": [0, 0.48], "range": [0, top]},
        xaxis2={**_AXIS, "domain": [0.52, 1], "range": [-1, 1], "zeroline": True,
                "zerolinecolor": "#9aa4b2"},
        yaxis={"type": "category"},
        uirevision=f"importance:{key}",
        annotations=[
            {**heading, "text": "importance (random forest)", "x": 0.24, "xanchor": "center"},
            {**heading, "text": plain(f"correlation with {key} (green: better {key})"), "x": 0.76,
             "xanchor": "center"},
        ])}


# ---------------------------------------------------------------- parallel coordinates


def log_ticks(lo: float, hi: float, *, least: int = 3) -> tuple[list[float], list[str]]:
    """Tick positions (log10) and labels (real values) for a log axis spanning lo..hi:
    decades, or 1-3 or 1-2-5 steps, or every digit, whichever first gives `least`
    ticks. (Plotly's parallel coordinates snap a brush to the gaps between an axis's
    ticks, so their log axes ask for more ticks: `PARCOORDS_LOG_TICKS`.)"""
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return [], []
    if hi - lo < 1e-12:
        return [lo], [f"{10 ** lo:.3g}"]
    for mantissas in ((1,), (1, 3), (1, 2, 5), range(1, 10)):
        ticks = [math.log10(m) + k for k in range(math.floor(lo), math.ceil(hi) + 1)
                 for m in mantissas]
        ticks = [t for t in ticks if lo - 1e-9 <= t <= hi + 1e-9]
        if len(ticks) >= least:
            break
    if len(ticks) < 2:
        ticks = [float(t) for t in np.linspace(lo, hi, 4)]
    return ticks, [f"{10 ** t:.3g}" for t in ticks]


PARCOORDS_LOG_TICKS = 6


def parcoords_metric_log(runs: pd.DataFrame, yscale: str) -> bool:
    """Is the metric axis of the parallel coordinates drawn as log10 of the values?
    (With `yscale` "log" and every value > 0.)"""
    return yscale == "log" and log_possible(runs["value"].to_numpy(dtype=float))


def parcoords_metric_values(values: np.ndarray, log: bool) -> list[float]:
    """The metric axis's coordinates of values (log10 on a log axis), rounded."""
    values = np.asarray(values, dtype=float)
    return _round(np.log10(values) if log else values)


def parcoords_figure(runs: pd.DataFrame, axes: Sequence[ParamAxis], *, key: str | None,
                     goal: str, selection: Mapping[str, Any] | None = None,
                     uirevision: str = "", yscale: str = "linear") -> dict[str, Any]:
    """A parallel-coordinates plot of the parameters and the metric, coloured by the
    metric; brushed ranges (`selection`, by dimension label) are drawn as constraints.
    Log-distributed parameters are drawn as log10 with ticks at real values, and so
    is the metric with `yscale` "log" (when every value is > 0; the trace's `meta`
    says whether: the metric's brushed ranges are kept in values, see
    `analysis.apply_restyle`). Labels are plotly markup; tick labels are plain text
    (plotly draws them as such)."""
    selection = selection or {}
    if not axes:
        return message_figure("The sweep has no searched parameters.")
    values = runs["value"].to_numpy(dtype=float)
    has_value = np.isfinite(values)
    rows = runs[has_value] if has_value.any() else runs
    if rows.empty:
        return message_figure("No runs yet.")
    dims = []
    for axis in axes:
        coords = axis.encode(rows[axis.column])
        dim: dict[str, Any] = {"label": plain(axis.name), "values": _list(_round(coords))}
        finite = coords[np.isfinite(coords)]
        if axis.kind == "categorical":
            n = len(axis.categories)
            dim.update(tickvals=list(range(n)), ticktext=axis.labels(), range=[0, max(1, n - 1)])
        elif axis.kind == "log" and finite.size:
            dim["tickvals"], dim["ticktext"] = log_ticks(float(finite.min()), float(finite.max()),
                                                         least=PARCOORDS_LOG_TICKS)
        elif axis.integer and finite.size and finite.max() - finite.min() <= 12:
            ticks = list(range(int(finite.min()), int(finite.max()) + 1))
            dim.update(tickvals=ticks, ticktext=[str(t) for t in ticks])
        if selection.get(dim["label"]):
            dim["constraintrange"] = selection[dim["label"]]
        dims.append(dim)
    line: dict[str, Any] = {"color": NO_VALUE_COLOR}
    log = False
    if key is not None and has_value.any():
        label = metric_label(key, axes)
        log = parcoords_metric_log(rows, yscale)
        metric_values = parcoords_metric_values(rows["value"].to_numpy(dtype=float), log)
        metric_dim: dict[str, Any] = {"label": label, "values": metric_values}
        colorbar: dict[str, Any] = {"title": title(key), "thickness": 12, "x": 1.0}
        if log:
            lo, hi = min(metric_values), max(metric_values)
            ticks, text = log_ticks(lo, hi, least=PARCOORDS_LOG_TICKS)
            metric_dim.update(tickvals=ticks, ticktext=text)
            colorbar["tickvals"], colorbar["ticktext"] = log_ticks(lo, hi)
        if selection.get(label):
            ranges = selection[label]
            if log:
                ranges = [[math.log10(max(lo, 1e-300)), math.log10(max(hi, 1e-300))]
                          for lo, hi in normalize_ranges(ranges)]
            metric_dim["constraintrange"] = ranges
        dims.append(metric_dim)
        line = {"color": metric_values, **colorscale(goal), "showscale": True,
                "colorbar": colorbar}
    trace = {
        "type": "parcoords", "dimensions": dims, "line": line, "meta": {"metric_log": log},
        "uirevision": uirevision or "parcoords", "domain": {"x": [0.0, 0.9]},
        "unselected": {"line": {"color": "#d9d9d9", "opacity": 0.25}},
        "labelfont": {"size": 12}, "tickfont": {"size": 10},
    }
    fig = {"data": [trace], "layout": layout(margin={"l": 60, "r": 90, "t": 50, "b": 20})}
    if key is not None and not has_value.any():
        fig["layout"]["annotations"] = [{
            "text": plain(f"no run has logged {key} yet"), "showarrow": False, "x": 0.5, "y": -0.05,
            "xref": "paper", "yref": "paper"}]
    return fig


# ---------------------------------------------------------------- tables


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.6g}") if math.isfinite(value) else None
    if value is None:
        return None
    if isinstance(value, (bool, dict, list)):
        return category_label(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return _cell(float(value))
    return value


# The runs table's action cells: clicking one asks the controller (app.py).
ACTION_COLUMNS = ("ignore_action", "requeue_action")


def runs_table_columns(axes: Sequence[ParamAxis], key: str | None) -> list[dict[str, Any]]:
    number = Format(precision=4, scheme=Scheme.decimal_or_exponent, trim=Trim.yes)
    columns = [
        {"id": "number", "name": "#", "type": "numeric"},
        {"id": "run_id", "name": "run", "type": "text"},
        {"id": "open", "name": "", "type": "text", "presentation": "markdown"},
        {"id": "state", "name": "state", "type": "text"},
        {"id": "mark", "name": "", "type": "text"},
        {"id": "version", "name": "config v", "type": "numeric"},
    ]
    for axis in axes:
        kind = "text" if axis.kind == "categorical" else "numeric"
        col = {"id": axis.column, "name": axis.name, "type": kind}
        if kind == "numeric":
            col["format"] = number
        columns.append(col)
    columns += [
        {"id": "value", "name": key or "metric", "type": "numeric", "format": number},
        {"id": "duration", "name": "duration (s)", "type": "numeric",
         "format": Format(precision=3, scheme=Scheme.decimal_or_exponent, trim=Trim.yes)},
        {"id": "points", "name": "points", "type": "numeric"},
        {"id": "reason", "name": "why it ended", "type": "text"},
        {"id": "ignore_action", "name": "", "type": "text"},
        {"id": "requeue_action", "name": "", "type": "text"},
    ]
    return columns


def run_mark(prior: Any, ignored: Any) -> str:
    """The runs table's word for a prior and / or ignored run."""
    return ", ".join(w for w, on in (("prior", prior is True or prior is np.True_),
                                     ("ignored", ignored is True or ignored is np.True_)) if on)


def runs_table_row(run: Mapping[str, Any], axes: Sequence[ParamAxis],
                   link: Callable[[str], str] | None = None) -> dict[str, Any]:
    """A row of the runs table; `link(run_id)`: the run page's URL, or None. The
    "open" cell is the one markdown cell of the dashboard: a link made only of ids
    ([A-Za-z0-9_-], checked here and by `link`), never of text a user wrote."""
    row = {k: _cell(run.get(k)) for k in ("number", "run_id", "state", "version", "value",
                                          "duration", "points", "reason")}
    row["id"] = run.get("run_id")  # the row id Dash reports with a clicked cell
    url = link(row["id"]) if link is not None and valid_id(str(row["id"])) else None
    row["open"] = f"[run page]({url})" if url else ""
    row["mark"] = run_mark(run.get("prior"), run.get("ignored"))
    row["ignore_action"] = "unignore" if run.get("ignored") is True else "ignore"
    row["requeue_action"] = "requeue"
    for axis in axes:
        value = run.get(axis.column)
        row[axis.column] = category_label(value) if axis.kind == "categorical" else _cell(value)
    return row


def runs_table_values(runs: pd.DataFrame, axes: Sequence[ParamAxis], column: str) -> pd.Series:
    """A column of the runs table as the table holds it (the values its filter and
    sort see), for every run of `runs`; KeyError for a column it does not have."""
    if column == "mark":
        return pd.Series([run_mark(p, i) for p, i in zip(flag(runs, "prior"), flag(runs, "ignored"))],
                         dtype=object)
    if column == "ignore_action":
        return pd.Series(np.where(flag(runs, "ignored"), "unignore", "ignore"), dtype=object)
    if column in ("requeue_action", "open"):
        return pd.Series(["requeue" if column == "requeue_action" else "run page"] * len(runs),
                         dtype=object)
    for axis in axes:
        if axis.column == column and axis.kind == "categorical":
            return runs[column].map(category_label).astype(object).reset_index(drop=True)
    return runs[column].reset_index(drop=True)


def runs_table_rows(runs: pd.DataFrame, axes: Sequence[ParamAxis],
                    link: Callable[[str], str] | None = None) -> list[dict[str, Any]]:
    return [runs_table_row(r, axes, link) for r in records(runs)]


VERSIONS_COLUMNS = [
    {"id": "version", "name": "version", "type": "numeric"},
    {"id": "time", "name": "time (UTC)", "type": "text"},
    {"id": "changed", "name": "changed", "type": "text"},
]


def versions_rows(versions: pd.DataFrame) -> list[dict[str, Any]]:
    """The config-history table's rows, newest first: version, UTC time, the field
    paths it changed ("created" for version 1)."""
    rows = []
    for v in reversed(records(versions)):
        rows.append({
            "version": int(v["version"]),
            "time": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(v["time"])),
            "changed": ", ".join(v["changed"]) or "created",
        })
    return rows


def duration_text(seconds: float | None) -> str:
    if seconds is None or not np.isfinite(seconds):
        return ""
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h {m:02d}m" if h else f"{m}m {s:02d}s" if m else f"{s}s"


def _text(value: Any) -> str:
    """A text column's value; "" for a missing one (pandas reads None as NaN)."""
    return value if isinstance(value, str) else ""


def sweeps_table_rows(sweeps: pd.DataFrame) -> list[dict[str, Any]]:
    """The sweeps list's rows as plain values (`layout.sweeps_table` draws them, the
    name as the text of a link to the sweep: never markdown or HTML)."""
    rows = []
    for s in records(sweeps):
        runs = " / ".join(f"{s[f'n_{state}']} {state}" for state in
                          ("running", "finished", "failed", "crashed", "stopped", "pending")
                          if s[f"n_{state}"])
        rows.append({
            "id": s["id"],
            "name": _text(s["name"]) or s["id"],
            "sweep": s["id"], "method": s["method"], "state": s["state"],
            "project": _text(s.get("project")) or DEFAULT_PROJECT,
            "runs": runs or "no runs yet", "total": s["n_total"],
            "metric": _text(s["metric"]),
            "best": _cell(s["best_value"]), "best_run": _text(s["best_run"]),
            "created": datetime.fromtimestamp(s["created"]).strftime("%Y-%m-%d %H:%M:%S"),
            "elapsed": duration_text(s["elapsed"]),
        })
    return rows
