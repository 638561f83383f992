"""The comparison of sweeps at /compare?sweeps=A,B[,C...], and how the sweeps list
leads to it: a checkbox on each row, and a link to compare the rows picked.

`page()` is the layout; `install(app, reader, visible)` registers its callbacks: the
page's charts and table (`CompareUpdater.update`, plain Python, when the URL's
sweeps, the x of the best-so-far chart or its slow tick change), a click on a run in
its charts (open the run's page), and the sweeps list's link (its href follows the
checkboxes). The charts read run records only (no metric streams), afresh each time.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable
from urllib.parse import parse_qs, quote

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate

from sweepd.controller.storage.keys import valid_id

from . import ids, tables
from .compare_figures import (
    MAX_SWEEPS,
    best_columns,
    best_rows,
    best_so_far_figure,
    params_figure,
    params_height,
    sweep_runs,
)
from .data import REDIS_ERRORS, DashboardReader
from .figures import message_figure

log = logging.getLogger(__name__)

PATH = "/compare"
TICK_MS = 5000  # the comparison reads every run of every sweep: a slower tick than a sweep page's
OUTPUTS = ("header", "best", "params", "params_style", "table")


def sweeps_of(search: str | None) -> list[str]:
    """The sweep ids of /compare?sweeps=A,B (also `sweeps=A&sweeps=B`): valid ids only,
    each once, in the order given, at most MAX_SWEEPS."""
    found: list[str] = []
    for value in parse_qs((search or "").lstrip("?")).get("sweeps", []):
        for sid in value.split(","):
            sid = sid.strip()
            if valid_id(sid) and sid not in found:
                found.append(sid)
    return found[:MAX_SWEEPS]


def href_of(sweep_ids: list[str]) -> str:
    return f"{PATH}?sweeps={quote(','.join(sweep_ids), safe=',')}"


# ---------------------------------------------------------------- layout


def page() -> html.Div:
    def card(title, body, extra=None):
        head = [html.H3(title)] + ([extra] if extra is not None else [])
        return html.Section(className="card wide", children=[
            html.Div(className="card-head", children=head), body])

    graph = {"displaylogo": False, "responsive": True}
    return html.Div(className="compare-page", children=[
        dcc.Interval(id=ids.COMPARE_TICK, interval=TICK_MS, n_intervals=0),
        html.Div(id=ids.COMPARE_HEADER, className="sweep-header",
                 children=[html.H2("Compare sweeps")]),
        html.Div(className="grid", children=[
            card("Best so far", dcc.Graph(id=ids.COMPARE_BEST, figure=message_figure("loading…"),
                                          style={"height": "380px"}, config=graph),
                 extra=dcc.RadioItems(id=ids.COMPARE_BEST_X, value="number", inline=True,
                                      className="radio",
                                      options=[{"label": "run #", "value": "number"},
                                               {"label": "time", "value": "time"}])),
            card("Best run of each sweep", html.Div(id=ids.COMPARE_TABLE, className="scroll-x")),
            card("Parameter distributions", dcc.Graph(
                id=ids.COMPARE_PARAMS, figure=message_figure("loading…"),
                style={"height": "300px"}, config=graph),
                extra=html.Span("numbers: a box and every run; categories: the share of runs at "
                                "each value", className="muted")),
        ]),
    ])


def pick_box(sweep_id: str) -> dcc.Checklist:
    """A sweeps list row's checkbox (kept across the list's redraws while the page is open)."""
    return dcc.Checklist(id=ids.sweep_pick(sweep_id), options=[{"label": "", "value": sweep_id}],
                         value=[], persistence=True, persistence_type="memory",
                         className="pick", inputClassName="pick-box")


def compare_link() -> dcc.Link:
    return dcc.Link("pick two or more sweeps to compare them", id=ids.COMPARE_LINK, href=PATH,
                    className="compare-link disabled")


def link_for(picked: list[str]) -> tuple[str, str, str]:
    """(href, text, class) of the compare link for the sweeps picked."""
    if len(picked) < 2:
        return PATH, "pick two or more sweeps to compare them", "compare-link disabled"
    return href_of(picked), f"compare {len(picked)} sweeps", "compare-link"


# ---------------------------------------------------------------- updates


class CompareUpdater:
    """The compare page's outputs for a list of sweep ids (plain Python)."""

    def __init__(self, reader: DashboardReader, href: Callable[[str], str] = lambda p: p):
        self.reader = reader
        self.href = href

    def update(self, sweep_ids: list[str], visible: Callable[[str], bool], x: str = "number",
               now: float | None = None) -> dict[str, Any]:
        now = time.time() if now is None else now
        found, missing = [], []
        for sid in sweep_ids:
            sweep = self.reader.sweep(sid) if visible(sid) else None
            if sweep is None:
                missing.append(sid)
            else:
                found.append(sweep_runs(sweep, self.reader.run_records(sid), now))
        header = [html.H2("Compare sweeps"), html.Div(className="facts", children=[
            html.Span([dcc.Link(s.label, href=self.href(f"/sweep/{s.sweep.id}")),
                       f" ({s.sweep.config.method}, {len(s.runs)} runs)"],
                      className="compared") for s in found])]
        if missing:
            header.append(html.P("Not found: " + ", ".join(missing), className="muted"))
        if not sweep_ids:
            header.append(html.P("Pick sweeps on the sweeps list, or open "
                                 "/compare?sweeps=ID,ID.", className="muted"))
        metrics = {(s.sweep.config.metric.name, s.sweep.config.metric.goal) for s in found}
        if len(metrics) > 1:
            header.append(html.P("These sweeps optimise different metrics or goals: each line "
                                 "is its own sweep's metric.", className="muted"))
        n_params = len({a.name for s in found for a in s.axes})
        return {
            "header": header, "best": best_so_far_figure(found, x),
            "params": params_figure(found),
            "params_style": {"height": f"{params_height(n_params)}px"},
            "table": tables.table(best_columns(found), best_rows(found, self.href, now),
                                  empty="No sweep to show."),
        }


