"""Sweep configuration: parse and validate W&B's sweep vocabulary into frozen dataclasses.

The reference is docs/sweep-config.md. `parse_config` accepts a dict, YAML
text, or a path to a YAML file, fills every default, resolves every parameter's
`distribution` (inferring it when omitted) and collects *all* errors, each with the
dotted path of the offending field (`parameters.lr.max: must be greater than min`),
before raising one `ConfigError`. `config_to_dict` gives the canonical plain dict
(used in Redis and on the wire) that parses back to an equal `SweepConfig`.

Nested parameters (`parameters: {optimizer: {parameters: {lr: ...}}}`) are kept as a
tree of `ParameterSpec` with distribution "nested"; `flat_parameters` lists the leaves
by dotted name ("optimizer.lr"), and `nest` / `flatten` convert run configs between
the nested form runs receive and the flat form.

sweepd's own keys: `when` on a parameter (conditions, kept as `ParameterSpec.when`)
and a top-level `constraints` list (kept as text in `SweepConfig.constraints`);
`sweepd.space` checks both against the whole tree and gives their parsed form. A
top-level `metrics` list (2 to 4 objectives, kept as `SweepConfig.metrics`) makes a
multi-objective sweep; W&B's `metric` keeps its meaning and may not be given with it.

The `command` macro grammar (which macros exist, which must stand alone) lives here
so that validation and `sweepd.command.build_command` agree on it.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import numbers
import os
import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

import yaml

from sweepd.echo import shown
from sweepd.v1 import types_pb2 as _pb

# The search methods a config may name: the wire contract's SearchMethod enum (proto/),
# so a method added there is accepted here with nothing else to edit.
METHODS = tuple(name[len("SEARCH_METHOD_"):].lower() for name in _pb.SearchMethod.keys()
                if name != "SEARCH_METHOD_UNSPECIFIED")
GOALS = ("minimize", "maximize")
PARAMETER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
DEFAULT_COMMAND = ("${env}", "${interpreter}", "${program}", "${args}")

# distribution -> the keys it takes besides `distribution` (in canonical order)
DISTRIBUTION_KEYS: dict[str, tuple[str, ...]] = {
    "constant": ("value",),
    "categorical": ("values",),
    "categorical_w_probabilities": ("values", "probabilities"),
    "int_uniform": ("min", "max"),
    "uniform": ("min", "max"),
    "q_uniform": ("min", "max", "q"),
    "log_uniform": ("min", "max"),
    "log_uniform_values": ("min", "max"),
    "q_log_uniform": ("min", "max", "q"),
    "q_log_uniform_values": ("min", "max", "q"),
    "inv_log_uniform": ("min", "max"),
    "inv_log_uniform_values": ("min", "max"),
    "normal": ("mu", "sigma"),
    "q_normal": ("mu", "sigma", "q"),
    "log_normal": ("mu", "sigma"),
    "q_log_normal": ("mu", "sigma", "q"),
    "beta": ("a", "b"),
    "q_beta": ("a", "b", "q"),
    "nested": ("parameters",),
}
DISTRIBUTIONS = tuple(DISTRIBUTION_KEYS)
SPEC_KEYS = frozenset({"distribution"}.union(*DISTRIBUTION_KEYS.values()))
# Defaults of the optional numeric keys. q defaults to the int 1, so a quantised
# distribution without `q` produces ints, as the spec says.
SPEC_DEFAULTS: dict[str, int | float] = {"q": 1, "mu": 0.0, "sigma": 1.0, "a": 1.0, "b": 1.0}

GRID_DISTRIBUTIONS = frozenset({"constant", "categorical", "int_uniform", "q_uniform"})
# min/max are natural-log exponents: values are exp(min)..exp(max) (or its inverse)
EXPONENT_DISTRIBUTIONS = frozenset({"log_uniform", "q_log_uniform", "inv_log_uniform"})
# min/max are values and must be > 0 (their logs are taken)
POSITIVE_BOUND_DISTRIBUTIONS = frozenset(
    {"log_uniform_values", "q_log_uniform_values", "inv_log_uniform_values"}
)
_MAX_EXPONENT = math.log(1.7976931348623157e308)  # exp() of more overflows a float

EARLY_TERMINATE_KEYS: dict[str, tuple[str, ...]] = {
    "hyperband": ("type", "min_iter", "max_iter", "s", "eta", "strict"),
    "asha": ("type", "min_iter", "max_iter", "eta", "strict"),
    "median": ("type", "min_iter"),
}
_ALL_EARLY_TERMINATE_KEYS = frozenset().union(*EARLY_TERMINATE_KEYS.values())
DEFAULT_ETA = 3.0
DEFAULT_MEDIAN_MIN_ITER = 3
DEFAULT_ASHA_MIN_ITER = 1

TOP_LEVEL_KEYS = (
    "method", "metric", "metrics", "parameters", "early_terminate", "run_cap", "program",
    "command", "name", "description", "project", "entity", "retry", "constraints",
)
# sweepd's `metrics`: how many objectives a multi-objective sweep has
MIN_OBJECTIVES, MAX_OBJECTIVES = 2, 4
OBJECTIVE_KEYS = ("name", "goal", "threshold")
# sweepd's own keys of a parameter spec, taken by every distribution
CONDITION_KEY = "when"
MAX_CONSTRAINTS = 100
# grids with at most this many combinations are enumerated at validation, so that a
# grid with no valid combination (conditions, constraints) is refused there
GRID_CHECK_LIMIT = 20_000

# ---------------------------------------------------------------- command macros

MACRO = re.compile(r"\$\{([^}]*)\}")
# macros that expand to one string and may sit inside a longer argument
SCALAR_MACROS = frozenset({"env", "interpreter", "program", "args_json", "args_json_file"})
# macros that expand to zero or more argv elements: they must be a whole argument
LIST_MACROS = frozenset({"args", "args_no_hyphens", "args_no_boolean_flags"})
ENVVAR_PREFIX = "envvar:"
ENVVAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def command_element_problems(element: str) -> list[str]:
    """What is wrong with the macros of one `command` element (empty when nothing)."""
    problems = []
    for match in MACRO.finditer(element):
        name = match.group(1)
        if name in LIST_MACROS:
            if element != match.group(0):
                problems.append(
                    f"${{{shown(name, quote=False)}}} expands to several arguments and must be a whole element"
                )
        elif name.startswith(ENVVAR_PREFIX):
            if not ENVVAR_NAME.match(name[len(ENVVAR_PREFIX):]):
                problems.append(f"invalid environment variable name in ${{{shown(name, quote=False)}}}")
        elif name not in SCALAR_MACROS:
            known = ", ".join(f"${{{m}}}" for m in sorted(SCALAR_MACROS | LIST_MACROS))
            problems.append(f"unknown macro ${{{shown(name, quote=False)}}} (known: {known}, ${{envvar:NAME}})")
    if "${" in MACRO.sub("", element):
        problems.append("unterminated '${' (a macro is written ${name})")
    return problems


# ---------------------------------------------------------------- public dataclasses


@dataclass(frozen=True)
class FieldError:
    """One validation error: the dotted path of the field and what is wrong with it."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(ValueError):
    """An invalid sweep config; `errors` holds every problem found, not only the first."""

    def __init__(self, errors: Iterable[FieldError]):
        self.errors: list[FieldError] = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))

    def __reduce__(self):
        return (type(self), (self.errors,))


