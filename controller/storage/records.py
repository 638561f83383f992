"""Decoding of the Redis hashes sweepd writes into domain objects (and back).

Shared by the async store the controller uses and the read-only views of the
dashboard, so both agree on what a stored field means. Times are stored as integer
milliseconds since the epoch, configs and logged values as JSON. A sweep's config
never changes once registered, so each process parses it once (`ConfigCache`).
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from sweepd.config import SweepConfig, config_to_dict, parse_config
from sweepd.domain import Run, RunCounts, RunState, StopReason, Sweep, SweepState

from ..lru import SizedLRU

# The meta fields decode_sweep reads besides "config" (which is read only to parse it).
SWEEP_FIELDS = ("id", "state", "project", "created_at", "updated_at", "best_run", "best_value",
                *(f"n_{s.value}" for s in RunState))


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


def to_ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def encode_config(config: SweepConfig) -> str:
    return json.dumps(config_to_dict(config), sort_keys=True)


def sweep_meta_fields(sweep_id: str, config: SweepConfig, now_ms: int) -> dict[str, Any]:
    """The meta hash of a new sweep."""
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
        "n_total": 0,
        "n_configs": 0,  # first attempts: what run_cap counts
        **{f"n_{s.value}": 0 for s in RunState},
    }


class ConfigCache:
    """Parsed sweep configs by sweep id, each with the creation time of the sweep it
    was parsed for (an id registered again, after a flush, is parsed afresh). Bounded
    by the size of the JSON the configs were parsed from."""

    def __init__(self, max_json_bytes: int = 64 * 1024 * 1024):
        self._lru = SizedLRU(max_json_bytes)

    def get(self, sweep_id: str, created_at: str | None = None) -> SweepConfig | None:
        """The config of that sweep (of any creation time when `created_at` is None)."""
        entry = self._lru.get(sweep_id)
        if entry is None or (created_at is not None and entry[0] != created_at):
            return None
        return entry[1]

    def put(self, sweep_id: str, created_at: str, config: SweepConfig, json_bytes: int) -> None:
        self._lru.put(sweep_id, (created_at, config), json_bytes)


def decode_sweep(meta: Mapping[Any, Any], configs: ConfigCache | None = None) -> Sweep:
    """A sweep from its meta hash; its config comes from `configs` when it was parsed
    before, else from the hash's "config" field (and is kept in `configs`)."""
    m = {_s(k): _s(v) for k, v in meta.items()}
    counts = RunCounts(**{s.value: int(m.get(f"n_{s.value}") or 0) for s in RunState})
    config = configs.get(m["id"], m["created_at"]) if configs is not None else None
    if config is None:
        config = parse_config(json.loads(m["config"]))
        if configs is not None:
            configs.put(m["id"], m["created_at"], config, len(m["config"]))
    return Sweep(
        id=m["id"],
        config=config,
        state=SweepState(m["state"]),
        created_at=int(m["created_at"]) / 1000.0,
        updated_at=int(m.get("updated_at") or m["created_at"]) / 1000.0,
        counts=counts,
        best_run_id=m.get("best_run", ""),
        best_value=_opt_float(m.get("best_value")),
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


def decode_run(
    raw: Mapping[Any, Any],
    summary: Mapping[Any, Any] | None = None,
    objective: list[Any] | None = None,
) -> Run:
    h = {_s(k): _s(v) for k, v in raw.items()}
    return Run(
        id=h["id"],
        sweep_id=h["sweep_id"],
        state=RunState(h["state"]),
        config=json.loads(h["config"]),
        number=int(h.get("number") or 0),
        agent_id=h.get("agent_id", ""),
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
        history=[float(_s(v)) for v in (objective or [])],
        points=int(h.get("points") or 0),
        note=h.get("note", ""),
    )
