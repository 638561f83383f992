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
from sweepd.domain import StopReason, SweepState
from sweepd.redact import mask_credentials
from sweepd.v1 import agent_service_pb2 as agent_pb

from .service import SweepRules
from .storage import keys

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
    """The sessions on this replica, indexed by sweep and by held run."""

    def __init__(self, rules: SweepRules):
        self.rules = rules
        self.by_sweep: dict[str, set[AgentSession]] = {}
        self._listener: asyncio.Task | None = None
        self._refills: set[asyncio.Task] = set()

    # ---------------------------------------------------------------- lifecycle

    def add(self, session: AgentSession) -> None:
        self.by_sweep.setdefault(session.sweep_id, set()).add(session)

    def remove(self, session: AgentSession) -> None:
        group = self.by_sweep.get(session.sweep_id)
        if group:
            group.discard(session)
            if not group:
                del self.by_sweep[session.sweep_id]

    def holder(self, sweep_id: str, run_id: str) -> AgentSession | None:
        for session in self.by_sweep.get(sweep_id, ()):
            if run_id in session.held:
                return session
        return None

    # ---------------------------------------------------------------- work

    async def fill(self, session: AgentSession) -> None:
        """Hands the session as many runs as it asked for and the sweep allows."""
        async with session.lock:
            if session.done or session.closed or session.wanted <= 0:
                return
            outcome = await self.rules.next_runs(session.sweep_id, session.agent_id, session.wanted,
                                                 host=session.host)
            config = await self.rules.config_of(session.sweep_id)
            for a in outcome.assigned:
                session.wanted -= 1
                session.held[a.run.id] = a.lease_token
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
        assignment was committed but the stream broke before it arrived."""
        sweep_id = session.sweep_id
        active = await self.rules.store.active_run_ids(sweep_id)
        rows = await self.rules.store.run_fields(sweep_id, active, "agent_id", "state")
        lost = [rid for rid, (agent, state) in zip(active, rows)
                if agent == session.agent_id and state == "pending" and rid not in session.held]
        if not lost:
            return
        config = await self.rules.config_of(sweep_id)
        for run in await self.rules.store.get_runs(sweep_id, lost):
            session.held[run.id] = run.lease_token
            session.wanted -= 1  # may go below 0: the agent's re-sent request pays it back
            session.send(assignment=_assignment(run, run.lease_token, config))

    async def heartbeat(self, session: AgentSession) -> None:
        for status in await self.rules.heartbeat(session.sweep_id, dict(session.held)):
            if status.stop is not None:
                if status.stop.kind == "lease":
                    session.held.pop(status.run_id, None)
                session.send_stop(status.run_id, status.stop)
        if session.wanted > 0 and not session.done:  # an event it waited for may have been lost
            await self.fill(session)

    def release(self, session: AgentSession, run_id: str) -> None:
        session.held.pop(run_id, None)

    # ---------------------------------------------------------------- events

    async def on_event(self, sweep_id: str, message: str) -> None:
        kind, _, arg = message.partition(" ")
        sessions = list(self.by_sweep.get(sweep_id, ()))
        if kind == "stop":
            holder = self.holder(sweep_id, arg)
            if holder is not None:
                holder.send_stop(arg, await self.rules.stop_reason(sweep_id, arg))
            return
        self.rules.forget_config(sweep_id)  # its config may have changed (UpdateSweep)
        for session in sessions:  # the sweep changed: waiting sessions look again
            if session.wanted > 0 and not session.done:
                await self.fill(session)

    async def _refill_waiting(self) -> None:
        for sessions in list(self.by_sweep.values()):
            for session in list(sessions):
                if session.wanted > 0 and not session.done:
                    await self.fill(session)

    def start_listening(self, redis) -> None:
        self._listener = asyncio.create_task(self._listen(redis))

    async def stop_listening(self) -> None:
        if self._listener:
            self._listener.cancel()
            try:
                await self._listener
            except (asyncio.CancelledError, Exception):
                pass

    async def _listen(self, redis) -> None:
        pattern = keys.sweep_events("*")
        while True:
            try:
                pubsub = redis.pubsub(ignore_subscribe_messages=True)
                await pubsub.psubscribe(pattern)
                self.rules.forget_config()  # events sent while we were away are lost:
                await self._refill_waiting()  # forget configs, and waiting sessions look again
                async for item in pubsub.listen():
                    if item.get("type") != "pmessage":
                        continue
                    channel = item["channel"]
                    sweep_id = channel[channel.index("{") + 1: channel.index("}")]
                    try:
                        await self.on_event(sweep_id, item["data"])
                    except Exception:  # one bad event must not end the listener
                        log.exception("handling event %r on %s", item["data"], channel)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("event listener lost Redis (%s); reconnecting", mask_credentials(str(exc)))
                await asyncio.sleep(0.5)


def _assignment(run, token: str, config) -> agent_pb.RunAssignment:
    return agent_pb.RunAssignment(
        run=convert.run_to_proto(run), lease_token=token,
        command=list(config.command) if config.program else [], program=config.program or "")


async def publish_state(rules: SweepRules, sweep_id: str, state: SweepState | str) -> None:
    value = state.value if isinstance(state, SweepState) else state
    await rules.store.publish(sweep_id, f"state {value}")