@dataclass(frozen=True)
class ParameterSpec:
    """One parameter. `distribution` is always resolved; keys the distribution does not
    take are None; `parameters` holds the children of a "nested" spec."""

    distribution: str
    value: Any = None
    values: tuple | None = None
    probabilities: tuple[float, ...] | None = None
    min: int | float | None = None
    max: int | float | None = None
    q: int | float | None = None
    mu: int | float | None = None
    sigma: int | float | None = None
    a: int | float | None = None
    b: int | float | None = None
    parameters: dict[str, ParameterSpec] | None = None
    # the value earlier runs are taken to have had (a parameter added by an update)
    default: Any = None
    # sweepd's `when`: ((parent dotted name, values that activate it), ...); all must hold
    when: tuple[tuple[str, tuple], ...] | None = None

    @property
    def nested(self) -> bool:
        return self.distribution == "nested"


@dataclass(frozen=True)
class MetricSpec:
    name: str | None = None
    goal: str = "minimize"
    target: float | None = None


@dataclass(frozen=True)
class ObjectiveSpec:
    """One objective of a multi-objective sweep (an item of `metrics`): the logged key,
    whether lower or higher is better, and `threshold`, the worst value that still
    counts (the objective's coordinate of the hypervolume's reference point)."""

    name: str
    goal: str = "minimize"
    threshold: float | None = None


@dataclass(frozen=True)
class EarlyTerminate:
    """`type` is hyperband, asha or median; keys a type does not take keep their defaults."""

    type: str
    min_iter: int | None = None
    max_iter: int | None = None
    s: int | None = None
    eta: float = DEFAULT_ETA
    strict: bool = True


@dataclass(frozen=True)
class RetryPolicy:
    """sweepd's own key: how many times a failed or crashed run's config is attempted."""

    max_attempts: int = 1


@dataclass(frozen=True)
class SweepConfig:
    method: str
    parameters: dict[str, ParameterSpec]
    metric: MetricSpec = MetricSpec()
    early_terminate: EarlyTerminate | None = None
    run_cap: int | None = None
    program: str | None = None
    command: tuple[str, ...] = DEFAULT_COMMAND
    name: str = ""
    description: str = ""
    project: str = ""
    entity: str = ""
    retry: RetryPolicy = RetryPolicy()
    warnings: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()  # expressions every suggestion satisfies
    metrics: tuple[ObjectiveSpec, ...] = ()  # sweepd's objectives; empty: single-objective

    @property
    def multi_objective(self) -> bool:
        return bool(self.metrics)


# ---------------------------------------------------------------- public functions


def parse_config(source: Mapping[str, Any] | str | os.PathLike) -> SweepConfig:
    """Parse and validate a sweep config; raise ConfigError listing every problem."""
    cfg, errors = _parse(source)
    if errors:
        raise ConfigError(errors)
    assert cfg is not None
    return cfg


