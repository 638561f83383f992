"""Pure sampling of every sweep distribution, and the CDF maps a Bayesian optimiser needs.

`sample_value` draws one value of a parameter, `sample_config` one whole (nested)
run config (only the active parameters of a conditional space), `sample_feasible`
one that also satisfies the constraints, by rejection within a bounded number of
draws. `to_unit` is a parameter's CDF, mapping a value into [0, 1]; `from_unit`
its inverse (the quantile function), mapping [0, 1] back to a value, quantised where
the distribution is. For discrete parameters (int_uniform, categorical) `to_unit`
gives the middle of the value's slice of [0, 1], so `from_unit(to_unit(v)) == v`.

Values are plain Python (int, float, str, ...), never numpy scalars. scipy is only
imported, lazily, by the normal and beta maps, so importing this module stays cheap.

`unusable` says why a valid-looking parameter could still give no run a value (a
float overflow, an integer past 64 bits, a grid axis too long to index): the
controller refuses such a sweep when it is created.
"""

from __future__ import annotations

import bisect
import copy
import decimal
import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sweepd.config import ParameterSpec, SweepConfig, flatten, nest

# from_unit clips u into [_EPS, 1 - _EPS] for unbounded distributions (about ±7 sigma)
_EPS = 1e-12


def quantize(x: float, q: int | float) -> int | float:
    """`round(x / q) * q`: an int when q is an int, otherwise a float rounded to the
    decimals of q so that 0.1 * 3 reads 0.3, not 0.30000000000000004."""
    x = float(x)
    if not math.isfinite(x):
        return x
    k = round(x / q)
    if isinstance(q, int):
        return int(k) * q
    return round(k * q, decimals_of(q))


@functools.lru_cache(maxsize=256)
def decimals_of(q: float) -> int:
    """Decimals in the shortest repr of q: 0.25 -> 2, 1e-05 -> 5, 3.0 -> 1."""
    exponent = decimal.Decimal(repr(float(q))).as_tuple().exponent
    return max(0, -int(exponent))


def sample_value(spec: ParameterSpec, rng: np.random.Generator) -> Any:
    """One draw of a parameter (a dict for a nested spec)."""
    d = spec.distribution
    if d == "nested":
        return _sample_parameters(spec.parameters or {}, rng)
    if d == "constant":
        return copy.deepcopy(spec.value)
    if d == "categorical":
        return copy.deepcopy(spec.values[int(rng.integers(len(spec.values)))])
    if d == "categorical_w_probabilities":
        p = np.asarray(spec.probabilities, dtype=float)
        index = int(rng.choice(len(spec.values), p=p / p.sum()))
        return copy.deepcopy(spec.values[index])
    if d == "int_uniform":
        return int(rng.integers(spec.min, spec.max, endpoint=True))
    if d in ("uniform", "q_uniform"):
        x = float(rng.uniform(spec.min, spec.max))
    elif d in ("log_uniform", "q_log_uniform"):
        x = math.exp(rng.uniform(spec.min, spec.max))
    elif d in ("log_uniform_values", "q_log_uniform_values"):
        x = math.exp(rng.uniform(math.log(spec.min), math.log(spec.max)))
    elif d == "inv_log_uniform":
        x = 1.0 / math.exp(rng.uniform(spec.min, spec.max))
    elif d == "inv_log_uniform_values":
        x = 1.0 / math.exp(rng.uniform(math.log(1 / spec.max), math.log(1 / spec.min)))
    elif d in ("normal", "q_normal"):
        x = float(rng.normal(spec.mu, spec.sigma))
    elif d in ("log_normal", "q_log_normal"):
        x = float(rng.lognormal(spec.mu, spec.sigma))
    elif d in ("beta", "q_beta"):
        x = float(rng.beta(spec.a, spec.b))
    else:
        raise ValueError(f"unknown distribution {d!r}")
    return quantize(x, spec.q) if d.startswith("q_") else x


def sample_config(cfg: SweepConfig, rng: np.random.Generator) -> dict[str, Any]:
    """One run config: every parameter drawn independently, constants included, nested
    parameters as dicts. With `when` conditions only the active parameters are drawn
    (parents first) and the config holds only them. Constraints are not looked at:
    `sample_feasible` draws until they hold."""
    from sweepd.space import structure_of

    structure = structure_of(cfg)
    if not structure.conditional:
        return _sample_parameters(cfg.parameters, rng)
    return nest(_sample_active(structure, rng), cfg)


