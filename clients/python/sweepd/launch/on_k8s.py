"""Kubernetes: one Indexed Job of agents (to be written)."""

from __future__ import annotations


def add_arguments(p) -> None:
    p.add_argument("--image", required=True)
    p.add_argument("--namespace", default=None)
    p.add_argument("--dry-run", action="store_true", help="print the manifests as YAML; create nothing")


def cli_options(args) -> dict:
    return {"image": args.image, "namespace": args.namespace, "dry_run": args.dry_run}


def launch(sweep_id: str, **options):
    raise NotImplementedError("sweepd launch k8s is not written yet")
