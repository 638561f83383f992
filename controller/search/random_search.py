"""Random search: each parameter drawn independently from its distribution.

Only active parameters are drawn (`when` conditions), and with `constraints` draws
are rejected until one satisfies them all, at most `sweepd.sampling.MAX_DRAWS` per
suggestion; the run's note says how many draws it took. When none is found the
search is exhausted with a message naming the constraints that rejected the draws,
and the controller ends the sweep with it: never a hang, never an infeasible config.

Otherwise never exhausted: `run_cap`, a metric `target`, a stop or the agents'
`--count` end a random sweep, and those are the controller's business.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from sweepd.config import SweepConfig
from sweepd.controller.search.base import SearchResult, Suggestion, register
from sweepd.domain import Run
from sweepd.sampling import sample_config, sample_feasible


@register("random", history="none")
def random_search(
    config: SweepConfig, runs: Sequence[Run], n: int, rng: np.random.Generator
) -> SearchResult:
    """`n` independent draws of the whole run config; no claim keys."""
    if not config.constraints:
        draws = [Suggestion(config=sample_config(config, rng)) for _ in range(max(n, 0))]
        return SearchResult(suggestions=draws)
    out = []
    for _ in range(max(n, 0)):
        draw = sample_feasible(config, rng)
        if draw.config is None:
            if out:
                break
            return SearchResult(exhausted=True, message=draw.failure(config))
        note = f"random: draw {draw.draws} was the first to satisfy every constraint"
        out.append(Suggestion(config=draw.config, note=note))
    return SearchResult(suggestions=out)
