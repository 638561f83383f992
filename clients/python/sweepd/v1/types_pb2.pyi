import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SearchMethod(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEARCH_METHOD_UNSPECIFIED: _ClassVar[SearchMethod]
    SEARCH_METHOD_GRID: _ClassVar[SearchMethod]
    SEARCH_METHOD_RANDOM: _ClassVar[SearchMethod]
    SEARCH_METHOD_BAYES: _ClassVar[SearchMethod]

class Goal(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GOAL_UNSPECIFIED: _ClassVar[Goal]
    GOAL_MINIMIZE: _ClassVar[Goal]
    GOAL_MAXIMIZE: _ClassVar[Goal]

class Distribution(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DISTRIBUTION_UNSPECIFIED: _ClassVar[Distribution]
    DISTRIBUTION_CONSTANT: _ClassVar[Distribution]
    DISTRIBUTION_CATEGORICAL: _ClassVar[Distribution]
    DISTRIBUTION_CATEGORICAL_W_PROBABILITIES: _ClassVar[Distribution]
    DISTRIBUTION_INT_UNIFORM: _ClassVar[Distribution]
    DISTRIBUTION_UNIFORM: _ClassVar[Distribution]
    DISTRIBUTION_Q_UNIFORM: _ClassVar[Distribution]
    DISTRIBUTION_LOG_UNIFORM: _ClassVar[Distribution]
    DISTRIBUTION_LOG_UNIFORM_VALUES: _ClassVar[Distribution]
    DISTRIBUTION_Q_LOG_UNIFORM: _ClassVar[Distribution]
    DISTRIBUTION_Q_LOG_UNIFORM_VALUES: _ClassVar[Distribution]
    DISTRIBUTION_INV_LOG_UNIFORM: _ClassVar[Distribution]
    DISTRIBUTION_INV_LOG_UNIFORM_VALUES: _ClassVar[Distribution]
    DISTRIBUTION_NORMAL: _ClassVar[Distribution]
    DISTRIBUTION_Q_NORMAL: _ClassVar[Distribution]
    DISTRIBUTION_LOG_NORMAL: _ClassVar[Distribution]
    DISTRIBUTION_Q_LOG_NORMAL: _ClassVar[Distribution]
    DISTRIBUTION_BETA: _ClassVar[Distribution]
    DISTRIBUTION_Q_BETA: _ClassVar[Distribution]
    DISTRIBUTION_NESTED: _ClassVar[Distribution]

class EarlyTerminateType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EARLY_TERMINATE_TYPE_UNSPECIFIED: _ClassVar[EarlyTerminateType]
    EARLY_TERMINATE_TYPE_HYPERBAND: _ClassVar[EarlyTerminateType]
    EARLY_TERMINATE_TYPE_ASHA: _ClassVar[EarlyTerminateType]
    EARLY_TERMINATE_TYPE_MEDIAN: _ClassVar[EarlyTerminateType]

class SweepState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SWEEP_STATE_UNSPECIFIED: _ClassVar[SweepState]
    SWEEP_STATE_RUNNING: _ClassVar[SweepState]
    SWEEP_STATE_PAUSED: _ClassVar[SweepState]
    SWEEP_STATE_FINISHING: _ClassVar[SweepState]
    SWEEP_STATE_FINISHED: _ClassVar[SweepState]
    SWEEP_STATE_CANCELLED: _ClassVar[SweepState]

class RunState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RUN_STATE_UNSPECIFIED: _ClassVar[RunState]
    RUN_STATE_PENDING: _ClassVar[RunState]
    RUN_STATE_RUNNING: _ClassVar[RunState]
    RUN_STATE_FINISHED: _ClassVar[RunState]
    RUN_STATE_FAILED: _ClassVar[RunState]
    RUN_STATE_CRASHED: _ClassVar[RunState]
    RUN_STATE_STOPPED: _ClassVar[RunState]
SEARCH_METHOD_UNSPECIFIED: SearchMethod
SEARCH_METHOD_GRID: SearchMethod
SEARCH_METHOD_RANDOM: SearchMethod
SEARCH_METHOD_BAYES: SearchMethod
GOAL_UNSPECIFIED: Goal
GOAL_MINIMIZE: Goal
GOAL_MAXIMIZE: Goal
DISTRIBUTION_UNSPECIFIED: Distribution
DISTRIBUTION_CONSTANT: Distribution
DISTRIBUTION_CATEGORICAL: Distribution
DISTRIBUTION_CATEGORICAL_W_PROBABILITIES: Distribution
DISTRIBUTION_INT_UNIFORM: Distribution
DISTRIBUTION_UNIFORM: Distribution
DISTRIBUTION_Q_UNIFORM: Distribution
DISTRIBUTION_LOG_UNIFORM: Distribution
DISTRIBUTION_LOG_UNIFORM_VALUES: Distribution
DISTRIBUTION_Q_LOG_UNIFORM: Distribution
DISTRIBUTION_Q_LOG_UNIFORM_VALUES: Distribution
DISTRIBUTION_INV_LOG_UNIFORM: Distribution
DISTRIBUTION_INV_LOG_UNIFORM_VALUES: Distribution
DISTRIBUTION_NORMAL: Distribution
DISTRIBUTION_Q_NORMAL: Distribution
DISTRIBUTION_LOG_NORMAL: Distribution
DISTRIBUTION_Q_LOG_NORMAL: Distribution
DISTRIBUTION_BETA: Distribution
DISTRIBUTION_Q_BETA: Distribution
DISTRIBUTION_NESTED: Distribution
EARLY_TERMINATE_TYPE_UNSPECIFIED: EarlyTerminateType
EARLY_TERMINATE_TYPE_HYPERBAND: EarlyTerminateType
EARLY_TERMINATE_TYPE_ASHA: EarlyTerminateType
EARLY_TERMINATE_TYPE_MEDIAN: EarlyTerminateType
SWEEP_STATE_UNSPECIFIED: SweepState
SWEEP_STATE_RUNNING: SweepState
SWEEP_STATE_PAUSED: SweepState
SWEEP_STATE_FINISHING: SweepState
SWEEP_STATE_FINISHED: SweepState
SWEEP_STATE_CANCELLED: SweepState
RUN_STATE_UNSPECIFIED: RunState
RUN_STATE_PENDING: RunState
RUN_STATE_RUNNING: RunState
RUN_STATE_FINISHED: RunState
RUN_STATE_FAILED: RunState
RUN_STATE_CRASHED: RunState
RUN_STATE_STOPPED: RunState

class Value(_message.Message):
    __slots__ = ("null_value", "double_value", "int_value", "string_value", "bool_value", "map_value", "list_value")
    NULL_VALUE_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_VALUE_FIELD_NUMBER: _ClassVar[int]
    INT_VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    BOOL_VALUE_FIELD_NUMBER: _ClassVar[int]
    MAP_VALUE_FIELD_NUMBER: _ClassVar[int]
    LIST_VALUE_FIELD_NUMBER: _ClassVar[int]
    null_value: bool
    double_value: float
    int_value: int
    string_value: str
    bool_value: bool
    map_value: ValueMap
    list_value: ValueList
    def __init__(self, null_value: _Optional[bool] = ..., double_value: _Optional[float] = ..., int_value: _Optional[int] = ..., string_value: _Optional[str] = ..., bool_value: _Optional[bool] = ..., map_value: _Optional[_Union[ValueMap, _Mapping]] = ..., list_value: _Optional[_Union[ValueList, _Mapping]] = ...) -> None: ...

class ValueMap(_message.Message):
    __slots__ = ("fields",)
    class FieldsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[Value, _Mapping]] = ...) -> None: ...
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    fields: _containers.MessageMap[str, Value]
    def __init__(self, fields: _Optional[_Mapping[str, Value]] = ...) -> None: ...

class ValueList(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[Value]
    def __init__(self, items: _Optional[_Iterable[_Union[Value, _Mapping]]] = ...) -> None: ...

class ParameterSpec(_message.Message):
    __slots__ = ("distribution", "value", "values", "probabilities", "min", "max", "q", "mu", "sigma", "a", "b", "parameters", "default", "when")
    class ParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: ParameterSpec
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[ParameterSpec, _Mapping]] = ...) -> None: ...
    DISTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    PROBABILITIES_FIELD_NUMBER: _ClassVar[int]
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    Q_FIELD_NUMBER: _ClassVar[int]
    MU_FIELD_NUMBER: _ClassVar[int]
    SIGMA_FIELD_NUMBER: _ClassVar[int]
    A_FIELD_NUMBER: _ClassVar[int]
    B_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_FIELD_NUMBER: _ClassVar[int]
    WHEN_FIELD_NUMBER: _ClassVar[int]
    distribution: Distribution
    value: Value
    values: _containers.RepeatedCompositeFieldContainer[Value]
    probabilities: _containers.RepeatedScalarFieldContainer[float]
    min: Value
    max: Value
    q: Value
    mu: float
    sigma: float
    a: float
    b: float
    parameters: _containers.MessageMap[str, ParameterSpec]
    default: Value
    when: _containers.RepeatedCompositeFieldContainer[Condition]
    def __init__(self, distribution: _Optional[_Union[Distribution, str]] = ..., value: _Optional[_Union[Value, _Mapping]] = ..., values: _Optional[_Iterable[_Union[Value, _Mapping]]] = ..., probabilities: _Optional[_Iterable[float]] = ..., min: _Optional[_Union[Value, _Mapping]] = ..., max: _Optional[_Union[Value, _Mapping]] = ..., q: _Optional[_Union[Value, _Mapping]] = ..., mu: _Optional[float] = ..., sigma: _Optional[float] = ..., a: _Optional[float] = ..., b: _Optional[float] = ..., parameters: _Optional[_Mapping[str, ParameterSpec]] = ..., default: _Optional[_Union[Value, _Mapping]] = ..., when: _Optional[_Iterable[_Union[Condition, _Mapping]]] = ...) -> None: ...

