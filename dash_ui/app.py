"""The Dash app: `create_app(reader, controller_address)` builds it and registers its
callbacks on it (never globally, so a test session may build several apps).

Callbacks are thin: they read the inputs, ask `DashboardReader` / `SweepUpdater`,
and map a broken Redis (a restart, a network blip) to a banner instead of an error;
the next tick recovers by itself. Sweep controls go through the controller's gRPC
API; the dashboard never writes to Redis.

With `auth=True` every request needs a login with an API key (`login.py` says how
sessions work); a logged-in key sees only its project's sweeps (another project's
sweep looks exactly like an unknown id), and the controls call the controller with
that key, disabled for read-only keys. Without a login, the controls use `api_key`
(for a controller started with --auth) and everyone sees every sweep.

`downloads.py` serves a sweep's runs table (CSV, JSON) and config (YAML) behind
the same login and project check.

A page's view (metric, scales, brushes, the tables' filters) is read from the URL's
query string when the page opens and written back, without a new history entry, as
it changes (`url_state` says what is kept and how).

Nothing secret is ever put on a page: no lease token, no API key, no Redis
credentials (the banner names Redis by `shown_url`).
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any, Callable
from urllib.parse import quote

import dash
from dash import ALL, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from sweepd.controller.auth import EVERYONE, Principal

from . import downloads, headers, ids, layout, pages, pareto, sweeps_list, url_state
from .analysis import apply_restyle
from .data import REDIS_ERRORS, DashboardReader, param_axes
from .figures import ACTION_COLUMNS, runs_table_columns, sweeps_table_rows
from .login import LoginGate, account_text
from .updates import OUTPUTS, Inputs, SweepUpdater, TableQuery, not_found

log = logging.getLogger(__name__)

SWEEP_PREFIX = "/sweep/"
_TRIGGERS = {ids.TICK: "tick", ids.KEY: "key", ids.GOAL: "goal", ids.BEST_X: "x",
             ids.YSCALE: "scale", ids.YRANGE: "scale", ids.SELECTION: "selection",
             ids.RUNS_TABLE: "table"}

# Shows the query string a page's view asks for in the address bar, replacing the
# current history entry (a new entry per brush would make Back walk through them).
_SHOW_QUERY = """function (query) {
    if (!query || window.location.pathname !== query.path) {
        return window.dash_clientside.no_update;
    }
    if (window.location.search !== query.search) {
        window.history.replaceState(window.history.state, "",
                                    query.path + query.search + window.location.hash);
    }
    return query.search;
}"""


def sweep_id_of(pathname: str | None) -> str | None:
    """The sweep of a sweep page's path (None for a run page's, or any other)."""
    if pathname and pathname.startswith(SWEEP_PREFIX):
        sid = pathname[len(SWEEP_PREFIX):].strip("/")
        return sid if sid and "/" not in sid else None
    return None


def create_app(reader: DashboardReader, controller_address: str | None = None, *,
               updater: SweepUpdater | None = None, auth: bool = False,
               api_key: str | None = None, tls_ca: str | None = None,
               secret_key: str | None = None, key_check_s: float = 2.0,
               **dash_kwargs: Any) -> dash.Dash:
    """A dashboard over `reader`; sweep controls are enabled when a controller is given.

    `auth`: log in with an API key first (see the module doc); `secret_key` signs the
    session cookie (random when None); a revoked key is noticed within `key_check_s`.
    `api_key` and `tls_ca` are what the controls call the controller with when there
    is no login ($SWEEPD_API_KEY / $SWEEPD_TLS_CA when None).
    """
    app = dash.Dash(__name__, title="sweepd", suppress_callback_exceptions=True,
                    update_title=None, **dash_kwargs)
    updater = updater or SweepUpdater(
        run_href=lambda sid, rid: app.get_relative_path(f"/sweep/{sid}/run/{rid}"))
    app.server.config["sweepd_reader"] = reader
    gate = LoginGate(reader.redis, check_every_s=key_check_s) if auth else None
    if gate is not None:
        gate.install(app.server, routes_prefix=app.config.routes_pathname_prefix,
                     requests_prefix=app.config.requests_pathname_prefix, secret_key=secret_key)
        app.server.config["sweepd_login"] = gate
    reader.start_history_loader()

    def principal() -> Principal:
        """Who asks: the logged-in key, or everyone when there is no login."""
        if gate is None:
            return EVERYONE
        session = gate.current()
        if session is None:  # the gate lets no request through without one
            raise PreventUpdate
        return session.principal

    def visible(sid: str) -> bool:
        """May the asker see this sweep? (Raises REDIS_ERRORS when Redis is down.)"""
        who = principal()
        if who.project is None:
            return True
        project = reader.project_of(sid)
        return project is not None and who.sees(project)

    downloads.install(app.server, reader, visible, app.config.routes_pathname_prefix)
    pages.install(app, reader, visible)

    def shell():
        session = gate.current() if gate is not None else None
        if session is None:
            return layout.app_shell()
        return layout.app_shell(account_text(session.principal),
                                logout_href=app.get_relative_path("/logout"))

    app.layout = shell

    def controls_allowed() -> tuple[bool, str]:
        if controller_address is None:
            return False, layout.NO_CONTROLLER
        if principal().read_only:
            return False, ("a read-only API key cannot pause, resume, stop or cancel sweeps, "
                           "nor ignore or requeue runs")
        return True, ""

    @app.callback(Output(ids.PAGE, "children"), Input(ids.URL, "pathname"),
                  State(ids.URL, "search"))
    def route(pathname, search):
        if pathname in (None, "", "/"):
            state = url_state.parse_list(search)
            if gate is not None:  # a key sees its own projects, grouped: no project filter
                state.project = None
            return sweeps_list.page(state, grouped=gate is not None)
        other = pages.route(pathname)  # a run's page, the comparison of sweeps
        if other is not None:
            return other
        sid = sweep_id_of(pathname)
        if sid is None:
            return layout.not_found_page(pathname)
        key, goal, columns = None, "minimize", None
        view = url_state.parse_sweep(search)
        try:
            if visible(sid):
                sweep = reader.view(sid).sweep or reader.sweep(sid)
                if sweep is not None:
                    key, goal = sweep.config.metric.name, sweep.config.metric.goal
                    columns = runs_table_columns(param_axes(sweep.config), view.key or key)
                    key, goal, columns, view = pareto.page_defaults(sweep.config, key, goal,
                                                                    columns, view)
        except REDIS_ERRORS:
            pass  # the page fills itself in once Redis answers
        allowed, why = controls_allowed()
        hrefs = {kind: app.get_relative_path("/" + downloads.path_of(quote(sid, safe=""), kind))
                 for kind in downloads.KINDS}
        return layout.sweep_page(sid, key=key, goal=goal, controls=allowed, disabled_title=why,
                                 downloads=hrefs, view=view, columns=columns)

    @app.callback(Output(ids.BANNER, "children"), Output(ids.BANNER, "style"),
                  Input(ids.TICK, "n_intervals"))
    def banner(_):
        if reader.ping():
            return "", {"display": "none"}
        return (f"Redis at {reader.shown_url} is not answering. Showing the last data read; "
                "retrying every second."), {"display": "block"}

    @app.callback(Output(ids.SWEEPS_TABLE, "children"), Output(ids.SWEEPS_EMPTY, "children"),
                  Output(ids.SWEEPS_SHOWN, "data"), Output(ids.SWEEPS_PROJECT, "options"),
                  Input(ids.TICK, "n_intervals"), Input(ids.URL, "pathname"),
                  Input(ids.SWEEPS_FILTER, "value"), Input(ids.SWEEPS_PROJECT, "value"),
                  State(ids.SWEEPS_SHOWN, "data"), State(ids.SWEEPS_PROJECT, "options"))
    def sweeps(_, pathname, text, project, before, options):
        who = principal()
        try:
            frame = reader.sweeps_frame()
        except REDIS_ERRORS:
            raise PreventUpdate from None
        if who.project is not None:
            frame = frame[frame["project"].map(who.sees).astype(bool)]
        rows = sweeps_table_rows(frame)
        names = sweeps_list.projects(rows)
        if project and project not in names:
            names = sorted(names + [project])  # a linked project with no sweeps (yet)
        found = [{"label": name, "value": name} for name in names]
        return (*sweeps_list.refresh(rows, text, before, project=project or None,
                                     grouped=who.project is not None),
                no_update if found == options else found)

    @app.callback(Output(ids.QUERY, "data", allow_duplicate=True),
                  Input(ids.SWEEPS_FILTER, "value"), Input(ids.SWEEPS_PROJECT, "value"),
                  State(ids.URL, "pathname"), prevent_initial_call=True)
    def list_query(text, project, pathname):
        state = url_state.ListState(text=text or "", project=project or None)
        return {"path": pathname, "search": url_state.list_query(state), "at": time.time()}

    @app.callback(Output({"type": ids.SWEEP_CELL, "sweep": ALL, "column": ALL}, "children"),
                  Input(ids.SWEEPS_SHOWN, "data"), prevent_initial_call=True)
    def sweep_cells(store):
        return sweeps_list.live_cells(store, ctx.outputs_list)

    @app.callback(Output(ids.QUERY, "data", allow_duplicate=True),
                  Input(ids.KEY, "value"), Input(ids.GOAL, "value"), Input(ids.BEST_X, "value"),
                  Input(ids.YSCALE, "value"), Input(ids.YRANGE, "value"),
                  Input(ids.SELECTION, "data"), Input(ids.RUNS_TABLE, "filter_query"),
                  Input(ids.RUNS_TABLE, "sort_by"), State(ids.SWEEP_DEFAULTS, "data"),
                  State(ids.URL, "pathname"), prevent_initial_call=True)
    def sweep_query(key, goal, x, yscale, yrange, selection, filter_query, sort_by, defaults,
                    pathname):
        state = url_state.state_of_inputs(key, goal, x, yscale, yrange, selection,
                                          filter_query, sort_by)
        defaults = defaults or {}
        search = url_state.sweep_query(state, default_key=defaults.get("key"),
                                       default_goal=defaults.get("goal"))
        return {"path": pathname, "search": search, "at": time.time()}

    app.clientside_callback(_SHOW_QUERY, Output(ids.QUERY_SHOWN, "data"),
                            Input(ids.QUERY, "data"), prevent_initial_call=True)

    outputs = {
        "header": Output(ids.SWEEP_HEADER, "children"),
        "key_options": Output(ids.KEY, "options"),
        "key_value": Output(ids.KEY, "value"),
        "loading": Output(ids.LOADING, "children"),
        "best": Output(ids.BEST_GRAPH, "figure"),
        "pareto": Output(ids.PARETO_GRAPH, "figure"),
        "pareto_style": Output(ids.PARETO_CARD, "style"),
        "best_title": Output(ids.BEST_TITLE, "children"),
        "curves": Output(ids.CURVES_GRAPH, "figure"),
        "importance": Output(ids.IMPORTANCE_GRAPH, "figure"),
        "parcoords": Output(ids.PARCOORDS_GRAPH, "figure"),
        "top_params": Output(ids.TOP_PARAMS_GRAPH, "figure"),
        "table_columns": Output(ids.RUNS_TABLE, "columns"),
        "table_data": Output(ids.RUNS_TABLE, "data"),
        "table_pages": Output(ids.RUNS_TABLE, "page_count"),
        "table_page": Output(ids.RUNS_TABLE, "page_current"),
        "selection_note": Output(ids.SELECTION_NOTE, "children"),
        "versions": Output(ids.VERSIONS_TABLE, "data"),
        "view": Output(ids.VIEW, "data"),
    }

    @app.callback(
        *[outputs[name] for name in OUTPUTS],
        Input(ids.TICK, "n_intervals"), Input(ids.KEY, "value"), Input(ids.GOAL, "value"),
        Input(ids.BEST_X, "value"), Input(ids.YSCALE, "value"), Input(ids.YRANGE, "value"),
        Input(ids.SELECTION, "data"), Input(ids.RUNS_TABLE, "page_current"),
        Input(ids.RUNS_TABLE, "sort_by"), Input(ids.RUNS_TABLE, "filter_query"),
        State(ids.RUNS_TABLE, "page_size"), State(ids.URL, "pathname"), State(ids.VIEW, "data"),
    )
    def refresh(_, key, goal, x, yscale, yrange, selection, page, sort_by, filter_query, page_size,
                pathname, client):
        sid = sweep_id_of(pathname)
        if sid is None:
            raise PreventUpdate
        trigger = _TRIGGERS.get(ctx.triggered_id, "load")
        inputs = Inputs(trigger=trigger, key=key, goal=goal or "minimize", x=x or "time",
                        selection=selection or {}, client=client,
                        yscale=yscale or "linear", yrange=yrange or "robust",
                        table=TableQuery(page=page or 0, size=page_size or 25,
                                         sort_by=sort_by if isinstance(sort_by, list) else [],
                                         filter=filter_query if isinstance(filter_query, str) else ""))
        try:
            out = updater.update(reader.view(sid), inputs) if visible(sid) else not_found(sid)
        except REDIS_ERRORS as exc:
            log.warning("dashboard: Redis unavailable: %s", exc)
            raise PreventUpdate from None
        return tuple(out[name] for name in OUTPUTS)

    @app.callback(Output(ids.SELECTION, "data"),
                  Input(ids.PARCOORDS_GRAPH, "restyleData"), Input(ids.CLEAR_SELECTION, "n_clicks"),
                  State(ids.PARCOORDS_GRAPH, "figure"), State(ids.SELECTION, "data"),
                  prevent_initial_call=True)
    def brush(restyle, _, figure, selection):
        selection = selection or {}
        epoch = selection.get("epoch", 0)
        if ctx.triggered_id == ids.CLEAR_SELECTION:
            return {"ranges": {}, "epoch": epoch + 1}
        try:
            trace = figure["data"][0]
            labels = [d.get("label") for d in trace["dimensions"]]
        except (TypeError, KeyError, IndexError):
            raise PreventUpdate from None
        # the metric's axis is drawn as log10 on a log scale; its ranges are kept in values
        log_labels = labels[-1:] if (trace.get("meta") or {}).get("metric_log") else []
        ranges = apply_restyle(selection.get("ranges"), restyle, labels, log_labels)
        if ranges == (selection.get("ranges") or {}):
            raise PreventUpdate
        return {"ranges": ranges, "epoch": epoch}

    @app.callback(Output(ids.CONTROL_MESSAGE, "children"),
                  *[Input(button, "n_clicks") for button in ids.CONTROL_BUTTONS],
                  State(ids.URL, "pathname"), prevent_initial_call=True)
    def control(*args):
        action = ids.CONTROL_BUTTONS.get(ctx.triggered_id)
        sid = sweep_id_of(args[-1])
        if action is None or sid is None or controller_address is None or not any(args[:-1]):
            raise PreventUpdate
        return with_controller(sid, action, lambda client: (
            f"{action}: the sweep is now {client.change_state(sid, action).state.value}"))

    def with_controller(sid: str, action: str, call: Callable[[Any], Any]) -> Any:
        """What `call(client)` says, with a client of this user's key, once the user may
        change the sweep; else why not, as an error line."""
        from sweepd.client import Client
        from sweepd.domain import SweepdError

        allowed, why = controls_allowed()
        if not allowed:
            return html.Span(f"{action} refused: {why}", className="error")
        try:
            if not visible(sid):  # the controller would say the same with auth on
                return html.Span(f"{action} failed: sweep {sid!r} not found", className="error")
        except REDIS_ERRORS:
            return html.Span(f"{action} failed: Redis is not answering", className="error")
        key = gate.current().api_key if gate is not None else api_key
        try:
            with Client(controller_address, timeout=5.0, retries=1, api_key=key,
                        tls_ca=tls_ca) as client:
                return call(client)
        except SweepdError as exc:
            return html.Span(f"{action} failed: {exc}", className="error")

    @app.callback(Output(ids.RUN_ACTION_MESSAGE, "children"), Output(ids.RUNS_TABLE, "active_cell"),
                  Input(ids.RUNS_TABLE, "active_cell"), State(ids.RUNS_TABLE, "data"),
                  State(ids.URL, "pathname"), prevent_initial_call=True)
    def run_action(cell, rows, pathname):
        """A click on a run's ignore / unignore / requeue cell; the cell is let go so
        that the next click on it counts again."""
        sid = sweep_id_of(pathname)
        if not cell or cell.get("column_id") not in ACTION_COLUMNS or sid is None:
            raise PreventUpdate
        run_id = cell.get("row_id")
        action = next((r.get(cell["column_id"]) for r in rows or () if r.get("id") == run_id), None)
        if not run_id or action not in ("ignore", "unignore", "requeue"):
            raise PreventUpdate
        return run_action_text(sid, run_id, action), None

    def run_action_text(sid: str, run_id: str, action: str) -> Any:
        def call(client) -> str:
            if action == "requeue":
                waiting = client.requeue_run(sid, run_id)
                return f"run {run_id} requeued ({waiting} waiting to run again)"
            client.set_run_ignored(sid, run_id, action == "ignore")
            return f"run {run_id} {'ignored' if action == 'ignore' else 'taken into account again'}"

        return with_controller(sid, action, call)

    headers.install(app)  # after every callback: the policy hashes Dash's inline scripts
    return app


def serve(redis_url: str, *, host: str = "127.0.0.1", port: int = 8050,
          controller: str | None = None, debug: bool = False, auth: bool = False,
          api_key: str | None = None, tls_ca: str | None = None) -> None:
    """Runs the dashboard until interrupted. With `auth`, the session cookie is signed
    with $SWEEPD_UI_SECRET, else with a key drawn at start."""
    reader = DashboardReader.from_url(redis_url)
    app = create_app(reader, controller, auth=auth, api_key=api_key, tls_ca=tls_ca,
                     secret_key=os.environ.get("SWEEPD_UI_SECRET") or None)
    shown = reader.shown_url
    print(f"sweepd dashboard on http://{host}:{port} (Redis {shown}"
          + (f", controller {controller}" if controller else ", read only")
          + (", login with an API key)" if auth else ")"), flush=True)
    try:
        app.run(host=host, port=port, debug=debug, threaded=True)
    finally:
        reader.close()


__all__ = ["create_app", "serve", "sweep_id_of"]
