"""Random search: each parameter drawn independently from its distribution.

Never exhausted: `run_cap`, a metric `target`, a stop or the agents' `--count` end a
random sweep, and those are the controller's business.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from sweepd.config import SweepConfig
from sweepd.controller.search.base import SearchResult, Suggestion, register
from sweepd.domain import Run
from sweepd.sampling import sample_config


@register("random", history="none")
def random_search(
    config: SweepConfig, runs: Sequence[Run], n: int, rng: np.random.Generator
) -> SearchResult:
    """`n` independent draws of the whole run config; no claim keys."""
    draws = [Suggestion(config=sample_config(config, rng)) for _ in range(max(n, 0))]
    return SearchResult(suggestions=draws)