class Condition(_message.Message):
    __slots__ = ("parent", "values")
    PARENT_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    parent: str
    values: _containers.RepeatedCompositeFieldContainer[Value]
    def __init__(self, parent: _Optional[str] = ..., values: _Optional[_Iterable[_Union[Value, _Mapping]]] = ...) -> None: ...

class MetricSpec(_message.Message):
    __slots__ = ("name", "goal", "target")
    NAME_FIELD_NUMBER: _ClassVar[int]
    GOAL_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    name: str
    goal: Goal
    target: float
    def __init__(self, name: _Optional[str] = ..., goal: _Optional[_Union[Goal, str]] = ..., target: _Optional[float] = ...) -> None: ...

class Objective(_message.Message):
    __slots__ = ("name", "goal", "threshold")
    NAME_FIELD_NUMBER: _ClassVar[int]
    GOAL_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    name: str
    goal: Goal
    threshold: float
    def __init__(self, name: _Optional[str] = ..., goal: _Optional[_Union[Goal, str]] = ..., threshold: _Optional[float] = ...) -> None: ...

class EarlyTerminate(_message.Message):
    __slots__ = ("type", "min_iter", "max_iter", "s", "eta", "strict")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    MIN_ITER_FIELD_NUMBER: _ClassVar[int]
    MAX_ITER_FIELD_NUMBER: _ClassVar[int]
    S_FIELD_NUMBER: _ClassVar[int]
    ETA_FIELD_NUMBER: _ClassVar[int]
    STRICT_FIELD_NUMBER: _ClassVar[int]
    type: EarlyTerminateType
    min_iter: int
    max_iter: int
    s: int
    eta: float
    strict: bool
    def __init__(self, type: _Optional[_Union[EarlyTerminateType, str]] = ..., min_iter: _Optional[int] = ..., max_iter: _Optional[int] = ..., s: _Optional[int] = ..., eta: _Optional[float] = ..., strict: _Optional[bool] = ...) -> None: ...

