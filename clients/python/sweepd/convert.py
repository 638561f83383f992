"""The one place that maps protobuf messages to domain objects and back.

Configs cross the wire as a typed `SweepConfig` message; on either side they are the
W&B-vocabulary dict that `sweepd.config.parse_config` validates. Proto enums never
leak past this module.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping

from google.protobuf.timestamp_pb2 import Timestamp

from sweepd.domain import (
    ConfigVersion,
    MetricBatch,
    MetricPoint,
    PriorRun,
    Run,
    RunCounts,
    RunOutput,
    RunState,
    StopReason,
    Sweep,
    SweepState,
)
from sweepd.echo import shown
from sweepd.errors import ConversionError
from sweepd.v1 import agent_service_pb2 as agent_pb
from sweepd.v1 import metric_service_pb2 as metric_pb
from sweepd.v1 import sweep_service_pb2 as sweep_svc_pb
from sweepd.v1 import types_pb2 as pb


def _at(path: str, key: Any) -> str:
    """The path of `key` inside `path`, the key shown cut short and escaped."""
    return f"{path}.{shown(key, quote=False)}" if path else shown(key, quote=False)


# ---------------------------------------------------------------- values

def value_to_proto(value: Any, path: str = "value") -> pb.Value:
    if value is None:
        return pb.Value(null_value=True)
    if isinstance(value, bool):
        return pb.Value(bool_value=value)
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise ConversionError(path, "integer out of the 64-bit range")
        return pb.Value(int_value=value)
    if isinstance(value, float):
        return pb.Value(double_value=value)
    if isinstance(value, str):
        return pb.Value(string_value=value)
    if isinstance(value, Mapping):
        return pb.Value(
            map_value=pb.ValueMap(
                fields={str(k): value_to_proto(v, _at(path, k)) for k, v in value.items()}
            )
        )
    if isinstance(value, (list, tuple)):
        return pb.Value(
            list_value=pb.ValueList(
                items=[value_to_proto(v, f"{path}[{i}]") for i, v in enumerate(value)]
            )
        )
    kind = getattr(getattr(value, "dtype", None), "kind", "")  # numpy scalars
    if kind and kind in "iu":
        return pb.Value(int_value=int(value))
    if kind == "f":
        return pb.Value(double_value=float(value))
    if kind == "b":
        return pb.Value(bool_value=bool(value))
    raise ConversionError(path, f"unsupported value type {type(value).__name__}")


def loggable(value: Any, path: str) -> Any:
    """`value` as the plain JSON-like value a metric point carries (numpy and torch
    scalars made plain, tuples made lists); ConversionError naming the path of
    anything the controller would refuse: a non-finite number at any depth, an
    integer beyond 64 bits, a type that is not JSON-like."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise ConversionError(path, "integer out of the 64-bit range")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ConversionError(path, f"non-finite value {value!r}")
        return value
    if isinstance(value, Mapping):
        return {str(k): loggable(v, _at(path, k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [loggable(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if callable(getattr(value, "item", None)) and getattr(value, "ndim", None) == 0:
        return loggable(value.item(), path)  # a numpy or torch scalar
    raise ConversionError(path, f"unsupported value type {type(value).__name__}")


def value_from_proto(value: pb.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind is None or kind == "null_value":
        return None
    if kind == "map_value":
        return {k: value_from_proto(v) for k, v in value.map_value.fields.items()}
    if kind == "list_value":
        return [value_from_proto(v) for v in value.list_value.items]
    return getattr(value, kind)


def values_to_proto(values: Mapping[str, Any], path: str = "") -> dict[str, pb.Value]:
    return {k: value_to_proto(v, f"{path}{shown(k, quote=False)}") for k, v in values.items()}


_SCALAR_FIELDS = {float: "double_value", str: "string_value", bool: "bool_value"}


def fill_values(target, values: Mapping[str, Any], path: str = "") -> None:
    """Writes `values` into a map field of pb.Value in place (`target`, e.g. a
    MetricPoint's `values`): plain floats, strings, bools and 64-bit ints directly,
    anything else through value_to_proto (which names the path of what it refuses)."""
    for k, v in values.items():
        field = _SCALAR_FIELDS.get(type(v))
        if field is not None:
            setattr(target[k], field, v)
        elif type(v) is int and -(2**63) <= v < 2**63:
            target[k].int_value = v
        else:
            target[k].CopyFrom(value_to_proto(v, f"{path}{shown(k, quote=False)}"))


def values_from_proto(values: Mapping[str, pb.Value]) -> dict[str, Any]:
    return {k: value_from_proto(v) for k, v in values.items()}


# ---------------------------------------------------------------- time

def timestamp(seconds: float | None) -> Timestamp | None:
    """A Timestamp, or None (the field left unset) for None and for a time outside
    the range a Timestamp may hold (years 1 to 9999): a reader answers with what it
    has rather than failing on one impossible stored time."""
    if seconds is None or not math.isfinite(seconds):
        return None
    ts = Timestamp()
    try:
        ts.FromNanoseconds(int(round(seconds * 1e9)))
    except ValueError:
        return None
    return ts


def seconds(ts: Timestamp) -> float:
    return ts.seconds + ts.nanos / 1e9


# ---------------------------------------------------------------- enums

def _enum_names(enum_type: Any, prefix: str) -> dict[str, int]:
    return {
        name[len(prefix):].lower(): number
        for name, number in enum_type.items()
        if not name.endswith("_UNSPECIFIED")
    }


_METHODS = _enum_names(pb.SearchMethod, "SEARCH_METHOD_")
_GOALS = _enum_names(pb.Goal, "GOAL_")
_DISTRIBUTIONS = _enum_names(pb.Distribution, "DISTRIBUTION_")
_EARLY = _enum_names(pb.EarlyTerminateType, "EARLY_TERMINATE_TYPE_")
_SWEEP_STATES = {s: pb.SweepState.Value(f"SWEEP_STATE_{s.value.upper()}") for s in SweepState}
_RUN_STATES = {s: pb.RunState.Value(f"RUN_STATE_{s.value.upper()}") for s in RunState}


def _invert(table: Mapping[Any, int]) -> dict[int, Any]:
    return {v: k for k, v in table.items()}


def _enum_from_proto(table: Mapping[str, int], number: int, path: str) -> str:
    """The name of an enum number; a number this version does not know names its field."""
    for name, value in table.items():
        if value == number:
            return name
    raise ConversionError(path, f"unknown enum value {number}")


def _enum_into(out: dict[str, Any], key: str, table: Mapping[str, int], number: int,
               path: str, problems: list[ConversionError] | None) -> None:
    """Sets out[key] to the name of enum `number`. An unknown number raises, or, when
    `problems` is a list, is added to it and the key left out."""
    try:
        out[key] = _enum_from_proto(table, number, path)
    except ConversionError as exc:
        if problems is None:
            raise
        problems.append(exc)


def _enum_to_proto(table: Mapping[str, int], value: Any, path: str) -> int:
    if value is None:
        return 0
    try:
        return table[str(value)]
    except KeyError:
        raise ConversionError(path, f"unknown value {shown(value)}; expected one of {sorted(table)}") from None


def sweep_state_to_proto(state: SweepState) -> int:
    return _SWEEP_STATES[state]


def sweep_state_from_proto(value: int) -> SweepState:
    return _invert(_SWEEP_STATES)[value]


def run_state_to_proto(state: RunState) -> int:
    return _RUN_STATES[state]


def run_state_from_proto(value: int) -> RunState | None:
    return _invert(_RUN_STATES).get(value)


# ---------------------------------------------------------------- config

_NUMBER_FIELDS = ("mu", "sigma", "a", "b")
_VALUE_FIELDS = ("min", "max", "q")
_SPEC_KEYS = {"distribution", "value", "values", "probabilities", "parameters", "default", "when",
              *_NUMBER_FIELDS, *_VALUE_FIELDS}


def _spec_to_proto(spec: Any, path: str) -> pb.ParameterSpec:
    if not isinstance(spec, Mapping):
        raise ConversionError(path, "must be a mapping")
    unknown = set(spec) - _SPEC_KEYS
    if unknown:
        raise ConversionError(_at(path, sorted(map(str, unknown))[0]), "unknown key")
    out = pb.ParameterSpec(
        distribution=_enum_to_proto(_DISTRIBUTIONS, spec.get("distribution"), f"{path}.distribution")
    )
    if "value" in spec:
        out.value.CopyFrom(value_to_proto(spec["value"], f"{path}.value"))
    if spec.get("default") is not None:
        out.default.CopyFrom(value_to_proto(spec["default"], f"{path}.default"))
    if "values" in spec:
        if not isinstance(spec["values"], (list, tuple)):
            raise ConversionError(f"{path}.values", "must be a list")
        out.values.extend(value_to_proto(v, f"{path}.values[{i}]") for i, v in enumerate(spec["values"]))
    if "probabilities" in spec:
        try:
            out.probabilities.extend(float(p) for p in spec["probabilities"])
        except (TypeError, ValueError):
            raise ConversionError(f"{path}.probabilities", "must be a list of numbers") from None
    for name in _VALUE_FIELDS:
        if spec.get(name) is not None:
            getattr(out, name).CopyFrom(value_to_proto(spec[name], f"{path}.{name}"))
    for name in _NUMBER_FIELDS:
        if spec.get(name) is not None:
            try:
                setattr(out, name, float(spec[name]))
            except (TypeError, ValueError):
                raise ConversionError(f"{path}.{name}", "must be a number") from None
    for name, sub in (spec.get("parameters") or {}).items():
        out.parameters[name].CopyFrom(_spec_to_proto(sub, _at(f"{path}.parameters", name)))
    when = spec.get("when")
    if when is not None:
        if not isinstance(when, Mapping):
            raise ConversionError(f"{path}.when", "must be a mapping of parent to values")
        for parent, allowed in when.items():
            values = allowed if isinstance(allowed, (list, tuple)) else [allowed]
            out.when.add(parent=str(parent), values=[
                value_to_proto(v, f"{path}.when.{parent}[{i}]") for i, v in enumerate(values)
            ])
    return out


def _spec_from_proto(spec: pb.ParameterSpec, path: str,
                     problems: list[ConversionError] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if spec.distribution:
        _enum_into(out, "distribution", _DISTRIBUTIONS, spec.distribution, f"{path}.distribution", problems)
    if spec.HasField("value"):
        out["value"] = value_from_proto(spec.value)
    if spec.HasField("default"):
        out["default"] = value_from_proto(spec.default)
    if spec.values:
        out["values"] = [value_from_proto(v) for v in spec.values]
    if spec.probabilities:
        out["probabilities"] = list(spec.probabilities)
    for name in _VALUE_FIELDS:
        if spec.HasField(name):
            out[name] = value_from_proto(getattr(spec, name))
    for name in _NUMBER_FIELDS:
        if spec.HasField(name):
            out[name] = getattr(spec, name)
    if spec.parameters:
        out["parameters"] = {k: _spec_from_proto(v, _at(f"{path}.parameters", k), problems)
                             for k, v in spec.parameters.items()}
    if spec.when:
        # a parent named twice keeps the values of both (any of them)
        when: dict[str, list[Any]] = {}
        for condition in spec.when:
            when.setdefault(condition.parent, []).extend(
                value_from_proto(v) for v in condition.values
            )
        out["when"] = when
    return out


_TOP_KEYS = {"method", "metric", "metrics", "parameters", "early_terminate", "run_cap",
             "program", "command", "name", "description", "project", "entity", "retry",
             "constraints"}


def _objectives_to_proto(out: pb.SweepConfig, metrics: Any) -> None:
    """sweepd's `metrics` list into out.metrics."""
    if isinstance(metrics, (str, Mapping)) or not isinstance(metrics, (list, tuple)):
        raise ConversionError("metrics", "must be a list of objectives {name, goal, threshold}")
    for i, item in enumerate(metrics):
        path = f"metrics[{i}]"
        if not isinstance(item, Mapping):
            raise ConversionError(path, "must be a mapping {name, goal, threshold}")
        unknown = set(item) - {"name", "goal", "threshold"}
        if unknown:
            raise ConversionError(_at(path, sorted(map(str, unknown))[0]), "unknown key")
        objective = out.metrics.add(name=str(item.get("name") or ""),
                                    goal=_enum_to_proto(_GOALS, item.get("goal"), f"{path}.goal"))
        if item.get("threshold") is not None:
            try:
                objective.threshold = float(item["threshold"])
            except (TypeError, ValueError):
                raise ConversionError(f"{path}.threshold", "must be a number") from None


def _objectives_from_proto(config: pb.SweepConfig,
                           problems: list[ConversionError] | None) -> list[dict[str, Any]]:
    out = []
    for i, objective in enumerate(config.metrics):
        item: dict[str, Any] = {"name": objective.name}
        if objective.goal:
            _enum_into(item, "goal", _GOALS, objective.goal, f"metrics[{i}].goal", problems)
        if objective.HasField("threshold"):
            item["threshold"] = objective.threshold
        out.append(item)
    return out


def config_dict_to_proto(config: Mapping[str, Any]) -> pb.SweepConfig:
    """A config dict (ideally `config_to_dict` output) as a typed message."""
    unknown = set(config) - _TOP_KEYS
    if unknown:
        raise ConversionError(sorted(unknown)[0], "unknown key")
    out = pb.SweepConfig(method=_enum_to_proto(_METHODS, config.get("method"), "method"))
    metric = config.get("metric")
    if metric:
        out.metric.name = str(metric.get("name") or "")
        out.metric.goal = _enum_to_proto(_GOALS, metric.get("goal"), "metric.goal")
        if metric.get("target") is not None:
            out.metric.target = float(metric["target"])
    if config.get("metrics") is not None:
        _objectives_to_proto(out, config["metrics"])
    for name, spec in (config.get("parameters") or {}).items():
        out.parameters[name].CopyFrom(_spec_to_proto(spec, _at("parameters", name)))
    early = config.get("early_terminate")
    if early:
        out.early_terminate.type = _enum_to_proto(_EARLY, early.get("type"), "early_terminate.type")
        for name in ("min_iter", "max_iter", "s"):
            if early.get(name) is not None:
                setattr(out.early_terminate, name, int(early[name]))
        if early.get("eta") is not None:
            out.early_terminate.eta = float(early["eta"])
        if early.get("strict") is not None:
            out.early_terminate.strict = bool(early["strict"])
    if config.get("run_cap"):
        out.run_cap = int(config["run_cap"])
    for name in ("program", "name", "description", "project", "entity"):
        if config.get(name):
            setattr(out, name, str(config[name]))
    out.command.extend(str(c) for c in (config.get("command") or []))
    retry = config.get("retry")
    if retry:
        out.retry.max_attempts = int(retry.get("max_attempts") or 1)
    constraints = config.get("constraints")
    if constraints is not None:
        if isinstance(constraints, str) or not isinstance(constraints, (list, tuple)):
            raise ConversionError("constraints", "must be a list of strings")
        for i, text in enumerate(constraints):
            if not isinstance(text, str):
                raise ConversionError(f"constraints[{i}]", "must be a string")
        out.constraints.extend(constraints)
    return out


def config_dict_from_proto(config: pb.SweepConfig,
                           problems: list[ConversionError] | None = None) -> dict[str, Any]:
    """The W&B-vocabulary dict a typed config stands for (unset fields left out).

    An enum number this version does not know raises ConversionError; with a
    `problems` list, each is added to it instead and its field left out, so that a
    validator can report them beside every other error of the config."""
    out: dict[str, Any] = {}
    if config.method:
        _enum_into(out, "method", _METHODS, config.method, "method", problems)
    if config.HasField("metric"):
        metric: dict[str, Any] = {}
        if config.metric.name:
            metric["name"] = config.metric.name
        if config.metric.goal:
            _enum_into(metric, "goal", _GOALS, config.metric.goal, "metric.goal", problems)
        if config.metric.HasField("target"):
            metric["target"] = config.metric.target
        out["metric"] = metric
    if config.metrics:
        out["metrics"] = _objectives_from_proto(config, problems)
    out["parameters"] = {k: _spec_from_proto(v, _at("parameters", k), problems)
                         for k, v in config.parameters.items()}
    if config.HasField("early_terminate"):
        e = config.early_terminate
        early: dict[str, Any] = {}
        if e.type:
            _enum_into(early, "type", _EARLY, e.type, "early_terminate.type", problems)
        for name in ("min_iter", "max_iter", "s", "eta", "strict"):
            if e.HasField(name):
                early[name] = getattr(e, name)
        out["early_terminate"] = early
    if config.run_cap:
        out["run_cap"] = config.run_cap
    for name in ("program", "name", "description", "project", "entity"):
        if getattr(config, name):
            out[name] = getattr(config, name)
    if config.command:
        out["command"] = list(config.command)
    if config.HasField("retry"):
        out["retry"] = {"max_attempts": config.retry.max_attempts}
    if config.constraints:
        out["constraints"] = list(config.constraints)
    return out


def config_to_proto(config: Any) -> pb.SweepConfig:
    """A parsed `SweepConfig` as a message."""
    from sweepd.config import config_to_dict

    return config_dict_to_proto(config_to_dict(config))


# ---------------------------------------------------------------- sweeps and runs

def sweep_to_proto(sweep: Sweep, config: pb.SweepConfig | None = None) -> pb.Sweep:
    """`config`: the config's message when the caller has it already."""
    c = sweep.counts
    out = pb.Sweep(
        id=sweep.id,
        config=config if config is not None else config_to_proto(sweep.config),
        state=sweep_state_to_proto(sweep.state),
        create_time=timestamp(sweep.created_at),
        update_time=timestamp(sweep.updated_at),
        run_counts=pb.RunCounts(
            pending=c.pending, running=c.running, finished=c.finished,
            failed=c.failed, crashed=c.crashed, stopped=c.stopped,
        ),
        best_run_id=sweep.best_run_id,
        warnings=list(getattr(sweep.config, "warnings", ()) or ()),
        prior_run_count=sweep.prior_runs,
        config_version=sweep.config_version,
        pareto_front_size=sweep.pareto_front_size,
        hypervolume_reference=list(sweep.hypervolume_reference),
    )
    if sweep.best_value is not None:
        out.best_value = sweep.best_value
    if sweep.hypervolume is not None:
        out.hypervolume = sweep.hypervolume
    return out


def sweep_from_proto(msg: pb.Sweep) -> Sweep:
    from sweepd.config import parse_config

    c = msg.run_counts
    return Sweep(
        id=msg.id,
        config=parse_config(config_dict_from_proto(msg.config)),
        state=sweep_state_from_proto(msg.state),
        created_at=seconds(msg.create_time),
        updated_at=seconds(msg.update_time),
        counts=RunCounts(
            pending=c.pending, running=c.running, finished=c.finished,
            failed=c.failed, crashed=c.crashed, stopped=c.stopped,
        ),
        best_run_id=msg.best_run_id,
        best_value=msg.best_value if msg.HasField("best_value") else None,
        warnings=tuple(msg.warnings),
        prior_runs=msg.prior_run_count,
        config_version=msg.config_version or 1,
        pareto_front_size=msg.pareto_front_size,
        hypervolume=msg.hypervolume if msg.HasField("hypervolume") else None,
        hypervolume_reference=tuple(msg.hypervolume_reference),
    )


def prior_run_to_proto(prior: PriorRun, path: str = "prior_runs") -> sweep_svc_pb.PriorRun:
    return sweep_svc_pb.PriorRun(
        config=values_to_proto(prior.config, f"{path}.config."),
        summary=values_to_proto(prior.summary, f"{path}.summary."),
        origin=prior.origin,
    )


def prior_run_from_proto(msg: sweep_svc_pb.PriorRun) -> PriorRun:
    return PriorRun(config=values_from_proto(msg.config), summary=values_from_proto(msg.summary),
                    origin=msg.origin)


def config_version_to_proto(v: ConfigVersion) -> sweep_svc_pb.ConfigVersion:
    return sweep_svc_pb.ConfigVersion(
        version=v.version, create_time=timestamp(v.created_at),
        config=config_to_proto(v.config), changed_paths=list(v.changed_paths))


def config_version_from_proto(msg: sweep_svc_pb.ConfigVersion) -> ConfigVersion:
    from sweepd.config import parse_config

    return ConfigVersion(
        version=msg.version, created_at=seconds(msg.create_time),
        config=parse_config(config_dict_from_proto(msg.config)),
        changed_paths=tuple(msg.changed_paths))


def stop_reason_to_proto(reason: StopReason | None) -> pb.StopReason | None:
    if reason is None:
        return None
    out = pb.StopReason(kind=reason.kind, message=reason.message)
    if reason.band is not None:
        out.band = reason.band
    if reason.value is not None and math.isfinite(reason.value):
        out.value = reason.value
    if reason.threshold is not None and math.isfinite(reason.threshold):
        out.threshold = reason.threshold
    return out


def stop_reason_from_proto(msg: pb.StopReason) -> StopReason | None:
    if not msg.kind:
        return None
    return StopReason(
        kind=msg.kind,
        message=msg.message,
        band=msg.band if msg.HasField("band") else None,
        value=msg.value if msg.HasField("value") else None,
        threshold=msg.threshold if msg.HasField("threshold") else None,
    )


def output_to_proto(output: RunOutput) -> agent_pb.RunOutput:
    return agent_pb.RunOutput(
        stdout_tail=output.stdout, stderr_tail=output.stderr, stdout_bytes=output.stdout_bytes,
        stderr_bytes=output.stderr_bytes, traceback=output.traceback)


def output_from_proto(msg: agent_pb.RunOutput) -> RunOutput:
    """As sent: the controller checks the bounds (limits.check_run_output)."""
    return RunOutput(stdout=msg.stdout_tail, stderr=msg.stderr_tail, stdout_bytes=msg.stdout_bytes,
                     stderr_bytes=msg.stderr_bytes, traceback=msg.traceback)


def run_to_proto(run: Run) -> pb.Run:
    out = pb.Run(
        id=run.id,
        sweep_id=run.sweep_id,
        state=run_state_to_proto(run.state),
        config=values_to_proto(run.config),
        number=run.number,
        agent_id=run.agent_id,
        host=run.host,
        attempt=run.attempt,
        create_time=timestamp(run.created_at),
        start_time=timestamp(run.started_at),
        end_time=timestamp(run.ended_at),
        error=run.error,
        stop_reason=stop_reason_to_proto(run.stop_reason),
        summary=values_to_proto(run.summary),
        point_count=run.points,
        note=run.note,
        prior=run.prior,
        ignored=run.ignored,
        config_version=run.config_version,
        objective_values=run.objectives,
        pareto_optimal=run.pareto_optimal,
    )
    if run.exit_code is not None:
        out.exit_code = run.exit_code
    if run.pareto_rank is not None:
        out.pareto_rank = run.pareto_rank
    return out


def run_from_proto(msg: pb.Run) -> Run:
    return Run(
        id=msg.id,
        sweep_id=msg.sweep_id,
        state=run_state_from_proto(msg.state) or RunState.PENDING,
        config=values_from_proto(msg.config),
        number=msg.number,
        agent_id=msg.agent_id,
        host=msg.host,
        attempt=msg.attempt,
        created_at=seconds(msg.create_time),
        started_at=seconds(msg.start_time) if msg.HasField("start_time") else None,
        ended_at=seconds(msg.end_time) if msg.HasField("end_time") else None,
        exit_code=msg.exit_code if msg.HasField("exit_code") else None,
        error=msg.error,
        stop_reason=stop_reason_from_proto(msg.stop_reason),
        summary=values_from_proto(msg.summary),
        points=msg.point_count,
        note=msg.note,
        prior=msg.prior,
        ignored=msg.ignored,
        config_version=msg.config_version or 1,
        objectives=dict(msg.objective_values),
        pareto_rank=msg.pareto_rank if msg.HasField("pareto_rank") else None,
    )


# ---------------------------------------------------------------- metrics

def point_to_proto(point: MetricPoint) -> metric_pb.MetricPoint:
    msg = metric_pb.MetricPoint(step=point.step, wall_time=timestamp(point.wall_time))
    fill_values(msg.values, point.values)
    return msg


_NOT_PLAIN = object()


def _plain_scalar(value: pb.Value) -> Any:
    """A finite number, an integer, a string or a bool as itself; _NOT_PLAIN for
    anything else (maps, lists, null, non-finite numbers), which takes the checked path."""
    kind = value.WhichOneof("kind")
    if kind == "double_value":
        x = value.double_value
        return x if x - x == 0.0 else _NOT_PLAIN  # inf - inf and nan - nan are nan
    if kind == "int_value" or kind == "string_value" or kind == "bool_value":
        return getattr(value, kind)
    return _NOT_PLAIN


def point_from_proto(msg: metric_pb.MetricPoint, path: str = "points",
                     received: float | None = None) -> MetricPoint:
    """Decodes a point, refusing what `loggable` refuses (a non-finite number anywhere
    in its values: ConversionError names the field). A point without a wall_time
    gets `received` (the epoch when None)."""
    values = {}
    for key, v in msg.values.items():  # plain scalars, nearly every value, decode fast
        x = _plain_scalar(v)
        values[key] = x if x is not _NOT_PLAIN else loggable(
            value_from_proto(v), _at(f"{path}.values", key))
    unset = received is not None and not msg.HasField("wall_time")
    return MetricPoint(step=msg.step, wall_time=received if unset else seconds(msg.wall_time),
                       values=values)


def batch_to_proto(batch: MetricBatch) -> metric_pb.MetricBatch:
    return metric_pb.MetricBatch(
        sweep_id=batch.sweep_id,
        run_id=batch.run_id,
        lease_token=batch.lease_token,
        seq=batch.seq,
        points=[point_to_proto(p) for p in batch.points],
    )


def batch_from_proto(msg: metric_pb.MetricBatch, received: float | None = None) -> MetricBatch:
    """`received`: the wall_time of the points that have none (see point_from_proto)."""
    return MetricBatch(
        run_id=msg.run_id,
        sweep_id=msg.sweep_id,
        lease_token=msg.lease_token,
        seq=msg.seq,
        points=tuple(point_from_proto(p, f"points[{i}]", received) for i, p in enumerate(msg.points)),
    )


def field_violations(errors: Iterable[Any]) -> list[pb.FieldViolation]:
    return [pb.FieldViolation(field=e.path, description=e.message) for e in errors]
