"""Decoding of the Redis hashes sweepd writes into domain objects (and back).

Shared by the async store the controller uses and the read-only views of the
dashboard, so both agree on what a stored field means. Times are stored as integer
milliseconds since the epoch, configs and logged values as JSON. A sweep's config
changes only by UpdateSweep, which bumps the meta's "config_version", so each process
parses each version once (`ConfigCache`, keyed by `config_tag`).
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from sweepd.config import SweepConfig, config_to_dict, parse_config
from sweepd.domain import (
    ConfigVersion, Run, RunCounts, RunOutput, RunState, StopReason, Sweep, SweepState,
)

from ..limits import MAX_WALL_TIME_S, MIN_WALL_TIME_S
from ..lru import SizedLRU

# The meta fields decode_sweep reads besides "config" (which is read only to parse it).
SWEEP_FIELDS = ("id", "state", "project", "created_at", "updated_at", "best_run", "best_value",
                "config_version", *(f"n_{s.value}" for s in RunState), "n_prior")


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")


def _ms_to_s(value: Any) -> float | None:
    text = _s(value)
    return int(text) / 1000.0 if text else None


def _opt_float(value: Any) -> float | None:
    text = _s(value)
    return float(text) if text else None


def _opt_int(value: Any) -> int | None:
    text = _s(value)
    return int(text) if text else None


def wall_seconds(ms: Any) -> float | None:
    """A metric point's stored wall time (ms) in seconds; None when it does not parse
    or lies outside what ingest accepts (an older controller stored any)."""
    try:
        seconds = int(_s(ms)) / 1000.0
    except (TypeError, ValueError):
        return None
    return seconds if MIN_WALL_TIME_S <= seconds <= MAX_WALL_TIME_S else None


def to_ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def encode_config(config: SweepConfig) -> str:
    return json.dumps(config_to_dict(config), sort_keys=True)


def sweep_meta_fields(sweep_id: str, config: SweepConfig, now_ms: int,
                      n_prior: int = 0) -> dict[str, Any]:
    """The meta hash of a new sweep (`n_prior`: prior runs written before it, numbered
    1..n_prior; they count in n_total, not against run_cap)."""
    return {
        "id": sweep_id,
        "schema": 1,
        "config": encode_config(config),
        "method": config.method,
        "name": config.name or "",
        "project": config.project or "",
        "state": SweepState.RUNNING.value,
        "created_at": now_ms,
        "updated_at": now_ms,
        "run_cap": config.run_cap or 0,
        "n_total": n_prior,  # prior runs are numbered 1..n_prior
        "n_configs": 0,  # first attempts: what run_cap counts (prior runs are not)
        "n_prior": n_prior,
        **{f"n_{s.value}": 0 for s in RunState},
    }


def config_tag(created_at: Any, config_version: Any) -> str:
    """What tells one stored config of a sweep id from another: the sweep's creation
    time (an id registered again after a flush) and its config version."""
    return f"{_s(created_at)}:{_s(config_version) or 1}"


def encode_version(version: int, now_ms: int, config: SweepConfig | str, changed: list[str]) -> str:
    """One entry of a sweep's config history (keys.sweep_versions)."""
    text = config if isinstance(config, str) else encode_config(config)
    return ('{"version":%d,"time":%d,"changed":%s,"config":%s}'
            % (version, now_ms, json.dumps(list(changed)), text))


def decode_version(entry: str) -> ConfigVersion:
    d = json.loads(entry)
    return ConfigVersion(version=int(d["version"]), created_at=int(d["time"]) / 1000.0,
                         config=parse_config(d["config"]), changed_paths=tuple(d["changed"]))


class ConfigCache:
    """Parsed sweep configs by sweep id, each with the `config_tag` of the config it
    was parsed from (another version, or an id registered again, is parsed afresh). Bounded
    by the size of the JSON the configs were parsed from."""

    def __init__(self, max_json_bytes: int = 64 * 1024 * 1024):
        self._lru = SizedLRU(max_json_bytes)

    def get(self, sweep_id: str, tag: str) -> SweepConfig | None:
        """The config of that sweep parsed from the config `tag` names."""
        entry = self._lru.get(sweep_id)
        if entry is None or entry[0] != tag:
            return None
        return entry[1]

    def put(self, sweep_id: str, tag: str, config: SweepConfig, json_bytes: int) -> None:
        self._lru.put(sweep_id, (tag, config), json_bytes)