def validate_config(source: Mapping[str, Any] | str | os.PathLike) -> list[FieldError]:
    """Every problem of a sweep config; empty when it is valid."""
    return _parse(source)[1]


def config_to_dict(cfg: SweepConfig) -> dict[str, Any]:
    """The canonical plain (JSON-serialisable) dict of a config: every distribution
    explicit, every default filled. `parse_config(config_to_dict(c)) == c`."""
    out: dict[str, Any] = {
        "method": cfg.method,
        "parameters": {name: _spec_to_dict(s) for name, s in cfg.parameters.items()},
    }
    if cfg.metrics:
        out["metrics"] = [
            _drop_none({"name": o.name, "goal": o.goal, "threshold": o.threshold})
            for o in cfg.metrics
        ]
    else:
        out["metric"] = _drop_none(
            {"name": cfg.metric.name, "goal": cfg.metric.goal, "target": cfg.metric.target}
        )
    et = cfg.early_terminate
    if et is not None:
        out["early_terminate"] = _drop_none(
            {key: getattr(et, key) for key in EARLY_TERMINATE_KEYS[et.type]}
        )
    if cfg.run_cap is not None:
        out["run_cap"] = cfg.run_cap
    if cfg.program is not None:
        out["program"] = cfg.program
    out["command"] = list(cfg.command)
    for key in ("name", "description", "project", "entity"):
        out[key] = getattr(cfg, key)
    out["retry"] = {"max_attempts": cfg.retry.max_attempts}
    if cfg.constraints:
        out["constraints"] = list(cfg.constraints)
    return out


def flat_parameters(
    cfg: SweepConfig | Mapping[str, ParameterSpec],
) -> dict[str, ParameterSpec]:
    """Leaf parameters keyed by dotted path ("optimizer.lr"), in config order."""
    return {".".join(path): spec for path, spec in iter_leaves(_params_of(cfg))}


def iter_leaves(
    parameters: Mapping[str, ParameterSpec], prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], ParameterSpec]]:
    """(path, spec) of every non-nested parameter, depth first, in config order."""
    for name, spec in parameters.items():
        if spec.nested:
            yield from iter_leaves(spec.parameters or {}, prefix + (name,))
        else:
            yield prefix + (name,), spec


def nest(
    flat_values: Mapping[str, Any],
    spec: SweepConfig | Mapping[str, ParameterSpec] | None = None,
) -> dict[str, Any]:
    """Re-nest dotted keys into dicts: {"opt.lr": 1} -> {"opt": {"lr": 1}}.

    Parameter names may themselves contain dots, so pass the config (or its
    parameters) to split keys only where the parameter tree nests; without it every
    dot nests. Keys the config does not know are kept as they are.
    """
    paths = None
    if spec is not None:
        paths = {".".join(p): p for p, _ in iter_leaves(_params_of(spec))}
    out: dict[str, Any] = {}
    for key, value in flat_values.items():
        if paths is None:
            path = tuple(key.split("."))
        else:
            path = paths.get(key, (key,))
        node = out
        for i, part in enumerate(path[:-1]):
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ValueError(f"cannot nest {key!r}: {'.'.join(path[: i + 1])!r} is a value")
        if path[-1] in node:
            raise ValueError(f"cannot nest {key!r}: it collides with another key")
        node[path[-1]] = value
    return out


def flatten(
    nested_values: Mapping[str, Any],
    spec: SweepConfig | Mapping[str, ParameterSpec] | None = None,
) -> dict[str, Any]:
    """The inverse of `nest`: {"opt": {"lr": 1}} -> {"opt.lr": 1}.

    With the config, only nested *parameters* are descended into, so a categorical
    whose value is a dict stays one value. Without it every dict is flattened.
    """
    params = None if spec is None else _params_of(spec)
    out: dict[str, Any] = {}
    _flatten_into(out, nested_values, params, "")
    return out


# ---------------------------------------------------------------- parsing


class _Collector:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []
        self.warnings: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(FieldError(path, message))

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(f"{path}: {message}")


