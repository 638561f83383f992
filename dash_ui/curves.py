"""Which runs the metric-curves chart draws, and the band that stands for the others.

A sweep of 10,000 runs cannot send every run's curve on each page load (12 MB at
1,000 points a run), and 10,000 lines are no picture anyway. So the chart draws one
by one only the runs that matter: every run while the sweep has at most
`CURVES_DRAWN` runs; beyond that, the running runs (the best `CURVES_DRAWN` of them
if more are running) and the `CURVES_DRAWN` best other runs by the chart's metric
(among the runs selected in the parallel coordinates, when some are). Every ended
run is then summed up by a **band** drawn beneath the lines: at each stretch of
steps, the lowest and the highest point any ended run logged there (light) and the
middle half of the runs' mean values there (darker, the 25 % to 75 % quantiles),
with the median as a thin line. Any run can still be found in the runs table and
the parallel coordinates.

The band is computed here on the server, from each run's values binned over
stretches of `width` steps (a power of two, so that at most `BAND_BINS` stretches
cover the longest run). A run's bins are cached with the run (`data.RunEntry`) and
an ended run never changes, so a new band costs a stack and a sort. Steps below 0
are left out of the band (runs that log them are rare; their lines still show them).

Plain functions of arrays and frames; `figures.band_traces` draws the band.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd


CURVES_DRAWN = 200  # runs drawn one by one beyond the running ones (and all, up to this many)
BAND_BINS = 200  # most stretches of steps the band is computed over
BAND_TRACES = 5  # traces of the band, before the runs' own: low, high, q1, q3, median
ACTIVE = ("running",)  # states whose runs are always drawn


def drawn_positions(runs: pd.DataFrame, *, goal: str, selected: np.ndarray | None = None,
                    most: int = CURVES_DRAWN) -> np.ndarray:
    """Positions (in run order) of the runs the chart draws one by one: all of them
    when there are at most `most`; else the running runs (the best `most` of them
    when more run) and the best `most` of the others by value, taken among the
    `selected` ones when a selection is given. Runs without a value rank last and
    are left out."""
    n = len(runs)
    if n <= most:
        return np.arange(n)
    values = runs["value"].to_numpy(dtype=float)
    active = np.isin(runs["state"].to_numpy(dtype=object), ACTIVE)
    sign = 1.0 if goal == "minimize" else -1.0

    def best(candidates: np.ndarray) -> np.ndarray:
        candidates = candidates[np.isfinite(values[candidates])]
        order = np.argsort(sign * values[candidates], kind="stable")
        return candidates[order[:most]]

    running = np.flatnonzero(active)
    if len(running) > most:
        running = best(running)
    pool = ~active if selected is None else ~active & np.asarray(selected, dtype=bool)
    return np.sort(np.concatenate([running, best(np.flatnonzero(pool))]))


def bin_width(last_step: float, bins: int = BAND_BINS) -> int:
    """The band's stretch of steps: the least power of two with which at most `bins`
    stretches cover steps 0..last_step."""
    if not math.isfinite(last_step) or last_step < bins:
        return 1
    return 1 << max(0, math.ceil(math.log2((last_step + 1) / bins)))


Bins = tuple[np.ndarray, np.ndarray, np.ndarray]  # per stretch: lowest, mean, highest (NaN: none)


def binned(steps: np.ndarray, values: np.ndarray, width: int) -> Bins:
    """A curve over stretches of `width` steps (stretch b holds steps b*width to
    (b+1)*width - 1): each stretch's lowest, mean and highest value, NaN where the
    curve has no point; as long as the last stretch it reaches. Steps below 0 are
    left out."""
    steps = np.asarray(steps)
    values = np.asarray(values, dtype=float)
    keep = steps >= 0
    if not keep.all():
        steps, values = steps[keep], values[keep]
    if not len(steps):
        empty = np.empty(0)
        return empty, empty, empty
    index = (steps // width).astype(np.int64)
    size = int(index.max()) + 1
    counts = np.bincount(index, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.bincount(index, weights=values, minlength=size) / counts
    lows = np.full(size, np.inf)
    highs = np.full(size, -np.inf)
    np.minimum.at(lows, index, values)
    np.maximum.at(highs, index, values)
    empty = counts == 0
    lows[empty] = highs[empty] = means[empty] = np.nan
    return lows, means, highs


@dataclass(frozen=True)
class Band:
    """The band of `runs` curves: per stretch of `width` steps (x: its middle step),
    the lowest and highest point, the quartiles and the median of the runs' means."""

    x: np.ndarray
    low: np.ndarray
    q1: np.ndarray
    median: np.ndarray
    q3: np.ndarray
    high: np.ndarray
    runs: int
    width: int


