"""Sweep rules: what the controller does, between the gRPC servicers and the store.

Everything here works on domain objects and keeps no state a restart or a second
replica could disagree with: sweeps, runs and leases live in Redis. The only memory
is the store's cache of parsed sweep configs by sweep and config version; the version
is read from Redis on every use, so an update made through any replica is seen by all.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import string
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from sweepd.config import (
    ConfigError,
    FieldError,
    SweepConfig,
    iter_leaves,
    parse_config,
    validate_config,
)
from sweepd.domain import (
    AlreadyExists,
    InvalidArgument,
    MetricBatch,
    MetricPoint,
    PriorRun,
    Run,
    RunOutput,
    RunState,
    StopReason,
    Sweep,
    SweepAction,
    SweepState,
)
from sweepd.echo import shown
from sweepd.sampling import unusable
from sweepd.space import structure_of

from . import fronts
from . import search as _search_methods  # noqa: F401  (fills the registry)
from .early_stop import EarlyStopping
from .events import RunsRequeued, RunStopped, SweepStateChanged
from .limits import (
    MAX_ERROR_CHARS,
    MAX_KEYS_PER_POINT,
    MAX_POINTS_PER_BATCH,
    MAX_SEQ,
    MAX_WALL_TIME_S,
    MIN_WALL_TIME_S,
    SUGGESTION_CHUNK,
)
from .search.base import History, Suggestion, get_search_method, history_needed, space_size
from .search.history import REQUEUED_NOTE, runs_in_space
from .stopping.base import get_stopping_rule
from .storage import keys
from .storage.records import to_ms
from .storage.replies import (
    AssignReply, Assigned, Claimed, Closed, NoRetryWaiting, Stale, run_not_found,
    sweep_not_found,
)
from .storage.store import RunPage, Store, SweepPage
from .prior_runs import fit_priors
from .storage.store import PriorRecord, Store
from .run_cache import RunCache

log = logging.getLogger(__name__)

_ID_ALPHABET = string.ascii_lowercase + string.digits
FINISHABLE = {RunState.FINISHED, RunState.FAILED, RunState.STOPPED}
MAX_CURRENT_CONFIGS = 10_000  # sweeps whose config one replica keeps at hand
RANK_INLINE_RUNS = 500  # runs ranked on the event loop; more in a thread


def new_id(length: int = 8) -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


@dataclass
class Assignment:
    run: Run
    lease_token: str


@dataclass
class NextRuns:
    """What an agent asking for runs gets: runs, or the word that none will come
    (`done`), or neither (wait: e.g. the sweep is paused)."""

    assigned: list[Assignment] = field(default_factory=list)
    done: SweepState | None = None
    message: str = ""
    # cut short because other agents kept claiming the suggested configurations first:
    # ask again soon (nothing else will wake the request up)
    contended: bool = False


@dataclass(frozen=True)
class ReportOutcome:
    duplicate: bool
    should_stop: bool
    stopped: tuple[str, ...] = ()  # runs early termination just asked to stop


@dataclass(frozen=True)
class HeldRunStatus:
    run_id: str
    stop: StopReason | None  # None: carry on


class SweepRules:
    """The controller's behaviour over one store."""

    def __init__(
        self,
        store: Store,
        *,
        lease_seconds: float = 30.0,
        clock: Callable[[], float] = time.time,
    ):
        self.store = store
        self.lease_seconds = lease_seconds
        self.clock = clock
        self._current: dict[str, tuple[SweepConfig, int]] = {}  # see versioned_config
        self.run_cache = RunCache(store)  # what bayes reads, re-read only where it changed
        self.stopping = EarlyStopping(store)

    def _now_ms(self) -> int:
        return to_ms(self.clock())

    def _expiry_ms(self) -> int:
        return to_ms(self.clock() + self.lease_seconds)

    # ---------------------------------------------------------------- sweeps

    @staticmethod
    def validate(config: Mapping[str, Any], problems: Sequence[FieldError] = ()
                 ) -> tuple[list[FieldError], list[str]]:
        """Every error of a config, else its warnings (CPU-bound: call it in a thread
        when the config may be big). `problems` are errors found before (fields the wire
        could not decode, left out of `config`): they are listed first, and what
        validation says of the same fields is not."""
        errors = validate_config(dict(config))
        if problems:
            taken = {p.path for p in problems}
            errors = [*problems, *(e for e in errors if e.path not in taken)]
        if errors:
            return errors, []
        parsed = parse_config(dict(config))
        errors = _unusable_parameters(parsed)
        return (errors, []) if errors else ([], list(parsed.warnings))

    async def create_sweep(
        self, config: Mapping[str, Any], problems: Sequence[FieldError] = (),
        prior_runs: Sequence[PriorRun] = (),
    ) -> tuple[Sweep, list[str]]:
        """Registers a valid config with the prior runs that fit its space; returns the
        sweep and a warning for each prior run left out (see prior_runs.py).
        InvalidArgument lists every error of the config (`problems` as for `validate`)."""
        try:
            if problems:
                raise ConfigError((await asyncio.to_thread(self.validate, config, problems))[0])
            parsed = await asyncio.to_thread(parse_config, dict(config))
            if unusable := await asyncio.to_thread(_unusable_parameters, parsed):
                raise ConfigError(unusable)
        except ConfigError as exc:
            raise InvalidArgument(
                "invalid sweep config:\n" + "\n".join(str(e) for e in exc.errors),
                [(e.path, e.message) for e in exc.errors],
            ) from None
        fitted, warnings = await asyncio.to_thread(fit_priors, parsed, prior_runs)
        records = [PriorRecord(new_id(), p.config, p.summary, p.note, p.value) for p in fitted]
        for _ in range(5):
            sweep_id = new_id()
            if await self.store.create_sweep(sweep_id, parsed, self._now_ms(), records):
                log.info("sweep %s created (%s, %d prior runs)", sweep_id, parsed.method,
                         len(records))
                if parsed.early_terminate:  # built at once: no run has a value yet
                    await self.stopping.build_now(sweep_id, parsed, 1)
                return await self.get_sweep(sweep_id), warnings
        raise AlreadyExists("could not allocate a fresh sweep id")

    async def get_sweep(self, sweep_id: str) -> Sweep:
        """The sweep; a multi-objective one with its front's size and hypervolume."""
        sweep = await self.store.get_sweep(sweep_id) if keys.valid_id(sweep_id) else None
        if sweep is None:
            raise sweep_not_found(sweep_id)
        return await self._with_front(sweep)

    async def _with_front(self, sweep: Sweep) -> Sweep:
        if not sweep.config.multi_objective:
            return sweep
        return fronts.with_front(sweep, await self.front(sweep.id, sweep.config))

    async def front(self, sweep_id: str, config: SweepConfig) -> fronts.Front:
        """The Pareto front of a multi-objective sweep's runs, as they stand now."""
        rows = await self.store.objective_rows(sweep_id, [o.name for o in config.metrics])
        if len(rows) > RANK_INLINE_RUNS:
            return await asyncio.to_thread(fronts.rank, config, rows)
        return fronts.rank(config, rows)

    async def config_of(self, sweep_id: str) -> SweepConfig:
        return (await self.versioned_config(sweep_id))[0]

    async def versioned_config(self, sweep_id: str, *, fresh: bool = False) -> tuple[SweepConfig, int]:
        """The sweep's config and its version (NotFound for an unknown sweep).

        Kept per sweep on this replica until an event says the sweep changed (UpdateSweep
        publishes one; the event listener forgets every sweep when it reconnects), so
        the hot paths read no Redis for it. A config read a moment before another
        replica's update is safe: assign_run.lua refuses a suggestion of an older
        version as stale, and `fresh` then reads Redis."""
        if not fresh:
            hit = self._current.get(sweep_id)
            if hit is not None:
                return hit
        cached, version = (await self.store.cached_config(sweep_id)
                           if keys.valid_id(sweep_id) else (None, 0))
        if cached is None:
            sweep = await self.get_sweep(sweep_id)
            cached, version = sweep.config, sweep.config_version
        if len(self._current) >= MAX_CURRENT_CONFIGS:
            self._current.clear()
        self._current[sweep_id] = (cached, version)
        return cached, version

    def forget_config(self, sweep_id: str | None = None) -> None:
        """Drops what this replica knows of a sweep's config (of every sweep: None)."""
        if sweep_id is None:
            self._current.clear()
        else:
            self._current.pop(sweep_id, None)

    async def list_sweeps(self, project: str, after: str, limit: int) -> SweepPage:
        """One page of sweeps, newest first: up to `limit` read from the index after the
        sweep `after` ("" = the newest), those of `project` kept ("" = all)."""
        found = await self.store.sweep_page(project or None, after, limit)
        if found is None:
            raise InvalidArgument(
                f"page_token: sweep {after!r}, where the page starts, is gone; list again "
                "from the first page", [("page_token", "its sweep is gone")])
        if not any(sweep.config.multi_objective for sweep in found.sweeps):
            return found
        return replace(found, sweeps=[await self._with_front(s) for s in found.sweeps])

    async def list_runs(self, sweep_id: str, after: int, limit: int) -> RunPage:
        """One page: up to `limit` runs numbered above `after`, in number order."""
        config = await self.config_of(sweep_id)
        page = await self.store.run_page(sweep_id, after, limit)
        if config.multi_objective and page.runs:
            fronts.annotate_runs(page.runs, await self.front(sweep_id, config))
        return page

    async def set_run_ignored(self, sweep_id: str, run_id: str, ignored: bool) -> Run:
        """Leaves a run out of search and of the sweep's best (or takes it back in)."""
        config = await self.config_of(sweep_id)
        if not keys.valid_id(run_id):
            raise run_not_found(sweep_id, run_id)
        maximize = bool(config.metric and config.metric.goal == "maximize")
        await self.store.set_run_ignored(sweep_id, run_id, ignored, maximize)
        run = await self.store.get_run(sweep_id, run_id)
        if run is None:  # removed meanwhile
            raise run_not_found(sweep_id, run_id)
        log.info("run %s of sweep %s %s", run_id, sweep_id, "ignored" if ignored else "unignored")
        if config.multi_objective:
            fronts.annotate_runs([run], await self.front(sweep_id, config))
        return run

    async def requeue_run(self, sweep_id: str, run_id: str) -> int:
        """Queues a run's configuration to run again as a new run; returns how many
        configurations now wait to be handed out again."""
        await self.config_of(sweep_id)
        if not keys.valid_id(run_id):
            raise run_not_found(sweep_id, run_id)
        waiting = await self.store.requeue_run(sweep_id, run_id, REQUEUED_NOTE + run_id)
        log.info("run %s of sweep %s requeued", run_id, sweep_id)
        await self.store.events.publish(sweep_id, RunsRequeued())  # waiting agents look again
        return waiting

    async def change_state(self, sweep_id: str, action: SweepAction) -> Sweep:
        """Applies a user's action, and tells every replica of the runs it asked to stop
        and of the sweep's new state; returns the sweep."""
        await self.config_of(sweep_id)
        await self.store.set_state(sweep_id, action.value, self._now_ms())
        stopped = []
        if action is SweepAction.CANCEL:
            reason = StopReason(kind="cancelled", message="the sweep was cancelled")
            for run_id in await self.store.active_run_ids(sweep_id):
                if await self.store.request_stop(sweep_id, run_id, reason):
                    stopped.append(run_id)
        sweep = await self.get_sweep(sweep_id)
        await self.announce_stopped(sweep_id, stopped)
        await self.announce_state(sweep_id, sweep.state)
        return sweep

    # ---------------------------------------------------------------- events

    async def announce_stopped(self, sweep_id: str, run_ids: Sequence[str]) -> None:
        """Tells every replica that these runs were asked to stop: the one holding a
        run's agent sends it StopRun."""
        for run_id in run_ids:
            await self.store.events.publish(sweep_id, RunStopped(run_id))

    async def announce_state(self, sweep_id: str, state: SweepState) -> None:
        """Tells every replica the sweep's state changed (or its config did): they
        forget its config, and their agents waiting for runs look again."""
        await self.store.events.publish(sweep_id, SweepStateChanged(state))

    # ---------------------------------------------------------------- assignment

    async def next_runs(self, sweep_id: str, agent_id: str, n: int, host: str = "") -> NextRuns:
        """Hands up to n new runs to an agent (on `host`), each created by one atomic
        script."""
        config, version = await self.versioned_config(sweep_id)
        out = NextRuns()
        conflicts = 0
        while len(out.assigned) < n and conflicts < 8:
            # crashed configurations (with a retry policy) and requeued runs wait here
            if await self.store.retry_waiting(sweep_id):
                reply = await self._assign(out, sweep_id, agent_id, None, version, from_retry=True,
                                           host=host)
                if isinstance(reply, Stale):  # the config changed meanwhile: suggest from the new one
                    conflicts += 1
                    config, version = await self.versioned_config(sweep_id, fresh=True)
                    continue
                if not isinstance(reply, NoRetryWaiting):
                    if not isinstance(reply, Assigned):
                        return out
                    continue
            wanted = min(n - len(out.assigned), SUGGESTION_CHUNK)
            result = await self._suggest(sweep_id, config, version, wanted)
            if not result.suggestions:
                if result.exhausted:
                    return await self._exhausted(out, sweep_id, result.message)
                return out
            for suggestion in result.suggestions:
                reply = await self._assign(out, sweep_id, agent_id, suggestion, version, host=host)
                if isinstance(reply, (Claimed, Stale)):
                    conflicts += 1
                    if isinstance(reply, Stale):
                        config, version = await self.versioned_config(sweep_id, fresh=True)
                    break
                if not isinstance(reply, Assigned):
                    return out
        out.contended = len(out.assigned) < n
        return out

    async def _suggest(self, sweep_id: str, config: SweepConfig, version: int, n: int):
        method = get_search_method(config.method)
        need = history_needed(config.method)
        rng = np.random.default_rng(secrets.randbits(64))
        if need is History.CURSOR:
            return await self._suggest_from_cursor(sweep_id, config, method, n, rng)
        if need is History.NONE:
            runs: list[Run] = []
        else:  # ignored runs (SetRunIgnored) are not seen by search
            runs = [r for r in await self.run_cache.runs(sweep_id) if not r.ignored]
        # a few independent draws: cheaper inline than a thread hop (but not rejection
        # sampling against constraints, which may take many draws)
        if need is History.NONE and not config.constraints:
            return method(config, runs, n, rng)
        # runs of earlier config versions: those that fit this space; fits grow with
        # the sweep: keep them off the event loop
        return await asyncio.to_thread(
            lambda: method(config, runs_in_space(config, runs, version), n, rng))

    async def _suggest_from_cursor(self, sweep_id: str, config: SweepConfig, method, n: int, rng):
        """An enumeration walked from the sweep's cursor: nothing read but the cursor,
        and the claims only when the cursor is unknown (then once)."""
        cursor = await self.store.grid_cursor(sweep_id)
        runs: list[Run] = []
        if cursor is None:
            runs = [
                Run(id="", sweep_id=sweep_id, state=RunState.RUNNING, config={}, claim_key=k)
                for k in await self.store.claim_keys(sweep_id)
            ]
        if not runs and structure_of(config).trivial:
            return method(config, runs, n, rng, start=cursor or 0)
        # constrained grids may scan far for a valid point: off the event loop
        return await asyncio.to_thread(lambda: method(config, runs, n, rng, start=cursor or 0))

    async def _assign(
        self, out: NextRuns, sweep_id: str, agent_id: str,
        suggestion: Suggestion | None, config_version: int, from_retry: bool = False,
        host: str = "",
    ) -> AssignReply:
        run_id, token, now = new_id(), secrets.token_urlsafe(18), self._now_ms()
        size = space_size(await self.config_of(sweep_id)) if suggestion and suggestion.claim_key else 0
        reply = await self.store.assign_run(
            sweep_id, run_id,
            claim_key=suggestion.claim_key if suggestion else "",
            config=suggestion.config if suggestion else None,
            agent_id=agent_id, token=token, now_ms=now, expiry_ms=self._expiry_ms(),
            note=suggestion.note if suggestion else "", from_retry=from_retry, space_size=size,
            config_version=config_version, host=host,
            scanned_from=suggestion.scanned_from if suggestion else None,
        )
        if isinstance(reply, Assigned):
            run = Run(
                id=run_id, sweep_id=sweep_id, state=RunState.PENDING,
                config=reply.config, number=reply.number, agent_id=agent_id, host=host,
                lease_token=token, claim_key=suggestion.claim_key if suggestion else "",
                attempt=reply.attempt, created_at=now / 1000.0, note=reply.note,
                config_version=config_version,
            )
            out.assigned.append(Assignment(run, token))
        elif isinstance(reply, Closed):
            state = reply.state
            config = await self.config_of(sweep_id)
            retries_may_come = state is SweepState.FINISHING and (
                config.retry.max_attempts > 1 or await self.store.retry_waiting(sweep_id) > 0)
            if state is not SweepState.PAUSED and not retries_may_come:
                out.done = state
                out.message = "run_cap reached" if reply.cap else f"the sweep is {state.value}"
        return reply

    async def _exhausted(self, out: NextRuns, sweep_id: str, why: str = "") -> NextRuns:
        if why:
            log.warning("sweep %s ends: %s", sweep_id, why)
        state = await self.store.set_state(sweep_id, "exhausted", self._now_ms())
        config = await self.config_of(sweep_id)
        if state.terminal or config.retry.max_attempts <= 1:
            out.done = state
            out.message = why or "every configuration of the search space has been handed out"
        return out

    # ---------------------------------------------------------------- runs

    async def start_run(self, sweep_id: str, run_id: str, token: str) -> Run:
        await self.config_of(sweep_id)
        return await self.store.start_run(sweep_id, run_id, token, self._now_ms(), self._expiry_ms())

    async def finish_run(
        self, sweep_id: str, run_id: str, token: str, state: RunState,
        exit_code: int | None, error: str, preempted: bool = False,
        output: RunOutput | None = None,
    ) -> tuple[Run, SweepState]:
        if state not in FINISHABLE:
            raise InvalidArgument(f"state: a run can only be finished as one of "
                                  f"{sorted(s.value for s in FINISHABLE)}", [("state", "invalid")])
        if preempted and state is not RunState.STOPPED:
            raise InvalidArgument("preempted: only a STOPPED run can be preempted",
                                  [("preempted", "only with state STOPPED")])
        if len(error) > MAX_ERROR_CHARS:
            raise InvalidArgument(f"error: {len(error):,} characters; at most {MAX_ERROR_CHARS:,} "
                                  "(send the end of the message)",
                                  [("error", f"at most {MAX_ERROR_CHARS:,} characters")])
        config = await self.config_of(sweep_id)
        return await self.store.finish_run(
            sweep_id, run_id, token, state.value, exit_code, error, self._now_ms(),
            preempted=preempted, max_attempts=config.retry.max_attempts,
            output=output,
        )

    async def report_metrics(self, batch: MetricBatch) -> tuple[ReportOutcome, SweepState]:
        config, version = await self.versioned_config(batch.sweep_id)
        _check_batch(batch)
        metric = config.metric
        reply = await self.store.report_metrics(
            batch.sweep_id, batch.run_id, batch.lease_token, batch.seq, batch.points,
            now_ms=self._now_ms(), metric_name=metric.name if metric else None,
            maximize=bool(metric and metric.goal == "maximize"),
            target=metric.target if metric else None,
            objectives=[(o.name, -1.0 if o.goal == "maximize" else 1.0) for o in config.metrics],
        )
        stopped: list[str] = []
        # a run asked to stop before: its new values count in no threshold
        if not reply.duplicate and not reply.asked_before and config.early_terminate and (
                metric.name or config.multi_objective):
            # the entries the rules see (with --metrics-maxlen N, a run's first N)
            count, new = reply.count, reply.new
            if new and _may_decide(config, count - new, count):
                stopped = await self._early_terminate(batch.sweep_id, config, version)
        outcome = ReportOutcome(
            duplicate=reply.duplicate,
            should_stop=reply.asked_before or batch.run_id in stopped,
            stopped=tuple(stopped),
        )
        return outcome, reply.sweep_state

    async def metric_page(self, sweep_id: str, run_id: str, after: str | None, size: int):
        """One page of a run's stored points, in order, and whether more follow
        (NotFound for a run the sweep does not have)."""
        await self.config_of(sweep_id)
        page = await self.store.metric_page(sweep_id, run_id, after, size) if keys.valid_id(run_id) else None
        if page is None:
            raise run_not_found(sweep_id, run_id)
        return page

    async def _early_terminate(self, sweep_id: str, config: SweepConfig, version: int) -> list[str]:
        """Evaluates the sweep's stopping rule now that a metric value arrived; records
        each decision (band, value, threshold) and returns the runs asked to stop."""
        decisions = await self.stopping.decide(sweep_id, config, version)
        stopped = []
        for d in decisions:
            reason = StopReason(kind=config.early_terminate.type, message=d.message,
                                band=d.band, value=d.value, threshold=d.threshold)
            if await self.store.request_stop(sweep_id, d.run_id, reason):
                log.info("run %s of sweep %s stopped early: %s", d.run_id, sweep_id, d.message)
                stopped.append(d.run_id)
        return stopped

    # ---------------------------------------------------------------- leases

    async def heartbeat(self, sweep_id: str, held: Mapping[str, str]) -> list[HeldRunStatus]:
        """Extends the leases of the runs an agent holds (run id -> token) and says,
        for each, whether it must stop: asked to, or no longer held."""
        if not held:
            return []
        out = []
        for row in await self.store.heartbeat(sweep_id, list(held.items()), self._expiry_ms()):
            if not row.held:
                out.append(HeldRunStatus(row.run_id, StopReason(
                    kind="lease", message=f"the lease on this run is gone (run is {row.state or 'unknown'})")))
            elif row.should_stop:
                out.append(HeldRunStatus(row.run_id, StopReason(kind=row.stop_kind or "user",
                                                                message=row.stop_message)))
        return out

    async def stop_reason(self, sweep_id: str, run_id: str) -> StopReason:
        run = await self.store.get_run(sweep_id, run_id)
        if run and run.stop_reason:
            return run.stop_reason
        return StopReason(kind="user")

    async def reap(self, sweep_id: str) -> list[str]:
        """Crashes the runs of a sweep whose lease expired; returns their ids."""
        now = self._now_ms()
        expired = await self.store.expired_run_ids(sweep_id, now)
        if not expired:
            return []
        config = await self.config_of(sweep_id)
        crashed = []
        for run_id in expired:
            sweep_state = await self.store.expire_run(sweep_id, run_id, now, config.retry.max_attempts)
            if sweep_state is not None:  # it crashed
                log.warning("run %s of sweep %s crashed: lease expired", run_id, sweep_id)
                crashed.append(run_id)
        return crashed

    async def sweeps_to_reap(self) -> list[str]:
        """The sweeps holding a run whose lease expired, in any state: a cancelled or
        finished sweep's runs end by their lease like any other."""
        return await self.store.sweeps_with_expired_leases(self._now_ms())


