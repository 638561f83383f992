"""A sweep's runs as a table to take elsewhere: CSV and JSON rows.

`run_rows(runs, config)` is the one builder of the table; the dashboard's
`/sweep/ID/runs.csv` and `runs.json` and `sweepd runs ID --csv` all use it, so they
give the same columns. It is a pure function of a list of domain `Run`s.

Columns, in this order (W&B's runs-table export names where one maps):

- `Name`: the run id (sweepd runs have no display name); `ID`: the run id;
  `Number`: the run's 1-based number in the sweep; `State`;
- `Created`, `Started`, `Ended`: ISO-8601 UTC (`2026-01-31T12:00:00.250Z`), empty
  when not reached; `Runtime`: seconds from start to end, to the millisecond
  (empty until the run ends);
- `Prior`, `Ignored`, `Config Version`: the run's curation flags and the config
  version it was made under;
- `config.KEY`: one per parameter, nested parameters as dotted paths
  (`config.optimizer.lr`), sorted by name (a config read through gRPC keeps no
  order), every parameter of the sweep even before a run has it;
- `summary.KEY`: one per logged key (the latest value), sorted by name.

CSV cells: empty = not set; booleans `true`/`false`; numbers as Python writes them
(`nan`, `inf` too); lists and objects as JSON; text as it is. A text cell starting
with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so a
spreadsheet shows it as text instead of running it as a formula. In JSON rows values
keep their types; a non-finite number is written as the string "nan", "inf" or
"-inf" (JSON has no such numbers).
"""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import datetime, timezone
from typing import Any, Iterable, Sequence

from sweepd.config import SweepConfig, flat_parameters, flatten
from sweepd.domain import Run

RUN_COLUMNS = ("Name", "ID", "Number", "State", "Created", "Started", "Ended", "Runtime",
               "Prior", "Ignored", "Config Version")
CONFIG_PREFIX = "config."
SUMMARY_PREFIX = "summary."
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def iso_utc(seconds: float | None) -> str | None:
    """Unix seconds as ISO-8601 UTC with milliseconds and a Z; None stays None."""
    if seconds is None:
        return None
    moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def columns(runs: Sequence[Run], config: SweepConfig | None = None) -> list[str]:
    """The table's header for these runs (see the module doc)."""
    config_keys: set[str] = set(flat_parameters(config)) if config else set()
    summary_keys: set[str] = set()
    for run in runs:
        config_keys.update(_flat_config(run, config))
        summary_keys.update(flatten(run.summary))
    return [*RUN_COLUMNS, *(CONFIG_PREFIX + k for k in sorted(config_keys)),
            *(SUMMARY_PREFIX + k for k in sorted(summary_keys))]


def run_rows(runs: Iterable[Run], config: SweepConfig | None = None,
             ) -> tuple[list[str], list[dict[str, Any]]]:
    """(header, one dict per run keyed by header names), runs in number order; values
    keep their types (None = not set)."""
    ordered = sorted(runs, key=lambda r: (r.number, r.id))
    header = columns(ordered, config)
    rows = []
    for run in ordered:
        row: dict[str, Any] = dict.fromkeys(header)
        row.update({
            "Name": run.id, "ID": run.id, "Number": run.number, "State": run.state.value,
            "Created": iso_utc(run.created_at or None), "Started": iso_utc(run.started_at),
            "Ended": iso_utc(run.ended_at), "Runtime": runtime(run),
            "Prior": run.prior, "Ignored": run.ignored, "Config Version": run.config_version,
        })
        row.update({CONFIG_PREFIX + k: v for k, v in _flat_config(run, config).items()})
        row.update({SUMMARY_PREFIX + k: v for k, v in flatten(run.summary).items()})
        rows.append(row)
    return header, rows


def runtime(run: Run) -> float | None:
    """Seconds from start to end, to the millisecond (times are stored in ms, so the
    same run read from Redis or through gRPC gives the same number)."""
    duration = run.duration
    return None if duration is None else round(duration, 3)


def _flat_config(run: Run, config: SweepConfig | None) -> dict[str, Any]:
    return flatten(run.config, config) if isinstance(run.config, dict) else {}


def csv_cell(value: Any) -> str:
    """One value as CSV cell text, safe to open in a spreadsheet (module doc)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(runs: Iterable[Run], config: SweepConfig | None = None) -> str:
    """The runs table as CSV text (header first, RFC 4180 quoting, \\r\\n line ends)."""
    header, rows = run_rows(runs, config)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(row[name]) for name in header])
    return out.getvalue()


def json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, list):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def to_json(runs: Iterable[Run], config: SweepConfig | None = None) -> str:
    """The runs table as a JSON array of objects, one per run, keyed like the CSV
    columns (every object has every column; null = not set)."""
    _, rows = run_rows(runs, config)
    return json.dumps([{k: json_value(v) for k, v in row.items()} for row in rows],
                      ensure_ascii=False, indent=1, default=str)


__all__ = ["RUN_COLUMNS", "columns", "csv_cell", "iso_utc", "run_rows", "to_csv", "to_json"]
