"""Loads the Lua scripts in lua/ (each prefixed with the shared prelude, and with the
shared files INCLUDES names).

Each script starts with a comment listing its KEYS and ARGV; key names are always
passed in KEYS, built by keys.py, never inside Lua.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

SCRIPT_NAMES = (
    "assign_run",
    "start_run",
    "finish_run",
    "expire_run",
    "heartbeat",
    "report_metrics",
    "request_stop",
    "set_sweep_state",
    "sweeps_after",
    "add_prior_runs",
    "set_run_ignored",
    "requeue_run",
    "update_sweep",
    "stop_index_reset",
    "stop_index_build",
    "stop_standings",
)

# Shared Lua a script needs besides the prelude, prepended after it.
INCLUDES = {name: ("_stop_index",) for name in ("report_metrics", "stop_index_build", "stop_standings")}


@lru_cache(maxsize=None)
def script_source(name: str) -> str:
    folder = resources.files(__package__).joinpath("lua")
    parts = ["_prelude", *INCLUDES.get(name, ()), name]
    return "\n".join(folder.joinpath(f"{part}.lua").read_text() for part in parts)
