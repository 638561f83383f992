"""Bayesian optimisation: a Gaussian process of the metric given the parameters.

`bayes_search` is, like every search method, a pure function of (config, runs, n,
rng); it fits its model afresh from the runs on each call and keeps nothing between
calls. How it works (docs/search-and-stopping.md says more, and how it differs from
W&B's engine):

- **Space.** Every leaf parameter (nested ones by dotted path) that can vary gets
  columns in [0, 1]: one column `sweepd.sampling.to_unit(spec, value)` (the CDF, so
  log distributions are modelled in log space and int_uniform values sit at the middle
  of their slice) for numeric distributions, one 0/1 column per value (one-hot) for
  categoricals with at least two values. Constants and one-value categoricals are
  left out of the model and put back into every suggestion.
- **Observations.** A run's objective is the best value of its metric history
  (lowest for minimize, highest for maximize; the model always minimises, so
  maximize values are negated), or its summary value when it has no history.
  Failed and crashed runs, and finished runs that never logged the metric, get the
  worst objective seen. Pending and running runs are "pending": they enter the model
  at its posterior mean ("kriging believer"), and so does each suggestion of the
  same call before the next is chosen, so parallel agents get different points.
  Stopped runs without a value carry no information and are left out; runs whose
  config does not fit the current parameters are left out too.
- **Model.** scikit-learn's GaussianProcessRegressor on standardised objectives
  with kernel `Constant * Matern(nu=2.5, one length scale per column) + White`,
  hyperparameters fitted by L-BFGS-B with a bounded number of iterations. The
  training set is capped at `MAX_TRAIN` runs: the `KEEP_BEST` best, then the most
  recent and a random draw of the rest, half each.
- **Acquisition.** Expected improvement over the best objective observed, maximised
  over `RANDOM_CANDIDATES` draws from the parameters' own distributions plus
  Gaussian perturbations of the best `LOCAL_SEEDS` runs. The best few candidates are
  snapped onto what would actually run (`from_unit` then `to_unit`: integers and
  quantised values) and scored again; a config already run or suggested is skipped
  while another promising one exists.
- **Fallbacks.** Until `MIN_OBSERVED` runs have finished with a value the
  suggestions are random draws, and their note says so. A model that cannot be
  fitted gives random draws with the note "random fallback: <reason>".
"""

from __future__ import annotations

import copy
import functools
import json
import math
import warnings
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from sweepd.config import ParameterSpec, SweepConfig, flat_parameters, flatten, nest
from sweepd.controller.search.base import SearchResult, Suggestion, register
from sweepd.domain import Run, RunState
from sweepd.sampling import from_unit, sample_config, to_unit

MIN_OBSERVED = 2  # runs with a value before the model is used
MAX_TRAIN = 300  # observations the GP is fitted on, at most
KEEP_BEST = 150  # of which always the best ones
FIT_N = 80  # observations the kernel's hyperparameters are fitted on, at most
MAX_PENDING = 200  # pending runs fantasised, at most (the most recent)
RANDOM_CANDIDATES = 1500
LOCAL_SEEDS = 5  # best runs whose neighbourhoods are searched
LOCAL_CANDIDATES = 60  # per seed and scale
LOCAL_SCALES = (0.02, 0.1)  # standard deviations of the perturbations, in [0, 1] units
RESCORE_TOP = 16  # candidates snapped onto runnable values and scored again
XI = 0.01  # EI's exploration margin, in standardised units
OPTIMIZER_MAXITER = 40
CATEGORICAL = ("categorical", "categorical_w_probabilities")