class _Loader(yaml.SafeLoader):
    """SafeLoader that also reads `1e-4` as a float (PyYAML's YAML 1.1 wants `1.0e-4`)."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _load(source: Any, out: _Collector) -> Any:
    if isinstance(source, Mapping):
        return source
    if isinstance(source, os.PathLike) or (
        isinstance(source, str) and "\n" not in source and os.path.isfile(source)
    ):
        try:
            with open(source, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            out.error("", f"cannot read {os.fspath(source)!r}: {e.strerror or e}")
            return None
    elif isinstance(source, str):
        text = source
    else:
        out.error("", f"a sweep config is a dict, YAML text or a path, not {type(source).__name__}")
        return None
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as e:
        out.error("", f"invalid YAML: {e}")
        return None


def _parse(source: Any) -> tuple[SweepConfig | None, list[FieldError]]:
    out = _Collector()
    raw = _load(source, out)
    if out.errors:
        return None, out.errors
    if isinstance(source, str) and isinstance(raw, str):
        out.error("", f"no such file {shown(source)}, and the text is not a YAML mapping")
        return None, out.errors
    if not isinstance(raw, Mapping):
        out.error("", f"a sweep config must be a mapping, not {type(raw).__name__}")
        return None, out.errors
    _unknown_keys(raw, TOP_LEVEL_KEYS, "", out)

    method = raw.get("method")
    if method is None:
        out.error("method", f"required: one of {', '.join(METHODS)}")
    elif not isinstance(method, str) or method not in METHODS:
        out.error("method", f"must be one of {', '.join(METHODS)}, not {shown(method)}")
    metric = _metric(raw.get("metric"), out)
    metrics = _objectives(raw.get("metrics"), out)
    if raw.get("metrics") is not None and raw.get("metric") not in (None, {}):
        out.error("metrics", "cannot be given together with metric: `metric` is W&B's single "
                  "objective, `metrics` sweepd's list of 2 to 4; keep one of them")
    parameters = _parameter_set(raw.get("parameters"), "parameters", out)
    early = _early_terminate(raw.get("early_terminate"), out)
    run_cap = raw.get("run_cap")
    if run_cap is not None:
        run_cap = _int(run_cap, "run_cap", out, minimum=1)
    program = raw.get("program")
    if program is not None and not isinstance(program, str):
        out.error("program", "must be a string")
    command = _command(raw.get("command", DEFAULT_COMMAND), out)
    texts = {}
    for key in ("name", "description", "project", "entity"):
        texts[key] = raw.get(key) if raw.get(key) is not None else ""
        if not isinstance(texts[key], str):
            out.error(key, "must be a string")
    retry = _retry(raw.get("retry"), out)
    constraints = _constraints(raw.get("constraints"), out)

    if metric is not None and metric.name is None and raw.get("metrics") is None:
        if method == "bayes":
            out.error("metric.name", "required for method bayes (or list objectives in metrics)")
        if early is not None:
            out.error("metric.name",
                      "required with early_terminate (or list objectives in metrics)")
    if parameters is not None:
        _check_tree(parameters, "parameters", method, out)
        _check_space(parameters, constraints, method, out)

    if out.errors:
        return None, out.errors
    return (
        SweepConfig(
            method=method,
            parameters=parameters,
            metric=metric,
            early_terminate=early,
            run_cap=run_cap,
            program=program,
            command=command,
            retry=retry,
            constraints=constraints,
            metrics=metrics,
            # sorted, so that a config stored with sorted keys parses back equal
            warnings=tuple(sorted(out.warnings)),
            **texts,
        ),
        [],
    )


def _unknown_keys(raw: Mapping, allowed: Iterable[str], path: str, out: _Collector) -> None:
    allowed = list(allowed)
    for key in raw:
        if key not in allowed:
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            suffix = f" (did you mean {hint[0]!r}?)" if hint else ""
            out.error(_join(path, key), f"unknown key{suffix}")


def _join(path: str, key: Any) -> str:
    key = shown(key, quote=False)
    return f"{path}.{key}" if path else key


def _number(
    value: Any,
    path: str,
    out: _Collector,
    *,
    integer: bool = False,
    greater_than: float | None = None,
    minimum: float | None = None,
) -> int | float | None:
    """A finite int/float (never a bool), as a plain Python number; None after an error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        out.error(path, "must be an integer" if integer else "must be a number")
        return None
    if isinstance(value, numbers.Integral):
        value = int(value)
    elif integer:
        out.error(path, f"must be an integer, not {shown(value)}")
        return None
    else:
        value = float(value)
        if not math.isfinite(value):
            out.error(path, "must be finite")
            return None
    if greater_than is not None and not value > greater_than:
        out.error(path, f"must be greater than {greater_than:g}")
        return None
    if minimum is not None and value < minimum:
        out.error(path, f"must be at least {minimum:g}")
        return None
    return value


def _int(value: Any, path: str, out: _Collector, *, minimum: int) -> int | None:
    return _number(value, path, out, integer=True, minimum=minimum)  # type: ignore[return-value]


