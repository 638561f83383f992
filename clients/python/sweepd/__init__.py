"""sweepd: self-hosted hyperparameter sweeps.

    import sweepd
    sweep_id = sweepd.sweep("sweep.yaml")          # or a config dict
    sweepd.agent(sweep_id, function=train, count=5)

    def train():
        run = sweepd.init()
        run.log({"loss": 0.3})
        run.finish()
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from sweepd.domain import (
    InvalidArgument,
    LeaseLost,
    NotFound,
    RunState,
    SweepdError,
    SweepState,
    Unavailable,
)
from sweepd.run import Run, RunStopped, init

__all__ = [
    "sweep", "agent", "init", "Run", "RunStopped", "RunState", "SweepState", "SweepdError",
    "NotFound", "InvalidArgument", "LeaseLost", "Unavailable",
]


def sweep(config: Mapping[str, Any] | str, *, controller: str | None = None,
          project: str | None = None, api_key: str | None = None) -> str:
    """Validates a config (dict, YAML text or path) and registers it; returns the sweep id."""
    from dataclasses import replace

    from sweepd.client import Client
    from sweepd.config import parse_config

    parsed = parse_config(config)
    if project:
        parsed = replace(parsed, project=project)
    with Client(controller, api_key=api_key) as client:
        return client.create_sweep(parsed).id


def agent(sweep_id: str, function: Callable[[], Any] | None = None, count: int | None = None,
          *, controller: str | None = None, **kwargs: Any) -> int:
    """Runs an agent here until the sweep is done or `count` runs ran; returns that number."""
    from sweepd.agent_loop import Agent

    return Agent(sweep_id, function, count=count, controller=controller, **kwargs).run()