@register("bayes", history="full")
def bayes_search(
    config: SweepConfig, runs: Sequence[Run], n: int, rng: np.random.Generator
) -> SearchResult:
    """`n` suggestions, each the expected-improvement maximiser given the runs and the
    suggestions before it (see the module docstring)."""
    n = max(n, 0)
    if n == 0:
        return SearchResult()
    space = _Space.of(config)
    if space.dim == 0:
        return _random(config, n, rng, "random: no parameter varies, nothing to model")
    data = _observations(config, runs, space)
    if data.with_value < MIN_OBSERVED:
        return _random(
            config, n, rng,
            f"random: {data.with_value} of the {MIN_OBSERVED} runs with a value of "
            f"{config.metric.name!r} that bayes needs before it models the metric",
        )
    try:
        # One BLAS thread: the matrices are small, and threads fighting over busy
        # cores made a suggestion ten times slower.
        with _blas().limit(limits=1), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sklearn's ConvergenceWarning at a bound
            return SearchResult(suggestions=_suggest(config, space, data, n, rng))
    except (ValueError, np.linalg.LinAlgError, FloatingPointError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        return _random(config, n, rng, f"random fallback: {reason}")


@functools.lru_cache(maxsize=1)
def _blas():
    """threadpoolctl's view of the loaded BLAS libraries (finding them takes ~40 ms)."""
    import sklearn.gaussian_process  # noqa: F401  (loads scipy's and numpy's BLAS)
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _random(config: SweepConfig, n: int, rng: np.random.Generator, note: str) -> SearchResult:
    return SearchResult([Suggestion(config=sample_config(config, rng), note=note) for _ in range(n)])


# ---------------------------------------------------------------- the space


@dataclass(frozen=True)
class _Column:
    name: str  # dotted parameter name
    spec: ParameterSpec
    start: int  # first column in the encoded vector
    width: int  # 1 for numeric, one per value for categoricals


class _Space:
    """The map between flat run configs and vectors in [0, 1]^dim."""

    def __init__(self, leaves: dict[str, ParameterSpec], columns: list[_Column], dim: int):
        self.leaves, self.columns, self.dim = leaves, columns, dim
        self._weights = {
            c.name: _category_weights(c.spec) for c in columns if c.spec.distribution in CATEGORICAL
        }

    @classmethod
    def of(cls, config: SweepConfig) -> _Space:
        leaves = flat_parameters(config)
        columns, dim = [], 0
        for name, spec in leaves.items():
            if spec.distribution == "constant":
                continue
            if spec.distribution in CATEGORICAL:
                if len(spec.values) < 2:
                    continue
                width = len(spec.values)
            else:
                width = 1
            columns.append(_Column(name, spec, dim, width))
            dim += width
        return cls(leaves, columns, dim)

    def encode(self, flat: dict[str, Any]) -> np.ndarray:
        """Raises KeyError, ValueError or TypeError when the config does not fit."""
        x = np.zeros(self.dim)
        for c in self.columns:
            value = flat[c.name]
            if c.width == 1:
                x[c.start] = to_unit(c.spec, value)
            else:
                x[c.start + _category_index(c.spec, value)] = 1.0
        if not np.all(np.isfinite(x)):
            raise ValueError("non-finite coordinate")
        return x

    def decode(self, x: np.ndarray) -> dict[str, Any]:
        """The flat run config at x, constants included."""
        flat = {name: sample_constant(spec) for name, spec in self.leaves.items()}
        for c in self.columns:
            if c.width == 1:
                flat[c.name] = from_unit(c.spec, float(x[c.start]))
            else:
                flat[c.name] = c.spec.values[int(np.argmax(x[c.start : c.start + c.width]))]
        return flat

    def sample(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """`count` points drawn from the parameters' own distributions (uniform in u)."""
        x = np.zeros((count, self.dim))
        for c in self.columns:
            if c.width == 1:
                x[:, c.start] = rng.random(count)
            else:
                picks = rng.choice(c.width, size=count, p=self._weights[c.name])
                x[np.arange(count), c.start + picks] = 1.0
        return x

    def perturb(self, seeds: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Gaussian steps around each seed at each scale; a categorical is redrawn
        with probability 1 / (number of parameters)."""
        blocks = []
        p_redraw = 1.0 / max(1, len(self.columns))
        for scale in LOCAL_SCALES:
            x = np.repeat(seeds, LOCAL_CANDIDATES, axis=0)
            m = len(x)
            for c in self.columns:
                if c.width == 1:
                    x[:, c.start] = np.clip(x[:, c.start] + rng.normal(0, scale, m), 0.0, 1.0)
                else:
                    redraw = np.flatnonzero(rng.random(m) < p_redraw)
                    picks = rng.choice(c.width, size=len(redraw), p=self._weights[c.name])
                    x[redraw, c.start : c.start + c.width] = 0.0
                    x[redraw, c.start + picks] = 1.0
            blocks.append(x)
        return np.vstack(blocks)

    def snap(self, x: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
        """The point that would actually run (integers, quantised values), and its config."""
        flat = self.decode(x)
        return self.encode(flat), flat


def sample_constant(spec: ParameterSpec) -> Any:
    """A leaf's value when the model leaves it out (constants, one-value categoricals)."""
    if spec.distribution == "constant":
        return copy.deepcopy(spec.value)
    if spec.distribution in CATEGORICAL and spec.values:
        return spec.values[0]
    return None


def _category_weights(spec: ParameterSpec) -> np.ndarray:
    if spec.distribution == "categorical_w_probabilities":
        w = np.asarray(spec.probabilities, dtype=float)
    else:
        w = np.ones(len(spec.values))
    return w / w.sum()


def _category_index(spec: ParameterSpec, value: Any) -> int:
    """Index of value among spec.values; 1 and True and 1.0 are told apart when the
    values hold more than one of them."""
    for i, candidate in enumerate(spec.values):
        if type(candidate) is type(value) and candidate == value:
            return i
    for i, candidate in enumerate(spec.values):
        if candidate == value:
            return i
    raise ValueError(f"{value!r} is not one of {list(spec.values)!r}")


# ---------------------------------------------------------------- observations


@dataclass
class _Data:
    x: np.ndarray  # observed points (values and imputed failures), (m, dim)
    y: np.ndarray  # their objectives, lower is better
    recency: np.ndarray  # run numbers (or positions), for choosing a training subset
    seen_y: np.ndarray  # objectives of the runs with a real value
    seen_x: np.ndarray
    pending: np.ndarray  # (p, dim)
    keys: set[str]  # every config already run or pending
    with_value: int


def _objective(run: Run, metric: str | None, sign: float) -> float | None:
    """Best finite value of the run's history (summary when it has none), signed so
    that lower is better; None when the run has none."""
    values = [v for v in run.history if _finite(v)]
    if not values and metric is not None and _finite(run.summary.get(metric)):
        values = [run.summary[metric]]
    return min(sign * float(v) for v in values) if values else None


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _observations(config: SweepConfig, runs: Sequence[Run], space: _Space) -> _Data:
    sign = -1.0 if config.metric.goal == "maximize" else 1.0
    xs, ys, order, failed, failed_order, pending, pending_order = [], [], [], [], [], [], []
    keys: set[str] = set()
    for position, run in enumerate(runs):
        try:
            flat = flatten(run.config, config)
            x = space.encode(flat)
        except (KeyError, ValueError, TypeError):
            continue  # the run's config does not fit the current parameters
        keys.add(_key(flat))
        rank = run.number or position
        if run.state in (RunState.PENDING, RunState.RUNNING):
            pending.append(x)
            pending_order.append(rank)
            continue
        value = _objective(run, config.metric.name, sign)
        if value is not None and run.state in (RunState.FINISHED, RunState.STOPPED):
            xs.append(x)
            ys.append(value)
            order.append(rank)
        elif run.state in (RunState.FAILED, RunState.CRASHED, RunState.FINISHED):
            failed.append(x)
            failed_order.append(rank)
    seen_x = np.array(xs).reshape(-1, space.dim)
    seen_y = np.array(ys, dtype=float)
    worst = seen_y.max() if len(seen_y) else 0.0
    if len(pending) > MAX_PENDING:
        newest = np.argsort(pending_order)[-MAX_PENDING:]
        pending = [pending[i] for i in newest]
    return _Data(
        x=np.array(xs + failed).reshape(-1, space.dim),
        y=np.concatenate([seen_y, np.full(len(failed), worst)]),
        recency=np.array(order + failed_order, dtype=float),
        seen_y=seen_y,
        seen_x=seen_x,
        pending=np.array(pending).reshape(-1, space.dim),
        keys=keys,
        with_value=len(seen_y),
    )


def _key(flat: dict[str, Any]) -> str:
    return json.dumps(flat, sort_keys=True, default=repr)


def _training_subset(data: _Data, rng: np.random.Generator) -> np.ndarray:
    """Indices of at most MAX_TRAIN observations: the best, the newest, a random rest."""
    m = len(data.y)
    if m <= MAX_TRAIN:
        return np.arange(m)
    by_value = np.argsort(data.y, kind="stable")
    best, rest = by_value[:KEEP_BEST], by_value[KEEP_BEST:]
    room = MAX_TRAIN - KEEP_BEST
    newest = rest[np.argsort(data.recency[rest], kind="stable")[-(room // 2):]]
    others = np.setdiff1d(rest, newest)
    drawn = rng.choice(others, size=room - len(newest), replace=False)
    return np.concatenate([best, newest, drawn])


# ---------------------------------------------------------------- model and acquisition


def _optimizer(obj_func, initial_theta, bounds):
    from scipy.optimize import minimize

    result = minimize(
        obj_func, initial_theta, method="L-BFGS-B", jac=True, bounds=bounds,
        options={"maxiter": OPTIMIZER_MAXITER, "ftol": 1e-6},
    )
    return result.x, result.fun


def _fit(x: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    """A GP with hyperparameters fitted on at most FIT_N of the points (the best half
    and a random half: the likelihood's gradient costs n^2 per length scale)."""
    if len(y) > FIT_N:
        order = np.argsort(y, kind="stable")
        rest = rng.choice(order[FIT_N // 2 :], size=FIT_N - FIT_N // 2, replace=False)
        keep = np.concatenate([order[: FIT_N // 2], rest])
        x, y = x[keep], y[keep]
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    kernel = ConstantKernel(1.0, (1e-2, 1e2)) * Matern(
        length_scale=np.full(x.shape[1], 0.5), length_scale_bounds=(1e-2, 2e1), nu=2.5
    ) + WhiteKernel(1e-3, (1e-8, 1e-1))
    gp = GaussianProcessRegressor(
        kernel=kernel, optimizer=_optimizer, n_restarts_optimizer=1 if len(y) <= 60 else 0,
        normalize_y=False, random_state=int(rng.integers(2**31)),
    )
    return gp.fit(x, y)


def _condition(gp, x: np.ndarray, y: np.ndarray):
    """The same kernel (hyperparameters fixed) conditioned on other data."""
    from sklearn.gaussian_process import GaussianProcessRegressor

    return GaussianProcessRegressor(kernel=gp.kernel_, optimizer=None).fit(x, y)


def _expected_improvement(mean: np.ndarray, std: np.ndarray, best: float) -> np.ndarray:
    from scipy.special import ndtr

    std = np.maximum(std, 1e-9)
    improvement = best - mean - XI
    z = improvement / std
    return improvement * ndtr(z) + std * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def _suggest(
    config: SweepConfig, space: _Space, data: _Data, n: int, rng: np.random.Generator
) -> list[Suggestion]:
    chosen = _training_subset(data, rng)
    x_train, y_raw = data.x[chosen], data.y[chosen]
    center, scale = float(y_raw.mean()), float(y_raw.std())
    if not math.isfinite(center) or not math.isfinite(scale):
        raise ValueError("non-finite objective values")
    scale = scale if scale > 1e-12 * max(1.0, abs(center)) else 1.0
    y_train = (y_raw - center) / scale
    best = (float(data.seen_y.min()) - center) / scale

    gp = _fit(x_train, y_train, rng)
    if len(y_train) > FIT_N:
        gp = _condition(gp, x_train, y_train)
    x_fit, y_fit = x_train, y_train
    if len(data.pending):
        x_fit = np.vstack([x_fit, data.pending])
        y_fit = np.concatenate([y_fit, gp.predict(data.pending)])
        gp = _condition(gp, x_fit, y_fit)

    seeds = data.seen_x[np.argsort(data.seen_y, kind="stable")[:LOCAL_SEEDS]]
    candidates = np.vstack([space.sample(rng, RANDOM_CANDIDATES), space.perturb(seeds, rng)])
    keys = set(data.keys)
    sign = -1.0 if config.metric.goal == "maximize" else 1.0
    context = f"{data.with_value} runs with a value, {len(data.pending)} pending"

    out: list[Suggestion] = []
    for i in range(n):
        mean, std = gp.predict(candidates, return_std=True)
        if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std))):
            raise ValueError("the model predicts non-finite values")
        ranked = np.argsort(-_expected_improvement(mean, std, best), kind="stable")
        pick = _best_new(gp, space, candidates, ranked, best, keys)
        if pick is None:
            flat = flatten(sample_config(config, rng), config)
            x = space.encode(flat)
            note = f"random: every promising point has been tried ({context})"
        else:
            x, flat, ei, mu, sd = pick
            predicted = sign * (mu * scale + center)
            note = (
                f"bayes: expected improvement {ei * scale:.3g}, predicted "
                f"{config.metric.name} {predicted:.4g} ± {sd * scale:.3g} ({context})"
            )
        keys.add(_key(flat))
        out.append(Suggestion(config=nest(flat, config), note=note))
        if i + 1 < n:  # kriging believer: pretend x came back at the predicted mean
            x_fit = np.vstack([x_fit, x])
            y_fit = np.append(y_fit, gp.predict(x[None, :])[0])
            gp = _condition(gp, x_fit, y_fit)
    return out


def _best_new(gp, space: _Space, candidates: np.ndarray, ranked: np.ndarray, best: float,
              keys: set[str]):
    """The candidate of highest EI after snapping that is not a config already run or
    suggested: (x, flat config, ei, mean, std), or None when the top ones all are."""
    for start in range(0, min(len(ranked), 4 * RESCORE_TOP), RESCORE_TOP):
        snapped = [space.snap(candidates[i]) for i in ranked[start : start + RESCORE_TOP]]
        fresh = [(x, flat) for x, flat in snapped if _key(flat) not in keys]
        if not fresh:
            continue
        xs = np.array([x for x, _ in fresh])
        mean, std = gp.predict(xs, return_std=True)
        ei = _expected_improvement(mean, std, best)
        j = int(np.argmax(ei))
        return fresh[j][0], fresh[j][1], float(ei[j]), float(mean[j]), float(std[j])
    return None
