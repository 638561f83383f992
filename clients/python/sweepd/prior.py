"""Prior runs for a warm start: read from another sweep, a CSV or JSON lines.

`load_prior_runs(source, config, client)` turns what `--prior-runs` names into
`PriorRun`s, each with an `origin` ("runs.csv row 4 (bright-sun-3)") that the
controller's warnings quote. Which runs fit the new sweep's space is the
controller's decision (it leaves the others out, one warning each); this module
only reads the source, and refuses a source it cannot read with InvalidArgument
naming the file and line.

Sources:
- a sweep id (8 characters, no such file): every FINISHED or STOPPED run of that
  sweep that is not ignored, prior runs included;
- `*.csv`: W&B's runs-table export. Row 1 is the header; each later row is a run,
  numbered as a spreadsheet numbers it (the first run is row 2). A column named
  like a parameter of the new sweep (dotted path for a nested one, e.g.
  `optimizer.lr`), or prefixed `config.` / `config/`, is a parameter value; W&B's
  run columns (Name, ID, State, Notes, User, Tags, Created, Runtime, Sweep, Group,
  Job Type, Hostname) and the run columns of sweepd's own export (Number, Started,
  Ended, Prior, Ignored, Config Version) are left out (Name, else ID, names the
  row; a row whose Ignored cell is true, a run ignored where it was exported, is
  skipped, as a sweep id's ignored runs are); every other
  column, or one prefixed `summary.` / `summary/`, is a summary value. Cells:
  empty = not set; true/false; integers; decimals (nan, inf too); a JSON list or
  object; anything else a string (a leading `'` before = + - @, which an export
  adds against spreadsheet formulas, is taken off);
- `*.jsonl` / `*.ndjson`: one JSON object per line with a `config` object and a
  `summary` object (as W&B's API gives `run.config` / `run.summary`), optionally a
  `name` or `id`; blank lines are skipped;
- `*.json`: a JSON array of such objects (`sweepd runs SWEEP_ID --json` writes one).
  In JSON an object with `"ignored": true` is skipped.
"""

from __future__ import annotations

import csv
import json
import os
import re
from typing import Any, Iterable, Mapping, Sequence

from sweepd.config import SweepConfig, flat_parameters
from sweepd.domain import InvalidArgument, PriorRun, RunState

WANDB_RUN_COLUMNS = {"name", "id", "state", "notes", "user", "tags", "created", "runtime",
                     "sweep", "group", "job type", "hostname",
                     # sweepd's own export (sweepd.export.RUN_COLUMNS)
                     "number", "started", "ended", "prior", "ignored", "config version"}
_SWEEP_ID = re.compile(r"^[a-z0-9]{8}$")
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|nan|inf|infinity)$",
                    re.IGNORECASE)


def load_prior_runs(source: Any, config: SweepConfig, client: Any = None) -> list[PriorRun]:
    """The prior runs `source` holds (see the module doc). `source` may also be a list
    of PriorRun or of {"config": ..., "summary": ...} dicts; `client` reads a sweep."""
    if isinstance(source, (list, tuple)):
        return [_prior(item, f"prior_runs[{i}]") for i, item in enumerate(source)]
    path = os.fspath(source)
    if os.path.isfile(path):
        lower = path.lower()
        if lower.endswith(".csv"):
            return read_csv(path, config)
        if lower.endswith(".json"):
            return read_json_array(path)
        return read_json_lines(path)
    if _SWEEP_ID.match(path):
        if client is None:
            raise InvalidArgument(f"prior runs: reading sweep {path!r} needs a client")
        return from_sweep(client.list_runs(path), path)
    raise InvalidArgument(f"prior runs: {path!r} is neither a file nor a sweep id",
                          [("prior_runs", "no such file or sweep id")])


def from_sweep(runs: Iterable[Any], sweep_id: str) -> list[PriorRun]:
    return [PriorRun(dict(r.config), dict(r.summary), f"sweep {sweep_id} run {r.id}")
            for r in runs
            if r.state in (RunState.FINISHED, RunState.STOPPED) and not r.ignored]


