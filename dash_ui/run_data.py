"""One run, followed for its page: its record, what it wrote, and every metric point.

A `RunFollower` keeps a run's metric history at full resolution (one `Curve` per
numeric key, in log order) and reads, at each `poll()`, only what is new: the run's
record, summary and output (one pipeline) and the stream entries after the last one
read. An ended run whose stream was read to its end is never read again. Streams
are read through `DashboardReader.read_streams` in chunks of STREAM_CHUNK entries, so
a run with 100,000 points is read in ten packed replies.

`RunFollowers` hands out one follower per run, shared by every request about it,
keeping the most recently used few (`max_runs`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from .data import STREAM_CHUNK, Curve, DashboardReader, RunRecord, extend_curves


class RunFollower:
    """An incremental, read-only follower of one run (see the module docstring)."""

    def __init__(self, reader: DashboardReader, sweep_id: str, run_id: str):
        self.reader = reader
        self.sweep_id = sweep_id
        self.run_id = run_id
        self.record: RunRecord | None = None
        self.curves: dict[str, Curve] = {}
        self.version = 0  # grows whenever the record or the points change
        self.loaded = 0  # stream entries read
        self.last_id = "-"
        self.complete = False  # ended, and its stream read to the end
        self.lock = threading.RLock()
        self._sorted: dict[str, tuple[int, np.ndarray, np.ndarray]] = {}

    def poll(self) -> int:
        """Reads what changed since the last poll; returns the version."""
        with self.lock:
            if self.complete:
                return self.version
            record = self.reader.run_record(self.sweep_id, self.run_id)
            changed = record != self.record
            self.record = record
            if record is None:
                return self._bump(changed)
            terminal = record.run.terminal  # seen before the read: its stream is then whole
            changed |= self._read_stream()
            self.complete = terminal
            return self._bump(changed)

    def _bump(self, changed: bool) -> int:
        if changed:
            self.version += 1
        return self.version

    def _read_stream(self) -> bool:
        read = False
        while True:
            [(last_id, _, steps, values)] = self.reader.read_streams(
                self.sweep_id, [self.run_id], [self.last_id], STREAM_CHUNK)
            if last_id:
                extend_curves(self.curves, steps, values)
                self.last_id = last_id
                self.loaded += len(steps)
                read = True
            if len(steps) < STREAM_CHUNK:
                return read

    def keys(self, metric: str | None = None) -> list[str]:
        """The numeric keys logged, the sweep's metric first, then by name."""
        with self.lock:
            found = sorted(self.curves)
        return ([metric] if metric in found else []) + [k for k in found if k != metric]

    def curve(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """A key's (steps, values) ordered by step (a stable sort: points logged at one
        step keep their log order), cached until the curve grows."""
        with self.lock:
            curve = self.curves.get(key)
            if curve is None:
                return np.empty(0, np.int64), np.empty(0)
            cached = self._sorted.get(key)
            if cached is not None and cached[0] == len(curve.steps):
                return cached[1], cached[2]
            steps, values = curve.steps, curve.values
            if len(steps) > 1 and (np.diff(steps) < 0).any():
                order = np.argsort(steps, kind="stable")
                steps, values = steps[order], values[order]
            self._sorted[key] = (len(curve.steps), steps, values)
            return steps, values


class RunFollowers:
    """One RunFollower per run, the `max_runs` most recently asked for kept."""

    def __init__(self, reader: DashboardReader, max_runs: int = 16):
        self.reader = reader
        self.max_runs = max_runs
        self._followers: OrderedDict[tuple[str, str], RunFollower] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, sweep_id: str, run_id: str) -> RunFollower:
        with self._lock:
            key = (sweep_id, run_id)
            follower = self._followers.get(key)
            if follower is None:
                follower = self._followers[key] = RunFollower(self.reader, sweep_id, run_id)
                while len(self._followers) > self.max_runs:
                    self._followers.popitem(last=False)
            self._followers.move_to_end(key)
            return follower


__all__ = ["RunFollower", "RunFollowers"]
