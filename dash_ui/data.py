"""The dashboard's data access: sweepd's Redis, read only, into tidy pandas DataFrames.

`DashboardReader` lists sweeps and hands out one `SweepView` per sweep. A view is an
incremental follower of one sweep: each `poll()` re-reads only what can still change
(the meta hash, runs that are not terminal, runs that appeared since the last poll)
and reads each run's metric stream from the last entry id it has seen (exclusive
start), so a live tick costs what changed, not the size of the sweep. Terminal runs
never change (their stream is read one last time after they are seen terminal), so
they are never read again.

Every read goes through `controller.storage.readonly.ReadOnlyStore` (the only code
that talks to Redis is under controller/storage/): it packs each stream's new entries
into one JSON string with a read-only script, which is what makes a 1,000 x 1,000
sweep readable in seconds with a pure-Python Redis client. This module decides what
to read and keeps what it has read.

Stream reading is done under a time budget per poll and resumes on the next poll, so
no request of the dashboard waits for a cold sweep to load; active runs go first so
that live points are never starved by history. The view remembers per run the
version at which it last changed, so callers (one per browser tab) can ask "what
changed since version v" and send only that.
"""

from __future__ import annotations

import json
import math
import threading
import time
import uuid
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from sweepd.config import SweepConfig, flat_parameters, flatten
from sweepd.controller.storage.readonly import REDIS_ERRORS, ReadOnlyStore, StreamRead
from sweepd.controller.storage.records import (
    SWEEP_FIELDS,
    ConfigCache,
    config_tag,
    decode_output,
    decode_run,
    decode_sweep,
)
from sweepd.domain import Run, RunOutput, RunState, Sweep, SweepState, finite_number
from sweepd.redact import mask_credentials

from .curves import BAND_BINS, Bins, Envelope, band_of, bin_width, binned

RUN_STATES = tuple(s.value for s in RunState)
PARAM_PREFIX = "p:"
STREAM_CHUNK = 10_000  # stream entries per Redis call: bounds how long Redis is busy for us
ENVELOPE_WHILE_LOADING_S = 3.0  # how stale the curves' band may be while history loads


def is_number(value: Any) -> bool:
    """A plottable logged value: int or float (not bool), finite."""
    return finite_number(value)


# ---------------------------------------------------------------- parameters


@dataclass(frozen=True)
class ParamAxis:
    """How one searched parameter is drawn: categories by index, log-distributed
    parameters as log10 (ticks labelled with real values), others as they are."""

    name: str  # dotted path for nested parameters
    kind: str  # "categorical" | "log" | "linear"
    categories: tuple[Any, ...] = ()
    integer: bool = False  # int_uniform: ticks at integers

    @property
    def column(self) -> str:
        return PARAM_PREFIX + self.name

    def labels(self) -> list[str]:
        return [category_label(c) for c in self.categories]

    def encode(self, values: Iterable[Any]) -> np.ndarray:
        """Axis coordinates of raw parameter values (NaN where not drawable)."""
        values = list(values)
        if self.kind == "categorical":
            index = {_canonical(c): i for i, c in enumerate(self.categories)}
            known: dict[tuple[type, Any], float] = {}  # a value seen before: no JSON again
            out = np.empty(len(values), dtype=float)
            for i, v in enumerate(values):
                try:
                    out[i] = known[(type(v), v)]
                except KeyError:
                    out[i] = known[(type(v), v)] = index.get(_canonical(v), np.nan)
                except TypeError:  # unhashable (a dict or list value)
                    out[i] = index.get(_canonical(v), np.nan)
            return out
        nums = np.array([float(v) if is_number(v) else np.nan for v in values], dtype=float)
        if self.kind == "log":
            with np.errstate(divide="ignore", invalid="ignore"):
                nums = np.where(nums > 0, np.log10(np.where(nums > 0, nums, 1.0)), np.nan)
        return nums


