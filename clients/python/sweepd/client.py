"""A synchronous client of the controller: stubs wrapped with deadlines, retries of
idempotent calls, and gRPC status codes mapped back to sweepd's domain exceptions.

Callers never see a raw `grpc.RpcError`.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable, Iterator, Mapping, Sequence, TypeVar

import grpc
from google.protobuf import field_mask_pb2

from sweepd import convert, status
from sweepd.config import FieldError, SweepConfig, parse_config
from sweepd.domain import (
    ConfigVersion,
    error_tail,
    MetricBatch,
    MetricPoint,
    Page,
    Run,
    RunOutput,
    RunState,
    Sweep,
    SweepUpdate,
)
from sweepd.errors import InvalidArgument, SweepdError, Unavailable
from sweepd.retry import Retry, retrying
from sweepd.targets import channel_target
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import agent_service_pb2_grpc as agent_grpc
from sweepd.v1 import metric_service_pb2 as metric_pb
from sweepd.v1 import metric_service_pb2_grpc as metric_grpc
from sweepd.v1 import sweep_service_pb2 as sweep_pb
from sweepd.v1 import sweep_service_pb2_grpc as sweep_grpc
from sweepd.v1 import types_pb2 as pb

log = logging.getLogger(__name__)

DEFAULT_CONTROLLER = "127.0.0.1:50051"
VIOLATIONS_METADATA_KEY = status.VIOLATIONS_METADATA_KEY
T = TypeVar("T")

# The channel settings docs/agent-protocol.md recommends. Keepalive: a ping every 20 s
# (the controller allows one every 5 s), idle connections included, so a controller
# that vanished without closing them is noticed. Reconnect backoff: gRPC's own grows to
# two minutes, far past a lease; bounded to 1 s, a restarted controller is reached as
# soon as the agent's own backoff (kept within a quarter of the lease) asks for it.
CHANNEL_OPTIONS = (
    ("grpc.keepalive_time_ms", 20_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 1_000),
)


def controller_address(explicit: str | None = None) -> str:
    return explicit or os.environ.get("SWEEPD_CONTROLLER") or DEFAULT_CONTROLLER


def domain_error(err: grpc.RpcError, address: str = "", *, lease_call: bool = False) -> SweepdError:
    """The sweepd error a gRPC error stands for (sweepd.status has the table)."""
    return status.error_from(err, address, lease_call=lease_call)


class Client:
    """The controller's API for scripts, the CLI and the agent."""

    # The largest reply this client accepts (None: gRPC's default, 4 MiB). Listings
    # come in pages that fit in the default; other replies (a sweep with a big config)
    # may not.
    RECEIVE_LIMIT: int | None = 64 * 1024 * 1024

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
        target = channel_target(self.address)
        options = list(CHANNEL_OPTIONS) + list(target.options)
        if self.RECEIVE_LIMIT is not None:
            options.append(("grpc.max_receive_message_length", self.RECEIVE_LIMIT))
        if self.tls_ca:
            with open(self.tls_ca, "rb") as f:
                credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
            self.channel = grpc.secure_channel(target.target, credentials, options=options)
        else:
            self.channel = grpc.insecure_channel(target.target, options=options)
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

    def call(self, method: Callable[..., T], request: Any, *, retry: bool = True,
             lease_call: bool = False) -> T:
        """One call with the client's deadline, made up to 1 + `retries` times while
        the controller is unreachable (`retry`: the call is safe to repeat).
        `lease_call`: a call about a held run (see sweepd.status.error_of)."""
        def once() -> T:
            try:
                return method(request, timeout=self.timeout, metadata=self.metadata)
            except grpc.RpcError as err:
                raise domain_error(err, self.address, lease_call=lease_call) from None

        return retrying(once, Retry(attempts=self.retries + 1 if retry else 1))

    # ---------------------------------------------------------------- sweeps

    def create_sweep(self, config: Mapping[str, Any] | SweepConfig | str,
                     prior_runs: Any = None) -> Sweep:
        """Registers a sweep. `prior_runs`: runs done elsewhere that search starts from
        (PriorRuns, {"config", "summary"} dicts, a CSV / JSON-lines path or a sweep id;
        see sweepd.prior); those that do not fit are named in the Sweep's warnings."""
        from sweepd.prior import load_prior_runs

        parsed = config if isinstance(config, SweepConfig) else parse_config(config)
        priors = [] if prior_runs is None else load_prior_runs(prior_runs, parsed, self)
        request = sweep_pb.CreateSweepRequest(
            config=convert.config_to_proto(parsed),
            prior_runs=[convert.prior_run_to_proto(p, f"prior_runs[{i}]")
                        for i, p in enumerate(priors)])
        # not retried blindly: a lost reply would register the sweep twice
        return convert.sweep_from_proto(self.call(self.sweeps.CreateSweep, request, retry=False))

    def validate_sweep(self, config: Mapping[str, Any]) -> tuple[list[FieldError], list[str]]:
        reply = self.call(self.sweeps.ValidateSweep, sweep_pb.ValidateSweepRequest(
            config=convert.config_dict_to_proto(config)))
        return ([FieldError(v.field, v.description) for v in reply.violations], list(reply.warnings))

    def get_sweep(self, sweep_id: str) -> Sweep:
        return convert.sweep_from_proto(
            self.call(self.sweeps.GetSweep, sweep_pb.GetSweepRequest(sweep_id=sweep_id)))

    def list_sweeps(self, project: str = "", *, page_size: int = 0) -> list[Sweep]:
        """The sweeps the caller may see (of `project`, when given), newest first, read
        page by page."""
        sweeps: list[Sweep] = []
        token = ""
        while True:
            page = self.list_sweeps_page(project, page_size=page_size, page_token=token)
            sweeps += page.items
            if not (token := page.next_page_token):
                return sweeps

    def list_sweeps_page(self, project: str = "", *, page_size: int = 0,
                         page_token: str = "") -> Page[Sweep]:
        """One page of sweeps; pass its next_page_token (and the same project) for the
        next one. A page may hold fewer sweeps than page_size, even none, while more
        follow (sweeps of other projects count towards a page)."""
        reply = self.call(self.sweeps.ListSweeps, sweep_pb.ListSweepsRequest(
            project=project, page_size=page_size, page_token=page_token))
        return Page([convert.sweep_from_proto(s) for s in reply.sweeps], reply.next_page_token)

    def list_runs(self, sweep_id: str, *, page_size: int = 0) -> list[Run]:
        """Every run of a sweep, in creation order, read page by page (`page_size` runs
        a page; 0: the controller's default, 1,000)."""
        return list(self.iter_runs(sweep_id, page_size=page_size))

    def iter_runs(self, sweep_id: str, *, page_size: int = 0) -> Iterator[Run]:
        """The runs of a sweep in creation order, one page read at a time; runs created
        meanwhile come at the end."""
        token = ""
        while True:
            page = self.list_runs_page(sweep_id, page_size=page_size, page_token=token)
            yield from page.items
            if not (token := page.next_page_token):
                return

    def list_runs_page(self, sweep_id: str, *, page_size: int = 0, page_token: str = "") -> Page[Run]:
        """One page of a sweep's runs; pass its next_page_token for the next one."""
        reply = self.call(self.sweeps.ListRuns, sweep_pb.ListRunsRequest(
            sweep_id=sweep_id, page_size=page_size, page_token=page_token))
        return Page([convert.run_from_proto(r) for r in reply.runs], reply.next_page_token)

    def pareto_front(self, sweep_id: str, *, page_size: int = 0) -> list[Run]:
        """The runs on a multi-objective sweep's Pareto front (pareto_rank 0), in
        creation order; empty for a single-objective sweep."""
        return [run for run in self.iter_runs(sweep_id, page_size=page_size)
                if run.pareto_optimal]

    def change_state(self, sweep_id: str, action: str) -> Sweep:
        method = {
            "pause": self.sweeps.PauseSweep,
            "resume": self.sweeps.ResumeSweep,
            "stop": self.sweeps.StopSweep,
            "cancel": self.sweeps.CancelSweep,
        }[action]
        return convert.sweep_from_proto(self.call(method, sweep_pb.SweepRef(sweep_id=sweep_id)))

    # ---------------------------------------------------------------- metrics

    def run_metrics(self, sweep_id: str, run_id: str, keys: Sequence[str] = (), *,
                    page_size: int = 0) -> list[MetricPoint]:
        """A run's stored points, in order (only `keys`, when given), read page by page."""
        points: list[MetricPoint] = []
        token = ""
        while True:
            page = self.run_metrics_page(sweep_id, run_id, keys, page_size=page_size,
                                         page_token=token)
            points += page.items
            if not (token := page.next_page_token):
                return points

    def run_metrics_page(self, sweep_id: str, run_id: str, keys: Sequence[str] = (), *,
                         page_size: int = 0, page_token: str = "") -> Page[MetricPoint]:
        """One page of a run's points; pass its next_page_token (and the same keys)
        for the next one. A page may hold fewer points than page_size, even none,
        while more follow (with `keys`, points without them are left out)."""
        reply = self.call(self.metrics.GetRunMetrics, metric_pb.GetRunMetricsRequest(
            sweep_id=sweep_id, run_id=run_id, keys=list(keys), page_size=page_size,
            page_token=page_token))
        return Page([convert.point_from_proto(p) for p in reply.points], reply.next_page_token)

    # ---------------------------------------------------------------- curating runs

    def set_run_ignored(self, sweep_id: str, run_id: str, ignored: bool = True) -> Run:
        """Leaves a run out of search and of the sweep's best (or takes it back in)."""
        return convert.run_from_proto(self.call(self.sweeps.SetRunIgnored, sweep_pb.SetRunIgnoredRequest(
            sweep_id=sweep_id, run_id=run_id, ignored=ignored)))

    def requeue_run(self, sweep_id: str, run_id: str) -> int:
        """Queues a run's configuration to run again as a new run; returns how many
        configurations wait. Not retried blindly: a lost reply would queue it twice."""
        reply = self.call(self.sweeps.RequeueRun, sweep_pb.RequeueRunRequest(
            sweep_id=sweep_id, run_id=run_id), retry=False)
        return int(reply.waiting)

    # ---------------------------------------------------------------- updating a sweep

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
            sweep_id=sweep_id, run_id=run_id, lease_token=token), lease_call=True))

    def finish_run(self, sweep_id: str, run_id: str, token: str, state: RunState,
                   exit_code: int | None = None, error: str = "",
                   final_metrics: MetricBatch | None = None, preempted: bool = False,
                   output: RunOutput | None = None) -> Run:
        """Ends a run; `final_metrics`, the run's last points, are stored first (once).
        `preempted` (STOPPED only): stopped because this agent is going away, so the
        sweep's retry policy may run the configuration again. `output`: the end of what
        the run wrote (each text at most 64 KiB), shown on its run page."""
        request = agent_pb.FinishRunRequest(
            sweep_id=sweep_id, run_id=run_id, lease_token=token,
            state=convert.run_state_to_proto(state), error=error_tail(error), preempted=preempted)
        if output is not None and not output.empty:
            request.output.CopyFrom(convert.output_to_proto(output))
        if final_metrics is not None:
            request.final_metrics.CopyFrom(convert.batch_to_proto(final_metrics))
        if exit_code is not None:
            request.exit_code = exit_code
        return convert.run_from_proto(self.call(self.agents.FinishRun, request, lease_call=True))

