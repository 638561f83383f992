"""Thin gRPC servicers: decode the request, call the rules, encode the reply.

Errors become gRPC statuses in one place, `_abort`, by sweepd.status's table (the
one the client reads them back with).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import AsyncIterator

import grpc

from sweepd import convert, status
from sweepd.config import FieldError
from sweepd.echo import shown
from sweepd.redact import mask_credentials
from sweepd.domain import SweepAction, SweepState
from sweepd.errors import (
    ConversionError,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unavailable,
)
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import agent_service_pb2_grpc as agent_grpc
from sweepd.v1 import metric_service_pb2 as metric_pb
from sweepd.v1 import metric_service_pb2_grpc as metric_grpc
from sweepd.v1 import sweep_service_pb2 as sweep_pb
from sweepd.v1 import sweep_service_pb2_grpc as sweep_grpc

from .agents import AgentSession, AgentSessions
from .auth import DEFAULT_PROJECT, Authenticator, Principal
from .limits import (
    HELLO_TIMEOUT_S,
    MAX_AGENT_ID_CHARS,
    MAX_CONFIG_BYTES,
    MAX_HOSTNAME_CHARS,
    MAX_OUTSTANDING_RUNS,
    MAX_RUNS_PER_REQUEST,
    MAX_STATUS_MESSAGE_BYTES,
    MAX_STATUS_VIOLATIONS_BYTES,
    MAX_STREAMS_WITHOUT_HELLO,
    MAX_VIOLATION_DESCRIPTION_CHARS,
    MAX_VIOLATION_FIELD_CHARS,
    MAX_VIOLATIONS,
    check_run_output,
)
from . import paging
from .prior_runs import check_count as check_prior_count
from .service import SweepRules
from .sweep_messages import SWEEP_MESSAGES
from .sweep_update import update_sweep
from .storage import keys
from .storage.store import INLINE_VALUES, RunPage

log = logging.getLogger(__name__)


async def _abort(context: grpc.aio.ServicerContext, exc: BaseException) -> None:
    """Ends the call with the status `exc` maps to (sweepd.status, the one table), its
    field violations attached as google.rpc.BadRequest details."""
    if status.code_of(exc) is None and _storage_down(exc):
        masked = mask_credentials(str(exc))
        log.warning("storage unavailable: %s", shown(masked, 200, quote=False))
        exc = Unavailable(f"storage unavailable: {masked}")
    mapped = status.code_of(exc)
    if mapped is None:
        log.exception("internal error")
        await context.abort(grpc.StatusCode.INTERNAL, f"internal error: {type(exc).__name__}")
        return
    code, reason = mapped
    message = _status_message(str(exc))
    violations = _listed(exc.errors, MAX_VIOLATIONS, MAX_STATUS_VIOLATIONS_BYTES) if exc.errors else []
    await context.abort(code, message, status.trailers_for(code, message, reason, violations))


def _storage_down(exc: BaseException) -> bool:
    return "redis" in type(exc).__module__.lower() or isinstance(exc, (ConnectionError, OSError))


def _cut(text: str, max_bytes: int) -> str:
    data = text.encode()
    return text if len(data) <= max_bytes else data[:max_bytes].decode(errors="ignore") + "…"


def _status_message(text: str) -> str:
    """A status message that fits in MAX_STATUS_MESSAGE_BYTES: whole lines while they
    fit (a first line too long alone is cut), then how many lines were left out."""
    lines = text.split("\n")
    kept = [_cut(lines[0], MAX_STATUS_MESSAGE_BYTES - 40)]
    used = len(kept[0].encode())
    for line in lines[1:]:
        used += len(line.encode()) + 1
        if used > MAX_STATUS_MESSAGE_BYTES - 40:
            break
        kept.append(line)
    left = len(lines) - len(kept)
    return "\n".join(kept + ([f"… and {left} more"] if left else []))


def _violation(field: str, description: str) -> convert.pb.FieldViolation:
    return convert.pb.FieldViolation(
        field=field if len(field) <= MAX_VIOLATION_FIELD_CHARS else field[:MAX_VIOLATION_FIELD_CHARS] + "…",
        description=(description if len(description) <= MAX_VIOLATION_DESCRIPTION_CHARS
                     else description[:MAX_VIOLATION_DESCRIPTION_CHARS] + "…"))


def _listed(errors: list[tuple[str, str]], limit: int, max_bytes: int | None = None
            ) -> list[convert.pb.FieldViolation]:
    """Violations of (path, message) pairs, each cut to size: at most `limit` of them
    (and `max_bytes` serialized), then one saying how many more there were."""
    out: list[convert.pb.FieldViolation] = []
    size = 0
    for i, (path, message) in enumerate(errors):
        violation = _violation(path, message)
        size += violation.ByteSize() + 3  # its tag and length in the repeated field
        if i == limit or (max_bytes is not None and size > max_bytes):
            out.append(convert.pb.FieldViolation(description=f"… and {len(errors) - i} more"))
            break
        out.append(violation)
    return out


def _guard(method):
    """Maps domain errors raised by a unary handler to gRPC statuses."""

    async def wrapper(self, request, context):
        try:
            return await method(self, request, context)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - every error gets a status
            if isinstance(exc, grpc.aio.AbortError):
                raise
            await _abort(context, exc)

    wrapper.__name__ = method.__name__
    return wrapper


def _config_of(message) -> tuple[dict, list[FieldError]]:
    """A config message as the dict the rules validate, and the fields it holds that
    could not be decoded (an enum number this version does not know), as errors."""
    problems: list[ConversionError] = []
    config = convert.config_dict_from_proto(message, problems)
    return config, [FieldError(p.path, p.message) for p in problems]


def _sweep_id(value: str) -> str:
    if not keys.valid_id(value):
        raise NotFound(f"sweep {shown(value)} not found")
    return value


def _config_too_big(config: convert.pb.SweepConfig) -> FieldError | None:
    size = config.ByteSize()
    if size <= MAX_CONFIG_BYTES:
        return None
    return FieldError("config", f"the config is {size} bytes; at most {MAX_CONFIG_BYTES} bytes")


class _Scoped:
    """Who is calling, and which sweeps they may see."""

    rules: SweepRules
    auth: Authenticator

    async def _principal(self, context) -> Principal:
        return await self.auth.principal(context.invocation_metadata())

    async def _sweep(self, principal: Principal, sweep_id: str) -> str:
        """The sweep id, once the caller may see it (NOT_FOUND otherwise, as for an unknown id)."""
        config = await self.rules.config_of(_sweep_id(sweep_id))
        principal.check_sweep_project(config.project, sweep_id)
        return sweep_id


class SweepServicer(_Scoped, sweep_grpc.SweepServiceServicer):
    def __init__(self, rules: SweepRules, sessions: AgentSessions, auth: Authenticator):
        self.rules = rules
        self.sessions = sessions
        self.auth = auth

    @_guard
    async def CreateSweep(self, request, context):
        principal = await self._principal(context)
        principal.require_write("create sweeps")
        too_big = _config_too_big(request.config)
        if too_big:
            raise InvalidArgument(str(too_big), [(too_big.path, too_big.message)])
        config, problems = await asyncio.to_thread(_config_of, request.config)
        project = config.get("project") or principal.project or DEFAULT_PROJECT
        if not principal.sees(project):
            raise PermissionDenied(f"this API key cannot create sweeps in project {shown(project)}")
        config["project"] = project
        check_prior_count(request.prior_runs)
        priors = await asyncio.to_thread(
            lambda: [convert.prior_run_from_proto(p) for p in request.prior_runs])
        sweep, warnings = await self.rules.create_sweep(config, problems, priors)
        reply = await SWEEP_MESSAGES.one(sweep)
        reply.warnings.extend(warnings)  # prior runs left out: told once, at creation
        return reply

    @_guard
    async def ValidateSweep(self, request, context):
        await self._principal(context)
        too_big = _config_too_big(request.config)
        if too_big:
            return sweep_pb.ValidateSweepResponse(violations=convert.field_violations([too_big]))
        errors, warnings = await asyncio.to_thread(
            lambda: self.rules.validate(*_config_of(request.config)))
        return sweep_pb.ValidateSweepResponse(
            violations=_listed([(e.path, e.message) for e in errors], MAX_VIOLATIONS),
            warnings=[_cut(w, MAX_VIOLATION_DESCRIPTION_CHARS) for w in warnings[:MAX_VIOLATIONS]],
        )

    @_guard
    async def GetSweep(self, request, context):
        sweep_id = await self._sweep(await self._principal(context), request.sweep_id)
        return await SWEEP_MESSAGES.one(await self.rules.get_sweep(sweep_id))

    @_guard
    async def ListSweeps(self, request, context):
        principal = await self._principal(context)
        if request.project and not principal.sees(request.project):
            raise PermissionDenied(f"this API key cannot read project {shown(request.project)}")
        project = request.project or principal.project or ""
        page = paging.page_of("ListSweeps", request, paging.SWEEP_ID)
        found = await self.rules.list_sweeps(project, page.after or "", page.size)
        messages = await SWEEP_MESSAGES.many(found.sweeps)
        kept, used = paging.fill(messages, lambda m: m)
        if used < len(messages):
            token = page.token(found.sweeps[used - 1].id)
        else:
            token = page.token(found.last_id) if found.more else ""
        return sweep_pb.ListSweepsResponse(sweeps=kept, next_page_token=token)

    @_guard
    async def ListRuns(self, request, context):
        sweep_id = await self._sweep(await self._principal(context), request.sweep_id)
        page = paging.page_of("ListRuns", request, paging.RUN_NUMBER)
        found = await self.rules.list_runs(sweep_id, int(page.after or 0), page.size)
        # a big page's reply is built off the event loop
        return await asyncio.to_thread(_runs_reply, found, page)

    async def _change(self, request, context, action: SweepAction):
        principal = await self._principal(context)
        principal.require_write("change a sweep's state")
        sweep_id = await self._sweep(principal, request.sweep_id)
        sweep = await self.rules.change_state(sweep_id, action)
        return await SWEEP_MESSAGES.one(sweep)

    @_guard
    async def PauseSweep(self, request, context):
        return await self._change(request, context, SweepAction.PAUSE)

    @_guard
    async def ResumeSweep(self, request, context):
        return await self._change(request, context, SweepAction.RESUME)

    @_guard
    async def StopSweep(self, request, context):
        return await self._change(request, context, SweepAction.STOP)

    @_guard
    async def CancelSweep(self, request, context):
        return await self._change(request, context, SweepAction.CANCEL)

    @_guard
    async def SetRunIgnored(self, request, context):
        principal = await self._principal(context)
        principal.require_write("ignore runs")
        sweep_id = await self._sweep(principal, request.sweep_id)
        run = await self.rules.set_run_ignored(sweep_id, request.run_id, request.ignored)
        return convert.run_to_proto(run)

    @_guard
    async def RequeueRun(self, request, context):
        principal = await self._principal(context)
        principal.require_write("requeue runs")
        sweep_id = await self._sweep(principal, request.sweep_id)
        waiting = await self.rules.requeue_run(sweep_id, request.run_id)
        return sweep_pb.RequeueRunResponse(waiting=waiting)

    @_guard
    async def UpdateSweep(self, request, context):
        principal = await self._principal(context)
        principal.require_write("update sweeps")
        sweep_id = await self._sweep(principal, request.sweep_id)
        too_big = _config_too_big(request.config)
        if too_big:
            raise InvalidArgument(str(too_big), [(too_big.path, too_big.message)])
        config = await asyncio.to_thread(convert.config_dict_from_proto, request.config)
        outcome = await update_sweep(self.rules, sweep_id, config, list(request.update_mask.paths),
                                     request.expected_version)
        return sweep_pb.UpdateSweepResponse(
            sweep=await SWEEP_MESSAGES.one(outcome.sweep),
            version=await asyncio.to_thread(convert.config_version_to_proto, outcome.version),
            changed=outcome.changed)

    @_guard
    async def ListConfigVersions(self, request, context):
        sweep_id = await self._sweep(await self._principal(context), request.sweep_id)
        versions = await self.rules.store.config_versions(sweep_id)
        return await asyncio.to_thread(lambda: sweep_pb.ListConfigVersionsResponse(
            versions=[convert.config_version_to_proto(v) for v in versions]))


class AgentServicer(_Scoped, agent_grpc.AgentServiceServicer):
    def __init__(self, rules: SweepRules, sessions: AgentSessions, auth: Authenticator):
        self.rules = rules
        self.sessions = sessions
        self.auth = auth
        self._awaiting_hello: Counter[str] = Counter()  # peer address -> streams without hello

    async def Connect(self, request_iterator, context):
        try:  # with --auth, the key is checked before anything is awaited from the client
            principal = await self._principal(context)
            principal.require_write("join a sweep as an agent")
        except Exception as exc:  # noqa: BLE001 - mapped to a status
            await _abort(context, exc)
        first = await self._first_message(request_iterator, context)
        if first is None:
            return
        hello = first.hello
        try:
            _check_hello(first)
            sweep = await self.rules.get_sweep(await self._sweep(principal, hello.sweep_id))
            session = AgentSession(sweep_id=sweep.id, agent_id=hello.agent_id, host=hello.hostname)
            held = _held_runs(hello.held_runs, "hello.held_runs")
        except Exception as exc:  # noqa: BLE001 - mapped to a status
            await _abort(context, exc)
        self.sessions.add(session)
        self.sessions.set_held(session, held)
        session.send(welcome=agent_pb.Welcome(
            agent_id=hello.agent_id,
            lease_duration_seconds=self.rules.lease_seconds,
            heartbeat_interval_seconds=max(0.2, self.rules.lease_seconds / 6),
            sweep=await SWEEP_MESSAGES.one(sweep),
        ))
        log.info("agent %s (%s) joined sweep %s", shown(hello.agent_id), shown(hello.hostname), sweep.id)
        messages = self.auth.guard(request_iterator, context.invocation_metadata())
        reader = asyncio.create_task(self._read(messages, session))
        try:
            if session.held:
                await self.sessions.heartbeat(session)
            await self.sessions.redeliver(session)
            while (message := await session.outbox.get()) is not None:
                await context.write(message)
            if not reader.cancelled() and reader.exception() is not None:
                await _abort(context, reader.exception())
        finally:
            reader.cancel()
            self.sessions.remove(session)  # closed: it is handed nothing more
            log.info("agent %s left sweep %s", shown(hello.agent_id), sweep.id)

    async def _first_message(self, request_iterator, context) -> agent_pb.AgentMessage | None:
        """The stream's first message (None: the client closed the stream), awaited for
        at most HELLO_TIMEOUT_S, with at most MAX_STREAMS_WITHOUT_HELLO streams of one
        peer address waiting for theirs at a time."""
        peer = _peer_address(context.peer())
        if self._awaiting_hello[peer] >= MAX_STREAMS_WITHOUT_HELLO:
            await _abort(context, Unavailable(
                f"{MAX_STREAMS_WITHOUT_HELLO} Connect streams from {peer} are still "
                "waiting for their AgentHello; retry shortly"))
        self._awaiting_hello[peer] += 1
        try:
            return await asyncio.wait_for(request_iterator.__anext__(), HELLO_TIMEOUT_S)
        except StopAsyncIteration:
            return None
        except asyncio.TimeoutError:
            await context.abort(grpc.StatusCode.DEADLINE_EXCEEDED,
                                f"no AgentHello within {HELLO_TIMEOUT_S:g} s of opening the stream")
        finally:
            self._awaiting_hello[peer] -= 1
            if not self._awaiting_hello[peer]:
                del self._awaiting_hello[peer]

    async def _read(self, request_iterator, session: AgentSession) -> None:
        """Handles what the agent sends; when it stops (stream closed or an error), a
        None in the outbox ends the writer loop."""
        try:
            async for message in request_iterator:
                kind = message.WhichOneof("kind")
                if kind == "run_request":
                    self.sessions.want(session, _run_request_count(message.run_request, session))
                    await self.sessions.fill(session)
                elif kind == "heartbeat":
                    self.sessions.set_held(session, _held_runs(message.heartbeat.held_runs,
                                                               "heartbeat.held_runs"))
                    await self.sessions.heartbeat(session)
                else:
                    raise InvalidArgument(f"unexpected {kind} after hello")
        finally:
            session.outbox.put_nowait(None)

    async def _writer_sweep(self, context, sweep_id: str, what: str) -> str:
        principal = await self._principal(context)
        principal.require_write(what)
        return await self._sweep(principal, sweep_id)

    @_guard
    async def StartRun(self, request, context):
        sweep_id = await self._writer_sweep(context, request.sweep_id, "start runs")
        run = await self.rules.start_run(sweep_id, request.run_id, request.lease_token)
        return convert.run_to_proto(run)

    @_guard
    async def FinishRun(self, request, context):
        state = convert.run_state_from_proto(request.state)
        if state is None:
            problem = "required" if request.state == 0 else f"unknown enum value {request.state}"
            raise InvalidArgument(f"state: {problem} (FINISHED, FAILED or STOPPED)", [("state", problem)])
        sweep_id = await self._writer_sweep(context, request.sweep_id, "finish runs")
        # checked before the final batch is stored: a refused FinishRun stores nothing
        output = (check_run_output(convert.output_from_proto(request.output))
                  if request.HasField("output") else None)
        if request.HasField("final_metrics") and request.final_metrics.points:
            final = _final_batch(request)
            try:
                await store_metrics(self.rules, final)
            except (InvalidArgument, ConversionError) as exc:
                raise _within("final_metrics", exc) from None
        run, sweep_state = await self.rules.finish_run(
            sweep_id, request.run_id, request.lease_token, state,
            request.exit_code if request.HasField("exit_code") else None, request.error,
            preempted=request.preempted, output=output,
        )
        holder = self.sessions.holder(run.sweep_id, run.id)
        if holder is not None:
            self.sessions.release(holder, run.id)
        if sweep_state is not SweepState.RUNNING:  # a running sweep's waiters gain nothing
            await self.rules.announce_state(run.sweep_id, sweep_state)
        return convert.run_to_proto(run)


def _peer_address(peer: str) -> str:
    """The client's address without its port ("ipv4:10.0.0.7:51234" -> "10.0.0.7")."""
    kind, _, rest = peer.partition(":")
    return rest.rpartition(":")[0] or rest if kind in ("ipv4", "ipv6") else peer


