"""The runs a search method that reads every run (History.FULL, e.g. bayes) is given,
kept per sweep on this replica so that each suggestion reads from Redis only what may
have changed: the runs created since the last read, and the runs that had not ended
then. An ended run does not change, except when it is curated (SetRunIgnored), which
moves the sweep's `curation` counter: a moved counter drops the sweep's entry.

It is a cache, not state: every read asks Redis for what is new, so runs made through
another replica are seen at the next suggestion, and a restart only costs one full read.
"""

from __future__ import annotations

import collections
import logging
from dataclasses import dataclass, field

from sweepd.domain import Run

from .storage.store import Store

log = logging.getLogger(__name__)

MAX_SWEEPS = 16  # sweeps whose runs are kept (least recently used beyond that dropped)
PAGE = 5_000  # runs read per call when catching up


@dataclass
class _Entry:
    curation: str | None
    last_number: int = 0  # every run numbered up to this has been read
    ended: dict[str, Run] = field(default_factory=dict)  # in number order
    open: dict[str, Run] = field(default_factory=dict)  # not ended when last read


class RunCache:
    """Every run of a sweep, each read from Redis once after it ended."""

    def __init__(self, store: Store, max_sweeps: int = MAX_SWEEPS):
        self.store = store
        self.max_sweeps = max_sweeps
        self._entries: collections.OrderedDict[str, _Entry] = collections.OrderedDict()

    def forget(self, sweep_id: str | None = None) -> None:
        if sweep_id is None:
            self._entries.clear()
        else:
            self._entries.pop(sweep_id, None)

    async def runs(self, sweep_id: str) -> list[Run]:
        """Every run of the sweep, in number order, as Redis holds them now."""
        curation = await self.store.curation(sweep_id)
        entry = self._entries.get(sweep_id)
        if entry is None or entry.curation != curation:
            entry = _Entry(curation)
        self._entries[sweep_id] = entry
        self._entries.move_to_end(sweep_id)
        while len(self._entries) > self.max_sweeps:
            self._entries.popitem(last=False)

        reread = await self.store.get_runs(sweep_id, list(entry.open)) if entry.open else []
        entry.open = {}
        for run in reread:
            self._place(entry, run)
        while True:
            page = await self.store.run_page(sweep_id, entry.last_number, PAGE)
            for run in page.runs:
                self._place(entry, run)
            entry.last_number = page.last_number
            if not page.more:
                break
        ordered = list(entry.ended.values()) + list(entry.open.values())
        ordered.sort(key=lambda r: r.number)
        return ordered

    @staticmethod
    def _place(entry: _Entry, run: Run) -> None:
        if run.state.terminal:
            entry.ended[run.id] = run
        else:
            entry.open[run.id] = run
