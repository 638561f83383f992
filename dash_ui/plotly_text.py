"""User text made safe for plotly's markup.

Plotly draws titles, axis and parcoords labels, annotations, legend entries and
hover labels (not parcoords tick labels) as a small subset of HTML: `<a href>`,
`<b>`, `<br>`, `<span style>`, … and it fills `%{...}` in hover templates and
titles. A metric key, a parameter's value or a run's reason written by a user would
render as a link or styled text there; `plain` turns it into entities that plotly
shows as the characters themselves.
"""

from __future__ import annotations

from typing import Any

_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "%": "&#37;"})


def plain(text: Any) -> str:
    """`text` for a plotly title, label, annotation or hover: shown as written."""
    return str(text).translate(_ENTITIES)


__all__ = ["plain"]