def _plain(value: Any, path: str, out: _Collector) -> Any:
    """A JSON-compatible copy of a parameter value (tuples become lists)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        if not math.isfinite(value):
            out.error(path, "must be finite")
        return float(value)
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                out.error(_join(path, key), "mapping keys in values must be strings")
            result[str(key)] = _plain(item, _join(path, key), out)
        return result
    if isinstance(value, (list, tuple)):
        return [_plain(item, f"{path}[{i}]", out) for i, item in enumerate(value)]
    out.error(path, f"unsupported value of type {type(value).__name__} (use JSON-like values)")
    return None


def _metric(raw: Any, out: _Collector) -> MetricSpec | None:
    if raw is None:
        return MetricSpec()
    if not isinstance(raw, Mapping):
        out.error("metric", "must be a mapping {name, goal, target}")
        return None
    _unknown_keys(raw, ("name", "goal", "target"), "metric", out)
    name = raw.get("name")
    if name is not None and (not isinstance(name, str) or not name):
        out.error("metric.name", "must be a non-empty string")
    goal = raw.get("goal", "minimize")
    if not isinstance(goal, str) or goal not in GOALS:
        out.error("metric.goal", f"must be minimize or maximize, not {shown(goal)}")
    target = raw.get("target")
    if target is not None:
        target = _number(target, "metric.target", out)
        target = None if target is None else float(target)
    return MetricSpec(name=name, goal=goal, target=target)


def _objectives(raw: Any, out: _Collector) -> tuple[ObjectiveSpec, ...]:
    """sweepd's `metrics`: 2 to 4 objectives with distinct names (empty when absent)."""
    if raw is None:
        return ()
    if isinstance(raw, (str, Mapping)) or not isinstance(raw, (list, tuple)):
        out.error("metrics", f"must be a list of {MIN_OBJECTIVES} to {MAX_OBJECTIVES} objectives, "
                  "each {name, goal, threshold}")
        return ()
    if not MIN_OBJECTIVES <= len(raw) <= MAX_OBJECTIVES:
        hint = " (for one objective, use metric)" if len(raw) < MIN_OBJECTIVES else ""
        out.error("metrics", f"must list {MIN_OBJECTIVES} to {MAX_OBJECTIVES} objectives, "
                  f"not {len(raw)}{hint}")
    parsed = [_objective(item, f"metrics[{i}]", out) for i, item in enumerate(raw)]
    first: dict[str, int] = {}
    for i, objective in enumerate(parsed):
        if objective is None:
            continue
        if objective.name in first:
            out.error(f"metrics[{i}].name", f"{shown(objective.name)} is already "
                      f"metrics[{first[objective.name]}]; each objective is a different key")
        first.setdefault(objective.name, i)
    return tuple(o for o in parsed if o is not None)


def _objective(raw: Any, path: str, out: _Collector) -> ObjectiveSpec | None:
    if not isinstance(raw, Mapping):
        out.error(path, "must be a mapping {name, goal, threshold}")
        return None
    _unknown_keys(raw, OBJECTIVE_KEYS, path, out)
    name = raw.get("name")
    if name is None:
        out.error(f"{path}.name", "required: the logged key of this objective")
    elif not isinstance(name, str) or not name:
        out.error(f"{path}.name", "must be a non-empty string")
    goal = raw.get("goal", "minimize")
    if not isinstance(goal, str) or goal not in GOALS:
        out.error(f"{path}.goal", f"must be minimize or maximize, not {shown(goal)}")
    threshold = raw.get("threshold")
    if threshold is not None:
        threshold = _number(threshold, f"{path}.threshold", out)
        threshold = None if threshold is None else float(threshold)
    if not isinstance(name, str) or not name:
        return None
    return ObjectiveSpec(name=name, goal=goal if goal in GOALS else "minimize", threshold=threshold)


def _early_terminate(raw: Any, out: _Collector) -> EarlyTerminate | None:
    path = "early_terminate"
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        out.error(path, "must be a mapping such as {type: hyperband, min_iter: 3}")
        return None
    kind = raw.get("type")
    if kind is None:
        out.error(f"{path}.type", f"required: one of {', '.join(EARLY_TERMINATE_KEYS)}")
        return None
    if not isinstance(kind, str) or kind not in EARLY_TERMINATE_KEYS:
        out.error(f"{path}.type", f"must be one of {', '.join(EARLY_TERMINATE_KEYS)}, not {shown(kind)}")
        return None
    allowed = EARLY_TERMINATE_KEYS[kind]
    _unknown_keys(raw, sorted(_ALL_EARLY_TERMINATE_KEYS), path, out)
    for key in raw:
        if key in _ALL_EARLY_TERMINATE_KEYS and key not in allowed:
            out.error(f"{path}.{key}", f"not a key of early_terminate type {kind}")

    ints = {}
    for key in ("min_iter", "max_iter", "s"):
        if key in allowed and raw.get(key) is not None:
            ints[key] = _int(raw[key], f"{path}.{key}", out, minimum=1)
    eta = DEFAULT_ETA
    if "eta" in allowed and raw.get("eta") is not None:
        number = _number(raw["eta"], f"{path}.eta", out, greater_than=1)
        eta = DEFAULT_ETA if number is None else float(number)
    strict = raw.get("strict", True) if "strict" in allowed else True
    if not isinstance(strict, bool):
        out.error(f"{path}.strict", "must be true or false")

    min_iter, max_iter, s = ints.get("min_iter"), ints.get("max_iter"), ints.get("s")
    if kind == "hyperband" and raw.get("min_iter") is None:
        has_max, has_s = raw.get("max_iter") is not None, raw.get("s") is not None
        if not has_max and not has_s:
            out.error(path, "hyperband needs min_iter, or max_iter together with s")
        elif not has_s:
            out.error(f"{path}.s", "required with max_iter (or give min_iter)")
        elif not has_max:
            out.error(f"{path}.max_iter", "required with s (or give min_iter)")
        elif max_iter is not None and max_iter / eta < 1:
            out.error(f"{path}.max_iter", "must be at least eta, or hyperband has no band")
    elif kind == "asha":
        if raw.get("min_iter") is None:
            min_iter = DEFAULT_ASHA_MIN_ITER
        if min_iter is not None and max_iter is not None and max_iter < min_iter:
            out.error(f"{path}.max_iter", "must be at least min_iter")
    elif kind == "median" and raw.get("min_iter") is None:
        min_iter = DEFAULT_MEDIAN_MIN_ITER
    return EarlyTerminate(
        type=kind, min_iter=min_iter, max_iter=max_iter, s=s, eta=eta, strict=bool(strict)
    )