def _check_hello(first: agent_pb.AgentMessage) -> None:
    """InvalidArgument, naming the field, for a first message that is no valid hello."""
    if first.WhichOneof("kind") != "hello":
        raise InvalidArgument("the first message on Connect must be AgentHello",
                              [("hello", "the first message on Connect must be AgentHello")])
    hello = first.hello
    if not hello.agent_id or len(hello.agent_id) > MAX_AGENT_ID_CHARS:
        raise InvalidArgument(f"hello.agent_id: required, at most {MAX_AGENT_ID_CHARS} characters",
                              [("hello.agent_id", f"1 to {MAX_AGENT_ID_CHARS} characters")])
    if len(hello.hostname) > MAX_HOSTNAME_CHARS:
        raise InvalidArgument(
            f"hello.hostname: {len(hello.hostname):,} characters; at most {MAX_HOSTNAME_CHARS}",
            [("hello.hostname", f"at most {MAX_HOSTNAME_CHARS} characters")])


def _held_runs(runs, field: str) -> dict[str, str]:
    """run id -> lease token of the runs a hello or heartbeat lists, within the limit
    (an agent cannot hold more than it may have outstanding)."""
    if len(runs) > MAX_OUTSTANDING_RUNS:
        raise InvalidArgument(
            f"{field}: {len(runs)} runs listed; an agent holds at most {MAX_OUTSTANDING_RUNS}",
            [(field, f"at most {MAX_OUTSTANDING_RUNS} runs")])
    return {h.run_id: h.lease_token for h in runs}


