"""Text that users wrote (sweep names, metric keys, categorical values, reasons)
reaches the dashboard's pages only as text: never as markdown, HTML or plotly markup."""

from __future__ import annotations

import json
from typing import Any, Iterator

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sweepd.dash_ui import compare_page, figures, layout, run_page, sweeps_list, top_params
from sweepd.dash_ui.analysis import apply_restyle, feature_importance, selected_mask
from sweepd.dash_ui.data import RUN_STATES, ParamAxis
from sweepd.dash_ui.plotly_text import plain

HOSTILE = "evil ![x](http://evil/img.png) [click](http://evil) <a href=\"http://evil\">a</a>"


def components(node: Any) -> Iterator[dict]:
    """Every component of a layout (Dash components or their JSON), depth first."""
    if hasattr(node, "to_plotly_json"):
        node = node.to_plotly_json()
    if isinstance(node, dict) and "props" in node:
        yield node
        for value in node["props"].values():
            yield from components(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from components(item)


# The dashboard's one markdown: the runs table's "open" cells, links to run pages made
# of ids only (test_the_runs_tables_link_cells_are_made_of_ids_only checks them), with
# markdown's HTML left off (markdown_options may only say where links open).
LINK_COLUMNS = {"open"}


def renders_markup(component: dict) -> bool:
    props = component["props"]
    columns = props.get("columns") or []
    return (component.get("type") in ("Markdown", "Iframe", "Img", "ObjectEl", "Embed")
            or any(c.get("presentation") == "markdown" and c.get("id") not in LINK_COLUMNS
                   for c in columns if isinstance(c, dict))
            or bool(set(props.get("markdown_options") or {}) - {"link_target"})
            or props.get("dangerously_allow_html") or "tooltip_data" in props)


def sweeps_frame(name: str) -> pd.DataFrame:
    return pd.DataFrame([{
        "id": "abc123", "name": name, "project": "", "method": "grid", "state": "running",
        "metric": HOSTILE, "goal": "minimize", **{f"n_{s}": 1 for s in RUN_STATES},
        "n_total": len(RUN_STATES), "best_value": 0.5, "best_run": "r1",
        "created": 1_700_000_000.0, "elapsed": 12.0}])


def test_no_page_renders_markdown_or_html():
    pages = [layout.app_shell("project alpha"), sweeps_list.page(), layout.not_found_page("/x"),
             layout.sweep_page("abc123", key=HOSTILE, goal="minimize", controls=True),
             run_page.page("abc123", "r1"), compare_page.page()]
    found = [c for page in pages for c in components(page) if renders_markup(c)]
    assert found == []


def test_the_runs_tables_link_cells_are_made_of_ids_only():
    axes = [ParamAxis("opt", "categorical", (HOSTILE, "sgd"))]
    runs = pd.DataFrame({"run_id": ["r1", "bad id](http://evil)"], "number": [1, 2],
                         "state": ["finished"] * 2, "value": [0.5, 0.4], "reason": [HOSTILE, ""],
                         "p:opt": [HOSTILE, "sgd"]})
    rows = figures.runs_table_rows(runs, axes, lambda rid: f"/sweep/s1/run/{rid}")
    assert [r["open"] for r in rows] == ["[run page](/sweep/s1/run/r1)", ""]
    markdown = [c["id"] for c in figures.runs_table_columns(axes, HOSTILE)
                if c.get("presentation") == "markdown"]
    assert markdown == ["open"]


def test_a_sweep_name_is_the_text_of_its_link():
    table = sweeps_list.table(figures.sweeps_table_rows(sweeps_frame(HOSTILE)))
    links = [c["props"] for c in components(table) if c["type"] == "Link"]
    assert links == [{"children": HOSTILE, "href": "/sweep/abc123"}]
    texts = [c["props"]["children"] for c in components(table) if c["type"] == "Td"]
    assert HOSTILE in texts  # the metric column: plain text too
    assert not [c for c in components(table) if renders_markup(c)]


# ---------------------------------------------------------------- plotly's markup

KEY = '<a href="http://evil/k">k</a><b>%{y}</b>&amp;'
VALUE = '<a href="http://evil/v">v</a>'
AXES = [ParamAxis("opt", "categorical", (VALUE, "sgd")), ParamAxis("lr", "linear")]


def hostile_runs(n: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    opt = [VALUE if i % 2 else "sgd" for i in range(n)]
    lr = rng.uniform(0, 1, n)
    return pd.DataFrame({
        "run_id": [f"r{i}" for i in range(n)], "number": list(range(1, n + 1)),
        "state": ["stopped"] + ["finished"] * (n - 1), "last_update": 1000.0 + np.arange(n),
        "value": lr + np.array([0.5 if o == VALUE else 0.0 for o in opt]),
        "reason": [f"hyperband (band 1): {KEY} worse"] + [""] * (n - 1),
        "p:opt": opt, "p:lr": lr})


def test_plain_shows_markup_and_templates_as_written():
    assert plain(KEY) == "&lt;a href=\"http://evil/k\"&gt;k&lt;/a&gt;&lt;b&gt;&#37;{y}&lt;/b&gt;&amp;amp;"
    assert plain("loss") == "loss"


def test_no_figure_carries_user_text_as_plotly_markup():
    runs = hostile_runs()
    curves = pd.DataFrame({"run_id": np.repeat(runs["run_id"], 2), "step": [0, 1] * len(runs),
                           "value": np.repeat(runs["value"], 2)})
    importance = feature_importance(runs, AXES)
    assert not importance.empty
    diverged = runs.assign(value=np.where(runs["number"] == 4, 1e4, runs["value"]))
    figs = [figures.best_so_far_figure(runs, key=KEY, goal="minimize"),
            figures.curves_figure(curves, runs, key=KEY, axes=AXES, goal="minimize"),
            # outlier marks (hover text names the key) and the log-scale note
            figures.best_so_far_figure(diverged, key=KEY, goal="minimize", yscale="log"),
            figures.curves_figure(curves.assign(value=np.where(curves["run_id"] == "r3", 1e4,
                                                               curves["value"])),
                                  runs, key=KEY, axes=AXES, goal="minimize"),
            figures.curves_figure(curves.assign(value=-curves["value"]), runs, key=KEY, axes=AXES,
                                  goal="minimize", yscale="log"),
            top_params.top_params_figure(diverged, importance, AXES, key=KEY, goal="minimize"),
            top_params.top_params_figure(runs, importance, AXES[1:], key=KEY, goal="minimize",
                                         yscale="log"),
            figures.importance_figure(importance, key=KEY, n_runs=len(runs), goal="minimize"),
            figures.importance_figure(importance.iloc[:0], key=KEY, n_runs=0, goal="minimize"),
            figures.parcoords_figure(runs, AXES, key=KEY, goal="minimize"),
            figures.parcoords_figure(runs.assign(value=np.nan), AXES, key=KEY, goal="minimize"),
            figures.message_figure(f"No run has logged {KEY} yet.")]
    for fig in figs:
        go.Figure(fig)
        shown = "\n".join(drawn_strings(fig))
        # the key's "<b>%{y}</b>" would be a template field in bold: it shows as typed
        assert "<a " not in shown and "<b>%{y}</b>" not in shown, shown
        assert "http://evil" in json.dumps(fig)  # the text is there, escaped
    assert sum(len(f["layout"].get("annotations", [])) for f in figs[2:5]) >= 5


def drawn_strings(node: Any, key: str = "") -> Iterator[str]:
    """Every string of a figure that plotly draws as markup (not uirevision, an
    identity; not parcoords ticktext, which plotly draws as plain text)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k not in ("uirevision", "ticktext"):
                yield from drawn_strings(v, k)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from drawn_strings(item, key)
    elif isinstance(node, str):
        yield node


def test_brushing_the_metric_axis_of_a_marked_up_key_selects_runs():
    runs = hostile_runs()
    fig = figures.parcoords_figure(runs, AXES, key=KEY, goal="minimize")
    labels = [d["label"] for d in fig["data"][0]["dimensions"]]
    assert labels[-1] == plain(KEY)
    ranges = apply_restyle({}, [{"dimensions[2].constraintrange": [[0.0, 0.4]]}, [0]], labels)
    mask = selected_mask(runs, AXES, KEY, ranges)
    assert mask.tolist() == (runs["value"] <= 0.4).tolist() and 0 < mask.sum() < len(runs)
    again = figures.parcoords_figure(runs, AXES, key=KEY, goal="minimize", selection=ranges)
    assert again["data"][0]["dimensions"][2]["constraintrange"] == [[0.0, 0.4]]
