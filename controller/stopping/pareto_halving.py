"""Multi-objective successive halving: `asha` and `hyperband` when a sweep has `metrics`.

As in MO-ASHA, a rung keeps the runs whose non-dominated rank is in the best 1/eta
instead of those whose value is. The rungs (bands) and the number of runs a rung
keeps are the single-objective rule's own; what changes is how runs are ordered.

- An iteration is a log call that held a number for every objective (a run's
  `objective_history`); maximised objectives are negated, so lower is better.
- A run's vector at rung r: with `strict: true` its r-th vector; with `strict: false`
  each objective's best over its first r vectors. (Hyperband's `strict: false`
  compares a run's best so far over all its values with the others' band values;
  with several objectives every run is taken over its first r values instead, as
  asha does, so that all are ranked on the same footing.)
- The order at rung r, over every run (any state) that has reached it: by
  non-dominated rank among them (`pareto_ranks`), then by NSGA-II crowding distance
  within the rank (larger first: the boundary of a rank and its sparse parts go
  first). Runs with the same rank and crowding distance tie.
- `keep(n)` runs go on: `ceil(n / eta)` for asha, `int(n / eta) + 1` for hyperband
  (the run at index int(n / eta) is hyperband's threshold). A running run is
  stopped when it comes strictly after the last one kept (a tie with it goes on).

A decision's `value` and `threshold` are None (there is no one number to show); its
message gives the run's vector, its rank and the rank of the last run kept.

Worked example (asha, minimize both, `min_iter: 1, eta: 3`, rungs 1, 3, 9), all
running: A [(1, 5), (1, 4), (1, 3)], B [(3, 3), (3, 3), (2, 2)], C [(4, 6), (4, 6),
(4, 5)], D [(5, 1)], E [(6, 6)], F [(2, 4)].
- Rung 3 (A, B, C): (1, 3), (2, 2), (4, 5). A and B are rank 0, C rank 1; ceil(3/3)
  = 1 goes on. A and B each end their rank (crowding infinite): they tie, both go
  on; C is stopped.
- Rung 1 (all six): A (1, 5), F (2, 4), B (3, 3), D (5, 1) are rank 0, C (4, 6) rank
  1, E (6, 6) rank 2; ceil(6/3) = 2 go on. Within rank 0, A and D are the ends
  (infinite), then B (crowding 0.75 + 0.75) and F (0.5 + 0.5): the order is A = D, B,
  F, C, E and the last kept is D. Judged at rung 1 are D (kept), F and E (stopped).
  Hyperband with the same runs keeps int(6/3) + 1 = 3: up to B, and still stops F
  and E.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

from sweepd.config import SweepConfig
from sweepd.controller.stopping.base import StopDecision, nth, stoppable
from sweepd.domain import Run
from sweepd.multiobjective import crowding_distances, pareto_ranks


def objective_signs(config: SweepConfig) -> np.ndarray:
    """-1 for a maximised objective, 1 for a minimised one, in config order."""
    return np.array([-1.0 if o.goal == "maximize" else 1.0 for o in config.metrics])


def oriented_vectors(run: Run, signs: np.ndarray) -> np.ndarray:
    """The run's objective vectors, in log order, with lower better on each objective."""
    history = [v for v in run.objective_history if len(v) == len(signs)]
    return np.array(history, dtype=float).reshape(-1, len(signs)) * signs


def vector_at(history: np.ndarray, rung: int, strict: bool) -> np.ndarray:
    return history[rung - 1] if strict else history[:rung].min(axis=0)


def halving_keys(points: np.ndarray) -> list[tuple[int, float]]:
    """Each point's sort key (rank, -crowding distance within its rank); lower first."""
    ranks = pareto_ranks(points)
    crowding = np.zeros(len(points))
    for rank in np.unique(ranks):
        members = np.flatnonzero(ranks == rank)
        crowding[members] = crowding_distances(points[members])
    return [(int(r), -float(c)) for r, c in zip(ranks, crowding)]


def pareto_halving(
    config: SweepConfig, runs: Sequence[Run], rungs: Callable[[int], list[int]],
    keep: Callable[[int], int], kind: str,
) -> list[StopDecision]:
    """The runs to stop under multi-objective successive halving (module docstring):
    `rungs(up_to)` lists the rungs up to an iteration count, `keep(n)` how many of n
    runs at a rung go on."""
    et, signs = config.early_terminate, objective_signs(config)
    histories = {r.id: oriented_vectors(r, signs) for r in runs}
    all_rungs = rungs(max((len(h) for h in histories.values()), default=0))
    standings: dict[int, dict[str, tuple[int, float]]] = {}
    out = []
    for run in stoppable(runs):
        reached = [r for r in all_rungs if r <= len(histories[run.id])]
        if not reached:
            continue
        rung = reached[-1]
        if rung not in standings:
            standings[rung] = _standing(histories, rung, et.strict)
        standing = standings[rung]
        limit = sorted(standing.values())[keep(len(standing)) - 1]
        if standing[run.id] > limit:
            out.append(_decision(config, kind, run.id, rung, standing, limit, keep, signs,
                                 vector_at(histories[run.id], rung, et.strict)))
    return out


def _standing(histories: dict[str, np.ndarray], rung: int,
              strict: bool) -> dict[str, tuple[int, float]]:
    """Run id -> (rank, -crowding) of every run that reached the rung."""
    ids = [rid for rid, h in histories.items() if len(h) >= rung]
    points = np.array([vector_at(histories[rid], rung, strict) for rid in ids])
    return dict(zip(ids, halving_keys(points)))


def _decision(config: SweepConfig, kind: str, run_id: str, rung: int,
              standing: dict[str, tuple[int, float]], limit: tuple[int, float], keep: Callable[[int], int],
              signs: np.ndarray, vector: np.ndarray) -> StopDecision:
    et, n = config.early_terminate, len(standing)
    shown = ", ".join(f"{o.name} {s * v:g}" for o, s, v in zip(config.metrics, signs, vector))
    which = f"its {nth(rung)} values" if et.strict else f"its best of {rung} values"
    return StopDecision(
        run_id=run_id, band=rung, value=None, threshold=None,
        message=(
            f"{kind}: ({shown}) ({which}) is not in the best {keep(n)} of the {n} runs that "
            f"reached {rung} values by non-dominated rank (its rank {standing[run_id][0]}, the "
            f"last run kept has rank {limit[0]}; eta {et.eta:g})"
        ),
    )


def asha_keep(eta: float) -> Callable[[int], int]:
    return lambda n: max(1, math.ceil(n / eta - 1e-9))


def hyperband_keep(eta: float) -> Callable[[int], int]:
    return lambda n: min(n, int(n / eta) + 1)