def _unusable_parameters(config: SweepConfig) -> list[FieldError]:
    """Parameters that pass validation yet could give no run a value (see
    sampling.unusable): an older controller registered such sweeps, and every agent's
    request for a run then failed."""
    errors = []
    for path, spec in iter_leaves(config.parameters):
        problem = unusable(spec, grid=config.method == "grid")
        if problem is not None:
            errors.append(FieldError("parameters." + ".parameters.".join(
                shown(p, quote=False) for p in path), problem))
    return errors


def _may_decide(config: SweepConfig, before: int, after: int) -> bool:
    """Whether a run's metric count going from `before` to `after` can change any
    stopping decision. Rules with checkpoints (hyperband bands, asha rungs) only
    decide when some run reaches one, so the run histories need not be read on
    every report; rules without them decide at every value."""
    return get_stopping_rule(config.early_terminate.type).may_decide(
        config.early_terminate, before, after)


def _check_batch(batch: MetricBatch) -> None:
    if not keys.valid_id(batch.run_id):
        raise InvalidArgument(f"run_id: invalid run id {shown(batch.run_id)}", [("run_id", "invalid")])
    if not 1 <= batch.seq <= MAX_SEQ:
        raise InvalidArgument(f"seq: {batch.seq} is out of range; must be 1 to {MAX_SEQ}",
                              [("seq", f"must be 1 to {MAX_SEQ}")])
    if len(batch.points) > MAX_POINTS_PER_BATCH:
        raise InvalidArgument(
            f"points: {len(batch.points):,} points in one batch; at most {MAX_POINTS_PER_BATCH:,}",
            [("points", f"at most {MAX_POINTS_PER_BATCH} points")])
    for i, point in enumerate(batch.points):
        if not MIN_WALL_TIME_S <= point.wall_time <= MAX_WALL_TIME_S:
            raise InvalidArgument(
                f"points[{i}].wall_time: {point.wall_time:.0f} s since the epoch is not between "
                "1970-01-01 and 9999-12-31 (milliseconds sent as seconds?)",
                [(f"points[{i}].wall_time", "out of range")])
        if len(point.values) > MAX_KEYS_PER_POINT:
            raise InvalidArgument(
                f"points[{i}].values: {len(point.values)} keys in one point; at most "
                f"{MAX_KEYS_PER_POINT}", [(f"points[{i}].values", "too many keys")])
        for key in point.values:
            if not key or len(key) > 256:
                raise InvalidArgument(
                    f"points[{i}].values: key {shown(key, 40)} must be 1 to 256 characters",
                    [(f"points[{i}].values", "bad key")])
