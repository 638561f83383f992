"""Expand a sweep's `command` macros into the argv of one run. No shell is ever used.

Macros (grammar shared with validation in `sweepd.config`):

- `${env}` -> "/usr/bin/env"; `${interpreter}` -> the Python running the agent;
  `${program}` -> the config's `program`;
- `${args}` -> one `--name=value` element per parameter; `${args_no_hyphens}` ->
  `name=value`; `${args_no_boolean_flags}` -> like `${args}`, except a boolean gives
  `--name` when true and nothing when false. These three insert zero or more argv
  elements and must be a whole element of `command`;
- `${args_json}` -> the run config as one JSON object; `${args_json_file}` -> the
  path of a new JSON file holding it, written into `json_file_dir`;
- `${envvar:NAME}` -> the value of NAME in the `env` mapping given.

Scalar macros may sit inside a longer element (`--config=${args_json_file}`). However
values look, one parameter gives exactly one argv element: `"x; rm -rf /"` or
`"--other=1"` stays inside `--name=...`.

Parameter names in `${args}` are dotted paths for nested parameters (`--opt.lr=0.1`).
Values are formatted as W&B's agent does for the common cases: strings as they are,
booleans as `True` / `False` (Python's spelling), None as `None`, ints and floats by
`str()` (the shortest round-tripping form: `0.0001`, `1e-05`), and lists and dicts as
JSON (`[1, 2]`, `{"a": 1}`).
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Mapping

from sweepd.config import (
    ENVVAR_PREFIX,
    LIST_MACROS,
    MACRO,
    SweepConfig,
    command_element_problems,
    flat_parameters,
    flatten,
)

ENV_PROGRAM = "/usr/bin/env"


def build_command(
    cfg: SweepConfig,
    run_config: Mapping[str, Any],
    *,
    interpreter: str,
    env: Mapping[str, str],
    json_file_dir: str,
) -> list[str]:
    """The argv launching one run; raises ValueError for an unknown macro, a missing
    `program` or an unset environment variable."""
    expander = _Expander(cfg, run_config, interpreter, env, json_file_dir)
    argv: list[str] = []
    for i, element in enumerate(cfg.command):
        problems = command_element_problems(element)
        if problems:
            raise ValueError(f"command[{i}]: {'; '.join(problems)}")
        whole = MACRO.fullmatch(element)
        if whole and whole.group(1) in LIST_MACROS:
            argv.extend(expander.arguments(whole.group(1)))
        else:
            argv.append(MACRO.sub(lambda m: expander.scalar(m.group(1), i), element))
    return argv


def format_value(value: Any) -> str:
    """How one parameter value is written after `--name=` (see the module docstring)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value)
    return str(value)


class _Expander:
    def __init__(
        self,
        cfg: SweepConfig,
        run_config: Mapping[str, Any],
        interpreter: str,
        env: Mapping[str, str],
        json_file_dir: str,
    ) -> None:
        self.cfg = cfg
        self.run_config = run_config
        self.interpreter = interpreter
        self.env = env
        self.json_file_dir = json_file_dir
        self._json_file: str | None = None

    def arguments(self, macro: str) -> list[str]:
        flat = flatten(self.run_config, self.cfg)
        names = [n for n in flat_parameters(self.cfg) if n in flat]
        names += [n for n in flat if n not in names]
        out = []
        for name in names:
            value = flat[name]
            if macro == "args_no_hyphens":
                out.append(f"{name}={format_value(value)}")
            elif macro == "args_no_boolean_flags" and isinstance(value, bool):
                if value:
                    out.append(f"--{name}")
            else:
                out.append(f"--{name}={format_value(value)}")
        return out

    def scalar(self, macro: str, index: int) -> str:
        if macro == "env":
            return ENV_PROGRAM
        if macro == "interpreter":
            return self.interpreter
        if macro == "program":
            if self.cfg.program is None:
                raise ValueError(
                    f"command[{index}]: ${{program}} used but the sweep has no program"
                )
            return self.cfg.program
        if macro == "args_json":
            return json.dumps(self.run_config)
        if macro == "args_json_file":
            return self._write_json_file()
        if macro.startswith(ENVVAR_PREFIX):
            name = macro[len(ENVVAR_PREFIX):]
            if name not in self.env:
                raise ValueError(f"command[{index}]: environment variable {name} is not set")
            return self.env[name]
        raise ValueError(f"command[{index}]: unknown macro ${{{macro}}}")

    def _write_json_file(self) -> str:
        if self._json_file is None:
            os.makedirs(self.json_file_dir, exist_ok=True)
            fd, path = tempfile.mkstemp(
                prefix="sweepd-args-", suffix=".json", dir=self.json_file_dir
            )
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.run_config, f)
            self._json_file = path
        return self._json_file