def _command(raw: Any, out: _Collector) -> tuple[str, ...]:
    if isinstance(raw, str) or not isinstance(raw, (list, tuple)):
        out.error("command", "must be a list of strings")
        return DEFAULT_COMMAND
    if not raw:
        out.error("command", "must not be empty")
    for i, element in enumerate(raw):
        if not isinstance(element, str):
            out.error(f"command[{i}]", "must be a string")
            continue
        for problem in command_element_problems(element):
            out.error(f"command[{i}]", problem)
    return tuple(str(e) for e in raw)


def _retry(raw: Any, out: _Collector) -> RetryPolicy:
    if raw is None:
        return RetryPolicy()
    if not isinstance(raw, Mapping):
        out.error("retry", "must be a mapping {max_attempts: N}")
        return RetryPolicy()
    _unknown_keys(raw, ("max_attempts",), "retry", out)
    attempts = _int(raw.get("max_attempts", 1), "retry.max_attempts", out, minimum=1)
    return RetryPolicy(max_attempts=attempts or 1)


def _parameter_set(raw: Any, path: str, out: _Collector) -> dict[str, ParameterSpec] | None:
    if raw is None:
        out.error(path, "required: a mapping of parameter name to spec")
        return None
    if not isinstance(raw, Mapping):
        out.error(path, "must be a mapping of parameter name to spec")
        return None
    if not raw:
        out.error(path, "must define at least one parameter")
    result = {}
    for name, spec in raw.items():
        here = _join(path, name)
        if not isinstance(name, str) or not PARAMETER_NAME.match(name):
            out.error(here, f"invalid parameter name {shown(name)}: must match {PARAMETER_NAME.pattern}")
        parsed = _parameter(spec, here, out)
        if parsed is not None:
            result[str(name)] = parsed
    return result


def _infer_distribution(raw: Mapping, path: str, out: _Collector) -> str | None:
    if "distribution" in raw:
        dist = raw["distribution"]
        if not isinstance(dist, str) or dist not in DISTRIBUTION_KEYS:
            hint = difflib.get_close_matches(str(dist), DISTRIBUTIONS, n=1)
            suffix = f" (did you mean {hint[0]!r}?)" if hint else ""
            out.error(f"{path}.distribution", f"unknown distribution {shown(dist)}{suffix}")
            return None
        return dist
    if "parameters" in raw:
        return "nested"
    if "values" in raw:
        return "categorical_w_probabilities" if "probabilities" in raw else "categorical"
    if "value" in raw:
        return "constant"
    if "min" in raw or "max" in raw:
        bounds = [raw.get("min"), raw.get("max")]
        if all(isinstance(b, numbers.Integral) and not isinstance(b, bool) for b in bounds):
            return "int_uniform"
        if all(isinstance(b, float) for b in bounds):
            return "uniform"
        if all(isinstance(b, (int, float)) and not isinstance(b, bool) for b in bounds):
            out.error(
                path,
                "ambiguous: min and max must both be ints (int_uniform) or both floats "
                "(uniform); write 1.0 instead of 1, or set distribution",
            )
            return None
        for key, bound in zip(("min", "max"), bounds):
            if bound is None:
                out.error(f"{path}.{key}", "required")
            elif isinstance(bound, bool) or not isinstance(bound, (int, float)):
                out.error(f"{path}.{key}", "must be a number")
        return None
    given = ", ".join(str(k) for k in raw if k in SPEC_KEYS) or "no keys"
    out.error(
        f"{path}.distribution",
        f"required: cannot infer a distribution from {given} "
        "(values, value, min+max or parameters can be inferred)",
    )
    return None


