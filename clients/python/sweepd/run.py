"""The in-run SDK: `sweepd.init()` returns the current run; `run.log()` never blocks.

Where the run comes from:
- function mode: the agent in this process sets the current run before calling the
  user's function;
- program mode: the agent launched this process and passed the run through
  environment variables (SWEEPD_RUN_ID, SWEEPD_SWEEP_ID, SWEEPD_LEASE_TOKEN,
  SWEEPD_CONTROLLER, SWEEPD_RUN_CONFIG);
- neither: an offline run whose config is what `init(config=...)` was given and
  whose metrics go nowhere but the log.

Metrics are queued and sent in batches by a background thread (`MetricSender`);
every batch has a sequence number, so a resend after a lost reply is stored once.

Stopping (early termination, a cancel, a lost lease) depends on whether the script
reads `run.should_stop`. One that has read it since the run started is trusted to
stop by itself: the flag is set and it finishes its step. One that never has (a
W&B-style script: init, log, finish) is ended: `RunStopped` (a SystemExit, exit code
143) is raised in it at once by the agent's SIGTERM (program mode) or by its next
`run.log()`; `finally` blocks run and the points logged so far are flushed.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import signal
import threading
import time
from typing import Any, Callable, Mapping

from sweepd.convert import ConversionError, loggable
from sweepd.domain import LeaseLost, MetricBatch, MetricPoint, NotFound, SweepdError, Unavailable
from sweepd.echo import shown
from sweepd.retry import HELD_RUN, retrying

log = logging.getLogger(__name__)

ENV_RUN_ID = "SWEEPD_RUN_ID"
ENV_SWEEP_ID = "SWEEPD_SWEEP_ID"
ENV_TOKEN = "SWEEPD_LEASE_TOKEN"
ENV_CONTROLLER = "SWEEPD_CONTROLLER"
ENV_CONFIG = "SWEEPD_RUN_CONFIG"

_process_run: "Run | None" = None  # program mode / offline: one run per process
_current_lock = threading.Lock()
_thread = threading.local()  # function mode: the agent thread that calls the function


STOPPED_EXIT_CODE = 143  # 128 + SIGTERM: a program run that ended because it was asked to stop


class RunStopped(SystemExit):
    """Raised in a run that was asked to stop and never reads `should_stop`: it unwinds
    the script (a program exits with STOPPED_EXIT_CODE) and the run ends as stopped."""

    def __init__(self, run_id: str):
        super().__init__(STOPPED_EXIT_CODE)
        self.run_id = run_id

    def __str__(self) -> str:
        return f"run {self.run_id} was asked to stop"


_CLOSE = object()  # queue sentinel: send what is left, then end the thread
_DRAIN = object()  # queue sentinel: end the thread, keeping what is left unsent
_NOTHING = object()
MAX_KEY_LENGTH = 256  # the controller refuses a batch with a longer (or empty) key
START_LINGER = 0.1  # seconds a run may take to log before StartRun is sent on its own


def default_linger() -> float:
    """How long a logged point waits for others to share its batch: $SWEEPD_METRICS_LINGER
    seconds, 0.2 by default (fewer calls; still well inside the dashboard's 2 s)."""
    try:
        return max(0.0, float(os.environ.get("SWEEPD_METRICS_LINGER", "0.2")))
    except ValueError:
        return 0.2


class MetricSender:
    """Sends one run's points in batches from a background thread, in order,
    retrying through controller restarts; `flush()` waits until all are stored,
    `close()` flushes and ends the thread. `first`, when given, is called in the
    thread before any batch unless a point is logged within START_LINGER (the agent's
    StartRun: the user's code never waits on it, and a run that logs at once is started
    by its first batch)."""

    def __init__(self, client: Any, sweep_id: str, run_id: str, token: str,
                 *, max_batch: int = 500, linger: float | None = None,
                 first: Callable[[], Any] | None = None):
        self.client, self.sweep_id, self.run_id, self.token = client, sweep_id, run_id, token
        self.max_batch = max_batch
        self.linger = default_linger() if linger is None else linger
        self.queue: queue.Queue = queue.Queue()
        self.seq = 0  # of the last batch the controller acknowledged
        self._unsure = False  # the last batch given up on may have been stored
        self.should_stop = threading.Event()
        self.lease_lost = False
        self._first = first
        self._drained: list[MetricPoint] = []
        self._idle = threading.Event()
        if first is None:
            self._idle.set()
        self._thread = threading.Thread(target=self._loop, name=f"sweepd-metrics-{run_id}", daemon=True)
        self._thread.start()

    def put(self, point: MetricPoint) -> None:
        self._idle.clear()
        self.queue.put(point)

    def flush(self, timeout: float | None = None) -> bool:
        self.queue.put(None)  # wakes the thread so it sends what it holds at once
        return self._idle.wait(timeout)

    def close(self, timeout: float | None = 60.0) -> bool:
        """Sends what is queued and ends the thread; waits up to `timeout` (0: not at all)."""
        self.queue.put(None)
        self.queue.put(_CLOSE)
        return self.join(timeout) if timeout != 0 else True

    def drain(self, timeout: float | None = 600.0) -> MetricBatch | None:
        """Ends the thread once the batch it is sending (if any) is stored, and returns
        the points still queued as the next batch, for the caller to send itself (with
        FinishRun); None when nothing is left or the run is no longer held."""
        self.queue.put(_DRAIN)
        self.join(timeout)
        if not self._drained or self.lease_lost:
            return None
        return MetricBatch(self.run_id, self.sweep_id, self.token, self.seq + 1,
                           tuple(self._drained))

    def join(self, timeout: float | None = 60.0) -> bool:
        """Waits until the thread has sent everything queued before close()."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _take_batch(self, first: Any = _NOTHING) -> tuple[list[MetricPoint], Any]:
        """The next batch, and _CLOSE or _DRAIN when the thread should end after it."""
        if first is _NOTHING:
            first = self.queue.get()
        if first is _CLOSE or first is _DRAIN:
            return [], first
        points = [] if first is None else [first]
        deadline = time.monotonic() + self.linger
        while len(points) < self.max_batch:
            try:
                item = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if item is None:
                break
            if item is _CLOSE:
                self.queue.put(_CLOSE)
                break
            if item is _DRAIN:
                return points, _DRAIN
            points.append(item)
        return points, None

    def _loop(self) -> None:
        head: Any = _NOTHING
        if self._first is not None:
            # A run that logs at once is started by its first batch (the controller
            # marks it running): `first` is called only when nothing comes soon.
            try:
                head = self.queue.get(timeout=START_LINGER)
            except queue.Empty:
                pass
            if not isinstance(head, MetricPoint) and head is not _DRAIN:
                self._retrying(self._first, "start")
        while True:
            if head is _NOTHING and self.queue.empty():
                self._idle.set()
            points, ending = self._take_batch(head)
            head = _NOTHING
            if ending is _DRAIN:
                self._drained = points
                self._end()
                return
            if ending is _CLOSE:
                self._end()
                return
            if points and not self.lease_lost:
                batch = MetricBatch(self.run_id, self.sweep_id, self.token, self.seq + 1, tuple(points))
                if self._retrying(lambda: self._report(batch), f"metric batch {batch.seq}"):
                    self.seq = batch.seq  # a refused batch stored nothing: the next reuses its seq
            if self.queue.empty():
                self._idle.set()

    def _end(self) -> None:
        close = getattr(self.client, "close", None)
        if close is not None:
            close()  # the run's metric stream
        self._idle.set()

    def _report(self, batch: MetricBatch) -> None:
        ack = self.client.report_metrics(batch)
        if ack.duplicate and self._unsure:
            log.warning("run %s: metric batch %d was stored before (a batch given up on "
                        "earlier got through); these %d points are not stored",
                        self.run_id, batch.seq, len(batch.points))
        self._unsure = False
        if ack.should_stop:
            self.should_stop.set()

    def _retrying(self, call: Callable[[], Any], what: str) -> bool:
        """Calls until it succeeds (True) or cannot: refused, or the controller stayed
        unreachable for HELD_RUN_RETRY_SECONDS (False)."""
        try:
            retrying(call, HELD_RUN)
            return True
        except (LeaseLost, NotFound) as exc:
            log.warning("run %s: %s refused, the run is no longer held: %s", self.run_id, what, exc)
            self.lease_lost = True
            self.should_stop.set()
        except Unavailable as exc:
            log.error("run %s: %s dropped, controller unreachable: %s", self.run_id, what, exc)
            self._unsure = True  # it may have been stored: the next batch takes its seq
        except SweepdError as exc:
            log.error("run %s: %s refused: %s", self.run_id, what, exc)
        return False


class Run:
    """The run this process is working on."""

    def __init__(self, *, run_id: str = "", sweep_id: str = "", config: Mapping[str, Any] | None = None,
                 sender: MetricSender | None = None, wait_on_finish: bool = True):
        """`wait_on_finish=False`: finish() returns at once and leaves the points still
        queued to the in-process agent, which sends them with FinishRun."""
        self.id = run_id
        self._wait_on_finish = wait_on_finish
        self.sweep_id = sweep_id
        self.config: dict[str, Any] = dict(config or {})
        self._sender = sender
        self._stop = threading.Event()
        self._polled = False  # the script has read should_stop: it stops by itself
        self._stopped_in: set[int] = set()  # threads RunStopped was raised in: they unwind
        self._step = 0
        self._finished = False
        self._flushed = False  # finish() has sent every point
        self.summary: dict[str, Any] = {}

    @property
    def offline(self) -> bool:
        return self._sender is None

    @property
    def should_stop(self) -> bool:
        """True once the controller (or a SIGTERM from the agent) asked this run to stop.
        Reading it tells the SDK that the script stops by itself: from then on a stop
        sets this flag and nothing more."""
        self._polled = True
        return self._asked_to_stop()

    def _asked_to_stop(self) -> bool:
        return self._stop.is_set() or (self._sender is not None and self._sender.should_stop.is_set())

    def request_stop(self) -> None:
        self._stop.set()

    def _raise_stopped(self) -> None:
        self._stopped_in.add(threading.get_ident())
        raise RunStopped(self.id)

    def _end_if_stopped(self) -> None:
        """Raises RunStopped in a script that was asked to stop and never read
        should_stop, once per thread (what its cleanup logs while unwinding is kept)."""
        if (not self._polled and threading.get_ident() not in self._stopped_in
                and self._asked_to_stop()):
            self._raise_stopped()

    def _on_sigterm(self) -> None:
        """The agent's SIGTERM (program mode, in the main thread). A script that reads
        should_stop gets the flag and finishes its step (a second SIGTERM ends it); any
        other ends at once (a thread of it that logs, at its next log()). While the main
        thread unwinds or the run flushes its last points, nothing more happens (the
        agent's SIGKILL after its grace period bounds that)."""
        if threading.get_ident() in self._stopped_in or (self._finished and not self._flushed):
            return
        if self._polled and not self._stop.is_set():
            self._stop.set()
            return
        self._stop.set()
        self._raise_stopped()

    def log(self, values: Mapping[str, Any], step: int | None = None) -> None:
        """Records values at a step (the next one when not given); never blocks."""
        self._end_if_stopped()
        if self._finished:
            raise RuntimeError("run.log() after run.finish()")
        if not isinstance(values, Mapping):
            raise TypeError("run.log() takes a mapping of name -> value")
        clean = {}
        for key, value in values.items():
            key = str(key)
            try:
                if not 0 < len(key) <= MAX_KEY_LENGTH:
                    raise ConversionError(shown(key), f"a key is 1 to {MAX_KEY_LENGTH} characters")
                clean[key] = loggable(value, key)
            except ConversionError as exc:  # the controller would refuse the whole batch
                log.warning("run %s: %s; not logged", self.id, exc)
        if step is None:
            step = self._step
        self._step = max(self._step, int(step) + 1)
        self.summary.update(clean)
        if self._sender is not None and clean:
            self._sender.put(MetricPoint(step=int(step), wall_time=time.time(), values=clean))
        elif clean:
            log.info("step %s: %s", step, clean)

    def flush(self, timeout: float | None = 60.0) -> bool:
        return True if self._sender is None else self._sender.flush(timeout)

    def finish(self) -> None:
        """Sends every logged point; the agent records the run's end."""
        if not self._finished:
            self._finished = True
            if self._sender is None or not self._wait_on_finish:
                self._flushed = True
                return  # an in-process agent drains the sender when the function returns
            if not self._sender.close(60.0):
                log.error("run %s: some metrics could not be sent before finish", self.id)
            self._flushed = True

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.finish()


def set_current(run: Run | None) -> None:
    """Called by an in-process agent around the user's function, in its thread."""
    _thread.run = run


def current() -> Run | None:
    return getattr(_thread, "run", None) or _process_run


def init(config: Mapping[str, Any] | None = None, **_: Any) -> Run:
    """The current run: set by an agent in this thread, passed by an agent through
    the environment, or an offline run with `config`."""
    global _process_run
    found = current()
    if found is not None:
        return found
    with _current_lock:
        if _process_run is None:
            _process_run = _run_from_env() if os.environ.get(ENV_RUN_ID) else Run(config=config)
        return _process_run


def _run_from_env() -> Run:
    from sweepd.client import Client

    env = os.environ
    client = MetricClient(Client(env.get(ENV_CONTROLLER)))
    sender = MetricSender(client, env[ENV_SWEEP_ID], env[ENV_RUN_ID], env[ENV_TOKEN])
    run = Run(run_id=env[ENV_RUN_ID], sweep_id=env[ENV_SWEEP_ID],
              config=json.loads(env.get(ENV_CONFIG) or "{}"), sender=sender)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda signum, frame: run._on_sigterm())
    atexit.register(run.finish)
    return run


class MetricClient:
    """The one call a MetricSender makes, over a `sweepd.client.Client`: each batch on
    the run's ReportMetrics stream (sweepd.metric_stream), acknowledged in order."""

    def __init__(self, client: Any):
        from sweepd.metric_stream import MetricStream

        self.client = client
        self.stream = MetricStream(client)

    def report_metrics(self, batch: MetricBatch):
        return self.stream.report(batch)

    def close(self) -> None:
        self.stream.close()
