"""Agent sessions of one controller replica, and the sweep events that reach them.

An agent's Connect stream is a session: what it still wants (run requests) and which
runs it holds. Sessions are in-process, but nothing depends on them surviving: the
agent re-sends what it holds when it reconnects, and leases live in Redis. Events
(stop this run, the sweep changed state) come over Redis pub/sub so that the replica
holding an agent's stream hears what another replica decided; heartbeats reconcile
anything a missed event would have said.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, field

from sweepd import convert
from sweepd.domain import StopReason
from sweepd.redact import mask_credentials
from sweepd.v1 import agent_service_pb2 as agent_pb

from .events import Event, RunsRequeued, RunStopped, SweepStateChanged
from .service import SweepRules

log = logging.getLogger(__name__)


@dataclass(eq=False)
class AgentSession:
    sweep_id: str
    agent_id: str
    host: str = ""  # the hostname of its hello, recorded in the runs it is handed
    outbox: asyncio.Queue = field(default_factory=asyncio.Queue)
    held: dict[str, str] = field(default_factory=dict)  # run id -> lease token
    wanted: int = 0
    done: bool = False
    closed: bool = False  # the stream ended: hand it nothing more
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def send(self, **kind) -> None:
        self.outbox.put_nowait(agent_pb.ControllerMessage(**kind))

    def send_stop(self, run_id: str, reason: StopReason) -> None:
        self.send(stop=agent_pb.StopRun(run_id=run_id, reason=convert.stop_reason_to_proto(reason)))


class AgentSessions:
    """The sessions on this replica, indexed so that nothing an agent or a run does
    costs in proportion to the other agents: by sweep, by held run (which session
    holds run R of sweep S), and the sessions waiting for runs, per sweep. A session's
    held runs change only through `hold`, `set_held` and `release`, which keep the
    run index right."""

    def __init__(self, rules: SweepRules):
        self.rules = rules
        self.by_sweep: dict[str, set[AgentSession]] = {}
        self.waiting: dict[str, set[AgentSession]] = {}  # wanted > 0, not done, not closed
        self._holders: dict[tuple[str, str], AgentSession] = {}  # (sweep, run) -> session
        self._listener: asyncio.Task | None = None
        self.listening = asyncio.Event()  # set while the listener is subscribed
        self._refills: set[asyncio.Task] = set()

    # ---------------------------------------------------------------- lifecycle

    def add(self, session: AgentSession) -> None:
        self.by_sweep.setdefault(session.sweep_id, set()).add(session)

    def remove(self, session: AgentSession) -> None:
        session.closed = True
        self._note(session)
        for run_id in session.held:
            self._unindex(session, run_id)
        group = self.by_sweep.get(session.sweep_id)
        if group:
            group.discard(session)
            if not group:
                del self.by_sweep[session.sweep_id]

    def holder(self, sweep_id: str, run_id: str) -> AgentSession | None:
        """The session holding the run (the latest to take it, when an agent's new
        stream and its old one both list it); None when none here does."""
        session = self._holders.get((sweep_id, run_id))
        return session if session is not None and run_id in session.held else None

    def hold(self, session: AgentSession, run_id: str, token: str) -> None:
        session.held[run_id] = token
        if not session.closed:  # a removed session stays out of the index
            self._holders[(session.sweep_id, run_id)] = session

    def set_held(self, session: AgentSession, held: dict[str, str]) -> None:
        """The runs the agent says it holds (its hello, each heartbeat), as they are."""
        for run_id in session.held.keys() - held.keys():
            self._unindex(session, run_id)
        session.held = held
        if not session.closed:
            for run_id in held:
                self._holders[(session.sweep_id, run_id)] = session

    def release(self, session: AgentSession, run_id: str) -> None:
        if session.held.pop(run_id, None) is not None:
            self._unindex(session, run_id)

    def _unindex(self, session: AgentSession, run_id: str) -> None:
        key = (session.sweep_id, run_id)
        if self._holders.get(key) is session:
            del self._holders[key]

    def _note(self, session: AgentSession) -> None:
        """Keeps `waiting` right after the session's wanted/done/closed changed."""
        if session.wanted > 0 and not session.done and not session.closed:
            self.waiting.setdefault(session.sweep_id, set()).add(session)
            return
        group = self.waiting.get(session.sweep_id)
        if group is not None:
            group.discard(session)
            if not group:
                del self.waiting[session.sweep_id]

    # ---------------------------------------------------------------- work

    def want(self, session: AgentSession, count: int) -> None:
        session.wanted += count
        self._note(session)

    async def fill(self, session: AgentSession) -> None:
        """Hands the session as many runs as it asked for and the sweep allows."""
        async with session.lock:
            try:
                await self._fill(session)
            finally:
                self._note(session)

    async def _fill(self, session: AgentSession) -> None:
        if session.done or session.closed or session.wanted <= 0:
            return
        outcome = await self.rules.next_runs(session.sweep_id, session.agent_id, session.wanted,
                                             host=session.host)
        config = await self.rules.config_of(session.sweep_id)
        for a in outcome.assigned:
            session.wanted -= 1
            self.hold(session, a.run.id, a.lease_token)
            session.send(assignment=_assignment(a.run, a.lease_token, config))
        if outcome.done is not None and session.wanted > 0:
            session.done = True
            session.wanted = 0
            session.send(done=agent_pb.SweepDone(
                state=convert.sweep_state_to_proto(outcome.done), message=outcome.message))
        elif outcome.contended and session.wanted > 0:
            self._fill_soon(session)

    def _fill_soon(self, session: AgentSession) -> None:
        """Asks again after a short random pause: the agents that won the race have
        moved on by then (a grid's cursor, another replica's claims)."""
        async def again() -> None:
            await asyncio.sleep(random.uniform(0.005, 0.05))
            try:
                await self.fill(session)
            except Exception as exc:  # the agent's heartbeat asks again
                log.warning("refill for agent %s failed: %s", session.agent_id,
                            mask_credentials(str(exc)))

        task = asyncio.create_task(again())
        self._refills.add(task)
        task.add_done_callback(self._refills.discard)

    async def redeliver(self, session: AgentSession) -> None:
        """Re-sends runs assigned to this agent that it does not know it holds: the
        assignment was committed but the stream broke before it arrived. Reads only
        this agent's runs (the store's index of each agent's active runs)."""
        sweep_id = session.sweep_id
        lost = [run for run in await self.rules.store.pending_runs_of(sweep_id, session.agent_id)
                if run.id not in session.held]
        if not lost:
            return
        config = await self.rules.config_of(sweep_id)
        for run in lost:
            self.hold(session, run.id, run.lease_token)
            session.wanted -= 1  # may go below 0: the agent's re-sent request pays it back
            session.send(assignment=_assignment(run, run.lease_token, config))
        self._note(session)

    async def heartbeat(self, session: AgentSession) -> None:
        for status in await self.rules.heartbeat(session.sweep_id, dict(session.held)):
            if status.stop is not None:
                if status.stop.kind == "lease":
                    self.release(session, status.run_id)
                session.send_stop(status.run_id, status.stop)
        if session.wanted > 0 and not session.done:  # an event it waited for may have been lost
            await self.fill(session)

    # ---------------------------------------------------------------- events

    async def on_event(self, sweep_id: str, event: Event) -> None:
        match event:
            case RunStopped(run_id):
                holder = self.holder(sweep_id, run_id)
                if holder is not None:
                    holder.send_stop(run_id, await self.rules.stop_reason(sweep_id, run_id))
            case SweepStateChanged() | RunsRequeued():
                self.rules.forget_config(sweep_id)  # its config may have changed (UpdateSweep)
                for session in list(self.waiting.get(sweep_id, ())):  # waiting sessions look again
                    await self.fill(session)

    async def _refill_waiting(self) -> None:
        for sessions in list(self.waiting.values()):
            for session in list(sessions):
                await self.fill(session)

    def start_listening(self) -> None:
        self._listener = asyncio.create_task(self._listen())

    async def stop_listening(self) -> None:
        if self._listener:
            self._listener.cancel()
            try:
                await self._listener
            except (asyncio.CancelledError, Exception):
                pass

    async def _listen(self) -> None:
        while True:
            try:
                async with self.rules.store.events.subscription() as events:
                    self.listening.set()
                    self.rules.forget_config()  # events sent while we were away are lost:
                    await self._refill_waiting()  # forget configs, and waiting sessions look again
                    async for sweep_id, event in events:
                        try:
                            await self.on_event(sweep_id, event)
                        except Exception:  # one bad event must not end the listener
                            log.exception("handling %r of sweep %s", event, sweep_id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("event listener lost Redis (%s); reconnecting", mask_credentials(str(exc)))
                await asyncio.sleep(0.5)
            finally:
                self.listening.clear()


def _assignment(run, token: str, config) -> agent_pb.RunAssignment:
    return agent_pb.RunAssignment(
        run=convert.run_to_proto(run), lease_token=token,
        command=list(config.command) if config.program else [], program=config.program or "")
