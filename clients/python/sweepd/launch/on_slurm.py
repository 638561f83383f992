"""Slurm: one job array of agents, submitted with `sbatch --parsable`.

The batch script is generated here, whole: every Slurm option is an `#SBATCH` line in
it, sbatch reads it on its standard input, and `--dry-run` prints that same text. Each
array task runs one agent (`exec`, so the agent is the batch shell and receives the
signal Slurm sends it `signal_before` seconds before the time limit). The API key is
never on a command line, in the script or in the job's environment as Slurm records
it: it goes to `~/.sweepd/launch/slurm-SWEEP.env` (mode 0600), which the script
sources on the node — so the home directory must be on a filesystem the nodes share,
as it is on most Slurm clusters.
"""

from __future__ import annotations

import logging
import math
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, fields
from pathlib import Path

from sweepd.domain import InvalidArgument, SweepdError

from .common import API_KEY_ENV, AgentOptions, Launched, write_private_env

log = logging.getLogger(__name__)

SIGNAL = "TERM"  # what the agent gets before the time limit (it stops its runs cleanly)
SBATCH = ("sbatch", "--parsable")
_TIME = re.compile(r"^(\d+-)?\d+(:\d{1,2}){0,2}$|^\d+-\d+$")
_PARTITION = re.compile(r"^[\w.-]+(,[\w.-]+)*$")
_SWEEP_ID = re.compile(r"^[\w-]+$")
_NO_LIMIT = ("UNLIMITED", "INFINITE")


def add_arguments(p) -> None:
    p.add_argument("--partition", default=None, help="Slurm partition(s) (default: the cluster's)")
    p.add_argument("--time", default=None, metavar="HH:MM:SS",
                   help="time limit of each agent (any sbatch --time form; default: the partition's)")
    p.add_argument("--signal-before", type=int, default=60, metavar="SECONDS",
                   help=f"SIG{SIGNAL} the agent this long before the time limit, so that its runs "
                        "end stopped and run again elsewhere (default 60)")
    p.add_argument("--output-dir", default=None,
                   help="where each task's output goes (default: ~/.sweepd/slurm/SWEEP_ID)")
    p.add_argument("--python", default=None,
                   help="the Python the nodes run the agent with (default: this one, which "
                        "must exist at the same path on the nodes)")
    p.add_argument("--sbatch", action="append", default=[], metavar="OPTION",
                   help="one more #SBATCH line, e.g. --sbatch=--account=ml (repeatable)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the sbatch script; write and submit nothing")


def cli_options(args) -> dict:
    return {"partition": args.partition, "time": args.time, "signal_before": args.signal_before,
            "output_dir": args.output_dir, "python": args.python, "sbatch": args.sbatch,
            "dry_run": args.dry_run}


@dataclass(frozen=True)
class SlurmOptions:
    """What Slurm is asked for, beyond the agents' own options."""

    partition: str | None = None
    time: str | None = None
    signal_before: int = 60
    output_dir: str | None = None
    python: str | None = None
    sbatch: tuple[str, ...] | list[str] = ()
    dry_run: bool = False

    def check(self, agent: AgentOptions) -> None:
        """Every problem at once, each naming its option."""
        errors = []
        if not _SWEEP_ID.match(agent.sweep_id):
            errors.append(("sweep_id", f"{agent.sweep_id!r} is not a sweep id"))
        gpus = agent.gpus_per_run * agent.parallel
        if abs(gpus - round(gpus)) > 1e-9:
            errors.append(("gpus_per_run", f"{agent.gpus_per_run:g} x parallel {agent.parallel} "
                                           "must be a whole number of GPUs (what Slurm allocates)"))
        if self.partition is not None and not _PARTITION.match(self.partition):
            errors.append(("partition", "must be a partition name (or several, comma-separated)"))
        if self.time is not None and not (_TIME.match(self.time) or self.time in _NO_LIMIT):
            errors.append(("time", "must be an sbatch time limit: MINUTES, HH:MM:SS or D-HH:MM:SS"))
        elif self.time is not None and (limit := time_seconds(self.time)) is not None \
                and limit <= self.signal_before:
            errors.append(("time", f"must be longer than signal_before ({self.signal_before} s)"))
        if not 1 <= self.signal_before <= 65535:
            errors.append(("signal_before", "must be 1..65535 seconds"))
        for name, path in (("output_dir", str(output_dir(agent.sweep_id, self))),
                           ("the directory you launch from", str(Path.cwd()))):
            if re.search(r"[\s%]", path):
                errors.append((name, f"{path!r} has a space or %, which an #SBATCH line cannot carry"))
        for option in self.sbatch:
            if not option.startswith("-") or "\n" in option or "\r" in option:
                errors.append(("sbatch", f"{option!r} is not one sbatch option"))
        if errors:
            raise InvalidArgument("; ".join(f"{k}: {m}" for k, m in errors), errors)


