"""A synchronous client of the controller: stubs wrapped with deadlines, retries of
idempotent calls, and gRPC status codes mapped back to sweepd's domain exceptions.

Callers never see a raw `grpc.RpcError`.
"""

from __future__ import annotations

import logging
import os
import random
import time
from typing import Any, Callable, Mapping, Sequence, TypeVar

import grpc
from google.protobuf import field_mask_pb2

from sweepd import convert
from sweepd.config import FieldError, SweepConfig, parse_config
from sweepd.domain import (
    AlreadyExists,
    ConfigVersion,
    InvalidArgument,
    LeaseLost,
    MetricBatch,
    NotFound,
    PermissionDenied,
    RefusedChange,
    ResourceExhausted,
    Run,
    RunState,
    Sweep,
    SweepdError,
    SweepUpdate,
    Unauthenticated,
    Unavailable,
)
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import agent_service_pb2_grpc as agent_grpc
from sweepd.v1 import metric_service_pb2_grpc as metric_grpc
from sweepd.v1 import sweep_service_pb2 as sweep_pb
from sweepd.v1 import sweep_service_pb2_grpc as sweep_grpc
from sweepd.v1 import types_pb2 as pb

log = logging.getLogger(__name__)

DEFAULT_CONTROLLER = "127.0.0.1:50051"
VIOLATIONS_METADATA_KEY = "sweepd-violations-bin"
T = TypeVar("T")

_ERRORS = {
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.OUT_OF_RANGE: InvalidArgument,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhausted,
    grpc.StatusCode.FAILED_PRECONDITION: LeaseLost,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: Unavailable,
}
RETRYABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)


def controller_address(explicit: str | None = None) -> str:
    return explicit or os.environ.get("SWEEPD_CONTROLLER") or DEFAULT_CONTROLLER


def domain_error(err: grpc.RpcError, address: str = "") -> SweepdError:
    """The domain exception a gRPC error stands for."""
    code = err.code() if hasattr(err, "code") else None
    details = err.details() if hasattr(err, "details") else str(err)
    kind = _ERRORS.get(code, SweepdError)
    if kind is Unavailable:
        return Unavailable(f"controller at {address or '?'} is unreachable: {details}")
    if kind in (InvalidArgument, LeaseLost):
        errors = []
        for key, value in (err.trailing_metadata() or ()) if hasattr(err, "trailing_metadata") else ():
            if key == VIOLATIONS_METADATA_KEY:
                msg = sweep_pb.ValidateSweepResponse.FromString(value)
                errors = [(v.field, v.description) for v in msg.violations]
        if kind is LeaseLost:  # an update refused carries the refused paths; a lost lease none
            return RefusedChange(details, errors) if errors else LeaseLost(details or str(code))
        return InvalidArgument(details or "invalid argument", errors)
    return kind(details or str(code))


def backoff_delays(base: float = 0.2, cap: float = 5.0):
    """Exponential backoff with full jitter, forever."""
    attempt = 0
    while True:
        yield random.uniform(0, min(cap, base * 2**attempt))
        attempt += 1