def _final_batch(request: agent_pb.FinishRunRequest) -> metric_pb.MetricBatch:
    """FinishRun's final_metrics, its sweep_id, run_id and lease_token taken from the
    request where left empty; InvalidArgument naming one set to anything else."""
    final = request.final_metrics
    for field in ("sweep_id", "run_id", "lease_token"):
        own, given = getattr(request, field), getattr(final, field)
        if not given:
            setattr(final, field, own)
        elif given != own:
            raise InvalidArgument(
                f"final_metrics.{field}: must be empty or the FinishRun's own {field}",
                [(f"final_metrics.{field}", "not the run being finished")])
    return final


def _within(field: str, exc: InvalidArgument | ConversionError) -> Exception:
    """The same error about a message nested in `field` of the request, its paths
    prefixed (a bad point of FinishRun's batch is final_metrics.points[i]...)."""
    if isinstance(exc, ConversionError):
        return ConversionError(f"{field}.{exc.path}", exc.message)
    return type(exc)(f"{field}.{exc}", [(f"{field}.{p}", m) for p, m in exc.errors])


def _run_request_count(request: agent_pb.RunRequest, session: AgentSession) -> int:
    """The runs one RunRequest adds to what the stream wants, within the limits."""
    count = request.count or 1
    if count < 0 or count > MAX_RUNS_PER_REQUEST:
        raise InvalidArgument(
            f"run_request.count: {count} is out of range; ask for 1 to {MAX_RUNS_PER_REQUEST} runs",
            [("run_request.count", f"must be 0 (one run) to {MAX_RUNS_PER_REQUEST}")])
    outstanding = max(session.wanted, 0) + len(session.held) + count
    if outstanding > MAX_OUTSTANDING_RUNS:
        raise ResourceExhausted(
            f"run_request.count: this stream would have {outstanding} runs requested or held; "
            f"at most {MAX_OUTSTANDING_RUNS} per agent stream",
            [("run_request.count", f"at most {MAX_OUTSTANDING_RUNS} outstanding runs")])
    return count


