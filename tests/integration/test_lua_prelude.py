"""The Lua scripts and the Python domain agree on which run states are final: the
scripts' list is generated from sweepd.domain.TERMINAL_RUN_STATES (scripts.py)."""

from __future__ import annotations

from sweepd.controller.storage.scripts import SCRIPT_NAMES, prelude_source, script_source
from sweepd.domain import RunState


def test_every_run_state_is_final_in_lua_exactly_when_it_is_in_python(redis_client):
    check = redis_client.register_script(prelude_source() + "\nreturn is_terminal(ARGV[1]) and 1 or 0")
    for state in RunState:
        assert check(args=[state.value]) == int(state.terminal), state


def test_no_script_spells_the_final_states_out_itself():
    for name in SCRIPT_NAMES:
        source = script_source(name)
        assert source.count("local TERMINAL_STATES") == 1
        assert "== 'finished' or state == 'failed'" not in source
