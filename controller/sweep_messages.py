"""Sweeps as reply messages, each config's message built once.

A config changes only by UpdateSweep (which bumps its version), and turning a big one
into its message costs as much as parsing it, so each sweep's (by id, creation time
and config version) is built once and
reused by every reply that carries the sweep (CreateSweep, GetSweep, ListSweeps, the
state changes, an agent's Welcome). The cache is shared by the controllers of one
process, which is safe for that same reason. Building, and copying big messages,
happens off the event loop.
"""

from __future__ import annotations

import asyncio

from sweepd import convert
from sweepd.domain import Sweep

from .lru import SizedLRU

INLINE_BYTES = 64 * 1024  # replies whose configs are built and this small are made inline


class SweepMessages:
    def __init__(self, max_bytes: int = 64 * 1024 * 1024):
        self._configs = SizedLRU(max_bytes)

    async def one(self, sweep: Sweep) -> convert.pb.Sweep:
        return (await self.many([sweep]))[0]

    async def many(self, sweeps: list[Sweep]) -> list[convert.pb.Sweep]:
        # (message, its size): the size is kept, since ByteSize() costs a serialization
        cached = [self._configs.get((s.id, s.created_at, s.config_version)) for s in sweeps]
        if None not in cached and sum(size for _, size in cached) <= INLINE_BYTES:
            return [convert.sweep_to_proto(s, config=c) for s, (c, _) in zip(sweeps, cached)]
        return await asyncio.to_thread(lambda: [self._build(s) for s in sweeps])

    def _build(self, sweep: Sweep) -> convert.pb.Sweep:
        key = (sweep.id, sweep.created_at, sweep.config_version)
        entry = self._configs.get(key)
        if entry is None:
            config = convert.config_to_proto(sweep.config)
            entry = (config, config.ByteSize())
            self._configs.put(key, entry, entry[1])
        return convert.sweep_to_proto(sweep, config=entry[0])


SWEEP_MESSAGES = SweepMessages()
