"""Text that users wrote (sweep names, metric keys, categorical values, reasons)
reaches the dashboard's pages only as text: never as markdown, HTML or plotly markup."""

from __future__ import annotations

from typing import Any, Iterator

import pandas as pd

from sweepd.dash_ui import figures, layout
from sweepd.dash_ui.data import RUN_STATES

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


def renders_markup(component: dict) -> bool:
    props = component["props"]
    columns = props.get("columns") or []
    return (component.get("type") in ("Markdown", "Iframe", "Img", "ObjectEl", "Embed")
            or any(c.get("presentation") == "markdown" for c in columns if isinstance(c, dict))
            or "markdown_options" in props or props.get("dangerously_allow_html")
            or "tooltip_data" in props)


def sweeps_frame(name: str) -> pd.DataFrame:
    return pd.DataFrame([{
        "id": "abc123", "name": name, "project": "", "method": "grid", "state": "running",
        "metric": HOSTILE, "goal": "minimize", **{f"n_{s}": 1 for s in RUN_STATES},
        "n_total": len(RUN_STATES), "best_value": 0.5, "best_run": "r1",
        "created": 1_700_000_000.0, "elapsed": 12.0}])


def test_no_page_renders_markdown_or_html():
    pages = [layout.app_shell("project alpha"), layout.sweeps_page(), layout.not_found_page("/x"),
             layout.sweep_page("abc123", key=HOSTILE, goal="minimize", controls=True)]
    found = [c for page in pages for c in components(page) if renders_markup(c)]
    assert found == []


def test_a_sweep_name_is_the_text_of_its_link():
    table = layout.sweeps_table(figures.sweeps_table_rows(sweeps_frame(HOSTILE)))
    links = [c["props"] for c in components(table) if c["type"] == "Link"]
    assert links == [{"children": HOSTILE, "href": "/sweep/abc123"}]
    texts = [c["props"]["children"] for c in components(table) if c["type"] == "Td"]
    assert HOSTILE in texts  # the metric column: plain text too
    assert not [c for c in components(table) if renders_markup(c)]