class RetryPolicy(_message.Message):
    __slots__ = ("max_attempts",)
    MAX_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    max_attempts: int
    def __init__(self, max_attempts: _Optional[int] = ...) -> None: ...

class SweepConfig(_message.Message):
    __slots__ = ("method", "metric", "parameters", "early_terminate", "run_cap", "program", "command", "name", "description", "project", "entity", "retry", "constraints", "metrics")
    class ParametersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: ParameterSpec
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[ParameterSpec, _Mapping]] = ...) -> None: ...
    METHOD_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    PARAMETERS_FIELD_NUMBER: _ClassVar[int]
    EARLY_TERMINATE_FIELD_NUMBER: _ClassVar[int]
    RUN_CAP_FIELD_NUMBER: _ClassVar[int]
    PROGRAM_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    RETRY_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    METRICS_FIELD_NUMBER: _ClassVar[int]
    method: SearchMethod
    metric: MetricSpec
    parameters: _containers.MessageMap[str, ParameterSpec]
    early_terminate: EarlyTerminate
    run_cap: int
    program: str
    command: _containers.RepeatedScalarFieldContainer[str]
    name: str
    description: str
    project: str
    entity: str
    retry: RetryPolicy
    constraints: _containers.RepeatedScalarFieldContainer[str]
    metrics: _containers.RepeatedCompositeFieldContainer[Objective]
    def __init__(self, method: _Optional[_Union[SearchMethod, str]] = ..., metric: _Optional[_Union[MetricSpec, _Mapping]] = ..., parameters: _Optional[_Mapping[str, ParameterSpec]] = ..., early_terminate: _Optional[_Union[EarlyTerminate, _Mapping]] = ..., run_cap: _Optional[int] = ..., program: _Optional[str] = ..., command: _Optional[_Iterable[str]] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., project: _Optional[str] = ..., entity: _Optional[str] = ..., retry: _Optional[_Union[RetryPolicy, _Mapping]] = ..., constraints: _Optional[_Iterable[str]] = ..., metrics: _Optional[_Iterable[_Union[Objective, _Mapping]]] = ...) -> None: ...

