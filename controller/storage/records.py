"""Decoding of the Redis hashes sweepd writes into domain objects (and back).

Shared by the async store the controller uses and the read-only views of the
dashboard, so both agree on what a stored field means. Times are stored as integer
milliseconds since the epoch, configs and logged values as JSON.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from sweepd.config import SweepConfig, config_to_dict, parse_config
from sweepd.domain import Run, RunCounts, RunState, StopReason, Sweep, SweepState


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


def decode_sweep(meta: Mapping[Any, Any]) -> Sweep:
    m = {_s(k): _s(v) for k, v in meta.items()}
    counts = RunCounts(**{s.value: int(m.get(f"n_{s.value}") or 0) for s in RunState})
    return Sweep(
        id=m["id"],
        config=parse_config(json.loads(m["config"])),
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
