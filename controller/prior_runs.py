"""Prior runs given to CreateSweep: which fit the sweep's space, and why the others do not.

A prior run fits when every active leaf parameter of the space has a value its
distribution can take (a missing constant is filled in; keys that are not parameters,
and parameters its `when` conditions leave inactive, are dropped), it satisfies the
space's constraints, and its summary holds a finite number for the sweep's metric
(when the sweep has one; for each objective of a multi-objective sweep). A run that does not fit is left out with one warning naming it (its `origin`, else
`prior_runs[i]`), the field and the reason. Summary values that are not finite
numbers become nulls, since stored values are plain JSON.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

from sweepd.config import ParameterSpec, SweepConfig, flat_parameters, flatten, nest
from sweepd.domain import InvalidArgument, PriorRun, finite_number
from sweepd.echo import shown
from sweepd.space import structure_of

from .limits import MAX_PRIOR_RUNS, MAX_PRIOR_WARNINGS

MAX_ORIGIN_CHARS = 200
MAX_KEY_CHARS = 256  # as for a logged metric key
_CATEGORICAL = ("categorical", "categorical_w_probabilities")
_UNBOUNDED = ("normal", "q_normal", "log_normal", "q_log_normal")


@dataclass(frozen=True)
class FittedPrior:
    config: dict[str, Any]
    summary: dict[str, Any]
    note: str
    value: float | None  # of the sweep's metric


def check_count(priors: Sequence[Any]) -> None:
    if len(priors) > MAX_PRIOR_RUNS:
        raise InvalidArgument(
            f"prior_runs: {len(priors)} prior runs; at most {MAX_PRIOR_RUNS} per CreateSweep",
            [("prior_runs", f"at most {MAX_PRIOR_RUNS}")])


def fit_priors(config: SweepConfig, priors: Sequence[PriorRun]) -> tuple[list[FittedPrior], list[str]]:
    """The prior runs that fit (configs with only the space's parameters, nested as
    runs' configs are) and a warning for each one left out (at most
    MAX_PRIOR_WARNINGS, then one line counting the rest)."""
    check_count(priors)
    leaves = flat_parameters(config)
    kept: list[FittedPrior] = []
    warnings: list[str] = []
    for i, prior in enumerate(priors):
        name = shown(prior.origin, MAX_ORIGIN_CHARS, quote=False) if prior.origin \
            else f"prior_runs[{i}]"
        problem = _summary_problem(config, prior.summary)
        flat: dict[str, Any] = {}
        if problem is None:
            flat, problem = _fit_config(leaves, prior.config, config)
        if problem is not None:
            warnings.append(f"prior run {name} left out: {problem}")
            continue
        metric = config.metric.name if config.metric else None
        kept.append(FittedPrior(nest(flat, config), _plain_summary(prior.summary),
                                f"prior: {name}",
                                float(prior.summary[metric]) if metric else None))
    if len(warnings) > MAX_PRIOR_WARNINGS:
        rest = len(warnings) - MAX_PRIOR_WARNINGS
        warnings = warnings[:MAX_PRIOR_WARNINGS] + [f"... and {rest} more prior runs left out"]
    return kept, warnings


def _summary_problem(config: SweepConfig, summary: dict[str, Any]) -> str | None:
    for key in summary:
        if not key or len(key) > MAX_KEY_CHARS:
            return f"summary: key {shown(key)} must be 1 to {MAX_KEY_CHARS} characters"
    if config.multi_objective:
        for objective in config.metrics:
            problem = _value_problem(summary, objective.name, "one of the sweep's objectives")
            if problem:
                return problem
        return None
    metric = config.metric.name if config.metric else None
    return _value_problem(summary, metric, "the sweep's metric") if metric else None


def _value_problem(summary: dict[str, Any], key: str, what: str) -> str | None:
    value = summary.get(key)
    if value is None:
        return f"summary.{key}: missing ({what})"
    if not finite_number(value):
        return f"summary.{key}: {shown(value)} is not a finite number"
    return None


def _fit_config(leaves: dict[str, ParameterSpec], values: dict[str, Any],
                config: SweepConfig) -> tuple[dict[str, Any], str | None]:
    try:
        flat = flatten(values, config)
    except (TypeError, ValueError, AttributeError) as exc:
        return {}, f"config: {shown(str(exc), quote=False)}"
    structure = structure_of(config)
    # in parent-first order, so that a parent's value decides its children's activity
    active: set[str] = set()
    out: dict[str, Any] = {}
    for path in structure.order:
        spec = leaves[path]
        if not structure.is_active(path, out, active):
            continue
        active.add(path)
        if path not in flat:
            if spec.distribution == "constant":
                out[path] = spec.value
                continue
            return {}, f"config.{path}: missing"
        value = flat[path]
        problem = value_problem(spec, value)
        if problem is not None:
            return {}, f"config.{path}: {problem}"
        out[path] = int(value) if spec.distribution == "int_uniform" else value
    broken = structure.violated(out)
    if broken:
        return {}, f"constraints[{broken[0]}]: {config.constraints[broken[0]]} does not hold"
    return {path: out[path] for path in leaves if path in out}, None


def value_problem(spec: ParameterSpec, value: Any) -> str | None:
    """Why `value` is not one the parameter can take (None: it can)."""
    d = spec.distribution
    if d == "constant":
        return None if value == spec.value else \
            f"{shown(value)} is not the constant {shown(spec.value)}"
    if d in _CATEGORICAL:
        if any(type(v) is type(value) and v == value for v in spec.values) or value in spec.values:
            return None
        return f"{shown(value)} is not one of {shown(list(spec.values))}"
    if not finite_number(value):
        return f"{shown(value)} is not a finite number"
    if d == "int_uniform":
        if float(value) != int(value):
            return f"{shown(value)} is not an integer"
        if not spec.min <= value <= spec.max:
            return f"{shown(value)} is outside [{spec.min}, {spec.max}]"
        return None
    if d in _UNBOUNDED:
        return None if d in ("normal", "q_normal") or value > 0 else f"{shown(value)} is not positive"
    if d in ("beta", "q_beta"):
        return None if 0 <= value <= 1 else f"{shown(value)} is outside [0, 1]"
    if d.startswith("log") or d.startswith("q_log") or d.startswith("inv_log"):
        if value <= 0:
            return f"{shown(value)} is not positive"
    lo, hi = _range(spec)
    tolerance = 1e-9 * max(abs(lo), abs(hi), 1e-300)
    if not lo - tolerance <= value <= hi + tolerance:
        return f"{shown(value)} is outside [{lo:.6g}, {hi:.6g}]"
    return None


def _range(spec: ParameterSpec) -> tuple[float, float]:
    """The values a bounded distribution spans (its min and max are exponents for
    log_uniform and inv_log_uniform)."""
    d = spec.distribution
    if d in ("log_uniform", "q_log_uniform"):
        return math.exp(spec.min), math.exp(spec.max)
    if d == "inv_log_uniform":
        return math.exp(-spec.max), math.exp(-spec.min)
    return float(spec.min), float(spec.max)


def _plain_summary(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: _finite_or_none(v) for k, v in summary.items()}


def _finite_or_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite_or_none(v) for v in value]
    return value