async def store_metrics(rules: SweepRules, request: metric_pb.MetricBatch) -> metric_pb.MetricAck:
    """Stores one batch (the caller checked who may) and tells whoever must hear of it:
    runs early termination just stopped, a sweep that reached its target."""
    received = rules.clock()  # the wall_time of points that have none
    if sum(len(p.values) for p in request.points) > INLINE_VALUES:
        batch = await asyncio.to_thread(convert.batch_from_proto, request, received)
    else:
        batch = convert.batch_from_proto(request, received)
    outcome, sweep_state = await rules.report_metrics(batch)
    await rules.announce_stopped(batch.sweep_id, outcome.stopped)
    if sweep_state is SweepState.FINISHING and not outcome.duplicate:
        await rules.announce_state(batch.sweep_id, sweep_state)
    return metric_pb.MetricAck(
        run_id=batch.run_id, seq=batch.seq,
        duplicate=outcome.duplicate, should_stop=outcome.should_stop,
    )


class MetricServicer(_Scoped, metric_grpc.MetricServiceServicer):
    def __init__(self, rules: SweepRules, auth: Authenticator):
        self.rules = rules
        self.auth = auth

    async def _report(self, principal: Principal, request: metric_pb.MetricBatch) -> metric_pb.MetricAck:
        principal.require_write("report metrics")
        await self._sweep(principal, request.sweep_id)
        return await store_metrics(self.rules, request)

    @_guard
    async def ReportMetricsOnce(self, request, context):
        return await self._report(await self._principal(context), request)

    async def ReportMetrics(self, request_iterator, context) -> AsyncIterator[metric_pb.MetricAck]:
        try:
            principal = await self._principal(context)
            async for request in self.auth.guard(request_iterator, context.invocation_metadata()):
                yield await self._report(principal, request)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            if isinstance(exc, grpc.aio.AbortError):
                raise
            await _abort(context, exc)

    @_guard
    async def GetRunMetrics(self, request, context):
        sweep_id = await self._sweep(await self._principal(context), request.sweep_id)
        page = paging.page_of("GetRunMetrics", request, paging.STREAM_ID)
        stored, more = await self.rules.metric_page(sweep_id, request.run_id, page.after, page.size)
        # a long history's reply is built off the event loop
        return await asyncio.to_thread(_metrics_reply, stored, more, set(request.keys), page)


def _runs_reply(found: RunPage, page: paging.Page) -> sweep_pb.ListRunsResponse:
    """The page's runs that fit in one reply, and the token of the next page."""
    runs, used = paging.fill(found.runs, convert.run_to_proto)
    if used < len(found.runs):
        token = page.token(str(found.runs[used - 1].number))
    else:
        token = page.token(str(found.last_number)) if found.more else ""
    return sweep_pb.ListRunsResponse(runs=runs, next_page_token=token)


def _metrics_reply(stored, more: bool, wanted: set[str],
                   page: paging.Page) -> metric_pb.GetRunMetricsResponse:
    """The page's points (only the `wanted` keys) that fit in one reply, and the
    token of the next page."""

    def message(entry):
        p = entry[1]
        if wanted:
            values = {k: v for k, v in p.values.items() if k in wanted}
            if not values:
                return None
            p = type(p)(p.step, p.wall_time, values)
        return convert.point_to_proto(p)

    points, used = paging.fill(stored, message)
    more = more or used < len(stored)
    token = page.token(stored[used - 1][0]) if more and used else ""
    return metric_pb.GetRunMetricsResponse(points=points, next_page_token=token)