class Client:
    """The controller's API for scripts, the CLI and the agent."""

    def __init__(self, address: str | None = None, *, timeout: float = 10.0, retries: int = 4,
                 api_key: str | None = None, tls_ca: str | None = None):
        """`api_key` defaults to $SWEEPD_API_KEY; `tls_ca` (a CA certificate file, for a
        controller started with --tls-cert) to $SWEEPD_TLS_CA."""
        self.address = controller_address(address)
        self.timeout = timeout
        self.retries = retries
        self.api_key = api_key or os.environ.get("SWEEPD_API_KEY") or None
        self.tls_ca = tls_ca or os.environ.get("SWEEPD_TLS_CA") or None
        self.metadata = (("authorization", f"Bearer {self.api_key}"),) if self.api_key else ()
        options = [
            ("grpc.max_receive_message_length", 64 * 1024 * 1024),
            ("grpc.keepalive_time_ms", 20_000),
            ("grpc.keepalive_permit_without_calls", 1),
        ]
        if self.tls_ca:
            with open(self.tls_ca, "rb") as f:
                credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
            self.channel = grpc.secure_channel(self.address, credentials, options=options)
        else:
            self.channel = grpc.insecure_channel(self.address, options=options)
        self.sweeps = sweep_grpc.SweepServiceStub(self.channel)
        self.agents = agent_grpc.AgentServiceStub(self.channel)
        self.metrics = metric_grpc.MetricServiceStub(self.channel)

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def wait_ready(self, timeout: float = 10.0) -> None:
        try:
            grpc.channel_ready_future(self.channel).result(timeout=timeout)
        except grpc.FutureTimeoutError:
            raise Unavailable(f"controller at {self.address} is unreachable "
                              f"(no answer within {timeout:g} s)") from None

    def call(self, method: Callable[..., T], request: Any, *, retry: bool = True) -> T:
        delays = backoff_delays()
        for attempt in range(self.retries + 1 if retry else 1):
            try:
                return method(request, timeout=self.timeout, metadata=self.metadata)
            except grpc.RpcError as err:
                if err.code() in RETRYABLE and attempt < self.retries and retry:
                    time.sleep(next(delays))
                    continue
                raise domain_error(err, self.address) from None
        raise AssertionError("unreachable")

    # ---------------------------------------------------------------- sweeps

    def create_sweep(self, config: Mapping[str, Any] | SweepConfig | str) -> Sweep:
        parsed = config if isinstance(config, SweepConfig) else parse_config(config)
        request = sweep_pb.CreateSweepRequest(config=convert.config_to_proto(parsed))
        # not retried blindly: a lost reply would register the sweep twice
        return convert.sweep_from_proto(self.call(self.sweeps.CreateSweep, request, retry=False))

    def validate_sweep(self, config: Mapping[str, Any]) -> tuple[list[FieldError], list[str]]:
        reply = self.call(self.sweeps.ValidateSweep, sweep_pb.ValidateSweepRequest(
            config=convert.config_dict_to_proto(config)))
        return ([FieldError(v.field, v.description) for v in reply.violations], list(reply.warnings))

    def get_sweep(self, sweep_id: str) -> Sweep:
        return convert.sweep_from_proto(
            self.call(self.sweeps.GetSweep, sweep_pb.GetSweepRequest(sweep_id=sweep_id)))

    def list_sweeps(self, project: str = "") -> list[Sweep]:
        reply = self.call(self.sweeps.ListSweeps, sweep_pb.ListSweepsRequest(project=project))
        return [convert.sweep_from_proto(s) for s in reply.sweeps]

    def list_runs(self, sweep_id: str) -> list[Run]:
        reply = self.call(self.sweeps.ListRuns, sweep_pb.ListRunsRequest(sweep_id=sweep_id))
        return [convert.run_from_proto(r) for r in reply.runs]

    def change_state(self, sweep_id: str, action: str) -> Sweep:
        method = {
            "pause": self.sweeps.PauseSweep,
            "resume": self.sweeps.ResumeSweep,
            "stop": self.sweeps.StopSweep,
            "cancel": self.sweeps.CancelSweep,
        }[action]
        return convert.sweep_from_proto(self.call(method, sweep_pb.SweepRef(sweep_id=sweep_id)))

    def update_sweep(
        self, sweep_id: str, config: Mapping[str, Any] | SweepConfig | str | None = None, *,
        run_cap: int | None = None, update_mask: Sequence[str] | None = None,
        expected_version: int = 0,
    ) -> SweepUpdate:
        """Makes a new config version (UpdateSweep). With `config` (a dict, YAML path
        or SweepConfig) and no mask, the whole config is replaced ("*"); `run_cap`
        alone changes only the cap (0 = none); `update_mask` names the fields of
        `config` to take. Refused changes raise RefusedChange listing every one."""
        message = pb.SweepConfig()
        if config is not None:
            parsed = config if isinstance(config, SweepConfig) else parse_config(config)
            message = convert.config_to_proto(parsed)
        paths = list(update_mask) if update_mask is not None else (["*"] if config is not None else [])
        if run_cap is not None:
            message.run_cap = run_cap
            if "run_cap" not in paths and "*" not in paths:
                paths.append("run_cap")
        if not paths:
            raise InvalidArgument("nothing to update: give a config, run_cap or an update mask",
                                  [("update_mask", "empty")])
        request = sweep_pb.UpdateSweepRequest(
            sweep_id=sweep_id, config=message, update_mask=field_mask_pb2.FieldMask(paths=paths),
            expected_version=expected_version)
        # an absolute change is safe to send again; with expected_version a resend would be refused
        reply = self.call(self.sweeps.UpdateSweep, request, retry=not expected_version)
        return SweepUpdate(convert.sweep_from_proto(reply.sweep),
                           convert.config_version_from_proto(reply.version), reply.changed)

    def list_config_versions(self, sweep_id: str) -> list[ConfigVersion]:
        reply = self.call(self.sweeps.ListConfigVersions, sweep_pb.SweepRef(sweep_id=sweep_id))
        return [convert.config_version_from_proto(v) for v in reply.versions]

    # ---------------------------------------------------------------- runs

    def start_run(self, sweep_id: str, run_id: str, token: str) -> Run:
        return convert.run_from_proto(self.call(self.agents.StartRun, agent_pb.StartRunRequest(
            sweep_id=sweep_id, run_id=run_id, lease_token=token)))

    def finish_run(self, sweep_id: str, run_id: str, token: str, state: RunState,
                   exit_code: int | None = None, error: str = "",
                   final_metrics: MetricBatch | None = None, preempted: bool = False) -> Run:
        """Ends a run; `final_metrics`, the run's last points, are stored first (once).
        `preempted` (STOPPED only): stopped because this agent is going away, so the
        sweep's retry policy may run the configuration again."""
        request = agent_pb.FinishRunRequest(
            sweep_id=sweep_id, run_id=run_id, lease_token=token,
            state=convert.run_state_to_proto(state), error=error, preempted=preempted)
        if final_metrics is not None:
            request.final_metrics.CopyFrom(convert.batch_to_proto(final_metrics))
        if exit_code is not None:
            request.exit_code = exit_code
        return convert.run_from_proto(self.call(self.agents.FinishRun, request))