def band_of(per_run: Sequence[Bins], width: int) -> Band | None:
    """The band of curves given as `binned` (same width); None when no run has a
    point. Quantiles interpolate linearly between the runs' means, as numpy's
    default; a stretch only some runs reach counts those."""
    per_run = [b for b in per_run if len(b[0])]
    if not per_run:
        return None
    size = max(len(b[0]) for b in per_run)
    lows = np.full((len(per_run), size), np.nan)
    means = np.full((len(per_run), size), np.nan)
    highs = np.full((len(per_run), size), np.nan)
    for i, (lo, mean, hi) in enumerate(per_run):
        lows[i, :len(lo)] = lo
        means[i, :len(mean)] = mean
        highs[i, :len(hi)] = hi
    has = np.isfinite(means).any(axis=0)
    lows, means, highs = lows[:, has], means[:, has], highs[:, has]
    q1, median, q3 = column_quantiles(means, (0.25, 0.5, 0.75))
    x = np.flatnonzero(has) * width + (width - 1) / 2.0
    return Band(x=x, low=np.nanmin(lows, axis=0), q1=q1, median=median, q3=q3,
                high=np.nanmax(highs, axis=0), runs=len(per_run), width=width)


def column_quantiles(matrix: np.ndarray, qs: Sequence[float]) -> list[np.ndarray]:
    """Each column's quantiles qs of its finite values (linear interpolation, as
    `np.nanquantile`), by one sort instead of one pass per column."""
    ordered = np.sort(matrix, axis=0)  # NaN last
    count = np.isfinite(matrix).sum(axis=0)
    cols = np.arange(matrix.shape[1])
    out = []
    for q in qs:
        position = q * np.maximum(count - 1, 0)
        lo = np.floor(position).astype(np.int64)
        hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
        frac = position - lo
        value = ordered[lo, cols] * (1 - frac) + ordered[hi, cols] * frac
        out.append(np.where(count > 0, value, np.nan))
    return out


@dataclass(frozen=True)
class Extents:
    """Runs that a metric axis counts without drawing them (the band's): each one's
    name, lowest and highest drawn value and the steps of both."""

    names: list[str]
    lows: np.ndarray
    highs: np.ndarray
    x_lows: list[Any]
    x_highs: list[Any]


@dataclass(frozen=True)
class Envelope:
    """What the chart knows of the ended runs that have a curve of one key, beyond
    the runs it draws: their positions (run order), names ("#n id"), each curve's
    extent (`data.Extent`, for the y-range) and their band."""

    positions: np.ndarray
    names: list[str]
    extents: list[Any]
    band: Band | None
    signature: tuple = ()  # what it was built from: a new one means a new band

    def others(self, drawn: np.ndarray) -> Extents:
        """The extents of its runs that are not in `drawn` (positions)."""
        keep = ~np.isin(self.positions, drawn)
        chosen = [e for e, k in zip(self.extents, keep) if k]
        return Extents([n for n, k in zip(self.names, keep) if k],
                       np.array([e[0] for e in chosen], dtype=float),
                       np.array([e[1] for e in chosen], dtype=float),
                       [e[2] for e in chosen], [e[3] for e in chosen])


def drawn_note(runs: pd.DataFrame, drawn: np.ndarray, *, band: Band | None,
               selected: bool) -> str:
    """The chart's note when it draws fewer runs than the sweep has ("" when all), e.g.
    "210 of 10,000 runs drawn (200 best, 10 running); the band covers all 9,990 ended"."""
    if len(drawn) >= len(runs):
        return ""
    running = int(np.isin(runs["state"].to_numpy(dtype=object)[drawn], ACTIVE).sum())
    which = [f"{len(drawn) - running:,} best{' selected' if selected else ''}"]
    if running:
        which.append(f"{running:,} running")
    text = f"{len(drawn):,} of {len(runs):,} runs drawn ({', '.join(which)})"
    if band is not None:
        text += f"; the band covers all {band.runs:,} ended"
    return text


__all__ = ["BAND_BINS", "BAND_TRACES", "Band", "CURVES_DRAWN", "Envelope", "Extents", "band_of",
           "bin_width", "binned", "column_quantiles", "drawn_note", "drawn_positions"]
