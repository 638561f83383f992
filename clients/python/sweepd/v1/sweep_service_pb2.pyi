import datetime

from google.protobuf import field_mask_pb2 as _field_mask_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from sweepd.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateSweepRequest(_message.Message):
    __slots__ = ("config", "prior_runs")
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    PRIOR_RUNS_FIELD_NUMBER: _ClassVar[int]
    config: _types_pb2.SweepConfig
    prior_runs: _containers.RepeatedCompositeFieldContainer[PriorRun]
    def __init__(self, config: _Optional[_Union[_types_pb2.SweepConfig, _Mapping]] = ..., prior_runs: _Optional[_Iterable[_Union[PriorRun, _Mapping]]] = ...) -> None: ...

class PriorRun(_message.Message):
    __slots__ = ("config", "summary", "origin")
    class ConfigEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _types_pb2.Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_types_pb2.Value, _Mapping]] = ...) -> None: ...
    class SummaryEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: _types_pb2.Value
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[_types_pb2.Value, _Mapping]] = ...) -> None: ...
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    ORIGIN_FIELD_NUMBER: _ClassVar[int]
    config: _containers.MessageMap[str, _types_pb2.Value]
    summary: _containers.MessageMap[str, _types_pb2.Value]
    origin: str
    def __init__(self, config: _Optional[_Mapping[str, _types_pb2.Value]] = ..., summary: _Optional[_Mapping[str, _types_pb2.Value]] = ..., origin: _Optional[str] = ...) -> None: ...

class ValidateSweepRequest(_message.Message):
    __slots__ = ("config",)
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    config: _types_pb2.SweepConfig
    def __init__(self, config: _Optional[_Union[_types_pb2.SweepConfig, _Mapping]] = ...) -> None: ...

class ValidateSweepResponse(_message.Message):
    __slots__ = ("violations", "warnings")
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    violations: _containers.RepeatedCompositeFieldContainer[_types_pb2.FieldViolation]
    warnings: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, violations: _Optional[_Iterable[_Union[_types_pb2.FieldViolation, _Mapping]]] = ..., warnings: _Optional[_Iterable[str]] = ...) -> None: ...

class GetSweepRequest(_message.Message):
    __slots__ = ("sweep_id",)
    SWEEP_ID_FIELD_NUMBER: _ClassVar[int]
    sweep_id: str
    def __init__(self, sweep_id: _Optional[str] = ...) -> None: ...

class ListSweepsRequest(_message.Message):
    __slots__ = ("project", "page_size", "page_token")
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    project: str
    page_size: int
    page_token: str
    def __init__(self, project: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSweepsResponse(_message.Message):
    __slots__ = ("sweeps", "next_page_token")
    SWEEPS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    sweeps: _containers.RepeatedCompositeFieldContainer[_types_pb2.Sweep]
    next_page_token: str
    def __init__(self, sweeps: _Optional[_Iterable[_Union[_types_pb2.Sweep, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListRunsRequest(_message.Message):
    __slots__ = ("sweep_id", "page_size", "page_token")
    SWEEP_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    sweep_id: str
    page_size: int
    page_token: str
    def __init__(self, sweep_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListRunsResponse(_message.Message):
    __slots__ = ("runs", "next_page_token")
    RUNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    runs: _containers.RepeatedCompositeFieldContainer[_types_pb2.Run]
    next_page_token: str
    def __init__(self, runs: _Optional[_Iterable[_Union[_types_pb2.Run, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class SweepRef(_message.Message):
    __slots__ = ("sweep_id",)
    SWEEP_ID_FIELD_NUMBER: _ClassVar[int]
    sweep_id: str
    def __init__(self, sweep_id: _Optional[str] = ...) -> None: ...

class SetRunIgnoredRequest(_message.Message):
    __slots__ = ("sweep_id", "run_id", "ignored")
    SWEEP_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    IGNORED_FIELD_NUMBER: _ClassVar[int]
    sweep_id: str
    run_id: str
    ignored: bool
    def __init__(self, sweep_id: _Optional[str] = ..., run_id: _Optional[str] = ..., ignored: _Optional[bool] = ...) -> None: ...

class RequeueRunRequest(_message.Message):
    __slots__ = ("sweep_id", "run_id")
    SWEEP_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    sweep_id: str
    run_id: str
    def __init__(self, sweep_id: _Optional[str] = ..., run_id: _Optional[str] = ...) -> None: ...

class RequeueRunResponse(_message.Message):
    __slots__ = ("waiting",)
    WAITING_FIELD_NUMBER: _ClassVar[int]
    waiting: int
    def __init__(self, waiting: _Optional[int] = ...) -> None: ...

class UpdateSweepRequest(_message.Message):
    __slots__ = ("sweep_id", "config", "update_mask", "expected_version")
    SWEEP_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    sweep_id: str
    config: _types_pb2.SweepConfig
    update_mask: _field_mask_pb2.FieldMask
    expected_version: int
    def __init__(self, sweep_id: _Optional[str] = ..., config: _Optional[_Union[_types_pb2.SweepConfig, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ..., expected_version: _Optional[int] = ...) -> None: ...

class UpdateSweepResponse(_message.Message):
    __slots__ = ("sweep", "version", "changed")
    SWEEP_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    sweep: _types_pb2.Sweep
    version: ConfigVersion
    changed: bool
    def __init__(self, sweep: _Optional[_Union[_types_pb2.Sweep, _Mapping]] = ..., version: _Optional[_Union[ConfigVersion, _Mapping]] = ..., changed: _Optional[bool] = ...) -> None: ...

class ConfigVersion(_message.Message):
    __slots__ = ("version", "create_time", "config", "changed_paths")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    CHANGED_PATHS_FIELD_NUMBER: _ClassVar[int]
    version: int
    create_time: _timestamp_pb2.Timestamp
    config: _types_pb2.SweepConfig
    changed_paths: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, version: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., config: _Optional[_Union[_types_pb2.SweepConfig, _Mapping]] = ..., changed_paths: _Optional[_Iterable[str]] = ...) -> None: ...

class ListConfigVersionsResponse(_message.Message):
    __slots__ = ("versions",)
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[ConfigVersion]
    def __init__(self, versions: _Optional[_Iterable[_Union[ConfigVersion, _Mapping]]] = ...) -> None: ...
