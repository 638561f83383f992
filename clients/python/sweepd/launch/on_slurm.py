"""Slurm: one job array of agents (to be written)."""

from __future__ import annotations


def add_arguments(p) -> None:
    p.add_argument("--partition", default=None)
    p.add_argument("--time", default=None, metavar="HH:MM:SS")
    p.add_argument("--dry-run", action="store_true", help="print the sbatch script; submit nothing")


def cli_options(args) -> dict:
    return {"partition": args.partition, "time": args.time, "dry_run": args.dry_run}


def launch(sweep_id: str, **options):
    raise NotImplementedError("sweepd launch slurm is not written yet")