# ---------------------------------------------------------------- callbacks


def install(app: dash.Dash, reader: DashboardReader,
            visible: Callable[[str], bool]) -> CompareUpdater:
    updater = CompareUpdater(reader, href=app.get_relative_path)

    @app.callback(Output(ids.COMPARE_HEADER, "children"), Output(ids.COMPARE_BEST, "figure"),
                  Output(ids.COMPARE_PARAMS, "figure"), Output(ids.COMPARE_PARAMS, "style"),
                  Output(ids.COMPARE_TABLE, "children"),
                  Input(ids.URL, "search"), Input(ids.COMPARE_TICK, "n_intervals"),
                  Input(ids.COMPARE_BEST_X, "value"), State(ids.URL, "pathname"))
    def refresh(search, _, x, pathname):
        if (pathname or "").rstrip("/") != PATH:
            raise PreventUpdate
        try:
            out = updater.update(sweeps_of(search), visible, x or "number")
        except REDIS_ERRORS as exc:
            log.warning("compare page: Redis unavailable: %s", exc)
            raise PreventUpdate from None
        return tuple(out[name] for name in OUTPUTS)

    @app.callback(Output(ids.URL, "pathname", allow_duplicate=True),
                  Output(ids.URL, "search", allow_duplicate=True),
                  Input(ids.COMPARE_BEST, "clickData"), Input(ids.COMPARE_PARAMS, "clickData"),
                  prevent_initial_call=True)
    def open_clicked_run(best, params):
        click = best if ctx.triggered_id == ids.COMPARE_BEST else params
        try:
            sid, rid = click["points"][0]["customdata"]
        except (TypeError, KeyError, IndexError, ValueError):
            raise PreventUpdate from None
        if not (isinstance(sid, str) and isinstance(rid, str) and valid_id(sid) and valid_id(rid)):
            raise PreventUpdate
        return f"/sweep/{sid}/run/{rid}", ""

    @app.callback(Output(ids.COMPARE_LINK, "href"), Output(ids.COMPARE_LINK, "children"),
                  Output(ids.COMPARE_LINK, "className"),
                  Input({"type": ids.SWEEP_PICK, "sweep": ALL}, "value"))
    def compare_link_follows_the_picks(values):
        picked = [sid for value in values or [] for sid in value or []]
        return link_for(picked)

    return updater


__all__ = ["CompareUpdater", "PATH", "compare_link", "href_of", "install", "link_for", "page",
           "pick_box", "sweeps_of"]
