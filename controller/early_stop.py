"""Early termination at a metric report: the sweep's stopping index when it is ready,
the pure rule over every history otherwise, and the building of the index.

The index (stopping/index.py, storage/lua/_stop_index.lua) makes a decision cost
O(log runs) per active run instead of a read of every history. It is kept by the
report script once it exists; a generation of it is built for a config's rule when a
sweep is created, when an update changes early_terminate, and whenever a decision finds
it missing, stale or half built (a sweep stored by an older controller, a builder that
died). Until it is ready, decisions read every history, as the pure rule does, so
they are the same either way. Building is idempotent and resumable from Redis (a
cursor over run numbers): any replica may do it, and two doing it at once only waste
work. The tasks in flight are kept here only so that one replica does not start the
same build twice.
"""

from __future__ import annotations

import asyncio
import logging

from sweepd.config import SweepConfig
from sweepd.redact import mask_credentials

from .stopping.base import StopDecision, get_stopping_rule
from .stopping.index import index_decisions, index_spec
from .storage.replies import BuildStep, IndexState
from .storage.store import Store

log = logging.getLogger(__name__)


class EarlyStopping:
    """Decides which runs to stop, over one store."""

    def __init__(self, store: Store):
        self.store = store
        self._builds: dict[str, asyncio.Task] = {}

    async def decide(self, sweep_id: str, config: SweepConfig, version: int) -> list[StopDecision]:
        """The stopping rule's decisions now (config version `version`)."""
        spec = index_spec(config)
        if spec is not None:
            state, standings = await self.store.stop_standings(sweep_id, spec)
            if state is IndexState.READY:
                return index_decisions(config, spec, standings)
            if state is not IndexState.OVER:  # past the marks: this generation stays as it is
                self.start_build(sweep_id, config, version)
        rule = get_stopping_rule(config.early_terminate.type)
        histories = await self.store.histories(sweep_id)
        return await asyncio.to_thread(rule.decide, config, histories)

    def start_build(self, sweep_id: str, config: SweepConfig, version: int) -> None:
        """Builds the index for the config's rule in the background (unless this replica
        is building one for the sweep already)."""
        running = self._builds.get(sweep_id)
        if running is not None and not running.done():
            return
        if index_spec(config) is None:
            return
        task = asyncio.create_task(self.build_now(sweep_id, config, version))
        self._builds[sweep_id] = task
        task.add_done_callback(lambda t: self._builds.pop(sweep_id, None)
                               if self._builds.get(sweep_id) is t else None)

    async def build_now(self, sweep_id: str, config: SweepConfig, version: int) -> None:
        """`build`, with a failure logged rather than raised (a later decision retries)."""
        try:
            await self.build(sweep_id, config, version)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the next decision starts it again
            log.warning("sweep %s: stopping index not built: %s", sweep_id,
                        mask_credentials(str(exc)))

    async def build(self, sweep_id: str, config: SweepConfig, version: int) -> bool:
        """Builds the index generation of the config's rule (starting one when the
        stored index is for another rule); True when it is ready. False when the
        sweep's config is past `version`, or another generation started meanwhile."""
        spec = index_spec(config)
        if spec is None:
            return False
        found = await self.store.reset_stop_index(sweep_id, spec, version)
        if found is None:
            return False
        if found.new:
            log.info("sweep %s: building stopping index generation %s (%s)", sweep_id,
                     found.generation, config.early_terminate.type)
        while True:
            step = await self.store.build_stop_index(sweep_id, found.generation)
            if step is not BuildStep.MORE:
                return step is BuildStep.READY

    async def close(self) -> None:
        """Cancels the builds in flight (a later decision starts them again)."""
        tasks = list(self._builds.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
