"""A Connect stream driven message by message, as a hostile or careless client would
drive it, and a run taken by hand (tests/ helpers for the limit, lease and auth tests)."""

from __future__ import annotations

import queue

import grpc
import pytest

from sweepd.client import Client
from sweepd.v1 import agent_service_pb2 as agent_pb


class RawAgent:
    """Connect with a hello (`hello=False`: none), optional metadata and deadline."""

    def __init__(self, client: Client, sweep_id: str, agent_id: str = "raw", *,
                 held: dict[str, str] | None = None, hello: bool = True,
                 metadata=None, timeout: float | None = None):
        self._out: queue.Queue = queue.Queue()
        if hello:
            self.hello(sweep_id, agent_id, held)
        self.stream = client.agents.Connect(
            iter(self._out.get, None), metadata=client.metadata if metadata is None else metadata,
            timeout=timeout)

    def hello(self, sweep_id: str, agent_id: str = "raw", held: dict[str, str] | None = None) -> None:
        self._out.put(agent_pb.AgentMessage(hello=agent_pb.AgentHello(
            sweep_id=sweep_id, agent_id=agent_id, held_runs=_held(held))))

    def request(self, count: int) -> None:
        self._out.put(agent_pb.AgentMessage(run_request=agent_pb.RunRequest(count=count)))

    def heartbeat(self, held: dict[str, str]) -> None:
        self._out.put(agent_pb.AgentMessage(heartbeat=agent_pb.Heartbeat(held_runs=_held(held))))

    def close(self) -> None:
        self._out.put(None)
        self.stream.cancel()

    def next(self, kind: str):
        """The next message, which must be of this kind."""
        message = next(self.stream)
        assert message.WhichOneof("kind") == kind, message
        return getattr(message, kind)

    def read_until(self, kind: str) -> list:
        seen = []
        for message in self.stream:
            seen.append(message)
            if message.WhichOneof("kind") == kind:
                return seen
        raise AssertionError(f"stream ended before a {kind}")

    def error(self) -> grpc.RpcError:
        """How the stream ended (it must end with an error)."""
        try:
            with pytest.raises(grpc.RpcError) as caught:
                for _ in self.stream:
                    pass
        finally:
            self._out.put(None)  # ends the request side, and the thread feeding it
        return caught.value


def take_run(client: Client, sweep_id: str, agent_id: str = "manual") -> tuple[str, str]:
    """One run taken by hand (run id, lease token): the stream that took it is closed at
    once and sends no heartbeat, so the run crashes when its lease runs out."""
    stream = client.agents.Connect(iter([
        agent_pb.AgentMessage(hello=agent_pb.AgentHello(sweep_id=sweep_id, agent_id=agent_id)),
        agent_pb.AgentMessage(run_request=agent_pb.RunRequest(count=1)),
    ]), metadata=client.metadata)
    for message in stream:
        if message.WhichOneof("kind") == "assignment":
            stream.cancel()
            return message.assignment.run.id, message.assignment.lease_token
    raise AssertionError("no assignment")


def _held(held: dict[str, str] | None) -> list:
    return [agent_pb.HeldRun(run_id=r, lease_token=t) for r, t in (held or {}).items()]
