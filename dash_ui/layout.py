"""The dashboard's component trees: the app shell, the sweeps list and a sweep page.

Only structure and static text here; every changing value is filled in by the
callbacks in `app.py` through the ids of `ids.py`. Text that users wrote (sweep
names, ids) is only ever the text child of a component, never markdown or HTML.
The sweeps list lives in `sweeps_list.py`.
"""

from __future__ import annotations

from dash import dash_table, dcc, html

from . import figures, ids
from .figures import VERSIONS_COLUMNS, message_figure
from .url_state import SweepState, for_columns

TICK_MS = 1000
RUNS_PAGE_SIZE = 25  # rows of the runs table per page


def app_shell(account: str | None = None, logout_href: str = "/logout") -> html.Div:
    """The frame of every page; `account` (behind a login) names who is logged in."""
    who = [] if account is None else [html.Span(id=ids.ACCOUNT, className="account", children=[
        account, html.A("log out", id=ids.LOGOUT, href=logout_href)])]
    return html.Div(className="app", children=[
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.QUERY, data=None),  # the query string that says the view (url_state)
        dcc.Store(id=ids.QUERY_SHOWN, data=None),
        dcc.Interval(id=ids.TICK, interval=TICK_MS, n_intervals=0),
        html.Header(className="topbar", children=[
            dcc.Link("sweepd", href="/", className="brand"),
            html.Span("hyperparameter sweeps", className="tagline"),
            *who,
        ]),
        html.Div(id=ids.BANNER, className="banner", style={"display": "none"}),
        html.Main(id=ids.PAGE, className="page"),
    ])


def not_found_page(path: str) -> html.Div:
    return html.Div([html.H2("Not found"), html.P(f"Nothing lives at {path}."),
                     dcc.Link("all sweeps", href="/")])


def _card(title: str, body, *, wide: bool = False, extra=None, title_id: str | None = None,
          **section) -> html.Section:
    """A chart's card; `title_id`: an id for its title; `section`: the Section's own
    keywords (id, style)."""
    heading = html.H3(title, id=title_id) if title_id else html.H3(title)
    head = [heading] + ([extra] if extra is not None else [])
    return html.Section(className="card wide" if wide else "card",
                        children=[html.Div(className="card-head", children=head), body],
                        **section)


def _graph(graph_id: str, height: int) -> dcc.Graph:
    return dcc.Graph(id=graph_id, figure=message_figure("loading…"), style={"height": f"{height}px"},
                     config={"displaylogo": False, "responsive": True})


NO_CONTROLLER = "start the dashboard with --controller HOST:PORT"


DOWNLOAD_LABELS = {"runs.csv": ("runs CSV", "the runs table as CSV (spreadsheet-safe)"),
                   "runs.json": ("runs JSON", "the runs table as JSON"),
                   "config.yaml": ("config YAML", "the sweep's config as YAML")}


def download_links(hrefs: dict[str, str]) -> html.Div:
    """One download button per file of `hrefs` (file kind -> URL)."""
    return html.Div(className="downloads", children=[html.Span("download", className="muted")] + [
        html.A(DOWNLOAD_LABELS[kind][0], id=ids.DOWNLOADS[kind], href=href, download="",
               title=DOWNLOAD_LABELS[kind][1], className="download")
        for kind, href in hrefs.items()])


def _radio(radio_id: str, value: str, options: list[tuple[str, str]], title: str) -> html.Span:
    return html.Span(title=title, children=dcc.RadioItems(
        id=radio_id, value=value, inline=True, className="radio",
        options=[{"label": label, "value": v} for label, v in options]))


