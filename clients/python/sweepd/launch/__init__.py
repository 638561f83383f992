"""Launching agents onto the engines users already run: Ray, Slurm and Kubernetes.

sweepd schedules nothing itself: each engine places the agents (CPUs, GPUs, nodes),
restarts or preempts them, and sweepd's leases and retry policy make that safe. From
Python, `launch("slurm", sweep_id, agents=4, ...)` or `sweepd.launch.slurm(sweep_id, ...)`;
from the shell, `sweepd launch ENGINE SWEEP_ID --agents N ...`. Engine packages (ray,
kubernetes) are imported only when their engine is used.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .common import AgentOptions, Launched

ENGINES = {"ray": "on_ray", "slurm": "on_slurm", "k8s": "on_k8s"}


def engine_module(engine: str):
    try:
        return import_module(f"{__name__}.{ENGINES[engine]}")
    except KeyError:
        raise ValueError(f"unknown engine {engine!r}; one of {sorted(ENGINES)}") from None


def launch(engine: str, sweep_id: str, **options: Any) -> Launched:
    """Starts agents for `sweep_id` on `engine`; see each engine's `launch` for options."""
    return engine_module(engine).launch(sweep_id, **options)


def ray(sweep_id: str, **options: Any) -> Launched:
    return launch("ray", sweep_id, **options)


def slurm(sweep_id: str, **options: Any) -> Launched:
    return launch("slurm", sweep_id, **options)


def k8s(sweep_id: str, **options: Any) -> Launched:
    return launch("k8s", sweep_id, **options)


__all__ = ["AgentOptions", "ENGINES", "Launched", "k8s", "launch", "ray", "slurm"]