class RunCounts(_message.Message):
    __slots__ = ("pending", "running", "finished", "failed", "crashed", "stopped")
    PENDING_FIELD_NUMBER: _ClassVar[int]
    RUNNING_FIELD_NUMBER: _ClassVar[int]
    FINISHED_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    CRASHED_FIELD_NUMBER: _ClassVar[int]
    STOPPED_FIELD_NUMBER: _ClassVar[int]
    pending: int
    running: int
    finished: int
    failed: int
    crashed: int
    stopped: int
    def __init__(self, pending: _Optional[int] = ..., running: _Optional[int] = ..., finished: _Optional[int] = ..., failed: _Optional[int] = ..., crashed: _Optional[int] = ..., stopped: _Optional[int] = ...) -> None: ...

class Sweep(_message.Message):
    __slots__ = ("id", "config", "state", "create_time", "update_time", "run_counts", "best_run_id", "best_value", "warnings", "prior_run_count", "config_version", "pareto_front_size", "hypervolume", "hypervolume_reference")
    ID_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    RUN_COUNTS_FIELD_NUMBER: _ClassVar[int]
    BEST_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    BEST_VALUE_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    PRIOR_RUN_COUNT_FIELD_NUMBER: _ClassVar[int]
    CONFIG_VERSION_FIELD_NUMBER: _ClassVar[int]
    PARETO_FRONT_SIZE_FIELD_NUMBER: _ClassVar[int]
    HYPERVOLUME_FIELD_NUMBER: _ClassVar[int]
    HYPERVOLUME_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    id: str
    config: SweepConfig
    state: SweepState
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    run_counts: RunCounts
    best_run_id: str
    best_value: float
    warnings: _containers.RepeatedScalarFieldContainer[str]
    prior_run_count: int
    config_version: int
    pareto_front_size: int
    hypervolume: float
    hypervolume_reference: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, id: _Optional[str] = ..., config: _Optional[_Union[SweepConfig, _Mapping]] = ..., state: _Optional[_Union[SweepState, str]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., run_counts: _Optional[_Union[RunCounts, _Mapping]] = ..., best_run_id: _Optional[str] = ..., best_value: _Optional[float] = ..., warnings: _Optional[_Iterable[str]] = ..., prior_run_count: _Optional[int] = ..., config_version: _Optional[int] = ..., pareto_front_size: _Optional[int] = ..., hypervolume: _Optional[float] = ..., hypervolume_reference: _Optional[_Iterable[float]] = ...) -> None: ...

