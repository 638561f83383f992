"""`sweepd demo`: a whole sweep on this machine, from nothing, in one command.

It starts a private Redis (its own `redis-server` on a unix socket in a temporary
directory, never the user's), an in-process controller, the dashboard (a
`sweepd ui` subprocess), registers a random sweep over the MNIST trainer's
hyperparameters and runs `--agents` agents in this process (function mode: each
agent thread calls `sweepd.trainer.train`, so torch and MNIST load once). Runs are
printed as they finish. When the sweep is done the dashboard stays up until Ctrl-C
(`--exit-when-done` exits instead). Ctrl-C or SIGTERM at any point cancels the
sweep, stops the runs within a batch, and stops the dashboard, the controller and
Redis, leaving no process behind.

Only the standard library is imported at module level: `sweepd.cli` imports this
module for every command.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

from sweepd.redact import mask_credentials

log = logging.getLogger(__name__)

# The sweep the demo runs, as a user would write it in sweep.yaml. `run_cap`,
# `epochs` (and, in tests, `max_train_samples`) come from the command line.
DEMO_SWEEP_YAML = """\
name: mnist-demo
method: random
metric:
  name: val_accuracy
  goal: maximize
parameters:
  learning_rate:
    distribution: log_uniform_values
    min: 0.001
    max: 0.03
  fc_layer_size:
    values: [128, 256]
  batch_size:
    values: [64, 128]
  optimizer:
    values: [adam, sgd]
  dropout:
    values: [0.1, 0.2, 0.3]
"""

# `sweepd demo --multi-objective`: accuracy against the model's size. The trainer
# logs `param_count` with `log_cost`; bayes with two objectives uses expected
# hypervolume improvement (docs/search-and-stopping.md).
DEMO_MO_SWEEP_YAML = """\
name: mnist-pareto-demo
method: bayes
metrics:
  - {name: val_accuracy, goal: maximize}
  - {name: param_count, goal: minimize}
parameters:
  fc_layer_size:
    values: [8, 16, 32, 64, 128, 256, 512]
  learning_rate:
    distribution: log_uniform_values
    min: 0.001
    max: 0.03
  dropout:
    values: [0.0, 0.1, 0.2, 0.3]
  batch_size:
    values: [64, 128]
  log_cost:
    value: true
"""

METRIC = "val_accuracy"
POLL_SECONDS = 0.5  # how often the run table asks the controller what finished
AGENT_STOP_SECONDS = 20.0


def add_command(sub: argparse._SubParsersAction) -> None:
    """Registers `sweepd demo` (called by `sweepd.cli` through `_EXTRA_COMMANDS`)."""
    p = sub.add_parser("demo", help="Redis, controller, dashboard and agents training MNIST, "
                                    "all on this machine")
    p.add_argument("--runs", type=int, default=10, help="runs in the sweep (run_cap; default 10)")
    p.add_argument("--agents", type=int, default=2, help="agents training at once (default 2)")
    p.add_argument("--epochs", type=int, default=1, help="epochs per run (default 1)")
    p.add_argument("--port", type=int, default=8050, help="dashboard port (default 8050)")
    p.add_argument("--exit-when-done", action="store_true",
                   help="exit when the sweep is done instead of keeping the dashboard up")
    p.add_argument("--multi-objective", action="store_true",
                   help="trade val_accuracy against the model's parameter count (a Pareto front)")
    p.add_argument("--device", default="auto", help="auto (CUDA if available), cpu or cuda[:N]")
    # For tests and quick looks: train on the first N images only.
    p.add_argument("--max-train-samples", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--no-dashboard", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(handler=run_demo)


def demo_config(runs: int, epochs: int, max_train_samples: int | None = None,
                multi_objective: bool = False) -> dict[str, Any]:
    """The demo's sweep config: DEMO_SWEEP_YAML (DEMO_MO_SWEEP_YAML with
    `multi_objective`) plus the command line's sizes."""
    import yaml

    config = yaml.safe_load(DEMO_MO_SWEEP_YAML if multi_objective else DEMO_SWEEP_YAML)
    config["run_cap"] = runs
    config["parameters"]["epochs"] = {"value": epochs}
    if max_train_samples is not None:
        config["parameters"]["max_train_samples"] = {"value": max_train_samples}
    return config