def decode_sweep(meta: Mapping[Any, Any], configs: ConfigCache | None = None,
                 config: SweepConfig | None = None) -> Sweep:
    """A sweep from its meta hash; its config is `config` when the caller holds it, else
    comes from `configs` when it was parsed before, else from the hash's "config" field
    (and is kept in `configs`)."""
    m = {_s(k): _s(v) for k, v in meta.items()}
    counts = RunCounts(**{s.value: int(m.get(f"n_{s.value}") or 0) for s in RunState})
    tag = config_tag(m["created_at"], m.get("config_version"))
    if config is None and configs is not None:
        config = configs.get(m["id"], tag)
    if config is None:
        config = parse_config(json.loads(m["config"]))
        if configs is not None:
            configs.put(m["id"], tag, config, len(m["config"]))
    return Sweep(
        id=m["id"],
        config=config,
        state=SweepState(m["state"]),
        created_at=int(m["created_at"]) / 1000.0,
        updated_at=int(m.get("updated_at") or m["created_at"]) / 1000.0,
        counts=counts,
        best_run_id=m.get("best_run", ""),
        best_value=_opt_float(m.get("best_value")),
        prior_runs=int(m.get("n_prior") or 0),
        config_version=int(m.get("config_version") or 1),
    )


def decode_stop_reason(h: Mapping[str, str]) -> StopReason | None:
    kind = h.get("stop_kind", "")
    if not kind:
        return None
    return StopReason(
        kind=kind,
        message=h.get("stop_message", ""),
        band=_opt_int(h.get("stop_band")),
        value=_opt_float(h.get("stop_value")),
        threshold=_opt_float(h.get("stop_threshold")),
    )


# A multi-objective sweep's run hash holds each objective's best value logged in the
# field OBJECTIVE_FIELD + its name (a single-objective sweep's run: in "best").
OBJECTIVE_FIELD = "best:"


def objective_field(name: str) -> str:
    return OBJECTIVE_FIELD + name


def decode_objectives(h: Mapping[str, str]) -> dict[str, float]:
    """Objective name -> best value logged, from a decoded run hash."""
    n = len(OBJECTIVE_FIELD)
    return {k[n:]: float(v) for k, v in h.items() if k.startswith(OBJECTIVE_FIELD) and v}


def decode_objective_list(entries: list[Any] | None) -> tuple[list[float], list[tuple[float, ...]]]:
    """A run's objective list: numbers (the sweep metric's values) or, for a
    multi-objective sweep, JSON arrays (the objectives of one log call)."""
    history: list[float] = []
    vectors: list[tuple[float, ...]] = []
    for entry in entries or ():
        text = _s(entry)
        if text.startswith("["):
            vectors.append(tuple(float(v) for v in json.loads(text)))
        else:
            history.append(float(text))
    return history, vectors


def decode_run(
    raw: Mapping[Any, Any],
    summary: Mapping[Any, Any] | None = None,
    objective: list[Any] | None = None,
) -> Run:
    h = {_s(k): _s(v) for k, v in raw.items()}
    history, vectors = decode_objective_list(objective)
    return Run(
        id=h["id"],
        sweep_id=h["sweep_id"],
        state=RunState(h["state"]),
        config=json.loads(h["config"]),
        number=int(h.get("number") or 0),
        agent_id=h.get("agent_id", ""),
        host=h.get("host", ""),
        lease_token=h.get("token", ""),
        claim_key=h.get("claim_key", ""),
        attempt=int(h.get("attempt") or 1),
        created_at=(_ms_to_s(h.get("created_at")) or 0.0),
        started_at=_ms_to_s(h.get("started_at")),
        ended_at=_ms_to_s(h.get("ended_at")),
        exit_code=_opt_int(h.get("exit_code")),
        error=h.get("error", ""),
        stop_reason=decode_stop_reason(h),
        should_stop=h.get("should_stop") == "1",
        summary={_s(k): json.loads(_s(v)) for k, v in (summary or {}).items()},
        history=history,
        objective_history=vectors,
        objectives=decode_objectives(h),
        best=_opt_float(h.get("best")),
        points=int(h.get("points") or 0),
        note=h.get("note", ""),
        prior=h.get("prior") == "1",
        ignored=h.get("ignored") == "1",
        config_version=int(h.get("config_version") or 1),
    )


def output_fields(output: RunOutput) -> list[str]:
    """A run's output as the field, value pairs of its hash (keys.run_output)."""
    return ["stdout", output.stdout, "stderr", output.stderr,
            "stdout_bytes", str(output.stdout_bytes), "stderr_bytes", str(output.stderr_bytes),
            "traceback", output.traceback]


def decode_output(h: Mapping[Any, Any]) -> RunOutput | None:
    """A run's output from its hash; None when it stored none."""
    if not h:
        return None
    m = {_s(k): _s(v) for k, v in h.items()}
    return RunOutput(stdout=m.get("stdout", ""), stderr=m.get("stderr", ""),
                     stdout_bytes=int(m.get("stdout_bytes") or 0),
                     stderr_bytes=int(m.get("stderr_bytes") or 0),
                     traceback=m.get("traceback", ""))
