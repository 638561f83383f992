"""`method: bayes` with several objectives (`metrics`): expected hypervolume improvement.

Called by `bayes_search` when the config has `metrics`; like it, a pure function of
(config, runs, n, rng) that fits its models afresh on every call. It shares the
space, the kernel and its fit, the candidates and the snapping with single-objective
bayes (bayes.py); what differs:

- **Observations.** A run's objectives follow `run_objectives` (the best value of
  each it logged, else its summary's), in minimising form. Finished and stopped runs
  with every objective are observations; failed and crashed runs, and finished runs
  missing some objective, get the worst value observed of each objective they lack;
  stopped runs missing one carry no information and are left out. Pending and
  running runs are pending, as in single-objective bayes.
- **Models.** One Gaussian process per objective, on that objective standardised,
  with bayes.py's kernel and likelihood fit, conditioned on at most `MAX_TRAIN`
  observations (the lowest non-dominated ranks first, then the most recent).
- **Pending runs** are fantasised at each model's posterior mean (kriging believer):
  every model is conditioned on them and the fantasised vectors join the front the
  improvement is measured against, so parallel agents get different points; so does
  each suggestion of one call before the next is chosen.
- **Acquisition.** Expected hypervolume improvement (EHVI) over the front of the
  observed and fantasised vectors, in the standardised space, against a reference
  point: each objective's threshold where it has one, else its worst value plus
  `REFERENCE_MARGIN` of its range. EHVI is exact for independent Gaussian
  posteriors: the region the front does not dominate is cut into boxes (`_boxes`),
  and in a box the expected improvement is a product of one-dimensional closed forms
  (`_psi`). With
  three or four objectives the front the boxes are cut from is thinned to
  `MAX_BOX_FRONT` points (the most spread out, by crowding distance) to bound the
  number of boxes.
- **Candidates.** As single-objective bayes: draws from the parameters' own
  distributions plus perturbations of up to `SEEDS` front runs. Then the best
  `REFINE_STARTS` are refined by a compass search on EHVI (numeric columns stepped
  up and down, which reaches the bounds exactly, where fronts often lie; each
  categorical tried at every value); the best `RESCORE_POOL` are snapped to what
  would run and scored again, and the best of those not already run or suggested is
  the suggestion.

Why EHVI rather than random scalarisations (ParEGO) over one GP:
docs/search-and-stopping.md ("bayes with several objectives").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from sweepd.config import SweepConfig, flatten, nest
from sweepd.controller.search.base import SearchResult, Suggestion
from sweepd.domain import Run, RunState
from sweepd.multiobjective import crowding_distances, pareto_ranks, run_objectives
from sweepd.sampling import sample_feasible

from . import bayes

MIN_OBSERVED = 2  # runs with every objective before the models are used
MAX_TRAIN = 300  # observations each model is conditioned on, at most
SEEDS = 8  # front runs whose neighbourhoods are searched
# of each objective's range, beyond its worst value: room for the front to grow
# past the values seen (0.1 kept the front's ends from spreading on ZDT1; 0.3 and 1.0
# did equally well)
REFERENCE_MARGIN = 0.3
MAX_BOX_FRONT = {2: 10_000, 3: 40, 4: 12}  # front points the boxes are cut from
CHUNK = 256  # candidates scored at a time
REFINE_STARTS = 5  # best candidates refined by a local search
REFINE_ROUNDS = 12
REFINE_STEP = 0.1  # the local search's first step, in [0, 1] units
RESCORE_POOL = 64  # best candidates snapped and scored again


@dataclass
class _Observed:
    x: np.ndarray  # observations and imputed failures, (m, dim)
    y: np.ndarray  # their objectives in minimising form, (m, k)
    recency: np.ndarray  # run numbers, for choosing a training subset
    seen: int  # the first `seen` rows are real observations
    pending: np.ndarray  # (p, dim)
    keys: set[str]


def suggest_several(config: SweepConfig, runs: Sequence[Run], n: int,
                    rng: np.random.Generator, space) -> SearchResult:
    """`n` suggestions for a multi-objective sweep (module docstring)."""
    data = _observations(config, runs, space)
    if data.seen < MIN_OBSERVED:
        return bayes._random(
            config, n, rng,
            f"random: {data.seen} of the {MIN_OBSERVED} runs with a value of every "
            "objective that bayes needs before it models them")
    return SearchResult(suggestions=_suggest(config, space, data, n, rng))


# ---------------------------------------------------------------- observations


def _signs(config: SweepConfig) -> np.ndarray:
    return np.array([-1.0 if o.goal == "maximize" else 1.0 for o in config.metrics])


def _observations(config: SweepConfig, runs: Sequence[Run], space) -> _Observed:
    signs, k = _signs(config), len(config.metrics)
    seen_x, seen_y, seen_order, failed_x, failed_y, failed_order = [], [], [], [], [], []
    pending, keys = [], set()
    for position, run in enumerate(runs):
        try:
            flat = flatten(run.config, config)
            x = space.encode(flat)
        except (KeyError, ValueError, TypeError):
            continue  # the run's config does not fit the current parameters
        keys.add(bayes._key(flat))
        rank = run.number or position
        if run.state in (RunState.PENDING, RunState.RUNNING):
            pending.append(x)
            continue
        values = run_objectives(run, config.metrics)
        if values is not None and run.state in (RunState.FINISHED, RunState.STOPPED):
            seen_x.append(x)
            seen_y.append(signs * np.array(values))
            seen_order.append(rank)
        elif run.state is not RunState.STOPPED:
            failed_x.append(x)
            failed_y.append(_partial(run, config, signs))
            failed_order.append(rank)
    seen = np.array(seen_y).reshape(-1, k)
    worst = seen.max(axis=0) if len(seen) else np.zeros(k)
    imputed = np.array(failed_y).reshape(-1, k)
    imputed = np.where(np.isnan(imputed), worst, imputed)
    return _Observed(
        x=np.array(seen_x + failed_x).reshape(-1, space.dim),
        y=np.vstack([seen, imputed]),
        recency=np.array(seen_order + failed_order, dtype=float),
        seen=len(seen),
        pending=np.array(pending[-bayes.MAX_PENDING:]).reshape(-1, space.dim),
        keys=keys,
    )


def _partial(run: Run, config: SweepConfig, signs: np.ndarray) -> np.ndarray:
    """The objectives a failed run has (minimising), NaN for those it lacks."""
    out = np.full(len(signs), np.nan)
    for i, objective in enumerate(config.metrics):
        single = run_objectives(run, [objective])
        if single is not None:
            out[i] = signs[i] * single[0]
    return out


def _training_subset(data: _Observed) -> np.ndarray:
    """At most MAX_TRAIN rows: the lowest non-dominated ranks first, then the newest."""
    m = len(data.y)
    if m <= MAX_TRAIN:
        return np.arange(m)
    ranks = pareto_ranks(data.y)
    return np.lexsort((-data.recency, ranks))[:MAX_TRAIN]


# ---------------------------------------------------------------- models


class _Models:
    """One GP per objective on standardised values, conditioned on (x, y) and on the
    fantasies added since (kriging believer)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, rng: np.random.Generator):
        self.center = y.mean(axis=0)
        spread = y.std(axis=0)
        self.scale = np.where(spread > 1e-12 * np.maximum(1.0, np.abs(self.center)), spread, 1.0)
        if not (np.all(np.isfinite(self.center)) and np.all(np.isfinite(self.scale))):
            raise ValueError("non-finite objective values")
        self.x, self.y = x, (y - self.center) / self.scale
        self.gps = [bayes._condition(bayes._fit(x, self.y[:, j], rng), x, self.y[:, j])
                    for j in range(y.shape[1])]

    def standardise(self, y: np.ndarray) -> np.ndarray:
        return (y - self.center) / self.scale

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior means and standard deviations, (len(x), k) each."""
        out = [gp.predict(x, return_std=True) for gp in self.gps]
        mean = np.column_stack([m for m, _ in out])
        std = np.column_stack([s for _, s in out])
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std))):
            raise ValueError("the model predicts non-finite values")
        return mean, std

    def fantasise(self, x: np.ndarray) -> np.ndarray:
        """Conditions every model on x at its own posterior mean; returns those means."""
        mean, _ = self.predict(x)
        self.x, self.y = np.vstack([self.x, x]), np.vstack([self.y, mean])
        self.gps = [bayes._condition(gp, self.x, self.y[:, j]) for j, gp in enumerate(self.gps)]
        return mean


# ---------------------------------------------------------------- acquisition


def _reference(config: SweepConfig, models: _Models, y: np.ndarray) -> np.ndarray:
    """Per objective (standardised, like `y`): its threshold, else its worst value in
    `y` plus a margin."""
    low, high = y.min(axis=0), y.max(axis=0)
    ref = high + REFERENCE_MARGIN * np.where(high > low, high - low, 1.0)
    for j, (objective, sign) in enumerate(zip(config.metrics, _signs(config))):
        if objective.threshold is not None:
            ref[j] = (sign * objective.threshold - models.center[j]) / models.scale[j]
    return ref


def _thinned(front: np.ndarray) -> np.ndarray:
    """At most MAX_BOX_FRONT[k] front points, the most spread out first."""
    limit = MAX_BOX_FRONT.get(front.shape[1], 12)
    if len(front) <= limit:
        return front
    order = np.argsort(-crowding_distances(front), kind="stable")
    return front[order[:limit]]


def _boxes(front: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint boxes (lower, upper; lower may be -inf) covering what the points do
    not dominate below the reference: a grid over the first k - 1 objectives at the
    points' coordinates, each cell's column open below and closed above at the best
    last objective of the points dominating the cell's lower corner."""
    k = len(ref)
    points = front[np.all(front < ref, axis=1)]
    grids = [np.concatenate([[-np.inf], np.unique(points[:, d]), [ref[d]]]) for d in range(k - 1)]
    lows = np.stack(np.meshgrid(*[g[:-1] for g in grids], indexing="ij"), -1).reshape(-1, k - 1)
    highs = np.stack(np.meshgrid(*[g[1:] for g in grids], indexing="ij"), -1).reshape(-1, k - 1)
    covers = np.all(points[None, :, : k - 1] <= lows[:, None, :], axis=2)
    last = np.where(covers, points[None, :, k - 1], ref[k - 1]).min(axis=1, initial=ref[k - 1])
    lower = np.column_stack([lows, np.full(len(lows), -np.inf)])
    upper = np.column_stack([highs, last])
    return lower, upper


