"""A sweep's downloads: its runs table as CSV and JSON, its config as YAML.

`install(server, reader, visible, routes_prefix)` adds three GET routes to the
dashboard's Flask server:

- `sweep/ID/runs.csv`, `sweep/ID/runs.json`: the runs table built by
  `sweepd.export` (the same rows `sweepd runs ID --csv` prints); the CSV starts with
  a UTF-8 byte order mark, so spreadsheet programs read non-ASCII text right;
- `sweep/ID/config.yaml`: the sweep's current config, every default filled in (what
  `sweepd create` accepts).

Each answers as an attachment (`Content-Disposition`), 404 for a sweep that does
not exist or that the asker may not see (`visible`: with a login, another project's
sweep answers exactly like an unknown id) and 503 while Redis is not answering.
The login gate and the security headers of the app apply to these routes as to
every other.
"""

from __future__ import annotations

import logging
import re
from typing import Callable

import flask
import yaml

from sweepd.config import config_to_dict
from sweepd.export import to_csv, to_json

from .data import REDIS_ERRORS, DashboardReader

log = logging.getLogger(__name__)

KINDS = {  # file name -> (content type, builder of the body from (reader, sweep))
    "runs.csv": ("text/csv; charset=utf-8",
                 lambda reader, sweep: "\ufeff" + to_csv(reader.runs(sweep.id), sweep.config)),
    "runs.json": ("application/json; charset=utf-8",
                  lambda reader, sweep: to_json(reader.runs(sweep.id), sweep.config)),
    "config.yaml": ("application/yaml; charset=utf-8",
                    lambda reader, sweep: yaml.safe_dump(config_to_dict(sweep.config),
                                                         sort_keys=False, allow_unicode=True)),
}


def path_of(sweep_id: str, kind: str) -> str:
    """Where a download lives, below the app's prefix (no leading slash)."""
    return f"sweep/{sweep_id}/{kind}"


def install(server: flask.Flask, reader: DashboardReader, visible: Callable[[str], bool],
            routes_prefix: str = "/") -> None:
    def download(sweep_id: str, kind: str) -> flask.Response:
        content_type, build = KINDS[kind]
        try:
            sweep = reader.sweep(sweep_id) if visible(sweep_id) else None
            if sweep is None:
                return _text(f"no sweep {sweep_id!r}\n", 404)
            body = build(reader, sweep)
        except REDIS_ERRORS as exc:
            log.warning("dashboard: Redis unavailable for a download: %s", exc)
            return _text("Redis is not answering; try again in a moment\n", 503)
        name = f"sweep-{_file_safe(sweep_id)}-{kind}"
        return flask.Response(body, status=200, content_type=content_type, headers={
            "Content-Disposition": f'attachment; filename="{name}"'})

    for kind in KINDS:
        server.add_url_rule(f"{routes_prefix}sweep/<sweep_id>/{kind}",
                            f"sweepd_download_{kind.replace('.', '_')}",
                            lambda sweep_id, kind=kind: download(sweep_id, kind), methods=["GET"])


def _file_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)[:64]


def _text(body: str, status: int) -> flask.Response:
    return flask.Response(body, status=status, content_type="text/plain; charset=utf-8")


__all__ = ["KINDS", "install", "path_of"]