def _sample_active(structure, rng: np.random.Generator) -> dict[str, Any]:
    """Flat draw of the active leaves only, in config order."""
    flat: dict[str, Any] = {}
    active: set[str] = set()
    for name in structure.order:
        if structure.is_active(name, flat, active):
            active.add(name)
            flat[name] = sample_value(structure.leaves[name], rng)
    return {k: flat[k] for k in structure.leaves if k in flat}


# draws `sample_feasible` makes at most for one feasible config
MAX_DRAWS = 10_000


@dataclass(frozen=True)
class Draw:
    """The outcome of `sample_feasible`: a config (None when none was found), how many
    draws it took and, when none was found, which constraints rejected them how often."""

    config: dict[str, Any] | None
    draws: int
    rejected_by: dict[int, int]

    def failure(self, cfg: SweepConfig) -> str:
        """Why no config was found, naming the constraints that rejected the draws."""
        worst = sorted(self.rejected_by.items(), key=lambda kv: -kv[1])[:3]
        parts = [f"constraints[{i}] {cfg.constraints[i]!r} rejected {n}" for i, n in worst]
        return (
            f"no configuration satisfying every constraint was found in {self.draws} "
            f"random draws ({'; '.join(parts)}): the constraints leave no feasible "
            "point, or one too rare to find by sampling"
        )


def sample_feasible(
    cfg: SweepConfig, rng: np.random.Generator, max_draws: int = MAX_DRAWS
) -> Draw:
    """Draw run configs until one satisfies every constraint, at most `max_draws`."""
    from sweepd.space import structure_of

    structure = structure_of(cfg)
    if not structure.constraints:
        return Draw(sample_config(cfg, rng), 1, {})
    rejected: dict[int, int] = {}
    for draw in range(1, max_draws + 1):
        if structure.conditional:
            flat = _sample_active(structure, rng)
        else:
            flat = flatten(_sample_parameters(cfg.parameters, rng), cfg)
        violated = structure.violated(flat)
        if not violated:
            return Draw(nest(flat, cfg), draw, {})
        for i in violated:
            rejected[i] = rejected.get(i, 0) + 1
    return Draw(None, max_draws, rejected)


def _sample_parameters(parameters: dict[str, ParameterSpec], rng: np.random.Generator) -> dict:
    return {name: sample_value(spec, rng) for name, spec in parameters.items()}


# ---------------------------------------------------------------- CDF maps


def to_unit(spec: ParameterSpec, value: Any) -> float:
    """The CDF of the parameter's (unquantised) distribution at `value`, in [0, 1].

    int_uniform and categoricals give the middle of the value's slice, constants 0.5.
    """
    d = spec.distribution
    if d == "constant":
        return 0.5
    if d in ("categorical", "categorical_w_probabilities"):
        lo, hi = _category_slice(spec, _index_of(spec, value))
        return (lo + hi) / 2
    if d == "int_uniform":
        return _clip((value - spec.min + 0.5) / (spec.max - spec.min + 1))
    if d in ("normal", "q_normal"):
        return _norm_cdf((value - spec.mu) / spec.sigma)
    if d in ("log_normal", "q_log_normal"):
        return 0.0 if value <= 0 else _norm_cdf((math.log(value) - spec.mu) / spec.sigma)
    if d in ("beta", "q_beta"):
        from scipy import special

        return _clip(float(special.betainc(spec.a, spec.b, _clip(value))))
    lo, hi, to_coordinate, _ = _uniform_scale(spec)
    return _clip((to_coordinate(value) - lo) / (hi - lo))


def from_unit(spec: ParameterSpec, u: float) -> Any:
    """The inverse of `to_unit`: the value at quantile `u` (clipped into [0, 1]),
    quantised for q_* distributions."""
    d = spec.distribution
    u = _clip(float(u))
    if d == "constant":
        return copy.deepcopy(spec.value)
    if d in ("categorical", "categorical_w_probabilities"):
        return copy.deepcopy(spec.values[_category_at(spec, u)])
    if d == "int_uniform":
        n = spec.max - spec.min + 1
        return int(spec.min + min(int(u * n), n - 1))
    if d in ("normal", "q_normal"):
        x = spec.mu + spec.sigma * _norm_ppf(u)
    elif d in ("log_normal", "q_log_normal"):
        x = math.exp(spec.mu + spec.sigma * _norm_ppf(u))
    elif d in ("beta", "q_beta"):
        from scipy import special

        x = float(special.betaincinv(spec.a, spec.b, u))
    else:
        lo, hi, _, from_coordinate = _uniform_scale(spec)
        x = from_coordinate(lo + u * (hi - lo))
    return quantize(x, spec.q) if d.startswith("q_") else x


