from sweepd.v1 import metric_service_pb2 as _metric_service_pb2
from sweepd.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AgentMessage(_message.Message):
    __slots__ = ("hello", "run_request", "heartbeat")
    HELLO_FIELD_NUMBER: _ClassVar[int]
    RUN_REQUEST_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    hello: AgentHello
    run_request: RunRequest
    heartbeat: Heartbeat
    def __init__(self, hello: _Optional[_Union[AgentHello, _Mapping]] = ..., run_request: _Optional[_Union[RunRequest, _Mapping]] = ..., heartbeat: _Optional[_Union[Heartbeat, _Mapping]] = ...) -> None: ...

class AgentHello(_message.Message):
    __slots__ = ("sweep_id", "agent_id", "hostname", "held_runs")
    SWEEP_ID_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    HOSTNAME_FIELD_NUMBER: _ClassVar[int]
    HELD_RUNS_FIELD_NUMBER: _ClassVar[int]
    sweep_id: str
    agent_id: str
    hostname: str
    held_runs: _containers.RepeatedCompositeFieldContainer[HeldRun]
    def __init__(self, sweep_id: _Optional[str] = ..., agent_id: _Optional[str] = ..., hostname: _Optional[str] = ..., held_runs: _Optional[_Iterable[_Union[HeldRun, _Mapping]]] = ...) -> None: ...

class HeldRun(_message.Message):
    __slots__ = ("run_id", "lease_token")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    LEASE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    lease_token: str
    def __init__(self, run_id: _Optional[str] = ..., lease_token: _Optional[str] = ...) -> None: ...

class RunRequest(_message.Message):
    __slots__ = ("count",)
    COUNT_FIELD_NUMBER: _ClassVar[int]
    count: int
    def __init__(self, count: _Optional[int] = ...) -> None: ...

class Heartbeat(_message.Message):
    __slots__ = ("held_runs",)
    HELD_RUNS_FIELD_NUMBER: _ClassVar[int]
    held_runs: _containers.RepeatedCompositeFieldContainer[HeldRun]
    def __init__(self, held_runs: _Optional[_Iterable[_Union[HeldRun, _Mapping]]] = ...) -> None: ...

class ControllerMessage(_message.Message):
    __slots__ = ("welcome", "assignment", "stop", "done")
    WELCOME_FIELD_NUMBER: _ClassVar[int]
    ASSIGNMENT_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    welcome: Welcome
    assignment: RunAssignment
    stop: StopRun
    done: SweepDone
    def __init__(self, welcome: _Optional[_Union[Welcome, _Mapping]] = ..., assignment: _Optional[_Union[RunAssignment, _Mapping]] = ..., stop: _Optional[_Union[StopRun, _Mapping]] = ..., done: _Optional[_Union[SweepDone, _Mapping]] = ...) -> None: ...

class Welcome(_message.Message):
    __slots__ = ("agent_id", "lease_duration_seconds", "heartbeat_interval_seconds", "sweep")
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    LEASE_DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_INTERVAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SWEEP_FIELD_NUMBER: _ClassVar[int]
    agent_id: str
    lease_duration_seconds: float
    heartbeat_interval_seconds: float
    sweep: _types_pb2.Sweep
    def __init__(self, agent_id: _Optional[str] = ..., lease_duration_seconds: _Optional[float] = ..., heartbeat_interval_seconds: _Optional[float] = ..., sweep: _Optional[_Union[_types_pb2.Sweep, _Mapping]] = ...) -> None: ...

class RunAssignment(_message.Message):
    __slots__ = ("run", "lease_token", "command", "program")
    RUN_FIELD_NUMBER: _ClassVar[int]
    LEASE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    PROGRAM_FIELD_NUMBER: _ClassVar[int]
    run: _types_pb2.Run
    lease_token: str
    command: _containers.RepeatedScalarFieldContainer[str]
    program: str
    def __init__(self, run: _Optional[_Union[_types_pb2.Run, _Mapping]] = ..., lease_token: _Optional[str] = ..., command: _Optional[_Iterable[str]] = ..., program: _Optional[str] = ...) -> None: ...

class StopRun(_message.Message):
    __slots__ = ("run_id", "reason")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    reason: _types_pb2.StopReason
    def __init__(self, run_id: _Optional[str] = ..., reason: _Optional[_Union[_types_pb2.StopReason, _Mapping]] = ...) -> None: ...

class SweepDone(_message.Message):
    __slots__ = ("state", "message")
    STATE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    state: _types_pb2.SweepState
    message: str
    def __init__(self, state: _Optional[_Union[_types_pb2.SweepState, str]] = ..., message: _Optional[str] = ...) -> None: ...

class StartRunRequest(_message.Message):
    __slots__ = ("sweep_id", "run_id", "lease_token")
    SWEEP_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    LEASE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    sweep_id: str
    run_id: str
    lease_token: str
    def __init__(self, sweep_id: _Optional[str] = ..., run_id: _Optional[str] = ..., lease_token: _Optional[str] = ...) -> None: ...

class FinishRunRequest(_message.Message):
    __slots__ = ("sweep_id", "run_id", "lease_token", "state", "exit_code", "error", "final_metrics", "preempted", "output")
    SWEEP_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    LEASE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    FINAL_METRICS_FIELD_NUMBER: _ClassVar[int]
    PREEMPTED_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    sweep_id: str
    run_id: str
    lease_token: str
    state: _types_pb2.RunState
    exit_code: int
    error: str
    final_metrics: _metric_service_pb2.MetricBatch
    preempted: bool
    output: RunOutput
    def __init__(self, sweep_id: _Optional[str] = ..., run_id: _Optional[str] = ..., lease_token: _Optional[str] = ..., state: _Optional[_Union[_types_pb2.RunState, str]] = ..., exit_code: _Optional[int] = ..., error: _Optional[str] = ..., final_metrics: _Optional[_Union[_metric_service_pb2.MetricBatch, _Mapping]] = ..., preempted: _Optional[bool] = ..., output: _Optional[_Union[RunOutput, _Mapping]] = ...) -> None: ...

class RunOutput(_message.Message):
    __slots__ = ("stdout_tail", "stderr_tail", "stdout_bytes", "stderr_bytes", "traceback")
    STDOUT_TAIL_FIELD_NUMBER: _ClassVar[int]
    STDERR_TAIL_FIELD_NUMBER: _ClassVar[int]
    STDOUT_BYTES_FIELD_NUMBER: _ClassVar[int]
    STDERR_BYTES_FIELD_NUMBER: _ClassVar[int]
    TRACEBACK_FIELD_NUMBER: _ClassVar[int]
    stdout_tail: str
    stderr_tail: str
    stdout_bytes: int
    stderr_bytes: int
    traceback: str
    def __init__(self, stdout_tail: _Optional[str] = ..., stderr_tail: _Optional[str] = ..., stdout_bytes: _Optional[int] = ..., stderr_bytes: _Optional[int] = ..., traceback: _Optional[str] = ...) -> None: ...
