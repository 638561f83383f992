"""Ray: each agent is a Ray actor, placed by Ray where its CPUs and GPUs are free.

One actor per agent, asking Ray for `parallel` x (`cpus_per_run`, `gpus_per_run`):
an agent's K runs then share one node and one Connect stream, exactly as
`sweepd agent --parallel K` on that node would, and the GPUs Ray gives the actor
are handed to its runs one each (`--gpus` of `sweepd agent`). (One actor per run
slot would scatter an agent's slots over nodes and multiply the streams; N agents
with --parallel 1 gives that when wanted.)

The actors run `sweepd.agent_loop.Agent` in-process: function mode imports
`--function MODULE:FN` on the worker; program mode starts the sweep's program per
run, as `sweepd agent` does. The API key travels as an argument of the actor's
constructor, never on a command line or in the runtime_env (which Ray's state API
shows). The actors are ordinary (non-detached) actors: they live as long as the
launching driver. `Launched.wait()` watches them, prints where they run and how
they end, and on Ctrl-C asks each to shut its agent down (runs end `stopped`); on
SIGTERM, to shut down as preempted (`stopped`, and retried).

`ray` is imported only inside these functions and on the workers.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

from sweepd.domain import InvalidArgument, Unavailable

from .common import API_KEY_ENV, AgentOptions, Launched

log = logging.getLogger(__name__)

# After Ctrl-C or SIGTERM: how long the agents get to stop their runs (the agent's
# own stop grace, 10 s, plus the calls that end the runs) before they are killed.
SHUTDOWN_TIMEOUT = 45.0
# An agent not placed after this long is reported as waiting for resources.
PLACEMENT_NOTICE = 30.0


def add_arguments(p) -> None:
    p.add_argument("--address", default=None,
                   help="Ray cluster address (default: as ray.init() finds one: $RAY_ADDRESS, "
                        "a Ray started here by `ray start`, else a new local Ray for the duration)")
    p.add_argument("--working-dir", default=None, metavar="DIR",
                   help="ship DIR to every agent (Ray's runtime_env working_dir): the agents run "
                        "in it, and --function modules and the sweep's program are found there")


def cli_options(args) -> dict:
    return {"address": args.address, "working_dir": args.working_dir}


def actor_resources(options: AgentOptions) -> dict[str, float]:
    """What one agent's actor asks Ray for: its `parallel` run slots' CPUs and GPUs."""
    return {"num_cpus": options.cpus_per_run * options.parallel,
            "num_gpus": options.gpus_per_run * options.parallel}


class SweepdAgent:
    """The actor (made remote in `launch`): one sweepd agent on whichever node Ray
    placed it. Threaded (max_concurrency > 1), so `shutdown` and `where` are served
    while `run` is busy running the agent."""

    def __init__(self, options: dict[str, Any], api_key: str | None, launch_dir: str,
                 index: int, total: int):
        self._options = options
        self._api_key = api_key
        self._label = f"sweepd agent {index}/{total} of {options['sweep_id']}"
        self._lock = threading.Lock()
        self._agent = None
        self._stopping = False
        _log_to_stderr()
        os.environ.update(options.get("extra_env") or {})
        if "OMP_NUM_THREADS" not in (options.get("extra_env") or {}):
            # Ray sets it to the actor's CPUs; each run gets its own share
            os.environ["OMP_NUM_THREADS"] = str(max(1, int(options["cpus_per_run"])))
        if not _has_working_dir() and os.path.isdir(launch_dir):
            os.chdir(launch_dir)  # as `sweepd agent` started where the launch was

    def __repr__(self) -> str:  # what Ray's state API and logs show (never the key)
        return self._label

    def where(self) -> dict[str, Any]:
        import socket

        import ray

        return {"node_id": ray.get_runtime_context().get_node_id(),
                "ip": ray.util.get_node_ip_address(), "host": socket.gethostname(),
                "pid": os.getpid(), "gpus": [str(g) for g in ray.get_gpu_ids()],
                "cwd": os.getcwd()}

    def run(self) -> dict[str, Any]:
        """Runs the agent until the sweep is done, `count` runs ran, or `shutdown`."""
        import ray

        from sweepd.agent_loop import Agent
        from sweepd.cli import load_function

        o = self._options
        function = load_function(o["function"]) if o["function"] else None
        gpus = [str(g) for g in ray.get_gpu_ids()] if o["gpus_per_run"] > 0 else None
        agent = Agent(o["sweep_id"], function, count=o["count"], controller=o["controller"],
                      parallel=o["parallel"], gpus=gpus, api_key=self._api_key,
                      tls_ca=o["tls_ca"])
        with self._lock:
            if self._stopping:
                return {"runs": 0, "message": "shut down before it started"}
            self._agent = agent
        runs = agent.run()
        message = agent.connection.done_message or "count reached"
        return {"runs": runs, "message": "shut down" if self._stopping else message}

    def shutdown(self, preempted: bool = False) -> None:
        """Stops taking runs and stops the running ones (they end `stopped`)."""
        with self._lock:
            self._stopping = True
            agent = self._agent
        if agent is not None:
            agent.shutdown(preempted)


def _log_to_stderr() -> None:
    """The agent's log lines on the worker's stderr, which Ray forwards to the driver."""
    logger = logging.getLogger("sweepd")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s",
                                               "%H:%M:%S"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def _has_working_dir() -> bool:
    import ray

    return bool(ray.get_runtime_context().runtime_env.get("working_dir"))


# ------------------------------------------------------------------ the driver side


@dataclass
class _Member:
    """One started agent, as the launching driver follows it."""

    index: int
    actor: Any
    actor_id: str
    where_ref: Any
    run_ref: Any
    state: str = "starting"  # placed, finished, failed, lost
    info: str = ""


class RayLaunch:
    """The agents one launch started, followed until they end (`wait`)."""

    def __init__(self, ray, options: AgentOptions, members: list[_Member], *,
                 connected_here: bool, out: Callable[[str], None]):
        self.ray, self.options, self.members = ray, options, members
        self.connected_here = connected_here  # ray.init() was ours: ray.shutdown() at the end
        self.out = out
        self.started = time.monotonic()
        self._noticed: set[int] = set()
        self._terminated = False  # SIGTERM, not Ctrl-C

    def _say(self, member: _Member, text: str) -> None:
        self.out(f"agent {member.index}/{len(self.members)}: {text}")

    def wait(self) -> int:
        """Prints where each agent runs and how it ends; returns 0 once they all ended
        and none failed (an agent lost with its node is not a failure: its runs are
        crashed by their lease and retried by the others), 1 otherwise. Ctrl-C asks
        the agents to stop their runs (`stopped`; returns 130); SIGTERM to this
        process does the same as a preemption (`stopped`, and with `retry:` they run
        again; returns 143). Agents still there after SHUTDOWN_TIMEOUT are killed."""
        previous = self._interrupt_on_sigterm()
        try:
            try:
                self._follow(deadline=None)
            except KeyboardInterrupt:
                if self._terminated:
                    self.out("terminated: stopping the agents as preempted, their runs end "
                             "`stopped` and with `retry:` run again")
                else:
                    self.out("interrupted: stopping the agents, their runs end `stopped` "
                             "(Ctrl-C again to kill them at once)")
                self.stop(preempted=self._terminated)
                return 143 if self._terminated else 130
            failed = [m for m in self.members if m.state == "failed"]
            finished = [m for m in self.members if m.state == "finished"]
            return 0 if finished and not failed else 1
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            self.close()

    def _interrupt_on_sigterm(self):
        """In the main thread, SIGTERM interrupts as Ctrl-C does, flagged (a handler may
        only raise KeyboardInterrupt through Ray's blocking calls); returns the handler
        it replaced, None elsewhere."""
        if threading.current_thread() is not threading.main_thread():
            return None

        def handler(signum, frame):
            self._terminated = True
            raise KeyboardInterrupt

        return signal.signal(signal.SIGTERM, handler)

    def stop(self, preempted: bool = False, timeout: float = SHUTDOWN_TIMEOUT) -> None:
        """Asks every agent still going to shut down (preempted: its runs are retried),
        waits up to `timeout` for them, and kills those still there."""
        try:
            for m in self._going():
                m.actor.shutdown.remote(preempted)
            self._follow(deadline=time.monotonic() + timeout)
        except KeyboardInterrupt:  # a second Ctrl-C or SIGTERM
            self.out("killing the agents")
        finally:
            self._kill(self._going())

    def close(self) -> None:
        """Kills any actor left and disconnects (ending the local Ray if we started it)."""
        self._kill(self._going())
        if self.connected_here and self.ray.is_initialized():
            self.ray.shutdown()

    def _going(self) -> list[_Member]:
        return [m for m in self.members if m.state in ("starting", "placed")]

    def _kill(self, members: list[_Member]) -> None:
        for m in members:
            try:
                self.ray.kill(m.actor, no_restart=True)
            except Exception as exc:  # noqa: BLE001 - already gone is fine
                log.debug("kill %s: %s", m.actor_id, exc)
            if m.state in ("starting", "placed"):
                m.state, m.info = "lost", "killed"
                self._say(m, "killed")

    def _follow(self, deadline: float | None) -> None:
        """Reports placements and endings until every agent ended (or the deadline)."""
        while True:
            refs = {}
            for m in self._going():
                refs[m.run_ref] = (m, "run")
                if m.state == "starting" and m.where_ref is not None:
                    refs[m.where_ref] = (m, "where")
            if not refs or (deadline is not None and time.monotonic() > deadline):
                return
            ready, _ = self.ray.wait(list(refs), num_returns=1, timeout=1.0)
            for ref in ready:
                member, kind = refs[ref]
                (self._placed if kind == "where" else self._ended)(member)
            self._notice_unplaced()

    def _placed(self, m: _Member) -> None:
        try:
            w = self.ray.get(m.where_ref)
        except Exception:  # noqa: BLE001 - the run ref reports why
            m.where_ref = None
            return
        if m.state == "starting":
            m.state = "placed"
            gpus = f", GPUs {','.join(w['gpus'])}" if w["gpus"] else ""
            self._say(m, f"actor {m.actor_id} on node {w['node_id'][:12]} ({w['ip']}, "
                         f"{w['host']}), pid {w['pid']}{gpus}")

    def _ended(self, m: _Member) -> None:
        ex = self.ray.exceptions
        try:
            result = self.ray.get(m.run_ref)
            n = result["runs"]
            m.state, m.info = "finished", f"{n} run{'' if n == 1 else 's'} ({result['message']})"
            self._say(m, f"done: {m.info}")
        except ex.RayTaskError as err:  # the agent itself raised: a bad key, sweep, function
            cause = getattr(err, "cause", None) or err
            m.state, m.info = "failed", f"{type(cause).__name__}: {cause}"
            self._say(m, f"failed: {m.info}")
        except ex.RuntimeEnvSetupError as err:
            m.state, m.info = "failed", f"runtime_env (--working-dir): {_first_line(err)}"
            self._say(m, f"failed: {m.info}")
        except (ex.RayActorError, ex.WorkerCrashedError, ex.NodeDiedError) as err:
            m.state, m.info = "lost", _first_line(err)
            self._say(m, f"lost (its node or worker died; its runs end `crashed` when their "
                         f"lease runs out and are retried by the others): {m.info}")

    def _notice_unplaced(self) -> None:
        if time.monotonic() - self.started < PLACEMENT_NOTICE:
            return
        for m in self.members:
            if m.state == "starting" and m.index not in self._noticed:
                self._noticed.add(m.index)
                r = actor_resources(self.options)
                self._say(m, f"not placed yet: waiting for a node with {r['num_cpus']:g} CPUs"
                             f" and {r['num_gpus']:g} GPUs free")


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:300] if text else type(err).__name__


def launch(sweep_id: str, *, address: str | None = None, working_dir: str | None = None,
           runtime_env: dict | None = None, out: Callable[[str], None] | None = None,
           **agent_options: Any) -> Launched:
    """Starts `agents` agent actors for `sweep_id` on Ray and returns at once; the
    returned `Launched.wait()` follows them until they end (see `RayLaunch.wait`).
    `agent_options` are `AgentOptions`' fields; `address` a Ray cluster (default: as
    `ray.init()` finds one, else a new local Ray that ends with `wait()`);
    `working_dir`, or a whole `runtime_env`, is the job's (given to `ray.init`)."""
    options = AgentOptions(sweep_id, **agent_options)
    runtime_env = _runtime_env(working_dir, runtime_env)
    out = out or (lambda line: print(line, flush=True))
    try:
        import ray
    except ImportError:
        raise InvalidArgument("sweepd launch ray needs Ray: pip install 'sweepd[ray]'",
                              [("engine", "ray is not installed")]) from None

    connected_here = not ray.is_initialized()
    if connected_here:  # a working_dir is uploaded at the job level, by ray.init
        _check_reachable(address)
        try:
            ray.init(address=address, runtime_env=runtime_env, log_to_driver=True)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise Unavailable(f"Ray at {address or 'this machine'}: {_first_line(exc)}") from None
    elif runtime_env:
        raise InvalidArgument("working_dir/runtime_env: Ray is already initialized in this "
                              "process; pass runtime_env to your ray.init() instead",
                              [("runtime_env", "Ray already initialized")])
    try:
        members = _start_actors(ray, options)
    except BaseException:
        if connected_here:
            ray.shutdown()
        raise
    handle = RayLaunch(ray, options, members, connected_here=connected_here, out=out)
    where = f" --controller {options.controller}"
    return Launched(
        engine="ray", ids=[m.actor_id for m in members],
        follow=f"sweepd runs {sweep_id}{where} (and this command prints each agent's "
               "node and end)",
        cancel=f"Ctrl-C here stops the agents (runs end `stopped`); `sweepd cancel "
               f"{sweep_id}{where}` cancels the sweep",
        wait=handle.wait)


