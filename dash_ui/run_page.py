"""A run's page at /sweep/SWEEP_ID/run/RUN_ID: its facts and why it ended, one chart per
logged key at full resolution (zoomable), its config and summary, the other attempts
at its config, and the end of what it wrote.

`page()` is the layout; `install(app, reader, visible)` registers its two callbacks:

- `refresh` (each tick): polls the run's `RunFollower` and sends the header, facts,
  tables and output again only when the run changed, and the charts' frames only
  when the set of logged keys changed;
- `charts`: fills the charts when new points arrived (RUN_VIEW changed), and one
  chart again when it is zoomed, panned or reset (its relayoutData), with the
  zoomed range at full resolution (`run_figures.visible_points`).

`RunPageUpdater` holds the plain-Python part of both, which the benchmark and the
tests call without a browser.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Callable

import dash
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

from sweepd.domain import Sweep

from . import ids, tables
from .data import REDIS_ERRORS, DashboardReader
from .figures import message_figure
from .run_data import RunFollower, RunFollowers
from .run_figures import (
    ATTEMPT_COLUMNS,
    attempt_rows,
    config_rows,
    fact_rows,
    metric_figure,
    output_parts,
    stop_mark,
    summary_rows,
    zoom_change,
)

log = logging.getLogger(__name__)

_PATH = re.compile(r"^/sweep/([A-Za-z0-9_-]{1,64})/run/([A-Za-z0-9_-]{1,64})/?$")
OUTPUTS = ("header", "facts", "config", "summary", "output", "attempts", "metrics", "view")
CHART_HEIGHT = 280


def run_path_of(pathname: str | None) -> tuple[str, str] | None:
    """(sweep id, run id) of a run page's path, None for any other path."""
    found = _PATH.match(pathname or "")
    return (found.group(1), found.group(2)) if found else None


def path(sweep_id: str, run_id: str) -> str:
    return f"/sweep/{sweep_id}/run/{run_id}"


# ---------------------------------------------------------------- layout


def _card(title: str, body, *, wide: bool = False, extra=None) -> html.Section:
    head = [html.H3(title)] + ([extra] if extra is not None else [])
    return html.Section(className="card wide" if wide else "card",
                        children=[html.Div(className="card-head", children=head), body])


def page(sweep_id: str, run_id: str) -> html.Div:
    return html.Div(className="run-page", **{"data-run": f"{sweep_id}/{run_id}"}, children=[
        dcc.Store(id=ids.RUN_VIEW, data=None),
        dcc.Store(id=ids.RUN_RANGES, data={}),
        html.Div(id=ids.RUN_HEADER, className="sweep-header", children=[html.H2(f"Run {run_id}")]),
        html.Div(className="grid", children=[
            _card("Run", html.Dl(id=ids.RUN_FACTS, className="facts-list")),
            _card("Config", html.Div(id=ids.RUN_CONFIG)),
            _card("Metrics", html.Div(id=ids.RUN_METRICS, className="run-charts"), wide=True,
                  extra=html.Span("drag to zoom: the zoomed range is drawn at full resolution; "
                                  "double-click to see it all again", className="muted")),
            _card("Summary", html.Div(id=ids.RUN_SUMMARY)),
            _card("Attempts at this config", html.Div(id=ids.RUN_ATTEMPTS)),
            _card("Output", html.Div(id=ids.RUN_OUTPUT), wide=True),
        ]),
    ])


def key_value_table(rows: list[tuple[str, str]], empty: str) -> html.Table | html.P:
    """Rows of (name, value) as a two-column table of text."""
    if not rows:
        return html.P(empty, className="muted")
    return html.Table(className="kv", children=[html.Tbody([
        html.Tr([html.Th(name), html.Td(value)]) for name, value in rows])])


def charts(keys: list[str]) -> list:
    """One (empty) chart per logged key; `RunPageUpdater.figures` fills them."""
    if not keys:
        return [html.P("No metric points yet.", className="muted")]
    return [html.Div(className="run-chart", children=dcc.Graph(
        id=ids.run_graph(i), figure=message_figure("loading…"),
        style={"height": f"{CHART_HEIGHT}px"}, config={"displaylogo": False, "responsive": True}))
        for i in range(len(keys))]


