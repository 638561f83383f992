"""Every Redis key sweepd uses, built here and nowhere else.

A sweep's own keys all carry the hash tag ``{<sweep_id>}`` so that Redis Cluster puts
them in one slot and one Lua script may touch them all. Cross-sweep indexes are
separate keys and never touched in the same script as a sweep's keys.

    sweepd:schema                          string   schema version of the data below
    sweepd:sweeps                          zset     sweep id -> created (ms)
    sweepd:sweep:{S}:meta                  hash     config, state, counters, best run
    sweepd:sweep:{S}:runs                  zset     run id -> run number
    sweepd:sweep:{S}:run:R                 hash     one run's record
    sweepd:sweep:{S}:summary:R             hash     logged key -> latest value (JSON)
    sweepd:sweep:{S}:objective:R           list     values of the sweep metric, in log order
                                                    (multi-objective: JSON arrays, one per
                                                    log call holding every objective)
    sweepd:sweep:{S}:metrics:R             stream   every metric point of run R
    sweepd:sweep:{S}:output:R              hash     the end of what run R wrote (FinishRun's output)
    sweepd:sweep:{S}:leases                zset     active run id -> lease expiry (ms)
    sweepd:sweep:{S}:agent_runs            zset     "<agent id> TAB <run id>" of each active
                                                    run, all scores 0: an agent's runs are one
                                                    lexicographic range (agent_runs_range)
    sweepd:sweep:{S}:claims                hash     claim key (grid index) -> run id; the
                                                    meta field grid_cursor: no grid index
                                                    below it has anything left to hand out
    sweepd:sweep:{S}:retry                 list     configs to hand out again: retries, requeued runs
    sweepd:sweep:{S}:versions              list     config versions (JSON), oldest first
    sweepd:sweep:{S}:stop:index            zset     early termination's stopping index: one
                                                    member per (band, run) with the run's value
                                                    there, all at score 0 (ordered by member
                                                    bytes); meta fields stop_*, run fields idx_*
    sweepd:sweep:{S}:stop:marks            zset     the bands (iteration counts) the index keeps
    sweepd:sweep:{S}:events                pub/sub  the sweep's events (controller/events.py)
    sweepd:apikeys                         set      API key ids
    sweepd:apikey:K                        hash     one API key: project, read_only, salted digest
"""

from __future__ import annotations

import re

PREFIX = "sweepd"
SCHEMA_VERSION = 1

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def valid_id(value: str) -> bool:
    """Ids end up inside key names: only a safe alphabet is allowed."""
    return bool(_ID.match(value or ""))


def schema() -> str:
    return f"{PREFIX}:schema"


def sweeps_index() -> str:
    return f"{PREFIX}:sweeps"


def _sweep(sweep_id: str, what: str) -> str:
    return f"{PREFIX}:sweep:{{{sweep_id}}}:{what}"


def sweep_meta(sweep_id: str) -> str:
    return _sweep(sweep_id, "meta")


def sweep_runs(sweep_id: str) -> str:
    return _sweep(sweep_id, "runs")


def run(sweep_id: str, run_id: str) -> str:
    return _sweep(sweep_id, f"run:{run_id}")


def run_summary(sweep_id: str, run_id: str) -> str:
    return _sweep(sweep_id, f"summary:{run_id}")


def run_objective(sweep_id: str, run_id: str) -> str:
    return _sweep(sweep_id, f"objective:{run_id}")


def run_metrics(sweep_id: str, run_id: str) -> str:
    return _sweep(sweep_id, f"metrics:{run_id}")


def run_output(sweep_id: str, run_id: str) -> str:
    """hash: stdout, stderr (tails), stdout_bytes, stderr_bytes, traceback; written
    once, when the run ends"""
    return _sweep(sweep_id, f"output:{run_id}")


def sweep_leases(sweep_id: str) -> str:
    return _sweep(sweep_id, "leases")


