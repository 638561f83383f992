"""Bayesian optimisation: a Gaussian process of the metric given the parameters.

`bayes_search` is, like every search method, a pure function of (config, runs, n,
rng); it fits its model afresh from the runs on each call and keeps nothing between
calls. A sweep with several objectives (`metrics`) is handed to bayes_mo.py. How
it works (docs/search-and-stopping.md says more, and how it differs from W&B's
engine):

- **Space.** Every leaf parameter (nested ones by dotted path) that can vary gets
  columns in [0, 1]: one column `sweepd.sampling.to_unit(spec, value)` (the CDF, so
  log distributions are modelled in log space and int_uniform values sit at the middle
  of their slice) for numeric distributions, one 0/1 column per value (one-hot) for
  categoricals with at least two values. Constants and one-value categoricals are
  left out of the model and put back into every suggestion.
  In a conditional space (`when`), an inactive parameter sits at the fixed coordinate
  `INACTIVE` (an inactive categorical's one-hot columns are all 0), in observations
  and candidates alike, so inactive dimensions are never fitted as values; every
  candidate's active set is recomputed from its parents after drawing or perturbing.
- **Constraints.** Candidates that break one are dropped before the acquisition (and
  checked again after snapping); random phases draw feasible configs by rejection,
  and a space where none can be drawn ends the search with the reason.
- **Observations.** A run's objective is the best value of its metric history
  (lowest for minimize, highest for maximize; the model always minimises, so
  maximize values are negated), or its summary value when it has no history.
  Failed and crashed runs, and finished runs that never logged the metric, get the
  worst objective of the runs with a value (not the worst single value ever logged,
  which for a loss is often the first step's and would swamp the model's scale).
  Pending and running runs are "pending": they enter the model at its posterior
  mean ("kriging believer"), and so does each suggestion of the same call before the
  next is chosen, so parallel agents get different points.
  Stopped runs without a value carry no information and are left out; runs whose
  config does not fit the current parameters are left out too.
- **Model.** scikit-learn's GaussianProcessRegressor on standardised objectives
  with kernel `Constant * Matern(nu=2.5, one length scale per column) + White`.
  The kernel's hyperparameters maximise the marginal likelihood of at most `FIT_N`
  observations (L-BFGS-B, at most `OPTIMIZER_MAXITER` iterations), computed by
  `negative_log_likelihood` here: the same value and gradient as sklearn's own,
  about ten times faster. The regressor is then conditioned, with those
  hyperparameters fixed, on at most `MAX_TRAIN` observations: the `KEEP_BEST` best,
  then the most recent and a random draw of the rest, half each.
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

import collections
import copy
import functools
import json
import math
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from sweepd.config import ParameterSpec, SweepConfig, flat_parameters, flatten, nest
from sweepd.controller.search.base import SearchResult, Suggestion, register
from sweepd.domain import Run, RunState
from sweepd.domain import finite_number as _finite
from sweepd.sampling import from_unit, sample_feasible, to_unit
from sweepd.space import Structure, same_value, structure_of

MIN_OBSERVED = 2  # runs with a value before the model is used
MAX_TRAIN = 300  # observations the GP is conditioned on, at most
KEEP_BEST = 150  # of which always the best ones
FIT_N = 80  # observations the kernel's hyperparameters are fitted on, at most
MAX_PENDING = 200  # pending runs fantasised, at most (the most recent)
RANDOM_CANDIDATES = 1000
LOCAL_SEEDS = 5  # best runs whose neighbourhoods are searched
LOCAL_CANDIDATES = 60  # per seed and scale
LOCAL_SCALES = (0.02, 0.1)  # standard deviations of the perturbations, in [0, 1] units
RESCORE_TOP = 16  # candidates snapped onto runnable values and scored again
XI = 0.01  # EI's exploration margin, in standardised units
OPTIMIZER_MAXITER = 50
FIT_FTOL = 1e-5  # relative change of the likelihood at which the fit stops
RESTART_BELOW = 60  # fewer observations than this: a second, random start of the fit
CATEGORICAL = ("categorical", "categorical_w_probabilities")
# The coordinate of an inactive numeric parameter (one-hot columns of an inactive
# categorical are all 0). Any fixed value keeps points of the same branch equal along
# that column; 0.5 is the one nearest, on average, to the active values, so it adds the
# least distance between branches on top of what the parent's own column says.
INACTIVE = 0.5


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
    if config.multi_objective:
        from . import bayes_mo  # it builds on this module

        return _modelled(config, n, rng,
                         lambda: bayes_mo.suggest_several(config, runs, n, rng, space))
    data = _observations(config, runs, space)
    if data.with_value < MIN_OBSERVED:
        return _random(
            config, n, rng,
            f"random: {data.with_value} of the {MIN_OBSERVED} runs with a value of "
            f"{config.metric.name!r} that bayes needs before it models the metric",
        )
    return _modelled(config, n, rng,
                     lambda: SearchResult(suggestions=_suggest(config, space, data, n, rng)))


def _modelled(config: SweepConfig, n: int, rng: np.random.Generator,
              suggest: Callable[[], SearchResult]) -> SearchResult:
    """suggest()'s result; random draws when the model fails, the reason when no
    config satisfying the constraints can be found."""
    try:
        # One BLAS thread: the matrices are small, and threads fighting over busy
        # cores made a suggestion ten times slower.
        with _blas().limit(limits=1), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sklearn's ConvergenceWarning at a bound
            return suggest()
    except _Infeasible as e:
        return SearchResult(exhausted=True, message=str(e))
    except (ValueError, np.linalg.LinAlgError, FloatingPointError) as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        return _random(config, n, rng, f"random fallback: {reason}")


class _Infeasible(Exception):
    """No config satisfying the constraints was found (the message says why)."""


@functools.lru_cache(maxsize=1)
def _blas():
    """threadpoolctl's view of the loaded BLAS libraries (finding them takes ~40 ms)."""
    import sklearn.gaussian_process  # noqa: F401  (loads scipy's and numpy's BLAS)
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _random(config: SweepConfig, n: int, rng: np.random.Generator, note: str) -> SearchResult:
    """n random draws (only active parameters, every constraint holding); exhausted
    with the reason when the constraints leave no config to be found by sampling."""
    draws = []
    for _ in range(n):
        draw = sample_feasible(config, rng)
        if draw.config is None:
            if draws:
                break
            return SearchResult(exhausted=True, message=draw.failure(config))
        draws.append(Suggestion(config=draw.config, note=note))
    return SearchResult(suggestions=draws)