def time_seconds(limit: str) -> int | None:
    """An sbatch time limit in seconds (None for UNLIMITED)."""
    if limit in _NO_LIMIT:
        return None
    days, _, rest = limit.rpartition("-")
    parts = [int(p) for p in rest.split(":")]
    if days:  # D-HH, D-HH:MM, D-HH:MM:SS
        h, m, s = (parts + [0, 0])[:3]
        return ((int(days) * 24 + h) * 60 + m) * 60 + s
    if len(parts) == 1:  # MINUTES
        return parts[0] * 60
    if len(parts) == 2:  # MINUTES:SECONDS
        return parts[0] * 60 + parts[1]
    return (parts[0] * 60 + parts[1]) * 60 + parts[2]


def env_file(sweep_id: str) -> Path:
    """Where the API key of a sweep's Slurm agents waits for them (one file per sweep,
    replaced by each launch)."""
    return Path.home() / ".sweepd" / "launch" / f"slurm-{sweep_id}.env"


def output_dir(sweep_id: str, slurm: SlurmOptions) -> Path:
    return Path(slurm.output_dir or Path.home() / ".sweepd" / "slurm" / sweep_id).absolute()


def resources(agent: AgentOptions) -> tuple[int, int]:
    """CPUs and GPUs of one array task: `parallel` runs of cpus/gpus_per_run each."""
    cpus = math.ceil(agent.cpus_per_run * agent.parallel - 1e-9)
    return cpus, round(agent.gpus_per_run * agent.parallel)


def render_script(agent: AgentOptions, slurm: SlurmOptions, key_file: Path | None) -> str:
    """The batch script, exactly as submitted: #SBATCH lines, then the agent."""
    cpus, gpus = resources(agent)
    out = output_dir(agent.sweep_id, slurm)
    slots = f"{agent.parallel} run{'s' if agent.parallel != 1 else ''} at a time"
    lines = [
        "#!/bin/bash",
        f"# sweepd agents for sweep {agent.sweep_id}: a job array of {agent.agents} "
        f"task{'s' if agent.agents != 1 else ''}, one agent each.",
        f"# Submitted with: {' '.join(SBATCH)}   (this script on its standard input)",
        f"#SBATCH --job-name=sweepd-{agent.sweep_id}",
        f"#SBATCH --array=0-{agent.agents - 1}",
        "#SBATCH --ntasks=1",
        f"# {slots}, {agent.cpus_per_run:g} CPU{'s' if agent.cpus_per_run != 1 else ''} each",
        f"#SBATCH --cpus-per-task={cpus}",
    ]
    if gpus:
        lines += [f"# {agent.gpus_per_run:g} GPU per run", f"#SBATCH --gres=gpu:{gpus}"]
    if slurm.time:
        lines.append(f"#SBATCH --time={slurm.time}")
    if slurm.partition:
        lines.append(f"#SBATCH --partition={slurm.partition}")
    lines += [
        "# One output file per task (%A: the job id, %a: the task); a requeued task appends",
        f"#SBATCH --output={out}/%A_%a.out",
        "#SBATCH --open-mode=append",
        f"# SIG{SIGNAL} to the agent (B: the batch shell, which exec makes the agent) "
        f"{slurm.signal_before} s before the time limit:",
        "# it stops taking runs, stops its runs (they end `stopped`, metrics flushed; with",
        "# retry: in the sweep config they run again) and exits",
        f"#SBATCH --signal=B:{SIGNAL}@{slurm.signal_before}",
        f"#SBATCH --chdir={Path.cwd()}",
        *(f"#SBATCH {option}" for option in slurm.sbatch),
        "",
        "set -e",
        'echo "sweepd: task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname) '
        'at $(date +%Y-%m-%dT%H:%M:%S)"',
    ]
    lines += _key_lines(key_file)
    argv = agent.agent_argv((slurm.python or sys.executable, "-m", "sweepd.cli"))
    command = shlex.join(argv)
    if gpus and agent.parallel > 1:
        command += ' --gpus "$CUDA_VISIBLE_DEVICES"  # the runs share out the GPUs Slurm gave'
    lines += ["# exec: the agent replaces this shell, so Slurm's signal reaches it",
              f"exec {command}", ""]
    return "\n".join(lines)


