"""What every launcher shares: the agents' options, the command each agent runs, how
the API key travels (never on a command line), and what a launch reports back."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sweepd.client import controller_address
from sweepd.domain import InvalidArgument

API_KEY_ENV = "SWEEPD_API_KEY"
_FUNCTION = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


@dataclass(frozen=True)
class AgentOptions:
    """The agents one launch starts: N agents, each running `parallel` runs at a time
    with `cpus_per_run`/`gpus_per_run` each. `controller`, `api_key` and `tls_ca`
    default as the rest of sweepd's commands do ($SWEEPD_CONTROLLER, ...)."""

    sweep_id: str
    agents: int = 1
    controller: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never in a log line or traceback
    tls_ca: str | None = None
    cpus_per_run: float = 1.0
    gpus_per_run: float = 0.0
    parallel: int = 1
    count: int | None = None
    function: str | None = None  # "module:function", imported where the agent runs
    extra_env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "controller", controller_address(self.controller))
        object.__setattr__(self, "api_key", self.api_key or os.environ.get(API_KEY_ENV) or None)
        object.__setattr__(self, "tls_ca", self.tls_ca or os.environ.get("SWEEPD_TLS_CA") or None)
        errors = []
        if self.agents < 1:
            errors.append(("agents", "must be at least 1"))
        if self.parallel < 1:
            errors.append(("parallel", "must be at least 1"))
        if self.cpus_per_run <= 0:
            errors.append(("cpus_per_run", "must be above 0"))
        if self.gpus_per_run < 0:
            errors.append(("gpus_per_run", "must be 0 or more"))
        if self.count is not None and self.count < 1:
            errors.append(("count", "must be at least 1"))
        if self.function is not None and not _FUNCTION.match(self.function):
            errors.append(("function", "must be MODULE:FUNCTION, e.g. train:main"))
        if errors:
            raise InvalidArgument("; ".join(f"{k}: {m}" for k, m in errors), errors)

    def agent_argv(self, sweepd: tuple[str, ...] = ("sweepd",)) -> list[str]:
        """The agent's command line. Never holds the API key: that comes from the
        environment ($SWEEPD_API_KEY), set by each engine from a private place."""
        argv = [*sweepd, "agent", self.sweep_id, "--controller", self.controller]
        if self.tls_ca:
            argv += ["--tls-ca", self.tls_ca]
        if self.parallel != 1:
            argv += ["--parallel", str(self.parallel)]
        if self.count is not None:
            argv += ["--count", str(self.count)]
        if self.function:
            argv += ["--function", self.function]
        return argv


@dataclass
class Launched:
    """What a launch started, and how to follow and cancel it."""

    engine: str
    ids: list[str]
    follow: str = ""
    cancel: str = ""
    dry_run: str | None = None  # exactly what would have been submitted
    # Engines whose agents live as long as the launch (Ray): blocks until they end,
    # following them, and returns an exit status. None: the engine keeps them.
    wait: Callable[[], int] | None = field(default=None, repr=False, compare=False)

    def describe(self) -> str:
        if self.dry_run is not None:
            return self.dry_run
        lines = [f"{self.engine}: started {', '.join(self.ids) or 'nothing'}"]
        if self.follow:
            lines.append(f"follow: {self.follow}")
        if self.cancel:
            lines.append(f"cancel: {self.cancel}")
        return "\n".join(lines)


def write_private_env(values: dict[str, str], directory: str | Path | None = None,
                      prefix: str = "sweepd-launch-") -> Path:
    """Writes KEY=VALUE lines (shell-quoted) to a new file only its owner can read;
    a job sources it, so a secret never appears in `ps` or the scheduler's records."""
    from shlex import quote

    directory = Path(directory or Path.home() / ".sweepd" / "launch")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, path = tempfile.mkstemp(prefix=prefix, suffix=".env", dir=directory)
    os.fchmod(fd, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as f:
        for key, value in values.items():
            f.write(f"export {key}={quote(value)}\n")
    return Path(path)
