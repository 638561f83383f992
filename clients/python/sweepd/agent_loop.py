"""The agent: join a sweep, take runs, run them (a function or a program), report.

One `Connection` thread keeps the agent's Connect stream open (reconnecting with
backoff, re-sending the runs it holds), sends heartbeats and delivers what the
controller pushes: assignments, stop commands, "the sweep is done". The agent's
main loop keeps up to `parallel` runs going until the sweep is done or `count`
runs have been taken.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import grpc

from sweepd import convert
from sweepd.client import Client, domain_error
from sweepd.command import build_command
from sweepd.config import SweepConfig, parse_config
from sweepd.domain import (
    InvalidArgument, LeaseLost, MetricBatch, NotFound, RunOutput, RunState, SweepdError, Unavailable,
)
from sweepd.output import OutputTail, program_output, traceback_output
from sweepd.retry import HELD_RUN, backoff_delays, retrying
from sweepd.run import (
    ENV_CONFIG, ENV_CONTROLLER, ENV_RUN_ID, ENV_SWEEP_ID, ENV_TOKEN, STOPPED_EXIT_CODE,
    MetricClient, MetricSender, Run, RunStopped, set_current,
)
from sweepd.v1 import agent_service_pb2 as agent_pb

log = logging.getLogger(__name__)


@dataclass
class Assigned:
    """A run this agent holds."""

    run_id: str
    token: str
    config: dict[str, Any]
    stop_requested: threading.Event = field(default_factory=threading.Event)
    stop_kind: str = ""
    on_stop: Callable[[], None] | None = None
    sender: MetricSender | None = None  # function mode: the run's metric batches
    ended: bool = False  # FinishRun sent (or given up): nobody ends it again
    config_version: int = 1  # the sweep config version the run was made under


class Connection:
    """The agent's Connect stream, kept open in a background thread."""

    def __init__(self, client: Client, sweep_id: str, agent_id: str, *, give_up_after: float):
        self.client, self.sweep_id, self.agent_id = client, sweep_id, agent_id
        self.give_up_after = give_up_after
        self.assignments: queue.Queue[Assigned | None] = queue.Queue()
        self.held: dict[str, Assigned] = {}
        self.lock = threading.Lock()
        self.wanted = 0
        self.done = threading.Event()
        self.done_message = ""
        self.welcome = threading.Event()
        self.sweep_config: SweepConfig | None = None
        self.sweep_config_version = 0
        self.fatal: SweepdError | None = None
        self.heartbeat_interval = 5.0  # until a Welcome announces it
        self.lease_seconds: float | None = None
        self._out: queue.Queue[agent_pb.AgentMessage | None] = queue.Queue()
        self._closed = threading.Event()
        self._welcomed = threading.Event()  # a Welcome arrived: heartbeats count from it
        self._thread = threading.Thread(target=self._loop, name="sweepd-agent-stream", daemon=True)

    def start(self) -> None:
        self._thread.start()
        threading.Thread(target=self._heartbeats, name="sweepd-heartbeat", daemon=True).start()

    def close(self) -> None:
        self._closed.set()
        self._welcomed.set()  # wakes the heartbeat thread, which then ends
        self._out.put(None)

    def request_run(self) -> None:
        with self.lock:  # same lock as a reconnect's snapshot: each request is sent once
            self.wanted += 1
            self._out.put(agent_pb.AgentMessage(run_request=agent_pb.RunRequest(count=1)))

    def release(self, run_id: str) -> None:
        with self.lock:
            self.held.pop(run_id, None)

    def _held_runs(self) -> list[agent_pb.HeldRun]:
        with self.lock:
            return [agent_pb.HeldRun(run_id=a.run_id, lease_token=a.token) for a in self.held.values()]

    def _requests(self, out: queue.Queue, wanted: int):
        yield agent_pb.AgentMessage(hello=agent_pb.AgentHello(
            sweep_id=self.sweep_id, agent_id=self.agent_id, hostname=socket.gethostname(),
            held_runs=self._held_runs()))
        if wanted:  # what a broken stream had asked for and not received
            yield agent_pb.AgentMessage(run_request=agent_pb.RunRequest(count=wanted))
        while True:
            item = out.get()
            if item is None:
                return
            yield item

    def _loop(self) -> None:
        delays = backoff_delays(cap=3.0)
        unreachable_since: float | None = None
        while not self._closed.is_set() and not self.done.is_set():
            with self.lock:  # what was queued for a broken stream is re-derived
                self._out = queue.Queue()
                requests = self._requests(self._out, self.wanted)
            try:
                for i, message in enumerate(self.client.agents.Connect(requests, metadata=self.client.metadata)):
                    if i == 0:  # the stream is up: the next outage backs off from the start again
                        unreachable_since, delays = None, backoff_delays(cap=3.0)
                    self._handle(message)
                if not self.done.is_set() and not self._closed.is_set():
                    time.sleep(self._reconnect_delay(delays))
            except grpc.RpcError as err:
                error = domain_error(err, self.client.address)
                if self._closed.is_set():
                    return
                if not isinstance(error, Unavailable):
                    self._fail(error)
                    return
                now = time.monotonic()
                unreachable_since = unreachable_since or now
                with self.lock:
                    holding = bool(self.held)
                if not holding and now - unreachable_since > self.give_up_after:
                    self._fail(error)
                    return
                log.warning("controller unreachable (%s); reconnecting", err.details())
                time.sleep(self._reconnect_delay(delays))

    def _reconnect_delay(self, delays) -> float:
        """The next backoff delay, kept within a quarter of the lease while runs are held
        (they must be listed in a new hello before their lease runs out)."""
        delay = next(delays)
        with self.lock:
            holding = bool(self.held)
        if holding and self.lease_seconds:
            delay = min(delay, self.lease_seconds / 4)
        return delay

    def _fail(self, error: SweepdError) -> None:
        self.fatal = error
        self.done_message = str(error)
        self.done.set()
        self.welcome.set()
        self.assignments.put(None)

    def _handle(self, message: agent_pb.ControllerMessage) -> None:
        kind = message.WhichOneof("kind")
        if kind == "welcome":
            w = message.welcome
            self.heartbeat_interval = w.heartbeat_interval_seconds or 5.0
            self.lease_seconds = w.lease_duration_seconds or None
            self._welcomed.set()
            self.sweep_config = parse_config(convert.config_dict_from_proto(w.sweep.config))
            self.sweep_config_version = w.sweep.config_version or 1
            self.welcome.set()
        elif kind == "assignment":
            a = message.assignment
            item = Assigned(a.run.id, a.lease_token, convert.values_from_proto(a.run.config),
                            config_version=a.run.config_version or 1)
            with self.lock:
                self.held[item.run_id] = item
                self.wanted = max(0, self.wanted - 1)
            self.assignments.put(item)
        elif kind == "stop":
            with self.lock:
                item = self.held.get(message.stop.run_id)
            if item is not None and not item.stop_requested.is_set():
                item.stop_kind = message.stop.reason.kind
                log.info("run %s: stop requested (%s %s)", item.run_id,
                         message.stop.reason.kind, message.stop.reason.message)
                item.stop_requested.set()
                if item.on_stop:
                    item.on_stop()
        elif kind == "done":
            self.done_message = message.done.message or "the sweep is done"
            self.done.set()
            self.assignments.put(None)

    def _heartbeats(self) -> None:
        """A heartbeat every interval the latest Welcome announced, counted from it (a
        hello renews the held leases): none before the first Welcome, and a lease
        shorter than any fixed first wait is kept from the start."""
        interval: float | None = None
        while not self._closed.is_set():
            if self._welcomed.wait(interval):
                self._welcomed.clear()
                interval = self.heartbeat_interval
                continue
            self._out.put(agent_pb.AgentMessage(heartbeat=agent_pb.Heartbeat(held_runs=self._held_runs())))