def _key_lines(key_file: Path | None) -> list[str]:
    if key_file is None:
        return ["# No API key: the controller runs without --auth"]
    path = shlex.quote(str(key_file))
    return [
        f"# {API_KEY_ENV} from a file only you can read (written by sweepd launch, mode 0600);",
        "# the key is never on a command line, in this script or in Slurm's records",
        f"if [ ! -r {path} ]; then echo \"sweepd: cannot read {path}\" >&2; exit 1; fi",
        f"source {path}",
    ]


def launch(sweep_id: str, **options) -> Launched:
    """Submits one job array of `agents` agent tasks for `sweep_id` (or, with
    dry_run=True, returns the script in `Launched.dry_run` and writes nothing).
    Options: AgentOptions' fields, then SlurmOptions' (partition, time, ...)."""
    names = {f.name for f in fields(AgentOptions)}
    slurm_names = {f.name for f in fields(SlurmOptions)}
    unknown = sorted(set(options) - names - slurm_names)
    if unknown:
        raise TypeError(f"launch slurm: unknown options {', '.join(unknown)}")
    agent = AgentOptions(sweep_id, **{k: v for k, v in options.items() if k in names})
    slurm = SlurmOptions(**{k: v for k, v in options.items() if k in slurm_names})
    slurm.check(agent)
    key_file = env_file(sweep_id) if agent.api_key else None
    script = render_script(agent, slurm, key_file)
    if slurm.dry_run:
        # without its last newline, which print() puts back: stdout is the script exactly
        return Launched("slurm", [], dry_run=script.removesuffix("\n"))
    if agent.controller.split(":")[0] in ("127.0.0.1", "localhost", "::1", "[::1]"):
        log.warning("agents will dial %s: only tasks on this machine reach it "
                    "(give --controller HOST:PORT as the nodes see it)", agent.controller)
    if key_file is not None:
        _write_key(agent.api_key, key_file)
    output_dir(sweep_id, slurm).mkdir(parents=True, exist_ok=True)
    job_id = submit(script)
    out = output_dir(sweep_id, slurm)
    return Launched("slurm", [job_id],
                    follow=f"squeue -j {job_id}   (output: {out}/{job_id}_<task>.out)",
                    cancel=f"scancel {job_id}   (hands its runs back to the sweep; "
                           f"`sweepd cancel {sweep_id}` ends the sweep)")


def _write_key(api_key: str, path: Path) -> None:
    """Replaces `path` with a 0600 file holding the key (written aside, then renamed)."""
    fresh = write_private_env({API_KEY_ENV: api_key}, directory=path.parent,
                              prefix=f".{path.stem}-")
    os.replace(fresh, path)


def submit(script: str) -> str:
    """sbatch --parsable, the script on stdin; the job id it printed. The key is taken
    out of sbatch's environment, which Slurm would otherwise store with the job."""
    env = {k: v for k, v in os.environ.items() if k != API_KEY_ENV}
    try:
        done = subprocess.run(SBATCH, input=script, capture_output=True, text=True, env=env,
                              timeout=120)
    except FileNotFoundError:
        raise SweepdError("sbatch not found: run sweepd launch slurm where Slurm's "
                          "commands are (a login node)") from None
    except subprocess.TimeoutExpired:
        raise SweepdError("sbatch did not answer within 120 s (is slurmctld up?)") from None
    if done.returncode != 0:
        said = [line.removeprefix("sbatch: ").removeprefix("error: ").strip()
                for line in done.stderr.splitlines() if line.strip()]
        raise SweepdError(f"sbatch failed (exit {done.returncode}): {'; '.join(said)}")
    job_id = done.stdout.strip().split(";")[0]
    if not job_id.isdigit():
        raise SweepdError(f"sbatch printed {done.stdout.strip()!r}, not a job id")
    return job_id