def sweep_page(sweep_id: str, *, key: str | None, goal: str, controls: bool,
               disabled_title: str = NO_CONTROLLER,
               downloads: dict[str, str] | None = None,
               view: SweepState | None = None,
               columns: list[dict] | None = None) -> html.Div:
    """A sweep's page; `key` and `goal` are the sweep metric's. Without `controls`,
    the buttons are disabled and say why (`disabled_title`); `downloads` (file kind
    -> URL) gives the download buttons; `view` (from the URL) what the page starts
    showing: metric, scales, brushes, the runs table's filter and sort; `columns`
    the runs table's (None: unknown yet, and the view's filter is dropped)."""
    view = for_columns(view or SweepState(), columns)
    defaults = {"key": key, "goal": goal}
    key, goal = view.key or key, view.goal or goal
    disabled_title = None if controls else disabled_title
    buttons = [
        html.Button(label, id=button_id, n_clicks=0, disabled=not controls,
                    title=disabled_title, className=f"control {label}")
        for button_id, label in ((ids.PAUSE, "pause"), (ids.RESUME, "resume"),
                                 (ids.STOP, "stop"), (ids.CANCEL, "cancel"))
    ]
    options = [{"label": key, "value": key}] if key else []
    return html.Div(**{"data-sweep": sweep_id}, children=[
        dcc.Store(id=ids.SELECTION, data={"ranges": view.ranges, "epoch": 0}),
        dcc.Store(id=ids.VIEW, data=None),
        dcc.Store(id=ids.SWEEP_DEFAULTS, data=defaults),
        html.Div(id=ids.SWEEP_HEADER, className="sweep-header",
                 children=[html.H2(sweep_id)]),
        html.Div(className="toolbar", children=[
            html.Div(className="controls", children=buttons + [
                html.Span(id=ids.CONTROL_MESSAGE, className="muted")]),
            html.Div(className="pickers", children=[
                html.Label("key", htmlFor=ids.KEY),
                dcc.Dropdown(id=ids.KEY, options=options, value=key, clearable=False,
                             className="key-picker"),
                dcc.RadioItems(id=ids.GOAL, value=goal, inline=True, className="radio",
                               options=[{"label": "min", "value": "minimize"},
                                        {"label": "max", "value": "maximize"}]),
                html.Span("y", className="muted"),
                _radio(ids.YSCALE, view.yscale, [("linear", "linear"), ("log", "log")],
                       "the scale of every metric axis"),
                html.Span("range", className="muted"),
                _radio(ids.YRANGE, view.yrange, [("robust", "robust"), ("all runs", "all")],
                       "robust: the y-range leaves outlier runs out (they are marked)"),
                html.Span(id=ids.LOADING, className="muted"),
            ]),
            download_links(downloads or {}),
        ]),
        html.Div(className="grid", children=[
            # multi-objective sweeps only (shown by the first refresh)
            _card("Pareto front", _graph(ids.PARETO_GRAPH, 420), wide=True,
                  id=ids.PARETO_CARD, style={"display": "none"}, extra=html.Span(
                      "each objective as logged; the front drawn bright, dominated runs faded",
                      className="muted")),
            _card("Best so far", _graph(ids.BEST_GRAPH, 340), title_id=ids.BEST_TITLE,
                  extra=dcc.RadioItems(
                id=ids.BEST_X, value=view.x, inline=True, className="radio",
                options=[{"label": "time", "value": "time"},
                         {"label": "run #", "value": "number"}])),
            _card("Metric curves", _graph(ids.CURVES_GRAPH, 340)),
            _card("Parameter importance", _graph(ids.IMPORTANCE_GRAPH, 340)),
            _card("Parallel coordinates", _graph(ids.PARCOORDS_GRAPH, 340), extra=html.Span(
                "drag along an axis to select runs", className="muted")),
            _card("The two most important parameters", _graph(ids.TOP_PARAMS_GRAPH, 380),
                  wide=True, extra=html.Span(
                      "the metric estimated over both (blank: no run near), and each alone",
                      className="muted")),
            _card("Runs", html.Div([
                dash_table.DataTable(
                    id=ids.RUNS_TABLE, columns=columns or [], data=[],
                    # paged, sorted and filtered on the server (table_query): a
                    # 10,000-run sweep's rows would be megabytes on each page load
                    sort_action="custom", filter_action="custom", page_action="custom",
                    page_current=0, page_count=1, page_size=RUNS_PAGE_SIZE, sort_by=view.sort,
                    filter_query=view.filter,
                    markdown_options={"link_target": "_self"},  # the run page links
                    style_as_list_view=True, style_table={"overflowX": "auto"},
                    style_header={"fontWeight": "600"},
                    style_cell={"textAlign": "left", "padding": "4px 8px", "fontFamily": "inherit",
                                "maxWidth": "360px", "overflow": "hidden",
                                "textOverflow": "ellipsis"},
                    style_data_conditional=[
                        {"if": {"filter_query": f'{{state}} = "{state}"', "column_id": "state"},
                         "color": color, "fontWeight": "600"}
                        for state, color in (("running", "#e8710a"), ("failed", "#d62728"),
                                             ("crashed", "#8c564b"), ("stopped", "#7f7f7f"),
                                             ("finished", "#1f77b4"))
                    ] + [
                        {"if": {"filter_query": '{mark} contains "ignored"'},
                         "color": "#9e9e9e", "textDecoration": "line-through"},
                        {"if": {"filter_query": '{mark} contains "prior"', "column_id": "mark"},
                         "color": "#17becf", "fontWeight": "600"},
                    ] + [
                        {"if": {"column_id": c}, "color": "#1a73e8", "cursor": "pointer",
                         "textDecoration": "underline"}
                        for c in figures.ACTION_COLUMNS
                    ],
                    tooltip_duration=None,
                ),
            ]), wide=True, extra=html.Span([
                html.Span(id=ids.RUN_ACTION_MESSAGE, className="muted"),
                html.Span(id=ids.SELECTION_NOTE, className="muted"),
                html.Button("clear selection", id=ids.CLEAR_SELECTION, n_clicks=0,
                            className="link-button"),
            ])),
            _card("Config versions", dash_table.DataTable(
                id=ids.VERSIONS_TABLE, columns=VERSIONS_COLUMNS, data=[], page_size=10,
                style_as_list_view=True, style_header={"fontWeight": "600"},
                style_cell={"textAlign": "left", "padding": "4px 8px", "fontFamily": "inherit",
                            "whiteSpace": "normal"},
            ), wide=True, extra=html.Span("sweepd update changes a sweep's config",
                                          className="muted")),
        ]),
    ])