def _prior(item: Any, origin: str) -> PriorRun:
    if isinstance(item, PriorRun):
        return item
    if not isinstance(item, Mapping) or not isinstance(item.get("config"), Mapping) \
            or not isinstance(item.get("summary", {}), Mapping):
        raise InvalidArgument(f"{origin}: needs a `config` object and a `summary` object",
                              [(origin, "needs config and summary objects")])
    name = item.get("origin") or item.get("name") or item.get("id") or ""
    return PriorRun(dict(item["config"]), dict(item.get("summary") or {}),
                    f"{origin} ({name})" if name and name != origin else origin)


def read_json_lines(path: str) -> list[PriorRun]:
    out = []
    base = os.path.basename(path)
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidArgument(f"{path} line {number}: not JSON ({exc.msg})") from None
            if not _ignored(item):
                out.append(_prior(item, f"{base} line {number}"))
    return out


def read_json_array(path: str) -> list[PriorRun]:
    base = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as f:
            items = json.load(f)
    except json.JSONDecodeError as exc:
        raise InvalidArgument(f"{path}: not JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(items, list):
        raise InvalidArgument(f"{path}: expected a JSON array of runs")
    return [_prior(item, f"{base} item {i + 1}") for i, item in enumerate(items)
            if not _ignored(item)]


def _ignored(item: Any) -> bool:
    """A run ignored in the sweep it was listed from (`"ignored": true`)."""
    return isinstance(item, Mapping) and item.get("ignored") is True


def read_csv(path: str, config: SweepConfig) -> list[PriorRun]:
    base = os.path.basename(path)
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    if not rows:
        return []
    roles = column_roles(rows[0], config)
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if any(role == "ignored" and parse_cell(cell) is True
               for cell, (role, _) in zip(row, roles)):
            continue  # a run ignored in the sweep it was exported from
        out.append(_csv_row(row, roles, f"{base} row {number}"))
    return out


def column_roles(header: Sequence[str], config: SweepConfig) -> list[tuple[str, str]]:
    """(role, key) per column: ("config", path), ("summary", key), ("name", ""),
    ("id", ""), ("ignored", ""), ("skip", "")."""
    params = set(flat_parameters(config))
    roles = []
    for column in header:
        name = column.strip()
        for prefix, role in (("config.", "config"), ("config/", "config"),
                             ("summary.", "summary"), ("summary/", "summary")):
            if name.startswith(prefix) and name[len(prefix):] not in ("",):
                roles.append((role, name[len(prefix):]))
                break
        else:
            if name in params:
                roles.append(("config", name))
            elif name.lower() in ("name", "id", "ignored"):
                roles.append((name.lower(), ""))
            elif name.lower() in WANDB_RUN_COLUMNS:
                roles.append(("skip", ""))
            else:
                roles.append(("summary", name))
    return roles


def _csv_row(row: Sequence[str], roles: Sequence[tuple[str, str]], origin: str) -> PriorRun:
    config: dict[str, Any] = {}
    summary: dict[str, Any] = {}
    label = {"name": "", "id": ""}
    for cell, (role, key) in zip(row, roles):
        if not cell.strip():
            continue
        if role in label:
            label[role] = cell.strip()
        elif role == "config":
            _set_path(config, key, parse_cell(cell))
        elif role == "summary":
            summary[key] = parse_cell(cell)
    name = label["name"] or label["id"]
    return PriorRun(config, summary, f"{origin} ({name})" if name else origin)


def _set_path(config: dict[str, Any], dotted: str, value: Any) -> None:
    """Dotted paths are kept flat: the controller flattens nested configs and reads
    dotted keys the same way."""
    config[dotted] = value


def parse_cell(cell: str) -> Any:
    text = cell.strip()
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):
        return text[1:]  # quoted against spreadsheet formulas (sweepd.export): text
    lower = text.lower()
    if lower in ("true", "false"):
        return lower == "true"
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    if text[:1] in "[{":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            pass
    return text