def output_blocks(parts: list[tuple[str, str, str]]) -> list:
    blocks = []
    for name, note, text in parts:
        blocks.append(html.Div(className="output-part", **{"data-part": name}, children=[
            html.Div([html.B(name), " ", html.Span(note, className="muted")]),
            html.Pre(text, className="output") if text else None]))
    return blocks


def header(sweep_id: str, record, sweep: Sweep | None, sweep_href: str) -> list:
    if record is None:
        return not_found(sweep_id, "")
    run = record.run
    name = (sweep.name or sweep.id) if sweep is not None else sweep_id
    return [
        html.H2([f"Run #{run.number} {run.id}", html.Span(run.state.value,
                                                           className=f"state {run.state.value}")]),
        html.Div(className="facts", children=[
            html.Span(["sweep ", dcc.Link(name, href=sweep_href)]),
            html.Span(["id ", html.Code(run.id)]),
        ]),
    ]


def not_found(sweep_id: str, run_id: str) -> list:
    """The same for an unknown run as for one of a sweep the asker may not see."""
    return [html.H2(f"Run {run_id} not found" if run_id else "Run not found"),
            html.P(f"Sweep {sweep_id} has no such run, or it may not be shown here.",
                   className="muted")]


# ---------------------------------------------------------------- updates


class RunPageUpdater:
    """The run page's outputs from a RunFollower and the sweep (plain Python)."""

    def __init__(self, reader: DashboardReader, href: Callable[[str], str] = lambda p: p):
        self.reader = reader
        self.href = href

    def update(self, follower: RunFollower, sweep: Sweep | None, client: dict | None,
               *, now: float | None = None) -> dict[str, Any]:
        """The outputs (OUTPUTS) for a tick or a load; no_update where unchanged."""
        out: dict[str, Any] = {name: no_update for name in OUTPUTS}
        with follower.lock:
            version = follower.poll()
            record = follower.record
            sid, rid = follower.sweep_id, follower.run_id
            if record is None:
                return {**out, "header": not_found(sid, rid), "metrics": [], "view": None}
            config = sweep.config if sweep is not None else None
            metric = config.metric.name if config is not None and config.metric else None
            goal = config.metric.goal if config is not None and config.metric else "minimize"
            attempts = config.retry.max_attempts if config is not None else 1
            keys = follower.keys(metric)
            client = client or {}
            state = {"run": f"{sid}/{rid}", "version": version, "keys": keys,
                     "points": follower.loaded, "runs": sweep.counts.total if sweep else 0,
                     "state": record.run.state.value,
                     "sweep_name": (sweep.name or sweep.id) if sweep is not None else sid}
            fresh = client.get("run") != state["run"]
            # the header (with the link back to the sweep) is re-sent only when it
            # changes: replaced on every tick, a click landing on it could be lost
            if fresh or any(client.get(k) != state[k] for k in ("state", "sweep_name")):
                out["header"] = header(sid, record, sweep, self.href(f"/sweep/{sid}"))
            out["facts"] = [x for label, text in fact_rows(record, metric=metric, goal=goal,
                                                          max_attempts=attempts, now=now)
                            for x in (html.Dt(label), html.Dd(text))]
            if fresh or client.get("version") != version:
                out["config"] = key_value_table(config_rows(record.run, config), "No config.")
                out["summary"] = key_value_table(summary_rows(record.run), "Nothing logged yet.")
                out["output"] = output_blocks(output_parts(record.output, record.run))
            if fresh or client.get("keys") != keys:
                out["metrics"] = charts(keys)
            if fresh or any(client.get(k) != state[k] for k in ("runs", "state")):
                out["attempts"] = tables.table(ATTEMPT_COLUMNS, self.attempts(record.run, metric),
                                               empty="No other run has this config.")
            if state != {k: client.get(k) for k in state}:
                out["view"] = state
            return out

    def attempts(self, run, metric: str | None) -> list[dict[str, Any]]:
        records = self.reader.run_records(run.sweep_id)
        return attempt_rows(records, run, lambda rid: self.href(path(run.sweep_id, rid)),
                            metric=metric)

    def figures(self, follower: RunFollower, metric: str | None, keys: list[str],
                zooms: dict[str, Any], only: int | None = None) -> list[Any]:
        """The charts' figures for `keys`, each with its zoom in `zooms` (key ->
        {"x": [lo, hi], "y": ...}); only the `only`-th when given (the others no_update)."""
        out: list[Any] = []
        with follower.lock:
            run = follower.record.run if follower.record is not None else None
            for i, key in enumerate(keys):
                if only is not None and i != only:
                    out.append(no_update)
                    continue
                steps, values = follower.curve(key)
                curve = follower.curves.get(key)
                stop = stop_mark(run, key, metric, curve.steps) if run and curve else None
                out.append(metric_figure(key, steps, values, zoom=zooms.get(key), stop=stop))
        return out