def _parameter(raw: Any, path: str, out: _Collector) -> ParameterSpec | None:
    if not isinstance(raw, Mapping):
        out.error(path, "must be a mapping (a parameter spec such as {values: [1, 2]})")
        return None
    _unknown_keys(raw, sorted(SPEC_KEYS | {"default", CONDITION_KEY}), path, out)
    dist = _infer_distribution(raw, path, out)
    if dist is None:
        return None
    if raw.get("default") is not None and dist == "nested":
        out.error(f"{path}.default", "a nested parameter takes defaults on its leaves")
    when = _when(raw.get(CONDITION_KEY), f"{path}.{CONDITION_KEY}", out)
    allowed = DISTRIBUTION_KEYS[dist]
    inferred = "" if "distribution" in raw else " (inferred; set distribution to use it)"
    for key in raw:
        if key in SPEC_KEYS and key != "distribution" and key not in allowed:
            out.error(f"{path}.{key}", f"not a key of distribution {dist}{inferred}")

    fields: dict[str, Any] = {"distribution": dist, "when": when}
    if dist == "nested":
        children = _parameter_set(raw.get("parameters"), f"{path}.parameters", out)
        fields["parameters"] = children
        return ParameterSpec(**fields) if children is not None else None
    if dist == "constant":
        fields["value"] = _plain(raw["value"], f"{path}.value", out) if "value" in raw else None
        if "value" not in raw:
            out.error(f"{path}.value", "required")
    if "values" in allowed:
        fields.update(_categorical(raw, path, dist, out))
    if "min" in allowed:
        fields.update(_bounds(raw, path, dist, out))
    for key in ("q", "mu", "sigma", "a", "b"):
        if key in allowed:
            value = raw.get(key, SPEC_DEFAULTS[key])
            positive = None if key == "mu" else 0
            fields[key] = _number(value, f"{path}.{key}", out, greater_than=positive)
    if raw.get("default") is not None:
        fields["default"] = _plain(raw["default"], f"{path}.default", out)
    return ParameterSpec(**fields)


