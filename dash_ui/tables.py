"""Small read-only tables of text and links, as plain HTML (the run page's attempts, the
compare page's best runs): every cell is the text child of a component, a link a
`dcc.Link` whose text is a child too, so nothing a user wrote becomes markup.

A row is a dict of column id -> value; a `Link(text, href)` value is drawn as a link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from dash import dcc, html


@dataclass(frozen=True)
class Link:
    text: str
    href: str


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def table(columns: Sequence[tuple[str, str]], rows: Sequence[Mapping[str, Any]], *,
          table_id: str | None = None, empty: str = "Nothing to show.") -> html.Table | html.P:
    """`columns`: (column id, heading) pairs; one row per mapping of `rows`."""
    if not rows:
        return html.P(empty, className="muted")

    def cell(row: Mapping[str, Any], column: str) -> html.Td:
        value = row.get(column)
        if isinstance(value, Link):
            return html.Td(dcc.Link(value.text, href=value.href), className=f"col-{column}")
        return html.Td(cell_text(value), className=f"col-{column}")

    props = {"id": table_id} if table_id else {}
    return html.Table(className="plain-table", **props, children=[
        html.Thead(html.Tr([html.Th(heading) for _, heading in columns])),
        html.Tbody([html.Tr([cell(row, c) for c, _ in columns]) for row in rows]),
    ])


__all__ = ["Link", "table"]