# ---------------------------------------------------------------- the space


@dataclass(frozen=True)
class _Column:
    name: str  # dotted parameter name
    spec: ParameterSpec
    start: int  # first column in the encoded vector
    width: int  # 1 for numeric, one per value for categoricals


class _Space:
    """The map between flat run configs and vectors in [0, 1]^dim."""

    def __init__(self, leaves: dict[str, ParameterSpec], columns: list[_Column], dim: int,
                 structure: Structure):
        self.leaves, self.columns, self.dim = leaves, columns, dim
        self.structure = structure
        self.by_name = {c.name: c for c in columns}
        self._weights = {
            c.name: _category_weights(c.spec) for c in columns if c.spec.distribution in CATEGORICAL
        }

    @classmethod
    def of(cls, config: SweepConfig) -> _Space:
        structure = structure_of(config)
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
        return cls(leaves, columns, dim, structure)

    def encode(self, flat: dict[str, Any]) -> np.ndarray:
        """Raises KeyError, ValueError or TypeError when the config does not fit.
        Inactive parameters (absent from a conditional config) get INACTIVE / zeros."""
        x = np.zeros(self.dim)
        active = self.structure.active(flat) if self.structure.conditional else None
        for c in self.columns:
            if active is not None and c.name not in active:
                if c.name in flat:
                    raise ValueError(f"{c.name} is set but inactive")
                if c.width == 1:
                    x[c.start] = INACTIVE
                continue
            value = flat[c.name]
            if c.width == 1:
                x[c.start] = to_unit(c.spec, value)
            else:
                x[c.start + _category_index(c.spec, value)] = 1.0
        if not np.all(np.isfinite(x)):
            raise ValueError("non-finite coordinate")
        return x

    def decode(self, x: np.ndarray) -> dict[str, Any]:
        """The flat run config at x, constants included, inactive parameters left out."""
        flat = {name: sample_constant(spec) for name, spec in self.leaves.items()}
        for c in self.columns:
            if c.width == 1:
                flat[c.name] = from_unit(c.spec, float(x[c.start]))
            else:
                index = int(np.argmax(x[c.start : c.start + c.width]))
                flat[c.name] = copy.deepcopy(c.spec.values[index])
        return self.structure.prune(flat) if self.structure.conditional else flat

    def activity(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Leaf name -> which rows of x have it active (parents before children)."""
        masks: dict[str, np.ndarray] = {}
        for name in self.structure.order:
            mask = np.ones(len(x), dtype=bool)
            for parent, allowed in self.structure.conditions.get(name, ()):
                mask &= masks[parent] & self._takes(parent, x, allowed)
            masks[name] = mask
        return masks

    def _takes(self, parent: str, x: np.ndarray, allowed: tuple) -> np.ndarray:
        """Which rows hold one of `allowed` in the (discrete) parent's columns."""
        spec, c = self.leaves[parent], self.by_name.get(parent)
        if c is None:  # a constant or a one-value categorical
            hit = any(same_value(sample_constant(spec), a) for a in allowed)
            return np.full(len(x), hit)
        if c.width > 1:
            ok = [i for i, v in enumerate(spec.values) if any(same_value(v, a) for a in allowed)]
            return np.isin(np.argmax(x[:, c.start : c.start + c.width], axis=1), ok)
        count = spec.max - spec.min + 1  # int_uniform, as from_unit maps it
        values = spec.min + np.minimum((np.clip(x[:, c.start], 0, 1) * count).astype(int), count - 1)
        return np.isin(values, [a for a in allowed if not isinstance(a, bool)])

    def mask_inactive(self, x: np.ndarray, before: dict[str, np.ndarray] | None = None,
                      rng: np.random.Generator | None = None) -> np.ndarray:
        """x with every inactive parameter at its fixed coordinate; with `before` (the
        activity the rows had) and rng, a parameter that has just become active is
        drawn afresh instead of keeping the fixed coordinate."""
        if not self.structure.conditional:
            return x
        masks = self.activity(x)
        for c in self.columns:
            inactive = ~masks[c.name]
            x[inactive, c.start : c.start + c.width] = INACTIVE if c.width == 1 else 0.0
            if before is not None and rng is not None:
                fresh = np.flatnonzero(masks[c.name] & ~before[c.name])
                if len(fresh) and c.width == 1:
                    x[fresh, c.start] = rng.random(len(fresh))
                elif len(fresh):
                    picks = rng.choice(c.width, size=len(fresh), p=self._weights[c.name])
                    x[fresh, c.start : c.start + c.width] = 0.0
                    x[fresh, c.start + picks] = 1.0
        return x

    def sample(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """`count` points drawn from the parameters' own distributions (uniform in u)."""
        x = np.zeros((count, self.dim))
        for c in self.columns:
            if c.width == 1:
                x[:, c.start] = rng.random(count)
            else:
                picks = rng.choice(c.width, size=count, p=self._weights[c.name])
                x[np.arange(count), c.start + picks] = 1.0
        return self.mask_inactive(x)

    def perturb(self, seeds: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Gaussian steps around each seed at each scale; a categorical is redrawn
        with probability 1 / (number of parameters)."""
        blocks = []
        p_redraw = 1.0 / max(1, len(self.columns))
        for scale in LOCAL_SCALES:
            x = np.repeat(seeds, LOCAL_CANDIDATES, axis=0)
            before = self.activity(x) if self.structure.conditional else None
            m = len(x)
            for c in self.columns:
                if c.width == 1:
                    x[:, c.start] = np.clip(x[:, c.start] + rng.normal(0, scale, m), 0.0, 1.0)
                else:
                    redraw = np.flatnonzero(rng.random(m) < p_redraw)
                    picks = rng.choice(c.width, size=len(redraw), p=self._weights[c.name])
                    x[redraw, c.start : c.start + c.width] = 0.0
                    x[redraw, c.start + picks] = 1.0
            blocks.append(self.mask_inactive(x, before, rng))
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
        return copy.deepcopy(spec.values[0])
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
    that lower is better; None when the run has none. The stored best when there is
    one: it covers every value, a history cut by --metrics-maxlen does not."""
    if run.best is not None and _finite(run.best):
        return sign * float(run.best)
    values = [v for v in run.history if _finite(v)]
    if not values and metric is not None and _finite(run.summary.get(metric)):
        values = [run.summary[metric]]
    return min(sign * float(v) for v in values) if values else None


def _observations(config: SweepConfig, runs: Sequence[Run], space: _Space) -> _Data:
    sign = -1.0 if config.metric.goal == "maximize" else 1.0
    xs, ys, order, failed, failed_order, pending, pending_order = [], [], [], [], [], [], []
    keys: set[str] = set()
    encoded = _encodings(config)
    for position, run in enumerate(runs):
        hit = encoded.get(run.id)
        if hit is None or hit[0] is not run.config:
            hit = encoded[run.id] = (run.config, _encode(config, space, run.config))
        if hit[1] is None:
            continue  # the run's config does not fit the current parameters
        x, key = hit[1]
        keys.add(key)
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


def _encode(config: SweepConfig, space: "_Space", run_config: dict) -> tuple[np.ndarray, str] | None:
    """A run config's point and key, or None when it does not fit the parameters."""
    try:
        flat = flatten(run_config, config)
        return space.encode(flat), _key(flat)
    except (KeyError, ValueError, TypeError):
        return None


# Encodings of run configs, per sweep config object: a run's config never changes, so
# a sweep of 10,000 runs is encoded once, not at every suggestion. An entry holds the
# run's config object itself and is used only for that same object.
_ENCODED: "collections.OrderedDict[int, tuple[SweepConfig, dict]]" = collections.OrderedDict()
_ENCODED_CONFIGS = 16


def _encodings(config: SweepConfig) -> dict[str, tuple[dict, tuple[np.ndarray, str] | None]]:
    hit = _ENCODED.get(id(config))
    if hit is None or hit[0] is not config:
        hit = _ENCODED[id(config)] = (config, {})
        while len(_ENCODED) > _ENCODED_CONFIGS:
            _ENCODED.popitem(last=False)
    return hit[1]


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


# Kernel hyperparameters, in sklearn's order and log space: log amplitude, log length
# scale of each column, log noise. Bounds of the fit:
AMPLITUDE_BOUNDS = (1e-2, 1e2)
LENGTH_SCALE_BOUNDS = (1e-2, 2e1)
NOISE_BOUNDS = (1e-8, 1e-1)
JITTER = 1e-10  # sklearn's default `alpha`, added to the diagonal
_SQRT5 = math.sqrt(5.0)


def _kernel(theta: np.ndarray, fixed: bool = True):
    """The sklearn kernel `Constant * Matern(nu=2.5, ARD) + White` at theta."""
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    bounds = "fixed" if fixed else None
    c, ls, w = np.exp(theta[0]), np.exp(theta[1:-1]), np.exp(theta[-1])
    return ConstantKernel(c, bounds or AMPLITUDE_BOUNDS) * Matern(
        length_scale=ls, length_scale_bounds=bounds or LENGTH_SCALE_BOUNDS, nu=2.5
    ) + WhiteKernel(w, bounds or NOISE_BOUNDS)


def negative_log_likelihood(
    theta: np.ndarray, x: np.ndarray, y: np.ndarray
) -> tuple[float, np.ndarray]:
    """-log p(y | x, theta) of the GP with the kernel of `_kernel`, and its gradient in
    theta.

    The same quantity as sklearn's `log_marginal_likelihood(theta, eval_gradient=True)`
    (a test holds them equal), computed with matrix products instead of sklearn's
    generic (n, n, dims) gradient tensors, which took most of a suggestion's time.
    """
    from scipy.linalg import cho_solve, cholesky

    n = len(y)
    c, ls, w = math.exp(theta[0]), np.exp(theta[1:-1]), math.exp(theta[-1])
    z = x / ls
    norms = np.einsum("ij,ij->i", z, z)
    r2 = np.maximum(norms[:, None] + norms[None, :] - 2.0 * (z @ z.T), 0.0)
    r = np.sqrt(r2)
    decay = np.exp(-_SQRT5 * r)
    k = c * (1.0 + _SQRT5 * r + (5.0 / 3.0) * r2) * decay
    k[np.diag_indices(n)] += w + JITTER
    try:
        lower = cholesky(k, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        return 1e25, np.zeros_like(theta)
    alpha = cho_solve((lower, True), y, check_finite=False)
    value = 0.5 * y @ alpha + np.log(np.diag(lower)).sum() + 0.5 * n * math.log(2 * math.pi)
    inner = np.outer(alpha, alpha) - cho_solve((lower, True), np.eye(n), check_finite=False)
    trace = np.trace(inner)
    # d k_ij / d log ls_m = a_ij (z_im - z_jm)^2 with a = c 5/3 (1 + sqrt5 r) e^(-sqrt5 r);
    # sum_ij b_ij (z_im - z_jm)^2 = 2 sum_i z_im^2 (b 1)_i - 2 z_m' b z_m for symmetric b
    b = inner * (c * (5.0 / 3.0) * (1.0 + _SQRT5 * r) * decay)
    grad_ls = (z * z).T @ b.sum(axis=1) - np.einsum("im,im->m", z, b @ z)
    grad = np.concatenate(
        [[0.5 * np.sum(inner * k) - 0.5 * (w + JITTER) * trace], grad_ls, [0.5 * w * trace]]
    )
    return float(value), -grad


def _fit(x: np.ndarray, y: np.ndarray, rng: np.random.Generator):
    """A GaussianProcessRegressor whose kernel hyperparameters maximise the likelihood
    of at most FIT_N of the points (the best half and a random half), found by
    L-BFGS-B from a default start and, for small data, one random start more."""
    from scipy.optimize import minimize
    from sklearn.gaussian_process import GaussianProcessRegressor

    if len(y) > FIT_N:
        order = np.argsort(y, kind="stable")
        rest = rng.choice(order[FIT_N // 2 :], size=FIT_N - FIT_N // 2, replace=False)
        keep = np.concatenate([order[: FIT_N // 2], rest])
        x, y = x[keep], y[keep]
    d = x.shape[1]
    bounds = np.log([AMPLITUDE_BOUNDS] + [LENGTH_SCALE_BOUNDS] * d + [NOISE_BOUNDS])
    starts = [np.log([1.0] + [0.5] * d + [1e-3])]
    if len(y) <= RESTART_BELOW:
        starts.append(rng.uniform(bounds[:, 0], bounds[:, 1]))
    best = None
    for theta0 in starts:
        result = minimize(
            negative_log_likelihood, theta0, args=(x, y), jac=True, method="L-BFGS-B",
            bounds=bounds, options={"maxiter": OPTIMIZER_MAXITER, "ftol": FIT_FTOL},
        )
        if np.all(np.isfinite(result.x)) and (best is None or result.fun < best.fun):
            best = result
    if best is None or not math.isfinite(best.fun) or best.fun >= 1e25:
        raise ValueError("the kernel's hyperparameters could not be fitted")
    return GaussianProcessRegressor(kernel=_kernel(best.x), optimizer=None, alpha=JITTER)


def _condition(gp, x: np.ndarray, y: np.ndarray):
    """The same kernel (hyperparameters fixed) conditioned on (x, y)."""
    from sklearn.base import clone

    return clone(gp).fit(x, y)


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

    gp = _condition(_fit(x_train, y_train, rng), x_train, y_train)
    x_fit, y_fit = x_train, y_train
    if len(data.pending):
        x_fit = np.vstack([x_fit, data.pending])
        y_fit = np.concatenate([y_fit, gp.predict(data.pending)])
        gp = _condition(gp, x_fit, y_fit)

    seeds = data.seen_x[np.argsort(data.seen_y, kind="stable")[:LOCAL_SEEDS]]
    candidates = np.vstack([space.sample(rng, RANDOM_CANDIDATES), space.perturb(seeds, rng)])
    if space.structure.constraints:
        candidates = candidates[[space.structure.feasible(space.decode(c)) for c in candidates]]
    keys = set(data.keys)
    sign = -1.0 if config.metric.goal == "maximize" else 1.0
    context = f"{data.with_value} runs with a value, {len(data.pending)} pending"

    out: list[Suggestion] = []
    for i in range(n):
        pick = None
        if len(candidates):
            mean, std = gp.predict(candidates, return_std=True)
            if not (np.all(np.isfinite(mean)) and np.all(np.isfinite(std))):
                raise ValueError("the model predicts non-finite values")
            ranked = np.argsort(-_expected_improvement(mean, std, best), kind="stable")
            pick = _best_new(gp, space, candidates, ranked, best, keys)
        if pick is None:
            draw = sample_feasible(config, rng)
            if draw.config is None:
                if not out:
                    raise _Infeasible(draw.failure(config))
                break
            flat = flatten(draw.config, config)
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
        fresh = [(x, flat) for x, flat in snapped
                 if _key(flat) not in keys and space.structure.feasible(flat)]
        if not fresh:
            continue
        xs = np.array([x for x, _ in fresh])
        mean, std = gp.predict(xs, return_std=True)
        ei = _expected_improvement(mean, std, best)
        j = int(np.argmax(ei))
        return fresh[j][0], fresh[j][1], float(ei[j]), float(mean[j]), float(std[j])
    return None
