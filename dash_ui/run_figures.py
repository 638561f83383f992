"""A run's page as plain functions of its data: metric charts, facts and tables.

Each logged key gets its own chart of value against step. A whole curve is drawn
with at most THIN_POINTS points (the minimum and the maximum of each of
THIN_POINTS / 2 equal buckets, `data.downsample`, so spikes survive); once the
chart is zoomed, `visible_points` sends the zoomed range at full resolution when it
holds at most FULL_RESOLUTION points (else thinned again, finer), with the rest of
the curve thinned beside it so that panning shows something at once. Values are sent
as float64: a hover shows what was logged.

Everything a user wrote (keys, values, reasons, output) reaches a figure through
`plotly_text.plain` and a page only as the text of components.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any, Mapping, Sequence

import numpy as np

from sweepd.config import SweepConfig, flatten
from sweepd.domain import Run, RunOutput, RunState, StopReason

from .data import RunRecord, category_label, downsample, is_number
from .figures import WEBGL_ABOVE, duration_text, layout, message_figure, title, typed_array
from .plotly_text import plain
from .tables import Link

THIN_POINTS = 2_000  # points a whole curve is drawn with
FULL_RESOLUTION = 50_000  # a zoomed range with at most this many points shows them all
EARLY_STOP_KINDS = ("hyperband", "asha", "median")


# ---------------------------------------------------------------- metric charts


def visible_points(steps: np.ndarray, values: np.ndarray, xrange: Sequence[float] | None
                   ) -> tuple[np.ndarray, np.ndarray, bool]:
    """(x, y, every point of the range is drawn) for a curve sorted by step, zoomed
    to `xrange` (None: the whole curve)."""
    if xrange is None:
        x, y = downsample(steps, values, THIN_POINTS)
        return x, y, len(x) == len(steps)
    lo, hi = sorted(float(v) for v in xrange)
    # one point past each edge, so that the line runs to the edges of the chart
    start = max(0, int(np.searchsorted(steps, lo, "left")) - 1)
    end = min(len(steps), int(np.searchsorted(steps, hi, "right")) + 1)
    full = end - start <= FULL_RESOLUTION
    if full:
        mid_x, mid_y = steps[start:end], values[start:end]
    else:
        mid_x, mid_y = downsample(steps[start:end], values[start:end], THIN_POINTS)
    left = downsample(steps[:start], values[:start], THIN_POINTS // 2)
    right = downsample(steps[end:], values[end:], THIN_POINTS // 2)
    return (np.concatenate([left[0], mid_x, right[0]]),
            np.concatenate([left[1], mid_y, right[1]]), full)


def zoom_change(relayout: Mapping[str, Any] | None) -> dict[str, list[float] | None] | None:
    """What a chart's relayoutData changes of its axes: {"x": [lo, hi]} after a zoom or
    a pan along x (and "y" likewise), None for an axis reset to its whole range (a
    double-click); None when neither axis changed (an autosize, a hover mode)."""
    if not relayout:
        return None
    change: dict[str, list[float] | None] = {}
    for axis in ("x", "y"):
        name = f"{axis}axis"
        if relayout.get(f"{name}.autorange"):
            change[axis] = None
            continue
        pair = relayout.get(f"{name}.range")
        if pair is None and f"{name}.range[0]" in relayout and f"{name}.range[1]" in relayout:
            pair = [relayout[f"{name}.range[0]"], relayout[f"{name}.range[1]"]]
        try:
            lo, hi = (float(v) for v in pair)
        except (TypeError, ValueError):
            continue
        if math.isfinite(lo) and math.isfinite(hi):
            change[axis] = [min(lo, hi), max(lo, hi)]
    return change or None


def _steps_dtype(steps: np.ndarray) -> str:
    small = not len(steps) or (steps.min() >= -(2**31) and steps.max() < 2**31)
    return "i4" if small and steps.dtype.kind in "iu" else "f8"


def metric_figure(key: str, steps: np.ndarray, values: np.ndarray, *,
                  zoom: Mapping[str, Sequence[float] | None] | None = None,
                  stop: tuple[float, StopReason] | None = None) -> dict[str, Any]:
    """One key against step, thinned or zoomed (see the module docstring); `zoom`:
    the chart's {"x": [lo, hi], "y": [lo, hi]} (an axis left out or None: its whole
    range), drawn as the axes' ranges so that a redraw keeps them; `stop`: (the step
    it was stopped at, why) marks an early stop and its threshold."""
    if not len(steps):
        return message_figure(f"{key}: no points")
    zoom = zoom or {}
    xrange = zoom.get("x")
    x, y, full = visible_points(steps, values, xrange)
    shown = plain(key)
    data = [{
        "type": "scattergl" if len(x) > WEBGL_ABOVE else "scatter", "mode": "lines+markers"
        if len(x) <= 60 else "lines", "name": shown,
        "x": typed_array(x, _steps_dtype(x)), "y": typed_array(y, "f8"),
        "line": {"color": "#1f77b4", "width": 1.5}, "marker": {"size": 4},
        "hovertemplate": f"step %{{x}}<br>{shown} %{{y:.6g}}<extra></extra>",
    }]
    shapes, notes = [], [_points_note(len(steps), len(x), full, xrange is not None)]
    if stop is not None:
        step, reason = stop
        data.append({
            "type": "scatter", "mode": "markers", "name": "stopped", "x": [step],
            "y": [reason.value], "marker": {"symbol": "x", "size": 12, "color": "#d62728"},
            "hovertemplate": plain(f"stopped by {reason.kind} at band {reason.band}: "
                                   f"{reason.value:.6g} vs threshold {reason.threshold:.6g}")
            + "<extra></extra>"})
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
                       "y0": reason.threshold, "y1": reason.threshold,
                       "line": {"color": "#d62728", "width": 1, "dash": "dash"}})
        notes.append({"text": plain(f"band-{reason.band} threshold {reason.threshold:.4g}"),
                      "xref": "paper", "x": 0, "xanchor": "left", "yref": "y",
                      "y": reason.threshold, "yanchor": "bottom", "showarrow": False,
                      "font": {"size": 11, "color": "#d62728"}})
    axes = {name: ({"range": list(zoom[axis]), "autorange": False} if zoom.get(axis) else {})
            for axis, name in (("x", "xaxis"), ("y", "yaxis"))}
    heading = f"{shown} <span style='font-size:10px;color:#6b7280'>{notes.pop(0)}</span>"
    return {"data": data, "layout": layout(
        title={"text": heading, "font": {"size": 13}, "x": 0.01, "xanchor": "left"},
        xaxis={"title": title("step"), **axes["xaxis"]}, yaxis=axes["yaxis"], showlegend=False,
        hovermode="closest", margin={"l": 55, "r": 15, "t": 32, "b": 40}, shapes=shapes,
        annotations=notes, uirevision=f"run-metric:{key}",
        meta={"points": int(len(steps)), "drawn": int(len(x)), "full": bool(full)})}


def _points_note(total: int, drawn: int, full: bool, zoomed: bool) -> str:
    if total == 1:
        return "1 point"
    if full and not zoomed:
        return f"all {total:,} points"
    if full:
        return f"{total:,} points; the zoomed range at full resolution"
    return f"{total:,} points, thinned to {drawn:,}: zoom in for every point"


def stop_mark(run: Run, key: str, metric: str | None, log_steps: np.ndarray
              ) -> tuple[float, StopReason] | None:
    """Where an early-stopped run's metric chart marks its stop: at the step of the
    band-th value it logged (the values the rule counts), when the key is the metric."""
    reason = run.stop_reason
    if (key != metric or reason is None or reason.band is None or reason.value is None
            or reason.threshold is None or not len(log_steps)):
        return None
    index = min(max(reason.band, 1), len(log_steps)) - 1
    return float(log_steps[index]), reason


# ---------------------------------------------------------------- words


def when(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))


def value_text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return category_label(value)


def ending_text(run: Run, metric: str | None = None) -> str:
    """Why the run ended (or that it has not), in words."""
    reason = run.stop_reason
    state = run.state
    if not state.terminal:
        return "asked to stop: " + stop_words(reason, metric) if run.should_stop and reason \
            else f"{state.value}: it has not ended"
    if state is RunState.FINISHED:
        return "finished" + (f" (exit code {run.exit_code})" if run.exit_code is not None else "")
    if state is RunState.STOPPED:
        return "stopped: " + stop_words(reason, metric)
    return f"{state.value}: {run.error or 'no error given'}"


def stop_words(reason: StopReason | None, metric: str | None) -> str:
    if reason is None:
        return "by a user (the sweep's stop)"
    if reason.kind in EARLY_STOP_KINDS and reason.band is not None and reason.value is not None \
            and reason.threshold is not None:
        name = metric or "its metric"
        return (f"early termination ({reason.kind}) at band {reason.band}: {name} "
                f"{reason.value:.6g} was worse than the threshold {reason.threshold:.6g}")
    words = {"user": "by a user (the sweep's stop)", "cancelled": "the sweep was cancelled",
             "preempted": "its agent went away (preempted)", "lease": "its lease was lost"}
    text = words.get(reason.kind, reason.kind)
    return text + (f" ({reason.message})" if reason.message and reason.kind not in words else "")


def fact_rows(record: RunRecord, *, metric: str | None, goal: str, max_attempts: int = 1,
              now: float | None = None) -> list[tuple[str, str]]:
    """(label, text) for the facts of a run, in reading order; empty ones left out."""
    run = record.run
    now = time.time() if now is None else now
    end = run.ended_at if run.terminal else None
    reason = run.stop_reason
    rows = [
        ("state", run.state.value),
        ("why it ended", ending_text(run, metric)),
        ("stop rule's words", reason.message if reason and reason.message else ""),
        ("band", str(reason.band) if reason and reason.band is not None else ""),
        ("value at the stop", f"{reason.value:.6g}" if reason and reason.value is not None else ""),
        ("threshold", f"{reason.threshold:.6g}" if reason and reason.threshold is not None else ""),
        ("best " + (metric or "metric") + f" ({goal})",
         "" if record.objective is None else f"{record.objective:.6g}"),
        ("attempt", f"{run.attempt} of {max_attempts}" if max_attempts > 1 else str(run.attempt)),
        ("agent", run.agent_id), ("host", run.host),
        ("created", when(run.created_at)), ("started", when(run.started_at)),
        ("ended", when(end)),
        ("waited", duration_text(run.started_at - run.created_at)
         if run.started_at is not None else ""),
        ("ran for", duration_text((end if end is not None else now) - run.started_at)
         if run.started_at is not None else ""),
        ("metric points", f"{run.points:,}"),
        ("exit code", "" if run.exit_code is None else str(run.exit_code)),
        ("config version", str(run.config_version)),
        ("note", run.note),
        ("marks", ", ".join(w for w, on in (("prior run", run.prior), ("ignored", run.ignored))
                            if on)),
    ]
    return [(label, text) for label, text in rows if text]


def config_rows(run: Run, config: SweepConfig | None) -> list[tuple[str, str]]:
    """(parameter, value) of the run's config, nested parameters as dotted paths, in
    the sweep config's order."""
    flat = flatten(run.config, config) if isinstance(run.config, dict) else {}
    return [(name, value_text(value)) for name, value in flat.items()]


