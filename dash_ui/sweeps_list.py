"""The sweeps list page: a table of sweeps, newest first, whose names are the text
of links to their pages (never markdown or HTML), and a filter; a checkbox on each
row picks sweeps to compare (`compare_page`).

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

SHOWN = 200  # rows of the list; the filter finds the others
COLUMNS = [("name", "name"), ("sweep", "id"), ("method", "method"), ("state", "state"),
           ("runs", "runs by state"), ("metric", "metric"), ("best", "best"),
           ("best_run", "best run"), ("created", "created"), ("elapsed", "elapsed")]
LIVE = ("state", "runs", "best", "best_run", "elapsed")  # cells updated in place
FILTERED = ("name", "sweep", "state", "method", "metric")
EMPTY = "No sweeps yet. Create one with: sweepd sweep sweep.yaml"


def page() -> html.Div:
    return html.Div(children=[
        html.Div(className="card-head", children=[
            html.H2("Sweeps"),
            html.Div(className="filter", children=dcc.Input(
                id=ids.SWEEPS_FILTER, type="search", debounce=True,
                placeholder="filter: name, id, state, method, metric")),
        ]),
        html.Div(className="compare-bar", children=compare_page.compare_link()),
        dcc.Store(id=ids.SWEEPS_SHOWN, data=None),
        html.Div(id=ids.SWEEPS_TABLE, className="card", children=table([])),
        html.P(id=ids.SWEEPS_EMPTY, className="muted"),
    ])


def cell_text(row: dict[str, Any], column: str) -> str:
    value = row.get(column)
    if value is None:
        return ""
    return f"{value:.5g}" if column == "best" else str(value)


def table(rows: list[dict[str, Any]]) -> html.Table:
    """Rows of `figures.sweeps_table_rows` as a table; a name is the text of its link."""
    def cell(row: dict[str, Any], column: str) -> html.Td:
        if column == "name":
            link = dcc.Link(str(row["name"]), href=f"/sweep/{quote(str(row['id']), safe='')}")
            return html.Td(link, className="col-name")
        if column in LIVE:
            return html.Td(cell_text(row, column), className=f"col-{column}",
                           id=ids.sweep_cell(row["id"], column))
        return html.Td(cell_text(row, column), className=f"col-{column}")

    pick = lambda row: html.Td(compare_page.pick_box(str(row["id"])), className="col-pick")  # noqa: E731
    return html.Table(className="sweeps", children=[
        html.Thead(html.Tr([html.Th("")] + [html.Th(heading) for _, heading in COLUMNS])),
        html.Tbody([html.Tr([pick(row)] + [cell(row, column) for column, _ in COLUMNS],
                            **{"data-sweep": row["id"]}) for row in rows]),
    ])


def matching(rows: list[dict[str, Any]], text: str | None) -> list[dict[str, Any]]:
    """The rows whose name, id, state, method or metric holds every word of `text`
    (any case)."""
    words = (text or "").casefold().split()
    if not words:
        return rows
    return [row for row in rows
            if all(any(w in str(row.get(f) or "").casefold() for f in FILTERED) for w in words)]


def refresh(rows: list[dict[str, Any]], text: str | None, before: Any) -> tuple[Any, Any, Any]:
    """(table, note, store) for a tick: the table and note only when the rows shown
    changed since `before` (the store as the browser holds it), else no_update."""
    found = matching(rows, text)
    shown = found[:SHOWN]
    note = EMPTY if not rows else ""
    if len(shown) < len(found):
        note = f"showing the newest {len(shown)} of {len(found)} sweeps; filter to find others"
    elif len(found) < len(rows):
        note = f"{len(found)} of {len(rows)} sweeps match the filter"
    store = {"rows": [[cell_text(r, c) for c, _ in COLUMNS if c not in LIVE] + [r["id"]]
                      for r in shown] + [note],
             "cells": {r["id"]: {c: cell_text(r, c) for c in LIVE} for r in shown}}
    if isinstance(before, dict) and before.get("rows") == store["rows"]:
        return no_update, no_update, (no_update if before.get("cells") == store["cells"] else store)
    return table(shown), note, store


def live_cells(store: Any, outputs: list[dict[str, Any]]) -> list[str]:
    """The text of each live cell (`outputs`: their ids, as Dash lists them) from the store."""
    cells = (store.get("cells") or {}) if isinstance(store, dict) else {}
    return [cells.get(o["id"]["sweep"], {}).get(o["id"]["column"], "") for o in outputs]


__all__ = ["COLUMNS", "LIVE", "SHOWN", "live_cells", "matching", "page", "refresh", "table"]