# ---------------------------------------------------------------- callbacks


def install(app: dash.Dash, reader: DashboardReader, visible: Callable[[str], bool],
            followers: RunFollowers | None = None) -> RunPageUpdater:
    """Registers the run page's callbacks on `app`; `visible(sweep_id)` says whether the
    asker may see a sweep (raising REDIS_ERRORS when Redis is down)."""
    followers = followers or RunFollowers(reader)
    updater = RunPageUpdater(reader, href=app.get_relative_path)

    def shown(pathname: str | None) -> tuple[str, str]:
        found = run_path_of(pathname)
        if found is None:
            raise PreventUpdate
        return found

    @app.callback(
        Output(ids.RUN_HEADER, "children"), Output(ids.RUN_FACTS, "children"),
        Output(ids.RUN_CONFIG, "children"), Output(ids.RUN_SUMMARY, "children"),
        Output(ids.RUN_OUTPUT, "children"), Output(ids.RUN_ATTEMPTS, "children"),
        Output(ids.RUN_METRICS, "children"), Output(ids.RUN_VIEW, "data"),
        Input(ids.TICK, "n_intervals"), State(ids.URL, "pathname"), State(ids.RUN_VIEW, "data"))
    def refresh(_, pathname, client):
        sid, rid = shown(pathname)
        try:
            if not visible(sid):
                out = {name: no_update for name in OUTPUTS}
                out.update(header=not_found(sid, rid), metrics=[], view=None)
            else:
                out = updater.update(followers.get(sid, rid), reader.sweep(sid), client)
        except REDIS_ERRORS as exc:
            log.warning("run page: Redis unavailable: %s", exc)
            raise PreventUpdate from None
        return tuple(out[name] for name in OUTPUTS)

    @app.callback(
        Output({"type": ids.RUN_GRAPH, "index": ALL}, "figure"), Output(ids.RUN_RANGES, "data"),
        Input(ids.RUN_VIEW, "data"), Input({"type": ids.RUN_GRAPH, "index": ALL}, "relayoutData"),
        State(ids.RUN_RANGES, "data"), State(ids.URL, "pathname"))
    def charts_callback(view, relayouts, ranges, pathname):
        # also called when new charts appear (a key was logged for the first time): they
        # are drawn then, whatever RUN_VIEW's own call saw
        sid, rid = shown(pathname)
        if not view or view.get("run") != f"{sid}/{rid}":
            raise PreventUpdate
        keys = view["keys"]
        if len(ctx.outputs_list[0]) != len(keys):  # the charts of another key list: the
            raise PreventUpdate  # call for the new charts draws them
        ranges = dict(ranges or {})
        zooms = dict(ranges.get("zoom") or {})
        drawn = [view.get("version"), view.get("points"), keys]
        only = None
        trigger = ctx.triggered_id
        if isinstance(trigger, dict) and trigger.get("type") == ids.RUN_GRAPH:
            only = int(trigger["index"])
            change = zoom_change(relayouts[only]) if only < len(relayouts) else None
            if change is None or only >= len(keys):
                raise PreventUpdate
            before = zooms.get(keys[only]) or {}
            zooms[keys[only]] = {**before, **change}
            if "x" not in change:  # only y moved: the chart has every point it needs
                return [no_update] * len(keys), {**ranges, "zoom": zooms}
            drawn = ranges.get("drawn")
        elif ranges.get("drawn") == drawn and ctx.triggered_id is not None:
            raise PreventUpdate  # the charts show these points already
        sweep = reader.sweep(sid)
        metric = sweep.config.metric.name if sweep is not None and sweep.config.metric else None
        figures = updater.figures(followers.get(sid, rid), metric, keys, zooms, only)
        return figures, {"zoom": zooms, "drawn": drawn}

    return updater


__all__ = ["RunPageUpdater", "install", "page", "path", "run_path_of"]