def summary_rows(run: Run) -> list[tuple[str, str]]:
    """(key, latest value) of every logged key, by name."""
    return [(key, value_text(value) if is_number(value) or isinstance(value, str)
             else json.dumps(value, default=str)) for key, value in sorted(run.summary.items())]


ATTEMPT_COLUMNS = [("number", "#"), ("run", "run"), ("attempt", "attempt"), ("state", "state"),
                   ("value", "best"), ("ended", "why it ended")]


def attempt_rows(records: Sequence[RunRecord], run: Run, href, *, metric: str | None = None
                 ) -> list[dict[str, Any]]:
    """Every run of the sweep with this run's config (its retries, requeues and the
    runs they repeat), by number; `href(run_id)` is a run page's link."""
    mine = json.dumps(run.config, sort_keys=True)
    rows = []
    for r in records:
        if json.dumps(r.run.config, sort_keys=True) != mine:
            continue
        label = f"{r.run.id} (this run)" if r.run.id == run.id else r.run.id
        rows.append({"number": r.run.number, "run": Link(label, href(r.run.id)),
                     "attempt": r.run.attempt, "state": r.run.state.value,
                     "value": r.objective, "ended": ending_text(r.run, metric), "id": r.run.id})
    return sorted(rows, key=lambda row: row["number"])


def output_parts(output: RunOutput | None, run: Run) -> list[tuple[str, str, str]]:
    """(title, note, text) of each part of what the run wrote, or why there is none."""
    if output is None:
        if not run.terminal:
            return [("output", "sent by the agent when the run ends", "")]
        return [("output", "none stored: a function run that did not raise, a run whose "
                           "agent sent none, or one that crashed", "")]
    parts = []
    for name, text, total in (("stdout", output.stdout, output.stdout_bytes),
                              ("stderr", output.stderr, output.stderr_bytes)):
        if text or total:
            kept = len(text.encode("utf-8"))
            note = (f"all {total:,} bytes" if kept >= total else
                    f"the last {kept:,} of {total:,} bytes")
            parts.append((name, note, text))
    if output.traceback:
        parts.append(("traceback", "the exception that failed the run", output.traceback))
    return parts or [("output", "the program wrote nothing", "")]


__all__ = ["FULL_RESOLUTION", "THIN_POINTS", "attempt_rows", "config_rows", "ending_text",
           "fact_rows", "metric_figure", "output_parts", "stop_mark", "summary_rows",
           "visible_points", "zoom_change"]