class StopReason(_message.Message):
    __slots__ = ("kind", "message", "band", "value", "threshold")
    KIND_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    BAND_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    kind: str
    message: str
    band: int
    value: float
    threshold: float
    def __init__(self, kind: _Optional[str] = ..., message: _Optional[str] = ..., band: _Optional[int] = ..., value: _Optional[float] = ..., threshold: _Optional[float] = ...) -> None: ...

class Run(_message.Message):
    __slots__ = ("id", "sweep_id", "state", "config", "number", "agent_id", "host", "attempt", "create_time", "start_time", "end_time", "exit_code", "error", "stop_reason", "summary", "point_count", "note", "prior", "ignored", "config_version", "objective_values", "pareto_rank", "pareto_optimal")
    class ConfigEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[Value, _Mapping]] = ...) -> None: ...
    class SummaryEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[Value, _Mapping]] = ...) -> None: ...
    class ObjectiveValuesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    SWEEP_ID_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    AGENT_ID_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    STOP_REASON_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    POINT_COUNT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    PRIOR_FIELD_NUMBER: _ClassVar[int]
    IGNORED_FIELD_NUMBER: _ClassVar[int]
    CONFIG_VERSION_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_VALUES_FIELD_NUMBER: _ClassVar[int]
    PARETO_RANK_FIELD_NUMBER: _ClassVar[int]
    PARETO_OPTIMAL_FIELD_NUMBER: _ClassVar[int]
    id: str
    sweep_id: str
    state: RunState
    config: _containers.MessageMap[str, Value]
    number: int
    agent_id: str
    host: str
    attempt: int
    create_time: _timestamp_pb2.Timestamp
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    exit_code: int
    error: str
    stop_reason: StopReason
    summary: _containers.MessageMap[str, Value]
    point_count: int
    note: str
    prior: bool
    ignored: bool
    config_version: int
    objective_values: _containers.ScalarMap[str, float]
    pareto_rank: int
    pareto_optimal: bool
    def __init__(self, id: _Optional[str] = ..., sweep_id: _Optional[str] = ..., state: _Optional[_Union[RunState, str]] = ..., config: _Optional[_Mapping[str, Value]] = ..., number: _Optional[int] = ..., agent_id: _Optional[str] = ..., host: _Optional[str] = ..., attempt: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., exit_code: _Optional[int] = ..., error: _Optional[str] = ..., stop_reason: _Optional[_Union[StopReason, _Mapping]] = ..., summary: _Optional[_Mapping[str, Value]] = ..., point_count: _Optional[int] = ..., note: _Optional[str] = ..., prior: _Optional[bool] = ..., ignored: _Optional[bool] = ..., config_version: _Optional[int] = ..., objective_values: _Optional[_Mapping[str, float]] = ..., pareto_rank: _Optional[int] = ..., pareto_optimal: _Optional[bool] = ...) -> None: ...

class FieldViolation(_message.Message):
    __slots__ = ("field", "description")
    FIELD_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    field: str
    description: str
    def __init__(self, field: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...
