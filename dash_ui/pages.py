"""The pages beside the sweeps list and a sweep's page, and the links to them.

`route(pathname)` gives the page of a run (`run_page`, /sweep/SWEEP_ID/run/RUN_ID) or
the comparison of sweeps (`compare_page`, /compare?sweeps=A,B) and None for every
other path; `install(app, reader, visible)` registers their callbacks, and the one
that opens a run's page from a click on the run in a sweep page's best-so-far or
metric-curves chart (their hovers say so).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Sequence

import dash
from dash import Input, Output, State, ctx
from dash.exceptions import PreventUpdate

from sweepd.controller.storage.keys import valid_id

from . import compare_page, ids, run_page
from .data import REDIS_ERRORS, DashboardReader

_SWEEP_PAGE = re.compile(r"^/sweep/([A-Za-z0-9_-]{1,64})/?$")


def route(pathname: str | None):
    """The page at `pathname` when it is one of these, else None."""
    found = run_page.run_path_of(pathname)
    if found is not None:
        return run_page.page(*found)
    if (pathname or "").rstrip("/") == compare_page.PATH:
        return compare_page.page()
    return None


def clicked_run(click: Any, order: Sequence[str] = ()) -> str | None:
    """The run a click on a chart point names: the point's customdata (a run id), else,
    for the metric-curves chart (one trace per run, in run order), its trace's run."""
    try:
        point = click["points"][0]
    except (TypeError, KeyError, IndexError):
        return None
    data = point.get("customdata")
    if isinstance(data, list) and data:
        data = data[0]
    if isinstance(data, str):
        return data if valid_id(data) else None
    curve = point.get("curveNumber")
    if order and isinstance(curve, int) and 0 <= curve < len(order):
        return order[curve]
    return None


def install(app: dash.Dash, reader: DashboardReader, visible: Callable[[str], bool]) -> None:
    run_page.install(app, reader, visible)
    compare_page.install(app, reader, visible)

    @app.callback(Output(ids.URL, "pathname", allow_duplicate=True),
                  Output(ids.URL, "search", allow_duplicate=True),
                  Input(ids.BEST_GRAPH, "clickData"), Input(ids.CURVES_GRAPH, "clickData"),
                  Input(ids.PARETO_GRAPH, "clickData"),
                  State(ids.URL, "pathname"), prevent_initial_call=True)
    def open_clicked_run(best, curves, front, pathname):
        found = _SWEEP_PAGE.match(pathname or "")
        if found is None:
            raise PreventUpdate
        sid = found.group(1)
        if ctx.triggered_id in (ids.BEST_GRAPH, ids.PARETO_GRAPH):
            rid = clicked_run(best if ctx.triggered_id == ids.BEST_GRAPH else front)
        else:
            try:
                order = list(reader.view(sid).order)
            except REDIS_ERRORS:
                raise PreventUpdate from None
            rid = clicked_run(curves, order)
        if rid is None:
            raise PreventUpdate
        return run_page.path(sid, rid), ""


__all__ = ["clicked_run", "install", "route"]