_NUMERIC_FREE = frozenset({"constant", "categorical", "categorical_w_probabilities", "nested"})
_INT64 = (-(2**63), 2**63 - 1)
_MAX_GRID_AXIS = 2**63 - 1  # values of one grid axis are indexed by a machine-size int


def unusable(spec: ParameterSpec, grid: bool = False) -> str | None:
    """Why no run could be given a value of this leaf parameter, or None: a value it
    can draw (its bounds, its median, 7 sigma out for the unbounded ones, quantised)
    that is not a finite float or a 64-bit integer, or, in a grid, an axis with more
    values than can be indexed."""
    d = spec.distribution
    if d in _NUMERIC_FREE:
        return None
    try:
        edges = [from_unit(spec, u) for u in (0.0, 0.5, 1.0)]
        if d in ("uniform", "q_uniform") and not math.isfinite(spec.max - spec.min):
            edges.append(math.inf)  # numpy cannot draw from a range wider than a float
        axis = _grid_axis_length(spec) if grid else 0
    except (OverflowError, ValueError, ZeroDivisionError):
        return "its values overflow a 64-bit float: its bounds or moments are too large"
    for value in edges:
        if isinstance(value, float) and not math.isfinite(value):
            return f"it can draw {value!r}: its bounds or moments are too large for a 64-bit float"
        if isinstance(value, int) and not _INT64[0] <= value <= _INT64[1]:
            return "it can draw integers past the 64-bit range: keep its values within ±9.2e18"
    if axis > _MAX_GRID_AXIS:
        return f"a grid axis of {axis:.3g} values is more than can be indexed (at most 2^63 - 1)"
    return None


def _grid_axis_length(spec: ParameterSpec) -> float:
    if spec.distribution == "int_uniform":
        return spec.max - spec.min + 1
    if spec.distribution == "q_uniform":
        return math.floor((spec.max - spec.min) / spec.q) + 1  # inf raises OverflowError
    return 0


def _log(x: float) -> float:
    return math.log(x) if x > 0 else -math.inf


def _uniform_scale(spec: ParameterSpec):
    """(lo, hi, to_coordinate, from_coordinate) of the uniform families: the value's
    coordinate is uniform on [lo, hi], so the CDF is (coordinate - lo) / (hi - lo).

    The coordinate is the value itself for uniform and log(value) for every log form:
    log_uniform: log X ~ U(min, max); *_values: log X ~ U(log min, log max);
    inv_log_uniform: log(1/X) ~ U(min, max), so log X ~ U(-max, -min);
    inv_log_uniform_values: log(1/X) ~ U(log(1/max), log(1/min)), so log X ~
    U(log min, log max), the same law as log_uniform_values.
    """
    d = spec.distribution
    if d in ("uniform", "q_uniform"):
        return spec.min, spec.max, float, float
    if d in ("log_uniform", "q_log_uniform"):
        return spec.min, spec.max, _log, math.exp
    if d in ("log_uniform_values", "q_log_uniform_values", "inv_log_uniform_values"):
        return math.log(spec.min), math.log(spec.max), _log, math.exp
    if d == "inv_log_uniform":
        return -spec.max, -spec.min, _log, math.exp
    raise ValueError(f"distribution {d!r} has no CDF map")


def _clip(u: float) -> float:
    return 0.0 if u < 0 else 1.0 if u > 1 else float(u)


def _norm_cdf(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2))


def _norm_ppf(u: float) -> float:
    from scipy import special

    return float(special.ndtri(min(max(u, _EPS), 1 - _EPS)))


def _weights(spec: ParameterSpec) -> list[float]:
    if spec.distribution == "categorical_w_probabilities":
        total = sum(spec.probabilities)
        return [p / total for p in spec.probabilities]
    return [1.0 / len(spec.values)] * len(spec.values)


def _category_slice(spec: ParameterSpec, index: int) -> tuple[float, float]:
    weights = _weights(spec)
    lo = math.fsum(weights[:index])
    return lo, min(1.0, lo + weights[index])


def _category_at(spec: ParameterSpec, u: float) -> int:
    edges = np.cumsum(_weights(spec))
    index = bisect.bisect_right(edges.tolist(), u)
    # u = 1 (or rounding) lands past the end; zero-probability values are skipped
    index = min(index, len(edges) - 1)
    while index > 0 and _weights(spec)[index] == 0:
        index -= 1
    return index


def _index_of(spec: ParameterSpec, value: Any) -> int:
    for i, candidate in enumerate(spec.values):
        if type(candidate) is type(value) and candidate == value:
            return i
    for i, candidate in enumerate(spec.values):
        if candidate == value:
            return i
    raise ValueError(f"{value!r} is not one of the values {list(spec.values)!r}")
