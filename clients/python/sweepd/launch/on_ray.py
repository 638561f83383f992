"""Ray: agents as Ray actors (to be written)."""

from __future__ import annotations


def add_arguments(p) -> None:
    p.add_argument("--address", default=None, help="Ray cluster address (default: a local Ray)")


def cli_options(args) -> dict:
    return {"address": args.address}


def launch(sweep_id: str, **options):
    raise NotImplementedError("sweepd launch ray is not written yet")
