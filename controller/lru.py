"""A least-recently-used map bounded by the total size of its values.

The controller and the dashboard keep what never changes once written (a sweep's
parsed config of one version, its message) so that reads do not rebuild it each time; this bounds
how much memory that may take. Thread-safe: the dashboard reads from several threads.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Hashable


class SizedLRU:
    """key -> value, dropping the least recently used entries once the sizes given to
    `put` add up to more than `max_size` (an entry bigger than that is not kept)."""

    def __init__(self, max_size: int):
        self.max_size = max_size
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= old[1]
            if size > self.max_size:
                return
            self._entries[key] = (value, size)
            self._size += size
            while self._size > self.max_size:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._size -= dropped

    def __len__(self) -> int:
        return len(self._entries)
