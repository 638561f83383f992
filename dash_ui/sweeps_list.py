"""The sweeps list page: a table of sweeps, newest first, whose names are the text
of links to their pages (never markdown or HTML), a filter, and projects; a
checkbox on each row picks sweeps to compare (`compare_page`).

Projects: behind a login (`--auth`) the list shows only the key's project(s), in
one group per project under its name; without one, every sweep, with a project
column and a project filter. The filter text and the project are in the URL
(`url_state`), so a link opens the same list.

A tick sends the table again only when its rows change (a sweep appears, a name,
the filter); otherwise only the live cells (state, runs, best, elapsed) change, in
place, through a store: a re-sent table would be rebuilt in the browser every
second, losing a selection or the keyboard focus on a link.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from dash import dcc, html, no_update

from . import compare_page, ids
from .url_state import ListState

SHOWN = 200  # rows of the list; the filter finds the others
COLUMNS = [("name", "name"), ("sweep", "id"), ("project", "project"), ("method", "method"),
           ("state", "state"), ("runs", "runs by state"), ("metric", "metric"), ("best", "best"),
           ("best_run", "best run"), ("created", "created"), ("elapsed", "elapsed")]
LIVE = ("state", "runs", "best", "best_run", "elapsed")  # cells updated in place
FILTERED = ("name", "sweep", "state", "method", "metric", "project")
EMPTY = "No sweeps yet. Create one with: sweepd sweep sweep.yaml"


def page(state: ListState | None = None, *, grouped: bool = False) -> html.Div:
    """The list; `state` (from the URL) fills the filters. `grouped` (behind a login):
    by project, without the project filter."""
    state = state or ListState()
    known = [{"label": state.project, "value": state.project}] if state.project else []
    # (the dropdown lets go of a value that is none of its options: the linked one is one)
    project = dcc.Dropdown(id=ids.SWEEPS_PROJECT, value=state.project, options=known,
                           placeholder="all projects", className="project-picker",
                           style={"display": "none"} if grouped else None)
    return html.Div(children=[
        html.Div(className="card-head", children=[
            html.H2("Sweeps"),
            html.Div(className="list-filters", children=[project, html.Div(
                className="filter", children=dcc.Input(
                    id=ids.SWEEPS_FILTER, type="search", debounce=True, value=state.text or None,
                    placeholder="filter: name, id, state, method, metric, project"))]),
        ]),
        html.Div(className="compare-bar", children=compare_page.compare_link()),
        dcc.Store(id=ids.SWEEPS_SHOWN, data=None),
        html.Div(id=ids.SWEEPS_TABLE, className="card", children=table([], grouped=grouped)),
        html.P(id=ids.SWEEPS_EMPTY, className="muted"),
    ])


def cell_text(row: dict[str, Any], column: str) -> str:
    value = row.get(column)
    if value is None:
        return ""
    return f"{value:.5g}" if column == "best" else str(value)


def columns(grouped: bool) -> list[tuple[str, str]]:
    """The table's columns: no project column when the rows are grouped by project."""
    return [c for c in COLUMNS if not (grouped and c[0] == "project")]


def table(rows: list[dict[str, Any]], *, grouped: bool = False) -> html.Table:
    """Rows of `figures.sweeps_table_rows` as a table; a name is the text of its link.
    `grouped`: a heading row before each project's sweeps (rows come sorted by it)."""
    shown = columns(grouped)

    def cell(row: dict[str, Any], column: str) -> html.Td:
        if column == "name":
            link = dcc.Link(str(row["name"]), href=f"/sweep/{quote(str(row['id']), safe='')}")
            return html.Td(link, className="col-name")
        if column in LIVE:
            return html.Td(cell_text(row, column), className=f"col-{column}",
                           id=ids.sweep_cell(row["id"], column))
        return html.Td(cell_text(row, column), className=f"col-{column}")

    def pick(row: dict[str, Any]) -> html.Td:  # the compare checkbox
        return html.Td(compare_page.pick_box(str(row["id"])), className="col-pick")

    body, project = [], None
    for row in rows:
        if grouped and row.get("project") != project:
            project = row.get("project")
            body.append(html.Tr(className="project-row", **{"data-project": str(project)},
                                children=html.Th(f"project {project}", colSpan=len(shown) + 1)))
        body.append(html.Tr([pick(row)] + [cell(row, column) for column, _ in shown],
                            **{"data-sweep": row["id"]}))
    return html.Table(className="sweeps", children=[
        html.Thead(html.Tr([html.Th("")] + [html.Th(heading) for _, heading in shown])),
        html.Tbody(body),
    ])


def matching(rows: list[dict[str, Any]], text: str | None) -> list[dict[str, Any]]:
    """The rows whose name, id, state, method, metric or project holds every word of
    `text` (any case)."""
    words = (text or "").casefold().split()
    if not words:
        return rows
    return [row for row in rows
            if all(any(w in str(row.get(f) or "").casefold() for f in FILTERED) for w in words)]


def projects(rows: list[dict[str, Any]]) -> list[str]:
    """The projects of the rows, sorted."""
    return sorted({str(r.get("project")) for r in rows if r.get("project")})


def refresh(rows: list[dict[str, Any]], text: str | None, before: Any, *,
            project: str | None = None, grouped: bool = False) -> tuple[Any, Any, Any]:
    """(table, note, store) for a tick: the table and note only when the rows shown
    changed since `before` (the store as the browser holds it), else no_update.
    `project`: only that project's sweeps; `grouped`: by project (newest first in each)."""
    if project:
        rows = [r for r in rows if r.get("project") == project]
    found = matching(rows, text)
    if grouped:
        found = sorted(found, key=lambda r: str(r.get("project")))  # stable: newest first within
    shown = found[:SHOWN]
    note = ""
    if not rows:
        note = f"No sweeps in project {project}." if project else EMPTY
    elif len(shown) < len(found):
        note = f"showing the newest {len(shown)} of {len(found)} sweeps; filter to find others"
    elif len(found) < len(rows):
        note = f"{len(found)} of {len(rows)} sweeps match the filter"
    store = {"rows": [[cell_text(r, c) for c, _ in columns(grouped) if c not in LIVE] + [r["id"]]
                      for r in shown] + [note, grouped],
             "cells": {r["id"]: {c: cell_text(r, c) for c in LIVE} for r in shown}}
    if isinstance(before, dict) and before.get("rows") == store["rows"]:
        return no_update, no_update, (no_update if before.get("cells") == store["cells"] else store)
    return table(shown, grouped=grouped), note, store


def live_cells(store: Any, outputs: list[dict[str, Any]]) -> list[str]:
    """The text of each live cell (`outputs`: their ids, as Dash lists them) from the store."""
    cells = (store.get("cells") or {}) if isinstance(store, dict) else {}
    return [cells.get(o["id"]["sweep"], {}).get(o["id"]["column"], "") for o in outputs]


__all__ = ["COLUMNS", "LIVE", "SHOWN", "columns", "live_cells", "matching", "page", "projects",
           "refresh", "table"]