def sweep_agent_runs(sweep_id: str) -> str:
    return _sweep(sweep_id, "agent_runs")


def agent_run_member(agent_id: str, run_id: str) -> str:
    """The run's member of sweep_agent_runs (assign_run.lua builds the same from ARGV)."""
    return f"{agent_id}\t{run_id}"


def agent_runs_range(agent_id: str) -> tuple[str, str]:
    """ZRANGEBYLEX bounds of one agent's members of sweep_agent_runs: run ids are of
    the valid_id alphabet, all below DEL (0x7f). An agent id that is another one's
    prefix plus a tab falls in the range too: read the run's own agent_id."""
    return f"[{agent_id}\t", f"({agent_id}\t\x7f"


def sweep_claims(sweep_id: str) -> str:
    return _sweep(sweep_id, "claims")


def sweep_retry(sweep_id: str) -> str:
    return _sweep(sweep_id, "retry")


def sweep_versions(sweep_id: str) -> str:
    """list of JSON entries {version, time (ms), config, changed}; empty until the
    first update (version 1 is then the meta's config)"""
    return _sweep(sweep_id, "versions")


def stop_index(sweep_id: str) -> str:
    """zset, every score 0: members "band (4 bytes) | value (8 bytes, ordered) | run id",
    so each band's values lie together and in order (storage/lua/_stop_index.lua)"""
    return _sweep(sweep_id, "stop:index")


def stop_marks(sweep_id: str) -> str:
    """zset of iteration counts -> themselves: the bands of a hyperband or asha index"""
    return _sweep(sweep_id, "stop:marks")


def sweep_events(sweep_id: str) -> str:
    """pub/sub channel of the sweep's events (storage/events.py)"""
    return _sweep(sweep_id, "events")


def sweep_events_pattern() -> str:
    """PSUBSCRIBE pattern of every sweep's events channel"""
    return sweep_events("*")


_EVENTS_CHANNEL = re.compile(r"^" + re.escape(PREFIX) + r":sweep:\{([^{}]*)\}:events$")


def sweep_of_events(channel: str) -> str | None:
    """The sweep id of an events channel (None: not one, or no valid id in it)."""
    found = _EVENTS_CHANNEL.match(channel)
    return found.group(1) if found and valid_id(found.group(1)) else None


def run_keys(sweep_id: str, run_id: str) -> list[str]:
    """The keys of one run, in the order the run scripts expect them."""
    return [
        run(sweep_id, run_id),
        run_summary(sweep_id, run_id),
        run_objective(sweep_id, run_id),
        run_metrics(sweep_id, run_id),
    ]


def assign_run_keys(sweep_id: str, run_id: str) -> list[str]:
    """KEYS of assign_run.lua."""
    return [sweep_meta(sweep_id), sweep_runs(sweep_id), sweep_leases(sweep_id),
            sweep_claims(sweep_id), run(sweep_id, run_id), sweep_retry(sweep_id),
            sweep_agent_runs(sweep_id)]


def finish_run_keys(sweep_id: str, run_id: str) -> list[str]:
    """KEYS of finish_run.lua."""
    return [sweep_meta(sweep_id), run(sweep_id, run_id), sweep_leases(sweep_id),
            sweep_retry(sweep_id), run_summary(sweep_id, run_id), run_output(sweep_id, run_id),
            sweep_agent_runs(sweep_id)]


def expire_run_keys(sweep_id: str, run_id: str) -> list[str]:
    """KEYS of expire_run.lua."""
    return [sweep_meta(sweep_id), run(sweep_id, run_id), sweep_leases(sweep_id),
            sweep_retry(sweep_id), sweep_agent_runs(sweep_id)]


def api_key(key_id: str) -> str:
    """hash: project, read_only, salt, digest, created_at, revoked_at"""
    return f"{PREFIX}:apikey:{key_id}"


def api_keys_index() -> str:
    """set of key ids"""
    return f"{PREFIX}:apikeys"