class Agent:
    """Runs a sweep's runs on this machine until the sweep is done or `count` is used up."""

    def __init__(self, sweep_id: str, function: Callable[[], Any] | None = None, *,
                 count: int | None = None, controller: str | None = None, parallel: int = 1,
                 gpus: list[str] | None = None, stop_grace: float = 10.0,
                 connect_timeout: float = 60.0, api_key: str | None = None,
                 tls_ca: str | None = None):
        self.sweep_id = sweep_id
        self.function = function
        self.count = count
        self.client = Client(controller, api_key=api_key, tls_ca=tls_ca)
        self.parallel = max(1, parallel)
        self.gpus = gpus or []
        self.stop_grace = stop_grace
        self.agent_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.connection = Connection(self.client, sweep_id, self.agent_id,
                                     give_up_after=connect_timeout)
        self.runs_done = 0
        self._lock = threading.Lock()
        self._workdir = tempfile.mkdtemp(prefix="sweepd-agent-")
        self._stopping = threading.Event()  # shutdown: take no more runs, stop those held
        self._preempted = False
        self._signalled = threading.Event()
        self._signal_preempted = False

    def run(self) -> int:
        """Returns how many runs this agent ran."""
        conn = self.connection
        conn.start()
        conn.welcome.wait()
        if conn.fatal:
            raise conn.fatal
        slots = threading.BoundedSemaphore(self.parallel)  # one per run going at once
        gpu_load = {gpu: 0 for gpu in self.gpus}
        taken, workers = 0, []
        try:
            while self._wants_more(taken) and self._take_slot(slots):
                if not self._wants_more(taken):
                    slots.release()
                    break
                conn.request_run()
                item = conn.assignments.get()
                if item is None or self._stopping.is_set():
                    slots.release()
                    break
                taken += 1
                gpu = self._take_gpu(gpu_load)
                if self.parallel == 1:
                    self._execute_in_slot(item, gpu, slots, gpu_load)
                else:
                    worker = threading.Thread(target=self._execute_in_slot,
                                              args=(item, gpu, slots, gpu_load), daemon=True)
                    worker.start()
                    workers.append(worker)
            for worker in workers:
                while worker.is_alive() and not self._stopping.is_set():
                    worker.join(0.5)
            if self._stopping.is_set():
                self._wind_down(workers)
        finally:
            conn.close()
        if conn.fatal:
            raise conn.fatal
        log.info("agent done: %s (%d runs)", self._done_message(), self.runs_done)
        return self.runs_done

    def _wants_more(self, taken: int) -> bool:
        return (not self.connection.done.is_set() and not self._stopping.is_set()
                and (self.count is None or taken < self.count))

    def _take_slot(self, slots: threading.BoundedSemaphore) -> bool:
        """Waits for a free run slot; False once the agent is shutting down."""
        while not slots.acquire(timeout=0.5):
            if self._stopping.is_set():
                return False
        return True

    @property
    def preempted(self) -> bool:
        """True once the agent shut down as preempted (SIGTERM, SIGUSR1, shutdown(True))."""
        return self._stopping.is_set() and self._preempted

    def _done_message(self) -> str:
        if self._stopping.is_set():
            return "shut down" + (" (preempted)" if self._preempted else "")
        return self.connection.done_message or "count reached"

    # ---------------------------------------------------------------- shutdown

    def shutdown(self, preempted: bool = False) -> None:
        """Stops the agent, from any thread: it takes no more runs and asks each run it
        holds to stop; they end `stopped` and `run()` returns. `preempted` says the agent
        is going away for reasons not the runs' own (a scheduler's preemption or time
        limit, a drain), so the sweep's retry policy may run them again. A run still
        going `stop_grace` seconds later is ended as stopped by the agent itself."""
        if self._stopping.is_set():
            return
        self._preempted = preempted
        self._stopping.set()
        log.warning("agent shutting down%s: stopping its runs",
                    " (preempted: runs may be retried)" if preempted else "")
        conn = self.connection
        conn.assignments.put(None)  # wakes the main loop
        with conn.lock:
            held = list(conn.held.values())
        for item in held:
            if not item.stop_requested.is_set():
                item.stop_requested.set()
                if item.on_stop:
                    item.on_stop()

    def install_signal_handlers(self, *, exit_when_stuck: bool = True) -> None:
        """For a process that is the agent (`sweepd agent`): SIGTERM and SIGUSR1 (what
        Slurm, Kubernetes and other schedulers send before they kill) shut it down as
        preempted; SIGINT (Ctrl-C) shuts it down as stopped; a second SIGINT stops the
        process at once. The handlers only flag: the work happens in a thread, since a
        handler may run while the main thread holds a lock it would need."""
        def on_preempt(signum, frame):
            self._signal_preempted = True
            self._signalled.set()

        def on_interrupt(signum, frame):
            if self._signalled.is_set():
                raise KeyboardInterrupt
            self._signalled.set()

        def watch():
            self._signalled.wait()
            self.shutdown(preempted=self._signal_preempted)
            if exit_when_stuck and not self._ended_in_time():
                os._exit(143)  # runs are recorded; what still runs would only be killed later

        threading.Thread(target=watch, name="sweepd-agent-signals", daemon=True).start()
        signal.signal(signal.SIGTERM, on_preempt)
        signal.signal(signal.SIGUSR1, on_preempt)
        signal.signal(signal.SIGINT, on_interrupt)

    def _ended_in_time(self) -> bool:
        """Waits up to stop_grace (and the time to report) for every held run to end."""
        deadline = time.monotonic() + self.stop_grace + 2.0
        while time.monotonic() < deadline:
            with self.connection.lock:
                if not self.connection.held:
                    return True
            time.sleep(0.1)
        self._end_leftovers()
        return False

    def _wind_down(self, workers: list[threading.Thread]) -> None:
        """After a shutdown: waits for running runs, then ends what is left held (runs
        assigned but never started, runs that ignored the stop) as stopped."""
        deadline = time.monotonic() + self.stop_grace + 1.0
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        self._end_leftovers()

    def _end_leftovers(self) -> None:
        with self.connection.lock:
            left = list(self.connection.held.values())
        for item in left:
            item.stop_requested.set()
            final = item.sender.drain(timeout=5.0) if item.sender is not None else None
            self._finish(item, RunState.STOPPED, None, "", final)

    def _take_gpu(self, gpu_load: dict[str, int]) -> str | None:
        """The least busy GPU of --gpus (None without)."""
        if not gpu_load:
            return None
        with self._lock:
            gpu = min(gpu_load, key=lambda g: (gpu_load[g], self.gpus.index(g)))
            gpu_load[gpu] += 1
            return gpu

    def _execute_in_slot(self, item: Assigned, gpu: str | None,
                         slots: threading.BoundedSemaphore, gpu_load: dict[str, int]) -> None:
        """Runs the run in its slot and reports its end before freeing the slot, so that a
        reached target or a stop is known before the next run is asked for. The run's
        last points go with FinishRun, one round trip for both."""
        try:
            outcome = self._execute(item, gpu)
            if outcome is not None:
                state, code, error, sender, output = outcome
                if sender is not None and sender.should_stop.is_set() and not sender.lease_lost:
                    item.stop_requested.set()  # the stop came with a metric ack, not the stream
                final = sender.drain() if sender is not None else None
                self._finish(item, state, code, error, final, output)
        finally:
            if gpu is not None:
                with self._lock:
                    gpu_load[gpu] -= 1
            slots.release()

    # ---------------------------------------------------------------- one run

    def _execute(self, item: Assigned, gpu: str | None):
        """Runs one run; returns (state, exit code, error, sender or None, output or None)
        for _finish."""
        log.info("run %s: starting with %s", item.run_id, item.config)
        if self.function is not None:
            return self._run_function(item)
        try:
            self._retrying(lambda: self.client.start_run(self.sweep_id, item.run_id, item.token))
        except (LeaseLost, NotFound) as exc:
            log.warning("run %s: not started, lease lost: %s", item.run_id, exc)
            self.connection.release(item.run_id)
            return None
        state, code, error, output = self._run_program(item, gpu)
        return state, code, error, None, output

    def _finish(self, item: Assigned, state: RunState, code: int | None, error: str,
                final: MetricBatch | None, output: RunOutput | None = None) -> None:
        with self._lock:
            if item.ended:
                return
            item.ended = True
        if item.stop_requested.is_set():  # however it ended, it ended because we stopped it
            state = RunState.STOPPED
        # a run the controller asked to stop is not preempted: the controller knows
        preempted = state is RunState.STOPPED and self._stopping.is_set() and self._preempted
        try:
            try:
                self._retrying(lambda: self.client.finish_run(
                    self.sweep_id, item.run_id, item.token, state, code, error, final,
                    preempted=preempted, output=output))
            except InvalidArgument as exc:
                if final is None and output is None:
                    raise
                log.error("run %s: FinishRun with its last %d points and its output was refused "
                          "(%s); finishing without them", item.run_id,
                          len(final.points) if final is not None else 0, exc)
                self._retrying(lambda: self.client.finish_run(
                    self.sweep_id, item.run_id, item.token, state, code, error,
                    preempted=preempted))
            log.info("run %s: %s", item.run_id, state.value)
        except (LeaseLost, NotFound) as exc:
            log.warning("run %s: could not be finished, lease lost: %s", item.run_id, exc)
        finally:
            self.connection.release(item.run_id)
            with self._lock:
                self.runs_done += 1

    def _retrying(self, call: Callable[[], Any]) -> Any:
        return retrying(call, HELD_RUN)

    def _run_function(self, item: Assigned):
        start = lambda: self.client.start_run(self.sweep_id, item.run_id, item.token)  # noqa: E731
        # StartRun goes first from the sender's thread: the function starts at once
        sender = MetricSender(MetricClient(self.client), self.sweep_id, item.run_id, item.token,
                              first=start)
        run = Run(run_id=item.run_id, sweep_id=self.sweep_id, config=item.config, sender=sender,
                  wait_on_finish=False)
        item.sender = sender
        item.on_stop = run.request_stop
        if item.stop_requested.is_set():  # a shutdown that came before the run started
            run.request_stop()
        set_current(run)
        try:
            self.function()
            return RunState.FINISHED, None, "", sender, None
        except RunStopped:  # asked to stop, and it never reads should_stop
            return RunState.STOPPED, None, "", sender, None
        except Exception as exc:  # noqa: BLE001 - the user's error fails the run
            trace = traceback.format_exc()
            sys.stderr.write(trace)
            return (RunState.FAILED, None, f"{type(exc).__name__}: {exc}", sender,
                    traceback_output(trace))
        finally:
            run.finish()
            set_current(None)

    def _sweep_config_for(self, item: Assigned) -> SweepConfig | None:
        """The sweep config a program run is launched with: the Welcome's, or the current
        one when the run was made under a newer version (an update may have added
        parameters, which `${args}` names; program and command never change)."""
        conn = self.connection
        if conn.sweep_config is not None and item.config_version > conn.sweep_config_version:
            try:
                sweep = self.client.get_sweep(self.sweep_id)
            except SweepdError as exc:
                log.warning("run %s: could not read config version %d (%s); using version %d",
                            item.run_id, item.config_version, exc, conn.sweep_config_version)
            else:
                with conn.lock:
                    if sweep.config_version > conn.sweep_config_version:
                        conn.sweep_config, conn.sweep_config_version = sweep.config, sweep.config_version
        return conn.sweep_config

    def _run_program(self, item: Assigned, gpu: str | None
                     ) -> tuple[RunState, int | None, str, RunOutput | None]:
        config = self._sweep_config_for(item)
        if config is None or not config.program:
            return RunState.FAILED, None, "the sweep has no program and the agent no function", None
        env = dict(os.environ)
        env.update({
            ENV_RUN_ID: item.run_id, ENV_SWEEP_ID: self.sweep_id, ENV_TOKEN: item.token,
            ENV_CONTROLLER: self.client.address, ENV_CONFIG: _json(item.config),
            "SWEEPD_AGENT_ID": self.agent_id,
        })
        if self.client.api_key:
            env["SWEEPD_API_KEY"] = self.client.api_key
        if self.client.tls_ca:
            env["SWEEPD_TLS_CA"] = self.client.tls_ca
        if gpu is not None:
            env["CUDA_VISIBLE_DEVICES"] = gpu
        # its output goes through a pipe now: Python programs would otherwise hold it in
        # a buffer, and it would reach the agent's terminal late and out of order
        env.setdefault("PYTHONUNBUFFERED", "1")
        if self.parallel > 1 and "OMP_NUM_THREADS" not in os.environ:
            # N runs at once with each math library using every core would oversubscribe them
            env["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // self.parallel))
        try:
            argv = build_command(config, item.config, interpreter=sys.executable, env=env,
                                 json_file_dir=self._workdir)
        except ValueError as exc:
            return RunState.FAILED, None, f"command: {exc}", None
        log.info("run %s: %s", item.run_id, " ".join(argv))
        try:
            proc = subprocess.Popen(argv, env=env, start_new_session=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            return RunState.FAILED, None, f"could not launch {argv[0]!r}: {exc}", None
        # passed through to the agent's own stdout / stderr, the last 64 KiB of each kept
        tails = (OutputTail(proc.stdout, 1, name="stdout"), OutputTail(proc.stderr, 2, name="stderr"))
        item.on_stop = lambda: self._terminate(proc)
        if item.stop_requested.is_set():
            self._terminate(proc)
        code = proc.wait()
        output = program_output(*tails)
        if code == 0:
            return RunState.FINISHED, 0, "", output
        if code == STOPPED_EXIT_CODE:  # the SDK ended it on a stop (ack or our SIGTERM)
            return RunState.STOPPED, code, "", output
        return RunState.FAILED, code, f"exit code {code}", output

    def _terminate(self, proc: subprocess.Popen) -> None:
        """SIGTERM now, SIGKILL after the grace period if the program is still there; both
        to its whole process group (it leads one: it was started in a session of its
        own), so that what it started (a wrapper script's Python, workers) stops too."""
        if proc.poll() is not None:
            return
        _signal_group(proc, signal.SIGTERM)

        def kill_later():
            try:
                proc.wait(self.stop_grace)
            except subprocess.TimeoutExpired:  # still unreaped: its group id is still its own
                log.warning("run process %d ignored SIGTERM; killing it", proc.pid)
                _signal_group(proc, signal.SIGKILL)

        threading.Thread(target=kill_later, daemon=True).start()


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    """Sends `sig` to the process group that `proc` leads (to proc alone if it has none)."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:  # the group is gone: everything in it has ended
        pass
    except PermissionError:
        proc.send_signal(sig)


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


def agent(sweep_id: str, function: Callable[[], Any] | None = None, count: int | None = None,
          **kwargs: Any) -> int:
    """Runs an agent in this process (W&B's `wandb.agent`); returns the runs it ran."""
    return Agent(sweep_id, function, count=count, **kwargs).run()
