"""The `sweepd` command line.

Errors a user can cause (a bad config, an unknown sweep, an unreachable controller)
end with a one-line message and exit status 1 or 2, never a traceback. The
`controller`, `ui` and `demo` commands import their (heavier) packages only when run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from typing import Any, Sequence

from sweepd.config import ConfigError, config_to_dict, parse_config
from sweepd.domain import ConfigVersion, InvalidArgument, Run, Sweep, SweepdError, Unavailable
from sweepd.export import to_csv
from sweepd.redact import mask_credentials

log = logging.getLogger("sweepd")

STATES = ("pending", "running", "finished", "failed", "crashed", "stopped")


def _add_controller_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--controller", default=None,
                   help="controller HOST:PORT, several replicas as HOST:PORT,HOST:PORT,... or dns:///NAME:PORT (default: $SWEEPD_CONTROLLER or 127.0.0.1:50051)")
    p.add_argument("--api-key", default=None, help="API key (default: $SWEEPD_API_KEY)")
    p.add_argument("--tls-ca", default=None,
                   help="CA certificate of a TLS controller (default: $SWEEPD_TLS_CA)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sweepd", description="Self-hosted hyperparameter sweeps.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("controller", help="run the gRPC controller")
    p.add_argument("--host", default=os.environ.get("SWEEPD_HOST", "127.0.0.1"))
    # string defaults from the environment go through `type` too: a bad value is a
    # usage error naming the option, only when this command runs
    p.add_argument("--port", type=int, default=os.environ.get("SWEEPD_PORT", "50051"))
    p.add_argument("--redis-url", default=None, help="default: $SWEEPD_REDIS_URL, localhost:6379 "
                   "if it answers, else a private Redis started in --data-dir")
    p.add_argument("--data-dir", default=None, help="where a private Redis keeps its data")
    p.add_argument("--lease-seconds", type=float, default=30.0,
                   help="a run whose agent is silent this long is crashed "
                        "(default 30; 0.5 to 604800)")
    p.add_argument("--metrics-maxlen", type=int, default=0,
                   help="keep about this many points per run (0 = all)")
    p.add_argument("--auth", action="store_true",
                   help="require an API key on every call (see `sweepd keys`)")
    p.add_argument("--tls-cert", default=None, help="PEM certificate chain: serve gRPC over TLS")
    p.add_argument("--tls-key", default=None, help="PEM private key of --tls-cert")
    p.add_argument("--workers", type=int, default=os.environ.get("SWEEPD_WORKERS", "1"),
                   help="controller processes sharing the port, one core each (default 1; "
                        "$SWEEPD_WORKERS); a worker that dies is restarted")
    p.add_argument("--worker-index", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--worker-of", type=int, default=None, help=argparse.SUPPRESS)  # its pid

    p = sub.add_parser("keys", help="create, list or revoke API keys (directly in Redis)")
    p.add_argument("action", choices=("create", "list", "revoke"))
    p.add_argument("key_id", nargs="?", help="revoke: the key id (or the whole key)")
    p.add_argument("--project", default=None)
    p.add_argument("--read-only", action="store_true")
    p.add_argument("--redis-url", default=None, help="default: $SWEEPD_REDIS_URL")

    p = sub.add_parser("sweep", help="validate and register a sweep config; prints its id")
    p.add_argument("config", help="sweep config YAML file")
    p.add_argument("--validate", action="store_true", help="only validate")
    p.add_argument("--project", default=None)
    p.add_argument("--prior-runs", default=None, metavar="SOURCE",
                   help="warm start: runs done before, as another sweep's id, a CSV (W&B's "
                        "runs-table export) or JSON lines; search starts from those that fit")
    _add_controller_arg(p)

    p = sub.add_parser("agent", help="run a sweep's runs on this machine")
    p.add_argument("sweep_id")
    p.add_argument("--count", type=int, default=None, help="at most this many runs")
    p.add_argument("--parallel", type=int, default=1, help="runs at once on this machine")
    p.add_argument("--gpus", default=None, help="comma-separated GPU ids, given round-robin")
    p.add_argument("--stop-grace", type=float, default=10.0,
                   help="seconds between SIGTERM and SIGKILL when a run is stopped")
    p.add_argument("--function", default=None, metavar="MODULE:FN",
                   help="call this function for each run (module imported from the current "
                        "directory or sys.path) instead of running the sweep's program")
    _add_controller_arg(p)

    p = sub.add_parser("sweeps", help="list sweeps")
    p.add_argument("--json", action="store_true")
    p.add_argument("--project", default="")
    _add_controller_arg(p)

    p = sub.add_parser(
        "runs", help="list a sweep's runs (read page by page); or ignore / unignore / requeue one",
        usage="sweepd runs SWEEP_ID [--json | --csv] [--page-size N]\n       sweepd runs {ignore,unignore,requeue} "
              "SWEEP_ID RUN_ID",
        description="ignore: leave a run out of search, the best run and importance (it "
                    "stays listed); unignore: take it into account again; requeue: run its "
                    "configuration again as a new run, before new suggestions")
    p.add_argument("words", nargs="+", metavar="ARG")
    shape = p.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true")
    shape.add_argument("--csv", action="store_true",
                       help="the runs table as CSV (what the dashboard's runs.csv gives): run "
                            "fields, config.KEY and summary.KEY columns")
    p.add_argument("--page-size", type=int, default=0,
                   help="runs read per ListRuns call (default: the controller's, 1,000)")
    _add_controller_arg(p)

    for action, text in (("pause", "no new runs until resumed"), ("resume", "resume a paused sweep"),
                         ("stop", "no new runs; running ones finish"),
                         ("cancel", "stop running runs now")):
        p = sub.add_parser(action, help=text)
        p.add_argument("sweep_id")
        _add_controller_arg(p)

    p = sub.add_parser("update", help="change a live or finished sweep's config (a new version)")
    p.add_argument("sweep_id")
    p.add_argument("--run-cap", type=int, default=None, metavar="N",
                   help="the new run cap (0 = none); raised, a finished sweep resumes")
    p.add_argument("--config", default=None, metavar="YAML",
                   help="the new config (whole); only the fields named by --only are taken when given")
    p.add_argument("--only", action="append", default=None, metavar="PATH",
                   help="a field path of --config to take (run_cap, parameters, parameters.NAME, "
                        "constraints, early_terminate, metric.target, name, description); "
                        "repeatable")
    p.add_argument("--expected-version", type=int, default=0, metavar="V",
                   help="refuse unless the sweep's config is at version V")
    p.add_argument("--json", action="store_true")
    _add_controller_arg(p)

    p = sub.add_parser("versions", help="list a sweep's config versions")
    p.add_argument("sweep_id")
    p.add_argument("--json", action="store_true")
    _add_controller_arg(p)

    for extra in _EXTRA_COMMANDS:
        extra(sub)
    return parser


# Commands that live with their packages (ui, demo) add themselves here.
_EXTRA_COMMANDS: list = []
_EXTRA_COMMANDS.append(lambda sub: __import__("sweepd.demo").demo.add_command(sub))  # `sweepd demo`
_EXTRA_COMMANDS.append(lambda sub: __import__("sweepd.launch.cli").launch.cli.add_command(sub))  # `sweepd launch`


def _add_ui_command(sub) -> None:
    """`sweepd ui`: the live dashboard (sweepd.dash_ui, imported only when run)."""
    p = sub.add_parser("ui", help="run the live dashboard (reads Redis, never writes)")
    p.add_argument("--redis-url", default=None,
                   help="default: $SWEEPD_REDIS_URL or redis://127.0.0.1:6379/0")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8050)
    p.add_argument("--controller", default=None,
                   help="controller HOST:PORT for the pause/resume/stop/cancel buttons")
    p.add_argument("--auth", action="store_true",
                   help="log in with an API key first; each key sees only its project "
                        "(cookie signed with $SWEEPD_UI_SECRET, else a random key per start)")
    p.add_argument("--api-key", default=None,
                   help="key the buttons use without --auth (default: $SWEEPD_API_KEY); "
                        "with --auth they use each user's own key")
    p.add_argument("--tls-ca", default=None,
                   help="CA certificate of a TLS controller (default: $SWEEPD_TLS_CA)")

    def run_ui(args) -> int:
        from sweepd.dash_ui import serve

        url = args.redis_url or os.environ.get("SWEEPD_REDIS_URL") or "redis://127.0.0.1:6379/0"
        if args.auth and args.api_key:
            log.warning("ui: --api-key is not used with --auth (the buttons use each "
                        "logged-in user's key)")
        if not args.auth and args.host not in ("127.0.0.1", "localhost", "::1"):
            log.warning("ui: no login and listening on %s: anyone who can reach it sees every "
                        "sweep (use --auth)", args.host)
        serve(url, host=args.host, port=args.port, controller=args.controller, auth=args.auth,
              api_key=None if args.auth else (args.api_key or os.environ.get("SWEEPD_API_KEY")),
              tls_ca=args.tls_ca or os.environ.get("SWEEPD_TLS_CA"))
        return 0

    p.set_defaults(handler=run_ui)


_EXTRA_COMMANDS.append(_add_ui_command)  # `sweepd ui`


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv  # `controller --workers` starts its workers with the same arguments
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", datefmt="%H:%M:%S",
    )
    handler = _HANDLERS.get(args.command) or getattr(args, "handler", None)
    try:
        return handler(args) or 0
    except ConfigError as exc:
        print("invalid sweep config:", file=sys.stderr)
        for e in exc.errors:
            print(f"  {e}", file=sys.stderr)
        return 2
    except InvalidArgument as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SweepdError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _client(args):
    from sweepd.client import Client

    return Client(args.controller, api_key=args.api_key, tls_ca=args.tls_ca)


def cmd_controller(args) -> int:
    import asyncio
    from pathlib import Path

    from sweepd.controller.redis_local import resolve_redis_url
    from sweepd.controller.server import serve
    from sweepd.controller.storage.api_keys import STORAGE_ERRORS

    from sweepd.controller.limits import check_lease_seconds
    from sweepd.controller.workers import MAX_WORKERS, run_workers

    check_lease_seconds(args.lease_seconds)  # before Redis is resolved or started
    if bool(args.tls_cert) != bool(args.tls_key):
        raise SweepdError("--tls-cert and --tls-key go together")
    tls = None
    if args.tls_cert:
        tls = (Path(args.tls_key).read_bytes(), Path(args.tls_cert).read_bytes())
    if not args.auth and args.host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("auth is off and the controller listens on %s: anyone who can reach it "
                    "can create sweeps and report metrics (use --auth)", args.host)
    if not 1 <= args.workers <= MAX_WORKERS:
        raise InvalidArgument(f"--workers must be 1 to {MAX_WORKERS}, got {args.workers}")
    url, local = resolve_redis_url(args.redis_url, Path(args.data_dir) if args.data_dir else None)
    shown = mask_credentials(url)  # never print Redis credentials
    if args.worker_index is not None:
        _tag_log_lines(f"worker {args.worker_index}")
    try:
        if args.workers > 1:
            return run_workers(args.argv, host=args.host, port=args.port, n=args.workers,
                               redis_url=url)

        def ready(controller):
            mode = "auth on" if args.auth else "auth off: only this machine should reach it"
            log.info("sweepd controller on %s:%d (%s, %s), Redis %s", args.host, controller.port,
                     mode, "TLS" if tls else "plaintext", shown)
            print(f"sweepd controller listening on {args.host}:{controller.port}", flush=True)

        asyncio.run(serve(url, host=args.host, port=args.port, lease_seconds=args.lease_seconds,
                          metrics_maxlen=args.metrics_maxlen, auth=args.auth, tls=tls,
                          ready=ready,
                          worker_of=args.worker_of if args.worker_index is not None else None))
    except STORAGE_ERRORS as exc:
        raise _redis_error(url, exc) from None
    finally:
        if local is not None:
            local.stop()
    return 0


def _tag_log_lines(tag: str) -> None:
    """Puts `tag` in every log line of this process (a worker of --workers)."""
    for handler in logging.getLogger().handlers:
        handler.setFormatter(logging.Formatter(
            f"%(asctime)s %(levelname)s [{tag}] %(name)s: %(message)s", datefmt="%H:%M:%S"))


def cmd_sweep(args) -> int:
    config = parse_config(args.config)
    if args.project:
        from dataclasses import replace

        config = replace(config, project=args.project)
    for warning in config.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.validate:
        print(f"{args.config}: valid ({config.method}, {len(config.parameters)} parameters)")
        return 0
    with _client(args) as client:
        sweep = client.create_sweep(config, prior_runs=args.prior_runs)
    for warning in sweep.warnings:
        if warning not in config.warnings:
            print(f"warning: {warning}", file=sys.stderr)
    prior = f", {sweep.prior_runs} prior runs" if args.prior_runs else ""
    print(f"created sweep {sweep.id} ({config.method}{prior}); run agents with: "
          f"sweepd agent {sweep.id}")
    print(sweep.id)
    return 0


def cmd_agent(args) -> int:
    from sweepd.agent_loop import Agent

    gpus = [g.strip() for g in args.gpus.split(",") if g.strip()] if args.gpus else None
    function = load_function(args.function) if args.function else None
    agent = Agent(args.sweep_id, function, count=args.count, controller=args.controller,
                  parallel=args.parallel, gpus=gpus, stop_grace=args.stop_grace,
                  api_key=args.api_key, tls_ca=args.tls_ca)
    agent.install_signal_handlers()
    agent.run()
    # Told to go by a scheduler: end as SIGTERM would, so that an engine that restarts
    # failed work (a Kubernetes Job) starts another agent instead of counting this one done.
    return 143 if agent.preempted else 0


def load_function(spec: str):
    """`module:function` -> the function; a clear error when either is missing."""
    import importlib

    module_name, _, name = spec.partition(":")
    if not module_name or not name:
        raise InvalidArgument(f"--function: {spec!r} is not MODULE:FUNCTION")
    if "" not in sys.path:
        sys.path.insert(0, "")  # as `python -m` does: the current directory first
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise InvalidArgument(f"--function: cannot import {module_name!r}: {exc}") from None
    function = getattr(module, name, None)
    if not callable(function):
        raise InvalidArgument(f"--function: {module_name!r} has no function {name!r}")
    return function


def _best(sweep: Sweep) -> str:
    """The best value and run; for a multi-objective sweep, its front's size and
    hypervolume."""
    if sweep.config.multi_objective:
        if sweep.hypervolume is None:
            return ""
        return f"front of {sweep.pareto_front_size} (hypervolume {sweep.hypervolume:.6g})"
    return "" if sweep.best_value is None else f"{sweep.best_value:.6g} ({sweep.best_run_id})"


def sweep_json(sweep: Sweep) -> dict[str, Any]:
    c = sweep.counts
    return {
        "id": sweep.id, "name": sweep.name, "method": sweep.config.method,
        "state": sweep.state.value, "created_at": sweep.created_at,
        "runs": {s: getattr(c, s) for s in STATES},
        "metric": sweep.config.metric.name if sweep.config.metric else None,
        "best_value": sweep.best_value, "best_run_id": sweep.best_run_id or None,
        "config_version": sweep.config_version,
        "metrics": [o.name for o in sweep.config.metrics] or None,
        "pareto_front_size": sweep.pareto_front_size if sweep.config.multi_objective else None,
        "hypervolume": sweep.hypervolume,
        "hypervolume_reference": list(sweep.hypervolume_reference) or None,
    }


def run_json(run: Run) -> dict[str, Any]:
    reason = run.stop_reason
    return {
        "id": run.id, "number": run.number, "state": run.state.value, "config": run.config,
        "summary": run.summary, "attempt": run.attempt, "agent_id": run.agent_id,
        "created_at": run.created_at, "started_at": run.started_at, "ended_at": run.ended_at,
        "duration": run.duration, "exit_code": run.exit_code, "error": run.error or None,
        "stop_reason": None if reason is None else {
            "kind": reason.kind, "message": reason.message, "band": reason.band,
            "value": reason.value, "threshold": reason.threshold},
        "points": run.points, "note": run.note or None, "config_version": run.config_version,
        "prior": run.prior, "ignored": run.ignored,
        "objectives": run.objectives or None,
        "pareto_rank": run.pareto_rank, "pareto_optimal": run.pareto_optimal,
    }


def cmd_sweeps(args) -> int:
    with _client(args) as client:
        sweeps = client.list_sweeps(args.project)
    if args.json:
        print(json.dumps([sweep_json(s) for s in sweeps], indent=2))
        return 0
    rows = [("ID", "NAME", "METHOD", "STATE", "RUNS (run/fin/fail/crash/stop)", "BEST")]
    for s in sweeps:
        c = s.counts
        rows.append((s.id, s.name or "-", s.config.method, s.state.value,
                     f"{c.pending + c.running}/{c.finished}/{c.failed}/{c.crashed}/{c.stopped}",
                     _best(s) or "-"))
    _print_table(rows)
    return 0


RUN_ACTIONS = ("ignore", "unignore", "requeue")


def cmd_runs(args) -> int:
    words = args.words
    if words[0] in RUN_ACTIONS:
        if len(words) != 3:
            raise InvalidArgument(f"usage: sweepd runs {words[0]} SWEEP_ID RUN_ID")
        return _run_action(args, *words)
    if len(words) != 1:
        raise InvalidArgument(f"runs: unknown action {words[0]!r}; use SWEEP_ID alone or one "
                              f"of {', '.join(RUN_ACTIONS)} SWEEP_ID RUN_ID")
    with _client(args) as client:
        runs = client.list_runs(words[0], page_size=args.page_size)
        config = client.get_sweep(words[0]).config if args.csv else None
    if args.csv:
        sys.stdout.write(to_csv(runs, config))
        return 0
    if args.json:
        print(json.dumps([run_json(r) for r in runs], indent=2, default=str))
        return 0
    rows = [("RUN", "STATE", "CONFIG", "SUMMARY")]
    for r in runs:
        mark = " (prior)" if r.prior else " (ignored)" if r.ignored else ""
        if r.prior and r.ignored:
            mark = " (prior, ignored)"
        rows.append((r.id, r.state.value + mark, json.dumps(r.config)[:60],
                     json.dumps(r.summary)[:60]))
    _print_table(rows)
    return 0


def _run_action(args, action: str, sweep_id: str, run_id: str) -> int:
    with _client(args) as client:
        if action == "requeue":
            waiting = client.requeue_run(sweep_id, run_id)
            print(f"run {run_id} requeued: {waiting} configuration(s) waiting in sweep {sweep_id}")
            return 0
        run = client.set_run_ignored(sweep_id, run_id, action == "ignore")
        sweep = client.get_sweep(sweep_id)
    what = "Pareto front" if sweep.config.multi_objective else "best run"
    print(f"run {run.id}: {'ignored' if run.ignored else 'taken into account'}; "
          f"{what} of sweep {sweep_id}: {_best(sweep) or 'none'}")
    return 0


def cmd_state(args) -> int:
    with _client(args) as client:
        sweep = client.change_state(args.sweep_id, args.command)
    print(f"sweep {sweep.id}: {sweep.state.value}")
    return 0


def cmd_update(args) -> int:
    if args.config is None and args.run_cap is None:
        raise InvalidArgument("update: give --run-cap N and/or --config YAML")
    if args.only and args.config is None:
        raise InvalidArgument("update: --only names fields of --config")
    config = parse_config(args.config) if args.config else None
    with _client(args) as client:
        result = client.update_sweep(args.sweep_id, config, run_cap=args.run_cap,
                                     update_mask=args.only, expected_version=args.expected_version)
    if args.json:
        print(json.dumps({"sweep": sweep_json(result.sweep), "changed": result.changed,
                          "version": version_json(result.version)}, indent=2))
    elif result.changed:
        print(f"sweep {result.sweep.id}: config version {result.version.version} "
              f"({', '.join(result.version.changed_paths)}); {result.sweep.state.value}")
    else:
        print(f"sweep {result.sweep.id}: nothing changed (config version {result.version.version})")
    return 0


def version_json(v: ConfigVersion) -> dict[str, Any]:
    return {"version": v.version, "created_at": v.created_at,
            "changed_paths": list(v.changed_paths), "config": config_to_dict(v.config)}


def cmd_versions(args) -> int:
    with _client(args) as client:
        versions = client.list_config_versions(args.sweep_id)
    if args.json:
        print(json.dumps([version_json(v) for v in versions], indent=2))
        return 0
    rows = [("VERSION", "TIME (UTC)", "CHANGED")]
    for v in versions:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(v.created_at))
        rows.append((str(v.version), when, ", ".join(v.changed_paths) or "(created)"))
    _print_table(rows)
    return 0


def cmd_keys(args) -> int:
    from sweepd.controller.storage.api_keys import STORAGE_ERRORS, admin_client

    url = args.redis_url or os.environ.get("SWEEPD_REDIS_URL")
    if not url:
        raise SweepdError("--redis-url (or $SWEEPD_REDIS_URL) is required")
    try:
        client = admin_client(url)
    except ValueError as exc:  # a malformed URL
        raise InvalidArgument(f"--redis-url: {mask_credentials(str(exc))}") from None
    try:
        return _keys_action(client, args)
    except STORAGE_ERRORS as exc:
        raise _redis_error(url, exc) from None


def _redis_error(url: str, exc: Exception) -> SweepdError:
    """A Redis failure as a one-line error that names the server, never its password."""
    return Unavailable(f"Redis at {mask_credentials(url)}: {mask_credentials(str(exc))}")


def _keys_action(client, args) -> int:
    from sweepd.controller import auth

    if args.action == "create":
        if not args.project:
            raise SweepdError("keys create: --project is required")
        try:
            key = auth.create_key(client, args.project, args.read_only)
        except ValueError as exc:
            raise InvalidArgument(str(exc)) from None
        kind = "read-only key" if args.read_only else "key"
        print(f"created {kind} for project {args.project} (shown once; store it now):")
        print(key)
    elif args.action == "list":
        rows = [("KEY ID", "PROJECT", "ACCESS", "CREATED", "STATE")]
        for k in auth.list_keys(client, args.project):
            rows.append((k.key_id, k.project, "read-only" if k.read_only else "read-write",
                         time.strftime("%Y-%m-%d %H:%M", time.localtime(k.created_at)),
                         "revoked" if k.revoked else "active"))
        _print_table(rows)
    else:
        if not args.key_id:
            raise SweepdError("keys revoke: give the key id")
        # a whole key may be given: only its id is ever echoed, never the secret
        key_id = args.key_id.split("_")[1] if args.key_id.startswith("sk_") else args.key_id
        if not auth.revoke_key(client, args.key_id):
            raise SweepdError(f"no API key {key_id[:64]!r}")
        print(f"revoked {key_id}")
    return 0


def _print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip())


_HANDLERS = {
    "controller": cmd_controller, "sweep": cmd_sweep, "agent": cmd_agent,
    "sweeps": cmd_sweeps, "runs": cmd_runs, "keys": cmd_keys,
    "pause": cmd_state, "resume": cmd_state, "stop": cmd_state, "cancel": cmd_state,
    "update": cmd_update, "versions": cmd_versions,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
