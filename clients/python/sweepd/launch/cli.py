"""`sweepd launch ENGINE SWEEP_ID --agents N ...`: the options every engine shares,
then the engine's own (each engine module's `add_arguments` and `cli_options`)."""

from __future__ import annotations

import argparse
from dataclasses import fields

from . import ENGINES, engine_module
from .common import AgentOptions

_HELP = {
    "ray": "agents as Ray actors (local Ray, or --address of a cluster); waits for them",
    "slurm": "one Slurm job array of agents (sbatch --array); returns once submitted",
    "k8s": "one Kubernetes Indexed Job of agents; returns once created",
}


def add_command(sub) -> None:
    p = sub.add_parser("launch", help="start agents on Ray, Slurm or Kubernetes")
    engines = p.add_subparsers(dest="engine", required=True, metavar="ENGINE")
    for engine in ENGINES:
        e = engines.add_parser(engine, help=_HELP[engine])
        e.add_argument("sweep_id")
        e.add_argument("--agents", type=int, required=True, help="how many agents to start")
        e.add_argument("--cpus-per-run", type=float, default=1.0, help="CPUs per run slot (default 1)")
        e.add_argument("--gpus-per-run", type=float, default=0.0, help="GPUs per run slot (default 0)")
        e.add_argument("--parallel", type=int, default=1, help="runs at once in each agent (default 1)")
        e.add_argument("--count", type=int, default=None, help="at most this many runs per agent")
        e.add_argument("--function", default=None, metavar="MODULE:FN",
                       help="run this function for each run (imported where the agent runs) "
                            "instead of the sweep's program")
        e.add_argument("--controller", default=None,
                       help="controller HOST:PORT as the agents reach it (default: $SWEEPD_CONTROLLER)")
        e.add_argument("--api-key", default=None,
                       help="API key for the agents (default: $SWEEPD_API_KEY); never put on a command line")
        e.add_argument("--tls-ca", default=None, help="CA certificate of a TLS controller (default: $SWEEPD_TLS_CA)")
        engine_module(engine).add_arguments(e)
        e.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    module = engine_module(args.engine)
    common = {f.name: getattr(args, f.name) for f in fields(AgentOptions)
              if f.name not in ("sweep_id", "extra_env") and hasattr(args, f.name)}
    launched = module.launch(args.sweep_id, **common, **module.cli_options(args))
    print(launched.describe(), flush=True)
    return launched.wait() if launched.wait is not None else 0