def run_demo(args: argparse.Namespace) -> int:
    for name, value in (("--runs", args.runs), ("--agents", args.agents), ("--epochs", args.epochs)):
        if value < 1:
            print(f"error: {name} must be at least 1", file=sys.stderr)
            return 2
    if not args.no_dashboard and not port_is_free(args.port):
        print(f"error: port {args.port} is in use (another dashboard?); pass --port", file=sys.stderr)
        return 2
    if not args.verbose:  # the run table is the output; agents' per-run lines would bury it
        logging.getLogger().setLevel(logging.WARNING)
    demo = Demo(args)
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        with demo.resources:
            try:
                return demo.run()
            except KeyboardInterrupt:
                print("\ninterrupted: stopping " + ("the runs, " if demo.agents_running() else "")
                      + "the dashboard, the controller and Redis", flush=True)
                demo.stop_agents()
                return 130
            finally:
                demo.closing = True
                # Cleanup has timeouts everywhere; a second Ctrl-C must not skip it.
                for sig in (signal.SIGINT, *previous):
                    signal.signal(sig, signal.SIG_IGN)
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: TIME_WAIT is fine
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


class Demo:
    """What one `sweepd demo` started; `resources` stops all of it, last started first."""

    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.resources = contextlib.ExitStack()
        self.closing = False
        self.started = time.monotonic()
        self.client = None
        self.sweep_id = ""
        self.agents: list[threading.Thread] = []
        self.agent_errors: list[BaseException] = []
        self.dashboard: subprocess.Popen | None = None
        self.dashboard_exited = threading.Event()

    # ------------------------------------------------------------------ the run

    def run(self) -> int:
        workdir = self._workdir()
        redis = self._start_redis(workdir)
        address = self._start_controller(redis.url)
        url = f"http://127.0.0.1:{self.args.port}/"
        if not self.args.no_dashboard:
            self._start_dashboard(redis.url, address, workdir)
            print(f"Dashboard:  {url}   (pid {self.dashboard.pid})" if self.dashboard else
                  "Dashboard:  not started (see the warning above)", flush=True)
        print(f"Redis:      {mask_credentials(redis.url)}   (pid {redis.process.pid}, private to this demo)")
        print(f"Controller: {address}   (sweepd runs SWEEP_ID --controller {address})")
        self._create_sweep(address)
        goal = (f"{METRIC} maximized against param_count minimized (bayes, expected "
                f"hypervolume improvement)" if self._multi_objective else
                f"random search, {METRIC} maximized")
        print(f"Sweep:      {self.sweep_id}: {self.args.runs} runs of {self.args.epochs} epoch(s), "
              f"{goal}, {self.args.agents} agents", flush=True)
        self._start_agents(address)
        table = RunTable(METRIC)
        table.print_header()
        while not self._agents_done(POLL_SECONDS):
            table.print_finished(self.client.list_runs(self.sweep_id))
        table.print_finished(self.client.list_runs(self.sweep_id))
        for error in self.agent_errors:
            print(f"warning: an agent ended with an error: {error}", file=sys.stderr)
        sweep = self.client.get_sweep(self.sweep_id)
        table.print_summary(self.client.list_runs(self.sweep_id), sweep,
                            time.monotonic() - self.started)
        if self._multi_objective:
            print_front(self.client.list_runs(self.sweep_id), sweep)
        self._keep_dashboard_up(url)
        return 1 if self.agent_errors else 0

    @property
    def _multi_objective(self) -> bool:
        return bool(getattr(self.args, "multi_objective", False))

    def _keep_dashboard_up(self, url: str) -> None:
        if self.args.exit_when_done or self.dashboard is None or self.dashboard_exited.is_set():
            return
        print(f"\nThe sweep is done. The dashboard stays up at {url} ; Ctrl-C stops everything.",
              flush=True)
        self.dashboard_exited.wait()  # or Ctrl-C
        print("the dashboard exited; stopping", file=sys.stderr)

    # ------------------------------------------------------------- components

    def _workdir(self) -> Path:
        base = None if len(tempfile.gettempdir()) < 60 else "/tmp"  # unix socket paths are short
        path = Path(tempfile.mkdtemp(prefix="sweepd-demo-", dir=base))
        self.resources.callback(shutil.rmtree, path, ignore_errors=True)
        return path

    def _start_redis(self, workdir: Path):
        from sweepd.controller.redis_local import start_local_redis
        from sweepd.domain import SweepdError

        try:
            redis = start_local_redis(workdir / "redis", persist=False)
        except RuntimeError as exc:  # no binary, or it would not start: say so in one line
            raise SweepdError(f"cannot start a private Redis: {exc}") from None
        self.resources.callback(redis.stop)
        return redis

    def _start_controller(self, redis_url: str) -> str:
        from sweepd.client import Client

        controller = ControllerThread(redis_url)
        self.resources.callback(controller.stop)
        address = f"127.0.0.1:{controller.port}"
        self.client = self.resources.enter_context(Client(address))
        return address

    def _start_dashboard(self, redis_url: str, address: str, workdir: Path) -> None:
        import importlib.util

        missing = [m for m in ("dash", "sweepd.dash_ui") if importlib.util.find_spec(m) is None]
        if missing:
            print(f"warning: no dashboard: {', '.join(missing)} not installed "
                  "(pip install 'sweepd[ui]'); the sweep runs without it", file=sys.stderr)
            return
        logfile = workdir / "dashboard.log"
        argv = [sys.executable, "-m", "sweepd.cli", "ui", "--redis-url", redis_url,
                "--port", str(self.args.port), "--controller", address]
        with open(logfile, "wb") as out:
            # Its own session: the terminal's Ctrl-C reaches only us, and we stop it
            # (and anything it started) as a group, after the runs.
            self.dashboard = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                              stderr=subprocess.STDOUT, start_new_session=True)
        self.resources.callback(stop_process_group, self.dashboard)
        threading.Thread(target=self._watch_dashboard, args=(logfile,), name="sweepd-demo-dashboard",
                         daemon=True).start()

    def _watch_dashboard(self, logfile: Path) -> None:
        code = self.dashboard.wait()
        if not self.closing:
            tail = logfile.read_text(errors="replace").strip().splitlines()[-5:]
            print(f"warning: the dashboard exited with status {code}; the sweep goes on without it. "
                  "Its last lines:\n    " + "\n    ".join(tail or ["(nothing)"]),
                  file=sys.stderr, flush=True)
        self.dashboard_exited.set()

    def _create_sweep(self, address: str) -> None:
        import sweepd

        config = demo_config(self.args.runs, self.args.epochs, self.args.max_train_samples,
                             multi_objective=self._multi_objective)
        self.sweep_id = sweepd.sweep(config, controller=address)

    def _start_agents(self, address: str) -> None:
        train = trainer_function(self.args.agents, self.args.device)
        for i in range(self.args.agents):
            t = threading.Thread(target=self._agent, args=(address, train),
                                 name=f"sweepd-demo-agent-{i}", daemon=True)
            t.start()
            self.agents.append(t)

    def _agent(self, address: str, train: Callable[[], Any]) -> None:
        import sweepd

        try:
            sweepd.agent(self.sweep_id, function=train, controller=address)
        except Exception as exc:  # noqa: BLE001 - reported by the main thread
            self.agent_errors.append(exc)

    def agents_running(self) -> bool:
        return any(t.is_alive() for t in self.agents)

    def _agents_done(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        for t in self.agents:
            t.join(max(0.0, deadline - time.monotonic()))
        return not self.agents_running()

    def stop_agents(self) -> None:
        """Cancel the sweep (the controller stops every run within a batch) and wait
        for the agents; a second Ctrl-C stops waiting."""
        if not self.agents_running():
            return
        try:
            if self.client is not None and self.sweep_id:
                with contextlib.suppress(Exception):
                    self.client.change_state(self.sweep_id, "cancel")
            if not self._agents_done(AGENT_STOP_SECONDS):
                print("warning: some runs did not stop in time", file=sys.stderr)
        except KeyboardInterrupt:
            pass


def trainer_function(agents: int, device: str) -> Callable[[], Any]:
    """`sweepd.trainer.train` for agent threads in this process, with torch's threads
    split between the agents and MNIST loaded once, before any run starts."""
    from sweepd.domain import SweepdError

    try:
        import torch

        from sweepd.trainer import train
        from sweepd.trainer.data import load_mnist
        from sweepd.trainer.loop import resolve_device
        from sweepd.trainer.mnist_files import DataUnavailable
        from sweepd.trainer.params import InvalidParameter
    except ImportError as exc:
        raise SweepdError(f"the demo trains with PyTorch: pip install 'sweepd[trainer]' ({exc})") from None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    torch.set_num_threads(max(1, cores // agents))
    try:
        load_mnist(device=resolve_device(device))
    except (DataUnavailable, InvalidParameter) as exc:
        raise SweepdError(str(exc)) from None
    return functools.partial(train, device=device, progress=False)


class ControllerThread:
    """The controller (a grpc.aio server) on its own event loop in a daemon thread."""

    def __init__(self, redis_url: str):
        import asyncio

        from sweepd.controller.server import make_server

        self._asyncio = asyncio
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="sweepd-demo-controller",
                                       daemon=True)
        self.thread.start()
        try:
            self.controller = self._call(make_server(redis_url, port=0))
        except BaseException:
            self._close_loop()
            raise
        self.port = self.controller.port

    def _call(self, coro, timeout: float = 30.0):
        return self._asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        try:
            self._call(self.controller.stop(grace=0), timeout=10.0)
        finally:
            self._close_loop()

    def _close_loop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def stop_process_group(proc: subprocess.Popen, timeout: float = 5.0) -> None:
    """SIGTERM to the process's group (it was started in a session of its own), then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout)
            return
        except subprocess.TimeoutExpired:
            continue


class RunTable:
    """Prints each run once, when it reaches a terminal state, then a ranked summary."""

    COLUMNS = (("RUN", 4), ("LEARNING_RATE", 13), ("FC", 4), ("BATCH", 5), ("OPTIMIZER", 9),
               ("DROPOUT", 7), ("VAL_ACCURACY", 12), ("STATE", 8), ("DURATION", 8))

    def __init__(self, metric: str):
        self.metric = metric
        self.printed: set[str] = set()

    def print_header(self) -> None:
        print()
        print(self._line([name for name, _ in self.COLUMNS]), flush=True)

    def print_finished(self, runs) -> None:
        for run in sorted(runs, key=lambda r: r.number):
            if run.terminal and run.id not in self.printed:
                self.printed.add(run.id)
                print(self.row(run), flush=True)

    def row(self, run) -> str:
        c = run.config
        value = run.summary.get(self.metric)
        duration = "-" if run.duration is None else f"{run.duration:.1f}s"
        return self._line([
            f"#{run.number}", _fmt(c.get("learning_rate"), ".2e"), _fmt(c.get("fc_layer_size"), "d"),
            _fmt(c.get("batch_size"), "d"), str(c.get("optimizer", "-")), _fmt(c.get("dropout"), ".1f"),
            _fmt(value, ".4f"), run.state.value, duration,
        ])

    def print_summary(self, runs, sweep, elapsed: float) -> None:
        ranked = sorted(runs, key=lambda r: (r.summary.get(self.metric) is None,
                                             -(r.summary.get(self.metric) or 0.0), r.number))
        print(f"\nSweep {sweep.id} {sweep.state.value}: {len(runs)} runs in {elapsed:.1f} s, "
              f"best {self.metric} first:")
        print(self._line([name for name, _ in self.COLUMNS]))
        for run in ranked:
            print(self.row(run))
        best = next((r for r in runs if r.id == sweep.best_run_id), None)
        if best is not None:
            print(f"Best: run #{best.number} ({best.id}) {self.metric} = {sweep.best_value:.4f}",
                  flush=True)
        elif sweep.config.metric.name:  # a multi-objective sweep has a front instead
            print(f"Best: none (no run logged {self.metric})", flush=True)

    def _line(self, cells: list[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, (_, width) in zip(cells, self.COLUMNS)).rstrip()


def print_front(runs, sweep) -> None:
    """A multi-objective demo's Pareto front, most accurate first."""
    front = sorted((r for r in runs if r.pareto_optimal),
                   key=lambda r: -(r.objectives.get(METRIC) or 0.0))
    volume = "-" if sweep.hypervolume is None else f"{sweep.hypervolume:.4g}"
    print(f"Pareto front: {len(front)} runs, hypervolume {volume}", flush=True)
    for run in front:
        print(f"  #{run.number} ({run.id})  {METRIC} {_fmt(run.objectives.get(METRIC), '.4f')}  "
              f"param_count {_fmt(run.objectives.get('param_count'), '.0f')}", flush=True)


def _fmt(value: Any, spec: str) -> str:
    if value is None:
        return "-"
    try:
        return format(value, spec)
    except (TypeError, ValueError):
        return str(value)