def _psi(lower: np.ndarray, upper: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """E[max(0, upper - max(Y, lower))] for Y ~ N(mean, std^2), elementwise."""
    from scipy.special import ndtr

    bounded = np.isfinite(lower)
    floor = np.where(bounded, lower, 0.0)  # an open lower side has nothing below it
    a, b = (floor - mean) / std, (upper - mean) / std
    cdf_a, cdf_b = np.where(bounded, ndtr(a), 0.0), ndtr(b)
    pdf_a = np.where(bounded, np.exp(-0.5 * a * a), 0.0) / math.sqrt(2 * math.pi)
    pdf_b = np.exp(-0.5 * b * b) / math.sqrt(2 * math.pi)
    # Y below the box: the whole side; Y inside it: upper - Y
    return (upper - floor) * cdf_a + (upper - mean) * (cdf_b - cdf_a) + std * (pdf_b - pdf_a)


def expected_hypervolume_improvement(mean: np.ndarray, std: np.ndarray, lower: np.ndarray,
                                     upper: np.ndarray) -> np.ndarray:
    """EHVI of each row of (mean, std) (independent Gaussians) over the boxes."""
    std = np.maximum(std, 1e-9)
    out = np.empty(len(mean))
    for start in range(0, len(mean), CHUNK):
        m, s = mean[start : start + CHUNK, None, :], std[start : start + CHUNK, None, :]
        out[start : start + CHUNK] = np.prod(_psi(lower[None], upper[None], m, s), axis=2).sum(1)
    return out


# ---------------------------------------------------------------- suggestions


def _suggest(config: SweepConfig, space, data: _Observed, n: int,
             rng: np.random.Generator) -> list[Suggestion]:
    chosen = _training_subset(data)
    models = _Models(data.x[chosen], data.y[chosen], rng)
    observed = models.standardise(data.y[: data.seen])
    ref = _reference(config, models, observed)
    front = [observed[pareto_ranks(observed) == 0]]
    if len(data.pending):
        front.append(models.fantasise(data.pending))
    seeds = data.x[: data.seen][pareto_ranks(observed) == 0]
    seeds = seeds[rng.permutation(len(seeds))[:SEEDS]]
    candidates = np.vstack([space.sample(rng, bayes.RANDOM_CANDIDATES), space.perturb(seeds, rng)])
    if space.structure.constraints:
        candidates = candidates[[space.structure.feasible(space.decode(c)) for c in candidates]]
    keys = set(data.keys)
    context = f"{data.seen} runs with every objective, {len(data.pending)} pending"
    out: list[Suggestion] = []
    for _ in range(n):
        points = np.vstack(front)
        lower, upper = _boxes(_thinned(points[pareto_ranks(points) == 0]), ref)
        pick = _best_new(models, space, candidates, lower, upper, keys) if len(candidates) else None
        if pick is None:
            draw = sample_feasible(config, rng)
            if draw.config is None:
                if not out:
                    raise bayes._Infeasible(draw.failure(config))
                break
            flat = flatten(draw.config, config)
            x = space.encode(flat)
            note = f"random: every promising point has been tried ({context})"
        else:
            x, flat, ehvi, mean = pick
            note = _note(config, models, ehvi, mean, context)
        keys.add(bayes._key(flat))
        out.append(Suggestion(config=nest(flat, config), note=note))
        front.append(models.fantasise(x[None, :]))
    return out


def _best_new(models: _Models, space, candidates: np.ndarray, lower: np.ndarray,
              upper: np.ndarray, keys: set[str]):
    """The best few candidates are refined by a local search; the RESCORE_POOL best
    are snapped to what would run and scored again; of those that are not a config
    already run or suggested, the one of highest EHVI: (x, flat config, ehvi,
    predicted mean), or None when there is none."""
    def score(x: np.ndarray) -> np.ndarray:
        mean, std = models.predict(x)
        return expected_hypervolume_improvement(mean, std, lower, upper)

    values = score(candidates)
    starts = candidates[np.argsort(-values, kind="stable")[:REFINE_STARTS]]
    refined = _refine(score, space, starts)
    candidates = np.vstack([refined, candidates])
    ranked = np.argsort(-np.concatenate([score(refined), values]), kind="stable")
    fresh: dict[str, tuple[np.ndarray, dict]] = {}
    for i in ranked[:RESCORE_POOL]:
        x, flat = space.snap(candidates[i])
        key = bayes._key(flat)
        if key not in keys and key not in fresh and space.structure.feasible(flat):
            fresh[key] = (x, flat)
    if not fresh:
        return None
    snapped = list(fresh.values())
    mean, std = models.predict(np.array([x for x, _ in snapped]))
    ehvi = expected_hypervolume_improvement(mean, std, lower, upper)
    j = int(np.argmax(ehvi))
    return snapped[j][0], snapped[j][1], float(ehvi[j]), mean[j]


def _refine(score, space, starts: np.ndarray) -> np.ndarray:
    """A compass search on `score` from each start. A round tries, from each point, a
    step up and down along each numeric column (clipped to [0, 1], so bounds are
    reached exactly) and every other value of each categorical; the point moves to its
    best neighbour when that scores higher, else its step is halved."""
    if not len(starts) or not space.columns:
        return starts
    x, best = starts.copy(), score(starts)
    step = np.full(len(x), REFINE_STEP)
    rows = np.arange(len(x))
    for _ in range(REFINE_ROUNDS):
        near = _neighbours(space, x, step)  # (points, neighbours, dim)
        flat = space.mask_inactive(near.reshape(-1, x.shape[1]))
        values = score(flat).reshape(near.shape[:2])
        j = np.argmax(values, axis=1)
        better = values[rows, j] > best
        x[better] = flat.reshape(near.shape)[better, j[better]]
        best = np.where(better, values[rows, j], best)
        step = np.where(better, step, step / 2)
    return x


def _neighbours(space, x: np.ndarray, step: np.ndarray) -> np.ndarray:
    """For each row of x: ± step along each numeric column, and each categorical set
    to each of its values (one-hot)."""
    out = []
    for c in space.columns:
        if c.width == 1:
            for sign in (1.0, -1.0):
                moved = x.copy()
                moved[:, c.start] = np.clip(moved[:, c.start] + sign * step, 0.0, 1.0)
                out.append(moved)
        else:
            for value in range(c.width):
                moved = x.copy()
                moved[:, c.start : c.start + c.width] = 0.0
                moved[:, c.start + value] = 1.0
                out.append(moved)
    return np.stack(out, axis=1)


def _note(config: SweepConfig, models: _Models, ehvi: float, mean: np.ndarray,
          context: str) -> str:
    predicted = _signs(config) * (mean * models.scale + models.center)
    shown = ", ".join(f"{o.name} {v:.4g}" for o, v in zip(config.metrics, predicted))
    return f"bayes: expected hypervolume improvement {ehvi:.3g}, predicted {shown} ({context})"
