"""sweepd: self-hosted hyperparameter sweeps.

    import sweepd
    sweep_id = sweepd.sweep("sweep.yaml")          # or a config dict
    sweepd.agent(sweep_id, function=train, count=5)
    front = sweepd.pareto(sweep_id)                # a multi-objective sweep's best trade-offs

    def train():
        run = sweepd.init()
        run.log({"loss": 0.3})
        run.finish()
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Mapping

from sweepd import domain
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
    "sweep", "agent", "init", "pareto", "Run", "RunStopped", "RunState", "SweepState",
    "SweepdError", "NotFound", "InvalidArgument", "LeaseLost", "Unavailable",
]


def sweep(config: Mapping[str, Any] | str, *, controller: str | None = None,
          project: str | None = None, api_key: str | None = None,
          prior_runs: Any = None) -> str:
    """Validates a config (dict, YAML text or path) and registers it; returns the sweep id.

    `prior_runs` warm-starts its search: another sweep's id, a CSV (W&B's runs-table
    export) or JSON-lines path, or a list of {"config": ..., "summary": ...} dicts;
    runs that do not fit the space are left out with a logged warning each."""
    from dataclasses import replace

    from sweepd.client import Client
    from sweepd.config import parse_config

    parsed = parse_config(config)
    if project:
        parsed = replace(parsed, project=project)
    with Client(controller, api_key=api_key) as client:
        created = client.create_sweep(parsed, prior_runs=prior_runs)
    for warning in created.warnings:
        if warning not in parsed.warnings:
            logging.getLogger("sweepd").warning("%s", warning)
    return created.id


def agent(sweep_id: str, function: Callable[[], Any] | None = None, count: int | None = None,
          *, controller: str | None = None, **kwargs: Any) -> int:
    """Runs an agent here until the sweep is done or `count` runs ran; returns that number."""
    from sweepd.agent_loop import Agent

    return Agent(sweep_id, function, count=count, controller=controller, **kwargs).run()


def pareto(sweep_id: str, *, controller: str | None = None,
           api_key: str | None = None) -> list[domain.Run]:
    """The runs on a multi-objective sweep's Pareto front (no other run is at least as
    good on every objective and better on one), in creation order, each with its
    `objectives` values; empty for a single-objective sweep."""
    from sweepd.client import Client

    with Client(controller, api_key=api_key) as client:
        return client.pareto_front(sweep_id)