def _check_reachable(address: str | None, timeout: float = 5.0) -> None:
    """Fails at once on a HOST:PORT (or ray://HOST:PORT) nothing answers on: ray.init
    would retry it for minutes."""
    import re
    import socket

    match = re.fullmatch(r"(?:ray://)?\[?([\w.:-]+?)\]?:(\d+)", address or "")
    if not match:
        return
    try:
        socket.create_connection((match[1], int(match[2])), timeout=timeout).close()
    except OSError as exc:
        raise Unavailable(f"address: no Ray cluster answers at {address} ({exc})") from None


def _runtime_env(working_dir: str | None, runtime_env: dict | None) -> dict | None:
    env = dict(runtime_env or {})
    if working_dir is not None:
        path = Path(working_dir).expanduser()
        if not path.is_dir():
            raise InvalidArgument(f"working_dir: {working_dir!r} is not a directory",
                                  [("working_dir", "not a directory")])
        env["working_dir"] = str(path.resolve())
    if API_KEY_ENV in (env.get("env_vars") or {}):
        raise InvalidArgument("runtime_env: the API key must not go in env_vars (Ray shows "
                              "them); pass api_key", [("runtime_env", "holds the API key")])
    return env or None


def _start_actors(ray, options: AgentOptions) -> list[_Member]:
    resources = actor_resources(options)
    try:
        actor_class = ray.remote(SweepdAgent).options(**resources, max_restarts=0,
                                                      max_concurrency=4)
    except ValueError as exc:  # Ray's own checks of the resource amounts
        raise InvalidArgument(f"cpus_per_run/gpus_per_run: Ray refuses {resources}: {exc}",
                              [("gpus_per_run", str(exc))]) from None
    fields = asdict(options)
    api_key = fields.pop("api_key")
    members = []
    for index in range(1, options.agents + 1):
        actor = actor_class.remote(fields, api_key, os.getcwd(), index, options.agents)
        members.append(_Member(index, actor, actor._actor_id.hex(), actor.where.remote(),
                               actor.run.remote()))
    return members