def _when(raw: Any, path: str, out: _Collector) -> tuple[tuple[str, tuple], ...] | None:
    """`when: {parent: value or [values]}` as ((parent, (values...)), ...)."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping) or not raw:
        out.error(path, "must be a mapping of parent parameter to a value or a list of values")
        return None
    conditions = []
    for parent, allowed in raw.items():
        here = _join(path, parent)
        if not isinstance(parent, str) or not parent:
            out.error(here, "a parent is named by its (dotted) parameter name")
            continue
        if not isinstance(allowed, (list, tuple)):
            allowed = [allowed]
        if not allowed:
            out.error(here, "must list at least one value")
            continue
        values = tuple(_plain(v, f"{here}[{i}]", out) for i, v in enumerate(allowed))
        conditions.append((parent, values))
    return tuple(conditions) or None


def _constraints(raw: Any, out: _Collector) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str) or not isinstance(raw, (list, tuple)):
        out.error("constraints", "must be a list of expressions (strings)")
        return ()
    if len(raw) > MAX_CONSTRAINTS:
        out.error("constraints", f"at most {MAX_CONSTRAINTS} constraints, not {len(raw)}")
        return ()
    texts = []
    for i, text in enumerate(raw):
        if not isinstance(text, str):
            out.error(f"constraints[{i}]", "must be a string such as 'a * b <= 4096'")
        texts.append(text if isinstance(text, str) else None)  # keeps indices for errors
    return tuple(texts)


def _check_space(
    parameters: dict[str, ParameterSpec], constraints: tuple[str, ...], method: Any,
    out: _Collector,
) -> None:
    """Conditions and constraints (sweepd.space), and a grid that has no valid point."""
    from sweepd.space import check_space

    problems = check_space(parameters, constraints)
    for path, message in problems:
        out.error(path, message)
    has_when = any(spec.when for _, spec in _iter_all(parameters))
    if out.errors or method != "grid" or not (constraints or has_when):
        return
    from sweepd.controller.search.grid import grid_feasible_count

    probe = SweepConfig(method="grid", parameters=parameters, constraints=constraints)
    count = grid_feasible_count(probe, limit=GRID_CHECK_LIMIT)
    if count == 0:
        where = "constraints" if constraints else "parameters"
        out.error(where, "no combination of the grid satisfies every condition and constraint")


def _iter_all(params: Mapping[str, ParameterSpec]) -> Iterator[tuple[str, ParameterSpec]]:
    for name, spec in params.items():
        yield name, spec
        if spec.nested:
            yield from _iter_all(spec.parameters or {})


def _categorical(raw: Mapping, path: str, dist: str, out: _Collector) -> dict[str, Any]:
    values = raw.get("values")
    if values is None:
        out.error(f"{path}.values", "required")
        return {}
    if isinstance(values, (str, Mapping)) or not isinstance(values, (list, tuple)):
        out.error(f"{path}.values", "must be a list")
        return {}
    if not values:
        out.error(f"{path}.values", "must have at least one item")
    values = tuple(_plain(v, f"{path}.values[{i}]", out) for i, v in enumerate(values))
    seen = [json.dumps(v, sort_keys=True) for v in values]
    if len(set(seen)) < len(seen):
        out.warn(f"{path}.values", "has duplicate values")
    fields: dict[str, Any] = {"values": values}
    if dist == "categorical_w_probabilities":
        probs = raw.get("probabilities")
        if probs is None:
            out.error(f"{path}.probabilities", "required")
        elif isinstance(probs, (str, Mapping)) or not isinstance(probs, (list, tuple)):
            out.error(f"{path}.probabilities", "must be a list of numbers")
        else:
            checked = [
                _number(p, f"{path}.probabilities[{i}]", out, minimum=0)
                for i, p in enumerate(probs)
            ]
            if len(probs) != len(values):
                out.error(
                    f"{path}.probabilities",
                    f"must have one item per value ({len(values)}), not {len(probs)}",
                )
            elif None not in checked and not math.isclose(sum(checked), 1.0, abs_tol=1e-6):
                out.error(f"{path}.probabilities", f"must sum to 1, not {sum(checked):g}")
            fields["probabilities"] = tuple(float(p) for p in checked if p is not None)
    return fields


def _bounds(raw: Mapping, path: str, dist: str, out: _Collector) -> dict[str, Any]:
    integer = dist == "int_uniform"
    positive = 0 if dist in POSITIVE_BOUND_DISTRIBUTIONS else None
    bounds = {}
    for key in ("min", "max"):
        if key not in raw:
            out.error(f"{path}.{key}", "required")
            bounds[key] = None
        else:
            bounds[key] = _number(
                raw[key], f"{path}.{key}", out, integer=integer, greater_than=positive
            )
    lo, hi = bounds["min"], bounds["max"]
    if lo is None or hi is None:
        return bounds
    if not lo < hi:
        out.error(f"{path}.max", "must be greater than min")
        return bounds
    if dist in EXPONENT_DISTRIBUTIONS:
        # log_uniform: exp(U(min, max)); inv_log_uniform: exp(-U(min, max))
        if dist == "inv_log_uniform" and -lo > _MAX_EXPONENT:
            out.error(f"{path}.min", f"exp(-min) overflows: min and max of {dist} are exponents")
        elif dist != "inv_log_uniform" and hi > _MAX_EXPONENT:
            out.error(f"{path}.max", f"exp(max) overflows: min and max of {dist} are exponents")
        elif _bounds_look_like_values(lo, hi):
            out.warn(path, _exponent_warning(dist, lo, hi))
    return bounds


def _bounds_look_like_values(lo: float, hi: float) -> bool:
    """Heuristic for the exponent-form trap: bounds meant as values, not exponents.

    Exponents people mean are usually negative or small (-9.2..-2.3 for 1e-4..1e-1).
    Positive bounds that are tiny (0.0001), end at most at 1 (values in [1, e]), span
    two orders of magnitude, or reach past 50 (values past 5e21) almost always mean
    the `*_values` form.
    """
    return lo > 0 and (lo < 0.01 or hi <= 1 or hi / lo >= 100 or hi > 50)


def _exponent_warning(dist: str, lo: float, hi: float) -> str:
    if dist == "inv_log_uniform":
        span = f"[{math.exp(-hi):.4g}, {math.exp(-lo):.4g}]"
    else:
        span = f"[{math.exp(lo):.4g}, {math.exp(hi):.4g}]"
    return (
        f"min and max of {dist} are natural-log exponents, so values lie in {span}; "
        f"these bounds look like values: did you mean {dist}_values?"
    )


def _check_tree(
    parameters: Mapping[str, ParameterSpec], path: str, method: Any, out: _Collector
) -> None:
    """Checks that need the whole tree: grid-able distributions and flat-name clashes."""
    seen: dict[str, str] = {}

    def walk(params: Mapping[str, ParameterSpec], here: str, dotted: str) -> None:
        for name, spec in params.items():
            spec_path, flat = _join(here, name), f"{dotted}{name}"
            if spec.nested:
                walk(spec.parameters or {}, f"{spec_path}.parameters", f"{flat}.")
                continue
            if flat in seen:
                out.error(spec_path, f"its flat name {shown(flat)} collides with {seen[flat]}")
            seen[flat] = spec_path
            if method == "grid" and spec.distribution not in GRID_DISTRIBUTIONS:
                out.error(
                    spec_path,
                    f"distribution {spec.distribution} cannot be used with method grid "
                    f"(grid takes {', '.join(sorted(GRID_DISTRIBUTIONS))})",
                )

    walk(parameters, path, "")


# ---------------------------------------------------------------- helpers


def _spec_to_dict(spec: ParameterSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"distribution": spec.distribution}
    if spec.when:
        out[CONDITION_KEY] = {p: copy.deepcopy(list(v)) for p, v in spec.when}
    for key in DISTRIBUTION_KEYS[spec.distribution]:
        value = getattr(spec, key)
        if key == "parameters":
            value = {name: _spec_to_dict(child) for name, child in (value or {}).items()}
        elif key in ("values", "probabilities"):
            value = copy.deepcopy(list(value or ()))
        else:
            value = copy.deepcopy(value)
        out[key] = value
    if spec.default is not None:
        out["default"] = copy.deepcopy(spec.default)
    return out


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _params_of(spec: SweepConfig | Mapping[str, ParameterSpec]) -> Mapping[str, ParameterSpec]:
    return spec.parameters if isinstance(spec, SweepConfig) else spec


def _flatten_into(
    out: dict[str, Any],
    values: Mapping[str, Any],
    params: Mapping[str, ParameterSpec] | None,
    prefix: str,
) -> None:
    for key, value in values.items():
        child = None if params is None else params.get(key)
        descend = isinstance(value, Mapping) and (
            child.nested if child is not None else params is None
        )
        if descend:
            sub = None if child is None else child.parameters
            _flatten_into(out, value, sub, f"{prefix}{key}.")
        else:
            out[f"{prefix}{key}"] = value
