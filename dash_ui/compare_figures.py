"""Sweeps side by side, as plain functions of their data: one runs frame per sweep
(`sweep_runs`), then the figures and the best-runs table of the compare page.

- Best so far (`best_so_far_figure`): for each sweep, its running best of its own
  metric in its own goal, as a step line over its runs by run number or by time since
  the sweep was created (a run counts when it ends; a running run, now), and a faint
  dot per run. Prior and ignored runs are left out, as on a sweep's page.
- Parameter distributions (`params_figure`): one small chart per searched parameter
  (the union over the sweeps): a box per sweep with every run as a jittered dot for
  a numeric parameter (a log axis for log-distributed ones), the share of each
  sweep's runs at each value for a categorical one. Prior runs are left out: they are
  not what the sweep searched.
- Best runs (`best_rows`): each sweep's best run as the controller keeps it (ignored
  runs never are), with its value and its parameters.

Dots carry [sweep id, run id] as customdata: a click opens the run's page.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from sweepd.config import flatten
from sweepd.domain import Sweep

from .analysis import running_best
from .data import PARAM_PREFIX, ParamAxis, RunRecord, category_label, param_axes
from .figures import _AXIS, _list, duration_text, layout, log_ticks, message_figure, title
from .plotly_text import plain
from .tables import Link

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf"]
MAX_SWEEPS = len(PALETTE)  # sweeps one comparison shows
PARAM_COLUMNS = 3  # small charts per row of the parameter distributions
PARAM_ROW_PX = 230


@dataclass
class SweepRuns:
    """One sweep of a comparison: the sweep and a frame of its runs (run_id, number,
    state, value, at (s since the sweep was created), prior, ignored, one p: column per
    searched parameter)."""

    sweep: Sweep
    runs: pd.DataFrame
    axes: list[ParamAxis]

    @property
    def label(self) -> str:
        return self.sweep.name or self.sweep.id


def sweep_runs(sweep: Sweep, records: Sequence[RunRecord], now: float | None = None) -> SweepRuns:
    """The frame of a sweep's runs from their records (values: each run's best of the
    sweep's metric, as the controller keeps it)."""
    now = time.time() if now is None else now
    rows = []
    for record in records:
        run = record.run
        end = run.ended_at if run.terminal else now
        params = flatten(run.config, sweep.config) if isinstance(run.config, dict) else {}
        rows.append({"run_id": run.id, "number": run.number, "state": run.state.value,
                     "value": record.objective, "at": max(0.0, (end or now) - sweep.created_at),
                     "prior": run.prior, "ignored": run.ignored,
                     **{PARAM_PREFIX + name: value for name, value in params.items()}})
    frame = pd.DataFrame(rows, columns=["run_id", "number", "state", "value", "at", "prior",
                                        "ignored"] + sorted({k for r in rows for k in r
                                                             if k.startswith(PARAM_PREFIX)}))
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    return SweepRuns(sweep, frame, param_axes(sweep.config, frame))


def color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


# ---------------------------------------------------------------- best so far


def best_so_far_figure(sweeps: Sequence[SweepRuns], x: str = "number") -> dict[str, Any]:
    """Each sweep's running best on one chart, by run number (x="number") or by time
    since the sweep was created (x="time", in hours when runs span more than 2)."""
    if not sweeps:
        return message_figure("No sweeps to compare.")
    data, span = [], 0.0
    for s in sweeps:
        own = s.runs[~s.runs["prior"].astype(bool) & ~s.runs["ignored"].astype(bool)]
        span = max(span, float(own["at"].max()) if len(own) else 0.0)
    scale, unit = ((3600.0, "hours") if span > 7200 else (60.0, "minutes") if span > 120
                   else (1.0, "s"))
    for i, s in enumerate(sweeps):
        data += _best_traces(s, i, x, scale)
    if not any(len(t["x"]) for t in data):
        return message_figure("No run of these sweeps has a value of its metric yet.")
    metrics = {(s.sweep.config.metric.name or "") for s in sweeps}
    ytitle = next(iter(metrics)) if len(metrics) == 1 else "best value (each sweep's own metric)"
    xaxis = {"title": title("run number")} if x == "number" else {
        "title": title(f"time since the sweep was created ({unit})"), "rangemode": "tozero"}
    return {"data": data, "layout": layout(
        xaxis=xaxis, yaxis={"title": title(ytitle)}, showlegend=True, hovermode="closest",
        legend={"orientation": "h", "y": 1.12, "x": 0, "font": {"size": 11}},
        uirevision=f"compare-best:{x}")}