def category_label(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, (bool, dict, list)):
        return json.dumps(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def param_axes(config: SweepConfig, runs: pd.DataFrame | None = None) -> list[ParamAxis]:
    """The searched parameters of a sweep (constants left out), in config order.

    Categorical axes take their categories from the config, so an index means the
    same value for the whole life of the sweep. A numeric parameter of a log
    distribution is drawn on a log axis unless a run holds a value <= 0.
    """
    axes = []
    for name, spec in flat_parameters(config).items():
        dist = spec.distribution
        if dist == "constant":
            continue
        if dist.startswith("categorical"):
            axes.append(ParamAxis(name, "categorical", tuple(spec.values or ())))
            continue
        kind = "log" if "log" in dist else "linear"
        if kind == "log" and runs is not None and PARAM_PREFIX + name in runs:
            column = pd.to_numeric(runs[PARAM_PREFIX + name], errors="coerce")
            if (column <= 0).any():
                kind = "linear"
        axes.append(ParamAxis(name, kind, integer=dist == "int_uniform"))
    return axes


# ---------------------------------------------------------------- curves


@dataclass
class Curve:
    """One logged key of one run: steps and values, in log order."""

    steps: np.ndarray
    values: np.ndarray

    def extend(self, steps: np.ndarray, values: np.ndarray) -> None:
        self.steps = np.concatenate([self.steps, steps])
        self.values = np.concatenate([self.values, values])


def extend_curves(curves: dict[str, "Curve"], steps: list[int], values: list[dict]) -> None:
    """Appends stream entries (their steps and decoded values) to a run's curves, one
    per logged key, making the curves of keys seen for the first time."""
    for key, (xs, ys) in decode_entries(steps, values).items():
        curve = curves.get(key)
        if curve is None:
            curves[key] = Curve(xs, ys)
        else:
            curve.extend(xs, ys)


def decode_entries(steps: Sequence[int], values: Sequence[dict]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Stream entries -> per numeric key (steps, values); non-numeric values are skipped."""
    index: dict[str, list[int]] = {}
    found: dict[str, list[float]] = {}
    for i, point in enumerate(values):
        for key, value in point.items():
            if type(value) is float or type(value) is int:
                where = index.get(key)
                if where is None:
                    where, found[key] = index.setdefault(key, []), []
                where.append(i)
                found[key].append(value)
    step_array = np.asarray(steps, dtype=np.int64)
    out = {}
    for key, where in index.items():
        vals = np.asarray(found[key], dtype=float)
        keep = np.isfinite(vals)
        out[key] = (step_array[np.asarray(where)][keep], vals[keep])
    return out


def downsample(x: np.ndarray, y: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """At most n points of a curve that keep its shape: the minimum and the maximum of
    each of n/2 equal buckets, in their original order (so spikes survive)."""
    size = len(x)
    if size <= n:
        return x, y
    buckets = max(1, n // 2)
    width = -(-size // buckets)
    pad = buckets * width - size
    ypad = np.concatenate([y, np.full(pad, np.nan)]).reshape(buckets, width)
    lo = np.argmin(np.where(np.isnan(ypad), np.inf, ypad), axis=1)
    hi = np.argmax(np.where(np.isnan(ypad), -np.inf, ypad), axis=1)
    base = np.arange(buckets) * width
    picks = np.stack([np.minimum(lo, hi), np.maximum(lo, hi)], axis=1) + base[:, None]
    picks = picks.ravel()
    picks = picks[picks < size]
    picks = picks[np.concatenate([[True], picks[1:] != picks[:-1]])]
    return x[picks], y[picks]


Extent = tuple[float, float, Any, Any]  # lowest, highest value; the step of each
NO_EXTENT: Extent = (math.nan, math.nan, None, None)


def extent_of(x: np.ndarray, y: np.ndarray) -> Extent:
    """The lowest and highest value of a curve and their steps (NO_EXTENT: no point)."""
    if not len(y):
        return NO_EXTENT
    lo, hi = int(np.argmin(y)), int(np.argmax(y))
    return float(y[lo]), float(y[hi]), x[lo].item(), x[hi].item()


# ---------------------------------------------------------------- one sweep


@dataclass
class RunEntry:
    """What a view knows about one run."""

    run: Run
    objective: float | None  # best value of the sweep metric (the run hash's "best")
    params: dict[str, Any]  # flattened config
    raw: dict[str, str]  # the run hash as read, to notice changes
    raw_summary: dict[str, str]
    meta_version: int = 0  # last version its record changed
    points_version: int = 0  # last version new points arrived
    last_id: str = "-"  # last stream entry read
    loaded: int = 0  # stream entries read
    last_wall: float | None = None  # wall time of the latest point (s)
    complete: bool = False  # terminal and its stream read to the end
    curves: dict[str, Curve] = field(default_factory=dict)
    keys: frozenset[str] = frozenset()  # numeric keys of its summary and curves
    _thin: dict[tuple[str, int], tuple[int, np.ndarray, np.ndarray]] = field(default_factory=dict)
    _extent: dict[tuple[str, int], tuple[int, Extent]] = field(default_factory=dict)
    _shape: dict[str, tuple[int, Extent, float]] = field(default_factory=dict)
    _bins: dict[tuple[str, int], tuple[int, Bins]] = field(default_factory=dict)

    def thinned(self, key: str, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The key's curve downsampled to n points, cached until the curve grows."""
        curve = self.curves.get(key)
        if curve is None:
            empty = np.empty(0)
            return empty.astype(np.int64), empty
        cached = self._thin.get((key, n))
        if cached is not None and cached[0] == len(curve.steps):
            return cached[1], cached[2]
        x, y = downsample(curve.steps, curve.values, n)
        self._thin[(key, n)] = (len(curve.steps), x, y)
        return x, y

    def extent(self, key: str, n: int) -> Extent:
        """`extent_of` the thinned curve (thinning keeps each bucket's extremes, so the
        whole curve's), cached until the curve grows."""
        curve = self.curves.get(key)
        if curve is None:
            return NO_EXTENT
        cached = self._extent.get((key, n))
        if cached is not None and cached[0] == len(curve.steps):
            return cached[1]
        found = extent_of(*self.thinned(key, n))
        self._extent[(key, n)] = (len(curve.steps), found)
        return found

    def shape(self, key: str) -> tuple[Extent, float]:
        """The whole curve's extent and its highest step (NaN: no point), cached until
        the curve grows."""
        curve = self.curves.get(key)
        if curve is None or not len(curve.steps):
            return NO_EXTENT, math.nan
        cached = self._shape.get(key)
        if cached is None or cached[0] != len(curve.steps):
            cached = self._shape[key] = (len(curve.steps), extent_of(curve.steps, curve.values),
                                         float(curve.steps.max()))
        return cached[1], cached[2]

    def binned(self, key: str, width: int) -> Bins:
        """`curves.binned` of the key's curve, cached until the curve grows."""
        curve = self.curves.get(key)
        if curve is None:
            return binned(np.empty(0, np.int64), np.empty(0), width)
        cached = self._bins.get((key, width))
        if cached is None or cached[0] != len(curve.steps):
            cached = self._bins[(key, width)] = (len(curve.steps),
                                                 binned(curve.steps, curve.values, width))
        return cached[1]


RUN_COLUMNS = ["run_id", "number", "state", "created", "started", "ended", "duration",
               "last_update", "value", "points", "reason", "note", "prior", "ignored", "version"]


@dataclass
class _FrameCache:
    """`SweepView.runs_frame`'s rows as column lists, as of `version`."""

    stamp: tuple  # what the rows were computed for (key, goal, columns, metric)
    columns: dict[str, list[Any]]
    n: int = 0  # rows
    version: int = -1
    active: list[int] = field(default_factory=list)  # positions of runs not ended


class SweepView:
    """An incremental, read-only follower of one sweep (see the module docstring)."""

    def __init__(self, reader: "DashboardReader", sweep_id: str):
        self.reader = reader
        self.store = reader.store
        self.sweep_id = sweep_id
        self.token = uuid.uuid4().hex[:12]  # tells clients which cache their versions count in
        self.sweep: Sweep | None = None
        self.entries: dict[str, RunEntry] = {}
        self.order: list[str] = []  # run ids by run number
        self.max_number = 0
        self.version = 0
        self.structure_version = 0  # last version a run appeared or changed state
        self.last_poll = 0.0
        self.points_total = 0  # stream entries the runs report
        self.points_loaded = 0
        # kept as runs change, so that a tick of a 10,000-run sweep walks none of them:
        self._in_order: list[RunEntry] = []  # entries by run number (`runs()`)
        self._position: dict[str, int] = {}  # run id -> its place in `order`
        self._changed_at = np.zeros(0, dtype=np.int64)  # per place: last version it changed
        self._live: set[str] = set()  # runs not ended
        self._reading: set[str] = set()  # runs whose stream is not read to its end
        self._raw_meta: dict[str, str] = {}
        self._versions: tuple[int, pd.DataFrame] | None = None  # (config version, history)
        self._key_runs: Counter[str] = Counter()  # logged key -> runs that have it
        self._keys_sorted: list[str] | None = None
        self._frame: _FrameCache | None = None  # runs_frame's rows, patched as runs change
        self._envelope: tuple[tuple, Envelope, float] | None = None  # and when built
        self._ended_points_version = 0  # last version an ended run got points (history)
        # held by a poll, and by whoever reads the view's state (see SweepUpdater.update)
        self.lock = threading.RLock()

    # ------------------------------------------------------------ polling

    def poll(self, *, budget_s: float = 0.5, max_age: float = 0.0) -> int:
        """Reads what changed (streams for at most about budget_s); returns the version.

        Concurrent callers share one read: a poll younger than max_age is reused.
        """
        with self.lock:
            if max_age and time.monotonic() - self.last_poll < max_age:
                return self.version
            self._poll(budget_s)
            self.last_poll = time.monotonic()
            return self.version

    def _poll(self, budget_s: float) -> None:
        started = time.perf_counter()
        v = self.version + 1
        changed = structural = False
        sid = self.sweep_id
        active = sorted(self._live & self._position.keys(), key=self._position.__getitem__)
        meta, new = self.store.sweep_head(sid, self.max_number)
        if meta.get("curation") != self._raw_meta.get("curation"):
            active = list(self.order)  # a run was ignored or taken back in: re-read them all
        if meta != self._raw_meta:
            self._raw_meta = meta
            self.sweep = decode_sweep(meta, self.reader.configs) if meta.get("state") else None
            changed = True
        new_ids = [rid for rid, _ in new if rid not in self.entries]
        records = self.store.runs(sid, active + new_ids)
        for rid, (raw, summary) in zip(active + new_ids, records):
            if not raw:
                continue
            entry = self.entries.get(rid)
            if entry is not None and entry.raw == raw and entry.raw_summary == summary:
                continue
            changed = True
            if entry is None or entry.run.state.value != raw.get("state") \
                    or entry.raw.get("ignored") != raw.get("ignored"):
                structural = True
            self._store_record(rid, raw, summary, v)
        if new:
            self.max_number = max(self.max_number, int(max(score for _, score in new)))
            added = [rid for rid, _ in sorted(new, key=lambda p: p[1])
                     if rid in self.entries and rid not in self._position]
            for rid in added:
                self._position[rid] = len(self.order)
                self.order.append(rid)
                self._in_order.append(self.entries[rid])
            self._changed_at = np.concatenate([self._changed_at, np.array(
                [self._last_change(self.entries[rid]) for rid in added], dtype=np.int64)])
        if self._read_streams(v, started + budget_s):
            changed = True
        if changed:
            self.version = v
        if structural:
            self.structure_version = v

    def _store_record(self, rid: str, raw: dict, summary: dict, v: int) -> None:
        run = decode_run(raw, summary)
        best = raw.get("best")
        entry = self.entries.get(rid)
        config = self.sweep.config if self.sweep is not None else None
        params = flatten(run.config, config) if isinstance(run.config, dict) else {}
        if entry is None:
            entry = RunEntry(run=run, objective=None, params=params, raw=raw, raw_summary=summary)
            self.entries[rid] = entry
            self._reading.add(rid)
        self.points_total += run.points - entry.run.points if entry.run is not run else run.points
        entry.run, entry.params, entry.raw, entry.raw_summary = run, params, raw, summary
        entry.objective = float(best) if best else None
        entry.meta_version = v
        (self._live.discard if run.terminal else self._live.add)(rid)
        self._touch(entry)
        self._note_keys(entry)

    @staticmethod
    def _last_change(entry: RunEntry) -> int:
        return max(entry.meta_version, entry.points_version)

    def _touch(self, entry: RunEntry) -> None:
        """Records the version at which a run in `order` last changed (`changed_since`)."""
        at = self._position.get(entry.run.id)
        if at is not None:
            self._changed_at[at] = self._last_change(entry)

    def _note_keys(self, entry: RunEntry) -> None:
        """Keeps the count of runs per logged key (what `logged_keys` lists) current."""
        found = frozenset([k for k, v in entry.run.summary.items() if is_number(v)]
                          + list(entry.curves))
        if found != entry.keys:
            self._key_runs.subtract(entry.keys)
            self._key_runs.update(found)
            entry.keys = found
            self._keys_sorted = None

    def read_history(self, budget_s: float = 0.15) -> bool:
        """Reads more of the ended runs' history for about budget_s (live runs are left
        to poll); True when something was read. For a background loader."""
        with self.lock:
            if not self.loading:
                return False
            v = self.version + 1
            if not self._read_streams(v, time.perf_counter() + budget_s, live=False):
                return False
            self.version = v
            return True

    def _read_streams(self, v: int, deadline: float, *, live: bool = True) -> bool:
        """Reads new stream entries: every active run's (unless not `live`), then
        history of ended runs until done or past the deadline (the rest later)."""
        reading = sorted(self._reading & self._position.keys(), key=self._position.__getitem__)
        todo = [self.entries[rid] for rid in reading if live or self.entries[rid].run.terminal]
        todo.sort(key=lambda e: e.run.terminal)  # stable: active first, then by number
        live = {e.run.id for e in todo if not e.run.terminal}  # one read each, whatever the time
        changed = False
        while todo:
            first_live = todo[0].run.id in live
            if not first_live and time.perf_counter() > deadline:
                break
            batch, expected = [], 0
            while todo and (todo[0].run.id in live) == first_live and (
                    not batch or expected < STREAM_CHUNK):
                entry = todo.pop(0)
                live.discard(entry.run.id)
                batch.append(entry)
                expected += max(1, entry.run.points - entry.loaded)
            # runs seen terminal before this read get everything they will ever have
            final = [e.run.terminal for e in batch]
            results = self.reader.read_streams(
                self.sweep_id, [e.run.id for e in batch], [e.last_id for e in batch],
                STREAM_CHUNK)
            for entry, is_final, (last_id, wall, steps, values) in zip(batch, final, results):
                if last_id:
                    self._append(entry, last_id, wall, steps, values, v)
                    changed = True
                if len(steps) < STREAM_CHUNK:
                    entry.complete = is_final
                    if is_final:
                        self._reading.discard(entry.run.id)
                else:  # more to read: first of the history, after the live runs
                    at = next((i for i, e in enumerate(todo) if e.run.id not in live), len(todo))
                    todo.insert(at, entry)
        return changed

    def _append(self, entry: RunEntry, last_id: str, wall: float | None,
                steps: list[int], values: list[dict], v: int) -> None:
        extend_curves(entry.curves, steps, values)
        entry.last_id = last_id
        entry.loaded += len(steps)
        self.points_loaded += len(steps)
        entry.last_wall = wall if wall is not None else entry.last_wall
        entry.points_version = v
        if entry.run.terminal:
            self._ended_points_version = v
        self._touch(entry)
        if not entry.keys.issuperset(entry.curves):
            self._note_keys(entry)

    # ------------------------------------------------------------ questions

    @property
    def loading(self) -> bool:
        """True while some stream history is still being read."""
        return any(self.entries[rid].run.terminal for rid in self._reading)

    def runs(self) -> list[RunEntry]:
        """The runs' entries by run number (a new list; the entries are the view's)."""
        return list(self._in_order)

    def changed_since(self, version: int) -> list[int]:
        """Positions (in run order) of runs whose record or points changed after version."""
        return np.flatnonzero(self._changed_at > version).tolist()

    def logged_keys(self) -> list[str]:
        """Numeric keys any run has logged (summaries and loaded curves), sorted; kept
        as runs change, so asking costs nothing at 10,000 runs."""
        if self._keys_sorted is None:
            self._keys_sorted = sorted(k for k, n in self._key_runs.items() if n > 0)
        return list(self._keys_sorted)

    @property
    def metric(self) -> str | None:
        return self.sweep.config.metric.name if self.sweep is not None else None

    @property
    def goal(self) -> str:
        return self.sweep.config.metric.goal if self.sweep is not None else "minimize"

    def axes(self, runs: pd.DataFrame | None = None) -> list[ParamAxis]:
        return param_axes(self.sweep.config, runs) if self.sweep is not None else []

    def run_value(self, entry: RunEntry, key: str | None, goal: str) -> float | None:
        """A run's value of key: its objective (best over its history, as the controller
        keeps it) for the sweep metric in the sweep's goal, else the latest logged value."""
        if key is None:
            return None
        if key == self.metric and goal == self.goal:
            return entry.objective
        value = entry.run.summary.get(key)
        return float(value) if is_number(value) else None

    def runs_frame(self, key: str | None = None, goal: str | None = None,
                   now: float | None = None) -> pd.DataFrame:
        """One row per run, in run order: state, times, the key's value, parameters.

        The rows are kept between calls (column lists): a call rebuilds only the rows
        of runs that changed since the last one, and of runs not ended (their duration
        runs with `now`), so a tick of a 10,000-run sweep costs its live runs."""
        goal = goal or self.goal
        now = time.time() if now is None else now
        axes = self.axes()
        columns = RUN_COLUMNS + [a.column for a in axes]
        entries = self.runs()
        stamp = (key, goal, tuple(columns), self.metric, self.goal)
        cache = self._frame
        if cache is None or cache.stamp != stamp or cache.n > len(entries):
            cache = self._frame = _FrameCache(stamp, {c: [] for c in columns})
            todo: Iterable[int] = range(len(entries))
        else:
            todo = sorted(set(self.changed_since(cache.version)).union(
                cache.active, range(cache.n, len(entries))))
        cols = [cache.columns[c] for c in columns]
        for i in todo:
            row = self._row(entries[i], key, goal, axes, now)
            if i < cache.n:
                for col, value in zip(cols, row):
                    col[i] = value
            else:
                for col, value in zip(cols, row):
                    col.append(value)
            cache.n = max(cache.n, i + 1)
        cache.version = self.version
        cache.active = [i for i, e in enumerate(entries) if not e.run.terminal]
        frame = pd.DataFrame(cache.columns, columns=columns)
        for column in ("created", "started", "ended", "duration", "last_update", "value"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
        return frame

    def _row(self, entry: RunEntry, key: str | None, goal: str, axes: Sequence[ParamAxis],
             now: float) -> list[Any]:
        """A run's values of RUN_COLUMNS, then of each axis's column."""
        run = entry.run
        end = run.ended_at if run.terminal else None
        duration = ((end if end is not None else now) - run.started_at
                    if run.started_at is not None else None)
        last = end if end is not None else (entry.last_wall or run.started_at or run.created_at)
        return [run.id, run.number, run.state.value, run.created_at, run.started_at, end,
                duration, last, self.run_value(entry, key, goal), run.points, run_reason(run),
                run.note, run.prior, run.ignored, run.config_version,
                *[entry.params.get(axis.name) for axis in axes]]

    def envelope(self, key: str, bins: int = BAND_BINS) -> Envelope:
        """The ended runs that logged key: their extents and band (`curves`). Built again
        only when a run appeared or changed state, or an ended run's history grew; while
        history is still being read, at most every ENVELOPE_WHILE_LOADING_S (a 10,000-run
        band costs about 0.1 s, and the loader adds runs many times a second). Each
        run's bins are cached with it."""
        signature = (key, bins, self.structure_version, self._ended_points_version,
                     len(self.order))
        cached = self._envelope
        if cached is not None and cached[1].signature[:2] == signature[:2] and (
                cached[0] == signature
                or (self.loading and time.monotonic() - cached[2] < ENVELOPE_WHILE_LOADING_S)):
            return cached[1]
        entries = self.runs()
        ended = [i for i, e in enumerate(entries) if e.run.terminal and key in e.curves]
        shapes = [entries[i].shape(key) for i in ended]
        width = bin_width(max((s[1] for s in shapes), default=math.nan), bins)
        found = Envelope(
            positions=np.array(ended, dtype=np.int64),
            names=[f"#{entries[i].run.number} {entries[i].run.id}" for i in ended],
            extents=[s[0] for s in shapes],
            band=band_of([entries[i].binned(key, width) for i in ended], width),
            signature=signature)
        self._envelope = (signature, found, time.monotonic())
        return found

    def versions_frame(self) -> pd.DataFrame:
        """The sweep's config versions, oldest first: version, time (s), changed paths
        (a list); read again only when the sweep's config version moved."""
        current = self.sweep.config_version if self.sweep is not None else 0
        if self._versions is None or self._versions[0] != current:
            self._versions = (current, versions_frame(*self.store.config_versions(self.sweep_id)))
        return self._versions[1]

    def curves_frame(self, key: str, points_per_run: int,
                     positions: Sequence[int] | None = None) -> pd.DataFrame:
        """Tidy (run_id, step, value) of key, each run downsampled to points_per_run,
        runs in run order (only those at `positions` when given)."""
        entries = self.runs()
        if positions is not None:
            entries = [entries[i] for i in positions]
        ids, steps, values = [], [], []
        for entry in entries:
            x, y = entry.thinned(key, points_per_run)
            ids.append(np.full(len(x), entry.run.id, dtype=object))
            steps.append(x)
            values.append(y)
        if not entries:
            return pd.DataFrame({"run_id": pd.Series([], dtype=object),
                                 "step": np.empty(0, np.int64), "value": np.empty(0)})
        return pd.DataFrame({"run_id": np.concatenate(ids), "step": np.concatenate(steps),
                             "value": np.concatenate(values)})


def versions_frame(entries: Sequence[str], created: str | None) -> pd.DataFrame:
    """A sweep's config history (`ReadOnlyStore.config_versions`: its entries, and its
    creation time in ms for a sweep never updated, version 1 alone): one row per
    version with its time (s) and the field paths it changed."""
    rows = []
    for entry in entries:
        head = json.loads(entry)
        rows.append({"version": int(head["version"]), "time": int(head["time"]) / 1000.0,
                     "changed": list(head["changed"])})
    if not rows:
        if created is not None:
            rows.append({"version": 1, "time": int(created) / 1000.0, "changed": []})
    return pd.DataFrame(rows, columns=["version", "time", "changed"])


def run_reason(run: Run) -> str:
    """Why a run ended other than by finishing, in words."""
    reason = run.stop_reason
    if run.state is RunState.STOPPED or (reason is not None and run.should_stop):
        if reason is None:
            return "stopped"
        text = reason.kind
        details = []
        if reason.band is not None:
            details.append(f"band {reason.band}")
        if reason.value is not None and reason.threshold is not None:
            details.append(f"{reason.value:.4g} vs threshold {reason.threshold:.4g}")
        if details:
            text += " (" + ", ".join(details) + ")"
        if reason.message:
            text += f": {reason.message}"
        return text
    if run.state in (RunState.FAILED, RunState.CRASHED):
        return run.error or run.state.value
    return ""


def points_per_run(n_runs: int, total: int = 100_000, most: int = 500, least: int = 50) -> int:
    """How many points each run's curve gets so that a figure stays near `total`."""
    if n_runs <= 0:
        return most
    return int(min(most, max(least, total // n_runs)))


# ---------------------------------------------------------------- all sweeps


@dataclass(frozen=True)
class RunRecord:
    """A run as stored: the run, its best value of the sweep metric (None: none yet),
    and what it wrote (None: nothing stored, or not read)."""

    run: Run
    objective: float | None
    output: RunOutput | None


class DashboardReader:
    """The dashboard's only door to Redis (through a `ReadOnlyStore`); it never writes."""

    def __init__(self, store: Any, *, url: str = "", max_views: int = 8):
        """`store`: a ReadOnlyStore, or a Redis client (decoding replies) to read with."""
        self.store = store if isinstance(store, ReadOnlyStore) else ReadOnlyStore(store)
        self.redis = self.store.client  # the login checks API keys with it (api_keys.py)
        self.url = url
        self.max_views = max_views
        self.configs = ConfigCache()  # each sweep's config is parsed once, not at every refresh
        self._views: OrderedDict[str, SweepView] = OrderedDict()
        self._views_lock = threading.Lock()
        self._closed = threading.Event()
        self._loader: threading.Thread | None = None

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> "DashboardReader":
        return cls(ReadOnlyStore.from_url(url), url=url, **kwargs)

    def close(self) -> None:
        self._closed.set()
        if self._loader is not None:
            self._loader.join(5)
        self.store.close()

    def start_history_loader(self, *, budget_s: float = 0.15, pause_s: float = 0.1) -> None:
        """Reads the history of followed sweeps in a daemon thread between requests,
        so a big sweep's curves fill in at Redis speed rather than one tick's budget
        per second. Works in slices of budget_s, so a request waits at most that."""
        if self._loader is not None:
            return

        def load() -> None:
            while not self._closed.wait(pause_s):
                with self._views_lock:
                    views = list(self._views.values())
                try:
                    busy = any([view.read_history(budget_s) for view in views])
                except REDIS_ERRORS:
                    busy = False  # the banner says so; try again later
                if not busy:
                    self._closed.wait(1.0)

        self._loader = threading.Thread(target=load, name="sweepd-dash-history", daemon=True)
        self._loader.start()

    @property
    def shown_url(self) -> str:
        """The Redis URL with its credentials masked (password, secret query options)."""
        return shown_redis_url(self.url)

    def ping(self) -> bool:
        return self.store.ping()

    # ------------------------------------------------------------ sweeps

    def sweeps(self) -> list[Sweep]:
        """Every sweep, newest first: the meta fields in one pipeline, then only the
        configs not parsed yet (a config changes only with its version, and each refresh
        reads them all)."""
        ids = self.store.sweep_ids()
        rows = self.store.sweep_fields(ids, SWEEP_FIELDS)
        metas = [m for m in (dict(zip(SWEEP_FIELDS, row)) for row in rows) if m["state"]]
        cached = {m["id"]: self.configs.get(m["id"], config_tag(m["created_at"], m["config_version"]))
                  for m in metas}
        missing = [m for m in metas if cached[m["id"]] is None]
        if missing:
            for m, (config,) in zip(missing, self.store.sweep_fields([m["id"] for m in missing],
                                                                      ["config"])):
                m["config"] = config
        return [decode_sweep(m, self.configs, cached[m["id"]]) for m in metas
                if cached[m["id"]] is not None or m.get("config") is not None]  # deleted meanwhile

    def project_of(self, sweep_id: str) -> str | None:
        """A sweep's project ("" = the default project), None when there is no such sweep."""
        [(state, project)] = self.store.sweep_fields([sweep_id], ["state", "project"])
        return (project or "") if state else None

    def sweep(self, sweep_id: str) -> Sweep | None:
        meta = self.store.sweep_meta(sweep_id)
        return decode_sweep(meta, self.configs) if meta.get("state") else None

    def runs(self, sweep_id: str) -> list[Run]:
        """Every run of a sweep as domain Runs, by run number, read afresh (records and
        summaries only, no metric streams): what an export gives."""
        records = self.store.runs(sweep_id, self.store.run_ids(sweep_id))
        return [decode_run(raw, summary) for raw, summary in records
                if raw]  # else a run deleted meanwhile

    def run_record(self, sweep_id: str, run_id: str) -> "RunRecord | None":
        """One run's record, summary and output (None: no such run), in one pipeline."""
        raw, summary, output = self.store.run_with_output(sweep_id, run_id)
        if not raw:
            return None
        best = raw.get("best")
        return RunRecord(decode_run(raw, summary), float(best) if best else None,
                         decode_output(output))

    def run_records(self, sweep_id: str) -> list["RunRecord"]:
        """Every run of a sweep by run number: records only (no summaries, outputs or
        metric streams), with each run's best value of the sweep metric."""
        out = []
        for raw, _ in self.store.runs(sweep_id, self.store.run_ids(sweep_id), summaries=False):
            if raw:  # else deleted meanwhile
                best = raw.get("best")
                out.append(RunRecord(decode_run(raw), float(best) if best else None, None))
        return out

    def sweeps_frame(self, now: float | None = None) -> pd.DataFrame:
        """One row per sweep, newest first."""
        now = time.time() if now is None else now
        rows = []
        for s in self.sweeps():
            c = s.counts
            end = s.updated_at if s.state in (SweepState.FINISHED, SweepState.CANCELLED) else now
            rows.append({
                "id": s.id, "name": s.name, "project": s.config.project or "",
                "method": s.config.method, "state": s.state.value,
                "metric": s.config.metric.name, "goal": s.config.metric.goal,
                **{f"n_{state}": getattr(c, state) for state in RUN_STATES},
                "n_total": c.total, "best_value": s.best_value,
                "best_run": s.best_run_id or None,
                "created": s.created_at, "elapsed": max(0.0, end - s.created_at),
            })
        columns = ["id", "name", "project", "method", "state", "metric", "goal",
                   *[f"n_{state}" for state in RUN_STATES], "n_total", "best_value", "best_run",
                   "created", "elapsed"]
        frame = pd.DataFrame(rows, columns=columns)
        frame["best_value"] = pd.to_numeric(frame["best_value"], errors="coerce").astype(float)
        return frame

    def view(self, sweep_id: str) -> SweepView:
        """The follower of one sweep, shared by every request about it."""
        with self._views_lock:
            view = self._views.get(sweep_id)
            if view is None:
                view = self._views[sweep_id] = SweepView(self, sweep_id)
                while len(self._views) > self.max_views:
                    self._views.popitem(last=False)
            self._views.move_to_end(sweep_id)
            return view

    # ------------------------------------------------------------ streams

    def read_streams(self, sweep_id: str, run_ids: Sequence[str], after: Sequence[str],
                     count: int) -> list[StreamRead]:
        """New points of each run's metric stream after the given entry ids ("-" = all):
        (last id or "", last wall time in s, steps, values) per run."""
        return self.store.read_streams(sweep_id, run_ids, after, count)


def shown_redis_url(url: str) -> str:
    """What the dashboard may show of a Redis URL: everything but its credentials."""
    return mask_credentials(url) or "Redis"
