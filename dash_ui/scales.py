"""Metric axes: the log scale and the y-range that ignores outlier runs.

A chart's metric axis is drawn on a log scale when the user asks for one and every
value it draws is > 0; otherwise it stays linear and the chart says why.

The y-range ("robust", the default) ignores outlier runs. Each run contributes the
extent of what it draws (lowest and highest point of its curve, or its one value);
on the axis's scale (log10 on a log axis), with Q1 the lower quartile of the runs'
lows, Q3 the upper quartile of their highs and S = Q3 - Q1 the span of the bulk of
the runs, a run is an outlier when it reaches above Q3 + 3 S or below Q1 - 3 S. The
range then covers every other run (plus a small margin), and each outlier is marked
where it leaves the range: a triangle on the edge it crosses, its hover giving the
run and how far it goes, and a note saying how many runs lie beyond. Outliers are
drawn, not hidden (a curve leaves the chart at the edge). With fewer than MIN_RUNS
runs, or no outlier, or "all runs" chosen, the range is plotly's own (every point).

Plain functions of arrays; `figures` turns the result into axes and annotations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from .plotly_text import plain

MIN_RUNS = 5  # fewer runs than this: no run is called an outlier
FAR = 3.0  # how many bulk spans beyond the quartiles an outlier reaches
PAD = 0.04  # margin of the robust range, as a share of it
MAX_MARKS = 20  # outliers marked one by one (the most extreme); the note counts all
SCALES = ("linear", "log")
RANGES = ("robust", "all")
LOG_REFUSED = "a log scale needs values above 0: drawn linear"
OUTLIER_COLOR = "#d62728"


@dataclass
class MetricScale:
    """How one metric axis is drawn."""

    log: bool  # a log axis
    range: list[float] | None  # [lo, hi] in axis units (log10 on a log axis); None: plotly's
    outliers: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # per run
    note: str = ""  # why the log scale was refused, "" when it was not

    def yaxis(self, title: dict[str, Any]) -> dict[str, Any]:
        axis: dict[str, Any] = {"title": title, "type": "log" if self.log else "linear"}
        if self.range is not None:
            axis.update(range=self.range, autorange=False)
        else:
            axis["autorange"] = True
        return axis


def log_possible(values: np.ndarray) -> bool:
    """True when every finite value is > 0 (a log axis can draw them all)."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    return bool(finite.size == 0 or finite.min() > 0)


def metric_scale(lows: Sequence[float], highs: Sequence[float], *, scale: str = "linear",
                 mode: str = "robust") -> MetricScale:
    """The axis for runs whose drawn points span lows[i]..highs[i] (NaN: nothing drawn)."""
    lows = np.asarray(lows, dtype=float)
    highs = np.asarray(highs, dtype=float)
    has = np.isfinite(lows) & np.isfinite(highs)
    none = np.zeros(len(lows), dtype=bool)
    log = scale == "log"
    note = ""
    if log and not log_possible(lows[has]):
        log, note = False, LOG_REFUSED
    if mode != "robust" or int(has.sum()) < MIN_RUNS:
        return MetricScale(log, None, none, note)
    lo_t, hi_t = (np.log10(lows), np.log10(highs)) if log else (lows, highs)
    q1 = float(np.quantile(lo_t[has], 0.25))
    q3 = float(np.quantile(hi_t[has], 0.75))
    span = q3 - q1
    if not span > 0:  # the bulk is one flat line: no range would flatten it
        return MetricScale(log, None, none, note)
    outliers = has & ((hi_t > q3 + FAR * span) | (lo_t < q1 - FAR * span))
    if not outliers.any():
        return MetricScale(log, None, outliers, note)
    inner = has & ~outliers
    lo, hi = float(lo_t[inner].min()), float(hi_t[inner].max())
    pad = (hi - lo) * PAD if hi > lo else max(abs(hi), 1.0) * PAD
    return MetricScale(log, [lo - pad, hi + pad], outliers, note)


def outlier_marks(scale: MetricScale, lows: Sequence[float], highs: Sequence[float],
                  x_lows: Sequence[Any], x_highs: Sequence[Any], names: Sequence[str], *,
                  key: str, at: str = "step", xref: str = "x", yref: str = "y",
                  note: bool = True) -> list[dict[str, Any]]:
    """Layout annotations for a chart (axes xref, yref) drawn with `scale`: a triangle
    where each outlier leaves the range (at the x of its lowest or highest point), its
    hover naming the run, the value and (with `at`) where; and (with `note`) a note
    counting the outliers. User text (names, key) goes through `plain`."""
    marks: list[dict[str, Any]] = []
    if scale.note and note:
        marks.append(note_annotation(scale.note, 0))
    if scale.range is None or not scale.outliers.any():
        return marks
    lo_edge, hi_edge = scale.range
    to_axis = np.log10 if scale.log else (lambda v: v)
    found = []
    for i in np.flatnonzero(scale.outliers):
        above = to_axis(highs[i]) > hi_edge
        value = highs[i] if above else lows[i]
        x = x_highs[i] if above else x_lows[i]
        distance = to_axis(value) - (hi_edge if above else lo_edge)
        found.append((abs(distance), above, x, value, names[i]))
    found.sort(key=lambda f: -f[0])
    for _, above, x, value, name in found[:MAX_MARKS]:
        where = f" at {at} {x}" if at else ""
        text = f"{name}: {key} reaches {value:.4g}{where}, beyond the y-range"
        marks.append({
            "x": x, "xref": xref, "y": 1 if above else 0, "yref": f"{yref} domain",
            "yanchor": "top" if above else "bottom", "showarrow": False,
            "text": "▲" if above else "▼", "font": {"color": OUTLIER_COLOR, "size": 13},
            "hovertext": plain(text),
        })
    n = len(found)
    if note:
        runs = "1 outlier run" if n == 1 else f"{n} outlier runs"
        marks.append(note_annotation(f"{runs} beyond the y-range (▲▼): range 'all runs' shows "
                           f"{'it' if n == 1 else 'them'}", 1 if scale.note else 0))
    return marks


def note_annotation(text: str, line: int) -> dict[str, Any]:
    """A note above the chart's top left corner (`line` 0, 1: one above the other),
    clear of plotly's mode bar on the right."""
    return {"text": plain(text), "showarrow": False, "xref": "paper", "yref": "paper",
            "x": 0.0, "xanchor": "left", "y": 1.0, "yanchor": "bottom", "yshift": 15 * line,
            "font": {"size": 11, "color": "#6b7280"}}


__all__ = ["LOG_REFUSED", "MIN_RUNS", "MetricScale", "RANGES", "SCALES", "log_possible",
           "metric_scale", "note_annotation", "outlier_marks"]