def _best_traces(s: SweepRuns, index: int, x: str, scale: float) -> list[dict[str, Any]]:
    goal = s.sweep.config.metric.goal or "minimize"
    metric = s.sweep.config.metric.name or "metric"
    runs = s.runs[~s.runs["prior"].astype(bool) & ~s.runs["ignored"].astype(bool)]
    runs = runs[np.isfinite(runs["value"].to_numpy(dtype=float))]
    xs = runs["number"].to_numpy(dtype=float) if x == "number" else runs["at"].to_numpy() / scale
    order = np.argsort(xs, kind="stable")
    xs, values = xs[order], runs["value"].to_numpy(dtype=float)[order]
    ids_ = runs["run_id"].to_numpy()[order]
    numbers = runs["number"].to_numpy()[order]
    best = running_best(values, goal)
    keep = np.ones(len(best), dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    if len(keep):
        keep[-1] = True
    name = plain(s.label)
    line = {"type": "scatter", "mode": "lines", "name": name,
            "x": xs[keep].tolist(), "y": _list(best[keep].tolist()), "legendgroup": s.sweep.id,
            "line": {"color": color(index), "width": 2.5, "shape": "hv"},
            "hovertemplate": f"<b>{name}</b><br>best {plain(metric)} %{{y:.5g}}<extra></extra>"}
    dots = {"type": "scatter", "mode": "markers", "name": name, "showlegend": False,
            "x": xs.tolist(), "y": _list(values.tolist()), "legendgroup": s.sweep.id,
            "marker": {"color": color(index), "size": 6, "opacity": 0.35},
            "customdata": [[s.sweep.id, rid] for rid in ids_],
            "text": [f"#{n} {rid}" for n, rid in zip(numbers, ids_)],
            "hovertemplate": (f"<b>{name}</b> %{{text}}<br>{plain(metric)} %{{y:.5g}}"
                              "<br>click to open the run<extra></extra>")}
    return [line, dots]


# ---------------------------------------------------------------- parameters


def params_figure(sweeps: Sequence[SweepRuns]) -> dict[str, Any]:
    """Every searched parameter's values in each sweep, side by side (module doc)."""
    names = _param_names(sweeps)
    if not names:
        return message_figure("These sweeps search no parameters.")
    rows = math.ceil(len(names) / PARAM_COLUMNS)
    data: list[dict[str, Any]] = []
    axes_layout: dict[str, Any] = {}
    notes = []
    for n, name in enumerate(names):
        row, col = divmod(n, PARAM_COLUMNS)
        suffix = "" if n == 0 else str(n + 1)
        x0 = col / PARAM_COLUMNS + 0.04
        x1 = (col + 1) / PARAM_COLUMNS - 0.02
        y1 = 1 - row / rows - 0.12 / rows
        y0 = 1 - (row + 1) / rows + 0.1 / rows
        kinds = {a.kind for s in sweeps for a in s.axes if a.name == name}
        traces, yaxis = (_category_traces(sweeps, name) if "categorical" in kinds
                         else _numeric_traces(sweeps, name, log=kinds == {"log"}))
        for t in traces:
            t.update(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
        data += traces
        axes_layout[f"xaxis{suffix}"] = {**_AXIS, "domain": [x0, x1], "anchor": f"y{suffix}",
                                         "type": "category", "tickfont": {"size": 10}}
        axes_layout[f"yaxis{suffix}"] = {**_AXIS, "domain": [y0, y1], "anchor": f"x{suffix}",
                                         **yaxis}
        notes.append({"text": f"<b>{plain(name)}</b>", "showarrow": False, "xref": "paper",
                      "yref": "paper", "x": (x0 + x1) / 2, "y": y1, "xanchor": "center",
                      "yanchor": "bottom", "font": {"size": 12}})
    fig = layout(showlegend=False, annotations=notes, boxmode="group", barmode="group",
                 margin={"l": 40, "r": 10, "t": 30, "b": 30}, hovermode="closest",
                 height=params_height(len(names)), uirevision="compare-params")
    fig.update(axes_layout)  # replaces the house xaxis / yaxis with the first chart's
    return {"data": data, "layout": fig}


def params_height(n_params: int) -> int:
    """Pixels the parameter distributions need for n parameters."""
    return PARAM_ROW_PX * max(1, math.ceil(n_params / PARAM_COLUMNS)) + 40


def _param_names(sweeps: Sequence[SweepRuns]) -> list[str]:
    names: list[str] = []
    for s in sweeps:
        names += [a.name for a in s.axes if a.name not in names]
    return names


def _own(s: SweepRuns) -> pd.DataFrame:
    return s.runs[~s.runs["prior"].astype(bool)]


def _numeric_traces(sweeps: Sequence[SweepRuns], name: str, *, log: bool
                    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    traces = []
    column = PARAM_PREFIX + name
    for i, s in enumerate(sweeps):
        runs = _own(s)
        values = pd.to_numeric(runs[column], errors="coerce") if column in runs else pd.Series([])
        keep = np.isfinite(values.to_numpy(dtype=float)) if len(values) else np.zeros(0, bool)
        if log:
            keep &= values.to_numpy(dtype=float) > 0
        picked = runs[keep] if len(values) else runs.iloc[0:0]
        metric = s.sweep.config.metric.name or "value"
        traces.append({
            "type": "box", "name": plain(s.label), "x": [plain(s.label)] * int(keep.sum()),
            "y": values[keep].tolist() if len(values) else [], "boxpoints": "all",
            "jitter": 0.5, "pointpos": 0, "marker": {"color": color(i), "size": 5, "opacity": 0.6},
            "line": {"color": color(i), "width": 1}, "fillcolor": "rgba(0,0,0,0)",
            "customdata": [[s.sweep.id, rid] for rid in picked["run_id"]],
            "text": [f"#{n} {rid}: {plain(metric)} " + ("-" if not np.isfinite(v) else f"{v:.4g}")
                     for n, rid, v in zip(picked["number"], picked["run_id"],
                                          picked["value"].to_numpy(dtype=float))],
            "hovertemplate": f"{plain(name)} %{{y:.4g}}<br>%{{text}}<extra></extra>",
        })
    return traces, (_log_axis(traces) if log else {})


def _log_axis(traces: list[dict[str, Any]]) -> dict[str, Any]:
    """A log axis with ticks at 1, 2 and 5 per decade (or as `figures.log_ticks` picks),
    labelled with the values, not plotly's crowded minor digits."""
    values = np.array([v for t in traces for v in t["y"]], dtype=float)
    if not len(values):
        return {"type": "log"}
    ticks, labels = log_ticks(float(np.log10(values.min())), float(np.log10(values.max())))
    return {"type": "log", "tickvals": [10 ** t for t in ticks], "ticktext": labels}


def _category_traces(sweeps: Sequence[SweepRuns], name: str
                     ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    column = PARAM_PREFIX + name
    labels: list[str] = []
    for s in sweeps:  # the configs' own order of values first, then any other seen
        for a in s.axes:
            if a.name == name:
                labels += [c for c in a.labels() if c not in labels]
    counts = []
    for s in sweeps:
        runs = _own(s)
        seen = [category_label(v) for v in runs[column]] if column in runs else []
        labels += [c for c in dict.fromkeys(seen) if c not in labels]
        counts.append(pd.Series(seen, dtype=object).value_counts() if seen
                      else pd.Series([], dtype=int))
    traces = []
    for i, (s, count) in enumerate(zip(sweeps, counts)):
        total = int(count.sum())
        shares = [float(count.get(c, 0)) / total if total else 0.0 for c in labels]
        traces.append({
            "type": "bar", "name": plain(s.label), "x": [plain(c) for c in labels], "y": shares,
            "marker": {"color": color(i)},
            "customdata": [int(count.get(c, 0)) for c in labels],
            "hovertemplate": (f"<b>{plain(s.label)}</b><br>{plain(name)} = %{{x}}: "
                              "%{y:.0%} (%{customdata} runs)<extra></extra>"),
        })
    return traces, {"tickformat": ".0%", "rangemode": "tozero"}


# ---------------------------------------------------------------- best runs


def best_columns(sweeps: Sequence[SweepRuns]) -> list[tuple[str, str]]:
    """(column id, heading) of the best-runs table: the sweep, its best run, and the
    best run's value of every parameter of any of the sweeps."""
    return [("sweep", "sweep"), ("name", "name"), ("state", "state"), ("method", "method"),
            ("metric", "metric"), ("best", "best"), ("run", "best run"), ("runs", "runs"),
            ("elapsed", "elapsed")] + [(PARAM_PREFIX + n, n) for n in _param_names(sweeps)]


def best_rows(sweeps: Sequence[SweepRuns], href: Callable[[str], str],
              now: float | None = None) -> list[dict[str, Any]]:
    """One row per sweep: its best run (links through `href(path)`), its value, and the
    best run's parameters."""
    now = time.time() if now is None else now
    rows = []
    for s in sweeps:
        sweep = s.sweep
        metric = sweep.config.metric
        end = sweep.updated_at if sweep.state.terminal else now
        row: dict[str, Any] = {
            "id": sweep.id, "sweep": Link(sweep.id, href(f"/sweep/{sweep.id}")),
            "name": s.label, "state": sweep.state.value, "method": sweep.config.method,
            "metric": f"{metric.name} ({metric.goal})" if metric.name else "",
            "best": sweep.best_value, "run": "", "runs": sweep.counts.total,
            "elapsed": duration_text(max(0.0, end - sweep.created_at)),
        }
        best = s.runs[s.runs["run_id"] == (sweep.best_run_id or None)]
        if len(best):
            run = best.iloc[0]
            row["run"] = Link(f"#{int(run['number'])} {sweep.best_run_id}",
                              href(f"/sweep/{sweep.id}/run/{sweep.best_run_id}"))
            for a in s.axes:
                value = run.get(a.column)
                row[a.column] = (f"{value:.4g}" if isinstance(value, float)
                                 else category_label(value))
        rows.append(row)
    return rows


__all__ = ["MAX_SWEEPS", "SweepRuns", "best_columns", "best_rows", "best_so_far_figure",
           "params_figure", "sweep_runs"]
