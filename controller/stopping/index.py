"""The stopping index: what the store keeps so that early termination reads no history.

The rules in this package are pure functions of every run's history. Evaluated that
way at each band crossing, a report costs a read of the whole sweep. The store keeps
instead, per band (an iteration count the rule judges at), every run's value there in
sorted order (storage/lua/_stop_index.lua), maintained by the report script itself;
a band's threshold is then the value at a rank, and only the active runs are read.
This module holds the pure parts of that: which values a config's rule needs
(`index_spec`), and the decisions from what the store read (`index_decisions`), made
by the rules' own decision functions so that both ways say the same words.

What goes in, per rule (values negated for maximize, so lower is better):

- hyperband: at each band b, a run's b-th value. A running run is judged by its b-th
  value (strict) or its best value so far (not strict): the run hash keeps both.
- asha: at each rung r, a run's r-th value (strict) or its best of its first r values.
- median: at every iteration count t from the warm-up on, a run's best of its first t
  values; a run judged at t is compared with the median of the others at t.

The decisions equal the pure rule's (tests/integration/test_stop_index.py compares
them over randomized sweeps). A multi-objective sweep, a sweep without a metric name
or an unknown rule has no index (`index_spec` is None) and is judged by the pure rule
over every history.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

from sweepd.config import EarlyTerminate, SweepConfig
from sweepd.controller.stopping.asha import asha_decision, asha_rungs
from sweepd.controller.stopping.base import StopDecision
from sweepd.controller.stopping.hyperband import hyperband_bands, hyperband_decision
from sweepd.controller.stopping.median import MIN_PEERS, median_decision, median_warm_up

INDEX_FORMAT = 1  # bumped when what the index holds changes: every sweep is rebuilt
MARKS_UP_TO = 10_000_000  # iteration counts the marks of a hyperband or asha index cover
MAX_MARKS = 10_000  # at most this many (an eta very close to 1 makes more)


@dataclass(frozen=True)
class IndexSpec:
    """What a sweep's stopping index holds for its config's rule.

    `tag` names it (the index stored for another tag is rebuilt); `at`: a run's value at
    a band is its value there (else its best so far); `every`: median's warm-up, every
    count from it on is a band (else the bands are `marks`, complete up to `upto`)."""

    tag: str
    rule: str
    sign: float
    at: bool
    eta: float
    every: int | None
    marks: tuple[int, ...]
    upto: int | None
    min_peers: int = MIN_PEERS


@dataclass(frozen=True)
class Standing:
    """An active run as the store read it from the index: its `band` (the last it
    reached), how many values it has (`count`), its value at the band and its best so
    far (oriented), the runs in the band (`n`, itself included) and the band's
    threshold values (one; two for median's even number of peers; none for median
    with too few peers)."""

    run_id: str
    number: int
    band: int
    count: int
    value: float
    best: float
    n: int
    threshold: tuple[float, ...]


def index_spec(config: SweepConfig) -> IndexSpec | None:
    """The index a config's early_terminate rule reads; None when it has none."""
    et, metric = config.early_terminate, config.metric
    if et is None or not metric.name or config.multi_objective:
        return None
    if et.type not in ("hyperband", "asha", "median"):
        return None
    return _spec(et, metric.goal, metric.name)


@lru_cache(maxsize=256)
def _spec(et: EarlyTerminate, goal: str, name: str) -> IndexSpec:
    sign = -1.0 if goal == "maximize" else 1.0
    tag = json.dumps([INDEX_FORMAT, et.type, et.min_iter, et.max_iter, et.s, repr(et.eta),
                      et.strict, goal, name], separators=(",", ":"))
    if et.type == "median":
        return IndexSpec(tag, "median", sign, at=False, eta=et.eta, every=median_warm_up(et),
                         marks=(), upto=None)
    checkpoints = hyperband_bands if et.type == "hyperband" else asha_rungs
    marks = tuple(checkpoints(et, MARKS_UP_TO))
    upto = MARKS_UP_TO
    if len(marks) > MAX_MARKS:
        marks = marks[:MAX_MARKS]
        upto = marks[-1]
    # hyperband's thresholds take each run's band value even when not strict
    at = et.type == "hyperband" or et.strict
    return IndexSpec(tag, et.type, sign, at=at, eta=et.eta, every=None, marks=marks, upto=upto)


def index_decisions(config: SweepConfig, spec: IndexSpec,
                    standings: Sequence[Standing]) -> list[StopDecision]:
    """The runs to stop, in run-number order, as the pure rule decides them."""
    strict = config.early_terminate.strict
    out = []
    for s in sorted(standings, key=lambda s: s.number):
        if not s.threshold:
            continue
        if spec.rule == "median":
            threshold = statistics.median(s.threshold)
            if s.best > threshold:
                out.append(median_decision(config, s.run_id, s.band, s.best, threshold, s.n - 1))
            continue
        threshold = s.threshold[0]
        if spec.rule == "hyperband":
            value = s.value if strict else s.best
            if value > threshold:
                out.append(hyperband_decision(config, s.run_id, s.band, value, threshold, s.n,
                                              s.count))
        elif s.value > threshold:
            out.append(asha_decision(config, s.run_id, s.band, s.value, threshold, s.n))
    return out
